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
#include "json.h"
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
	const struct product *products; /* borrowed */
	size_t n;
	struct fnformat *const *matchers; /* borrowed: products[i]'s format */
	struct inspector_state *insp; /* per product, used by inspectors */
};

bool
identify_reads_files(const struct identify_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->products[i].inspector.active &&
		    set->products[i].inspector.executable)
			return true;
	return false;
}

void
identify_result_release(struct identify_result *r)
{
	strbuf_release(&r->keywords);
	strbuf_release(&r->reason);
	r->kind = IDENTIFY_NONE;
}

struct identify_set *
identify_set_new(const char *mission, const struct product *products,
		 struct fnformat *const *formats, size_t n)
{
	struct identify_set *set = xcalloc(1, sizeof(*set));

	set->mission = mission;
	set->products = products;
	set->n = n;
	set->matchers = formats;
	set->insp = xcalloc(n + 1, sizeof(*set->insp));
	for (size_t i = 0; i < n; i++) {
		strbuf_init(&set->insp[i].first, 0);
		strbuf_init(&set->insp[i].last, 0);
	}
	return set;
}

void
identify_set_free(struct identify_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		strbuf_release(&set->insp[i].first);
		strbuf_release(&set->insp[i].last);
	}
	free(set->insp);
	free(set);
}

void
identify_output_release(struct identify_output *o)
{
	strbuf_release(&o->keywords);
}

/* The keys of the inspector protocol, in the order they are checked. */
enum out_key {
	OUT_VERSION,
	OUT_DATE,
	OUT_START,
	OUT_STOP,
	OUT_KEYWORDS,
	OUT_NKEYS
};
static const char *const out_key_name[OUT_NKEYS] = {
	"version", "utc_file_date", "utc_start_time", "utc_stop_time",
	"process_keywords",
};

/* One key=value line of the output: where its value is, which line. */
struct out_line {
	const char *line, *value;
	size_t len, vlen; /* of the line (no CR, no LF) and of its value */
	unsigned no;      /* 1-based; 0: key not given */
};

/*
 * Append s as a quoted phrase for a reason that goes to a log line and a
 * database row: at most 80 bytes of it, control characters, '"', '\' and
 * bytes that are not UTF-8 as \xNN, so that any output makes a valid
 * UTF-8 text.
 */
static void
add_quoted(struct strbuf *sb, const char *s, size_t len)
{
	size_t i = 0, shown = 0;

	strbuf_addch(sb, '"');
	while (i < len && shown < 80) {
		unsigned char c = (unsigned char)s[i];
		size_t bad, n = json_utf8_len(s + i, len - i, &bad);

		if (n > 1) {
			strbuf_add(sb, s + i, n);
			i += n;
		} else if (n == 1 && c >= 0x20 && c != 0x7f && c != '"' &&
			   c != '\\') {
			strbuf_addch(sb, (char)c);
			i++;
		} else {
			strbuf_addf(sb, "\\x%02x", c);
			i++;
		}
		shown++;
	}
	strbuf_addch(sb, '"');
	if (i < len)
		strbuf_addf(sb, " (%zu bytes, cut)", len);
}

static bool
valid_utf8(const char *s, size_t len)
{
	size_t bad;

	for (size_t i = 0, n; i < len; i += n)
		if (!(n = json_utf8_len(s + i, len - i, &bad)))
			return false;
	return true;
}

static void
day_span(int32_t date, int64_t *start, int64_t *stop)
{
	*start = date * USEC_PER_DAY;
	*stop = *start + USEC_PER_DAY - 1;
}

/* Split the output into lines and find each key's line; 0 or -1. */
static int
split_output(const char *text, size_t len, struct out_line *lines,
	     struct strbuf *reason)
{
	const char *nul = memchr(text, '\0', len);
	size_t pos = 0;
	unsigned no = 0;

	if (nul) {
		strbuf_addf(reason, "inspector output contains a NUL byte at "
				    "offset %zu",
			    (size_t)(nul - text));
		return -1;
	}
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		const char *eq;
		size_t klen;
		int k;

		pos += llen + (nl != NULL);
		no++;
		if (llen && line[llen - 1] == '\r')
			llen--; /* CRLF */
		if (llen == 0 || line[0] == '#')
			continue;
		eq = memchr(line, '=', llen);
		if (!eq) {
			strbuf_addf(reason, "inspector output line %u ", no);
			add_quoted(reason, line, llen);
			strbuf_addstr(reason, " is not key=value");
			return -1;
		}
		klen = (size_t)(eq - line);
		for (k = 0; k < OUT_NKEYS; k++)
			if (strlen(out_key_name[k]) == klen &&
			    !memcmp(line, out_key_name[k], klen))
				break;
		if (k == OUT_NKEYS) {
			strbuf_addstr(reason, "inspector gave an unknown key ");
			add_quoted(reason, line, klen);
			strbuf_addf(reason, " on line %u", no);
			return -1;
		}
		if (lines[k].no) {
			strbuf_addf(reason, "inspector gave the key \"%s\" "
					    "twice: line %u ",
				    out_key_name[k], lines[k].no);
			add_quoted(reason, lines[k].line, lines[k].len);
			strbuf_addf(reason, " and line %u ", no);
			add_quoted(reason, line, llen);
			return -1;
		}
		lines[k].line = line;
		lines[k].len = llen;
		lines[k].value = eq + 1;
		lines[k].vlen = llen - klen - 1;
		lines[k].no = no;
	}
	return 0;
}

static int
bad_value(struct strbuf *reason, const struct out_line *l, enum out_key k)
{
	strbuf_addf(reason, "inspector gave an invalid %s ", out_key_name[k]);
	add_quoted(reason, l->value, l->vlen);
	strbuf_addf(reason, " on line %u", l->no);
	return -1;
}

int
identify_parse_output(const char *text, size_t len,
		      struct identify_output *o, struct strbuf *reason)
{
	struct out_line l[OUT_NKEYS];
	const struct out_line *kw = &l[OUT_KEYWORDS];

	memset(l, 0, sizeof(l));
	strbuf_reset(&o->keywords);
	if (split_output(text, len, l, reason))
		return -1;
	for (int k = OUT_VERSION; k <= OUT_DATE; k++) {
		if (!l[k].no) {
			strbuf_addf(reason, "inspector output lacks %s=",
				    out_key_name[k]);
			return -1;
		}
	}
	if (version_parse(l[OUT_VERSION].value, l[OUT_VERSION].vlen,
			  &o->version))
		return bad_value(reason, &l[OUT_VERSION], OUT_VERSION);
	if (timeutil_parse_date(l[OUT_DATE].value, l[OUT_DATE].vlen, &o->date))
		return bad_value(reason, &l[OUT_DATE], OUT_DATE);
	day_span(o->date, &o->start_usec, &o->stop_usec);
	if (l[OUT_START].no &&
	    timeutil_parse_timestamp(l[OUT_START].value, l[OUT_START].vlen,
				     &o->start_usec))
		return bad_value(reason, &l[OUT_START], OUT_START);
	if (l[OUT_STOP].no &&
	    timeutil_parse_timestamp(l[OUT_STOP].value, l[OUT_STOP].vlen,
				     &o->stop_usec))
		return bad_value(reason, &l[OUT_STOP], OUT_STOP);
	/* it is stored as text: PostgreSQL refuses what is not UTF-8 */
	if (kw->no && !valid_utf8(kw->value, kw->vlen)) {
		strbuf_addstr(reason, "inspector gave process_keywords that are "
				      "not valid UTF-8: ");
		add_quoted(reason, kw->value, kw->vlen);
		strbuf_addf(reason, " on line %u", kw->no);
		return -1;
	}
	if (o->stop_usec < o->start_usec) {
		strbuf_addstr(reason, "inspector gave utc_stop_time before "
				      "utc_start_time");
		return -1;
	}
	if (kw->no)
		strbuf_add(&o->keywords, kw->value, kw->vlen);
	return 0;
}

struct candidate {
	int32_t date;
	int64_t start, stop;
	struct version version;
	struct strbuf keywords;
	bool versionless; /* a template without {VERSION} matched */
};

static void
whole_day(struct candidate *c)
{
	day_span(c->date, &c->start, &c->stop);
}

static int
match_template(const struct identify_set *set, size_t i, const char *name,
	       struct candidate *c)
{
	struct fnformat_match m = FNFORMAT_MATCH_INIT;

	if (!fnformat_match(set->matchers[i], name, strlen(name), &m))
		return 0;
	if (!m.has_date ||
	    (!m.has_version && fnformat_has_version(set->matchers[i]))) {
		fnformat_match_release(&m);
		return 0;
	}
	c->date = m.date;
	if (m.has_version) {
		c->version = m.version;
	} else {
		c->version = (struct version){1, 0, 0};
		c->versionless = true;
	}
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

/* run an external inspector: 1 mine, 0 not mine, -1 failure (reason) */
static int
run_inspector(const struct identify_set *set,
	      const struct product *p, const char *path,
	      struct candidate *c, struct strbuf *reason)
{
	struct spawn_child child;
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	struct identify_output o = IDENTIFY_OUTPUT_INIT;
	int rc = -1;

	spawn_child_init(&child);
	strvec_push(&child.args, p->inspector.executable);
	if (p->inspector.arguments)
		strvec_split(&child.args, p->inspector.arguments, " \t\n");
	strvec_push(&child.args, path);
	strvec_pushf(&child.env_delta, "CASCADE_PRODUCT=%s", p->name);
	strvec_pushf(&child.env_delta, "CASCADE_MISSION=%s", set->mission);
	child.timeout_ms = (p->inspector.timeout_s > 0 ? p->inspector.timeout_s
						       : 30) * 1000;
	child.kill_grace_ms = 1000;
	/* its diagnostics are not its answer: shown with -v, else dropped */
	child.err_fd = log_get_level() >= LOG_LEVEL_INFO ? STDERR_FILENO : -1;
	if (child.err_fd == STDERR_FILENO)
		log_progress_end(); /* its lines must not land in ours */
	if (spawn_run_capture(&child, &out, IDENTIFY_OUTPUT_MAX) < 0) {
		strbuf_addf(reason, "inspector \"%s\" of product \"%s\" could "
				    "not be run",
			    p->inspector.executable, p->name);
		goto out;
	}
	if (child.output_overflow) {
		strbuf_addf(reason, "inspector \"%s\" of product \"%s\": "
				    "inspector output exceeds %zu bytes",
			    p->inspector.executable, p->name, IDENTIFY_OUTPUT_MAX);
		goto out;
	}
	if (child.timed_out || child.term_signal ||
	    (child.exit_code != 0 && child.exit_code != 1)) {
		struct strbuf d = STRBUF_INIT;

		spawn_describe(&child, &d);
		strbuf_addf(reason, "inspector \"%s\" of product \"%s\" failed: "
				    "%s",
			    p->inspector.executable, p->name, d.buf);
		strbuf_release(&d);
		goto out;
	}
	if (child.exit_code == 1) {
		rc = 0;
		goto out;
	}
	if (identify_parse_output(out.buf, out.len, &o, &why)) {
		strbuf_addf(reason, "inspector \"%s\" of product \"%s\": %s",
			    p->inspector.executable, p->name, why.buf);
		goto out;
	}
	c->version = o.version;
	c->date = o.date;
	c->start = o.start_usec;
	c->stop = o.stop_usec;
	strbuf_add(&c->keywords, o.keywords.buf, o.keywords.len);
	rc = 1;
out:
	identify_output_release(&o);
	strbuf_release(&why);
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
	const struct product *p = &set->products[i];
	struct inspector_state *st = &set->insp[i];
	int m;

	if (st->disabled) {
		st->skipped++;
		strbuf_addf(reason,
			    "inspector \"%s\" of product \"%s\" was not run: "
			    "it failed %d times in a row in this run (last: %s)",
			    p->inspector.executable, p->name, IDENTIFY_DISABLE_AFTER,
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
			    p->inspector.executable, p->name, st->consecutive);
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
	r->versionless = false;
	for (size_t i = 0; i < set->n; i++) {
		const struct product *p = &set->products[i];
		struct candidate c = {0, 0, 0, {0, 0, 0}, STRBUF_INIT, false};
		int m;

		/* a product whose inspector is not active claims nothing */
		if (!p->inspector.active)
			continue;
		if (p->inspector.executable) {
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
				r->versionless = c.versionless;
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
			    set->products[i].inspector.executable, set->products[i].name,
			    st->failures, st->runs, more.buf);
		log_detail("First failure: %s", st->first.buf);
		strbuf_release(&more);
	}
}
