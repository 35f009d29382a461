/*
 * watch.h - the resident controller (process-queue --watch): the run
 * cycle again whenever something happens, and the standby that waits to
 * take the processing flag over.
 *
 * A resident controller holds the flag for as long as it runs and
 * repeats the cycle of a cron run (cycle.h: recover, ingest, plan/run
 * rounds) when a file lands in the incoming directory (inotify), when
 * another command announces work on the mission's channel (LISTEN; see
 * lock_notify), on SIGHUP, and when files left still being written may
 * have settled.  It waits for all of them at once, in one epoll set that
 * also holds the signal pipe and a timer for its lease, so it uses no
 * CPU while idle and polls nothing; while a cycle runs codes, the same
 * set is the runner's wake descriptor (runner.h), so the lease is
 * renewed and events are taken while codes run.  The lease
 * (run.flag_lease) is renewed every quarter of it; a cut connection is
 * noticed within half of it at both ends (watch-rules.h).
 *
 * When the database connection is lost, the codes running on this host
 * are stopped at once (they run again; Slurm's jobs go on and are
 * collected by their ids), and the connection is made again with backoff,
 * at most WATCH_RECONNECT_TRIES times; the flag is then taken back as a
 * new run if our row still holds it (lock_retake), else the controller
 * stops: it never processes without the flag.
 *
 * SIGTERM and SIGINT stop it as they stop a cron run (running codes are
 * stopped, their builds queued again; the flag released); SIGUSR1 logs
 * where it is; SIGHUP makes it look at incoming again.
 *
 * A standby (watch_standby) is a controller started while another holds
 * the flag: it listens on the mission's channel and asks for the flag
 * again when the holder releases it (the release is announced) or when
 * the holder's lease runs out, and takes it over then, recovering what
 * the holder left (cycle.h: runner_recover).
 */
#ifndef CASCADE_WATCH_H
#define CASCADE_WATCH_H

#include <stdbool.h>

#include "compat.h"
#include "cycle.h"
#include "lock.h"

struct db;

struct watch_options {
	/* what each cycle does (ingest, process, glob, slots, -o, -s) */
	struct cycle_options cycle;
	/*
	 * called after each cycle with its result, for the command to
	 * print the summary lines and count the run's totals
	 */
	void (*report)(void *arg, const struct cycle_options *o,
		       const struct cycle_result *r);
	void *report_arg;
};

/* How a resident controller ended. */
enum watch_end {
	WATCH_STOPPED = 0, /* by SIGTERM/SIGINT: a clean stop */
	WATCH_DB,	   /* the database failed, or could not be reached
			      again */
	WATCH_TAKEN,	   /* the flag was taken over while we were cut off */
	WATCH_ENV,	   /* the file system refused (full, read-only...) */
	WATCH_INTERNAL,	   /* an unexpected error */
};

struct watch_result {
	enum watch_end end;
	int signal; /* WATCH_STOPPED: the signal */
	long cycles;
};

/*
 * watch_run: be the resident controller of flag's mission (the flag is
 * held, taken with LOCK_RESIDENT_COMMAND; its lease and logging_id are
 * renewed and may change, see lock_retake) until a signal or an error
 * ends it.  The mission is read afresh from the database (its catalog is
 * this module's, loaded again after a reconnection).  Errors are
 * reported where they happen.  Returns 0 (r->end says how it ended).
 */
int watch_run(struct db *db, struct lock_flag *flag,
	      const struct watch_options *o, struct watch_result *r);

/*
 * watch_standby: the flag of mission_id is held by someone else: wait,
 * listening, until it can be taken (lock_acquire for command, with a
 * lease of lease_s), and take it (f filled).  Returns 0 (taken), 1
 * (stopped by SIGTERM/SIGINT while waiting, nothing taken), or a
 * negative db_status (reported).
 */
int watch_standby(struct db *db, int mission_id, int lease_s,
		  const char *command, struct lock_flag *f) CASCADE_MUSTCHECK;

#endif
