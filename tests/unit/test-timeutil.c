/*
 * test-timeutil.c - durations for people (the ETA of progress lines).
 */
#include <math.h>
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

void
suite_timeutil(void)
{
	CU_pSuite s = unit_add_suite("timeutil");

	ADD_TEST(s, test_format_duration);
}
