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

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "xalloc.h"
#include "banned.h"

/*
 * Rows are read through column tables (db.h).  A NULL where the struct
 * has a default ("" for text, -1 for a size, 0 for a start time) is
 * coalesced in the SQL, so every column is read strictly.
 */
#define TXT(st, m) DB_COLF(DB_TEXT, st, m, DB_EMPTY)
#define I64(st, m) DB_COL(DB_INT64, st, m)

/* a run id parameter: NULL when there is none (0) */
static void
param_run(struct db_params *p, int64_t run_id)
{
	if (run_id > 0)
		db_params_int64(p, run_id);
	else
		db_params_null(p);
}

/* the bigint of sql, run with product_id (0: every product) as $1 */
static int
query_count(struct db *db, const char *sql, int product_id, int64_t *count)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, product_id);
	rc = db_query_int64(db, sql, &p, 0, count);
	db_params_release(&p);
	return rc;
}

/*
 * the rows of sql, run with product_id (0: every product) as $1, read
 * through t into *out (a pointer to the caller's row pointer)
 */
static int
query_rows(struct db *db, const char *sql, int product_id,
	   const struct db_table *t, void *out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, product_id);
	rc = db_query_rows(db, sql, &p, 0, t, out, n);
	db_params_release(&p);
	return rc;
}

/* -- files --------------------------------------------------------------- */

#define FILE_COLS                                                            \
	"f.file_id, f.product_id, f.filename, "                              \
	"f.utc_file_date IS NOT NULL, "                                      \
	"coalesce(f.utc_file_date, DATE '1970-01-01'), "                     \
	"coalesce((extract(epoch FROM f.utc_start_time) * 1000000)::bigint, " \
	"0), f.interface_version, f.quality_version, f.revision_version, "   \
	"coalesce(f.process_keywords, ''), f.shasum, f.exists_on_disk, "    \
	"coalesce(f.size_bytes, -1)"

/*
 * FILE_COLS in order, into the struct store_admin_file at member path m
 * of st (m empty: st is the file itself)
 */
#define FILE_COL_LIST(st, m)                                                 \
	I64(st, m id), DB_COL(DB_INT, st, m product_id),                     \
	TXT(st, m filename), DB_COL(DB_BOOL, st, m has_date),                \
	DB_COL(DB_DATE, st, m date), I64(st, m start_usec),                  \
	DB_COL(DB_INT, st, m iv), DB_COL(DB_INT, st, m qv),                  \
	DB_COL(DB_INT, st, m rv), TXT(st, m keywords),                       \
	DB_COL(DB_TEXT, st, m sha1), DB_COL(DB_BOOL, st, m on_disk),         \
	I64(st, m size)

static const struct db_col file_cols[] = {
	FILE_COL_LIST(struct store_admin_file, ),
};
static const struct db_table file_table =
	DB_TABLE("files", file_cols, struct store_admin_file);

void
store_admin_file_release(struct store_admin_file *f)
{
	db_row_release(&file_table, f);
	memset(f, 0, sizeof(*f));
}

void
store_admin_files_free(struct store_admin_file *f, size_t n)
{
	db_rows_free(&file_table, f, n);
}

int
store_admin_files_of_product(struct db *db, int product_id,
			     struct store_admin_file **out, size_t *n)
{
	return query_rows(db,
			  "SELECT " FILE_COLS " FROM public.file f "
			  "WHERE f.product_id = $1::integer ORDER BY f.filename",
			  product_id, &file_table, out, n);
}

/* a file row found for the name at position pos (1-based) of a batch */
struct named_file {
	int64_t pos;
	struct store_admin_file f;
};

static const struct db_col named_file_cols[] = {
	I64(struct named_file, pos),
	FILE_COL_LIST(struct named_file, f.),
};
static const struct db_table named_file_table =
	DB_TABLE("files by name", named_file_cols, struct named_file);

int
store_admin_files_by_name(struct db *db, const char *const *names, size_t n,
			  struct store_admin_file *out)
{
	struct db_params p = DB_PARAMS_INIT;
	struct named_file *rows = NULL;
	size_t nrows = 0;
	int rc;

	if (n == 0)
		return 0;
	db_params_text_array(&p, names, n);
	rc = db_query_rows(db,
			   "SELECT u.n, " FILE_COLS " FROM unnest($1::text[]) "
			   "WITH ORDINALITY AS u(name, n) "
			   "JOIN public.file f ON f.filename = u.name",
			   &p, 0, &named_file_table, &rows, &nrows);
	for (size_t r = 0; !rc && r < nrows; r++) {
		struct store_admin_file *o;

		if (rows[r].pos < 1 || (uint64_t)rows[r].pos > n) {
			rc = error("position %lld out of range 1..%zu in "
				   "files by name",
				   (long long)rows[r].pos, n);
			break;
		}
		/* the row's strings move to out */
		o = &out[rows[r].pos - 1];
		store_admin_file_release(o);
		*o = rows[r].f;
		memset(&rows[r].f, 0, sizeof(rows[r].f));
	}
	db_rows_free(&named_file_table, rows, nrows);
	db_params_release(&p);
	return rc;
}

int
store_admin_files_by_id(struct db *db, const int64_t *ids, size_t n,
			struct store_admin_file **out, size_t *nout)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64_array(&p, ids, n);
	rc = db_query_rows(db,
			   "SELECT " FILE_COLS " FROM public.file f "
			   "WHERE f.file_id = ANY($1::bigint[]) "
			   "ORDER BY f.filename",
			   &p, 0, &file_table, out, nout);
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

/* (subject, detail): the ids stay 0 */
static const struct db_col finding_cols[] = {
	TXT(struct store_admin_finding, subject),
	TXT(struct store_admin_finding, detail),
};
static const struct db_table finding_table =
	DB_TABLE("findings", finding_cols, struct store_admin_finding);

void
store_admin_findings_free(struct store_admin_finding *f, size_t n)
{
	db_rows_free(&finding_table, f, n);
}

#define VERSION_OF(t)                                                        \
	t ".interface_version || '.' || " t ".quality_version || '.' || " t   \
	  ".revision_version"

int
store_admin_orphan_links(struct db *db, int product_id,
			 struct store_admin_finding **out, size_t *n)
{
	return query_rows(
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
		product_id, &finding_table, out, n);
}

int
store_admin_orphan_links_delete(struct db *db, int product_id,
				int64_t *deleted)
{
	return query_count(
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
		product_id, deleted);
}

static const struct db_col gap_day_cols[] = {
	DB_COL(DB_INT, struct store_admin_gap_day, product_id),
	DB_COLF(DB_TEXT, struct store_admin_gap_day, product, DB_EMPTY),
	DB_COL(DB_INT, struct store_admin_gap_day, date),
	DB_COL(DB_INT, struct store_admin_gap_day, process_id),
};
static const struct db_table gap_day_table =
	DB_TABLE("gap days", gap_day_cols, struct store_admin_gap_day);

void
store_admin_gap_days_free(struct store_admin_gap_day *d, size_t n)
{
	db_rows_free(&gap_day_table, d, n);
}

int
store_admin_gap_days(struct db *db, int product_id,
		     struct store_admin_gap_day **out, size_t *n)
{
	return query_rows(
		db,
		"WITH d AS (SELECT DISTINCT f.product_id, f.utc_file_date AS d "
		"FROM public.file f WHERE f.utc_file_date IS NOT NULL "
		"AND ($1::integer = 0 OR f.product_id = $1::integer)), "
		"g AS (SELECT product_id, d, lead(d) OVER (PARTITION BY "
		"product_id ORDER BY d) AS nd FROM d) "
		"SELECT p.product_id, p.product_name, "
		"(g.d + s.i) - DATE '1970-01-01', coalesce((SELECT "
		"min(pr.process_id) FROM public.process pr WHERE "
		"pr.output_product = p.product_id), 0) "
		"FROM g JOIN public.product p USING (product_id) "
		"CROSS JOIN LATERAL generate_series(1, g.nd - g.d - 1) AS s(i) "
		"WHERE g.nd > g.d + 1 AND NOT EXISTS (SELECT 1 FROM "
		"public.process pr WHERE pr.output_product = p.product_id "
		"AND pr.output_timebase <> 'DAILY') "
		"ORDER BY p.product_name, p.product_id, 3",
		product_id, &gap_day_table, out, n);
}

int
store_admin_duplicates(struct db *db, int product_id,
		       struct store_admin_finding **out, size_t *n)
{
	return query_rows(
		db,
		"SELECT p.product_name, coalesce(to_char(f.utc_file_date, "
		"'YYYY-MM-DD'), 'no date') || ' version ' || "
		VERSION_OF("f") " || ': ' || count(*) || ' files: ' || "
		"string_agg(f.filename, ', ' ORDER BY f.filename) "
		"FROM public.file f JOIN public.product p USING (product_id) "
		"WHERE $1::integer = 0 OR f.product_id = $1::integer "
		"GROUP BY p.product_name, f.product_id, f.utc_file_date, "
		"f.period_number, "
		"f.interface_version, f.quality_version, f.revision_version "
		"HAVING count(*) > 1 ORDER BY 1, 2",
		product_id, &finding_table, out, n);
}

/* -- purge and prune ----------------------------------------------------- */

/* an argument's file, DB_NULL_INT64 if none */
struct resolved {
	int64_t id;
};
static const struct db_col resolved_cols[] = {
	DB_COL_SKIP,
	DB_COLF(DB_INT64, struct resolved, id, DB_NULLABLE),
};
static const struct db_table resolved_table =
	DB_TABLE("resolved files", resolved_cols, struct resolved);

int
store_admin_resolve(struct db *db, const char *const *args, size_t n,
		    int64_t **ids, size_t *nids, struct strvec *unknown)
{
	struct db_params p = DB_PARAMS_INIT;
	struct resolved *rows = NULL;
	size_t nrows = 0;
	int64_t *v = NULL;
	size_t nv = 0;
	int rc;

	*ids = NULL;
	*nids = 0;
	db_params_text_array(&p, args, n);
	/* a name first; an all-digit argument no file is named is an id */
	rc = db_query_rows(db,
			   "SELECT u.n, coalesce(byname.file_id, "
			   "byid.file_id) FROM unnest($1::text[]) WITH "
			   "ORDINALITY AS u(arg, n) "
			   "LEFT JOIN public.file byname ON byname.filename = "
			   "u.arg LEFT JOIN public.file byid ON byid.file_id "
			   "= CASE WHEN u.arg ~ '^[0-9]{1,18}$' THEN "
			   "u.arg::bigint END ORDER BY u.n",
			   &p, 0, &resolved_table, &rows, &nrows);
	db_params_release(&p);
	if (!rc && nrows != n)
		rc = error("unexpected result shape for resolved files: %zu "
			   "rows, expected %zu",
			   nrows, n);
	if (rc)
		goto out;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		if (rows[i].id == DB_NULL_INT64) {
			strvec_push(unknown, args[i]);
			continue;
		}
		for (size_t k = 0; k < nv && !seen; k++)
			seen = v[k] == rows[i].id;
		if (!seen)
			v[nv++] = rows[i].id;
	}
	if (nv) {
		db_params_int64_array(&p, v, nv);
		rc = db_query_params(db,
				     "SELECT file_id FROM public.file WHERE "
				     "file_id = ANY($1::bigint[]) FOR UPDATE",
				     &p, 0, NULL);
		db_params_release(&p);
		if (rc)
			goto out;
	}
	*ids = v;
	*nids = nv;
	v = NULL;
out:
	free(v);
	db_rows_free(&resolved_table, rows, nrows);
	return rc;
}

int
store_admin_descendants(struct db *db, const int64_t *ids, size_t n,
			int64_t **all, size_t *nall)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64_array(&p, ids, n);
	rc = db_query_int64_column(db,
				   "WITH RECURSIVE d(file_id) AS ("
				   "SELECT unnest($1::bigint[]) "
				   "UNION "
				   "SELECT l.resulting_file FROM "
				   "public.filefilelink l JOIN d ON "
				   "l.source_file = d.file_id) "
				   "SELECT file_id FROM d ORDER BY file_id",
				   &p, 0, all, nall);
	db_params_release(&p);
	return rc;
}

int
store_admin_children_outside(struct db *db, const int64_t *ids, size_t n,
			     struct strvec *lines)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64_array(&p, ids, n);
	rc = db_query_text_column(db,
				  "SELECT s.filename || ' -> ' || r.filename "
				  "FROM public.filefilelink l "
				  "JOIN public.file s ON s.file_id = "
				  "l.source_file "
				  "JOIN public.file r ON r.file_id = "
				  "l.resulting_file "
				  "WHERE l.source_file = ANY($1::bigint[]) "
				  "AND NOT l.resulting_file = ANY($1::bigint[]) "
				  "ORDER BY 1",
				  &p, 0, lines);
	db_params_release(&p);
	return rc;
}

int
store_admin_prune_candidates(struct db *db, const char *cutoff,
			     struct store_admin_file **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_text(&p, cutoff);
	/*
	 * c0: superseded, old enough, unreleased.  keep: every other file.
	 * anc: ancestors of kept files, which stay for provenance (and
	 * because filefilelink.source_file is RESTRICT).  What is left is
	 * closed under descendants: a descendant that is kept would make
	 * its ancestors kept too.
	 */
	rc = db_query_rows(
		db,
		"WITH RECURSIVE ranked AS (SELECT f.file_id, f.file_create_date, "
		"row_number() OVER (PARTITION BY f.product_id, "
		"public.cascade_file_day(p.timebase, f.utc_file_date), "
		"f.period_number ORDER BY f.interface_version DESC, "
		"f.quality_version DESC, f.revision_version DESC) AS rn FROM "
		"public.file f JOIN public.product p ON p.product_id = "
		"f.product_id), "
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
		&p, 0, &file_table, out, n);
	db_params_release(&p);
	return rc;
}

int
store_admin_delete_files(struct db *db, const int64_t *ids, size_t n,
			 const char *how, int64_t run_id, int64_t *deleted)
{
	struct db_params p = DB_PARAMS_INIT, q = DB_PARAMS_INIT;
	int rc;

	*deleted = 0;
	if (n == 0)
		return 0;
	db_params_int64_array(&p, ids, n);
	db_params_int64_array(&q, ids, n);
	db_params_text(&q, how);
	param_run(&q, run_id);
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
		rc = db_query_int64(
			db,
			"WITH d AS (DELETE FROM public.file "
			"WHERE file_id = ANY($1::bigint[]) RETURNING *), "
			"r AS (INSERT INTO public.purged_file (filename, "
			"product_id, utc_file_date, interface_version, "
			"quality_version, revision_version, process_keywords, "
			"shasum, how, logging_id, period_number) SELECT "
			"filename, product_id, utc_file_date, interface_version, "
			"quality_version, revision_version, process_keywords, "
			"shasum, $2::text, $3::bigint, period_number FROM d) "
			"SELECT count(*) FROM d",
			&q, 0, deleted);
	db_params_release(&p);
	db_params_release(&q);
	return rc;
}

/* -- move-product -------------------------------------------------------- */

static const struct db_col move_cols[] = {
	I64(struct store_admin_move, id),
	DB_COL(DB_INT, struct store_admin_move, product_id),
	TXT(struct store_admin_move, product),
	TXT(struct store_admin_move, old_relative_path),
	TXT(struct store_admin_move, new_relative_path),
	DB_COL(DB_BOOL, struct store_admin_move, committed),
};
static const struct db_table move_table =
	DB_TABLE("moves", move_cols, struct store_admin_move);

void
store_admin_moves_free(struct store_admin_move *m, size_t n)
{
	db_rows_free(&move_table, m, n);
}

int
store_admin_move_begin(struct db *db, int product_id, const char *old_path,
		       const char *new_path, int64_t run_id, int64_t *move_id)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	*move_id = 0;
	db_params_int64(&p, product_id);
	db_params_text(&p, old_path);
	db_params_text(&p, new_path);
	param_run(&p, run_id);
	rc = db_query_int64(db,
			    "INSERT INTO public.product_move (product_id, "
			    "old_relative_path, new_relative_path, logging_id) "
			    "VALUES ($1::integer, $2::text, $3::text, "
			    "$4::bigint) RETURNING move_id",
			    &p, 0, move_id);
	db_params_release(&p);
	return rc;
}

int
store_admin_move_commit(struct db *db, int64_t move_id, int files,
			bool *changed)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t *moved = NULL;
	size_t n = 0;
	int rc;

	db_params_int64(&p, move_id);
	db_params_int64(&p, files);
	rc = db_query_int64_column(
		db,
		"WITH mv AS (SELECT * FROM public.product_move "
		"WHERE move_id = $1::bigint AND state = 'linking'), "
		"u AS (UPDATE public.product p SET relative_path = "
		"mv.new_relative_path FROM mv WHERE p.product_id = "
		"mv.product_id AND p.relative_path = mv.old_relative_path "
		"RETURNING mv.move_id) "
		"UPDATE public.product_move m SET state = 'committed', "
		"files = $2::integer FROM u WHERE m.move_id = u.move_id "
		"RETURNING m.move_id",
		&p, 0, &moved, &n);
	db_params_release(&p);
	*changed = !rc && n == 1;
	free(moved);
	return rc;
}

int
store_admin_moves_pending(struct db *db, int product_id,
			  struct store_admin_move **out, size_t *n)
{
	return query_rows(db,
			  "SELECT m.move_id, m.product_id, p.product_name, "
			  "m.old_relative_path, m.new_relative_path, "
			  "m.state = 'committed' FROM public.product_move m "
			  "JOIN public.product p USING (product_id) "
			  "WHERE m.state IN ('linking', 'committed') "
			  "AND ($1::integer = 0 OR m.product_id = $1::integer) "
			  "ORDER BY m.move_id",
			  product_id, &move_table, out, n);
}

int
store_admin_move_end(struct db *db, int64_t move_id, bool done)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, move_id);
	db_params_text(&p, done ? "done" : "undone");
	rc = db_query_params(db,
			     "UPDATE public.product_move SET state = $2::text, "
			     "ended_at = now() WHERE move_id = $1::bigint",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc;
}

/* -- queue --------------------------------------------------------------- */

static const struct db_col queue_cols[] = {
	I64(struct store_admin_queue_entry, seq),
	TXT(struct store_admin_queue_entry, filename),
	TXT(struct store_admin_queue_entry, product),
	TXT(struct store_admin_queue_entry, date),
	TXT(struct store_admin_queue_entry, version),
	TXT(struct store_admin_queue_entry, bump),
	TXT(struct store_admin_queue_entry, queued_at),
	TXT(struct store_admin_queue_entry, reason),
};
static const struct db_table queue_table =
	DB_TABLE("queue", queue_cols, struct store_admin_queue_entry);

void
store_admin_queue_free(struct store_admin_queue_entry *e, size_t n)
{
	db_rows_free(&queue_table, e, n);
}

int
store_admin_queue_list(struct db *db, int product_id,
		       struct store_admin_queue_entry **out, size_t *n)
{
	return query_rows(db,
			  "SELECT q.seq, f.filename, p.product_name, "
			  "coalesce(to_char(f.utc_file_date, 'YYYY-MM-DD'), "
			  "''), " VERSION_OF("f") ", CASE q.version_bump "
			  "WHEN 0 THEN 'interface' WHEN 1 THEN 'quality' "
			  "WHEN 2 THEN 'revision' ELSE '' END, "
			  "to_char(q.queued_at AT TIME ZONE 'UTC', "
			  "'YYYY-MM-DD HH24:MI:SS'), coalesce(q.reason, '') "
			  "FROM public.processqueue q "
			  "JOIN public.file f USING (file_id) "
			  "JOIN public.product p USING (product_id) "
			  "WHERE $1::integer = 0 OR f.product_id = $1::integer "
			  "ORDER BY q.seq",
			  product_id, &queue_table, out, n);
}

int
store_admin_queue_count(struct db *db, int product_id, int64_t *count)
{
	return query_count(db,
			   "SELECT count(*) FROM public.processqueue q "
			   "JOIN public.file f USING (file_id) "
			   "WHERE $1::integer = 0 OR f.product_id = $1::integer",
			   product_id, count);
}

int
store_admin_queue_flush(struct db *db, int product_id, int64_t *deleted)
{
	return query_count(db,
			   "WITH d AS (DELETE FROM public.processqueue q "
			   "USING public.file f WHERE f.file_id = q.file_id "
			   "AND ($1::integer = 0 OR f.product_id = $1::integer) "
			   "RETURNING 1) SELECT count(*) FROM d",
			   product_id, deleted);
}

/* -- graph --------------------------------------------------------------- */

static const struct db_col state_cols[] = {
	TXT(struct store_admin_node_state, name),
	I64(struct store_admin_node_state, queued),
	I64(struct store_admin_node_state, failing),
	I64(struct store_admin_node_state, bad),
	I64(struct store_admin_node_state, open),
};
static const struct db_table state_table =
	DB_TABLE("graph state", state_cols, struct store_admin_node_state);

void
store_admin_states_free(struct store_admin_node_state *s, size_t n)
{
	db_rows_free(&state_table, s, n);
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
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	*processes = NULL;
	*n_processes = 0;
	db_params_text(&p, from);
	db_params_text(&p, to);
	rc = db_query_rows(db,
			   "SELECT p.product_name, (SELECT count(*) FROM "
			   "public.processqueue q JOIN public.file f "
			   "USING (file_id) WHERE f.product_id = p.product_id "
			   "AND " IN_RANGE("f.utc_file_date") "), 0::bigint, "
			   "0::bigint, 0::bigint FROM public.product p "
			   "ORDER BY 1",
			   &p, 0, &state_table, products, n_products);
	if (rc)
		goto out;
	/* a key's state is that of its latest build that ran or was judged */
	rc = db_query_rows(
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
		&p, 0, &state_table, processes, n_processes);
	if (rc) {
		store_admin_states_free(*products, *n_products);
		*products = NULL;
		*n_products = 0;
	}
out:
	db_params_release(&p);
	return rc;
}
