/*
 * history-prune.h - cascade prune-history: the runs, batches and builds
 * that ended long ago and that nothing refers to any more are deleted
 * (store_history_prune says which), in one transaction, and the deleted
 * builds' log files after it commits.  A 5-minute cron writes about
 * 105,000 runs a year; without this they stay for ever.  Provenance
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
 * history_prune: what ended more than days ago (days >= 1); with dry_run
 * the counts of what would go, nothing changed.  run_id is the caller's
 * own run (kept).  *logs_removed counts the log files removed.  Returns
 * 0 or a negative db_status (reported).
 */
int history_prune(struct db *db, int days, int64_t run_id, bool dry_run,
		  struct history_counts *c, long *logs_removed)
	CASCADE_MUSTCHECK;

#endif
