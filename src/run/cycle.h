/*
 * cycle.h - the run cycle of a controller: ingest, then plan and run
 * rounds until nothing is left, with its signal handling.
 *
 * "process-queue" runs both phases, "ingest" and "process"/"run-process"
 * one each; the caller holds the processing flag (unless a dry run or a
 * sample), and prints what the result says: this module writes nothing
 * to stdout.
 *
 * The ingest phase is ingest_run (ingest.h: recovery of a killed run,
 * then the incoming directory).  The processing phase recovers what a
 * dead controller left (runner_recover), runs the builds earlier runs
 * left before planning anything new (a child is planned only once the
 * builds of its inputs are done, in the order an uninterrupted run
 * has), then repeats plan (planner.c) and run (runner.c) until a round
 * plans and starts nothing, renewing the flag's lease between rounds.
 * run-process plans one process over a date range instead of the queue.
 * SIGTERM/SIGINT stop it cleanly (running codes are stopped and their
 * builds queued again); SIGUSR1 logs where it is.  A dry run plans
 * inside a transaction, describes the ready builds and rolls back;
 * --sample N runs every Nth planned build into a scratch directory and
 * rolls everything back.  Last, a batch the poison rule marked bad and
 * nobody has dealt with is warned about (it fails every run until a
 * person has).
 */
#ifndef CASCADE_CYCLE_H
#define CASCADE_CYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"
#include "ingest.h"
#include "lock.h"
#include "planner.h"
#include "runner.h"
#include "store.h"
#include "strbuf.h"

struct catalog;
struct db;

/* What a run is asked to do. */
struct cycle_options {
	bool ingest;             /* the ingest phase */
	bool process;            /* the processing phase */
	bool dry_run;            /* -d: change nothing */
	const char *glob;        /* ingest: incoming names (NULL: "*") */
	int num_proc;            /* 0: run.slots, else CPUs */
	const char *only;        /* -o: process names or ids */
	bool skip_run;           /* -s */
	int sample;              /* --sample N */
	const char *scratch_dir; /* where --sample puts outputs */
	int process_id;          /* run-process: this process only */
	int32_t from, to;        /* run-process: its date range */
	int version_bump;        /* run-process --force: -1 none */
	bool no_wait;            /* --no-wait: Slurm builds submitted, and
				    collected by a later run */
	/*
	 * A resident controller's events (watch.c): when on_wake is set,
	 * the runner waits on wake_fd (the signal pipe among others) and
	 * calls on_wake(wake_arg) when it is readable (runner.h); codes are
	 * stopped when the connection is lost (stop_on_loss).
	 */
	int wake_fd;
	int (*on_wake)(void *wake_arg);
	void *wake_arg;
	bool stop_on_loss;
};
#define CYCLE_OPTIONS_INIT {.version_bump = -1}

/* How a phase ended (its counts say what it did). */
enum cycle_outcome {
	CYCLE_OK = 0,
	CYCLE_DB,       /* the database failed or the connection was lost */
	CYCLE_ENV,      /* the file system refused (full, read-only...) */
	CYCLE_INTERNAL, /* an unexpected error */
	CYCLE_STOPPED,  /* by a signal */
};

struct cycle_ingest {
	bool ran;
	enum cycle_outcome outcome;
	int signal; /* CYCLE_STOPPED: the signal */
	struct ingest_counts counts;
	double seconds;
};

struct cycle_process {
	bool ran;            /* false: failed before planning (nothing said) */
	enum cycle_outcome outcome;
	int signal;          /* CYCLE_STOPPED: the signal */
	struct runner_counts run;
	struct plan_counts plan;
	double seconds;
	struct strbuf ready; /* dry run: the builds that would run */
	long would_reuse;    /* dry run: of them, those that would take an
				earlier build's output instead */
	bool poison_error;   /* the poison check failed (database) */
	long poison;         /* bad batches awaiting a person (warned) */
};

struct cycle_result {
	struct cycle_ingest ingest;
	struct cycle_process process;
};
#define CYCLE_RESULT_INIT {.process = {.ready = STRBUF_INIT}}

/*
 * cycle_run: the phases o asks for, in order (processing only if
 * ingest ended CYCLE_OK), over the catalog cat (catalog.h: the mission,
 * its run settings, products and processes); flag is the processing flag
 * held (its lease is renewed; not held in a dry run or a sample).
 * Errors are reported where they happen.  Returns 0, or -1 if a phase
 * did not end CYCLE_OK.
 */
int cycle_run(struct db *db, const struct catalog *cat,
	      struct lock_flag *flag, const struct cycle_options *o,
	      struct cycle_result *r);
void cycle_result_release(struct cycle_result *r);

/*
 * The signals of a controller.  cycle_signals installs the handlers
 * (SIGTERM and SIGINT ask for a stop, SIGUSR1 for a progress line, and
 * with hup SIGHUP for another look: a resident controller's rescan),
 * once, and returns the read end of the self-pipe they write a byte to
 * (non-blocking), or -1 (reported).  cycle_signal_stop: the stop signal
 * received, 0 if none.  cycle_signal_take(SIGUSR1 or SIGHUP): whether it
 * came since the last call.  cycle_signals_drain: read the pipe empty.
 */
int cycle_signals(bool hup);
int cycle_signal_stop(void);
bool cycle_signal_take(int sig);
void cycle_signals_drain(void);

#endif
