/*
 * test-identify-check.c - what identification accepts of a claim
 * (identify_check_values): the schema's version ranges, the years the
 * planner can derive periods from, keywords that are UTF-8.
 */
#include <string.h>

#include "identify.h"
#include "strbuf.h"
#include "timeutil.h"
#include "unit.h"

static void
test_check_values(void)
{
	static const struct {
		int iv, qv, rv;
		int y, m, d;          /* utc_file_date */
		int64_t start_off_s;  /* from the date's midnight */
		int64_t stop_off_s;
		const char *kw;
		const char *field;    /* NULL: accepted */
		const char *reason;   /* a part of it */
	} cases[] = {
		{1, 0, 0, 2024, 1, 1, 0, 86399, "", NULL, NULL},
		{32767, 32767, 32767, 2024, 1, 1, 0, 0, NULL, NULL, NULL},
		{0, 0, 0, 2024, 1, 1, 0, 0, "", "version",
		 "version 0.0.0 cannot be recorded"},
		{0, 5, 7, 2024, 1, 1, 0, 0, "", "version", "0.5.7"},
		{32768, 0, 0, 2024, 1, 1, 0, 0, "", "version", NULL},
		{1, -1, 0, 2024, 1, 1, 0, 0, "", "version", NULL},
		{1, 0, 0, 1000, 1, 1, 0, 0, "", NULL, NULL},
		{1, 0, 0, 8999, 12, 31, 0, 86399, "", NULL, NULL},
		{1, 0, 0, 999, 12, 31, 0, 0, "", "date",
		 "date 0999-12-31 is outside the accepted range 1000-01-01 "
		 "to 8999-12-31"},
		{1, 0, 0, 9000, 1, 1, 0, 0, "", "date", "date 9000-01-01"},
		{1, 0, 0, 1, 1, 1, 0, 0, "", "date", "date 0001-01-01"},
		{1, 0, 0, 9999, 12, 31, 0, 0, "", "date", "date 9999-12-31"},
		/* a start or stop outside, though the date is inside */
		{1, 0, 0, 8999, 12, 31, 0, 86400, "", "date",
		 "time 9000-01-01T00:00:00Z is outside"},
		{1, 0, 0, 1000, 1, 1, -1, 0, "", "date",
		 "time 0999-12-31T23:59:59Z is outside"},
		{1, 0, 0, 2024, 1, 1, 0, 0, "k=\xff", "keywords",
		 "process_keywords \"k=\\xff\" are not valid UTF-8"},
		{1, 0, 0, 2024, 1, 1, 0, 0, "k=\xc3\xa9", NULL, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct version v = {cases[i].iv, cases[i].qv, cases[i].rv};
		int32_t date = timeutil_days_from_ymd(cases[i].y, cases[i].m,
						      cases[i].d);
		int64_t t0 = date * USEC_PER_DAY;
		struct strbuf reason = STRBUF_INIT;
		const char *field = NULL;
		int rc = identify_check_values(
			&v, date, t0 + cases[i].start_off_s * USEC_PER_SEC,
			t0 + cases[i].stop_off_s * USEC_PER_SEC, cases[i].kw,
			&reason, &field);

		if (!cases[i].field) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(reason.len, 0);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_PTR_NOT_NULL(field);
			if (field)
				CU_ASSERT_STRING_EQUAL(field, cases[i].field);
			if (cases[i].reason)
				CU_ASSERT_PTR_NOT_NULL(
					strstr(reason.buf, cases[i].reason));
		}
		if (rc != (cases[i].field ? -1 : 0))
			fprintf(stderr, "case %zu: %s\n", i, reason.buf);
		strbuf_release(&reason);
	}
}

void
suite_identify_check(void)
{
	CU_pSuite s = unit_add_suite("identify_check");

	ADD_TEST(s, test_check_values);
}
