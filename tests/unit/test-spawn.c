/*
 * test-spawn.c - starting, waiting for, timing out and killing children.
 *
 * Covers spawn.c against the fake codes in tests/fixtures/codes/ (run
 * from the repository root, as "make check-unit" does): results, exec
 * errors and their messages, environment, directory, descriptors,
 * timeouts with process-group kills, leftover grandchildren, capture and
 * the pool.  It does not test the runner's use of results.
 *
 * Nothing here sleeps.  Where a test needs a child to
 * have reached some point before its timeout may fire, the child says so
 * on a pipe and the test reads that first: deadlines are only acted upon
 * inside spawn_wait() and friends, so the order is fixed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"
#include "strbuf.h"
#include "unit.h"

#define CODES "tests/fixtures/codes/"
/* ends set_code()'s argument list */
#define END ((const char *)NULL)

static char tmpdir[] = "/tmp/cascade-test-spawn-XXXXXX";
static char tmpdir_real[PATH_MAX];
static int fds_at_start;

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = -1; /* the directory's own descriptor */

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 2; /* "." and ".." */
}

static int
suite_init(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;

	if (!mkdtemp(tmpdir) || !realpath(tmpdir, tmpdir_real))
		return -1;
	/* one child first: spawn.c may set up its SIGCHLD pipe for good */
	strvec_push(&c.args, "/bin/true");
	if (spawn_run(&c) < 0)
		return -1;
	spawn_child_release(&c);
	fds_at_start = count_fds();
	return 0;
}

static void
remove_tree(const char *path)
{
	DIR *d = opendir(path);

	if (d) {
		struct dirent *de;

		while ((de = readdir(d))) {
			struct strbuf sb = STRBUF_INIT;

			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, ".."))
				continue;
			strbuf_addf(&sb, "%s/%s", path, de->d_name);
			remove_tree(sb.buf);
			strbuf_release(&sb);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int
suite_clean(void)
{
	remove_tree(tmpdir);
	return 0;
}

/* Set c's argv to the fixture code followed by the NULL-ended args. */
static void
set_code(struct spawn_child *c, const char *code, ...)
{
	va_list ap;
	const char *arg;

	strvec_clear(&c->args);
	strvec_pushf(&c->args, CODES "%s", code);
	va_start(ap, code);
	while ((arg = va_arg(ap, const char *)))
		strvec_push(&c->args, arg);
	va_end(ap);
}

static void
read_path(const char *path, struct strbuf *sb)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	strbuf_reset(sb);
	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(sb, buf, (size_t)n);
	close(fd);
}

static int
cloexec_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Read one line (a pid) that a child wrote on the pipe; 0 at EOF. */
static long
read_pid_line(int fd)
{
	char buf[64];
	size_t len = 0;

	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	return strtol(buf, NULL, 10);
}

/* Whether the pipe has reached EOF now, i.e. no writer is left. */
static bool
pipe_at_eof(int fd)
{
	char buf[256];
	ssize_t n;

	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		return false;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	return n == 0;
}

/* Whether pid is a live process: not there, or a zombie, counts as gone. */
static bool
pid_alive(long pid)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	const char *p;
	bool alive = false;

	strbuf_addf(&path, "/proc/%ld/stat", pid);
	read_path(path.buf, &sb);
	p = strrchr(sb.buf, ')');
	if (p && p[1] == ' ')
		alive = p[2] != 'Z' && p[2] != 'X';
	strbuf_release(&sb);
	strbuf_release(&path);
	return alive;
}

static bool
pid_exists(long pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld", pid);
	return access(path, F_OK) == 0;
}

/*
 * Collect what the code under test logs on stderr, with errors visible
 * whatever level the unit runner chose.
 */
struct errcap {
	int saved;
	int fd;
	enum log_level level;
};

static void
errcap_begin(struct errcap *ec)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/stderr", tmpdir);
	fflush(stderr);
	ec->level = log_get_level();
	log_set_level(LOG_LEVEL_ERROR);
	ec->fd = open(path.buf, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ec->saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	dup2(ec->fd, 2);
	strbuf_release(&path);
}

static void
errcap_end(struct errcap *ec, struct strbuf *out)
{
	char buf[4096];
	ssize_t n;

	fflush(stderr);
	dup2(ec->saved, 2);
	close(ec->saved);
	log_set_level(ec->level);
	strbuf_reset(out);
	lseek(ec->fd, 0, SEEK_SET);
	while ((n = read(ec->fd, buf, sizeof(buf))) > 0)
		strbuf_add(out, buf, (size_t)n);
	close(ec->fd);
}

static unsigned
count_of(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Start c, expecting failure with errno err and one error line msg. */
static void
expect_start_failure(struct spawn_child *c, int err, const char *msg)
{
	struct strbuf log = STRBUF_INIT;
	struct errcap ec;
	int rc;

	errcap_begin(&ec);
	rc = spawn_start(c);
	errcap_end(&ec, &log);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT(c->start_failed);
	CU_ASSERT_EQUAL(c->state, SPAWN_STATE_FAILED);
	CU_ASSERT_EQUAL(c->exec_errno, err);
	CU_ASSERT_EQUAL(c->pidfd, -1);
	CU_ASSERT_EQUAL(spawn_exit_status(c), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(log.buf, msg));
	CU_ASSERT_EQUAL(count_of(log.buf, "ERROR:"), 1);
	if (!strstr(log.buf, msg))
		fprintf(stderr, "expected \"%s\" in: %s\n", msg, log.buf);
	/* a forked child that could not exec has been reaped */
	if (c->pid > 0)
		CU_ASSERT(!pid_exists(c->pid));
	strbuf_release(&log);
}

static void
test_success_to_log(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	struct errcap ec;
	int fd, rc;

	strbuf_addf(&path, "%s/ok.log", tmpdir);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CU_ASSERT(fd >= 0);
	set_code(&c, "ok.sh", "hello", "world", END);
	c.out_fd = fd;
	CU_ASSERT_EQUAL(spawn_run(&c), 0);
	CU_ASSERT_EQUAL(c.state, SPAWN_STATE_DONE);
	CU_ASSERT(c.pid > 0);
	CU_ASSERT_EQUAL(c.exit_code, 0);
	CU_ASSERT_EQUAL(c.term_signal, 0);
	CU_ASSERT_EQUAL(spawn_exit_status(&c), 0);
	CU_ASSERT(!c.timed_out);
	CU_ASSERT(!c.terminated);
	CU_ASSERT(!c.start_failed);
	CU_ASSERT_EQUAL(c.leftovers, 0);
	CU_ASSERT(c.rusage.ru_maxrss > 0);
	CU_ASSERT(c.wall_us > 0);
	CU_ASSERT_EQUAL(c.pidfd, -1);
	read_path(path.buf, &sb);
	CU_ASSERT_STRING_EQUAL(sb.buf, "out: hello world\nerr: hello world\n");
	strbuf_reset(&sb);
	spawn_describe(&c, &sb);
	CU_ASSERT_STRING_EQUAL(sb.buf, "exited with status 0");

	/* lots of stderr, through the same descriptor; a child is reusable */
	CU_ASSERT_EQUAL(ftruncate(fd, 0), 0);
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_SET), 0);
	set_code(&c, "flood.sh", "err", "256", END);
	CU_ASSERT_EQUAL(spawn_run(&c), 0);
	CU_ASSERT_EQUAL(c.exit_code, 0);
	read_path(path.buf, &sb);
	CU_ASSERT_EQUAL(sb.len, 256 * 1024);
	CU_ASSERT_EQUAL(count_of(sb.buf, "x"), 256 * 1024);

	/* and to /dev/null */
	c.out_fd = -1;
	CU_ASSERT_EQUAL(spawn_run(&c), 0);
	CU_ASSERT_EQUAL(c.exit_code, 0);

	/* our own stderr (fd 2, here a file) as the child's stdout */
	set_code(&c, "ok.sh", "via", "fd2", END);
	c.out_fd = 2;
	errcap_begin(&ec);
	rc = spawn_run(&c);
	errcap_end(&ec, &sb);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(c.exit_code, 0);
	CU_ASSERT_STRING_EQUAL(sb.buf, "out: via fd2\nerr: via fd2\n");

	close(fd);
	spawn_child_release(&c);
	strbuf_release(&path);
	strbuf_release(&sb);
}

static void
test_exit_code(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf sb = STRBUF_INIT;

	set_code(&c, "exit-code.sh", "3", END);
	CU_ASSERT_EQUAL(spawn_run(&c), 0);
	CU_ASSERT_EQUAL(c.exit_code, 3);
	CU_ASSERT_EQUAL(c.term_signal, 0);
	CU_ASSERT_EQUAL(spawn_exit_status(&c), 3);
	spawn_describe(&c, &sb);
	CU_ASSERT_STRING_EQUAL(sb.buf, "exited with status 3");

	/* 127 from a program is just 127: exec errors come another way */
	set_code(&c, "exit-code.sh", "127", END);
	CU_ASSERT_EQUAL(spawn_run(&c), 0);
	CU_ASSERT_EQUAL(c.exit_code, 127);
	CU_ASSERT(!c.start_failed);

	spawn_child_release(&c);
	strbuf_release(&sb);
}

static void
test_signal(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf sb = STRBUF_INIT;

	set_code(&c, "die-signal.sh", "SEGV", END);
	CU_ASSERT_EQUAL(spawn_run(&c), 0);
	CU_ASSERT_EQUAL(c.exit_code, -1);
	CU_ASSERT_EQUAL(c.term_signal, SIGSEGV);
	CU_ASSERT_EQUAL(spawn_exit_status(&c), 128 + SIGSEGV);
	spawn_describe(&c, &sb);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "was terminated by signal 11 ("));

	set_code(&c, "die-signal.sh", "KILL", END);
	CU_ASSERT_EQUAL(spawn_run(&c), 0);
	CU_ASSERT_EQUAL(c.exit_code, -1);
	CU_ASSERT_EQUAL(c.term_signal, SIGKILL);
	CU_ASSERT_EQUAL(spawn_exit_status(&c), 128 + SIGKILL);
	CU_ASSERT(!c.timed_out);

	spawn_child_release(&c);
	strbuf_release(&sb);
}

static void
test_exec_errors(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf sb = STRBUF_INIT;

	set_code(&c, "no-such-code", END);
	expect_start_failure(&c, ENOENT,
			     "ERROR: could not execute \"" CODES
			     "no-such-code\": No such file or directory");
	CU_ASSERT_EQUAL(c.pid, 0);
	spawn_describe(&c, &sb);
	CU_ASSERT_STRING_EQUAL(
		sb.buf, "could not be started (No such file or directory)");

	set_code(&c, "not-executable.sh", END);
	expect_start_failure(&c, EACCES,
			     "ERROR: could not execute \"" CODES
			     "not-executable.sh\": Permission denied");

	strvec_clear(&c.args);
	strvec_push(&c.args, "tests/fixtures/codes");
	expect_start_failure(&c, EACCES,
			     "ERROR: could not execute "
			     "\"tests/fixtures/codes\": not a regular file");

	/* these pass the checks and fail in the child: the pipe reports */
	set_code(&c, "no-shebang", END);
	expect_start_failure(&c, ENOEXEC,
			     "ERROR: could not execute \"" CODES
			     "no-shebang\": Exec format error");
	CU_ASSERT(c.pid > 0);

	set_code(&c, "ok.sh", END);
	c.dir = "/nonexistent-cascade-dir";
	expect_start_failure(&c, ENOENT,
			     "ERROR: could not change directory to "
			     "\"/nonexistent-cascade-dir\": No such file or "
			     "directory");
	CU_ASSERT(c.pid > 0);
	c.dir = NULL;

	strvec_push(&c.env_delta, "=oops");
	expect_start_failure(&c, 0,
			     "ERROR: invalid environment entry \"=oops\"");

	spawn_child_release(&c);
	strbuf_release(&sb);
}

static void
test_path_search(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	char codes[PATH_MAX];

	strvec_push(&c.args, "true");
	CU_ASSERT_EQUAL(spawn_run(&c), 0);
	CU_ASSERT_EQUAL(c.exit_code, 0);

	strvec_clear(&c.args);
	strvec_push(&c.args, "cascade-no-such-program");
	expect_start_failure(&c, ENOENT,
			     "ERROR: could not find program "
			     "\"cascade-no-such-program\" in PATH");

	/* the child's PATH, after the delta, is the one searched */
	CU_ASSERT_PTR_NOT_NULL(realpath("tests/fixtures/codes", codes));
	strvec_clear(&c.args);
	strvec_push(&c.args, "exit-code.sh");
	strvec_push(&c.args, "5");
	strvec_pushf(&c.env_delta, "PATH=/nonexistent::%s", codes);
	CU_ASSERT_EQUAL(spawn_run(&c), 0);
	CU_ASSERT_EQUAL(c.exit_code, 5);

	spawn_child_release(&c);
}

static void
test_environment(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT;
	int nullfd, leak;

	/* a descriptor without FD_CLOEXEC must not reach the child */
	nullfd = open("/dev/null", O_RDONLY);
	leak = fcntl(nullfd, F_DUPFD, 50);
	CU_ASSERT(leak >= 50);

	setenv("CASCADE_T_UNSET", "parent", 1);
	setenv("CASCADE_T_INHERIT", "inherited", 1);
	set_code(&c, "probe.sh", "env:CASCADE_T_SET", "env:CASCADE_T_UNSET",
		 "env:CASCADE_T_DUP", "env:CASCADE_T_GONE",
		 "env:CASCADE_T_INHERIT", END);
	strvec_pushf(&c.args, "fd:%d", leak);
	strvec_push(&c.env_delta, "CASCADE_T_SET=hello world");
	strvec_push(&c.env_delta, "CASCADE_T_UNSET");
	strvec_push(&c.env_delta, "CASCADE_T_DUP=1");
	strvec_push(&c.env_delta, "CASCADE_T_DUP=2");
	strvec_push(&c.env_delta, "CASCADE_T_GONE=1");
	strvec_push(&c.env_delta, "CASCADE_T_GONE");
	c.dir = tmpdir;
	c.err_fd = -1;
	CU_ASSERT_EQUAL(spawn_run_capture(&c, &out, 0), 0);
	CU_ASSERT_EQUAL(c.exit_code, 0);
	strbuf_addf(&want,
		    "pwd=%s\n"
		    "stdin=eof\n"
		    "CASCADE_T_SET=hello world\n"
		    "CASCADE_T_UNSET unset\n"
		    "CASCADE_T_DUP=2\n"
		    "CASCADE_T_GONE unset\n"
		    "CASCADE_T_INHERIT=inherited\n"
		    "fd%d=closed\n",
		    tmpdir_real, leak);
	CU_ASSERT_STRING_EQUAL(out.buf, want.buf);
	/* our own environment is untouched */
	CU_ASSERT_STRING_EQUAL(getenv("CASCADE_T_UNSET"), "parent");
	CU_ASSERT_PTR_NULL(getenv("CASCADE_T_SET"));

	unsetenv("CASCADE_T_UNSET");
	unsetenv("CASCADE_T_INHERIT");
	close(leak);
	close(nullfd);
	spawn_child_release(&c);
	strbuf_release(&out);
	strbuf_release(&want);
}

static void
test_capture(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf out = STRBUF_INIT, log = STRBUF_INIT;
	struct errcap ec;
	int rc;

	/* stderr is captured too by default, and output is appended */
	strbuf_addstr(&out, "keep:");
	set_code(&c, "ok.sh", "a", "b", END);
	CU_ASSERT_EQUAL(spawn_run_capture(&c, &out, 0), 0);
	CU_ASSERT_STRING_EQUAL(out.buf, "keep:out: a b\nerr: a b\n");

	/* stderr elsewhere: lots of it does not count */
	strbuf_reset(&out);
	set_code(&c, "flood.sh", "err", "256", END);
	c.err_fd = -1;
	CU_ASSERT_EQUAL(spawn_run_capture(&c, &out, 0), 0);
	CU_ASSERT_EQUAL(c.exit_code, 0);
	CU_ASSERT_EQUAL(out.len, 0);

	/* exactly the limit is fine */
	set_code(&c, "flood.sh", "out", "64", END);
	CU_ASSERT_EQUAL(spawn_run_capture(&c, &out, 64 * 1024), 0);
	CU_ASSERT_EQUAL(out.len, 64 * 1024);

	CU_ASSERT(!c.output_overflow);

	/*
	 * One KiB more is a result, not an error: the child is killed and
	 * reaped, the output dropped, nothing reported.
	 */
	strbuf_reset(&out);
	strbuf_addstr(&out, "keep");
	set_code(&c, "flood.sh", "out", "65", END);
	errcap_begin(&ec);
	rc = spawn_run_capture(&c, &out, 64 * 1024);
	errcap_end(&ec, &log);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(c.output_overflow);
	CU_ASSERT_STRING_EQUAL(out.buf, "keep");
	CU_ASSERT_EQUAL(c.state, SPAWN_STATE_DONE);
	CU_ASSERT(!pid_exists(c.pid));
	CU_ASSERT_EQUAL(log.len, 0);
	{
		struct strbuf d = STRBUF_INIT;

		spawn_describe(&c, &d);
		CU_ASSERT_PTR_NOT_NULL(strstr(d.buf, "after its output "
						     "exceeded the limit"));
		strbuf_release(&d);
	}

	/* a start failure is an error too */
	set_code(&c, "no-such-code", END);
	errcap_begin(&ec);
	rc = spawn_run_capture(&c, &out, 0);
	errcap_end(&ec, &log);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT(c.start_failed);
	CU_ASSERT_STRING_EQUAL(out.buf, "keep");

	/*
	 * A timeout is a result; the grandchild holding stdout open does
	 * not keep us waiting for EOF.
	 */
	strbuf_reset(&out);
	set_code(&c, "hang.sh", END);
	c.timeout_ms = 100;
	CU_ASSERT_EQUAL(spawn_run_capture(&c, &out, 0), 0);
	CU_ASSERT(c.timed_out);
	CU_ASSERT_EQUAL(c.term_signal, SIGTERM);
	CU_ASSERT(c.wall_us >= 100000);

	spawn_child_release(&c);
	strbuf_release(&out);
	strbuf_release(&log);
}

/* spawn_wait(), if c is running (or being stopped) as it should be. */
static void
wait_ok(struct spawn_child *c)
{
	bool running = c->state == SPAWN_STATE_RUNNING ||
		       c->state == SPAWN_STATE_TERMINATING;

	CU_ASSERT(running);
	if (running)
		CU_ASSERT_EQUAL(spawn_wait(c), 0);
}

/*
 * Start grandchild.sh (mode NULL) or hang.sh (mode "" or "ignore-term")
 * writing to a pipe, and wait until it has reported its grandchild;
 * returns that pid, with *rfd the read end.
 */
static long
start_hang(struct spawn_child *c, const char *mode, int *rfd)
{
	int fds[2];
	long gpid;

	*rfd = -1;
	if (cloexec_pipe(fds) < 0)
		return 0;
	if (!mode)
		set_code(c, "grandchild.sh", END);
	else if (!*mode)
		set_code(c, "hang.sh", END);
	else
		set_code(c, "hang.sh", mode, END);
	c->out_fd = fds[1];
	if (spawn_start(c) < 0) {
		close(fds[0]);
		close(fds[1]);
		return 0;
	}
	close(fds[1]);
	c->out_fd = -1;
	*rfd = fds[0];
	gpid = read_pid_line(fds[0]);
	CU_ASSERT(gpid > 0);
	CU_ASSERT(pid_alive(gpid));
	return gpid;
}

static void
test_timeout_kills_group(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf sb = STRBUF_INIT;
	long gpid;
	int rfd;

	c.timeout_ms = 100;
	gpid = start_hang(&c, "", &rfd);
	wait_ok(&c);
	CU_ASSERT(c.timed_out);
	CU_ASSERT(!c.terminated);
	CU_ASSERT_EQUAL(c.term_signal, SIGTERM);
	CU_ASSERT_EQUAL(spawn_exit_status(&c), 128 + SIGTERM);
	CU_ASSERT(c.wall_us >= 100000);
	CU_ASSERT(gpid > 0 && !pid_alive(gpid));
	CU_ASSERT(rfd >= 0 && pipe_at_eof(rfd));
	spawn_describe(&c, &sb);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "was terminated by signal 15 ("));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, ") after timing out (100 ms)"));
	if (rfd >= 0)
		close(rfd);

	/* SIGTERM ignored by all: SIGKILL after the grace period */
	c.timeout_ms = 100;
	c.kill_grace_ms = 100;
	gpid = start_hang(&c, "ignore-term", &rfd);
	wait_ok(&c);
	CU_ASSERT(c.timed_out);
	CU_ASSERT_EQUAL(c.term_signal, SIGKILL);
	CU_ASSERT(c.wall_us >= 200000);
	CU_ASSERT(gpid > 0 && !pid_alive(gpid));
	CU_ASSERT(rfd >= 0 && pipe_at_eof(rfd));
	if (rfd >= 0)
		close(rfd);

	spawn_child_release(&c);
	strbuf_release(&sb);
}

static void
test_leftover_grandchild(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf sb = STRBUF_INIT;
	long gpid;
	int rfd;

	gpid = start_hang(&c, NULL, &rfd);
	wait_ok(&c);
	CU_ASSERT_EQUAL(c.exit_code, 0);
	CU_ASSERT(!c.timed_out);
	CU_ASSERT_EQUAL(c.leftovers, 1);
	CU_ASSERT(gpid > 0 && !pid_alive(gpid));
	/* nothing holds the child's stdout any more */
	CU_ASSERT(rfd >= 0 && pipe_at_eof(rfd));
	spawn_describe(&c, &sb);
	CU_ASSERT_STRING_EQUAL(sb.buf,
			       "exited with status 0; 1 leftover process(es) "
			       "in its group were killed");
	if (rfd >= 0)
		close(rfd);
	spawn_child_release(&c);
	strbuf_release(&sb);
}

static void
test_terminate_and_release(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf sb = STRBUF_INIT;
	long gpid;
	pid_t pid;
	int rfd;

	gpid = start_hang(&c, "", &rfd);
	spawn_terminate(&c);
	spawn_terminate(&c); /* no-op */
	wait_ok(&c);
	CU_ASSERT(c.terminated);
	CU_ASSERT(!c.timed_out);
	CU_ASSERT_EQUAL(c.term_signal, SIGTERM);
	CU_ASSERT(!pid_alive(gpid));
	spawn_describe(&c, &sb);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, ") after being asked to stop"));
	if (rfd >= 0)
		close(rfd);

	/* releasing a running child kills and reaps its whole group */
	gpid = start_hang(&c, "", &rfd);
	pid = c.pid;
	spawn_child_release(&c);
	CU_ASSERT(!pid_exists(pid));
	CU_ASSERT(!pid_alive(gpid));
	CU_ASSERT(rfd >= 0 && pipe_at_eof(rfd));
	CU_ASSERT_EQUAL(c.state, SPAWN_STATE_NEW);
	CU_ASSERT_EQUAL(c.args.nr, 0);
	if (rfd >= 0)
		close(rfd);

	strbuf_release(&sb);
}

static void
test_release_zeroed(void)
{
	struct spawn_child c;
	struct spawn_pool pool;

	memset(&c, 0, sizeof(c));
	spawn_child_release(&c);
	CU_ASSERT_EQUAL(c.pidfd, -1);
	CU_ASSERT_EQUAL(c.out_fd, -1);
	CU_ASSERT_EQUAL(c.weight, 1);
	spawn_child_release(&c);

	memset(&pool, 0, sizeof(pool));
	spawn_pool_release(&pool);
	CU_ASSERT_EQUAL(pool.wake_fd, -1);
	spawn_pool_release(&pool);
}

#define NPOOL 20

static void
test_pool_parallel(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct spawn_child kids[NPOOL];
	struct spawn_child *done;
	struct strbuf dir = STRBUF_INIT, sb = STRBUF_INIT;
	unsigned started = 0, finished = 0, lines = 0, too_many = 0;
	int r, seen[NPOOL] = {0};

	strbuf_addf(&dir, "%s/pool", tmpdir);
	CU_ASSERT_EQUAL(mkdir(dir.buf, 0700), 0);
	strbuf_addstr(&dir, "/running");
	CU_ASSERT_EQUAL(mkdir(dir.buf, 0700), 0);
	strbuf_setlen(&dir, dir.len - strlen("/running"));

	spawn_pool_init(&pool, 2);
	for (int i = 0; i < NPOOL; i++) {
		spawn_child_init(&kids[i]);
		set_code(&kids[i], "pool-worker.sh", dir.buf, END);
		strvec_pushf(&kids[i].args, "%d", i);
		kids[i].data = &seen[i];
		spawn_pool_add(&pool, &kids[i]);
	}

	/* the first call starts exactly as many as fit */
	r = spawn_pool_wait(&pool, 0, &done);
	CU_ASSERT(r == SPAWN_POOL_TIMEOUT || r == SPAWN_POOL_DONE);
	for (int i = 0; i < NPOOL; i++)
		if (kids[i].pid > 0)
			started++;
	CU_ASSERT_EQUAL(started, 2);
	if (r == SPAWN_POOL_DONE)
		finished++;

	for (int guard = 0; guard < 10 * NPOOL; guard++) {
		r = spawn_pool_wait(&pool, -1, &done);
		CU_ASSERT(pool.used <= 2);
		CU_ASSERT(pool.nr_running <= 2);
		if (r != SPAWN_POOL_DONE)
			break;
		finished++;
		CU_ASSERT_EQUAL(done->state, SPAWN_STATE_DONE);
		CU_ASSERT(!done->in_pool);
		CU_ASSERT_EQUAL(done->exit_code, (done - kids) % 4);
		(*(int *)done->data)++;
	}
	CU_ASSERT_EQUAL(r, SPAWN_POOL_EMPTY);
	CU_ASSERT_EQUAL(pool.used, 0);
	/* the first call's child, if any, was counted above */
	CU_ASSERT_EQUAL(finished, NPOOL);
	for (int i = 0; i < NPOOL; i++)
		CU_ASSERT(seen[i] <= 1);

	/* what the children saw: never more than two running at once */
	strbuf_addstr(&dir, "/counts");
	read_path(dir.buf, &sb);
	for (const char *p = sb.buf; *p; p++) {
		if (*p == '\n') {
			lines++;
		} else if (*p < '1' || *p > '2' || (p[1] && p[1] != '\n')) {
			too_many++;
		}
	}
	CU_ASSERT_EQUAL(lines, NPOOL);
	CU_ASSERT_EQUAL(too_many, 0);

	for (int i = 0; i < NPOOL; i++)
		spawn_child_release(&kids[i]);
	spawn_pool_release(&pool);
	strbuf_release(&dir);
	strbuf_release(&sb);
}

static void
test_pool_weights(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct spawn_child kids[4];
	struct spawn_child *done;
	static const unsigned weight[4] = {2, 2, 1, 7};
	unsigned started = 0, finished = 0;
	int r;

	spawn_pool_init(&pool, 3);
	CU_ASSERT(spawn_pool_has_room(&pool, 3));
	CU_ASSERT(spawn_pool_has_room(&pool, 7)); /* runs alone */
	for (int i = 0; i < 4; i++) {
		spawn_child_init(&kids[i]);
		set_code(&kids[i], "exit-code.sh", END);
		strvec_pushf(&kids[i].args, "%d", 10 + i);
		kids[i].weight = weight[i];
		spawn_pool_add(&pool, &kids[i]);
	}
	/* 2 fits, the next 2 does not, and order is kept: 1 is not let by */
	r = spawn_pool_wait(&pool, 0, &done);
	for (int i = 0; i < 4; i++)
		if (kids[i].pid > 0)
			started++;
	CU_ASSERT_EQUAL(started, 1);
	CU_ASSERT(kids[0].pid > 0);
	if (r == SPAWN_POOL_DONE) {
		finished++;
	} else {
		CU_ASSERT_EQUAL(pool.used, 2);
		CU_ASSERT(spawn_pool_has_room(&pool, 1));
		CU_ASSERT(!spawn_pool_has_room(&pool, 2));
	}
	for (int guard = 0; guard < 40; guard++) {
		r = spawn_pool_wait(&pool, -1, &done);
		if (r != SPAWN_POOL_DONE)
			break;
		CU_ASSERT_EQUAL(done->exit_code, 10 + (done - kids));
		finished++;
	}
	CU_ASSERT_EQUAL(r, SPAWN_POOL_EMPTY);
	CU_ASSERT_EQUAL(finished, 4);
	CU_ASSERT_EQUAL(pool.used, 0);

	for (int i = 0; i < 4; i++)
		spawn_child_release(&kids[i]);
	spawn_pool_release(&pool);
}

static void
test_pool_wake_and_kill_all(void)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct spawn_child kids[4], failing = SPAWN_CHILD_INIT;
	struct spawn_child *done = NULL;
	struct strbuf log = STRBUF_INIT;
	struct timespec t0, t1;
	struct errcap ec;
	int wake[2] = {-1, -1};
	long ms;
	char byte = 'x';
	int r;

	CU_ASSERT_EQUAL(cloexec_pipe(wake), 0);
	spawn_pool_init(&pool, 4);
	pool.wake_fd = wake[0];
	for (int i = 0; i < 3; i++) {
		spawn_child_init(&kids[i]);
		set_code(&kids[i], "hang.sh", END);
		CU_ASSERT(spawn_pool_has_room(&pool, 1));
		CU_ASSERT_EQUAL(spawn_pool_start(&pool, &kids[i]), 0);
	}
	/* the fourth is queued behind a heavy one and never starts */
	spawn_child_init(&kids[3]);
	set_code(&kids[3], "ok.sh", END);
	kids[3].weight = 4;
	spawn_pool_add(&pool, &kids[3]);
	CU_ASSERT_EQUAL(pool.used, 3);

	CU_ASSERT_EQUAL(write(wake[1], &byte, 1), 1);
	r = spawn_pool_wait(&pool, -1, &done);
	CU_ASSERT_EQUAL(r, SPAWN_POOL_WAKE);
	CU_ASSERT_PTR_NULL(done);
	CU_ASSERT_EQUAL(read(wake[0], &byte, 1), 1);

	r = spawn_pool_wait(&pool, 0, &done);
	CU_ASSERT_EQUAL(r, SPAWN_POOL_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = spawn_pool_wait(&pool, 50, &done);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CU_ASSERT_EQUAL(r, SPAWN_POOL_TIMEOUT);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CU_ASSERT(ms >= 50);

	CU_ASSERT_EQUAL(spawn_kill_all(&pool), 0);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(kids[i].state, SPAWN_STATE_DONE);
		CU_ASSERT(kids[i].terminated);
		CU_ASSERT(!kids[i].timed_out);
		CU_ASSERT_EQUAL(kids[i].term_signal, SIGTERM);
		CU_ASSERT(!pid_exists(kids[i].pid));
	}
	CU_ASSERT_EQUAL(kids[3].state, SPAWN_STATE_NEW);
	CU_ASSERT_EQUAL(kids[3].pid, 0);
	CU_ASSERT_EQUAL(pool.used, 0);
	CU_ASSERT_EQUAL(spawn_pool_wait(&pool, -1, &done), SPAWN_POOL_EMPTY);

	/* a queued child that cannot start comes back as done */
	set_code(&failing, "no-such-code", END);
	spawn_pool_add(&pool, &failing);
	errcap_begin(&ec);
	r = spawn_pool_wait(&pool, -1, &done);
	errcap_end(&ec, &log);
	CU_ASSERT_EQUAL(r, SPAWN_POOL_DONE);
	CU_ASSERT_PTR_EQUAL(done, &failing);
	CU_ASSERT(failing.start_failed);
	CU_ASSERT_EQUAL(failing.exec_errno, ENOENT);
	CU_ASSERT_EQUAL(count_of(log.buf, "ERROR: could not execute"), 1);
	CU_ASSERT_EQUAL(spawn_pool_wait(&pool, -1, &done), SPAWN_POOL_EMPTY);

	/* and one started directly reports at once */
	errcap_begin(&ec);
	r = spawn_pool_start(&pool, &failing);
	errcap_end(&ec, &log);
	CU_ASSERT_EQUAL(r, -1);
	CU_ASSERT_EQUAL(pool.used, 0);
	CU_ASSERT_EQUAL(pool.nr_running, 0);

	/* release stops what still runs */
	CU_ASSERT_EQUAL(spawn_pool_start(&pool, &kids[0]), 0);
	spawn_pool_release(&pool);
	CU_ASSERT_EQUAL(kids[0].state, SPAWN_STATE_DONE);
	CU_ASSERT(!pid_exists(kids[0].pid));

	for (int i = 0; i < 4; i++)
		spawn_child_release(&kids[i]);
	spawn_child_release(&failing);
	close(wake[0]);
	close(wake[1]);
	strbuf_release(&log);
}

/* Last: every pidfd, pipe and /dev/null opened on our side was closed. */
static void
test_no_fd_leak(void)
{
	CU_ASSERT(fds_at_start > 0);
	CU_ASSERT_EQUAL(count_fds(), fds_at_start);
}

/* poll fd for events, at most 10 s (a broken child must not hang us) */
static int
wait_fd(int fd, short events)
{
	struct pollfd pfd = {.fd = fd, .events = events};

	return poll(&pfd, 1, 10000);
}

/*
 * spawn_start_piped: what is written to its stdin comes back from its
 * stdout (cat); end of input ends it; spawn_finish reaps it.
 */
static void
test_piped_echo(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	char buf[64];
	ssize_t n;
	int to = -1, from = -1;

	strvec_push(&c.args, "/bin/cat");
	CU_ASSERT_EQUAL_FATAL(spawn_start_piped(&c, &to, &from), 0);
	CU_ASSERT(to > 2 && from > 2);
	CU_ASSERT(fcntl(to, F_GETFL) & O_NONBLOCK);
	CU_ASSERT(fcntl(from, F_GETFL) & O_NONBLOCK);
	CU_ASSERT(fcntl(from, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_EQUAL(spawn_pipe_write(to, "ping\0", 5), 5);
	CU_ASSERT_EQUAL(wait_fd(from, POLLIN), 1);
	n = read(from, buf, sizeof(buf));
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(memcmp(buf, "ping\0", 5), 0);
	close(to);
	CU_ASSERT_EQUAL(spawn_finish(&c, 10000), 0);
	CU_ASSERT_EQUAL(c.exit_code, 0);
	CU_ASSERT_FALSE(c.terminated);
	close(from);
	spawn_child_release(&c);
}

/*
 * A child that has gone: writing to it gives EPIPE, not SIGPIPE (which
 * would end this test program); spawn_finish(0) kills a live one.
 */
static void
test_piped_dead_reader(void)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	char buf[8];
	int to = -1, from = -1;

	strvec_push(&c.args, "/bin/sh");
	strvec_push(&c.args, "-c");
	strvec_push(&c.args, "exec 0<&-; exit 3");
	CU_ASSERT_EQUAL_FATAL(spawn_start_piped(&c, &to, &from), 0);
	CU_ASSERT_EQUAL(wait_fd(from, POLLIN), 1);
	CU_ASSERT_EQUAL(read(from, buf, sizeof(buf)), 0); /* it ended */
	CU_ASSERT_EQUAL(spawn_finish(&c, 10000), 0);
	CU_ASSERT_EQUAL(c.exit_code, 3);
	errno = 0;
	CU_ASSERT_EQUAL(spawn_pipe_write(to, "x", 1), -1);
	CU_ASSERT_EQUAL(errno, EPIPE);
	close(to);
	close(from);
	spawn_child_release(&c);

	strvec_push(&c.args, "/bin/cat");
	CU_ASSERT_EQUAL_FATAL(spawn_start_piped(&c, &to, &from), 0);
	CU_ASSERT_EQUAL(spawn_finish(&c, 0), 0);
	CU_ASSERT_EQUAL(c.term_signal, SIGKILL);
	CU_ASSERT_TRUE(c.terminated);
	close(to);
	close(from);
	spawn_child_release(&c);
}

void
suite_spawn(void)
{
	CU_pSuite s = CU_add_suite("spawn", suite_init, suite_clean);

	if (!s)
		unit_fail_registry();
	ADD_TEST(s, test_success_to_log);
	ADD_TEST(s, test_exit_code);
	ADD_TEST(s, test_signal);
	ADD_TEST(s, test_exec_errors);
	ADD_TEST(s, test_path_search);
	ADD_TEST(s, test_environment);
	ADD_TEST(s, test_capture);
	ADD_TEST(s, test_timeout_kills_group);
	ADD_TEST(s, test_leftover_grandchild);
	ADD_TEST(s, test_terminate_and_release);
	ADD_TEST(s, test_release_zeroed);
	ADD_TEST(s, test_pool_parallel);
	ADD_TEST(s, test_pool_weights);
	ADD_TEST(s, test_pool_wake_and_kill_all);
	ADD_TEST(s, test_no_fd_leak);
	ADD_TEST(s, test_piped_echo);
	ADD_TEST(s, test_piped_dead_reader);
}
