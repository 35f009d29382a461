/*
 * store-history.h - removing old history: runs, batches and builds that
 * nobody needs any more (cascade prune-history).  Never provenance.
 */
#ifndef CASCADE_STORE_HISTORY_H
#define CASCADE_STORE_HISTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"

struct db;
struct strvec;

/* What store_history_prune deleted. */
struct history_counts {
	long runs;
	long batches;
	long builds;
	bool more; /* the bound was reached: more may be left to delete */
};

/*
 * store_history_prune: inside the caller's transaction, delete what ended
 * more than days ago and nothing refers to any more:
 *
 *  - succeeded and cancelled builds, but for each key's newest succeeded
 *    build (a RUN key is re-evaluated against it; it says what made the
 *    newest output) and builds with a failure that awaits a person; their
 *    log files' paths are pushed to logs, for the caller to remove once
 *    committed;
 *  - done, failed and cancelled batches with no build left and no
 *    failure that awaits a person;
 *  - ended runs (logging rows) with no build, batch or file left that
 *    they made, and no failure that awaits a person; never the newest run
 *    nor current_run.
 *
 * With limit > 0, at most limit rows of each (the oldest first: the
 * rest is for a later call, c->more says whether some may be left).
 * Files, their links, codes, failures awaiting a person and the queue are
 * never touched.  Returns 0 or a negative db_status (reported).
 */
int store_history_prune(struct db *db, int days, int64_t current_run,
			long limit, struct history_counts *c,
			struct strvec *logs) CASCADE_MUSTCHECK;

#endif
