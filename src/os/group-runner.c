/*
 * group-runner.c - cascade-group-runner, the program that runs the builds
 * of a Slurm group job on its node (see executor-slurm.c and the
 * Executors section of docs/architecture.md).
 *
 *   cascade-group-runner SCRIPT CANCEL-FILE JOB
 *
 * The group script execs it, when it is installed on the node, with its
 * own path, its cancel file and the job's id: it reads the spec at the
 * script's end (group-spec.h) and does what the script's bash body would,
 * with the spawn module's pool: runs the builds in order, slots CPUs at a
 * time, each in a process group of its own with its output appended to
 * its log, enforces their timeouts (SIGTERM to the group, SIGKILL after
 * the grace), stops the builds the cancel file names when SIGURG comes
 * (those not started are not started), and on SIGTERM (scancel, the job's
 * time limit) stops every running build and starts no more.  Each build's
 * record (spawn_status_encode, the supervisor's) is written to
 * DIR/.job-JOB/NAME and renamed to its status path DIR/NAME at once: one
 * rename(2), so a record is whole or absent where the controller reads
 * it, and published exactly once.  No database, no shell: a fork (vfork)
 * and exec per build.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "group-spec.h"
#include "log.h"
#include "spawn.h"
#include "strbuf.h"
#include "strvec.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* how long a code killed by someone else waits for the job's SIGTERM */
#define STOP_NEWS_MS 250

/* the most of a group script read */
#define SCRIPT_MAX (256 * 1024 * 1024)

enum { R_WAITING = 0, R_RUNNING, R_DONE };

struct rbuild {
	const struct group_build *g;
	struct spawn_child c;
	int state;
	bool cancel;
	int log_fd;
	off_t log_size0;
	int out_errno;
};

static struct {
	struct group_spec spec;
	struct rbuild *b;
	const char *cancel_path, *job;
	bool stopping;
	struct strvec pdirs; /* the DIR/.job-JOB directories */
} R;

static int
read_file(const char *path, struct strbuf *sb)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return error("could not open \"%s\": %s", path,
			     strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0) {
			if (sb->len + (size_t)n > SCRIPT_MAX) {
				close(fd);
				return error("\"%s\" is too large", path);
			}
			strbuf_add(sb, buf, (size_t)n);
		}
	if (n < 0) {
		int e = errno;

		close(fd);
		return error("could not read \"%s\": %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

/* the directory and the name of a status path: DIR/.job-JOB/NAME */
static void
pending_path(const char *status, struct strbuf *sb)
{
	const char *slash = strrchr(status, '/');

	strbuf_add(sb, status, (size_t)(slash - status));
	strbuf_addf(sb, "/.job-%s%s", R.job, slash);
}

/* every DIR/.job-JOB, made (the status directories too, if need be) */
static int
make_pending_dirs(void)
{
	struct strbuf p = STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < R.spec.n && !rc; i++) {
		bool seen = false;

		strbuf_reset(&p);
		pending_path(R.spec.b[i].status, &p);
		*strrchr(p.buf, '/') = '\0';
		for (size_t k = 0; k < R.pdirs.nr && !seen; k++)
			seen = !strcmp(R.pdirs.v[k], p.buf);
		if (seen)
			continue;
		if (fsutil_mkdir_p(p.buf))
			rc = error("could not create directory \"%s\": %s",
				   p.buf, strerror(errno));
		strvec_push(&R.pdirs, p.buf);
	}
	strbuf_release(&p);
	return rc;
}

/* b's record written beside its status path, then renamed into place */
static void
publish(struct rbuild *b)
{
	struct strbuf rec = STRBUF_INIT, tmp = STRBUF_INIT;
	bool ok;
	int fd;

	spawn_status_encode(&b->c, &rec);
	pending_path(b->g->status, &tmp);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok = fd >= 0 && write(fd, rec.buf, rec.len) == (ssize_t)rec.len;
	if (fd >= 0 && close(fd))
		ok = false;
	if (!ok || rename(tmp.buf, b->g->status)) {
		/* what a missing record means is the controller's */
		error("could not write the record of \"%s\": %s", b->g->status,
		      strerror(errno));
		if (fd >= 0)
			unlink(tmp.buf);
	}
	strbuf_release(&rec);
	strbuf_release(&tmp);
}

/* b is not started (cancelled, or the job stops): its record */
static void
unstarted(struct rbuild *b)
{
	b->c.pid = 0;
	b->c.exit_code = -1;
	b->c.terminated = true;
	b->c.ended_at_us = timeutil_now_usec();
	strbuf_addstr(&b->c.ran_dir, b->g->dir);
	strbuf_addstr(&b->c.ran_log, b->g->log);
	publish(b);
	b->state = R_DONE;
}

/* the output b wrote to its log: its size and its last bytes */
static void
read_output(struct rbuild *b)
{
	struct stat st;
	int64_t ob;
	size_t tn;

	if (b->log_fd < 0 || fstat(b->log_fd, &st))
		return;
	ob = st.st_size - b->log_size0;
	if (ob <= 0)
		return;
	b->c.out_bytes = ob;
	tn = ob > SPAWN_TAIL_MAX ? SPAWN_TAIL_MAX : (size_t)ob;
	strbuf_grow(&b->c.tail, tn);
	if (pread(b->log_fd, b->c.tail.buf, tn, st.st_size - (off_t)tn) ==
	    (ssize_t)tn)
		strbuf_setlen(&b->c.tail, tn);
}

/* b ended (or could not start): its record */
static void
finish(struct rbuild *b)
{
	if (R.stopping && !b->c.start_failed)
		b->c.terminated = true;
	read_output(b);
	if (b->log_fd >= 0)
		close(b->log_fd);
	b->log_fd = -1;
	b->c.out_errno = b->out_errno;
	b->c.ended_at_us = timeutil_now_usec();
	strbuf_reset(&b->c.ran_dir);
	strbuf_reset(&b->c.ran_log);
	strbuf_addstr(&b->c.ran_dir, b->g->dir);
	strbuf_addstr(&b->c.ran_log, b->g->log);
	publish(b);
	b->state = R_DONE;
}

/*
 * why g cannot start (an errno), checked first as the bash body does, so
 * that a program or directory missing is said in the build's log, not
 * in the job's output: 0 if it may
 */
static int
precheck(const struct group_build *g)
{
	const char *prog = g->args.v[0];
	struct stat st;

	if (stat(g->dir, &st))
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	if (!strchr(prog, '/'))
		return 0;
	if (stat(prog, &st))
		return errno;
	if (!S_ISREG(st.st_mode) || access(prog, X_OK))
		return EACCES;
	return 0;
}

/* start b in the pool, or record why it could not start */
static void
start(struct spawn_pool *pool, struct rbuild *b)
{
	const struct group_build *g = b->g;
	struct stat st;
	int e = precheck(g);

	b->log_fd = open(g->log, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (b->log_fd < 0)
		b->log_fd = open(g->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
				 0666);
	if (b->log_fd < 0)
		b->out_errno = errno;
	else if (fstat(b->log_fd, &st) == 0)
		b->log_size0 = st.st_size;
	for (size_t i = 0; i < g->args.nr; i++)
		strvec_push(&b->c.args, g->args.v[i]);
	for (size_t i = 0; i < g->env.nr; i++)
		strvec_push(&b->c.env_delta, g->env.v[i]);
	b->c.dir = g->dir;
	b->c.out_fd = b->log_fd;
	b->c.err_fd = SPAWN_FD_OUT;
	b->c.timeout_ms = g->timeout_s > INT_MAX / 1000 ? INT_MAX
						       : g->timeout_s * 1000;
	b->c.kill_grace_ms = R.spec.grace_s * 1000;
	b->c.weight = g->cpus;
	b->state = R_RUNNING;
	if (!e && spawn_pool_start(pool, &b->c) == 0)
		return;
	if (e) {
		b->c.start_failed = true;
		b->c.exec_errno = e;
	}
	/* said in its log (spawn also reported its own failures) */
	if (b->log_fd >= 0) {
		struct strbuf m = STRBUF_INIT;

		strbuf_addf(&m, "cascade: could not start \"%s\" in \"%s\": %s\n",
			    g->args.v[0], g->dir, strerror(b->c.exec_errno));
		if (write(b->log_fd, m.buf, m.len) < 0)
			b->out_errno = errno;
		strbuf_release(&m);
		/* (not output of its own) */
		if (fstat(b->log_fd, &st) == 0)
			b->log_size0 = st.st_size;
	}
	finish(b);
}

/* the cancel file's status paths: those builds stop, or never start */
static void
load_cancel(void)
{
	struct strbuf t = STRBUF_INIT;
	struct stat st;

	if (stat(R.cancel_path, &st) || read_file(R.cancel_path, &t)) {
		strbuf_release(&t);
		return;
	}
	for (char *p = t.buf, *nl; p < t.buf + t.len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(t.buf + t.len - p));
		if (!nl)
			break; /* a line being written: the next signal's */
		*nl = '\0';
		for (size_t i = 0; i < R.spec.n; i++) {
			struct rbuild *b = &R.b[i];

			if (b->cancel || strcmp(b->g->status, p))
				continue;
			b->cancel = true;
			if (b->state == R_RUNNING)
				spawn_terminate(&b->c);
		}
	}
	strbuf_release(&t);
}

/* the signals that came: URG reads the cancel file, TERM stops all */
static void
read_signals(int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGURG) {
			load_cancel();
		} else if (!R.stopping) {
			R.stopping = true;
			for (size_t i = 0; i < R.spec.n; i++)
				if (R.b[i].state == R_RUNNING)
					spawn_terminate(&R.b[i].c);
		}
	}
}

/*
 * before c's record: a SIGTERM that came meanwhile (scancel, the time
 * limit) is read first, and c killed by a signal we did not send is
 * given a moment for it (Slurm signals the job's processes one by one,
 * and the code may die and be reaped before the runner's own signal
 * comes), so that its record says it was stopped, as the job's state
 * will
 */
static void
stop_news(int sfd, const struct spawn_child *c)
{
	struct pollfd p = {.fd = sfd, .events = POLLIN};

	if (!R.stopping && c->term_signal && !c->timed_out && !c->terminated)
		(void)!poll(&p, 1, STOP_NEWS_MS);
	read_signals(sfd);
}

static int
run(int sfd)
{
	struct spawn_pool pool;
	size_t next = 0, running = 0;
	int rc = 0;

	spawn_pool_init(&pool, R.spec.slots);
	pool.wake_fd = sfd;
	load_cancel();
	while (next < R.spec.n || running) {
		struct spawn_child *done;
		int r;

		read_signals(sfd);
		while (next < R.spec.n && (R.stopping || R.b[next].cancel))
			unstarted(&R.b[next++]);
		if (next < R.spec.n &&
		    spawn_pool_has_room(&pool, R.b[next].g->cpus)) {
			struct rbuild *b = &R.b[next++];

			start(&pool, b);
			if (b->state == R_RUNNING)
				running++;
			continue;
		}
		if (!running)
			continue;
		r = spawn_pool_wait(&pool, -1, &done);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == SPAWN_POOL_DONE) {
			stop_news(sfd, done);
			finish((struct rbuild *)done->data);
			running--;
		}
	}
	if (rc)
		(void)!spawn_kill_all(&pool);
	spawn_pool_release(&pool);
	return rc;
}

int
main(int argc, char **argv)
{
	struct strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	sigset_t set;
	int sfd, rc;

	log_init("cascade-group-runner");
	/*
	 * --check SCRIPT: whether this runner can run the script's spec (0),
	 * asked by the script before it hands over: a runner that cannot (an
	 * older one, which does not know --check either) leaves the job to
	 * the script's bash body instead of failing its builds
	 */
	if (argc == 3 && !strcmp(argv[1], "--check")) {
		if (read_file(argv[2], &text))
			return 1;
		rc = group_spec_parse(text.buf, text.len, &R.spec, &why);
		if (rc)
			error("\"%s\" is not a group script this runner can "
			      "run: %s",
			      argv[2], why.buf);
		strbuf_release(&text);
		strbuf_release(&why);
		return rc ? 1 : 0;
	}
	if (argc != 4) {
		error("usage: cascade-group-runner SCRIPT CANCEL-FILE JOB");
		return 2;
	}
	R.cancel_path = argv[2];
	R.job = argv[3];
	strvec_init(&R.pdirs);
	/* (before anything can take long: a SIGTERM now is a stop) */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGURG);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		error("could not create a signal descriptor: %s",
		      strerror(errno));
		return 1;
	}
	if (read_file(argv[1], &text))
		return 1;
	if (group_spec_parse(text.buf, text.len, &R.spec, &why)) {
		error("\"%s\" is not a group script this runner can run: %s",
		      argv[1], why.buf);
		log_hint("The runner must be of the cascade version that "
			 "submitted the job.");
		return 1;
	}
	strbuf_release(&text);
	strbuf_release(&why);
	if (make_pending_dirs())
		return 1;
	R.b = xcalloc(R.spec.n ? R.spec.n : 1, sizeof(*R.b));
	for (size_t i = 0; i < R.spec.n; i++) {
		R.b[i].g = &R.spec.b[i];
		spawn_child_init(&R.b[i].c);
		R.b[i].c.data = &R.b[i];
		R.b[i].log_fd = -1;
	}
	rc = run(sfd);
	for (size_t i = 0; i < R.pdirs.nr; i++)
		rmdir(R.pdirs.v[i]);
	for (size_t i = 0; i < R.spec.n; i++)
		spawn_child_release(&R.b[i].c);
	free(R.b);
	group_spec_release(&R.spec);
	strvec_clear(&R.pdirs);
	close(sfd);
	return rc ? 1 : 0;
}
