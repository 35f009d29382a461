/*
 * store-report.h - the SQL that only "cascade report" needs: the
 * coverage of the archive, product by product and date by date.
 *
 * The rest of the report reads what the other views read
 * (store_status_read, store_failures_list, store_stats_read,
 * store_admin_graph_state).  Functions report their own errors and
 * return 0 or a negative enum db_status; returned structs are the
 * caller's (release with the matching function).  Nothing here formats
 * anything for people: report.c does.
 */
#ifndef CASCADE_STORE_REPORT_H
#define CASCADE_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "model.h"

struct db;

/* How many dates the coverage shows when no range is asked for. */
#define STORE_REPORT_DEFAULT_DAYS 31

/*
 * A column of the coverage table: a product (the caller's, model.h) and
 * what the archive holds of it.
 */
struct sr_column {
	const struct product *product;
	bool many;   /* made by a FILE-timebase process: several files a day */
	char *first; /* "YYYY-MM-DD": its first file's date, NULL if none */
	char *last;  /* its last file's date, NULL if none */
};

/* A cell: one product on one date. */
struct sr_cell {
	char *version; /* the newest (for many: the highest) version, or NULL */
	int64_t files; /* for many: files of the date, counting the newest
			  version of each process_keywords; else 0 or 1 */
	bool in_span;  /* the date lies between the product's first and last */
};

struct sr_coverage {
	char **dates;                 /* "YYYY-MM-DD", newest first */
	size_t n_dates;
	struct sr_column *products;   /* by level, then name */
	size_t n_products;
	struct sr_cell *cells;        /* n_dates rows of n_products cells */
};
#define SR_COVERAGE_INIT {0}
void sr_coverage_release(struct sr_coverage *c);

/* sr_cell_at: the cell of date index d and product index p. */
const struct sr_cell *sr_cell_at(const struct sr_coverage *c, size_t d,
				 size_t p);

/*
 * store_report_coverage: every product on every date of the range
 * from..to ("YYYY-MM-DD", inclusive), in one statement.  Only files on
 * disk count (exists_on_disk), and a date's version is the newest one,
 * as the planner picks it (for FILE-timebase products, the newest of
 * each process_keywords, counted).  Without from and to: the last
 * days days up to the newest file date, but none before the oldest
 * file date; with one of them, the range runs from "from" up to the
 * newest file date, or ends at "to" and spans days.  No file at all and
 * no range: no dates.  products[0..n_products) are the mission's (the
 * catalog's): the columns point at them; a product of the database that
 * is not among them is an error.
 */
int store_report_coverage(struct db *db, const struct product *products,
			  size_t n_products, const char *from, const char *to,
			  int days, struct sr_coverage *out) CASCADE_MUSTCHECK;

#endif
