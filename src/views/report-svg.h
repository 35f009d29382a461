/*
 * report-svg.h - the report's own pictures as inline SVG: the coverage
 * heat map (products by days, coloured by cov_state) and the chart of
 * builds and code run time per day.
 *
 * Each function appends one <svg> element, sized in CSS pixels with a
 * viewBox so that the page may scale it down, with axes and labels, and
 * a <title> on every cell or column (the tooltip: what it holds, in
 * words).  Colours come from classes ("c-" and the state's name, for
 * cells) that report.c's style sheet defines, so the pictures and their
 * legend cannot disagree.  No script, nothing fetched, no namespace
 * declaration (an <svg> in HTML needs none).  Text from the database
 * (product names) is escaped with report_html_escape().
 *
 * Pure: reads and writes nothing but the strbuf it is given.
 */
#ifndef CASCADE_REPORT_SVG_H
#define CASCADE_REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coverage.h"
#include "store-report.h"
#include "strbuf.h"

/* How to draw a heat map of g's products over days [lo, hi]. */
struct svg_heatmap {
	const struct cov_grid *g;
	int32_t lo, hi;     /* the days drawn, lo <= hi */
	double plot_w;      /* the plot's width at most (px) */
	double min_col_w;   /* narrower columns group days into weeks,... */
	double max_col_w;   /* no column is wider */
	double row_h;       /* px per product */
	bool merge;         /* neighbours alike are one rectangle */
	int32_t mark_lo, mark_hi; /* days outlined (COV_NO_DAY: none) */
	const char *id;     /* the svg's id */
	const char *label;  /* its aria-label */
};

/*
 * svg_heatmap: the heat map h describes.  Every cell (or run of alike
 * cells, with merge) is a <rect class="cell c-STATE"> with data-days
 * (how many product-days it covers) and a <title>; product names label
 * the rows, dates the columns.  Returns the unit of a column, and in
 * *step how many of them (years only; else 1).
 */
enum cov_unit svg_heatmap(struct strbuf *sb, const struct svg_heatmap *h,
			  int *step);

/*
 * svg_builds: the builds of days d[0..n) (consecutive, n >= 1) as a
 * chart: builds per day, succeeded, failed and other stacked, above the
 * total code run time per day, on one time axis (days grouped into
 * weeks or months when there are too many), with id as the svg's id.
 */
void svg_builds(struct strbuf *sb, const struct sr_build_day *d, size_t n,
		const char *id);

#endif
