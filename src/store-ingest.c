/*
 * store-ingest.c - the tables ingest writes: file, unixtime, processqueue
 * (for new files), ingest_journal and failure (for rejects).
 *
 * Every function works on a whole batch with one statement, passing the
 * batch as array parameters (struct db_params: unnest, = ANY), so ingest
 * costs a handful of queries per batch, not per file.
 *
 * The lookups of a batch in the file table (by name, by product, date
 * and version) are scalar subqueries per element, not joins: each is a
 * probe of a unique index whatever the planner's estimates, so a batch
 * costs the same in a large archive as in a small one.  As a join, the
 * planner may (and with files arriving in no particular order did, up
 * to some hundred thousand files) hash the whole file table for every
 * batch, which made ingest slower as the archive grew.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "strvec.h"
#include "xalloc.h"
#include "banned.h"

void
store_journal_free(struct store_journal_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].source);
		free(e[i].target);
		free(e[i].sha1);
	}
	free(e);
}

int
store_journal_add(struct db *db, int64_t run_id,
		  const struct store_journal_entry *e, size_t n, int64_t *ids,
		  unsigned flags)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	if (n == 0)
		return 0;
	db_params_int64(&p, run_id);
	db_params_columns(&p, 3);
	for (size_t i = 0; i < n; i++) {
		db_col_text(&p, e[i].source);
		db_col_text(&p, e[i].target);
		db_col_text(&p, e[i].sha1);
	}
	rc = db_query_params(db,
			     "WITH ins AS (INSERT INTO public.ingest_journal "
			     "(logging_id, source_path, target_path, sha1) "
			     "SELECT $1::bigint, s, t, h FROM "
			     "unnest($2::text[], $3::text[], $4::text[]) "
			     "AS u(s, t, h) "
			     "RETURNING journal_id, source_path) "
			     "SELECT i.journal_id FROM unnest($2::text[]) WITH "
			     "ORDINALITY AS u(s, n) JOIN ins i ON "
			     "i.source_path = u.s ORDER BY u.n",
			     &p, flags, &res);
	if (!rc) {
		if (db_res_check_shape(res, (int)n, 1, "journal ids"))
			rc = -1;
		for (size_t i = 0; !rc && i < n; i++)
			if (db_res_int64(res, (int)i, 0, &ids[i]))
				rc = -1;
	}
	db_res_free(res);
	db_params_release(&p);
	return rc;
}

int
store_journal_list(struct db *db, struct store_journal_entry **out, size_t *n)
{
	struct db_res *res = NULL;
	struct store_journal_entry *e;
	int rc;

	*out = NULL;
	*n = 0;
	rc = db_query(db,
		      "SELECT journal_id, source_path, target_path, sha1 "
		      "FROM public.ingest_journal ORDER BY journal_id",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 4, "journal")) {
		db_res_free(res);
		return -1;
	}
	e = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*e));
	for (int r = 0; r < db_res_nrows(res); r++) {
		if (db_res_int64(res, r, 0, &e[r].id))
			rc = -1;
		e[r].source = xstrdup(db_res_get(res, r, 1));
		e[r].target = xstrdup(db_res_get(res, r, 2));
		e[r].sha1 = xstrdup(db_res_get(res, r, 3));
	}
	*n = (size_t)db_res_nrows(res);
	db_res_free(res);
	*out = e;
	return rc;
}

int
store_journal_delete(struct db *db, const int64_t *ids, size_t n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	if (n == 0)
		return 0;
	db_params_int64_array(&p, ids, n);
	rc = db_query_params(db,
			     "DELETE FROM public.ingest_journal "
			     "WHERE journal_id = ANY($1::bigint[])",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc;
}

/*
 * run sql, whose rows are (position in the batch, text), and put a copy
 * of each row's text at its position in out (n places, left as they are
 * where no row names them or its text is NULL)
 */
static int
texts_by_ordinal(struct db *db, const char *sql, struct db_params *p,
		 size_t n, const char *what, char **out, unsigned flags)
{
	struct db_res *res = NULL;
	int rc = db_query_params(db, sql, p, flags, &res);

	if (!rc && db_res_check_shape(res, -1, 2, what))
		rc = -1;
	for (int r = 0; !rc && r < db_res_nrows(res); r++) {
		size_t k;

		if (db_res_ordinal(res, r, 0, n, &k)) {
			rc = -1;
			break;
		}
		if (!db_res_get(res, r, 1))
			continue;
		free(out[k]);
		out[k] = xstrdup(db_res_get(res, r, 1));
	}
	db_res_free(res);
	return rc;
}

int
store_files_by_name(struct db *db, const char *const *names, size_t n,
		    char **sha1, unsigned flags)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	for (size_t i = 0; i < n; i++)
		sha1[i] = NULL;
	if (n == 0)
		return 0;
	db_params_text_array(&p, names, n);
	rc = texts_by_ordinal(db,
			      "SELECT u.n, (SELECT coalesce(f.shasum, '') "
			      "FROM public.file f WHERE f.filename = u.name) "
			      "FROM unnest($1::text[]) WITH ORDINALITY "
			      "AS u(name, n)",
			      &p, n, "files by name", sha1, flags);
	db_params_release(&p);
	return rc;
}

int
store_files_tuple_taken(struct db *db, const struct store_new_file *f,
			size_t n, char **other, unsigned flags)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	for (size_t i = 0; i < n; i++)
		other[i] = NULL;
	if (n == 0)
		return 0;
	db_params_columns(&p, 5);
	for (size_t i = 0; i < n; i++) {
		db_col_int64(&p, f[i].product_id);
		db_col_date(&p, f[i].date);
		db_col_int64(&p, f[i].iv);
		db_col_int64(&p, f[i].qv);
		db_col_int64(&p, f[i].rv);
	}
	rc = texts_by_ordinal(
		db,
		"SELECT u.n, (SELECT f.filename FROM public.file f "
		"WHERE f.product_id = u.p AND "
		"coalesce(f.utc_file_date, '-infinity'::date) = u.d AND "
		"f.interface_version = u.iv AND f.quality_version = u.qv "
		"AND f.revision_version = u.rv) "
		"FROM unnest($1::int[], $2::date[], $3::int2[], $4::int2[], "
		"$5::int2[]) WITH ORDINALITY AS u(p, d, iv, qv, rv, n)",
		&p, n, "file tuples", other, flags);
	db_params_release(&p);
	return rc;
}

int
store_files_insert(struct db *db, int64_t run_id,
		   const struct store_new_file *f, size_t n, unsigned flags)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	if (n == 0)
		return 0;
	db_params_columns(&p, 14);
	for (size_t i = 0; i < n; i++) {
		db_col_text(&p, f[i].filename);
		db_col_int64(&p, f[i].product_id);
		db_col_double(&p, f[i].level);
		db_col_date(&p, f[i].date);
		db_col_timestamp(&p, f[i].start_usec);
		db_col_timestamp(&p, f[i].stop_usec);
		db_col_int64(&p, f[i].iv);
		db_col_int64(&p, f[i].qv);
		db_col_int64(&p, f[i].rv);
		db_col_timestamp(&p, f[i].mtime_usec);
		db_col_text(&p, f[i].sha1);
		db_col_text(&p, f[i].sha256);
		db_col_int64(&p, f[i].size);
		db_col_text(&p, f[i].keywords);
	}
	db_params_int64(&p, run_id);
	rc = db_query_params(
		db,
		"WITH u AS (SELECT * FROM unnest($1::text[], $2::int[], "
		"$3::float8[], $4::date[], $5::timestamp[], $6::timestamp[], "
		"$7::int2[], $8::int2[], $9::int2[], $10::timestamp[], "
		"$11::text[], $12::text[], $13::int8[], $14::text[]) WITH "
		"ORDINALITY AS t(filename, product_id, level, d, start_t, "
		"stop_t, iv, qv, rv, ctime, sha1, sha256, size, kw, n)), "
		"ins AS (INSERT INTO public.file (filename, product_id, "
		"data_level, utc_file_date, utc_start_time, utc_stop_time, "
		"interface_version, quality_version, revision_version, "
		"file_create_date, shasum, sha256, size_bytes, "
		"process_keywords, exists_on_disk, logging_id) "
		"SELECT filename, product_id, level, d, start_t, stop_t, iv, "
		"qv, rv, ctime, sha1, sha256, size, nullif(kw, ''), true, "
		"$15::bigint FROM u ORDER BY n "
		"RETURNING file_id, utc_start_time, utc_stop_time), "
		"ut AS (INSERT INTO public.unixtime (file_id, unix_start, "
		"unix_stop) SELECT file_id, "
		"floor(extract(epoch FROM utc_start_time))::bigint, "
		"floor(extract(epoch FROM utc_stop_time))::bigint FROM ins) "
		"INSERT INTO public.processqueue (file_id, logging_id, reason) "
		"SELECT file_id, $15::bigint, 'ingested' FROM ins "
		"ORDER BY file_id",
		&p, flags, NULL);
	db_params_release(&p);
	return rc;
}

int
store_rejects_insert(struct db *db, int64_t run_id,
		     const struct store_reject *r, size_t n, unsigned flags)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	if (n == 0)
		return 0;
	db_params_int64(&p, run_id);
	db_params_columns(&p, 4);
	for (size_t i = 0; i < n; i++) {
		db_col_text(&p, r[i].filename);
		db_col_text(&p, r[i].kind);
		db_col_text(&p, r[i].reason);
		db_col_text(&p, r[i].error_path);
	}
	rc = db_query_params(db,
			     "INSERT INTO public.failure (logging_id, filename, "
			     "kind, reason, error_path) "
			     "SELECT $1::bigint, f, k, r, e FROM "
			     "unnest($2::text[], $3::text[], $4::text[], "
			     "$5::text[]) AS u(f, k, r, e)",
			     &p, flags, NULL);
	db_params_release(&p);
	return rc;
}

int
store_rejects_by_name(struct db *db, const char *const *names, size_t n,
		      struct strvec *paths, unsigned flags)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	for (size_t i = 0; i < n; i++)
		strvec_init(&paths[i]);
	if (n == 0)
		return 0;
	db_params_text_array(&p, names, n);
	rc = db_query_params(db,
			     "SELECT u.n, f.error_path FROM unnest($1::text[]) "
			     "WITH ORDINALITY AS u(name, n) "
			     "JOIN public.failure f ON f.filename = u.name "
			     "AND f.error_path IS NOT NULL "
			     "JOIN public.logging l ON l.logging_id = "
			     "f.logging_id AND l.status IN ('running', "
			     "'aborted', 'interrupted') "
			     "ORDER BY u.n, f.failure_id",
			     &p, flags, &res);
	if (!rc && db_res_check_shape(res, -1, 2, "rejects by name"))
		rc = -1;
	for (int r = 0; !rc && r < db_res_nrows(res); r++) {
		size_t k;

		if (db_res_ordinal(res, r, 0, n, &k)) {
			rc = -1;
			break;
		}
		strvec_push(&paths[k], db_res_get(res, r, 1));
	}
	db_res_free(res);
	db_params_release(&p);
	return rc;
}
