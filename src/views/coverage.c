/*
 * coverage.c - the coverage of the archive as the report shows it (see
 * coverage.h).
 *
 * A product's days are found by binary search in its slice of the facts
 * and of the classified missing days; a group of days walks both slices
 * once and counts whatever is left (days nothing is known of) as a gap
 * or as nothing, by the same rule as a single day.
 */
#include "coverage.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "period.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

static const struct {
	const char *name, *label, *color;
} states[COV_N_STATES] = {
	[COV_NONE] = {"none", "no file expected", "#eef0f3"},
	[COV_CURRENT] = {"current", "present", "#74c476"},
	[COV_UPDATED] = {"updated", "newer version", "#238b45"},
	[COV_NO_INPUT] = {"no-input", "no input", "#c4c8ce"},
	[COV_BUILDING] = {"building", "being built", "#6baed6"},
	[COV_OLD] = {"old", "older interface", "#f2c12e"},
	[COV_GAP] = {"gap", "gap", "#fd8d3c"},
	[COV_FAILED] = {"failed", "build failed", "#d7301f"},
};

enum cov_state
cov_state(const struct cov_facts *f)
{
	if (f->failed)
		return COV_FAILED;
	if (f->building)
		return COV_BUILDING;
	if (f->file) {
		if (f->version.interface < f->newest_interface)
			return COV_OLD;
		if (f->version.quality || f->version.revision)
			return COV_UPDATED;
		return COV_CURRENT;
	}
	if (!f->in_span || !f->daily)
		return COV_NONE;
	return f->no_input ? COV_NO_INPUT : COV_GAP;
}

static void
check_state(enum cov_state s)
{
	if ((int)s < 0 || s >= COV_N_STATES)
		BUG("coverage state %d", (int)s);
}

const char *
cov_state_name(enum cov_state s)
{
	check_state(s);
	return states[s].name;
}

const char *
cov_state_label(enum cov_state s)
{
	check_state(s);
	return states[s].label;
}

const char *
cov_state_color(enum cov_state s)
{
	check_state(s);
	return states[s].color;
}

/* -- the grid ------------------------------------------------------------ */

static int
cmp_product(const void *a, const void *b)
{
	const struct product *x = ((const struct cov_product *)a)->product;
	const struct product *y = ((const struct cov_product *)b)->product;
	int c;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	if ((c = strcmp(x->name, y->name)))
		return c;
	return (x->id > y->id) - (x->id < y->id);
}

/* product ids are read as the 32-bit keys they are */
_Static_assert(sizeof(int) == sizeof(int32_t), "product ids are 32 bits");

/*
 * The one lower bound of the grid's sorted arrays: the first of the
 * elements base[lo..hi) (each size bytes, in order of the 32-bit key at
 * offset off) whose key is at least key.
 */
static size_t
first_at_least(const void *base, size_t size, size_t off, size_t lo,
	       size_t hi, int32_t key)
{
	const char *b = base;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int32_t k;

		memcpy(&k, b + mid * size + off, sizeof(k));
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* the first of facts[lo..hi) whose product id is >= id */
#define product_facts_from(f, lo, hi, id)                                    \
	first_at_least(f, sizeof(struct sr_day),                             \
		       offsetof(struct sr_day, product_id), lo, hi, id)
/* the first of facts[lo..hi) (one product's) on or after day */
#define fact_from(f, lo, hi, day)                                            \
	first_at_least(f, sizeof(struct sr_day),                             \
		       offsetof(struct sr_day, date), lo, hi, day)
/* likewise of gaps[lo..hi) */
#define gap_from(g, lo, hi, day)                                             \
	first_at_least(g, sizeof(struct check_gap_day),                      \
		       offsetof(struct check_gap_day, date), lo, hi, day)

/* the maker of product p in cfg, or NULL (delivered) */
static const struct process *
maker_of(const struct config *cfg, const struct product *p)
{
	for (size_t i = 0; i < cfg->n_processes; i++) {
		const struct process *pr = &cfg->processes[i];

		if (pr->output_product_id ? pr->output_product_id == p->id
					  : pr->output_product &&
						    !strcmp(pr->output_product,
							    p->name))
			return pr;
	}
	return NULL;
}

/* the product of id in g, or NULL */
static struct cov_product *
row_of(struct cov_grid *g, int id)
{
	for (size_t i = 0; i < g->n_products; i++)
		if (g->products[i].product->id == id)
			return &g->products[i];
	return NULL;
}

static void
widen(int32_t *first, int32_t *last, int32_t day)
{
	if (*first == COV_NO_DAY || day < *first)
		*first = day;
	if (*last == COV_NO_DAY || day > *last)
		*last = day;
}

/* the slice of facts of product r, its span of files and interface */
static void
init_facts(struct cov_grid *g, struct cov_product *r)
{
	int id = r->product->id;

	r->f0 = product_facts_from(g->facts, 0, g->n_facts, id);
	r->f1 = product_facts_from(g->facts, r->f0, g->n_facts, id + 1);
	for (size_t i = r->f0; i < r->f1; i++) {
		const struct sr_day *d = &g->facts[i];

		widen(&g->first, &g->last, d->date);
		if (!d->file)
			continue;
		widen(&r->first, &r->last, d->date);
		widen(&g->file_first, &g->file_last, d->date);
		if (d->version.interface > r->newest_interface)
			r->newest_interface = d->version.interface;
	}
}

void
cov_grid_init(struct cov_grid *g, const struct config *cfg,
	      const struct sr_day *facts, size_t n_facts,
	      const struct check_gap_day *gaps, size_t n_gaps, bool gaps_known)
{
	memset(g, 0, sizeof(*g));
	g->facts = facts;
	g->n_facts = n_facts;
	g->gaps = gaps;
	g->n_gaps = n_gaps;
	g->gaps_known = gaps_known;
	g->first = g->last = g->file_first = g->file_last = COV_NO_DAY;
	g->n_products = cfg->n_products;
	g->products = xcalloc(g->n_products + 1, sizeof(*g->products));
	for (size_t i = 0; i < cfg->n_products; i++) {
		struct cov_product *r = &g->products[i];
		const struct process *pr;

		r->product = &cfg->products[i];
		pr = maker_of(cfg, r->product);
		r->delivered = !pr;
		r->daily = !pr || pr->timebase == TIMEBASE_DAILY;
		/* several files a day: per keywords, hour or orbit */
		r->many = (pr && pr->timebase == TIMEBASE_FILE) ||
			  timebase_numbered(r->product->timebase);
		r->first = r->last = COV_NO_DAY;
	}
	qsort(g->products, g->n_products, sizeof(*g->products), cmp_product);
	for (size_t i = 0; i < g->n_products; i++)
		init_facts(g, &g->products[i]);
	/* each product's missing days are together, by date */
	for (size_t i = 0; i < n_gaps;) {
		size_t j = i + 1;
		struct cov_product *r;

		while (j < n_gaps && gaps[j].product_id == gaps[i].product_id)
			j++;
		if ((r = row_of(g, gaps[i].product_id))) {
			r->g0 = i;
			r->g1 = j;
		}
		i = j;
	}
}

void
cov_grid_release(struct cov_grid *g)
{
	free(g->products);
	memset(g, 0, sizeof(*g));
}

static const struct cov_product *
product_at(const struct cov_grid *g, size_t p)
{
	if (p >= g->n_products)
		BUG("coverage product %zu of %zu", p, g->n_products);
	return &g->products[p];
}

/* the facts of a day of r that has no row, and whether it is classified */
static void
facts_missing(const struct cov_product *r, int32_t day, bool no_input,
	      struct cov_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->newest_interface = r->newest_interface;
	f->in_span = r->first != COV_NO_DAY && day >= r->first &&
		     day <= r->last;
	f->daily = r->daily;
	f->no_input = no_input;
}

/* the facts of row d of r */
static void
facts_of(const struct cov_product *r, const struct sr_day *d,
	 struct cov_facts *f)
{
	facts_missing(r, d->date, false, f);
	f->file = d->file;
	f->version = d->version;
	f->failed = d->failed_build != 0;
	f->building = d->open_build != 0;
}

const struct sr_day *
cov_day(const struct cov_grid *g, size_t p, int32_t day, struct cov_facts *f,
	enum cov_state *state)
{
	const struct cov_product *r = product_at(g, p);
	size_t i = fact_from(g->facts, r->f0, r->f1, day);
	size_t j = gap_from(g->gaps, r->g0, r->g1, day);
	const struct sr_day *d = NULL;
	bool no_input = false;

	if (i < r->f1 && g->facts[i].date == day)
		d = &g->facts[i];
	if (j < r->g1 && g->gaps[j].date == day)
		no_input = g->gaps[j].no_input;
	if (d)
		facts_of(r, d, f);
	else
		facts_missing(r, day, no_input, f);
	*state = cov_state(f);
	return d;
}

/* -- groups of days ------------------------------------------------------ */

static void
count_day(struct cov_summary *s, const struct cov_facts *f)
{
	enum cov_state st = cov_state(f);

	s->count[st]++;
	if (st > s->worst)
		s->worst = st;
	if (!f->file)
		return;
	if (!s->has_version || version_cmp(&f->version, &s->vmin) < 0)
		s->vmin = f->version;
	if (!s->has_version || version_cmp(&f->version, &s->vmax) > 0)
		s->vmax = f->version;
	s->has_version = true;
}

void
cov_summarize(const struct cov_grid *g, size_t p, int32_t first, int32_t last,
	      struct cov_summary *s)
{
	const struct cov_product *r = product_at(g, p);
	size_t i = r->f0, j = r->g0;
	int64_t known = 0, known_in_span = 0, span = 0;
	struct cov_facts f;

	memset(s, 0, sizeof(*s));
	if (first > last)
		return;
	s->days = (int64_t)last - first + 1;
	i = fact_from(g->facts, i, r->f1, first);
	j = gap_from(g->gaps, j, r->g1, first);
	/* the days with a row, and the classified ones without */
	while ((i < r->f1 && g->facts[i].date <= last) ||
	       (j < r->g1 && g->gaps[j].date <= last)) {
		bool fact = i < r->f1 && g->facts[i].date <= last;
		bool gap = j < r->g1 && g->gaps[j].date <= last;

		if (fact && (!gap || g->facts[i].date <= g->gaps[j].date)) {
			if (gap && g->gaps[j].date == g->facts[i].date)
				j++;
			facts_of(r, &g->facts[i++], &f);
		} else {
			facts_missing(r, g->gaps[j].date, g->gaps[j].no_input,
				      &f);
			j++;
		}
		count_day(s, &f);
		known++;
		known_in_span += f.in_span;
	}
	/* the rest: nothing known, by the same rule */
	if (r->first != COV_NO_DAY && r->last >= first && r->first <= last)
		span = (int64_t)(r->last < last ? r->last : last) -
		       (r->first > first ? r->first : first) + 1;
	facts_missing(r, r->first, false, &f);
	if (span - known_in_span > 0) {
		enum cov_state st = cov_state(&f);

		s->count[st] += span - known_in_span;
		if (st > s->worst)
			s->worst = st;
	}
	if (s->days - known - (span - known_in_span) > 0)
		s->count[COV_NONE] += s->days - known - (span - known_in_span);
}

bool
cov_window(const struct cov_grid *g, int32_t from, int32_t to, int ndays,
	   int32_t *lo, int32_t *hi)
{
	if (ndays < 1)
		ndays = 1;
	if (from != COV_NO_DAY && to != COV_NO_DAY) {
		*lo = from;
		*hi = to;
	} else if (from != COV_NO_DAY) {
		*lo = from;
		*hi = g->file_last != COV_NO_DAY && g->file_last > from
			      ? g->file_last
			      : from;
	} else if (to != COV_NO_DAY) {
		*hi = to;
		*lo = to - (ndays - 1);
	} else {
		if (g->file_last == COV_NO_DAY)
			return false;
		*hi = g->file_last;
		*lo = g->file_last - (ndays - 1);
		if (*lo < g->file_first)
			*lo = g->file_first;
	}
	return true;
}

/* -- columns ------------------------------------------------------------- */

const char *
cov_unit_name(enum cov_unit u)
{
	static const char *const names[] = {"day", "week", "month", "year"};

	if ((int)u >= 0 && u <= COV_YEAR)
		return names[u];
	BUG("coverage unit %d", (int)u);
}

/* the period of unit u (years: step of them, from year 1) holding day */
static void
unit_period(enum cov_unit u, int step, int32_t day, int32_t *s, int32_t *e)
{
	static const enum timebase tb[] = {TIMEBASE_DAILY, TIMEBASE_WEEKLY,
					   TIMEBASE_MONTHLY, TIMEBASE_YEARLY};
	int y, m, d;

	timebase_period(tb[u], day, s, e);
	if (u != COV_YEAR || step <= 1)
		return;
	timeutil_ymd_from_days(day, &y, &m, &d);
	y -= ((y - 1) % step + step) % step;
	*s = timeutil_days_from_ymd(y, 1, 1);
	*e = timeutil_days_from_ymd(y + step, 1, 1) - 1;
}

static size_t
count_columns(enum cov_unit u, int step, int32_t lo, int32_t hi)
{
	size_t n = 0;
	int32_t s, e;

	for (int32_t d = lo; d <= hi; d = e + 1) {
		unit_period(u, step, d, &s, &e);
		n++;
		if (e >= hi)
			break;
	}
	return n;
}

enum cov_unit
cov_columns(int32_t lo, int32_t hi, size_t max_cols, struct cov_column **out,
	    size_t *n, int *years)
{
	enum cov_unit u = COV_DAY;
	int step = 1;
	size_t k = 0;
	int32_t s, e;

	if (lo > hi)
		BUG("coverage columns from %d after %d", (int)lo, (int)hi);
	if (max_cols < 1)
		max_cols = 1;
	if ((int64_t)hi - lo + 1 > (int64_t)max_cols) {
		u = COV_WEEK;
		while (u < COV_YEAR && count_columns(u, 1, lo, hi) > max_cols)
			u++;
		while (u == COV_YEAR && count_columns(u, step, lo, hi) >
						max_cols)
			step = step < 5 ? step + 4 : step * 2;
	}
	*n = count_columns(u, step, lo, hi);
	*out = xcalloc(*n + 1, sizeof(**out));
	for (int32_t d = lo; k < *n; d = e + 1) {
		unit_period(u, step, d, &s, &e);
		(*out)[k].first = d;
		(*out)[k].last = e < hi ? e : hi;
		k++;
	}
	*years = step;
	return u;
}

/* -- words --------------------------------------------------------------- */

/* a day's words: its version, its build, or why it has no file */
static void
describe_day(struct strbuf *sb, const struct cov_product *r,
	     const struct sr_day *d, const struct cov_facts *f,
	     enum cov_state st)
{
	char v[VERSION_STRLEN];

	if (d && d->failed_build)
		strbuf_addf(sb, "build %lld %s", (long long)d->failed_build,
			    d->failed_state ? d->failed_state : "failed");
	else if (d && d->open_build)
		strbuf_addf(sb, "build %lld queued or running",
			    (long long)d->open_build);
	if (f->file) {
		strbuf_addf(sb, "%s%s", f->failed || f->building ? "; " : "",
			    version_format(&f->version, v));
		if (r->many)
			strbuf_addf(sb, " (%lld file%s)", (long long)d->files,
				    d->files == 1 ? "" : "s");
		if (st == COV_OLD)
			strbuf_addf(sb, ", superseded: the product is at "
					"interface %d",
				    r->newest_interface);
		else if (st == COV_UPDATED)
			strbuf_addstr(sb, ", a newer version");
		return;
	}
	if (f->failed || f->building)
		return;
	if (st == COV_GAP)
		strbuf_addstr(sb, "no file: a gap that could be built");
	else if (st == COV_NO_INPUT)
		strbuf_addstr(sb, r->delivered ? "no file: none was delivered"
					       : "no file: a required input "
						 "never arrived");
	else if (f->in_span)
		strbuf_addstr(sb, "no file (not made daily)");
	else
		strbuf_addstr(sb, "no file");
}

void
cov_describe(struct strbuf *sb, const struct cov_grid *g, size_t p,
	     const struct cov_column *c)
{
	const struct cov_product *r = product_at(g, p);
	char d1[DATE_STRLEN], d2[DATE_STRLEN], v[VERSION_STRLEN];
	struct cov_summary s;
	const char *sep = "";

	strbuf_addf(sb, "%s %s", r->product->name,
		    timeutil_format_date(c->first, d1));
	if (c->first == c->last) {
		struct cov_facts f;
		enum cov_state st;
		const struct sr_day *d = cov_day(g, p, c->first, &f, &st);

		strbuf_addstr(sb, ": ");
		describe_day(sb, r, d, &f, st);
		return;
	}
	cov_summarize(g, p, c->first, c->last, &s);
	strbuf_addf(sb, " to %s (%lld days): ",
		    timeutil_format_date(c->last, d2), (long long)s.days);
	for (int st = COV_N_STATES - 1; st >= 0; st--) {
		if (!s.count[st])
			continue;
		strbuf_addf(sb, "%s%lld %s", sep, (long long)s.count[st],
			    states[st].label);
		sep = ", ";
	}
	if (!s.has_version)
		return;
	strbuf_addf(sb, "; version %s", version_format(&s.vmin, v));
	if (version_cmp(&s.vmin, &s.vmax))
		strbuf_addf(sb, " to %s", version_format(&s.vmax, v));
}
