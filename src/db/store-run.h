/*
 * store-run.h - the build state machine in the database:
 * queued -> running -> recording -> succeeded, or failed / timed_out /
 * killed (retried while attempts remain) / bad, and the batch counters.
 *
 * Each transition is one short transaction, never held open while a
 * code runs.  "recording" is committed as soon as a code has finished
 * successfully, before its output is archived, so a controller killed
 * while archiving completes the recording next time instead of running
 * the code again.
 */
#ifndef CASCADE_STORE_RUN_H
#define CASCADE_STORE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "period.h"
#include "state.h"
#include "strvec.h"
#include "version.h"

struct db;

/* A build ready to start (or to finish recording), with what it needs. */
struct sr_build {
	int64_t id;
	int64_t batch_id;
	enum build_state status;
	int attempt;
	int quick_failures;
	int process_id;
	char *process_name;
	enum timebase timebase;
	char *extra_params;
	int output_product;  /* 0 for RUN */
	char *output_key;
	int32_t date;
	char *output_filename;
	struct version out_version;
	int code_id;
	char *code_filename;
	char *code_relpath;
	struct version code_version;
	char *code_args;
	int timeout_s;
	int cpu;
	char *code_sha256;   /* NULL: not registered yet */
	char *work_dir;      /* recording: where the output waits */
	int64_t *inputs;
	size_t n_inputs;
	/* of the current attempt (store_builds_open) */
	int pid;             /* its code's pid (and group), 0 if unknown */
	int supervisor_pid;  /* 0 if none */
	int64_t supervisor_start; /* -1 if unknown */
	char *hostname;      /* where it ran, "" if unknown */
	char *boot_id;       /* of that host then, "" if unknown */
	char *log_path;      /* NULL if none */
	char *slurm_job_id;  /* its Slurm job, "" if none (local) */
	/*
	 * HOURLY and ORBIT: its key's period number and instants [start,
	 * stop) (0, 0 for keys of days, and for an orbit no longer in the
	 * table)
	 */
	int64_t period_number;
	int64_t period_start, period_stop;
};

/* An input file of a build: where it is and what it is. */
struct sr_file {
	int64_t id;
	int product_id;
	char *filename;
	int32_t date;
	int64_t start_usec; /* utc_start_time */
	struct version version;
	char *keywords;
	char *sha1, *sha256; /* as recorded; NULL: not */
};

/*
 * store_builds_ready: up to limit queued builds, ordered by the level of
 * their output product and id, with their code and process.  Caller
 * frees with store_sr_builds_free.
 */
int store_builds_ready(struct db *db, int limit, struct sr_build **out,
		       size_t *n) CASCADE_MUSTCHECK;

/*
 * store_builds_open: the builds running or recording (after a controller
 * died: what it left), and those of ids still queued, by id, with where
 * and by what they ran.
 */
int store_builds_open(struct db *db, const int64_t *ids, size_t nids,
		      struct sr_build **out, size_t *n) CASCADE_MUSTCHECK;

/* A supervisor a dead run may have left on this host. */
struct sr_supervisor {
	int64_t logging_id; /* its run's row; 0 if only builds name it */
	int pid;
	int64_t start;	    /* clock ticks since boot; -1 unknown */
	char *boot_id;	    /* of the host then, "" unknown */
};
void store_sr_supervisors_free(struct sr_supervisor *s, size_t n);

/*
 * store_supervisors_left: the supervisors of other runs on host: those
 * their logging rows name, and those running builds name.
 */
int store_supervisors_left(struct db *db, int64_t run_id, const char *host,
			   struct sr_supervisor **out, size_t *n)
	CASCADE_MUSTCHECK;

/*
 * store_run_supervisor: the supervisor of run run_id is pid (started at
 * start ticks; -1 unknown), or none (pid 0).
 */
int store_run_supervisor(struct db *db, int64_t run_id, int pid,
			 int64_t start) CASCADE_MUSTCHECK;
void store_sr_builds_free(struct sr_build *b, size_t n);

/* store_files_get: the files with these ids (any order; caller frees). */
int store_files_get(struct db *db, const int64_t *ids, size_t n,
		    struct sr_file **out, size_t *nout) CASCADE_MUSTCHECK;
void store_sr_files_free(struct sr_file *f, size_t n);

/* Resource use and exit of one attempt. */
struct sr_outcome {
	int pid;            /* the code's pid, 0 if it never ran */
	int exit_code;      /* -1 if killed by a signal or never run */
	int term_signal;
	double wall_s;
	double cpu_user_s, cpu_sys_s;
	long max_rss_kb;
	/*
	 * When it ended, microseconds since the epoch on this host (0:
	 * now): the row's ended_at is that instant, however long the
	 * recording waited, in the server's clock.
	 */
	int64_t ended_at_us;
};

/* What a build's start records. */
struct sr_start {
	int64_t build_id;
	int64_t run_id;
	int supervisor_pid;
	int64_t supervisor_start; /* clock ticks since boot, -1 unknown */
	const char *host;
	const struct strvec *argv;
	const char *log_path;
	const char *work_dir;
};

/*
 * store_build_start: queued -> running: attempt+1, started_at, its
 * supervisor, host, argv, log path, work dir; marks the batch running
 * (a new attempt the first time this run touches it).  With done, in
 * the same statement (one round trip) build done_id goes running ->
 * recording with that outcome, as store_build_recording does: the code
 * that finished, whose slot this build takes.
 */
int store_build_start(struct db *db, const struct sr_start *st,
		      int64_t done_id, const struct sr_outcome *done)
	CASCADE_MUSTCHECK;

/* store_build_recording: running -> recording (the code succeeded). */
int store_build_recording(struct db *db, int64_t id,
			  const struct sr_outcome *o) CASCADE_MUSTCHECK;

/*
 * store_build_failed: record a failed attempt.  status is the final
 * state of this attempt (failed, timed_out, killed); when retry, the build
 * goes back to queued instead; when bad, to bad.  A failure row (kind,
 * reason, stderr tail) is written for final states.  Updates the batch.
 */
int store_build_failed(struct db *db, int64_t id, int64_t run_id,
		       enum build_state status, bool retry, bool bad,
		       bool quick, const char *kind, const char *reason,
		       const char *stderr_tail, const struct sr_outcome *o)
	CASCADE_MUSTCHECK;

/* The output file of a successful build. */
struct sr_output {
	int product_id;
	double level;
	const char *filename;
	int32_t date;
	int64_t start_usec, stop_usec;
	struct version version;
	int64_t mtime_usec;
	const char *sha1, *sha256;
	int64_t size;
	const char *keywords;
	const char *provenance; /* the command line */
};

/* A build that succeeded, for store_builds_succeeded. */
struct sr_success {
	int64_t build_id;
	const struct sr_output *out; /* NULL: a RUN build (no file) */
};

/*
 * store_builds_succeeded: n builds recording -> succeeded, in one
 * statement (the caller's transaction) with, for each that made a file:
 * the file row, its unixtime row, its queue entry (for its children),
 * its filefilelink rows (one per input) and its filecodelink row; and
 * the bookkeeping of their batches.  An error if any of them was not
 * recording.
 */
int store_builds_succeeded(struct db *db, int64_t run_id,
			   const struct sr_success *s, size_t n)
	CASCADE_MUSTCHECK;

/* store_file_recorded: whether a file row has this name. */
int store_file_recorded(struct db *db, const char *filename, bool *recorded)
	CASCADE_MUSTCHECK;

/* store_code_register: record a code's SHA-256 on first use. */
int store_code_register(struct db *db, int code_id, const char *sha256)
	CASCADE_MUSTCHECK;

/* Open builds of a process and how long its builds take. */
struct sr_outlook {
	int process_id;
	int64_t open;  /* queued or running */
	double mean_s; /* mean run time of its recent successes; <0: none */
};

/*
 * store_run_outlook: per process with open builds, how many and the mean
 * run time of its builds that succeeded in the last 30 days (for an
 * ETA).  Caller frees *out.
 */
int store_run_outlook(struct db *db, struct sr_outlook **out, size_t *n)
	CASCADE_MUSTCHECK;

/*
 * store_open_dirs: the work directories of the builds running or
 * recording (outputs wait there, or codes run there), pushed onto dirs.
 */
int store_open_dirs(struct db *db, struct strvec *dirs) CASCADE_MUSTCHECK;

/* store_running_of: those of ids[] whose builds are running (*running
 * is the caller's to free). */
int store_running_of(struct db *db, const int64_t *ids, size_t n,
		     int64_t **running, size_t *nrunning) CASCADE_MUSTCHECK;

/* What recovery found of the builds a dead controller left running. */
struct sr_recovery {
	int64_t run_id;
	int bad_after;       /* stalls in a row that make a batch bad */
	const int64_t *live; /* still running under a live supervisor */
	size_t n_live;
	const int64_t *kept; /* ended: their supervisors kept the result */
	size_t n_kept;
	const int64_t *dead; /* their supervisors died without a result */
	size_t n_dead;
	const int64_t *started; /* queued, but a supervisor has them */
	size_t n_started;
	const char *const *started_dir; /* where each ran (n_started) */
	const char *const *started_log;
	const char *host;
};

/*
 * store_recover: in one transaction, after a controller died (we hold
 * the flag): the poison rule (a batch on which controllers died
 * bad_after times in a row with no code's result recorded in between
 * is marked bad, its open builds cancelled, a failure row left); the
 * dead builds go back to queued with the attempt they were on given
 * back; the batches with results to record (kept, and builds left
 * recording) start an attempt of this run.  Counts returned.
 */
int store_recover(struct db *db, const struct sr_recovery *rv,
		  long *poisoned, long *cancelled, long *requeued)
	CASCADE_MUSTCHECK;

/*
 * store_poison_unresolved: how many batches marked bad by the poison rule
 * await a person (unresolved poison-batch failures).
 */
int store_poison_unresolved(struct db *db, long *n) CASCADE_MUSTCHECK;

/*
 * store_builds_requeue: these running builds back to queued, the
 * attempt they were on given back (they did not fail: the environment
 * did, or we stopped them).
 */
int store_builds_requeue(struct db *db, const int64_t *ids, size_t n)
	CASCADE_MUSTCHECK;

/*
 * store_interrupt_builds: builds stopped by a signal (ids) go back to
 * queued, without counting an attempt, and the batches this run was
 * running to planned.
 */
int store_interrupt_builds(struct db *db, int64_t run_id, const int64_t *ids,
			   size_t n) CASCADE_MUSTCHECK;

/*
 * store_builds_slurm: the Slurm jobs that run builds ids[0..n) (job_ids
 * alike), recorded on their rows (build.slurm_job_id), in one statement.
 */
int store_builds_slurm(struct db *db, const int64_t *ids,
		       const char *const *job_ids, size_t n) CASCADE_MUSTCHECK;

/* store_build_node: the node build id ran on ("" or NULL: unknown) */
int store_build_node(struct db *db, int64_t id, const char *node)
	CASCADE_MUSTCHECK;

#endif
