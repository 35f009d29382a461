/*
 * test-group-spec.c - the spec of a Slurm group job that the group runner
 * reads (group-spec.h): written after a script's text and read back,
 * whatever bytes its strings hold; anything else refused with a reason.
 */
#include <string.h>

#include "group-spec.h"
#include "strbuf.h"
#include "strvec.h"
#include "unit.h"

/* a script of two builds: the text before it, then the spec */
static void
two_builds(struct strbuf *sb)
{
	struct strvec a1 = STRVEC_INIT, e1 = STRVEC_INIT, a2 = STRVEC_INIT;
	size_t start;

	strbuf_addstr(sb, "#!/bin/bash\necho hi\nexit 0\n");
	start = sb->len;
	group_spec_begin(sb, 4, 5, 2);
	strvec_push(&a1, "/bin/echo");
	strvec_push(&a1, "it's \"quoted\",\n1:x, and 12:");
	strvec_push(&a1, "");
	strvec_push(&e1, "CASCADE_BUILD_ID=7");
	strvec_push(&e1, "UNSET_ME");
	group_spec_add_build(sb, "/work dir", "/logs/build-7.1.log",
			     "/st/build-7.1", 30, 1, &a1, &e1);
	strvec_push(&a2, "true");
	group_spec_add_build(sb, ".", "/dev/null", "/st/build-8.1", 0, 2, &a2,
			     NULL);
	group_spec_end(sb, start);
	strvec_clear(&a1);
	strvec_clear(&e1);
	strvec_clear(&a2);
}

static void
test_round_trip(void)
{
	struct strbuf sb = STRBUF_INIT, why = STRBUF_INIT;
	struct group_spec s;

	two_builds(&sb);
	CU_ASSERT_FATAL(group_spec_parse(sb.buf, sb.len, &s, &why) == 0);
	CU_ASSERT_EQUAL(s.slots, 4);
	CU_ASSERT_EQUAL(s.grace_s, 5);
	CU_ASSERT_FATAL(s.n == 2);
	CU_ASSERT_STRING_EQUAL(s.b[0].dir, "/work dir");
	CU_ASSERT_STRING_EQUAL(s.b[0].log, "/logs/build-7.1.log");
	CU_ASSERT_STRING_EQUAL(s.b[0].status, "/st/build-7.1");
	CU_ASSERT_EQUAL(s.b[0].timeout_s, 30);
	CU_ASSERT_EQUAL(s.b[0].cpus, 1);
	CU_ASSERT_FATAL(s.b[0].args.nr == 3);
	CU_ASSERT_STRING_EQUAL(s.b[0].args.v[1], "it's \"quoted\",\n1:x, and 12:");
	CU_ASSERT_STRING_EQUAL(s.b[0].args.v[2], "");
	CU_ASSERT_FATAL(s.b[0].env.nr == 2);
	CU_ASSERT_STRING_EQUAL(s.b[0].env.v[1], "UNSET_ME");
	CU_ASSERT_STRING_EQUAL(s.b[1].dir, ".");
	CU_ASSERT_EQUAL(s.b[1].timeout_s, 0);
	CU_ASSERT_EQUAL(s.b[1].cpus, 2);
	CU_ASSERT_EQUAL(s.b[1].env.nr, 0);
	group_spec_release(&s);
	strbuf_release(&sb);
	strbuf_release(&why);
}

/* text refused, with a reason containing want */
static void
refused(const char *text, size_t len, const char *want)
{
	struct strbuf why = STRBUF_INIT;
	struct group_spec s;

	CU_ASSERT(group_spec_parse(text, len, &s, &why) == -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, want));
	if (!strstr(why.buf, want))
		fprintf(stderr, "\n  got \"%s\", wanted \"%s\"\n", why.buf, want);
	CU_ASSERT_EQUAL(s.n, 0);
	strbuf_release(&why);
}

static void
test_refused(void)
{
	struct strbuf sb = STRBUF_INIT, t = STRBUF_INIT;
	char *p;

	two_builds(&sb);
	/* no trailer, or one cut */
	refused("#!/bin/bash\nexit 0\n", 19, "does not end with a group spec");
	refused(sb.buf, sb.len - 1, "does not end with a group spec");
	/* a length longer than the text */
	strbuf_addstr(&t, "cascade-group 1\n\ncascade-group-spec 999\n");
	refused(t.buf, t.len, "does not end with a group spec");
	/* another version */
	strbuf_reset(&t);
	strbuf_addstr(&t, "cascade-group 2\n1:1,");
	strbuf_addf(&t, "\ncascade-group-spec %zu\n", (size_t)20);
	refused(t.buf, t.len, "not version 1");
	/* a netstring's length past its end */
	strbuf_reset(&t);
	strbuf_add(&t, sb.buf, sb.len);
	p = strstr(t.buf, "9:/work dir,");
	CU_ASSERT_FATAL(p != NULL);
	*p = '8';
	refused(t.buf, t.len, "is not a netstring");
	/* zero slots */
	strbuf_reset(&t);
	strbuf_addstr(&t, "cascade-group 1\n1:0,1:5,1:0,");
	strbuf_addf(&t, "\ncascade-group-spec %zu\n", t.len);
	refused(t.buf, t.len, "field 1 is not a number");
	/* a build without a program */
	strbuf_reset(&t);
	strbuf_addstr(&t, "cascade-group 1\n1:1,1:5,1:1,1:.,1:l,4:/s/b,1:0,1:1,"
			  "1:0,1:0,");
	strbuf_addf(&t, "\ncascade-group-spec %zu\n", t.len);
	refused(t.buf, t.len, "build 1 has no program");
	/* a relative status path */
	strbuf_reset(&t);
	strbuf_addstr(&t, "cascade-group 1\n1:1,1:5,1:1,1:.,1:l,3:s/b,1:0,1:1,"
			  "1:1,1:x,1:0,");
	strbuf_addf(&t, "\ncascade-group-spec %zu\n", t.len);
	refused(t.buf, t.len, "status path is not absolute");
	/* more than its builds */
	strbuf_reset(&t);
	strbuf_addstr(&t, "cascade-group 1\n1:1,1:5,1:0,1:x,");
	strbuf_addf(&t, "\ncascade-group-spec %zu\n", t.len);
	refused(t.buf, t.len, "more than its builds");
	strbuf_release(&sb);
	strbuf_release(&t);
}

void
suite_group_spec(void)
{
	CU_pSuite s = unit_add_suite("group_spec");

	ADD_TEST(s, test_round_trip);
	ADD_TEST(s, test_refused);
}
