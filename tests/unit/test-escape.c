/*
 * test-escape.c - the printable form of names (table-driven), its
 * inverse, and the UTF-8 test.
 */
#include <string.h>

#include "escape.h"
#include "strbuf.h"
#include "unit.h"

static void
test_escape_table(void)
{
	static const struct {
		const char *in;
		size_t len; /* 0: strlen(in) */
		unsigned flags;
		const char *want;
	} cases[] = {
		{"", 0, 0, ""},
		{"plain_v1.0.0.dat", 0, 0, "plain_v1.0.0.dat"},
		{"a b 'c' \"d\" *?", 0, 0, "a b 'c' \"d\" *?"},
		{"new\nline", 0, 0, "new\\x0aline"},
		{"\t\r\x01\x1b[31m", 0, 0, "\\x09\\x0d\\x01\\x1b[31m"},
		{"del\x7f", 0, 0, "del\\x7f"},
		{"nul\0in", 6, 0, "nul\\x00in"},
		{"back\\slash", 0, 0, "back\\\\slash"},
		{"back\\slash", 0, ESCAPE_KEEP_BACKSLASH, "back\\slash"},
		{"\\x41", 0, 0, "\\\\x41"},
		{"\xc3\xa9t\xc3\xa9", 0, 0, "\xc3\xa9t\xc3\xa9"},
		{"\xf0\x9f\x98\x80", 0, 0, "\xf0\x9f\x98\x80"},
		{"\xc3\xa9\xe2\x82\xac", 0, ESCAPE_ASCII, "\\xc3\\xa9\\xe2\\x82\\xac"},
		{"c1\xc2\x85x", 0, 0, "c1\\xc2\\x85x"},        /* U+0085 */
		{"nbsp\xc2\xa0", 0, 0, "nbsp\xc2\xa0"},        /* U+00A0 */
		{"bad\xffname", 0, 0, "bad\\xffname"},
		{"\xc0\xaf", 0, 0, "\\xc0\\xaf"},               /* overlong */
		{"\xe2\x82", 0, 0, "\\xe2\\x82"},               /* truncated */
		{"\xe2\x82z", 0, 0, "\\xe2\\x82z"},
		{"\xed\xa0\x80", 0, 0, "\\xed\\xa0\\x80"},      /* surrogate */
		{"\xf4\x90\x80\x80", 0, 0, "\\xf4\\x90\\x80\\x80"},
		{"line\n\xff", 0, ESCAPE_KEEP_BACKSLASH, "line\\x0a\\xff"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);

		escape_name(&sb, cases[i].in, len, cases[i].flags);
		CU_ASSERT_STRING_EQUAL(sb.buf, cases[i].want);
		if (strcmp(sb.buf, cases[i].want))
			fprintf(stderr, "case %zu: got %s\n", i, sb.buf);
		/* the form is valid UTF-8 without control characters */
		CU_ASSERT(escape_valid_utf8(sb.buf, sb.len));
		for (size_t k = 0; k < sb.len; k++)
			CU_ASSERT((unsigned char)sb.buf[k] >= 0x20 &&
				  sb.buf[k] != 0x7f);
		strbuf_release(&sb);
	}
}

/* what escape_name writes, escape_unname reads back */
static void
test_round_trip(void)
{
	static const char *const names[] = {
		"plain", "-rf", "new\nline", "back\\slash", "\\x41",
		"bad\xff\xfe", "\x01\x02\x03\x7f", "c1 \xc2\xa0",
		"\xc3\xa9\xe2\x82\xac", "\xf0\x9f\x98\x80",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (unsigned flags = 0; flags <= ESCAPE_ASCII; flags++) {
			struct strbuf e = STRBUF_INIT, back = STRBUF_INIT;

			escape_name(&e, names[i], strlen(names[i]), flags);
			CU_ASSERT_EQUAL(escape_unname(&back, e.buf), 0);
			CU_ASSERT_STRING_EQUAL(back.buf, names[i]);
			/* the first two and the last three are shown as is */
			if (flags == 0)
				CU_ASSERT_EQUAL(strcmp(e.buf, names[i]) != 0,
						i >= 2 && i < 7);
			strbuf_release(&e);
			strbuf_release(&back);
		}
	}
}

static void
test_unname_refuses(void)
{
	static const char *const bad[] = {
		"a\\", "a\\b", "\\x", "\\x4", "\\xg1", "\\x00", "end\\x4",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, "kept");
		CU_ASSERT_EQUAL(escape_unname(&sb, bad[i]), -1);
		CU_ASSERT_STRING_EQUAL(sb.buf, "kept");
		strbuf_release(&sb);
	}
}

static void
test_valid_utf8(void)
{
	CU_ASSERT(escape_valid_utf8("", 0));
	CU_ASSERT(escape_valid_utf8("abc", 3));
	CU_ASSERT(escape_valid_utf8("\xc3\xa9\xf0\x9f\x98\x80", 6));
	CU_ASSERT(!escape_valid_utf8("\xff", 1));
	CU_ASSERT(!escape_valid_utf8("\xc3", 1));
	CU_ASSERT(!escape_valid_utf8("\xed\xa0\x80", 3));
	CU_ASSERT(!escape_valid_utf8("\xc0\xaf", 2));
	CU_ASSERT(!escape_valid_utf8("ok\xe2\x82", 4));
}

void
suite_escape(void)
{
	CU_pSuite s = unit_add_suite("escape");

	ADD_TEST(s, test_escape_table);
	ADD_TEST(s, test_round_trip);
	ADD_TEST(s, test_unname_refuses);
	ADD_TEST(s, test_valid_utf8);
}
