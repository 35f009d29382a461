/*
 * store-orbit.c - SQL of the orbit table (see store-orbit.h).
 */
#include "store-orbit.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "strbuf.h"
#include "strvec.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* a timestamp column as microseconds since 1970 */
#define USEC(col) "(extract(epoch FROM " col ") * 1000000)::int8"

#define ORBIT_COLS(st, m)                                                    \
	DB_COL(DB_INT64, st, m.number), DB_COL(DB_INT64, st, m.start),       \
	DB_COL(DB_INT64, st, m.stop), DB_COL(DB_TEXT, st, m.source)

static const struct db_col orbit_cols[] = {
	DB_COL(DB_INT64, struct so_orbit, number),
	DB_COL(DB_INT64, struct so_orbit, start),
	DB_COL(DB_INT64, struct so_orbit, stop),
	DB_COL(DB_TEXT, struct so_orbit, source),
};
static const struct db_table orbit_table =
	DB_TABLE("orbits", orbit_cols, struct so_orbit);

static const struct db_col conflict_cols[] = {
	ORBIT_COLS(struct so_conflict, a),
	ORBIT_COLS(struct so_conflict, b),
};
static const struct db_table conflict_table =
	DB_TABLE("orbit conflicts", conflict_cols, struct so_conflict);

void
store_orbits_free(struct so_orbit *o, size_t n)
{
	db_rows_free(&orbit_table, o, n);
}

void
so_load_release(struct so_load *r)
{
	store_orbits_free(r->old, r->n_old);
	db_rows_free(&conflict_table, r->conflicts, r->n_conflicts);
	memset(r, 0, sizeof(*r));
}

/* the orbits of l as four array parameters: number, start, stop, source */
static void
orbit_params(struct db_params *p, const struct orbit_list *l,
	     const char *name)
{
	struct strbuf src = STRBUF_INIT;

	db_params_columns(p, 4);
	for (size_t i = 0; i < l->n; i++) {
		strbuf_reset(&src);
		strbuf_addf(&src, "%s:%ld", name, l->v[i].line);
		db_col_int64(p, l->v[i].number);
		db_col_timestamp(p, l->v[i].start);
		db_col_timestamp(p, l->v[i].stop);
		db_col_text(p, src.buf);
	}
	strbuf_release(&src);
}

/* the stored orbits the load changes, as they are */
static const char old_sql[] =
	"SELECT o.orbit_number, " USEC("o.start_time") ", "
	USEC("o.stop_time") ", o.source "
	"FROM unnest($1::bigint[], $2::timestamp[], $3::timestamp[], "
	"  $4::text[]) AS x(num, start, stop, src) "
	"JOIN public.orbit o ON o.orbit_number = x.num "
	"WHERE (o.start_time, o.stop_time) <> (x.start, x.stop) "
	"ORDER BY 1";

/* insert or replace; returns one row per orbit written */
static const char upsert_sql[] =
	"INSERT INTO public.orbit AS o (orbit_number, start_time, stop_time, "
	"  source) "
	"SELECT num, start, stop, src FROM unnest($1::bigint[], "
	"  $2::timestamp[], $3::timestamp[], $4::text[]) "
	"  AS x(num, start, stop, src) "
	"ON CONFLICT (orbit_number) DO UPDATE SET "
	"  start_time = EXCLUDED.start_time, stop_time = EXCLUDED.stop_time, "
	"  source = EXCLUDED.source, loaded_at = now() "
	"WHERE (o.start_time, o.stop_time) "
	"  <> (EXCLUDED.start_time, EXCLUDED.stop_time) "
	"RETURNING orbit_number";

/*
 * Neighbours by number out of time order in the table as the load would
 * leave it (the stored orbits it does not replace, and its own), where
 * one of them is loaded: the table was in order before, so these are
 * the only ones there can be
 */
static const char conflicts_sql[] =
	"WITH x AS (SELECT * FROM unnest($1::bigint[], $2::timestamp[], "
	"  $3::timestamp[], $4::text[]) AS x(num, start, stop, src)), "
	"m AS (SELECT o.orbit_number AS num, o.start_time AS start, "
	"  o.stop_time AS stop, o.source AS src, false AS loaded "
	"  FROM public.orbit o WHERE NOT EXISTS (SELECT 1 FROM x "
	"  WHERE x.num = o.orbit_number) "
	"  UNION ALL SELECT num, start, stop, src, true FROM x) "
	"SELECT a.num, " USEC("a.start") ", " USEC("a.stop") ", a.src, "
	"  a.nn, " USEC("a.ns") ", " USEC("a.ne") ", a.nsrc "
	"FROM (SELECT num, start, stop, src, loaded, "
	"  lead(num) OVER w AS nn, lead(start) OVER w AS ns, "
	"  lead(stop) OVER w AS ne, lead(src) OVER w AS nsrc, "
	"  lead(loaded) OVER w AS nloaded "
	"  FROM m WINDOW w AS (ORDER BY num)) a "
	"WHERE a.ns < a.stop AND (a.loaded OR a.nloaded) "
	"ORDER BY a.num LIMIT 21";

/*
 * The intervals an orbit load changes (ch: an added orbit's, a moved
 * one's old and new), before the load writes them; $5 the file's name.
 * Files there, of products an ORBIT process reads, the newest of their
 * product, date and period, go to the queue: found by date (regular
 * files) and through file_span_long (the others), as cascade_key_inputs
 * finds them.
 */
#define CHANGED_CTE                                                          \
	"WITH x AS (SELECT * FROM unnest($1::bigint[], $2::timestamp[], "   \
	"  $3::timestamp[], $4::text[]) AS x(num, start, stop, src)), "      \
	"ch AS (SELECT tsrange(x.start, x.stop, '[)') AS r FROM x "          \
	"  LEFT JOIN public.orbit o ON o.orbit_number = x.num WHERE "        \
	"  o.orbit_number IS NULL OR (o.start_time, o.stop_time) <> "        \
	"  (x.start, x.stop) "                                               \
	"  UNION ALL SELECT tsrange(o.start_time, o.stop_time, '[)') FROM "   \
	"  x JOIN public.orbit o ON o.orbit_number = x.num WHERE "           \
	"  (o.start_time, o.stop_time) <> (x.start, x.stop)), "

static const char requeue_sql[] =
	CHANGED_CTE
	"rp AS (SELECT DISTINCT l.input_product_id AS product_id FROM "
	"  public.productprocesslink l JOIN public.process pr USING "
	"  (process_id) WHERE pr.output_timebase = 'ORBIT'), "
	"hit AS (SELECT f.file_id FROM ch JOIN rp ON true JOIN public.file f "
	"  ON f.product_id = rp.product_id AND f.utc_file_date BETWEEN "
	"  lower(ch.r)::date - 1 AND upper(ch.r)::date + 1 "
	"  JOIN public.product p ON p.product_id = f.product_id "
	"  WHERE public.cascade_file_span(f.utc_start_time, f.utc_stop_time, "
	"  f.utc_file_date, p.stop_time_exclusive) && ch.r "
	"  UNION SELECT f.file_id FROM ch JOIN rp ON true JOIN public.file f "
	"  ON NOT public.cascade_file_regular(f.utc_start_time, "
	"  f.utc_stop_time, f.utc_file_date) AND int4range(f.product_id, "
	"  f.product_id, '[]') @> rp.product_id AND "
	"  public.cascade_file_span(f.utc_start_time, f.utc_stop_time, "
	"  f.utc_file_date, false) && ch.r), "
	"ins AS (INSERT INTO public.processqueue (file_id, reason) "
	"  SELECT f.file_id, 'orbits loaded from ' || $5 FROM hit "
	"  JOIN public.file f USING (file_id) JOIN public.product fp ON "
	"  fp.product_id = f.product_id WHERE f.exists_on_disk AND "
	"  NOT EXISTS (SELECT 1 FROM public.file g WHERE g.product_id = "
	"  f.product_id AND g.utc_file_date BETWEEN CASE WHEN fp.timebase "
	"  = 'ORBIT' THEN '-infinity'::date ELSE f.utc_file_date END AND "
	"  CASE WHEN fp.timebase = 'ORBIT' THEN 'infinity'::date ELSE "
	"  f.utc_file_date END AND "
	"  g.period_number = f.period_number AND g.exists_on_disk AND "
	"  (g.interface_version, g.quality_version, g.revision_version) > "
	"  (f.interface_version, f.quality_version, f.revision_version)) "
	"  ORDER BY f.file_id ON CONFLICT (file_id) DO NOTHING RETURNING 1) "
	"SELECT count(*) FROM ins";

/*
 * After the load: files of ORBIT products numbered from the table (no
 * {ORBIT} in the format, and no process makes them: an ORBIT process's
 * outputs have their build's number) whose start is in a changed
 * interval, and whose orbit now is another: renumbered, unless their
 * new orbit holds that version already, or another file of this load
 * goes there with that version first (the earliest start: one file a
 * version of a period; the others kept, and counted).  $1: the
 * intervals, as requeue_sql's ch gave them before the load (a text
 * array of ranges).
 */
static const char renumber_sql[] =
	"WITH ch AS (SELECT r::tsrange AS r FROM unnest($1::text[]) AS u(r)), "
	"c AS (SELECT DISTINCT f.file_id, coalesce(o.orbit_number, "
	"  f.period_number) AS num FROM ch JOIN public.file f ON "
	"  ch.r @> f.utc_start_time JOIN public.product p ON p.product_id = "
	"  f.product_id AND p.timebase = 'ORBIT' AND strpos(p.format, "
	"  '{ORBIT}') = 0 AND NOT EXISTS (SELECT 1 FROM public.process mk "
	"  WHERE mk.output_product = p.product_id) "
	"  LEFT JOIN public.orbit o ON o.start_time <= "
	"  f.utc_start_time AND o.stop_time > f.utc_start_time), "
	"w AS (SELECT DISTINCT ON (f.product_id, coalesce(f.utc_file_date, "
	"  '-infinity'::date), c.num, f.interface_version, "
	"  f.quality_version, f.revision_version) c.file_id, c.num "
	"  FROM c JOIN public.file f USING "
	"  (file_id) WHERE c.num <> f.period_number AND NOT EXISTS (SELECT 1 "
	"  FROM public.file g WHERE g.product_id = f.product_id AND "
	"  coalesce(g.utc_file_date, '-infinity'::date) = "
	"  coalesce(f.utc_file_date, '-infinity'::date) AND "
	"  g.period_number = c.num AND (g.interface_version, "
	"  g.quality_version, g.revision_version) = (f.interface_version, "
	"  f.quality_version, f.revision_version)) "
	"  ORDER BY f.product_id, coalesce(f.utc_file_date, "
	"  '-infinity'::date), c.num, f.interface_version, "
	"  f.quality_version, f.revision_version, f.utc_start_time, "
	"  f.file_id), "
	"u AS (UPDATE public.file f SET period_number = w.num FROM w WHERE "
	"  f.file_id = w.file_id RETURNING 1) "
	"SELECT (SELECT count(*) FROM u), "
	"  (SELECT count(*) FROM c JOIN public.file f USING (file_id) WHERE "
	"  c.num <> f.period_number) - (SELECT count(*) FROM u)";

/* the changed intervals as text ranges (for renumber_sql) */
static const char changed_sql[] =
	CHANGED_CTE
	"z AS (SELECT 1) SELECT r::text FROM ch";

struct renumbered {
	int64_t done, kept;
};
static const struct db_col renumbered_cols[] = {
	DB_COL(DB_INT64, struct renumbered, done),
	DB_COL(DB_INT64, struct renumbered, kept),
};

/*
 * What a load changes for the files: queue those whose keys may change
 * (before the orbits are written), renumber those numbered from the
 * table (after); upsert writes the orbits between the two.
 */
static int
orbits_files(struct db *db, struct db_params *p, const struct orbit_list *l,
	     const char *name, struct so_load *r, int64_t **written,
	     size_t *nw)
{
	static const struct db_table rt =
		DB_TABLE("renumbered files", renumbered_cols,
			 struct renumbered);
	struct db_params q = DB_PARAMS_INIT;
	struct renumbered rn = {0, 0};
	struct strvec ranges = STRVEC_INIT;
	int64_t queued = 0;
	int rc;

	rc = db_query_text_column(db, changed_sql, p, 0, &ranges);
	if (!rc) {
		orbit_params(&q, l, name);
		db_params_text(&q, name);
		rc = db_query_int64(db, requeue_sql, &q, 0, &queued);
		db_params_release(&q);
	}
	if (!rc)
		rc = db_query_int64_column(db, upsert_sql, p, 0, written, nw);
	if (!rc && ranges.nr) {
		db_params_text_array(&q, (const char *const *)ranges.v,
				     ranges.nr);
		rc = db_query_row(db, renumber_sql, &q, 0, &rt, &rn, NULL);
		db_params_release(&q);
	}
	r->queued = (long)queued;
	r->renumbered = (long)rn.done;
	r->kept = (long)rn.kept;
	strvec_clear(&ranges);
	return rc;
}

int
store_orbits_load(struct db *db, const struct orbit_list *l,
		  const char *name, struct so_load *r)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t *written = NULL;
	size_t nw = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	if (store_orbits_lock(db, false))
		return -1;
	orbit_params(&p, l, name);
	rc = db_query_rows(db, conflicts_sql, &p, 0, &conflict_table,
			   &r->conflicts, &r->n_conflicts);
	if (!rc && !r->n_conflicts)
		rc = db_query_rows(db, old_sql, &p, 0, &orbit_table, &r->old,
				   &r->n_old);
	if (!rc && !r->n_conflicts)
		rc = orbits_files(db, &p, l, name, r, &written, &nw);
	db_params_release(&p);
	if (!rc && !r->n_conflicts) {
		r->replaced = (long)r->n_old;
		r->added = (long)nw - r->replaced;
		r->unchanged = (long)l->n - (long)nw;
	}
	free(written);
	return rc;
}

int
store_orbits_list(struct db *db, int64_t from, int64_t to,
		  struct so_orbit **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	char fb[TIMESTAMP_STRLEN], tb[TIMESTAMP_STRLEN];
	int rc;

	db_params_text(&p, from == INT64_MIN
				   ? NULL
				   : timeutil_format_timestamp(from, fb));
	db_params_text(&p, to == INT64_MAX ? NULL
					   : timeutil_format_timestamp(to, tb));
	rc = db_query_rows(db,
			   "SELECT orbit_number, " USEC("start_time") ", "
			   USEC("stop_time") ", source FROM public.orbit "
			   "WHERE ($1::timestamp IS NULL OR "
			   "  stop_time > $1::timestamp) "
			   "  AND ($2::timestamp IS NULL OR "
			   "  start_time < $2::timestamp) "
			   "ORDER BY orbit_number",
			   &p, 0, &orbit_table, out, n);
	db_params_release(&p);
	return rc;
}

/* the advisory lock of the orbit table's users: "cascorbt" */
#define ORBIT_LOCK_KEY "7161954591394374260"

int
store_orbits_lock(struct db *db, bool shared)
{
	return db_exec(db, shared ? "SELECT pg_advisory_xact_lock_shared("
				    ORBIT_LOCK_KEY ")"
				  : "SELECT pg_advisory_xact_lock("
				    ORBIT_LOCK_KEY ")");
}

/* an orbit of a file, for store_orbits_at */
struct orbit_at {
	int64_t number, stop;
};
static const struct db_col orbit_at_cols[] = {
	DB_COL(DB_INT64, struct orbit_at, number),
	DB_COL(DB_INT64, struct orbit_at, stop),
};

int
store_orbits_at(struct db *db, const int64_t *t, const int64_t *given,
		size_t n, int64_t *number, int64_t *stop)
{
	static const struct db_table tab =
		DB_TABLE("orbits of files", orbit_at_cols, struct orbit_at);
	struct db_params p = DB_PARAMS_INIT;
	struct orbit_at *got = NULL;
	size_t ngot = 0;
	int rc;

	if (n == 0)
		return 0;
	db_params_columns(&p, 2);
	for (size_t i = 0; i < n; i++) {
		db_col_timestamp(&p, t[i]);
		db_col_int64(&p, given[i]);
	}
	rc = db_query_rows(db,
			   "SELECT coalesce(o.orbit_number, "
			   "nullif(u.g, -1), -1), coalesce(" USEC("o.stop_time")
			   ", -9223372036854775808) FROM "
			   "unnest($1::timestamp[], $2::int8[]) WITH "
			   "ORDINALITY AS u(t, g, k) LEFT JOIN LATERAL (SELECT "
			   "x.orbit_number, x.stop_time FROM public.orbit x "
			   "WHERE (u.g <> -1 AND x.orbit_number = u.g) OR "
			   "(u.g = -1 AND x.start_time <= u.t AND "
			   "x.stop_time > u.t) LIMIT 1) o ON true ORDER BY u.k",
			   &p, 0, &tab, &got, &ngot);
	db_params_release(&p);
	if (!rc && ngot != n)
		rc = error("unexpected result shape for orbits of files: "
			   "%zu rows, expected %zu",
			   ngot, n);
	for (size_t i = 0; !rc && i < n; i++) {
		number[i] = got[i].number;
		stop[i] = got[i].stop;
	}
	free(got);
	return rc;
}
