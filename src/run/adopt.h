/*
 * adopt.h - "cascade adopt": a dbprocessing database made a cascade
 * database in place, in one transaction.
 *
 * In order: dbprocessing's tables are reshaped to what cascade's
 * migration 0001 makes (store_adopt_shape), the defects no rule settles
 * stop it (store_adopt_blockers), the rules settle the others
 * (store_adopt_rules), cascade's constraints, indexes and views are made
 * (store_adopt_constraints), 0001 is recorded and the later migrations
 * applied (schema_adopted), and with --verify every file is checked on
 * disk.  Nothing is committed before the end, so a kill anywhere leaves
 * the database as it was; a dry run does everything and rolls back.
 */
#ifndef CASCADE_ADOPT_H
#define CASCADE_ADOPT_H

#include <stdbool.h>

#include "compat.h"
#include "store-adopt.h"

struct db;

struct adopt_opts {
	bool dry_run;
	bool verify;
	/*
	 * NULL, or dbprocessing's SQLite database: its rows are loaded into
	 * dbprocessing's tables made in the (empty) PostgreSQL database,
	 * in the same transaction, and adopted from there
	 */
	const char *from_sqlite;
};

enum adopt_outcome {
	ADOPT_DONE = 0,     /* adopted (or, dry run, would be) */
	ADOPT_ALREADY = 1,  /* already a cascade database: nothing done */
	ADOPT_NOT_DBP = 2,  /* not a dbprocessing database (reported) */
	ADOPT_REFUSED = 3,  /* defects no rule settles (reported) */
	ADOPT_NOT_EMPTY = 4,/* --from-sqlite into a database with tables */
	ADOPT_BAD_SOURCE = 5,/* --from-sqlite: the file cannot be read */
};

/*
 * adopt_run: adopt the database; *s gets the account (counts, defects)
 * when *outcome is ADOPT_DONE.  Returns 0, or -1 with the error
 * reported (then *outcome says whether it was refused).
 */
int adopt_run(struct db *db, const struct adopt_opts *o,
	      struct adopt_summary *s, enum adopt_outcome *outcome)
	CASCADE_MUSTCHECK;

#endif
