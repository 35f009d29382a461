/*
 * store-orbit.c - SQL of the orbit table (see store-orbit.h).
 */
#include "store-orbit.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "strbuf.h"
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

int
store_orbits_load(struct db *db, const struct orbit_list *l,
		  const char *name, struct so_load *r)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t *written = NULL;
	size_t nw = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	orbit_params(&p, l, name);
	rc = db_query_rows(db, conflicts_sql, &p, 0, &conflict_table,
			   &r->conflicts, &r->n_conflicts);
	if (!rc && !r->n_conflicts)
		rc = db_query_rows(db, old_sql, &p, 0, &orbit_table, &r->old,
				   &r->n_old);
	if (!rc && !r->n_conflicts)
		rc = db_query_int64_column(db, upsert_sql, &p, 0, &written,
					   &nw);
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

int
store_orbits_at(struct db *db, const int64_t *t, size_t n, int64_t *number)
{
	/* the rows are the elements of the answer themselves */
	static const struct db_col cols[] = {{DB_INT64, 0, 0, 0, NULL}};
	static const struct db_table tab = {"orbits at instants", cols, 1,
					    sizeof(int64_t)};
	struct db_params p = DB_PARAMS_INIT;
	int64_t *got = NULL;
	size_t ngot = 0;
	int rc;

	if (n == 0)
		return 0;
	db_params_columns(&p, 1);
	for (size_t i = 0; i < n; i++)
		db_col_timestamp(&p, t[i]);
	rc = db_query_rows(db,
			   "SELECT coalesce((SELECT o.orbit_number FROM "
			   "public.orbit o WHERE o.start_time <= u.t AND "
			   "o.stop_time > u.t), -1) FROM unnest($1::timestamp[]) "
			   "WITH ORDINALITY AS u(t, k) ORDER BY u.k",
			   &p, 0, &tab, &got, &ngot);
	db_params_release(&p);
	if (!rc && ngot != n)
		rc = error("unexpected result shape for orbits at instants: "
			   "%zu rows, expected %zu",
			   ngot, n);
	if (!rc)
		memcpy(number, got, n * sizeof(*number));
	free(got);
	return rc;
}
