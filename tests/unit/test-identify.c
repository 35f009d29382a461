/*
 * test-identify.c - the external inspector's output parser, table-driven.
 *
 * identify_parse_output() is pure, so every rule of the protocol in
 * identify.h (CRLF, NUL bytes, keys given twice, comments, defaults,
 * what is quoted in a reason) is checked here without running a program;
 * tests/integration/042-inspector-output.sh runs real inspectors.  The
 * batch protocol's frame parser, identify_parse_frame(), likewise
 * (tests/integration/107-batch-inspector.sh runs a batch inspector).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "identify.h"
#include "timeutil.h"
#include "unit.h"

#define DAY(y, m, d) ((int64_t)timeutil_days_from_ymd(y, m, d) * USEC_PER_DAY)
#define HOUR (INT64_C(3600) * USEC_PER_SEC)
#define X40 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* An accepted output and what must come out of it. */
struct ok_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	int i, q, r;
	int32_t date;
	int64_t start, stop;
	const char *keywords;
};

/* A rejected output and a part of its reason. */
struct bad_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	const char *reason;
};

static void
test_accepted(void)
{
	static const char all[] = "utc_file_date=2024-02-03\n"
				  "version=2.1.0\n"
				  "utc_start_time=2024-02-03T06:00:00Z\n"
				  "utc_stop_time=2024-02-03T18:00:00Z\n"
				  "process_keywords=source=ext\n";
	static const char all_crlf[] = "utc_file_date=2024-02-03\r\n"
				       "version=2.1.0\r\n"
				       "utc_start_time=2024-02-03T06:00:00Z\r\n"
				       "utc_stop_time=2024-02-03T18:00:00Z\r\n"
				       "process_keywords=source=ext\r\n";
	const int32_t feb3 = timeutil_days_from_ymd(2024, 2, 3);
	const int64_t d0 = DAY(2024, 2, 3), end = d0 + USEC_PER_DAY - 1;
	const struct ok_case cases[] = {
		{"version=1.2.3\nutc_file_date=2024-02-03\n", 0, 1, 2, 3, feb3,
		 d0, end, ""},
		/* no final newline */
		{"version=1.2.3\nutc_file_date=2024-02-03", 0, 1, 2, 3, feb3, d0,
		 end, ""},
		{all, 0, 2, 1, 0, feb3, d0 + 6 * HOUR, d0 + 18 * HOUR,
		 "source=ext"},
		/* CRLF is read as LF, a final CR without LF too */
		{all_crlf, 0, 2, 1, 0, feb3, d0 + 6 * HOUR, d0 + 18 * HOUR,
		 "source=ext"},
		{"version=1.2.3\r\nutc_file_date=2024-02-03\r", 0, 1, 2, 3, feb3,
		 d0, end, ""},
		{"version=1.2.3\r\nutc_file_date=2024-02-03\n", 0, 1, 2, 3, feb3,
		 d0, end, ""},
		/* comments and empty lines (CRLF ones too) */
		{"# made by x\n\n\r\n#\r\nversion=1.2.3\nutc_file_date=2024-02-03\n"
		 "# end\n",
		 0, 1, 2, 3, feb3, d0, end, ""},
		/* one of the two times: the other from the date */
		{"version=1.0.0\nutc_file_date=2024-02-03\n"
		 "utc_start_time=2024-02-03 12:00:00\n",
		 0, 1, 0, 0, feb3, d0 + 12 * HOUR, end, ""},
		{"version=1.0.0\nutc_file_date=2024-02-03\n"
		 "utc_stop_time=2024-02-03T01:00:00.5+00:00\n",
		 0, 1, 0, 0, feb3, d0, d0 + HOUR + USEC_PER_SEC / 2, ""},
		/* a file running past midnight */
		{"version=1.0.0\nutc_file_date=2024-02-03\n"
		 "utc_start_time=2024-02-03T22:00:00Z\n"
		 "utc_stop_time=2024-02-04T02:00:00Z\n",
		 0, 1, 0, 0, feb3, d0 + 22 * HOUR, d0 + 26 * HOUR, ""},
		/* keywords: everything after the first '=', UTF-8 and spaces */
		{"process_keywords= a=b c\xc3\xa9 \nversion=1.0.0\n"
		 "utc_file_date=2024-02-03\n",
		 0, 1, 0, 0, feb3, d0, end, " a=b c\xc3\xa9 "},
		{"process_keywords=\nversion=1.0.0\nutc_file_date=2024-02-03\n", 0,
		 1, 0, 0, feb3, d0, end, ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ok_case *c = &cases[i];
		struct identify_output o = IDENTIFY_OUTPUT_INIT;
		struct strbuf reason = STRBUF_INIT;
		size_t len = c->len ? c->len : strlen(c->text);
		int rc = identify_parse_output(c->text, len, &o, &reason);

		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_EQUAL(reason.len, 0);
		if (rc)
			fprintf(stderr, "\ncase %zu: %s\n", i, reason.buf);
		CU_ASSERT_EQUAL(o.version.interface, c->i);
		CU_ASSERT_EQUAL(o.version.quality, c->q);
		CU_ASSERT_EQUAL(o.version.revision, c->r);
		CU_ASSERT_EQUAL(o.date, c->date);
		CU_ASSERT_EQUAL(o.start_usec, c->start);
		CU_ASSERT_EQUAL(o.stop_usec, c->stop);
		CU_ASSERT_STRING_EQUAL(o.keywords.buf, c->keywords);
		identify_output_release(&o);
		strbuf_release(&reason);
	}
}

static void
test_rejected(void)
{
	static const char nul_late[] = "version=1.0.0\nutc_file_date=2024-02-"
				       "03\n\0process_keywords=x\n";
	static const char nul_first[] = "\0version=1.0.0\n";
	static const struct bad_case cases[] = {
		/* a NUL byte, wherever it is: nothing after it is lost unseen */
		{nul_late, sizeof(nul_late) - 1,
		 "inspector output contains a NUL byte at offset 39"},
		{nul_first, sizeof(nul_first) - 1,
		 "inspector output contains a NUL byte at offset 0"},
		{"version=1.0.0\0", 14,
		 "inspector output contains a NUL byte at offset 13"},
		/* a key given twice: both lines named */
		{"version=1.0.0\nutc_file_date=2024-02-03\n# again\n"
		 "version=2.0.0\n",
		 0,
		 "inspector gave the key \"version\" twice: line 1 "
		 "\"version=1.0.0\" and line 4 \"version=2.0.0\""},
		{"version=1.0.0\r\nversion=1.0.0\r\n", 0,
		 "inspector gave the key \"version\" twice: line 1 "
		 "\"version=1.0.0\" and line 2 \"version=1.0.0\""},
		{"process_keywords=a\nversion=1.0.0\nutc_file_date=2024-02-03\n"
		 "process_keywords=b\n",
		 0,
		 "inspector gave the key \"process_keywords\" twice: line 1 "
		 "\"process_keywords=a\" and line 4 \"process_keywords=b\""},
		{"utc_stop_time=2024-02-03T00:00:00Z\n"
		 "utc_stop_time=2024-02-03T00:00:00Z\n",
		 0, "inspector gave the key \"utc_stop_time\" twice: line 1"},
		/* only one CR is dropped; others are part of the value */
		{"version=1.0.0\r\r\nutc_file_date=2024-02-03\n", 0,
		 "inspector gave an invalid version \"1.0.0\\x0d\" on line 1"},
		{"version=1.0.0\rutc_file_date=2024-02-03\n", 0,
		 "inspector output lacks utc_file_date="},
		/* the structure */
		{"hello\n", 0,
		 "inspector output line 1 \"hello\" is not key=value"},
		{"# c\n\nversion=1.0.0\nbye\n", 0,
		 "inspector output line 4 \"bye\" is not key=value"},
		{"colour=red\n", 0,
		 "inspector gave an unknown key \"colour\" on line 1"},
		{"Version=1.0.0\n", 0,
		 "inspector gave an unknown key \"Version\" on line 1"},
		{" version=1.0.0\n", 0,
		 "inspector gave an unknown key \" version\" on line 1"},
		{"", 0, "inspector output lacks version="},
		{"\n\n# nothing\n", 0, "inspector output lacks version="},
		{"utc_file_date=2024-02-03\n", 0,
		 "inspector output lacks version="},
		{"version=1.0.0\n", 0, "inspector output lacks utc_file_date="},
		/* the values */
		{"version=1.0\nutc_file_date=2024-02-03\n", 0,
		 "inspector gave an invalid version \"1.0\" on line 1"},
		{"version= 1.0.0\nutc_file_date=2024-02-03\n", 0,
		 "inspector gave an invalid version \" 1.0.0\" on line 1"},
		{"version=1.0.0\nutc_file_date=2024-02-30\n", 0,
		 "inspector gave an invalid utc_file_date \"2024-02-30\" on "
		 "line 2"},
		{"version=1.0.0\nutc_file_date=2024-02-03\n"
		 "utc_start_time=2024-02-03T24:00:00\n",
		 0,
		 "inspector gave an invalid utc_start_time "
		 "\"2024-02-03T24:00:00\" on line 3"},
		{"version=1.0.0\nutc_file_date=2024-02-03\n"
		 "utc_stop_time=yesterday\n",
		 0,
		 "inspector gave an invalid utc_stop_time \"yesterday\" on "
		 "line 3"},
		{"version=1.0.0\nutc_file_date=2024-02-03\n"
		 "utc_start_time=2024-02-03T12:00:00\n"
		 "utc_stop_time=2024-02-03T11:00:00\n",
		 0, "inspector gave utc_stop_time before utc_start_time"},
		/* only a start, after the end of the day */
		{"version=1.0.0\nutc_file_date=2024-02-03\n"
		 "utc_start_time=2024-02-04T12:00:00\n",
		 0, "inspector gave utc_stop_time before utc_start_time"},
		/* keywords go to a text column: valid UTF-8 only */
		{"version=1.0.0\nutc_file_date=2024-02-03\n"
		 "process_keywords=a\xff"
		 "b\n",
		 0,
		 "inspector gave process_keywords that are not valid UTF-8: "
		 "\"a\\xffb\" on line 3"},
		/* what is quoted is made readable and valid UTF-8, and cut */
		{"version=\x01\"\\\xc3\xa9\xc3\n", 0,
		 "inspector output lacks utc_file_date="},
		{"version=\x01\"\\\xc3\xa9\xc3\nutc_file_date=2024-02-03\n", 0,
		 "invalid version \"\\x01\\x22\\x5c\xc3\xa9\\xc3\" on line 1"},
		{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "=1\n",
		 0,
		 "\"" X40 X40 "\" (120 bytes, cut) on line 1"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct identify_output o = IDENTIFY_OUTPUT_INIT;
		struct strbuf reason = STRBUF_INIT;
		size_t len = c->len ? c->len : strlen(c->text);
		int rc = identify_parse_output(c->text, len, &o, &reason);

		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(reason.buf, c->reason));
		if (!strstr(reason.buf, c->reason))
			fprintf(stderr, "\ncase %zu: \"%s\"\n  not in \"%s\"\n",
				i, c->reason, reason.buf);
		identify_output_release(&o);
		strbuf_release(&reason);
	}
}

/* orbit=: optional, 1 to 12 decimal digits, and what it gives. */
static void
test_orbit(void)
{
	static const struct {
		const char *line; /* after version= and utc_file_date= */
		int rc;
		bool has_orbit;
		int64_t orbit;
		const char *reason; /* rc -1: a part of the reason */
	} cases[] = {
		{"", 0, false, 0, NULL},
		{"orbit=0\n", 0, true, 0, NULL},
		{"orbit=7\n", 0, true, 7, NULL},
		{"orbit=00042\n", 0, true, 42, NULL},
		{"orbit=123456\r\n", 0, true, 123456, NULL},
		{"orbit=999999999999\n", 0, true, INT64_C(999999999999), NULL},
		{"orbit=000000000001", 0, true, 1, NULL},
		/* negative */
		{"orbit=-1\n", -1, false, 0,
		 "inspector gave an invalid orbit \"-1\" on line 3: expected "
		 "1 to 12 decimal digits (0 to 999999999999)"},
		{"orbit=+1\n", -1, false, 0, "invalid orbit \"+1\" on line 3"},
		/* too large */
		{"orbit=1000000000000\n", -1, false, 0,
		 "invalid orbit \"1000000000000\" on line 3"},
		{"orbit=0000000000001\n", -1, false, 0,
		 "invalid orbit \"0000000000001\""},
		{"orbit=99999999999999999999999\n", -1, false, 0,
		 "invalid orbit \"99999999999999999999999\""},
		/* not a number */
		{"orbit=\n", -1, false, 0, "invalid orbit \"\" on line 3"},
		{"orbit=abc\n", -1, false, 0, "invalid orbit \"abc\""},
		{"orbit=12a\n", -1, false, 0, "invalid orbit \"12a\""},
		{"orbit=0x1f\n", -1, false, 0, "invalid orbit \"0x1f\""},
		{"orbit=1.5\n", -1, false, 0, "invalid orbit \"1.5\""},
		{"orbit=1e3\n", -1, false, 0, "invalid orbit \"1e3\""},
		{"orbit= 1\n", -1, false, 0, "invalid orbit \" 1\""},
		{"orbit=1 \n", -1, false, 0, "invalid orbit \"1 \""},
		{"orbit=\xd9\xa1\n", -1, false, 0, "invalid orbit \"\xd9\xa1\""},
		{"Orbit=1\n", -1, false, 0,
		 "inspector gave an unknown key \"Orbit\" on line 3"},
		/* given twice, even the same */
		{"orbit=1\n# again\norbit=2\n", -1, false, 0,
		 "inspector gave the key \"orbit\" twice: line 3 \"orbit=1\" "
		 "and line 5 \"orbit=2\""},
		{"orbit=1\norbit=1\n", -1, false, 0,
		 "the key \"orbit\" twice: line 3 \"orbit=1\" and line 4"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct identify_output o = IDENTIFY_OUTPUT_INIT;
		struct strbuf text = STRBUF_INIT, reason = STRBUF_INIT;
		int rc;

		/* a stale orbit is not kept */
		o.has_orbit = true;
		o.orbit = 99;
		strbuf_addstr(&text, "version=1.2.3\nutc_file_date=2024-02-03\n");
		strbuf_addstr(&text, cases[i].line);
		rc = identify_parse_output(text.buf, text.len, &o, &reason);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (!rc) {
			CU_ASSERT_EQUAL(reason.len, 0);
			CU_ASSERT_EQUAL(o.has_orbit, cases[i].has_orbit);
			CU_ASSERT_EQUAL(o.orbit, cases[i].orbit);
			CU_ASSERT_EQUAL(o.date,
					timeutil_days_from_ymd(2024, 2, 3));
		} else {
			CU_ASSERT_FALSE(o.has_orbit);
			CU_ASSERT_PTR_NOT_NULL(
				strstr(reason.buf, cases[i].reason));
		}
		if (rc != cases[i].rc ||
		    (rc && !strstr(reason.buf, cases[i].reason)) ||
		    (!rc && o.orbit != cases[i].orbit))
			fprintf(stderr, "\ncase %zu: %d %lld \"%s\"\n", i, rc,
				(long long)o.orbit, reason.buf);
		identify_output_release(&o);
		strbuf_release(&text);
		strbuf_release(&reason);
	}
}

/* The reason is appended; keywords are replaced, not appended. */
static void
test_buffers(void)
{
	static const char ok[] = "version=1.0.0\nutc_file_date=2024-02-03\n"
				 "process_keywords=k\n";
	struct identify_output o = IDENTIFY_OUTPUT_INIT;
	struct strbuf reason = STRBUF_INIT;

	strbuf_addstr(&o.keywords, "old");
	CU_ASSERT_EQUAL(identify_parse_output(ok, strlen(ok), &o, &reason), 0);
	CU_ASSERT_STRING_EQUAL(o.keywords.buf, "k");
	strbuf_addstr(&reason, "inspector \"x\": ");
	CU_ASSERT_EQUAL(identify_parse_output("?", 1, &o, &reason), -1);
	CU_ASSERT_STRING_EQUAL(reason.buf,
			       "inspector \"x\": inspector output line 1 "
			       "\"?\" is not key=value");
	identify_output_release(&o);
	strbuf_release(&reason);
}

/* A frame of the batch protocol and what the parser makes of it. */
struct frame_case {
	const char *buf;
	size_t len;       /* 0: strlen(buf) */
	int rc;           /* 1 whole, 0 read more, -1 malformed */
	int status;       /* rc 1: enum identify_frame_status */
	const char *body; /* rc 1: the body; rc -1: a part of the reason */
	size_t frame_len; /* rc 1 */
};

static void
test_frames(void)
{
	static char big[80];
	static const struct frame_case cases[] = {
		/* whole frames, with what follows them left alone */
		{"mine 5\nabcde", 0, 1, IDENTIFY_FRAME_MINE, "abcde", 12},
		{"mine 5\nabcdenotmine 0\n", 0, 1, IDENTIFY_FRAME_MINE,
		 "abcde", 12},
		{"notmine 0\n", 0, 1, IDENTIFY_FRAME_NOTMINE, "", 10},
		{"notmine 3\nwhy", 0, 1, IDENTIFY_FRAME_NOTMINE, "why", 13},
		{"error 2\n\n\n", 0, 1, IDENTIFY_FRAME_ERROR, "\n\n", 10},
		/* bodies may hold anything, NUL bytes too */
		{"mine 3\na\0b", 10, 1, IDENTIFY_FRAME_MINE, "a", 10},
		{"mine 65536\n", 0, 0, 0, NULL, 0},
		/* not yet whole: read more */
		{"", 0, 0, 0, NULL, 0},
		{"mi", 0, 0, 0, NULL, 0},
		{"mine 5", 0, 0, 0, NULL, 0},
		{"mine 5\nabcd", 0, 0, 0, NULL, 0},
		{"notmine 12345678901234567890123", 0, 0, 0, NULL, 0},
		/* malformed */
		{"notmine 123456789012345678901234", 0, -1, 0,
		 "has no line end within 32 bytes", 0},
		{"maybe 0\n", 0, -1, 0,
		 "frame status \"maybe\" is not mine, notmine or error", 0},
		{"MINE 0\n", 0, -1, 0, "frame status \"MINE\"", 0},
		{"mine\n", 0, -1, 0, "frame header \"mine\" is not \"STATUS LENGTH\"", 0},
		{"mine \n", 0, -1, 0, "is not \"STATUS LENGTH\"", 0},
		{" 0\n", 0, -1, 0, "is not \"STATUS LENGTH\"", 0},
		{"mine  5\n", 0, -1, 0, "is not \"STATUS LENGTH\"", 0},
		{"mine 5 \n", 0, -1, 0, "is not \"STATUS LENGTH\"", 0},
		{"this is not a frame\n", 0, -1, 0,
		 "frame header \"this is not a frame\" is not \"STATUS LENGTH\"", 0},
		{"mine -1\n", 0, -1, 0, "frame length \"-1\" is not a decimal number", 0},
		{"mine +1\n", 0, -1, 0, "is not a decimal number", 0},
		{"mine 05\n", 0, -1, 0, "frame length \"05\" is not a decimal number", 0},
		{"mine 5\r\nabcde", 0, -1, 0, "frame length \"5\\x0d\" is not a decimal number", 0},
		{"mine 0x10\n", 0, -1, 0, "is not a decimal number", 0},
		{"mine 65537\n", 0, -1, 0, "frame length \"65537\" exceeds 65536 bytes", 0},
		{"mine 99999999999999999999\n", 0, -1, 0, "exceeds 65536 bytes", 0},
		{"mine\xff 1\nx", 0, -1, 0, "frame status \"mine\\xff\"", 0},
		{big, 0, -1, 0, "xxxxxxxx\" has no line end within 32 bytes", 0},
	};

	memset(big, 'x', sizeof(big) - 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct frame_case *c = &cases[i];
		struct identify_frame f = {IDENTIFY_FRAME_NSTATUS, NULL, 0, 0};
		struct strbuf reason = STRBUF_INIT;
		size_t len = c->len ? c->len : strlen(c->buf);
		int rc = identify_parse_frame(c->buf, len, &f, &reason);

		if (rc != c->rc)
			printf("\nframe case %zu: rc %d, want %d (%s)\n", i, rc,
			       c->rc, reason.buf);
		CU_ASSERT_EQUAL(rc, c->rc);
		if (c->rc == 1 && rc == 1) {
			CU_ASSERT_EQUAL((int)f.status, c->status);
			CU_ASSERT_EQUAL(f.frame_len, c->frame_len);
			CU_ASSERT_PTR_EQUAL(f.body, c->buf + c->frame_len -
							    f.body_len);
			CU_ASSERT_EQUAL(f.body_len == strlen(c->body) ||
						c->len != 0,
					true);
			CU_ASSERT_EQUAL(memcmp(f.body, c->body,
					       strlen(c->body)),
					0);
		}
		if (c->rc == -1) {
			if (!strstr(reason.buf, c->body))
				printf("\nframe case %zu: reason %s\n", i,
				       reason.buf);
			CU_ASSERT_PTR_NOT_NULL(strstr(reason.buf, c->body));
		} else {
			CU_ASSERT_EQUAL(reason.len, 0);
		}
		strbuf_release(&reason);
	}
}

void
suite_identify(void)
{
	CU_pSuite s = unit_add_suite("identify");

	ADD_TEST(s, test_accepted);
	ADD_TEST(s, test_rejected);
	ADD_TEST(s, test_orbit);
	ADD_TEST(s, test_buffers);
	ADD_TEST(s, test_frames);
}
