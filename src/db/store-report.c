/*
 * store-report.c - the queries of "cascade report" (see store-report.h).
 *
 * Each picture of the report is one statement.  The coverage is sparse:
 * a row per product and date that has a file on disk or a key whose
 * newest build failed or is under way; the view fills in the days
 * between (a grid of years of days times products would be most of the
 * result for nothing).  The newest version of a product and date is the
 * highest (interface, quality, revision) among its files on disk, the
 * rule of the planner and of newest_file; FILE-timebase products have a
 * file per process_keywords, products of hours and orbits one per
 * period, counted.  The builds of a day are counted
 * by the day (UTC) they started, every day of the range present.
 */
#include "store-report.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "xalloc.h"
#include "banned.h"

#define BUILD_FAILED "('failed', 'timed_out', 'killed', 'bad')"
#define BUILD_OPEN "('queued', 'running', 'recording')"

static const char days_sql[] =
	"WITH f AS (SELECT f.product_id, f.utc_file_date AS d, "
	"  max(ARRAY[f.interface_version, f.quality_version, "
	"    f.revision_version]) AS v, "
	"  count(DISTINCT (coalesce(f.process_keywords, ''), "
	"    f.period_number)) AS n "
	"  FROM public.file f "
	"  WHERE f.exists_on_disk AND f.utc_file_date IS NOT NULL "
	"  GROUP BY f.product_id, f.utc_file_date), "
	/* the newest build of each key (the index on process and key) */
	"k AS (SELECT DISTINCT ON (b.process_id, b.output_key) b.process_id, "
	"  b.utc_file_date AS d, b.status, b.build_id FROM public.build b "
	"  WHERE b.status <> 'cancelled' AND b.utc_file_date IS NOT NULL "
	"  ORDER BY b.process_id, b.output_key, b.build_id DESC), "
	"b AS (SELECT pr.output_product AS product_id, k.d, "
	"  max(k.build_id) FILTER (WHERE k.status IN " BUILD_FAILED ") AS fb, "
	"  (array_agg(k.status ORDER BY k.build_id DESC) FILTER (WHERE "
	"    k.status IN " BUILD_FAILED "))[1] AS fs, "
	"  max(k.build_id) FILTER (WHERE k.status IN " BUILD_OPEN ") AS ob "
	"  FROM k JOIN public.process pr USING (process_id) "
	"  WHERE pr.output_product IS NOT NULL "
	"  GROUP BY pr.output_product, k.d "
	"  HAVING bool_or(k.status IN " BUILD_FAILED " OR k.status IN "
	BUILD_OPEN ")) "
	"SELECT coalesce(f.product_id, b.product_id), "
	"  coalesce(f.d, b.d) - DATE '1970-01-01', f.v IS NOT NULL, "
	"  coalesce(f.v[1], 0), coalesce(f.v[2], 0), coalesce(f.v[3], 0), "
	"  coalesce(f.n, 0), coalesce(b.fb, 0), b.fs, coalesce(b.ob, 0) "
	"FROM f FULL JOIN b ON b.product_id = f.product_id AND b.d = f.d "
	"ORDER BY 1, 2";

static const struct db_col day_cols[] = {
	DB_COL(DB_INT, struct sr_day, product_id),
	DB_COL(DB_INT, struct sr_day, date),
	DB_COL(DB_BOOL, struct sr_day, file),
	DB_COL(DB_INT, struct sr_day, version.interface),
	DB_COL(DB_INT, struct sr_day, version.quality),
	DB_COL(DB_INT, struct sr_day, version.revision),
	DB_COL(DB_INT64, struct sr_day, files),
	DB_COL(DB_INT64, struct sr_day, failed_build),
	DB_COL(DB_TEXT, struct sr_day, failed_state),
	DB_COL(DB_INT64, struct sr_day, open_build),
};
static const struct db_table day_table =
	DB_TABLE("coverage days", day_cols, struct sr_day);

int
store_report_days(struct db *db, struct sr_day **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return db_query_rows(db, days_sql, NULL, 0, &day_table, out, n);
}

void
store_report_days_free(struct sr_day *d, size_t n)
{
	db_rows_free(&day_table, d, n);
}

static const char build_days_sql[] =
	"WITH d AS (SELECT g::date AS d FROM generate_series($1::date, "
	"  $2::date, interval '1 day') AS g), "
	"b AS (SELECT (b.started_at AT TIME ZONE 'UTC')::date AS d, "
	"  b.status, extract(epoch FROM b.ended_at - b.started_at) AS s "
	"  FROM public.build b "
	"  WHERE b.started_at >= $1::date::timestamp AT TIME ZONE 'UTC' "
	"  AND b.started_at < ($2::date + 1)::timestamp AT TIME ZONE 'UTC') "
	"SELECT d.d - DATE '1970-01-01', "
	"  count(b.status) FILTER (WHERE b.status = 'succeeded'), "
	"  count(b.status) FILTER (WHERE b.status IN " BUILD_FAILED "), "
	"  count(b.status) FILTER (WHERE b.status NOT IN " BUILD_FAILED
	"    AND b.status <> 'succeeded'), "
	"  count(b.s), coalesce(sum(b.s), 0), "
	"  percentile_cont(0.5) WITHIN GROUP (ORDER BY b.s), max(b.s) "
	"FROM d LEFT JOIN b USING (d) GROUP BY d.d ORDER BY d.d";

static const struct db_col build_day_cols[] = {
	DB_COL(DB_INT, struct sr_build_day, date),
	DB_COL(DB_INT64, struct sr_build_day, succeeded),
	DB_COL(DB_INT64, struct sr_build_day, failed),
	DB_COL(DB_INT64, struct sr_build_day, other),
	DB_COL(DB_INT64, struct sr_build_day, finished),
	DB_COL(DB_DOUBLE, struct sr_build_day, total_s),
	DB_COLF(DB_DOUBLE, struct sr_build_day, median_s, DB_NULLABLE),
	DB_COLF(DB_DOUBLE, struct sr_build_day, max_s, DB_NULLABLE),
};
static const struct db_table build_day_table =
	DB_TABLE("build days", build_day_cols, struct sr_build_day);

int
store_report_build_days(struct db *db, int32_t from, int32_t to,
			struct sr_build_day **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	*out = NULL;
	*n = 0;
	if (from > to)
		BUG("build days from %d after to %d", (int)from, (int)to);
	db_params_date(&p, from);
	db_params_date(&p, to);
	rc = db_query_rows(db, build_days_sql, &p, 0, &build_day_table, out,
			   n);
	db_params_release(&p);
	if (!rc && *n != (size_t)(to - from + 1)) {
		size_t got = *n;

		db_rows_free(&build_day_table, *out, *n);
		*out = NULL;
		*n = 0;
		return error("build days: %zu rows for %d days", got,
			     (int)(to - from + 1));
	}
	return rc;
}
