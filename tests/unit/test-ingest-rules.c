/*
 * test-ingest-rules.c - ingest's decisions, as tables: which names in
 * incoming are taken, the settle rule, and what an archived file of the
 * same name makes of an incoming one.
 */
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "ingest-rules.h"
#include "unit.h"

static void
test_name_class(void)
{
	static const struct {
		const char *name, *glob;
		enum ingest_name_class want;
	} cases[] = {
		{".", "*", INGEST_NAME_SELF},
		{"..", "*", INGEST_NAME_SELF},
		{"a_20240101_v1.0.0.cdf", "*", INGEST_NAME_FILE},
		/* deliveries in progress: never taken */
		{".a_20240101_v1.0.0.cdf", "*", INGEST_NAME_DELIVERING},
		{"a_20240101_v1.0.0.cdf.part", "*", INGEST_NAME_DELIVERING},
		{"a_20240101_v1.0.0.cdf.tmp", "*", INGEST_NAME_DELIVERING},
		{"a.tmp", "*.cdf", INGEST_NAME_DELIVERING_OTHER},
		{".a.cdf", "*.txt", INGEST_NAME_DELIVERING_OTHER},
		/* the suffix alone is a name, not a delivery */
		{".part", "*", INGEST_NAME_DELIVERING}, /* a dot name */
		{"part", "*", INGEST_NAME_FILE},
		{"x.partial", "*", INGEST_NAME_FILE},
		{"x.tmpl", "*", INGEST_NAME_FILE},
		/* the glob */
		{"a.cdf", "*.cdf", INGEST_NAME_FILE},
		{"a.txt", "*.cdf", INGEST_NAME_UNMATCHED},
		{"b_1.cdf", "a_*", INGEST_NAME_UNMATCHED},
		{"a_1.cdf", "a_*", INGEST_NAME_FILE},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		enum ingest_name_class c =
			ingest_name_class(cases[i].name, cases[i].glob);

		if (c != cases[i].want)
			fprintf(stderr, "\n  name class: \"%s\" under \"%s\": "
					"%d, want %d\n",
				cases[i].name, cases[i].glob, (int)c,
				(int)cases[i].want);
		CU_ASSERT_EQUAL(c, cases[i].want);
	}
}

static void
test_settling(void)
{
	static const struct {
		int64_t age_ms;
		int settle_s;
		bool want;
	} cases[] = {
		{0, 0, false},	     /* settle 0: never waited for */
		{-5000, 0, false},
		{0, 2, true},
		{1999, 2, true},
		{2000, 2, false},
		{60000, 2, false},
		{-1999, 2, true},    /* a writer's clock ahead of ours */
		{-2000, 2, false},
		{-3600000, 2, false}, /* far in the future: not a writer now */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CU_ASSERT_EQUAL(ingest_settling(cases[i].age_ms,
						cases[i].settle_s),
				cases[i].want);
}

static void
test_same_name(void)
{
	static const char A[] = "a9993e364706816aba3e25717850c26c9cd0d89d";
	static const char B[] = "84983e441c3bd26ebaae4aa1f95129e5e54670f1";
	static const struct {
		const char *what;
		bool to_archive, rejected;
		const char *sha1, *archived;
		bool same_file;
		enum ingest_same_name want;
	} cases[] = {
		{"no archived file of its name", true, false, A, NULL, false,
		 INGEST_SAME_NAME_NONE},
		{"a link to the archived file: a left-over", true, false, A, A,
		 true, INGEST_SAME_NAME_LEFTOVER},
		{"a left-over even when rejected", false, true, B, A, true,
		 INGEST_SAME_NAME_LEFTOVER},
		{"same content: a duplicate", true, false, A, A, false,
		 INGEST_SAME_NAME_DUPLICATE},
		{"same content, skipped before: a duplicate", false, false, A,
		 A, false, INGEST_SAME_NAME_DUPLICATE},
		{"same content but rejected: stays rejected", false, true, A, A,
		 false, INGEST_SAME_NAME_NONE},
		{"other content: the name is taken", true, false, B, A, false,
		 INGEST_SAME_NAME_TAKEN},
		{"other content, rejected already", false, true, B, A, false,
		 INGEST_SAME_NAME_NONE},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		enum ingest_same_name r = ingest_same_name(
			cases[i].to_archive, cases[i].rejected, cases[i].sha1,
			cases[i].archived, cases[i].same_file);

		if (r != cases[i].want)
			fprintf(stderr, "\n  same name: %s: %d, want %d\n",
				cases[i].what, (int)r, (int)cases[i].want);
		CU_ASSERT_EQUAL(r, cases[i].want);
	}
}

void
suite_ingest_rules(void)
{
	CU_pSuite s = unit_add_suite("ingest-rules");

	ADD_TEST(s, test_name_class);
	ADD_TEST(s, test_settling);
	ADD_TEST(s, test_same_name);
}
