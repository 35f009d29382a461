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

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "strvec.h"
#include "banned.h"

/* a journal entry's columns, in the order of the query below */
static const struct db_col journal_cols[] = {
	DB_COL(DB_INT64, struct store_journal_entry, id),
	DB_COL(DB_TEXT, struct store_journal_entry, source),
	DB_COL(DB_TEXT, struct store_journal_entry, target),
	DB_COL(DB_TEXT, struct store_journal_entry, sha1),
};
static const struct db_table journal_table =
	DB_TABLE("journal", journal_cols, struct store_journal_entry);

void
store_journal_free(struct store_journal_entry *e, size_t n)
{
	db_rows_free(&journal_table, e, n);
}

int
store_journal_add(struct db *db, int64_t run_id,
		  const struct store_journal_entry *e, size_t n, int64_t *ids,
		  unsigned flags)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t *got = NULL;
	size_t ngot = 0;
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
	rc = db_query_int64_column(db,
			     "WITH ins AS (INSERT INTO public.ingest_journal "
			     "(logging_id, source_path, target_path, sha1) "
			     "SELECT $1::bigint, s, t, h FROM "
			     "unnest($2::text[], $3::text[], $4::text[]) "
			     "AS u(s, t, h) "
			     "RETURNING journal_id, source_path) "
			     "SELECT i.journal_id FROM unnest($2::text[]) WITH "
			     "ORDINALITY AS u(s, n) JOIN ins i ON "
			     "i.source_path = u.s ORDER BY u.n",
			     &p, flags, &got, &ngot);
	db_params_release(&p);
	if (!rc && ngot != n)
		rc = error("unexpected result shape for journal ids: %zu rows, "
			   "expected %zu",
			   ngot, n);
	if (!rc)
		memcpy(ids, got, n * sizeof(*ids));
	free(got);
	return rc;
}

int
store_journal_list(struct db *db, struct store_journal_entry **out, size_t *n)
{
	return db_query_rows(db,
			     "SELECT journal_id, source_path, target_path, sha1 "
			     "FROM public.ingest_journal ORDER BY journal_id",
			     NULL, 0, &journal_table, out, n);
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

/* a row of a batch lookup: a position in the batch (1..n) and a text */
struct placed {
	int64_t n;
	char *text;
};
static const struct db_col placed_cols[] = {
	DB_COL(DB_INT64, struct placed, n),
	DB_COL(DB_TEXT, struct placed, text),
};

/*
 * placed_index: row r's position as an index into the n places, or -1
 * (reported) if it is not one of them
 */
static int
placed_index(const struct placed *r, size_t n, const char *what, size_t *k)
{
	if (r->n < 1 || (uint64_t)r->n > n)
		return error("unexpected position %lld in %s of %zu",
			     (long long)r->n, what, n);
	*k = (size_t)(r->n - 1);
	return 0;
}

/*
 * run sql, whose rows are (position in the batch, text), and put each
 * row's text at its position in out (n places, left as they are where no
 * row names them or its text is NULL)
 */
static int
texts_by_ordinal(struct db *db, const char *sql, struct db_params *p,
		 size_t n, const char *what, char **out, unsigned flags)
{
	const struct db_table t = DB_TABLE(what, placed_cols, struct placed);
	struct placed *rows = NULL;
	size_t nrows = 0, k = 0;
	int rc = db_query_rows(db, sql, p, flags, &t, &rows, &nrows);

	for (size_t r = 0; !rc && r < nrows; r++) {
		if (placed_index(&rows[r], n, what, &k)) {
			rc = -1;
			break;
		}
		if (!rows[r].text)
			continue;
		free(out[k]);
		out[k] = rows[r].text;
		rows[r].text = NULL;
	}
	db_rows_free(&t, rows, nrows);
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
	db_params_columns(&p, 6);
	for (size_t i = 0; i < n; i++) {
		db_col_int64(&p, f[i].product_id);
		db_col_date(&p, f[i].date);
		db_col_int64(&p, f[i].period_number);
		db_col_int64(&p, f[i].iv);
		db_col_int64(&p, f[i].qv);
		db_col_int64(&p, f[i].rv);
	}
	rc = texts_by_ordinal(
		db,
		"SELECT u.n, (SELECT f.filename FROM public.file f "
		"WHERE f.product_id = u.p AND "
		"coalesce(f.utc_file_date, '-infinity'::date) = u.d AND "
		"f.period_number = u.pn AND "
		"f.interface_version = u.iv AND f.quality_version = u.qv "
		"AND f.revision_version = u.rv) "
		"FROM unnest($1::int[], $2::date[], $3::int8[], $4::int2[], "
		"$5::int2[], $6::int2[]) WITH ORDINALITY "
		"AS u(p, d, pn, iv, qv, rv, n)",
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
	db_params_columns(&p, 15);
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
		db_col_int64(&p, f[i].period_number);
	}
	db_params_int64(&p, run_id);
	rc = db_query_params(
		db,
		"WITH u AS (SELECT * FROM unnest($1::text[], $2::int[], "
		"$3::float8[], $4::date[], $5::timestamp[], $6::timestamp[], "
		"$7::int2[], $8::int2[], $9::int2[], $10::timestamp[], "
		"$11::text[], $12::text[], $13::int8[], $14::text[], "
		"$15::int8[]) WITH "
		"ORDINALITY AS t(filename, product_id, level, d, start_t, "
		"stop_t, iv, qv, rv, ctime, sha1, sha256, size, kw, pn, n)), "
		"ins AS (INSERT INTO public.file (filename, product_id, "
		"data_level, utc_file_date, utc_start_time, utc_stop_time, "
		"interface_version, quality_version, revision_version, "
		"file_create_date, shasum, sha256, size_bytes, "
		"process_keywords, exists_on_disk, logging_id, period_number) "
		"SELECT filename, product_id, level, d, start_t, stop_t, iv, "
		"qv, rv, ctime, sha1, sha256, size, nullif(kw, ''), true, "
		"$16::bigint, pn FROM u ORDER BY n "
		"RETURNING file_id, utc_start_time, utc_stop_time), "
		"ut AS (INSERT INTO public.unixtime (file_id, unix_start, "
		"unix_stop) SELECT file_id, "
		"floor(extract(epoch FROM utc_start_time))::bigint, "
		"floor(extract(epoch FROM utc_stop_time))::bigint FROM ins) "
		"INSERT INTO public.processqueue (file_id, logging_id, reason) "
		"SELECT file_id, $16::bigint, 'ingested' FROM ins "
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
	static const struct db_table t =
		DB_TABLE("rejects by name", placed_cols, struct placed);
	struct db_params p = DB_PARAMS_INIT;
	struct placed *rows = NULL;
	size_t nrows = 0, k = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		strvec_init(&paths[i]);
	if (n == 0)
		return 0;
	db_params_text_array(&p, names, n);
	rc = db_query_rows(db,
			   "SELECT u.n, f.error_path FROM unnest($1::text[]) "
			   "WITH ORDINALITY AS u(name, n) "
			   "JOIN public.failure f ON f.filename = u.name "
			   "AND f.error_path IS NOT NULL "
			   "JOIN public.logging l ON l.logging_id = "
			   "f.logging_id AND l.status IN ('running', "
			   "'aborted', 'interrupted') "
			   "ORDER BY u.n, f.failure_id",
			   &p, flags, &t, &rows, &nrows);
	db_params_release(&p);
	for (size_t r = 0; !rc && r < nrows; r++) {
		if (placed_index(&rows[r], n, t.what, &k)) {
			rc = -1;
			break;
		}
		strvec_push(&paths[k], rows[r].text);
	}
	db_rows_free(&t, rows, nrows);
	return rc;
}
