/*
 * store-build.h - the tables planning and running builds read and write:
 * processqueue (claimed), build, batch, and, when a build succeeds, file,
 * unixtime, filefilelink, filecodelink and failure.
 *
 * Every query works on a whole batch of candidates or builds, passed as
 * array parameters, so planning costs a handful of statements per batch
 * of queue entries, whatever its size.
 */
#ifndef CASCADE_STORE_BUILD_H
#define CASCADE_STORE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "period.h"
#include "state.h"
#include "strbuf.h"
#include "version.h"

struct db;

/* A claimed queue entry's trigger: one (process, key) it affects. */
struct sb_candidate {
	int process_id;
	enum timebase timebase;
	int output_product; /* 0 for RUN */
	int32_t key_start;  /* first day of the output's period */
	int32_t key_end;    /* last day */
	/*
	 * HOURLY and ORBIT keys: the hour since 1970, or the orbit
	 * number (build.period_number; 0 for keys of days), and its
	 * instants [period_start, period_stop), whose days key_start and
	 * key_end are
	 */
	int64_t period_number;
	int64_t period_start, period_stop;
	char *keywords;     /* FILE: the trigger's process_keywords, else "" */
	int version_bump;   /* -1 none, else 0..2 (max over triggers) */
	bool own;           /* the key is one of the trigger's own days */
	/*
	 * Who asked for it, when a command did (a forced bump's, else the
	 * first deliberate trigger's): the run (0: not known) and the
	 * queue entry's reason ("reprocess", "retry of failure 7", or the
	 * command: "run-process"), NULL when only ingest or builds queued
	 * its triggers.
	 */
	int64_t by_run;
	char *request;
	bool scheduled;     /* a due key of a schedule: request says which */
};

/*
 * store_output_key: the build.output_key of a candidate, appended to sb:
 * its first day (2024-03-01), with its keywords for FILE, its hour for
 * HOURLY (2024-03-01T05); for ORBIT the orbit number, zero-padded to
 * STORE_ORBIT_KEY_DIGITS so that keys sort as numbers up to there.
 */
#define STORE_ORBIT_KEY_DIGITS 6
void store_output_key(const struct sb_candidate *c, struct strbuf *sb);

/*
 * A claimed queue entry that is the newest version of its product and
 * date, once for itself (claimed true) and once for every other version
 * of that product and date (claimed false): the planner expands each into
 * the keys it affects, so that a new version also re-plans the keys its
 * superseded versions fed.
 */
struct sb_trigger {
	int64_t file_id;	  /* the claimed entry's file */
	int product_id;
	int32_t date;		  /* utc_file_date */
	char *keywords;		  /* this version's process_keywords, or "" */
	int version_bump;	  /* the entry's: -1 none, else 0..2 */
	struct period_span span;  /* this version's time span */
	bool claimed;		  /* this row is the claimed file itself */
	int64_t queued_by;	  /* the entry's run (logging_id), 0: none */
	char *request;		  /* the entry's reason when a command queued
				     it deliberately (not ingest, not a
				     build's output), else NULL */
};

/* What store_queue_claim takes. */
struct sb_claim {
	int limit;		  /* at most this many entries */
	int64_t after_seq;	  /* only entries after this seq */
	const int64_t *skip_products; /* leave entries of these products */
	size_t n_skip;
};

/*
 * store_queue_claim: lock and read up to q->limit queue entries after
 * q->after_seq whose file is not of one of q->skip_products (FIFO, SKIP
 * LOCKED; *max_seq gets the last one's seq), returning the claimed file
 * ids (*files, *nfiles), how many of them were not the newest version of
 * their product and date (*not_newest; of a product an input pins to an
 * interface version: of their interface), and the newest ones as triggers
 * (*trig, *ntrig; free with store_triggers_free).  Inside the caller's
 * transaction; the caller deletes the claimed entries with
 * store_queue_delete when the plan is stored.
 */
int store_queue_claim(struct db *db, const struct sb_claim *q,
		      int64_t *max_seq, int64_t **files, size_t *nfiles,
		      long *not_newest, struct sb_trigger **trig,
		      size_t *ntrig) CASCADE_MUSTCHECK;

/*
 * store_queue_products: the distinct products of the queue's entries
 * after after_seq, ascending (*ids, *n; free *ids).
 */
int store_queue_products(struct db *db, int64_t after_seq, int64_t **ids,
			 size_t *n) CASCADE_MUSTCHECK;
void store_triggers_free(struct sb_trigger *t, size_t n);
void store_candidates_free(struct sb_candidate *c, size_t n);
int store_queue_delete(struct db *db, const int64_t *files, size_t n)
	CASCADE_MUSTCHECK;

/* An input file of a candidate. */
struct sb_input {
	size_t cand;        /* index into the candidates */
	int product_id;
	bool optional;
	int64_t file_id;
	char *filename;
	char *path;         /* archive path */
	int32_t date;
	int64_t period_number; /* its hour or orbit (0: a product of days) */
	struct version version;
	bool own;           /* in the key's own period (not only its window) */
	char *keywords;
};

/*
 * store_candidate_inputs: every candidate's current inputs, as the
 * database function cascade_key_inputs (sql/0006-planning-edges.sql)
 * defines them for the planner, "check" and "config apply" alike: the
 * newest on-disk file of every date of every input product in the key's
 * window (time overlap for DAILY and longer timebases, whatever the
 * file's length; file date for FILE and RUN; process keywords equal for
 * FILE), ordered by candidate, input product, date and file id.
 */
int store_candidate_inputs(struct db *db, const struct sb_candidate *c,
			   size_t n, struct sb_input **out, size_t *nout)
	CASCADE_MUSTCHECK;
void store_inputs_free(struct sb_input *in, size_t n);

/* What is already known of a candidate's key. */
struct sb_state {
	int64_t out_id;       /* newest existing output file, 0 if none */
	char *out_filename;   /* its name, or NULL */
	struct version out_version;
	int out_code_id;      /* code that made it (filecodelink), 0 if none */
	bool open;            /* a queued/running/recording build exists */
	bool bad;             /* a bad build exists: left for a person */
	int64_t *last_inputs; /* RUN: inputs of the last succeeded build */
	size_t n_last_inputs;
	int last_code_id;     /* RUN: its code */
	struct version *purged; /* versions of the key purged or pruned */
	size_t n_purged;
};

/* A parent (filefilelink source) of an existing output. */
struct sb_parent {
	int64_t result;
	int64_t file_id;
	int product_id;
	int32_t date;
	struct version version;
	char *filename;
	bool on_disk;
	int64_t period_number; /* its hour or orbit (0: a product of days) */
};

/*
 * store_candidate_state: each candidate's newest existing output with
 * the code that made it and its parents (*parents, sorted by result then
 * file id; free with store_parents_free), open and bad builds, the
 * versions of the key that were purged, and for RUN the last build.
 */
int store_candidate_state(struct db *db, const struct sb_candidate *c,
			  size_t n, struct sb_state *state,
			  struct sb_parent **parents, size_t *nparents)
	CASCADE_MUSTCHECK;
void store_state_release(struct sb_state *s, size_t n);
void store_parents_free(struct sb_parent *p, size_t n);

/*
 * store_queued: which of ids[0..n) are in the queue: (*queued)[i] (caller
 * frees).
 */
int store_queued(struct db *db, const int64_t *ids, size_t n, bool **queued)
	CASCADE_MUSTCHECK;

/*
 * store_queue_files: queue files ids[0..n) (already queued ones stay as
 * they are) with a reason and the run's id (0: none); *queued gets how
 * many were added.
 */
int store_queue_files(struct db *db, const int64_t *ids, size_t n,
		      int64_t run_id, const char *reason, int64_t *queued)
	CASCADE_MUSTCHECK;

/*
 * store_output_keys: the newest output of every key of process_id
 * (newest version of each date of its output product, and of each
 * process keywords for FILE), as candidates (key_end left to the caller)
 * with *outputs[i] the output file's id.  Nothing for RUN processes.
 */
int store_output_keys(struct db *db, int process_id,
		      struct sb_candidate **cands, int64_t **outputs,
		      size_t *n) CASCADE_MUSTCHECK;

/*
 * One reason a build is planned (a build_reason row; state.h names the
 * kinds): what the rules saw change, or who asked.  Fields a kind does
 * not use are 0 (a version 0.0.0: none; bump -1).
 */
struct sb_reason {
	enum build_reason kind;
	int product_id;           /* input reasons: the input's product */
	int32_t date;             /* and its date */
	int64_t old_file;         /* input reasons: the file made from */
	int64_t new_file;         /* and the file of now */
	struct version old_version, new_version; /* theirs, or the codes' */
	int old_code, new_code;   /* code-changed (first: the new code) */
	int bump;                 /* forced: 0..2, else -1 */
	int64_t by_run;           /* forced, requested: the run that asked */
	const char *detail;       /* forced, requested, scheduled: borrowed
				     (the candidate's request) */
};

/* A process's schedule, as store_due_keys takes it (model.h). */
struct sb_schedule {
	int process_id;
	int output_product;  /* 0 for RUN */
	enum timebase every;
	int32_t start_date;
	int lag_days;
};

/*
 * store_due_keys: the keys of the schedules s[0..n) that are due today
 * (UTC: the period ended lag_days ago or more) and have neither a build
 * nor an output file, as candidates (process_id and key_start set, the
 * rest the caller's; *out, *nout), by process and day.
 */
int store_due_keys(struct db *db, const struct sb_schedule *s, size_t n,
		   struct sb_candidate **out, size_t *nout) CASCADE_MUSTCHECK;

/* A planned build, as stored. */
struct sb_build {
	int process_id;
	int code_id;
	char *output_key;
	int32_t date;
	int64_t period_number; /* HOURLY, ORBIT: the key's (else 0) */
	int64_t *inputs;
	size_t n_inputs;
	char *output_filename; /* NULL for RUN */
	struct version version;
	int version_bump;      /* -1 none */
	char *cache_key;
	struct sb_reason *reasons; /* why: owned, its details borrowed */
	size_t n_reasons;
};

/*
 * store_batch_create: insert the builds b[0..n) (status 'queued') in one
 * batch row per process (kind 'process', state 'planned', naming its
 * process), with their reasons (build_reason), or, with n 0, one empty
 * batch ('done'), that records that queue entries were planned;
 * *batch_id gets the first batch's id, *n_batches how many were made
 * (their ids follow it).  The builds' (process_id, output_key) are
 * unique.
 */
int store_batch_create(struct db *db, int64_t run_id,
		       const struct sb_build *b, size_t n, int64_t *batch_id,
		       long *n_batches) CASCADE_MUSTCHECK;

#endif
