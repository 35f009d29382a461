/*
 * store-report.h - the SQL that only "cascade report" needs: what the
 * archive and the builds hold of each product and date (the coverage
 * heat map and table), and the builds of each day (the activity chart).
 *
 * The rest of the report reads what the other views read
 * (store_status_read, store_failures_list, store_stats_read,
 * store_admin_graph_state).  One statement per picture, never one per
 * product or per date.  Functions report their own errors and return 0
 * or a negative enum db_status; returned arrays are the caller's (free
 * them with the matching function).  Nothing here formats anything for
 * people: the views do.
 */
#ifndef CASCADE_STORE_REPORT_H
#define CASCADE_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "version.h"

struct db;

/* How many dates the recent window shows when no range is asked for. */
#define STORE_REPORT_DEFAULT_DAYS 31

/*
 * A product and date that something is known of: a file on disk, or a
 * key whose newest build failed or is under way.  Dates with none of
 * these have no row.
 */
struct sr_day {
	int product_id;
	int32_t date;           /* days since 1970-01-01 */
	bool file;              /* a file of the product and date is on disk */
	struct version version; /* the newest (highest) version on disk */
	int64_t files;          /* the files of the date: the newest of each
				   process_keywords (FILE timebase: many) */
	int64_t failed_build;   /* a build of a key of this date whose newest
				   build failed, timed out, was killed or is
				   bad (the newest such), or 0 */
	char *failed_state;     /* that build's state, or NULL */
	int64_t open_build;     /* likewise one queued or running, or 0 */
};

/*
 * store_report_days: every product and date something is known of, over
 * the whole mission, by product id and date, in one statement.  Only
 * files on disk count, and a date's version is the newest, as the
 * planner picks it.  A key's newest build is the one with the highest
 * id among those not cancelled; the output product and date of a build
 * are its process's and its utc_file_date.
 */
int store_report_days(struct db *db, struct sr_day **out, size_t *n)
	CASCADE_MUSTCHECK;
void store_report_days_free(struct sr_day *d, size_t n);

/* The builds that started on one day (UTC). */
struct sr_build_day {
	int32_t date;          /* days since 1970-01-01 */
	int64_t succeeded;
	int64_t failed;        /* failed, timed out, killed or bad */
	int64_t other;         /* queued, running, recording or cancelled */
	int64_t finished;      /* of them, those with an end time */
	double total_s;        /* their code run time, summed (0: none) */
	double median_s;       /* its median (NaN: none finished) */
	double max_s;          /* its maximum (NaN: none finished) */
};

/*
 * store_report_build_days: every day from..to (inclusive, days since
 * 1970-01-01, from <= to) in order, each with the builds that started
 * on it, in one statement; days without builds are there with zeros.
 * *out (free()) holds to - from + 1 days.
 */
int store_report_build_days(struct db *db, int32_t from, int32_t to,
			    struct sr_build_day **out, size_t *n)
	CASCADE_MUSTCHECK;

#endif
