/*
 * timeutil.c - proleptic Gregorian calendar arithmetic on day counts.
 *
 * The day-count conversions use the era-based method (400-year cycles of
 * 146097 days) so that they are exact for every date in 1..9999 without
 * tables or loops.
 */
#include "timeutil.h"

#include <stdio.h>
#include <time.h>
#include "banned.h"

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
timeutil_days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31};

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool
timeutil_valid_ymd(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= timeutil_days_in_month(y, m);
}

/*
 * The era-based day count in 64 bits, so that no intermediate overflows
 * for any int year (y - 1, era * 146097 and the rest stay far inside
 * int64_t); m is 1..12 and d 1..31.
 */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int32_t
timeutil_days_from_ymd(int y, int m, int d)
{
	return (int32_t)days_from_civil(y, m, d);
}

void
timeutil_ymd_from_days(int32_t days, int *y, int *m, int *d)
{
	/* 64 bits: days + 719468 overflows int32_t near INT32_MAX */
	int64_t z = (int64_t)days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	/* |year| < 5.9 million for any int32_t day count: fits an int */
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
timeutil_day_of_year(int32_t days)
{
	int y, m, d;

	timeutil_ymd_from_days(days, &y, &m, &d);
	/* 1 January of the year of INT32_MIN is before INT32_MIN */
	return (int)(days - days_from_civil(y, 1, 1)) + 1;
}

int
timeutil_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (3); days + 3 overflows at INT32_MAX */
	int w = (int)(((int64_t)days + 3) % 7);

	return w < 0 ? w + 7 : w;
}

static int
digits(const char *s, size_t len, size_t pos, int n, int *out)
{
	int v = 0;

	if (pos + (size_t)n > len)
		return -1;
	for (int i = 0; i < n; i++) {
		char c = s[pos + (size_t)i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*out = v;
	return 0;
}

static int
parse_ymd(const char *s, size_t len, int32_t *days)
{
	int y, m, d;

	if (digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' ||
	    digits(s, len, 5, 2, &m) || s[7] != '-' ||
	    digits(s, len, 8, 2, &d) || !timeutil_valid_ymd(y, m, d))
		return -1;
	*days = timeutil_days_from_ymd(y, m, d);
	return 0;
}

int
timeutil_parse_date(const char *s, size_t len, int32_t *days)
{
	if (len != 10)
		return -1;
	return parse_ymd(s, len, days);
}

int
timeutil_parse_timestamp(const char *s, size_t len, int64_t *usec)
{
	int32_t days;
	int hh, mi, ss;
	int64_t frac = 0;
	size_t pos = 19;

	if (parse_ymd(s, len, &days))
		return -1;
	if (len == 10) {
		*usec = days * USEC_PER_DAY;
		return 0;
	}
	if (len < 19 || (s[10] != 'T' && s[10] != ' ') ||
	    digits(s, len, 11, 2, &hh) || s[13] != ':' ||
	    digits(s, len, 14, 2, &mi) || s[16] != ':' ||
	    digits(s, len, 17, 2, &ss) || hh > 23 || mi > 59 || ss > 59)
		return -1;
	if (pos < len && s[pos] == '.') {
		int n = 0;

		pos++;
		while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
			if (++n > 6)
				return -1;
			frac = frac * 10 + (s[pos++] - '0');
		}
		if (n == 0)
			return -1;
		for (; n < 6; n++)
			frac *= 10;
	}
	if (pos < len) {
		size_t rest = len - pos;
		const char *z = s + pos;

		if (!((rest == 1 && z[0] == 'Z') ||
		      (rest == 3 && z[0] == '+' && z[1] == '0' && z[2] == '0') ||
		      (rest == 6 && z[0] == '+' && z[1] == '0' && z[2] == '0' &&
		       z[3] == ':' && z[4] == '0' && z[5] == '0')))
			return -1;
	}
	*usec = days * USEC_PER_DAY +
		((int64_t)hh * 3600 + mi * 60 + ss) * USEC_PER_SEC + frac;
	return 0;
}

char *
timeutil_format_date(int32_t days, char *buf)
{
	int y, m, d;

	timeutil_ymd_from_days(days, &y, &m, &d);
	snprintf(buf, DATE_STRLEN, "%04d-%02d-%02d", y, m, d);
	return buf;
}

int32_t
timeutil_date_of(int64_t usec)
{
	int64_t d = usec / USEC_PER_DAY;

	if (usec % USEC_PER_DAY < 0)
		d--;
	return (int32_t)d;
}

char *
timeutil_format_timestamp(int64_t usec, char *buf)
{
	int32_t days = timeutil_date_of(usec);
	/* not usec - days * USEC_PER_DAY: that overflows near INT64_MIN */
	int64_t rem = usec % USEC_PER_DAY;
	int64_t secs, frac;
	int y, m, d;

	if (rem < 0)
		rem += USEC_PER_DAY;
	secs = rem / USEC_PER_SEC;
	frac = rem % USEC_PER_SEC;
	timeutil_ymd_from_days(days, &y, &m, &d);
	if (frac)
		snprintf(buf, TIMESTAMP_STRLEN,
			 "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d,
			 (int)(secs / 3600), (int)(secs / 60 % 60),
			 (int)(secs % 60), (int)frac);
	else
		snprintf(buf, TIMESTAMP_STRLEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			 y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
			 (int)(secs % 60));
	return buf;
}

char *
timeutil_format_duration(double s, char *buf)
{
	long long t;

	if (!(s >= 0) || s > 1e12) {
		snprintf(buf, DURATION_STRLEN, "?");
		return buf;
	}
	t = (long long)s;
	if ((double)t < s)
		t++;
	if (t < 60)
		snprintf(buf, DURATION_STRLEN, "%llds", t);
	else if (t < 3600)
		snprintf(buf, DURATION_STRLEN, "%lldm%02llds", t / 60, t % 60);
	else
		snprintf(buf, DURATION_STRLEN, "%lldh%02lldm", t / 3600,
			 (t % 3600) / 60);
	return buf;
}

int64_t
timeutil_now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

int64_t
timeutil_mono_ns(void)
{
	struct timespec ts;

	/* cannot fail on Linux with a valid clock and pointer */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
