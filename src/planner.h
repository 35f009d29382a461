/*
 * planner.h - from queued files to planned builds.
 *
 * One call plans one batch: in one transaction it claims up to batch_size
 * queue entries, works out every (process, output key) they affect (their
 * own days, and neighbouring keys whose yesterday/tomorrow window sees
 * them), gathers each candidate's full input set, picks the code valid on
 * its date, decides the output version from recorded provenance, stores
 * the builds that must run (a batch row and build rows) and deletes the
 * claimed entries.  A crash before the commit leaves the queue as it
 * was; after it, the builds are in the database for the runner.
 *
 * Version rules (dbprocessing's): the first output of a key is
 * output_interface_version.0.0; a new code output_interface_version
 * starts a new interface; otherwise a change in the code's or an input's
 * interface or quality bumps the output's quality, a change of revision
 * only bumps its revision, an input added or removed bumps quality, and a
 * forced bump from the queue bumps that component of the newest existing
 * output (lower components reset).  A key whose code and inputs equal
 * those of its newest output (or, for RUN, of its last successful build)
 * is up to date and not planned.
 */
#ifndef CASCADE_PLANNER_H
#define CASCADE_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct db;
struct store_mission;
struct planner;

struct plan_options {
	int batch_size;
	int64_t run_id;
	const char *only; /* comma-separated process names or ids, or NULL */
	bool skip_run;    /* -s: skip RUN-timebase processes */
	bool in_transaction; /* the caller holds a transaction (dry runs) */
};

struct plan_counts {
	long claimed;     /* queue entries taken */
	long not_newest;  /* of which were superseded versions */
	long candidates;  /* (process, key) pairs considered */
	long planned;     /* builds stored */
	long uptodate;    /* keys whose output is current */
	long unrunnable;  /* a required input or the code is missing */
	long bad;         /* keys with a bad build: left for a person */
	long open;        /* keys already planned or running */
};

/*
 * planner_new: load what planning needs (products, processes).  Returns
 * 0 and *out (free with planner_free), or -1 (reported).
 */
int planner_new(struct db *db, const struct store_mission *m,
		struct planner **out) CASCADE_MUSTCHECK;
void planner_free(struct planner *p);

/*
 * planner_plan_batch: plan one batch (see above).  *batch_id is 0 when the
 * queue was empty (nothing claimed), else the new batch's id (which may
 * hold no builds when everything claimed was up to date).  Returns 0 or a
 * negative db_status (reported).
 */
int planner_plan_batch(struct planner *p, const struct plan_options *opt,
		       int64_t *batch_id, struct plan_counts *counts)
	CASCADE_MUSTCHECK;

/*
 * planner_plan_range: plan builds of one process for every key from
 * "from" to "to" (days since 1970), whatever the queue holds: the way to
 * run processes without inputs, and to rebuild a date range on demand
 * (like dbprocessing's DBRunner).  version_bump as in the queue (-1
 * none).  One transaction unless opt->in_transaction.
 */
int planner_plan_range(struct planner *p, const struct plan_options *opt,
		       int process_id, int32_t from, int32_t to,
		       int version_bump, struct plan_counts *counts)
	CASCADE_MUSTCHECK;

#endif
