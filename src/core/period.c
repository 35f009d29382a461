/*
 * period.c - periods, spans, keys and the code rule (see period.h).
 */
#include "period.h"

#include <string.h>

#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

static const char *const timebase_names[TIMEBASE_COUNT] = {
	[TIMEBASE_FILE] = "FILE",	  [TIMEBASE_DAILY] = "DAILY",
	[TIMEBASE_WEEKLY] = "WEEKLY",	  [TIMEBASE_MONTHLY] = "MONTHLY",
	[TIMEBASE_YEARLY] = "YEARLY",	  [TIMEBASE_RUN] = "RUN",
};

const char *
timebase_name(enum timebase tb)
{
	if ((unsigned)tb >= ARRAY_SIZE(timebase_names))
		return "UNKNOWN";
	return timebase_names[tb];
}

/* ASCII only: the locale must not change what a name means */
static bool
ascii_caseeq(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca >= 'a' && ca <= 'z')
			ca -= 'a' - 'A';
		if (cb >= 'a' && cb <= 'z')
			cb -= 'a' - 'A';
		if (ca != cb)
			return false;
		if (!ca)
			return true;
	}
}

int
timebase_parse(const char *s, enum timebase *out)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(timebase_names); i++) {
		if (ascii_caseeq(s, timebase_names[i])) {
			*out = (enum timebase)i;
			return 0;
		}
	}
	return -1;
}

bool
timebase_by_time(enum timebase tb)
{
	return tb != TIMEBASE_FILE && tb != TIMEBASE_RUN;
}

void
timebase_period(enum timebase tb, int32_t day, int32_t *start, int32_t *end)
{
	int y, m, d;

	switch (tb) {
	case TIMEBASE_WEEKLY:
		*start = day - timeutil_weekday(day);
		*end = *start + 6;
		return;
	case TIMEBASE_MONTHLY:
		timeutil_ymd_from_days(day, &y, &m, &d);
		*start = timeutil_days_from_ymd(y, m, 1);
		*end = *start + timeutil_days_in_month(y, m) - 1;
		return;
	case TIMEBASE_YEARLY:
		timeutil_ymd_from_days(day, &y, &m, &d);
		*start = timeutil_days_from_ymd(y, 1, 1);
		*end = *start + (timeutil_days_in_month(y, 2) == 29 ? 366 : 365) -
		       1;
		return;
	case TIMEBASE_FILE:
	case TIMEBASE_DAILY:
	case TIMEBASE_RUN:
		break;
	}
	*start = *end = day;
}

int64_t
period_stop_usec(enum timebase tb, int32_t start, bool exclusive)
{
	int32_t s, e;

	timebase_period(tb, start, &s, &e);
	return (int64_t)(e + 1) * USEC_PER_DAY - (exclusive ? 0 : 1);
}

int64_t
period_span_last(const struct period_span *s)
{
	int64_t last = s->stop;

	if (s->exclusive && s->stop > s->start)
		last = s->stop - 1;
	return last < s->start ? s->start : last;
}

void
period_span_days(const struct period_span *s, int32_t *first, int32_t *last)
{
	*first = timeutil_date_of(s->start);
	*last = timeutil_date_of(period_span_last(s));
}

bool
period_span_overlaps(const struct period_span *s, int32_t first, int32_t last)
{
	return s->start < (int64_t)(last + 1) * USEC_PER_DAY &&
	       period_span_last(s) >= (int64_t)first * USEC_PER_DAY;
}

size_t
period_keys(enum timebase tb, int32_t first, int32_t last,
	    int yesterday, int tomorrow, struct period_key **out)
{
	int32_t from = first - tomorrow, to = last + yesterday;
	struct period_key *k = NULL;
	size_t n = 0, alloc = 0;
	int32_t d = from;

	if (to < from)
		to = from;
	while (d <= to) {
		int32_t s, e;

		timebase_period(tb, d, &s, &e);
		ALLOC_GROW(k, n + 1, alloc);
		k[n].start = s;
		k[n].end = e;
		k[n].own = s <= last && e >= first;
		n++;
		d = e + 1;
	}
	*out = k;
	return n;
}

/* whether code c is valid on every day of [a, b] */
static bool
covers(const struct period_code *c, int32_t a, int32_t b)
{
	return c->start <= a && c->stop >= b;
}

enum period_code_result
period_code(const struct period_code *codes, size_t n, int32_t start,
	    int32_t end, size_t *chosen, size_t *other)
{
	size_t best = n;

	for (size_t i = 0; i < n; i++) {
		if (codes[i].start > end || codes[i].stop < start)
			continue;
		if (best == n ||
		    version_cmp(&codes[i].version, &codes[best].version) > 0)
			best = i;
	}
	if (best == n)
		return PERIOD_CODE_NONE;
	*chosen = best;
	for (size_t i = 0; i < n; i++) {
		int32_t a, b;

		if (i == best || codes[i].start > end || codes[i].stop < start)
			continue;
		/* the days of the period this other code is valid on */
		a = codes[i].start > start ? codes[i].start : start;
		b = codes[i].stop < end ? codes[i].stop : end;
		if (!covers(&codes[best], a, b)) {
			*other = i;
			return PERIOD_CODE_SHARED;
		}
	}
	return PERIOD_CODE_ONE;
}
