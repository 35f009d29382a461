/*
 * schema.h - the database schema: embedded migrations and version checks.
 *
 * Migrations are the files sql/NNNN-name.sql, embedded into the binary by
 * scripts/embed-sql.sh (schema_migrations[], in order, numbered from 1
 * without gaps).  They are forward-only; each is applied in its own
 * transaction together with its row in cascade_schema_version, so a
 * database is always at exactly one version.
 */
#ifndef CASCADE_SCHEMA_H
#define CASCADE_SCHEMA_H

#include "compat.h"

struct db;

struct schema_migration {
	int number;
	const char *name;
	const char *sql;
};

extern const struct schema_migration schema_migrations[];
extern const int schema_n_migrations;

/* schema_latest: the number of the newest migration this binary has. */
int schema_latest(void);

enum schema_status {
	SCHEMA_OK = 0,      /* at schema_latest() */
	SCHEMA_EMPTY = 1,   /* no cascade schema at all */
	SCHEMA_OLDER = 2,   /* needs "cascade init" */
	SCHEMA_NEWER = 3,   /* made by a newer cascade: refuse */
	SCHEMA_FOREIGN = 4, /* tables that cascade did not make: refuse */
};

/*
 * schema_check: compare the database's schema version with this binary's.
 * Returns 0 and *status (and *version, 0 when empty), or -1 with a database
 * error reported.
 */
int schema_check(struct db *db, enum schema_status *status, int *version)
	CASCADE_MUSTCHECK;

/*
 * schema_foreign_hint: the HINT after reporting SCHEMA_FOREIGN (a
 * database with a "mission" table that cascade did not make, most likely
 * dbprocessing's): where the switching guide is.
 */
void schema_foreign_hint(void);

/*
 * schema_migrate: apply every missing migration, each in one transaction,
 * serialised against concurrent "init" runs by an advisory lock.  Refuses
 * (error reported, -1) a database newer than the binary.  *applied gets
 * the number of migrations applied (0: already current).
 */
int schema_migrate(struct db *db, int *applied) CASCADE_MUSTCHECK;

/*
 * schema_adopted: inside the caller's transaction (cascade adopt), on a
 * database whose tables "adopt" has just brought to what migration 0001
 * makes: record 0001 as applied and apply the later migrations, so the
 * database ends at schema_latest().  Takes the schema lock.
 */
int schema_adopted(struct db *db) CASCADE_MUSTCHECK;

/*
 * schema_lock: take the lock that serialises schema changes ("init",
 * "adopt") until the end of the caller's transaction.
 */
int schema_lock(struct db *db) CASCADE_MUSTCHECK;

#endif
