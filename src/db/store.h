/*
 * store.h - typed access to cascade's tables.
 *
 * The store-*.c files own the SQL of their tables and turn rows into the
 * plain structs the rest of cascade works on; no caller sees a result
 * set.  Every function reports its own errors and returns 0 or a negative
 * enum db_status (DB_ERR_CONN means: abort the run).
 */
#ifndef CASCADE_STORE_H
#define CASCADE_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compat.h"
#include "strbuf.h"
#include "strvec.h"

struct config;
struct db;
struct strvec;

/*
 * store_mission_id: the id of the database's mission (cascade keeps one
 * per database; two or more are an error).  *found false (and *id 0)
 * when there is none.  For "config apply", which works before and after
 * a mission exists; everyone else reads the catalog (catalog.h).
 */
int store_mission_id(struct db *db, int *id, bool *found) CASCADE_MUSTCHECK;

/*
 * store_config_load: read the whole mission configuration back from the
 * database as a struct config (caller frees with config_free), with
 * every id filled (model.h): products and processes by id, inputs by
 * product name, codes by version.  *out is NULL when the database has no
 * mission; two missions are an error.
 */
int store_config_load(struct db *db, struct config **out) CASCADE_MUSTCHECK;

/* What config apply did or would do. */
struct store_apply_report {
	int added;
	int changed;
	int removed;
	int kept; /* in the database, not in the file, kept (has data) */
	struct strbuf lines; /* one "+ ...", "~ ..." or "- ..." line each */
	/*
	 * processes whose outputs the change may leave inconsistent with
	 * the rules (their inputs, codes, or an input product's stop-time
	 * rule changed): the caller re-evaluates them (check_outputs)
	 */
	struct strvec affected;
};
#define STORE_APPLY_REPORT_INIT {0, 0, 0, 0, STRBUF_INIT, STRVEC_INIT}
void store_apply_report_release(struct store_apply_report *r);

/*
 * store_config_apply: inside the caller's transaction, make the database
 * match cfg: add and update the mission, satellites, instruments,
 * products, inspectors, processes, inputs and codes; remove inputs that
 * left the file; deactivate codes that left it; remove products and
 * processes that left it unless files or builds refer to them (then they
 * are kept and reported).  Fills *report.  A database holding a
 * different mission is refused.  Returns 0 or negative (reported).
 */
int store_config_apply(struct db *db, const struct config *cfg,
		       struct store_apply_report *report) CASCADE_MUSTCHECK;


/* -- ingest (store-ingest.c) ------------------------------------------- */

/*
 * The ingest statements below take flags for db_query (DB_QUIET_DATA:
 * ingest isolates the file the server refuses instead of reporting the
 * batch's error).  Paths and names in the journal and in failure rows
 * are in escape.h's form: text columns hold any file name that way.
 */

/* An ingest intent: written before files move, removed when recorded. */
struct store_journal_entry {
	int64_t id;
	char *source;
	char *target;
	char *sha1;
};
void store_journal_free(struct store_journal_entry *e, size_t n);

/*
 * store_journal_add: insert n intents (one statement) and commit-ready;
 * ids[i] receives each new journal_id.  The caller commits.
 */
int store_journal_add(struct db *db, int64_t run_id,
		      const struct store_journal_entry *e, size_t n,
		      int64_t *ids, unsigned flags) CASCADE_MUSTCHECK;
int store_journal_list(struct db *db, struct store_journal_entry **out,
		       size_t *n) CASCADE_MUSTCHECK;
int store_journal_delete(struct db *db, const int64_t *ids, size_t n)
	CASCADE_MUSTCHECK;

/*
 * store_files_by_name: for each of n names, whether a file row has it:
 * sha1[i] gets its shasum (caller frees; "" when NULL) or stays NULL when
 * the name is not archived (or names[i] is NULL).  One query.
 */
int store_files_by_name(struct db *db, const char *const *names, size_t n,
			char **sha1, unsigned flags) CASCADE_MUSTCHECK;

/* A new file row, with its unixtime row and queue entry. */
struct store_new_file {
	int product_id;
	double level;
	const char *filename;
	int32_t date;
	int64_t period_number; /* its hour or orbit; 0: a product of days */
	int64_t start_usec, stop_usec;
	int iv, qv, rv;
	int64_t mtime_usec;
	const char *sha1;
	const char *sha256;
	int64_t size;
	const char *keywords; /* "" for none */
};

/*
 * store_files_tuple_taken: for each of n new files, whether a file row
 * already has its product, date, period number and version: other[i]
 * gets that file's
 * name (caller frees) or stays NULL.  One query.
 */
int store_files_tuple_taken(struct db *db, const struct store_new_file *f,
			    size_t n, char **other, unsigned flags)
	CASCADE_MUSTCHECK;

/*
 * store_files_insert: insert n files, their unixtime rows and queue
 * entries (one statement), inside the caller's transaction.
 */
int store_files_insert(struct db *db, int64_t run_id,
		       const struct store_new_file *f, size_t n, unsigned flags)
	CASCADE_MUSTCHECK;

/* A rejected incoming file, kept for people in the failure table. */
struct store_reject {
	const char *filename;
	const char *kind;   /* no-product, ambiguous, inspector, ... */
	const char *reason;
	const char *error_path; /* where it is: ERRORDIR/NAME or NAME.N */
};
/* store_rejects_insert: n failure rows (one statement). */
int store_rejects_insert(struct db *db, int64_t run_id,
			 const struct store_reject *r, size_t n, unsigned flags)
	CASCADE_MUSTCHECK;

/*
 * store_rejects_by_name: for each of n names, the error_path of every
 * reject of that name recorded by a run that did not end normally
 * (killed or interrupted: the only runs that can leave its incoming name
 * behind), oldest first, pushed onto paths[i] (initialised here; the
 * caller clears them).  One query.
 */
int store_rejects_by_name(struct db *db, const char *const *names, size_t n,
			  struct strvec *paths, unsigned flags) CASCADE_MUSTCHECK;

#endif
