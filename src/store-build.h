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
#include "strbuf.h"
#include "version.h"

struct db;

/* A claimed queue entry's trigger: one (process, key) it affects. */
struct sb_candidate {
	int process_id;
	char timebase[8];   /* FILE DAILY WEEKLY MONTHLY YEARLY RUN */
	int output_product; /* 0 for RUN */
	int32_t key_start;  /* first day of the output's period */
	int32_t key_end;    /* last day */
	char *keywords;     /* FILE: the trigger's process_keywords, else "" */
	int version_bump;   /* -1 none, else 0..2 (max over triggers) */
	bool own;           /* the key is one of the trigger's own days */
};

/* store_output_key: the build.output_key of a candidate, appended to sb. */
void store_output_key(const struct sb_candidate *c, struct strbuf *sb);

/* A process and its inputs, as planning needs them. */
struct sb_link {
	int input_product;
	bool optional;
	int yesterday, tomorrow;
};
struct sb_process {
	int id;
	char *name;
	char timebase[8];
	int output_product; /* 0 for RUN */
	char *extra_params; /* NULL or '|'-separated */
	struct sb_link *links;
	size_t n_links;
};
int store_processes_load(struct db *db, struct sb_process **out, size_t *n)
	CASCADE_MUSTCHECK;
void store_processes_free(struct sb_process *p, size_t n);

/*
 * store_queue_claim: lock and read up to limit queue entries after
 * after_seq (FIFO, SKIP LOCKED; *max_seq gets the last one's seq), returning the (process, key) candidates they affect and the
 * claimed file ids (*files, *nfiles; caller frees) and how many of them
 * were not the newest version of their product and date (*not_newest).
 * Inside the caller's transaction; the caller deletes the claimed entries
 * with store_queue_delete when the plan is stored.
 */
int store_queue_claim(struct db *db, int limit, const char *only,
		      bool skip_run, int64_t after_seq, int64_t *max_seq,
		      struct sb_candidate **cands, size_t *ncands,
		      int64_t **files, size_t *nfiles, long *not_newest)
	CASCADE_MUSTCHECK;
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
	struct version version;
	bool own;           /* in the key's own period (not only its window) */
	char *keywords;
};

/*
 * store_candidate_inputs: the newest on-disk files of every input product
 * of every candidate, within its window (time overlap for DAILY and
 * longer timebases; file date for FILE and RUN; process keywords equal
 * for FILE), ordered by candidate, input product and date.
 */
int store_candidate_inputs(struct db *db, const struct sb_candidate *c,
			   size_t n, struct sb_input **out, size_t *nout)
	CASCADE_MUSTCHECK;
void store_inputs_free(struct sb_input *in, size_t n);

/* What is already known of a candidate's key. */
struct sb_state {
	int code_id;          /* the code to use, 0 if none valid */
	struct version code_version;
	int code_oiv;         /* its output_interface_version */
	int64_t out_id;       /* newest existing output file, 0 if none */
	struct version out_version;
	int out_code_id;      /* code that made it (filecodelink), 0 if none */
	struct version out_code_version;
	bool open;            /* a queued/running/recording build exists */
	bool bad;             /* a bad build exists: left for a person */
	int64_t *last_inputs; /* RUN: inputs of the last succeeded build */
	size_t n_last_inputs;
	int last_code_id;     /* RUN: its code */
};

/* A parent (filefilelink source) of an existing output. */
struct sb_parent {
	int64_t result;
	int64_t file_id;
	int product_id;
	int32_t date;
	struct version version;
};

/*
 * store_candidate_state: the code valid for each candidate's key date,
 * its newest existing output with that output's code and parents
 * (*parents, sorted by result then file id), open and bad builds.
 */
int store_candidate_state(struct db *db, const struct sb_candidate *c,
			  size_t n, struct sb_state *state,
			  struct sb_parent **parents, size_t *nparents)
	CASCADE_MUSTCHECK;
void store_state_release(struct sb_state *s, size_t n);

/* A planned build, as stored. */
struct sb_build {
	int process_id;
	int code_id;
	char *output_key;
	int32_t date;
	int64_t *inputs;
	size_t n_inputs;
	char *output_filename; /* NULL for RUN */
	struct version version;
	int version_bump;      /* -1 none */
	char *cache_key;
};

/*
 * store_batch_create: insert a batch row (kind 'process', state
 * 'planned') and its builds (status 'queued'); *batch_id gets its id.
 */
int store_batch_create(struct db *db, int64_t run_id,
		       const struct sb_build *b, size_t n, int64_t *batch_id)
	CASCADE_MUSTCHECK;

#endif
