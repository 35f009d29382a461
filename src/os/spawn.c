/*
 * spawn.c - the only fork, exec, wait and kill in cascade.
 *
 * Owns starting programs (environment and argv built before fork, a new
 * process group, signals reset, fds 0-2 set up, everything else closed,
 * exec errors sent back through a close-on-exec pipe as git's run-command
 * does), waiting for them on pidfds (or a SIGCHLD self-pipe where there
 * are none) with deadlines taken from CLOCK_MONOTONIC, stopping their
 * process groups (SIGTERM, grace, SIGKILL), killing what they leave
 * behind, and reaping them with wait4() for the rusage.  A small pool runs
 * several children at once within a number of slots.
 *
 * It does not interpret results, open log files, handle our own SIGTERM
 * or SIGINT, or log children's outcomes above DEBUG: the runner does all
 * that.
 *
 * A process group id is only safe to signal while its leader is not
 * reaped (a zombie still holds its pid, so the number cannot be reused).
 * Every kill() here therefore happens before the wait4() of that child.
 */
/* pipe2(): a Linux facility */
#define _GNU_SOURCE 1

#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "spawn-int.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern char **environ;

/* How long to wait for SIGKILLed leftovers to be gone before giving up. */
#define LEFTOVER_WAIT_MS 2000

/*
 * pidfd_open() is missing under valgrind 3.19, before Linux 5.3 and in
 * old container seccomp profiles.  Then a SIGCHLD handler writes to this
 * self-pipe, and exits are checked with waitid(WNOWAIT), which leaves the
 * zombie, and so the process group id, in place.  Set up on first need
 * and kept for the life of the process.
 */
static bool no_pidfd;
static int chld_pipe[2] = {-1, -1};
/*
 * The signals a child must set back to their default action before exec:
 * every one (64 sigaction calls in each child), unless the process said
 * which it changed (spawn_signals_changed: the supervisor, which set them
 * all to default itself).  SIGCHLD is always among them (watch_sigchld).
 */
static bool sigs_known;
static sigset_t sigs_changed;

/* What the child reports through the notify pipe when it cannot exec. */
enum child_stage {
	STAGE_SETUP = 1,
	STAGE_CHDIR = 2,
	STAGE_EXEC = 3,
};

struct child_err {
	int stage;
	int err;
};

static int64_t
now_ns(void)
{
	return timeutil_mono_ns();
}

/*
 * Milliseconds until deadline for poll(), rounded up so that poll never
 * returns just before a deadline and makes us spin; -1 for no deadline.
 */
static int
poll_ms(int64_t now, int64_t deadline)
{
	int64_t ms;

	if (deadline < 0)
		return -1;
	if (deadline <= now)
		return 0;
	ms = (deadline - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static int64_t
earlier(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int
open_pidfd(pid_t pid)
{
	int fd;

	if (no_pidfd) {
		errno = ENOSYS;
		return -1;
	}
	/* no glibc declaration without _GNU_SOURCE; CLOEXEC is implied */
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		no_pidfd = true;
	return fd;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Make *fd (ours, close-on-exec) a descriptor above 2, so that the dup2()
 * calls in the child cannot clobber it when our stdio was closed.
 */
static int
move_above_stdio(int *fd)
{
	int nfd;

	if (*fd > 2)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (nfd < 0)
		return -1;
	close(*fd);
	*fd = nfd;
	return 0;
}

static int
cloexec_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if (move_above_stdio(&fds[0]) < 0 || move_above_stdio(&fds[1]) < 0) {
		int saved = errno;

		close_fd(&fds[0]);
		close_fd(&fds[1]);
		errno = saved;
		return -1;
	}
	return 0;
}

static bool
is_running(const struct spawn_child *c)
{
	return c->state == SPAWN_STATE_RUNNING ||
	       c->state == SPAWN_STATE_TERMINATING ||
	       c->state == SPAWN_STATE_KILLED;
}

static void
on_sigchld(int sig)
{
	int saved = errno;
	ssize_t n = write(chld_pipe[1], "", 1);

	(void)sig;
	(void)n; /* a full pipe already says "look" */
	errno = saved;
}

/* Set up the SIGCHLD self-pipe; -1 with errno set if that failed. */
static int
watch_sigchld(void)
{
	struct sigaction sa;

	if (chld_pipe[0] >= 0)
		return 0;
	if (cloexec_pipe(chld_pipe) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	if (fcntl(chld_pipe[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(chld_pipe[1], F_SETFL, O_NONBLOCK) < 0 ||
	    sigaction(SIGCHLD, &sa, NULL) < 0) {
		int saved = errno;

		close_fd(&chld_pipe[0]);
		close_fd(&chld_pipe[1]);
		errno = saved;
		return -1;
	}
	log_debug("pidfd_open is not available: watching SIGCHLD instead");
	return 0;
}

static void
drain_sigchld(void)
{
	char buf[64];

	if (chld_pipe[0] < 0)
		return;
	while (read(chld_pipe[0], buf, sizeof(buf)) > 0)
		;
}

/*
 * Without a pidfd: whether c has exited, leaving it unreaped.  Called
 * after drain_sigchld(), so an exit after this check still wakes poll().
 */
static bool
exited_nowait(const struct spawn_child *c)
{
	siginfo_t si;

	if (c->pidfd >= 0)
		return false;
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)c->pid, &si,
		      WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno != EINTR)
			return true; /* gone: reap() reports it */
	}
	return si.si_pid != 0;
}

/* What to poll for c's exit: its pidfd, or the SIGCHLD pipe. */
static int
watch_fd(const struct spawn_child *c)
{
	return c->pidfd >= 0 ? c->pidfd : chld_pipe[0];
}

void
spawn_child_init(struct spawn_child *c)
{
	*c = (struct spawn_child)SPAWN_CHILD_INIT;
}

static void
reset_results(struct spawn_child *c)
{
	c->pid = 0;
	c->exit_code = -1;
	c->term_signal = 0;
	c->core_dumped = false;
	c->timed_out = false;
	c->terminated = false;
	c->start_failed = false;
	c->exec_errno = 0;
	c->leftovers = 0;
	c->output_overflow = false;
	c->wall_us = 0;
	memset(&c->rusage, 0, sizeof(c->rusage));
	c->ended_at_us = 0;
	c->out_bytes = 0;
	c->out_dropped = 0;
	c->out_errno = 0;
	c->lost = false;
	strbuf_reset(&c->tail);
	strbuf_reset(&c->ran_dir);
	strbuf_reset(&c->ran_log);
	c->pidfd = -1;
	c->start_ns = 0;
	c->deadline_ns = -1;
}

/* ---- environment and program path, all built before fork ---- */

/* Whether a and b (each "NAME=value" or "NAME") name the same variable. */
static bool
same_name(const char *a, const char *b)
{
	size_t la = strcspn(a, "="), lb = strcspn(b, "=");

	return la == lb && !memcmp(a, b, la);
}

static bool
named_in(const struct strvec *delta, const char *entry, size_t from)
{
	for (size_t i = from; i < delta->nr; i++)
		if (same_name(delta->v[i], entry))
			return true;
	return false;
}

static int
build_env(const struct strvec *delta, struct strvec *env)
{
	for (size_t i = 0; i < delta->nr; i++)
		if (!delta->v[i][0] || delta->v[i][0] == '=')
			return error("invalid environment entry \"%s\"",
				     delta->v[i]);
	for (char **e = environ; e && *e; e++)
		if (!named_in(delta, *e, 0))
			strvec_push(env, *e);
	for (size_t i = 0; i < delta->nr; i++) {
		/* a bare name unsets; a later entry for the same name wins */
		if (!strchr(delta->v[i], '=') ||
		    named_in(delta, delta->v[i], i + 1))
			continue;
		strvec_push(env, delta->v[i]);
	}
	return 0;
}

/*
 * Check, as OpenSSH does before running a helper, that path is a regular
 * executable file.  Returns 0, or -1 with the error reported and
 * c->exec_errno set.
 */
static int
check_program(struct spawn_child *c, const char *path)
{
	const char *name = c->args.v[0];
	struct stat st;

	if (stat(path, &st) < 0) {
		c->exec_errno = errno;
		return error("could not execute \"%s\": %s", name,
			     strerror(c->exec_errno));
	}
	if (!S_ISREG(st.st_mode)) {
		c->exec_errno = EACCES;
		return error("could not execute \"%s\": not a regular file",
			     name);
	}
	if (access(path, X_OK) < 0) {
		c->exec_errno = errno;
		return error("could not execute \"%s\": %s", name,
			     strerror(c->exec_errno));
	}
	return 0;
}

static bool
is_executable_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

/* the first executable file dirs/name of the PATH-like list dirs */
static bool
search_path(const char *dirs, const char *name, struct strbuf *path)
{
	while (*dirs) {
		size_t len = strcspn(dirs, ":");

		/* an empty entry would mean ".": never for a controller */
		if (len) {
			strbuf_reset(path);
			strbuf_add(path, dirs, len);
			strbuf_addch(path, '/');
			strbuf_addstr(path, name);
			if (is_executable_file(path->buf))
				return true;
		}
		dirs += len;
		if (*dirs == ':')
			dirs++;
	}
	strbuf_reset(path);
	return false;
}

bool
spawn_which(const char *name, struct strbuf *path)
{
	const char *dirs = getenv("PATH");

	strbuf_reset(path);
	if (!*name)
		return false;
	if (strchr(name, '/')) {
		strbuf_addstr(path, name);
		return is_executable_file(path->buf);
	}
	return search_path(dirs ? dirs : "/usr/bin:/bin", name, path);
}

static int
add_cwd(struct strbuf *sb)
{
	size_t size = 256;

	for (;;) {
		strbuf_grow(sb, size);
		if (getcwd(sb->buf + sb->len, size)) {
			strbuf_setlen(sb, sb->len + strlen(sb->buf + sb->len));
			return 0;
		}
		if (errno != ERANGE)
			return -1;
		size *= 2;
	}
}

/*
 * Decide which file to execute: an absolute path as is, a relative path
 * with a slash against our working directory (the child chdirs before
 * exec), a bare name through the child's PATH.  Fills path, or returns -1
 * with the error reported and c->exec_errno set.
 */
static int
resolve_program(struct spawn_child *c, const struct strvec *env,
		struct strbuf *path)
{
	const char *name = c->args.v[0];
	const char *dirs = "/usr/bin:/bin";

	if (!*name) {
		c->exec_errno = ENOENT;
		return error("could not execute \"\": empty program name");
	}
	if (strchr(name, '/')) {
		if (name[0] != '/') {
			if (add_cwd(path) < 0) {
				c->exec_errno = errno;
				return error("could not get current "
					     "directory: %s",
					     strerror(c->exec_errno));
			}
			strbuf_addch(path, '/');
		}
		strbuf_addstr(path, name);
		return check_program(c, path->buf);
	}

	for (size_t i = 0; i < env->nr; i++)
		if (!strncmp(env->v[i], "PATH=", 5))
			dirs = env->v[i] + 5;
	if (search_path(dirs, name, path))
		return 0;
	c->exec_errno = ENOENT;
	return error("could not find program \"%s\" in PATH", name);
}

/*
 * vfork(): the child borrows our memory until it execs, so starting it
 * costs no copy of our page tables and no copy-on-write faults afterwards
 * (fork's cost grows with the controller's memory; this one does not).
 * We are suspended meanwhile.  child_exec() is written for it: system
 * calls only, no allocation, nothing of ours written (errno aside, which
 * the caller does not rely on across the call), and it never returns.
 * Under AddressSanitizer, whose shadow memory the child would share,
 * plain fork() is used.
 */
#if defined(__SANITIZE_ADDRESS__)
#define spawn_fork() fork()
#else
#define spawn_fork() vfork()
#endif

/* ---- the child side of fork: async-signal-safe calls only ---- */

CASCADE_NORETURN static void
child_fail(int notify, int stage)
{
	struct child_err ce = {stage, errno};
	ssize_t n;

	/* smaller than PIPE_BUF: written whole or not at all */
	n = write(notify, &ce, sizeof(ce));
	(void)n;
	_exit(127);
}

CASCADE_NORETURN static void
child_exec(const char *path, const struct spawn_child *c,
	   const struct strvec *env, int in, int out, int err, int notify)
{
	struct sigaction sa;
	sigset_t none;

	if (setpgid(0, 0) < 0)
		child_fail(notify, STAGE_SETUP);
	/*
	 * If we are killed (kill -9 of the controller), the child goes too:
	 * nobody would record its result, and the next run starts it again.
	 * The check after it closes the race with a parent that died before
	 * prctl.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != c->parent)
		child_fail(notify, STAGE_SETUP);

	/* ignored signals survive exec; all signals are blocked here */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (!sigs_known || sigismember(&sigs_changed, sig) == 1)
			sigaction(sig, &sa, NULL); /* EINVAL for KILL, STOP */
	/*
	 * Start with an empty mask rather than ours: a mask survives exec,
	 * and a blocked SIGTERM would turn every timeout into a SIGKILL.
	 */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	/* all sources are above 2 (see move_above_stdio), so none clobbered */
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		child_fail(notify, STAGE_SETUP);
	if (notify != 3) {
		int fd;

		close(3);
		fd = fcntl(notify, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			child_fail(notify, STAGE_SETUP);
		notify = fd;
	}
	closefrom(notify + 1);

	if (c->dir && chdir(c->dir) < 0)
		child_fail(notify, STAGE_CHDIR);
	execve(path, (char *const *)c->args.v, (char *const *)env->v);
	child_fail(notify, STAGE_EXEC);
}

/*
 * fork (see spawn_fork) and run child_exec in the child; in its own
 * frame, so that nothing of the caller's lives across the vfork
 */
__attribute__((noinline)) static pid_t
vfork_child(const char *path, const struct spawn_child *c,
		const struct strvec *env, int in, int out, int err, int notify)
{
	pid_t pid = spawn_fork();

	if (pid == 0)
		child_exec(path, c, env, in, out, err, notify);
	return pid;
}

/* ---- the parent side ---- */

static ssize_t
read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Reap a child that never got to run the program; no rusage wanted. */
static void
reap_failed(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/*
 * Signal the group of a child that is not reaped yet.  A child that left
 * its group with setpgid/setsid gets the signal directly as well.
 */
static void
signal_group(struct spawn_child *c, int sig)
{
	if (c->pid <= 0 || !is_running(c))
		BUG("signal to process group of a child that is not running");
	if (kill(-c->pid, sig) < 0 && errno != ESRCH)
		log_warning("could not send signal %d to process group %d: %s",
			    sig, (int)c->pid, strerror(errno));
	if (getpgid(c->pid) != c->pid)
		kill(c->pid, sig);
}

/* the descriptors a child gets: /dev/null, its stdout and stderr */
struct child_fds {
	int null_fd;
	int out, err;         /* above 2 (fcntl F_DUPFD_CLOEXEC if not) */
	int out_dup, err_dup; /* those duplicates, to close */
};

/*
 * Open /dev/null and set the child's stdout and stderr (-1: /dev/null,
 * err SPAWN_FD_OUT: like out) above the standard descriptors, so that
 * the child's dup2 onto 0..2 never closes one it still needs.  -1 on
 * failure (reported, c->exec_errno set); fds are closed by the caller.
 */
static int
child_fds(struct spawn_child *c, struct child_fds *fds, int out_fd, int err_fd)
{
	fds->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fds->null_fd < 0 || move_above_stdio(&fds->null_fd) < 0) {
		c->exec_errno = errno;
		error("could not open \"/dev/null\": %s", strerror(errno));
		return -1;
	}
	fds->out = out_fd < 0 ? fds->null_fd : out_fd;
	if (fds->out >= 0 && fds->out <= 2) {
		fds->out_dup = fcntl(fds->out, F_DUPFD_CLOEXEC, 3);
		fds->out = fds->out_dup;
	}
	fds->err = err_fd == SPAWN_FD_OUT ? fds->out
		   : err_fd < 0		  ? fds->null_fd
					  : err_fd;
	if (fds->err >= 0 && fds->err <= 2) {
		fds->err_dup = fcntl(fds->err, F_DUPFD_CLOEXEC, 3);
		fds->err = fds->err_dup;
	}
	if (fds->out < 0 || fds->err < 0) {
		c->exec_errno = errno;
		error("could not duplicate file descriptor: %s",
		      strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Read the child's report on notify (nothing: it did exec).  A child
 * that could not run the program is reaped and its failure reported:
 * -1, c->exec_errno set.
 */
static int
child_report(struct spawn_child *c, pid_t pid, int notify)
{
	const char *name = c->args.v[0];
	struct child_err ce;
	ssize_t n = read_full(notify, &ce, sizeof(ce));
	int saved = errno;

	if (n == 0)
		return 0;
	/* a child that did exec must not keep us waiting */
	if (n < 0)
		kill(-pid, SIGKILL);
	reap_failed(pid);
	if (n < 0) {
		c->exec_errno = saved;
		error("could not read from pipe: %s", strerror(saved));
	} else if (n != (ssize_t)sizeof(ce)) {
		error("could not execute \"%s\": short report from child "
		      "process",
		      name);
	} else {
		c->exec_errno = ce.err;
		if (ce.stage == STAGE_CHDIR)
			error("could not change directory to \"%s\": %s",
			      c->dir, strerror(ce.err));
		else if (ce.stage == STAGE_EXEC)
			error("could not execute \"%s\": %s", name,
			      strerror(ce.err));
		else
			error("could not set up child process for \"%s\": %s",
			      name, strerror(ce.err));
	}
	return -1;
}

/*
 * Fork and exec c with the given stdin (-1: /dev/null), stdout and
 * stderr (-1: /dev/null, err SPAWN_FD_OUT: like out).  See spawn_start().
 */
static int
start_child_in(struct spawn_child *c, int in_fd, int out_fd, int err_fd)
{
	struct strvec env = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	struct child_fds fds = {-1, -1, -1, -1, -1};
	int notify[2] = {-1, -1};
	sigset_t all, old;
	const char *name;
	pid_t pid;
	int ret = -1;

	if (c->in_pool)
		BUG("starting a child that is already in a pool");
	if (is_running(c))
		BUG("starting a child that is still running");
	if (!c->args.nr)
		BUG("starting a child without a program");
	name = c->args.v[0];
	reset_results(c);

	if (build_env(&c->env_delta, &env) < 0 ||
	    resolve_program(c, &env, &path) < 0)
		goto out;

	if (child_fds(c, &fds, out_fd, err_fd) < 0)
		goto out;
	if (cloexec_pipe(notify) < 0) {
		c->exec_errno = errno;
		error("could not create pipe: %s", strerror(errno));
		goto out;
	}

	/* no stdio buffer may be written twice, by us and by the child */
	fflush(NULL);
	/* no handler of ours may run in the child before it resets them */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	c->start_ns = now_ns();
	c->parent = getpid();
	pid = vfork_child(path.buf, c, &env, in_fd >= 0 ? in_fd : fds.null_fd,
			  fds.out, fds.err, notify[1]);
	if (pid < 0)
		c->exec_errno = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		error("could not fork to execute \"%s\": %s", name,
		      strerror(c->exec_errno));
		goto out;
	}
	c->pid = pid;
#if defined(__SANITIZE_ADDRESS__)
	/*
	 * The child does the same: whichever runs first closes the race.
	 * (After vfork it has: we were suspended until its exec or exit.)
	 */
	setpgid(pid, pid);
#endif

	close_fd(&notify[1]);
	if (child_report(c, pid, notify[0]) < 0)
		goto out;

	c->state = SPAWN_STATE_RUNNING;
	c->pidfd = open_pidfd(pid);
	if (c->pidfd < 0 && (!no_pidfd || watch_sigchld() < 0)) {
		c->exec_errno = errno;
		signal_group(c, SIGKILL);
		reap_failed(pid);
		error("could not watch process %d: %s", (int)pid,
		      strerror(c->exec_errno));
		goto out;
	}
	if (c->timeout_ms > 0)
		c->deadline_ns = c->start_ns + (int64_t)c->timeout_ms * 1000000;
	log_debug("started process %d: \"%s\"", (int)pid, path.buf);
	ret = 0;

out:
	if (ret < 0) {
		c->state = SPAWN_STATE_FAILED;
		c->start_failed = true;
		c->pidfd = -1;
	}
	close_fd(&notify[0]);
	close_fd(&notify[1]);
	close_fd(&fds.null_fd);
	close_fd(&fds.out_dup);
	close_fd(&fds.err_dup);
	strvec_clear(&env);
	strbuf_release(&path);
	return ret;
}

static int kill_and_reap(struct spawn_child *c);

static int
start_child(struct spawn_child *c, int out_fd, int err_fd)
{
	return start_child_in(c, -1, out_fd, err_fd);
}

int
spawn_start(struct spawn_child *c)
{
	return start_child(c, c->out_fd, c->err_fd);
}

int
spawn_start_piped(struct spawn_child *c, int *to_fd, int *from_fd)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	int ret = -1;

	*to_fd = *from_fd = -1;
	if (cloexec_pipe(in) < 0 || cloexec_pipe(out) < 0 ||
	    move_above_stdio(&in[0]) < 0 || move_above_stdio(&out[1]) < 0) {
		c->exec_errno = errno;
		c->start_failed = true;
		c->state = SPAWN_STATE_FAILED;
		error("could not create pipe: %s", strerror(errno));
		goto out;
	}
	if (start_child_in(c, in[0], out[1],
			   c->err_fd == SPAWN_FD_OUT ? -1 : c->err_fd) < 0)
		goto out;
	if (fcntl(in[1], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(out[0], F_SETFL, O_NONBLOCK) < 0) {
		error("could not set pipe non-blocking: %s", strerror(errno));
		kill_and_reap(c);
		goto out;
	}
	*to_fd = in[1];
	*from_fd = out[0];
	in[1] = out[0] = -1;
	ret = 0;
out:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	return ret;
}

ssize_t
spawn_pipe_write(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	bool was_pending;
	ssize_t n;
	int saved;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	saved = errno;
	if (n < 0 && errno == EPIPE && !was_pending) {
		const struct timespec zero = {0, 0};

		/* the SIGPIPE that write raised: taken, never delivered */
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 &&
		       errno == EINTR)
			;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}

int
spawn_finish(struct spawn_child *c, int wait_ms)
{
	if (c->in_pool || c->sup)
		BUG("spawn_finish on a child in a pool or supervised");
	if (!is_running(c))
		BUG("spawn_finish on a child that is not running");
	if (c->state == SPAWN_STATE_RUNNING) {
		int64_t now = now_ns();

		if (wait_ms <= 0) {
			c->terminated = true;
			return kill_and_reap(c);
		}
		/* its own timeout, if sooner, still counts as one */
		if (c->deadline_ns < 0 ||
		    c->deadline_ns > now + (int64_t)wait_ms * 1000000) {
			c->deadline_ns = now + (int64_t)wait_ms * 1000000;
			c->kill_grace_ms = 0;
			c->state = SPAWN_STATE_TERMINATING;
		}
	}
	return spawn_wait(c);
}

/* ---- termination and reaping ---- */

static void
begin_termination(struct spawn_child *c, int64_t now)
{
	signal_group(c, SIGTERM);
	/* a stopped process would keep SIGTERM pending until SIGKILL */
	signal_group(c, SIGCONT);
	c->state = SPAWN_STATE_TERMINATING;
	c->deadline_ns =
		now + (int64_t)(c->kill_grace_ms > 0 ? c->kill_grace_ms : 0) *
			      1000000;
}

/* Act on c's deadline if it has passed. */
static void
child_timer(struct spawn_child *c, int64_t now)
{
	if (c->deadline_ns < 0 || now < c->deadline_ns)
		return;
	if (c->state == SPAWN_STATE_RUNNING) {
		log_debug("process %d timed out after %d ms", (int)c->pid,
			  c->timeout_ms);
		c->timed_out = true;
		begin_termination(c, now);
	} else if (c->state == SPAWN_STATE_TERMINATING) {
		log_debug("process %d still there after SIGTERM, killing it",
			  (int)c->pid);
		signal_group(c, SIGKILL);
		c->state = SPAWN_STATE_KILLED;
		c->deadline_ns = -1;
	} else {
		c->deadline_ns = -1;
	}
}

static void add_running(struct spawn_pool *pool, struct spawn_child *c);

void
spawn_terminate(struct spawn_child *c)
{
	if (c->state != SPAWN_STATE_RUNNING)
		return;
	if (c->sup) {
		sup_terminate(c);
		return;
	}
	c->terminated = true;
	begin_termination(c, now_ns());
}

/*
 * If /proc/pid/stat describes a live (not zombie) process in group pgid.
 * The command name may contain anything, so parse after its last ')'.
 */
static bool
live_in_group(const char *pid, pid_t pgid)
{
	char path[64], buf[512];
	const char *p;
	char state;
	int fd, pgrp;
	ssize_t n;

	if (snprintf(path, sizeof(path), "/proc/%s/stat", pid) >=
	    (int)sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %d", &state, &pgrp) != 2)
		return false;
	return pgrp == pgid && state != 'Z' && state != 'X';
}

/*
 * Leftovers without a pidfd (see no_pidfd) are not our children, so
 * nothing tells us when they are gone: look at /proc every millisecond
 * until deadline.  Only where pidfd_open() is missing.
 */
static void
wait_gone_slowly(const pid_t *pids, size_t nr, pid_t pgid, int64_t deadline)
{
	for (size_t i = 0; i < nr; i++) {
		char name[32];

		snprintf(name, sizeof(name), "%d", (int)pids[i]);
		while (live_in_group(name, pgid)) {
			struct timespec ms = {0, 1000000};

			if (now_ns() >= deadline) {
				log_warning("process %d did not exit after "
					    "SIGKILL",
					    (int)pids[i]);
				return;
			}
			nanosleep(&ms, NULL);
		}
	}
}

/* Wait until every pidfd in fds is readable (its process is gone). */
static void
wait_pidfds(struct pollfd *fds, size_t nr, int64_t deadline)
{
	size_t left = nr;

	for (size_t i = 0; i < nr; i++)
		fds[i].events = POLLIN;
	while (left) {
		int64_t now = now_ns();
		int r;

		if (now >= deadline) {
			log_warning("%zu process(es) did not exit after "
				    "SIGKILL",
				    left);
			return;
		}
		r = poll(fds, (nfds_t)nr, poll_ms(now, deadline));
		if (r < 0 && errno != EINTR) {
			log_warning("could not wait for killed processes: %s",
				    strerror(errno));
			return;
		}
		for (size_t i = 0; r > 0 && i < nr; i++) {
			if (fds[i].fd >= 0 && fds[i].revents) {
				close(fds[i].fd);
				fds[i].fd = -1;
				left--;
			}
		}
	}
}

/*
 * The leader of group pgid has exited and some member of the group is
 * still there, so pgid cannot be reused: find the group's live members,
 * SIGKILL the group, and wait
 * for those members to be gone, so that none keeps running or keeps a
 * file open after we return.  Returns how many there were.
 */
static unsigned
kill_leftovers(pid_t pgid)
{
	struct pollfd *fds = NULL;
	pid_t *slow = NULL;
	size_t nr = 0, alloc = 0, nr_slow = 0, alloc_slow = 0;
	unsigned found = 0;
	int64_t deadline;
	DIR *dir;

	dir = opendir("/proc");
	if (dir) {
		struct dirent *de;

		while ((de = readdir(dir))) {
			char *end;
			long pid;

			errno = 0;
			pid = strtol(de->d_name, &end, 10);
			if (*end || end == de->d_name || errno || pid <= 0 ||
			    pid == pgid || !live_in_group(de->d_name, pgid))
				continue;
			found++;
			ALLOC_GROW(fds, nr + 1, alloc);
			fds[nr].fd = open_pidfd((pid_t)pid);
			if (fds[nr].fd >= 0) {
				nr++;
			} else {
				ALLOC_GROW(slow, nr_slow + 1, alloc_slow);
				slow[nr_slow++] = (pid_t)pid;
			}
		}
		closedir(dir);
	} else {
		log_debug("could not open \"/proc\": %s", strerror(errno));
	}
	/* always: members forked during the scan are caught all the same */
	if (kill(-pgid, SIGKILL) < 0 && errno != ESRCH)
		log_warning("could not send signal %d to process group %d: %s",
			    SIGKILL, (int)pgid, strerror(errno));
	deadline = now_ns() + (int64_t)LEFTOVER_WAIT_MS * 1000000;
	if (nr)
		wait_pidfds(fds, nr, deadline);
	if (nr_slow)
		wait_gone_slowly(slow, nr_slow, pgid, deadline);
	for (size_t i = 0; i < nr; i++)
		close_fd(&fds[i].fd);
	free(fds);
	free(slow);
	if (found)
		log_debug("killed %u process(es) left in group %d", found,
			  (int)pgid);
	return found;
}

/*
 * c's pidfd is readable: the child has exited.  Kill its leftovers, reap
 * it and decode the status (git's wait_or_whine).  Returns 0, or -1 with
 * the error reported and the status unknown (exit_code -1, no signal).
 */
static int
reap(struct spawn_child *c)
{
	int status = 0, ret = 0;
	pid_t r;

	do
		r = wait4(c->pid, &status, 0, &c->rusage);
	while (r < 0 && errno == EINTR);
	/*
	 * With the leader reaped, its pid stays allocated as long as any
	 * process is still in its group, so it cannot name another group:
	 * kill(-pgid, 0) failing with ESRCH means nothing was left, without
	 * the /proc scan that kill_leftovers() needs to wait for them.
	 */
	c->leftovers = 0;
	if (kill(-c->pid, 0) == 0)
		c->leftovers = kill_leftovers(c->pid);
	c->wall_us = (now_ns() - c->start_ns) / 1000;
	close_fd(&c->pidfd);
	c->state = SPAWN_STATE_DONE;
	c->deadline_ns = -1;
	c->exit_code = -1;
	c->term_signal = 0;
	if (r < 0) {
		ret = error("could not wait for process %d (\"%s\"): %s",
			    (int)c->pid, c->args.v[0], strerror(errno));
	} else if (WIFEXITED(status)) {
		c->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		c->term_signal = WTERMSIG(status);
		c->core_dumped = WCOREDUMP(status);
	} else {
		ret = error("unexpected wait status %d of process %d", status,
			    (int)c->pid);
	}
	return ret;
}

static int
kill_and_reap(struct spawn_child *c)
{
	signal_group(c, SIGKILL);
	c->state = SPAWN_STATE_KILLED;
	return reap(c);
}

int
spawn_wait(struct spawn_child *c)
{
	if (c->in_pool)
		BUG("spawn_wait on a child in a pool");
	if (!is_running(c))
		BUG("spawn_wait on a child that is not running");
	for (;;) {
		struct pollfd pfd = {.fd = watch_fd(c), .events = POLLIN};
		int64_t now;
		int r;

		drain_sigchld();
		if (exited_nowait(c))
			return reap(c);
		now = now_ns();
		child_timer(c, now);
		r = poll(&pfd, 1, poll_ms(now, c->deadline_ns));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return error("could not wait for process %d: %s",
				     (int)c->pid, strerror(errno));
		}
		if (r > 0 && c->pidfd >= 0)
			return reap(c);
	}
}

int
spawn_run(struct spawn_child *c)
{
	if (spawn_start(c) < 0)
		return -1;
	return spawn_wait(c);
}

void
spawn_child_release(struct spawn_child *c)
{
	if (c->in_pool)
		BUG("releasing a child that is in a pool");
	if (c->sup)
		sup_release(c);
	else if (is_running(c))
		kill_and_reap(c);
	strvec_clear(&c->args);
	strvec_clear(&c->env_delta);
	strbuf_release(&c->tail);
	strbuf_release(&c->ran_dir);
	strbuf_release(&c->ran_log);
	spawn_child_init(c);
}

/* ---- capturing output ---- */

enum read_result {
	READ_DATA,
	READ_AGAIN,
	READ_EOF,
	READ_TOO_BIG,
	READ_ERROR,
};

/* One read from the non-blocking fd into out, which started at base. */
static enum read_result
read_capture(int fd, struct strbuf *out, size_t base, size_t max)
{
	size_t want = max - (out->len - base) + 1;
	ssize_t n;

	/* read one byte past the limit, and no more, to notice excess */
	if (want > 65536)
		want = 65536;
	strbuf_grow(out, want);
	n = read(fd, out->buf + out->len, want);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return READ_AGAIN;
		error("could not read output of child process: %s",
		      strerror(errno));
		return READ_ERROR;
	}
	if (!n)
		return READ_EOF;
	strbuf_setlen(out, out->len + (size_t)n);
	return out->len - base > max ? READ_TOO_BIG : READ_DATA;
}

int
spawn_run_capture(struct spawn_child *c, struct strbuf *out, size_t max)
{
	size_t base = out->len;
	int fds[2] = {-1, -1};
	enum read_result rr = READ_DATA;
	bool exited = false;
	int ret = -1;

	if (!max)
		max = SPAWN_CAPTURE_MAX;
	if (cloexec_pipe(fds) < 0) {
		error("could not create pipe: %s", strerror(errno));
		goto out;
	}
	if (start_child(c, fds[1], c->err_fd) < 0)
		goto out;
	close_fd(&fds[1]);
	if (fcntl(fds[0], F_SETFL, O_NONBLOCK) < 0) {
		error("could not set pipe non-blocking: %s", strerror(errno));
		kill_and_reap(c);
		goto out;
	}

	while (!exited) {
		struct pollfd pfd[2] = {
			{.fd = fds[0], .events = POLLIN},
			{.fd = watch_fd(c), .events = POLLIN},
		};
		int64_t now;
		int r;

		drain_sigchld();
		if (exited_nowait(c)) {
			exited = true;
			if (reap(c) < 0)
				goto out;
			break;
		}
		now = now_ns();
		child_timer(c, now);
		r = poll(pfd, 2, poll_ms(now, c->deadline_ns));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			error("could not wait for process %d: %s", (int)c->pid,
			      strerror(errno));
			kill_and_reap(c);
			goto out;
		}
		if (pfd[0].revents) {
			rr = read_capture(fds[0], out, base, max);
			if (rr == READ_EOF)
				close_fd(&fds[0]); /* poll ignores fd -1 */
			else if (rr == READ_TOO_BIG || rr == READ_ERROR)
				break;
		}
		if (c->pidfd >= 0 && pfd[1].revents) {
			exited = true;
			if (reap(c) < 0)
				goto out;
		}
	}

	if (exited) {
		/* the group is dead: whatever it wrote is in the pipe */
		while (fds[0] >= 0) {
			rr = read_capture(fds[0], out, base, max);
			if (rr != READ_DATA)
				break;
		}
	} else {
		kill_and_reap(c);
	}
	if (rr == READ_TOO_BIG) {
		/* a result, not our error: the caller says what it means */
		c->output_overflow = true;
		strbuf_setlen(out, base);
		ret = 0;
	} else if (rr != READ_ERROR) {
		ret = 0;
	}

out:
	if (ret < 0)
		strbuf_setlen(out, base);
	close_fd(&fds[0]);
	close_fd(&fds[1]);
	return ret;
}

/* ---- results ---- */

int
spawn_exit_status(const struct spawn_child *c)
{
	if (c->state != SPAWN_STATE_DONE)
		return -1;
	if (c->exit_code >= 0)
		return c->exit_code;
	if (c->term_signal)
		return 128 + c->term_signal;
	return -1;
}

void
spawn_describe(const struct spawn_child *c, struct strbuf *sb)
{
	if (c->start_failed) {
		strbuf_addstr(sb, "could not be started");
		if (c->exec_errno)
			strbuf_addf(sb, " (%s)", strerror(c->exec_errno));
		return;
	}
	if (c->state != SPAWN_STATE_DONE) {
		strbuf_addstr(sb, "has not finished");
		return;
	}
	if (c->lost) {
		strbuf_addf(sb, "ended unseen: its supervisor (process %d) "
				"died without sending the result",
			    (int)c->supervisor);
		return;
	}
	if (c->exit_code >= 0)
		strbuf_addf(sb, "exited with status %d", c->exit_code);
	else if (c->term_signal)
		strbuf_addf(sb, "was terminated by signal %d (%s)%s",
			    c->term_signal, strsignal(c->term_signal),
			    c->core_dumped ? ", core dumped" : "");
	else
		strbuf_addstr(sb, "ended with an unknown status");
	if (c->timed_out)
		strbuf_addf(sb, " after timing out (%d ms)", c->timeout_ms);
	else if (c->terminated)
		strbuf_addstr(sb, " after being asked to stop");
	else if (c->output_overflow)
		strbuf_addstr(sb, " after its output exceeded the limit");
	if (c->leftovers)
		strbuf_addf(sb,
			    "; %u leftover process(es) in its group were "
			    "killed",
			    c->leftovers);
}

/* ---- the pool ---- */

void
spawn_pool_init(struct spawn_pool *pool, unsigned capacity)
{
	if (!capacity)
		BUG("spawn pool with no slots");
	*pool = (struct spawn_pool)SPAWN_POOL_INIT;
	pool->capacity = capacity;
}

static unsigned
slots(const struct spawn_pool *pool, const struct spawn_child *c)
{
	unsigned w = c->weight ? c->weight : 1;

	return w > pool->capacity ? pool->capacity : w;
}

bool
spawn_pool_has_room(const struct spawn_pool *pool, unsigned weight)
{
	unsigned w = weight ? weight : 1;

	if (w > pool->capacity)
		w = pool->capacity;
	return pool->used + w <= pool->capacity + pool->ahead;
}

static void
add_running(struct spawn_pool *pool, struct spawn_child *c)
{
	ALLOC_GROW(pool->running, pool->nr_running + 1, pool->alloc_running);
	pool->running[pool->nr_running++] = c;
	pool->used += slots(pool, c);
	c->in_pool = true;
}

static void
remove_running(struct spawn_pool *pool, size_t i)
{
	struct spawn_child *c = pool->running[i];

	pool->used -= slots(pool, c);
	memmove(&pool->running[i], &pool->running[i + 1],
		(pool->nr_running - i - 1) * sizeof(*pool->running));
	pool->nr_running--;
	c->in_pool = false;
}

int
spawn_pool_start(struct spawn_pool *pool, struct spawn_child *c)
{
	if (!pool->capacity)
		BUG("spawn pool not initialised");
	if (!spawn_pool_has_room(pool, c->weight))
		BUG("no room in the spawn pool for a child of weight %u",
		    c->weight);
	if (pool->ahead && !c->status_path)
		BUG("an unsupervised child in a pool that sends ahead");
	if (c->status_path ? sup_start_child(pool, c) < 0
			   : start_child(c, c->out_fd, c->err_fd) < 0)
		return -1;
	add_running(pool, c);
	return 0;
}

void
spawn_pool_add(struct spawn_pool *pool, struct spawn_child *c)
{
	if (!pool->capacity)
		BUG("spawn pool not initialised");
	if (c->in_pool || is_running(c))
		BUG("queueing a child that is already running or queued");
	ALLOC_GROW(pool->queue, pool->nr_queue + 1, pool->alloc_queue);
	pool->queue[pool->nr_queue++] = c;
	c->state = SPAWN_STATE_QUEUED;
	c->in_pool = true;
}

/*
 * Start queued children in order while the first one fits.  Returns one
 * that could not be started (no longer in the pool), or NULL.
 */
static struct spawn_child *
start_queued(struct spawn_pool *pool)
{
	while (pool->nr_queue &&
	       spawn_pool_has_room(pool, pool->queue[0]->weight)) {
		struct spawn_child *c = pool->queue[0];
		int r;

		memmove(&pool->queue[0], &pool->queue[1],
			(pool->nr_queue - 1) * sizeof(*pool->queue));
		pool->nr_queue--;
		c->in_pool = false;
		r = start_child(c, c->out_fd, c->err_fd);
		if (r < 0)
			return c;
		add_running(pool, c);
	}
	return NULL;
}

/* pool_poll() results besides the index of an exited child */
#define POLL_ERROR (-1)
#define POLL_WAKE (-2)
#define POLL_TIMEOUT (-3)

/* pool_poll(): supervised children ended (in pool->ended) */
#define POLL_ENDED (-4)

/*
 * Wait until a running child exits (its index), supervised ones ended
 * (POLL_ENDED), wake_fd is readable (if watch_wake), or until passes (-1:
 * never); enforce every deadline.
 */
static int
pool_poll(struct spawn_pool *pool, int64_t until, bool watch_wake)
{
	for (;;) {
		size_t nr = pool->nr_running, n;
		int64_t now, next = until;
		int r;

		if (pool->nr_ended)
			return POLL_ENDED;
		drain_sigchld();
		now = now_ns();
		for (size_t i = 0; i < nr; i++) {
			struct spawn_child *c = pool->running[i];

			if (c->sup)
				continue;
			if (exited_nowait(c))
				return (int)i;
			child_timer(c, now);
			next = earlier(next, c->deadline_ns);
		}
		ALLOC_GROW(pool->pfd, nr + 1, pool->alloc_pfd);
		for (size_t i = 0; i < nr; i++) {
			struct spawn_child *c = pool->running[i];

			pool->pfd[i].fd = c->sup ? -1 : watch_fd(c);
			pool->pfd[i].events = POLLIN;
			pool->pfd[i].revents = 0;
		}
		pool->pfd[nr].fd = watch_wake ? pool->wake_fd : -1;
		pool->pfd[nr].events = POLLIN;
		pool->pfd[nr].revents = 0;
		n = nr + 1;
		sup_pollfds(pool, &pool->pfd, &n, &pool->alloc_pfd);

		r = poll(pool->pfd, (nfds_t)n, poll_ms(now, next));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			error("could not wait for child processes: %s",
			      strerror(errno));
			return POLL_ERROR;
		}
		/* before sup_events(), which may take children out */
		for (size_t i = 0; i < nr; i++)
			if (pool->pfd[i].fd >= 0 && pool->pfd[i].revents &&
			    pool->running[i]->pidfd >= 0)
				return (int)i;
		sup_events(pool, pool->pfd + nr + 1, n - nr - 1);
		if (pool->nr_ended)
			return POLL_ENDED;
		if (pool->pfd[nr].fd >= 0 && pool->pfd[nr].revents)
			return POLL_WAKE;
		if (until >= 0 && now_ns() >= until)
			return POLL_TIMEOUT;
	}
}

/*
 * the first supervised child that ended (it is DONE): out of the pool
 * now, its slots free (they were kept until it is returned, so that a
 * caller that sees no slot used has nothing more to wait for)
 */
static struct spawn_child *
pop_ended(struct spawn_pool *pool)
{
	struct spawn_child *c = pool->ended[0];

	memmove(&pool->ended[0], &pool->ended[1],
		(pool->nr_ended - 1) * sizeof(*pool->ended));
	pool->nr_ended--;
	pool->used -= slots(pool, c);
	c->in_pool = false;
	return c;
}

int
spawn_pool_wait(struct spawn_pool *pool, int timeout_ms,
		struct spawn_child **done)
{
	int64_t until = timeout_ms < 0
				? -1
				: now_ns() + (int64_t)timeout_ms * 1000000;
	struct spawn_child *c;
	int r;

	*done = NULL;
	if (pool->nr_ended) {
		*done = pop_ended(pool);
		return SPAWN_POOL_DONE;
	}
	c = start_queued(pool);
	if (c) {
		*done = c;
		return SPAWN_POOL_DONE;
	}
	if (!pool->nr_running)
		return SPAWN_POOL_EMPTY;

	r = pool_poll(pool, until, pool->wake_fd >= 0);
	if (r == POLL_ERROR)
		return -1;
	if (r == POLL_WAKE)
		return SPAWN_POOL_WAKE;
	if (r == POLL_TIMEOUT)
		return SPAWN_POOL_TIMEOUT;
	if (r == POLL_ENDED) {
		*done = pop_ended(pool);
		return SPAWN_POOL_DONE;
	}
	c = pool->running[r];
	remove_running(pool, (size_t)r);
	reap(c); /* an unknown status is reported, and is a result too */
	*done = c;
	return SPAWN_POOL_DONE;
}

int
spawn_kill_all(struct spawn_pool *pool)
{
	int ret = 0;

	for (size_t i = 0; i < pool->nr_queue; i++) {
		pool->queue[i]->in_pool = false;
		pool->queue[i]->state = SPAWN_STATE_NEW;
	}
	pool->nr_queue = 0;
	sup_terminate_all(pool);
	for (size_t i = 0; i < pool->nr_running; i++) {
		if (pool->running[i]->sup)
			continue;
		spawn_terminate(pool->running[i]);
		/* also those that were already timing out */
		pool->running[i]->terminated = true;
	}
	while (pool->nr_running || pool->nr_ended) {
		int r = pool_poll(pool, -1, false);
		struct spawn_child *c;

		if (r == POLL_ENDED) {
			while (pool->nr_ended)
				pop_ended(pool); /* DONE: the caller's */
			continue;
		}
		if (r < 0) {
			/* cannot wait politely: kill ours, let go of the
			 * supervised (their supervisors keep results) */
			ret = -1;
			spawn_pool_detach(pool);
			break;
		}
		c = pool->running[r];
		remove_running(pool, (size_t)r);
		if (reap(c) < 0)
			ret = -1;
	}
	return ret;
}

void
spawn_pool_detach(struct spawn_pool *pool)
{
	for (size_t i = 0; i < pool->nr_queue; i++) {
		pool->queue[i]->in_pool = false;
		pool->queue[i]->state = SPAWN_STATE_NEW;
	}
	pool->nr_queue = 0;
	while (pool->nr_ended)
		pop_ended(pool); /* DONE: the caller's */
	for (size_t i = pool->nr_running; i-- > 0;) {
		struct spawn_child *c = pool->running[i];

		if (!c->sup)
			continue;
		remove_running(pool, i);
		sup_release(c);
	}
	while (pool->nr_running) {
		struct spawn_child *c = pool->running[0];

		remove_running(pool, 0);
		kill_and_reap(c);
	}
}

void
spawn_pool_release(struct spawn_pool *pool)
{
	if (pool->nr_running || pool->nr_queue || pool->nr_ended)
		spawn_pool_detach(pool);
	sup_pool_release(pool);
	free(pool->ended);
	free(pool->running);
	free(pool->queue);
	free(pool->pfd);
	*pool = (struct spawn_pool)SPAWN_POOL_INIT;
}

/* -- what a dead controller left ----------------------------------------- */

/* the process group of pid from /proc/PID/stat, or -1 */
static pid_t
proc_pgrp(const char *pid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, pgrp = -1;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid pgrp ...": comm may hold anything */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %d", &pgrp) != 1)
		return -1;
	return (pid_t)pgrp;
}

/* whether /proc/PID/environ has every entry of markers */
static bool
proc_has_env(const char *pid, const char *const *markers)
{
	char path[64];
	struct strbuf env = STRBUF_INIT;
	size_t found = 0, want = 0;
	int fd;

	while (markers[want])
		want++;
	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (;;) {
		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n <= 0 || env.len > 1024 * 1024)
			break;
		strbuf_add(&env, chunk, (size_t)n);
	}
	close(fd);
	for (size_t k = 0; k < want; k++) {
		size_t mlen = strlen(markers[k]);

		for (size_t i = 0; i < env.len;) {
			size_t len = strnlen(env.buf + i, env.len - i);

			if (len == mlen && !memcmp(env.buf + i, markers[k], mlen)) {
				found++;
				break;
			}
			i += len + 1;
		}
	}
	strbuf_release(&env);
	return want && found == want;
}

int
spawn_kill_orphans(pid_t pgid, const char *const *markers)
{
	pid_t *seen = NULL; /* signalled already: a dying one is still listed */
	size_t nseen = 0, alloc = 0;
	bool again = true;

	if (pgid == 1 || pgid < 0 || !markers[0])
		return 0;
	for (int pass = 0; again && pass < 16; pass++) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		again = false;
		if (!d) {
			log_warning("could not read /proc: %s", strerror(errno));
			break;
		}
		while ((de = readdir(d))) {
			const char *name = de->d_name;
			bool old = false;
			long pid;

			if (name[0] < '1' || name[0] > '9' ||
			    strspn(name, "0123456789") != strlen(name))
				continue;
			pid = strtol(name, NULL, 10);
			if (pid == (long)getpid() ||
			    (pgid && proc_pgrp(name) != pgid) ||
			    !proc_has_env(name, markers))
				continue;
			for (size_t i = 0; i < nseen; i++)
				old |= seen[i] == (pid_t)pid;
			if (kill((pid_t)pid, SIGKILL) == 0) {
				if (!old) {
					ALLOC_GROW(seen, nseen + 1, alloc);
					seen[nseen++] = (pid_t)pid;
				}
				again = true;
			} else if (errno != ESRCH) {
				log_warning("could not kill process %ld, left "
					    "by an earlier run: %s",
					    pid, strerror(errno));
			}
		}
		closedir(d);
	}
	free(seen);
	return (int)nseen;
}

/* -- for spawn-sup.c (spawn-int.h) ---------------------------------------- */

int64_t spawn_now_ns(void) { return now_ns(); }
int spawn_poll_ms(int64_t now, int64_t deadline) { return poll_ms(now, deadline); }
int64_t spawn_earlier(int64_t a, int64_t b) { return earlier(a, b); }
void spawn_close_fd(int *fd) { close_fd(fd); }
int spawn_move_above_stdio(int *fd) { return move_above_stdio(fd); }
int spawn_cloexec_pipe(int fds[2]) { return cloexec_pipe(fds); }
bool spawn_is_running(const struct spawn_child *c) { return is_running(c); }
void spawn_drain_sigchld(void) { drain_sigchld(); }
bool spawn_exited_nowait(const struct spawn_child *c) { return exited_nowait(c); }
int spawn_watch_fd(const struct spawn_child *c) { return watch_fd(c); }
void spawn_reset_results(struct spawn_child *c) { reset_results(c); }
int spawn_start_child(struct spawn_child *c, int out_fd, int err_fd) { return start_child(c, out_fd, err_fd); }
void spawn_child_timer(struct spawn_child *c, int64_t now) { child_timer(c, now); }
int spawn_reap(struct spawn_child *c) { return reap(c); }
void spawn_add_running(struct spawn_pool *pool, struct spawn_child *c) { add_running(pool, c); }
void
spawn_end_running(struct spawn_pool *pool, size_t i)
{
	struct spawn_child *c = pool->running[i];

	/* its slots stay taken until pop_ended() returns it */
	memmove(&pool->running[i], &pool->running[i + 1],
		(pool->nr_running - i - 1) * sizeof(*pool->running));
	pool->nr_running--;
	ALLOC_GROW(pool->ended, pool->nr_ended + 1, pool->alloc_ended);
	pool->ended[pool->nr_ended++] = c;
}

void
spawn_forget_sigchld(void)
{
	chld_pipe[0] = chld_pipe[1] = -1;
}

void
spawn_signals_changed(const sigset_t *changed)
{
	sigs_changed = *changed;
	sigaddset(&sigs_changed, SIGCHLD);
	sigs_known = true;
}
