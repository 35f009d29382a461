/*
 * report.h - "cascade report" as one self-contained HTML page.
 *
 * Owns the layout of the report: a header (mission, generation time in
 * UTC, cascade version), then six sections with stable ids: "status"
 * (flag, queue, builds, runs, batches, failure count), "graph" (the
 * product/process graph as inline SVG with a one-line legend, or its
 * DOT source when no SVG could be made), "coverage" (a heat map of
 * products by days over the whole mission, the recent window enlarged
 * below it, and the window's versions as a table; coverage.h's states),
 * "activity" (builds and code run time per day, report-svg.h),
 * "failures" (unresolved, grouped by process and kind) and "stats"
 * (per-process build statistics).  The page needs nothing else: the
 * style sheet is inline, there is no script, no font, no image and no
 * link outside the page, and a Content-Security-Policy forbids fetching
 * anything.
 *
 * Every string that comes from the database is escaped with
 * report_html_escape(), so names containing <, & or quotes are shown as
 * they are and cannot change the page.  The SVG is inlined as dot wrote
 * it (Graphviz escapes the names it writes), minus its prolog.
 *
 * report.c reads nothing and writes nothing but the strbuf it is given:
 * the command reads the database; report-file.c runs dot and writes the
 * page.
 */
#ifndef CASCADE_REPORT_H
#define CASCADE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "coverage.h"
#include "lock.h"
#include "store-report.h"
#include "store-status.h"
#include "strbuf.h"

/* Everything the page shows.  All borrowed. */
struct report_data {
	const char *version;   /* cascade's version */
	const char *generated; /* when, "YYYY-MM-DDTHH:MM:SSZ" */
	const char *mission;

	/* status */
	bool flag_held;
	const struct lock_holder *holder; /* when flag_held */
	const struct ss_status *status;

	/* graph: svg when there is one, else dot with why there is none */
	const char *svg;         /* an <svg> element (report_svg_extract) */
	const char *dot;         /* the DOT source */
	const char *graph_error; /* one line: why there is no SVG */
	const char *graph_from, *graph_to; /* the state's range, or NULL */

	/* coverage: the grid (NULL: none) and the recent window, if any */
	const struct cov_grid *coverage;
	bool has_window;
	int32_t window_lo, window_hi;
	const char *gaps_note; /* why no-input days are not told, or NULL */

	/* activity: the builds of consecutive days (n >= 1, or none) */
	const struct sr_build_day *build_days;
	size_t n_build_days;

	/* failures: unresolved, as store_failures_list orders them */
	const struct ss_failure *failures;
	size_t n_failures;
	int failures_per_group; /* show at most this many per group (0: all) */

	/* statistics over [stats_from, stats_to) (NULL: open) */
	const struct ss_stats *stats;
	const char *stats_from, *stats_to;
};

/* report_html: append the whole page for d to sb. */
void report_html(struct strbuf *sb, const struct report_data *d);

/*
 * report_html_escape: append s to sb as HTML text or attribute value:
 * & < > " ' as character references; control characters other than tab
 * and newline, and bytes that are not valid UTF-8, as "?".  NULL
 * appends nothing.
 */
void report_html_escape(struct strbuf *sb, const char *s);

/*
 * report_svg_extract: the <svg ...>...</svg> element of an SVG document
 * as dot -Tsvg writes it, without the XML declaration, the DOCTYPE and
 * comments, into out (appended).  Returns 0, or -1 (nothing appended) if
 * svg holds no complete <svg> element.
 */
int report_svg_extract(const char *svg, size_t len, struct strbuf *out)
	CASCADE_MUSTCHECK;

/* the page in the report's directory */
#define REPORT_FILE "index.html"

/*
 * report_draw_graph (report-file.c): draw dot_src with the Graphviz
 * program prog (a name looked up in PATH, or a path) into svg (the <svg>
 * element only), its temporary files in the directory dir.  On failure
 * why says in one line why there is no picture; the problem is logged
 * (a warning: the report is still written).  Returns 0 or -1.
 */
int report_draw_graph(const char *prog, const char *dir,
		      const struct strbuf *dot_src, struct strbuf *svg,
		      struct strbuf *why);
/*
 * report_write_page (report-file.c): write DIR/index.html atomically
 * (mode 0644): a temporary file beside it, fsync, rename over the old
 * page, fsync of DIR.  0, or -1 (reported).
 */
int report_write_page(const char *dir, const struct strbuf *page)
	CASCADE_MUSTCHECK;

#endif
