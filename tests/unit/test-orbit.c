/*
 * test-orbit.c - the orbits file, as a table: what it reads (CSV and
 * blank-separated lines, comments, a header, CRLF, any line order), and
 * every bad line named by file and line, with nothing read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orbit.h"
#include "timeutil.h"
#include "unit.h"

/* the orbits read, as "N@line:start/stop ..." */
static void
orbits_text(const struct orbit_list *l, struct strbuf *sb)
{
	strbuf_reset(sb);
	for (size_t i = 0; i < l->n; i++) {
		char a[TIMESTAMP_STRLEN], b[TIMESTAMP_STRLEN];

		strbuf_addf(sb, "%s%lld@%ld:%s/%s", i ? " " : "",
			    (long long)l->v[i].number, l->v[i].line,
			    timeutil_format_timestamp(l->v[i].start, a),
			    timeutil_format_timestamp(l->v[i].stop, b));
	}
}

static void
test_parse(void)
{
	static const struct {
		const char *what, *text;
		int rc;
		/* rc 0: the orbits read; -1: what the messages contain, a
		 * "|" between messages that must all be there */
		const char *want;
	} cases[] = {
		{"csv with a header, a comment and a blank line",
		 "number,start,stop\n"
		 "# the first orbits\n"
		 "\n"
		 "1,2024-03-01T00:00:00Z,2024-03-01T01:30:00Z\n"
		 "2, 2024-03-01T01:30:00Z , 2024-03-01T03:00:00Z\n",
		 0,
		 "1@4:2024-03-01T00:00:00Z/2024-03-01T01:30:00Z "
		 "2@5:2024-03-01T01:30:00Z/2024-03-01T03:00:00Z"},
		{"blanks, CRLF, fractions, no final newline",
		 "  7\t2024-03-01T00:00:00.5 2024-03-01T01:00:00\r\n"
		 "8 2024-03-01T01:00:00 2024-03-01T02:00:00",
		 0,
		 "7@1:2024-03-01T00:00:00.500000Z/2024-03-01T01:00:00Z "
		 "8@2:2024-03-01T01:00:00Z/2024-03-01T02:00:00Z"},
		{"a space in the times of a CSV line; a header in capitals",
		 "Number, Start, Stop\n"
		 "3,2024-03-01 03:00:00,2024-03-01 04:30:00\n",
		 0, "3@2:2024-03-01T03:00:00Z/2024-03-01T04:30:00Z"},
		{"lines in any order are sorted by number; gaps are allowed",
		 "5,2024-03-01T05:00:00,2024-03-01T06:30:00\n"
		 "1,2024-03-01T00:00:00,2024-03-01T01:30:00\n",
		 0,
		 "1@2:2024-03-01T00:00:00Z/2024-03-01T01:30:00Z "
		 "5@1:2024-03-01T05:00:00Z/2024-03-01T06:30:00Z"},
		{"empty", "", 0, ""},
		{"only comments", "# nothing yet\n\n", 0, ""},
		{"a bad number",
		 "1,2024-03-01T00:00:00,2024-03-01T01:00:00\n"
		 "x2,2024-03-01T01:00:00,2024-03-01T02:00:00\n",
		 -1,
		 "o.csv:2: orbit number \"x2\" is not a whole number from 0 to "
		 "999999999999"},
		{"a negative number",
		 "-1,2024-03-01T00:00:00,2024-03-01T01:00:00\n", -1,
		 "o.csv:1: orbit number \"-1\""},
		{"a number too large",
		 "1000000000000,2024-03-01T00:00:00,2024-03-01T01:00:00\n",
		 -1, "o.csv:1: orbit number \"1000000000000\""},
		{"two fields",
		 "1,2024-03-01T00:00:00\n", -1,
		 "o.csv:1: 2 fields where an orbit has 3: expected "
		 "NUMBER,START,STOP"},
		{"four fields",
		 "1 2024-03-01T00:00:00 2024-03-01T01:00:00 x\n", -1,
		 "o.csv:1: more than 3 fields"},
		{"an empty CSV field", "1,,2024-03-01T01:00:00\n", -1,
		 "o.csv:1: start time \"\" of orbit 1 is not a UTC time"},
		{"a bad start time",
		 "3,2024-13-01T00:00:00,2024-03-01T01:00:00\n", -1,
		 "o.csv:1: start time \"2024-13-01T00:00:00\" of orbit 3 is not "
		 "a UTC time: expected YYYY-MM-DDTHH:MM:SS[.ffffff][Z]"},
		{"a local time is not UTC",
		 "3,2024-03-01T00:00:00+02:00,2024-03-01T04:00:00\n", -1,
		 "o.csv:1: start time \"2024-03-01T00:00:00+02:00\""},
		{"a bad stop time", "3 2024-03-01T00:00:00 soon\n", -1,
		 "o.csv:1: stop time \"soon\" of orbit 3"},
		{"a stop before the start",
		 "3,2024-03-01T02:00:00,2024-03-01T01:00:00\n", -1,
		 "o.csv:1: orbit 3 stops at 2024-03-01T01:00:00Z, before its "
		 "start 2024-03-01T02:00:00Z"},
		{"an empty orbit",
		 "3,2024-03-01T02:00:00,2024-03-01T02:00:00\n", -1,
		 "o.csv:1: orbit 3 stops at 2024-03-01T02:00:00Z, at its start"},
		{"a number twice",
		 "3,2024-03-01T00:00:00,2024-03-01T01:00:00\n"
		 "4,2024-03-01T01:00:00,2024-03-01T02:00:00\n"
		 "3,2024-03-01T00:00:00,2024-03-01T01:00:00\n",
		 -1, "o.csv:3: orbit 3 is given again (first on line 1)"},
		{"overlapping orbits",
		 "3,2024-03-01T00:00:00,2024-03-01T01:00:00\n"
		 "4,2024-03-01T00:59:00,2024-03-01T02:00:00\n",
		 -1,
		 "o.csv:2: orbit 4 starts at 2024-03-01T00:59:00Z, before orbit "
		 "3 (line 1) stops at 2024-03-01T01:00:00Z"},
		{"numbers against the order of times",
		 "4,2024-03-01T00:00:00,2024-03-01T01:00:00\n"
		 "3,2024-03-01T01:00:00,2024-03-01T02:00:00\n",
		 -1, "o.csv:1: orbit 4 starts at 2024-03-01T00:00:00Z, before "
		     "orbit 3 (line 2)"},
		{"a header after the first orbit is a bad line",
		 "1,2024-03-01T00:00:00,2024-03-01T01:00:00\n"
		 "number,start,stop\n",
		 -1, "o.csv:2: orbit number \"number\""},
		{"every bad line is named, the good ones not taken",
		 "1,2024-03-01T00:00:00,2024-03-01T01:00:00\n"
		 "2,2024-03-01T01:00:00\n"
		 "3,2024-03-01T02:00:00,2024-03-01T03:00:00\n"
		 "four,2024-03-01T03:00:00,2024-03-01T04:00:00\n",
		 -1, "o.csv:2: 2 fields|o.csv:4: orbit number \"four\""},
		{"a NUL byte", "1,2024-03-01T00:00:00,2024-03-01T01:00:00\n"
			       "2,2024\0-03,x\n",
		 -1, "o.csv:2: a NUL byte"},
		{"control bytes are not echoed", "\x1b[2J,x,y\n", -1,
		 "o.csv:1: orbit number \"?[2J\""},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct orbit_list l = ORBIT_LIST_INIT;
		struct strbuf err = STRBUF_INIT, got = STRBUF_INIT;
		/* a NUL inside: the length is the literal's */
		size_t len = strlen(cases[i].text);
		int rc;

		if (!strcmp(cases[i].what, "a NUL byte"))
			len = sizeof("1,2024-03-01T00:00:00,2024-03-01T01:00:00\n"
				     "2,2024\0-03,x\n") - 1;
		rc = orbit_parse("o.csv", cases[i].text, len, &l, &err);
		orbits_text(&l, &got);
		if (rc != cases[i].rc)
			fprintf(stderr, "\n  %s: rc %d, messages:\n%s", cases[i].what,
				rc, err.buf);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (cases[i].rc == 0) {
			if (strcmp(got.buf, cases[i].want))
				fprintf(stderr, "\n  %s: got \"%s\"\n",
					cases[i].what, got.buf);
			CU_ASSERT_STRING_EQUAL(got.buf, cases[i].want);
			CU_ASSERT_EQUAL(err.len, 0);
		} else {
			char want[512], *s = want;

			/* nothing is read from a bad file */
			CU_ASSERT_EQUAL(l.n, 0);
			snprintf(want, sizeof(want), "%s", cases[i].want);
			for (;;) {
				char *bar = strchr(s, '|');

				if (bar)
					*bar = '\0';
				if (!strstr(err.buf, s))
					fprintf(stderr, "\n  %s: no \"%s\" in:\n%s",
						cases[i].what, s, err.buf);
				CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, s));
				if (!bar)
					break;
				s = bar + 1;
			}
		}
		orbit_list_release(&l);
		strbuf_release(&err);
		strbuf_release(&got);
	}
}

/* at most ORBIT_MAX_ERRORS messages, then how many more */
static void
test_many_errors(void)
{
	struct orbit_list l = ORBIT_LIST_INIT;
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	size_t lines = 0;

	for (int i = 0; i < ORBIT_MAX_ERRORS + 5; i++)
		strbuf_addf(&text, "%d,bad,bad\n", i);
	CU_ASSERT_EQUAL(orbit_parse("o.csv", text.buf, text.len, &l, &err), -1);
	for (size_t i = 0; i < err.len; i++)
		lines += err.buf[i] == '\n';
	CU_ASSERT_EQUAL(lines, ORBIT_MAX_ERRORS + 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, "o.csv: 5 more errors not listed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, "o.csv:20: "));
	CU_ASSERT_PTR_NULL(strstr(err.buf, "o.csv:21: "));
	orbit_list_release(&l);
	strbuf_release(&text);
	strbuf_release(&err);
}

static void
test_find(void)
{
	static const char text[] =
		"9,2024-03-02T00:00:00,2024-03-02T01:00:00\n"
		"2,2024-03-01T00:00:00,2024-03-01T01:00:00\n"
		"5,2024-03-01T12:00:00,2024-03-01T13:00:00\n";
	struct orbit_list l = ORBIT_LIST_INIT;
	struct strbuf err = STRBUF_INIT;
	const struct orbit *o;

	CU_ASSERT_EQUAL(orbit_parse("o", text, sizeof(text) - 1, &l, &err), 0);
	CU_ASSERT_EQUAL(l.n, 3);
	o = orbit_find(&l, 5);
	CU_ASSERT(o && o->number == 5 && o->line == 3);
	o = orbit_find(&l, 9);
	CU_ASSERT(o && o->line == 1);
	o = orbit_find(&l, 2);
	CU_ASSERT(o && o->line == 2);
	CU_ASSERT_PTR_NULL(orbit_find(&l, 1));
	CU_ASSERT_PTR_NULL(orbit_find(&l, 4));
	CU_ASSERT_PTR_NULL(orbit_find(&l, 10));
	orbit_list_release(&l);
	strbuf_release(&err);
}

void
suite_orbit(void)
{
	CU_pSuite s = unit_add_suite("orbit");

	ADD_TEST(s, test_parse);
	ADD_TEST(s, test_many_errors);
	ADD_TEST(s, test_find);
}
