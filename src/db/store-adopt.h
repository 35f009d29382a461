/*
 * store-adopt.h - the SQL of "cascade adopt": a dbprocessing database
 * brought to cascade's schema in place (see adopt.h for the order).
 *
 * Every function runs inside the caller's transaction and reports its
 * own errors.  The defects of dbprocessing's rows are resolved by the
 * rules in store-adopt.c; each resolved or unresolvable defect is left
 * as a failure row of kind "adopt-..." (resolved by "cascade adopt"
 * when a rule settled it, open when a person must look).
 */
#ifndef CASCADE_STORE_ADOPT_H
#define CASCADE_STORE_ADOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct db;
struct strvec;

/*
 * store_adopt_probe: whether the database holds dbprocessing's 17
 * tables; the missing ones are pushed to *missing.
 */
int store_adopt_probe(struct db *db, struct strvec *missing)
	CASCADE_MUSTCHECK;

/* dbprocessing's tables and their columns, in an order that loads */
struct adopt_table {
	const char *name;
	const char *const *cols;
	int n;
};
extern const struct adopt_table adopt_dbp_tables[];
extern const size_t adopt_n_dbp_tables;

/* store_adopt_empty: whether public holds no table, view or sequence. */
int store_adopt_empty(struct db *db, bool *empty) CASCADE_MUSTCHECK;

/*
 * store_adopt_create_dbp: adopt-0-dbprocessing.sql, dbprocessing's tables
 * as its CreateDB.py makes them on PostgreSQL (--from-sqlite).
 */
int store_adopt_create_dbp(struct db *db) CASCADE_MUSTCHECK;

/*
 * Rows of one of them, copied in: begin, a row at a time (text values,
 * NULL for SQL NULL, t->n of them), end.
 */
int store_adopt_copy_begin(struct db *db, const struct adopt_table *t)
	CASCADE_MUSTCHECK;
int store_adopt_copy_row(struct db *db, int n, const char *const *vals)
	CASCADE_MUSTCHECK;
int store_adopt_copy_end(struct db *db) CASCADE_MUSTCHECK;

/*
 * store_adopt_columns: dbprocessing's columns its tables lack (an older
 * dbprocessing: "table.column" pushed to *missing) and the columns they
 * have beyond them (an older or locally changed one: to *extra).
 */
int store_adopt_columns(struct db *db, struct strvec *missing,
			struct strvec *extra) CASCADE_MUSTCHECK;

/*
 * store_adopt_extra: the rule for extra columns ("table.column" each):
 * kept with their values, NOT NULL dropped (cascade does not write
 * them), each recorded as a settled adopt-extra-column failure.
 */
int store_adopt_extra(struct db *db, const struct strvec *extra)
	CASCADE_MUSTCHECK;

/* store_adopt_shape: adopt-1-shape.sql (types, columns, new tables). */
int store_adopt_shape(struct db *db) CASCADE_MUSTCHECK;

/*
 * store_adopt_blockers: the defects no rule can settle (each makes a
 * cascade constraint impossible), one line each pushed to *out (at
 * most a few of each kind).  Run after store_adopt_shape.
 */
int store_adopt_blockers(struct db *db, struct strvec *out)
	CASCADE_MUSTCHECK;

/* store_adopt_rules: the documented rules for the settleable defects. */
int store_adopt_rules(struct db *db) CASCADE_MUSTCHECK;

/* store_adopt_constraints: adopt-2-constraints.sql. */
int store_adopt_constraints(struct db *db) CASCADE_MUSTCHECK;

/* A file row to check on disk (--verify). */
struct adopt_vfile {
	int64_t id;
	char *filename;
	char *path;  /* absolute, or NULL when its directory cannot be made */
	char *shasum;/* as recorded, or NULL */
	bool exists; /* exists_on_disk as recorded */
};
void adopt_vfiles_free(struct adopt_vfile *f, size_t n);

/*
 * store_adopt_vfiles: every file row with its archive path (after the
 * migrations: uses cascade_format_path).
 */
int store_adopt_vfiles(struct db *db, struct adopt_vfile **out, size_t *n)
	CASCADE_MUSTCHECK;

/* What --verify found for one file. */
enum adopt_vstate {
	ADOPT_V_OK = 0,      /* there, same SHA-1 (or none recorded) */
	ADOPT_V_MISSING = 1, /* not there */
	ADOPT_V_CHANGED = 2, /* there, another SHA-1 */
	ADOPT_V_UNREADABLE = 3,
};
struct adopt_vresult {
	int64_t id;
	enum adopt_vstate state;
	char sha1[41];
	char sha256[65];
	int64_t size;
	const char *why; /* UNREADABLE: strerror */
};

/* store_adopt_verified: record what --verify found (set-based). */
int store_adopt_verified(struct db *db, const struct adopt_vresult *r,
			 size_t n) CASCADE_MUSTCHECK;

/* The adoption's account: counts and the defects (failure rows). */
struct adopt_defect {
	char *kind;
	char *filename; /* or NULL */
	char *reason;
	bool resolved;
};
struct adopt_summary {
	int64_t files, links, code_links, queue, runs, codes, products;
	struct adopt_defect *defects;
	size_t n_defects;
};
void adopt_summary_release(struct adopt_summary *s);

int store_adopt_summary(struct db *db, struct adopt_summary *s)
	CASCADE_MUSTCHECK;

#endif
