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
struct store_mission;
struct runner;

struct runner_options {
	int slots;            /* parallel slots (code cpu weights count) */
	int64_t run_id;
	int code_timeout_s;   /* when the code sets none */
	int kill_grace_s;
	int max_attempts;
	int bad_after;
	int bad_within_s;
	bool refuse_changed_code;
	int sample_every;     /* >0: run every Nth build only (sample mode) */
	const char *scratch_dir; /* sample mode: outputs go here */
	int wake_fd;          /* readable when a signal arrived, or -1 */
	volatile sig_atomic_t *stop;   /* set by SIGTERM/SIGINT handlers */
	volatile sig_atomic_t *report; /* set by SIGUSR1: log progress */
};

struct runner_counts {
	long started;
	long succeeded;
	long failed;    /* final failures */
	long bad;
	long retried;
	long recovered; /* builds reset after a dead controller */
};

/*
 * runner_new: load products and their directory templates.  Returns 0 and
 * *out (free with runner_free), or -1 (reported).
 */
int runner_new(struct db *db, const struct store_mission *m,
	       const struct runner_options *opt, struct runner **out)
	CASCADE_MUSTCHECK;
void runner_free(struct runner *r);

/*
 * runner_recover: after a controller died: reset its running builds,
 * mark batches that keep killing controllers bad, remove stale work
 * directories.  Returns 0 or a negative db_status (reported).
 */
int runner_recover(struct runner *r, struct runner_counts *counts)
	CASCADE_MUSTCHECK;

/*
 * runner_run: run every ready build (and retries) until none is left.
 * Returns 0, 1 if stopped by *opt->stop (running builds were stopped and
 * queued again), or a negative db_status (reported).
 */
int runner_run(struct runner *r, struct runner_counts *counts)
	CASCADE_MUSTCHECK;

/*
 * runner_describe_ready: append one line per ready build (process, key,
 * version, output, argv) to sb, for dry runs.  Returns 0 or -1.
 */
int runner_describe_ready(struct runner *r, struct strbuf *sb)
	CASCADE_MUSTCHECK;

#endif
