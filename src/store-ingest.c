/*
 * store-ingest.c - the tables ingest writes: file, unixtime, processqueue
 * (for new files), ingest_journal and failure (for rejects).
 *
 * Every function works on a whole batch with one statement, passing the
 * batch as array parameters (unnest, = ANY), so ingest costs a handful of
 * queries per batch, not per file.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

void
store_products_free(struct store_product *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].name);
		free(p[i].satellite);
		free(p[i].instrument);
		free(p[i].format);
		free(p[i].relative_path);
		free(p[i].inspector);
		free(p[i].inspector_args);
	}
	free(p);
}

int
store_products_load(struct db *db, struct store_product **out, size_t *n)
{
	struct db_res *res = NULL;
	struct store_product *p = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = db_query(db,
		      "SELECT p.product_id, p.product_name, s.satellite_name, "
		      "i.instrument_name, p.level, p.format, p.relative_path, "
		      "CASE WHEN ins.kind = 'exec' THEN ins.relative_path || "
		      "'/' || ins.filename END, ins.arguments, "
		      "coalesce(ins.timeout_s, 30) "
		      "FROM public.product p "
		      "JOIN public.instrument i USING (instrument_id) "
		      "JOIN public.satellite s USING (satellite_id) "
		      "LEFT JOIN public.inspector ins ON ins.product = "
		      "p.product_id "
		      "WHERE coalesce(ins.active_code, true) "
		      "ORDER BY p.product_id",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 10, "products")) {
		db_res_free(res);
		return -1;
	}
	p = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*p));
	for (int r = 0; r < db_res_nrows(res); r++) {
		const char *v;

		if (db_res_int(res, r, 0, &p[r].id) ||
		    db_res_double(res, r, 4, &p[r].level) ||
		    db_res_int(res, r, 9, &p[r].inspector_timeout_s))
			rc = -1;
		p[r].name = xstrdup(db_res_get(res, r, 1));
		p[r].satellite = xstrdup(db_res_get(res, r, 2));
		p[r].instrument = xstrdup(db_res_get(res, r, 3));
		p[r].format = xstrdup(db_res_get(res, r, 5));
		p[r].relative_path = xstrdup(db_res_get(res, r, 6));
		v = db_res_get(res, r, 7);
		p[r].inspector = v ? xstrdup(v) : NULL;
		v = db_res_get(res, r, 8);
		p[r].inspector_args = v ? xstrdup(v) : NULL;
	}
	*n = (size_t)db_res_nrows(res);
	db_res_free(res);
	if (rc) {
		store_products_free(p, *n);
		*n = 0;
		return -1;
	}
	*out = p;
	return 0;
}

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
		  const struct store_journal_entry *e, size_t n, int64_t *ids)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT, sha = STRBUF_INIT;
	struct db_res *res = NULL;
	char run[32];
	const char *params[4];
	int rc;

	if (n == 0)
		return 0;
	db_array_begin(&src);
	db_array_begin(&dst);
	db_array_begin(&sha);
	for (size_t i = 0; i < n; i++) {
		db_array_add(&src, e[i].source);
		db_array_add(&dst, e[i].target);
		db_array_add(&sha, e[i].sha1);
	}
	db_array_end(&src);
	db_array_end(&dst);
	db_array_end(&sha);
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	params[0] = run;
	params[1] = src.buf;
	params[2] = dst.buf;
	params[3] = sha.buf;
	rc = db_query(db,
		      "WITH ins AS (INSERT INTO public.ingest_journal "
		      "(logging_id, source_path, target_path, sha1) "
		      "SELECT $1::bigint, s, t, h FROM unnest($2::text[], "
		      "$3::text[], $4::text[]) AS u(s, t, h) "
		      "RETURNING journal_id, source_path) "
		      "SELECT i.journal_id FROM unnest($2::text[]) WITH "
		      "ORDINALITY AS u(s, n) JOIN ins i ON i.source_path = u.s "
		      "ORDER BY u.n",
		      4, params, 0, &res);
	if (!rc) {
		if (db_res_check_shape(res, (int)n, 1, "journal ids"))
			rc = -1;
		for (size_t i = 0; !rc && i < n; i++)
			if (db_res_int64(res, (int)i, 0, &ids[i]))
				rc = -1;
	}
	db_res_free(res);
	strbuf_release(&src);
	strbuf_release(&dst);
	strbuf_release(&sha);
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
	struct strbuf arr = STRBUF_INIT;
	const char *params[1];
	int rc;

	if (n == 0)
		return 0;
	db_array_int64(&arr, ids, n);
	params[0] = arr.buf;
	rc = db_query(db,
		      "DELETE FROM public.ingest_journal "
		      "WHERE journal_id = ANY($1::bigint[])",
		      1, params, 0, NULL);
	strbuf_release(&arr);
	return rc;
}

int
store_files_by_name(struct db *db, const char *const *names, size_t n,
		    char **sha1)
{
	struct strbuf arr = STRBUF_INIT;
	struct db_res *res = NULL;
	const char *params[1];
	int rc;

	for (size_t i = 0; i < n; i++)
		sha1[i] = NULL;
	if (n == 0)
		return 0;
	db_array_begin(&arr);
	for (size_t i = 0; i < n; i++)
		db_array_add(&arr, names[i]);
	db_array_end(&arr);
	params[0] = arr.buf;
	rc = db_query(db,
		      "SELECT u.n, coalesce(f.shasum, '') FROM "
		      "unnest($1::text[]) WITH ORDINALITY AS u(name, n) "
		      "JOIN public.file f ON f.filename = u.name",
		      1, params, 0, &res);
	if (!rc && db_res_check_shape(res, -1, 2, "files by name"))
		rc = -1;
	for (int r = 0; !rc && r < db_res_nrows(res); r++) {
		int64_t k;

		if (db_res_int64(res, r, 0, &k) || k < 1 || (size_t)k > n) {
			rc = -1;
			break;
		}
		sha1[k - 1] = xstrdup(db_res_get(res, r, 1));
	}
	db_res_free(res);
	strbuf_release(&arr);
	return rc;
}

/* the batch as parallel arrays, in the order of f[] */
struct file_arrays {
	struct strbuf name, product, level, date, start, stop, iv, qv, rv,
		ctime, sha1, sha256, size, kw;
};

static void
file_arrays_build(struct file_arrays *a, const struct store_new_file *f,
		  size_t n)
{
	struct strbuf *all[] = {&a->name, &a->product, &a->level, &a->date,
				&a->start, &a->stop, &a->iv, &a->qv, &a->rv,
				&a->ctime, &a->sha1, &a->sha256, &a->size,
				&a->kw};
	char buf[TIMESTAMP_STRLEN];

	for (size_t k = 0; k < ARRAY_SIZE(all); k++) {
		strbuf_init(all[k], 0);
		db_array_begin(all[k]);
	}
	for (size_t i = 0; i < n; i++) {
		db_array_add(&a->name, f[i].filename);
		snprintf(buf, sizeof(buf), "%d", f[i].product_id);
		db_array_add(&a->product, buf);
		snprintf(buf, sizeof(buf), "%.17g", f[i].level);
		db_array_add(&a->level, buf);
		db_array_add(&a->date, timeutil_format_date(f[i].date, buf));
		db_array_add(&a->start,
			     timeutil_format_timestamp(f[i].start_usec, buf));
		db_array_add(&a->stop,
			     timeutil_format_timestamp(f[i].stop_usec, buf));
		snprintf(buf, sizeof(buf), "%d", f[i].iv);
		db_array_add(&a->iv, buf);
		snprintf(buf, sizeof(buf), "%d", f[i].qv);
		db_array_add(&a->qv, buf);
		snprintf(buf, sizeof(buf), "%d", f[i].rv);
		db_array_add(&a->rv, buf);
		db_array_add(&a->ctime,
			     timeutil_format_timestamp(f[i].mtime_usec, buf));
		db_array_add(&a->sha1, f[i].sha1);
		db_array_add(&a->sha256, f[i].sha256);
		snprintf(buf, sizeof(buf), "%lld", (long long)f[i].size);
		db_array_add(&a->size, buf);
		db_array_add(&a->kw, f[i].keywords);
	}
	for (size_t k = 0; k < ARRAY_SIZE(all); k++)
		db_array_end(all[k]);
}

static void
file_arrays_release(struct file_arrays *a)
{
	struct strbuf *all[] = {&a->name, &a->product, &a->level, &a->date,
				&a->start, &a->stop, &a->iv, &a->qv, &a->rv,
				&a->ctime, &a->sha1, &a->sha256, &a->size,
				&a->kw};

	for (size_t k = 0; k < ARRAY_SIZE(all); k++)
		strbuf_release(all[k]);
}

int
store_files_tuple_taken(struct db *db, const struct store_new_file *f,
			size_t n, char **other)
{
	struct file_arrays a;
	struct db_res *res = NULL;
	const char *params[5];
	int rc;

	for (size_t i = 0; i < n; i++)
		other[i] = NULL;
	if (n == 0)
		return 0;
	file_arrays_build(&a, f, n);
	params[0] = a.product.buf;
	params[1] = a.date.buf;
	params[2] = a.iv.buf;
	params[3] = a.qv.buf;
	params[4] = a.rv.buf;
	rc = db_query(db,
		      "SELECT u.n, f.filename FROM unnest($1::int[], "
		      "$2::date[], $3::int2[], $4::int2[], $5::int2[]) WITH "
		      "ORDINALITY AS u(p, d, iv, qv, rv, n) "
		      "JOIN public.file f ON f.product_id = u.p AND "
		      "coalesce(f.utc_file_date, '-infinity'::date) = u.d AND "
		      "f.interface_version = u.iv AND f.quality_version = u.qv "
		      "AND f.revision_version = u.rv",
		      5, params, 0, &res);
	if (!rc && db_res_check_shape(res, -1, 2, "file tuples"))
		rc = -1;
	for (int r = 0; !rc && r < db_res_nrows(res); r++) {
		int64_t k;

		if (db_res_int64(res, r, 0, &k) || k < 1 || (size_t)k > n) {
			rc = -1;
			break;
		}
		other[k - 1] = xstrdup(db_res_get(res, r, 1));
	}
	db_res_free(res);
	file_arrays_release(&a);
	return rc;
}

int
store_files_insert(struct db *db, int64_t run_id,
		   const struct store_new_file *f, size_t n)
{
	struct file_arrays a;
	char run[32];
	const char *params[15];
	int rc;

	if (n == 0)
		return 0;
	file_arrays_build(&a, f, n);
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	params[0] = a.name.buf;
	params[1] = a.product.buf;
	params[2] = a.level.buf;
	params[3] = a.date.buf;
	params[4] = a.start.buf;
	params[5] = a.stop.buf;
	params[6] = a.iv.buf;
	params[7] = a.qv.buf;
	params[8] = a.rv.buf;
	params[9] = a.ctime.buf;
	params[10] = a.sha1.buf;
	params[11] = a.sha256.buf;
	params[12] = a.size.buf;
	params[13] = a.kw.buf;
	params[14] = run;
	rc = db_query(
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
		15, params, 0, NULL);
	file_arrays_release(&a);
	return rc;
}

int
store_rejects_insert(struct db *db, int64_t run_id,
		     const struct store_reject *r, size_t n)
{
	struct strbuf names = STRBUF_INIT, kinds = STRBUF_INIT,
		      reasons = STRBUF_INIT;
	char run[32];
	const char *params[4];
	int rc;

	if (n == 0)
		return 0;
	db_array_begin(&names);
	db_array_begin(&kinds);
	db_array_begin(&reasons);
	for (size_t i = 0; i < n; i++) {
		db_array_add(&names, r[i].filename);
		db_array_add(&kinds, r[i].kind);
		db_array_add(&reasons, r[i].reason);
	}
	db_array_end(&names);
	db_array_end(&kinds);
	db_array_end(&reasons);
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	params[0] = run;
	params[1] = names.buf;
	params[2] = kinds.buf;
	params[3] = reasons.buf;
	rc = db_query(db,
		      "INSERT INTO public.failure (logging_id, filename, kind, "
		      "reason) SELECT $1::bigint, f, k, r FROM "
		      "unnest($2::text[], $3::text[], $4::text[]) AS u(f, k, r)",
		      4, params, 0, NULL);
	strbuf_release(&names);
	strbuf_release(&kinds);
	strbuf_release(&reasons);
	return rc;
}
