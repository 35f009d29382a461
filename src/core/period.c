/*
 * period.c - periods, spans, keys and the code rule (see period.h).
 */
#include "period.h"

#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

static const char *const timebase_names[TIMEBASE_COUNT] = {
	[TIMEBASE_FILE] = "FILE",	  [TIMEBASE_DAILY] = "DAILY",
	[TIMEBASE_WEEKLY] = "WEEKLY",	  [TIMEBASE_MONTHLY] = "MONTHLY",
	[TIMEBASE_YEARLY] = "YEARLY",	  [TIMEBASE_RUN] = "RUN",
	[TIMEBASE_HOURLY] = "HOURLY",	  [TIMEBASE_ORBIT] = "ORBIT",
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

int
timebase_parse_to(const char *s, void *out)
{
	return timebase_parse(s, out);
}

bool
timebase_by_time(enum timebase tb)
{
	return tb != TIMEBASE_FILE && tb != TIMEBASE_RUN;
}

bool
timebase_numbered(enum timebase tb)
{
	return tb == TIMEBASE_HOURLY || tb == TIMEBASE_ORBIT;
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
	case TIMEBASE_HOURLY:
	case TIMEBASE_ORBIT:
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
period_span_overlaps_at(const struct period_span *s, int64_t from, int64_t to)
{
	return s->start < to && period_span_last(s) >= from;
}

bool
period_span_overlaps(const struct period_span *s, int32_t first, int32_t last)
{
	return period_span_overlaps_at(s, (int64_t)first * USEC_PER_DAY,
				       (int64_t)(last + 1) * USEC_PER_DAY);
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

void
period_hour(int64_t t, struct period_slot *out)
{
	int64_t h = t / USEC_PER_HOUR;

	/* floor, also before 1970 */
	if (t % USEC_PER_HOUR < 0)
		h--;
	out->number = h;
	out->start = h * USEC_PER_HOUR;
	out->stop = out->start + USEC_PER_HOUR;
}

/* the first slot of slots[0..n) that stops after t (n: none) */
static size_t
first_stopping_after(const struct period_slot *slots, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (slots[mid].stop > t)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

size_t
period_slot_keys(const struct period_slot *slots, size_t n,
		 const struct period_span *s, int yesterday, int tomorrow,
		 struct period_slot_key **out)
{
	struct period_slot_key *k = NULL;
	size_t nk = 0, alloc = 0, from, to;
	int64_t last = period_span_last(s);

	*out = NULL;
	if (n == 0)
		return 0;
	if (yesterday < 0)
		yesterday = 0;
	if (tomorrow < 0)
		tomorrow = 0;
	/*
	 * the slots the span may touch are [lo, hi): lo the first stopping
	 * after its start, hi the first stopping after its last instant,
	 * plus one; a key's window reaches tomorrow slots forward and
	 * yesterday back, so the keys are within [lo - tomorrow, hi +
	 * yesterday)
	 */
	from = first_stopping_after(slots, n, s->start);
	to = first_stopping_after(slots, n, last);
	to = to < n ? to + 1 : n;
	from = from > (size_t)tomorrow ? from - (size_t)tomorrow : 0;
	to = n - to > (size_t)yesterday ? to + (size_t)yesterday : n;
	for (size_t i = from; i < to; i++) {
		size_t a = i > (size_t)yesterday ? i - (size_t)yesterday : 0;
		size_t b = n - 1 - i > (size_t)tomorrow ? i + (size_t)tomorrow
							: n - 1;

		if (!period_span_overlaps_at(s, slots[a].start, slots[b].stop))
			continue;
		ALLOC_GROW(k, nk + 1, alloc);
		k[nk].slot = slots[i];
		k[nk].own = period_span_overlaps_at(s, slots[i].start,
						    slots[i].stop);
		nk++;
	}
	*out = k;
	return nk;
}

size_t
period_hour_keys(const struct period_span *s, int yesterday, int tomorrow,
		 struct period_slot_key **out)
{
	struct period_slot first, last, *slots;
	size_t n, nk;

	if (yesterday < 0)
		yesterday = 0;
	if (tomorrow < 0)
		tomorrow = 0;
	/* the hours that can be keys: the span's, widened */
	period_hour(s->start, &first);
	period_hour(period_span_last(s), &last);
	n = (size_t)(last.number - first.number) + 1 + (size_t)yesterday +
	    (size_t)tomorrow;
	slots = xcalloc(n, sizeof(*slots));
	for (size_t i = 0; i < n; i++)
		period_hour((first.number - tomorrow + (int64_t)i) *
				    USEC_PER_HOUR,
			    &slots[i]);
	nk = period_slot_keys(slots, n, s, yesterday, tomorrow, out);
	free(slots);
	return nk;
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
