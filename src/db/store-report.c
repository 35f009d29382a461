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

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "xalloc.h"
#include "banned.h"

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

/* a row of coverage_sql: a date and a product, and that product's cell */
struct cov_row {
	char *date;
	int64_t id;
	char *name; /* read for the query's shape; the catalog has it */
	double level;
	bool many;
	char *first, *last;
	struct sr_cell cell;
};
static const struct db_col cov_cols[] = {
	DB_COL(DB_TEXT, struct cov_row, date),
	DB_COL(DB_INT64, struct cov_row, id),
	DB_COL(DB_TEXT, struct cov_row, name),
	DB_COL(DB_DOUBLE, struct cov_row, level),
	DB_COL(DB_BOOL, struct cov_row, many),
	DB_COL(DB_TEXT, struct cov_row, first),
	DB_COL(DB_TEXT, struct cov_row, last),
	DB_COL(DB_TEXT, struct cov_row, cell.version),
	DB_COL(DB_INT64, struct cov_row, cell.files),
	DB_COL(DB_BOOL, struct cov_row, cell.in_span),
};
static const struct db_table cov_table =
	DB_TABLE("coverage", cov_cols, struct cov_row);

/* take: *s, leaving NULL in its place */
static char *
take(char **s)
{
	char *v = *s;

	*s = NULL;
	return v;
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

/*
 * the grid from its n rows (their strings move to c), its columns the
 * catalog's products; 0, or -1 with the error reported
 */
static int
read_grid(struct cov_row *rows, size_t n, const struct product *products,
	  size_t n_products, struct sr_coverage *c)
{
	size_t np = 0, nd;

	if (n == 0)
		return 0;
	for (size_t r = 0; r < n; r++)
		if (!rows[r].date)
			return error("coverage: a row has no date");
	while (np < n && !strcmp(rows[np].date, rows[0].date))
		np++;
	if (n % np)
		return error("coverage: %zu rows are not a grid of %zu "
			     "products",
			     n, np);
	nd = n / np;
	c->products = xcalloc(np, sizeof(*c->products));
	c->n_products = np;
	c->dates = xcalloc(nd, sizeof(*c->dates));
	c->n_dates = nd;
	c->cells = xcalloc(nd * np, sizeof(*c->cells));
	for (size_t p = 0; p < np; p++) {
		struct sr_column *col = &c->products[p];

		col->product = product_of(products, n_products, rows[p].id);
		if (!col->product)
			return error("coverage: product %lld is not in the "
				     "catalog",
				     (long long)rows[p].id);
		col->many = rows[p].many;
		col->first = take(&rows[p].first);
		col->last = take(&rows[p].last);
	}
	for (size_t d = 0; d < nd; d++) {
		c->dates[d] = xstrdup(rows[d * np].date);
		for (size_t p = 0; p < np; p++) {
			struct cov_row *r = &rows[d * np + p];

			if (r->id != c->products[p].product->id ||
			    strcmp(r->date, c->dates[d]))
				return error("coverage: row %zu is out of order",
					     d * np + p);
			c->cells[d * np + p] = r->cell;
			c->cells[d * np + p].version = take(&r->cell.version);
		}
	}
	return 0;
}

int
store_report_coverage(struct db *db, const struct product *products,
		      size_t n_products, const char *from, const char *to,
		      int days, struct sr_coverage *out)
{
	struct db_params p = DB_PARAMS_INIT;
	struct cov_row *rows = NULL;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	db_params_text(&p, from);
	db_params_text(&p, to);
	db_params_int64(&p, days > 0 ? days : 1);
	rc = db_query_rows(db, coverage_sql, &p, 0, &cov_table, &rows, &n);
	db_params_release(&p);
	if (!rc && read_grid(rows, n, products, n_products, out)) {
		sr_coverage_release(out);
		rc = -1;
	}
	db_rows_free(&cov_table, rows, n);
	return rc;
}
