/*
 * test-timeutil.c - calendar arithmetic over the whole int32_t range of
 * day counts and the int64_t range of timestamps, and durations for
 * people (the ETA of progress lines).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "timeutil.h"
#include "unit.h"

static void
test_format_duration(void)
{
	static const struct {
		double s;
		const char *want;
	} cases[] = {
		{0, "0s"},	    {0.2, "1s"},       {59, "59s"},
		{59.01, "1m00s"},   {60, "1m00s"},     {125, "2m05s"},
		{3599, "59m59s"},   {3600, "1h00m"},   {7385, "2h03m"},
		{-1, "?"},	    {1e13, "?"},
	};
	char buf[DURATION_STRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_STRING_EQUAL(timeutil_format_duration(cases[i].s, buf),
				       cases[i].want);
	CU_ASSERT_STRING_EQUAL(timeutil_format_duration(NAN, buf), "?");
	/* the largest accepted value fits */
	CU_ASSERT(strlen(timeutil_format_duration(1e12, buf)) <
		  DURATION_STRLEN);
}

/* Known dates, including the ends of the int32_t range of day counts. */
static void
test_known_days(void)
{
	static const struct {
		int32_t days;
		int y, m, d;
		int weekday, doy;
		const char *text;
	} cases[] = {
		{0, 1970, 1, 1, 3, 1, "1970-01-01"},
		{-1, 1969, 12, 31, 2, 365, "1969-12-31"},
		{-719162, 1, 1, 1, 0, 1, "0001-01-01"},
		{2932896, 9999, 12, 31, 4, 365, "9999-12-31"},
		{11016, 2000, 2, 29, 1, 60, "2000-02-29"},
		{19782, 2024, 2, 29, 3, 60, "2024-02-29"},
		{INT32_MAX, 5881580, 7, 11, 4, 193, "5881580-07-11"},
		{INT32_MAX - 1, 5881580, 7, 10, 3, 192, "5881580-07-10"},
		{INT32_MIN, -5877641, 6, 23, 1, 174, "-5877641-06-23"},
		{INT32_MIN + 1, -5877641, 6, 24, 2, 175, "-5877641-06-24"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[DATE_STRLEN];
		int y, m, d;

		timeutil_ymd_from_days(cases[i].days, &y, &m, &d);
		CU_ASSERT_EQUAL(y, cases[i].y);
		CU_ASSERT_EQUAL(m, cases[i].m);
		CU_ASSERT_EQUAL(d, cases[i].d);
		CU_ASSERT_EQUAL(timeutil_days_from_ymd(cases[i].y, cases[i].m,
						       cases[i].d),
				cases[i].days);
		CU_ASSERT_EQUAL(timeutil_weekday(cases[i].days),
				cases[i].weekday);
		CU_ASSERT_EQUAL(timeutil_day_of_year(cases[i].days),
				cases[i].doy);
		CU_ASSERT_STRING_EQUAL(timeutil_format_date(cases[i].days, buf),
				       cases[i].text);
	}
}

/*
 * Day after day: from day to day + 1 the date moves on by one (month and
 * year roll over), the weekday by one, the day of the year by one or
 * back to 1; and days_from_ymd inverts ymd_from_days.
 */
static void
check_span(int32_t from, int32_t to)
{
	int y, m, d, py, pm, pd;
	int32_t day = from;
	unsigned bad = 0;

	timeutil_ymd_from_days(day, &py, &pm, &pd);
	while (day < to) {
		int ok;

		day++;
		timeutil_ymd_from_days(day, &y, &m, &d);
		if (pd < timeutil_days_in_month(py, pm))
			ok = y == py && m == pm && d == pd + 1;
		else if (pm < 12)
			ok = y == py && m == pm + 1 && d == 1;
		else
			ok = y == py + 1 && m == 1 && d == 1;
		ok = ok && timeutil_days_from_ymd(y, m, d) == day;
		ok = ok && timeutil_weekday(day) ==
				   (timeutil_weekday(day - 1) + 1) % 7;
		ok = ok && timeutil_day_of_year(day) ==
				   (m == 1 && d == 1
					    ? 1
					    : timeutil_day_of_year(day - 1) + 1);
		if (!ok && bad++ < 5)
			fprintf(stderr, "\nday %ld: %d-%d-%d after %d-%d-%d\n",
				(long)day, y, m, d, py, pm, pd);
		py = y;
		pm = m;
		pd = d;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_day_spans(void)
{
	check_span(INT32_MIN, INT32_MIN + 3000);
	check_span(-719162 - 800, -719162 + 800); /* 0001-01-01 */
	check_span(-3000, 3000);
	check_span(2932896 - 800, 2932896 + 800); /* 9999-12-31 */
	check_span(INT32_MAX - 3000, INT32_MAX);
}

/* Every 65537th day of the int32_t range converts both ways. */
static void
test_day_sweep(void)
{
	unsigned bad = 0, n = 0;

	for (int64_t day = INT32_MIN; day <= INT32_MAX; day += 65537) {
		int y, m, d;

		timeutil_ymd_from_days((int32_t)day, &y, &m, &d);
		n++;
		if (m < 1 || m > 12 || d < 1 ||
		    d > timeutil_days_in_month(y, m) ||
		    timeutil_days_from_ymd(y, m, d) != day ||
		    timeutil_weekday((int32_t)day) < 0 ||
		    timeutil_weekday((int32_t)day) > 6)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(n > 65000);
}

/* Timestamps: the ends of int64_t, and parse/format round trips. */
static void
test_timestamps(void)
{
	static const struct {
		int64_t usec;
		const char *text;
		int32_t date;
	} cases[] = {
		{0, "1970-01-01T00:00:00Z", 0},
		{-1, "1969-12-31T23:59:59.999999Z", -1},
		{INT64_MAX, "294247-01-10T04:00:54.775807Z", 106751991},
		{INT64_MIN, "-290308-12-21T19:59:05.224192Z", -106751992},
		{INT64_MIN + 1, "-290308-12-21T19:59:05.224193Z", -106751992},
		{-62135596800000000, "0001-01-01T00:00:00Z", -719162},
		{253402300799999999, "9999-12-31T23:59:59.999999Z", 2932896},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[TIMESTAMP_STRLEN];
		int64_t back;

		CU_ASSERT_STRING_EQUAL(
			timeutil_format_timestamp(cases[i].usec, buf),
			cases[i].text);
		CU_ASSERT_EQUAL(timeutil_date_of(cases[i].usec), cases[i].date);
		if (cases[i].text[0] == '-' || strlen(cases[i].text) > 27)
			continue; /* outside 1..9999: not parseable */
		CU_ASSERT_EQUAL(timeutil_parse_timestamp(cases[i].text,
							 strlen(cases[i].text),
							 &back),
				0);
		CU_ASSERT_EQUAL(back, cases[i].usec);
	}
}

void
suite_timeutil(void)
{
	CU_pSuite s = unit_add_suite("timeutil");

	ADD_TEST(s, test_format_duration);
	ADD_TEST(s, test_known_days);
	ADD_TEST(s, test_day_spans);
	ADD_TEST(s, test_day_sweep);
	ADD_TEST(s, test_timestamps);
}
