/*
 * test-db.c - what db.c builds without a server: array literals
 * (escaping, NULLs, empty arrays) and struct db_params (scalars, whole
 * arrays, row-at-a-time columns, their order, release and reuse, and
 * that an incomplete row or a column without columns is caught), and
 * rows read through column tables from results made in memory.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "version.h"
#include "strbuf.h"
#include "timeutil.h"
#include "unit.h"

/* the i-th parameter, "NULL" for SQL NULL (so it can be compared) */
static const char *
param(struct db_params *p, int i)
{
	const char *v;

	if (i >= db_params_count(p))
		return "(missing)";
	v = db_params_values(p)[i];
	return v ? v : "NULL";
}

static void
test_array_literals(void)
{
	static const struct {
		const char *elem[4];
		size_t n;
		const char *want;
	} cases[] = {
		{{NULL}, 0, "{}"},
		{{"a"}, 1, "{\"a\"}"},
		{{"a", "b c"}, 2, "{\"a\",\"b c\"}"},
		{{"quo\"te", "back\\slash"}, 2,
		 "{\"quo\\\"te\",\"back\\\\slash\"}"},
		{{"a", NULL, ""}, 3, "{\"a\",NULL,\"\"}"},
		{{"{x,y}", "NULL", "line\nbreak", "\xc3\xa9"}, 4,
		 "{\"{x,y}\",\"NULL\",\"line\nbreak\",\"\xc3\xa9\"}"},
	};
	/* the encoders are db.c's own: seen through db_params_text_array */
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct db_params p = DB_PARAMS_INIT;
		const char *got;

		db_params_text_array(&p, cases[c].elem, cases[c].n);
		got = param(&p, 0);
		CU_ASSERT_STRING_EQUAL(got, cases[c].want);
		if (strcmp(got, cases[c].want))
			fprintf(stderr, "case %zu: got %s\n", c, got);
		db_params_release(&p);
	}
}

static void
test_array_int64(void)
{
	const int64_t v[] = {1, -2, INT64_MAX, INT64_MIN};
	struct db_params p = DB_PARAMS_INIT;

	db_params_int64_array(&p, v, 0);
	db_params_int64_array(&p, v, ARRAY_SIZE(v));
	CU_ASSERT_STRING_EQUAL(param(&p, 0), "{}");
	CU_ASSERT_STRING_EQUAL(param(&p, 1),
			       "{\"1\",\"-2\",\"9223372036854775807\","
			       "\"-9223372036854775808\"}");
	db_params_release(&p);
}

static void
test_params_scalars(void)
{
	struct db_params p = DB_PARAMS_INIT;

	CU_ASSERT_EQUAL(db_params_count(&p), 0);
	db_params_text(&p, "it's \"plain\" text");
	db_params_text(&p, NULL);
	db_params_int64(&p, INT64_MIN);
	db_params_int64(&p, 42);
	db_params_bool(&p, true);
	db_params_bool(&p, false);
	db_params_null(&p);
	CU_ASSERT_EQUAL(db_params_count(&p), 7);
	/* scalars are sent as they are: no quoting */
	CU_ASSERT_STRING_EQUAL(param(&p, 0), "it's \"plain\" text");
	CU_ASSERT_PTR_NULL(db_params_values(&p)[1]);
	CU_ASSERT_STRING_EQUAL(param(&p, 2), "-9223372036854775808");
	CU_ASSERT_STRING_EQUAL(param(&p, 3), "42");
	CU_ASSERT_STRING_EQUAL(param(&p, 4), "true");
	CU_ASSERT_STRING_EQUAL(param(&p, 5), "false");
	CU_ASSERT_PTR_NULL(db_params_values(&p)[6]);
	db_params_release(&p);
	CU_ASSERT_EQUAL(db_params_count(&p), 0);
	CU_ASSERT_PTR_NULL(db_params_values(&p));
}

static void
test_params_arrays(void)
{
	const char *names[] = {"a\"b", NULL, "c"};
	const int64_t ids[] = {7, 8};
	struct db_params p;

	db_params_init(&p);
	db_params_text_array(&p, names, ARRAY_SIZE(names));
	db_params_int64_array(&p, ids, ARRAY_SIZE(ids));
	db_params_text_array(&p, names, 0);
	db_params_int64_array(&p, ids, 0);
	CU_ASSERT_EQUAL(db_params_count(&p), 4);
	CU_ASSERT_STRING_EQUAL(param(&p, 0), "{\"a\\\"b\",NULL,\"c\"}");
	CU_ASSERT_STRING_EQUAL(param(&p, 1), "{\"7\",\"8\"}");
	CU_ASSERT_STRING_EQUAL(param(&p, 2), "{}");
	CU_ASSERT_STRING_EQUAL(param(&p, 3), "{}");
	db_params_release(&p);
}

static void
test_params_columns(void)
{
	struct db_params p = DB_PARAMS_INIT;
	int32_t d = timeutil_days_from_ymd(2024, 3, 5);

	db_params_int64(&p, 9); /* $1 before the columns */
	db_params_columns(&p, 6);
	db_col_text(&p, "x_1.dat");
	db_col_int64(&p, 3);
	db_col_double(&p, 0.1);
	db_col_bool(&p, true);
	db_col_date(&p, d);
	db_col_timestamp(&p, d * USEC_PER_DAY + 1);
	db_col_text(&p, NULL);
	db_col_int64(&p, -1);
	db_col_double(&p, 2);
	db_col_bool(&p, false);
	db_col_date(&p, 0);
	db_col_timestamp(&p, 0);
	db_params_text(&p, "after"); /* closes the columns */
	CU_ASSERT_EQUAL(db_params_count(&p), 8);
	CU_ASSERT_STRING_EQUAL(param(&p, 0), "9");
	CU_ASSERT_STRING_EQUAL(param(&p, 1), "{\"x_1.dat\",NULL}");
	CU_ASSERT_STRING_EQUAL(param(&p, 2), "{\"3\",\"-1\"}");
	/* doubles round-trip exactly */
	CU_ASSERT_STRING_EQUAL(param(&p, 3),
			       "{\"0.10000000000000001\",\"2\"}");
	CU_ASSERT_STRING_EQUAL(param(&p, 4), "{\"true\",\"false\"}");
	CU_ASSERT_STRING_EQUAL(param(&p, 5), "{\"2024-03-05\",\"1970-01-01\"}");
	CU_ASSERT_STRING_EQUAL(param(&p, 6),
			       "{\"2024-03-05T00:00:00.000001Z\","
			       "\"1970-01-01T00:00:00Z\"}");
	CU_ASSERT_STRING_EQUAL(param(&p, 7), "after");
	db_params_release(&p);
}

static void
test_params_columns_edges(void)
{
	struct db_params p = DB_PARAMS_INIT;

	/* no rows: empty arrays; closed by the query-side accessors */
	db_params_columns(&p, 2);
	CU_ASSERT_EQUAL(db_params_count(&p), 2);
	CU_ASSERT_STRING_EQUAL(param(&p, 0), "{}");
	CU_ASSERT_STRING_EQUAL(param(&p, 1), "{}");
	db_params_release(&p);

	/* two groups in a row, the second closing the first */
	db_params_columns(&p, 1);
	db_col_text(&p, "a");
	db_col_text(&p, "b");
	db_params_columns(&p, 2);
	db_col_int64(&p, 1);
	db_col_int64(&p, 2);
	CU_ASSERT_EQUAL(db_params_count(&p), 3);
	CU_ASSERT_STRING_EQUAL(param(&p, 0), "{\"a\",\"b\"}");
	CU_ASSERT_STRING_EQUAL(param(&p, 1), "{\"1\"}");
	CU_ASSERT_STRING_EQUAL(param(&p, 2), "{\"2\"}");
	db_params_release(&p);

	/* released with columns open, then reused */
	db_params_columns(&p, 3);
	db_col_text(&p, "left open");
	db_params_release(&p);
	db_params_int64(&p, 5);
	CU_ASSERT_EQUAL(db_params_count(&p), 1);
	CU_ASSERT_STRING_EQUAL(param(&p, 0), "5");
	db_params_release(&p);

	/* many rows: the literals grow */
	db_params_columns(&p, 1);
	for (int i = 0; i < 1000; i++)
		db_col_int64(&p, i);
	CU_ASSERT_EQUAL(db_params_count(&p), 1);
	CU_ASSERT_EQUAL(strncmp(param(&p, 0), "{\"0\",\"1\",", 9), 0);
	CU_ASSERT(strstr(param(&p, 0), ",\"999\"}") != NULL);
	db_params_release(&p);
}

/* -- reading rows through column tables ------------------------------- */

struct row {
	int64_t id;
	char *name;
	int n;
	bool flag;
	double x;
	int32_t day;
	struct version v;
	int64_t *ids;
	size_t nids;
	int64_t opt;
};

static const struct db_col row_cols[] = {
	DB_COL(DB_INT64, struct row, id),
	DB_COL(DB_TEXT, struct row, name),
	DB_COL(DB_INT, struct row, n),
	DB_COL(DB_BOOL, struct row, flag),
	DB_COLF(DB_DOUBLE, struct row, x, DB_NULLABLE),
	DB_COLF(DB_DATE, struct row, day, DB_NULLABLE),
	DB_COL(DB_VERSION, struct row, v),
	DB_COL_ARRAY(struct row, ids, nids, DB_NULLABLE),
	DB_COLF(DB_INT64, struct row, opt, DB_NULLABLE),
	DB_COL_SKIP,
};
static const struct db_table row_table = DB_TABLE("rows", row_cols,
						  struct row);
static const char *const row_names[] = {"id", "name", "n", "flag", "x",
					"day", "v", "ids", "opt", "skipped"};

static void
test_read_rows(void)
{
	static const char *const values[] = {
		"7", "a \"name\"", "-3", "t", "0.5", "2024-03-05", "1.2.3",
		"{1,2,3}", "9", "anything",
		"8", NULL, "0", "f", NULL, NULL, "2.0.0", NULL, NULL, NULL,
	};
	struct db_res *res = db_res_make(2, 10, row_names, values);
	struct row rows[3];

	memset(rows, 0, sizeof(rows));
	CU_ASSERT_EQUAL(db_res_read_rows(res, &row_table, rows, 2), 0);
	CU_ASSERT_EQUAL(rows[0].id, 7);
	CU_ASSERT_STRING_EQUAL(rows[0].name, "a \"name\"");
	CU_ASSERT_EQUAL(rows[0].n, -3);
	CU_ASSERT(rows[0].flag);
	CU_ASSERT_DOUBLE_EQUAL(rows[0].x, 0.5, 0);
	CU_ASSERT_EQUAL(rows[0].day, timeutil_days_from_ymd(2024, 3, 5));
	CU_ASSERT(rows[0].v.interface == 1 && rows[0].v.quality == 2 &&
		  rows[0].v.revision == 3);
	CU_ASSERT_EQUAL_FATAL(rows[0].nids, 3);
	CU_ASSERT(rows[0].ids[0] == 1 && rows[0].ids[2] == 3);
	CU_ASSERT_EQUAL(rows[0].opt, 9);
	/* SQL NULL: the column's null value */
	CU_ASSERT_PTR_NULL(rows[1].name);
	CU_ASSERT(!rows[1].flag);
	CU_ASSERT(rows[1].x != rows[1].x); /* NaN */
	CU_ASSERT_EQUAL(rows[1].day, DB_NULL_DATE);
	CU_ASSERT_PTR_NULL(rows[1].ids);
	CU_ASSERT_EQUAL(rows[1].nids, 0);
	CU_ASSERT_EQUAL(rows[1].opt, DB_NULL_INT64);
	db_rows_release(&row_table, rows, 2);
	CU_ASSERT_PTR_NULL(rows[0].name);
	CU_ASSERT_PTR_NULL(rows[0].ids);
	db_res_free(res);
}

static void
test_read_rows_refused(void)
{
	/* each row has one bad value: reported, -1, the rest still read */
	static const struct {
		const char *what;
		const char *v[10];
	} cases[] = {
		{"not a number", {"x7", "a", "1", "t", "1", "2024-01-01",
				  "1.0.0", "{}", "1", ""}},
		{"NULL where refused", {NULL, "a", "1", "t", "1", "2024-01-01",
					"1.0.0", "{}", "1", ""}},
		{"not a boolean", {"1", "a", "1", "yes", "1", "2024-01-01",
				   "1.0.0", "{}", "1", ""}},
		{"int out of range", {"1", "a", "99999999999", "t", "1",
				      "2024-01-01", "1.0.0", "{}", "1", ""}},
		{"not a date", {"1", "a", "1", "t", "1", "2024-13-01", "1.0.0",
				"{}", "1", ""}},
		{"not a version", {"1", "a", "1", "t", "1", "2024-01-01", "1.0",
				   "{}", "1", ""}},
		{"not an id array", {"1", "a", "1", "t", "1", "2024-01-01",
				     "1.0.0", "{a}", "1", ""}},
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct db_res *res = db_res_make(1, 10, row_names, cases[c].v);
		struct row r;
		int rc;

		memset(&r, 0, sizeof(r));
		rc = db_res_read_rows(res, &row_table, &r, 1);
		if (rc != -1)
			fprintf(stderr, "\n  read rows: %s: accepted\n",
				cases[c].what);
		CU_ASSERT_EQUAL(rc, -1);
		db_row_release(&row_table, &r);
		db_res_free(res);
	}
	/* the shape: a column too many or too few, rows missing */
	{
		struct db_res *res = db_res_make(1, 9, row_names, cases[0].v);
		struct row r[2];

		memset(r, 0, sizeof(r));
		CU_ASSERT_EQUAL(db_res_read_rows(res, &row_table, r, 1), -1);
		db_res_free(res);
		res = db_res_make(1, 10, row_names, cases[0].v);
		CU_ASSERT_EQUAL(db_res_read_rows(res, &row_table, r, 2), -1);
		db_rows_release(&row_table, r, 2);
		db_res_free(res);
	}
}

/* DB_PARSE: an enum stored by name, through the table's function */
enum colour { RED = 1, GREEN };
struct painted {
	enum colour c;
	enum colour maybe;
};

static int
parse_colour(const char *s, void *out)
{
	enum colour *c = out;

	if (!strcmp(s, "red"))
		*c = RED;
	else if (!strcmp(s, "green"))
		*c = GREEN;
	else
		return -1;
	return 0;
}

static void
test_read_rows_parse(void)
{
	static const struct db_col cols[] = {
		DB_COL_PARSE(struct painted, c, parse_colour),
		{DB_PARSE, offsetof(struct painted, maybe), 0, DB_NULLABLE,
		 parse_colour},
	};
	static const struct db_table t = DB_TABLE("painted", cols,
						  struct painted);
	static const char *const names[] = {"c", "maybe"};
	static const char *const good[] = {"green", "red", "red", NULL};
	static const char *const bad[][2] = {
		{"blue", "red"}, /* not a name */
		{NULL, "red"},   /* NULL, not nullable */
		{"Red", NULL},   /* exact */
	};
	struct db_res *res = db_res_make(2, 2, names, good);
	struct painted p[2];

	memset(p, 0, sizeof(p));
	CU_ASSERT_EQUAL(db_res_read_rows(res, &t, p, 2), 0);
	CU_ASSERT(p[0].c == GREEN && p[0].maybe == RED);
	CU_ASSERT(p[1].c == RED && p[1].maybe == 0); /* NULL: left as it was */
	db_res_free(res);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(p, 0, sizeof(p));
		res = db_res_make(1, 2, names, bad[i]);
		CU_ASSERT_EQUAL(db_res_read_rows(res, &t, p, 1), -1);
		db_res_free(res);
	}
}

static void
test_params_more(void)
{
	const int64_t ids[] = {4, 5};
	struct db_params p = DB_PARAMS_INIT;

	db_params_date(&p, timeutil_days_from_ymd(2024, 2, 29));
	db_params_columns(&p, 2);
	db_col_int64_array(&p, ids, 2);
	db_col_null(&p);
	db_col_int64_array(&p, ids, 0);
	db_col_text(&p, "x");
	CU_ASSERT_EQUAL(db_params_count(&p), 3);
	CU_ASSERT_STRING_EQUAL(param(&p, 0), "2024-02-29");
	/* per-row arrays: one text element each, cast per row */
	CU_ASSERT_STRING_EQUAL(param(&p, 1), "{\"{4,5}\",\"{}\"}");
	CU_ASSERT_STRING_EQUAL(param(&p, 2), "{NULL,\"x\"}");
	db_params_release(&p);
}

enum misuse {
	MISUSE_INCOMPLETE_ROW,
	MISUSE_COL_WITHOUT_COLUMNS,
	MISUSE_NO_COLUMNS,
	MISUSE_N
};

static void
misuse(enum misuse m)
{
	struct db_params p = DB_PARAMS_INIT;

	switch (m) {
	case MISUSE_INCOMPLETE_ROW:
		db_params_columns(&p, 2);
		db_col_text(&p, "only one");
		(void)db_params_count(&p);
		break;
	case MISUSE_COL_WITHOUT_COLUMNS:
		db_params_int64(&p, 1);
		db_col_text(&p, "x");
		break;
	case MISUSE_NO_COLUMNS:
		db_params_columns(&p, 0);
		break;
	case MISUSE_N:
		break;
	}
	db_params_release(&p);
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
suite_db(void)
{
	CU_pSuite s = unit_add_suite("db");

	ADD_TEST(s, test_array_literals);
	ADD_TEST(s, test_array_int64);
	ADD_TEST(s, test_params_scalars);
	ADD_TEST(s, test_params_arrays);
	ADD_TEST(s, test_params_columns);
	ADD_TEST(s, test_params_columns_edges);
	ADD_TEST(s, test_misuse_is_a_bug);
	ADD_TEST(s, test_read_rows);
	ADD_TEST(s, test_read_rows_refused);
	ADD_TEST(s, test_read_rows_parse);
	ADD_TEST(s, test_params_more);
}
