/*
 * store-report.c - the coverage query of "cascade report" (see
 * store-report.h).
 *
 * One statement returns the whole grid, dates (newest first) times
 * products (by level and name), so that the report needs no query per
 * product or per date and a date on which nothing arrived still has its
 * row.  The newest version of a product and date is the highest
 * (interface, quality, revision) among its files on disk, the rule of
 * the planner and of newest_file; FILE-timebase products, which have a
 * file per process_keywords, get the highest version and the count of
 * those keyword sets.
 */
#include "store-report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "xalloc.h"
#include "banned.h"

#define COVERAGE_NCOLS 10

static const char coverage_sql[] =
	/* per product: the dates of its first and last file (index scans) */
	"WITH p AS (SELECT p.product_id, p.product_name, p.level, "
	"  EXISTS (SELECT 1 FROM public.process pr WHERE pr.output_product = "
	"    p.product_id AND pr.output_timebase = 'FILE') AS many, "
	"  (SELECT min(f.utc_file_date) FROM public.file f "
	"    WHERE f.product_id = p.product_id AND f.exists_on_disk) AS first, "
	"  (SELECT max(f.utc_file_date) FROM public.file f "
	"    WHERE f.product_id = p.product_id AND f.exists_on_disk) AS last "
	"  FROM public.product p), "
	"b AS (SELECT "
	"  CASE WHEN $1::date IS NOT NULL THEN $1::date "
	"    WHEN $2::date IS NOT NULL THEN $2::date - ($3::int - 1) "
	"    ELSE greatest(m.hi - ($3::int - 1), m.lo) END AS lo, "
	"  CASE WHEN $2::date IS NOT NULL THEN $2::date "
	"    WHEN $1::date IS NOT NULL THEN greatest($1::date, m.hi) "
	"    ELSE m.hi END AS hi "
	"  FROM (SELECT min(first) AS lo, max(last) AS hi FROM p) m), "
	"days AS (SELECT g::date AS d FROM b, generate_series(b.hi::timestamp, "
	"  b.lo::timestamp, interval '-1 day') AS g), "
	/*
	 * per product (a lateral subquery with aggregates is run per
	 * product, on the index on product and date): the newest version per
	 * date and keywords, then per date
	 */
	"c AS (SELECT p.product_id, x.d, x.v, x.n FROM b CROSS JOIN p "
	"  CROSS JOIN LATERAL (SELECT k.d, max(k.v) AS v, count(*) AS n "
	"    FROM (SELECT f.utc_file_date AS d, max(ARRAY[f.interface_version, "
	"        f.quality_version, f.revision_version]) AS v "
	"      FROM public.file f WHERE f.product_id = p.product_id "
	"      AND f.utc_file_date BETWEEN b.lo AND b.hi AND f.exists_on_disk "
	"      GROUP BY f.utc_file_date, coalesce(f.process_keywords, '')) k "
	"    GROUP BY k.d) x) "
	"SELECT to_char(days.d, 'YYYY-MM-DD'), p.product_id, p.product_name, "
	"  p.level, p.many, to_char(p.first, 'YYYY-MM-DD'), "
	"  to_char(p.last, 'YYYY-MM-DD'), "
	"  c.v[1] || '.' || c.v[2] || '.' || c.v[3], coalesce(c.n, 0), "
	"  coalesce(days.d BETWEEN p.first AND p.last, false) "
	"FROM days CROSS JOIN p "
	"LEFT JOIN c ON c.product_id = p.product_id AND c.d = days.d "
	"ORDER BY days.d DESC, p.level, p.product_name, p.product_id";

void
sr_coverage_release(struct sr_coverage *c)
{
	for (size_t i = 0; c->dates && i < c->n_dates; i++)
		free(c->dates[i]);
	free(c->dates);
	for (size_t i = 0; c->products && i < c->n_products; i++) {
		free(c->products[i].first);
		free(c->products[i].last);
	}
	free(c->products);
	for (size_t i = 0; c->cells && i < c->n_dates * c->n_products; i++)
		free(c->cells[i].version);
	free(c->cells);
	memset(c, 0, sizeof(*c));
}

const struct sr_cell *
sr_cell_at(const struct sr_coverage *c, size_t d, size_t p)
{
	if (d >= c->n_dates || p >= c->n_products)
		BUG("coverage cell %zu,%zu outside %zu x %zu", d, p,
		    c->n_dates, c->n_products);
	return &c->cells[d * c->n_products + p];
}

/* the product of id among products[0..n), or NULL */
static const struct product *
product_of(const struct product *products, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (products[i].id == id)
			return &products[i];
	return NULL;
}

/* the grid from its rows; 0, or -1 with the error reported */
static int
read_grid(const struct db_res *res, const struct product *products,
	  size_t n_products, struct sr_coverage *c)
{
	int nrows = db_res_nrows(res);
	size_t np = 0, nd;
	const char *d0;
	int64_t *ids;

	if (nrows == 0)
		return 0;
	d0 = db_res_get(res, 0, 0);
	while ((int)np < nrows && d0 && db_res_get(res, (int)np, 0) &&
	       !strcmp(db_res_get(res, (int)np, 0), d0))
		np++;
	if (np == 0 || (size_t)nrows % np)
		return error("coverage: %d rows are not a grid of %zu products",
			     nrows, np);
	nd = (size_t)nrows / np;
	c->products = xcalloc(np, sizeof(*c->products));
	c->n_products = np;
	c->dates = xcalloc(nd, sizeof(*c->dates));
	c->n_dates = nd;
	c->cells = xcalloc(nd * np, sizeof(*c->cells));
	ids = xcalloc(np + 1, sizeof(*ids));
	for (size_t p = 0; p < np; p++) {
		struct sr_column *pr = &c->products[p];

		if (db_res_int64(res, (int)p, 1, &ids[p]) ||
		    db_res_bool(res, (int)p, 4, &pr->many)) {
			free(ids);
			return -1;
		}
		pr->product = product_of(products, n_products, ids[p]);
		pr->first = xstrdup_or_null(db_res_get(res, (int)p, 5));
		pr->last = xstrdup_or_null(db_res_get(res, (int)p, 6));
		if (!pr->product) {
			error("coverage: product %lld is not in the catalog",
			      (long long)ids[p]);
			free(ids);
			return -1;
		}
	}
	for (size_t d = 0; d < nd; d++) {
		const char *date = db_res_get(res, (int)(d * np), 0);

		if (!date) {
			free(ids);
			return error("coverage: a row has no date");
		}
		c->dates[d] = xstrdup(date);
		for (size_t p = 0; p < np; p++) {
			int row = (int)(d * np + p);
			struct sr_cell *cell = &c->cells[d * np + p];
			const char *rd = db_res_get(res, row, 0);
			int64_t id;

			if (db_res_int64(res, row, 1, &id) ||
			    db_res_int64(res, row, 8, &cell->files) ||
			    db_res_bool(res, row, 9, &cell->in_span)) {
				free(ids);
				return -1;
			}
			if (id != ids[p] || !rd || strcmp(rd, date)) {
				free(ids);
				return error("coverage: row %d is out of order",
					     row);
			}
			cell->version = xstrdup_or_null(db_res_get(res, row, 7));
		}
	}
	free(ids);
	return 0;
}

int
store_report_coverage(struct db *db, const struct product *products,
		      size_t n_products, const char *from, const char *to,
		      int days, struct sr_coverage *out)
{
	struct db_res *res = NULL;
	char nd[16];
	const char *params[3];
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(nd, sizeof(nd), "%d", days > 0 ? days : 1);
	params[0] = from;
	params[1] = to;
	params[2] = nd;
	rc = db_query(db, coverage_sql, 3, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, COVERAGE_NCOLS, "coverage") ||
	    read_grid(res, products, n_products, out)) {
		sr_coverage_release(out);
		rc = -1;
	}
	db_res_free(res);
	return rc;
}
