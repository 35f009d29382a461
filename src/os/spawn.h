/*
 * spawn.h - run external programs: start, wait with deadlines, kill.
 *
 * This module owns every fork, exec, wait and kill in cascade.  It starts
 * a program without a shell in a process group of its own, with all
 * signals at their defaults and unblocked, no descriptors but 0-2, stdin
 * from /dev/null, stdout and stderr sent to files the caller opened, an
 * environment built from ours plus a delta, and a timeout after which the
 * whole group gets SIGTERM and, after a grace period, SIGKILL.  Waiting is
 * event-driven: poll() on pidfds, never sleeps (where pidfd_open() is
 * missing, as under valgrind 3.19, a SIGCHLD handler writing to a
 * self-pipe stands in).  When a child exits, anything
 * it left running in its process group is killed, so no grandchild keeps
 * running or keeps files open.  Results (exit code or signal, wall time,
 * rusage) are reported as they are.
 *
 * It deliberately does not decide what a result means (the runner does),
 * does not open log files (the caller passes descriptors), does not install
 * signal handlers (the caller passes a self-pipe to spawn_pool_wait()), and
 * does not look at the database.  Processes that leave their process group
 * (setsid, setpgid) escape the group kill; cgroups would be needed for that.
 *
 * Calling sequence for one child:
 *
 *   struct spawn_child c = SPAWN_CHILD_INIT;
 *
 *   strvec_push(&c.args, "/opt/codes/l1-to-l2");
 *   strvec_push(&c.args, "--date=20240101");
 *   strvec_push(&c.env_delta, "TZ=UTC");
 *   strvec_push(&c.env_delta, "PYTHONPATH");
 *   c.dir = "/data/work/job-42";
 *   c.out_fd = log_fd;
 *   c.timeout_ms = 600000;
 *   if (spawn_run(&c) < 0)
 *           ... could not start or could not wait: already reported ...
 *   else if (c.timed_out || spawn_exit_status(&c) != 0)
 *           ... the code failed: see spawn_describe() ...
 *   spawn_child_release(&c);
 *
 * (args.v[0] is the program; env_delta sets TZ and unsets PYTHONPATH;
 * log_fd receives both stdout and stderr.)
 *
 * Calling sequence for many children in parallel slots:
 *
 *   struct spawn_pool pool = SPAWN_POOL_INIT;
 *
 *   spawn_pool_init(&pool, 4);
 *   pool.wake_fd = sigpipe_read_end;
 *   for (each ready job)
 *           spawn_pool_add(&pool, &job->child);
 *   while ((r = spawn_pool_wait(&pool, -1, &done)) != SPAWN_POOL_EMPTY) {
 *           if (r == SPAWN_POOL_DONE)
 *                   ... look at done (done->data is yours) ...
 *           else if (r == SPAWN_POOL_WAKE)
 *                   ... read wake_fd; on SIGTERM: spawn_kill_all(&pool) ...
 *           else if (r < 0)
 *                   break;  (already reported)
 *   }
 *   spawn_pool_release(&pool);
 *
 * (wake_fd is optional.  Instead of queueing, a caller that wants to
 * decide itself when each child starts checks spawn_pool_has_room() and
 * calls spawn_pool_start().)
 *
 * Deadlines (timeout, grace period) are acted upon only inside
 * spawn_wait(), spawn_pool_wait(), spawn_run_capture() and
 * spawn_kill_all(): between calls nothing is signalled, and an overdue
 * deadline fires at the next call.
 *
 * Supervised children (the runner's codes; see "Supervision" below) run
 * under a supervisor process that outlives us, so that a program that
 * ends while we are dead has its result kept for our successor.
 *
 * Requirements on the rest of the process: SIGCHLD must not be set to
 * SIG_IGN, nobody else may reap children (no waitpid(-1) anywhere) or,
 * for the fallback above, handle SIGCHLD.  Nothing here is
 * async-signal-safe or thread-safe.
 */
#ifndef CASCADE_SPAWN_H
#define CASCADE_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "compat.h"
#include "strbuf.h"
#include "strvec.h"

struct spawn_sup;

/* err_fd value: stderr goes wherever stdout goes (the default). */
#define SPAWN_FD_OUT (-2)

/* Default time between SIGTERM and SIGKILL after a timeout. */
#define SPAWN_DEFAULT_GRACE_MS 5000

/* Default output limit for spawn_run_capture(). */
#define SPAWN_CAPTURE_MAX ((size_t)64 * 1024)

/* Life of a child; read-only for callers. */
enum spawn_state {
	SPAWN_STATE_NEW = 0,	 /* not started (or released) */
	SPAWN_STATE_QUEUED,	 /* in a pool, waiting for free slots */
	SPAWN_STATE_RUNNING,	 /* started, not yet reaped */
	SPAWN_STATE_TERMINATING, /* SIGTERM sent, grace period running */
	SPAWN_STATE_KILLED,	 /* SIGKILL sent, not yet reaped */
	SPAWN_STATE_DONE,	 /* reaped: the results below are valid */
	SPAWN_STATE_FAILED,	 /* could not be started (start_failed) */
};

struct spawn_child {
	/*
	 * Set by the caller before starting.  The strvecs are owned by the
	 * child and freed by spawn_child_release(); dir and the descriptors
	 * are borrowed and must stay valid until the child has started.
	 */

	/*
	 * argv; args.v[0] is the program.  With a '/', it is used as is (a
	 * relative path is taken relative to our working directory, not to
	 * dir); without one, it is looked up in the PATH of the child's
	 * environment (after env_delta; "/usr/bin:/bin" if unset; empty
	 * entries are skipped).  It must be a regular, executable file.
	 */
	struct strvec args;
	/*
	 * Changes to our environment: "VAR=value" sets, a bare "VAR" unsets;
	 * later entries win.  PWD is not adjusted to dir.
	 */
	struct strvec env_delta;
	/* Working directory of the child; NULL: ours. */
	const char *dir;
	/*
	 * Where stdout goes: -1 for /dev/null, else a descriptor (typically
	 * a log file opened with O_CLOEXEC; the flag is cleared in the
	 * child only).  Ignored by spawn_run_capture().
	 */
	int out_fd;
	/* Where stderr goes: SPAWN_FD_OUT (default), -1 or a descriptor. */
	int err_fd;
	/* Milliseconds from start until SIGTERM to the group; 0: none. */
	int timeout_ms;
	/* Milliseconds between that SIGTERM and SIGKILL; 0: at once. */
	int kill_grace_ms;
	/*
	 * Slots this child takes in a pool (>= 1); a child heavier than the
	 * whole pool is counted as the whole pool, so it runs alone.
	 */
	unsigned weight;
	/* The caller's own pointer, never touched here. */
	void *data;
	/* Private: our pid at fork, for the child's parent-death check. */
	pid_t parent;
	/*
	 * Supervision (see below): the child's key, where its supervisor
	 * writes the result if nobody takes it; NULL for an unsupervised
	 * child.  Borrowed.
	 */
	const char *status_path;
	/* Supervised only: where stdout and stderr go (appended), or NULL. */
	const char *out_path;
	/*
	 * Supervised only: the most output kept at out_path; beyond it the
	 * first and the last out_limit/2 bytes are kept, with a line saying
	 * how much was dropped between them.  0: no limit.
	 */
	int64_t out_limit;

	/* Results: valid in state DONE (pid and start_failed earlier). */

	/* Process id once forked (also the process group id); else 0. */
	pid_t pid;
	/* Exit status if it exited normally, else -1. */
	int exit_code;
	/* The signal that ended it, else 0. */
	int term_signal;
	/* It dumped core. */
	bool core_dumped;
	/* Its timeout expired and we signalled it. */
	bool timed_out;
	/* spawn_terminate() or spawn_kill_all() stopped it. */
	bool terminated;
	/* It never ran; the reason has been reported, see exec_errno. */
	bool start_failed;
	/*
	 * errno of the failed check, chdir or execve when start_failed
	 * (0 if the failure had no errno, such as fork limits).
	 */
	int exec_errno;
	/*
	 * Processes found alive in its group once it had exited, which we
	 * then killed with SIGKILL and waited for (grandchildren left
	 * behind).  After a timeout this may count some that were already
	 * dying of the SIGTERM.
	 */
	unsigned leftovers;
	/*
	 * spawn_run_capture() only: its output exceeded the limit, so its
	 * group was killed (unless it had already exited) and the output
	 * dropped.
	 */
	bool output_overflow;
	/* Wall time from fork to reaping, in microseconds. */
	int64_t wall_us;
	/* Its resource usage from wait4(): CPU times, ru_maxrss in KiB. */
	struct rusage rusage;

	/* Results of supervised children only. */

	/* Its supervisor's pid. */
	pid_t supervisor;
	/* When the program was reaped: microseconds since the epoch. */
	int64_t ended_at_us;
	/* Bytes of output it wrote, and of those not kept (out_limit). */
	int64_t out_bytes;
	int64_t out_dropped;
	/* errno of the first failed write to out_path (ENOSPC, say), or 0. */
	int out_errno;
	/* The supervisor died without a result: nothing above is known. */
	bool lost;
	/* The last bytes of its output (at most SPAWN_TAIL_MAX). */
	struct strbuf tail;
	/* Where it ran and where its output went, as its supervisor says. */
	struct strbuf ran_dir, ran_log;

	/* Private to spawn.c and spawn-sup.c. */
	enum spawn_state state;
	int pidfd;
	bool in_pool;
	struct spawn_sup *sup; /* supervised: its supervisor */
	bool from_file;	 /* the result was read from status_path */
	int64_t start_ns;
	int64_t deadline_ns; /* next timer, CLOCK_MONOTONIC; -1 none */
};

#define SPAWN_CHILD_INIT                                                     \
	{                                                                    \
		.args = STRVEC_INIT, .env_delta = STRVEC_INIT, .out_fd = -1, \
		.err_fd = SPAWN_FD_OUT,                                      \
		.kill_grace_ms = SPAWN_DEFAULT_GRACE_MS, .weight = 1,        \
		.exit_code = -1, .tail = STRBUF_INIT, .ran_dir = STRBUF_INIT, \
		.ran_log = STRBUF_INIT, .pidfd = -1, .deadline_ns = -1,      \
	}

/* The most output kept in spawn_child.tail. */
#define SPAWN_TAIL_MAX 4096

/* spawn_child_init: the same as SPAWN_CHILD_INIT. */
void spawn_child_init(struct spawn_child *c);

/*
 * spawn_child_release: free args and env_delta and reset c to
 * SPAWN_CHILD_INIT, dropping the results.  A child still running (not in
 * a pool) is killed with SIGKILL and reaped first, unless it is
 * supervised: then only our side of its socket is closed, which is how
 * its supervisor learns that nobody will take its result (see
 * Supervision).  Accepts a zeroed or SPAWN_CHILD_INIT child.  It is a
 * bug to release a child that is in a pool.
 */
void spawn_child_release(struct spawn_child *c);

/*
 * spawn_start: start c (state NEW, DONE or FAILED; earlier results are
 * cleared).  Returns 0 once the program has been executed: the exec
 * succeeded and c is RUNNING.  Returns -1 with the error reported
 * (`could not execute "x": ...`, `could not change directory to
 * "d": ...`), start_failed and exec_errno set and nothing left to reap,
 * if it could not be run.  Must be followed by spawn_wait() or
 * spawn_child_release().
 */
int spawn_start(struct spawn_child *c) CASCADE_MUSTCHECK;

/*
 * spawn_wait: wait until the running child c has exited, enforcing its
 * timeout, kill whatever it left in its process group, reap it and fill
 * in the results.  Returns 0 whatever the child's fate (look at the
 * results), -1 with the error reported if waiting itself failed: if
 * poll() failed, c is still running (spawn_child_release() kills it); if
 * wait4() failed, c is DONE with an unknown status (exit_code -1,
 * term_signal 0).  Not for children in a pool.
 */
int spawn_wait(struct spawn_child *c) CASCADE_MUSTCHECK;

/*
 * spawn_run: spawn_start() then spawn_wait(); returns -1 if either
 * failed (already reported), else 0 with the results filled in.
 */
int spawn_run(struct spawn_child *c) CASCADE_MUSTCHECK;

/*
 * spawn_start_piped: start c as spawn_start() does, with its stdin and
 * stdout on pipes: *to_fd receives the write end of its stdin, *from_fd
 * the read end of its stdout, both non-blocking and close-on-exec, the
 * caller's to close (closing to_fd is end of input for the child).
 * c->out_fd is ignored; stderr goes to c->err_fd, except that
 * SPAWN_FD_OUT means /dev/null here (stdout is the answer channel).
 * Returns 0 once it runs, or -1 as spawn_start() (both fds -1).  Its
 * timeout_ms, if any, counts from the start as usual; a caller with
 * deadlines of its own leaves it 0.  End it with spawn_finish() or
 * spawn_child_release() (SIGKILL to its group, then reaped).
 */
int spawn_start_piped(struct spawn_child *c, int *to_fd, int *from_fd)
	CASCADE_MUSTCHECK;

/*
 * spawn_pipe_write: write(2) to a pipe whose reader may be gone: -1
 * with errno EPIPE then, without our process getting SIGPIPE (blocked
 * for the call, and the one it raised taken).  EINTR is retried.
 */
ssize_t spawn_pipe_write(int fd, const void *buf, size_t len);

/*
 * spawn_finish: let the running child c (not in a pool, not supervised)
 * end by itself within wait_ms, then SIGKILL its group; reap it and fill
 * in the results as spawn_wait().  wait_ms <= 0: SIGKILL at once
 * (terminated is set).  For a child that closed its output or was told to
 * end (its input closed).  0, or -1 as spawn_wait().
 */
int spawn_finish(struct spawn_child *c, int wait_ms) CASCADE_MUSTCHECK;

/*
 * spawn_terminate: start stopping a running child now: SIGTERM (and
 * SIGCONT) to its group, SIGKILL after kill_grace_ms; sets terminated.
 * Does not wait: the child is reaped by spawn_wait() or by the pool.
 * No-op if c is not running or is already being stopped.  A supervised
 * child's supervisor is asked to do the same (an adopted one gets
 * SIGTERM); its result then says terminated.
 */
void spawn_terminate(struct spawn_child *c);

/*
 * spawn_run_capture: run c, appending its stdout to out, with at most
 * max bytes (0: SPAWN_CAPTURE_MAX).  stderr goes to c->err_fd: with the
 * default SPAWN_FD_OUT it is captured as well; set -1 for /dev/null.
 * c->out_fd is ignored; the timeout applies.  Returns 0 once the child
 * has been reaped (look at the results: output_overflow first, then
 * exit code, signal, timed_out), or -1 with the error reported if it
 * could not be started or waited for.  Output over max bytes is a
 * result, not an error: the group is killed with SIGKILL and reaped,
 * output_overflow is set and nothing is reported.  On -1 and on
 * overflow, out is restored to its length on entry.
 */
int spawn_run_capture(struct spawn_child *c, struct strbuf *out, size_t max)
	CASCADE_MUSTCHECK;

/*
 * spawn_exit_status: the shell's view of a finished child: its exit
 * code, or 128 + the signal that ended it; -1 if it never ran or has
 * not been reaped.
 */
int spawn_exit_status(const struct spawn_child *c);

/*
 * spawn_describe: append to sb how c ended, for messages, for example
 * "exited with status 3", "was terminated by signal 11 (Segmentation
 * fault)" or "was terminated by signal 15 (Terminated) after timing out
 * (600000 ms)", with "; 1 leftover process(es) in its group were killed"
 * appended when that happened.
 */
void spawn_describe(const struct spawn_child *c, struct strbuf *sb);

/*
 * A pool runs children in parallel within a capacity counted in slots.
 * The pool keeps pointers to the children it is given; they stay the
 * caller's, and must neither move nor be changed nor released until
 * spawn_pool_wait() has returned them (or spawn_kill_all() has run).
 */
struct spawn_pool {
	/* Slots in total and slots taken by running children. */
	unsigned capacity;
	unsigned used;
	/*
	 * Slots that may be sent ahead to the supervisor beyond capacity
	 * (0: none): supervised children only (every child of such a pool
	 * must have a status_path).  A child sent ahead waits in the
	 * supervisor and starts there the moment a slot frees, without a
	 * round trip through us; it is "running" to us from the send.
	 */
	unsigned ahead;
	/*
	 * A descriptor the caller wants watched as well (a signal
	 * self-pipe, say); -1 for none.  Set it directly; not owned.
	 */
	int wake_fd;
	/*
	 * Where the pool's supervisor writes its own messages (appended);
	 * NULL: nowhere.  It never keeps our stdin, stdout or stderr, so
	 * that cron's mail or a pipe from us ends when we do.  Borrowed.
	 */
	const char *sup_log;

	/* Private to spawn.c and spawn-sup.c. */
	struct spawn_child **running;
	size_t nr_running, alloc_running;
	/* supervised children that ended, not yet returned */
	struct spawn_child **ended;
	size_t nr_ended, alloc_ended;
	/* supervisors: ours first (started on demand), then attached ones */
	struct spawn_sup **sups;
	size_t nr_sups, alloc_sups;
	struct spawn_child **queue; /* FIFO, started in order */
	size_t nr_queue, alloc_queue;
	struct pollfd *pfd;
	size_t alloc_pfd;
};

#define SPAWN_POOL_INIT {.wake_fd = -1}

/* What spawn_pool_wait() found; errors are -1. */
enum spawn_pool_event {
	SPAWN_POOL_EMPTY = 0,	/* nothing running and nothing queued */
	SPAWN_POOL_DONE = 1,	/* *done is a finished child */
	SPAWN_POOL_TIMEOUT = 2, /* timeout_ms passed first */
	SPAWN_POOL_WAKE = 3,	/* wake_fd is readable */
};

/* spawn_pool_init: an empty pool of capacity slots (>= 1). */
void spawn_pool_init(struct spawn_pool *pool, unsigned capacity);

/*
 * spawn_pool_release: free the pool's memory.  Children still running
 * are stopped as by spawn_kill_all() first.  Accepts a zeroed or
 * SPAWN_POOL_INIT pool.
 */
void spawn_pool_release(struct spawn_pool *pool);

/* spawn_pool_has_room: whether a child of that weight could start now. */
bool spawn_pool_has_room(const struct spawn_pool *pool, unsigned weight);

/*
 * spawn_pool_start: start c now in the pool; the caller has checked
 * spawn_pool_has_room() (a bug otherwise).  Returns 0 if it runs; -1
 * with the error reported and c FAILED (not in the pool) if it could not
 * be started.
 */
int spawn_pool_start(struct spawn_pool *pool, struct spawn_child *c)
	CASCADE_MUSTCHECK;

/*
 * spawn_pool_add: queue c; spawn_pool_wait() starts queued children in
 * order as slots become free.  One that cannot be started is returned by
 * spawn_pool_wait() as done, with start_failed set.
 */
void spawn_pool_add(struct spawn_pool *pool, struct spawn_child *c);

/*
 * spawn_pool_wait: start what fits from the queue, then wait until a
 * child finishes, wake_fd becomes readable or timeout_ms passes (-1:
 * no limit, 0: just look), enforcing every child's timeout meanwhile.
 * A finished child is reaped and removed from the pool, its slots freed,
 * and returned in *done with SPAWN_POOL_DONE (one per call; finished
 * children are returned before wake_fd is reported).  If reaping it
 * failed, that is reported and it still comes back, DONE with an unknown
 * status (exit_code -1, term_signal 0).  Otherwise *done is set to NULL.
 * wake_fd is only watched, never read.  Returns a spawn_pool_event, or
 * -1 with the error reported if poll() failed (nothing changed).
 */
int spawn_pool_wait(struct spawn_pool *pool, int timeout_ms,
		    struct spawn_child **done) CASCADE_MUSTCHECK;

/*
 * spawn_kill_all: for our own shutdown: drop the queue (those children
 * go back to state NEW, never started), send every running group
 * SIGTERM, SIGKILL after each child's grace period, and reap them all;
 * they get terminated set and are no longer in the pool.  Returns 0, or
 * -1 with the error reported if waiting failed (the children are then
 * SIGKILLed and reaped regardless).  Supervised and adopted children are
 * stopped through their supervisors (spawn_terminate) and come back DONE
 * with their results; acknowledge them (spawn_ack) once recorded.
 */
int spawn_kill_all(struct spawn_pool *pool);

/*
 * Supervision.  The children of a pool that have a status_path (the
 * runner's codes) run under the pool's supervisor: one process per pool,
 * a copy of ours made with fork() at the first such start (no exec; it
 * closes every descriptor but its socket to us at once, so it holds
 * neither our database connection nor our lock), in a process group of
 * its own, without a parent-death signal.  It starts each program as
 * spawn_start() would (the program's parent-death signal is the
 * supervisor's), enforces its timeout, kills what it leaves in its group,
 * reaps it, passes its stdout and stderr on to the file at out_path
 * (opened for appending; see out_limit), keeps the last bytes, and sends
 * us the result, which spawn_pool_wait() returns.  It holds a result
 * until we acknowledge it (spawn_ack), which we do once it is recorded.
 *
 * The supervisor outlives us.  While no one is connected to it (we died,
 * or let it go with children running: spawn_pool_detach), it writes every
 * result not acknowledged to its child's status_path (a temporary name
 * renamed into place: whole or absent; not fsynced) and exits once it has
 * nothing left.  A successor (another process of ours) finds it by the pid
 * and start time the caller recorded (spawn_pool_supervisor), attaches
 * to it (spawn_pool_attach), learns what it runs and holds, and takes
 * over: from then on results go to the successor.  So a program that
 * ended is never lost or run again, whatever instant we died at; only a
 * supervisor killed with SIGKILL (its programs die with it) or a crash of
 * the host loses results.  status_path is the child's key: unique on this
 * host.
 */

/*
 * spawn_pool_supervisor: the pool's supervisor, started now if it is not
 * running: its pid into *pid (for the caller to record before the first
 * supervised start).  0, or -1 with the error reported.
 */
int spawn_pool_supervisor(struct spawn_pool *pool, pid_t *pid)
	CASCADE_MUSTCHECK;

/*
 * spawn_ack: the caller has recorded the result of the DONE supervised
 * child c: its supervisor may forget it (sent with the next message to
 * it, or when the pool lets it go), or the status_path it was read from
 * (spawn_status_read) is removed.  Never fails.
 */
void spawn_ack(struct spawn_child *c);

/*
 * spawn_status_read: fill in c's results (DONE) from the file at
 * c->status_path that a supervisor wrote.  Returns 1 if read, 0 if there
 * is no such file, -1 if it is unreadable or malformed (reported).
 */
int spawn_status_read(struct spawn_child *c) CASCADE_MUSTCHECK;

/*
 * spawn_status_encode / spawn_status_decode: the result record that a
 * supervisor sends or writes (text: a "cascade-status 1" line,
 * "key=value" lines, the tail's bytes, an "end" line).  decode fills in
 * c's results and returns 0, or -1 if buf is not one whole record.
 */
void spawn_status_encode(const struct spawn_child *c, struct strbuf *out);
int spawn_status_decode(const char *buf, size_t len, struct spawn_child *c)
	CASCADE_MUSTCHECK;

/*
 * What an attached supervisor has: a child's key, whether it runs, and
 * where (its directory and log).
 */
struct spawn_held {
	char *key;
	bool running;
	char *dir, *log;
};
void spawn_held_free(struct spawn_held *h, size_t n);

/*
 * spawn_pool_attach: take over the supervisor pid (started start_ticks
 * after boot: the caller has checked it is that process) that a dead
 * predecessor left: its children still running and its results not yet
 * acknowledged are listed in *held (free with spawn_held_free); each is
 * then adopted (spawn_pool_adopt) or dropped (spawn_pool_drop).  Returns
 * 1, 0 if it is gone (it has written its results to their status paths),
 * or -1 with the error reported.
 */
int spawn_pool_attach(struct spawn_pool *pool, pid_t pid, int64_t start_ticks,
		      struct spawn_held **held, size_t *n) CASCADE_MUSTCHECK;

/*
 * spawn_pool_adopt: c (status_path one of the keys attached, weight set)
 * becomes the pool's: 1 if it still runs (spawn_pool_wait returns it when
 * it ends), 2 if it had ended (c is DONE with its result, not in the
 * pool), 0 if no attached supervisor has that key.
 */
int spawn_pool_adopt(struct spawn_pool *pool, struct spawn_child *c)
	CASCADE_MUSTCHECK;

/*
 * spawn_pool_drop: a key attached that the caller does not take: if it
 * still runs it is stopped, and its result is discarded.
 */
void spawn_pool_drop(struct spawn_pool *pool, const char *key);

/*
 * spawn_pool_detach: for our own exit on an error: let go of the
 * supervised children of pool (they run on; their supervisors keep
 * their results for a successor), and stop (as spawn_kill_all) the
 * others.  The pool is empty afterwards; its supervisors go on while
 * they have anything.
 */
void spawn_pool_detach(struct spawn_pool *pool);

/*
 * spawn_which: where the program name would be found when started with
 * our own environment: name itself if it has a '/', else the first
 * executable file of that name in PATH ("/usr/bin:/bin" if unset; empty
 * entries skipped), as spawn_start looks it up.  False (path empty) if
 * there is none.
 */
bool spawn_which(const char *name, struct strbuf *path);

/*
 * spawn_kill_orphans: SIGKILL what is left of a process group that an
 * earlier cascade process started and could not stop because it died:
 * every process on this machine in process group pgid whose environment
 * holds every entry of markers (a NULL-terminated list, such as
 * "CASCADE_BUILD_ID=42" and "CASCADE_MISSION=demo", which the runner
 * gives every code), so that a process group id reused by an unrelated
 * program is left alone.  pgid 0: in any process group (the markers
 * alone decide).  Scans /proc until a pass finds nothing more to
 * kill (processes forked meanwhile are caught too).  Returns how many
 * processes were killed; processes of other users that we may not
 * signal are reported and left.
 */
int spawn_kill_orphans(pid_t pgid, const char *const *markers);

#endif
