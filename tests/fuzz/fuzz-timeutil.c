/*
 * fuzz-timeutil.c - libFuzzer target for dates and timestamps.
 *
 * The input is read three ways: as text for timeutil_parse_date() and
 * timeutil_parse_timestamp() (an accepted one formats and parses back to
 * itself), and its first bytes as an int32_t day count and an int64_t
 * timestamp, which must convert without overflow whatever their value
 * (timeutil.h promises every int32_t and int64_t): the date is a real
 * one, days_from_ymd inverts ymd_from_days, the next day follows, the
 * weekday and day of the year are in range, the formatted timestamp
 * names the day date_of gives.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

static const int32_t first_day = -719162; /* 0001-01-01 */
static const int32_t last_day = 2932896;  /* 9999-12-31 */

static void
check_text(const char *s, size_t size)
{
	char buf[TIMESTAMP_STRLEN];
	int32_t days, days2;
	int64_t usec, usec2;

	if (timeutil_parse_date(s, size, &days) == 0) {
		CHECK(size == 10);
		CHECK(days >= first_day && days <= last_day);
		timeutil_format_date(days, buf);
		CHECK(strlen(buf) == 10 && !memcmp(buf, s, 10));
		CHECK(timeutil_parse_timestamp(s, size, &usec) == 0);
		CHECK(usec == (int64_t)days * USEC_PER_DAY);
	}
	if (timeutil_parse_timestamp(s, size, &usec) == 0) {
		days = timeutil_date_of(usec);
		CHECK(days >= first_day && days <= last_day);
		CHECK(timeutil_parse_date(s, 10, &days2) == 0 && days2 == days);
		timeutil_format_timestamp(usec, buf);
		CHECK(timeutil_parse_timestamp(buf, strlen(buf), &usec2) == 0);
		CHECK(usec2 == usec);
	}
}

static void
check_days(int32_t days)
{
	char buf[DATE_STRLEN];
	int y, m, d, y2, m2, d2;
	int doy = timeutil_day_of_year(days), wd = timeutil_weekday(days);

	timeutil_ymd_from_days(days, &y, &m, &d);
	CHECK(m >= 1 && m <= 12 && d >= 1 && d <= timeutil_days_in_month(y, m));
	CHECK(timeutil_days_from_ymd(y, m, d) == days);
	CHECK(doy >= 1 && doy <= 366 && wd >= 0 && wd <= 6);
	CHECK(strlen(timeutil_format_date(days, buf)) < DATE_STRLEN);
	if (days == INT32_MAX)
		return;
	timeutil_ymd_from_days(days + 1, &y2, &m2, &d2);
	CHECK((y2 == y && m2 == m && d2 == d + 1) ||
	      (y2 == y && m2 == m + 1 && d2 == 1 &&
	       d == timeutil_days_in_month(y, m)) ||
	      (y2 == y + 1 && m2 == 1 && d2 == 1 && m == 12 && d == 31));
	CHECK(timeutil_weekday(days + 1) == (wd + 1) % 7);
	CHECK(timeutil_day_of_year(days + 1) == (m2 == 1 && d2 == 1 ? 1 : doy + 1));
}

static void
check_usec(int64_t usec)
{
	char buf[TIMESTAMP_STRLEN], date[DATE_STRLEN];
	int32_t days = timeutil_date_of(usec);
	size_t n;

	timeutil_format_timestamp(usec, buf);
	n = strlen(buf);
	CHECK(n < TIMESTAMP_STRLEN && buf[n - 1] == 'Z');
	timeutil_format_date(days, date);
	CHECK(!strncmp(buf, date, strlen(date)) && buf[strlen(date)] == 'T');
	if (days >= first_day && days <= last_day) {
		int64_t back;

		CHECK(timeutil_parse_timestamp(buf, n, &back) == 0 &&
		      back == usec);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[DURATION_STRLEN];
	int32_t days;
	int64_t usec;
	double secs;

	check_text((const char *)data, size);
	if (size >= sizeof(days)) {
		memcpy(&days, data, sizeof(days));
		check_days(days);
	}
	if (size >= sizeof(usec)) {
		memcpy(&usec, data, sizeof(usec));
		check_usec(usec);
		memcpy(&secs, data, sizeof(secs));
		CHECK(strlen(timeutil_format_duration(secs, buf)) <
		      DURATION_STRLEN);
	}
	return 0;
}
