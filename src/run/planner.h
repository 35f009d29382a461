/*
 * planner.h - from queued files to planned builds.
 *
 * One call plans one batch: in one transaction it claims up to batch_size
 * queue entries, works out every (process, output key) they affect,
 * evaluates each key (planner_evaluate, below), stores the builds that
 * must run (a batch row and build rows) and deletes the claimed entries.
 * A crash before the commit leaves the queue as it was; after it, the
 * builds are in the database for the runner.
 *
 * Keys a queued file affects (period.h has the rules): for DAILY and
 * longer timebases every period whose window (the period widened by the
 * input's yesterday and tomorrow days) holds one of the days of the
 * file's time span, however long it is, and the same for every other
 * version of the file's product and date, so that a new version whose
 * span shrank re-plans the keys the old one fed; for FILE and RUN the
 * file's date.
 *
 * A key's inputs are cascade_key_inputs' (store_candidate_inputs); its
 * code is the period rule's (period_code): one code builds a period, a
 * period two codes share is not built.  A key is built when it has
 * every required input product and an input in its own period (a
 * neighbour's data alone never makes or keeps an output), a code, no
 * bad or open build, and its newest output is not up to date.
 *
 * Version rules (dbprocessing's, and what it left open): the output's
 * interface is its code's output_interface_version: the first output of
 * a key, and the first made by a code with a higher one, is
 * output_interface_version.0.0; a code with a lower one than the code of
 * the key's newest output does not build the key (its output would
 * never be the newest).  Otherwise a change in the code's or an input's
 * interface or quality bumps the output's quality, a change of revision
 * only bumps its revision, an input added or removed bumps quality, and a
 * forced bump from the queue bumps that component of the newest existing
 * output (lower components reset).  A version the key had and that was
 * purged or pruned is never taken again: a version not above the newest
 * purged one of its interface becomes that one's next revision.  A key
 * whose code and inputs equal those of its newest output (or, for RUN,
 * of its last successful build) is up to date and not planned.
 */
#ifndef CASCADE_PLANNER_H
#define CASCADE_PLANNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "plan-rules.h"
#include "version.h"

struct db;
struct catalog;
struct planner;
struct sb_candidate;
struct code;
struct sb_input;
struct sb_parent;
struct process;
struct sb_state;

struct plan_options {
	int batch_size;
	int64_t run_id;
	const char *only; /* comma-separated process names or ids, or NULL */
	bool skip_run;    /* -s: skip RUN-timebase processes */
	bool in_transaction; /* the caller holds a transaction (dry runs) */
	/*
	 * set by SIGUSR1 (or NULL): where it stands is logged at WARNING,
	 * the progress line's text, after the batch that is being planned
	 */
	volatile sig_atomic_t *report;
};

struct plan_counts {
	long claimed;     /* queue entries taken */
	long not_newest;  /* of which were superseded versions */
	long candidates;  /* (process, key) pairs considered */
	long planned;     /* builds stored */
	long uptodate;    /* keys whose output is current */
	long unrunnable;  /* no input, no code, or refused (see planner.h) */
	long bad;         /* keys with a bad build: left for a person */
	long open;        /* keys already planned or running */
};

/*
 * planner_new: a planner over the catalog (its processes, codes and
 * products' filename templates; borrowed, and it must outlive the
 * planner).  Returns 0 and *out (free with planner_free).
 */
int planner_new(struct db *db, const struct catalog *cat,
		struct planner **out) CASCADE_MUSTCHECK;
void planner_free(struct planner *p);

/*
 * planner_round: begin a round of planning the queue: which queued
 * products wait for a later round (plan_rules_wave: while a product
 * upstream of theirs has entries queued); the batches of this round
 * leave their entries queued.  A run filtered by -o/-s plans the queue as
 * it is.  Returns 0 or a negative db_status (reported).
 */
int planner_round(struct planner *p, const struct plan_options *opt)
	CASCADE_MUSTCHECK;

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

/*
 * planner_evaluate: apply the rules above to candidates c[0..n) (their
 * key_end set), inside the caller's transaction: the same queries and
 * decisions as planning, for "check" and "config apply" to say which
 * outputs the rules would rebuild or leave.  Returns 0 or a negative
 * db_status (reported).
 */
int planner_evaluate(struct planner *p, const struct sb_candidate *c,
		     size_t n, struct plan_eval *ev) CASCADE_MUSTCHECK;
void planner_eval_release(struct plan_eval *ev);

/* planner_process: the process with that id, or NULL. */
const struct process *planner_process(const struct planner *p, int id);
/* planner_process_at: the i-th process (by id), or NULL past the last. */
const struct process *planner_process_at(const struct planner *p,
					 size_t i);
/* planner_product_name: a product's name, or "?". */
const char *planner_product_name(const struct planner *p, int id);

/*
 * planner_key_end: the last day of candidate c's period (key_start and
 * the process's timebase), for candidates made outside the planner.
 */
void planner_key_end(const struct planner *p, struct sb_candidate *c);

/* A period two codes of a process share (the code rule refuses it). */
struct plan_conflict {
	const struct process *process;
	int32_t start, end;	     /* the period */
	const struct code *code;  /* the one that would build it */
	const struct code *other; /* the one it shares it with */
};

/*
 * planner_code_conflicts: every period of a WEEKLY, MONTHLY or YEARLY
 * process that contains a change of its usable codes and that no single
 * code may build (*out, *n; caller frees *out).
 */
void planner_code_conflicts(const struct planner *p,
			    struct plan_conflict **out, size_t *n);

#endif
