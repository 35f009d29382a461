/*
 * executor-slurm.c - the Slurm executor (executor.h).
 *
 * Builds are submitted in groups: one batch job per group, whose script
 * (generated here, kept in WORK/slurm until the job's builds are
 * returned) runs the group's builds with up to the job's CPUs at a time
 * and writes each one's status record, so that a thousand one-second
 * builds cost one scheduling decision, not a thousand.  Ends are learned
 * from the status files (inotify on their directories, a scan on every
 * poll for file systems that do not report other hosts' writes) and,
 * every poll_ms at most, from one squeue call for all open jobs; a job
 * that squeue no longer shows is asked about with scontrol.  A build
 * whose job ended without its record is given one more poll (a shared
 * file system may show the file late), then ends as the job's state says
 * (cancelled, timed out, node failure, or lost).
 *
 * Cancelling one build of a group appends its status path to
 * WORK/slurm/cancel-JOBID and signals the batch shell (SIGURG, scancel
 * --batch: ignored by default, so that a shell not yet listening is not
 * killed by it; it reads the file when it starts), which stops that
 * build, or skips it if it has not started; cancelling every open build
 * of a job is one scancel of the job.
 *
 * The group script hands its builds to the group runner
 * (cascade-group-runner, group-runner.c: a fork and exec per build, no
 * shell) where the node has it (exec_slurm_options.group_runner), and runs
 * them with bash itself where not; the runner reads them from the spec
 * after the script's "exit" (group-spec.h).
 *
 * A build's record is written to DIR/.job-JOBID (DIR: its status
 * path's directory) and renamed into place at once, one rename a record;
 * records a killed job left there unrenamed are renamed by the
 * controller when the job has ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "executor-int.h"
#include "fault.h"
#include "fsutil.h"
#include "group-spec.h"
#include "log.h"
#include "spawn.h"
#include "timeutil.h"
#include "version-gen.h"
#include "xalloc.h"
#include "banned.h"

/* exec_build.state */
enum { B_OPEN = 0, B_HELD, B_DONE };

/* how long a Slurm command may take */
#define SLURM_CMD_TIMEOUT_MS 60000

/* the most of a file read: a group script, a log's tail */
#define READ_MAX (64 * 1024 * 1024)

/* one batch job: a group of builds */
struct sjob {
	char id[32];
	char *dir;	/* its WORK/slurm: script, output, node and cancel files */
	/* its builds' status directories, where DIR/.job-ID holds records */
	struct strvec sdirs;
	char *script;
	struct exec_build **b;
	size_t n, alloc;
	size_t open;	/* builds not yet returned or ready */
	int ended_seen; /* polls that found it ended with records missing */
	bool check_now; /* a record says it was stopped: ask for its state */
	struct slurm_job_info info;
	bool have_info;
	bool warned; /* that it waits for want of a node, or held */
};

/* an open-addressing table: status path -> build */
struct smap {
	struct exec_build **slot;
	size_t cap, used; /* used counts tombstones too */
};

#define TOMBSTONE ((struct exec_build *)1)

struct slurm_ex {
	struct executor base;
	/* the executor's settings: the strings its own copies */
	struct exec_slurm_options o;
	char *work_dir, *slurm_dir, *partition, *account, *job_name, *tag;
	char *group_runner;
	struct strvec extra;
	/* the jobcomp/filetxt log, once asked (NULL: none readable here) */
	char *jobcomp;
	bool jobcomp_asked;
	struct sjob **jobs;
	size_t n_jobs, alloc_jobs;
	struct smap open;    /* builds not yet ready */
	size_t n_open;
	struct exec_build **ready; /* ended, not yet returned (FIFO) */
	size_t ready_head, n_ready, alloc_ready;
	int ino;	    /* inotify, or -1 */
	struct strvec watched; /* directories watched, */
	int *wds;	       /* and their watch descriptors */
	size_t alloc_wds;
	int64_t next_poll_ns;
	unsigned seq;
};

/* -- pure parts ------------------------------------------------------------ */

enum slurm_state
slurm_state_of(const char *w)
{
	static const struct {
		const char *word;
		enum slurm_state s;
	} t[] = {
		{"PENDING", SLURM_ACTIVE},	{"CONFIGURING", SLURM_ACTIVE},
		{"RUNNING", SLURM_ACTIVE},	{"COMPLETING", SLURM_ACTIVE},
		{"SUSPENDED", SLURM_ACTIVE},	{"REQUEUED", SLURM_ACTIVE},
		{"REQUEUE_HOLD", SLURM_ACTIVE}, {"REQUEUE_FED", SLURM_ACTIVE},
		{"RESIZING", SLURM_ACTIVE},	{"SIGNALING", SLURM_ACTIVE},
		{"STAGE_OUT", SLURM_ACTIVE},	{"STOPPED", SLURM_ACTIVE},
		{"RESV_DEL_HOLD", SLURM_ACTIVE}, {"COMPLETED", SLURM_COMPLETED},
		{"FAILED", SLURM_COMPLETED},	{"CANCELLED", SLURM_CANCELLED},
		{"PREEMPTED", SLURM_CANCELLED}, {"REVOKED", SLURM_CANCELLED},
		{"DEADLINE", SLURM_TIMEOUT},	{"TIMEOUT", SLURM_TIMEOUT},
		{"NODE_FAIL", SLURM_NODE_FAIL}, {"BOOT_FAIL", SLURM_NODE_FAIL},
		{"OUT_OF_MEMORY", SLURM_OOM},
	};
	size_t n = strcspn(w, " +");

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (strlen(t[i].word) == n && !strncmp(w, t[i].word, n))
			return t[i].s;
	return SLURM_UNKNOWN;
}

/* copy [s, s+n) into dst (size sz), cut if need be; always terminated */
static void
copy_field(char *dst, size_t sz, const char *s, size_t n)
{
	if (n >= sz)
		n = sz - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* no control bytes (NUL among them) nor DEL in [s, s+n) */
static bool
printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return false;
	return true;
}

static bool
is_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int
slurm_parse_sbatch(const char *out, size_t len, char *id, size_t idsz)
{
	size_t n = 0;

	while (n < len && out[n] >= '0' && out[n] <= '9')
		n++;
	if (!n || n >= idsz || n > 20)
		return -1;
	/* then ";cluster", and a newline, and nothing else */
	if (n < len && out[n] == ';') {
		size_t k = n + 1;

		while (k < len && out[k] != '\n' && out[k] != ';' &&
		       (unsigned char)out[k] > ' ')
			k++;
		if (k == n + 1)
			return -1;
		if (k < len && out[k] == '\n')
			k++;
		if (k != len)
			return -1;
	} else if (!(n == len || (n + 1 == len && out[n] == '\n'))) {
		return -1;
	}
	copy_field(id, idsz, out, n);
	return 0;
}

long
slurm_parse_squeue(const char *out, size_t len, struct slurm_job_info **jobs,
		   size_t *bad)
{
	struct slurm_job_info *v = NULL;
	size_t nr = 0, alloc = 0;
	const char *p = out, *end = out + len;

	*bad = 0;
	*jobs = NULL;
	if (len > (size_t)LONG_MAX / 2)
		return -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *b1, *b2, *b3;
		struct slurm_job_info j = {.exit_code = -1, .exit_signal = -1};

		b1 = memchr(p, '|', (size_t)(le - p));
		b2 = b1 ? memchr(b1 + 1, '|', (size_t)(le - b1 - 1)) : NULL;
		/* the node list ends at the reason, the rest of the line */
		b3 = b2 ? memchr(b2 + 1, '|', (size_t)(le - b2 - 1)) : NULL;
		if (le == p) {
			/* an empty line: nothing */
		} else if (!b2 || !printable(p, (size_t)(le - p)) ||
			   !is_digits(p, (size_t)(b1 - p)) ||
			   (size_t)(b1 - p) >= sizeof(j.id) || b2 == b1 + 1 ||
			   (size_t)(b2 - b1 - 1) >= sizeof(j.state)) {
			(*bad)++;
		} else {
			copy_field(j.id, sizeof(j.id), p, (size_t)(b1 - p));
			copy_field(j.state, sizeof(j.state), b1 + 1,
				   (size_t)(b2 - b1 - 1));
			copy_field(j.node, sizeof(j.node), b2 + 1,
				   (size_t)((b3 ? b3 : le) - b2 - 1));
			if (b3)
				copy_field(j.reason, sizeof(j.reason), b3 + 1,
					   (size_t)(le - b3 - 1));
			ALLOC_GROW(v, nr + 1, alloc);
			v[nr++] = j;
		}
		p = nl ? nl + 1 : end;
	}
	*jobs = v;
	return (long)nr;
}

/* a word "Key=" starts at s (before end): the key's length, else 0 */
static size_t
key_at(const char *s, const char *end)
{
	size_t n = 0;

	if (s >= end || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
		return 0;
	while (s + n < end && s[n] != '=' && s[n] != ' ') {
		char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == ':' ||
		      c == '/' || c == '-'))
			return 0;
		n++;
	}
	return s + n < end && s[n] == '=' ? n : 0;
}

/* "C:S" of ExitCode into the job */
static void
parse_exit(const char *v, size_t n, struct slurm_job_info *j)
{
	const char *colon = memchr(v, ':', n);
	long c = 0, s = 0;

	if (!colon || !is_digits(v, (size_t)(colon - v)) ||
	    !is_digits(colon + 1, (size_t)(v + n - colon - 1)) ||
	    colon - v > 3 || v + n - colon - 1 > 3)
		return;
	for (const char *q = v; q < colon; q++)
		c = c * 10 + (*q - '0');
	for (const char *q = colon + 1; q < v + n; q++)
		s = s * 10 + (*q - '0');
	j->exit_code = (int)c;
	j->exit_signal = (int)s;
}

/*
 * scontrol's "2026-12-07T13:04:15", the controller's local time, as
 * seconds since 1970; 0 for anything else ("Unknown", "None")
 */
static int64_t
parse_local_time(const char *v, size_t n)
{
	int64_t usec;
	time_t t;
	struct tm tm;

	if (n != 19 || timeutil_parse_timestamp(v, n, &usec))
		return 0;
	t = (time_t)(usec / 1000000);
	if (!gmtime_r(&t, &tm))
		return 0;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t == (time_t)-1 ? 0 : (int64_t)t;
}

/* one KEY=VALUE field of scontrol's line into the job */
static void
scontrol_field(const char *k, size_t kn, const char *v, size_t vn,
	       struct slurm_job_info *j, bool *have_id, bool *have_state)
{
#define KEY(s) (kn == strlen(s) && !memcmp(k, s, kn))
	if (KEY("JobId") && is_digits(v, vn) && vn < sizeof(j->id)) {
		copy_field(j->id, sizeof(j->id), v, vn);
		*have_id = true;
	} else if (KEY("JobState") && vn && vn < sizeof(j->state) &&
		   printable(v, vn)) {
		copy_field(j->state, sizeof(j->state), v, vn);
		*have_state = true;
	} else if (KEY("Reason") && printable(v, vn)) {
		copy_field(j->reason, sizeof(j->reason), v, vn);
	} else if (KEY("ExitCode")) {
		parse_exit(v, vn, j);
	} else if (KEY("EndTime")) {
		j->end_s = parse_local_time(v, vn);
	} else if (printable(v, vn) &&
		   (KEY("BatchHost") ||
		    (KEY("NodeList") && !j->node[0] &&
		     !(vn == 6 && !memcmp(v, "(null)", 6))))) {
		copy_field(j->node, sizeof(j->node), v, vn);
	}
#undef KEY
}

int
slurm_parse_scontrol(const char *line, size_t len, struct slurm_job_info *j)
{
	const char *p = line, *end = line + len;
	bool have_id = false, have_state = false;

	memset(j, 0, sizeof(*j));
	j->exit_code = j->exit_signal = -1;
	if (memchr(line, '\n', len))
		end = memchr(line, '\n', len);
	while (p < end) {
		const char *k, *v, *q;
		size_t kn;

		while (p < end && *p == ' ')
			p++;
		kn = key_at(p, end);
		if (!kn) {
			/* not a field: skip the word */
			while (p < end && *p != ' ')
				p++;
			continue;
		}
		k = p;
		v = p + kn + 1;
		/* the value runs to the next " Key=" */
		for (q = v; q < end; q++)
			if (*q == ' ' && key_at(q + 1, end))
				break;
		scontrol_field(k, kn, v, (size_t)(q - v), j, &have_id,
			       &have_state);
		p = q;
	}
	return have_id && have_state ? 0 : -1;
}

int
slurm_parse_jobcomp(const char *text, size_t len, const char *id,
		    struct slurm_job_info *j)
{
	const char *p = text, *end = text + len, *hit = NULL;
	size_t idn = strlen(id);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > 6 + idn && !memcmp(p, "JobId=", 6) &&
		    !memcmp(p + 6, id, idn) && p[6 + idn] == ' ')
			hit = p;
		p = nl ? nl + 1 : end;
	}
	if (!hit || !is_digits(id, idn))
		return -1;
	{
		const char *nl = memchr(hit, '\n', (size_t)(end - hit));

		/* (a line naming two jobs is not this one's) */
		return slurm_parse_scontrol(hit, (size_t)((nl ? nl : end) - hit),
					    j) == 0 &&
				       !strcmp(j->id, id)
			       ? 0
			       : -1;
	}
}

int
slurm_parse_script_keys(const char *text, size_t len, struct strvec *keys)
{
	static const char tag[] = "B_ST=(";
	const char *p = text, *end = text + len;
	struct strvec got = STRVEC_INIT;
	struct strbuf w = STRBUF_INIT;

	/* the array's line: "B_ST=(" at the start of a line */
	for (;;) {
		const char *nl;

		if ((size_t)(end - p) >= sizeof(tag) - 1 &&
		    !memcmp(p, tag, sizeof(tag) - 1))
			break;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return -1;
		p = nl + 1;
	}
	p += sizeof(tag) - 1;
	/* words of '...' and \' pieces, separated by spaces, then ")" */
	while (p < end && *p != ')') {
		if (*p == ' ') {
			p++;
			continue;
		}
		strbuf_reset(&w);
		while (p < end && *p != ' ' && *p != ')') {
			const char *q;

			if (*p == '\\' && p + 1 < end && p[1] == '\'') {
				strbuf_addch(&w, '\'');
				p += 2;
				continue;
			}
			if (*p != '\'' ||
			    !(q = memchr(p + 1, '\'', (size_t)(end - p - 1))))
				goto bad;
			strbuf_add(&w, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		}
		if (memchr(w.buf, '\0', w.len))
			goto bad;
		strvec_push(&got, w.buf);
	}
	if (p >= end || (p + 1 < end && p[1] != '\n'))
		goto bad;
	for (size_t i = 0; i < got.nr; i++)
		strvec_push(keys, got.v[i]);
	strvec_clear(&got);
	strbuf_release(&w);
	return 0;
bad:
	strvec_clear(&got);
	strbuf_release(&w);
	return -1;
}

void
slurm_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

/* -- the status-path table ------------------------------------------------ */

static size_t
path_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

static struct exec_build **
smap_find(struct smap *m, const char *key, bool for_insert)
{
	struct exec_build **tomb = NULL;

	if (!m->cap)
		return NULL;
	for (size_t i = path_hash(key) & (m->cap - 1);;
	     i = (i + 1) & (m->cap - 1)) {
		struct exec_build *b = m->slot[i];

		if (!b)
			return for_insert && tomb ? tomb
			       : for_insert	  ? &m->slot[i]
						  : NULL;
		if (b == TOMBSTONE) {
			if (!tomb)
				tomb = &m->slot[i];
		} else if (!strcmp(b->status_path, key)) {
			return &m->slot[i];
		}
	}
}

static void smap_put(struct smap *m, struct exec_build *b);

static void
smap_grow(struct smap *m)
{
	struct smap old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slot = xcalloc(m->cap, sizeof(*m->slot));
	m->used = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i] && old.slot[i] != TOMBSTONE)
			smap_put(m, old.slot[i]);
	free(old.slot);
}

static void
smap_put(struct smap *m, struct exec_build *b)
{
	struct exec_build **s;

	if ((m->used + 1) * 2 > m->cap)
		smap_grow(m);
	s = smap_find(m, b->status_path, true);
	if (!*s)
		m->used++;
	*s = b;
}

static void
smap_del(struct smap *m, const char *key)
{
	struct exec_build **s = smap_find(m, key, false);

	if (s)
		*s = TOMBSTONE;
}

/* -- running Slurm's commands ---------------------------------------------- */

/*
 * run a Slurm command, its stdout into out; stderr into err.  0 if it
 * exited 0; 1 if it ran and failed (nothing reported); -1 if it could
 * not be run (reported).
 */
static int
slurm_cmd(const struct strvec *argv, struct strbuf *out, struct strbuf *err)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	char path[] = "/tmp/cascade-slurm-err-XXXXXX";
	int fd, rc;

	fd = mkstemp(path);
	if (fd < 0)
		return error("could not create a temporary file: %s",
			     strerror(errno));
	unlink(path);
	for (size_t i = 0; i < argv->nr; i++)
		strvec_push(&c.args, argv->v[i]);
	c.err_fd = fd;
	c.timeout_ms = SLURM_CMD_TIMEOUT_MS;
	c.kill_grace_ms = 1000;
	rc = spawn_run_capture(&c, out, 1024 * 1024);
	if (rc == 0) {
		char buf[1024];
		ssize_t n;

		if (lseek(fd, 0, SEEK_SET) == 0)
			while ((n = read(fd, buf, sizeof(buf))) > 0 &&
			       err->len < 4096)
				strbuf_add(err, buf, (size_t)n);
		strbuf_rtrim(err);
		if (c.output_overflow || spawn_exit_status(&c) != 0) {
			if (!err->len)
				spawn_describe(&c, err);
			rc = 1;
		}
	}
	close(fd);
	spawn_child_release(&c);
	return rc;
}

/* the last max bytes of the file at path into sb: 0, or -1 (errno) */
static int
read_tail(const char *path, size_t max, struct strbuf *sb)
{
	struct stat st;
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size > max &&
	    lseek(fd, st.st_size - (off_t)max, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	while (sb->len < max && (n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(sb, buf, (size_t)n);
	close(fd);
	return 0;
}

/* -- the group script ------------------------------------------------------ */

/*
 * The fixed part of every group script (bash 5.1 or later: "wait -n -p"),
 * which runs the builds where the node has no group runner (see
 * group_runner_line; the runner does the same in C, much faster).
 * The script itself starts each code (its function cmd_I: cd, the
 * environment, exec setsid) as a background job in a session and process
 * group of its own, reaps it with wait -n, and writes its record: per
 * build one fork and the setsid program (and stat and tail when it wrote
 * output), and an mv of its record.  (Not "set -m": with job control bash reports and
 * forgets ended jobs by itself.  Even without, wait -n misses a job that
 * ended before bash next ran a foreground command: each loop looks for
 * such builds, kill -0, and takes their status with wait PID.)  Timeouts and
 * cancels are enforced by the same loop, woken every second by a ticker
 * child that ends (read -t on a FIFO no one writes to: no sleep is
 * executed, and no signal interrupts wait); SIGURG
 * makes it read the cancel file; SIGTERM (scancel, the job's time limit)
 * marks every running build terminated and the rest unstarted.  Exit
 * statuses above 128 are read as signals (bash does not tell them apart);
 * CPU time is what /proc says we reaped; max RSS is not measured (0).
 */
static const char script_body[] =
	"# -- the fixed part --\n"
	"if [ \"${BASH_VERSINFO[0]}\" -lt 5 ] || { [ \"${BASH_VERSINFO[0]}\" -eq 5 ] && [ \"${BASH_VERSINFO[1]}\" -lt 1 ]; }; then\n"
	"\techo \"cascade: this group job needs bash 5.1 or later (this is $BASH_VERSION)\" >&2\n"
	"\texit 1\n"
	"fi\n"
	"CLK=$(getconf CLK_TCK 2>/dev/null) || CLK=100\n"
	"MAIN=$$\n"
	"declare -A CANC=() IDX=()\n"
	"declare -a RUN=() PID=() T0=() B0=() OE=() DL=() KD=() TOUT=() TERMD=()\n"
	"load_cancel() {\n"
	"\tlocal l\n"
	"\t[ -r \"$CANCEL\" ] || return 0\n"
	"\twhile IFS= read -r l; do CANC[$l]=1; done <\"$CANCEL\"\n"
	"}\n"
	"# record I PID EXIT SIG TIMEDOUT TERM STARTFAIL ERRNO LEFT WALL END UTIME STIME OUTBYTES OUTERRNO TAILBYTES\n"
	"record() {\n"
	"\tlocal st=${B_ST[$1]} log=${B_LOG[$1]} dir=${B_DIR[$1]}\n"
	"\t{\n"
	"\t\tprintf 'cascade-status 1\\npid=%s\\nexit_code=%s\\nterm_signal=%s\\ncore_dumped=0\\ntimed_out=%s\\nterminated=%s\\nstart_failed=%s\\nexec_errno=%s\\nleftovers=%s\\nwall_us=%s\\nended_at_us=%s\\nutime_us=%s\\nstime_us=%s\\nmaxrss_kb=0\\nout_bytes=%s\\nout_dropped=0\\nout_errno=%s\\ndir=%s\\nlog=%s\\ntail=%s\\n' \\\n"
	"\t\t\t\"$2\" \"$3\" \"$4\" \"$5\" \"$6\" \"$7\" \"$8\" \"$9\" \"${10}\" \"${11}\" \"${12}\" \"${13}\" \"${14}\" \"${15}\" \"${#dir}\" \"${#log}\" \"${16}\"\n"
	"\t\tprintf '%s%s' \"$dir\" \"$log\"\n"
	"\t\t[ \"${16}\" -eq 0 ] || tail -c \"${16}\" -- \"$log\"\n"
	"\t\tprintf '\\nend\\n'\n"
	"\t} >\"${st%/*}/.job-$JOB/${st##*/}\" || return 0\n"
	"\t# renamed into place at once, one mv a record (a record is whole or\n"
	"\t# absent where it is read; an mv of several stats each target after\n"
	"\t# its rename, which the controller may have read and removed)\n"
	"\tmv -f -T -- \"${st%/*}/.job-$JOB/${st##*/}\" \"$st\"\n"
	"}\n"
	"# the CPU times of the children we reaped, in clock ticks, into CU and CS\n"
	"cputimes() {\n"
	"\tlocal l f\n"
	"\tIFS= read -r l <\"/proc/$MAIN/stat\" || l=\n"
	"\t# (not read <<<: a here-string is a pipe, read a byte at a time)\n"
	"\tf=(${l##*) })\n"
	"\tCU=${f[13]:-0} CS=${f[14]:-0}\n"
	"}\n"
	"unstarted() {\n"
	"\trecord \"$1\" 0 -1 0 0 1 0 0 0 0 \"${EPOCHREALTIME/./}\" 0 0 0 0 0\n"
	"}\n"
	"# start build $1 (the directory and program were checked)\n"
	"start_build() {\n"
	"\tlocal i=$1 log=${B_LOG[$1]}\n"
	"\tB0[i]=0 OE[i]=0 TOUT[i]=0 TERMD[i]=0 KD[i]=0 DL[i]=0\n"
	"\tif [ -s \"$log\" ]; then B0[i]=$(stat -c %s -- \"$log\" 2>/dev/null) || B0[i]=0; fi\n"
	"\tif ! : >>\"$log\"; then OE[i]=5; log=/dev/null; fi\n"
	"\tT0[i]=${EPOCHREALTIME/./}\n"
	"\t\"cmd_$i\" >>\"$log\" 2>&1 </dev/null {WFD}<&- &\n"
	"\tPID[i]=$! RUN[i]=$!; IDX[$!]=$i\n"
	"\t[ \"${B_TO[i]}\" -eq 0 ] || DL[i]=$((EPOCHSECONDS + B_TO[i]))\n"
	"}\n"
	"# build $1 whose program failed its check: its record at once\n"
	"not_started() {\n"
	"\tlocal i=$1 en=2 t\n"
	"\t[ ! -e \"${B_PROG[i]}\" ] || en=13\n"
	"\t[ -d \"${B_DIR[i]}\" ] || en=2\n"
	"\techo \"cascade: could not start: ${B_PROG[i]:-(program)} in ${B_DIR[i]}: not an executable file or no such directory\" >>\"${B_LOG[i]}\"\n"
	"\tt=${EPOCHREALTIME/./}\n"
	"\trecord \"$i\" 0 -1 0 0 0 1 \"$en\" 0 0 \"$t\" 0 0 0 0 0\n"
	"}\n"
	"# build $1 ended with wait status $2: its record\n"
	"finish_build() {\n"
	"\tlocal i=$1 rc=$2 log=${B_LOG[$1]} code=-1 sig=0 left=0 ob=0 tn=0 t1 b1 u s\n"
	"\tt1=${EPOCHREALTIME/./}\n"
	"\tcputimes\n"
	"\tu=$(((CU - UB) * 1000000 / CLK)) s=$(((CS - SB) * 1000000 / CLK))\n"
	"\tunset \"IDX[${PID[i]}]\" \"RUN[$i]\"\n"
	"\tkill -KILL -- -\"${PID[i]}\" 2>/dev/null && left=1\n"
	"\tif [ \"$rc\" -gt 128 ] && [ \"$rc\" -le 192 ]; then sig=$((rc - 128)); else code=$rc; fi\n"
	"\tif [ \"${OE[i]}\" = 0 ] && [ -s \"$log\" ]; then\n"
	"\t\tb1=$(stat -c %s -- \"$log\" 2>/dev/null) || b1=${B0[i]}\n"
	"\t\tob=$((b1 - B0[i])); [ \"$ob\" -ge 0 ] || ob=0\n"
	"\t\ttn=$ob; [ \"$tn\" -le 4096 ] || tn=4096\n"
	"\tfi\n"
	"\t[ \"$stopping\" = 0 ] || TERMD[i]=1\n"
	"\trecord \"$i\" \"${PID[i]}\" \"$code\" \"$sig\" \"${TOUT[i]}\" \"${TERMD[i]}\" 0 0 \"$left\" $((t1 - T0[i])) \"$t1\" \"$u\" \"$s\" \"$ob\" \"${OE[i]}\" \"$tn\"\n"
	"\tcputimes; UB=$CU SB=$CS\n"
	"}\n"
	"# ended builds that wait -n will not report (bash files a finished job\n"
	"# away when it next runs a command in the foreground; wait PID still has\n"
	"# its status); then timeouts and cancels: SIGTERM to the group, SIGKILL\n"
	"# after the grace\n"
	"deadlines() {\n"
	"\tlocal k now=$EPOCHSECONDS\n"
	"\tfor k in \"${!RUN[@]}\"; do\n"
	"\t\tif ! kill -0 \"${PID[k]}\" 2>/dev/null; then\n"
	"\t\t\t# a trap pending makes wait return 128+N at once: again\n"
	"\t\t\ttrapped=0 rc=0\n"
	"\t\t\twait \"${PID[k]}\"; rc=$?\n"
	"\t\t\tif [ \"$trapped\" = 1 ] && [ \"$rc\" -gt 128 ]; then\n"
	"\t\t\t\twait \"${PID[k]}\"; r=$?\n"
	"\t\t\t\t[ \"$r\" -eq 127 ] || rc=$r\n"
	"\t\t\tfi\n"
	"\t\t\tfinish_build \"$k\" \"$rc\"\n"
	"\t\t\tfree=$((free + B_CPU[k])); running=$((running - 1))\n"
	"\t\t\tcontinue\n"
	"\t\tfi\n"
	"\t\tif [ \"${TERMD[k]}\" = 0 ] && [ -n \"${CANC[${B_ST[k]}]}\" ]; then\n"
	"\t\t\tTERMD[k]=1; kill -TERM -- -\"${PID[k]}\" 2>/dev/null; KD[k]=$((now + GRACE))\n"
	"\t\telif [ \"${DL[k]}\" -gt 0 ] && [ \"$now\" -ge \"${DL[k]}\" ] && [ \"${TOUT[k]}\" = 0 ]; then\n"
	"\t\t\tTOUT[k]=1; kill -TERM -- -\"${PID[k]}\" 2>/dev/null; KD[k]=$((now + GRACE))\n"
	"\t\telif [ \"${KD[k]}\" -gt 0 ] && [ \"$now\" -ge \"${KD[k]}\" ]; then\n"
	"\t\t\tkill -KILL -- -\"${PID[k]}\" 2>/dev/null\n"
	"\t\tfi\n"
	"\tdone\n"
	"}\n"
	"trap 'urg=1 trapped=1' URG\n"
	"trap 'stopping=1 trapped=1' TERM\n"
	"# the clock of timeouts and cancels: a child that ends after a second\n"
	"# (read -t on a FIFO no one writes to), which wakes wait -n\n"
	"TICKER=\n"
	"cputimes; UB=$CU SB=$CS\n"
	"free=$SLOTS running=0 next=0\n"
	"load_cancel\n"
	"while [ \"$next\" -lt \"$NB\" ] || [ \"$running\" -gt 0 ]; do\n"
	"\tif [ \"$urg\" = 1 ]; then urg=0; load_cancel; fi\n"
	"\tif [ \"$stopping\" = 1 ]; then\n"
	"\t\tfor k in \"${!RUN[@]}\"; do TERMD[k]=1; done\n"
	"\tfi\n"
	"\twhile [ \"$next\" -lt \"$NB\" ] && { [ \"$stopping\" = 1 ] || [ -n \"${CANC[${B_ST[$next]}]}\" ]; }; do\n"
	"\t\tunstarted \"$next\"; next=$((next + 1))\n"
	"\tdone\n"
	"\tif [ \"$next\" -lt \"$NB\" ] && { [ \"${B_CPU[next]}\" -le \"$free\" ] || [ \"$running\" -eq 0 ]; }; then\n"
	"\t\tif { [ -n \"${B_PROG[next]}\" ] && ! { [ -f \"${B_PROG[next]}\" ] && [ -x \"${B_PROG[next]}\" ]; }; } || ! [ -d \"${B_DIR[next]}\" ]; then\n"
	"\t\t\tnot_started \"$next\"\n"
	"\t\telse\n"
	"\t\t\tstart_build \"$next\"\n"
	"\t\t\tfree=$((free - B_CPU[next])); running=$((running + 1))\n"
	"\t\tfi\n"
	"\t\tnext=$((next + 1))\n"
	"\t\tcontinue\n"
	"\tfi\n"
	"\tdeadlines\n"
	"\t[ \"$running\" -gt 0 ] || continue\n"
	"\t# (the ticker too may end unreported: it is looked at the same way)\n"
	"\tif [ -n \"$TICKER\" ] && ! kill -0 \"$TICKER\" 2>/dev/null; then\n"
	"\t\twait \"$TICKER\"; TICKER=\n"
	"\tfi\n"
	"\tif [ -z \"$TICKER\" ]; then\n"
	"\t\tread -r -t 1 -u \"$WFD\" &\n"
	"\t\tTICKER=$!\n"
	"\tfi\n"
	"\tdone_pid=\n"
	"\twait -n -p done_pid; rc=$?\n"
	"\tif [ -n \"$done_pid\" ] && [ \"$done_pid\" = \"$TICKER\" ]; then\n"
	"\t\tTICKER=\n"
	"\telif [ -n \"$done_pid\" ] && [ -n \"${IDX[$done_pid]}\" ]; then\n"
	"\t\tk=${IDX[$done_pid]}\n"
	"\t\tfinish_build \"$k\" \"$rc\"\n"
	"\t\tfree=$((free + B_CPU[k])); running=$((running - 1))\n"
	"\telif [ \"$rc\" -eq 127 ]; then\n"
	"\t\trunning=0\n"
	"\tfi\n"
	"done\n"
	"rmdir -- \"${PD[@]}\" 2>/dev/null\n"
	"[ -z \"$TICKER\" ] || kill \"$TICKER\" 2>/dev/null\n"
	"exit 0\n";

/* a shell variable name: [A-Za-z_][A-Za-z0-9_]* up to '=' or the end */
static bool
shell_name(const char *e)
{
	size_t n = strcspn(e, "=");

	if (!n || (e[0] >= '0' && e[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((e[i] >= 'A' && e[i] <= 'Z') ||
		      (e[i] >= 'a' && e[i] <= 'z') ||
		      (e[i] >= '0' && e[i] <= '9') || e[i] == '_'))
			return false;
	return true;
}

/*
 * the start of a build's command: the environment delta applied (bash's
 * unset and export, in order, so later entries win; env(1) when a name is
 * not a shell name), then exec
 */
static void
env_words(const struct strvec *delta, struct strbuf *sb)
{
	bool plain = true;

	for (size_t i = 0; i < delta->nr; i++)
		plain = plain && shell_name(delta->v[i]);
	if (plain) {
		for (size_t i = 0; i < delta->nr; i++) {
			strbuf_addstr(sb, strchr(delta->v[i], '=')
						  ? " export "
						  : " unset ");
			slurm_quote(sb, delta->v[i]);
			strbuf_addch(sb, ';');
		}
		strbuf_addstr(sb, " exec setsid --");
		return;
	}
	strbuf_addstr(sb, " exec setsid -- env");
	for (size_t i = 0; i < delta->nr; i++) {
		const char *e = delta->v[i], *eq = strchr(e, '=');
		size_t n = eq ? (size_t)(eq - e) : strlen(e);
		bool later = false;

		for (size_t k = i + 1; k < delta->nr && !later; k++)
			later = !strncmp(delta->v[k], e, n) &&
				(delta->v[k][n] == '=' || !delta->v[k][n]);
		if (later || eq)
			continue;
		strbuf_addstr(sb, " -u ");
		slurm_quote(sb, e);
	}
	strbuf_addstr(sb, " --");
	for (size_t i = 0; i < delta->nr; i++) {
		const char *e = delta->v[i], *eq = strchr(e, '=');
		bool later = false;

		if (!eq)
			continue;
		for (size_t k = i + 1; k < delta->nr && !later; k++)
			later = !strncmp(delta->v[k], e, (size_t)(eq - e)) &&
				(delta->v[k][eq - e] == '=' ||
				 !delta->v[k][eq - e]);
		if (later)
			continue;
		strbuf_addch(sb, ' ');
		slurm_quote(sb, e);
	}
}

static void
script_array(struct strbuf *sb, const char *name, struct exec_build **b,
	     size_t n, int which)
{
	strbuf_addf(sb, "%s=(", name);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(sb, ' ');
		switch (which) {
		case 0:
			slurm_quote(sb, b[i]->dir ? b[i]->dir : ".");
			break;
		case 1:
			slurm_quote(sb, b[i]->log_path ? b[i]->log_path
						       : "/dev/null");
			break;
		case 2:
			slurm_quote(sb, b[i]->status_path);
			break;
		case 5:
			slurm_quote(sb, strchr(b[i]->args.v[0], '/')
						? b[i]->args.v[0]
						: "");
			break;
		case 3:
			strbuf_addf(sb, "%d",
				    b[i]->timeout_s > 0 ? b[i]->timeout_s : 0);
			break;
		default:
			strbuf_addf(sb, "%u", b[i]->cpus ? b[i]->cpus : 1);
		}
	}
	strbuf_addstr(sb, ")\n");
}

/* the directories of the builds' status paths, as the array S_DIR */
static void
status_dirs(struct exec_build **b, size_t n, struct strbuf *sb)
{
	struct strvec dirs = STRVEC_INIT;
	struct strbuf d = STRBUF_INIT;

	strbuf_addstr(sb, "S_DIR=(");
	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		strbuf_reset(&d);
		fsutil_dirname(b[i]->status_path, &d);
		for (size_t k = 0; k < dirs.nr && !seen; k++)
			seen = !strcmp(dirs.v[k], d.buf);
		if (seen)
			continue;
		if (dirs.nr)
			strbuf_addch(sb, ' ');
		slurm_quote(sb, d.buf);
		strvec_push(&dirs, d.buf);
	}
	strbuf_addstr(sb, ")\n");
	strvec_clear(&dirs);
	strbuf_release(&d);
}

static const struct exec_slurm_options *
prof_of(const struct slurm_ex *s, const struct exec_build *b);

/* the group runner of b's job: its path, or NULL for none */
static const char *
group_runner_of(const struct slurm_ex *s, const struct exec_build *b)
{
	const struct exec_slurm_options *p = prof_of(s, b);
	const char *r = p->group_runner ? p->group_runner : s->o.group_runner;

	return r && r[0] ? r : NULL;
}

/*
 * the script's hand-over to the group runner, where the node has it:
 * exec, and (execfail) on with bash if that fails
 */
static void
group_runner_line(const struct slurm_ex *s, const struct exec_build *b,
		  struct strbuf *sb)
{
	const char *r = group_runner_of(s, b);

	if (!r)
		return;
	strbuf_addstr(sb, "# the group runner, where this node has it, runs the "
			  "builds of the spec after \"exit\" below\nRUNNER=");
	slurm_quote(sb, r);
	/*
	 * asked first whether it can run this spec: a runner of another
	 * cascade version (or a broken one) leaves the job to bash, said in
	 * the job's output, rather than fail its builds
	 */
	strbuf_addstr(sb, "\nif [ -f \"$RUNNER\" ] && [ -x \"$RUNNER\" ]; then\n"
			  "\tif \"$RUNNER\" --check \"$0\" >/dev/null 2>&1; then\n"
			  "\t\tshopt -s execfail\n"
			  "\t\texec \"$RUNNER\" \"$0\" \"$CANCEL\" "
			  "\"${SLURM_JOB_ID:-$$}\"\n"
			  "\t\tshopt -u execfail\n"
			  "\telse\n"
			  "\t\techo \"cascade: $RUNNER cannot run this job "
			  "($(\"$RUNNER\" --check \"$0\" 2>&1 | head -n 1)): "
			  "bash runs it\" >&2\n"
			  "\tfi\n"
			  "fi\n");
}

/* the builds again, for the group runner (group-spec.h), after "exit" */
static void
group_spec_of(struct exec_build **b, size_t n, unsigned slots, int grace_s,
	      struct strbuf *sb)
{
	size_t start = sb->len;

	group_spec_begin(sb, slots, grace_s, n);
	for (size_t i = 0; i < n; i++)
		group_spec_add_build(sb, b[i]->dir ? b[i]->dir : ".",
				     b[i]->log_path ? b[i]->log_path
						    : "/dev/null",
				     b[i]->status_path,
				     b[i]->timeout_s > 0 ? b[i]->timeout_s : 0,
				     b[i]->cpus ? b[i]->cpus : 1, &b[i]->args,
				     &b[i]->env_delta);
	group_spec_end(sb, start);
}

/*
 * the whole script of a group of n builds, run slots CPUs at a time; dir
 * its job's WORK/slurm
 */
static void
group_script(const struct slurm_ex *s, const char *dir, struct exec_build **b,
	     size_t n, unsigned slots, struct strbuf *sb)
{
	strbuf_addstr(sb, "#!/bin/bash\n"
			  "# a cascade group job (generated): runs the builds "
			  "below and writes their status records\n"
			  "urg=0 stopping=0\n"
			  "trap 'urg=1' URG\n"
			  "trap 'stopping=1' TERM\n"
			  "export LC_ALL=C\n");
	strbuf_addf(sb, "SLOTS=%u GRACE=%d NB=%zu\nCANCEL=", slots,
		    s->o.grace_s, n);
	slurm_quote(sb, dir);
	strbuf_addstr(sb, "/cancel-${SLURM_JOB_ID:-none}\nNODEF=");
	slurm_quote(sb, dir);
	strbuf_addstr(sb, "/node-${SLURM_JOB_ID:-none}\n"
			  "printf '%s\\n' \"${SLURMD_NODENAME:-$HOSTNAME}\" "
			  ">\"$NODEF.tmp\" && mv -f -- \"$NODEF.tmp\" \"$NODEF\"\n");
	group_runner_line(s, b[0], sb);
	strbuf_addstr(sb, "# the watchdogs' clock: read -t on a FIFO no one "
			  "writes to\n"
			  "WF=$(mktemp -u \"${TMPDIR:-/tmp}/cascade-wd.XXXXXX\") && "
			  "mkfifo -m 0600 \"$WF\" && exec {WFD}<>\"$WF\" && "
			  "rm -f \"$WF\" || exit 1\n");
	status_dirs(b, n, sb);
	strbuf_addstr(sb, "# records are written to DIR/.job-JOB, then renamed "
			  "into DIR\n"
			  "JOB=${SLURM_JOB_ID:-$$}\n"
			  "PD=(\"${S_DIR[@]/%//.job-$JOB}\")\n"
			  "mkdir -p -- \"${PD[@]}\" || exit 1\n");
	script_array(sb, "B_DIR", b, n, 0);
	script_array(sb, "B_LOG", b, n, 1);
	script_array(sb, "B_ST", b, n, 2);
	script_array(sb, "B_TO", b, n, 3);
	script_array(sb, "B_CPU", b, n, 4);
	script_array(sb, "B_PROG", b, n, 5);
	for (size_t i = 0; i < n; i++) {
		strbuf_addf(sb, "cmd_%zu() { cd -- ", i);
		slurm_quote(sb, b[i]->dir ? b[i]->dir : ".");
		strbuf_addstr(sb, " || exit 126;");
		env_words(&b[i]->env_delta, sb);
		for (size_t k = 0; k < b[i]->args.nr; k++) {
			strbuf_addch(sb, ' ');
			slurm_quote(sb, b[i]->args.v[k]);
		}
		strbuf_addstr(sb, "; }\n");
	}
	strbuf_addstr(sb, script_body);
	group_spec_of(b, n, slots, s->o.grace_s, sb);
}

/* -- jobs ------------------------------------------------------------------ */

static struct sjob *
job_find(struct slurm_ex *s, const char *id)
{
	for (size_t i = 0; i < s->n_jobs; i++)
		if (!strcmp(s->jobs[i]->id, id))
			return s->jobs[i];
	return NULL;
}

/* the settings of b's job */
static const struct exec_slurm_options *
prof_of(const struct slurm_ex *s, const struct exec_build *b)
{
	return b->slurm ? b->slurm : &s->o;
}

/* the WORK/slurm of b's job, new */
static char *
dir_of(const struct slurm_ex *s, const struct exec_build *b)
{
	const struct exec_slurm_options *p = prof_of(s, b);

	return p->work_dir ? xasprintf("%s/slurm", p->work_dir)
			   : xstrdup(s->slurm_dir);
}

/* a job of ours, its files in dir (taken) */
static struct sjob *
job_new(struct slurm_ex *s, const char *id, char *dir)
{
	struct sjob *j = xcalloc(1, sizeof(*j));

	j->dir = dir;
	strvec_init(&j->sdirs);
	copy_field(j->id, sizeof(j->id), id, strlen(id));
	ALLOC_GROW(s->jobs, s->n_jobs + 1, s->alloc_jobs);
	s->jobs[s->n_jobs++] = j;
	return j;
}

static void
job_add(struct sjob *j, struct exec_build *b)
{
	struct strbuf d = STRBUF_INIT;
	bool seen = false;

	fsutil_dirname(b->status_path, &d);
	for (size_t i = 0; i < j->sdirs.nr && !seen; i++)
		seen = !strcmp(j->sdirs.v[i], d.buf);
	if (!seen)
		strvec_push(&j->sdirs, d.buf);
	strbuf_release(&d);
	ALLOC_GROW(j->b, j->n + 1, j->alloc);
	j->b[j->n++] = b;
	j->open++;
	b->job = j;
	copy_field(b->job_id, sizeof(b->job_id), j->id, strlen(j->id));
}

/* a job none of whose builds is open any more: its files go */
static void
job_drop(struct slurm_ex *s, struct sjob *j)
{
	struct strbuf p = STRBUF_INIT;
	struct stat st;

	if (j->script)
		unlink(j->script);
	strbuf_addf(&p, "%s/cancel-%s", j->dir, j->id);
	unlink(p.buf);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/node-%s", j->dir, j->id);
	unlink(p.buf);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/%s.out", j->dir, j->id);
	if (stat(p.buf, &st) == 0 && st.st_size == 0)
		unlink(p.buf);
	/* what a killed script did not publish (all its builds are back) */
	for (size_t i = 0; i < j->sdirs.nr; i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/.job-%s", j->sdirs.v[i], j->id);
		if (lstat(p.buf, &st) == 0)
			fsutil_remove_tree(p.buf);
	}
	strbuf_release(&p);
	for (size_t i = 0; i < s->n_jobs; i++)
		if (s->jobs[i] == j) {
			s->jobs[i] = s->jobs[--s->n_jobs];
			break;
		}
	free(j->script);
	free(j->dir);
	strvec_clear(&j->sdirs);
	free(j->b);
	free(j);
}

/*
 * the node a job runs on, from the file its script writes first (so that
 * a build's end needs no squeue call to name its node)
 */
static void
job_node(struct sjob *j)
{
	struct strbuf p = STRBUF_INIT;
	char buf[sizeof(j->info.node)];
	ssize_t n = -1;
	int fd;

	strbuf_addf(&p, "%s/node-%s", j->dir, j->id);
	fd = open(p.buf, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	if (n > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		copy_field(j->info.node, sizeof(j->info.node), buf,
			   strlen(buf));
	}
	strbuf_release(&p);
}

/* b has its result: on the ready queue, out of the open table */
static void
make_ready(struct slurm_ex *s, struct exec_build *b)
{
	struct sjob *j = b->job;

	if (b->state == B_DONE)
		return;
	if (j && !j->info.node[0] && b->res.ran)
		job_node(j);
	smap_del(&s->open, b->status_path);
	s->n_open--;
	b->state = B_DONE;
	if (j && j->info.node[0] && !b->res.node[0])
		copy_field(b->res.node, sizeof(b->res.node), j->info.node,
			   strlen(j->info.node));
	ALLOC_GROW(s->ready, s->n_ready + 1, s->alloc_ready);
	s->ready[s->n_ready++] = b;
	/*
	 * no longer the job's: once returned, the caller may release it
	 * while others of its job run on
	 */
	for (size_t i = 0; j && i < j->n; i++)
		if (j->b[i] == b)
			j->b[i] = NULL;
	b->job = NULL;
	if (j && --j->open == 0)
		job_drop(s, j);
}

/*
 * what the job's state says of a build it stopped or never ran; oom: the
 * line of the job's output saying that it went over its memory limit,
 * or NULL
 */
static void
apply_job_state(struct exec_build *b, const struct slurm_job_info *info,
		bool have_record, const char *oom)
{
	struct exec_result *r = &b->res;
	enum slurm_state st = slurm_state_of(info->state);

	if ((st == SLURM_OOM || oom) && !b->cancel_asked) {
		/* Slurm's kill, not a cancel: the memory limit's */
		r->oom = true;
		r->cancelled = false;
		strbuf_reset(&r->reason);
		strbuf_addf(&r->reason, "Slurm job %s ended %s: over its "
					"memory limit",
			    info->id, info->state[0] ? info->state : "(unknown)");
		if (oom)
			strbuf_addf(&r->reason, " (%s)", oom);
		if (!have_record)
			strbuf_addstr(&r->reason, ", without a status record");
		return;
	}
	switch (st) {
	case SLURM_CANCELLED:
		r->cancelled = true;
		break;
	case SLURM_TIMEOUT:
		r->timed_out = true;
		break;
	case SLURM_NODE_FAIL:
		r->node_failed = true;
		break;
	default:
		if (b->cancel_asked)
			r->cancelled = true;
		else if (!have_record)
			r->lost = true;
	}
	if (b->cancel_asked)
		r->cancelled = true;
	if (!have_record || !r->ran) {
		strbuf_reset(&r->reason);
		strbuf_addf(&r->reason, "Slurm job %s ended %s", info->id,
			    info->state[0] ? info->state : "(unknown)");
		if (info->reason[0] && strcmp(info->reason, "None"))
			strbuf_addf(&r->reason, " (%s)", info->reason);
		if (!have_record)
			strbuf_addstr(&r->reason, " without a status record");
	}
}

/*
 * read b's status file, if there: 1 ready (or held for its job's state),
 * 0 not there
 */
static int
check_build(struct slurm_ex *s, struct exec_build *b)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct exec_result *r = &b->res;
	struct sjob *j = b->job;
	bool stopped;
	int rc;

	if (b->state != B_OPEN)
		return 1;
	c.status_path = b->status_path;
	rc = spawn_status_read(&c);
	if (rc == 0) {
		spawn_child_release(&c);
		return 0;
	}
	if (rc < 0) {
		/* reported: nothing in it can be believed */
		r->lost = true;
		strbuf_reset(&r->reason);
		strbuf_addstr(&r->reason, "its status record is unreadable");
		spawn_child_release(&c);
		make_ready(s, b);
		return 1;
	}
	exec_result_from_child(r, &c);
	/* asked to stop, and stopped (not an end of its own first) */
	r->cancelled = b->cancel_asked &&
		       (c.terminated || c.term_signal || c.pid == 0);
	stopped = c.terminated;
	spawn_child_release(&c);
	if (stopped && !b->cancel_asked && j) {
		/* stopped by Slurm or by someone: the job's state says why */
		b->state = B_HELD;
		j->check_now = true;
		s->next_poll_ns = 0;
		return 1;
	}
	make_ready(s, b);
	return 1;
}

/* every open build's status file */
static void
scan_all(struct slurm_ex *s)
{
	for (size_t i = 0; i < s->open.cap; i++) {
		struct exec_build *b = s->open.slot[i];

		if (b && b != TOMBSTONE && b->state == B_OPEN)
			check_build(s, b);
	}
}

/*
 * whether the job's output (its WORK/slurm/ID.out) says that Slurm killed
 * it for its memory (jobacct_gather's OverMemoryKill: "exceeded memory
 * limit"; the cgroup's: "oom-kill"): the line into sb
 */
static bool
job_oom(const struct sjob *j, struct strbuf *sb)
{
	struct strbuf p = STRBUF_INIT, t = STRBUF_INIT;
	const char *hit = NULL, *pats[] = {"exceeded memory limit",
					   "Exceeded job memory limit",
					   "oom-kill"};

	strbuf_addf(&p, "%s/%s.out", j->dir, j->id);
	if (read_tail(p.buf, 16384, &t) == 0)
		for (size_t i = 0; i < ARRAY_SIZE(pats) && !hit; i++)
			hit = strstr(t.buf, pats[i]);
	if (hit) {
		const char *b = hit, *e = strchr(hit, '\n');

		while (b > t.buf && b[-1] != '\n')
			b--;
		if (!e)
			e = t.buf + t.len;
		if (e - b > 200)
			e = b + 200;
		strbuf_add(sb, b, (size_t)(e - b));
		for (size_t i = 0; i < sb->len; i++)
			if ((unsigned char)sb->buf[i] < ' ')
				sb->buf[i] = ' ';
	}
	strbuf_release(&p);
	strbuf_release(&t);
	return hit != NULL;
}

/*
 * the records the job's script wrote but did not rename into place
 * (killed between the two: it publishes them together, about once a
 * second), renamed now; one cut short is left out
 */
static void
publish_pending(struct sjob *j)
{
	struct strbuf p = STRBUF_INIT, d = STRBUF_INIT;

	for (size_t i = 0; i < j->n; i++) {
		const struct exec_build *b = j->b[i];
		const char *base;
		char tail[5];
		int fd;

		if (!b || b->state != B_OPEN)
			continue;
		strbuf_reset(&d);
		fsutil_dirname(b->status_path, &d);
		base = strrchr(b->status_path, '/');
		strbuf_reset(&p);
		strbuf_addf(&p, "%s/.job-%s/%s", d.buf, j->id,
			    base ? base + 1 : b->status_path);
		fd = open(p.buf, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (pread(fd, tail, sizeof(tail),
			  lseek(fd, 0, SEEK_END) - (off_t)sizeof(tail)) ==
			    (ssize_t)sizeof(tail) &&
		    !memcmp(tail, "\nend\n", sizeof(tail)) &&
		    rename(p.buf, b->status_path) == 0)
			log_debug("build %lld: its record was published for its "
				  "job %s",
				  (long long)b->build_id, j->id);
		close(fd);
	}
	strbuf_release(&p);
	strbuf_release(&d);
}

static void ask_scontrol(struct slurm_ex *s, struct sjob *j);

/*
 * whether a record missing from an ended job may still appear: not if
 * the job never reached a node (cancelled, or failed, while pending: no
 * script ran), nor once it ended CASCADE_SLURM_LATE_S (60) seconds ago,
 * longer than a shared file system hides a new file
 */
static bool
records_may_come(struct slurm_ex *s, struct sjob *j)
{
	const char *e = getenv("CASCADE_SLURM_LATE_S");
	long late = e && *e ? strtol(e, NULL, 10) : 60;

	if (!j->info.node[0])
		return false;
	if (!j->info.end_s)
		ask_scontrol(s, j);
	return !j->info.end_s || (int64_t)time(NULL) - j->info.end_s < late;
}

/* the job ended: its builds without a record end as its state says */
static void
job_ended(struct slurm_ex *s, struct sjob *j)
{
	struct strbuf oom = STRBUF_INIT;
	bool killed;
	size_t missing = 0;

	publish_pending(j);
	/* held while walked: the last record read would drop it */
	j->open++;
	for (size_t i = 0; i < j->n; i++)
		if (j->b[i] && j->b[i]->state == B_OPEN &&
		    !check_build(s, j->b[i]))
			missing++;
	if (--j->open == 0) {
		job_drop(s, j);
		return;
	}
	/*
	 * give a late file one more poll, unless it had its second, or no
	 * record can come any more (a run that polls once, --no-wait, would
	 * otherwise wait for it for ever)
	 */
	if (missing && records_may_come(s, j) && j->ended_seen++ == 0)
		return;
	killed = job_oom(j, &oom);
	for (size_t i = 0; i < j->n; i++) {
		struct exec_build *b = j->b[i];
		bool last = j->open == 1;

		if (!b || b->state == B_DONE)
			continue;
		apply_job_state(b, &j->info, b->state == B_HELD,
				killed ? oom.buf : NULL);
		if (b->state == B_OPEN)
			b->res.ran = false;
		/* the last make_ready() frees j */
		make_ready(s, b);
		if (last)
			break;
	}
	strbuf_release(&oom);
}

/* the value of key in scontrol show config's "Key = value" lines, new */
static char *
config_value(const char *out, const char *key)
{
	size_t kn = strlen(key);

	for (const char *p = out; p && *p;) {
		const char *nl = strchr(p, '\n'), *v = p + kn;

		if (!strncmp(p, key, kn) && (*v == ' ' || *v == '=')) {
			size_t n;

			v += strspn(v, " =");
			n = nl ? (size_t)(nl - v) : strlen(v);
			while (n && v[n - 1] == ' ')
				n--;
			return xstrndup(v, n);
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/*
 * the job completion log (JobCompType jobcomp/filetxt) where this host
 * can read it, asked of scontrol once; NULL if none
 */
static const char *
jobcomp_path(struct slurm_ex *s)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	if (s->jobcomp_asked)
		return s->jobcomp;
	s->jobcomp_asked = true;
	strvec_push(&argv, "scontrol");
	strvec_push(&argv, "show");
	strvec_push(&argv, "config");
	if (slurm_cmd(&argv, &out, &err) == 0) {
		char *type = config_value(out.buf, "JobCompType"),
		     *loc = config_value(out.buf, "JobCompLoc");

		if (type && !strcmp(type, "jobcomp/filetxt") && loc &&
		    access(loc, R_OK) == 0)
			s->jobcomp = xstrdup(loc);
		else
			log_debug("no job completion log to read here (%s %s)",
				  type ? type : "?", loc ? loc : "?");
		free(type);
		free(loc);
	}
	strvec_clear(&argv);
	strbuf_release(&out);
	strbuf_release(&err);
	return s->jobcomp;
}

/* the job's record in the job completion log into *info: 0, or -1 */
static int
ask_jobcomp(struct slurm_ex *s, const struct sjob *j,
	    struct slurm_job_info *info)
{
	const char *path = jobcomp_path(s);
	struct strbuf t = STRBUF_INIT;
	int rc = -1;

	if (path && read_tail(path, 16 * 1024 * 1024, &t) == 0)
		rc = slurm_parse_jobcomp(t.buf, t.len, j->id, info);
	strbuf_release(&t);
	return rc;
}

/*
 * the state of the jobs squeue did not show, from scontrol, or once the
 * controller forgot them, from the job completion log
 */
static void
ask_scontrol(struct slurm_ex *s, struct sjob *j)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct slurm_job_info info;

	strvec_push(&argv, "scontrol");
	strvec_push(&argv, "-o");
	strvec_push(&argv, "show");
	strvec_push(&argv, "job");
	strvec_push(&argv, j->id);
	if (slurm_cmd(&argv, &out, &err) == 0 &&
	    slurm_parse_scontrol(out.buf, out.len, &info) == 0 &&
	    !strcmp(info.id, j->id)) {
		j->info = info;
	} else if (ask_jobcomp(s, j, &info) == 0) {
		j->info = info;
		snprintf(j->info.reason, sizeof(j->info.reason),
			 "as its completion record says");
	} else {
		/* purged from the controller's memory: no state known */
		memset(&j->info, 0, sizeof(j->info));
		copy_field(j->info.id, sizeof(j->info.id), j->id,
			   strlen(j->id));
		snprintf(j->info.reason, sizeof(j->info.reason),
			 "no longer known to Slurm");
	}
	j->have_info = true;
	strvec_clear(&argv);
	strbuf_release(&out);
	strbuf_release(&err);
}

/*
 * a pending job that waits for something other than its turn (a node
 * drained or down, a partition down, a hold): said once, as it will not
 * start by itself
 */
static void
warn_waiting(struct sjob *j)
{
	static const char *const normal[] = {
		"None", "Priority", "Resources", "BeginTime", "Dependency",
		"Prolog", "",
	};
	bool odd = strcmp(j->info.state, "PENDING") == 0;

	for (size_t i = 0; i < ARRAY_SIZE(normal) && odd; i++)
		odd = strcmp(j->info.reason, normal[i]) != 0;
	if (!odd || j->warned)
		return;
	j->warned = true;
	log_warning("Slurm job %s (%zu builds) is pending and waits: %s", j->id,
		    j->open, j->info.reason);
	log_hint("It starts once Slurm can run it: see \"scontrol show job "
		 "%s\" and \"sinfo -R\".", j->id);
	fault_point("slurm-waiting");
}

/* one squeue call for every open job; then act on the ended ones */
static void
poll_jobs(struct slurm_ex *s)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf ids = STRBUF_INIT, out = STRBUF_INIT, err = STRBUF_INIT;
	struct slurm_job_info *v = NULL;
	size_t bad = 0;
	long nv = 0;
	int rc;

	if (!s->n_jobs)
		return;
	for (size_t i = 0; i < s->n_jobs; i++)
		strbuf_addf(&ids, "%s%s", i ? "," : "", s->jobs[i]->id);
	strvec_push(&argv, "squeue");
	strvec_push(&argv, "-h");
	strvec_push(&argv, "--states=all");
	strvec_push(&argv, "-o");
	strvec_push(&argv, "%i|%T|%N|%r");
	strvec_pushf(&argv, "--jobs=%s", ids.buf);
	rc = slurm_cmd(&argv, &out, &err);
	if (rc < 0 || (rc == 1 && !strstr(err.buf, "Invalid job id"))) {
		if (rc == 1)
			log_warning("squeue failed: %s", err.buf);
		goto out;
	}
	nv = slurm_parse_squeue(out.buf, out.len, &v, &bad);
	if (bad)
		log_warning("squeue: %zu line(s) not understood", bad);
	/* the jobs may go as their last build becomes ready: walk backwards */
	for (size_t i = s->n_jobs; i-- > 0;) {
		struct sjob *j = s->jobs[i];
		bool shown = false;

		if (i >= s->n_jobs)
			continue;
		for (long k = 0; k < nv && !shown; k++)
			if (!strcmp(v[k].id, j->id)) {
				shown = true;
				j->info = v[k];
			}
		if (shown && slurm_state_of(j->info.state) == SLURM_ACTIVE) {
			j->ended_seen = 0;
			warn_waiting(j);
			continue;
		}
		if (!shown || j->check_now)
			ask_scontrol(s, j);
		j->check_now = false;
		if (slurm_state_of(j->info.state) != SLURM_ACTIVE)
			job_ended(s, j);
	}
out:
	free(v);
	strvec_clear(&argv);
	strbuf_release(&ids);
	strbuf_release(&out);
	strbuf_release(&err);
}

/* -- inotify --------------------------------------------------------------- */

static void
watch_dir_of(struct slurm_ex *s, const char *path)
{
	struct strbuf dir = STRBUF_INIT;
	int wd;

	if (s->ino < 0)
		return;
	fsutil_dirname(path, &dir);
	for (size_t i = 0; i < s->watched.nr; i++)
		if (!strcmp(s->watched.v[i], dir.buf)) {
			strbuf_release(&dir);
			return;
		}
	wd = inotify_add_watch(s->ino, dir.buf, IN_MOVED_TO);
	if (wd < 0) {
		/* found by the scan of every poll instead */
		log_debug("cannot watch \"%s\": %s", dir.buf, strerror(errno));
	} else {
		ALLOC_GROW(s->wds, s->watched.nr + 1, s->alloc_wds);
		s->wds[s->watched.nr] = wd;
		strvec_push(&s->watched, dir.buf);
	}
	strbuf_release(&dir);
}

/* the names inotify reports: their builds, if ours */
static void
read_events(struct slurm_ex *s)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct strbuf path = STRBUF_INIT;
	bool overflow = false;

	for (;;) {
		ssize_t n = read(s->ino, buf, sizeof(buf));

		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			struct exec_build **slot;
			size_t w = 0;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW)
				overflow = true;
			while (w < s->watched.nr && s->wds[w] != ev->wd)
				w++;
			if (!ev->len || w == s->watched.nr)
				continue;
			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", s->watched.v[w], ev->name);
			slot = smap_find(&s->open, path.buf, false);
			if (slot)
				check_build(s, *slot);
		}
	}
	strbuf_release(&path);
	if (overflow)
		scan_all(s);
}

/* -- the operations -------------------------------------------------------- */

static void
open_add(struct slurm_ex *s, struct exec_build *b)
{
	b->state = B_OPEN;
	smap_put(&s->open, b);
	s->n_open++;
	watch_dir_of(s, b->status_path);
}

/* the time limit of a group, in minutes; 0: none asked */
static int
group_minutes(const struct slurm_ex *s, const struct exec_slurm_options *p,
	      struct exec_build **b, size_t n, unsigned slots)
{
	int64_t sum = 0, max = 0;

	if (p->time_limit_min > 0)
		return p->time_limit_min;
	for (size_t i = 0; i < n; i++) {
		if (b[i]->timeout_s <= 0)
			return 0;
		sum += (int64_t)b[i]->timeout_s * (b[i]->cpus ? b[i]->cpus : 1);
		if (b[i]->timeout_s > max)
			max = b[i]->timeout_s;
	}
	sum = sum / slots + max + 2 * s->o.grace_s + 60;
	return (int)((sum + 59) / 60 < INT_MAX ? (sum + 59) / 60 : INT_MAX);
}

/*
 * a new script file in dir (WORK/slurm/group-TAG-N.sh, never one that
 * exists: another controller may share the directory) holding sc: its
 * path into path; 0, or -1 reported
 */
static int
write_script(struct slurm_ex *s, const char *dir, const struct strbuf *sc,
	     struct strbuf *path)
{
	int fd = -1;

	for (int tries = 0; fd < 0 && tries < 1000; tries++) {
		strbuf_reset(path);
		strbuf_addf(path, "%s/group-%s-%u.sh", dir, s->tag, s->seq++);
		fd = open(path->buf,
			  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0 || write(fd, sc->buf, sc->len) != (ssize_t)sc->len) {
		error("could not write \"%s\": %s", path->buf, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path->buf);
		}
		return -1;
	}
	if (close(fd)) {
		error("could not write \"%s\": %s", path->buf, strerror(errno));
		unlink(path->buf);
		return -1;
	}
	return 0;
}

/* sbatch's arguments for a group of builds b[0..n), slots CPUs */
static void
sbatch_args(const struct slurm_ex *s, const char *dir, struct exec_build **b,
	    size_t n, unsigned slots, unsigned maxc, int64_t mem,
	    struct strvec *argv)
{
	const struct exec_slurm_options *p = prof_of(s, b[0]);
	int minutes = group_minutes(s, p, b, n, slots);

	strvec_push(argv, "sbatch");
	strvec_push(argv, "--parsable");
	strvec_pushf(argv, "--job-name=%s", s->job_name);
	strvec_push(argv, "--nodes=1");
	strvec_push(argv, "--ntasks=1");
	strvec_pushf(argv, "--cpus-per-task=%u", slots);
	/*
	 * Slurm must not run the group again (a node failure, a
	 * preemption): builds that ended would run twice; the runner
	 * queues what did not end
	 */
	strvec_push(argv, "--no-requeue");
	if (mem > 0)
		strvec_pushf(argv, "--mem=%" PRId64 "M",
			     mem * (int64_t)(slots / maxc ? slots / maxc : 1));
	if (minutes > 0)
		strvec_pushf(argv, "--time=%d", minutes);
	if (p->partition)
		strvec_pushf(argv, "--partition=%s", p->partition);
	if (p->account)
		strvec_pushf(argv, "--account=%s", p->account);
	strvec_pushf(argv, "--output=%s/%%j.out", dir);
	strvec_pushf(argv, "--chdir=%s", dir);
	for (size_t i = 0; p->extra && i < p->extra->nr; i++)
		strvec_push(argv, p->extra->v[i]);
}

/* write the group's script and sbatch it: 0, or -1 reported */
static int
submit_group(struct slurm_ex *s, struct exec_build **b, size_t n)
{
	struct strbuf sc = STRBUF_INIT, path = STRBUF_INIT, out = STRBUF_INIT,
		      err = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	const struct exec_slurm_options *p = prof_of(s, b[0]);
	unsigned slots = 0, maxc = 1,
		 most = p->group_cpus ? p->group_cpus : s->o.group_cpus;
	int64_t mem = 0;
	char id[32], *dir = dir_of(s, b[0]);
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		unsigned c = b[i]->cpus ? b[i]->cpus : 1;

		slots += c;
		if (c > maxc)
			maxc = c;
		if (b[i]->mem_mb > mem)
			mem = b[i]->mem_mb;
	}
	if (slots > most)
		slots = most;
	if (slots < maxc)
		slots = maxc;
	if (fsutil_mkdir_p(dir)) {
		error("could not create directory \"%s\": %s", dir,
		      strerror(errno));
		goto out;
	}
	group_script(s, dir, b, n, slots, &sc);
	if (write_script(s, dir, &sc, &path))
		goto out;
	sbatch_args(s, dir, b, n, slots, maxc, mem, &argv);
	strvec_push(&argv, path.buf);
	rc = slurm_cmd(&argv, &out, &err);
	if (rc == 1)
		rc = error("sbatch failed: %s", err.buf);
	if (rc == 0 && slurm_parse_sbatch(out.buf, out.len, id, sizeof(id)))
		rc = error("sbatch printed no job id: \"%.*s\"",
			   (int)(out.len > 200 ? 200 : out.len), out.buf);
	if (rc == 0) {
		struct sjob *j = job_new(s, id, dir);

		dir = NULL;
		j->script = strbuf_detach(&path, NULL);
		for (size_t i = 0; i < n; i++) {
			job_add(j, b[i]);
			open_add(s, b[i]);
		}
		/* Slurm has it; the caller has not recorded its job id */
		fault_point("slurm-submitted");
	} else {
		unlink(path.buf);
	}
out:
	free(dir);
	strbuf_release(&sc);
	strbuf_release(&path);
	strbuf_release(&out);
	strbuf_release(&err);
	strvec_clear(&argv);
	return rc;
}

static int
strcmp_null(const char *a, const char *b)
{
	return a == b ? 0 : !a ? -1 : !b ? 1 : strcmp(a, b);
}

/* the order of two builds' job settings (0: they may share a job) */
static int
prof_cmp(const struct slurm_ex *s, const struct exec_build *x,
	 const struct exec_build *y)
{
	const struct exec_slurm_options *a = prof_of(s, x), *b = prof_of(s, y);
	size_t na = a->extra ? a->extra->nr : 0, nb = b->extra ? b->extra->nr : 0;
	int c;

	if (a == b)
		return 0;
	if ((c = strcmp_null(a->work_dir ? a->work_dir : s->o.work_dir,
			     b->work_dir ? b->work_dir : s->o.work_dir)) ||
	    (c = strcmp_null(group_runner_of(s, x), group_runner_of(s, y))) ||
	    (c = strcmp_null(a->partition, b->partition)) ||
	    (c = strcmp_null(a->account, b->account)))
		return c;
	if (a->time_limit_min != b->time_limit_min)
		return a->time_limit_min < b->time_limit_min ? -1 : 1;
	if (a->group_cpus != b->group_cpus)
		return a->group_cpus < b->group_cpus ? -1 : 1;
	if (na != nb)
		return na < nb ? -1 : 1;
	for (size_t i = 0; i < na; i++)
		if ((c = strcmp(a->extra->v[i], b->extra->v[i])))
			return c;
	return 0;
}

/* what may share a job: the same settings, CPUs and memory */
static int
group_cmp(const struct slurm_ex *s, const struct exec_build *a,
	  const struct exec_build *b)
{
	int c = prof_cmp(s, a, b);

	if (c)
		return c;
	if (a->cpus != b->cpus)
		return a->cpus < b->cpus ? -1 : 1;
	if (a->mem_mb != b->mem_mb)
		return a->mem_mb < b->mem_mb ? -1 : 1;
	return 0;
}

/* for qsort: the executor being sorted for */
static const struct slurm_ex *sorting;

/* builds that may share a job go together; order otherwise kept */
static int
same_shape(const void *pa, const void *pb)
{
	const struct exec_build *a = *(struct exec_build *const *)pa,
				*b = *(struct exec_build *const *)pb;
	int c = group_cmp(sorting, a, b);

	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static int
slurm_submit(struct executor *e, struct exec_build **b, size_t n)
{
	struct slurm_ex *s = (struct slurm_ex *)e;
	struct exec_build **v;
	int rc = 0;

	if (!n)
		return 0;
	v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		if (!b[i]->status_path || b[i]->status_path[0] != '/' ||
		    !b[i]->args.nr)
			BUG("a build without an absolute status path or a "
			    "program");
		b[i]->index = (unsigned)i;
		b[i]->job_id[0] = '\0';
		v[i] = b[i];
	}
	sorting = s;
	qsort(v, n, sizeof(*v), same_shape);
	sorting = NULL;
	for (size_t i = 0; i < n && !rc;) {
		size_t k = i, groups, per;

		while (k < n && !group_cmp(s, v[k], v[i]))
			k++;
		/* builds of one shape spread evenly over the jobs */
		groups = (k - i + s->o.group_max - 1) / s->o.group_max;
		per = (k - i + groups - 1) / groups;
		for (; i < k && !rc; i += per)
			rc = submit_group(s, v + i, i + per < k ? per : k - i);
	}
	free(v);
	return rc;
}

static int
slurm_adopt(struct executor *e, struct exec_build *b)
{
	struct slurm_ex *s = (struct slurm_ex *)e;
	struct sjob *j;

	if (!b->status_path || !b->job_id[0])
		BUG("adopting a build without a status path or job id");
	j = job_find(s, b->job_id);
	if (!j)
		j = job_new(s, b->job_id, dir_of(s, b));
	job_add(j, b);
	open_add(s, b);
	/*
	 * its record is read at the next wait, not now: a job whose
	 * builds are adopted one by one must not be dropped (its files
	 * removed) when the first of them has ended
	 */
	s->next_poll_ns = 0;
	return 1;
}

/*
 * the status paths that the group script at path runs, if it is one of
 * ours (in one of dirs, named group-*.sh) and readable, into keys
 */
static void
script_keys(const char *path, const struct strvec *dirs, struct strvec *keys)
{
	struct strbuf t = STRBUF_INIT;
	bool ours = false;

	for (size_t i = 0; i < dirs->nr && !ours; i++) {
		size_t n = strlen(dirs->v[i]);

		ours = !strncmp(path, dirs->v[i], n) &&
		       !strncmp(path + n, "/group-", 7) &&
		       !strchr(path + n + 1, '/');
	}
	if (!ours)
		return;
	if (read_tail(path, READ_MAX, &t) == 0 &&
	    slurm_parse_script_keys(t.buf, t.len, keys))
		log_warning("group script \"%s\" names no builds", path);
	strbuf_release(&t);
}

static long
slurm_lookup(struct executor *e, struct exec_build **b, size_t n)
{
	struct slurm_ex *s = (struct slurm_ex *)e;
	struct smap want = {0};
	struct strvec argv = STRVEC_INIT, dirs = STRVEC_INIT,
		      keys = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	long found = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		char *d = dir_of(s, b[i]);
		bool known = false;

		if (!b[i]->status_path || b[i]->job_id[0])
			BUG("looking up a build without a status path or with "
			    "a job");
		smap_put(&want, b[i]);
		for (size_t k = 0; k < dirs.nr && !known; k++)
			known = !strcmp(dirs.v[k], d);
		if (!known)
			strvec_push(&dirs, d);
		free(d);
	}
	/* every job of ours Slurm knows, with its script */
	strvec_push(&argv, "squeue");
	strvec_push(&argv, "--me");
	strvec_push(&argv, "-h");
	strvec_push(&argv, "--states=all");
	strvec_push(&argv, "-o");
	strvec_push(&argv, "%i|%o");
	rc = slurm_cmd(&argv, &out, &err);
	if (rc) {
		if (rc == 1)
			error("squeue failed: %s", err.buf);
		found = -1;
		goto out;
	}
	for (const char *p = out.buf; *p;) {
		const char *nl = strchr(p, '\n'), *bar;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, len);

		bar = strchr(line, '|');
		strvec_clear(&keys);
		if (bar && is_digits(line, (size_t)(bar - line)) &&
		    bar - line < 32)
			script_keys(bar + 1, &dirs, &keys);
		for (size_t k = 0; k < keys.nr; k++) {
			struct exec_build **slot =
				smap_find(&want, keys.v[k], false);

			if (!slot || (*slot)->job_id[0])
				continue;
			copy_field((*slot)->job_id, sizeof((*slot)->job_id),
				   line, (size_t)(bar - line));
			found++;
		}
		free(line);
		p = nl ? nl + 1 : p + len;
	}
out:
	free(want.slot);
	strvec_clear(&argv);
	strvec_clear(&dirs);
	strvec_clear(&keys);
	strbuf_release(&out);
	strbuf_release(&err);
	return found;
}

int
slurm_jobs_query(const char *const *ids, size_t n,
		 struct slurm_job_info **jobs, size_t *nj, struct strbuf *why)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf list = STRBUF_INIT, out = STRBUF_INIT,
		      err = STRBUF_INIT;
	size_t bad = 0;
	long nv = 0;
	int rc;

	*jobs = NULL;
	*nj = 0;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&list, "%s%s", i ? "," : "", ids[i]);
	strvec_push(&argv, "squeue");
	strvec_push(&argv, "-h");
	strvec_push(&argv, "--states=all");
	strvec_push(&argv, "-o");
	strvec_push(&argv, "%i|%T|%N|%r");
	strvec_pushf(&argv, "--jobs=%s", list.buf);
	rc = slurm_cmd(&argv, &out, &err);
	/* (a job it has forgotten makes it fail, "Invalid job id") */
	if (rc == 1 && !strstr(err.buf, "Invalid job id")) {
		strbuf_addf(why, "squeue failed: %s", err.buf);
		rc = -1;
	} else if (rc == 1) {
		rc = 0;
	} else if (rc < 0) {
		strbuf_addstr(why, "squeue could not be run");
	}
	if (!rc) {
		nv = slurm_parse_squeue(out.buf, out.len, jobs, &bad);
		*nj = nv > 0 ? (size_t)nv : 0;
	}
	strvec_clear(&argv);
	strbuf_release(&list);
	strbuf_release(&out);
	strbuf_release(&err);
	return rc;
}

static int
slurm_wait(struct executor *e, int timeout_ms, struct exec_build **done)
{
	struct slurm_ex *s = (struct slurm_ex *)e;
	int64_t until = timeout_ms < 0
				? -1
				: timeutil_mono_ns() + (int64_t)timeout_ms * 1000000;

	*done = NULL;
	for (;;) {
		struct pollfd pfd[2];
		int64_t now, wait_ns;
		int np = 0, r;

		if (s->ready_head < s->n_ready) {
			*done = s->ready[s->ready_head++];
			if (s->ready_head == s->n_ready)
				s->ready_head = s->n_ready = 0;
			return EXEC_DONE;
		}
		if (!s->n_open)
			return EXEC_EMPTY;
		now = timeutil_mono_ns();
		if (now >= s->next_poll_ns) {
			scan_all(s);
			if (s->ready_head >= s->n_ready)
				poll_jobs(s);
			s->next_poll_ns = timeutil_mono_ns() +
					  (int64_t)s->o.poll_ms * 1000000;
			continue;
		}
		wait_ns = s->next_poll_ns - now;
		if (until >= 0 && until - now < wait_ns)
			wait_ns = until - now > 0 ? until - now : 0;
		if (s->ino >= 0)
			pfd[np++] = (struct pollfd){.fd = s->ino, .events = POLLIN};
		if (e->wake_fd >= 0)
			pfd[np++] =
				(struct pollfd){.fd = e->wake_fd, .events = POLLIN};
		r = poll(pfd, (nfds_t)np, (int)((wait_ns + 999999) / 1000000));
		if (r < 0 && errno != EINTR)
			return error("poll failed: %s", strerror(errno));
		for (int i = 0; r > 0 && i < np; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == s->ino)
				read_events(s);
			else if (s->ready_head >= s->n_ready)
				return EXEC_WAKE;
		}
		if (until >= 0 && timeutil_mono_ns() >= until &&
		    s->ready_head >= s->n_ready)
			return EXEC_TIMEOUT;
	}
}

/* scancel with these arguments: 0, or -1 (reported unless quiet) */
static int
scancel(const char *opt1, const char *opt2, const struct strvec *ids,
	bool quiet)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int rc;

	strvec_push(&argv, "scancel");
	if (opt1)
		strvec_push(&argv, opt1);
	if (opt2)
		strvec_push(&argv, opt2);
	for (size_t i = 0; i < ids->nr; i++)
		strvec_push(&argv, ids->v[i]);
	rc = slurm_cmd(&argv, &out, &err);
	if (rc == 1)
		rc = quiet ? -1 : error("scancel failed: %s", err.buf);
	strvec_clear(&argv);
	strbuf_release(&out);
	strbuf_release(&err);
	return rc;
}

static int
slurm_cancel(struct executor *e CASCADE_UNUSED, struct exec_build *b)
{
	struct sjob *j = b->job;
	struct strvec ids = STRVEC_INIT;
	struct strbuf p = STRBUF_INIT, line = STRBUF_INIT;
	bool all = true;
	int rc = 0, fd;

	if (b->state == B_DONE || !j || b->cancel_asked)
		return 0;
	b->cancel_asked = true;
	for (size_t i = 0; i < j->n && all; i++)
		all = !j->b[i] || j->b[i]->state == B_DONE ||
		      j->b[i]->cancel_asked;
	strvec_push(&ids, j->id);
	if (all) {
		rc = scancel(NULL, NULL, &ids, false);
		goto out;
	}
	/* one of several: the batch shell stops it, told by the cancel file */
	strbuf_addf(&p, "%s/cancel-%s", j->dir, j->id);
	strbuf_addf(&line, "%s\n", b->status_path);
	fd = open(p.buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line.buf, line.len) != (ssize_t)line.len ||
	    close(fd)) {
		rc = error("could not write \"%s\": %s", p.buf, strerror(errno));
		goto out;
	}
	/*
	 * a job not started yet reads the file when it starts (the signal
	 * fails then: "Job is pending execution"); one that has ended has
	 * written the build's record already
	 */
	(void)!scancel("--batch", "--signal=URG", &ids, true);
out:
	strvec_clear(&ids);
	strbuf_release(&p);
	strbuf_release(&line);
	return rc;
}

static size_t
slurm_pending(const struct executor *e)
{
	const struct slurm_ex *s = (const struct slurm_ex *)e;

	return s->n_open + (s->n_ready - s->ready_head);
}

static void
slurm_free(struct executor *e, bool cancel)
{
	struct slurm_ex *s = (struct slurm_ex *)e;

	if (cancel && s->n_jobs) {
		struct strvec ids = STRVEC_INIT;

		for (size_t i = 0; i < s->n_jobs; i++)
			strvec_push(&ids, s->jobs[i]->id);
		(void)!scancel(NULL, NULL, &ids, false);
		strvec_clear(&ids);
	}
	for (size_t i = 0; i < s->n_jobs; i++) {
		free(s->jobs[i]->script);
		free(s->jobs[i]->dir);
		strvec_clear(&s->jobs[i]->sdirs);
		free(s->jobs[i]->b);
		free(s->jobs[i]);
	}
	free(s->jobs);
	free(s->open.slot);
	free(s->ready);
	if (s->ino >= 0)
		close(s->ino);
	strvec_clear(&s->watched);
	free(s->wds);
	strvec_clear(&s->extra);
	free(s->work_dir);
	free(s->slurm_dir);
	free(s->partition);
	free(s->account);
	free(s->job_name);
	free(s->tag);
	free(s->group_runner);
	free(s->jobcomp);
	free(s);
}

static const struct executor_ops slurm_ops = {
	.submit = slurm_submit,
	.adopt = slurm_adopt,
	.wait = slurm_wait,
	.cancel = slurm_cancel,
	.pending = slurm_pending,
	.free = slurm_free,
	.lookup = slurm_lookup,
};

struct executor *
executor_slurm_new(const struct exec_slurm_options *o)
{
	uint32_t rnd;
	struct slurm_ex *s = xcalloc(1, sizeof(*s));

	if (!o->work_dir)
		BUG("the Slurm executor needs a work directory");
	s->base.ops = &slurm_ops;
	s->base.wake_fd = -1;
	s->o = *o;
	s->work_dir = xstrdup(o->work_dir);
	s->slurm_dir = xasprintf("%s/slurm", o->work_dir);
	s->partition = xstrdup_or_null(o->partition);
	s->account = xstrdup_or_null(o->account);
	s->job_name = xstrdup(o->job_name ? o->job_name : "cascade");
	/*
	 * The script's name is how a later run finds the job of builds a
	 * dead run submitted (squeue's %o): a random part makes it this
	 * executor's alone, never the name of a job Slurm still lists from
	 * an earlier mission with the same run numbers and directories.
	 */
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (uint32_t)timeutil_mono_ns() ^ (uint32_t)getpid();
	if (o->tag)
		s->tag = xasprintf("%s-%08" PRIx32, o->tag, rnd);
	else
		s->tag = xasprintf("%ld-%08" PRIx32, (long)getpid(), rnd);
	strvec_init(&s->extra);
	strvec_init(&s->watched);
	for (size_t i = 0; o->extra && i < o->extra->nr; i++)
		strvec_push(&s->extra, o->extra->v[i]);
	if (!s->o.group_cpus)
		s->o.group_cpus = 2;
	if (!s->o.group_max)
		s->o.group_max = 1000;
	s->group_runner = xstrdup(o->group_runner
					  ? o->group_runner
					  : CASCADE_LIBEXECDIR
					  "/cascade-group-runner");
	s->o.group_runner = s->group_runner;
	if (s->o.poll_ms <= 0)
		s->o.poll_ms = 5000;
	if (s->o.grace_s <= 0)
		s->o.grace_s = 5;
	/* its own settings, for builds without theirs: its copies */
	s->o.work_dir = s->work_dir;
	s->o.partition = s->partition;
	s->o.account = s->account;
	s->o.job_name = s->job_name;
	s->o.tag = s->tag;
	s->o.extra = &s->extra;
	s->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return &s->base;
}
