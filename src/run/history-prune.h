/*
 * history-prune.h - cascade prune-history: the runs, batches and builds
 * that ended long ago and that nothing refers to any more are deleted
 * (store_history_prune says which), in one transaction, and the deleted
 * builds' log files after it commits.  A 5-minute cron writes about
 * 105,000 runs a year; without this (the command, or ProcessQueue with
 * run.keep_history set) they stay for ever.  Provenance
 * (files, their links and codes) and failures awaiting a person are
 * never touched.
 */
#ifndef CASCADE_HISTORY_PRUNE_H
#define CASCADE_HISTORY_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"
#include "store-history.h"

struct db;

/*
 * The most rows of each kind (runs, batches, builds) that one run's
 * run.keep_history deletes: a first prune of a long history is spread
 * over several runs instead of stalling one (at a run every 5 minutes,
 * some 2.9 million rows of each a day).
 */
#define HISTORY_PRUNE_PER_RUN 10000

/*
 * history_prune: what ended more than days ago (days >= 1), at most
 * limit rows of each kind (0: all; c->more says whether the bound was
 * reached); with dry_run the counts of what would go, nothing changed.
 * run_id is the caller's own run (kept).  *logs_removed counts the log
 * files removed.  Returns 0 or a negative db_status (reported).
 */
int history_prune(struct db *db, int days, int64_t run_id, long limit,
		  bool dry_run, struct history_counts *c, long *logs_removed)
	CASCADE_MUSTCHECK;

/*
 * history_prune_kept: the mission's run.keep_history (days; 0: kept for
 * ever, nothing done), at the end of a run that went well: at most
 * HISTORY_PRUNE_PER_RUN rows of each kind, what was deleted logged at
 * INFO.  Returns 0 or a negative db_status (reported).
 */
int history_prune_kept(struct db *db, int days, int64_t run_id)
	CASCADE_MUSTCHECK;

#endif
