/*
 * runner.h - run planned builds in parallel slots and record the results.
 *
 * Each build is a state machine in the database (store-run.h): queued ->
 * running (committed after its code started, in its own process group,
 * in a private work directory, with its output to a kept log) ->
 * recording (committed when the code exited 0 and left its output) ->
 * succeeded (output linked into the archive, never replacing anything,
 * its directory synced, then file, link and queue rows in one
 * transaction).  A failure (exit status, signal, timeout, no or wrong
 * output, a code changed on disk without a version bump) is recorded with
 * its reason and log tail; it is retried up to max_attempts, and a build
 * whose attempts all fail quickly (bad_after times within bad_within_s)
 * is marked bad and left for a person.  Failures never stop other builds.
 *
 * Waiting is event-driven: spawn's pool polls pidfds and the caller's
 * wake descriptor (a signal self-pipe); there are no sleeps.
 */
#ifndef CASCADE_RUNNER_H
#define CASCADE_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "compat.h"
#include "strbuf.h"

struct db;
struct catalog;
struct runner;

/*
 * runner_run and runner_recover return this when the file system refused
 * (full, read-only, no permission): nothing more was started, what could
 * not be done stays queued or recording, and no build was counted failed.
 */
#define RUNNER_ENV 2

struct runner_options {
	int slots;            /* parallel slots (code cpu weights count) */
	int64_t run_id;
	int code_timeout_s;   /* when the code sets none */
	int kill_grace_s;
	int max_attempts;
	int bad_after;
	int bad_within_s;
	bool refuse_changed_code;
	int64_t log_limit;    /* bytes of a code's output kept in its log */
	int sample_every;     /* >0: run every Nth build only (sample mode) */
	const char *scratch_dir; /* sample mode: outputs go here */
	/*
	 * submit and return: Slurm builds are submitted and those that
	 * ended are collected, but the run does not wait for the others
	 * (they are left running, a later run's to collect)
	 */
	bool slurm_return;
	int wake_fd;          /* readable when a signal arrived, or -1 */
	/*
	 * NULL: the wake descriptor is a pipe, read empty here.  Else
	 * on_wake(wake_arg) is called when it is readable, to take what
	 * made it so (the resident controller's events: signals, its lease
	 * timer, files arriving, notifications); a negative db_status
	 * returned (its lease could not be renewed) ends the run as a
	 * database error would.
	 */
	int (*on_wake)(void *wake_arg);
	void *wake_arg;
	/*
	 * the connection lost: stop the codes running on this host (they run
	 * again) rather than let them run on under their supervisors, so
	 * that none runs on once the flag may be another host's (resident
	 * controllers; Slurm's jobs run on, collected by their ids)
	 */
	bool stop_on_loss;
	volatile sig_atomic_t *stop;   /* set by SIGTERM/SIGINT handlers */
	volatile sig_atomic_t *report; /* set by SIGUSR1: log progress */
};

struct runner_counts {
	long started;
	long succeeded;
	long failed;    /* final failures */
	long bad;
	long retried;
	long recovered; /* builds queued again after a dead controller */
	long poisoned;	/* batches marked bad by the poison rule */
	long reused;	/* of succeeded: took an earlier build's output */
};

/*
 * runner_new: a runner over the catalog (its mission, products and
 * archive rules; borrowed, and it must outlive the runner).  Returns 0
 * and *out (free with runner_free), or -1 (reported).
 */
int runner_new(struct db *db, const struct catalog *cat,
	       const struct runner_options *opt, struct runner **out)
	CASCADE_MUSTCHECK;
void runner_free(struct runner *r);

/*
 * runner_recover: after a controller died (see runner-recover.c): adopt
 * the builds its supervisors still run, record the results they kept and
 * the outputs left recording, queue again what died, apply the poison
 * rule, remove what nobody needs.  Returns 0, RUNNER_ENV, or a negative
 * db_status (reported).
 */
int runner_recover(struct runner *r, struct runner_counts *counts)
	CASCADE_MUSTCHECK;

/*
 * runner_run: run every ready build (and retries) until none is left.
 * Returns 0, 1 if stopped by *opt->stop (running builds were stopped and
 * queued again), RUNNER_ENV, or a negative db_status (reported; codes
 * still running go on under their supervisors, for the next run).
 */
int runner_run(struct runner *r, struct runner_counts *counts)
	CASCADE_MUSTCHECK;

/*
 * runner_describe_ready: append to sb, for dry runs, each ready build
 * (process, key, output, version) and what the run would do with it:
 * its command line, or, for a build that would take an earlier build's
 * output (reuse by content, asked as runner_run asks it; *reused counts
 * them), "would reuse build N".  Content keys are stored as a run
 * stores them: call it inside a transaction that is rolled back.
 * Returns 0 or <0.
 */
int runner_describe_ready(struct runner *r, struct strbuf *sb, long *reused)
	CASCADE_MUSTCHECK;

#endif
