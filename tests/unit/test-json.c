/*
 * test-json.c - the JSON writer: escaping (table-driven), UTF-8 repair,
 * numbers, nesting, pretty layout, and that misuse is caught.
 */
#include <math.h>
#include <string.h>

#include "json.h"
#include "strbuf.h"
#include "unit.h"

static void
test_escape_table(void)
{
	static const struct {
		const char *in;
		size_t len; /* 0: strlen(in) */
		const char *want;
	} cases[] = {
		{"", 0, "\"\""},
		{"plain", 0, "\"plain\""},
		{"a\"b", 0, "\"a\\\"b\""},
		{"back\\slash", 0, "\"back\\\\slash\""},
		{"a/b", 0, "\"a/b\""},
		{"\b\f\n\r\t", 0, "\"\\b\\f\\n\\r\\t\""},
		{"\x01\x1f", 0, "\"\\u0001\\u001f\""},
		{"\x7f", 0, "\"\x7f\""},
		{"nul\0in", 6, "\"nul\\u0000in\""},
		{"\xc3\xa9t\xc3\xa9", 0, "\"\xc3\xa9t\xc3\xa9\""},           /* été */
		{"\xe2\x82\xac", 0, "\"\xe2\x82\xac\""},                      /* € */
		{"\xf0\x9f\x98\x80", 0, "\"\xf0\x9f\x98\x80\""},              /* emoji */
		{"\xef\xbf\xbf", 0, "\"\xef\xbf\xbf\""},                      /* U+FFFF */
		{"\xf4\x8f\xbf\xbf", 0, "\"\xf4\x8f\xbf\xbf\""},              /* U+10FFFF */
		{"\xe2\x80\xa8|\xe2\x80\xa9", 0, "\"\\u2028|\\u2029\""},
		/* invalid UTF-8: each maximal invalid subpart becomes U+FFFD */
		{"\xff", 0, "\"\xef\xbf\xbd\""},
		{"a\x80z", 0, "\"a\xef\xbf\xbdz\""},
		{"\xc0\xaf", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\""},              /* overlong */
		{"\xc3", 0, "\"\xef\xbf\xbd\""},                              /* truncated */
		{"\xe2\x82", 0, "\"\xef\xbf\xbd\""},                          /* truncated 3 */
		{"\xe2\x82z", 0, "\"\xef\xbf\xbdz\""},
		{"\xed\xa0\x80", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* surrogate */
		{"\xe0\x80\x80", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* overlong 3 */
		{"\xf4\x90\x80\x80", 0,
		 "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* > U+10FFFF */
		{"\xf0\x9f\x98", 0, "\"\xef\xbf\xbd\""},
		{"\xf5\x80", 0, "\"\xef\xbf\xbd\xef\xbf\xbd\""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);

		json_escape(&sb, cases[i].in, len);
		CU_ASSERT_STRING_EQUAL(sb.buf, cases[i].want);
		if (strcmp(sb.buf, cases[i].want))
			fprintf(stderr, "case %zu: got %s\n", i, sb.buf);
		strbuf_release(&sb);
	}
}

static void
test_compact_document(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer w;

	json_init(&w, &sb, 0);
	json_object_begin(&w);
	json_kv_string(&w, "name", "mag \"l0\"");
	json_kv_int(&w, "n", -42);
	json_kv_bool(&w, "ok", true);
	json_kv_bool(&w, "bad", false);
	json_kv_null(&w, "none");
	json_kv_string(&w, "null string", NULL);
	json_key(&w, "list");
	json_array_begin(&w);
	json_int(&w, 1);
	json_string(&w, "two");
	json_array_begin(&w);
	json_array_end(&w);
	json_object_begin(&w);
	json_object_end(&w);
	json_array_end(&w);
	json_key(&w, "empty");
	json_array_begin(&w);
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
	CU_ASSERT_STRING_EQUAL(sb.buf,
			       "{\"name\":\"mag \\\"l0\\\"\",\"n\":-42,"
			       "\"ok\":true,\"bad\":false,\"none\":null,"
			       "\"null string\":null,"
			       "\"list\":[1,\"two\",[],{}],\"empty\":[]}\n");
	strbuf_release(&sb);
}

/* a document of cascade's: an object whose first member is its format */
static void
test_document_format(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer w;

	json_init(&w, &sb, 0);
	json_document_begin(&w);
	json_kv_int(&w, "n", 2);
	json_object_end(&w);
	json_finish(&w);
	CU_ASSERT_STRING_EQUAL(sb.buf, "{\"format\":1,\"n\":2}\n");
	CU_ASSERT_EQUAL(JSON_FORMAT, 1);
	strbuf_release(&sb);
}

static void
test_pretty_document(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer w;

	strbuf_addstr(&sb, "prefix ");
	json_init(&w, &sb, JSON_PRETTY);
	json_object_begin(&w);
	json_kv_string(&w, "a", "x");
	json_key(&w, "b");
	json_array_begin(&w);
	json_int(&w, 1);
	json_object_begin(&w);
	json_kv_int(&w, "c", 2);
	json_object_end(&w);
	json_array_end(&w);
	json_key(&w, "d");
	json_object_begin(&w);
	json_object_end(&w);
	json_object_end(&w);
	json_finish(&w);
	CU_ASSERT_STRING_EQUAL(sb.buf, "prefix {\n"
				       "  \"a\": \"x\",\n"
				       "  \"b\": [\n"
				       "    1,\n"
				       "    {\n"
				       "      \"c\": 2\n"
				       "    }\n"
				       "  ],\n"
				       "  \"d\": {}\n"
				       "}\n");
	strbuf_release(&sb);
}

static void
test_scalars_at_top(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer w;

	json_init(&w, &sb, JSON_PRETTY);
	json_string(&w, "alone");
	json_finish(&w);
	CU_ASSERT_STRING_EQUAL(sb.buf, "\"alone\"\n");
	strbuf_reset(&sb);
	json_init(&w, &sb, 0);
	json_null(&w);
	json_finish(&w);
	CU_ASSERT_STRING_EQUAL(sb.buf, "null\n");
	strbuf_release(&sb);
}

static void
test_numbers(void)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{0.0, "0"},
		{-0.0, "-0"},
		{1.0, "1"},
		{600.0, "600"},
		{-86400.0, "-86400"},
		{123456789012345.0, "123456789012345"},
		{1e15, "1e+15"},
		{0.5, "0.5"},
		{-2.5, "-2.5"},
		{0.1, "0.1"},
		{1.0 / 3.0, "0.3333333333333333"},
		{123456.789, "123456.789"},
		{1e21, "1e+21"},
		{1.5e-7, "1.5e-07"},
		{86400.000001, "86400.000001"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct json_writer w;

		json_init(&w, &sb, 0);
		json_double(&w, cases[i].v);
		CU_ASSERT_STRING_EQUAL(sb.buf, cases[i].want);
		strbuf_release(&sb);
	}
	{
		struct strbuf sb = STRBUF_INIT;
		struct json_writer w;

		json_init(&w, &sb, 0);
		json_array_begin(&w);
		json_double(&w, NAN);
		json_double(&w, INFINITY);
		json_double(&w, -INFINITY);
		json_int(&w, INT64_MAX);
		json_int(&w, INT64_MIN);
		json_array_end(&w);
		CU_ASSERT_STRING_EQUAL(sb.buf,
				       "[null,null,null,9223372036854775807,"
				       "-9223372036854775808]");
		strbuf_release(&sb);
	}
}

static void
test_deep_nesting(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer w;

	json_init(&w, &sb, 0);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_begin(&w);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_array_end(&w);
	json_finish(&w);
	CU_ASSERT_EQUAL(sb.len, 2 * JSON_MAX_DEPTH + 1);
	CU_ASSERT_EQUAL(sb.buf[0], '[');
	CU_ASSERT_EQUAL(sb.buf[2 * JSON_MAX_DEPTH - 1], ']');
	strbuf_release(&sb);
}

/* Misuse is a BUG: run it in a child and expect SIGABRT. */
enum misuse {
	MISUSE_VALUE_WITHOUT_KEY,
	MISUSE_KEY_IN_ARRAY,
	MISUSE_WRONG_CLOSE,
	MISUSE_TWO_TOP_VALUES,
	MISUSE_INCOMPLETE,
	MISUSE_KEY_WITHOUT_VALUE,
	MISUSE_TOO_DEEP,
	MISUSE_N
};

static void
misuse(enum misuse m)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer w;

	json_init(&w, &sb, 0);
	switch (m) {
	case MISUSE_VALUE_WITHOUT_KEY:
		json_object_begin(&w);
		json_int(&w, 1);
		break;
	case MISUSE_KEY_IN_ARRAY:
		json_array_begin(&w);
		json_key(&w, "k");
		break;
	case MISUSE_WRONG_CLOSE:
		json_array_begin(&w);
		json_object_end(&w);
		break;
	case MISUSE_TWO_TOP_VALUES:
		json_int(&w, 1);
		json_int(&w, 2);
		break;
	case MISUSE_INCOMPLETE:
		json_object_begin(&w);
		json_finish(&w);
		break;
	case MISUSE_KEY_WITHOUT_VALUE:
		json_object_begin(&w);
		json_key(&w, "k");
		json_object_end(&w);
		break;
	case MISUSE_TOO_DEEP:
		for (int i = 0; i <= JSON_MAX_DEPTH; i++)
			json_array_begin(&w);
		break;
	case MISUSE_N:
		break;
	}
	strbuf_release(&sb);
}

static void
misuse_case(int m)
{
	misuse((enum misuse)m);
}

static void
test_misuse_is_a_bug(void)
{
	for (int m = 0; m < MISUSE_N; m++)
		CU_ASSERT(unit_aborts(misuse_case, m));
}

void
suite_json(void)
{
	CU_pSuite s = unit_add_suite("json");

	ADD_TEST(s, test_escape_table);
	ADD_TEST(s, test_compact_document);
	ADD_TEST(s, test_document_format);
	ADD_TEST(s, test_pretty_document);
	ADD_TEST(s, test_scalars_at_top);
	ADD_TEST(s, test_numbers);
	ADD_TEST(s, test_deep_nesting);
	ADD_TEST(s, test_misuse_is_a_bug);
}
