/*
 * test-version.c - version parsing and ordering, table-driven.
 */
#include <string.h>

#include "unit.h"
#include "version.h"

static void
test_parse_table(void)
{
	static const struct {
		const char *in;
		int ok;
		int i, q, r;
	} cases[] = {
		{"1.0.0", 1, 1, 0, 0},
		{"10.20.30", 1, 10, 20, 30},
		{"0.0.0", 1, 0, 0, 0},
		{"32767.32767.32767", 1, 32767, 32767, 32767},
		{"32768.0.0", 0, 0, 0, 0},
		{"1.0", 0, 0, 0, 0},
		{"1.0.0.", 0, 0, 0, 0},
		{"1..0", 0, 0, 0, 0},
		{"-1.0.0", 0, 0, 0, 0},
		{" 1.0.0", 0, 0, 0, 0},
		{"1.0.0 ", 0, 0, 0, 0},
		{"a.b.c", 0, 0, 0, 0},
		{"", 0, 0, 0, 0},
		{"1.0.0.0", 0, 0, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct version v = {-1, -1, -1};
		int rc = version_parse(cases[i].in, strlen(cases[i].in), &v);

		CU_ASSERT_EQUAL(rc == 0, cases[i].ok);
		if (cases[i].ok) {
			CU_ASSERT_EQUAL(v.interface, cases[i].i);
			CU_ASSERT_EQUAL(v.quality, cases[i].q);
			CU_ASSERT_EQUAL(v.revision, cases[i].r);
		}
	}
}

static void
test_compare(void)
{
	struct version a = {1, 10, 0}, b = {1, 9, 0}, c = {1, 10, 0},
		       d = {2, 0, 0};
	char buf[VERSION_STRLEN];

	CU_ASSERT(version_cmp(&a, &b) > 0);
	CU_ASSERT(version_cmp(&b, &a) < 0);
	CU_ASSERT(version_cmp(&a, &c) == 0);
	CU_ASSERT(version_cmp(&d, &a) > 0);
	CU_ASSERT_STRING_EQUAL(version_format(&a, buf), "1.10.0");
}

static void
test_prefix_length(void)
{
	struct version v;

	/* only the first len bytes count */
	CU_ASSERT_EQUAL(version_parse("1.2.3xyz", 5, &v), 0);
	CU_ASSERT_EQUAL(v.revision, 3);
	CU_ASSERT_NOT_EQUAL(version_parse("1.2.3xyz", 6, &v), 0);
}

void
suite_version(void)
{
	CU_pSuite s = unit_add_suite("version");

	ADD_TEST(s, test_parse_table);
	ADD_TEST(s, test_compare);
	ADD_TEST(s, test_prefix_length);
}
