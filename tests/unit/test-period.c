/*
 * test-period.c - the planning rules of time, as tables: periods, the
 * days a file covers (inclusive and exclusive stop times), the input
 * overlap rule, the keys a file feeds, and the code rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "timeutil.h"
#include "unit.h"

static int32_t
D(const char *s)
{
	int32_t d = 0;

	if (timeutil_parse_date(s, strlen(s), &d))
		CU_FAIL("bad date in a test table");
	return d;
}

static int64_t
T(const char *s)
{
	int64_t t = 0;

	if (timeutil_parse_timestamp(s, strlen(s), &t))
		CU_FAIL("bad timestamp in a test table");
	return t;
}

static void
test_timebase_parse(void)
{
	enum timebase tb;

	CU_ASSERT(timebase_parse("WEEKLY", &tb) == 0 &&
		  tb == TIMEBASE_WEEKLY);
	CU_ASSERT(timebase_parse("RUN", &tb) == 0 && tb == TIMEBASE_RUN);
	/* one parser for mission files and the database: any case */
	CU_ASSERT(timebase_parse("weekly", &tb) == 0 && tb == TIMEBASE_WEEKLY);
	CU_ASSERT(timebase_parse("orbit", &tb) == 0 && tb == TIMEBASE_ORBIT);
	CU_ASSERT(timebase_parse("MINUTELY", &tb) == -1);
	CU_ASSERT(timebase_by_time(TIMEBASE_HOURLY));
	CU_ASSERT(timebase_numbered(TIMEBASE_HOURLY));
	CU_ASSERT(timebase_numbered(TIMEBASE_ORBIT));
	CU_ASSERT(!timebase_numbered(TIMEBASE_DAILY));
	CU_ASSERT(!timebase_numbered(TIMEBASE_FILE));
	CU_ASSERT(timebase_parse(NULL, &tb) == -1);
	CU_ASSERT(timebase_by_time(TIMEBASE_DAILY));
	CU_ASSERT(timebase_by_time(TIMEBASE_YEARLY));
	CU_ASSERT(!timebase_by_time(TIMEBASE_FILE));
	CU_ASSERT(!timebase_by_time(TIMEBASE_RUN));
}

static void
test_period_of(void)
{
	static const struct {
		enum timebase tb;
		const char *day, *start, *end;
	} cases[] = {
		{TIMEBASE_DAILY, "2024-03-10", "2024-03-10", "2024-03-10"},
		{TIMEBASE_FILE, "2024-03-10", "2024-03-10", "2024-03-10"},
		{TIMEBASE_RUN, "2024-03-10", "2024-03-10", "2024-03-10"},
		/* 2024-03-10 is a Sunday: its ISO week began on the 4th */
		{TIMEBASE_WEEKLY, "2024-03-10", "2024-03-04", "2024-03-10"},
		{TIMEBASE_WEEKLY, "2024-03-11", "2024-03-11", "2024-03-17"},
		{TIMEBASE_WEEKLY, "2024-01-01", "2024-01-01", "2024-01-07"},
		/* a week across the new year */
		{TIMEBASE_WEEKLY, "2025-01-01", "2024-12-30", "2025-01-05"},
		{TIMEBASE_MONTHLY, "2024-02-15", "2024-02-01", "2024-02-29"},
		{TIMEBASE_MONTHLY, "2023-02-28", "2023-02-01", "2023-02-28"},
		{TIMEBASE_MONTHLY, "2024-12-31", "2024-12-01", "2024-12-31"},
		{TIMEBASE_YEARLY, "2024-07-01", "2024-01-01", "2024-12-31"},
		{TIMEBASE_YEARLY, "2023-12-31", "2023-01-01", "2023-12-31"},
		{TIMEBASE_YEARLY, "1900-06-01", "1900-01-01", "1900-12-31"},
		{TIMEBASE_DAILY, "1969-12-31", "1969-12-31", "1969-12-31"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int32_t s, e;

		timebase_period(cases[i].tb, D(cases[i].day), &s, &e);
		CU_ASSERT_EQUAL(s, D(cases[i].start));
		CU_ASSERT_EQUAL(e, D(cases[i].end));
	}
}

static void
test_stop_usec(void)
{
	static const struct {
		enum timebase tb;
		const char *start;
		bool exclusive;
		const char *stop;
	} cases[] = {
		{TIMEBASE_DAILY, "2024-03-10", false,
		 "2024-03-10T23:59:59.999999"},
		{TIMEBASE_DAILY, "2024-03-10", true, "2024-03-11T00:00:00"},
		{TIMEBASE_WEEKLY, "2024-03-04", false,
		 "2024-03-10T23:59:59.999999"},
		{TIMEBASE_WEEKLY, "2024-03-04", true, "2024-03-11T00:00:00"},
		{TIMEBASE_MONTHLY, "2024-02-01", false,
		 "2024-02-29T23:59:59.999999"},
		{TIMEBASE_MONTHLY, "2024-02-01", true, "2024-03-01T00:00:00"},
		{TIMEBASE_YEARLY, "2024-01-01", true, "2025-01-01T00:00:00"},
		{TIMEBASE_FILE, "2024-03-10", false,
		 "2024-03-10T23:59:59.999999"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CU_ASSERT_EQUAL(period_stop_usec(cases[i].tb,
						 D(cases[i].start),
						 cases[i].exclusive),
				T(cases[i].stop));
}

/* the days a file covers, under either reading of its stop time */
static void
test_span_days(void)
{
	static const struct {
		const char *start, *stop;
		bool exclusive;
		const char *first, *last;
	} cases[] = {
		/* a daily file ending on its last microsecond */
		{"2024-03-10T00:00:00", "2024-03-10T23:59:59.999999", false,
		 "2024-03-10", "2024-03-10"},
		{"2024-03-10T00:00:00", "2024-03-10T23:59:59.999999", true,
		 "2024-03-10", "2024-03-10"},
		/* ending at the next midnight: two days, unless exclusive */
		{"2024-03-10T00:00:00", "2024-03-11T00:00:00", false,
		 "2024-03-10", "2024-03-11"},
		{"2024-03-10T00:00:00", "2024-03-11T00:00:00", true,
		 "2024-03-10", "2024-03-10"},
		/* spanning midnight: two days either way */
		{"2024-03-10T20:00:00", "2024-03-11T04:00:00", false,
		 "2024-03-10", "2024-03-11"},
		{"2024-03-10T20:00:00", "2024-03-11T04:00:00", true,
		 "2024-03-10", "2024-03-11"},
		/* longer than a day: every day it touches */
		{"2024-03-10T00:00:00", "2024-03-12T12:00:00", false,
		 "2024-03-10", "2024-03-12"},
		{"2024-03-10T00:00:00", "2024-03-13T00:00:00", true,
		 "2024-03-10", "2024-03-12"},
		/* an instant, at midnight: its day, either way */
		{"2024-03-11T00:00:00", "2024-03-11T00:00:00", false,
		 "2024-03-11", "2024-03-11"},
		{"2024-03-11T00:00:00", "2024-03-11T00:00:00", true,
		 "2024-03-11", "2024-03-11"},
		/* a stop before the start counts as the start */
		{"2024-03-11T06:00:00", "2024-03-10T06:00:00", false,
		 "2024-03-11", "2024-03-11"},
		/* before 1970 */
		{"1969-12-31T12:00:00", "1970-01-01T00:00:00", false,
		 "1969-12-31", "1970-01-01"},
		{"1969-12-31T12:00:00", "1970-01-01T00:00:00", true,
		 "1969-12-31", "1969-12-31"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct period_span s = {T(cases[i].start), T(cases[i].stop),
					cases[i].exclusive};
		int32_t f, l;

		period_span_days(&s, &f, &l);
		CU_ASSERT_EQUAL(f, D(cases[i].first));
		CU_ASSERT_EQUAL(l, D(cases[i].last));
	}
}

/* the input rule: a span overlaps the days [first, last] */
static void
test_span_overlaps(void)
{
	static const struct {
		const char *start, *stop;
		bool exclusive;
		const char *first, *last;
		bool want;
	} cases[] = {
		{"2024-03-10T00:00:00", "2024-03-10T23:59:59.999999", false,
		 "2024-03-10", "2024-03-10", true},
		{"2024-03-10T00:00:00", "2024-03-10T23:59:59.999999", false,
		 "2024-03-11", "2024-03-11", false},
		{"2024-03-10T00:00:00", "2024-03-10T23:59:59.999999", false,
		 "2024-03-09", "2024-03-09", false},
		/* a file longer than a day feeds its third day too */
		{"2024-03-10T00:00:00", "2024-03-12T12:00:00", false,
		 "2024-03-12", "2024-03-12", true},
		{"2024-03-10T00:00:00", "2024-03-12T12:00:00", false,
		 "2024-03-13", "2024-03-13", false},
		/* a month-long file feeds a day in its middle */
		{"2024-03-01T00:00:00", "2024-04-01T00:00:00", true,
		 "2024-03-17", "2024-03-17", true},
		/* stop at midnight: the next day sees it only if inclusive */
		{"2024-03-10T00:00:00", "2024-03-11T00:00:00", false,
		 "2024-03-11", "2024-03-11", true},
		{"2024-03-10T00:00:00", "2024-03-11T00:00:00", true,
		 "2024-03-11", "2024-03-11", false},
		/* starting at midnight: that day, not the one before */
		{"2024-03-11T00:00:00", "2024-03-11T06:00:00", false,
		 "2024-03-10", "2024-03-10", false},
		{"2024-03-11T00:00:00", "2024-03-11T06:00:00", false,
		 "2024-03-11", "2024-03-11", true},
		/* a window of several days */
		{"2024-03-10T20:00:00", "2024-03-11T04:00:00", false,
		 "2024-03-04", "2024-03-10", true},
		{"2024-03-10T20:00:00", "2024-03-11T04:00:00", true,
		 "2024-03-11", "2024-03-17", true},
		{"2024-03-10T20:00:00", "2024-03-11T04:00:00", true,
		 "2024-03-12", "2024-03-17", false},
		/* an instant */
		{"2024-03-11T00:00:00", "2024-03-11T00:00:00", true,
		 "2024-03-11", "2024-03-11", true},
		{"2024-03-11T00:00:00", "2024-03-11T00:00:00", true,
		 "2024-03-10", "2024-03-10", false},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct period_span s = {T(cases[i].start), T(cases[i].stop),
					cases[i].exclusive};

		CU_ASSERT_EQUAL(period_span_overlaps(&s, D(cases[i].first),
						     D(cases[i].last)),
				cases[i].want);
	}
}

/*
 * the keys a file of days [first, last] feeds, and that the overlap
 * rule agrees: every key whose window the file overlaps, no other
 */
static void
test_keys(void)
{
	static const struct {
		enum timebase tb;
		const char *first, *last;
		int yesterday, tomorrow;
		const char *want; /* "start/end[*]" ...: * marks own */
	} cases[] = {
		{TIMEBASE_DAILY, "2024-03-10", "2024-03-10", 0, 0,
		 "2024-03-10/2024-03-10*"},
		/* three days long: all three, not only two */
		{TIMEBASE_DAILY, "2024-03-10", "2024-03-12", 0, 0,
		 "2024-03-10/2024-03-10* 2024-03-11/2024-03-11* "
		 "2024-03-12/2024-03-12*"},
		/* windows add the neighbours, not as their own */
		{TIMEBASE_DAILY, "2024-03-10", "2024-03-10", 1, 2,
		 "2024-03-08/2024-03-08 2024-03-09/2024-03-09 "
		 "2024-03-10/2024-03-10* 2024-03-11/2024-03-11"},
		{TIMEBASE_WEEKLY, "2024-03-10", "2024-03-11", 0, 0,
		 "2024-03-04/2024-03-10* 2024-03-11/2024-03-17*"},
		{TIMEBASE_WEEKLY, "2024-03-06", "2024-03-06", 0, 0,
		 "2024-03-04/2024-03-10*"},
		/* yesterday 1 of a weekly: Sunday feeds the next week too */
		{TIMEBASE_WEEKLY, "2024-03-10", "2024-03-10", 1, 0,
		 "2024-03-04/2024-03-10* 2024-03-11/2024-03-17"},
		{TIMEBASE_MONTHLY, "2024-02-20", "2024-03-05", 0, 0,
		 "2024-02-01/2024-02-29* 2024-03-01/2024-03-31*"},
		{TIMEBASE_YEARLY, "2023-12-31", "2024-01-01", 0, 0,
		 "2023-01-01/2023-12-31* 2024-01-01/2024-12-31*"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct period_key *k = NULL;
		size_t n = period_keys(cases[i].tb, D(cases[i].first),
				       D(cases[i].last), cases[i].yesterday,
				       cases[i].tomorrow, &k);
		char got[512] = "", d1[DATE_STRLEN], d2[DATE_STRLEN];
		struct period_span s = {
			(int64_t)D(cases[i].first) * USEC_PER_DAY,
			(int64_t)(D(cases[i].last) + 1) * USEC_PER_DAY - 1,
			false};

		for (size_t j = 0; j < n; j++) {
			size_t len = strlen(got);

			snprintf(got + len, sizeof(got) - len, "%s%s/%s%s",
				 j ? " " : "", timeutil_format_date(k[j].start, d1),
				 timeutil_format_date(k[j].end, d2),
				 k[j].own ? "*" : "");
			/* the key's window sees the file; own: its period */
			CU_ASSERT(period_span_overlaps(
				&s, k[j].start - cases[i].yesterday,
				k[j].end + cases[i].tomorrow));
			CU_ASSERT_EQUAL(period_span_overlaps(&s, k[j].start,
							     k[j].end),
					k[j].own);
		}
		CU_ASSERT_STRING_EQUAL(got, cases[i].want);
		/* and the periods just outside do not see it */
		if (n) {
			int32_t ps, pe, ns, ne;

			timebase_period(cases[i].tb, k[0].start - 1, &ps, &pe);
			timebase_period(cases[i].tb, k[n - 1].end + 1, &ns, &ne);
			CU_ASSERT(!period_span_overlaps(
				&s, ps - cases[i].yesterday,
				pe + cases[i].tomorrow));
			CU_ASSERT(!period_span_overlaps(
				&s, ns - cases[i].yesterday,
				ne + cases[i].tomorrow));
		}
		free(k);
	}
}

/* the code rule: which code builds a period */
static void
test_code_rule(void)
{
	static const struct {
		const char *what;
		struct {
			int iface, quality;
			const char *start, *stop;
		} codes[3];
		size_t n;
		enum timebase tb;
		const char *day;
		enum period_code_result want;
		int chosen; /* index, for ONE and SHARED */
	} cases[] = {
		{"one code for all time",
		 {{1, 0, "2000-01-01", "9999-12-31"}}, 1, TIMEBASE_MONTHLY,
		 "2024-03-10", PERIOD_CODE_ONE, 0},
		{"valid from mid-month: builds the month",
		 {{1, 0, "2024-03-15", "9999-12-31"}}, 1, TIMEBASE_MONTHLY,
		 "2024-03-01", PERIOD_CODE_ONE, 0},
		{"valid until mid-month: builds the month",
		 {{1, 0, "2000-01-01", "2024-03-14"}}, 1, TIMEBASE_MONTHLY,
		 "2024-03-20", PERIOD_CODE_ONE, 0},
		{"valid from the next month: no code",
		 {{1, 0, "2024-04-01", "9999-12-31"}}, 1, TIMEBASE_MONTHLY,
		 "2024-03-20", PERIOD_CODE_NONE, 0},
		{"a change of code mid-month: refused",
		 {{1, 0, "2000-01-01", "2024-03-14"},
		  {2, 0, "2024-03-15", "9999-12-31"}},
		 2, TIMEBASE_MONTHLY, "2024-03-20", PERIOD_CODE_SHARED, 1},
		{"a change of code mid-week: refused",
		 {{1, 0, "2000-01-01", "2024-03-06"},
		  {1, 1, "2024-03-07", "9999-12-31"}},
		 2, TIMEBASE_WEEKLY, "2024-03-04", PERIOD_CODE_SHARED, 1},
		{"the week after the change: the new code",
		 {{1, 0, "2000-01-01", "2024-03-06"},
		  {1, 1, "2024-03-07", "9999-12-31"}},
		 2, TIMEBASE_WEEKLY, "2024-03-11", PERIOD_CODE_ONE, 1},
		{"the week before it: the old code",
		 {{1, 0, "2000-01-01", "2024-03-06"},
		  {1, 1, "2024-03-07", "9999-12-31"}},
		 2, TIMEBASE_WEEKLY, "2024-02-28", PERIOD_CODE_ONE, 0},
		{"a change of code on a period boundary",
		 {{1, 0, "2000-01-01", "2024-02-29"},
		  {2, 0, "2024-03-01", "9999-12-31"}},
		 2, TIMEBASE_MONTHLY, "2024-03-10", PERIOD_CODE_ONE, 1},
		{"a daily key on the day of the change",
		 {{1, 0, "2000-01-01", "2024-03-14"},
		  {2, 0, "2024-03-15", "9999-12-31"}},
		 2, TIMEBASE_DAILY, "2024-03-15", PERIOD_CODE_ONE, 1},
		{"overlapping codes: the highest version",
		 {{1, 0, "2000-01-01", "9999-12-31"},
		  {1, 1, "2000-01-01", "9999-12-31"}},
		 2, TIMEBASE_MONTHLY, "2024-03-10", PERIOD_CODE_ONE, 1},
		{"an older code on days the newer is not valid: refused",
		 {{1, 0, "2000-01-01", "9999-12-31"},
		  {1, 1, "2024-03-15", "9999-12-31"}},
		 2, TIMEBASE_MONTHLY, "2024-03-10", PERIOD_CODE_SHARED, 1},
		{"a gap inside the period, one code on each side: refused",
		 {{1, 0, "2000-01-01", "2024-03-05"},
		  {2, 0, "2024-03-25", "9999-12-31"}},
		 2, TIMEBASE_MONTHLY, "2024-03-10", PERIOD_CODE_SHARED, 1},
		{"no codes", {{0, 0, NULL, NULL}}, 0, TIMEBASE_DAILY,
		 "2024-03-10", PERIOD_CODE_NONE, 0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct period_code c[3];
		size_t chosen = 99, other = 99;
		int32_t s, e;
		enum period_code_result r;

		for (size_t j = 0; j < cases[i].n; j++) {
			c[j].id = (int)j + 1;
			c[j].version.interface = cases[i].codes[j].iface;
			c[j].version.quality = cases[i].codes[j].quality;
			c[j].version.revision = 0;
			c[j].start = D(cases[i].codes[j].start);
			c[j].stop = D(cases[i].codes[j].stop);
		}
		timebase_period(cases[i].tb, D(cases[i].day), &s, &e);
		r = period_code(c, cases[i].n, s, e, &chosen, &other);
		if (r != cases[i].want)
			fprintf(stderr, "\n  code rule: %s: got %d, want %d\n",
				cases[i].what, (int)r, (int)cases[i].want);
		CU_ASSERT_EQUAL(r, cases[i].want);
		if (r == cases[i].want && r != PERIOD_CODE_NONE)
			CU_ASSERT_EQUAL(chosen, (size_t)cases[i].chosen);
		if (r == PERIOD_CODE_SHARED && cases[i].want == r)
			CU_ASSERT(other < cases[i].n && other != chosen);
	}
}

/* keys as text: "YYYY-MM-DDTHH" (hours) or the number (orbits), "*" own */
static void
slot_keys_text(const struct period_slot_key *k, size_t n, bool hours,
	       char *got, size_t size)
{
	got[0] = '\0';
	for (size_t j = 0; j < n; j++) {
		char t[TIMESTAMP_STRLEN];
		size_t len = strlen(got);

		if (hours)
			snprintf(got + len, size - len, "%s%.13s%s",
				 j ? " " : "",
				 timeutil_format_timestamp(k[j].slot.start, t),
				 k[j].own ? "*" : "");
		else
			snprintf(got + len, size - len, "%s%lld%s",
				 j ? " " : "", (long long)k[j].slot.number,
				 k[j].own ? "*" : "");
	}
}

/* the overlap rule on instants, [from, to) */
static void
test_span_overlaps_at(void)
{
	static const struct {
		const char *start, *stop;
		bool exclusive;
		const char *from, *to;
		bool want;
	} cases[] = {
		{"2024-03-10T05:00:00", "2024-03-10T05:59:59.999999", false,
		 "2024-03-10T05:00:00", "2024-03-10T06:00:00", true},
		{"2024-03-10T05:00:00", "2024-03-10T05:59:59.999999", false,
		 "2024-03-10T06:00:00", "2024-03-10T07:00:00", false},
		/* a stop on the hour: the next hour's only if inclusive */
		{"2024-03-10T05:00:00", "2024-03-10T06:00:00", false,
		 "2024-03-10T06:00:00", "2024-03-10T07:00:00", true},
		{"2024-03-10T05:00:00", "2024-03-10T06:00:00", true,
		 "2024-03-10T06:00:00", "2024-03-10T07:00:00", false},
		/* to is excluded */
		{"2024-03-10T06:00:00", "2024-03-10T06:10:00", false,
		 "2024-03-10T05:00:00", "2024-03-10T06:00:00", false},
		/* an instant */
		{"2024-03-10T06:00:00", "2024-03-10T06:00:00", true,
		 "2024-03-10T06:00:00", "2024-03-10T06:00:00.000001", true},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct period_span s = {T(cases[i].start), T(cases[i].stop),
					cases[i].exclusive};

		CU_ASSERT_EQUAL(period_span_overlaps_at(&s, T(cases[i].from),
							T(cases[i].to)),
				cases[i].want);
	}
}

/* hours: the keys a file feeds, windows in hours, boundary-spanning */
static void
test_hour_keys(void)
{
	static const struct {
		const char *start, *stop;
		bool exclusive;
		int yesterday, tomorrow;
		const char *want;
	} cases[] = {
		{"2024-03-01T05:00:00", "2024-03-01T05:59:59.999999", false, 0,
		 0, "2024-03-01T05*"},
		/* spanning an hour boundary: both hours, as its own */
		{"2024-03-01T05:30:00", "2024-03-01T06:30:00", false, 0, 0,
		 "2024-03-01T05* 2024-03-01T06*"},
		/* a stop on the hour: the next hour too unless exclusive */
		{"2024-03-01T05:00:00", "2024-03-01T06:00:00", false, 0, 0,
		 "2024-03-01T05* 2024-03-01T06*"},
		{"2024-03-01T05:00:00", "2024-03-01T06:00:00", true, 0, 0,
		 "2024-03-01T05*"},
		/* three hours long: all three */
		{"2024-03-01T05:10:00", "2024-03-01T07:10:00", true, 0, 0,
		 "2024-03-01T05* 2024-03-01T06* 2024-03-01T07*"},
		/* yesterday: the next hour's window holds this one */
		{"2024-03-01T05:10:00", "2024-03-01T05:20:00", false, 1, 0,
		 "2024-03-01T05* 2024-03-01T06"},
		/* tomorrow: the previous hours' windows hold it */
		{"2024-03-01T05:10:00", "2024-03-01T05:20:00", false, 0, 2,
		 "2024-03-01T03 2024-03-01T04 2024-03-01T05*"},
		/* across midnight and the new year */
		{"2024-12-31T23:30:00", "2025-01-01T00:30:00", false, 0, 0,
		 "2024-12-31T23* 2025-01-01T00*"},
		{"2024-12-31T23:30:00", "2024-12-31T23:40:00", false, 1, 0,
		 "2024-12-31T23* 2025-01-01T00"},
		/* before 1970 */
		{"1969-12-31T23:30:00", "1970-01-01T00:00:00", true, 0, 0,
		 "1969-12-31T23*"},
		{"1969-12-31T22:59:59", "1969-12-31T23:00:00", false, 0, 0,
		 "1969-12-31T22* 1969-12-31T23*"},
		/* a stop before the start counts as the start */
		{"2024-03-01T05:10:00", "2024-03-01T01:00:00", false, 0, 0,
		 "2024-03-01T05*"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct period_span s = {T(cases[i].start), T(cases[i].stop),
					cases[i].exclusive};
		struct period_slot_key *k = NULL;
		size_t n = period_hour_keys(&s, cases[i].yesterday,
					    cases[i].tomorrow, &k);
		char got[512];

		slot_keys_text(k, n, true, got, sizeof(got));
		if (strcmp(got, cases[i].want))
			fprintf(stderr, "\n  hour keys %zu: got \"%s\", want "
					"\"%s\"\n",
				i, got, cases[i].want);
		CU_ASSERT_STRING_EQUAL(got, cases[i].want);
		free(k);
	}
}

/* a slot's hour */
static void
test_hour(void)
{
	struct period_slot h;

	period_hour(T("2024-03-01T05:59:59.999999"), &h);
	CU_ASSERT_EQUAL(h.start, T("2024-03-01T05:00:00"));
	CU_ASSERT_EQUAL(h.stop, T("2024-03-01T06:00:00"));
	CU_ASSERT_EQUAL(h.number, T("2024-03-01T05:00:00") / USEC_PER_HOUR);
	period_hour(T("1969-12-31T23:00:00.000001"), &h);
	CU_ASSERT_EQUAL(h.start, T("1969-12-31T23:00:00"));
	CU_ASSERT_EQUAL(h.number, -1);
	period_hour(T("1969-12-31T23:00:00"), &h);
	CU_ASSERT_EQUAL(h.number, -1);
	period_hour(0, &h);
	CU_ASSERT_EQUAL(h.number, 0);
}

/*
 * orbits: slots from a table, with a gap (no orbit 4): the orbit a file
 * is in, both orbits of a file across their boundary, nothing for a
 * file in the gap or outside the table, and windows of orbits
 */
static void
test_slot_keys(void)
{
	static const struct period_slot slots[] = {
		{1, 0, 0}, {2, 0, 0}, {3, 0, 0}, {5, 0, 0},
	};
	static const char *const times[][2] = {
		{"2024-03-01T00:00:00", "2024-03-01T01:30:00"},
		{"2024-03-01T01:30:00", "2024-03-01T03:00:00"},
		{"2024-03-01T03:00:00", "2024-03-01T04:30:00"},
		{"2024-03-01T05:00:00", "2024-03-01T06:30:00"},
	};
	static const struct {
		const char *start, *stop;
		bool exclusive;
		int yesterday, tomorrow;
		const char *want;
	} cases[] = {
		{"2024-03-01T02:00:00", "2024-03-01T02:10:00", false, 0, 0,
		 "2*"},
		/* across the boundary of 1 and 2: both */
		{"2024-03-01T01:00:00", "2024-03-01T02:00:00", false, 0, 0,
		 "1* 2*"},
		/* ending where 2 begins: 2 too unless exclusive */
		{"2024-03-01T01:00:00", "2024-03-01T01:30:00", false, 0, 0,
		 "1* 2*"},
		{"2024-03-01T01:00:00", "2024-03-01T01:30:00", true, 0, 0,
		 "1*"},
		/* in the gap: no orbit */
		{"2024-03-01T04:40:00", "2024-03-01T04:50:00", false, 0, 0,
		 ""},
		/* ... but in the windows of its neighbours */
		{"2024-03-01T04:40:00", "2024-03-01T04:50:00", false, 1, 0,
		 "5"},
		{"2024-03-01T04:40:00", "2024-03-01T04:50:00", false, 0, 1,
		 "3"},
		/* outside the table */
		{"2024-02-29T12:00:00", "2024-02-29T13:00:00", false, 1, 1,
		 ""},
		{"2024-03-01T07:00:00", "2024-03-01T08:00:00", false, 1, 1,
		 ""},
		/* yesterday and tomorrow are orbits, not days */
		{"2024-03-01T02:00:00", "2024-03-01T02:10:00", false, 1, 1,
		 "1 2* 3"},
		{"2024-03-01T02:00:00", "2024-03-01T02:10:00", false, 2, 0,
		 "2* 3 5"},
		/* at the table's ends the window goes as far as the table */
		{"2024-03-01T00:10:00", "2024-03-01T00:20:00", false, 0, 3,
		 "1*"},
		/* a file over the whole table */
		{"2024-02-01T00:00:00", "2024-04-01T00:00:00", false, 0, 0,
		 "1* 2* 3* 5*"},
	};
	struct period_slot s[ARRAY_SIZE(slots)];

	for (size_t i = 0; i < ARRAY_SIZE(slots); i++) {
		s[i] = slots[i];
		s[i].start = T(times[i][0]);
		s[i].stop = T(times[i][1]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct period_span sp = {T(cases[i].start), T(cases[i].stop),
					 cases[i].exclusive};
		struct period_slot_key *k = NULL;
		size_t n = period_slot_keys(s, ARRAY_SIZE(s), &sp,
					    cases[i].yesterday,
					    cases[i].tomorrow, &k);
		char got[512];

		slot_keys_text(k, n, false, got, sizeof(got));
		if (strcmp(got, cases[i].want))
			fprintf(stderr, "\n  orbit keys %zu: got \"%s\", want "
					"\"%s\"\n",
				i, got, cases[i].want);
		CU_ASSERT_STRING_EQUAL(got, cases[i].want);
		free(k);
	}
	/* no slots: no keys */
	{
		struct period_span sp = {0, 1, false};
		struct period_slot_key *k = NULL;

		CU_ASSERT_EQUAL(period_slot_keys(s, 0, &sp, 1, 1, &k), 0);
		CU_ASSERT_PTR_NULL(k);
	}
}

void
suite_period(void)
{
	CU_pSuite s = unit_add_suite("period");

	ADD_TEST(s, test_timebase_parse);
	ADD_TEST(s, test_period_of);
	ADD_TEST(s, test_stop_usec);
	ADD_TEST(s, test_span_days);
	ADD_TEST(s, test_span_overlaps);
	ADD_TEST(s, test_keys);
	ADD_TEST(s, test_code_rule);
	ADD_TEST(s, test_span_overlaps_at);
	ADD_TEST(s, test_hour);
	ADD_TEST(s, test_hour_keys);
	ADD_TEST(s, test_slot_keys);
}
