/*
 * adopt.c - "cascade adopt" (see adopt.h): the order of the steps, the
 * transaction, and the files checked on disk for --verify.  The SQL is
 * store-adopt.c's.
 */
#include "adopt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "dbpsqlite.h"
#include "fault.h"
#include "log.h"
#include "schema.h"
#include "sha.h"
#include "strvec.h"
#include "xalloc.h"
#include "banned.h"

/* check one file: state, hashes and size into *r */
static void
verify_one(const struct adopt_vfile *f, struct adopt_vresult *r)
{
	int fd;

	memset(r, 0, sizeof(*r));
	r->id = f->id;
	if (!f->path) {
		r->state = ADOPT_V_UNREADABLE;
		r->why = "its archive directory cannot be formatted";
		return;
	}
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r->state = errno == ENOENT || errno == ENOTDIR
				   ? ADOPT_V_MISSING : ADOPT_V_UNREADABLE;
		r->why = strerror(errno);
		return;
	}
	if (sha_fd(fd, r->sha1, r->sha256, &r->size)) {
		r->state = ADOPT_V_UNREADABLE;
		r->why = strerror(errno);
	} else if (f->shasum && strcmp(f->shasum, r->sha1) != 0) {
		r->state = ADOPT_V_CHANGED;
	} else {
		r->state = ADOPT_V_OK;
	}
	close(fd);
}

static int
verify_files(struct db *db)
{
	struct adopt_vfile *f = NULL;
	struct adopt_vresult *r;
	size_t n = 0;
	int rc;

	if (store_adopt_vfiles(db, &f, &n))
		return -1;
	r = xcalloc(n + 1, sizeof(*r));
	for (size_t i = 0; i < n; i++)
		verify_one(&f[i], &r[i]);
	rc = store_adopt_verified(db, r, n);
	free(r);
	adopt_vfiles_free(f, n);
	return rc ? -1 : 0;
}

/* whether the database is one to adopt; *outcome otherwise */
static int
probe(struct db *db, enum adopt_outcome *outcome)
{
	enum schema_status st;
	struct strvec missing = STRVEC_INIT;
	int version;

	if (schema_check(db, &st, &version))
		return -1;
	if (st != SCHEMA_FOREIGN && st != SCHEMA_EMPTY) {
		*outcome = ADOPT_ALREADY;
		return 0;
	}
	if (store_adopt_probe(db, &missing))
		return -1;
	if (missing.nr) {
		struct strbuf sb = STRBUF_INIT;

		for (size_t i = 0; i < missing.nr; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", missing.v[i]);
		error("database \"%s\" is not a dbprocessing database",
		      db_dbname(db));
		log_detail("Missing tables: %s.", sb.buf);
		strbuf_release(&sb);
		strvec_clear(&missing);
		*outcome = ADOPT_NOT_DBP;
		return -1;
	}
	*outcome = ADOPT_DONE;
	return 0;
}

static int
refuse(struct db *db, const struct strvec *why)
{
	error("database \"%s\" cannot be adopted: %zu defect%s no rule "
	      "settles", db_dbname(db), why->nr, why->nr == 1 ? "" : "s");
	for (size_t i = 0; i < why->nr; i++)
		log_detail("%s", why->v[i]);
	log_hint("Correct these rows with dbprocessing's tools or psql, "
		 "then run \"cascade adopt\" again; nothing was changed.");
	return -1;
}

/* --from-sqlite: the target must be empty */
static int
probe_empty(struct db *db, enum adopt_outcome *outcome)
{
	bool empty;

	if (store_adopt_empty(db, &empty))
		return -1;
	if (!empty) {
		*outcome = ADOPT_NOT_EMPTY;
		error("database \"%s\" is not empty", db_dbname(db));
		log_hint("\"cascade adopt --from-sqlite\" loads into a new "
			 "database: createdb NAME, then give -m NAME.");
		return -1;
	}
	*outcome = ADOPT_DONE;
	return 0;
}

static int
copy_row(void *arg, const char *const *vals)
{
	const struct adopt_table *t = ((void **)arg)[1];

	return store_adopt_copy_row(((void **)arg)[0], t->n, vals) ? -1 : 0;
}

/* dbprocessing's tables made, and filled from the SQLite file */
static int
load_sqlite(struct db *db, struct dbpsqlite *src)
{
	if (store_adopt_create_dbp(db))
		return -1;
	for (size_t i = 0; i < adopt_n_dbp_tables; i++) {
		const struct adopt_table *t = &adopt_dbp_tables[i];
		void *arg[2] = {db, (void *)(uintptr_t)t};

		if (store_adopt_copy_begin(db, t))
			return -1;
		if (dbpsqlite_rows(src, t->name, t->cols, t->n, copy_row,
				   arg)) {
			/* the transaction is rolled back by the caller */
			if (store_adopt_copy_end(db))
				return -1;
			return -1;
		}
		if (store_adopt_copy_end(db))
			return -1;
	}
	return 0;
}

int
adopt_run(struct db *db, const struct adopt_opts *o,
	  struct adopt_summary *s, enum adopt_outcome *outcome)
{
	struct strvec blockers = STRVEC_INIT, missing = STRVEC_INIT,
		      extra = STRVEC_INIT;
	struct dbpsqlite *src = NULL;

	memset(s, 0, sizeof(*s));
	if (o->from_sqlite) {
		if (probe_empty(db, outcome))
			return -1;
		if (dbpsqlite_open(o->from_sqlite, &src)) {
			*outcome = ADOPT_BAD_SOURCE;
			return -1;
		}
	} else if (probe(db, outcome) || *outcome != ADOPT_DONE) {
		return *outcome == ADOPT_ALREADY ? 0 : -1;
	}
	if (db_begin(db))
		goto fail;
	/* serialised with "init" and other "adopt" runs; then again */
	if (schema_lock(db) ||
	    (o->from_sqlite ? probe_empty(db, outcome) : probe(db, outcome)))
		goto fail;
	if (*outcome != ADOPT_DONE) {
		db_rollback(db);
		return *outcome == ADOPT_ALREADY ? 0 : -1;
	}
	if (src) {
		if (load_sqlite(db, src))
			goto fail;
		dbpsqlite_close(src);
		src = NULL;
		fault_point("adopt-load");
	}
	fault_point("adopt-begin");
	if (store_adopt_columns(db, &missing, &extra))
		goto fail;
	if (missing.nr) {
		*outcome = ADOPT_REFUSED;
		error("database \"%s\" cannot be adopted: it lacks %zu of "
		      "dbprocessing's columns", db_dbname(db), missing.nr);
		for (size_t i = 0; i < missing.nr; i++)
			log_detail("Column %s is missing.", missing.v[i]);
		log_hint("Bring it to dbprocessing's current schema with its "
			 "MigrateDB.py first; nothing was changed.");
		goto fail;
	}
	if (store_adopt_shape(db) || store_adopt_extra(db, &extra))
		goto fail;
	fault_point("adopt-shape");
	if (store_adopt_blockers(db, &blockers))
		goto fail;
	if (blockers.nr) {
		*outcome = ADOPT_REFUSED;
		refuse(db, &blockers);
		strvec_clear(&blockers);
		goto fail;
	}
	if (store_adopt_rules(db))
		goto fail;
	fault_point("adopt-rules");
	if (store_adopt_constraints(db))
		goto fail;
	fault_point("adopt-constraints");
	if (schema_adopted(db))
		goto fail;
	fault_point("adopt-migrations");
	if (o->verify && verify_files(db))
		goto fail;
	fault_point("adopt-verify");
	if (store_adopt_summary(db, s))
		goto fail;
	strvec_clear(&extra);
	if (o->dry_run) {
		db_rollback(db);
		return 0;
	}
	fault_point("adopt-commit");
	if (db_commit(db))
		goto fail;
	return 0;
fail:
	strvec_clear(&missing);
	strvec_clear(&extra);
	dbpsqlite_close(src);
	if (db_in_transaction(db))
		db_rollback(db);
	return -1;
}
