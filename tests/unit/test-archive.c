/*
 * test-archive.c - archive paths, walk roots, relative_path validation
 * and no-overwrite links (through place.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "place.h"
#include "strbuf.h"
#include "strvec.h"
#include "timeutil.h"
#include "unit.h"

/* a product as archive_new reads it */
#define P(i, n, s, ins, rel)                                                  \
	{.id = (i), .name = (char *)(n), .satellite = (char *)(s),             \
	 .instrument = (char *)(ins), .relative_path = (char *)(rel)}

static const struct product products[] = {
	P(3, "mag_l1", "sat-a", "mag", "mag/l1/{Y}/{m}"),
	P(1, "mag_l0", "sat-a", "mag", "mag/l0/{Y}"),
	P(7, "notes", "sat-a", "mag", "notes"),
	P(9, "apid", "sat-a", "mag", "{INSTRUMENT}/{APID}/{j}"),
	P(4, "deep", "sat-a", "mag", "mag/l0/{Y}/extra"),
	P(5, "timed", "sat-a", "mag", "t/{H}{M}/v{VERSION}"),
};

static struct archive *
make(const char *root)
{
	struct archive *a = NULL;

	CU_ASSERT_EQUAL(archive_new("small", root, products,
				    ARRAY_SIZE(products), &a),
			0);
	return a;
}

static void
test_paths(void)
{
	struct archive *a = make("/data/");
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int32_t d = timeutil_days_from_ymd(2024, 3, 5);
	struct archive_file f = {1, "x_20240305_v1.0.0.dat", true, d,
				 d * USEC_PER_DAY, {1, 0, 0}, NULL};

	if (!a)
		return;
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out.buf, "/data/mag/l0/2024/x_20240305_v1.0.0.dat");
	strbuf_reset(&out);
	f.product_id = 3;
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out.buf, "/data/mag/l1/2024/03/x_20240305_v1.0.0.dat");
	strbuf_reset(&out);
	f.product_id = 7;
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out.buf, "/data/notes/x_20240305_v1.0.0.dat");
	/* names and keywords */
	strbuf_reset(&out);
	f.product_id = 9;
	f.keywords = "APID=3f";
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out.buf, "/data/mag/3f/065/x_20240305_v1.0.0.dat");
	/* time of day from the start time, version */
	strbuf_reset(&out);
	f.product_id = 5;
	f.start_usec = d * USEC_PER_DAY + (13 * 3600 + 7 * 60) * USEC_PER_SEC;
	f.version.quality = 2;
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out.buf,
			       "/data/t/1307/v1.2.0/x_20240305_v1.0.0.dat");
	/* failures: unknown product, a keyword with no value, bad names */
	strbuf_reset(&out);
	f.product_id = 42;
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, "unknown product"));
	strbuf_reset(&err);
	f.product_id = 9;
	f.keywords = NULL;
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), -1);
	CU_ASSERT_EQUAL(out.len, 0);
	f.product_id = 1;
	f.filename = "..";
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), -1);
	f.filename = "a/b";
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), -1);
	f.filename = "";
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), -1);
	/* no date, but the template needs one */
	f.filename = "x";
	f.has_date = false;
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), -1);
	strbuf_release(&out);
	strbuf_release(&err);
	archive_free(a);
}

static void
test_keyword_leaving_dir(void)
{
	static const struct product p[] = {
		P(1, "kw", "s", "i", "k/{??}"),
	};
	struct archive *a = NULL;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct archive_file f = {1, "x", true, 0, 0, {1, 0, 0}, "?\?=.."};

	CU_ASSERT_EQUAL(archive_new("m", "/r", p, 1, &a), 0);
	if (!a)
		return;
	/* a keyword value must not make a directory leave the archive */
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.buf, "leave the archive"));
	strbuf_reset(&err);
	f.keywords = "?\?=ab";
	CU_ASSERT_EQUAL(archive_path(a, &f, &out, &err), 0);
	CU_ASSERT_STRING_EQUAL(out.buf, "/r/k/ab/x");
	strbuf_release(&out);
	strbuf_release(&err);
	archive_free(a);
}

static void
test_roots(void)
{
	struct archive *a = make("/data");
	struct strvec r = STRVEC_INIT;

	if (!a)
		return;
	archive_roots(a, 1, &r);
	CU_ASSERT_EQUAL(r.nr, 1);
	if (r.nr == 1)
		CU_ASSERT_STRING_EQUAL(r.v[0], "/data/mag/l0");
	strvec_clear(&r);
	/* "mag/l0/{Y}/extra" is inside "mag/l0": one root */
	archive_roots(a, 4, &r);
	CU_ASSERT_EQUAL(r.nr, 1);
	if (r.nr == 1)
		CU_ASSERT_STRING_EQUAL(r.v[0], "/data/mag/l0");
	strvec_clear(&r);
	/* all products: "{INSTRUMENT}/..." makes rootdir the one root */
	archive_roots(a, 0, &r);
	CU_ASSERT_EQUAL(r.nr, 1);
	if (r.nr == 1)
		CU_ASSERT_STRING_EQUAL(r.v[0], "/data");
	strvec_clear(&r);
	archive_free(a);
}

static void
test_roots_siblings(void)
{
	static const struct product p[] = {
		P(1, "a", "s", "i", "mag/l0/{Y}"),
		P(2, "b", "s", "i", "mag/l0x/{Y}"),
		P(3, "c", "s", "i", "mag/l0"),
		P(4, "d", "s", "i", "eph/{Y}"),
	};
	struct archive *a = NULL;
	struct strvec r = STRVEC_INIT;

	CU_ASSERT_EQUAL(archive_new("m", "/r", p, ARRAY_SIZE(p), &a), 0);
	if (!a)
		return;
	archive_roots(a, 0, &r);
	/* "mag/l0x" is not inside "mag/l0" */
	CU_ASSERT_EQUAL(r.nr, 3);
	if (r.nr == 3) {
		CU_ASSERT_STRING_EQUAL(r.v[0], "/r/eph");
		CU_ASSERT_STRING_EQUAL(r.v[1], "/r/mag/l0");
		CU_ASSERT_STRING_EQUAL(r.v[2], "/r/mag/l0x");
	}
	strvec_clear(&r);
	archive_free(a);
}

static void
test_bad_template(void)
{
	static const struct product p[] = {
		P(1, "bad", "s", "i", "x/{nonsense}"),
	};
	struct archive *a = NULL;

	CU_ASSERT_EQUAL(archive_new("m", "/r", p, 1, &a), -1);
	CU_ASSERT_PTR_NULL(a);
}

static void
test_relative_path_ok(void)
{
	static const struct {
		const char *rel;
		bool ok;
	} cases[] = {
		{"mag/l0/{Y}", true}, {"", false},	   {"a", true},
		{"/abs", false},      {"a/../b", false}, {"..", false},
		{"a//b", false},      {"./a", false},	   {"a/{bogus}", false},
		{"a/.hidden", true},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf err = STRBUF_INIT;

		CU_ASSERT_EQUAL(archive_relative_path_ok(cases[i].rel, &err),
				cases[i].ok);
		if (!cases[i].ok)
			CU_ASSERT(err.len > 0);
		strbuf_release(&err);
	}
}

/* archive_link's old contract, now place()'s: 0 linked, 1 already, -1 */
static int
link_as(const char *from, const char *to, const char *sha1)
{
	struct place_req req = {.source = from, .target = to, .sha1 = sha1,
				.flags = PLACE_MKDIR};

	switch (place(&req)) {
	case PLACE_PLACED:
		return 0;
	case PLACE_SAME:
		return 1;
	default:
		return -1;
	}
}

static void
test_link(void)
{
	char dir[] = "/tmp/cascade-test-archive.XXXXXX";
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, c = STRBUF_INIT;
	FILE *f;
	bool readable;

	if (!mkdtemp(dir)) {
		CU_FAIL("mkdtemp");
		return;
	}
	strbuf_addf(&a, "%s/a", dir);
	strbuf_addf(&b, "%s/sub/dir/b", dir);
	strbuf_addf(&c, "%s/c", dir);
	f = fopen(a.buf, "w");
	CU_ASSERT_PTR_NOT_NULL(f);
	if (f) {
		fputs("hello\n", f);
		fclose(f);
	}
	/* sha1 of "hello\n" */
	CU_ASSERT(archive_sha1_matches(
		a.buf, "f572d396fae9206628714fb2ce00f72e94f2258f", &readable));
	CU_ASSERT(readable);
	CU_ASSERT(!archive_sha1_matches(a.buf, "0000", &readable));
	CU_ASSERT(!archive_sha1_matches(c.buf, "0000", &readable));
	CU_ASSERT(!readable);
	CU_ASSERT_EQUAL(link_as(a.buf, b.buf, NULL), 0);
	CU_ASSERT(archive_same_file(a.buf, b.buf));
	/* again: already the same file */
	CU_ASSERT_EQUAL(link_as(a.buf, b.buf, NULL), 1);
	/* a different file is never replaced */
	f = fopen(c.buf, "w");
	if (f) {
		fputs("other\n", f);
		fclose(f);
	}
	CU_ASSERT_EQUAL(link_as(c.buf, b.buf, NULL), -1);
	CU_ASSERT(archive_same_file(a.buf, b.buf));
	/* ... unless it has the content asked for (an earlier copy) */
	CU_ASSERT_EQUAL(link_as(c.buf, b.buf,
				     "f572d396fae9206628714fb2ce00f72e94f2258f"),
			1);
	unlink(a.buf);
	unlink(b.buf);
	unlink(c.buf);
	strbuf_reset(&b);
	strbuf_addf(&b, "%s/sub/dir", dir);
	rmdir(b.buf);
	strbuf_reset(&b);
	strbuf_addf(&b, "%s/sub", dir);
	rmdir(b.buf);
	rmdir(dir);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&c);
}

void
suite_archive(void)
{
	CU_pSuite s = unit_add_suite("archive");

	ADD_TEST(s, test_paths);
	ADD_TEST(s, test_keyword_leaving_dir);
	ADD_TEST(s, test_roots);
	ADD_TEST(s, test_roots_siblings);
	ADD_TEST(s, test_bad_template);
	ADD_TEST(s, test_relative_path_ok);
	ADD_TEST(s, test_link);
}
