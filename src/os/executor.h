/*
 * executor.h - where codes run: this host's slots, or a Slurm cluster.
 *
 * The runner hands an executor builds to run and learns from it, one at a
 * time, how each ended.  Two executors share this interface:
 *
 *   local   executor-local.c: the spawn pool and its supervisor
 *           (spawn.h): codes run on this host, in slots; ends are events
 *           (the supervisor's socket).  A build is started when it is
 *           submitted if a slot is free (the runner asks first:
 *           executor_has_room), else queued for the next free slot.
 *   slurm   executor-slurm.c: builds are submitted to Slurm in groups,
 *           one batch job per group, whose generated wrapper script runs
 *           the group's builds (up to the job's CPUs at a time) and
 *           writes each build's status file; ends are learned from the
 *           status files (inotify where the file system reports them,
 *           else a scan) and, sparingly, from one squeue call for all
 *           jobs, with scontrol for a job's final state.
 *
 * Nothing about planning, versions, verification or recording depends on
 * the executor: it runs a program in a directory with an environment,
 * sends its output to a log and reports the end.
 *
 * The status-file contract (both executors): every build has a status
 * path, its key, unique across the mission (the runner's
 * "rootdir/.cascade/status/build-ID.ATTEMPT").  When a build ends and no
 * controller takes its result directly (local: the controller is not
 * attached to the supervisor; slurm: always), the result is written there
 * as one spawn_status_encode() record, by writing "PATH.tmp" and renaming
 * it into place: the file is whole or absent.  spawn_status_read() reads
 * both kinds, so recovery reads a Slurm build's end exactly as a local
 * one's.  A Slurm record's pid is the code's pid on its node; a build
 * cancelled before it started has pid 0, terminated 1.
 *
 * Calling sequence:
 *
 *   struct executor *ex = executor_slurm_new(&opts);
 *   struct exec_build b[N];        (each exec_build_init()ed, then filled)
 *   struct exec_build *v[N] = {&b[0], ...};
 *
 *   if (executor_submit(ex, v, N))           ... none was submitted
 *   ... record each b[i].job_id with its build (a successor adopts by it)
 *   while ((r = executor_wait(ex, -1, &done)) != EXEC_EMPTY) {
 *           if (r == EXEC_DONE)     ... done->res; exec_build_release()
 *           else if (r == EXEC_WAKE) ... read wake_fd; maybe cancel
 *           else if (r < 0)          break;   (reported)
 *   }
 *   executor_free(ex, false);
 *
 * A successor (the controller's next run) rebuilds each exec_build from
 * its records (status path, job id, log path) and calls executor_adopt();
 * an adopted build whose status file is already there comes back at the
 * next executor_wait() without asking the scheduler.
 *
 * Nothing here is thread-safe.  Only spawn.c forks: the Slurm commands
 * run through spawn_run_capture().
 */
#ifndef CASCADE_EXECUTOR_H
#define CASCADE_EXECUTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "compat.h"
#include "strbuf.h"
#include "strvec.h"

struct executor;
struct spawn_child;
struct exec_slurm_options;

/* How one build ended, as far as the executor can tell. */
struct exec_result {
	/* the program was started (a status record with a pid says so) */
	bool ran;
	/* exit status if it exited, else -1; the signal that ended it */
	int exit_code;
	int term_signal;
	/* its own timeout expired (or the Slurm job's time limit did) */
	bool timed_out;
	/*
	 * stopped on request: executor_cancel(), an scancel by someone, the
	 * controller's SIGTERM (the local executor's spawn "terminated")
	 */
	bool cancelled;
	/* the node it ran on failed, or the job could not start on one */
	bool node_failed;
	/*
	 * it was killed for exceeding its memory limit (slurm: its job's,
	 * which the group's builds share)
	 */
	bool oom;
	/* it could not be started: cd or exec failed (errno) */
	bool start_failed;
	int exec_errno;
	/* nothing is known: its job ended without a status record */
	bool lost;
	/* it dumped core */
	bool core_dumped;
	/* processes it left in its group, killed once it ended */
	unsigned leftovers;
	/* errno of the first failed write to its log (ENOSPC...), or 0 */
	int out_errno;
	/* its pid (slurm: on its node; 0: it never started) */
	pid_t pid;
	/* local: the supervisor that ran it (for the "lost" message) */
	pid_t supervisor;
	/* wall and CPU (user + system) time; max RSS in KiB, -1: unknown */
	int64_t wall_us, cpu_us, maxrss_kb;
	/* the CPU time's two parts */
	int64_t cpu_user_us, cpu_sys_us;
	/* when it ended, microseconds since the epoch (0: unknown) */
	int64_t ended_at_us;
	/* the last bytes of its output (at most 4 KiB) */
	struct strbuf tail;
	/* node name ("" unknown) and, for slurm, why, when not from a record */
	char node[64];
	struct strbuf reason;
	/* where it ran and where its output went, as the record says */
	struct strbuf ran_dir, ran_log;
};

/* One build to run. */
struct exec_build {
	/* Set by the caller before submit (strvecs owned, strings borrowed) */
	int64_t build_id;
	int attempt;
	/* argv (v[0] the program; a path, or looked up in PATH) */
	struct strvec args;
	/* "VAR=value" sets, bare "VAR" unsets; later entries win */
	struct strvec env_delta;
	/* working directory; the log (stdout and stderr appended) */
	const char *dir;
	const char *log_path;
	/* its key and where its result record goes (see above) */
	const char *status_path;
	/* seconds until SIGTERM to its process group (0: none) */
	int timeout_s;
	/* milliseconds from that SIGTERM to SIGKILL (local; default 5000) */
	int kill_grace_ms;
	/* local: the most output kept in its log (0: no limit; spawn.h) */
	int64_t out_limit;
	/* CPUs it takes (>= 1) and memory in MiB (0: unspecified) */
	unsigned cpus;
	int64_t mem_mb;
	/*
	 * slurm: the settings of its job (borrowed, alive while the build
	 * is the executor's; NULL: the executor's own): builds whose
	 * settings differ never share a job
	 */
	const struct exec_slurm_options *slurm;
	/* the caller's own pointer */
	void *data;

	/*
	 * Set by submit (or by the caller before adopt): the scheduler's
	 * handle, which the caller records; slurm: the job id ("1234").
	 */
	char job_id[32];

	/*
	 * Set by submit or adopt: the process that keeps its result while
	 * no controller listens (local: its supervisor; slurm: 0).
	 */
	pid_t supervisor;

	/*
	 * Set (with res) once it ended and is no longer the executor's:
	 * returned by executor_wait(), by executor_adopt() (2), or stopped
	 * by executor_stop_all().
	 */
	bool done;
	struct exec_result res;

	/* Private to the executors. */
	int state;
	bool cancel_asked;
	unsigned index; /* its place in its group (local: in the list) */
	void *job;
	struct spawn_child *child; /* local: the spawn pool's child */
};

/* exec_build_init: an empty build (cpus 1, no results). */
void exec_build_init(struct exec_build *b);
/*
 * exec_build_release: free its strvecs and results; reinitialise.  A
 * local build still running (an error exit) runs on under its
 * supervisor, which keeps its result for a successor.
 */
void exec_build_release(struct exec_build *b);

/*
 * exec_describe: append how b ended, for messages ("exited with status
 * 3", "was terminated by signal 9 (Killed) after timing out (600000
 * ms)", "ended unseen: ...", a Slurm job's state and reason).
 */
void exec_describe(const struct exec_build *b, struct strbuf *sb);

/*
 * exec_result_from_child: r filled in from the result of c (a spawn
 * child that ended, or a status record read into one).
 */
void exec_result_from_child(struct exec_result *r,
			    const struct spawn_child *c);

/* What executor_wait() found; errors are -1. */
enum exec_event {
	EXEC_EMPTY = 0,	  /* nothing submitted that has not been returned */
	EXEC_DONE = 1,	  /* *done ended: see its res */
	EXEC_TIMEOUT = 2, /* timeout_ms passed first */
	EXEC_WAKE = 3,	  /* the wake descriptor is readable */
};

/*
 * Settings of the Slurm executor (strings borrowed for its life).  A
 * build's own (exec_build.slurm) give its job's work_dir (NULL: the
 * executor's), partition, account, extra, time_limit_min and group_cpus
 * (0: the executor's); the rest is always the executor's.
 */
struct exec_slurm_options {
	/*
	 * A directory on the file system shared with the compute nodes:
	 * group scripts and job output go to WORK/slurm.  Required.
	 */
	const char *work_dir;
	/* sbatch --partition, --account; NULL: the cluster's default */
	const char *partition, *account;
	/* more sbatch options, one argument each */
	const struct strvec *extra;
	/* the job name (default "cascade") */
	const char *job_name;
	/*
	 * names the group scripts, WORK/slurm/group-TAG-RANDOM-N.sh, which
	 * executor_lookup reads (default: the process id); RANDOM, 8 hex
	 * digits, keeps a script's name from ever being that of another
	 * mission's job that Slurm still lists
	 */
	const char *tag;
	/* sbatch --time in minutes; 0: estimated from the builds' timeouts */
	int time_limit_min;
	/* CPUs per group job (default 2) and most builds per job (1000) */
	unsigned group_cpus, group_max;
	/* least time between two squeue calls (default 5000 ms) */
	int poll_ms;
	/* seconds between a build's SIGTERM and SIGKILL (default 5) */
	int grace_s;
	/*
	 * the group runner's path on the compute nodes: a job's script
	 * execs it where it is an executable file there, and runs the
	 * builds with bash itself where not.  NULL: where cascade installs
	 * it (LIBEXECDIR/cascade-group-runner); "": none, always bash
	 */
	const char *group_runner;
};

/*
 * executor_slurm_new: a Slurm executor.  Slurm's commands are found in
 * PATH and use the environment's SLURM_CONF, if set.  Nothing is asked
 * of Slurm yet.
 */
struct executor *executor_slurm_new(const struct exec_slurm_options *o);

/* Settings of the local executor (strings borrowed for its life). */
struct exec_local_options {
	/* slots (>= 1): a build takes its cpus of them */
	unsigned slots;
	/* where the supervisor writes its own messages (NULL: nowhere) */
	const char *sup_log;
};

/*
 * executor_local_new: the local executor (spawn.h's pool and its
 * supervisor, started at the first build).
 */
struct executor *executor_local_new(const struct exec_local_options *o);

/*
 * executor_set_wake_fd: a descriptor executor_wait() watches too (a
 * signal self-pipe); -1: none.  Never read or closed here.
 */
void executor_set_wake_fd(struct executor *ex, int fd);

/*
 * executor_submit: start (or queue with the scheduler) the n builds of b,
 * which stay the caller's and must neither move nor be released until
 * executor_wait() has returned them.  The slurm executor groups them
 * (same CPUs and memory; at most group_max builds, group_cpus CPUs each)
 * and submits one job per group.  0 once every build is submitted (job_id
 * set), -1 with the error reported: then the builds of the groups that
 * were submitted have their job_id set and are the executor's, the
 * others (job_id "") are not.
 */
int executor_submit(struct executor *ex, struct exec_build **b, size_t n)
	CASCADE_MUSTCHECK;

/*
 * executor_adopt: b (status_path, job_id, log_path, cpus set as
 * recorded) was submitted by a predecessor.  1: it is now this
 * executor's, and comes back from executor_wait() when it ends (slurm:
 * always; at once if its record is there); 2: it had ended, and its
 * result is in b->res now (b->done; acknowledge it with executor_ack once
 * recorded); 0: nothing is known of it here (local: no supervisor
 * attached has it and it left no status file).
 */
int executor_adopt(struct executor *ex, struct exec_build *b);

/*
 * executor_lookup: the builds of b[0..n) (job_id "", status_path and
 * their settings as when submitted) that a predecessor submitted and
 * died before it recorded their jobs: those a job of the scheduler
 * still holds get their job_id (then executor_adopt them); the others
 * were never submitted, or their jobs are gone (their status files may
 * say how they ended).  Slurm: one squeue call for the user's jobs,
 * whose group scripts in the builds' work directories are read for the
 * status paths they run.  Returns how many were found, or -1 with the
 * error reported when the scheduler could not be asked (then nothing is
 * known: do not run them again).  Local: 0.
 */
long executor_lookup(struct executor *ex, struct exec_build **b, size_t n)
	CASCADE_MUSTCHECK;

/*
 * executor_has_room: whether a build of cpus CPUs would start at once if
 * submitted now (local: a free slot; slurm: always, the scheduler
 * queues).
 */
bool executor_has_room(const struct executor *ex, unsigned cpus);

/* executor_load: slots in use and in all, for progress lines */
void executor_load(const struct executor *ex, unsigned *used,
		   unsigned *capacity);

/*
 * executor_ack: b's result (b->done) is recorded: the executor may forget
 * it (local: its supervisor is told; a status file read is removed;
 * slurm: its status file is removed).  Never fails.
 */
void executor_ack(struct executor *ex, struct exec_build *b);

/*
 * executor_supervisor: the process that will keep the results of builds
 * submitted next while no controller listens, started now if needed, to
 * be recorded before the first submit (local: the pool's supervisor;
 * slurm: none, *pid 0).  0, or -1 with errno set (not reported).
 */
int executor_supervisor(struct executor *ex, pid_t *pid) CASCADE_MUSTCHECK;

/*
 * executor_attach: take over the keeper of a dead predecessor's builds
 * (local: its supervisor pid, started start_ticks after boot; slurm:
 * nothing to attach, 0): the keys (status paths) of the builds it runs
 * or holds results of are appended to keys; each is then adopted
 * (executor_adopt) or dropped (executor_drop).  1 attached, 0 gone, -1
 * with the error reported.
 */
int executor_attach(struct executor *ex, pid_t pid, int64_t start_ticks,
		    struct strvec *keys) CASCADE_MUSTCHECK;

/*
 * executor_drop: a key attached that the caller does not take: stopped
 * if it runs, its result discarded.
 */
void executor_drop(struct executor *ex, const char *key);

/*
 * executor_kill_orphans: what a build whose keeper died left running
 * (local: the processes on this host in process group pgid, 0: any,
 * whose environment holds every entry of markers, NULL-terminated; see
 * spawn_kill_orphans; slurm: nothing, its job is found by its id).
 * Returns how many processes were killed.
 */
long executor_kill_orphans(struct executor *ex, pid_t pgid,
			   const char *const *markers);

/*
 * executor_stop_all: for a requested stop: every build not returned is
 * stopped (local: SIGTERM, SIGKILL after its grace) and waited for; each
 * comes back done (cancelled, or with its own end), no longer the
 * executor's.  Slurm: nothing is stopped: the jobs run on and their
 * builds stay the executor's (executor_free without cancel hands them to
 * a successor).  0, or -1 with the error reported (then local builds are
 * let go as by executor_free without cancel).
 */
int executor_stop_all(struct executor *ex) CASCADE_MUSTCHECK;

/*
 * executor_wait: wait until a build ends, the wake descriptor is
 * readable or timeout_ms passes (-1: no limit, 0: just look).  An ended
 * build is returned in *done with EXEC_DONE (one per call) and is no
 * longer the executor's; its status file is left for the caller to
 * remove once the result is recorded.  -1 with the error reported when
 * waiting itself failed (nothing changed).
 */
int executor_wait(struct executor *ex, int timeout_ms,
		  struct exec_build **done) CASCADE_MUSTCHECK;

/*
 * executor_cancel: stop b (its program gets SIGTERM, SIGKILL after the
 * grace period; not started yet: it never will).  It still comes back
 * from executor_wait(), with cancelled set (or with its own end, if it
 * ended first).  0, or -1 with the error reported.
 */
int executor_cancel(struct executor *ex, struct exec_build *b)
	CASCADE_MUSTCHECK;

/* executor_pending: builds submitted or adopted, not yet returned */
size_t executor_pending(const struct executor *ex);

/*
 * executor_free: let go of ex.  With cancel, every build not returned is
 * cancelled first (slurm: scancel of their jobs; not waited for);
 * without, they run on and their results go to their status files for a
 * successor (executor_adopt).  NULL is accepted.
 */
void executor_free(struct executor *ex, bool cancel);

/*
 * Pure parts of the Slurm executor, for tests.
 */

/* a Slurm job state as the executor sees it */
enum slurm_state {
	SLURM_ACTIVE,	 /* pending, running, completing, suspended... */
	SLURM_COMPLETED, /* the batch script ended (exit 0 or not) */
	SLURM_CANCELLED, /* scancel, preemption */
	SLURM_TIMEOUT,	 /* its time limit */
	SLURM_NODE_FAIL, /* node or boot failure */
	SLURM_OOM,	 /* out of memory (the cgroup's OOM killer) */
	SLURM_UNKNOWN,	 /* a state this version does not know: ended */
};

/* slurm_state_of: the class of a JobState/%T word ("CANCELLED") */
enum slurm_state slurm_state_of(const char *word);

/* one job as squeue or scontrol shows it */
struct slurm_job_info {
	char id[32];
	char state[32]; /* JobState, as shown */
	char node[64];	/* NodeList or BatchHost; "" if none */
	char reason[128]; /* why it waits, or ended; "" if none */
	int exit_code, exit_signal; /* ExitCode=C:S; -1 unknown */
	int64_t end_s; /* EndTime (scontrol), seconds since 1970; 0 unknown */
};

/*
 * slurm_parse_sbatch: the job id in sbatch --parsable output ("1234" or
 * "1234;cluster", a newline) into id (size idsz).  0, or -1 if the output
 * is not that.
 */
int slurm_parse_sbatch(const char *out, size_t len, char *id, size_t idsz)
	CASCADE_MUSTCHECK;

/*
 * slurm_parse_squeue: the lines "ID|STATE|NODELIST" or
 * "ID|STATE|NODELIST|REASON" (the reason is the rest of the line) of
 * squeue -h -o '%i|%T|%N|%r' into a new array *jobs (free()).  Lines not
 * of that shape are skipped and counted in *bad.  The count, or -1 only
 * if len is absurd (never for real output).
 */
long slurm_parse_squeue(const char *out, size_t len,
			struct slurm_job_info **jobs, size_t *bad);

/*
 * slurm_parse_scontrol: one job of scontrol -o show job (KEY=VALUE words
 * on one line, a value possibly holding spaces) into *job.  0, or -1 if
 * the line has no JobId and JobState.
 */
int slurm_parse_scontrol(const char *line, size_t len,
			 struct slurm_job_info *job) CASCADE_MUSTCHECK;

/*
 * slurm_parse_jobcomp: the last record of job id in the text of a
 * jobcomp/filetxt log (a line of KEY=VALUE words per job that ended,
 * "JobId=ID ..." as scontrol shows a job) into *job: 0, or -1 if there
 * is none.
 */
int slurm_parse_jobcomp(const char *text, size_t len, const char *id,
			struct slurm_job_info *job) CASCADE_MUSTCHECK;

/*
 * slurm_parse_script_keys: the status paths a group script runs (its
 * B_ST array, single-quoted words) appended to keys: 0, or -1 if the
 * text has no such array or it is malformed (keys then unchanged).
 */
int slurm_parse_script_keys(const char *text, size_t len,
			    struct strvec *keys) CASCADE_MUSTCHECK;

/*
 * slurm_jobs_query: the state of the jobs ids[0..n) as one squeue call
 * shows them (id, state, node, reason of a pending job) into a new array
 * *jobs (free()), *nj of them; jobs squeue no longer shows are left
 * out.  0, or -1 with why (squeue missing or failing) in why, not
 * reported.
 */
int slurm_jobs_query(const char *const *ids, size_t n,
		     struct slurm_job_info **jobs, size_t *nj,
		     struct strbuf *why) CASCADE_MUSTCHECK;

/*
 * slurm_quote: append s to sb as one bash word (single quotes, a quote
 * as '\'').
 */
void slurm_quote(struct strbuf *sb, const char *s);

#endif
