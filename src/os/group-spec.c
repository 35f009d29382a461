/*
 * group-spec.c - what a Slurm group job runs, for the group runner
 * (group-spec.h).
 */
#include "group-spec.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

static const char header[] = "cascade-group 1\n";
static const char trailer[] = "cascade-group-spec ";

static void
net_add(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_addf(sb, "%zu:", n);
	strbuf_add(sb, s, n);
	strbuf_addch(sb, ',');
}

static void
net_str(struct strbuf *sb, const char *s)
{
	net_add(sb, s, strlen(s));
}

static void
net_num(struct strbuf *sb, long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld", v);

	net_add(sb, buf, (size_t)n);
}

void
group_spec_begin(struct strbuf *sb, unsigned slots, int grace_s, size_t n)
{
	strbuf_addstr(sb, header);
	net_num(sb, slots);
	net_num(sb, grace_s);
	net_num(sb, (long long)n);
}

static void
net_list(struct strbuf *sb, const struct strvec *v)
{
	net_num(sb, v ? (long long)v->nr : 0);
	for (size_t i = 0; v && i < v->nr; i++)
		net_str(sb, v->v[i]);
}

void
group_spec_add_build(struct strbuf *sb, const char *dir, const char *log,
		     const char *status, int timeout_s, unsigned cpus,
		     const struct strvec *args, const struct strvec *env)
{
	net_str(sb, dir);
	net_str(sb, log);
	net_str(sb, status);
	net_num(sb, timeout_s > 0 ? timeout_s : 0);
	net_num(sb, cpus ? cpus : 1);
	net_list(sb, args);
	net_list(sb, env);
}

void
group_spec_end(struct strbuf *sb, size_t start)
{
	strbuf_addf(sb, "\n%s%zu\n", trailer, sb->len - start);
}

/* -- reading --------------------------------------------------------------- */

struct reader {
	const char *p, *end;
	struct strbuf *why;
	size_t field;
};

/* the next netstring: its bytes at *s, *n of them; 0, or -1 */
static int
net_next(struct reader *r, const char **s, size_t *n)
{
	size_t len = 0, digits = 0;

	r->field++;
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9' && digits < 10) {
		len = len * 10 + (size_t)(*r->p - '0');
		r->p++;
		digits++;
	}
	if (!digits || r->p >= r->end || *r->p != ':' ||
	    (size_t)(r->end - r->p - 1) < len + 1 || r->p[1 + len] != ',') {
		strbuf_addf(r->why, "field %zu is not a netstring", r->field);
		return -1;
	}
	*s = r->p + 1;
	*n = len;
	r->p += len + 2;
	return 0;
}

static int
net_getstr(struct reader *r, char **out)
{
	const char *s;
	size_t n;

	if (net_next(r, &s, &n))
		return -1;
	if (memchr(s, '\0', n)) {
		strbuf_addf(r->why, "field %zu holds a NUL byte", r->field);
		return -1;
	}
	*out = xstrndup(s, n);
	return 0;
}

static int
net_getnum(struct reader *r, long long min, long long max, long long *v)
{
	const char *s;
	size_t n;
	long long x = 0;
	bool neg = false;

	if (net_next(r, &s, &n))
		return -1;
	if (n && *s == '-') {
		neg = true;
		s++;
		n--;
	}
	if (!n || n > 18)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		x = x * 10 + (s[i] - '0');
	}
	if (neg)
		x = -x;
	if (x < min || x > max)
		goto bad;
	*v = x;
	return 0;
bad:
	strbuf_addf(r->why, "field %zu is not a number from %lld to %lld",
		    r->field, min, max);
	return -1;
}

static int
net_getlist(struct reader *r, struct strvec *v)
{
	long long n;

	if (net_getnum(r, 0, GROUP_SPEC_MAX, &n))
		return -1;
	for (long long i = 0; i < n; i++) {
		char *s;

		if (net_getstr(r, &s))
			return -1;
		strvec_push_nodup(v, s);
	}
	return 0;
}

/* where the spec starts in text (its trailer checked): 0, or -1 */
static int
find_spec(const char *text, size_t len, size_t *start, size_t *end,
	  struct strbuf *why)
{
	size_t ln = len, tl = sizeof(trailer) - 1, n = 0, digits = 0;
	const char *q;

	/* the last line: "cascade-group-spec LEN\n" */
	if (!len || text[len - 1] != '\n')
		goto bad;
	ln = len - 1;
	q = text + ln;
	while (q > text && q[-1] >= '0' && q[-1] <= '9') {
		q--;
		digits++;
	}
	if (!digits || digits > 10 || (size_t)(q - text) < tl + 1 ||
	    memcmp(q - tl, trailer, tl) || q[-tl - 1] != '\n')
		goto bad;
	for (const char *d = q; d < text + ln; d++)
		n = n * 10 + (size_t)(*d - '0');
	*end = (size_t)(q - tl - 1 - text);
	if (n > *end)
		goto bad;
	*start = *end - n;
	return 0;
bad:
	strbuf_addstr(why, "the script does not end with a group spec");
	return -1;
}

int
group_spec_parse(const char *text, size_t len, struct group_spec *spec,
		 struct strbuf *why)
{
	struct reader r = {.why = why};
	size_t start, end;
	long long v, nb;

	memset(spec, 0, sizeof(*spec));
	if (find_spec(text, len, &start, &end, why))
		return -1;
	if (end - start < sizeof(header) - 1 ||
	    memcmp(text + start, header, sizeof(header) - 1)) {
		strbuf_addstr(why, "the group spec is not version 1");
		return -1;
	}
	r.p = text + start + sizeof(header) - 1;
	r.end = text + end;
	if (net_getnum(&r, 1, 1 << 20, &v))
		goto bad;
	spec->slots = (unsigned)v;
	if (net_getnum(&r, 0, INT_MAX / 1000, &v))
		goto bad;
	spec->grace_s = (int)v;
	if (net_getnum(&r, 0, GROUP_SPEC_MAX, &nb))
		goto bad;
	spec->b = xcalloc(nb ? (size_t)nb : 1, sizeof(*spec->b));
	for (long long i = 0; i < nb; i++) {
		struct group_build *b = &spec->b[i];

		strvec_init(&b->args);
		strvec_init(&b->env);
		spec->n++;
		if (net_getstr(&r, &b->dir) || net_getstr(&r, &b->log) ||
		    net_getstr(&r, &b->status))
			goto bad;
		if (net_getnum(&r, 0, INT_MAX, &v))
			goto bad;
		b->timeout_s = (int)v;
		if (net_getnum(&r, 1, 1 << 20, &v))
			goto bad;
		b->cpus = (unsigned)v;
		if (net_getlist(&r, &b->args) || net_getlist(&r, &b->env))
			goto bad;
		if (!b->args.nr) {
			strbuf_addf(why, "build %lld has no program", i + 1);
			goto bad;
		}
		if (b->status[0] != '/') {
			strbuf_addf(why, "build %lld: its status path is not "
					 "absolute",
				    i + 1);
			goto bad;
		}
	}
	if (r.p != r.end) {
		strbuf_addstr(why, "the group spec has more than its builds");
		goto bad;
	}
	return 0;
bad:
	group_spec_release(spec);
	return -1;
}

void
group_spec_release(struct group_spec *spec)
{
	for (size_t i = 0; i < spec->n; i++) {
		free(spec->b[i].dir);
		free(spec->b[i].log);
		free(spec->b[i].status);
		strvec_clear(&spec->b[i].args);
		strvec_clear(&spec->b[i].env);
	}
	free(spec->b);
	memset(spec, 0, sizeof(*spec));
}
