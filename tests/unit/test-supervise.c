/*
 * test-supervise.c - children under a supervisor that outlives us
 * (spawn.h: Supervision): the result record, the steps of the protocol,
 * what happens when we let go before or after the start, adoption by a
 * successor, stops, timeouts, lost supervisors and the log's limit.
 *
 * "We die" is played by letting the pool go (our socket end closes, as it
 * does when a process dies); the supervisor stays our child, so the test
 * waits for it with waitpid().  Codes that must be running at a
 * given moment wait on a FIFO (tests/fixtures/codes/gate.sh): the
 * test's open for writing returns once the code has opened it, and the
 * code goes on when the test closes it.  Nothing sleeps.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "strbuf.h"
#include "unit.h"

#define CODES "tests/fixtures/codes/"

static char tmpdir[] = "/tmp/cascade-test-supervise-XXXXXX";
static int serial;

static int
suite_init(void)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
suite_clean(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		struct strbuf sb = STRBUF_INIT;

		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(&sb, "%s/%s", tmpdir, de->d_name);
		unlink(sb.buf);
		strbuf_release(&sb);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
	return 0;
}

/* a fresh path in the test directory */
static void
path(struct strbuf *sb, const char *what)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "%s/%s-%d", tmpdir, what, ++serial);
}

static bool
exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static void
read_file(const char *p, struct strbuf *sb)
{
	char buf[65536];
	ssize_t n;
	int fd = open(p, O_RDONLY);

	strbuf_reset(sb);
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(sb, buf, (size_t)n);
	if (fd >= 0)
		close(fd);
}

/* a supervised child of code with its log and status paths */
struct sc {
	struct spawn_child c;
	struct strbuf log, status, fifo, done;
};

static void
sc_init(struct sc *s, const char *code)
{
	spawn_child_init(&s->c);
	strbuf_init(&s->log, 0);
	strbuf_init(&s->status, 0);
	strbuf_init(&s->fifo, 0);
	strbuf_init(&s->done, 0);
	path(&s->log, "log");
	path(&s->status, "status");
	path(&s->fifo, "fifo");
	path(&s->done, "done");
	CU_ASSERT_FATAL(mkfifo(s->fifo.buf, 0600) == 0);
	strvec_pushf(&s->c.args, CODES "%s", code);
	s->c.out_path = s->log.buf;
	s->c.status_path = s->status.buf;
}

static void
sc_release(struct sc *s)
{
	spawn_child_release(&s->c);
	strbuf_release(&s->log);
	strbuf_release(&s->status);
	strbuf_release(&s->fifo);
	strbuf_release(&s->done);
}

/* wait for our (supervisor) child pid; its exit status */
static int
wait_exit(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* the start time of pid, as /proc says (field 22) */
static int64_t
start_ticks(pid_t pid)
{
	struct strbuf sb = STRBUF_INIT, p = STRBUF_INIT;
	const char *q;
	long long t = -1;
	int field = 3;

	strbuf_addf(&p, "/proc/%d/stat", (int)pid);
	read_file(p.buf, &sb);
	q = strrchr(sb.buf, ')');
	for (q = q ? q + 2 : ""; *q && field < 22; q++)
		if (*q == ' ')
			field++;
	if (field == 22)
		sscanf(q, "%lld", &t);
	strbuf_release(&sb);
	strbuf_release(&p);
	return t;
}

/* the one child that ends next */
static struct spawn_child *
next_done(struct spawn_pool *pool)
{
	struct spawn_child *d = NULL;
	int r = spawn_pool_wait(pool, -1, &d);

	CU_ASSERT_EQUAL(r, SPAWN_POOL_DONE);
	return d;
}

static void
test_record_round_trip(void)
{
	struct spawn_child a = SPAWN_CHILD_INIT, b = SPAWN_CHILD_INIT;
	struct strbuf rec = STRBUF_INIT;
	static const char tail[] = "line 1\nend\n\0x\n";

	a.pid = 4242;
	a.exit_code = 3;
	a.core_dumped = true;
	a.leftovers = 2;
	a.wall_us = 1234567;
	a.ended_at_us = INT64_C(1700000000123456);
	a.rusage.ru_utime.tv_sec = 1;
	a.rusage.ru_utime.tv_usec = 500;
	a.rusage.ru_stime.tv_usec = 7;
	a.rusage.ru_maxrss = 9999;
	a.out_bytes = 5000000;
	a.out_dropped = 4000000;
	a.out_errno = ENOSPC;
	strbuf_add(&a.tail, tail, sizeof(tail) - 1);
	spawn_status_encode(&a, &rec);
	CU_ASSERT_EQUAL_FATAL(spawn_status_decode(rec.buf, rec.len, &b), 0);
	CU_ASSERT_EQUAL(b.pid, 4242);
	CU_ASSERT_EQUAL(b.exit_code, 3);
	CU_ASSERT(b.core_dumped && !b.timed_out && !b.terminated &&
		  !b.start_failed && !b.lost);
	CU_ASSERT_EQUAL(b.leftovers, 2);
	CU_ASSERT_EQUAL(b.wall_us, 1234567);
	CU_ASSERT_EQUAL(b.ended_at_us, INT64_C(1700000000123456));
	CU_ASSERT_EQUAL(b.rusage.ru_utime.tv_sec, 1);
	CU_ASSERT_EQUAL(b.rusage.ru_utime.tv_usec, 500);
	CU_ASSERT_EQUAL(b.rusage.ru_stime.tv_usec, 7);
	CU_ASSERT_EQUAL(b.rusage.ru_maxrss, 9999);
	CU_ASSERT_EQUAL(b.out_bytes, 5000000);
	CU_ASSERT_EQUAL(b.out_dropped, 4000000);
	CU_ASSERT_EQUAL(b.out_errno, ENOSPC);
	CU_ASSERT_EQUAL(b.tail.len, sizeof(tail) - 1);
	CU_ASSERT(!memcmp(b.tail.buf, tail, sizeof(tail) - 1));
	CU_ASSERT_EQUAL(b.state, SPAWN_STATE_DONE);
	/* a record cut short anywhere, or with anything after it, is none */
	for (size_t n = 0; n < rec.len; n++)
		CU_ASSERT_EQUAL(spawn_status_decode(rec.buf, n, &b), -1);
	strbuf_addch(&rec, '\n');
	CU_ASSERT_EQUAL(spawn_status_decode(rec.buf, rec.len, &b), -1);
	spawn_child_release(&a);
	spawn_child_release(&b);
	strbuf_release(&rec);
}

static void
test_record_rejects(void)
{
	static const char *const bad[] = {
		"", "cascade-status 2\n",
		/* a value out of range, a key missing, a key misspelt */
		"cascade-status 1\npid=1\nexit_code=256\n",
		"cascade-status 1\nexit_code=0\n",
		"cascade-status 1\npid=-1\n",
		"cascade-status 1\npid=99999999999999999999999\n",
	};
	struct spawn_child c = SPAWN_CHILD_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(spawn_status_decode(bad[i], strlen(bad[i]), &c),
				-1);
	spawn_child_release(&c);
}

/* the pool's supervisor: after our release with nothing left, it exits */
static void
release_and_reap(struct spawn_pool *pool, pid_t sup)
{
	spawn_pool_release(pool);
	if (sup > 0)
		CU_ASSERT_EQUAL(wait_exit(sup), 0);
}

static void
test_success(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct spawn_child *d;
	struct strbuf sb = STRBUF_INIT;
	struct sc s, t;
	pid_t sup = 0;

	spawn_pool_init(&pool, 2);
	CU_ASSERT_FATAL(spawn_pool_supervisor(&pool, &sup) == 0);
	CU_ASSERT(sup > 0);
	sc_init(&s, "ok.sh");
	strvec_push(&s.c.args, "a b");
	sc_init(&t, "exit-code.sh");
	strvec_push(&t.c.args, "4");
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &s.c) == 0);
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &t.c) == 0);
	CU_ASSERT_EQUAL(s.c.supervisor, sup);
	for (int i = 0; i < 2; i++) {
		d = next_done(&pool);
		CU_ASSERT_FATAL(d == &s.c || d == &t.c);
		spawn_ack(d);
	}
	CU_ASSERT_EQUAL(s.c.exit_code, 0);
	CU_ASSERT_EQUAL(t.c.exit_code, 4);
	CU_ASSERT(!s.c.lost && !s.c.start_failed && !s.c.timed_out);
	CU_ASSERT(s.c.pid > 0 && s.c.pid != sup);
	CU_ASSERT(s.c.ended_at_us > 0);
	CU_ASSERT(strstr(s.c.tail.buf, "out: a b") != NULL);
	CU_ASSERT(strstr(s.c.tail.buf, "err: a b") != NULL);
	CU_ASSERT_EQUAL(s.c.out_bytes, (int64_t)s.c.tail.len);
	read_file(s.log.buf, &sb);
	CU_ASSERT_STRING_EQUAL(sb.buf, s.c.tail.buf);
	CU_ASSERT_EQUAL(spawn_pool_wait(&pool, 0, &d), SPAWN_POOL_EMPTY);
	/* acknowledged: no status file, and it exits once we let it go */
	release_and_reap(&pool, sup);
	CU_ASSERT(!exists(s.status.buf) && !exists(t.status.buf));
	sc_release(&s);
	sc_release(&t);
	strbuf_release(&sb);
}

/* the lines of status with the signal mask and dispositions */
static void
sig_lines(const char *status, struct strbuf *out)
{
	const char *p = status;

	strbuf_reset(out);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (!strncmp(p, "SigBlk:", 7) || !strncmp(p, "SigIgn:", 7) ||
		    !strncmp(p, "SigCgt:", 7))
			strbuf_add(out, p, n);
		p = nl ? nl + 1 : NULL;
	}
}

/*
 * A supervised code starts with the signal dispositions and mask of an
 * unsupervised one (which resets every signal): the supervisor's own
 * (ignored signals, its SIGTERM handler) are set back, though they are
 * the only ones its children reset.
 */
static void
test_signals_default(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct spawn_child u = SPAWN_CHILD_INIT, *d;
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	struct sc s;
	pid_t sup = 0;

	strvec_push(&u.args, "/bin/cat");
	strvec_push(&u.args, "/proc/self/status");
	CU_ASSERT_EQUAL_FATAL(spawn_run_capture(&u, &out, 65536), 0);
	sig_lines(out.buf, &want);
	CU_ASSERT(strstr(want.buf, "SigCgt:\t0000000000000000\n") != NULL);
	spawn_pool_init(&pool, 1);
	CU_ASSERT_FATAL(spawn_pool_supervisor(&pool, &sup) == 0);
	sc_init(&s, "ok.sh");
	strvec_clear(&s.c.args);
	strvec_push(&s.c.args, "/bin/cat");
	strvec_push(&s.c.args, "/proc/self/status");
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &s.c) == 0);
	d = next_done(&pool);
	CU_ASSERT_FATAL(d == &s.c);
	spawn_ack(d);
	CU_ASSERT_EQUAL(s.c.exit_code, 0);
	sig_lines(s.c.tail.buf, &got);
	CU_ASSERT(strstr(got.buf, "SigIgn:") != NULL);
	CU_ASSERT_STRING_EQUAL(got.buf, want.buf);
	release_and_reap(&pool, sup);
	sc_release(&s);
	spawn_child_release(&u);
	strbuf_release(&out);
	strbuf_release(&want);
	strbuf_release(&got);
}

static void
test_exec_error(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct sc s;

	spawn_pool_init(&pool, 1);
	sc_init(&s, "not-executable.sh");
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &s.c) == 0);
	next_done(&pool);
	CU_ASSERT(s.c.start_failed);
	CU_ASSERT_EQUAL(s.c.exec_errno, EACCES);
	CU_ASSERT_EQUAL(s.c.exit_code, -1);
	spawn_ack(&s.c);
	release_and_reap(&pool, s.c.supervisor);
	sc_release(&s);
}

/* start a gate.sh code (exit N) and wait until it runs: FIFO fd back */
static int
start_gated(struct spawn_pool *pool, struct sc *s, const char *n)
{
	sc_init(s, "gate.sh");
	strvec_push(&s->c.args, s->fifo.buf);
	strvec_push(&s->c.args, n);
	strvec_push(&s->c.args, s->done.buf);
	if (spawn_pool_start(pool, &s->c) < 0)
		return -1;
	return open(s->fifo.buf, O_WRONLY); /* returns once it runs */
}

/* we "die" while the code runs: it runs on, its result is kept */
static void
test_let_go_while_running(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct spawn_child r = SPAWN_CHILD_INIT;
	struct sc s;
	pid_t sup;
	int fd;

	spawn_pool_init(&pool, 1);
	fd = start_gated(&pool, &s, "7");
	CU_ASSERT_FATAL(fd >= 0);
	sup = s.c.supervisor;
	spawn_pool_detach(&pool);
	spawn_pool_release(&pool);
	close(fd); /* the code ends, unseen by us */
	CU_ASSERT_EQUAL(wait_exit(sup), 0);
	CU_ASSERT(exists(s.done.buf));
	r.status_path = s.status.buf;
	CU_ASSERT_EQUAL(spawn_status_read(&r), 1);
	CU_ASSERT_EQUAL(r.exit_code, 7);
	CU_ASSERT(r.from_file && !r.lost && r.pid > 0);
	spawn_ack(&r);
	CU_ASSERT(!exists(s.status.buf));
	r.status_path = NULL;
	spawn_child_release(&r);
	sc_release(&s);
}

/* a successor attaches to a live supervisor and takes over */
static void
test_attach(void)
{
	struct spawn_pool p1 = SPAWN_POOL_INIT, p2 = SPAWN_POOL_INIT;
	struct spawn_child r = SPAWN_CHILD_INIT, q = SPAWN_CHILD_INIT, *d;
	struct spawn_held *held = NULL;
	size_t n = 0;
	struct sc s, u;
	pid_t sup;
	int fd, fu;

	spawn_pool_init(&p1, 2);
	spawn_pool_init(&p2, 2);
	fd = start_gated(&p1, &s, "5");
	fu = start_gated(&p1, &u, "6");
	CU_ASSERT_FATAL(fd >= 0 && fu >= 0);
	sup = s.c.supervisor;
	spawn_pool_detach(&p1);
	spawn_pool_release(&p1);
	CU_ASSERT_EQUAL_FATAL(spawn_pool_attach(&p2, sup, start_ticks(sup),
						&held, &n),
			      1);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT(held[0].running && held[1].running);
	r.status_path = s.status.buf;
	q.status_path = u.status.buf;
	strvec_push(&r.args, "gate.sh");
	CU_ASSERT_EQUAL(spawn_pool_adopt(&p2, &r), 1);
	/* the other one the successor does not want: stopped, dropped */
	spawn_pool_drop(&p2, u.status.buf);
	CU_ASSERT_EQUAL(spawn_pool_adopt(&p2, &q), 0);
	close(fd);
	d = next_done(&p2);
	CU_ASSERT_PTR_EQUAL(d, &r);
	CU_ASSERT_EQUAL(r.exit_code, 5);
	CU_ASSERT(!r.lost);
	spawn_ack(&r);
	close(fu);
	/* nothing left for it: it exits once the dropped one ended */
	CU_ASSERT_EQUAL(wait_exit(sup), 0);
	CU_ASSERT(!exists(s.status.buf));
	CU_ASSERT(!exists(u.done.buf));
	spawn_held_free(held, n);
	r.status_path = q.status_path = NULL;
	spawn_child_release(&r);
	spawn_child_release(&q);
	spawn_pool_release(&p2);
	sc_release(&s);
	sc_release(&u);
}

/* a successor to a supervisor that has exited finds the status file */
static void
test_attach_gone(void)
{
	struct spawn_pool p1 = SPAWN_POOL_INIT, p2 = SPAWN_POOL_INIT;
	struct spawn_held *held = NULL;
	size_t n = 0;
	struct sc s;
	pid_t sup;
	int64_t st;
	int fd;

	spawn_pool_init(&p1, 1);
	spawn_pool_init(&p2, 1);
	fd = start_gated(&p1, &s, "0");
	CU_ASSERT_FATAL(fd >= 0);
	sup = s.c.supervisor;
	st = start_ticks(sup);
	spawn_pool_detach(&p1);
	spawn_pool_release(&p1);
	close(fd);
	CU_ASSERT_EQUAL(wait_exit(sup), 0);
	CU_ASSERT_EQUAL(spawn_pool_attach(&p2, sup, st, &held, &n), 0);
	CU_ASSERT(exists(s.status.buf));
	spawn_pool_release(&p2);
	sc_release(&s);
}

/* one frame of the supervisor's protocol: length, type, fields, rest */
static void
put_frame(struct strbuf *out, char type, const char *f1, const char *f2,
	  const char *f3, const struct strbuf *rest)
{
	size_t at = out->len;
	uint32_t len;

	strbuf_add(out, "\0\0\0\0", 4);
	strbuf_addch(out, type);
	for (const char *f[] = {f1, f2, f3}, **q = f; q < f + 3; q++)
		if (*q)
			strbuf_add(out, *q, strlen(*q) + 1);
	if (rest)
		strbuf_add(out, rest->buf, rest->len);
	len = (uint32_t)(out->len - at - 4);
	memcpy(out->buf + at, &len, 4);
}

/*
 * A stand-in supervisor on the abstract socket of (pid, start): it
 * answers HELLO with frames in one write, then exits 0 once it has read
 * an ACK for key and our EOF (1 without the ACK).
 */
static pid_t
fake_supervisor(pid_t pid, int64_t start, const struct strbuf *frames,
		const char *key)
{
	struct sockaddr_un a;
	socklen_t alen;
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t child;
	int n;

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	n = snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
		     "cascade-sup/%ld/%lld", (long)pid, (long long)start);
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   (size_t)n);
	if (l < 0 || bind(l, (struct sockaddr *)&a, alen) < 0 ||
	    listen(l, 1) < 0)
		return -1;
	child = fork();
	if (child == 0) {
		struct strbuf in = STRBUF_INIT;
		char buf[4096];
		ssize_t r;
		int fd = accept(l, NULL, NULL);

		/* HELLO: a length of 1 and its type */
		while (fd >= 0 && in.len < 5 &&
		       (r = read(fd, buf, 5 - in.len)) > 0)
			strbuf_add(&in, buf, (size_t)r);
		if (in.len < 5 || in.buf[4] != 'H' ||
		    write(fd, frames->buf, frames->len) !=
			    (ssize_t)frames->len)
			_exit(2);
		strbuf_reset(&in);
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			strbuf_add(&in, buf, (size_t)r);
		/* the ACK: a length, 'A', the key and its NUL */
		_exit(in.len == 5 + strlen(key) + 1 && in.buf[4] == 'A' &&
				      !strcmp(in.buf + 5, key)
			      ? 0
			      : 1);
	}
	close(l);
	return child;
}

/*
 * The supervisor lists a program as running and, the moment it ends,
 * sends its RESULT: both come to a successor slow to read in one read.
 * The RESULT is taken with the list (the program is ended, its result
 * adopted), not left in the buffer where nothing would ever look: the
 * successor would wait for it, and the supervisor for its ACK, forever.
 */
static void
test_attach_result_with_list(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct spawn_child r = SPAWN_CHILD_INIT, e = SPAWN_CHILD_INIT, *d;
	struct spawn_held *held = NULL;
	struct strbuf key = STRBUF_INIT, frames = STRBUF_INIT,
		      rec = STRBUF_INIT;
	/* no process has this start: the address is ours alone */
	int64_t start = start_ticks(getpid()) + 1000000000LL + serial;
	size_t n = 0;
	pid_t fake;

	path(&key, "status");
	e.pid = 4242;
	e.exit_code = 3;
	strbuf_addstr(&e.ran_dir, "/dir");
	strbuf_addstr(&e.ran_log, "/dir/log");
	spawn_status_encode(&e, &rec);
	put_frame(&frames, 'B', key.buf, "/dir", "/dir/log", NULL);
	put_frame(&frames, 'E', "", NULL, NULL, NULL);
	put_frame(&frames, 'R', key.buf, NULL, NULL, &rec);
	fake = fake_supervisor(getpid(), start, &frames, key.buf);
	CU_ASSERT_FATAL(fake > 0);
	spawn_pool_init(&pool, 1);
	CU_ASSERT_EQUAL_FATAL(spawn_pool_attach(&pool, getpid(), start, &held,
						&n),
			      1);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT(!held[0].running);
	CU_ASSERT_STRING_EQUAL(held[0].log, "/dir/log");
	r.status_path = key.buf;
	strvec_push(&r.args, "code");
	CU_ASSERT_EQUAL(spawn_pool_adopt(&pool, &r), 2);
	CU_ASSERT(!r.lost);
	CU_ASSERT_EQUAL(r.exit_code, 3);
	CU_ASSERT_EQUAL(r.pid, 4242);
	CU_ASSERT_EQUAL(spawn_pool_wait(&pool, 0, &d), SPAWN_POOL_EMPTY);
	/* acknowledged: we let it go, it exits */
	spawn_ack(&r);
	spawn_pool_release(&pool);
	CU_ASSERT_EQUAL(wait_exit(fake), 0);
	spawn_held_free(held, n);
	r.status_path = NULL;
	spawn_child_release(&r);
	spawn_child_release(&e);
	strbuf_release(&key);
	strbuf_release(&frames);
	strbuf_release(&rec);
}

/* stopped through its supervisor: the result says terminated */
static void
test_stop(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct sc s;
	int fd;

	spawn_pool_init(&pool, 1);
	fd = start_gated(&pool, &s, "0");
	CU_ASSERT_FATAL(fd >= 0);
	s.c.kill_grace_ms = 100;
	CU_ASSERT_EQUAL(spawn_kill_all(&pool), 0);
	CU_ASSERT_EQUAL(s.c.state, SPAWN_STATE_DONE);
	CU_ASSERT(s.c.terminated);
	CU_ASSERT_EQUAL(s.c.term_signal, SIGTERM);
	close(fd);
	spawn_ack(&s.c);
	release_and_reap(&pool, s.c.supervisor);
	sc_release(&s);
}

static void
test_timeout(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct sc s;

	spawn_pool_init(&pool, 1);
	sc_init(&s, "hang.sh");
	/*
	 * SIGTERM ignored from before the exec (ignored stays ignored): a
	 * trap in the script could come after the timeout's SIGTERM on a
	 * busy machine.
	 */
	strvec_clear(&s.c.args);
	strvec_push(&s.c.args, "/usr/bin/env");
	strvec_push(&s.c.args, "--ignore-signal=TERM");
	strvec_push(&s.c.args, CODES "hang.sh");
	strvec_push(&s.c.args, "ignore-term");
	/*
	 * Long enough for env to have set SIGTERM aside before the timeout:
	 * under AddressSanitizer (fork, not vfork) on a loaded machine the
	 * start alone once took over 100 ms, and env died of the SIGTERM
	 */
	s.c.timeout_ms = 1000;
	s.c.kill_grace_ms = 50;
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &s.c) == 0);
	next_done(&pool);
	CU_ASSERT(s.c.timed_out);
	CU_ASSERT_EQUAL(s.c.term_signal, SIGKILL);
	spawn_ack(&s.c);
	release_and_reap(&pool, s.c.supervisor);
	sc_release(&s);
}

/* a supervisor killed with its code: lost; the next start gets another */
static void
test_lost(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct sc s, t;
	pid_t sup;
	int fd;

	spawn_pool_init(&pool, 1);
	fd = start_gated(&pool, &s, "0");
	CU_ASSERT_FATAL(fd >= 0);
	sup = s.c.supervisor;
	CU_ASSERT_FATAL(kill(sup, SIGKILL) == 0);
	next_done(&pool);
	CU_ASSERT(s.c.lost);
	spawn_describe(&s.c, &sb);
	CU_ASSERT(strstr(sb.buf, "supervisor") != NULL);
	close(fd);
	CU_ASSERT(!exists(s.status.buf));
	sc_init(&t, "exit-code.sh");
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &t.c) == 0);
	CU_ASSERT(t.c.supervisor != sup);
	next_done(&pool);
	CU_ASSERT_EQUAL(t.c.exit_code, 3);
	spawn_ack(&t.c);
	release_and_reap(&pool, t.c.supervisor);
	sc_release(&s);
	sc_release(&t);
	strbuf_release(&sb);
}

/* the supervisor holds none of our descriptors (our database socket) */
static void
test_no_descriptors_held(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct pollfd pfd;
	struct sc s;
	int p[2], fd;

	CU_ASSERT_FATAL(pipe(p) == 0); /* inherited by fork, no CLOEXEC */
	spawn_pool_init(&pool, 1);
	fd = start_gated(&pool, &s, "0"); /* past the supervisor's set-up */
	CU_ASSERT_FATAL(fd >= 0);
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 1);
	CU_ASSERT(pfd.revents & POLLHUP); /* no writer is left */
	close(fd);
	next_done(&pool);
	spawn_ack(&s.c);
	close(p[0]);
	release_and_reap(&pool, s.c.supervisor);
	sc_release(&s);
}

/* flood.sh writes KIB KiB; the log keeps limit/2 + marker + limit/2 */
static void
flood(int kib, int64_t limit, struct strbuf *log, struct spawn_child *out)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct sc s;

	spawn_pool_init(&pool, 1);
	sc_init(&s, "flood.sh");
	strvec_push(&s.c.args, "out");
	strvec_pushf(&s.c.args, "%d", kib);
	s.c.out_limit = limit;
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &s.c) == 0);
	next_done(&pool);
	read_file(s.log.buf, log);
	out->exit_code = s.c.exit_code;
	out->out_bytes = s.c.out_bytes;
	out->out_dropped = s.c.out_dropped;
	strbuf_reset(&out->tail);
	strbuf_add(&out->tail, s.c.tail.buf, s.c.tail.len);
	spawn_ack(&s.c);
	release_and_reap(&pool, s.c.supervisor);
	sc_release(&s);
}

static void
test_log_limit(void)
{
	struct spawn_child r = SPAWN_CHILD_INIT;
	struct strbuf log = STRBUF_INIT;
	const char *mark;

	/* within the limit: all of it */
	flood(16, 16384, &log, &r);
	CU_ASSERT_EQUAL(r.exit_code, 0);
	CU_ASSERT_EQUAL(r.out_bytes, 16384);
	CU_ASSERT_EQUAL(r.out_dropped, 0);
	CU_ASSERT_EQUAL(log.len, 16384);
	CU_ASSERT_EQUAL(r.tail.len, SPAWN_TAIL_MAX);
	/* 1 MiB through a 16 KiB limit: the first and the last 8 KiB */
	flood(1024, 16384, &log, &r);
	CU_ASSERT_EQUAL(r.out_bytes, 1048576);
	CU_ASSERT_EQUAL(r.out_dropped, 1048576 - 16384);
	mark = strstr(log.buf, "[cascade: ");
	if (!mark)
		fprintf(stderr, "log of %zu bytes, strlen %zu, x %zu\n", log.len,
			strlen(log.buf), strspn(log.buf, "x"));
	CU_ASSERT_FATAL(mark != NULL);
	CU_ASSERT_EQUAL(mark - log.buf, 8192 + 1); /* after a newline */
	CU_ASSERT(strstr(mark, "1032192 bytes of output dropped") != NULL);
	CU_ASSERT_EQUAL(strspn(log.buf, "x"), 8192);
	CU_ASSERT_EQUAL(strspn(strchr(mark, '\n') + 1, "x"), 8192);
	CU_ASSERT_EQUAL(log.len, (size_t)(strchr(mark, '\n') + 1 - log.buf) +
					 8192);
	/* no limit */
	flood(64, 0, &log, &r);
	CU_ASSERT_EQUAL(log.len, 65536);
	CU_ASSERT_EQUAL(r.out_dropped, 0);
	spawn_child_release(&r);
	strbuf_release(&log);
}

/*
 * One slot and one sent ahead: the second waits in the supervisor and
 * starts there when the first ends, with us not listening at all
 */
static void
test_ahead_starts_alone(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct strbuf out = STRBUF_INIT;
	struct sc s, t;
	int fs, ft;

	spawn_pool_init(&pool, 1);
	pool.ahead = 1;
	fs = start_gated(&pool, &s, "3");
	CU_ASSERT_FATAL(fs >= 0);
	CU_ASSERT_FATAL(spawn_pool_has_room(&pool, 1));
	/* the second says whether the first had ended when it started */
	sc_init(&t, "after.sh");
	strvec_push(&t.c.args, s.done.buf);
	strvec_push(&t.c.args, t.done.buf);
	strvec_push(&t.c.args, t.fifo.buf);
	strvec_push(&t.c.args, "4");
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &t.c) == 0);
	CU_ASSERT(!spawn_pool_has_room(&pool, 1));
	close(fs); /* the first ends; we read nothing from the supervisor */
	ft = open(t.fifo.buf, O_WRONLY); /* returns once the second runs */
	CU_ASSERT_FATAL(ft >= 0);
	close(ft);
	CU_ASSERT_PTR_EQUAL(next_done(&pool), &s.c);
	CU_ASSERT_PTR_EQUAL(next_done(&pool), &t.c);
	CU_ASSERT_EQUAL(s.c.exit_code, 3);
	CU_ASSERT_EQUAL(t.c.exit_code, 4);
	read_file(t.done.buf, &out);
	CU_ASSERT_STRING_EQUAL(out.buf, "after\n");
	strbuf_release(&out);
	CU_ASSERT(t.c.pid > 0);
	spawn_ack(&s.c);
	spawn_ack(&t.c);
	release_and_reap(&pool, s.c.supervisor);
	sc_release(&s);
	sc_release(&t);
}

/* stopped while it waits: it never runs, and comes back terminated */
static void
test_ahead_stopped(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct sc s, t;
	int fs;

	spawn_pool_init(&pool, 1);
	pool.ahead = 1;
	fs = start_gated(&pool, &s, "0");
	CU_ASSERT_FATAL(fs >= 0);
	sc_init(&t, "gate.sh");
	strvec_push(&t.c.args, t.fifo.buf);
	strvec_push(&t.c.args, "0");
	strvec_push(&t.c.args, t.done.buf);
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &t.c) == 0);
	s.c.kill_grace_ms = t.c.kill_grace_ms = 100;
	CU_ASSERT_EQUAL(spawn_kill_all(&pool), 0);
	CU_ASSERT(s.c.terminated && s.c.term_signal == SIGTERM);
	CU_ASSERT(t.c.terminated);
	CU_ASSERT_EQUAL(t.c.pid, 0);
	CU_ASSERT(!exists(t.done.buf));
	close(fs);
	spawn_ack(&s.c);
	spawn_ack(&t.c);
	release_and_reap(&pool, s.c.supervisor);
	sc_release(&s);
	sc_release(&t);
}

/*
 * we die with one running and one waiting: the supervisor runs both in
 * turn and leaves both results in their status files
 */
static void
test_ahead_let_go(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct strbuf out = STRBUF_INIT;
	struct spawn_child r = SPAWN_CHILD_INIT;
	struct sc s, t;
	pid_t sup;
	int fs, ft;

	spawn_pool_init(&pool, 1);
	pool.ahead = 1;
	fs = start_gated(&pool, &s, "5");
	CU_ASSERT_FATAL(fs >= 0);
	sc_init(&t, "after.sh");
	strvec_push(&t.c.args, s.done.buf);
	strvec_push(&t.c.args, t.done.buf);
	strvec_push(&t.c.args, t.fifo.buf);
	strvec_push(&t.c.args, "6");
	CU_ASSERT_FATAL(spawn_pool_start(&pool, &t.c) == 0);
	sup = s.c.supervisor;
	spawn_pool_detach(&pool);
	spawn_pool_release(&pool);
	close(fs);
	ft = open(t.fifo.buf, O_WRONLY);
	CU_ASSERT_FATAL(ft >= 0);
	close(ft);
	CU_ASSERT_EQUAL(wait_exit(sup), 0);
	r.status_path = s.status.buf;
	CU_ASSERT_EQUAL(spawn_status_read(&r), 1);
	CU_ASSERT_EQUAL(r.exit_code, 5);
	spawn_ack(&r);
	r.status_path = NULL;
	spawn_child_release(&r);
	spawn_child_init(&r);
	r.status_path = t.status.buf;
	CU_ASSERT_EQUAL(spawn_status_read(&r), 1);
	CU_ASSERT_EQUAL(r.exit_code, 6);
	CU_ASSERT(r.pid > 0);
	strbuf_reset(&out);
	read_file(t.done.buf, &out);
	CU_ASSERT_STRING_EQUAL(out.buf, "after\n");
	strbuf_release(&out);
	spawn_ack(&r);
	r.status_path = NULL;
	spawn_child_release(&r);
	sc_release(&s);
	sc_release(&t);
}

void
suite_supervise(void)
{
	CU_pSuite s = CU_add_suite("supervise", suite_init, suite_clean);

	if (!s)
		unit_fail_registry();
	ADD_TEST(s, test_record_round_trip);
	ADD_TEST(s, test_record_rejects);
	ADD_TEST(s, test_success);
	ADD_TEST(s, test_signals_default);
	ADD_TEST(s, test_exec_error);
	ADD_TEST(s, test_let_go_while_running);
	ADD_TEST(s, test_attach);
	ADD_TEST(s, test_attach_gone);
	ADD_TEST(s, test_attach_result_with_list);
	ADD_TEST(s, test_stop);
	ADD_TEST(s, test_timeout);
	ADD_TEST(s, test_lost);
	ADD_TEST(s, test_no_descriptors_held);
	ADD_TEST(s, test_log_limit);
	ADD_TEST(s, test_ahead_starts_alone);
	ADD_TEST(s, test_ahead_stopped);
	ADD_TEST(s, test_ahead_let_go);
}
