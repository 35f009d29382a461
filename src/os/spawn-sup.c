/*
 * spawn-sup.c - the supervisor of a pool's supervised children, and our
 * side of its socket (spawn.h: Supervision).
 *
 * The supervisor is one process per pool, forked from ours (no exec) at
 * the first supervised start.  It closes every descriptor but its socket
 * to us, leaves our process group, and then serves: START a program
 * (started as spawn_start() does, but with its output through a pipe to
 * us, so that the log keeps within out_limit and the tail is ours), watch
 * it (timeout, grace, leftovers, reaping), send its RESULT, hold the
 * result until ACKed.  Nothing per build is forked but the program, so a
 * supervised build costs a few messages more than an unsupervised one.
 *
 * Its controller is the process at the other end of its socket: first
 * us, and, after we died, whoever attaches through its listening socket
 * (an abstract Unix socket named after its pid and start time, open to
 * its own user only: SO_PEERCRED): HELLO makes the caller the controller,
 * and it answers with what it runs (B) and the results it holds (R), then
 * E.  While it has no controller, results go to their status files.  It
 * exits when it has no controller and nothing to watch.
 *
 * Starts sent ahead: a START says how many slots its program takes and
 * how many the controller has.  A program that does not fit beside those
 * running waits (in the order the STARTs came) and is started here the
 * moment one ends, before its result even goes out: a freed slot does
 * not wait for the round trip through the controller.  A waiting program
 * is one the supervisor has (a successor hears of it as running); a stop
 * or TERM of one that never started ends it as never run (pid 0,
 * terminated).
 *
 * Frames, both ways: a 4-byte length (of what follows, host order), a
 * type byte, NUL-separated text fields; a RESULT's record follows its key
 * and is binary.  START: key, out_path, dir, timeout_ms, grace_ms,
 * out_limit, argc, argv..., envc, env_delta..., then (optional) slots
 * and capacity.  TERM, ACK, B: key.  R: key and record.
 */
/* struct ucred, SO_PEERCRED, accept4: Linux facilities */
#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "log.h"
#include "spawn-int.h"
#include "sysinfo.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

#define F_START 'S'
#define F_TERM 'T'
#define F_ACK 'A'
#define F_HELLO 'H'
#define F_RESULT 'R'
#define F_BUILD 'B'
#define F_END 'E'

/* the largest frame either side accepts (a START's argv, say) */
#define FRAME_MAX (64 * 1024 * 1024)
#define SUP_CHUNK 65536
/* how long a successor waits for an old supervisor's list */
#define ATTACH_TIMEOUT_MS 30000

/* -- frames ---------------------------------------------------------------- */

/* open a frame of type in out; frame_end() writes its length */
static size_t
frame_begin(struct strbuf *out, char type)
{
	uint32_t zero = 0;
	size_t at = out->len;

	strbuf_add(out, &zero, sizeof(zero));
	strbuf_addch(out, type);
	return at;
}

static void
frame_field(struct strbuf *out, const char *s)
{
	strbuf_add(out, s ? s : "", strlen(s ? s : "") + 1);
}

static void
frame_num(struct strbuf *out, int64_t v)
{
	strbuf_addf(out, "%" PRId64, v);
	strbuf_addch(out, '\0');
}

static void
frame_end(struct strbuf *out, size_t at)
{
	uint32_t len = (uint32_t)(out->len - at - sizeof(uint32_t));

	memcpy(out->buf + at, &len, sizeof(len));
}

/*
 * the next whole frame in in (from *off): its type, payload and length;
 * 1 if there is one, 0 if more must be read, -1 if it is too long
 */
static int
frame_next(const struct strbuf *in, size_t *off, char *type,
	   const char **payload, size_t *len)
{
	uint32_t n;

	if (in->len - *off < sizeof(n))
		return 0;
	memcpy(&n, in->buf + *off, sizeof(n));
	if (n < 1 || n > FRAME_MAX)
		return -1;
	if (in->len - *off - sizeof(n) < n)
		return 0;
	*type = in->buf[*off + sizeof(n)];
	*payload = in->buf + *off + sizeof(n) + 1;
	*len = n - 1;
	*off += sizeof(n) + n;
	return 1;
}

/* drop the frames consumed (up to off) from in */
static void
frame_consumed(struct strbuf *in, size_t off)
{
	if (!off)
		return;
	memmove(in->buf, in->buf + off, in->len - off);
	strbuf_setlen(in, in->len - off);
}

/* the next NUL-terminated field of a payload, or NULL past its end */
static const char *
field_next(const char **p, const char *end)
{
	const char *s = *p;
	const char *nul;

	if (s >= end || !(nul = memchr(s, '\0', (size_t)(end - s))))
		return NULL;
	*p = nul + 1;
	return s;
}

static bool
field_num(const char **p, const char *end, int64_t *v)
{
	const char *s = field_next(p, end);
	char *e;

	if (!s || !*s)
		return false;
	errno = 0;
	*v = strtoll(s, &e, 10);
	return !*e && !errno;
}

/*
 * append what fd has to in (non-blocking); -1 at EOF or error.  A read
 * shorter than asked for took all there was: not asking again saves a
 * system call per message on each side (an EOF behind it keeps the
 * socket readable, so the next poll comes back for it).
 */
static int
read_into(int fd, struct strbuf *in)
{
	for (;;) {
		ssize_t n;

		strbuf_grow(in, SUP_CHUNK);
		n = recv(fd, in->buf + in->len, SUP_CHUNK, MSG_DONTWAIT);
		if (n > 0) {
			strbuf_setlen(in, in->len + (size_t)n);
			if (n < SUP_CHUNK)
				return 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
}

/* write all of buf to fd (blocking); -1 with errno if it failed */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* the abstract socket a supervisor listens on */
static socklen_t
sup_address(struct sockaddr_un *a, pid_t pid, int64_t start_ticks)
{
	int n;

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1,
		     "cascade-sup/%ld/%" PRId64, (long)pid, start_ticks);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   (size_t)n);
}

/* -- the result record ------------------------------------------------- */

/*
 * The record a supervisor sends us or writes to status_path: text, one
 * "key=value" a line after a header, then the tail's bytes, counted, and
 * an end line, so that a record cut short (a full disk) is never taken
 * for a whole one.
 */
#define STATUS_HEADER "cascade-status 1\n"
#define STATUS_END "\nend\n"

static int64_t
tv_us(const struct timeval *tv)
{
	return (int64_t)tv->tv_sec * 1000000 + tv->tv_usec;
}

void
spawn_status_encode(const struct spawn_child *c, struct strbuf *out)
{
	strbuf_addstr(out, STATUS_HEADER);
	strbuf_addf(out,
		    "pid=%d\nexit_code=%d\nterm_signal=%d\ncore_dumped=%d\n"
		    "timed_out=%d\nterminated=%d\nstart_failed=%d\n"
		    "exec_errno=%d\nleftovers=%u\nwall_us=%lld\n"
		    "ended_at_us=%lld\nutime_us=%lld\nstime_us=%lld\n"
		    "maxrss_kb=%ld\nout_bytes=%lld\nout_dropped=%lld\n"
		    "out_errno=%d\ndir=%zu\nlog=%zu\ntail=%zu\n",
		    (int)c->pid, c->exit_code, c->term_signal, c->core_dumped,
		    c->timed_out, c->terminated, c->start_failed, c->exec_errno,
		    c->leftovers, (long long)c->wall_us,
		    (long long)c->ended_at_us,
		    (long long)tv_us(&c->rusage.ru_utime),
		    (long long)tv_us(&c->rusage.ru_stime),
		    c->rusage.ru_maxrss, (long long)c->out_bytes,
		    (long long)c->out_dropped, c->out_errno, c->ran_dir.len,
		    c->ran_log.len, c->tail.len);
	strbuf_add(out, c->ran_dir.buf, c->ran_dir.len);
	strbuf_add(out, c->ran_log.buf, c->ran_log.len);
	strbuf_add(out, c->tail.buf, c->tail.len);
	strbuf_addstr(out, STATUS_END);
}

/* the keys of a record, in order, and the value each must have */
enum status_key {
	SK_PID, SK_EXIT, SK_SIGNAL, SK_CORE, SK_TIMED_OUT, SK_TERMINATED,
	SK_START_FAILED, SK_EXEC_ERRNO, SK_LEFTOVERS, SK_WALL, SK_ENDED,
	SK_UTIME, SK_STIME, SK_MAXRSS, SK_OUT_BYTES, SK_OUT_DROPPED,
	SK_OUT_ERRNO, SK_DIR, SK_LOG, SK_TAIL, SK_COUNT
};

static const struct {
	const char *name;
	int64_t min, max;
} status_keys[SK_COUNT] = {
	[SK_PID] = {"pid", 0, INT_MAX},
	[SK_EXIT] = {"exit_code", -1, 255},
	[SK_SIGNAL] = {"term_signal", 0, 127},
	[SK_CORE] = {"core_dumped", 0, 1},
	[SK_TIMED_OUT] = {"timed_out", 0, 1},
	[SK_TERMINATED] = {"terminated", 0, 1},
	[SK_START_FAILED] = {"start_failed", 0, 1},
	[SK_EXEC_ERRNO] = {"exec_errno", 0, INT_MAX},
	[SK_LEFTOVERS] = {"leftovers", 0, INT_MAX},
	[SK_WALL] = {"wall_us", 0, INT64_MAX},
	[SK_ENDED] = {"ended_at_us", 0, INT64_MAX},
	[SK_UTIME] = {"utime_us", 0, INT64_MAX},
	[SK_STIME] = {"stime_us", 0, INT64_MAX},
	[SK_MAXRSS] = {"maxrss_kb", 0, INT64_MAX},
	[SK_OUT_BYTES] = {"out_bytes", 0, INT64_MAX},
	[SK_OUT_DROPPED] = {"out_dropped", 0, INT64_MAX},
	[SK_OUT_ERRNO] = {"out_errno", 0, INT_MAX},
	[SK_DIR] = {"dir", 0, PATH_MAX},
	[SK_LOG] = {"log", 0, PATH_MAX},
	[SK_TAIL] = {"tail", 0, SPAWN_TAIL_MAX},
};

/* one "name=value\n" line at *p (before end) into *v; advances *p */
static int
status_line(const char **p, const char *end, enum status_key k, int64_t *v)
{
	size_t n = strlen(status_keys[k].name);
	const char *q = *p;
	int64_t x = 0;
	bool neg = false, digits = false;

	if ((size_t)(end - q) < n + 2 || memcmp(q, status_keys[k].name, n) ||
	    q[n] != '=')
		return -1;
	q += n + 1;
	if (q < end && *q == '-') {
		neg = true;
		q++;
	}
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (x > (INT64_MAX - (*q - '0')) / 10)
			return -1;
		x = x * 10 + (*q - '0');
		digits = true;
	}
	if (!digits || q >= end || *q != '\n')
		return -1;
	x = neg ? -x : x;
	if (x < status_keys[k].min || x > status_keys[k].max)
		return -1;
	*v = x;
	*p = q + 1;
	return 0;
}

int
spawn_status_decode(const char *buf, size_t len, struct spawn_child *c)
{
	const char *p = buf, *end = buf + len;
	size_t hl = strlen(STATUS_HEADER), el = strlen(STATUS_END);
	int64_t v[SK_COUNT];

	if (len < hl + el || memcmp(buf, STATUS_HEADER, hl))
		return -1;
	p += hl;
	for (int k = 0; k < SK_COUNT; k++)
		if (status_line(&p, end, (enum status_key)k, &v[k]))
			return -1;
	if ((size_t)(end - p) !=
		    (size_t)(v[SK_DIR] + v[SK_LOG] + v[SK_TAIL]) + el ||
	    memcmp(end - el, STATUS_END, el))
		return -1;
	c->pid = (pid_t)v[SK_PID];
	c->exit_code = (int)v[SK_EXIT];
	c->term_signal = (int)v[SK_SIGNAL];
	c->core_dumped = v[SK_CORE];
	c->timed_out = v[SK_TIMED_OUT];
	c->terminated = v[SK_TERMINATED];
	c->start_failed = v[SK_START_FAILED];
	c->exec_errno = (int)v[SK_EXEC_ERRNO];
	c->leftovers = (unsigned)v[SK_LEFTOVERS];
	c->wall_us = v[SK_WALL];
	c->ended_at_us = v[SK_ENDED];
	c->rusage.ru_utime.tv_sec = (time_t)(v[SK_UTIME] / 1000000);
	c->rusage.ru_utime.tv_usec = (suseconds_t)(v[SK_UTIME] % 1000000);
	c->rusage.ru_stime.tv_sec = (time_t)(v[SK_STIME] / 1000000);
	c->rusage.ru_stime.tv_usec = (suseconds_t)(v[SK_STIME] % 1000000);
	c->rusage.ru_maxrss = (long)v[SK_MAXRSS];
	c->out_bytes = v[SK_OUT_BYTES];
	c->out_dropped = v[SK_OUT_DROPPED];
	c->out_errno = (int)v[SK_OUT_ERRNO];
	strbuf_reset(&c->ran_dir);
	strbuf_add(&c->ran_dir, p, (size_t)v[SK_DIR]);
	p += v[SK_DIR];
	strbuf_reset(&c->ran_log);
	strbuf_add(&c->ran_log, p, (size_t)v[SK_LOG]);
	p += v[SK_LOG];
	strbuf_reset(&c->tail);
	strbuf_add(&c->tail, p, (size_t)v[SK_TAIL]);
	c->lost = false;
	c->state = SPAWN_STATE_DONE;
	return 0;
}

/* a supervised child whose supervisor died without a result */
static void
mark_lost(struct spawn_child *c)
{
	c->lost = true;
	c->exit_code = -1;
	c->term_signal = 0;
	c->state = SPAWN_STATE_DONE;
}

int
spawn_status_read(struct spawn_child *c)
{
	struct strbuf sb = STRBUF_INIT;
	int fd, ret = 1;

	if (!c->status_path)
		BUG("spawn_status_read without a status path");
	fd = open(c->status_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return error("could not open \"%s\": %s", c->status_path,
			     strerror(errno));
	}
	for (;;) {
		ssize_t n;

		strbuf_grow(&sb, 8192);
		n = read(fd, sb.buf + sb.len, 8192);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error("could not read \"%s\": %s",
				    c->status_path, strerror(errno));
			break;
		}
		if (!n)
			break;
		strbuf_setlen(&sb, sb.len + (size_t)n);
		if (sb.len > 64 * 1024) {
			ret = error("\"%s\" is not a result record: too long",
				    c->status_path);
			break;
		}
	}
	close(fd);
	if (ret == 1 && spawn_status_decode(sb.buf, sb.len, c))
		ret = error("\"%s\" is not a whole result record",
			    c->status_path);
	if (ret == 1)
		c->from_file = true;
	strbuf_release(&sb);
	return ret;
}

/* -- the supervisor process ------------------------------------------------ */

/* a program the supervisor runs, or whose result it holds */
struct sbuild {
	char *key;	       /* status path */
	struct spawn_child c;  /* the program: we are its parent */
	int out_rd;	       /* its output (both streams); -1 at EOF */
	int out_wr;	       /* our copy of the pipe's other end (below) */
	int log;	       /* out_path, -1 if none */
	off_t log_base;	       /* the log's size when it started */
	bool cut;	       /* the log was cut back: the ring is kept */
	char *ring;	       /* the last limit/2 bytes of output */
	size_t ring_size, ring_pos;
	char tail[SPAWN_TAIL_MAX]; /* the last bytes, for the result */
	size_t tail_pos;
	bool ended;	       /* its result is held, awaiting ACK */
	struct strbuf record;  /* the result, once ended */
	unsigned slots;	       /* the slots it takes (at least 1) */
	bool waiting;	       /* sent ahead: not started yet */
	bool counted;	       /* started: its slots are in S.used */
};

static struct {
	int ctl;	      /* the controller's connection; -1: none */
	struct strbuf in, out; /* frames from it, and to it */
	int listen;	      /* successors connect here */
	int pending;	      /* a successor before its HELLO; -1 */
	struct strbuf pending_in;
	int term_rd;	      /* SIGTERM self-pipe */
	bool stopping;	      /* SIGTERM: stop everything, then exit */
	unsigned capacity;    /* the controller's slots (0: no limit) */
	unsigned used;	      /* slots of the programs started */
	struct sbuild **b;
	size_t nb, ab;
} S;

static int sup_term_pipe[2] = {-1, -1};

static void
sup_on_term(int sig)
{
	int saved = errno;
	ssize_t n = write(sup_term_pipe[1], "", 1);

	(void)sig;
	(void)n;
	errno = saved;
}

static void
ring_put(char *ring, size_t size, size_t *pos, const char *p, size_t n)
{
	if (n >= size) {
		memcpy(ring, p + n - size, size);
		*pos = 0;
		return;
	}
	while (n) {
		size_t k = size - *pos < n ? size - *pos : n;

		memcpy(ring + *pos, p, k);
		*pos = (*pos + k) % size;
		p += k;
		n -= k;
	}
}

/* n bytes of ring in order, oldest first, into out */
static void
ring_get(const char *ring, size_t size, size_t pos, size_t n,
	 struct strbuf *out)
{
	size_t start = (pos + size - n) % size;

	if (start + n <= size) {
		strbuf_add(out, ring + start, n);
	} else {
		strbuf_add(out, ring + start, size - start);
		strbuf_add(out, ring, n - (size - start));
	}
}

static void
log_write(struct sbuild *b, const char *p, size_t n)
{
	if (b->log < 0 || b->c.out_errno)
		return;
	while (n) {
		ssize_t w = write(b->log, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			b->c.out_errno = errno;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* the program wrote n bytes: to the log, within its limit; kept tails */
static void
sb_output(struct sbuild *b, const char *p, size_t n)
{
	struct spawn_child *c = &b->c;
	int64_t limit = c->out_limit;

	ring_put(b->tail, sizeof(b->tail), &b->tail_pos, p, n);
	c->out_bytes += (int64_t)n;
	if (!limit) {
		log_write(b, p, n);
		return;
	}
	if (!b->ring && !b->cut) {
		/* not xmalloc: dying here would run our atexit handlers */
		b->ring_size = (size_t)(limit / 2 > 0 ? limit / 2 : 1);
		b->ring = malloc(b->ring_size);
		if (!b->ring)
			b->ring_size = 0; /* then the last half is lost */
	}
	if (b->ring)
		ring_put(b->ring, b->ring_size, &b->ring_pos, p, n);
	if (b->cut)
		return;
	/* live, up to the limit (a chunk may cross it) */
	if (c->out_bytes - (int64_t)n < limit)
		log_write(b, p,
			  (size_t)(c->out_bytes <= limit
					   ? (int64_t)n
					   : limit - (c->out_bytes - (int64_t)n)));
	if (c->out_bytes <= limit)
		return;
	/*
	 * Over the limit: keep the first half in the log and, from now on,
	 * only the last half in memory, written when the program ends.
	 */
	b->cut = true;
	if (b->log >= 0 && ftruncate(b->log, b->log_base + (off_t)(limit / 2)) &&
	    !c->out_errno)
		c->out_errno = errno;
}

/* the program ended: the kept last half of a cut log, and the tail */
static void
sb_finish_output(struct sbuild *b)
{
	struct spawn_child *c = &b->c;
	size_t nt = c->out_bytes < (int64_t)sizeof(b->tail)
			    ? (size_t)c->out_bytes
			    : sizeof(b->tail);

	if (b->cut) {
		struct strbuf sb = STRBUF_INIT;

		c->out_dropped = c->out_bytes - c->out_limit / 2 -
				 (int64_t)b->ring_size;
		strbuf_addf(&sb,
			    "\n[cascade: %" PRId64 " bytes of output dropped "
			    "here: the log keeps the first %" PRId64 " and the "
			    "last %zu bytes of %" PRId64 "]\n",
			    c->out_dropped, c->out_limit / 2, b->ring_size,
			    c->out_bytes);
		if (b->ring)
			ring_get(b->ring, b->ring_size, b->ring_pos,
				 b->ring_size, &sb);
		log_write(b, sb.buf, sb.len);
		strbuf_release(&sb);
	}
	strbuf_reset(&c->tail);
	if (nt)
		ring_get(b->tail, sizeof(b->tail), b->tail_pos, nt, &c->tail);
}

/* what the program wrote, until EOF (or, once it ended, EAGAIN) */
static void
sb_read_output(struct sbuild *b, bool ended)
{
	char buf[SUP_CHUNK];

	while (b->out_rd >= 0) {
		ssize_t n = read(b->out_rd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !ended)
			return;
		if (n > 0) {
			sb_output(b, buf, (size_t)n);
			if (!ended)
				return; /* back to poll: fair to the rest */
			continue;
		}
		/* EOF; or, ended, nothing more: what left the group and
		 * holds the pipe writes no more for us */
		spawn_close_fd(&b->out_rd);
		return;
	}
}

static int
write_status_file(const char *path, const char *p, size_t n)
{
	struct strbuf tmp = STRBUF_INIT;
	int fd, ret = -1;

	strbuf_addf(&tmp, "%s.tmp", path);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	while (fd >= 0 && n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	if (fd >= 0 && !n && close(fd) == 0) {
		fd = -1;
		ret = rename(tmp.buf, path);
	}
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	return ret;
}

static void
sb_free(struct sbuild *b)
{
	spawn_close_fd(&b->out_rd);
	spawn_close_fd(&b->out_wr);
	spawn_close_fd(&b->log);
	free(b->ring);
	strbuf_release(&b->record);
	strvec_clear(&b->c.args);
	strvec_clear(&b->c.env_delta);
	strbuf_release(&b->c.tail);
	strbuf_release(&b->c.ran_dir);
	strbuf_release(&b->c.ran_log);
	free((char *)b->c.dir);
	free((char *)b->c.out_path);
	free(b->key);
	free(b);
}

static void
sb_remove(size_t i)
{
	sb_free(S.b[i]);
	memmove(&S.b[i], &S.b[i + 1], (S.nb - i - 1) * sizeof(*S.b));
	S.nb--;
}

static long
sb_find(const char *key)
{
	for (size_t i = 0; i < S.nb; i++)
		if (!strcmp(S.b[i]->key, key))
			return (long)i;
	return -1;
}

/* a frame to the controller (written as the socket takes it) */
static void
to_ctl(char type, const char *key, const struct strbuf *record)
{
	size_t at;

	if (S.ctl < 0)
		return;
	at = frame_begin(&S.out, type);
	frame_field(&S.out, key);
	if (record)
		strbuf_add(&S.out, record->buf, record->len);
	frame_end(&S.out, at);
}

/*
 * b's program ended (its result in b->c): hand the result over, to the
 * controller (held until ACKed) or, with none, to its status file
 */
static void
sb_deliver(size_t i)
{
	struct sbuild *b = S.b[i];

	b->c.ended_at_us = timeutil_now_usec();
	strbuf_reset(&b->c.ran_dir);
	strbuf_addstr(&b->c.ran_dir, b->c.dir ? b->c.dir : "");
	strbuf_reset(&b->c.ran_log);
	strbuf_addstr(&b->c.ran_log, b->c.out_path ? b->c.out_path : "");
	spawn_status_encode(&b->c, &b->record);
	b->ended = true;
	fault_point("supervisor-result");
	if (S.ctl >= 0) {
		to_ctl(F_RESULT, b->key, &b->record);
		return;
	}
	if (write_status_file(b->key, b->record.buf, b->record.len))
		fprintf(stderr, "cascade-sup[%ld]: could not write \"%s\": %s\n",
			(long)getpid(), b->key, strerror(errno));
	sb_remove(i);
}

/* the controller is gone: what it did not ACK goes to status files */
static void
ctl_gone(void)
{
	spawn_close_fd(&S.ctl);
	strbuf_reset(&S.in);
	strbuf_reset(&S.out);
	for (size_t i = S.nb; i-- > 0;) {
		struct sbuild *b = S.b[i];

		if (!b->ended)
			continue;
		if (write_status_file(b->key, b->record.buf, b->record.len))
			fprintf(stderr, "cascade-sup[%ld]: could not write "
					"\"%s\": %s\n",
				(long)getpid(), b->key, strerror(errno));
		sb_remove(i);
	}
}

/* start b's program: its output through a pipe to us */
static void
sb_start(struct sbuild *b)
{
	int out[2] = {-1, -1};

	if (b->c.out_path) {
		b->log = open(b->c.out_path,
			      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (b->log < 0)
			b->c.out_errno = errno;
		else if ((b->log_base = lseek(b->log, 0, SEEK_END)) < 0)
			b->log_base = 0;
	}
	if (spawn_cloexec_pipe(out) < 0 ||
	    fcntl(out[0], F_SETFL, O_NONBLOCK) < 0) {
		spawn_reset_results(&b->c);
		b->c.start_failed = true;
		b->c.exec_errno = errno;
		b->c.state = SPAWN_STATE_FAILED;
		spawn_close_fd(&out[0]);
		spawn_close_fd(&out[1]);
		return;
	}
	if (spawn_start_child(&b->c, out[1], out[1]) < 0) {
		spawn_close_fd(&out[0]);
		spawn_close_fd(&out[1]);
	}
	/*
	 * We keep a write end until the program ended, so the pipe never
	 * reads EOF before: its end is seen once, on the pidfd, instead of
	 * twice (the program's exit closes its ends first, and a poll woken
	 * by that EOF was a wake-up per build).  Once it ended, sb_ended()
	 * reads what is left up to EAGAIN, as it did for output of whatever
	 * it left behind holding the pipe.
	 */
	b->out_wr = out[1];
	b->out_rd = out[0];
}

/* whether a program of that many slots may start beside those running */
static bool
sb_fits(unsigned slots)
{
	return !S.capacity || !S.used || S.used + slots <= S.capacity;
}

/* a program that never ran, ended so (being stopped, or TERMed waiting) */
static void
sb_never_ran(size_t i)
{
	struct sbuild *b = S.b[i];

	spawn_reset_results(&b->c);
	b->waiting = false;
	b->c.terminated = true;
	b->c.state = SPAWN_STATE_DONE;
	sb_deliver(i);
}

/* start S.b[i]; false if it could not (its failure delivered) */
static bool
sb_launch(size_t i)
{
	struct sbuild *b = S.b[i];

	b->waiting = false;
	sb_start(b);
	if (b->c.state == SPAWN_STATE_FAILED) {
		sb_deliver(i);
		return false;
	}
	b->counted = true;
	S.used += b->slots;
	return true;
}

/*
 * start the waiting programs, in order, while they fit (a slot freed);
 * from the end of the loop, as delivery to a status file removes entries
 */
static void
sb_start_waiting(void)
{
	for (size_t i = 0; i < S.nb && !S.stopping;) {
		struct sbuild *b = S.b[i];
		size_t nb = S.nb;

		if (!b->waiting) {
			i++;
			continue;
		}
		if (!sb_fits(b->slots))
			return; /* in order: none overtakes it */
		sb_launch(i);
		if (S.nb == nb)
			i++;
	}
}

/*
 * START: key, out_path, dir, timeout, grace, limit, argv, env delta, and
 * (optional) slots and capacity
 */
static void
on_start(const char *p, const char *end)
{
	struct sbuild *b = xcalloc(1, sizeof(*b));
	const char *key = field_next(&p, end), *out = field_next(&p, end),
		   *dir = field_next(&p, end);
	int64_t timeout = 0, grace = 0, limit = 0, argc = 0, envc = 0;
	int64_t slots = 1, capacity = 0;
	bool ok = key && out && dir && field_num(&p, end, &timeout) &&
		  field_num(&p, end, &grace) && field_num(&p, end, &limit) &&
		  field_num(&p, end, &argc) && argc > 0;

	spawn_child_init(&b->c);
	b->out_rd = b->out_wr = b->log = -1;
	strbuf_init(&b->record, 0);
	for (int64_t i = 0; ok && i < argc; i++) {
		const char *a = field_next(&p, end);

		ok = a != NULL;
		if (ok)
			strvec_push(&b->c.args, a);
	}
	ok = ok && field_num(&p, end, &envc);
	for (int64_t i = 0; ok && i < envc; i++) {
		const char *e = field_next(&p, end);

		ok = e != NULL;
		if (ok)
			strvec_push(&b->c.env_delta, e);
	}
	if (ok && p < end)
		ok = field_num(&p, end, &slots) &&
		     field_num(&p, end, &capacity) && slots > 0 &&
		     slots <= INT_MAX && capacity >= 0 && capacity <= INT_MAX;
	if (!ok || sb_find(key) >= 0) {
		fprintf(stderr, "cascade-sup[%ld]: malformed or repeated START\n",
			(long)getpid());
		sb_free(b);
		return;
	}
	b->key = xstrdup(key);
	b->c.out_path = *out ? xstrdup(out) : NULL;
	b->c.dir = *dir ? xstrdup(dir) : NULL;
	b->c.timeout_ms = (int)timeout;
	b->c.kill_grace_ms = (int)grace;
	b->c.out_limit = limit;
	b->slots = (unsigned)slots;
	S.capacity = (unsigned)capacity;
	ALLOC_GROW(S.b, S.nb + 1, S.ab);
	S.b[S.nb++] = b;
	if (S.stopping) {
		/* being stopped: it never runs, and says so */
		sb_never_ran(S.nb - 1);
		return;
	}
	/* behind others waiting, or no room: it waits its turn */
	b->waiting = true;
	sb_start_waiting();
}

/* HELLO: the caller is our controller now; what we run and hold */
static void
on_hello(void)
{
	for (size_t i = 0; i < S.nb; i++) {
		struct sbuild *b = S.b[i];
		struct strbuf where = STRBUF_INIT;

		if (b->ended) {
			to_ctl(F_RESULT, b->key, &b->record);
			continue;
		}
		/* where it runs: its directory and log */
		frame_field(&where, b->c.dir);
		frame_field(&where, b->c.out_path);
		to_ctl(F_BUILD, b->key, &where);
		strbuf_release(&where);
	}
	to_ctl(F_END, "", NULL);
}

/* the frames the controller sent; false if it must be dropped */
static bool
ctl_frames(struct strbuf *in, bool from_pending)
{
	size_t off = 0;
	const char *p;
	size_t len;
	char type;
	int r;

	while ((r = frame_next(in, &off, &type, &p, &len)) == 1) {
		const char *end = p + len, *key = p;
		long i;

		if (from_pending && type != F_HELLO)
			return false; /* a successor must say HELLO first */
		switch (type) {
		case F_START:
			if (from_pending)
				return false;
			on_start(p, end);
			break;
		case F_HELLO:
			if (from_pending) {
				/* the new controller: the old one is gone */
				if (S.ctl >= 0)
					ctl_gone();
				S.ctl = S.pending;
				S.pending = -1;
				strbuf_reset(&S.in);
				frame_consumed(in, off);
				strbuf_add(&S.in, in->buf, in->len);
				strbuf_reset(in);
				on_hello();
				return ctl_frames(&S.in, false);
			}
			on_hello();
			break;
		case F_TERM:
		case F_ACK:
			if (!field_next(&p, end) || (i = sb_find(key)) < 0)
				break;
			if (type == F_ACK && S.b[i]->ended)
				sb_remove((size_t)i);
			else if (type == F_TERM && S.b[i]->waiting)
				sb_never_ran((size_t)i);
			else if (type == F_TERM)
				spawn_terminate(&S.b[i]->c);
			break;
		default:
			return false;
		}
	}
	frame_consumed(in, off);
	return r >= 0;
}

/*
 * stdin and stdout from /dev/null, stderr to log (or /dev/null): none of
 * the controller's, which a cron daemon or a pipe waits on
 */
static int
sup_stdio(const char *log)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int err = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			     0644)
		      : -1;
	int rc = null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
			 dup2(err >= 0 ? err : null, 2) < 0
		 ? -1
		 : 0;

	if (null > 2)
		close(null);
	if (err > 2)
		close(err);
	return rc;
}

/* set up a new supervisor: nothing of the controller's stays with it */
static int
sup_setup(int ctl, const char *log)
{
	struct sockaddr_un a;
	struct sigaction sa;
	sigset_t none, changed;
	int64_t start = -1;
	socklen_t alen;

	(void)prctl(PR_SET_NAME, "cascade-sup", 0, 0, 0);
	/* out of our process group: a terminal's signals are not for it */
	if (setpgid(0, 0) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	/* what our children must set back (SIGTERM's handler is below) */
	sigemptyset(&changed);
	sigaddset(&changed, SIGPIPE);
	sigaddset(&changed, SIGHUP);
	sigaddset(&changed, SIGINT);
	sigaddset(&changed, SIGQUIT);
	sigaddset(&changed, SIGUSR1);
	sigaddset(&changed, SIGUSR2);
	sigaddset(&changed, SIGTERM);
	spawn_signals_changed(&changed);
	/* every descriptor but stdio and the socket: our database
	 * connection above all, which must end when we do */
	for (int fd = 3; fd < ctl; fd++)
		close(fd);
	closefrom(ctl + 1);
	if (sup_stdio(log) < 0)
		return -1;
	spawn_forget_sigchld();
	memset(&S, 0, sizeof(S));
	S.ctl = ctl;
	S.pending = S.listen = -1;
	strbuf_init(&S.in, 0);
	strbuf_init(&S.out, 0);
	strbuf_init(&S.pending_in, 0);
	if (spawn_cloexec_pipe(sup_term_pipe) < 0 ||
	    fcntl(sup_term_pipe[1], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(ctl, F_SETFL, O_NONBLOCK) < 0)
		return -1;
	S.term_rd = sup_term_pipe[0];
	sa.sa_handler = sup_on_term;
	sigaction(SIGTERM, &sa, NULL);
	/* where a successor finds us */
	if (sysinfo_start_ticks(getpid(), &start))
		return -1;
	alen = sup_address(&a, getpid(), start);
	S.listen = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			  0);
	if (S.listen < 0 || spawn_move_above_stdio(&S.listen) < 0 ||
	    bind(S.listen, (struct sockaddr *)&a, alen) < 0 ||
	    listen(S.listen, 4) < 0)
		return -1;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	return 0;
}

/* a successor connects: only our own user may */
static void
on_accept(void)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int fd = accept4(S.listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (fd <= 2 || spawn_move_above_stdio(&fd) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
	    cr.uid != geteuid()) {
		close(fd);
		return;
	}
	spawn_close_fd(&S.pending);
	strbuf_reset(&S.pending_in);
	S.pending = fd;
}

/* the controller's socket: read, write what waits */
static void
on_ctl(short revents)
{
	if (revents & POLLIN) {
		/* what came before an EOF counts (ACKs, say) */
		int rr = read_into(S.ctl, &S.in);

		if (!ctl_frames(&S.in, false) || rr < 0) {
			ctl_gone();
			return;
		}
	}
	if (S.ctl >= 0 && (revents & (POLLERR | POLLHUP)) && !(revents & POLLIN))
		ctl_gone();
}

static void
flush_out(void)
{
	while (S.ctl >= 0 && S.out.len) {
		ssize_t n = send(S.ctl, S.out.buf, S.out.len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			ctl_gone();
			return;
		}
		memmove(S.out.buf, S.out.buf + n, S.out.len - (size_t)n);
		strbuf_setlen(&S.out, S.out.len - (size_t)n);
	}
}

/* b's program exited: reap it, take the rest of its output, deliver */
static void
sb_ended(size_t i)
{
	struct sbuild *b = S.b[i];

	spawn_reap(&b->c);
	if (b->counted) {
		S.used -= b->slots;
		b->counted = false;
	}
	spawn_close_fd(&b->out_wr);
	sb_read_output(b, true);
	sb_finish_output(b);
	spawn_close_fd(&b->log);
	sb_deliver(i);
}

/* the descriptors to watch, and the next timer */
static size_t
proc_pollfds(struct pollfd **pfd, size_t *alloc, int64_t *next)
{
	size_t n = 0;
	int64_t now = spawn_now_ns();

	ALLOC_GROW(*pfd, 5 + 2 * S.nb, *alloc);
	(*pfd)[n++] = (struct pollfd){.fd = S.ctl,
				      .events = (short)(POLLIN |
							(S.out.len ? POLLOUT
								   : 0))};
	(*pfd)[n++] = (struct pollfd){.fd = S.listen, .events = POLLIN};
	(*pfd)[n++] = (struct pollfd){.fd = S.pending, .events = POLLIN};
	(*pfd)[n++] = (struct pollfd){.fd = S.term_rd, .events = POLLIN};
	for (size_t i = 0; i < S.nb; i++) {
		struct sbuild *b = S.b[i];
		bool run = spawn_is_running(&b->c);

		if (run) {
			spawn_child_timer(&b->c, now);
			*next = spawn_earlier(*next, b->c.deadline_ns);
		}
		(*pfd)[n++] = (struct pollfd){
			.fd = run ? spawn_watch_fd(&b->c) : -1,
			.events = POLLIN};
		(*pfd)[n++] = (struct pollfd){.fd = b->out_rd,
					      .events = POLLIN};
	}
	return n;
}

/* the programs: output read, ended ones delivered (from the end: the
 * list shrinks as results go to files) */
static void
sup_programs(const struct pollfd *pfd, size_t nb)
{
	for (size_t i = nb; i-- > 0;) {
		struct sbuild *b = S.b[i];

		if (pfd[2 * i + 1].revents)
			sb_read_output(b, false);
		if (spawn_is_running(&b->c) &&
		    ((b->c.pidfd >= 0 && pfd[2 * i].revents) ||
		     spawn_exited_nowait(&b->c)))
			sb_ended(i);
	}
}

/* SIGTERM: stop every program; exit once they are all delivered */
static void
sup_stop(void)
{
	char buf[16];

	while (read(S.term_rd, buf, sizeof(buf)) > 0)
		;
	S.stopping = true;
	for (size_t i = S.nb; i-- > 0;)
		if (S.b[i]->waiting)
			sb_never_ran(i);
		else
			spawn_terminate(&S.b[i]->c);
}

/*
 * The supervisor, in the child of fork(): never returns.  ctl is its end
 * of the socket pair to us.
 */
CASCADE_NORETURN static void
supervise(int ctl, const char *log)
{
	struct pollfd *pfd = NULL;
	size_t alloc = 0;

	if (sup_setup(ctl, log) < 0) {
		fprintf(stderr, "cascade-sup[%ld]: could not set up: %s\n",
			(long)getpid(), strerror(errno));
		_exit(1);
	}
	for (;;) {
		int64_t next = -1;
		size_t n, nb = S.nb;
		int r;

		if (S.ctl < 0 && S.pending < 0 && !S.nb)
			_exit(0);
		if (S.stopping && !S.nb && (S.ctl < 0 || !S.out.len))
			_exit(0);
		spawn_drain_sigchld();
		n = proc_pollfds(&pfd, &alloc, &next);
		r = poll(pfd, (nfds_t)n, spawn_poll_ms(spawn_now_ns(), next));
		if (r < 0 && errno != EINTR)
			_exit(1);
		if (r <= 0)
			continue; /* a timer: acted upon at the top */
		/* first the programs: what follows may remove entries */
		sup_programs(pfd + 4, nb);
		/* their slots, to the programs sent ahead */
		sb_start_waiting();
		if (pfd[3].revents)
			sup_stop();
		if (pfd[1].revents)
			on_accept();
		if (pfd[2].fd >= 0 && pfd[2].revents) {
			int rr = read_into(S.pending, &S.pending_in);

			if (!ctl_frames(&S.pending_in, true) ||
			    (rr < 0 && S.pending >= 0)) {
				spawn_close_fd(&S.pending);
				strbuf_reset(&S.pending_in);
			}
		}
		if (pfd[0].fd >= 0 && pfd[0].fd == S.ctl && pfd[0].revents)
			on_ctl(pfd[0].revents);
		flush_out();
	}
}

/* -- our side ------------------------------------------------------------- */

/* a result an attached supervisor held, or a program it runs */
struct held_rec {
	char *key;
	bool running;
	struct strbuf record; /* ended: the result; running: dir\0log\0 */
};

struct spawn_sup {
	pid_t pid;
	int fd;		       /* our connection; -1: gone */
	bool own;	       /* ours: we forked it */
	struct strbuf in;      /* frames from it, not yet whole */
	struct strbuf acks;    /* ACKs to send with the next frame */
	struct spawn_child **kids; /* children running under it */
	size_t nkids, akids;
	long detached;	       /* children let go while they ran */
	struct spawn_child **done; /* their results came, not yet acked */
	size_t ndone, adone;
	struct held_rec *held; /* attached: not yet adopted or dropped */
	size_t nheld, aheld;
	struct strvec dropped; /* keys whose results we discard */
};

static struct spawn_sup *
sup_new(pid_t pid, int fd, bool own)
{
	struct spawn_sup *s = xcalloc(1, sizeof(*s));

	s->pid = pid;
	s->fd = fd;
	s->own = own;
	strbuf_init(&s->in, 0);
	strbuf_init(&s->acks, 0);
	strvec_init(&s->dropped);
	return s;
}

static void
sup_free(struct spawn_sup *s)
{
	for (size_t i = 0; i < s->nheld; i++) {
		free(s->held[i].key);
		strbuf_release(&s->held[i].record);
	}
	free(s->held);
	free(s->kids);
	free(s->done);
	strbuf_release(&s->in);
	strbuf_release(&s->acks);
	strvec_clear(&s->dropped);
	spawn_close_fd(&s->fd);
	free(s);
}

/* a frame to s, after the ACKs that wait; -1 if it is gone */
static int
sup_send(struct spawn_sup *s, struct strbuf *frame)
{
	if (s->fd < 0)
		return -1;
	if (s->acks.len) {
		strbuf_add(&s->acks, frame ? frame->buf : "",
			   frame ? frame->len : 0);
		if (write_all(s->fd, s->acks.buf, s->acks.len) < 0)
			return -1;
		strbuf_reset(&s->acks);
		return 0;
	}
	return frame && frame->len ? write_all(s->fd, frame->buf, frame->len)
				   : 0;
}

/* take c out of the list v of n; whether it was there */
static bool
list_remove(struct spawn_child **v, size_t *n, const struct spawn_child *c)
{
	for (size_t i = 0; i < *n; i++)
		if (v[i] == c) {
			memmove(&v[i], &v[i + 1], (*n - i - 1) * sizeof(*v));
			(*n)--;
			return true;
		}
	return false;
}

static void
kid_remove(struct spawn_sup *s, const struct spawn_child *c)
{
	list_remove(s->kids, &s->nkids, c);
}

/* c's result came from s: it waits for our acknowledgement */
static void
done_add(struct spawn_sup *s, struct spawn_child *c)
{
	ALLOC_GROW(s->done, s->ndone + 1, s->adone);
	s->done[s->ndone++] = c;
}

/* a child of the pool has ended: from running to ended */
static void
pool_ended(struct spawn_pool *pool, struct spawn_child *c)
{
	for (size_t i = 0; i < pool->nr_running; i++)
		if (pool->running[i] == c) {
			spawn_end_running(pool, i);
			return;
		}
}

/* a supervisor is gone: its children's results are lost */
static void
sup_dead(struct spawn_pool *pool, struct spawn_sup *s)
{
	log_debug("supervisor %ld is gone, with %zu children", (long)s->pid,
		  s->nkids);
	spawn_close_fd(&s->fd);
	if (s->own) {
		int st;

		while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	while (s->nkids) {
		struct spawn_child *c = s->kids[--s->nkids];

		mark_lost(c);
		c->sup = NULL; /* nothing to acknowledge */
		pool_ended(pool, c);
	}
	for (size_t i = 0; i < s->nheld; i++)
		s->held[i].running = false;
}

/* an attached supervisor we are done with: let it go (it exits) */
static void
sup_maybe_close(struct spawn_sup *s)
{
	if (s->own || s->fd < 0 || s->nkids || s->nheld || s->ndone)
		return;
	(void)sup_send(s, NULL);
	spawn_close_fd(&s->fd);
}

/* a RESULT for key: its child ends, or a dropped one is acked */
static void
on_result(struct spawn_pool *pool, struct spawn_sup *s, const char *key,
	  const char *rec, size_t len)
{
	for (size_t i = 0; i < s->nkids; i++) {
		struct spawn_child *c = s->kids[i];

		if (strcmp(c->status_path, key))
			continue;
		if (spawn_status_decode(rec, len, c))
			mark_lost(c);
		log_debug("supervisor %ld: %s ended", (long)s->pid, key);
		kid_remove(s, c);
		done_add(s, c);
		pool_ended(pool, c);
		return;
	}
	for (size_t i = 0; i < s->dropped.nr; i++)
		if (!strcmp(s->dropped.v[i], key)) {
			size_t at = frame_begin(&s->acks, F_ACK);

			frame_field(&s->acks, key);
			frame_end(&s->acks, at);
			/* the last one into its place, then drop the last */
			const char *last = s->dropped.v[s->dropped.nr - 1];

			if (i + 1 < s->dropped.nr) {
				const char *t = s->dropped.v[i];

				s->dropped.v[i] = last;
				s->dropped.v[s->dropped.nr - 1] = t;
			}
			strvec_pop(&s->dropped);
			sup_maybe_close(s);
			return;
		}
	/* listed as running when we attached, not adopted yet: ended */
	for (size_t i = 0; i < s->nheld; i++)
		if (s->held[i].running && !strcmp(s->held[i].key, key)) {
			log_debug("supervisor %ld: %s ended before its adoption",
				  (long)s->pid, key);
			s->held[i].running = false;
			strbuf_reset(&s->held[i].record);
			strbuf_add(&s->held[i].record, rec, len);
			return;
		}
	/* nobody's: kept by it, for our successor */
	log_debug("supervisor %ld: %s ended, not ours", (long)s->pid, key);
}

/* the whole frames s->in has; -1 if one is malformed (reported) */
static int
sup_frames(struct spawn_pool *pool, struct spawn_sup *s)
{
	size_t off = 0, len;
	const char *p;
	char type;
	int r;

	while ((r = frame_next(&s->in, &off, &type, &p, &len)) == 1) {
		const char *end = p + len, *key = field_next(&p, end);

		if (type == F_RESULT && key)
			on_result(pool, s, key, p, (size_t)(end - p));
	}
	frame_consumed(&s->in, off);
	if (r < 0)
		return error("the supervisor (process %ld) sent a malformed "
			     "frame",
			     (long)s->pid);
	return 0;
}

static void
sup_read(struct spawn_pool *pool, struct spawn_sup *s)
{
	int rr = read_into(s->fd, &s->in);

	/* an EOF after what came: it died */
	if (sup_frames(pool, s) < 0 || rr < 0)
		sup_dead(pool, s);
}

void
sup_pollfds(struct spawn_pool *pool, struct pollfd **pfd, size_t *n,
	    size_t *alloc)
{
	ALLOC_GROW(*pfd, *n + pool->nr_sups, *alloc);
	for (size_t i = 0; i < pool->nr_sups; i++)
		(*pfd)[(*n)++] = (struct pollfd){.fd = pool->sups[i]->fd,
						 .events = POLLIN};
}

void
sup_events(struct spawn_pool *pool, const struct pollfd *pfd, size_t n)
{
	for (size_t i = 0; i < n && i < pool->nr_sups; i++)
		if (pfd[i].fd >= 0 && pfd[i].revents &&
		    pfd[i].fd == pool->sups[i]->fd)
			sup_read(pool, pool->sups[i]);
}

/* fork the pool's supervisor */
static struct spawn_sup *
sup_fork(struct spawn_pool *pool)
{
	int sv[2] = {-1, -1};
	sigset_t all, old;
	struct spawn_sup *s;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    spawn_move_above_stdio(&sv[0]) < 0 ||
	    spawn_move_above_stdio(&sv[1]) < 0) {
		error("could not create a socket pair: %s", strerror(errno));
		spawn_close_fd(&sv[0]);
		spawn_close_fd(&sv[1]);
		return NULL;
	}
	/* no stdio buffer may be written twice, by us and by the copy */
	fflush(NULL);
	/* no handler of ours may run in it before it resets them */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		supervise(sv[1], pool->sup_log);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	spawn_close_fd(&sv[1]);
	if (pid < 0) {
		error("could not fork a supervisor: %s", strerror(errno));
		spawn_close_fd(&sv[0]);
		return NULL;
	}
	s = sup_new(pid, sv[0], true);
	/* ours goes first; a dead one of ours is replaced */
	if (pool->nr_sups && pool->sups[0]->own) {
		struct spawn_sup *old_sup = pool->sups[0];

		if (old_sup->nkids || old_sup->ndone) {
			ALLOC_GROW(pool->sups, pool->nr_sups + 1,
				   pool->alloc_sups);
			pool->sups[pool->nr_sups++] = old_sup;
		} else {
			sup_free(old_sup);
		}
		pool->sups[0] = s;
		return s;
	}
	ALLOC_GROW(pool->sups, pool->nr_sups + 1, pool->alloc_sups);
	memmove(&pool->sups[1], &pool->sups[0],
		pool->nr_sups * sizeof(*pool->sups));
	pool->sups[0] = s;
	pool->nr_sups++;
	return s;
}

/* the pool's own supervisor, running (forked now if need be) */
static struct spawn_sup *
own_sup(struct spawn_pool *pool)
{
	if (pool->nr_sups && pool->sups[0]->own && pool->sups[0]->fd >= 0)
		return pool->sups[0];
	return sup_fork(pool);
}

int
spawn_pool_supervisor(struct spawn_pool *pool, pid_t *pid)
{
	struct spawn_sup *s = own_sup(pool);

	if (!s)
		return -1;
	*pid = s->pid;
	return 0;
}

/* c's START frame; its slots and our capacity, for starts sent ahead */
static void
start_frame(const struct spawn_pool *pool, const struct spawn_child *c,
	    struct strbuf *f)
{
	unsigned slots = c->weight ? c->weight : 1;

	size_t at = frame_begin(f, F_START);

	frame_field(f, c->status_path);
	frame_field(f, c->out_path);
	frame_field(f, c->dir);
	frame_num(f, c->timeout_ms);
	frame_num(f, c->kill_grace_ms);
	frame_num(f, c->out_limit);
	frame_num(f, (int64_t)c->args.nr);
	for (size_t i = 0; i < c->args.nr; i++)
		frame_field(f, c->args.v[i]);
	frame_num(f, (int64_t)c->env_delta.nr);
	for (size_t i = 0; i < c->env_delta.nr; i++)
		frame_field(f, c->env_delta.v[i]);
	frame_num(f, slots > pool->capacity ? pool->capacity : slots);
	frame_num(f, pool->capacity);
	frame_end(f, at);
}

int
sup_start_child(struct spawn_pool *pool, struct spawn_child *c)
{
	struct strbuf f = STRBUF_INIT;
	struct spawn_sup *s = own_sup(pool);
	int rc = -1;

	if (!c->args.nr)
		BUG("starting a child without a program");
	spawn_reset_results(c);
	c->from_file = false;
	start_frame(pool, c, &f);
	/* a supervisor that died meanwhile is replaced, once */
	if (s && sup_send(s, &f) < 0) {
		sup_dead(pool, s);
		s = sup_fork(pool);
		if (s && sup_send(s, &f) < 0)
			s = NULL;
	}
	if (s) {
		log_debug("supervisor %ld: %s started", (long)s->pid,
			  c->status_path);
		ALLOC_GROW(s->kids, s->nkids + 1, s->akids);
		s->kids[s->nkids++] = c;
		c->sup = s;
		c->supervisor = s->pid;
		c->state = SPAWN_STATE_RUNNING;
		c->start_ns = spawn_now_ns();
		c->deadline_ns = -1;
		rc = 0;
	} else {
		c->exec_errno = errno;
		c->start_failed = true;
		c->state = SPAWN_STATE_FAILED;
		error("could not start \"%s\": no supervisor: %s",
		      c->args.v[0], strerror(c->exec_errno));
	}
	strbuf_release(&f);
	return rc;
}

void
sup_terminate(struct spawn_child *c)
{
	struct strbuf f = STRBUF_INIT;
	size_t at = frame_begin(&f, F_TERM);

	frame_field(&f, c->status_path);
	frame_end(&f, at);
	c->state = SPAWN_STATE_TERMINATING;
	(void)sup_send(c->sup, &f); /* gone: its EOF marks c lost */
	strbuf_release(&f);
}

void
sup_terminate_all(struct spawn_pool *pool)
{
	/*
	 * Newest first: one sent ahead hears its TERM before the one whose
	 * slot it waits for ends of its own, and so never starts.
	 */
	for (size_t i = pool->nr_running; i-- > 0;)
		if (pool->running[i]->sup &&
		    pool->running[i]->state == SPAWN_STATE_RUNNING)
			sup_terminate(pool->running[i]);
}

void
sup_release(struct spawn_child *c)
{
	struct spawn_sup *s = c->sup;

	kid_remove(s, c);
	/* not acked: it keeps the result */
	list_remove(s->done, &s->ndone, c);
	c->sup = NULL;
	if (c->state != SPAWN_STATE_DONE) {
		c->state = SPAWN_STATE_NEW; /* runs on, not ours */
		s->detached++;
	}
}

void
spawn_ack(struct spawn_child *c)
{
	struct spawn_sup *s = c->sup;

	if (c->from_file && c->status_path && !s) {
		if (unlink(c->status_path) < 0 && errno != ENOENT)
			log_warning("could not remove \"%s\": %s",
				    c->status_path, strerror(errno));
		return;
	}
	if (!s || c->state != SPAWN_STATE_DONE)
		return;
	if (s->fd >= 0) {
		size_t at = frame_begin(&s->acks, F_ACK);

		frame_field(&s->acks, c->status_path);
		frame_end(&s->acks, at);
	}
	list_remove(s->done, &s->ndone, c);
	c->sup = NULL;
	sup_maybe_close(s);
}

void
sup_pool_release(struct spawn_pool *pool)
{
	for (size_t i = 0; i < pool->nr_sups; i++) {
		struct spawn_sup *s = pool->sups[i];

		(void)sup_send(s, NULL); /* the ACKs that wait */
		spawn_close_fd(&s->fd);
		if (s->own && !s->nkids && !s->ndone && !s->detached) {
			int st;

			/* idle: it exits now that we closed */
			while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
				;
		}
		for (size_t k = 0; k < s->nkids; k++)
			s->kids[k]->sup = NULL;
		for (size_t k = 0; k < s->ndone; k++)
			s->done[k]->sup = NULL;
		sup_free(s);
	}
	free(pool->sups);
	pool->sups = NULL;
	pool->nr_sups = pool->alloc_sups = 0;
}

/* -- taking over a dead predecessor's supervisor -------------------------- */

void
spawn_held_free(struct spawn_held *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++) {
		free(h[i].key);
		free(h[i].dir);
		free(h[i].log);
	}
	free(h);
}

/* read s's answer to HELLO into its held list, until E */
static int
attach_read(struct spawn_sup *s)
{
	int64_t deadline = spawn_now_ns() + ATTACH_TIMEOUT_MS * 1000000LL;
	bool eof = false;

	for (;;) {
		struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
		size_t off = 0, len;
		const char *p;
		char type;
		int r;

		while ((r = frame_next(&s->in, &off, &type, &p, &len)) == 1) {
			const char *end = p + len, *key = field_next(&p, end);
			struct held_rec *h;

			if (type == F_END) {
				frame_consumed(&s->in, off);
				return 0;
			}
			if (!key || (type != F_BUILD && type != F_RESULT))
				continue;
			ALLOC_GROW(s->held, s->nheld + 1, s->aheld);
			h = &s->held[s->nheld++];
			h->key = xstrdup(key);
			h->running = type == F_BUILD;
			strbuf_init(&h->record, 0);
			strbuf_add(&h->record, p, (size_t)(end - p));
		}
		frame_consumed(&s->in, off);
		if (r < 0)
			return error("the supervisor (process %ld) sent a "
				     "malformed frame",
				     (long)s->pid);
		if (eof)
			return 1; /* it went away: its results are in files */
		r = poll(&pfd, 1, spawn_poll_ms(spawn_now_ns(), deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return error("the supervisor (process %ld) did not "
				     "answer within %d s",
				     (long)s->pid, ATTACH_TIMEOUT_MS / 1000);
		eof = read_into(s->fd, &s->in) < 0;
	}
}

int
spawn_pool_attach(struct spawn_pool *pool, pid_t pid, int64_t start_ticks,
		  struct spawn_held **held, size_t *n)
{
	struct sockaddr_un a;
	socklen_t alen = sup_address(&a, pid, start_ticks);
	struct strbuf hello = STRBUF_INIT;
	struct spawn_sup *s;
	int fd, rc;
	size_t at;

	*held = NULL;
	*n = 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || spawn_move_above_stdio(&fd) < 0)
		return error("could not create a socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&a, alen) < 0) {
		int e = errno;

		close(fd);
		if (e == ECONNREFUSED || e == ENOENT)
			return 0; /* exited: its results are in files */
		return error("could not reach the supervisor (process %ld): "
			     "%s",
			     (long)pid, strerror(e));
	}
	s = sup_new(pid, fd, false);
	at = frame_begin(&hello, F_HELLO);
	frame_end(&hello, at);
	rc = write_all(fd, hello.buf, hello.len) < 0 ? 0 : attach_read(s);
	strbuf_release(&hello);
	/*
	 * What came with its E: a RESULT for a program it listed as
	 * running, sent as soon as the program ended.  The socket has
	 * nothing more to say about it, so it must be read now: left in the
	 * buffer, it would wait for a frame that never comes, and both
	 * sides would wait for each other.
	 */
	if (rc == 0 && sup_frames(pool, s) < 0)
		rc = -1;
	if (rc != 0) {
		sup_free(s);
		return rc < 0 ? -1 : 0;
	}
	ALLOC_GROW(pool->sups, pool->nr_sups + 1, pool->alloc_sups);
	pool->sups[pool->nr_sups++] = s;
	*held = xcalloc(s->nheld + 1, sizeof(**held));
	for (size_t i = 0; i < s->nheld; i++) {
		struct held_rec *h = &s->held[i];
		struct spawn_child c = SPAWN_CHILD_INIT;

		(*held)[i].key = xstrdup(h->key);
		(*held)[i].running = h->running;
		if (h->running) {
			const char *p = h->record.buf,
				   *end = p + h->record.len;
			const char *d = field_next(&p, end),
				   *l = field_next(&p, end);

			(*held)[i].dir = xstrdup(d ? d : "");
			(*held)[i].log = xstrdup(l ? l : "");
		} else if (!spawn_status_decode(h->record.buf, h->record.len,
						&c)) {
			(*held)[i].dir = xstrdup(c.ran_dir.buf);
			(*held)[i].log = xstrdup(c.ran_log.buf);
		} else {
			(*held)[i].dir = xstrdup("");
			(*held)[i].log = xstrdup("");
		}
		spawn_child_release(&c);
	}
	*n = s->nheld;
	sup_maybe_close(s);
	return 1;
}

/* the attached supervisor and entry holding key, or NULL */
static struct spawn_sup *
find_held(struct spawn_pool *pool, const char *key, size_t *at)
{
	for (size_t i = 0; i < pool->nr_sups; i++)
		for (size_t k = 0; k < pool->sups[i]->nheld; k++)
			if (!strcmp(pool->sups[i]->held[k].key, key)) {
				*at = k;
				return pool->sups[i];
			}
	return NULL;
}

static void
held_remove(struct spawn_sup *s, size_t k)
{
	free(s->held[k].key);
	strbuf_release(&s->held[k].record);
	s->held[k] = s->held[--s->nheld];
}

int
spawn_pool_adopt(struct spawn_pool *pool, struct spawn_child *c)
{
	size_t k;
	struct spawn_sup *s = find_held(pool, c->status_path, &k);
	int rc;

	if (!s)
		return 0;
	spawn_reset_results(c);
	c->sup = s;
	c->supervisor = s->pid;
	c->from_file = false;
	if (s->held[k].running && s->fd >= 0) {
		const char *p = s->held[k].record.buf,
			   *end = p + s->held[k].record.len;
		const char *d = field_next(&p, end), *l = field_next(&p, end);

		strbuf_addstr(&c->ran_dir, d ? d : "");
		strbuf_addstr(&c->ran_log, l ? l : "");
		ALLOC_GROW(s->kids, s->nkids + 1, s->akids);
		s->kids[s->nkids++] = c;
		c->state = SPAWN_STATE_RUNNING;
		c->start_ns = spawn_now_ns();
		c->deadline_ns = -1;
		spawn_add_running(pool, c);
		rc = 1;
	} else {
		if (s->held[k].running ||
		    spawn_status_decode(s->held[k].record.buf,
					s->held[k].record.len, c))
			mark_lost(c);
		done_add(s, c);
		rc = 2;
	}
	held_remove(s, k);
	return rc;
}

void
spawn_pool_drop(struct spawn_pool *pool, const char *key)
{
	size_t k;
	struct spawn_sup *s = find_held(pool, key, &k);
	struct strbuf f = STRBUF_INIT;
	size_t at;

	if (!s)
		return;
	if (s->held[k].running) {
		at = frame_begin(&f, F_TERM);
		frame_field(&f, key);
		frame_end(&f, at);
		(void)sup_send(s, &f);
		strvec_push(&s->dropped, key);
	} else {
		at = frame_begin(&s->acks, F_ACK);
		frame_field(&s->acks, key);
		frame_end(&s->acks, at);
	}
	held_remove(s, k);
	strbuf_release(&f);
	sup_maybe_close(s);
}
