/*
 * store-admin.h - the SQL of the operators' tools: check, purge, prune,
 * move-product, queue and graph.
 *
 * store-admin.c owns these statements and turns their rows into the
 * plain structs below; no caller sees a result set.  Sets of files are
 * passed as array parameters, so each function is one statement (or a
 * few) whatever the number of files.  Every function reports its own
 * errors and returns 0 or a negative enum db_status (DB_ERR_CONN: the
 * connection is gone).  Writing functions work inside the caller's
 * transaction unless they say otherwise.
 */
#ifndef CASCADE_STORE_ADMIN_H
#define CASCADE_STORE_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "strbuf.h"
#include "strvec.h"

struct db;

/* -- files --------------------------------------------------------------- */

/* A file row, with what its archive path is made of.  Strings owned. */
struct store_admin_file {
	int64_t id; /* 0: no such row (store_admin_files_by_name) */
	int product_id;
	char *filename;
	bool has_date;
	int32_t date;       /* utc_file_date, days since 1970-01-01 */
	int64_t start_usec; /* utc_start_time, or 0 when NULL */
	int iv, qv, rv;
	char *keywords; /* process_keywords, "" when NULL */
	char *sha1;     /* shasum, NULL when NULL */
	bool on_disk;   /* exists_on_disk */
	int64_t size;   /* size_bytes, -1 when NULL */
};
void store_admin_files_free(struct store_admin_file *f, size_t n);
/* store_admin_file_release: free one entry's strings and zero it. */
void store_admin_file_release(struct store_admin_file *f);

/* store_admin_files_of_product: every file of a product, by name. */
int store_admin_files_of_product(struct db *db, int product_id,
				 struct store_admin_file **out, size_t *n)
	CASCADE_MUSTCHECK;

/*
 * store_admin_files_by_name: for each of n names, the file row with that
 * name into out[i] (the caller's array of n zeroed entries; out[i].id
 * stays 0 when no row has the name).  One query.
 */
int store_admin_files_by_name(struct db *db, const char *const *names,
			      size_t n, struct store_admin_file *out)
	CASCADE_MUSTCHECK;

/* store_admin_files_by_id: the rows of ids that exist, by name. */
int store_admin_files_by_id(struct db *db, const int64_t *ids, size_t n,
			    struct store_admin_file **out, size_t *nout)
	CASCADE_MUSTCHECK;

/* store_admin_set_on_disk: set exists_on_disk of n files to on_disk. */
int store_admin_set_on_disk(struct db *db, const int64_t *ids, size_t n,
			    bool on_disk) CASCADE_MUSTCHECK;

/* -- check --------------------------------------------------------------- */

/*
 * What the SQL checks found: one line for people (subject and detail),
 * and the id a repair works on.  Strings owned.
 */
struct store_admin_finding {
	char *subject;
	char *detail;
	int64_t id;
};
void store_admin_findings_free(struct store_admin_finding *f, size_t n);

/*
 * store_admin_orphan_links: queue entries, file-file links and file-code
 * links owned by a file whose exists_on_disk is false (the queued file,
 * the link's resulting file).  product_id 0: all products.  The ids are 0.
 */
int store_admin_orphan_links(struct db *db, int product_id,
			     struct store_admin_finding **out, size_t *n)
	CASCADE_MUSTCHECK;
/* store_admin_orphan_links_delete: delete them; *deleted gets the count. */
int store_admin_orphan_links_delete(struct db *db, int product_id,
				    int64_t *deleted) CASCADE_MUSTCHECK;

/*
 * store_admin_gap_days: each day with no file between the first and the
 * last file of each product made daily (or made by no process), ordered
 * by product and date, with the process that makes the product (0: none
 * makes it; it is delivered).
 */
struct store_admin_gap_day {
	int product_id;
	char *product;
	int date;       /* days since 1970-01-01 */
	int process_id; /* 0: a delivered product */
};
void store_admin_gap_days_free(struct store_admin_gap_day *d, size_t n);
int store_admin_gap_days(struct db *db, int product_id,
			 struct store_admin_gap_day **out, size_t *n)
	CASCADE_MUSTCHECK;

/*
 * store_admin_duplicates: sets of files with one product, date and
 * version (the unique index forbids them; reported if found anyway).
 */
int store_admin_duplicates(struct db *db, int product_id,
			   struct store_admin_finding **out, size_t *n)
	CASCADE_MUSTCHECK;

/* -- purge and prune ----------------------------------------------------- */

/*
 * store_admin_resolve: the file ids named by args (a file name, or else
 * a decimal file_id), without repeats, into *ids (caller frees); args
 * naming no file are pushed to unknown.  Locks the rows (FOR UPDATE).
 */
int store_admin_resolve(struct db *db, const char *const *args, size_t n,
			int64_t **ids, size_t *nids, struct strvec *unknown)
	CASCADE_MUSTCHECK;

/*
 * store_admin_descendants: ids plus every file made from them, directly
 * or not (filefilelink, recursively), into *all (caller frees).
 */
int store_admin_descendants(struct db *db, const int64_t *ids, size_t n,
			    int64_t **all, size_t *nall) CASCADE_MUSTCHECK;

/*
 * store_admin_children_outside: "PARENT -> CHILD" lines (pushed to
 * lines, by name) for files made from one of ids that are not in ids.
 */
int store_admin_children_outside(struct db *db, const int64_t *ids, size_t n,
				 struct strvec *lines) CASCADE_MUSTCHECK;

/*
 * store_admin_prune_candidates: files that retention may delete: not the
 * newest version of their product and date, file_create_date before
 * cutoff ("YYYY-MM-DD"), in no release, and no ancestor of a file that is
 * kept.  The set is closed under descendants.  Rows locked.
 */
int store_admin_prune_candidates(struct db *db, const char *cutoff,
				 struct store_admin_file **out, size_t *n)
	CASCADE_MUSTCHECK;

/*
 * store_admin_delete_files: delete n file rows with their links (both
 * directions), queue entries, unixtime and release rows, recording each
 * name and version in purged_file (how: "purge" or "prune"; run_id the
 * run, 0 none), so that no build takes them again.  A file that another
 * file not in ids was made from makes it fail (RESTRICT).  *deleted gets
 * the number of file rows deleted.
 */
int store_admin_delete_files(struct db *db, const int64_t *ids, size_t n,
			     const char *how, int64_t run_id,
			     int64_t *deleted) CASCADE_MUSTCHECK;

/* -- move-product -------------------------------------------------------- */

/* An unfinished product move (product_move).  Strings owned. */
struct store_admin_move {
	int64_t id;
	int product_id;
	char *product;
	char *old_relative_path;
	char *new_relative_path;
	bool committed; /* 'committed': the rows name the new paths */
};
void store_admin_moves_free(struct store_admin_move *m, size_t n);

/*
 * store_admin_move_begin: journal a move of product_id from old_path to
 * new_path (state 'linking'), in its own transaction, before any file
 * gets a new name.  Fails with DB_ERR_UNIQUE if the product has an
 * unfinished move.
 */
int store_admin_move_begin(struct db *db, int product_id, const char *old_path,
			   const char *new_path, int64_t run_id,
			   int64_t *move_id) CASCADE_MUSTCHECK;
/*
 * store_admin_move_commit: in the caller's transaction, set the product's
 * relative_path from the move's old path to its new one and mark the
 * move 'committed' with its count of files.  *changed false (and nothing
 * written) if the product's relative_path is no longer the old path.
 */
int store_admin_move_commit(struct db *db, int64_t move_id, int files,
			    bool *changed) CASCADE_MUSTCHECK;
/* store_admin_moves_pending: moves not finished (product_id 0: all). */
int store_admin_moves_pending(struct db *db, int product_id,
			      struct store_admin_move **out, size_t *n)
	CASCADE_MUSTCHECK;
/*
 * store_admin_move_end: mark a move 'done' (done true) or 'undone', with
 * its end time (its own statement, autocommit).
 */
int store_admin_move_end(struct db *db, int64_t move_id, bool done)
	CASCADE_MUSTCHECK;

/* -- queue --------------------------------------------------------------- */

/* One queue entry with names.  Strings owned. */
struct store_admin_queue_entry {
	int64_t seq;
	char *filename;
	char *product;
	char *date;      /* "YYYY-MM-DD" or "" */
	char *version;   /* "I.Q.R" */
	char *bump;      /* "interface", "quality", "revision" or "" */
	char *queued_at; /* "YYYY-MM-DD HH:MM:SS" UTC */
	char *reason;    /* "" when NULL */
};
void store_admin_queue_free(struct store_admin_queue_entry *e, size_t n);

/* store_admin_queue_list: the queue in order (product_id 0: all). */
int store_admin_queue_list(struct db *db, int product_id,
			   struct store_admin_queue_entry **out, size_t *n)
	CASCADE_MUSTCHECK;
int store_admin_queue_count(struct db *db, int product_id, int64_t *count)
	CASCADE_MUSTCHECK;
/* store_admin_queue_flush: delete the entries; *deleted gets the count. */
int store_admin_queue_flush(struct db *db, int product_id, int64_t *deleted)
	CASCADE_MUSTCHECK;

/* -- graph --------------------------------------------------------------- */

/* The state of the graph's nodes over a date range.  Strings owned. */
struct store_admin_node_state {
	char *name;
	int64_t queued;  /* product: its files in the queue */
	int64_t failing; /* process: keys whose latest build failed */
	int64_t bad;     /* process: keys whose latest build is bad */
	int64_t open;    /* process: builds queued, starting or running */
};
void store_admin_states_free(struct store_admin_node_state *s, size_t n);

/*
 * store_admin_graph_state: per product and per process, over files and
 * builds dated from..to ("YYYY-MM-DD", NULL for unbounded).
 */
int store_admin_graph_state(struct db *db, const char *from, const char *to,
			    struct store_admin_node_state **products,
			    size_t *n_products,
			    struct store_admin_node_state **processes,
			    size_t *n_processes) CASCADE_MUSTCHECK;

#endif
