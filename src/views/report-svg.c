/*
 * report-svg.c - the report's heat map and builds chart as inline SVG
 * (see report-svg.h).
 *
 * Both pictures share one time axis: columns of days, or of weeks,
 * months or years when a day would be narrower than the picture allows
 * (cov_columns), labelled in two rows (days or months below, months or
 * years above) that drop a label rather than overlap it.  Text widths
 * are estimated (no fonts are measured): names are cut to fit.
 */
#include "report-svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "report.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* the average advance of a character of the pictures' 11px font */
#define CHAR_W 6.3

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* a length in the pictures: few digits */
static void
num(struct strbuf *sb, double v)
{
	if (fabs(v - rint(v)) < 0.05)
		strbuf_addf(sb, "%.0f", rint(v));
	else
		strbuf_addf(sb, "%.1f", v);
}

/* <rect class="cls" x y width height */
static void
rect_open(struct strbuf *sb, const char *cls, double x, double y, double w,
	  double h)
{
	strbuf_addf(sb, "<rect class=\"%s\" x=\"", cls);
	num(sb, x);
	strbuf_addstr(sb, "\" y=\"");
	num(sb, y);
	strbuf_addstr(sb, "\" width=\"");
	num(sb, w > 0.5 ? w : 0.5);
	strbuf_addstr(sb, "\" height=\"");
	num(sb, h > 0.5 ? h : 0.5);
	strbuf_addch(sb, '"');
}

/* <text class="cls" x y>, escaped s, </text> */
static void
text_at(struct strbuf *sb, const char *cls, double x, double y, const char *s)
{
	strbuf_addf(sb, "<text class=\"%s\" x=\"", cls);
	num(sb, x);
	strbuf_addstr(sb, "\" y=\"");
	num(sb, y);
	strbuf_addstr(sb, "\">");
	report_html_escape(sb, s);
	strbuf_addstr(sb, "</text>\n");
}

static void
line(struct strbuf *sb, const char *cls, double x1, double y1, double x2,
     double y2)
{
	strbuf_addf(sb, "<line class=\"%s\" x1=\"", cls);
	num(sb, x1);
	strbuf_addstr(sb, "\" y1=\"");
	num(sb, y1);
	strbuf_addstr(sb, "\" x2=\"");
	num(sb, x2);
	strbuf_addstr(sb, "\" y2=\"");
	num(sb, y2);
	strbuf_addstr(sb, "\"/>\n");
}

static void
svg_open(struct strbuf *sb, const char *id, const char *cls, double w,
	 double h, const char *label)
{
	strbuf_addf(sb, "<svg id=\"%s\" class=\"%s\" width=\"", id, cls);
	num(sb, ceil(w));
	strbuf_addstr(sb, "\" height=\"");
	num(sb, ceil(h));
	strbuf_addstr(sb, "\" viewBox=\"0 0 ");
	num(sb, ceil(w));
	strbuf_addch(sb, ' ');
	num(sb, ceil(h));
	strbuf_addstr(sb, "\" role=\"img\" aria-label=\"");
	report_html_escape(sb, label);
	strbuf_addstr(sb, "\">\n");
}

/* -- the time axis --------------------------------------------------------- */

/* where days go: columns of equal width from x0 */
struct xscale {
	const struct cov_column *cols;
	size_t n;
	double x0, col_w;
};

/* the left edge of day (the right edge of the last one for later days) */
static double
x_of(const struct xscale *s, int32_t day)
{
	size_t lo = 0, hi = s->n;
	const struct cov_column *c;

	if (day <= s->cols[0].first)
		return s->x0;
	if (day > s->cols[s->n - 1].last)
		return s->x0 + (double)s->n * s->col_w;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->cols[mid].last < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	c = &s->cols[lo];
	return s->x0 + s->col_w * ((double)lo + (double)(day - c->first) /
							(c->last - c->first + 1));
}

enum tick { TICK_DAY, TICK_WEEK, TICK_MONTH, TICK_YEAR };

/* the first day of the tick period after the one holding day */
static int32_t
next_tick(enum tick t, int step, int32_t day)
{
	static const enum timebase tb[] = {TIMEBASE_DAILY, TIMEBASE_WEEKLY,
					   TIMEBASE_MONTHLY, TIMEBASE_YEARLY};
	int32_t s, e;
	int y, m, d;

	timebase_period(tb[t], day, &s, &e);
	if (t != TICK_YEAR || step <= 1)
		return e + 1;
	timeutil_ymd_from_days(day, &y, &m, &d);
	return timeutil_days_from_ymd(y + step - ((y % step) + step) % step, 1,
				      1);
}

/* a tick's label */
static void
tick_label(enum tick t, int32_t day, bool major, char *buf, size_t size)
{
	int y, m, d;

	timeutil_ymd_from_days(day, &y, &m, &d);
	if (t == TICK_YEAR)
		snprintf(buf, size, "%d", y);
	else if (t == TICK_MONTH && major)
		snprintf(buf, size, "%s %d", month_names[m - 1], y);
	else if (t == TICK_MONTH)
		snprintf(buf, size, "%s", month_names[m - 1]);
	else
		snprintf(buf, size, "%d", d);
}

/*
 * one row of labels: a tick of t every step from lo's period to hi,
 * at y; major: lo is labelled too, and a grid line drawn at each tick
 * from g0 to g1
 */
static void
tick_row(struct strbuf *sb, const struct xscale *s, int32_t lo, int32_t hi,
	 enum tick t, int step, bool major, double y, double g0, double g1)
{
	double last_end = -1e9, px_day;
	char buf[32];

	px_day = s->col_w * (double)s->n / (double)(hi - lo + 1);
	for (int32_t d = lo; d <= hi; d = next_tick(t, step, d)) {
		double x = x_of(s, d), w;
		int32_t s0, e0;
		bool at_start;

		timebase_period(t == TICK_DAY ? TIMEBASE_DAILY
			       : t == TICK_WEEK ? TIMEBASE_WEEKLY
			       : t == TICK_MONTH ? TIMEBASE_MONTHLY
						 : TIMEBASE_YEARLY,
				d, &s0, &e0);
		at_start = d == s0;
		if (!at_start && !(major && d == lo))
			continue;
		if (major && at_start && d > lo && g1 > g0)
			line(sb, "grid", x, g0, x, g1);
		tick_label(t, d, major, buf, sizeof(buf));
		w = CHAR_W * (double)strlen(buf);
		/* the range's start gives way to a period's start */
		if (!at_start && next_tick(t, step, d) <= hi &&
		    x_of(s, next_tick(t, step, d)) < x + w + 8)
			continue;
		if (t == TICK_DAY && px_day >= 2 * CHAR_W)
			x += px_day / 2 - w / 2; /* centred on its day */
		else
			x += 2;
		if (x < last_end + 4 || x + w > x_of(s, hi + 1) + 10)
			continue;
		text_at(sb, major ? "tick major" : "tick", x, y, buf);
		last_end = x + w;
	}
}

/*
 * the axis of days [lo, hi]: minor labels at y_minor, major ones at
 * y_major, grid lines from g0 to g1
 */
static void
time_axis(struct strbuf *sb, const struct xscale *s, int32_t lo, int32_t hi,
	  double y_minor, double y_major, double g0, double g1)
{
	double px_day = s->col_w * (double)s->n / (double)(hi - lo + 1);
	int step = 1;

	if (px_day >= 2.5 * CHAR_W) {
		tick_row(sb, s, lo, hi, TICK_DAY, 1, false, y_minor, g0, g1);
		tick_row(sb, s, lo, hi, TICK_MONTH, 1, true, y_major, g0, g1);
	} else if (px_day * 7 >= 3 * CHAR_W) {
		tick_row(sb, s, lo, hi, TICK_WEEK, 1, false, y_minor, g0, g1);
		tick_row(sb, s, lo, hi, TICK_MONTH, 1, true, y_major, g0, g1);
	} else if (px_day * 30 >= 4 * CHAR_W) {
		tick_row(sb, s, lo, hi, TICK_MONTH, 1, false, y_minor, g0, g1);
		tick_row(sb, s, lo, hi, TICK_YEAR, 1, true, y_major, g0, g1);
	} else {
		while (px_day * 365.25 * step < 6 * CHAR_W)
			step = step == 1 ? 2 : step == 2 ? 5 : step * 2;
		tick_row(sb, s, lo, hi, TICK_YEAR, step, true, y_major, g0,
			 g1);
	}
}

/* -- the heat map ---------------------------------------------------------- */

/* the width of the names' column, for the longest name */
static double
names_width(const struct cov_grid *g)
{
	size_t longest = 4;

	for (size_t p = 0; p < g->n_products; p++) {
		size_t n = strlen(g->products[p].product->name);

		if (n > longest)
			longest = n;
	}
	return fmin(CHAR_W * (double)longest + 10, 200);
}

/* a product's name, cut (at a character) to fit max_w */
static void
row_name(struct strbuf *sb, const char *name, double x, double y,
	 double max_w)
{
	size_t fit = (size_t)(max_w / CHAR_W), n = strlen(name);
	struct strbuf cut = STRBUF_INIT;

	if (n > fit && fit > 1) {
		n = fit - 1;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
		strbuf_add(&cut, name, n);
		strbuf_addstr(&cut, "\xe2\x80\xa6"); /* … */
	} else {
		strbuf_addstr(&cut, name);
	}
	strbuf_addstr(sb, "<text class=\"name\" x=\"");
	num(sb, x);
	strbuf_addstr(sb, "\" y=\"");
	num(sb, y);
	strbuf_addstr(sb, "\"><title>");
	report_html_escape(sb, name);
	strbuf_addstr(sb, "</title>");
	report_html_escape(sb, cut.buf);
	strbuf_addstr(sb, "</text>\n");
	strbuf_release(&cut);
}

/* whether two groups look alike (one rectangle, one tooltip) */
static bool
alike(const struct cov_summary *a, const struct cov_summary *b)
{
	for (int st = 0; st < COV_N_STATES; st++)
		if (!a->count[st] != !b->count[st])
			return false;
	if (a->worst != b->worst || a->has_version != b->has_version)
		return false;
	return !a->has_version || (!version_cmp(&a->vmin, &b->vmin) &&
				   !version_cmp(&a->vmax, &b->vmax));
}

/*
 * a group's worst state fills a band at the top of its cell, as high as
 * its share of the days (at least 3 px); the rest shows the commonest
 * other state (days that expect no file aside), so that a month with
 * one day missing reads as a good month with a mark
 */
static void
cell_rest(struct strbuf *sb, const struct cov_summary *s, double x, double y,
	  double w, double h)
{
	int64_t expected = s->days - s->count[COV_NONE];
	enum cov_state rest = COV_NONE;
	double band;

	for (int st = COV_NONE + 1; st < COV_N_STATES; st++)
		if (st != (int)s->worst && s->count[st] > s->count[rest] &&
		    (rest != COV_NONE || s->count[st] > 0))
			rest = st;
	if (rest == COV_NONE || s->worst == COV_NONE || expected <= 0)
		return;
	band = fmax(3, h * (double)s->count[s->worst] / (double)expected);
	if (band >= h - 1)
		return;
	strbuf_addf(sb, "<rect class=\"rest c-%s\" x=\"", cov_state_name(rest));
	num(sb, x);
	strbuf_addstr(sb, "\" y=\"");
	num(sb, y + band);
	strbuf_addstr(sb, "\" width=\"");
	num(sb, w);
	strbuf_addstr(sb, "\" height=\"");
	num(sb, h - band);
	strbuf_addstr(sb, "\"/>\n");
}

/* one cell over columns [k0, k1) of product p */
static void
cell(struct strbuf *sb, const struct svg_heatmap *h, const struct xscale *s,
     size_t p, size_t k0, size_t k1, enum cov_state st, double y)
{
	struct cov_column c = {s->cols[k0].first, s->cols[k1 - 1].last};
	double gap = s->col_w >= 4 ? 1 : 0;
	double x = s->x0 + s->col_w * (double)k0 + gap / 2;
	double w = s->col_w * (double)(k1 - k0) - gap;
	struct strbuf cls = STRBUF_INIT, t = STRBUF_INIT;

	strbuf_addf(&cls, "cell c-%s", cov_state_name(st));
	rect_open(sb, cls.buf, x, y, w, h->row_h - 2);
	strbuf_addf(sb, " data-days=\"%lld\"><title>",
		    (long long)(c.last - c.first + 1));
	cov_describe(&t, h->g, p, &c);
	report_html_escape(sb, t.buf);
	strbuf_addstr(sb, "</title></rect>\n");
	if (c.last > c.first) {
		struct cov_summary sum;

		cov_summarize(h->g, p, c.first, c.last, &sum);
		cell_rest(sb, &sum, x, y, w, h->row_h - 2);
	}
	strbuf_release(&t);
	strbuf_release(&cls);
}

/* product p's cells: one per column, or per run of alike columns */
static void
cells_of(struct strbuf *sb, const struct svg_heatmap *h,
	 const struct xscale *s, size_t p, double y)
{
	struct cov_summary run, next;
	size_t k0 = 0;

	cov_summarize(h->g, p, s->cols[0].first, s->cols[0].last, &run);
	next = run;
	for (size_t k = 1; k <= s->n; k++) {
		if (k < s->n) {
			cov_summarize(h->g, p, s->cols[k].first,
				      s->cols[k].last, &next);
			if (h->merge && alike(&run, &next))
				continue;
		}
		cell(sb, h, s, p, k0, k, run.worst, y);
		k0 = k;
		run = next;
	}
}

enum cov_unit
svg_heatmap(struct strbuf *sb, const struct svg_heatmap *h, int *step)
{
	struct cov_column *cols = NULL;
	struct xscale s;
	enum cov_unit unit;
	double names_w = names_width(h->g), top = 34, bottom, w;
	size_t max_cols = (size_t)fmax(1, floor(h->plot_w / h->min_col_w));

	unit = cov_columns(h->lo, h->hi, max_cols, &cols, &s.n, step);
	s.cols = cols;
	s.x0 = names_w + 8;
	s.col_w = fmin(h->max_col_w, h->plot_w / (double)s.n);
	bottom = top + h->row_h * (double)h->g->n_products;
	w = s.x0 + s.col_w * (double)s.n + 12;
	svg_open(sb, h->id, "heatmap", w, bottom + 6, h->label);
	time_axis(sb, &s, h->lo, h->hi, 28, 13, top - 4, bottom);
	for (size_t p = 0; p < h->g->n_products; p++) {
		double y = top + h->row_h * (double)p;

		row_name(sb, h->g->products[p].product->name, s.x0 - 6,
			 y + h->row_h / 2 + 3.5, names_w);
		cells_of(sb, h, &s, p, y + 1);
	}
	if (h->mark_lo != COV_NO_DAY && h->mark_lo <= h->mark_hi &&
	    h->mark_hi >= h->lo && h->mark_lo <= h->hi) {
		double x1 = x_of(&s, h->mark_lo), x2 = x_of(&s, h->mark_hi + 1);

		rect_open(sb, "window", x1 - 1, top - 3, x2 - x1 + 2,
			  bottom - top + 6);
		strbuf_addstr(sb, "><title>the days enlarged below</title>"
				  "</rect>\n");
	}
	strbuf_addstr(sb, "</svg>\n");
	free(cols);
	return unit;
}

/* -- the builds chart ---------------------------------------------------- */

/* what the builds of a column add up to */
struct bar {
	int64_t ok, failed, other, finished;
	double total_s, max_s, median_s; /* median: one day only */
};

static void
bars_of(const struct sr_build_day *d, size_t n, const struct cov_column *c,
	struct bar *b)
{
	memset(b, 0, sizeof(*b));
	b->median_s = NAN;
	b->max_s = NAN;
	for (size_t i = (size_t)(c->first - d[0].date);
	     i < n && d[i].date <= c->last; i++) {
		b->ok += d[i].succeeded;
		b->failed += d[i].failed;
		b->other += d[i].other;
		b->finished += d[i].finished;
		b->total_s += d[i].total_s;
		if (!isnan(d[i].max_s) && !(d[i].max_s <= b->max_s))
			b->max_s = d[i].max_s;
		if (c->first == c->last)
			b->median_s = d[i].median_s;
	}
}

/* a step of 1, 2 or 5 times a power of ten giving at most 4 ticks */
static double
count_step(double max)
{
	static const double m[] = {1, 2, 5};
	double p = 1;

	for (;; p *= 10)
		for (size_t i = 0; i < 3; i++)
			if (max / (m[i] * p) <= 4)
				return m[i] * p;
}

/* a step of seconds giving at most 4 ticks */
static double
time_step(double max)
{
	static const double steps[] = {
		1,    2,    5,     10,    15,    30,    60,    120,
		300,  600,  900,   1800,  3600,  7200,  10800, 21600,
		43200, 86400, 172800, 432000, 864000,
	};
	size_t i = 0;

	while (i + 1 < sizeof(steps) / sizeof(steps[0]) && max / steps[i] > 4)
		i++;
	return max / steps[i] > 4 ? ceil(max / 4 / 86400) * 86400 : steps[i];
}

static void
time_label(double s, char *buf, size_t size)
{
	long v = lround(s);

	if (v == 0)
		snprintf(buf, size, "0");
	else if (v % 86400 == 0)
		snprintf(buf, size, "%ldd", v / 86400);
	else if (v % 3600 == 0)
		snprintf(buf, size, "%ldh", v / 3600);
	else if (v > 3600 && v % 60 == 0)
		snprintf(buf, size, "%ldh%02ldm", v / 3600, v % 3600 / 60);
	else if (v % 60 == 0)
		snprintf(buf, size, "%ldm", v / 60);
	else
		snprintf(buf, size, "%lds", v);
}

/* a panel's horizontal grid and its labels */
static void
y_axis(struct strbuf *sb, double x0, double x1, double top, double h,
       double max, double step, bool seconds)
{
	char buf[32];

	for (double v = 0; v <= max + step / 2; v += step) {
		double y = top + h - h * v / max;

		line(sb, v == 0 ? "axis" : "grid", x0, y, x1, y);
		if (seconds)
			time_label(v, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%.0f", v);
		strbuf_addstr(sb, "<text class=\"tick num\" x=\"");
		num(sb, x0 - 5);
		strbuf_addstr(sb, "\" y=\"");
		num(sb, y + 3.5);
		strbuf_addf(sb, "\">%s</text>\n", buf);
	}
}

/* a column's tooltip */
static void
bar_title(struct strbuf *sb, const struct cov_column *c, const struct bar *b)
{
	char d1[DATE_STRLEN], d2[DATE_STRLEN], t[DURATION_STRLEN];

	strbuf_addf(sb, "<title>%s", timeutil_format_date(c->first, d1));
	if (c->last != c->first)
		strbuf_addf(sb, " to %s", timeutil_format_date(c->last, d2));
	strbuf_addf(sb, ": %lld builds started: %lld succeeded, %lld failed",
		    (long long)(b->ok + b->failed + b->other), (long long)b->ok,
		    (long long)b->failed);
	if (b->other)
		strbuf_addf(sb, ", %lld other (queued, running or cancelled)",
			    (long long)b->other);
	if (b->finished) {
		strbuf_addf(sb, "; code run time %s in all",
			    timeutil_format_duration(b->total_s, t));
		if (!isnan(b->median_s))
			strbuf_addf(sb, ", median %s",
				    timeutil_format_duration(b->median_s, t));
		else
			strbuf_addf(sb, ", mean %s",
				    timeutil_format_duration(
					    b->total_s / (double)b->finished,
					    t));
		strbuf_addf(sb, ", longest %s",
			    timeutil_format_duration(b->max_s, t));
	}
	strbuf_addstr(sb, "</title>");
}

/* the chart's geometry */
struct chart {
	struct xscale s;
	double a_top, a_h, b_top, b_h;
	double max_n, step_n, max_t, step_t;
};

/* one column: its stacked bars, its run time, a tooltip over both */
static void
chart_column(struct strbuf *sb, const struct chart *ch, size_t k,
	     const struct bar *b)
{
	double bw = fmax(1, ch->s.col_w * 0.72);
	double x = ch->s.x0 + ch->s.col_w * (double)k + (ch->s.col_w - bw) / 2;
	double base = ch->a_top + ch->a_h;
	const struct {
		int64_t v;
		const char *cls;
	} stack[] = {{b->ok, "bar ok"}, {b->failed, "bar failed"},
		     {b->other, "bar other"}};

	strbuf_addstr(sb, "<g class=\"day\">");
	bar_title(sb, &ch->s.cols[k], b);
	rect_open(sb, "hit", ch->s.x0 + ch->s.col_w * (double)k, ch->a_top,
		  ch->s.col_w, ch->b_top + ch->b_h - ch->a_top);
	strbuf_addstr(sb, "/>");
	for (size_t i = 0; i < sizeof(stack) / sizeof(stack[0]); i++) {
		double h = ch->a_h * (double)stack[i].v / ch->max_n;

		if (!stack[i].v)
			continue;
		rect_open(sb, stack[i].cls, x, base - h, bw, h);
		strbuf_addstr(sb, "/>");
		base -= h;
	}
	if (b->total_s > 0) {
		double h = ch->b_h * b->total_s / ch->max_t;

		rect_open(sb, "bar time", x, ch->b_top + ch->b_h - h, bw, h);
		strbuf_addstr(sb, "/>");
	}
	strbuf_addstr(sb, "</g>\n");
}

/* a panel's heading with its colour keys */
static void
panel_head(struct strbuf *sb, double x, double y, const char *head,
	   const char *const *keys, const char *const *classes, size_t n)
{
	text_at(sb, "head", x, y, head);
	x += CHAR_W * (double)strlen(head) + 14;
	for (size_t i = 0; i < n; i++) {
		rect_open(sb, classes[i], x, y - 9, 10, 10);
		strbuf_addstr(sb, "/>");
		text_at(sb, "key", x + 14, y, keys[i]);
		x += 14 + CHAR_W * (double)strlen(keys[i]) + 12;
	}
}

void
svg_builds(struct strbuf *sb, const struct sr_build_day *d, size_t n,
	   const char *id)
{
	static const char *const keys[] = {"succeeded", "failed", "other"};
	static const char *const classes[] = {"bar ok", "bar failed",
					      "bar other"};
	struct cov_column *cols = NULL;
	struct bar *bars;
	struct chart ch = {.a_top = 26, .a_h = 110, .max_n = 1, .max_t = 1};
	double w;
	int step;

	cov_columns(d[0].date, d[n - 1].date, 880 / 4, &cols, &ch.s.n, &step);
	ch.s.cols = cols;
	ch.s.x0 = 52;
	ch.s.col_w = fmin(36, 880 / (double)ch.s.n);
	ch.b_top = ch.a_top + ch.a_h + 34;
	ch.b_h = 70;
	bars = xcalloc(ch.s.n, sizeof(*bars));
	for (size_t k = 0; k < ch.s.n; k++) {
		bars_of(d, n, &cols[k], &bars[k]);
		ch.max_n = fmax(ch.max_n, (double)(bars[k].ok +
						   bars[k].failed +
						   bars[k].other));
		ch.max_t = fmax(ch.max_t, bars[k].total_s);
	}
	ch.step_n = count_step(ch.max_n);
	ch.max_n = ceil(ch.max_n / ch.step_n) * ch.step_n;
	ch.step_t = time_step(ch.max_t);
	ch.max_t = ceil(ch.max_t / ch.step_t) * ch.step_t;
	w = ch.s.x0 + ch.s.col_w * (double)ch.s.n + 16;
	svg_open(sb, id, "chart", fmax(w, 560), ch.b_top + ch.b_h + 36,
		 "builds and code run time per day");
	panel_head(sb, ch.s.x0, ch.a_top - 10, "Builds started", keys,
		   classes, 3);
	panel_head(sb, ch.s.x0, ch.b_top - 10,
		   "Code run time (all builds that ended)", NULL, NULL, 0);
	y_axis(sb, ch.s.x0, w - 16, ch.a_top, ch.a_h, ch.max_n, ch.step_n,
	       false);
	y_axis(sb, ch.s.x0, w - 16, ch.b_top, ch.b_h, ch.max_t, ch.step_t,
	       true);
	time_axis(sb, &ch.s, d[0].date, d[n - 1].date, ch.b_top + ch.b_h + 14,
		  ch.b_top + ch.b_h + 29, ch.b_top + ch.b_h, ch.b_top + ch.b_h);
	for (size_t k = 0; k < ch.s.n; k++)
		chart_column(sb, &ch, k, &bars[k]);
	strbuf_addstr(sb, "</svg>\n");
	free(bars);
	free(cols);
}
