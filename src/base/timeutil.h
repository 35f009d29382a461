/*
 * timeutil.h - UTC calendar arithmetic, parsing and formatting.
 *
 * Pure; no time zones, no locale, no libc time functions.  A date is a
 * count of days since 1970-01-01 (negative before); a timestamp is a
 * count of microseconds since 1970-01-01T00:00:00Z.  Valid years are
 * 1..9999: the parsers accept no others.  The conversions and formatters
 * below are nonetheless exact, without overflow, for every day count
 * (any int32_t: years -5877641 to 5881580 of the proleptic Gregorian
 * calendar) and every timestamp (any int64_t) they are given.
 */
#ifndef CASCADE_TIMEUTIL_H
#define CASCADE_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

#define USEC_PER_SEC INT64_C(1000000)
#define USEC_PER_DAY (INT64_C(86400) * USEC_PER_SEC)
/* DATE_STRLEN: room for "YYYY-MM-DD" (sized for any int, to be safe). */
#define DATE_STRLEN 40
/* TIMESTAMP_STRLEN: room for "YYYY-MM-DDTHH:MM:SS.ffffffZ" and more. */
#define TIMESTAMP_STRLEN 80

bool timeutil_valid_ymd(int y, int m, int d);
/*
 * timeutil_days_from_ymd: the day count of y-m-d, for m 1..12 and d 1..31
 * (a d past the month's end counts on into the next month).  Exact for
 * any y whose day count fits in int32_t, so for every date that
 * timeutil_valid_ymd accepts and every one timeutil_ymd_from_days gives;
 * for other years the result is unspecified (no undefined behaviour).
 */
int32_t timeutil_days_from_ymd(int y, int m, int d);
/* timeutil_ymd_from_days: the inverse, for every int32_t. */
void timeutil_ymd_from_days(int32_t days, int *y, int *m, int *d);
/* timeutil_day_of_year: 1..366. */
int timeutil_day_of_year(int32_t days);
/* timeutil_weekday: 0 = Monday .. 6 = Sunday (ISO). */
int timeutil_weekday(int32_t days);
int timeutil_days_in_month(int y, int m);

/*
 * timeutil_parse_date: exactly "YYYY-MM-DD" in the first len bytes of s.
 * Returns 0 or -1 (nothing reported).
 */
int timeutil_parse_date(const char *s, size_t len, int32_t *days)
	CASCADE_MUSTCHECK;
/*
 * timeutil_parse_timestamp: "YYYY-MM-DD[ T]HH:MM:SS[.f{1,6}][Z|+00|+00:00]"
 * or a bare date (midnight).  Returns 0 or -1 (nothing reported).
 */
int timeutil_parse_timestamp(const char *s, size_t len, int64_t *usec)
	CASCADE_MUSTCHECK;
/* timeutil_format_date: "YYYY-MM-DD" into buf (DATE_STRLEN); returns buf. */
char *timeutil_format_date(int32_t days, char *buf);
/*
 * timeutil_format_timestamp: "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" into buf
 * (TIMESTAMP_STRLEN); the fraction only when non-zero.  Returns buf.
 */
char *timeutil_format_timestamp(int64_t usec, char *buf);

/*
 * timeutil_mono_ns: CLOCK_MONOTONIC now, in nanoseconds: for durations,
 * rates and deadlines (never a date).
 */
int64_t timeutil_mono_ns(void);

/* timeutil_now_usec: CLOCK_REALTIME now: microseconds since the epoch. */
int64_t timeutil_now_usec(void);

/* Room for timeutil_format_duration. */
#define DURATION_STRLEN 24
/*
 * timeutil_format_duration: seconds (rounded up) as "42s", "3m05s" or
 * "2h03m", for a person ("?" if s is negative or not a number).
 */
char *timeutil_format_duration(double s, char *buf);
/* timeutil_date_of: the UTC day containing usec (floor). */
int32_t timeutil_date_of(int64_t usec);

#endif
