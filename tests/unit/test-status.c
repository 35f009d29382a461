/*
 * test-status.c - the pure helpers of the operators' views: durations,
 * sizes and table cells (cutting, padding, neutralising), table-driven.
 */
#include <math.h>
#include <string.h>

#include "status.h"
#include "strbuf.h"
#include "unit.h"

static void
test_duration_table(void)
{
	static const struct {
		double s;
		const char *want;
	} cases[] = {
		{0.0, "0.00s"},     {-1.0, "0.00s"},     {0.004, "0.00s"},
		{0.524, "0.52s"},   {9.99, "9.99s"},     {9.996, "10.0s"},
		{12.34, "12.3s"},   {59.94, "59.9s"},    {59.96, "1m00s"},
		{60.0, "1m00s"},    {303.0, "5m03s"},    {3599.4, "59m59s"}, {3599.6, "1h00m"},
		{3600.0, "1h00m"},  {7500.0, "2h05m"},   {86399.0, "23h59m"},
		{86400.0, "1d00h"}, {273600.0, "3d04h"}, {8639999.0, "99d23h"},
		{8640000.0, "100d"}, {86400.0 * 1234, "1234d"}, {2e9, "long"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[STATUS_FMT_LEN];

		CU_ASSERT_STRING_EQUAL(status_format_duration(cases[i].s, buf),
				       cases[i].want);
		if (strcmp(buf, cases[i].want))
			fprintf(stderr, "duration %g: got %s\n", cases[i].s,
				buf);
	}
	{
		char buf[STATUS_FMT_LEN];

		CU_ASSERT_STRING_EQUAL(status_format_duration(NAN, buf), "-");
	}
}

static void
test_kb_table(void)
{
	static const struct {
		long long kb;
		const char *want;
	} cases[] = {
		{0, "0K"},
		{512, "512K"},
		{1023, "1023K"},
		{1024, "1.0M"},
		{10000, "9.8M"},
		{12595, "12M"},
		{10240, "10M"},
		{102400, "100M"},
		{1048575, "1024M"},
		{1048576, "1.0G"},
		{20 * 1048576LL, "20G"},
		{2048LL * 1048576LL, "2.0T"},
		{-1, "-"},
		{(long long)SS_NULL, "-"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[STATUS_FMT_LEN];

		CU_ASSERT_STRING_EQUAL(status_format_kb(cases[i].kb, buf),
				       cases[i].want);
		if (strcmp(buf, cases[i].want))
			fprintf(stderr, "kb %lld: got %s\n", cases[i].kb, buf);
	}
}

static void
test_cell_table(void)
{
	static const struct {
		const char *in;
		int width;
		bool right;
		const char *want;
	} cases[] = {
		{"abc", 5, false, "abc  "},
		{"abc", 5, true, "  abc"},
		{"abc", 3, false, "abc"},
		{"abcdef", 4, false, "abc~"},
		{"123456", 4, true, "123456"},  /* numbers are never cut */
		{"abc", 0, false, "abc"},
		{"", 2, false, "  "},
		{NULL, 3, false, "-  "},
		{"a\tb\nc\033[0m", 0, false, "a?b?c?[0m"},
		{"del\x7f", 0, false, "del?"},
		{"\xc2\x9b" "csi", 0, false, "?csi"},       /* C1 control */
		{"\xc3\xa9t\xc3\xa9", 5, false, "\xc3\xa9t\xc3\xa9  "},
		{"\xc3\xa9t\xc3\xa9s", 3, false, "\xc3\xa9t~"},
		{"\xe2\x82\xac" "100", 5, true, " \xe2\x82\xac" "100"},
		{"bad\xff\xfe", 0, false, "bad??"},
		{"cut\xe2\x82", 0, false, "cut?"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		status_cell(&sb, cases[i].in, cases[i].width, cases[i].right);
		CU_ASSERT_STRING_EQUAL(sb.buf, cases[i].want);
		if (strcmp(sb.buf, cases[i].want))
			fprintf(stderr, "cell %zu: got \"%s\"\n", i, sb.buf);
		strbuf_release(&sb);
	}
}

void
suite_status(void)
{
	CU_pSuite s = unit_add_suite("status");

	ADD_TEST(s, test_duration_table);
	ADD_TEST(s, test_kb_table);
	ADD_TEST(s, test_cell_table);
}
