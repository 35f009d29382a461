/*
 * test-fnformat.c - the file-name template language, table-driven.
 *
 * Covers compiling (every error kind), matching (every field, non-matches,
 * backtracking, date consistency, leap years, pathological templates that
 * must stay fast) and formatting (every field, every error), and the round
 * trip between them.  It does not test identify.c's choice among
 * products; that module has its own suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fnformat.h"
#include "timeutil.h"
#include "unit.h"

/* Compile or record a failure; returns NULL on failure. */
static struct fnformat *
compile_ok(const char *tmpl, const struct fnformat_names *names)
{
	struct fnformat *f = NULL;
	struct strbuf err = STRBUF_INIT;

	if (fnformat_compile(tmpl, names, &f, &err)) {
		fprintf(stderr, "\ncould not compile \"%s\": %s\n", tmpl,
			err.buf);
		CU_FAIL("compile failed");
		f = NULL;
	}
	strbuf_release(&err);
	return f;
}

static int32_t
ymd(int y, int m, int d)
{
	return timeutil_days_from_ymd(y, m, d);
}

#define NO_TIME (-1)
#define HMS(h, m, s) ((((int64_t)(h) * 60 + (m)) * 60 + (s)) * USEC_PER_SEC)

/* What a matching name must yield; a NULL date/version means none. */
struct match_case {
	const char *tmpl;
	const char *name;
	const char *date;    /* "YYYY-MM-DD" or NULL */
	int64_t time_usec;   /* NO_TIME when the template has no time */
	const char *version; /* "I.Q.R" or NULL */
	const char *keywords;
	int roundtrip; /* format(match(name)) == name */
};

static void
check_match_case(const struct match_case *mc, const struct fnformat_names *n)
{
	struct fnformat *f = compile_ok(mc->tmpl, n);
	struct fnformat_match m = FNFORMAT_MATCH_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char buf[DATE_STRLEN], vbuf[VERSION_STRLEN];
	int rc;

	if (!f)
		return;
	rc = fnformat_match(f, mc->name, strlen(mc->name), &m);
	CU_ASSERT_EQUAL(rc, 1);
	if (rc != 1) {
		fprintf(stderr, "\n\"%s\" did not match \"%s\"\n", mc->name,
			mc->tmpl);
		goto out;
	}
	CU_ASSERT_EQUAL(m.has_date, mc->date != NULL);
	if (mc->date && m.has_date)
		CU_ASSERT_STRING_EQUAL(timeutil_format_date(m.date, buf),
				       mc->date);
	CU_ASSERT_EQUAL(m.has_time, mc->time_usec != NO_TIME);
	if (mc->time_usec != NO_TIME)
		CU_ASSERT_EQUAL(m.time_usec, mc->time_usec);
	CU_ASSERT_EQUAL(m.has_version, mc->version != NULL);
	if (mc->version && m.has_version)
		CU_ASSERT_STRING_EQUAL(version_format(&m.version, vbuf),
				       mc->version);
	CU_ASSERT_STRING_EQUAL(m.keywords.buf, mc->keywords);
	if (strcmp(m.keywords.buf, mc->keywords))
		fprintf(stderr, "\n\"%s\" on \"%s\": keywords \"%s\"\n",
			mc->tmpl, mc->name, m.keywords.buf);
	if (mc->roundtrip) {
		struct fnformat_values v = {m.has_date, m.date, m.time_usec,
					    m.has_version ? &m.version : NULL,
					    m.keywords.buf, m.has_orbit,
					    m.orbit};

		CU_ASSERT(fnformat_is_complete(f));
		CU_ASSERT_EQUAL(fnformat_format(f, &v, &out, &err), 0);
		CU_ASSERT_STRING_EQUAL(out.buf, mc->name);
		if (strcmp(out.buf, mc->name))
			fprintf(stderr, "\n\"%s\": formatted \"%s\" (%s)\n",
				mc->tmpl, out.buf, err.buf);
	}
out:
	strbuf_release(&out);
	strbuf_release(&err);
	fnformat_match_release(&m);
	fnformat_free(f);
}

static void
test_fields(void)
{
	static const struct match_case cases[] = {
		/* date fields, alone and combined */
		{"{Y}{m}{d}", "20230415", "2023-04-15", NO_TIME, NULL, "", 1},
		{"{Y}-{j}", "2024-366", "2024-12-31", NO_TIME, NULL, "", 1},
		{"{Y}-{j}", "2023-001", "2023-01-01", NO_TIME, NULL, "", 1},
		{"{y}{m}{d}", "680101", "2068-01-01", NO_TIME, NULL, "", 1},
		{"{y}{m}{d}", "690101", "1969-01-01", NO_TIME, NULL, "", 1},
		{"{y}{m}{d}", "000229", "2000-02-29", NO_TIME, NULL, "", 1},
		{"{y}{j}", "99365", "1999-12-31", NO_TIME, NULL, "", 1},
		{"{DATE}", "20000229", "2000-02-29", NO_TIME, NULL, "", 1},
		{"{datetime}", "19570104", "1957-01-04", NO_TIME, NULL, "", 1},
		{"{DATE}", "00010101", "0001-01-01", NO_TIME, NULL, "", 1},
		{"{DATE}", "99991231", "9999-12-31", NO_TIME, NULL, "", 1},
		{"{Y}{b}{d}", "2023Feb28", "2023-02-28", NO_TIME, NULL, "", 1},
		{"{d}{b}{y}", "31Dec99", "1999-12-31", NO_TIME, NULL, "", 1},
		{"{b}", "Sep", NULL, NO_TIME, NULL, "", 0},
		{"{m}", "07", NULL, NO_TIME, NULL, "", 0},
		{"{Y}", "2023", NULL, NO_TIME, NULL, "", 0},
		{"{Y}{m}", "202302", NULL, NO_TIME, NULL, "", 0},
		{"{m}{d}", "0229", NULL, NO_TIME, NULL, "", 0},
		{"{Y}{j}{m}{d}", "20200600229", "2020-02-29", NO_TIME, NULL,
		 "", 1},
		{"{Y}{j}{d}", "202006029", "2020-02-29", NO_TIME, NULL, "", 1},
		/* time fields */
		{"{H}", "23", NULL, HMS(23, 0, 0), NULL, "", 1},
		{"{M}", "59", NULL, HMS(0, 59, 0), NULL, "", 1},
		{"{S}", "07", NULL, HMS(0, 0, 7), NULL, "", 1},
		{"{MILLI}", "999", NULL, 999000, NULL, "", 1},
		{"{MICRO}", "001", NULL, 1, NULL, "", 1},
		{"{H}{M}{S}", "235959", NULL, HMS(23, 59, 59), NULL, "", 1},
		{"{Y}{m}{d}T{H}{M}{S}.{MILLI}{MICRO}Z",
		 "20231231T010203.456789Z", "2023-12-31",
		 HMS(1, 2, 3) + 456789, NULL, "", 1},
		/* version */
		{"x_v{VERSION}.cdf", "x_v1.2.3.cdf", NULL, NO_TIME, "1.2.3", "",
		 1},
		{"{VERSION}", "32767.0.10", NULL, NO_TIME, "32767.0.10", "", 1},
		{"{VERSION}", "0.0.0", NULL, NO_TIME, "0.0.0", "", 1},
		{"{VERSION}", "01.002.00003", NULL, NO_TIME, "1.2.3", "", 0},
		/* keyword fields */
		{"{??}", "ab", NULL, NO_TIME, NULL, "?\?=ab", 1},
		{"{???}", "a b", NULL, NO_TIME, NULL, "??\?=a b", 1},
		{"{????}", "\"'=}", NULL, NO_TIME, NULL, "???\?=\"'=}", 1},
		{"{nn}", "01", NULL, NO_TIME, NULL, "nn=01", 1},
		{"{nnn}", "001", NULL, NO_TIME, NULL, "nnn=001", 1},
		{"{nnnn}", "9999", NULL, NO_TIME, NULL, "nnnn=9999", 1},
		{"{APID}", "3f", NULL, NO_TIME, NULL, "APID=3f", 1},
		{"{APID}", "DEADbeef0", NULL, NO_TIME, NULL, "APID=DEADbeef0",
		 1},
		{"{QACODE}", "ok", NULL, NO_TIME, NULL, "QACODE=ok", 1},
		{"{QACODE}", "ignore", NULL, NO_TIME, NULL, "QACODE=ignore", 1},
		{"{QACODE}", "problem", NULL, NO_TIME, NULL, "QACODE=problem",
		 1},
		{"{mday}", "7", NULL, NO_TIME, NULL, "mday=7", 1},
		{"{mday}", "31", NULL, NO_TIME, NULL, "mday=31", 1},
		{"{nn}_{??}_{nn}", "01_xy_01", NULL, NO_TIME, NULL,
		 "nn=01 ?\?=xy", 1},
		{"{QACODE}{nnn}{APID}", "ok0017f", NULL, NO_TIME, NULL,
		 "QACODE=ok nnn=001 APID=7f", 1},
		/* literals and braces */
		{"{{literal}}_{Y}{m}{d}", "{literal}_20200101", "2020-01-01",
		 NO_TIME, NULL, "", 1},
		{"}}{{", "}{", NULL, NO_TIME, NULL, "", 1},
		{"plain.txt", "plain.txt", NULL, NO_TIME, NULL, "", 1},
		{"mag/l1/{Y}/{m}", "mag/l1/2020/02", NULL, NO_TIME, NULL, "",
		 0},
		/* a complete dbprocessing-style name */
		{"rbsp-{??}_mag_{Y}{m}{d}_v{VERSION}.cdf",
		 "rbsp-a _mag_20200101_v1.0.0.cdf", "2020-01-01", NO_TIME,
		 "1.0.0", "?\?=a ", 1},
		/* quotes, newline and UTF-8 in literals and {??} */
		{"caf\xc3\xa9 \"q\"\n{??}_{Y}{j}",
		 "caf\xc3\xa9 \"q\"\n\xc3\xa9_2020060", "2020-02-29", NO_TIME,
		 NULL, "?\?=\xc3\xa9", 1},
		{"{??}{????}", "\n\t'\xe2\x82\xac", NULL, NO_TIME, NULL,
		 "?\?=\n\t ???\?='\xe2\x82\xac", 1},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_match_case(&cases[i], NULL);
}

/* Names that must not match their template. */
static void
test_no_match(void)
{
	static const struct {
		const char *tmpl, *name;
	} cases[] = {
		{"{Y}{m}{d}", "20231301"},
		{"{Y}{m}{d}", "20230001"},
		{"{Y}{m}{d}", "20230230"},
		{"{Y}{m}{d}", "20230100"},
		{"{Y}{m}{d}", "2023021"},
		{"{Y}{m}{d}", "202302011"},
		{"{Y}{m}{d}", "2023-02-01"},
		{"{Y}{m}{d}", "00000101"},
		{"{Y}{m}{d}", "2023O101"},
		{"{Y}{m}{d}", "21000229"},
		{"{Y}{j}", "2023366"},
		{"{Y}{j}", "2024367"},
		{"{Y}{j}", "2024000"},
		{"{y}{m}{d}", "230230"},
		{"{y}{m}{d}", "690229"},
		{"{DATE}", "19000229"},
		{"{DATE}", "00000101"},
		{"{datetime}", "2023043"},
		{"{m}", "13"},
		{"{m}", "1"},
		{"{d}", "32"},
		{"{m}{d}", "0230"},
		{"{m}{d}", "0431"},
		{"{j}", "367"},
		{"{j}", "000"},
		{"{b}", "jan"},
		{"{b}", "JAN"},
		{"{b}", "Ja"},
		{"{H}", "24"},
		{"{M}", "60"},
		{"{S}", "60"},
		{"{MILLI}", "99"},
		{"{MICRO}", "-01"},
		{"{VERSION}", "1.2"},
		{"{VERSION}", "1.2.3.4"},
		{"{VERSION}", "1..2"},
		{"{VERSION}", ".1.2"},
		{"{VERSION}", "1.2."},
		{"{VERSION}", "a.b.c"},
		{"{VERSION}", "32768.0.0"},
		{"{VERSION}", "0.32768.0"},
		{"{VERSION}", "0.0.32768"},
		{"{VERSION}", "000001.0.0"},
		{"{VERSION}", "-1.0.0"},
		{"{APID}", ""},
		{"{APID}", "xyz"},
		{"{APID}", "3g"},
		{"{QACODE}", "bad"},
		{"{QACODE}", "OK"},
		{"{QACODE}", "okay"},
		{"{mday}", "123"},
		{"{mday}", ""},
		{"{??}", "a/"},
		{"{??}", "a"},
		{"{??}", "abc"},
		{"{nn}", "1a"},
		{"{nnn}", "01"},
		{"{nnnn}", "12345"},
		{"{PRODUCT}_x", "a/b_x"},
		{"{PRODUCT}", ""},
		{"{PRODUCT}_x", "_x"},
		{"abc", "abd"},
		{"abc", "ab"},
		{"abc", "abcd"},
		{"abc", ""},
		{"x{Y}", "y2020"},
		{"{Y}x", "2020y"},
		/* repeated fields must agree */
		{"{nn}_{nn}", "01_02"},
		{"{??}{??}", "abac"},
		{"{APID}_{APID}", "3f_3e"},
		{"{APID}_{APID}", "3f_3f0"},
		{"{PRODUCT}_{PRODUCT}", "a_b"},
		{"{SATELLITE}_{SPACECRAFT}", "a_b"},
		{"{VERSION}_{VERSION}", "1.0.0_1.0.1"},
		{"{H}{H}", "0102"},
		{"{b}{m}", "Jan02"},
		/* date fields must agree */
		{"{Y}{m}{d}_{DATE}", "20200101_20200102"},
		{"{Y}{j}_{m}{d}", "2021060_0229"},
		{"{Y}{j}_{m}", "2020060_03"},
		{"{Y}{j}_{d}", "2020060_01"},
		{"{y}_{Y}{m}{d}", "19_20200101"},
		{"{y}{DATE}", "6919680101"},
		{"{j}{m}{d}", "0600302"},
		{"{j}{m}{d}", "0610229"},
		{"{j}{m}", "03102"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fnformat *f = compile_ok(cases[i].tmpl, NULL);
		struct fnformat_match m = FNFORMAT_MATCH_INIT;
		int rc;

		if (!f)
			continue;
		rc = fnformat_match(f, cases[i].name, strlen(cases[i].name),
				    &m);
		CU_ASSERT_EQUAL(rc, 0);
		if (rc)
			fprintf(stderr, "\n\"%s\" matched \"%s\"\n",
				cases[i].name, cases[i].tmpl);
		CU_ASSERT_FALSE(m.has_date);
		CU_ASSERT_EQUAL(m.keywords.len, 0);
		fnformat_match_release(&m);
		fnformat_free(f);
	}
}

static void
test_match_len_and_nul(void)
{
	struct fnformat *f = compile_ok("{??}_{Y}", NULL);
	struct fnformat_match m = FNFORMAT_MATCH_INIT;

	if (!f)
		return;
	/* only len bytes count */
	CU_ASSERT_EQUAL(fnformat_match(f, "ab_2020xyz", 7, &m), 1);
	CU_ASSERT_STRING_EQUAL(m.keywords.buf, "?\?=ab");
	CU_ASSERT_EQUAL(fnformat_match(f, "ab_2020xyz", 8, &m), 0);
	CU_ASSERT_EQUAL(m.keywords.len, 0);
	/* NUL is never part of a name */
	CU_ASSERT_EQUAL(fnformat_match(f, "a\0_2020", 7, &m), 0);
	fnformat_match_release(&m);
	fnformat_free(f);
}

/* Repeats that agree, and keywords reported once. */
static void
test_repeats(void)
{
	static const struct match_case cases[] = {
		{"{nn}_{nn}", "01_01", NULL, NO_TIME, NULL, "nn=01", 1},
		{"{Y}{m}{d}_{DATE}", "20200101_20200101", "2020-01-01",
		 NO_TIME, NULL, "", 1},
		{"{Y}{j}_{m}{d}", "2020060_0229", "2020-02-29", NO_TIME, NULL,
		 "", 1},
		{"{Y}{j}_{m}{d}", "2021060_0301", "2021-03-01", NO_TIME, NULL,
		 "", 1},
		{"{y}_{Y}{m}{d}", "20_20200101", "2020-01-01", NO_TIME, NULL,
		 "", 1},
		{"{Y}{y}{m}{d}", "1968680101", "1968-01-01", NO_TIME, NULL, "",
		 1},
		{"{b}{m}{Y}{d}", "Feb02202029", "2020-02-29", NO_TIME, NULL, "",
		 1},
		{"{APID}_{APID}", "3f_3f", NULL, NO_TIME, NULL, "APID=3f", 1},
		{"{VERSION}_{VERSION}", "1.0.0_1.0.0", NULL, NO_TIME, "1.0.0",
		 "", 1},
		/* numbers repeat by value */
		{"{VERSION}_{VERSION}", "1.0.0_01.0.0", NULL, NO_TIME, "1.0.0",
		 "", 0},
		{"{H}{M}_{H}", "0102_01", NULL, HMS(1, 2, 0), NULL, "", 1},
		/* no year: any year that fits */
		{"{m}{d}_{j}", "0229_060", NULL, NO_TIME, NULL, "", 0},
		{"{m}{d}_{j}", "0301_060", NULL, NO_TIME, NULL, "", 0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_match_case(&cases[i], NULL);
}

/* Ambiguous names: variable-width fields next to each other. */
static void
test_backtracking(void)
{
	static const struct match_case cases[] = {
		/* greedy: the first field takes what it can */
		{"{APID}{mday}", "3f12", NULL, NO_TIME, NULL,
		 "APID=3f1 mday=2", 1},
		{"{mday}{APID}", "123", NULL, NO_TIME, NULL,
		 "mday=12 APID=3", 1},
		{"{APID}{APID}", "abab", NULL, NO_TIME, NULL, "APID=ab", 1},
		{"{VERSION}{nn}", "1.2.345", NULL, NO_TIME, "1.2.3", "nn=45",
		 1},
		{"{VERSION}{mday}", "1.2.34", NULL, NO_TIME, "1.2.3", "mday=4",
		 1},
		{"{APID}{VERSION}", "a001.2.3", NULL, NO_TIME, "1.2.3",
		 "APID=a00", 1},
		{"{QACODE}{APID}", "ignoree", NULL, NO_TIME, NULL,
		 "QACODE=ignore APID=e", 1},
		{"{mday}{DATE}", "120200101", "2020-01-01", NO_TIME, NULL,
		 "mday=1", 1},
		/* a date that is impossible on the greedy split */
		{"{APID}{DATE}{PRODUCT}", "1202002291x", "2020-02-29",
		 NO_TIME, NULL, "APID=1", 0},
		{"{mday}{Y}{m}{d}", "3120200229", "2020-02-29", NO_TIME, NULL,
		 "mday=31", 1},
		/* unknown names: the keyword fields still come out */
		{"{PRODUCT}_{Y}{m}{d}", "my_prod_name_20200101", "2020-01-01",
		 NO_TIME, NULL, "", 0},
		{"{MISSION}_{PRODUCT}_{DATE}", "a_b_c_20200101", "2020-01-01",
		 NO_TIME, NULL, "", 0},
		{"{PRODUCT}_{DATE}{MISSION}", "a_20200101_20200230x",
		 "2020-01-01", NO_TIME, NULL, "", 0},
		/* the greedy split binds a year that a later field denies */
		{"{PRODUCT}_{DATE}{MISSION}_{Y}", "p_20200101_20210101x_2020",
		 "2020-01-01", NO_TIME, NULL, "", 0},
		{"{MISSION}{PRODUCT}", "abc", NULL, NO_TIME, NULL, "", 0},
		{"{PRODUCT} v{VERSION}", "my product v2.0.0 v1.0.0", NULL,
		 NO_TIME, "1.0.0", "", 0},
		{"{INSTRUMENT}-{??}-{nn}", "i-x-y--z-12", NULL, NO_TIME, NULL,
		 "?\?=-z nn=12", 0},
		{"{PRODUCT}/{PRODUCT}_{nn}", "a b/a b_07", NULL, NO_TIME, NULL,
		 "nn=07", 0},
		{"{SPACECRAFT}{SATELLITE}", "abab", NULL, NO_TIME, NULL, "", 0},
		/*
		 * The same (field, offset) reached with a repeat bound to
		 * different widths: a failure there must not be memoised.
		 */
		{"{MISSION}{PRODUCT}{MISSION}a{PRODUCT}", "abaaaba", NULL,
		 NO_TIME, NULL, "", 0},
		{"{MISSION}{PRODUCT}{MISSION}a{PRODUCT}", "bbababa", NULL,
		 NO_TIME, NULL, "", 0},
		{"{APID}{MISSION}{MISSION}a{PRODUCT}", "aababaa", NULL, NO_TIME,
		 NULL, "APID=a", 0},
		{"{PRODUCT}\n{??}", "a\nb\n\xc3\xa9", NULL, NO_TIME, NULL,
		 "?\?=\xc3\xa9", 0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_match_case(&cases[i], NULL);
}

static void
test_known_names(void)
{
	static const struct fnformat_names names = {"rbsp", "rbspa", "mag",
						    "l1"};
	static const struct fnformat_names partial = {NULL, "sc {1}", NULL,
						      NULL};
	static const struct match_case cases[] = {
		{"{MISSION}/{SPACECRAFT}_{INSTRUMENT}_{PRODUCT}_{SATELLITE}",
		 "rbsp/rbspa_mag_l1_rbspa", NULL, NO_TIME, NULL, "", 1},
		{"{MISSION}_{INSTRUMENT}_{Y}{m}{d}_v{VERSION}.cdf",
		 "rbsp_mag_20121231_v1.2.3.cdf", "2012-12-31", NO_TIME,
		 "1.2.3", "", 1},
	};
	struct fnformat *f;
	struct fnformat_match m = FNFORMAT_MATCH_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct fnformat_values v = {false, 0, 0, NULL, NULL, false, 0};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_match_case(&cases[i], &names);

	f = compile_ok("{MISSION}", &names);
	if (f) {
		CU_ASSERT_EQUAL(fnformat_match(f, "rbspa", 5, &m), 0);
		CU_ASSERT_EQUAL(fnformat_match(f, "rbsp", 4, &m), 1);
		fnformat_free(f);
	}
	/* a known name is literal text, braces and all */
	f = compile_ok("{SATELLITE}_{PRODUCT}", &partial);
	if (f) {
		CU_ASSERT_FALSE(fnformat_is_complete(f));
		CU_ASSERT_EQUAL(fnformat_match(f, "sc {1}_x", 8, &m), 1);
		CU_ASSERT_EQUAL(fnformat_match(f, "sc 1_x", 6, &m), 0);
		CU_ASSERT_EQUAL(fnformat_format(f, &v, &out, &err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, "{PRODUCT}"));
		CU_ASSERT_EQUAL(out.len, 0);
		fnformat_free(f);
	}
	strbuf_release(&out);
	strbuf_release(&err);
	fnformat_match_release(&m);
}

static void
test_compile_errors(void)
{
	static const struct fnformat_names empty_product = {NULL, NULL, NULL,
							    ""};
	static const struct {
		const char *tmpl;
		const char *msg;
	} cases[] = {
		{"", "empty template"},
		{"abc{", "unterminated field \"{\" at byte 3"},
		{"{Y", "unterminated field \"{\" at byte 0"},
		{"{{{", "unterminated field \"{\" at byte 2"},
		{"a}b", "unmatched \"}\" at byte 1"},
		{"}}}", "unmatched \"}\" at byte 2"},
		{"{Y}}", "unmatched \"}\" at byte 3"},
		{"{foo}", "unknown field \"{foo}\" at byte 0"},
		{"x_{Y}{bar}", "unknown field \"{bar}\" at byte 5"},
		{"{Y:04d}", "unknown field \"{Y:04d}\" at byte 0"},
		{"{a/b}", "unknown field \"{a/b}\" at byte 0"},
		{"{y }", "unknown field \"{y }\" at byte 0"},
		{"{version}", "unknown field \"{version}\""},
		{"{?}", "unknown field \"{?}\""},
		{"{?????}", "unknown field \"{?????}\""},
		{"{n}", "unknown field \"{n}\""},
		{"{}", "empty field \"{}\" at byte 0"},
		{"a{CODEDIR}", "field \"{CODEDIR}\" at byte 1 is only "
			       "substituted in code arguments"},
		{"{CODEVERSION}", "\"{CODEVERSION}\" at byte 0 is only"},
		{"{ROOTDIR}/x", "\"{ROOTDIR}\" at byte 0 is only"},
		{"{PRODUCT}", "template expands to an empty name"},
	};
	struct strbuf err = STRBUF_INIT, big = STRBUF_INIT;
	struct fnformat *f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		f = (struct fnformat *)(uintptr_t)1;
		strbuf_reset(&err);
		CU_ASSERT_EQUAL(fnformat_compile(cases[i].tmpl, &empty_product,
						 &f, &err),
				-1);
		CU_ASSERT_PTR_NULL(f);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, cases[i].msg));
		if (!strstr(err.buf, cases[i].msg))
			fprintf(stderr, "\n\"%s\": got \"%s\"\n",
				cases[i].tmpl, err.buf);
		fnformat_free(f);
	}

	/* too long, and a long unknown field is quoted cut short */
	for (int i = 0; i < 5000; i++)
		strbuf_addch(&big, 'a');
	strbuf_reset(&err);
	CU_ASSERT_EQUAL(fnformat_compile(big.buf, NULL, &f, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, "template too long"));
	strbuf_reset(&big);
	strbuf_addch(&big, '{');
	for (int i = 0; i < 500; i++)
		strbuf_addch(&big, 'z');
	strbuf_addch(&big, '}');
	strbuf_reset(&err);
	CU_ASSERT_EQUAL(fnformat_compile(big.buf, NULL, &f, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, "...}\" at byte 0"));
	CU_ASSERT(err.len < 120);

	/* an empty known name inside a longer template is fine */
	CU_ASSERT_EQUAL(fnformat_compile("x{PRODUCT}y", &empty_product, &f,
					 &err),
			0);
	fnformat_free(f);
	strbuf_release(&err);
	strbuf_release(&big);
}

static void
test_predicates(void)
{
	static const struct {
		const char *tmpl;
		bool has_date, has_version, complete;
	} cases[] = {
		{"{Y}{m}{d}", true, false, true},
		{"{y}{j}", true, false, true},
		{"{DATE}", true, false, true},
		{"{Y}{b}{d}", true, false, true},
		{"{Y}{m}", false, false, false},
		{"{m}{d}", false, false, false},
		{"{j}", false, false, false},
		{"{Y}", false, false, false},
		{"v{VERSION}", false, true, true},
		{"{H}{M}{S}", false, false, true},
		{"{PRODUCT}_{DATE}", true, false, false},
		{"{??}{APID}", false, false, true},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fnformat *f = compile_ok(cases[i].tmpl, NULL);

		if (!f)
			continue;
		CU_ASSERT_EQUAL(fnformat_has_date(f), cases[i].has_date);
		CU_ASSERT_EQUAL(fnformat_has_version(f), cases[i].has_version);
		CU_ASSERT_EQUAL(fnformat_is_complete(f), cases[i].complete);
		fnformat_free(f);
	}
}

static void
test_format(void)
{
	static const struct version v123 = {1, 2, 3}, vbig = {32768, 0, 0};
	static const struct {
		const char *tmpl;
		bool has_date;
		int y, m, d;
		int64_t t;
		const struct version *ver;
		const char *kw;
		const char *want; /* NULL: error containing msg */
		const char *msg;
	} cases[] = {
		{"{Y}{m}{d}", true, 2023, 4, 5, 0, NULL, NULL, "20230405",
		 NULL},
		{"{y}_{j}_{b}", true, 2009, 12, 31, 0, NULL, NULL,
		 "09_365_Dec", NULL},
		{"{DATE}-{datetime}", true, 1, 1, 1, 0, NULL, NULL,
		 "00010101-00010101", NULL},
		{"{H}:{M}:{S}.{MILLI}{MICRO}", false, 0, 0, 0,
		 HMS(23, 59, 58) + 7008, NULL, NULL, "23:59:58.007008", NULL},
		{"v{VERSION}", false, 0, 0, 0, 0, &v123, NULL, "v1.2.3", NULL},
		{"{??}|{???}|{????}", false, 0, 0, 0, 0, NULL,
		 "???\?=a b  ?\?=\"' ??\?=x=y", "\"'|x=y|a b ", NULL},
		{"{nn}{nnn}{nnnn}", false, 0, 0, 0, 0, NULL,
		 "nnnn=0003 nnn=002 nn=01", "010020003", NULL},
		{"{APID}_{QACODE}_{mday}", false, 0, 0, 0, 0, NULL,
		 "junk mday=7   QACODE=ignore APID=7FF", "7FF_ignore_7", NULL},
		{"{{{Y}}}", true, 2020, 1, 1, 0, NULL, NULL, "{2020}", NULL},
		{"no fields", false, 0, 0, 0, 0, NULL, NULL, "no fields", NULL},
		/* the first occurrence of a key wins */
		{"{nn}", false, 0, 0, 0, 0, NULL, "nn=01 nn=02", "01", NULL},
		/* errors */
		{"{Y}", false, 0, 0, 0, 0, NULL, NULL, NULL,
		 "the template needs a date"},
		{"{m}", false, 0, 0, 0, 0, NULL, NULL, NULL, "needs a date"},
		{"{VERSION}", false, 0, 0, 0, 0, NULL, NULL, NULL,
		 "needs a version"},
		{"{VERSION}", false, 0, 0, 0, 0, &vbig, NULL, NULL,
		 "version out of range"},
		{"{H}", false, 0, 0, 0, USEC_PER_DAY, NULL, NULL, NULL,
		 "time of day"},
		{"{MICRO}", false, 0, 0, 0, -1, NULL, NULL, NULL,
		 "time of day"},
		{"{nnn}", false, 0, 0, 0, 0, NULL, NULL, NULL,
		 "no value for keyword \"nnn\""},
		{"{nnn}", false, 0, 0, 0, 0, NULL, "nn=01 nnnn=0001", NULL,
		 "no value for keyword \"nnn\""},
		{"{nnn}", false, 0, 0, 0, 0, NULL, "nnn=01", NULL,
		 "value \"01\" of keyword \"nnn\" does not fit \"{nnn}\""},
		{"{APID}", false, 0, 0, 0, 0, NULL, "APID=zz", NULL,
		 "does not fit"},
		{"{APID}", false, 0, 0, 0, 0, NULL, "APID=", NULL,
		 "does not fit"},
		{"{QACODE}", false, 0, 0, 0, 0, NULL, "QACODE=bad", NULL,
		 "does not fit"},
		{"{mday}", false, 0, 0, 0, 0, NULL, "mday=123", NULL,
		 "does not fit"},
		{"{??}", false, 0, 0, 0, 0, NULL, "?\?=a/", NULL,
		 "does not fit"},
		{"{??}", false, 0, 0, 0, 0, NULL, "?\?=a", NULL,
		 "does not fit"},
		{"{PRODUCT}", false, 0, 0, 0, 0, NULL, NULL, NULL,
		 "name field \"{PRODUCT}\" has no value"},
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fnformat *f = compile_ok(cases[i].tmpl, NULL);
		struct fnformat_values v = {cases[i].has_date, 0, cases[i].t,
					    cases[i].ver, cases[i].kw, false,
					    0};
		int rc;

		if (!f)
			continue;
		if (v.has_date)
			v.date = ymd(cases[i].y, cases[i].m, cases[i].d);
		strbuf_reset(&out);
		strbuf_reset(&err);
		strbuf_addstr(&out, "prefix:");
		rc = fnformat_format(f, &v, &out, &err);
		if (cases[i].want) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_STRING_EQUAL(out.buf + 7, cases[i].want);
			if (rc || strcmp(out.buf + 7, cases[i].want))
				fprintf(stderr, "\n\"%s\": \"%s\" (%s)\n",
					cases[i].tmpl, out.buf, err.buf);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			/* out is left as it was */
			CU_ASSERT_STRING_EQUAL(out.buf, "prefix:");
			CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, cases[i].msg));
			if (!strstr(err.buf, cases[i].msg))
				fprintf(stderr, "\n\"%s\": got \"%s\"\n",
					cases[i].tmpl, err.buf);
		}
		fnformat_free(f);
	}
	strbuf_release(&out);
	strbuf_release(&err);
}

static void
test_format_date_range(void)
{
	struct fnformat *f = compile_ok("{DATE}", NULL);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct fnformat_values v = {true, 0, 0, NULL, NULL, false, 0};

	if (!f)
		return;
	v.date = ymd(1, 1, 1) - 1;
	CU_ASSERT_EQUAL(fnformat_format(f, &v, &out, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, "outside years 1 to 9999"));
	v.date = INT32_MAX;
	CU_ASSERT_EQUAL(fnformat_format(f, &v, &out, &err), -1);
	v.date = INT32_MIN;
	CU_ASSERT_EQUAL(fnformat_format(f, &v, &out, &err), -1);
	v.date = ymd(9999, 12, 31);
	CU_ASSERT_EQUAL(fnformat_format(f, &v, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out.buf, "99991231");
	strbuf_release(&out);
	strbuf_release(&err);
	fnformat_free(f);
}

/*
 * Every day of 1896-2104 (three century years, 1900 and 2100 not leap,
 * 2000 leap) formatted with every date field and matched back.
 */
static void
test_date_roundtrip_all_days(void)
{
	struct fnformat *f = compile_ok("{Y}{m}{d}_{j}_{b}_{DATE}", NULL);
	struct fnformat *g = compile_ok("{y}{j}", NULL);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct fnformat_match m = FNFORMAT_MATCH_INIT;
	int32_t first = ymd(1896, 1, 1), last = ymd(2104, 12, 31);
	unsigned bad = 0, bad2 = 0;

	if (!f || !g)
		goto out;
	for (int32_t day = first; day <= last; day++) {
		struct fnformat_values v = {true, day, 0, NULL, NULL, false, 0};
		int y, mo, d;

		strbuf_reset(&out);
		if (fnformat_format(f, &v, &out, &err) ||
		    fnformat_match(f, out.buf, out.len, &m) != 1 ||
		    !m.has_date || m.date != day)
			bad++;
		timeutil_ymd_from_days(day, &y, &mo, &d);
		if (y < 1969 || y > 2068)
			continue;
		strbuf_reset(&out);
		if (fnformat_format(g, &v, &out, &err) ||
		    fnformat_match(g, out.buf, out.len, &m) != 1 ||
		    !m.has_date || m.date != day)
			bad2++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(bad2, 0);
out:
	fnformat_match_release(&m);
	strbuf_release(&out);
	strbuf_release(&err);
	fnformat_free(f);
	fnformat_free(g);
}

static void
test_leap_years(void)
{
	static const struct {
		const char *name;
		int ok;
	} cases[] = {
		{"2000-02-29 2000060", 1}, {"1900-02-29 1900060", 0},
		{"2100-02-29 2100060", 0}, {"2024-02-29 2024060", 1},
		{"2023-02-29 2023060", 0}, {"2023-03-01 2023060", 1},
		{"2024-03-01 2024061", 1}, {"2024-12-31 2024366", 1},
		{"2023-12-31 2023365", 1}, {"2023-12-31 2023366", 0},
		{"0004-02-29 0004060", 1}, {"0001-01-01 0001001", 1},
		{"9999-12-31 9999365", 1}, {"0000-12-31 0000366", 0},
	};
	struct fnformat *f = compile_ok("{Y}-{m}-{d} {Y}{j}", NULL);
	struct fnformat_match m = FNFORMAT_MATCH_INIT;

	if (!f)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = fnformat_match(f, cases[i].name,
					strlen(cases[i].name), &m);

		CU_ASSERT_EQUAL(rc, cases[i].ok);
		if (rc != cases[i].ok)
			fprintf(stderr, "\n\"%s\": %d\n", cases[i].name, rc);
	}
	fnformat_match_release(&m);
	fnformat_free(f);
}

static void
test_time_roundtrip(void)
{
	static const int64_t times[] = {
		0, 1, 999, 1000, 999999, USEC_PER_SEC, HMS(12, 34, 56) + 789012,
		USEC_PER_DAY - 1,
	};
	struct fnformat *f = compile_ok("{H}{M}{S}{MILLI}{MICRO}", NULL);
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct fnformat_match m = FNFORMAT_MATCH_INIT;

	if (!f)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(times); i++) {
		struct fnformat_values v = {false, 0, times[i], NULL, NULL,
					    false, 0};

		strbuf_reset(&out);
		CU_ASSERT_EQUAL(fnformat_format(f, &v, &out, &err), 0);
		CU_ASSERT_EQUAL(fnformat_match(f, out.buf, out.len, &m), 1);
		CU_ASSERT(m.has_time);
		CU_ASSERT_FALSE(m.has_date);
		CU_ASSERT_EQUAL(m.time_usec, times[i]);
	}
	fnformat_match_release(&m);
	strbuf_release(&out);
	strbuf_release(&err);
	fnformat_free(f);
}

/*
 * {ORBIT}: names that match, the orbit number they give and what that
 * match formats back to (the name itself unless its number was not
 * written with 5 digits, or more without leading zeros).
 */
static void
test_orbit_match(void)
{
	static const struct {
		const char *tmpl, *name;
		int64_t orbit;
		const char *formatted;
	} cases[] = {
		{"orb_{ORBIT}.dat", "orb_00007.dat", 7, "orb_00007.dat"},
		{"orb_{ORBIT}.dat", "orb_7.dat", 7, "orb_00007.dat"},
		{"orb_{ORBIT}.dat", "orb_0000012.dat", 12, "orb_00012.dat"},
		{"orb_{ORBIT}.dat", "orb_123456.dat", 123456, "orb_123456.dat"},
		{"orb_{ORBIT}.dat", "orb_0.dat", 0, "orb_00000.dat"},
		{"orb_{ORBIT}.dat", "orb_000000000000.dat", 0,
		 "orb_00000.dat"},
		{"orb_{ORBIT}.dat", "orb_999999999999.dat",
		 INT64_C(999999999999), "orb_999999999999.dat"},
		{"{ORBIT}", "99999", 99999, "99999"},
		{"{ORBIT}", "100000", 100000, "100000"},
		/* twice: the same number, whatever its width */
		{"{ORBIT}/x_{ORBIT}", "00042/x_00042", 42, "00042/x_00042"},
		{"{ORBIT}/x_{ORBIT}", "00042/x_42", 42, "00042/x_00042"},
		/* greedy next to another digit field */
		{"{ORBIT}{nn}", "1234567", 12345, "1234567"},
		{"{nn}{ORBIT}", "1234567", 34567, "1234567"},
		/* with the other fields */
		{"mis_{Y}{m}{d}_o{ORBIT}_v{VERSION}.cdf",
		 "mis_20240301_o01234_v1.2.3.cdf", 1234,
		 "mis_20240301_o01234_v1.2.3.cdf"},
		{"{ORBIT}{Y}{m}{d}", "1520240301", 15, "0001520240301"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fnformat *f = compile_ok(cases[i].tmpl, NULL);
		struct fnformat_match m = FNFORMAT_MATCH_INIT;
		struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
		int rc;

		if (!f)
			continue;
		CU_ASSERT(fnformat_has_orbit(f));
		CU_ASSERT(fnformat_is_complete(f));
		rc = fnformat_match(f, cases[i].name, strlen(cases[i].name),
				    &m);
		CU_ASSERT_EQUAL(rc, 1);
		CU_ASSERT(m.has_orbit);
		CU_ASSERT_EQUAL(m.orbit, cases[i].orbit);
		if (rc == 1) {
			struct fnformat_values v = {
				m.has_date, m.date, m.time_usec,
				m.has_version ? &m.version : NULL,
				m.keywords.buf, m.has_orbit, m.orbit};

			CU_ASSERT_EQUAL(fnformat_format(f, &v, &out, &err), 0);
			CU_ASSERT_STRING_EQUAL(out.buf, cases[i].formatted);
		}
		if (rc != 1 || m.orbit != cases[i].orbit ||
		    strcmp(out.buf, cases[i].formatted))
			fprintf(stderr, "\n\"%s\" on \"%s\": %d, %lld, \"%s\"\n",
				cases[i].tmpl, cases[i].name, rc,
				(long long)m.orbit, out.buf);
		strbuf_release(&out);
		strbuf_release(&err);
		fnformat_match_release(&m);
		fnformat_free(f);
	}
}

/* {ORBIT}: names that must not match. */
static void
test_orbit_no_match(void)
{
	static const struct {
		const char *tmpl, *name;
	} cases[] = {
		{"orb_{ORBIT}.dat", "orb_1234567890123.dat"}, /* 13 digits */
		{"orb_{ORBIT}.dat", "orb_0000000000000.dat"},
		{"orb_{ORBIT}.dat", "orb_.dat"},
		{"orb_{ORBIT}.dat", "orb_abc.dat"},
		{"orb_{ORBIT}.dat", "orb_12a.dat"},
		{"orb_{ORBIT}.dat", "orb_0x1f.dat"},
		{"orb_{ORBIT}.dat", "orb_-1.dat"},
		{"orb_{ORBIT}.dat", "orb_+1.dat"},
		{"orb_{ORBIT}.dat", "orb_ 1.dat"},
		{"orb_{ORBIT}.dat", "orb_1 .dat"},
		{"orb_{ORBIT}.dat", "orb_1\xd9\xa1.dat"}, /* Arabic-Indic one */
		{"{ORBIT}", ""},
		/* twice: different numbers */
		{"{ORBIT}/x_{ORBIT}", "00042/x_00043"},
		{"{ORBIT}/x_{ORBIT}", "1/x_10"},
		{"{ORBIT}{ORBIT}", "12"},
		{"{ORBIT}{ORBIT}", "1234567890123"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fnformat *f = compile_ok(cases[i].tmpl, NULL);
		struct fnformat_match m = FNFORMAT_MATCH_INIT;
		int rc;

		if (!f)
			continue;
		rc = fnformat_match(f, cases[i].name, strlen(cases[i].name),
				    &m);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_FALSE(m.has_orbit);
		CU_ASSERT_EQUAL(m.orbit, 0);
		if (rc)
			fprintf(stderr, "\n\"%s\" matched \"%s\" (%lld)\n",
				cases[i].name, cases[i].tmpl,
				(long long)m.orbit);
		fnformat_match_release(&m);
		fnformat_free(f);
	}
}

/* {ORBIT}: formatting, padding and the errors. */
static void
test_orbit_format(void)
{
	static const struct {
		const char *tmpl;
		bool has_orbit;
		int64_t orbit;
		const char *want; /* NULL: error containing msg */
		const char *msg;
	} cases[] = {
		{"o{ORBIT}", true, 7, "o00007", NULL},
		{"o{ORBIT}", true, 0, "o00000", NULL},
		{"o{ORBIT}", true, 99999, "o99999", NULL},
		{"o{ORBIT}", true, 123456, "o123456", NULL},
		{"o{ORBIT}", true, INT64_C(999999999999), "o999999999999",
		 NULL},
		{"{ORBIT}_{ORBIT}", true, 42, "00042_00042", NULL},
		/* a template without {ORBIT} ignores the orbit */
		{"plain", false, -5, "plain", NULL},
		{"plain", true, INT64_C(1000000000000), "plain", NULL},
		/* errors */
		{"o{ORBIT}", false, 7, NULL,
		 "the template needs an orbit number"},
		{"o{ORBIT}", true, -1, NULL,
		 "orbit number -1 is out of range 0 to 999999999999"},
		{"o{ORBIT}", true, INT64_C(1000000000000), NULL,
		 "orbit number 1000000000000 is out of range"},
		{"o{ORBIT}", true, INT64_MIN, NULL, "is out of range"},
	};
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fnformat *f = compile_ok(cases[i].tmpl, NULL);
		struct fnformat_values v = {false, 0, 0, NULL, NULL,
					    cases[i].has_orbit,
					    cases[i].orbit};
		int rc;

		if (!f)
			continue;
		strbuf_reset(&out);
		strbuf_reset(&err);
		strbuf_addstr(&out, "prefix:");
		rc = fnformat_format(f, &v, &out, &err);
		if (cases[i].want) {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_STRING_EQUAL(out.buf + 7, cases[i].want);
		} else {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_STRING_EQUAL(out.buf, "prefix:");
			CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, cases[i].msg));
		}
		if (cases[i].want ? rc || strcmp(out.buf + 7, cases[i].want)
				  : !strstr(err.buf, cases[i].msg))
			fprintf(stderr, "\n\"%s\" %lld: \"%s\" (%s)\n",
				cases[i].tmpl, (long long)cases[i].orbit,
				out.buf, err.buf);
		fnformat_free(f);
	}
	strbuf_release(&out);
	strbuf_release(&err);
}

/* {ORBIT}: the predicates, and format then match gives the number back. */
static void
test_orbit_roundtrip(void)
{
	static const struct {
		const char *tmpl;
		bool has_orbit, complete;
	} preds[] = {
		{"{ORBIT}", true, true},
		{"x_{ORBIT}_{ORBIT}", true, true},
		{"{Y}{m}{d}_{ORBIT}", true, true},
		{"{Y}{m}_{ORBIT}", true, false},
		{"{PRODUCT}_{ORBIT}", true, false},
		{"{Y}{m}{d}", false, true},
		{"{{ORBIT}}", false, true},
	};
	static const int64_t values[] = {
		0,	1,	   9,	     10,	99999,	     100000,
		123456, 4294967296, INT64_C(999999999998),
		INT64_C(999999999999),
	};
	struct fnformat *f = compile_ok("{ORBIT}_{Y}{m}{d}_{ORBIT}", NULL);
	struct fnformat_match m = FNFORMAT_MATCH_INIT;
	struct strbuf out = STRBUF_INIT, out2 = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(preds); i++) {
		struct fnformat *g = compile_ok(preds[i].tmpl, NULL);

		if (!g)
			continue;
		CU_ASSERT_EQUAL(fnformat_has_orbit(g), preds[i].has_orbit);
		CU_ASSERT_EQUAL(fnformat_is_complete(g), preds[i].complete);
		fnformat_free(g);
	}
	if (!f)
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		struct fnformat_values v = {true, ymd(2024, 3, 1), 0, NULL,
					    NULL, true, values[i]};
		struct fnformat_values v2;

		strbuf_reset(&out);
		strbuf_reset(&out2);
		CU_ASSERT_EQUAL(fnformat_format(f, &v, &out, &err), 0);
		CU_ASSERT_EQUAL(fnformat_match(f, out.buf, out.len, &m), 1);
		CU_ASSERT(m.has_orbit);
		CU_ASSERT_EQUAL(m.orbit, values[i]);
		CU_ASSERT(m.has_date);
		CU_ASSERT_EQUAL(m.date, ymd(2024, 3, 1));
		v2 = (struct fnformat_values){m.has_date, m.date, 0, NULL,
					      NULL, m.has_orbit, m.orbit};
		CU_ASSERT_EQUAL(fnformat_format(f, &v2, &out2, &err), 0);
		CU_ASSERT_STRING_EQUAL(out2.buf, out.buf);
	}
out:
	fnformat_match_release(&m);
	strbuf_release(&out);
	strbuf_release(&out2);
	strbuf_release(&err);
	fnformat_free(f);
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
repeat_into(struct strbuf *sb, const char *s, int n)
{
	for (int i = 0; i < n; i++)
		strbuf_addstr(sb, s);
}

/*
 * Templates and names built to make naive backtracking exponential: each
 * must be answered quickly (the whole set well under a second even under
 * the sanitizers).
 */
static void
test_pathological(void)
{
	static const struct {
		const char *tmpl_unit;
		int tmpl_n;
		const char *tmpl_tail;
		const char *name_unit;
		int name_n;
		const char *name_tail;
		int want;
	} cases[] = {
		/* many unknown names, no way to place the final literal */
		{"{PRODUCT}{MISSION}{INSTRUMENT}{SATELLITE}", 1, "x_y", "a",
		 300, "/x_y", 0},
		{"{PRODUCT}_", 1, "{MISSION}_{INSTRUMENT}_{SATELLITE}_z",
		 "a_", 200, "z", 1},
		{"{PRODUCT}_", 1, "{MISSION}_{INSTRUMENT}_{SATELLITE}_{nn}z",
		 "a_", 200, "z", 0},
		/* repeated unknown names (back-references) */
		{"{PRODUCT}", 30, "!", "a", 400, "b!", 0},
		{"{PRODUCT}{MISSION}", 15, "!", "a", 400, "b!", 0},
		{"{PRODUCT}", 10, "", "ab", 10, "", 1},
		/* many variable keyword fields */
		{"{APID}", 60, "g", "a", 500, "g!g", 0},
		{"{APID}{mday}", 40, "x", "1", 300, "yx", 0},
		{"{mday}", 100, "", "1", 200, "", 1},
		{"{mday}", 100, "", "1", 201, "", 0},
		{"{VERSION}", 30, "z", "1.1.1", 30, "z", 1},
		{"{VERSION}", 30, "z", "1.1.1", 40, "z", 0},
		{"{??}", 200, "", "ab", 200, "", 1},
		{"{??}", 200, "", "ab", 199, "ac", 0},
		{"{PRODUCT}_{DATE}", 20, "", "x_20200230", 30, "", 0},
		{"{PRODUCT}{??}", 40, "", "ab", 200, "", 1},
	};
	double total = 0;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf tmpl = STRBUF_INIT, name = STRBUF_INIT;
		struct fnformat *f;
		struct fnformat_match m = FNFORMAT_MATCH_INIT;
		double t0, dt;
		int rc;

		repeat_into(&tmpl, cases[i].tmpl_unit, cases[i].tmpl_n);
		strbuf_addstr(&tmpl, cases[i].tmpl_tail);
		repeat_into(&name, cases[i].name_unit, cases[i].name_n);
		strbuf_addstr(&name, cases[i].name_tail);
		f = compile_ok(tmpl.buf, NULL);
		if (f) {
			t0 = now_sec();
			rc = fnformat_match(f, name.buf, name.len, &m);
			dt = now_sec() - t0;
			total += dt;
			CU_ASSERT_EQUAL(rc, cases[i].want);
			if (rc != cases[i].want || dt > 0.2 || getenv("FNFORMAT_TIMES"))
				fprintf(stderr,
					"\npathological case %zu: %d in "
					"%.3f s\n",
					i, rc, dt);
			CU_ASSERT(dt < 1.0);
		}
		fnformat_match_release(&m);
		fnformat_free(f);
		strbuf_release(&tmpl);
		strbuf_release(&name);
	}
	CU_ASSERT(total < 3.0);
}

/* The common case must be cheap: a quick throughput sanity check. */
static void
test_prefilter_speed(void)
{
	struct fnformat *f = compile_ok(
		"rbsp-{??}magnetometer_{PRODUCT}_{Y}{m}{d}_v{VERSION}.cdf",
		NULL);
	struct fnformat_match m = FNFORMAT_MATCH_INIT;
	static const char *names[] = {
		"rbsp-a_magnetometer_hires-sm_20121231_v1.2.3.cdf",
		"rbsp-b_ect-hope-sci-L2_20121231_v4.0.0.cdf",
		"rbsp-a_magnetometer_hires-sm_20121231_v1.2.3.txt",
		"psp_fld_l2_mag_20200101_v01.cdf",
	};
	int hits = 0;
	double t0;

	if (!f)
		return;
	t0 = now_sec();
	for (int i = 0; i < 100000; i++)
		hits += fnformat_match(f, names[i % 4], strlen(names[i % 4]),
				       &m);
	CU_ASSERT_EQUAL(hits, 25000);
	CU_ASSERT(now_sec() - t0 < 2.0);
	fnformat_match_release(&m);
	fnformat_free(f);
}

void
suite_fnformat(void)
{
	CU_pSuite s = unit_add_suite("fnformat");

	ADD_TEST(s, test_fields);
	ADD_TEST(s, test_no_match);
	ADD_TEST(s, test_match_len_and_nul);
	ADD_TEST(s, test_repeats);
	ADD_TEST(s, test_backtracking);
	ADD_TEST(s, test_known_names);
	ADD_TEST(s, test_compile_errors);
	ADD_TEST(s, test_predicates);
	ADD_TEST(s, test_format);
	ADD_TEST(s, test_format_date_range);
	ADD_TEST(s, test_date_roundtrip_all_days);
	ADD_TEST(s, test_leap_years);
	ADD_TEST(s, test_time_roundtrip);
	ADD_TEST(s, test_orbit_match);
	ADD_TEST(s, test_orbit_no_match);
	ADD_TEST(s, test_orbit_format);
	ADD_TEST(s, test_orbit_roundtrip);
	ADD_TEST(s, test_pathological);
	ADD_TEST(s, test_prefilter_speed);
}
