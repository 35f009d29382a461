/*
 * test-reuse-rules.c - reuse by content, as a table: which changes to
 * what a build is made of give another content key (the code's bytes,
 * arguments, extra parameters, output interface, the key's period, the
 * input files' bytes and their order) and which do not (file names,
 * versions and ids are not in the description at all; the spacing of
 * the arguments; no arguments and empty ones), and which contents have
 * no key (an unknown code hash, an input without a checksum).
 */
#include <stdio.h>
#include <string.h>

#include "reuse-rules.h"
#include "unit.h"

#define H1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "sha1:3333333333333333333333333333333333333333"
#define C1 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define C2 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char *const base_inputs[] = {H1, H2};

/* the content every case changes one thing of */
static struct reuse_content
base(void)
{
	struct reuse_content c = {
		.code_sha256 = C1,
		.arguments = "--calibrate {DATE}",
		.extra_params = "-x|-y",
		.output_interface = 1,
		.timebase = TIMEBASE_DAILY,
		.date = 19800,
		.inputs = base_inputs,
		.n_inputs = 2,
	};

	return c;
}

static const char *const swapped[] = {H2, H1};
static const char *const one[] = {H1};
static const char *const three[] = {H1, H2, H3};
static const char *const other_bytes[] = {H1, H3};
static const char *const unknown[] = {H1, NULL};
static const char *const empty_sum[] = {H1, ""};
/* one input whose checksum is the two others' joined */
static const char *const joined[] = {H1 "\ninput 71:" H2};

struct reuse_case {
	const char *what;
	void (*change)(struct reuse_content *c);
	int equal; /* 1 the base's key, 0 another key, -1 no key */
};

static void nothing(struct reuse_content *c) { (void)c; }
static void code(struct reuse_content *c) { c->code_sha256 = C2; }
static void no_code(struct reuse_content *c) { c->code_sha256 = NULL; }
static void empty_code(struct reuse_content *c) { c->code_sha256 = ""; }
static void args(struct reuse_content *c) { c->arguments = "--calibrate"; }
static void args_order(struct reuse_content *c)
{
	c->arguments = "{DATE} --calibrate";
}
static void args_space(struct reuse_content *c)
{
	c->arguments = "  --calibrate\t {DATE}\n";
}
static void args_joined(struct reuse_content *c)
{
	c->arguments = "--calibrate{DATE}";
}
static void params(struct reuse_content *c) { c->extra_params = "-x"; }
static void params_order(struct reuse_content *c)
{
	c->extra_params = "-y|-x";
}
static void iface(struct reuse_content *c) { c->output_interface = 2; }
static void day(struct reuse_content *c) { c->date = 19801; }
static void period(struct reuse_content *c) { c->timebase = TIMEBASE_FILE; }
static void order(struct reuse_content *c) { c->inputs = swapped; }
/* a key of days has no period number: the keys stored before it stay */
static void days_number(struct reuse_content *c) { c->period_number = 7; }
static void hourly(struct reuse_content *c) { c->timebase = TIMEBASE_HOURLY; }
static void fewer(struct reuse_content *c)
{
	c->inputs = one;
	c->n_inputs = 1;
}
static void more(struct reuse_content *c)
{
	c->inputs = three;
	c->n_inputs = 3;
}
static void bytes(struct reuse_content *c) { c->inputs = other_bytes; }
static void no_sum(struct reuse_content *c) { c->inputs = unknown; }
static void empty(struct reuse_content *c) { c->inputs = empty_sum; }
static void join(struct reuse_content *c)
{
	c->inputs = joined;
	c->n_inputs = 1;
}
static void same_copy(struct reuse_content *c)
{
	/* equal strings elsewhere in memory: compared by content */
	static const char *const copy[] = {
		"sha256:1111111111111111111111111111111111111111111111111111111111111111",
		"sha256:2222222222222222222222222222222222222222222222222222222222222222"};

	c->inputs = copy;
}

static void no_args(struct reuse_content *a) { a->arguments = NULL; }
static void empty_args(struct reuse_content *a) { a->arguments = " "; }
static void no_params(struct reuse_content *a) { a->extra_params = NULL; }
static void empty_params(struct reuse_content *a) { a->extra_params = ""; }

static const struct reuse_case cases[] = {
	{"the same content", nothing, 1},
	{"the same input bytes at other addresses", same_copy, 1},
	{"arguments spaced otherwise", args_space, 1},
	{"another code file", code, 0},
	{"no code hash (not registered)", no_code, -1},
	{"an empty code hash", empty_code, -1},
	{"other arguments", args, 0},
	{"arguments in another order", args_order, 0},
	{"two arguments joined into one", args_joined, 0},
	{"other extra parameters", params, 0},
	{"extra parameters in another order", params_order, 0},
	{"another output interface", iface, 0},
	{"another day", day, 0},
	{"another timebase", period, 0},
	{"a period number on a key of days (none: ignored)", days_number, 1},
	{"an hour of the same day", hourly, 0},
	{"inputs in another order", order, 0},
	{"an input fewer", fewer, 0},
	{"an input more", more, 0},
	{"an input with other bytes", bytes, 0},
	{"an input without a checksum", no_sum, -1},
	{"an input with an empty checksum", empty, -1},
	{"two checksums passed off as one", join, 0},
};

/* two hours (or orbits) of one day are two contents */
static void
test_period_numbers(void)
{
	static const enum timebase tb[] = {TIMEBASE_HOURLY, TIMEBASE_ORBIT};

	for (size_t t = 0; t < 2; t++) {
		struct reuse_content a = base(), b = base();
		char ka[SHA256_HEX_LEN], kb[SHA256_HEX_LEN];

		a.timebase = b.timebase = tb[t];
		a.period_number = 474797;
		b.period_number = 474798;
		CU_ASSERT_EQUAL_FATAL(reuse_rules_content_key(&a, ka), 0);
		CU_ASSERT_EQUAL_FATAL(reuse_rules_content_key(&b, kb), 0);
		CU_ASSERT(strcmp(ka, kb) != 0);
		b.period_number = 474797;
		CU_ASSERT_EQUAL_FATAL(reuse_rules_content_key(&b, kb), 0);
		CU_ASSERT_STRING_EQUAL(ka, kb);
	}
}

/* an orbit loaded again with other times is another content */
static void
test_moved_orbit(void)
{
	struct reuse_content a = base(), b = base();
	char ka[SHA256_HEX_LEN], kb[SHA256_HEX_LEN];

	a.timebase = b.timebase = TIMEBASE_ORBIT;
	a.period_number = b.period_number = 3;
	a.period_start = b.period_start = 1000;
	a.period_stop = 2000;
	b.period_stop = 1500;
	CU_ASSERT_EQUAL_FATAL(reuse_rules_content_key(&a, ka), 0);
	CU_ASSERT_EQUAL_FATAL(reuse_rules_content_key(&b, kb), 0);
	CU_ASSERT(strcmp(ka, kb) != 0);
	/* an hour's instants are its number's: not in its key */
	a.timebase = b.timebase = TIMEBASE_HOURLY;
	CU_ASSERT_EQUAL_FATAL(reuse_rules_content_key(&a, ka), 0);
	CU_ASSERT_EQUAL_FATAL(reuse_rules_content_key(&b, kb), 0);
	CU_ASSERT_STRING_EQUAL(ka, kb);
}

static void
test_content_keys(void)
{
	struct reuse_content b = base();
	char kb[SHA256_HEX_LEN], k[SHA256_HEX_LEN];

	CU_ASSERT_EQUAL_FATAL(reuse_rules_content_key(&b, kb), 0);
	CU_ASSERT_EQUAL(strlen(kb), 64);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reuse_content c = base();
		int rc, got;

		cases[i].change(&c);
		rc = reuse_rules_content_key(&c, k);
		got = rc ? -1 : !strcmp(k, kb);
		if (got != cases[i].equal)
			fprintf(stderr, "\n%s: %d, expected %d\n",
				cases[i].what, got, cases[i].equal);
		CU_ASSERT_EQUAL(got, cases[i].equal);
		if (rc)
			CU_ASSERT_EQUAL(k[0], '\0');
	}
}

/* NULL and empty mean the same where the command line is the same */
static void
test_empty_equals_none(void)
{
	void (*pairs[][2])(struct reuse_content *) = {
		{no_args, empty_args},
		{no_params, empty_params},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct reuse_content a = base(), b = base();
		char ka[SHA256_HEX_LEN], kb[SHA256_HEX_LEN], k0[SHA256_HEX_LEN];
		struct reuse_content z = base();

		pairs[i][0](&a);
		pairs[i][1](&b);
		CU_ASSERT_EQUAL(reuse_rules_content_key(&a, ka), 0);
		CU_ASSERT_EQUAL(reuse_rules_content_key(&b, kb), 0);
		CU_ASSERT_EQUAL(reuse_rules_content_key(&z, k0), 0);
		CU_ASSERT_STRING_EQUAL(ka, kb);
		CU_ASSERT_STRING_NOT_EQUAL(ka, k0);
	}
}

/* no inputs at all is a content too (a scheduled process's) */
static void
test_no_inputs(void)
{
	struct reuse_content a = base();
	char k[SHA256_HEX_LEN];

	a.inputs = NULL;
	a.n_inputs = 0;
	CU_ASSERT_EQUAL(reuse_rules_content_key(&a, k), 0);
}

static void
test_checksums(void)
{
	char out[REUSE_CHECKSUM_LEN];

	CU_ASSERT_EQUAL(reuse_rules_checksum(C1, "s1", out), 0);
	CU_ASSERT_STRING_EQUAL(out, "sha256:" C1);
	CU_ASSERT_EQUAL(reuse_rules_checksum(NULL, "s1", out), 0);
	CU_ASSERT_STRING_EQUAL(out, "sha1:s1");
	CU_ASSERT_EQUAL(reuse_rules_checksum("", "s1", out), 0);
	CU_ASSERT_STRING_EQUAL(out, "sha1:s1");
	CU_ASSERT_EQUAL(reuse_rules_checksum(NULL, NULL, out), -1);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(reuse_rules_checksum("", "", out), -1);
}

void
suite_reuse_rules(void)
{
	CU_pSuite s = unit_add_suite("reuse-rules");

	ADD_TEST(s, test_content_keys);
	ADD_TEST(s, test_period_numbers);
	ADD_TEST(s, test_moved_orbit);
	ADD_TEST(s, test_empty_equals_none);
	ADD_TEST(s, test_no_inputs);
	ADD_TEST(s, test_checksums);
}
