/*
 * store-admin.c - the SQL of the operators' tools (see store-admin.h).
 *
 * Owns the statements of check, purge, prune, move-product, queue and
 * graph, and the product_move table.  Sets are array parameters; every
 * optional filter is written as "($1::int = 0 OR ...)" rather than
 * concatenated.  It does not own the order of disk effects: that is the
 * callers' (archive.c, check.c and the commands), which commit rows
 * before or after touching files as their contracts require.
 */
#include "store-admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "xalloc.h"
#include "banned.h"

/* -- helpers ------------------------------------------------------------- */

/* read a one-column bigint result into a new array */
static int
read_ids(struct db_res *res, int64_t **out, size_t *n)
{
	int nrows = db_res_nrows(res);
	int64_t *v;

	*out = NULL;
	*n = 0;
	if (db_res_check_shape(res, -1, 1, "file ids"))
		return -1;
	v = xcalloc((size_t)nrows + 1, sizeof(*v));
	for (int r = 0; r < nrows; r++) {
		if (db_res_int64(res, r, 0, &v[r])) {
			free(v);
			return -1;
		}
	}
	*out = v;
	*n = (size_t)nrows;
	return 0;
}

/* a single bigint value (count) */
static int
read_count(struct db_res *res, int col, int ncols, int64_t *out)
{
	if (db_res_check_shape(res, 1, ncols, "count") ||
	    db_res_int64(res, 0, col, out))
		return -1;
	return 0;
}

/* -- files --------------------------------------------------------------- */

#define FILE_COLS                                                            \
	"f.file_id, f.product_id, f.filename, "                              \
	"f.utc_file_date - DATE '1970-01-01', "                              \
	"(extract(epoch FROM f.utc_start_time) * 1000000)::bigint, "        \
	"f.interface_version, f.quality_version, f.revision_version, "      \
	"coalesce(f.process_keywords, ''), f.shasum, f.exists_on_disk, "    \
	"coalesce(f.size_bytes, -1)"
#define FILE_NCOLS 12

void
store_admin_file_release(struct store_admin_file *f)
{
	free(f->filename);
	free(f->keywords);
	free(f->sha1);
	memset(f, 0, sizeof(*f));
}

void
store_admin_files_free(struct store_admin_file *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++)
		store_admin_file_release(&f[i]);
	free(f);
}

/* one row's FILE_COLS, starting at column c */
static int
read_file(struct db_res *res, int r, int c, struct store_admin_file *f)
{
	int date = 0;

	if (db_res_int64(res, r, c, &f->id) ||
	    db_res_int(res, r, c + 1, &f->product_id) ||
	    db_res_int(res, r, c + 5, &f->iv) ||
	    db_res_int(res, r, c + 6, &f->qv) ||
	    db_res_int(res, r, c + 7, &f->rv) ||
	    db_res_bool(res, r, c + 10, &f->on_disk) ||
	    db_res_int64(res, r, c + 11, &f->size))
		return -1;
	f->has_date = !db_res_isnull(res, r, c + 3);
	if (f->has_date && db_res_int(res, r, c + 3, &date))
		return -1;
	f->date = date;
	f->start_usec = 0;
	if (!db_res_isnull(res, r, c + 4) &&
	    db_res_int64(res, r, c + 4, &f->start_usec))
		return -1;
	f->filename = xstrdup_or_empty(db_res_get(res, r, c + 2));
	f->keywords = xstrdup_or_empty(db_res_get(res, r, c + 8));
	f->sha1 = xstrdup_or_null(db_res_get(res, r, c + 9));
	return 0;
}

static int
read_files(struct db_res *res, struct store_admin_file **out, size_t *n)
{
	int nrows = db_res_nrows(res);
	struct store_admin_file *f;

	*out = NULL;
	*n = 0;
	if (db_res_check_shape(res, -1, FILE_NCOLS, "files"))
		return -1;
	f = xcalloc((size_t)nrows + 1, sizeof(*f));
	for (int r = 0; r < nrows; r++) {
		if (read_file(res, r, 0, &f[r])) {
			store_admin_files_free(f, (size_t)nrows);
			return -1;
		}
	}
	*out = f;
	*n = (size_t)nrows;
	return 0;
}

int
store_admin_files_of_product(struct db *db, int product_id,
			     struct store_admin_file **out, size_t *n)
{
	char id[16];
	const char *params[] = {id};
	struct db_res *res = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(id, sizeof(id), "%d", product_id);
	rc = db_query(db,
		      "SELECT " FILE_COLS " FROM public.file f "
		      "WHERE f.product_id = $1::integer ORDER BY f.filename",
		      1, params, 0, &res);
	if (!rc && read_files(res, out, n))
		rc = -1;
	db_res_free(res);
	return rc;
}

int
store_admin_files_by_name(struct db *db, const char *const *names, size_t n,
			  struct store_admin_file *out)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	if (n == 0)
		return 0;
	db_params_text_array(&p, names, n);
	rc = db_query_params(db,
			     "SELECT u.n, " FILE_COLS " FROM unnest($1::text[]) "
			     "WITH ORDINALITY AS u(name, n) "
			     "JOIN public.file f ON f.filename = u.name",
			     &p, 0, &res);
	if (!rc && db_res_check_shape(res, -1, FILE_NCOLS + 1, "files by name"))
		rc = -1;
	for (int r = 0; !rc && r < db_res_nrows(res); r++) {
		size_t k;

		if (db_res_ordinal(res, r, 0, n, &k)) {
			rc = -1;
			break;
		}
		store_admin_file_release(&out[k]);
		if (read_file(res, r, 1, &out[k]))
			rc = -1;
	}
	db_res_free(res);
	db_params_release(&p);
	return rc;
}

int
store_admin_files_by_id(struct db *db, const int64_t *ids, size_t n,
			struct store_admin_file **out, size_t *nout)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	db_params_int64_array(&p, ids, n);
	rc = db_query_params(db,
			     "SELECT " FILE_COLS " FROM public.file f "
			     "WHERE f.file_id = ANY($1::bigint[]) "
			     "ORDER BY f.filename",
			     &p, 0, &res);
	if (!rc && read_files(res, out, nout))
		rc = -1;
	db_res_free(res);
	db_params_release(&p);
	return rc;
}

int
store_admin_set_on_disk(struct db *db, const int64_t *ids, size_t n,
			bool on_disk)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	if (n == 0)
		return 0;
	db_params_int64_array(&p, ids, n);
	db_params_bool(&p, on_disk);
	rc = db_query_params(db,
			     "UPDATE public.file SET exists_on_disk = "
			     "$2::boolean WHERE file_id = ANY($1::bigint[])",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc;
}

/* -- check --------------------------------------------------------------- */

void
store_admin_findings_free(struct store_admin_finding *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].subject);
		free(f[i].detail);
	}
	free(f);
}

/*
 * findings from a query whose columns are (subject, detail) or
 * (subject, detail, id)
 */
static int
query_findings(struct db *db, const char *sql, int product_id,
	       struct store_admin_finding **out, size_t *n, bool with_id)
{
	char id[16];
	const char *params[] = {id};
	struct db_res *res = NULL;
	struct store_admin_finding *f = NULL;
	int rc, nrows;

	*out = NULL;
	*n = 0;
	snprintf(id, sizeof(id), "%d", product_id);
	rc = db_query(db, sql, 1, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, with_id ? 3 : 2, "findings")) {
		db_res_free(res);
		return -1;
	}
	nrows = db_res_nrows(res);
	f = xcalloc((size_t)nrows + 1, sizeof(*f));
	for (int r = 0; r < nrows; r++) {
		f[r].subject = xstrdup_or_empty(db_res_get(res, r, 0));
		f[r].detail = xstrdup_or_empty(db_res_get(res, r, 1));
		if (with_id && db_res_int64(res, r, 2, &f[r].id))
			rc = -1;
	}
	db_res_free(res);
	if (rc) {
		store_admin_findings_free(f, (size_t)nrows);
		return -1;
	}
	*out = f;
	*n = (size_t)nrows;
	return 0;
}

#define VERSION_OF(t)                                                        \
	t ".interface_version || '.' || " t ".quality_version || '.' || " t   \
	  ".revision_version"

int
store_admin_orphan_links(struct db *db, int product_id,
			 struct store_admin_finding **out, size_t *n)
{
	return query_findings(
		db,
		"SELECT f.filename, 'queue entry ' || q.seq || ' of a file "
		"not on disk' FROM public.processqueue q "
		"JOIN public.file f USING (file_id) "
		"WHERE NOT f.exists_on_disk "
		"AND ($1::integer = 0 OR f.product_id = $1::integer) "
		"UNION ALL "
		"SELECT r.filename, 'link \"made from ' || s.filename || "
		"'\" of a file not on disk' FROM public.filefilelink l "
		"JOIN public.file r ON r.file_id = l.resulting_file "
		"JOIN public.file s ON s.file_id = l.source_file "
		"WHERE NOT r.exists_on_disk "
		"AND ($1::integer = 0 OR r.product_id = $1::integer) "
		"UNION ALL "
		"SELECT r.filename, 'link \"made with code ' || c.filename || "
		"' ' || " VERSION_OF("c") " || '\" of a file not on disk' "
		"FROM public.filecodelink l "
		"JOIN public.file r ON r.file_id = l.resulting_file "
		"JOIN public.code c ON c.code_id = l.source_code "
		"WHERE NOT r.exists_on_disk "
		"AND ($1::integer = 0 OR r.product_id = $1::integer) "
		"ORDER BY 1, 2",
		product_id, out, n, false);
}

int
store_admin_orphan_links_delete(struct db *db, int product_id,
				int64_t *deleted)
{
	char id[16];
	const char *params[] = {id};
	struct db_res *res = NULL;
	int rc;

	snprintf(id, sizeof(id), "%d", product_id);
	rc = db_query(
		db,
		"WITH gone AS (SELECT file_id FROM public.file "
		"WHERE NOT exists_on_disk "
		"AND ($1::integer = 0 OR product_id = $1::integer)), "
		"q AS (DELETE FROM public.processqueue "
		"WHERE file_id IN (SELECT file_id FROM gone) RETURNING 1), "
		"ff AS (DELETE FROM public.filefilelink "
		"WHERE resulting_file IN (SELECT file_id FROM gone) "
		"RETURNING 1), "
		"fc AS (DELETE FROM public.filecodelink "
		"WHERE resulting_file IN (SELECT file_id FROM gone) "
		"RETURNING 1) "
		"SELECT (SELECT count(*) FROM q) + (SELECT count(*) FROM ff) "
		"+ (SELECT count(*) FROM fc)",
		1, params, 0, &res);
	if (!rc && read_count(res, 0, 1, deleted))
		rc = -1;
	db_res_free(res);
	return rc;
}

int
store_admin_gaps(struct db *db, int product_id,
		 struct store_admin_finding **out, size_t *n)
{
	return query_findings(
		db,
		"WITH d AS (SELECT DISTINCT f.product_id, f.utc_file_date AS d "
		"FROM public.file f WHERE f.utc_file_date IS NOT NULL "
		"AND ($1::integer = 0 OR f.product_id = $1::integer)), "
		"g AS (SELECT product_id, d, lead(d) OVER (PARTITION BY "
		"product_id ORDER BY d) AS nd FROM d) "
		"SELECT p.product_name, CASE WHEN g.nd - g.d = 2 "
		"THEN 'no file on ' || to_char(g.d + 1, 'YYYY-MM-DD') "
		"ELSE 'no file from ' || to_char(g.d + 1, 'YYYY-MM-DD') || "
		"' to ' || to_char(g.nd - 1, 'YYYY-MM-DD') || ' (' || "
		"(g.nd - g.d - 1) || ' days)' END "
		"FROM g JOIN public.product p USING (product_id) "
		"WHERE g.nd > g.d + 1 AND NOT EXISTS (SELECT 1 FROM "
		"public.process pr WHERE pr.output_product = p.product_id "
		"AND pr.output_timebase <> 'DAILY') "
		"ORDER BY p.product_name, g.d",
		product_id, out, n, false);
}

int
store_admin_duplicates(struct db *db, int product_id,
		       struct store_admin_finding **out, size_t *n)
{
	return query_findings(
		db,
		"SELECT p.product_name, coalesce(to_char(f.utc_file_date, "
		"'YYYY-MM-DD'), 'no date') || ' version ' || "
		VERSION_OF("f") " || ': ' || count(*) || ' files: ' || "
		"string_agg(f.filename, ', ' ORDER BY f.filename) "
		"FROM public.file f JOIN public.product p USING (product_id) "
		"WHERE $1::integer = 0 OR f.product_id = $1::integer "
		"GROUP BY p.product_name, f.product_id, f.utc_file_date, "
		"f.interface_version, f.quality_version, f.revision_version "
		"HAVING count(*) > 1 ORDER BY 1, 2",
		product_id, out, n, false);
}

/* -- purge and prune ----------------------------------------------------- */

int
store_admin_resolve(struct db *db, const char *const *args, size_t n,
		    int64_t **ids, size_t *nids, struct strvec *unknown)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int64_t *v = NULL;
	size_t nv = 0;
	int rc;

	*ids = NULL;
	*nids = 0;
	db_params_text_array(&p, args, n);
	/* a name first; an all-digit argument no file is named is an id */
	rc = db_query_params(db,
			     "SELECT u.n, coalesce(byname.file_id, "
			     "byid.file_id) FROM unnest($1::text[]) WITH "
			     "ORDINALITY AS u(arg, n) "
			     "LEFT JOIN public.file byname ON byname.filename = "
			     "u.arg LEFT JOIN public.file byid ON byid.file_id "
			     "= CASE WHEN u.arg ~ '^[0-9]{1,18}$' THEN "
			     "u.arg::bigint END ORDER BY u.n",
			     &p, 0, &res);
	if (rc)
		goto out;
	if (db_res_check_shape(res, (int)n, 2, "resolved files")) {
		rc = -1;
		goto out;
	}
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		int64_t id;
		bool seen = false;

		if (db_res_isnull(res, (int)i, 1)) {
			strvec_push(unknown, args[i]);
			continue;
		}
		if (db_res_int64(res, (int)i, 1, &id)) {
			rc = -1;
			goto out;
		}
		for (size_t k = 0; k < nv && !seen; k++)
			seen = v[k] == id;
		if (!seen)
			v[nv++] = id;
	}
	db_res_free(res);
	res = NULL;
	if (nv) {
		db_params_release(&p);
		db_params_int64_array(&p, v, nv);
		rc = db_query_params(db,
				     "SELECT file_id FROM public.file WHERE "
				     "file_id = ANY($1::bigint[]) FOR UPDATE",
				     &p, 0, NULL);
		if (rc)
			goto out;
	}
	*ids = v;
	*nids = nv;
	v = NULL;
out:
	free(v);
	db_res_free(res);
	db_params_release(&p);
	return rc;
}

int
store_admin_descendants(struct db *db, const int64_t *ids, size_t n,
			int64_t **all, size_t *nall)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	*all = NULL;
	*nall = 0;
	db_params_int64_array(&p, ids, n);
	rc = db_query_params(db,
			     "WITH RECURSIVE d(file_id) AS ("
			     "SELECT unnest($1::bigint[]) "
			     "UNION "
			     "SELECT l.resulting_file FROM public.filefilelink "
			     "l JOIN d ON l.source_file = d.file_id) "
			     "SELECT file_id FROM d ORDER BY file_id",
			     &p, 0, &res);
	if (!rc && read_ids(res, all, nall))
		rc = -1;
	db_res_free(res);
	db_params_release(&p);
	return rc;
}

int
store_admin_children_outside(struct db *db, const int64_t *ids, size_t n,
			     struct strvec *lines)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	db_params_int64_array(&p, ids, n);
	rc = db_query_params(db,
			     "SELECT s.filename || ' -> ' || r.filename "
			     "FROM public.filefilelink l "
			     "JOIN public.file s ON s.file_id = l.source_file "
			     "JOIN public.file r ON r.file_id = "
			     "l.resulting_file "
			     "WHERE l.source_file = ANY($1::bigint[]) "
			     "AND NOT l.resulting_file = ANY($1::bigint[]) "
			     "ORDER BY 1",
			     &p, 0, &res);
	if (!rc && db_res_check_shape(res, -1, 1, "children"))
		rc = -1;
	for (int r = 0; !rc && r < db_res_nrows(res); r++)
		strvec_push(lines, db_res_get(res, r, 0));
	db_res_free(res);
	db_params_release(&p);
	return rc;
}

int
store_admin_prune_candidates(struct db *db, const char *cutoff,
			     struct store_admin_file **out, size_t *n)
{
	const char *params[] = {cutoff};
	struct db_res *res = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	/*
	 * c0: superseded, old enough, unreleased.  keep: every other file.
	 * anc: ancestors of kept files, which stay for provenance (and
	 * because filefilelink.source_file is RESTRICT).  What is left is
	 * closed under descendants: a descendant that is kept would make
	 * its ancestors kept too.
	 */
	rc = db_query(
		db,
		"WITH RECURSIVE ranked AS (SELECT file_id, file_create_date, "
		"row_number() OVER (PARTITION BY product_id, utc_file_date "
		"ORDER BY interface_version DESC, quality_version DESC, "
		"revision_version DESC) AS rn FROM public.file), "
		"c0 AS (SELECT r.file_id FROM ranked r WHERE r.rn > 1 "
		"AND r.file_create_date < $1::date "
		"AND NOT EXISTS (SELECT 1 FROM public.release rl "
		"WHERE rl.file_id = r.file_id)), "
		"anc(file_id) AS (SELECT l.source_file FROM "
		"public.filefilelink l WHERE NOT EXISTS (SELECT 1 FROM c0 "
		"WHERE c0.file_id = l.resulting_file) "
		"UNION "
		"SELECT l.source_file FROM public.filefilelink l "
		"JOIN anc a ON l.resulting_file = a.file_id) "
		"SELECT " FILE_COLS " FROM public.file f "
		"WHERE f.file_id IN (SELECT file_id FROM c0) "
		"AND NOT EXISTS (SELECT 1 FROM anc WHERE anc.file_id = "
		"f.file_id) ORDER BY f.filename FOR UPDATE OF f",
		1, params, 0, &res);
	if (!rc && read_files(res, out, n))
		rc = -1;
	db_res_free(res);
	return rc;
}

int
store_admin_delete_files(struct db *db, const int64_t *ids, size_t n,
			 const char *how, int64_t run_id, int64_t *deleted)
{
	struct db_params p = DB_PARAMS_INIT, q = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	*deleted = 0;
	if (n == 0)
		return 0;
	db_params_int64_array(&p, ids, n);
	db_params_int64_array(&q, ids, n);
	db_params_text(&q, how);
	if (run_id > 0)
		db_params_int64(&q, run_id);
	else
		db_params_null(&q);
	/*
	 * Links first, in their own statement: source_file is RESTRICT,
	 * checked at the end of the statement that deletes the file.  The
	 * file's queue entry, unixtime, release and file-code links go
	 * with it (ON DELETE CASCADE).
	 */
	rc = db_query_params(db,
			     "DELETE FROM public.filefilelink "
			     "WHERE source_file = ANY($1::bigint[]) "
			     "OR resulting_file = ANY($1::bigint[])",
			     &p, 0, NULL);
	if (!rc)
		rc = db_query_params(
			db,
			"WITH d AS (DELETE FROM public.file "
			"WHERE file_id = ANY($1::bigint[]) RETURNING *), "
			"r AS (INSERT INTO public.purged_file (filename, "
			"product_id, utc_file_date, interface_version, "
			"quality_version, revision_version, process_keywords, "
			"shasum, how, logging_id) SELECT filename, product_id, "
			"utc_file_date, interface_version, quality_version, "
			"revision_version, process_keywords, shasum, $2::text, "
			"$3::bigint FROM d) "
			"SELECT count(*) FROM d",
			&q, 0, &res);
	if (!rc && read_count(res, 0, 1, deleted))
		rc = -1;
	db_res_free(res);
	db_params_release(&p);
	db_params_release(&q);
	return rc;
}

/* -- move-product -------------------------------------------------------- */

void
store_admin_moves_free(struct store_admin_move *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].product);
		free(m[i].old_relative_path);
		free(m[i].new_relative_path);
	}
	free(m);
}

int
store_admin_move_begin(struct db *db, int product_id, const char *old_path,
		       const char *new_path, int64_t run_id, int64_t *move_id)
{
	char id[16], run[32];
	const char *params[] = {id, old_path, new_path,
				run_id > 0 ? run : NULL};
	struct db_res *res = NULL;
	int rc;

	*move_id = 0;
	snprintf(id, sizeof(id), "%d", product_id);
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	rc = db_query(db,
		      "INSERT INTO public.product_move (product_id, "
		      "old_relative_path, new_relative_path, logging_id) "
		      "VALUES ($1::integer, $2::text, $3::text, $4::bigint) "
		      "RETURNING move_id",
		      4, params, 0, &res);
	if (!rc && (db_res_check_shape(res, 1, 1, "move") ||
		    db_res_int64(res, 0, 0, move_id)))
		rc = -1;
	db_res_free(res);
	return rc;
}

int
store_admin_move_commit(struct db *db, int64_t move_id, int files,
			bool *changed)
{
	char id[32], nfiles[16];
	const char *params[] = {id, nfiles};
	struct db_res *res = NULL;
	int rc;

	*changed = false;
	snprintf(id, sizeof(id), "%lld", (long long)move_id);
	snprintf(nfiles, sizeof(nfiles), "%d", files);
	rc = db_query(db,
		      "WITH mv AS (SELECT * FROM public.product_move "
		      "WHERE move_id = $1::bigint AND state = 'linking'), "
		      "u AS (UPDATE public.product p SET relative_path = "
		      "mv.new_relative_path FROM mv WHERE p.product_id = "
		      "mv.product_id AND p.relative_path = mv.old_relative_path "
		      "RETURNING mv.move_id) "
		      "UPDATE public.product_move m SET state = 'committed', "
		      "files = $2::integer FROM u WHERE m.move_id = u.move_id "
		      "RETURNING m.move_id",
		      2, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 1, "move commit"))
		rc = -1;
	else
		*changed = db_res_nrows(res) == 1;
	db_res_free(res);
	return rc;
}

int
store_admin_moves_pending(struct db *db, int product_id,
			  struct store_admin_move **out, size_t *n)
{
	char id[16];
	const char *params[] = {id};
	struct db_res *res = NULL;
	struct store_admin_move *m;
	int rc, nrows;

	*out = NULL;
	*n = 0;
	snprintf(id, sizeof(id), "%d", product_id);
	rc = db_query(db,
		      "SELECT m.move_id, m.product_id, p.product_name, "
		      "m.old_relative_path, m.new_relative_path, "
		      "m.state = 'committed' FROM public.product_move m "
		      "JOIN public.product p USING (product_id) "
		      "WHERE m.state IN ('linking', 'committed') "
		      "AND ($1::integer = 0 OR m.product_id = $1::integer) "
		      "ORDER BY m.move_id",
		      1, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 6, "moves")) {
		db_res_free(res);
		return -1;
	}
	nrows = db_res_nrows(res);
	m = xcalloc((size_t)nrows + 1, sizeof(*m));
	for (int r = 0; r < nrows; r++) {
		if (db_res_int64(res, r, 0, &m[r].id) ||
		    db_res_int(res, r, 1, &m[r].product_id) ||
		    db_res_bool(res, r, 5, &m[r].committed))
			rc = -1;
		m[r].product = xstrdup_or_empty(db_res_get(res, r, 2));
		m[r].old_relative_path = xstrdup_or_empty(db_res_get(res, r, 3));
		m[r].new_relative_path = xstrdup_or_empty(db_res_get(res, r, 4));
	}
	db_res_free(res);
	if (rc) {
		store_admin_moves_free(m, (size_t)nrows);
		return -1;
	}
	*out = m;
	*n = (size_t)nrows;
	return 0;
}

int
store_admin_move_end(struct db *db, int64_t move_id, bool done)
{
	char id[32];
	const char *params[] = {id, done ? "done" : "undone"};

	snprintf(id, sizeof(id), "%lld", (long long)move_id);
	return db_query(db,
			"UPDATE public.product_move SET state = $2::text, "
			"ended_at = now() WHERE move_id = $1::bigint",
			2, params, 0, NULL);
}

/* -- queue --------------------------------------------------------------- */

void
store_admin_queue_free(struct store_admin_queue_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].filename);
		free(e[i].product);
		free(e[i].date);
		free(e[i].version);
		free(e[i].bump);
		free(e[i].queued_at);
		free(e[i].reason);
	}
	free(e);
}

int
store_admin_queue_list(struct db *db, int product_id,
		       struct store_admin_queue_entry **out, size_t *n)
{
	char id[16];
	const char *params[] = {id};
	struct db_res *res = NULL;
	struct store_admin_queue_entry *e;
	int rc, nrows;

	*out = NULL;
	*n = 0;
	snprintf(id, sizeof(id), "%d", product_id);
	rc = db_query(db,
		      "SELECT q.seq, f.filename, p.product_name, "
		      "coalesce(to_char(f.utc_file_date, 'YYYY-MM-DD'), ''), "
		      VERSION_OF("f") ", CASE q.version_bump "
		      "WHEN 0 THEN 'interface' WHEN 1 THEN 'quality' "
		      "WHEN 2 THEN 'revision' ELSE '' END, "
		      "to_char(q.queued_at AT TIME ZONE 'UTC', "
		      "'YYYY-MM-DD HH24:MI:SS'), coalesce(q.reason, '') "
		      "FROM public.processqueue q "
		      "JOIN public.file f USING (file_id) "
		      "JOIN public.product p USING (product_id) "
		      "WHERE $1::integer = 0 OR f.product_id = $1::integer "
		      "ORDER BY q.seq",
		      1, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 8, "queue")) {
		db_res_free(res);
		return -1;
	}
	nrows = db_res_nrows(res);
	e = xcalloc((size_t)nrows + 1, sizeof(*e));
	for (int r = 0; r < nrows; r++) {
		if (db_res_int64(res, r, 0, &e[r].seq))
			rc = -1;
		e[r].filename = xstrdup_or_empty(db_res_get(res, r, 1));
		e[r].product = xstrdup_or_empty(db_res_get(res, r, 2));
		e[r].date = xstrdup_or_empty(db_res_get(res, r, 3));
		e[r].version = xstrdup_or_empty(db_res_get(res, r, 4));
		e[r].bump = xstrdup_or_empty(db_res_get(res, r, 5));
		e[r].queued_at = xstrdup_or_empty(db_res_get(res, r, 6));
		e[r].reason = xstrdup_or_empty(db_res_get(res, r, 7));
	}
	db_res_free(res);
	if (rc) {
		store_admin_queue_free(e, (size_t)nrows);
		return -1;
	}
	*out = e;
	*n = (size_t)nrows;
	return 0;
}

/* the count statement sql for product_id (0: every product) */
static int
queue_count(struct db *db, const char *sql, int product_id, int64_t *count)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, product_id);
	rc = db_query_int64(db, sql, &p, 0, count);
	db_params_release(&p);
	return rc;
}

int
store_admin_queue_count(struct db *db, int product_id, int64_t *count)
{
	return queue_count(db,
			   "SELECT count(*) FROM public.processqueue q "
			   "JOIN public.file f USING (file_id) "
			   "WHERE $1::integer = 0 OR f.product_id = $1::integer",
			   product_id, count);
}

int
store_admin_queue_flush(struct db *db, int product_id, int64_t *deleted)
{
	return queue_count(db,
			   "WITH d AS (DELETE FROM public.processqueue q "
			   "USING public.file f WHERE f.file_id = q.file_id "
			   "AND ($1::integer = 0 OR f.product_id = $1::integer) "
			   "RETURNING 1) SELECT count(*) FROM d",
			   product_id, deleted);
}

/* -- graph --------------------------------------------------------------- */

void
store_admin_states_free(struct store_admin_node_state *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].name);
	free(s);
}

static int
read_states(struct db_res *res, struct store_admin_node_state **out,
	    size_t *n)
{
	int nrows = db_res_nrows(res);
	struct store_admin_node_state *s;

	*out = NULL;
	*n = 0;
	if (db_res_check_shape(res, -1, 5, "graph state"))
		return -1;
	s = xcalloc((size_t)nrows + 1, sizeof(*s));
	for (int r = 0; r < nrows; r++) {
		s[r].name = xstrdup_or_empty(db_res_get(res, r, 0));
		if (db_res_int64(res, r, 1, &s[r].queued) ||
		    db_res_int64(res, r, 2, &s[r].failing) ||
		    db_res_int64(res, r, 3, &s[r].bad) ||
		    db_res_int64(res, r, 4, &s[r].open)) {
			store_admin_states_free(s, (size_t)nrows);
			return -1;
		}
	}
	*out = s;
	*n = (size_t)nrows;
	return 0;
}

#define IN_RANGE(col)                                                        \
	"($1::date IS NULL OR " col " >= $1::date) AND "                    \
	"($2::date IS NULL OR " col " <= $2::date)"

int
store_admin_graph_state(struct db *db, const char *from, const char *to,
			struct store_admin_node_state **products,
			size_t *n_products,
			struct store_admin_node_state **processes,
			size_t *n_processes)
{
	const char *params[] = {from, to};
	struct db_res *res = NULL;
	int rc;

	*products = *processes = NULL;
	*n_products = *n_processes = 0;
	rc = db_query(db,
		      "SELECT p.product_name, (SELECT count(*) FROM "
		      "public.processqueue q JOIN public.file f USING (file_id) "
		      "WHERE f.product_id = p.product_id AND "
		      IN_RANGE("f.utc_file_date") "), 0::bigint, 0::bigint, "
		      "0::bigint FROM public.product p ORDER BY 1",
		      2, params, 0, &res);
	if (!rc && read_states(res, products, n_products))
		rc = -1;
	db_res_free(res);
	res = NULL;
	if (rc)
		return rc;
	/* a key's state is that of its latest build that ran or was judged */
	rc = db_query(
		db,
		"SELECT pr.process_name, 0::bigint, "
		"count(lb.status) FILTER (WHERE lb.status IN ('failed', "
		"'timed_out', 'killed')), "
		"count(lb.status) FILTER (WHERE lb.status = 'bad'), "
		"(SELECT count(*) FROM public.build b WHERE b.process_id = "
		"pr.process_id AND b.status IN ('queued', 'starting', "
		"'running') AND " IN_RANGE("b.utc_file_date") ") "
		"FROM public.process pr LEFT JOIN LATERAL (SELECT DISTINCT ON "
		"(b.output_key) b.status FROM public.build b "
		"WHERE b.process_id = pr.process_id AND b.status IN "
		"('succeeded', 'failed', 'timed_out', 'killed', 'bad') AND "
		IN_RANGE("b.utc_file_date") " ORDER BY b.output_key, "
		"b.build_id DESC) lb ON true "
		"GROUP BY pr.process_id, pr.process_name ORDER BY 1",
		2, params, 0, &res);
	if (!rc && read_states(res, processes, n_processes))
		rc = -1;
	db_res_free(res);
	if (rc) {
		store_admin_states_free(*products, *n_products);
		*products = NULL;
		*n_products = 0;
	}
	return rc;
}
