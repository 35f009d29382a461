/*
 * orbit.c - the orbits file (see orbit.h).
 */
#include "orbit.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* the most a message quotes of a field */
#define QUOTE_MAX 40

void
orbit_list_release(struct orbit_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

/* what one file's reading has found wrong so far */
struct errs {
	const char *name;
	struct strbuf *sb;
	int n;
};

/* one message "name:line: ..." (only counted past ORBIT_MAX_ERRORS) */
static void CASCADE_PRINTF(3, 4)
bad(struct errs *e, long line, const char *fmt, ...)
{
	va_list ap;

	if (e->n++ >= ORBIT_MAX_ERRORS)
		return;
	strbuf_addf(e->sb, "%s:%ld: ", e->name, line);
	va_start(ap, fmt);
	strbuf_vaddf(e->sb, fmt, ap);
	va_end(ap);
	strbuf_addch(e->sb, '\n');
}

/* a field for a message: at most QUOTE_MAX bytes, control bytes as '?' */
static const char *
quoted(const char *s, size_t len, char *buf)
{
	size_t n = len > QUOTE_MAX ? QUOTE_MAX : len, j = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[j++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (len > n) {
		memcpy(buf + j, "...", 3);
		j += 3;
	}
	buf[j] = '\0';
	return buf;
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* a field of a line: [s, s + len) */
struct field {
	const char *s;
	size_t len;
};

/* [s, e) without blanks at either end, as a field */
static struct field
trimmed(const char *s, const char *e)
{
	struct field f;

	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	f.s = s;
	f.len = (size_t)(e - s);
	return f;
}

/*
 * split line [s, e) into fields at commas if it has one (an empty field
 * counts), else at runs of blanks; fields are trimmed of blanks.
 * Returns how many, 4 meaning more than 3 (only 3 are kept in f).
 */
static int
split(const char *s, const char *e, struct field *f)
{
	int n = 0;

	if (memchr(s, ',', (size_t)(e - s))) {
		for (;;) {
			const char *end = memchr(s, ',', (size_t)(e - s));

			if (!end)
				end = e;
			if (n < 3)
				f[n] = trimmed(s, end);
			n++;
			if (end == e || n > 3)
				return n;
			s = end + 1;
		}
	}
	for (;;) {
		const char *end;

		while (s < e && is_blank(*s))
			s++;
		if (s == e || n > 3)
			return n;
		for (end = s; end < e && !is_blank(*end); end++)
			;
		if (n < 3)
			f[n] = trimmed(s, end);
		n++;
		s = end;
	}
}

static bool
field_is(const struct field *f, const char *word)
{
	size_t n = strlen(word);

	if (f->len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = f->s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

/* an orbit number: digits only, 0 to ORBIT_MAX_NUMBER */
static int
parse_number(const struct field *f, int64_t *out)
{
	int64_t v = 0;

	if (f->len == 0 || f->len > 12)
		return -1;
	for (size_t i = 0; i < f->len; i++) {
		if (f->s[i] < '0' || f->s[i] > '9')
			return -1;
		v = v * 10 + (f->s[i] - '0');
	}
	*out = v;
	return 0;
}

/* one line [s, e) that is neither blank nor a comment */
static void
parse_line(struct errs *err, long line, const char *s, const char *e,
	   bool *header_ok, struct orbit_list *out)
{
	char q[QUOTE_MAX + 4];
	struct field f[3];
	struct orbit o = {0};
	int n = split(s, e, f);

	if (memchr(s, '\0', (size_t)(e - s))) {
		bad(err, line, "a NUL byte: an orbits file is text");
		return;
	}
	if (n == 3 && *header_ok && field_is(&f[0], "number") &&
	    field_is(&f[1], "start") && field_is(&f[2], "stop")) {
		*header_ok = false;
		return;
	}
	*header_ok = false;
	if (n != 3) {
		bad(err, line, "%s fields where an orbit has 3: expected "
			       "NUMBER,START,STOP (or NUMBER START STOP)",
		    n > 3 ? "more than 3" : n == 2 ? "2" : n == 1 ? "1" : "no");
		return;
	}
	o.line = line;
	if (parse_number(&f[0], &o.number)) {
		bad(err, line, "orbit number \"%s\" is not a whole number from "
			       "0 to %lld",
		    quoted(f[0].s, f[0].len, q), (long long)ORBIT_MAX_NUMBER);
		return;
	}
	for (int i = 1; i <= 2; i++) {
		int64_t *t = i == 1 ? &o.start : &o.stop;

		if (timeutil_parse_timestamp(f[i].s, f[i].len, t)) {
			bad(err, line, "%s time \"%s\" of orbit %lld is not a "
				       "UTC time: expected "
				       "YYYY-MM-DDTHH:MM:SS[.ffffff][Z]",
			    i == 1 ? "start" : "stop",
			    quoted(f[i].s, f[i].len, q), (long long)o.number);
			return;
		}
	}
	if (o.stop <= o.start) {
		char a[TIMESTAMP_STRLEN], b[TIMESTAMP_STRLEN];

		bad(err, line, "orbit %lld stops at %s, %s its start %s: an "
			       "orbit is [START, STOP), STOP after START",
		    (long long)o.number, timeutil_format_timestamp(o.stop, b),
		    o.stop == o.start ? "at" : "before",
		    timeutil_format_timestamp(o.start, a));
		return;
	}
	ALLOC_GROW(out->v, out->n + 1, out->alloc);
	out->v[out->n++] = o;
}

static int
cmp_orbit(const void *a, const void *b)
{
	const struct orbit *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* numbers given twice, overlaps and numbers out of time order */
static void
check_order(struct errs *err, const struct orbit_list *l)
{
	char a[TIMESTAMP_STRLEN], b[TIMESTAMP_STRLEN];

	for (size_t i = 1; i < l->n; i++) {
		const struct orbit *p = &l->v[i - 1], *o = &l->v[i];

		if (o->number == p->number)
			bad(err, o->line, "orbit %lld is given again "
						 "(first on line %ld)",
				   (long long)o->number, p->line);
		else if (o->start < p->stop)
			bad(err, o->line,
				   "orbit %lld starts at %s, before orbit %lld "
				   "(line %ld) stops at %s: orbits must not "
				   "overlap, and their numbers must follow "
				   "their times",
				   (long long)o->number,
				   timeutil_format_timestamp(o->start, a),
				   (long long)p->number, p->line,
				   timeutil_format_timestamp(p->stop, b));
	}
}

int
orbit_parse(const char *name, const char *text, size_t len,
	    struct orbit_list *out, struct strbuf *err)
{
	struct errs e = {name, err, 0};
	const char *s = text, *end = text + len;
	bool header_ok = true;
	long line = 0;

	out->n = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end, *b = s;

		line++;
		if (le > s && le[-1] == '\r')
			le--;
		while (b < le && is_blank(*b))
			b++;
		if (b < le && *b != '#')
			parse_line(&e, line, b, le, &header_ok, out);
		s = nl ? nl + 1 : end;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_orbit);
	check_order(&e, out);
	if (e.n > ORBIT_MAX_ERRORS)
		strbuf_addf(err, "%s: %d more errors not listed\n", name,
			    e.n - ORBIT_MAX_ERRORS);
	if (e.n) {
		out->n = 0;
		return -1;
	}
	return 0;
}

const struct orbit *
orbit_find(const struct orbit_list *l, int64_t number)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->v[mid].number == number)
			return &l->v[mid];
		if (l->v[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
