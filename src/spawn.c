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
#include "spawn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "log.h"
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
	if (pipe(fds) < 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0 ||
	    move_above_stdio(&fds[0]) < 0 || move_above_stdio(&fds[1]) < 0) {
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
		sigaction(sig, &sa, NULL); /* EINVAL for KILL, STOP: fine */
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

/*
 * Fork and exec c with the given stdout and stderr (-1: /dev/null,
 * err SPAWN_FD_OUT: like out).  See spawn_start().
 */
static int
start_child(struct spawn_child *c, int out_fd, int err_fd)
{
	struct strvec env = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	int null_fd = -1, notify[2] = {-1, -1}, out_dup = -1, err_dup = -1;
	int out, err;
	sigset_t all, old;
	struct child_err ce;
	const char *name;
	ssize_t n;
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

	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0 || move_above_stdio(&null_fd) < 0) {
		c->exec_errno = errno;
		error("could not open \"/dev/null\": %s", strerror(errno));
		goto out;
	}
	out = out_fd < 0 ? null_fd : out_fd;
	if (out >= 0 && out <= 2) {
		out_dup = fcntl(out, F_DUPFD_CLOEXEC, 3);
		out = out_dup;
	}
	err = err_fd == SPAWN_FD_OUT ? out : err_fd < 0 ? null_fd : err_fd;
	if (err >= 0 && err <= 2) {
		err_dup = fcntl(err, F_DUPFD_CLOEXEC, 3);
		err = err_dup;
	}
	if (out < 0 || err < 0) {
		c->exec_errno = errno;
		error("could not duplicate file descriptor: %s",
		      strerror(errno));
		goto out;
	}
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
	pid = vfork_child(path.buf, c, &env, null_fd, out, err, notify[1]);
	if (pid < 0)
		c->exec_errno = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		error("could not fork to execute \"%s\": %s", name,
		      strerror(c->exec_errno));
		goto out;
	}
	c->pid = pid;
	/* the child does the same: whichever runs first closes the race */
	setpgid(pid, pid);

	close_fd(&notify[1]);
	n = read_full(notify[0], &ce, sizeof(ce));
	if (n != 0) {
		int saved = errno;

		/* a child that did exec must not keep us waiting */
		if (n < 0)
			kill(-pid, SIGKILL);
		reap_failed(pid);
		if (n < 0) {
			c->exec_errno = saved;
			error("could not read from pipe: %s", strerror(saved));
		} else if (n != (ssize_t)sizeof(ce)) {
			error("could not execute \"%s\": short report from "
			      "child process",
			      name);
		} else {
			c->exec_errno = ce.err;
			if (ce.stage == STAGE_CHDIR)
				error("could not change directory to "
				      "\"%s\": %s",
				      c->dir, strerror(ce.err));
			else if (ce.stage == STAGE_EXEC)
				error("could not execute \"%s\": %s", name,
				      strerror(ce.err));
			else
				error("could not set up child process for "
				      "\"%s\": %s",
				      name, strerror(ce.err));
		}
		goto out;
	}

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
	close_fd(&null_fd);
	close_fd(&out_dup);
	close_fd(&err_dup);
	strvec_clear(&env);
	strbuf_release(&path);
	return ret;
}

int
spawn_start(struct spawn_child *c)
{
	return start_child(c, c->out_fd, c->err_fd);
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

static void terminate_supervised(struct spawn_child *c);
static void let_go(struct spawn_child *c);
static int start_supervised(struct spawn_child *c);
static bool sup_receive(struct spawn_child *c);
static void adopted_done(struct spawn_child *c);
static bool adopted_gone(struct spawn_child *c, int64_t now);
static void add_running(struct spawn_pool *pool, struct spawn_child *c);

void
spawn_terminate(struct spawn_child *c)
{
	if (c->state != SPAWN_STATE_RUNNING)
		return;
	if (c->supervised || c->adopted) {
		terminate_supervised(c);
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
	if (c->supervised)
		let_go(c);
	else if (c->adopted)
		close_fd(&c->pidfd);
	else if (is_running(c))
		kill_and_reap(c);
	strvec_clear(&c->args);
	strvec_clear(&c->env_delta);
	strbuf_release(&c->tail);
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
				"died without recording the result",
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

/* ---- supervision: the result record ---- */

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
		    "out_errno=%d\ntail=%zu\n",
		    (int)c->pid, c->exit_code, c->term_signal, c->core_dumped,
		    c->timed_out, c->terminated, c->start_failed, c->exec_errno,
		    c->leftovers, (long long)c->wall_us,
		    (long long)c->ended_at_us,
		    (long long)tv_us(&c->rusage.ru_utime),
		    (long long)tv_us(&c->rusage.ru_stime),
		    c->rusage.ru_maxrss, (long long)c->out_bytes,
		    (long long)c->out_dropped, c->out_errno, c->tail.len);
	strbuf_add(out, c->tail.buf, c->tail.len);
	strbuf_addstr(out, STATUS_END);
}

/* the keys of a record, in order, and the value each must have */
enum status_key {
	SK_PID, SK_EXIT, SK_SIGNAL, SK_CORE, SK_TIMED_OUT, SK_TERMINATED,
	SK_START_FAILED, SK_EXEC_ERRNO, SK_LEFTOVERS, SK_WALL, SK_ENDED,
	SK_UTIME, SK_STIME, SK_MAXRSS, SK_OUT_BYTES, SK_OUT_DROPPED,
	SK_OUT_ERRNO, SK_TAIL, SK_COUNT
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
	if ((size_t)(end - p) != (size_t)v[SK_TAIL] + el ||
	    memcmp(p + v[SK_TAIL], STATUS_END, el))
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

/* ---- supervision: the supervisor's side ---- */

/* messages; each one packet of the SOCK_SEQPACKET pair */
#define MSG_GO 'G'	/* us: start the program */
#define MSG_TERM 'T'	/* us: stop it */
#define MSG_ACK 'A'	/* us: the result is recorded, exit */
#define MSG_STARTED 'S' /* supervisor: started, pid follows */
#define MSG_RESULT 'R'	/* supervisor: the result record follows */

#define SUP_CHUNK 65536

/* the SIGTERM self-pipe of a supervisor */
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

struct sup {
	struct spawn_child *c;
	int ctl;	/* socket to the controller; -1 once it is gone */
	int out_rd;	/* the program's output; -1 at EOF */
	int log;	/* where its output goes */
	off_t log_base; /* the log's size when the program started */
	int64_t limit;	/* c->out_limit */
	bool cut;	/* the log was cut back to limit/2: the ring is kept */
	char *ring;	/* the last limit/2 bytes of output */
	size_t ring_size, ring_pos;
	char tail[SPAWN_TAIL_MAX]; /* the last bytes, for the result */
	size_t tail_pos;
};

static ssize_t
send_msg(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
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
log_write(struct sup *s, const char *p, size_t n)
{
	if (s->log < 0 || s->c->out_errno)
		return;
	while (n) {
		ssize_t w = write(s->log, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			s->c->out_errno = errno;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* the program wrote n bytes: to the log, within its limit; kept tails */
static void
sup_output(struct sup *s, const char *p, size_t n)
{
	struct spawn_child *c = s->c;

	ring_put(s->tail, sizeof(s->tail), &s->tail_pos, p, n);
	c->out_bytes += (int64_t)n;
	if (!s->limit) {
		log_write(s, p, n);
		return;
	}
	if (!s->ring && !s->cut) {
		/* not xmalloc: dying here would run our atexit handlers */
		s->ring_size = (size_t)(s->limit / 2 > 0 ? s->limit / 2 : 1);
		s->ring = malloc(s->ring_size);
		if (!s->ring)
			s->ring_size = 0; /* then the last half is lost */
	}
	if (s->ring)
		ring_put(s->ring, s->ring_size, &s->ring_pos, p, n);
	if (s->cut)
		return;
	if (c->out_bytes <= s->limit) {
		log_write(s, p, n);
		return;
	}
	/*
	 * Over the limit: keep the first half in the log and, from now on,
	 * only the last half in memory, written when the program ends.
	 */
	s->cut = true;
	if (s->log >= 0 &&
	    ftruncate(s->log, s->log_base + (off_t)(s->limit / 2)) < 0 &&
	    !c->out_errno)
		c->out_errno = errno;
}

/* the program has ended: the kept last half of a cut log, and the tail */
static void
sup_finish_output(struct sup *s)
{
	struct spawn_child *c = s->c;
	size_t nt = c->out_bytes < (int64_t)sizeof(s->tail)
			    ? (size_t)c->out_bytes
			    : sizeof(s->tail);

	if (s->cut) {
		struct strbuf sb = STRBUF_INIT;

		c->out_dropped = c->out_bytes - s->limit / 2 -
				 (int64_t)s->ring_size;
		strbuf_addf(&sb,
			    "\n[cascade: %lld bytes of output dropped here: "
			    "the log keeps the first %lld and the last %zu "
			    "bytes of %lld]\n",
			    (long long)c->out_dropped,
			    (long long)(s->limit / 2), s->ring_size,
			    (long long)c->out_bytes);
		if (s->ring)
			ring_get(s->ring, s->ring_size, s->ring_pos,
				 s->ring_size, &sb);
		log_write(s, sb.buf, sb.len);
		strbuf_release(&sb);
	}
	strbuf_reset(&c->tail);
	if (nt)
		ring_get(s->tail, sizeof(s->tail), s->tail_pos, nt, &c->tail);
}

/* what the program wrote, until EOF (or, once it has ended, EAGAIN) */
static void
sup_read_output(struct sup *s, bool ended)
{
	char buf[SUP_CHUNK];

	while (s->out_rd >= 0) {
		ssize_t n = read(s->out_rd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !ended)
			return;
		if (n > 0) {
			sup_output(s, buf, (size_t)n);
			if (!ended)
				return; /* back to poll: fair to the rest */
			continue;
		}
		/* EOF, or (ended) nothing more now: a process that left the
		 * group may hold the pipe; its later output is not ours */
		if (n == 0 || ended)
			close_fd(&s->out_rd);
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
		fault_point("supervisor-rename");
		ret = rename(tmp.buf, path);
	}
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	return ret;
}

/*
 * hand the result over: to the controller if it is there (and wait for
 * its ack), else to status_path; exit status 0 once it is in one place.
 * A SIGTERM while we wait for the ack writes status_path at once (a
 * SIGKILL may follow), and the ack then removes it again.
 */
CASCADE_NORETURN static void
sup_deliver(struct sup *s)
{
	struct strbuf rec = STRBUF_INIT;
	struct timespec ts;
	bool written = false;

	clock_gettime(CLOCK_REALTIME, &ts);
	s->c->ended_at_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	strbuf_addch(&rec, MSG_RESULT);
	spawn_status_encode(s->c, &rec);
	fault_point("supervisor-result");
	if (s->ctl >= 0 &&
	    send_msg(s->ctl, rec.buf, rec.len) == (ssize_t)rec.len) {
		for (;;) {
			struct pollfd pfd[2] = {
				{.fd = s->ctl, .events = POLLIN},
				{.fd = sup_term_pipe[0], .events = POLLIN}};
			char m;
			ssize_t n;

			if (poll(pfd, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (pfd[1].revents) {
				char buf[16];

				while (read(sup_term_pipe[0], buf,
					    sizeof(buf)) > 0)
					;
				written = written ||
					  !write_status_file(s->c->status_path,
							     rec.buf + 1,
							     rec.len - 1);
			}
			if (!pfd[0].revents)
				continue;
			n = recv(s->ctl, &m, 1, MSG_DONTWAIT);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n == 1 && m == MSG_ACK) {
				if (written)
					unlink(s->c->status_path);
				_exit(0);
			}
			if (n != 1)
				break; /* the controller is gone, unacked */
			/* a late MSG_TERM: the program has ended already */
		}
	}
	/* nobody took it: keep it for the controller's successor */
	if (!written &&
	    write_status_file(s->c->status_path, rec.buf + 1, rec.len - 1))
		_exit(1);
	_exit(0);
}

/* signals and descriptors of a new supervisor: nothing of ours stays */
static int
sup_setup(int ctl, int log)
{
	struct sigaction sa;
	sigset_t none;

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
	/* every descriptor but stdio, the socket and the log: our database
	 * connection above all, which must end when we do */
	for (int fd = 3; fd < (ctl > log ? ctl : log); fd++)
		if (fd != ctl && fd != log)
			close(fd);
	closefrom((ctl > log ? ctl : log) + 1);
	chld_pipe[0] = chld_pipe[1] = -1;
	if (cloexec_pipe(sup_term_pipe) < 0 ||
	    fcntl(sup_term_pipe[1], F_SETFL, O_NONBLOCK) < 0)
		return -1;
	sa.sa_handler = sup_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	return 0;
}

/* wait for MSG_GO; false if we are gone or say stop first */
static bool
sup_wait_go(int ctl)
{
	for (;;) {
		struct pollfd pfd[2] = {{.fd = ctl, .events = POLLIN},
					{.fd = sup_term_pipe[0],
					 .events = POLLIN}};
		char m;
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (pfd[1].revents)
			return false;
		n = recv(ctl, &m, 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		return n == 1 && m == MSG_GO;
	}
}

/* the program runs: pass its output on, enforce its timer, obey stops */
static void
sup_watch(struct sup *s)
{
	struct spawn_child *c = s->c;

	for (;;) {
		struct pollfd pfd[4] = {
			{.fd = watch_fd(c), .events = POLLIN},
			{.fd = s->out_rd, .events = POLLIN},
			{.fd = s->ctl, .events = POLLIN},
			{.fd = sup_term_pipe[0], .events = POLLIN},
		};
		int64_t now;
		int r;

		drain_sigchld();
		if (exited_nowait(c))
			break;
		now = now_ns();
		child_timer(c, now);
		r = poll(pfd, 4, poll_ms(now, c->deadline_ns));
		if (r < 0 && errno != EINTR)
			break; /* cannot watch: reap() below waits for it */
		if (r <= 0)
			continue;
		if (pfd[1].revents)
			sup_read_output(s, false);
		if (pfd[3].revents) {
			char buf[16];

			while (read(sup_term_pipe[0], buf, sizeof(buf)) > 0)
				;
			spawn_terminate(c);
		}
		if (pfd[2].revents) {
			char m;
			ssize_t n = recv(s->ctl, &m, 1, MSG_DONTWAIT);

			if (n == 1 && m == MSG_TERM)
				spawn_terminate(c);
			else if (n == 0 || (n < 0 && errno != EAGAIN &&
					     errno != EINTR))
				close_fd(&s->ctl); /* we are gone: go on */
		}
		if (c->pidfd >= 0 && pfd[0].revents)
			break;
	}
	reap(c);
	sup_read_output(s, true);
}

/*
 * The supervisor, in the child of fork(): never returns.  c is our copy
 * of the caller's child; ctl its end of the socket.
 */
CASCADE_NORETURN static void
supervise(struct spawn_child *c, int ctl)
{
	struct sup s = {.c = c, .ctl = ctl, .out_rd = -1, .log = c->out_fd,
			.limit = c->out_limit};
	int out[2] = {-1, -1};
	char msg[32];
	int n;

	if (sup_setup(ctl, s.log) < 0 || !sup_wait_go(ctl))
		_exit(0);
	fault_point("supervisor-go");
	reset_results(c);
	s.log_base = s.log >= 0 ? lseek(s.log, 0, SEEK_END) : 0;
	if (s.log_base < 0)
		s.log_base = 0;
	if (cloexec_pipe(out) < 0 ||
	    fcntl(out[0], F_SETFL, O_NONBLOCK) < 0) {
		c->start_failed = true;
		c->exec_errno = errno;
		close_fd(&out[0]);
		close_fd(&out[1]);
		sup_deliver(&s);
	}
	c->supervised = false; /* for the program, we are its parent */
	if (start_child(c, out[1], out[1]) < 0) {
		close_fd(&out[0]);
		close_fd(&out[1]);
		sup_deliver(&s);
	}
	close_fd(&out[1]);
	s.out_rd = out[0];
	n = snprintf(msg, sizeof(msg), "%c%d", MSG_STARTED, (int)c->pid);
	if (send_msg(ctl, msg, (size_t)n) < 0)
		close_fd(&s.ctl);
	sup_watch(&s);
	sup_finish_output(&s);
	sup_deliver(&s);
}

/* ---- supervision: our side ---- */

/*
 * Supervisors whose children we have let go (acked, released, detached):
 * they are our children, reaped without waiting whenever we start or
 * wait for another; what is left at our exit is init's.
 */
static pid_t *sup_zombies;
static size_t nr_sup_zombies, alloc_sup_zombies;

static void
reap_supervisors(void)
{
	size_t k = 0;

	for (size_t i = 0; i < nr_sup_zombies; i++) {
		int status;
		pid_t r;

		do
			r = waitpid(sup_zombies[i], &status, WNOHANG);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			sup_zombies[k++] = sup_zombies[i];
	}
	nr_sup_zombies = k;
}

/* close our end of c's socket: its supervisor goes on without us */
static void
let_go(struct spawn_child *c)
{
	if (c->ctl_fd < 0)
		return;
	close_fd(&c->ctl_fd);
	ALLOC_GROW(sup_zombies, nr_sup_zombies + 1, alloc_sup_zombies);
	sup_zombies[nr_sup_zombies++] = c->supervisor;
}

/* fork c's supervisor, which waits for spawn_go() */
static int
start_supervised(struct spawn_child *c)
{
	int sv[2] = {-1, -1};
	sigset_t all, old;
	pid_t pid;

	if (c->in_pool)
		BUG("starting a child that is already in a pool");
	if (is_running(c))
		BUG("starting a child that is still running");
	if (!c->args.nr)
		BUG("starting a child without a program");
	reap_supervisors();
	reset_results(c);
	c->supervisor = 0;
	c->adopted = c->from_file = false;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    move_above_stdio(&sv[0]) < 0 || move_above_stdio(&sv[1]) < 0) {
		c->exec_errno = errno;
		close_fd(&sv[0]);
		close_fd(&sv[1]);
		c->state = SPAWN_STATE_FAILED;
		c->start_failed = true;
		return error("could not create a socket pair: %s",
			     strerror(c->exec_errno));
	}
	/* no stdio buffer may be written twice, by us and by the copy */
	fflush(NULL);
	/* no handler of ours may run in it before it resets them */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	c->start_ns = now_ns();
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		supervise(c, sv[1]);
	}
	if (pid < 0)
		c->exec_errno = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close_fd(&sv[1]);
	if (pid < 0) {
		close_fd(&sv[0]);
		c->state = SPAWN_STATE_FAILED;
		c->start_failed = true;
		return error("could not fork to supervise \"%s\": %s",
			     c->args.v[0], strerror(c->exec_errno));
	}
	c->supervisor = pid;
	c->ctl_fd = sv[0];
	c->supervised = true;
	c->state = SPAWN_STATE_RUNNING;
	c->deadline_ns = -1;
	return 0;
}

int
spawn_go(struct spawn_child *c)
{
	char m = MSG_GO;

	if (!c->supervised || c->ctl_fd < 0 || c->state != SPAWN_STATE_RUNNING)
		BUG("spawn_go on a child that is not waiting to start");
	if (send_msg(c->ctl_fd, &m, 1) != 1)
		return error("could not start \"%s\": its supervisor (process "
			     "%d) is gone: %s",
			     c->args.v[0], (int)c->supervisor, strerror(errno));
	return 0;
}

/* what c's supervisor sent; true once c is DONE (its result, or lost) */
static bool
sup_receive(struct spawn_child *c)
{
	char buf[SPAWN_TAIL_MAX + 4096];

	for (;;) {
		ssize_t n = recv(c->ctl_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (n > 1 && buf[0] == MSG_STARTED) {
			buf[n] = '\0';
			c->pid = (pid_t)strtol(buf + 1, NULL, 10);
			continue;
		}
		if (n > 0 && buf[0] == MSG_RESULT &&
		    !spawn_status_decode(buf + 1, (size_t)n - 1, c))
			return true;
		if (n > 0)
			log_warning("the supervisor (process %d) of \"%s\" "
				    "sent a malformed message",
				    (int)c->supervisor, c->args.v[0]);
		/* gone without a result: killed */
		mark_lost(c);
		let_go(c);
		return true;
	}
}

void
spawn_ack(struct spawn_child *c)
{
	if (c->supervised && c->ctl_fd >= 0) {
		char m = MSG_ACK;

		(void)send_msg(c->ctl_fd, &m, 1);
		let_go(c);
	} else if ((c->adopted || c->from_file) && c->status_path &&
		   unlink(c->status_path) < 0 && errno != ENOENT) {
		log_warning("could not remove \"%s\": %s", c->status_path,
			    strerror(errno));
	}
}

/* an adopted child's supervisor is gone: its result is in status_path */
static void
adopted_done(struct spawn_child *c)
{
	close_fd(&c->pidfd);
	c->deadline_ns = -1;
	if (spawn_status_read(c) != 1)
		mark_lost(c);
}

/* How often an adopted supervisor is looked at without a pidfd. */
#define ADOPTED_POLL_MS 100

int
spawn_pool_adopt(struct spawn_pool *pool, struct spawn_child *c)
{
	if (!c->status_path || c->supervisor <= 0)
		BUG("adopting a child without a supervisor or status path");
	if (c->in_pool || is_running(c))
		BUG("adopting a child that is already running");
	if (!spawn_pool_has_room(pool, c->weight) && pool->used)
		BUG("no room in the spawn pool to adopt a child");
	reset_results(c);
	c->supervised = c->from_file = false;
	c->pidfd = open_pidfd(c->supervisor);
	if (c->pidfd < 0 && errno == ESRCH)
		return 0;
	if (c->pidfd < 0 && !no_pidfd)
		return error("could not watch process %d: %s",
			     (int)c->supervisor, strerror(errno));
	if (c->pidfd < 0 && kill(c->supervisor, 0) < 0)
		return 0;
	c->adopted = true;
	c->state = SPAWN_STATE_RUNNING;
	c->start_ns = now_ns();
	c->deadline_ns =
		c->pidfd < 0 ? now_ns() + ADOPTED_POLL_MS * 1000000LL : -1;
	add_running(pool, c);
	return 1;
}

/* ask the supervisor of c to stop its program; the result will say so */
static void
terminate_supervised(struct spawn_child *c)
{
	char m = MSG_TERM;

	c->state = SPAWN_STATE_TERMINATING;
	if (c->supervised && c->ctl_fd >= 0)
		(void)send_msg(c->ctl_fd, &m, 1);
	else if (c->adopted && kill(c->supervisor, SIGTERM) < 0 &&
		 errno != ESRCH)
		log_warning("could not stop process %d: %s",
			    (int)c->supervisor, strerror(errno));
}

/* without a pidfd: whether the adopted c's supervisor is gone */
static bool
adopted_gone(struct spawn_child *c, int64_t now)
{
	if (c->pidfd >= 0 || c->deadline_ns < 0 || now < c->deadline_ns)
		return false;
	c->deadline_ns = now + ADOPTED_POLL_MS * 1000000LL;
	return kill(c->supervisor, 0) < 0 && errno == ESRCH;
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
	return pool->used + w <= pool->capacity;
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
	if (c->status_path ? start_supervised(c) < 0
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

/* What to poll for c: its pidfd, the SIGCHLD pipe, or its socket. */
static int
pool_watch_fd(const struct spawn_child *c)
{
	if (c->supervised)
		return c->ctl_fd;
	if (c->adopted)
		return c->pidfd;
	return watch_fd(c);
}

/* Whether c, whose descriptor poll() found readable, is DONE now. */
static bool
pool_ready(struct spawn_child *c)
{
	if (c->supervised)
		return sup_receive(c);
	return c->pidfd >= 0; /* otherwise: the SIGCHLD pipe, checked */
}

/*
 * Wait until a running child exits (its index), wake_fd is readable (if
 * watch_wake), or until passes (-1: never); enforce every deadline.
 */
static int
pool_poll(struct spawn_pool *pool, int64_t until, bool watch_wake)
{
	for (;;) {
		size_t nr = pool->nr_running;
		int64_t now, next = until;
		int r;

		drain_sigchld();
		reap_supervisors();
		now = now_ns();
		for (size_t i = 0; i < nr; i++) {
			struct spawn_child *c = pool->running[i];

			if (c->adopted ? adopted_gone(c, now)
			    : !c->supervised && exited_nowait(c))
				return (int)i;
		}
		for (size_t i = 0; i < nr; i++) {
			if (!pool->running[i]->supervised &&
			    !pool->running[i]->adopted)
				child_timer(pool->running[i], now);
			next = earlier(next, pool->running[i]->deadline_ns);
		}
		ALLOC_GROW(pool->pfd, nr + 1, pool->alloc_pfd);
		for (size_t i = 0; i < nr; i++) {
			pool->pfd[i].fd = pool_watch_fd(pool->running[i]);
			pool->pfd[i].events = POLLIN;
			pool->pfd[i].revents = 0;
		}
		pool->pfd[nr].fd = watch_wake ? pool->wake_fd : -1;
		pool->pfd[nr].events = POLLIN;
		pool->pfd[nr].revents = 0;

		r = poll(pool->pfd, (nfds_t)nr + 1, poll_ms(now, next));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			error("could not wait for child processes: %s",
			      strerror(errno));
			return POLL_ERROR;
		}
		for (size_t i = 0; i < nr; i++)
			if (pool->pfd[i].fd >= 0 && pool->pfd[i].revents &&
			    pool_ready(pool->running[i]))
				return (int)i;
		if (pool->pfd[nr].fd >= 0 && pool->pfd[nr].revents)
			return POLL_WAKE;
		if (until >= 0 && now_ns() >= until)
			return POLL_TIMEOUT;
	}
}

/*
 * c has ended and is out of the pool: reap it, or read an adopted one's
 * result (a supervised one's came with the message that ended it).
 * Returns 0, or -1 if reaping failed (reported; the result is unknown).
 */
static int
finish_done(struct spawn_child *c)
{
	if (c->adopted) {
		adopted_done(c);
		return 0;
	}
	if (c->supervised)
		return 0;
	return reap(c);
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
	c = pool->running[r];
	remove_running(pool, (size_t)r);
	finish_done(c); /* an unknown status is reported, and is a result */
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
	for (size_t i = 0; i < pool->nr_running; i++) {
		spawn_terminate(pool->running[i]);
		/* also those that were already timing out */
		pool->running[i]->terminated = true;
	}
	while (pool->nr_running) {
		int r = pool_poll(pool, -1, false);
		struct spawn_child *c;

		if (r < 0) {
			/* cannot wait politely: kill them all and reap */
			ret = -1;
			while (pool->nr_running) {
				c = pool->running[0];
				remove_running(pool, 0);
				if (c->supervised || c->adopted)
					mark_lost(c); /* its result: a file */
				else
					kill_and_reap(c);
			}
			break;
		}
		c = pool->running[r];
		remove_running(pool, (size_t)r);
		if (finish_done(c) < 0)
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
	for (size_t i = pool->nr_running; i-- > 0;) {
		struct spawn_child *c = pool->running[i];

		if (!c->supervised && !c->adopted)
			continue;
		remove_running(pool, i);
		if (c->supervised)
			let_go(c);
		close_fd(&c->pidfd);
		c->state = SPAWN_STATE_NEW;
	}
	if (pool->nr_running)
		spawn_kill_all(pool);
}

void
spawn_pool_release(struct spawn_pool *pool)
{
	if (pool->nr_running || pool->nr_queue)
		spawn_pool_detach(pool);
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
