/*
 * store-why.h - why builds ran, as stored: the reasons of builds
 * (build_reason through the view cascade_build_reason, names joined),
 * the chain of builds that made a file, and what the database says of
 * one key (its bad, open and last builds).
 *
 * Read only.  Strings in the returned structs are the caller's (free
 * with the matching sw_*_free); nullable integers are INT64_MIN
 * (store-status.h's SS_NULL); every function reports its own errors and
 * returns 0 or a negative enum db_status.  Nothing here prints or words
 * a reason for people: views/why-text.c does.
 */
#ifndef CASCADE_STORE_WHY_H
#define CASCADE_STORE_WHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "state.h"

struct db;

/* One reason a build was planned, with names (cascade_build_reason). */
struct sw_reason {
	int64_t build_id;
	enum build_reason kind;
	char *product;                     /* input reasons; else NULL */
	char *utc_date;                    /* YYYY-MM-DD, or NULL */
	int64_t old_file_id, new_file_id;  /* INT64_MIN: none */
	char *old_filename, *new_filename; /* NULL: none, or the row is gone */
	char *old_version, *new_version;   /* files' or codes', or NULL */
	int64_t old_code_id, new_code_id;  /* INT64_MIN: none */
	char *bump;                        /* forced: "interface", ... */
	int64_t logging_id;                /* the run that asked, or INT64_MIN */
	char *by_command, *by_user;        /* its command and user, or NULL */
	char *detail;                      /* the queue entry's reason, ... */
};
void sw_reasons_free(struct sw_reason *r, size_t n);
/* sw_reason_release: free one reason's strings (not r itself). */
void sw_reason_release(struct sw_reason *r);

/*
 * store_build_reasons: the reasons of builds ids[0..n), ordered by
 * build id then as the planner found them (*out, *nout).  One query.
 */
int store_build_reasons(struct db *db, const int64_t *ids, size_t n,
			struct sw_reason **out, size_t *nout)
	CASCADE_MUSTCHECK;

/*
 * A file of a chain (store_why_file): the file, and the build that made
 * it with its reasons; its inputs follow it in the list, one level
 * deeper.
 */
struct sw_node {
	int depth;          /* 0: the file asked about */
	char *path;         /* its position: "" , "1", "1.2" (input order) */
	int64_t file_id;
	bool exists;        /* false: no file row has that id (purged) */
	char *filename, *product, *version, *utc_file_date;
	bool on_disk;
	int64_t build_id;   /* the build that made it, or INT64_MIN */
	char *process, *output_key, *code_version, *built;
	int64_t code_id;    /* no build: a code recorded as its maker
			       (filecodelink, before cascade), or INT64_MIN */
	int64_t n_inputs;   /* its build's inputs (INT64_MIN: no build) */
	int64_t reused_from; /* its build took build N's output (no code
				ran), or INT64_MIN */
	struct sw_reason *reasons;
	size_t n_reasons;
};
void sw_nodes_free(struct sw_node *nodes, size_t n);

/*
 * store_why_file: the chain from the file named name (its filename, or
 * its id in decimal) back through the builds that made it, depth levels
 * at most (a recursive CTE: one query), depth first in input order
 * (*nodes, *n).  *n is 0 when no file has that name or id.
 */
int store_why_file(struct db *db, const char *name, int depth,
		   struct sw_node **nodes, size_t *n) CASCADE_MUSTCHECK;

/* What the database says of one key beside the planner's view. */
struct sw_key {
	int64_t made_by;     /* the build that made its newest output (RUN:
				its last successful build), or INT64_MIN */
	char *made_at;       /* when it ended, or NULL */
	int64_t bad_build;   /* its newest bad build, or INT64_MIN */
	int64_t open_build;  /* a queued, running or recording one */
	char *open_status;   /* that one's status, or NULL */
};
void sw_key_release(struct sw_key *k);

/*
 * store_why_key: *k for (process_id, output_key) whose newest output is
 * out_id (0: none).
 */
int store_why_key(struct db *db, int process_id, const char *output_key,
		  int64_t out_id, struct sw_key *k) CASCADE_MUSTCHECK;

/* The queue by product (store_why_queue). */
struct sw_queued {
	int64_t product_id;
	char *product;
	int64_t files;
	char *first, *last; /* the dates of its queued files, YYYY-MM-DD */
};
void sw_queued_free(struct sw_queued *q, size_t n);

/*
 * store_why_queue: the products with files queued, by id, with how many
 * and their first and last dates (*out, *n).
 */
int store_why_queue(struct db *db, struct sw_queued **out, size_t *n)
	CASCADE_MUSTCHECK;

#endif
