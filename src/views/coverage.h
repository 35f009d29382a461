/*
 * coverage.h - the coverage of the archive as the report shows it:
 * every product on every day of the mission, each product-day in one
 * state, and days grouped into weeks, months or years where a picture
 * has no room for each day.
 *
 * The state of a product-day is one pure rule, cov_state(), over its
 * facts (a file and its version, the newest build of its keys, whether
 * the day lies in the product's span of files, whether "cascade check"
 * tells it has no input).  A group of days shows its worst state, and
 * counts them all.
 *
 * The grid is sparse: it borrows what the command read (the days
 * store_report_days knows something of, the missing days check_gap_days
 * classified) and works out any day or group of days from them, so a
 * mission of decades costs what its files cost, not days times
 * products.  Pure: reads and writes nothing but what it is given.
 */
#ifndef CASCADE_COVERAGE_H
#define CASCADE_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "config.h"
#include "store-report.h"
#include "strbuf.h"
#include "version.h"

/* no day: a product without files has no first or last */
#define COV_NO_DAY INT32_MIN

/*
 * The states of a product-day, from the least to the most in need of a
 * person: a group of days shows the greatest.
 */
enum cov_state {
	COV_NONE = 0, /* no file and none expected: outside the product's
			 span of files, or a product not made daily */
	COV_CURRENT,  /* a file, of the first version of the product's
			 newest interface (I.0.0) */
	COV_UPDATED,  /* a file of a later version of it (I.Q.R, Q or R > 0):
			 remade or delivered again */
	COV_NO_INPUT, /* no file, and it cannot be made: a required input
			 never arrived (check's "no-input") */
	COV_BUILDING, /* a build of the day is queued or running */
	COV_OLD,      /* a file of an older interface than the product's
			 newest: superseded */
	COV_GAP,      /* no file in the product's span, and it could be made
			 (check's "gap") */
	COV_FAILED,   /* the newest build of a key of the day failed, timed
			 out, was killed or is bad */
};
#define COV_N_STATES (COV_FAILED + 1)

/* The facts of one product-day, from which its state follows. */
struct cov_facts {
	bool file;               /* a file on disk */
	struct version version;  /* its newest version (file) */
	int newest_interface;    /* the product's newest interface on disk */
	bool failed;             /* a key's newest build failed */
	bool building;           /* a key's newest build is queued/running */
	bool in_span;            /* between the product's first and last file */
	bool daily;              /* made daily, or delivered: a day without a
				    file in the span is a gap or has no input */
	bool no_input;           /* check tells it has no input */
};

/* cov_state: the state of a product-day.  The rule, in order: failed;
 * building; with a file: old, updated or current; without: none outside
 * the span or for a product not made daily, else no-input or gap. */
enum cov_state cov_state(const struct cov_facts *f);

/* cov_state_name: "none", "current", ... (classes of the page). */
const char *cov_state_name(enum cov_state s);
/* cov_state_label: a few words for the legend ("present", ...). */
const char *cov_state_label(enum cov_state s);
/* cov_state_color: its fill colour, "#rrggbb". */
const char *cov_state_color(enum cov_state s);

/* One product of the grid (a row of the pictures). */
struct cov_product {
	const struct product *product; /* the config's: borrowed */
	bool many;            /* several files a day: FILE, hours, orbits */
	bool daily;           /* made by a DAILY process, or delivered */
	bool delivered;       /* made by no process */
	int32_t first, last;  /* its first and last file on disk (COV_NO_DAY) */
	int newest_interface; /* the highest interface of its files on disk */
	size_t f0, f1;        /* its days in facts[f0..f1) */
	size_t g0, g1;        /* its missing days in gaps[g0..g1) */
};

struct cov_grid {
	struct cov_product *products; /* by level, then name */
	size_t n_products;
	const struct sr_day *facts;   /* borrowed: by product id, then date */
	size_t n_facts;
	const struct check_gap_day *gaps; /* borrowed: by product, then date */
	size_t n_gaps;
	bool gaps_known;   /* false: no-input days not told from gaps */
	int32_t first, last; /* the first and last day of any fact, or
				COV_NO_DAY when there is none */
	int32_t file_first, file_last; /* likewise of files only */
};
#define COV_GRID_INIT {0}

/*
 * cov_grid_init: the grid of cfg's products over facts[0..n_facts)
 * (store_report_days) and gaps[0..n_gaps) (check_gap_days; gaps_known
 * false when they could not be classified: every missing day in a span
 * is then a gap).  Borrows cfg, facts and gaps for the grid's life.
 * Facts of a product not in cfg are left out.
 */
void cov_grid_init(struct cov_grid *g, const struct config *cfg,
		   const struct sr_day *facts, size_t n_facts,
		   const struct check_gap_day *gaps, size_t n_gaps,
		   bool gaps_known);
void cov_grid_release(struct cov_grid *g);

/*
 * cov_day: the facts of product p (an index) on day, its state in *state;
 * the day's row of store_report_days, or NULL when it has none.
 */
const struct sr_day *cov_day(const struct cov_grid *g, size_t p, int32_t day,
			     struct cov_facts *f, enum cov_state *state);

/* What a group of days of one product holds. */
struct cov_summary {
	enum cov_state worst;
	int64_t count[COV_N_STATES]; /* days in each state */
	int64_t days;
	bool has_version;            /* some day has a file */
	struct version vmin, vmax;   /* their newest versions' range */
};

/* cov_summarize: product p over days [first, last]. */
void cov_summarize(const struct cov_grid *g, size_t p, int32_t first,
		   int32_t last, struct cov_summary *s);

/*
 * cov_window: the recent window [*lo, *hi] of the report: from..to when
 * both are given (COV_NO_DAY: not given); with from alone, from up to
 * the newest file's day (or from alone); with to alone, the ndays days
 * that end on it; with neither, the ndays days that end with the newest
 * file's day, none before the oldest.  Returns false (no window) when
 * neither is given and there is no file.
 */
bool cov_window(const struct cov_grid *g, int32_t from, int32_t to,
		int ndays, int32_t *lo, int32_t *hi);

/* How many days a column of a picture holds. */
enum cov_unit {
	COV_DAY = 0,
	COV_WEEK,  /* ISO weeks, Monday to Sunday */
	COV_MONTH,
	COV_YEAR,  /* years, or a number of them (cov_columns' step) */
};

/* cov_unit_name: "day", "week", "month", "year". */
const char *cov_unit_name(enum cov_unit u);

struct cov_column {
	int32_t first, last; /* inclusive; the first and last may be cut
				short by the range */
};

/*
 * cov_columns: [lo, hi] (lo <= hi) as columns of the finest unit whose
 * count is at most max_cols (at least 1): days, weeks, months, or years
 * (*step of them a column, counted from year 1, when even years are too
 * many; else *step is 1).  *out (free()) holds *n columns, in order,
 * together covering [lo, hi] once.
 */
enum cov_unit cov_columns(int32_t lo, int32_t hi, size_t max_cols,
			  struct cov_column **out, size_t *n, int *step);

/*
 * cov_describe: the words of product p over a column (one day: its
 * version, build or why it has no file; more: the count of each state
 * and the versions) appended to sb, for a tooltip.  Unescaped.
 */
void cov_describe(struct strbuf *sb, const struct cov_grid *g, size_t p,
		  const struct cov_column *c);

#endif
