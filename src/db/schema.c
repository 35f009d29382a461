/*
 * schema.c - applying the embedded migrations; schema version checks.
 *
 * Owns the table cascade_schema_version (version, name, applied_at,
 * cascade_version) and the advisory lock that serialises "cascade init"
 * runs.  It does not own any other table: their DDL is in sql/.
 */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "version-gen.h"
#include "banned.h"

/* advisory lock keys: ('casc', 1) serialises schema changes */
#define LOCK_CLASS "1667330915"
#define LOCK_SCHEMA "1"

int
schema_latest(void)
{
	return schema_n_migrations;
}

static int
table_exists(struct db *db, const char *name, bool *exists)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_text(&p, name);
	rc = db_query_bool(db,
			   "SELECT pg_catalog.to_regclass($1::text) IS NOT NULL",
			   &p, 0, exists);
	db_params_release(&p);
	return rc;
}

static int
current_version(struct db *db, int *version)
{
	int64_t v = 0;
	int rc = db_query_int64(db,
				"SELECT coalesce(max(version), 0) "
				"FROM public.cascade_schema_version",
				NULL, 0, &v);

	*version = (int)v;
	return rc ? -1 : 0;
}

int
schema_check(struct db *db, enum schema_status *status, int *version)
{
	bool have_version, have_mission;

	*version = 0;
	if (table_exists(db, "public.cascade_schema_version", &have_version))
		return -1;
	if (!have_version) {
		if (table_exists(db, "public.mission", &have_mission))
			return -1;
		*status = have_mission ? SCHEMA_FOREIGN : SCHEMA_EMPTY;
		return 0;
	}
	if (current_version(db, version))
		return -1;
	if (*version == 0)
		*status = SCHEMA_EMPTY;
	else if (*version < schema_latest())
		*status = SCHEMA_OLDER;
	else if (*version > schema_latest())
		*status = SCHEMA_NEWER;
	else
		*status = SCHEMA_OK;
	return 0;
}

static int
lock_and_read(struct db *db, int *version)
{
	/* another init may take long: wait for it however long it takes */
	if (db_exec(db, "SET LOCAL lock_timeout = 0") ||
	    db_exec(db, "SELECT pg_catalog.pg_advisory_xact_lock("
			LOCK_CLASS ", " LOCK_SCHEMA ")"))
		return -1;
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS public.cascade_schema_version ("
			"version integer PRIMARY KEY CHECK (version > 0), "
			"name text NOT NULL, "
			"applied_at timestamptz NOT NULL DEFAULT now(), "
			"cascade_version text NOT NULL)"))
		return -1;
	return current_version(db, version);
}

/* record migration m as applied, inside the caller's transaction */
static int
record_one(struct db *db, const struct schema_migration *m)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, m->number);
	db_params_text(&p, m->name);
	db_params_text(&p, CASCADE_VERSION);
	rc = db_query_params(db,
			     "INSERT INTO public.cascade_schema_version "
			     "(version, name, cascade_version) "
			     "VALUES ($1::integer, $2::text, $3::text)",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc ? -1 : 0;
}

/* apply migration m and record it, inside the caller's transaction */
static int
apply_one(struct db *db, const struct schema_migration *m)
{
	log_info("applying migration %04d-%s", m->number, m->name);
	if (db_exec_script(db, m->sql)) {
		log_detail("In migration %04d-%s.", m->number, m->name);
		return -1;
	}
	return record_one(db, m);
}

int
schema_lock(struct db *db)
{
	if (!db_in_transaction(db))
		BUG("schema_lock outside a transaction");
	if (db_exec(db, "SET LOCAL lock_timeout = 0") ||
	    db_exec(db, "SELECT pg_catalog.pg_advisory_xact_lock("
			LOCK_CLASS ", " LOCK_SCHEMA ")"))
		return -1;
	return 0;
}

int
schema_adopted(struct db *db)
{
	int version;

	if (!db_in_transaction(db))
		BUG("schema_adopted outside a transaction");
	if (lock_and_read(db, &version))
		return -1;
	if (version != 0)
		return error("database \"%s\" already has cascade schema "
			     "version %d", db_dbname(db), version);
	for (int i = 0; i < schema_n_migrations; i++) {
		const struct schema_migration *m = &schema_migrations[i];

		if (i == 0) {
			/* made by the adoption itself: recorded only */
			if (record_one(db, m))
				return -1;
			continue;
		}
		if (apply_one(db, m))
			return -1;
	}
	return 0;
}

void
schema_foreign_hint(void)
{
	log_hint("A dbprocessing database is adopted in place with \"cascade "
		 "adopt\", as \"Switching from dbprocessing\" in "
		 CASCADE_DOCDIR "/from-dbprocessing.md describes.");
}

int
schema_migrate(struct db *db, int *applied)
{
	enum schema_status st;
	int version;

	*applied = 0;
	if (schema_check(db, &st, &version))
		return -1;
	if (st == SCHEMA_FOREIGN) {
		error("database \"%s\" has a \"mission\" table but no "
		      "cascade schema version: not a cascade database",
		      db_dbname(db));
		schema_foreign_hint();
		return -1;
	}
	for (int i = 0; i < schema_n_migrations; i++) {
		const struct schema_migration *m = &schema_migrations[i];

		if (m->number != i + 1)
			BUG("migration %d is numbered %d", i + 1, m->number);
		if (db_begin(db))
			return -1;
		if (lock_and_read(db, &version))
			goto fail;
		if (version > schema_latest()) {
			error("database schema version %d is newer than this "
			      "cascade (%s) supports (%d)",
			      version, CASCADE_VERSION, schema_latest());
			log_hint("Use a newer cascade with this database.");
			goto fail;
		}
		if (version >= m->number) {
			db_rollback(db);
			continue;
		}
		if (apply_one(db, m) || db_commit(db))
			goto fail;
		(*applied)++;
	}
	return 0;
fail:
	db_rollback(db);
	return -1;
}
