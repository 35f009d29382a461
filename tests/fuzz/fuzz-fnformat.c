/*
 * fuzz-fnformat.c - libFuzzer target for the file-name template language.
 *
 * The input is split at its first NUL or newline into a template and a
 * name.  The template is compiled with no names known and with a fixed
 * set of known names; the name is matched against both; matches are
 * formatted back; and a fixed set of values is formatted and matched.
 * Beyond "no crash, no leak, no undefined behaviour" it checks the round
 * trip invariants that fnformat.h promises.  A name whose {ORBIT} is not
 * written as the formatter writes it (5 digits, or more without leading
 * zeros) formats to another name; where {ORBIT} borders another field
 * that takes digits, that name may split differently ("{APID}{ORBIT}":
 * "a1" formats to "a00001", read back as APID "a0000"), as any ambiguous
 * template may, so for such names only "the result matches again" is
 * checked.  It does not judge whether a
 * given name ought to match a given template: the unit tests do that.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnformat.h"
#include "timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

static bool
same_match(const struct fnformat_match *a, const struct fnformat_match *b)
{
	return a->has_date == b->has_date && a->date == b->date &&
	       a->has_time == b->has_time && a->time_usec == b->time_usec &&
	       a->has_version == b->has_version &&
	       (!a->has_version || !version_cmp(&a->version, &b->version)) &&
	       a->has_orbit == b->has_orbit && a->orbit == b->orbit &&
	       a->keywords.len == b->keywords.len &&
	       !memcmp(a->keywords.buf, b->keywords.buf, a->keywords.len);
}

static void
values_of(const struct fnformat_match *m, struct fnformat_values *v)
{
	v->has_date = m->has_date;
	v->date = m->date;
	v->time_usec = m->time_usec;
	v->version = m->has_version ? &m->version : NULL;
	v->keywords = m->keywords.buf;
	v->has_orbit = m->has_orbit;
	v->orbit = m->orbit;
}

/*
 * name matched f as *m: format it back and check that the result matches
 * again to the same values and formats to itself.
 */
static void
check_roundtrip(const struct fnformat *f, const char *name, size_t len,
		const struct fnformat_match *m)
{
	struct fnformat_values v;
	struct fnformat_match m2 = FNFORMAT_MATCH_INIT;
	struct strbuf out = STRBUF_INIT, out2 = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;

	CHECK(m->has_date == fnformat_has_date(f));
	CHECK(m->has_version == fnformat_has_version(f));
	CHECK(m->has_orbit == fnformat_has_orbit(f));
	CHECK(!m->has_orbit ||
	      (m->orbit >= 0 && m->orbit <= FNFORMAT_ORBIT_MAX));
	CHECK(!m->has_time || (m->time_usec >= 0 && m->time_usec < USEC_PER_DAY));
	values_of(m, &v);
	if (fnformat_format(f, &v, &out, &err)) {
		CHECK(!fnformat_is_complete(f));
		CHECK(err.len > 0);
		CHECK(out.len == 0);
		goto out;
	}
	CHECK(fnformat_is_complete(f));
	CHECK(fnformat_match(f, out.buf, out.len, &m2) == 1);
	if (m->has_orbit && (out.len != len || memcmp(out.buf, name, len)))
		goto out; /* see the top */
	/* only leading zeros of {VERSION} may be lost */
	CHECK((out.len == len && !memcmp(out.buf, name, len)) ||
	      (m->has_version && out.len < len));
	CHECK(same_match(m, &m2));
	values_of(&m2, &v);
	CHECK(fnformat_format(f, &v, &out2, &err) == 0);
	CHECK(out2.len == out.len && !memcmp(out2.buf, out.buf, out.len));
out:
	fnformat_match_release(&m2);
	strbuf_release(&out);
	strbuf_release(&out2);
	strbuf_release(&err);
}

static void
fixed_values(struct fnformat_values *v)
{
	static const struct version ver = {1, 2, 3};

	v->has_date = true;
	v->date = timeutil_days_from_ymd(2020, 2, 29);
	v->time_usec = ((12 * 60 + 34) * 60 + 56) * USEC_PER_SEC + 789012;
	v->version = &ver;
	v->keywords = "?\?=ab ??\?=a c ???\?=a c= nn=12 nnn=123 nnnn=1234 "
		      "APID=3f QACODE=ignore mday=7";
	v->has_orbit = true;
	v->orbit = 4711;
}

/* Format fixed values; whatever comes out must match the template. */
static void
check_format_fixed(const struct fnformat *f)
{
	struct fnformat_values v;
	struct fnformat_match m = FNFORMAT_MATCH_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	fixed_values(&v);
	if (!fnformat_format(f, &v, &out, &err)) {
		CHECK(fnformat_match(f, out.buf, out.len, &m) == 1);
		check_roundtrip(f, out.buf, out.len, &m);
	} else {
		CHECK(err.len > 0);
	}
	fnformat_match_release(&m);
	strbuf_release(&out);
	strbuf_release(&err);
}

/*
 * A name formatted with known names must match the same template
 * compiled with the names unknown: this is what exercises backtracking
 * over free-text fields.
 */
static void
check_unknown_names(const struct fnformat *known, const struct fnformat *unknown)
{
	struct fnformat_values v;
	struct fnformat_match m = FNFORMAT_MATCH_INIT;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	fixed_values(&v);
	if (!fnformat_format(known, &v, &out, &err))
		CHECK(fnformat_match(unknown, out.buf, out.len, &m) == 1);
	fnformat_match_release(&m);
	strbuf_release(&out);
	strbuf_release(&err);
}

static struct fnformat *
run_one(const char *tmpl, const struct fnformat_names *names,
	const char *name, size_t len)
{
	struct fnformat *f = NULL;
	struct fnformat_match m = FNFORMAT_MATCH_INIT;
	struct strbuf err = STRBUF_INIT;
	int rc = fnformat_compile(tmpl, names, &f, &err);

	if (rc) {
		CHECK(f == NULL && err.len > 0);
		goto out;
	}
	rc = fnformat_match(f, name, len, &m);
	CHECK(rc == 0 || rc == 1);
	if (rc == 1)
		check_roundtrip(f, name, len, &m);
	else
		CHECK(!m.has_date && m.keywords.len == 0);
	check_format_fixed(f);
out:
	fnformat_match_release(&m);
	strbuf_release(&err);
	return f;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fnformat_names names = {"mis", "sc-1", "Mag",
						    "l1 {x}"};
	size_t cut = 0;
	char *tmpl;
	const char *name;
	size_t len;
	struct fnformat *unknown, *known;

	while (cut < size && data[cut] != '\0' && data[cut] != '\n')
		cut++;
	tmpl = malloc(cut + 1);
	if (!tmpl)
		return 0;
	memcpy(tmpl, data, cut);
	tmpl[cut] = '\0';
	name = cut < size ? (const char *)data + cut + 1 : "";
	len = cut < size ? size - cut - 1 : 0;

	unknown = run_one(tmpl, NULL, name, len);
	known = run_one(tmpl, &names, name, len);
	/* the names are plain text: they cannot make a template invalid */
	CHECK(!unknown == !known);
	if (unknown && known)
		check_unknown_names(known, unknown);
	fnformat_free(unknown);
	fnformat_free(known);
	free(tmpl);
	return 0;
}
