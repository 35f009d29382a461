/*
 * test-why-text.c - reasons in words, as a table (every kind, with and
 * without the parts a kind may lack), a chain of two files as text and
 * as JSON (nested by depth, inputs past the depth counted), and every
 * verdict of "why --not" in words and JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "why-text.h"
#include "unit.h"

#define N INT64_MIN /* none */

/* a reason as the tables give it: text borrowed, -Wwrite-strings cast */
struct rcase {
	enum build_reason kind;
	const char *product, *date;
	int64_t old_file, new_file;
	const char *old_version, *new_version;
	int64_t old_code, new_code;
	const char *bump;
	int64_t run;
	const char *command, *user, *detail;
	const char *want;
};

static struct sw_reason
reason_of(const struct rcase *c)
{
	struct sw_reason r = {
		.build_id = 7,
		.kind = c->kind,
		.product = (char *)c->product,
		.utc_date = (char *)c->date,
		.old_file_id = c->old_file,
		.new_file_id = c->new_file,
		.old_version = (char *)c->old_version,
		.new_version = (char *)c->new_version,
		.old_code_id = c->old_code,
		.new_code_id = c->new_code,
		.bump = (char *)c->bump,
		.logging_id = c->run,
		.by_command = (char *)c->command,
		.by_user = (char *)c->user,
		.detail = (char *)c->detail,
	};
	return r;
}

static const struct rcase reasons[] = {
	{BUILD_REASON_FIRST, NULL, NULL, N, N, NULL, "1.0.0", N, 3, NULL, N,
	 NULL, NULL, NULL, "first build of its key (code 3, version 1.0.0)"},
	{BUILD_REASON_FIRST, NULL, NULL, N, N, NULL, NULL, N, N, NULL, N, NULL,
	 NULL, NULL, "first build of its key"},
	{BUILD_REASON_INPUT_ADDED, "raw", "2024-03-01", N, 12, NULL, "1.0.0", N,
	 N, NULL, N, NULL, NULL, NULL,
	 "input added: raw 2024-03-01 1.0.0 (file 12)"},
	{BUILD_REASON_INPUT_REMOVED, "raw", "2024-03-01", 12, N, "1.0.0", NULL,
	 N, N, NULL, N, NULL, NULL, NULL,
	 "input removed: raw 2024-03-01 1.0.0 (file 12)"},
	/* a RUN build's old input is known by its id only */
	{BUILD_REASON_INPUT_REMOVED, NULL, NULL, 12, N, NULL, NULL, N, N, NULL,
	 N, NULL, NULL, NULL, "input removed: (file 12)"},
	{BUILD_REASON_INPUT_CHANGED, "l1", "2024-03-01", 3, 9, "1.0.0", "1.1.0",
	 N, N, NULL, N, NULL, NULL, NULL,
	 "input changed: l1 2024-03-01 1.0.0 -> 1.1.0 (file 3 -> 9)"},
	{BUILD_REASON_NEIGHBOUR, "raw", "2024-02-29", 3, 9, "1.0.0", "1.0.1", N,
	 N, NULL, N, NULL, NULL, NULL,
	 "neighbouring day changed: raw 2024-02-29 1.0.0 -> 1.0.1 (file 3 -> "
	 "9)"},
	{BUILD_REASON_NEIGHBOUR, "raw", "2024-02-29", N, 9, NULL, "1.0.0", N, N,
	 NULL, N, NULL, NULL, NULL,
	 "neighbouring day added: raw 2024-02-29 1.0.0 (file 9)"},
	{BUILD_REASON_NEIGHBOUR, "raw", "2024-02-29", 3, N, "1.0.0", NULL, N, N,
	 NULL, N, NULL, NULL, NULL,
	 "neighbouring day removed: raw 2024-02-29 1.0.0 (file 3)"},
	{BUILD_REASON_CODE_CHANGED, NULL, NULL, N, N, "1.0.0", "1.1.0", 2, 3,
	 NULL, N, NULL, NULL, NULL, "code changed: 1.0.0 -> 1.1.0 (code 2 -> 3)"},
	{BUILD_REASON_CODE_CHANGED, NULL, NULL, N, N, "1.0.0", "1.0.0", 2, 3,
	 NULL, N, NULL, NULL, NULL,
	 "code changed: code 2 -> 3, both version 1.0.0"},
	{BUILD_REASON_CODE_CHANGED, NULL, NULL, N, N, NULL, "1.0.0", N, 3, NULL,
	 N, NULL, NULL, NULL, "code changed: none recorded -> 1.0.0 (code 3)"},
	{BUILD_REASON_FORCED, NULL, NULL, N, N, "1.2.0", NULL, N, N, "revision",
	 6, "reprocess", "alice", "reprocess",
	 "forced revision bump of 1.2.0, asked by run 6 (reprocess, user "
	 "alice)"},
	/* its run pruned: the queue entry's reason is all there is */
	{BUILD_REASON_FORCED, NULL, NULL, N, N, NULL, NULL, N, N, "quality", N,
	 NULL, NULL, "reprocess", "forced quality bump, asked: reprocess"},
	{BUILD_REASON_FORCED, NULL, NULL, N, N, NULL, NULL, N, N, "interface",
	 N, NULL, NULL, NULL, "forced interface bump"},
	{BUILD_REASON_REQUESTED, NULL, NULL, N, N, NULL, NULL, N, N, NULL, 7,
	 "failures retry", "bob", "retry of failure 3",
	 "requested by run 7 (failures retry, user bob): retry of failure 3"},
	{BUILD_REASON_REQUESTED, NULL, NULL, N, N, NULL, NULL, N, N, NULL, N,
	 NULL, NULL, "new code", "requested: new code"},
	{BUILD_REASON_SCHEDULED, NULL, NULL, N, N, NULL, NULL, N, N, NULL, N,
	 NULL, NULL, "DAILY from 2024-01-01, lag 2",
	 "scheduled: DAILY from 2024-01-01, lag 2"},
};

static void
test_reason_words(void)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		struct sw_reason r = reason_of(&reasons[i]);

		why_text_reason(&sb, &r);
		if (strcmp(sb.buf, reasons[i].want))
			fprintf(stderr, "\n  reason %zu: \"%s\"\n", i, sb.buf);
		CU_ASSERT_STRING_EQUAL(sb.buf, reasons[i].want);
		strbuf_release(&sb);
	}
}

/* l2 <- build 7 (its input l1 changed) <- l1 <- build 5 (2 inputs) */
static void
chain_of(struct sw_node *nd, struct sw_reason *changed)
{
	memset(nd, 0, 2 * sizeof(*nd));
	*changed = reason_of(&reasons[5]);
	for (int i = 0; i < 2; i++) {
		nd[i].depth = i;
		nd[i].path = (char *)(i ? "1" : "");
		nd[i].file_id = i ? 8 : 11;
		nd[i].exists = nd[i].on_disk = true;
		nd[i].filename = (char *)(i ? "l1.dat" : "l2.dat");
		nd[i].product = (char *)(i ? "l1" : "l2");
		nd[i].version = (char *)"1.1.0";
		nd[i].utc_file_date = (char *)"2024-03-01";
		nd[i].build_id = i ? 5 : 7;
		nd[i].process = nd[i].product;
		nd[i].output_key = nd[i].utc_file_date;
		nd[i].code_version = (char *)"1.0.0";
		nd[i].code_id = N;
		nd[i].n_inputs = i ? 2 : 1;
		nd[i].reused_from = N;
	}
	nd[0].reasons = changed;
	nd[0].n_reasons = 1;
}

static void
test_chain(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct sw_node chain[2];
	struct sw_reason changed;

	chain_of(chain, &changed);
	why_format_file(&sb, chain, 2, 1, false);
	CU_ASSERT_PTR_NOT_NULL(strstr(
		sb.buf, "l2.dat (file 11, l2 2024-03-01 1.1.0)\n"
			"  made by build 7 (process l2, key 2024-03-01, code "
			"1.0.0):\n"
			"    because: input changed: l1 2024-03-01 1.0.0 -> "
			"1.1.0 (file 3 -> 9)\n"
			"    l1.dat (file 8, l1 2024-03-01 1.1.0)\n"
			"      made by build 5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "(2 inputs not shown: "
					      "--depth=1)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "(no reason recorded"));
	strbuf_reset(&sb);
	why_format_file(&sb, chain, 2, 1, true);
	CU_ASSERT(strncmp(sb.buf, "{\n  \"format\": 1,", 16) == 0);
	/* l1 is nested inside l2's build, its inputs not shown */
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "\"inputs\": [\n        {\n"
					      "          \"file_id\": 8,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "\"inputs_shown\": false"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "\"kind\": \"input-changed\""));
	strbuf_reset(&sb);
	why_format_file(&sb, NULL, 0, 4, true);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "\"file\": null"));
	CU_ASSERT_PTR_NULL(strstr(sb.buf, "reused"));
	/* a build that took an earlier build's output says so */
	chain[0].reused_from = 3;
	strbuf_reset(&sb);
	why_format_file(&sb, chain, 2, 1, false);
	CU_ASSERT_PTR_NOT_NULL(strstr(
		sb.buf, "  made by build 7 (process l2, key 2024-03-01, code "
			"1.0.0):\n"
			"    reused from build 3: the same content (code and "
			"input bytes), its code did not run\n"
			"    because: input changed"));
	/* only the build that did: l1's made by build 5 ran */
	CU_ASSERT_PTR_NULL(strstr(strstr(sb.buf, "made by build 5"),
				  "reused"));
	strbuf_reset(&sb);
	why_format_file(&sb, chain, 2, 1, true);
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "\"reused_from_build_id\": 3"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, "\"reused_from_build_id\": null"));
	strbuf_release(&sb);
}

/* why --not: each verdict in words, and its JSON member */
static void
test_not_verdicts(void)
{
	static struct code code = {.id = 4, .filename = (char *)"l1.sh",
				   .version = {1, 0, 0},
				   .output_interface_version = 1,
				   .start_date = 0, .stop_date = 100};
	static const struct {
		enum plan_verdict v;
		bool scheduled, queued;
		const char *text, *json;
	} cases[] = {
		{PLAN_NO_INPUT, false, false,
		 "key 1970-01-11: no input: required input product \"raw\" "
		 "has no file for it",
		 "\"verdict\": \"no-input\""},
		{PLAN_NEIGHBOUR_ONLY, false, false, "no input of its own",
		 "\"verdict\": \"neighbour-only\""},
		{PLAN_NO_CODE, false, false, "no code of the process is valid",
		 "\"verdict\": \"no-code\""},
		{PLAN_CODES_SHARED, false, false,
		 "two codes are valid within its period, l1.sh 1.0.0 (code 4, "
		 "1970-01-01 to 1970-04-11) and l1.sh",
		 "\"verdict\": \"codes-shared\""},
		{PLAN_INTERFACE_BELOW, false, false,
		 "declares output interface 1, below",
		 "\"verdict\": \"interface-below\""},
		{PLAN_UPTODATE, false, false,
		 "up to date since build 12, ended 2024-03-02T00:00:00Z: its "
		 "output l1.dat (version 1.2.0)",
		 "\"made_by\": 12"},
		{PLAN_BAD, false, false, "build 13 of it is bad",
		 "\"bad_build\": 13"},
		{PLAN_OPEN, false, false, "build 14 of it is running",
		 "\"open_build\": 14"},
		{PLAN_BUILD, false, true, "queued: inputs of it are in the queue",
		 "\"queued_inputs\": [\n    \"raw.dat\"\n  ]"},
		{PLAN_BUILD, true, false,
		 "scheduled: the first processing run from 1970-01-14 on "
		 "builds it",
		 "\"verdict\": \"would-build\""},
		{PLAN_BUILD, false, false, "not built yet: it would be built",
		 "\"verdict\": \"would-build\""},
	};
	struct process proc = {.name = (char *)"l1",
			       .schedule = {.set = false, .lag_days = 2}};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct why_not wn = WHY_NOT_INIT;
		struct strbuf sb = STRBUF_INIT;

		proc.schedule.set = cases[i].scheduled;
		wn.process = &proc;
		wn.output_key = (char *)"1970-01-11";
		wn.key_start = wn.key_end = 10;
		wn.verdict = cases[i].v;
		wn.missing_product = "raw";
		wn.code = wn.other = &code;
		wn.out_id = 30;
		wn.out_filename = (char *)"l1.dat";
		wn.out_version = (struct version){1, 2, 0};
		wn.builds.made_by = 12;
		wn.builds.made_at = (char *)"2024-03-02T00:00:00Z";
		wn.builds.bad_build = 13;
		wn.builds.open_build = 14;
		wn.builds.open_status = (char *)"running";
		if (cases[i].queued)
			strvec_push(&wn.queued, "raw.dat");
		why_format_not(&sb, &wn, false);
		if (!strstr(sb.buf, cases[i].text))
			fprintf(stderr, "\n  verdict %zu: %s", i, sb.buf);
		CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, cases[i].text));
		strbuf_reset(&sb);
		why_format_not(&sb, &wn, true);
		if (!strstr(sb.buf, cases[i].json))
			fprintf(stderr, "\n  verdict %zu: %s", i, sb.buf);
		CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, cases[i].json));
		CU_ASSERT(strncmp(sb.buf, "{\n  \"format\": 1,", 16) == 0);
		strbuf_release(&sb);
		strvec_clear(&wn.queued);
	}
}

/* why --not of a missing input group, and of an input a pin left out */
static void
test_not_group_pin(void)
{
	static const struct {
		const char *group[3], *pinned[3];
		int pin;
		const char *text, *json;
	} cases[] = {
		{{"def", "ql"}, {NULL}, 0,
		 "key 1970-01-11: no input: none of the products of required "
		 "input group (one_of: def, ql) has a file for it\n",
		 "\"missing_group\": [\n    \"def\",\n    \"ql\"\n  ],\n"
		 "  \"missing_pin\": null,\n  \"pinned_out\": []"},
		{{NULL}, {"def_v3.0.0.dat", "def_v3.1.0.dat"}, 2,
		 "key 1970-01-11: no input: required input product \"def\" has "
		 "no file for it of version 2.x.x; the pin (version: 2) left "
		 "out def_v3.0.0.dat, def_v3.1.0.dat\n",
		 "\"missing_pin\": 2,\n  \"pinned_out\": [\n    "
		 "\"def_v3.0.0.dat\",\n    \"def_v3.1.0.dat\"\n  ]"},
		{{"def", "ql"}, {"ql_v1.0.0.dat"}, 2,
		 "none of the products of required input group (one_of: def, "
		 "ql) has a file for it of version 2.x.x; the pin (version: 2) "
		 "left out ql_v1.0.0.dat\n",
		 "\"missing_product\": \"def\",\n  \"missing_group\": ["},
	};
	struct process proc = {.name = (char *)"l1"};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct why_not wn = WHY_NOT_INIT;
		struct strbuf sb = STRBUF_INIT;

		wn.process = &proc;
		wn.output_key = (char *)"1970-01-11";
		wn.key_start = wn.key_end = 10;
		wn.verdict = PLAN_NO_INPUT;
		wn.missing_product = "def";
		wn.missing_pin = cases[i].pin;
		wn.builds.made_by = wn.builds.bad_build = INT64_MIN;
		wn.builds.open_build = INT64_MIN;
		for (size_t j = 0; j < 3 && cases[i].group[j]; j++)
			strvec_push(&wn.missing_group, cases[i].group[j]);
		for (size_t j = 0; j < 3 && cases[i].pinned[j]; j++)
			strvec_push(&wn.pinned_out, cases[i].pinned[j]);
		why_format_not(&sb, &wn, false);
		if (!strstr(sb.buf, cases[i].text))
			fprintf(stderr, "\n  case %zu: %s", i, sb.buf);
		CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, cases[i].text));
		strbuf_reset(&sb);
		why_format_not(&sb, &wn, true);
		if (!strstr(sb.buf, cases[i].json))
			fprintf(stderr, "\n  case %zu: %s", i, sb.buf);
		CU_ASSERT_PTR_NOT_NULL(strstr(sb.buf, cases[i].json));
		strbuf_release(&sb);
		strvec_clear(&wn.missing_group);
		strvec_clear(&wn.pinned_out);
	}
}

void
suite_why_text(void)
{
	CU_pSuite s = unit_add_suite("why-text");

	ADD_TEST(s, test_reason_words);
	ADD_TEST(s, test_chain);
	ADD_TEST(s, test_not_verdicts);
	ADD_TEST(s, test_not_group_pin);
}
