/*
 * test-prefer-rules.c - pinned inputs and input groups, as tables: which
 * candidate files are a key's inputs (prefer_rules_choose: a pin leaves
 * other interfaces out, a group takes its most preferred product with a
 * file of the key's own period, else in its window, a pinned group falls
 * to the next product), and what the planner's rules make of them
 * (plan_rules_evaluate: a missing group or pinned-out input, a preferred
 * product replacing another with a quality bump, a less preferred one
 * changing nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "plan-rules.h"
#include "prefer-rules.h"
#include "unit.h"

/*
 * Process 10's inputs: a group "def" of def (product 1) over ql (2); hk
 * (3), plain; att (4) pinned to interface 2; a group "g1" of g1 (5) over
 * g2 (6), pinned to 2; an optional group "o1" of o1 (7) over o2 (8).
 */
static struct input inputs_10[] = {
	{.product_id = 1, .product = (char *)"def", .group = (char *)"def", .rank = 0},
	{.product_id = 2, .product = (char *)"ql", .group = (char *)"def", .rank = 1},
	{.product_id = 3, .product = (char *)"hk"},
	{.product_id = 4, .product = (char *)"att", .pin = 2},
	{.product_id = 5, .product = (char *)"g1", .group = (char *)"g1", .rank = 0,
	 .pin = 2},
	{.product_id = 6, .product = (char *)"g2", .group = (char *)"g1", .rank = 1,
	 .pin = 2},
	{.product_id = 7, .product = (char *)"o1", .group = (char *)"o1", .rank = 0,
	 .optional = true},
	{.product_id = 8, .product = (char *)"o2", .group = (char *)"o1", .rank = 1,
	 .optional = true},
};

static struct code codes_10[] = {
	{.id = 1,
	 .process_id = 10,
	 .version = {1, 0, 0},
	 .output_interface_version = 1,
	 .start_date = 0,
	 .stop_date = 100000,
	 .active = true,
	 .newest = true},
};

static const struct process proc_10 = {
	.id = 10,
	.name = (char *)"l1",
	.timebase = TIMEBASE_DAILY,
	.output_product_id = 20,
	.inputs = inputs_10,
	.n_inputs = ARRAY_SIZE(inputs_10),
	.codes = codes_10,
	.n_codes = ARRAY_SIZE(codes_10),
};

#define MAXR 5

/* "PRODUCT:DATE:FILE_ID:I.Q.R:OWN" into *x */
static void
row_of(const char *s, struct sb_input *x)
{
	char ver[32];
	long long fid;
	int prod, d, own;

	memset(x, 0, sizeof(*x));
	if (sscanf(s, "%d:%d:%lld:%31[0-9.]:%d", &prod, &d, &fid, ver,
		   &own) != 5 ||
	    version_parse(ver, strlen(ver), &x->version)) {
		CU_FAIL("bad row in a test table");
		return;
	}
	x->product_id = prod;
	x->date = d;
	x->file_id = fid;
	x->own = own;
}

static void
test_choose(void)
{
	static const struct {
		const char *what;
		const char *rows[MAXR];
		const char *want; /* a fate per row: I input, P pinned, N not
				     chosen */
	} cases[] = {
		{"a plain input stays", {"3:10:301:1.0.0:1"}, "I"},
		{"a file of no input of the process stays",
		 {"9:10:901:1.0.0:1"}, "I"},
		{"a group with its second product only: that one",
		 {"2:10:201:1.0.0:1"}, "I"},
		{"a group with both: the first, the other left",
		 {"1:10:101:1.0.0:1", "2:10:201:1.0.0:1"}, "IN"},
		{"the first in a neighbouring day only, the second in the "
		 "key's own: the second, for every day (never a mix)",
		 {"1:9:100:1.0.0:0", "2:9:200:1.0.0:0", "2:10:201:1.0.0:1"},
		 "NII"},
		{"neither in the key's own period: the first",
		 {"1:9:100:1.0.0:0", "2:9:200:1.0.0:0"}, "IN"},
		{"the first's own file decides, its neighbour's come along",
		 {"1:9:100:1.0.0:0", "1:10:101:1.0.0:1", "2:9:200:1.0.0:0",
		  "2:10:201:1.0.0:1"},
		 "IINN"},
		{"the group's choice leaves plain inputs alone",
		 {"1:10:101:1.0.0:1", "2:10:201:1.1.0:1", "3:10:301:1.0.0:1"},
		 "INI"},
		{"a pin: its interface's file in, another interface's out",
		 {"4:10:401:2.1.0:1", "4:10:402:3.0.0:1"}, "IP"},
		{"a pin with only another interface's files: none in",
		 {"4:10:402:3.0.0:1", "4:10:403:1.4.0:1"}, "PP"},
		{"a pinned group: the first product pinned out, so the second",
		 {"5:10:501:3.0.0:1", "6:10:601:2.0.0:1"}, "PI"},
		{"a pinned group: the first product of the pin wins",
		 {"5:10:501:2.0.0:1", "5:10:502:3.0.0:1", "6:10:601:2.0.0:1"},
		 "IPN"},
		{"a pinned group with no file of the pin at all",
		 {"5:10:501:3.0.0:1", "6:10:601:1.0.0:1"}, "PP"},
		{"two groups choose each on their own",
		 {"1:10:101:1.0.0:1", "2:10:201:1.0.0:1", "7:9:700:1.0.0:0",
		  "8:10:801:1.0.0:1"},
		 "INNI"},
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct sb_input in[MAXR];
		enum prefer_fate fate[MAXR];
		char got[MAXR + 1] = "";
		size_t n = 0, kept, want_kept = 0;

		while (n < MAXR && cases[c].rows[n]) {
			row_of(cases[c].rows[n], &in[n]);
			n++;
		}
		kept = prefer_rules_choose(&proc_10, in, n, fate);
		for (size_t i = 0; i < n; i++) {
			got[i] = fate[i] == PREFER_INPUT    ? 'I'
				 : fate[i] == PREFER_PINNED ? 'P'
							    : 'N';
			want_kept += cases[c].want[i] == 'I';
		}
		got[n] = '\0';
		if (strcmp(got, cases[c].want))
			printf("\n  %s: got %s, want %s", cases[c].what, got,
			       cases[c].want);
		CU_ASSERT_STRING_EQUAL(got, cases[c].want);
		CU_ASSERT_EQUAL(kept, want_kept);
	}
}

static void
test_predicates(void)
{
	struct version v2 = {2, 3, 0}, v3 = {3, 0, 0};

	CU_ASSERT(!prefer_pinned_out(NULL, &v3));
	CU_ASSERT(!prefer_pinned_out(&inputs_10[0], &v3)); /* no pin */
	CU_ASSERT(!prefer_pinned_out(&inputs_10[3], &v2));
	CU_ASSERT(prefer_pinned_out(&inputs_10[3], &v3));
	CU_ASSERT_PTR_EQUAL(prefer_input(&proc_10, 4), &inputs_10[3]);
	CU_ASSERT_PTR_NULL(prefer_input(&proc_10, 99));
	CU_ASSERT_PTR_NULL(prefer_input(NULL, 1));
	CU_ASSERT(prefer_same_input(&inputs_10[0], &inputs_10[1]));
	CU_ASSERT(prefer_same_input(&inputs_10[2], &inputs_10[2]));
	CU_ASSERT(!prefer_same_input(&inputs_10[0], &inputs_10[2]));
	CU_ASSERT(!prefer_same_input(&inputs_10[0], &inputs_10[4]));
	CU_ASSERT(!prefer_same_input(&inputs_10[2], &inputs_10[3]));
	CU_ASSERT(!prefer_same_input(NULL, &inputs_10[0]));
}

/*
 * One key of process 10 through plan_rules_evaluate: its newest output
 * 900 (made by code 1, version 1.0.0) from parents par (NULL: no output),
 * its candidates rows; the verdict, and its reasons as "kind:product"
 * joined by spaces.
 */
static void
evaluate(const char *const *par, const char *const *rows,
	 enum plan_verdict *verdict, struct version *v, char *why,
	 size_t whylen, struct plan_key *out)
{
	struct plan_catalog cat = {&proc_10, 1};
	struct sb_candidate c = {.process_id = 10,
				 .timebase = TIMEBASE_DAILY,
				 .output_product = 20,
				 .key_start = 10,
				 .key_end = 10,
				 .version_bump = -1};
	struct sb_state st = {0};
	struct sb_input in[MAXR];
	struct sb_parent pp[MAXR];
	struct plan_key k = {0};
	struct plan_eval ev = {.n = 1, .keys = &k, .st = &st, .in = in};
	size_t len = 0;

	while (ev.nin < MAXR && rows[ev.nin]) {
		row_of(rows[ev.nin], &in[ev.nin]);
		ev.nin++;
	}
	for (size_t i = 0; par && i < MAXR && par[i]; i++) {
		struct sb_input x;

		row_of(par[i], &x);
		memset(&pp[i], 0, sizeof(pp[i]));
		pp[i].result = 900;
		pp[i].file_id = x.file_id;
		pp[i].product_id = x.product_id;
		pp[i].date = x.date;
		pp[i].version = x.version;
		ev.npar++;
	}
	ev.par = pp;
	if (par) {
		st.out_id = 900;
		st.out_code_id = 1;
		st.out_version = (struct version){1, 0, 0};
	}
	plan_rules_evaluate(&cat, &c, &ev);
	*verdict = k.verdict;
	*v = k.version;
	why[0] = '\0';
	for (size_t i = 0; i < k.why_n && len + 40 < whylen; i++) {
		const struct sb_reason *r = &ev.why.v[k.why_first + i];

		len += (size_t)snprintf(why + len, whylen - len, "%s%s:%d",
					i ? " " : "",
					build_reason_name(r->kind),
					r->product_id);
	}
	*out = k;
	plan_reasons_release(&ev.why);
}

static void
test_evaluate(void)
{
	static const struct {
		const char *what;
		const char *par[MAXR]; /* {NULL}: no output yet */
		bool has_output;
		const char *rows[MAXR];
		enum plan_verdict want;
		const char *want_v;
		const char *want_why;
		int missing;
		bool pin_left;
		size_t in_n, left_n;
	} cases[] = {
		{"built from quick-look alone",
		 {NULL},
		 false,
		 {"2:10:201:1.0.0:1", "3:10:301:1.0.0:1", "4:10:401:2.0.0:1",
		  "6:10:601:2.0.0:1"},
		 PLAN_BUILD,
		 "1.0.0",
		 "first:0",
		 0,
		 false,
		 4,
		 0},
		{"definitive arrives: it replaces quick-look, a quality bump",
		 {"2:10:201:1.0.0:1", "3:10:301:1.0.0:1", "4:10:401:2.0.0:1",
		  "6:10:601:2.0.0:1"},
		 true,
		 {"1:10:101:1.0.0:1", "2:10:201:1.0.0:1", "3:10:301:1.0.0:1",
		  "4:10:401:2.0.0:1", "6:10:601:2.0.0:1"},
		 PLAN_BUILD,
		 "1.1.0",
		 "input-added:1 input-removed:2",
		 0,
		 false,
		 4,
		 1},
		{"another quick-look version once definitive is used: nothing",
		 {"1:10:101:1.0.0:1", "3:10:301:1.0.0:1", "4:10:401:2.0.0:1",
		  "6:10:601:2.0.0:1"},
		 true,
		 {"1:10:101:1.0.0:1", "2:10:202:1.1.0:1", "3:10:301:1.0.0:1",
		  "4:10:401:2.0.0:1", "6:10:601:2.0.0:1"},
		 PLAN_UPTODATE,
		 NULL,
		 "",
		 0,
		 false,
		 4,
		 1},
		{"a 3.x.x file of the pinned input changes nothing",
		 {"1:10:101:1.0.0:1", "3:10:301:1.0.0:1", "4:10:401:2.0.0:1",
		  "6:10:601:2.0.0:1"},
		 true,
		 {"1:10:101:1.0.0:1", "3:10:301:1.0.0:1", "4:10:401:2.0.0:1",
		  "4:10:402:3.0.0:1", "6:10:601:2.0.0:1"},
		 PLAN_UPTODATE,
		 NULL,
		 "",
		 0,
		 false,
		 4,
		 1},
		{"the required group with no file: missing, named by its first",
		 {NULL},
		 false,
		 {"3:10:301:1.0.0:1", "4:10:401:2.0.0:1", "6:10:601:2.0.0:1"},
		 PLAN_NO_INPUT,
		 NULL,
		 "",
		 1,
		 false,
		 3,
		 0},
		{"the pinned input with only 3.x.x: missing, the pin said",
		 {NULL},
		 false,
		 {"1:10:101:1.0.0:1", "3:10:301:1.0.0:1", "4:10:402:3.0.0:1",
		  "6:10:601:2.0.0:1"},
		 PLAN_NO_INPUT,
		 NULL,
		 "",
		 4,
		 true,
		 3,
		 1},
		{"the pinned group with only 1.x.x and 3.x.x: missing, the pin "
		 "said",
		 {NULL},
		 false,
		 {"1:10:101:1.0.0:1", "3:10:301:1.0.0:1", "4:10:401:2.0.0:1",
		  "5:10:501:3.0.0:1", "6:10:601:1.0.0:1"},
		 PLAN_NO_INPUT,
		 NULL,
		 "",
		 5,
		 true,
		 3,
		 2},
		{"the optional group absent: built",
		 {NULL},
		 false,
		 {"1:10:101:1.0.0:1", "3:10:301:1.0.0:1", "4:10:401:2.0.0:1",
		  "6:10:601:2.0.0:1"},
		 PLAN_BUILD,
		 "1.0.0",
		 "first:0",
		 0,
		 false,
		 4,
		 0},
		{"the group's chosen product in a neighbouring day only: "
		 "neighbour-only",
		 {NULL},
		 false,
		 {"1:9:100:1.0.0:0", "3:10:301:1.0.0:1", "4:10:401:2.0.0:1",
		  "6:10:601:2.0.0:1"},
		 PLAN_BUILD,
		 "1.0.0",
		 "first:0",
		 0,
		 false,
		 4,
		 0},
	};

	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		enum plan_verdict verdict;
		struct version v = {0, 0, 0}, want_v = {0, 0, 0};
		struct plan_key k;
		char why[256];

		evaluate(cases[c].has_output ? cases[c].par : NULL,
			 cases[c].rows, &verdict, &v, why, sizeof(why), &k);
		if (verdict != cases[c].want || strcmp(why, cases[c].want_why))
			printf("\n  %s: verdict %d, why \"%s\"", cases[c].what,
			       (int)verdict, why);
		CU_ASSERT_EQUAL(verdict, cases[c].want);
		CU_ASSERT_STRING_EQUAL(why, cases[c].want_why);
		CU_ASSERT_EQUAL(k.missing_product, cases[c].missing);
		CU_ASSERT_EQUAL(k.pin_left, cases[c].pin_left);
		CU_ASSERT_EQUAL(k.in_n, cases[c].in_n);
		CU_ASSERT_EQUAL(k.left_n, cases[c].left_n);
		if (cases[c].want_v) {
			if (version_parse(cases[c].want_v,
					  strlen(cases[c].want_v), &want_v))
				CU_FAIL("bad version in a test table");
			CU_ASSERT_EQUAL(version_cmp(&v, &want_v), 0);
		}
	}
}

void
suite_prefer_rules(void)
{
	CU_pSuite s = unit_add_suite("prefer-rules");

	ADD_TEST(s, test_choose);
	ADD_TEST(s, test_predicates);
	ADD_TEST(s, test_evaluate);
}
