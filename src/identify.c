/*
 * identify.c - product identification: built-in template matching and
 * external inspector programs (see identify.h for the protocol).
 */
#include "identify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "fnformat.h"
#include "log.h"
#include "spawn.h"
#include "strvec.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* An external inspector's record in this set (this run). */
struct inspector_state {
	long runs;          /* files it was run on */
	long failures;      /* of which it failed on */
	long skipped;       /* files it was not run on, being disabled */
	int consecutive;    /* failures since its last answer */
	bool disabled;      /* IDENTIFY_DISABLE_AFTER reached: not run */
	struct strbuf first; /* its first failure, for the report */
	struct strbuf last;  /* its last failure, for the files skipped */
};

struct identify_set {
	const char *mission;
	const struct identify_product *products;
	size_t n;
	struct fnformat **matchers; /* NULL for external inspectors */
	struct inspector_state *insp; /* per product, used by inspectors */
};

void
identify_result_release(struct identify_result *r)
{
	strbuf_release(&r->keywords);
	strbuf_release(&r->reason);
	r->kind = IDENTIFY_NONE;
}

int
identify_set_new(const char *mission, const struct identify_product *products,
		 size_t n, struct identify_set **out)
{
	struct identify_set *set = xcalloc(1, sizeof(*set));
	int rc = 0;

	set->mission = mission;
	set->products = products;
	set->n = n;
	set->matchers = xcalloc(n + 1, sizeof(*set->matchers));
	set->insp = xcalloc(n + 1, sizeof(*set->insp));
	for (size_t i = 0; i < n; i++) {
		strbuf_init(&set->insp[i].first, 0);
		strbuf_init(&set->insp[i].last, 0);
	}
	for (size_t i = 0; i < n; i++) {
		const struct identify_product *p = &products[i];
		struct fnformat_names names = {mission, p->satellite,
					       p->instrument, p->name};
		struct strbuf err = STRBUF_INIT;

		if (p->inspector)
			continue;
		if (fnformat_compile(p->format, &names, &set->matchers[i],
				     &err)) {
			rc = error("invalid format \"%s\" of product \"%s\": %s",
				   p->format, p->name, err.buf);
		}
		strbuf_release(&err);
	}
	if (rc) {
		identify_set_free(set);
		set = NULL;
	}
	*out = set;
	return rc;
}

void
identify_set_free(struct identify_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		fnformat_free(set->matchers[i]);
		strbuf_release(&set->insp[i].first);
		strbuf_release(&set->insp[i].last);
	}
	free(set->matchers);
	free(set->insp);
	free(set);
}

struct candidate {
	int32_t date;
	int64_t start, stop;
	struct version version;
	struct strbuf keywords;
};

static void
whole_day(struct candidate *c)
{
	c->start = c->date * USEC_PER_DAY;
	c->stop = c->start + USEC_PER_DAY - 1;
}

static int
match_template(const struct identify_set *set, size_t i, const char *name,
	       struct candidate *c)
{
	struct fnformat_match m = FNFORMAT_MATCH_INIT;

	if (!fnformat_match(set->matchers[i], name, strlen(name), &m))
		return 0;
	if (!m.has_date || !m.has_version) {
		fnformat_match_release(&m);
		return 0;
	}
	c->date = m.date;
	c->version = m.version;
	whole_day(c);
	if (m.has_time) {
		c->start = c->date * USEC_PER_DAY + m.time_usec;
		if (c->stop < c->start)
			c->stop = c->start;
	}
	strbuf_addstr(&c->keywords, m.keywords.buf);
	fnformat_match_release(&m);
	return 1;
}

/* parse an inspector's key=value output; 0 or -1 with reason filled */
static int
parse_inspector_output(const char *text, struct candidate *c,
		       struct strbuf *reason)
{
	bool have_date = false, have_version = false, have_start = false,
	     have_stop = false;
	const char *line = text;

	while (*line) {
		size_t len = strcspn(line, "\n");
		const char *eq = memchr(line, '=', len);
		size_t klen = eq ? (size_t)(eq - line) : len;
		const char *v = eq ? eq + 1 : "";
		size_t vlen = eq ? len - klen - 1 : 0;

		if (len == 0 || line[0] == '#') {
			line += len + (line[len] == '\n');
			continue;
		}
		if (!eq) {
			strbuf_addf(reason, "inspector output line \"%.*s\" is "
					    "not key=value",
				    (int)len, line);
			return -1;
		}
#define KEY(k) (klen == strlen(k) && !memcmp(line, k, klen))
		if (KEY("version")) {
			have_version = !version_parse(v, vlen, &c->version);
			if (!have_version) {
				strbuf_addf(reason, "inspector gave an invalid "
						    "version \"%.*s\"",
					    (int)vlen, v);
				return -1;
			}
		} else if (KEY("utc_file_date")) {
			have_date = !timeutil_parse_date(v, vlen, &c->date);
			if (!have_date) {
				strbuf_addf(reason, "inspector gave an invalid "
						    "utc_file_date \"%.*s\"",
					    (int)vlen, v);
				return -1;
			}
		} else if (KEY("utc_start_time") || KEY("utc_stop_time")) {
			int64_t *dst = KEY("utc_start_time") ? &c->start
							     : &c->stop;

			if (timeutil_parse_timestamp(v, vlen, dst)) {
				strbuf_addf(reason, "inspector gave an invalid "
						    "timestamp \"%.*s\"",
					    (int)vlen, v);
				return -1;
			}
			if (dst == &c->start)
				have_start = true;
			else
				have_stop = true;
		} else if (KEY("process_keywords")) {
			strbuf_add(&c->keywords, v, vlen);
		} else {
			strbuf_addf(reason, "inspector gave an unknown key "
					    "\"%.*s\"",
				    (int)klen, line);
			return -1;
		}
#undef KEY
		line += len + (line[len] == '\n');
	}
	if (!have_version || !have_date) {
		strbuf_addf(reason, "inspector output lacks %s",
			    !have_version ? "version=" : "utc_file_date=");
		return -1;
	}
	if (!have_start || !have_stop) {
		struct candidate day = *c;

		whole_day(&day);
		if (!have_start)
			c->start = day.start;
		if (!have_stop)
			c->stop = day.stop;
	}
	if (c->stop < c->start) {
		strbuf_addstr(reason, "inspector gave utc_stop_time before "
				      "utc_start_time");
		return -1;
	}
	return 0;
}

/* run an external inspector: 1 mine, 0 not mine, -1 failure (reason) */
static int
run_inspector(const struct identify_set *set,
	      const struct identify_product *p, const char *path,
	      struct candidate *c, struct strbuf *reason)
{
	struct spawn_child child;
	struct strbuf out = STRBUF_INIT;
	int rc = -1;

	spawn_child_init(&child);
	strvec_push(&child.args, p->inspector);
	if (p->inspector_args)
		strvec_split(&child.args, p->inspector_args, " \t\n");
	strvec_push(&child.args, path);
	strvec_pushf(&child.env_delta, "CASCADE_PRODUCT=%s", p->name);
	strvec_pushf(&child.env_delta, "CASCADE_MISSION=%s", set->mission);
	child.timeout_ms = (p->inspector_timeout_s > 0 ? p->inspector_timeout_s
						       : 30) * 1000;
	child.kill_grace_ms = 1000;
	/* its diagnostics are not its answer: shown with -v, else dropped */
	child.err_fd = log_get_level() >= LOG_LEVEL_INFO ? STDERR_FILENO : -1;
	if (child.err_fd == STDERR_FILENO)
		log_progress_end(); /* its lines must not land in ours */
	if (spawn_run_capture(&child, &out, 65536) < 0) {
		strbuf_addf(reason, "inspector \"%s\" of product \"%s\" could "
				    "not be run",
			    p->inspector, p->name);
		goto out;
	}
	if (child.timed_out || child.term_signal ||
	    (child.exit_code != 0 && child.exit_code != 1)) {
		struct strbuf d = STRBUF_INIT;

		spawn_describe(&child, &d);
		strbuf_addf(reason, "inspector \"%s\" of product \"%s\" failed: "
				    "%s",
			    p->inspector, p->name, d.buf);
		strbuf_release(&d);
		goto out;
	}
	if (child.exit_code == 1) {
		rc = 0;
		goto out;
	}
	if (parse_inspector_output(out.buf, c, reason)) {
		struct strbuf r2 = STRBUF_INIT;

		strbuf_addf(&r2, "inspector \"%s\" of product \"%s\": %s",
			    p->inspector, p->name, reason->buf);
		strbuf_reset(reason);
		strbuf_addstr(reason, r2.buf);
		strbuf_release(&r2);
		goto out;
	}
	rc = 1;
out:
	strbuf_release(&out);
	spawn_child_release(&child);
	return rc;
}

int
identify_check_values(const struct version *v, int32_t date,
		      int64_t start_usec, int64_t stop_usec,
		      const char *keywords, struct strbuf *reason,
		      const char **field)
{
	int32_t lo = timeutil_days_from_ymd(IDENTIFY_YEAR_MIN, 1, 1);
	int32_t hi = timeutil_days_from_ymd(IDENTIFY_YEAR_MAX, 12, 31);
	char b1[DATE_STRLEN], b2[DATE_STRLEN], b3[TIMESTAMP_STRLEN];
	int64_t t;

	if (v->interface < 1 || v->interface > VERSION_COMPONENT_MAX ||
	    v->quality < 0 || v->quality > VERSION_COMPONENT_MAX ||
	    v->revision < 0 || v->revision > VERSION_COMPONENT_MAX) {
		strbuf_addf(reason,
			    "version %d.%d.%d cannot be recorded: the interface "
			    "version must be from 1 to %d, the others from 0 "
			    "to %d",
			    v->interface, v->quality, v->revision,
			    VERSION_COMPONENT_MAX, VERSION_COMPONENT_MAX);
		*field = "version";
		return -1;
	}
	if (date < lo || date > hi) {
		strbuf_addf(reason,
			    "date %s is outside the accepted range %s to %s",
			    timeutil_format_date(date, b3),
			    timeutil_format_date(lo, b1),
			    timeutil_format_date(hi, b2));
		*field = "date";
		return -1;
	}
	if (start_usec < lo * USEC_PER_DAY ||
	    start_usec >= (hi + INT64_C(1)) * USEC_PER_DAY ||
	    stop_usec < lo * USEC_PER_DAY ||
	    stop_usec >= (hi + INT64_C(1)) * USEC_PER_DAY) {
		t = start_usec < lo * USEC_PER_DAY ||
				    start_usec >= (hi + INT64_C(1)) *
							  USEC_PER_DAY
			    ? start_usec
			    : stop_usec;
		strbuf_addf(reason,
			    "time %s is outside the accepted range %s to %s",
			    timeutil_format_timestamp(t, b3),
			    timeutil_format_date(lo, b1),
			    timeutil_format_date(hi, b2));
		*field = "date";
		return -1;
	}
	if (keywords && !escape_valid_utf8(keywords, strlen(keywords))) {
		struct strbuf e = STRBUF_INIT;

		escape_name(&e, keywords, strlen(keywords), 0);
		strbuf_addf(reason,
			    "process_keywords \"%.200s\" are not valid UTF-8",
			    e.buf);
		strbuf_release(&e);
		*field = "keywords";
		return -1;
	}
	return 0;
}

/*
 * ask product i's external inspector about the file, unless it is
 * disabled: as run_inspector, keeping the inspector's record
 */
static int
ask_inspector(struct identify_set *set, size_t i, const char *path,
	      struct candidate *c, struct strbuf *reason)
{
	const struct identify_product *p = &set->products[i];
	struct inspector_state *st = &set->insp[i];
	int m;

	if (st->disabled) {
		st->skipped++;
		strbuf_addf(reason,
			    "inspector \"%s\" of product \"%s\" was not run: "
			    "it failed %d times in a row in this run (last: %s)",
			    p->inspector, p->name, IDENTIFY_DISABLE_AFTER,
			    st->last.buf);
		return -1;
	}
	st->runs++;
	m = run_inspector(set, p, path, c, reason);
	if (m >= 0) {
		st->consecutive = 0;
		return m;
	}
	st->failures++;
	if (!st->first.len)
		strbuf_addstr(&st->first, reason->buf);
	strbuf_reset(&st->last);
	strbuf_addstr(&st->last, reason->buf);
	log_debug("%s", reason->buf);
	if (++st->consecutive >= IDENTIFY_DISABLE_AFTER) {
		st->disabled = true;
		log_warning("inspector \"%s\" of product \"%s\" failed %d "
			    "times in a row: not run again in this run",
			    p->inspector, p->name, st->consecutive);
		log_detail("Last failure: %s", st->last.buf);
	}
	return -1;
}

int
identify_file(struct identify_set *set, const char *path, const char *name,
	      struct identify_result *r)
{
	struct strbuf failed = STRBUF_INIT, why = STRBUF_INIT;
	size_t nmatch = 0, nfailed = 0;
	const char *field = NULL;

	strbuf_reset(&r->keywords);
	strbuf_reset(&r->reason);
	r->kind = IDENTIFY_NONE;
	r->bad_field = NULL;
	for (size_t i = 0; i < set->n; i++) {
		const struct identify_product *p = &set->products[i];
		struct candidate c = {0, 0, 0, {0, 0, 0}, STRBUF_INIT};
		int m;

		if (p->inspector) {
			strbuf_reset(&why);
			m = ask_inspector(set, i, path, &c, &why);
			if (m < 0) {
				/* not mine, as far as the others go */
				if (nfailed++ == 0)
					strbuf_addstr(&failed, why.buf);
				strbuf_release(&c.keywords);
				continue;
			}
		} else {
			m = match_template(set, i, name, &c);
		}
		if (m == 1) {
			if (nmatch++ == 0) {
				r->product = i;
				r->date = c.date;
				r->start_usec = c.start;
				r->stop_usec = c.stop;
				r->version = c.version;
				strbuf_addstr(&r->keywords, c.keywords.buf);
			} else {
				if (nmatch == 2)
					strbuf_addf(&r->reason,
						    "matches more than one "
						    "product: \"%s\"",
						    set->products[r->product].name);
				strbuf_addf(&r->reason, ", \"%s\"", p->name);
			}
		}
		strbuf_release(&c.keywords);
	}
	if (nmatch == 1) {
		strbuf_addf(&r->reason, "product \"%s\": ",
			    set->products[r->product].name);
		if (identify_check_values(&r->version, r->date, r->start_usec,
					  r->stop_usec, r->keywords.buf,
					  &r->reason, &field)) {
			r->kind = IDENTIFY_INVALID;
			r->bad_field = field;
		} else {
			strbuf_reset(&r->reason);
			r->kind = IDENTIFY_ONE;
		}
	} else if (nmatch > 1) {
		r->kind = IDENTIFY_AMBIGUOUS;
	} else if (nfailed) {
		r->kind = IDENTIFY_ERROR;
		strbuf_addstr(&r->reason, failed.buf);
		if (nfailed > 1)
			strbuf_addf(&r->reason, " (and %zu more inspectors "
						"failed)",
				    nfailed - 1);
	} else {
		strbuf_addstr(&r->reason, "matches no product's filename "
					  "format or inspector");
	}
	strbuf_release(&failed);
	strbuf_release(&why);
	return 0;
}

void
identify_report_failures(const struct identify_set *set)
{
	for (size_t i = 0; set && i < set->n; i++) {
		const struct inspector_state *st = &set->insp[i];
		struct strbuf more = STRBUF_INIT;

		if (!st->failures)
			continue;
		if (st->skipped)
			strbuf_addf(&more, "; not run on %ld more after %d "
					   "failures in a row",
				    st->skipped, IDENTIFY_DISABLE_AFTER);
		log_warning("inspector \"%s\" of product \"%s\" failed on %ld "
			    "of the %ld files it was run on in this run%s",
			    set->products[i].inspector, set->products[i].name,
			    st->failures, st->runs, more.buf);
		log_detail("First failure: %s", st->first.buf);
		strbuf_release(&more);
	}
}
