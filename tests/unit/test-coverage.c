/*
 * test-coverage.c - the report's coverage model: the state rule of a
 * product-day as a table of facts, the columns of a range (days, weeks,
 * months, years), the window, the grid's days and groups of days (a
 * group counts what its days say, one by one), and the tooltips' words.
 */
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "timeutil.h"
#include "unit.h"

static int32_t
day_of(const char *s)
{
	int32_t d = 0;

	if (timeutil_parse_date(s, strlen(s), &d))
		CU_FAIL("bad date in a test");
	return d;
}

static void
test_state_table(void)
{
	/* file, version, newest interface, failed, building, in span,
	 * daily, no input -> state */
	static const struct {
		struct cov_facts f;
		enum cov_state want;
	} cases[] = {
		/* with a file: by version against the product's interface */
		{{true, {1, 0, 0}, 1, false, false, true, true, false},
		 COV_CURRENT},
		{{true, {2, 0, 0}, 2, false, false, true, false, false},
		 COV_CURRENT},
		{{true, {1, 1, 0}, 1, false, false, true, true, false},
		 COV_UPDATED},
		{{true, {1, 0, 3}, 1, false, false, true, true, false},
		 COV_UPDATED},
		{{true, {1, 4, 2}, 2, false, false, true, true, false},
		 COV_OLD},
		{{true, {1, 0, 0}, 3, false, false, true, true, false},
		 COV_OLD},
		/* a failed or open build outranks the file */
		{{true, {1, 0, 0}, 1, true, false, true, true, false},
		 COV_FAILED},
		{{true, {1, 0, 0}, 2, true, true, true, true, false},
		 COV_FAILED},
		{{true, {1, 0, 0}, 1, false, true, true, true, false},
		 COV_BUILDING},
		/* without a file */
		{{false, {0, 0, 0}, 1, true, false, false, true, false},
		 COV_FAILED},
		{{false, {0, 0, 0}, 1, false, true, false, false, false},
		 COV_BUILDING},
		{{false, {0, 0, 0}, 1, false, false, true, true, false},
		 COV_GAP},
		{{false, {0, 0, 0}, 1, false, false, true, true, true},
		 COV_NO_INPUT},
		{{false, {0, 0, 0}, 1, false, false, false, true, false},
		 COV_NONE},
		{{false, {0, 0, 0}, 1, false, false, false, true, true},
		 COV_NONE},
		{{false, {0, 0, 0}, 1, false, false, true, false, false},
		 COV_NONE},
		{{false, {0, 0, 0}, 0, false, false, false, false, false},
		 COV_NONE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum cov_state got = cov_state(&cases[i].f);

		CU_ASSERT_EQUAL(got, cases[i].want);
		if (got != cases[i].want)
			fprintf(stderr, "state case %zu: got %s, want %s\n", i,
				cov_state_name(got),
				cov_state_name(cases[i].want));
	}
	/* names are the page's classes; worse states sort later */
	CU_ASSERT_STRING_EQUAL(cov_state_name(COV_NO_INPUT), "no-input");
	CU_ASSERT_STRING_EQUAL(cov_state_name(COV_FAILED), "failed");
	CU_ASSERT(COV_FAILED > COV_GAP && COV_GAP > COV_OLD &&
		  COV_OLD > COV_BUILDING && COV_BUILDING > COV_NO_INPUT &&
		  COV_NO_INPUT > COV_UPDATED && COV_UPDATED > COV_CURRENT &&
		  COV_CURRENT > COV_NONE);
	for (int s = 0; s < COV_N_STATES; s++)
		CU_ASSERT_EQUAL(strlen(cov_state_color(s)), 7);
}

static void
test_columns(void)
{
	static const struct {
		const char *lo, *hi;
		size_t max;
		enum cov_unit unit;
		size_t n;
		const char *first_last, *last_first;
		int step;
	} cases[] = {
		{"2024-03-01", "2024-03-01", 1, COV_DAY, 1, "2024-03-01",
		 "2024-03-01", 1},
		{"2024-03-01", "2024-03-31", 31, COV_DAY, 31, "2024-03-01",
		 "2024-03-31", 1},
		/* 31 days in 30 columns: weeks, the first and last cut */
		{"2024-03-01", "2024-03-31", 30, COV_WEEK, 5, "2024-03-03",
		 "2024-03-25", 1},
		{"2024-03-04", "2024-03-10", 6, COV_WEEK, 1, "2024-03-10",
		 "2024-03-04", 1},
		{"2021-01-04", "2024-06-30", 900, COV_WEEK, 182, "2021-01-10",
		 "2024-06-24", 1},
		{"2021-01-04", "2024-06-30", 100, COV_MONTH, 42, "2021-01-31",
		 "2024-06-01", 1},
		{"1960-01-01", "2024-06-30", 900, COV_MONTH, 774,
		 "1960-01-31", "2024-06-01", 1},
		{"1931-01-01", "2024-06-30", 900, COV_YEAR, 94, "1931-12-31",
		 "2024-01-01", 1},
		/* even years too many: several a column, from year 1 */
		{"0001-01-01", "9999-12-31", 900, COV_YEAR, 500,
		 "0020-12-31", "9981-01-01", 20},
		{"2001-06-01", "2024-06-30", 3, COV_YEAR, 3, "2010-12-31",
		 "2021-01-01", 10},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cov_column *c = NULL;
		size_t n = 0;
		int32_t lo = day_of(cases[i].lo), hi = day_of(cases[i].hi);
		int step = 0;
		enum cov_unit u =
			cov_columns(lo, hi, cases[i].max, &c, &n, &step);
		char d1[DATE_STRLEN], d2[DATE_STRLEN];
		bool whole = n > 0 && c[0].first == lo && c[n - 1].last == hi;

		CU_ASSERT_EQUAL(u, cases[i].unit);
		CU_ASSERT_EQUAL(n, cases[i].n);
		CU_ASSERT_EQUAL(step, cases[i].step);
		CU_ASSERT(n <= cases[i].max);
		for (size_t k = 1; k < n; k++)
			whole = whole && c[k].first == c[k - 1].last + 1 &&
				c[k].first <= c[k].last;
		CU_ASSERT(whole);
		if (n) {
			CU_ASSERT_STRING_EQUAL(
				timeutil_format_date(c[0].last, d1),
				cases[i].first_last);
			CU_ASSERT_STRING_EQUAL(
				timeutil_format_date(c[n - 1].first, d2),
				cases[i].last_first);
		}
		if (u != cases[i].unit || n != cases[i].n)
			fprintf(stderr, "columns case %zu: %s x %zu\n", i,
				cov_unit_name(u), n);
		free(c);
	}
}

/*
 * A mission: raw (delivered), l1 (daily from raw), w (weekly), p (per
 * file).  Facts by product id, then date; check's classified days.
 */
static struct product prods[] = {
	{.id = 3, .name = (char *)"l1", .level = 1},
	{.id = 1, .name = (char *)"raw", .level = 0},
	{.id = 7, .name = (char *)"w", .level = 2},
	{.id = 5, .name = (char *)"p", .level = 2},
};
static struct process procs[] = {
	{.id = 1, .name = (char *)"mk1", .output_product_id = 3,
	 .timebase = TIMEBASE_DAILY},
	{.id = 2, .name = (char *)"mkw", .output_product_id = 7,
	 .timebase = TIMEBASE_WEEKLY},
	{.id = 3, .name = (char *)"mkp", .output_product_id = 5,
	 .timebase = TIMEBASE_FILE},
	{.id = 4, .name = (char *)"run", .timebase = TIMEBASE_RUN},
};

static void
make_grid(struct cov_grid *g, struct sr_day *f, size_t *nf,
	  struct check_gap_day *gaps, size_t *ng)
{
	static struct config cfg;
	int32_t d0 = day_of("2024-03-01");
	size_t n = 0, k = 0;

	cfg.products = prods;
	cfg.n_products = 4;
	cfg.processes = procs;
	cfg.n_processes = 4;
	/* raw: 1..10 but 4 and 5 (not delivered) */
	for (int i = 0; i < 10; i++)
		if (i != 3 && i != 4)
			f[n++] = (struct sr_day){1, d0 + i, true, {1, 0, 0}, 1,
						 0, NULL, 0};
	/*
	 * l1: 2 (2.0.0), 3 (2.0.1), 6 failed (no file), 8 (2.0.0, being
	 * built), 10 (1.0.0, an older interface)
	 */
	f[n++] = (struct sr_day){3, d0 + 1, true, {2, 0, 0}, 1, 0, NULL, 0};
	f[n++] = (struct sr_day){3, d0 + 2, true, {2, 0, 1}, 1, 0, NULL, 0};
	f[n++] = (struct sr_day){3, d0 + 5, false, {0, 0, 0}, 0, 42,
				 (char *)"timed_out", 0};
	f[n++] = (struct sr_day){3, d0 + 7, true, {2, 0, 0}, 1, 0, NULL, 43};
	f[n++] = (struct sr_day){3, d0 + 9, true, {1, 0, 0}, 1, 0, NULL, 0};
	/* p: 3 files on day 2 */
	f[n++] = (struct sr_day){5, d0 + 1, true, {1, 2, 0}, 3, 0, NULL, 0};
	/* w: Monday 2024-03-04 */
	f[n++] = (struct sr_day){7, d0 + 3, true, {1, 0, 0}, 1, 0, NULL, 0};
	/* an unknown product's day: left out */
	f[n++] = (struct sr_day){9, d0 - 100, true, {1, 0, 0}, 1, 0, NULL, 0};
	*nf = n;
	/*
	 * check's days: raw 4, 5 (delivered: no input); l1 4, 5 no input,
	 * 6, 7 gaps (6 has a fact too); 9 is a gap check does not list
	 */
	gaps[k++] = (struct check_gap_day){3, d0 + 3, true};
	gaps[k++] = (struct check_gap_day){3, d0 + 4, true};
	gaps[k++] = (struct check_gap_day){3, d0 + 5, false};
	gaps[k++] = (struct check_gap_day){3, d0 + 6, false};
	gaps[k++] = (struct check_gap_day){1, d0 + 3, true};
	gaps[k++] = (struct check_gap_day){1, d0 + 4, true};
	*ng = k;
	cov_grid_init(g, &cfg, f, n, gaps, k, true);
}

static void
test_grid(void)
{
	struct sr_day f[32];
	struct check_gap_day gaps[8];
	size_t nf, ng;
	struct cov_grid g;
	int32_t d0 = day_of("2024-03-01");
	/* by row (raw, l1, p, w), days 2024-02-28 .. 2024-03-12 */
	static const char *const want[4] = {
		"__CCCnnCCCCC___",
		"___CUnnFgBgO___",
		"___U___________",
		"_____C_________",
	};
	static const char codes[] = "_CUnBOgF";

	make_grid(&g, f, &nf, gaps, &ng);
	CU_ASSERT_EQUAL(g.n_products, 4);
	CU_ASSERT_STRING_EQUAL(g.products[0].product->name, "raw");
	CU_ASSERT_STRING_EQUAL(g.products[1].product->name, "l1");
	CU_ASSERT_STRING_EQUAL(g.products[2].product->name, "p");
	CU_ASSERT_STRING_EQUAL(g.products[3].product->name, "w");
	CU_ASSERT(g.products[0].delivered && g.products[0].daily);
	CU_ASSERT(g.products[1].daily && !g.products[1].delivered);
	CU_ASSERT(g.products[2].many && !g.products[2].daily);
	CU_ASSERT(!g.products[3].daily);
	CU_ASSERT_EQUAL(g.products[1].newest_interface, 2);
	CU_ASSERT_EQUAL(g.first, d0);
	CU_ASSERT_EQUAL(g.last, d0 + 9);
	CU_ASSERT_EQUAL(g.file_last, d0 + 9);
	for (size_t p = 0; p < 4; p++) {
		for (int i = 0; i < 15; i++) {
			struct cov_facts fa;
			enum cov_state st;

			cov_day(&g, p, d0 - 2 + i, &fa, &st);
			CU_ASSERT_EQUAL(codes[st], want[p][i]);
			if (codes[st] != want[p][i])
				fprintf(stderr, "grid %zu day %d: %c, want %c\n",
					p, i, codes[st], want[p][i]);
		}
	}
	/* every group counts exactly what its days say */
	for (size_t p = 0; p < 4; p++) {
		for (int a = 0; a < 15; a++) {
			for (int b = a; b < 15; b++) {
				struct cov_summary s;
				int64_t count[COV_N_STATES] = {0};
				enum cov_state worst = COV_NONE;
				bool same = true;

				for (int i = a; i <= b; i++) {
					struct cov_facts fa;
					enum cov_state st;

					cov_day(&g, p, d0 - 2 + i, &fa, &st);
					count[st]++;
					if (st > worst)
						worst = st;
				}
				cov_summarize(&g, p, d0 - 2 + a, d0 - 2 + b,
					      &s);
				for (int st = 0; st < COV_N_STATES; st++)
					same = same && s.count[st] == count[st];
				CU_ASSERT(same && s.worst == worst &&
					  s.days == b - a + 1);
				if (!same || s.worst != worst)
					fprintf(stderr, "summary %zu %d..%d\n",
						p, a, b);
			}
		}
	}
	cov_grid_release(&g);
}

static void
test_words(void)
{
	struct sr_day f[32];
	struct check_gap_day gaps[8];
	size_t nf, ng;
	struct cov_grid g;
	int32_t d0 = day_of("2024-03-01");
	static const struct {
		size_t p;
		int a, b;
		const char *want;
	} cases[] = {
		{0, 0, 0, "raw 2024-03-01: 1.0.0"},
		{0, 3, 3, "raw 2024-03-04: no file: none was delivered"},
		{1, 3, 3, "l1 2024-03-04: no file: a required input never "
			  "arrived"},
		{1, 2, 2, "l1 2024-03-03: 2.0.1, a newer version"},
		{1, 5, 5, "l1 2024-03-06: build 42 timed_out"},
		{1, 6, 6, "l1 2024-03-07: no file: a gap that could be built"},
		{1, 7, 7, "l1 2024-03-08: build 43 queued or running; 2.0.0"},
		{1, 9, 9, "l1 2024-03-10: 1.0.0, superseded: the product is at "
			  "interface 2"},
		{1, -1, -1, "l1 2024-02-29: no file"},
		{2, 1, 1, "p 2024-03-02: 1.2.0 (3 files), a newer version"},
		{3, 4, 4, "w 2024-03-05: no file"},
		{1, 0, 9, "l1 2024-03-01 to 2024-03-10 (10 days): 1 build failed, "
			  "2 gap, 1 older interface, 1 being built, 2 no input, "
			  "1 newer version, 1 present, 1 no file expected; "
			  "version 1.0.0 to 2.0.1"},
		{3, 0, 6, "w 2024-03-01 to 2024-03-07 (7 days): 1 present, 6 no "
			  "file expected; version 1.0.0"},
	};

	make_grid(&g, f, &nf, gaps, &ng);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct cov_column c = {d0 + cases[i].a, d0 + cases[i].b};

		cov_describe(&sb, &g, cases[i].p, &c);
		CU_ASSERT_STRING_EQUAL(sb.buf, cases[i].want);
		if (strcmp(sb.buf, cases[i].want))
			fprintf(stderr, "words %zu: \"%s\"\n", i, sb.buf);
		strbuf_release(&sb);
	}
	cov_grid_release(&g);
}

static void
test_window(void)
{
	struct sr_day f[32];
	struct check_gap_day gaps[8];
	size_t nf, ng;
	struct cov_grid g, empty;
	struct config none = {0};
	int32_t d0 = day_of("2024-03-01"), lo = 0, hi = 0;

	make_grid(&g, f, &nf, gaps, &ng);
	/* neither: ndays up to the newest file, none before the oldest */
	CU_ASSERT(cov_window(&g, COV_NO_DAY, COV_NO_DAY, 31, &lo, &hi));
	CU_ASSERT(lo == d0 && hi == d0 + 9);
	CU_ASSERT(cov_window(&g, COV_NO_DAY, COV_NO_DAY, 3, &lo, &hi));
	CU_ASSERT(lo == d0 + 7 && hi == d0 + 9);
	/* from alone: up to the newest file, or from itself */
	CU_ASSERT(cov_window(&g, d0 + 2, COV_NO_DAY, 3, &lo, &hi));
	CU_ASSERT(lo == d0 + 2 && hi == d0 + 9);
	CU_ASSERT(cov_window(&g, d0 + 20, COV_NO_DAY, 3, &lo, &hi));
	CU_ASSERT(lo == d0 + 20 && hi == d0 + 20);
	/* to alone: ndays ending on it */
	CU_ASSERT(cov_window(&g, COV_NO_DAY, d0 + 40, 5, &lo, &hi));
	CU_ASSERT(lo == d0 + 36 && hi == d0 + 40);
	CU_ASSERT(cov_window(&g, d0 - 5, d0 - 1, 5, &lo, &hi));
	CU_ASSERT(lo == d0 - 5 && hi == d0 - 1);
	/* no file: a window only when asked for */
	cov_grid_init(&empty, &none, NULL, 0, NULL, 0, false);
	CU_ASSERT(!cov_window(&empty, COV_NO_DAY, COV_NO_DAY, 31, &lo, &hi));
	CU_ASSERT(cov_window(&empty, d0, d0 + 1, 31, &lo, &hi));
	CU_ASSERT_EQUAL(empty.first, COV_NO_DAY);
	cov_grid_release(&empty);
	cov_grid_release(&g);
}

void
suite_coverage(void)
{
	CU_pSuite s = unit_add_suite("coverage");

	ADD_TEST(s, test_state_table);
	ADD_TEST(s, test_columns);
	ADD_TEST(s, test_grid);
	ADD_TEST(s, test_words);
	ADD_TEST(s, test_window);
}
