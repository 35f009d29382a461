/*
 * identify.c - product identification: built-in template matching and
 * external inspector programs (see identify.h for the protocol).
 */
#include "identify.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
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
	size_t proc;        /* its batch process in procs, or SIZE_MAX */
	const char *name;   /* the program or module, for messages */
	struct strbuf first; /* its first failure, for the report */
	struct strbuf last;  /* its last failure, for the files skipped */
};

/*
 * A persistent inspector process (the batch protocol): started when a
 * product using it is first asked, restarted after a death, a timeout or
 * a malformed answer, ended by identify_set_free.  Products whose
 * inspectors have the same command line and environment share one.
 */
struct batch_proc {
	struct strvec argv;  /* the program and its arguments */
	struct strvec env;   /* the environment delta */
	int timeout_ms;      /* per file */
	struct spawn_child child;
	int to_fd, from_fd;  /* to its stdin, from its output; -1: not running */
	bool running;
	long starts;
	struct strbuf in;    /* requests not yet written, from in_off */
	size_t in_off;
	struct strbuf out;   /* answers read, not yet taken */
	struct strbuf unusable; /* why it cannot be started at all, or "" */
};

struct identify_set {
	const char *mission;
	const struct product *products; /* borrowed */
	size_t n;
	struct fnformat *const *matchers; /* borrowed: products[i]'s format */
	struct inspector_state *insp; /* per product, used by inspectors */
	struct batch_proc *procs;
	size_t n_procs;
};

static bool
uses_batch(const struct product *p)
{
	return p->inspector.module ||
	       (p->inspector.executable && p->inspector.batch);
}

bool
identify_reads_files(const struct identify_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->products[i].inspector.active &&
		    (set->products[i].inspector.executable ||
		     set->products[i].inspector.module))
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

/*
 * Where cascade-dbp-inspector is: beside our own executable (where
 * "make install" and the packages put it, and where the build tree has
 * a copy), else in PATH.  False with why set if neither.
 */
static bool
find_adapter(struct strbuf *path, struct strbuf *why)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			strbuf_reset(path);
			strbuf_add(path, self, (size_t)(slash - self + 1));
			strbuf_addstr(path, IDENTIFY_DBP_ADAPTER);
			if (access(path->buf, X_OK) == 0)
				return true;
		}
	}
	strbuf_reset(path);
	if (spawn_which(IDENTIFY_DBP_ADAPTER, path))
		return true;
	strbuf_addf(why, "%s, which runs dbprocessing inspector modules, is "
			 "neither beside the cascade executable nor in PATH "
			 "(it is in the package cascade-dbprocessing)",
		    IDENTIFY_DBP_ADAPTER);
	return false;
}

/* the batch process of product p: one of set->procs, added if new */
static size_t
proc_for(struct identify_set *set, const struct product *p,
	 struct strbuf *adapter, bool *looked, struct strbuf *no_adapter)
{
	struct batch_proc b;
	int timeout_s = p->inspector.timeout_s > 0 ? p->inspector.timeout_s
						   : 30;

	memset(&b, 0, sizeof(b));
	strvec_init(&b.argv);
	strvec_init(&b.env);
	strbuf_init(&b.in, 0);
	strbuf_init(&b.out, 0);
	strbuf_init(&b.unusable, 0);
	spawn_child_init(&b.child);
	b.to_fd = b.from_fd = -1;
	b.timeout_ms = timeout_s * 1000;
	if (p->inspector.module) {
		if (!*looked) {
			*looked = true;
			find_adapter(adapter, no_adapter);
		}
		if (no_adapter->len)
			strbuf_addstr(&b.unusable, no_adapter->buf);
		strvec_push(&b.argv, adapter->len ? adapter->buf
						  : IDENTIFY_DBP_ADAPTER);
		strvec_push(&b.argv, "--batch");
		strvec_push(&b.argv, p->inspector.module);
		strvec_pushf(&b.env, "CASCADE_PRODUCT_FORMAT=%s",
			     p->format ? p->format : "");
		strvec_pushf(&b.env, "CASCADE_PRODUCT_LEVEL=%g", p->level);
	} else {
		strvec_push(&b.argv, p->inspector.executable);
	}
	if (p->inspector.arguments)
		strvec_split(&b.argv, p->inspector.arguments, " \t\n");
	strvec_pushf(&b.env, "CASCADE_PRODUCT=%s", p->name);
	strvec_pushf(&b.env, "CASCADE_MISSION=%s", set->mission);
	for (size_t k = 0; k < set->n_procs; k++) {
		const struct batch_proc *o = &set->procs[k];
		bool same = o->argv.nr == b.argv.nr && o->env.nr == b.env.nr &&
			    o->timeout_ms == b.timeout_ms;

		for (size_t j = 0; same && j < b.argv.nr; j++)
			same = !strcmp(o->argv.v[j], b.argv.v[j]);
		for (size_t j = 0; same && j < b.env.nr; j++)
			same = !strcmp(o->env.v[j], b.env.v[j]);
		if (same) {
			strvec_clear(&b.argv);
			strvec_clear(&b.env);
			strbuf_release(&b.unusable);
			return k;
		}
	}
	set->procs = xrealloc(set->procs, (set->n_procs + 1) * sizeof(b));
	set->procs[set->n_procs] = b;
	return set->n_procs++;
}

struct identify_set *
identify_set_new(const char *mission, const struct product *products,
		 struct fnformat *const *formats, size_t n)
{
	struct identify_set *set = xcalloc(1, sizeof(*set));
	struct strbuf adapter = STRBUF_INIT, no_adapter = STRBUF_INIT;
	bool looked = false;

	set->mission = mission;
	set->products = products;
	set->n = n;
	set->matchers = formats;
	set->insp = xcalloc(n + 1, sizeof(*set->insp));
	for (size_t i = 0; i < n; i++) {
		const struct product *p = &products[i];

		strbuf_init(&set->insp[i].first, 0);
		strbuf_init(&set->insp[i].last, 0);
		set->insp[i].proc = SIZE_MAX;
		set->insp[i].name = p->inspector.executable
					    ? p->inspector.executable
					    : p->inspector.module;
		if (p->inspector.active && uses_batch(p))
			set->insp[i].proc =
				proc_for(set, p, &adapter, &looked, &no_adapter);
	}
	strbuf_release(&adapter);
	strbuf_release(&no_adapter);
	return set;
}

/* close our ends of its pipes */
static void
proc_close(struct batch_proc *b)
{
	if (b->to_fd >= 0)
		close(b->to_fd);
	if (b->from_fd >= 0)
		close(b->from_fd);
	b->to_fd = b->from_fd = -1;
	strbuf_reset(&b->in);
	b->in_off = 0;
	strbuf_reset(&b->out);
}

/*
 * End the process: wait_ms > 0 lets it end by itself that long (its input
 * closed first), 0 kills it at once.  How it ended goes to how, if given.
 */
static void
proc_end(struct batch_proc *b, int wait_ms, struct strbuf *how)
{
	if (!b->running)
		return;
	if (b->to_fd >= 0) {
		close(b->to_fd);
		b->to_fd = -1;
	}
	if (spawn_finish(&b->child, wait_ms) == 0 && how)
		spawn_describe(&b->child, how);
	b->running = false;
	proc_close(b);
}

void
identify_set_free(struct identify_set *set)
{
	if (!set)
		return;
	for (size_t k = 0; k < set->n_procs; k++) {
		struct batch_proc *b = &set->procs[k];

		/* end of input: a batch inspector exits */
		proc_end(b, 2000, NULL);
		spawn_child_release(&b->child);
		strvec_clear(&b->argv);
		strvec_clear(&b->env);
		strbuf_release(&b->in);
		strbuf_release(&b->out);
		strbuf_release(&b->unusable);
	}
	free(set->procs);
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
	OUT_ORBIT,
	OUT_NKEYS
};
static const char *const out_key_name[OUT_NKEYS] = {
	"version", "utc_file_date", "utc_start_time", "utc_stop_time",
	"process_keywords", "orbit",
};

/* Digits in orbit= (leading zeros allowed): 12 hold IDENTIFY_ORBIT_MAX. */
#define ORBIT_DIGITS_MAX 12
_Static_assert(IDENTIFY_ORBIT_MAX == FNFORMAT_ORBIT_MAX,
	       "{ORBIT} and orbit= take the same numbers");

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

/* orbit=: 1 to ORBIT_DIGITS_MAX decimal digits; 0 or -1 */
static int
parse_orbit(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len < 1 || len > ORBIT_DIGITS_MAX)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
identify_parse_output(const char *text, size_t len,
		      struct identify_output *o, struct strbuf *reason)
{
	struct out_line l[OUT_NKEYS];
	const struct out_line *kw = &l[OUT_KEYWORDS];

	memset(l, 0, sizeof(l));
	strbuf_reset(&o->keywords);
	o->has_orbit = false;
	o->orbit = 0;
	o->stop_given = false;
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
	o->stop_given = l[OUT_STOP].no != 0;
	if (l[OUT_ORBIT].no) {
		if (parse_orbit(l[OUT_ORBIT].value, l[OUT_ORBIT].vlen,
				&o->orbit)) {
			bad_value(reason, &l[OUT_ORBIT], OUT_ORBIT);
			strbuf_addf(reason, ": expected 1 to %d decimal digits "
					    "(0 to %lld)",
				    ORBIT_DIGITS_MAX,
				    (long long)IDENTIFY_ORBIT_MAX);
			return -1;
		}
		o->has_orbit = true;
	}
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
	bool has_orbit;   /* {ORBIT} or orbit= gave orbit */
	int64_t orbit;
	bool stop_given;  /* an inspector's utc_stop_time= */
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
	c->has_orbit = m.has_orbit;
	c->orbit = m.orbit;
	c->stop_given = false;
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
	c->has_orbit = o.has_orbit;
	c->orbit = o.orbit;
	c->stop_given = o.stop_given;
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
 * Keep product i's inspector's record of one file's outcome m (1 mine, 0
 * not mine, -1 failed: reason); disable it after IDENTIFY_DISABLE_AFTER
 * failures in a row.
 */
static void
note_outcome(struct identify_set *set, size_t i, int m,
	     const struct strbuf *reason)
{
	const struct product *p = &set->products[i];
	struct inspector_state *st = &set->insp[i];

	st->runs++;
	if (m >= 0) {
		st->consecutive = 0;
		return;
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
			    st->name, p->name, st->consecutive);
		log_detail("Last failure: %s", st->last.buf);
	}
}

/* the reason for a file that product i's disabled inspector is not run on */
static int
not_run(struct identify_set *set, size_t i, struct strbuf *reason)
{
	struct inspector_state *st = &set->insp[i];

	st->skipped++;
	strbuf_addf(reason,
		    "inspector \"%s\" of product \"%s\" was not run: it failed "
		    "%d times in a row in this run (last: %s)",
		    st->name, set->products[i].name, IDENTIFY_DISABLE_AFTER,
		    st->last.buf);
	return -1;
}

/*
 * ask product i's external inspector about the file, unless it is
 * disabled: as run_inspector, keeping the inspector's record
 */
static int
ask_inspector(struct identify_set *set, size_t i, const char *path,
	      struct candidate *c, struct strbuf *reason)
{
	int m;

	if (set->insp[i].disabled)
		return not_run(set, i, reason);
	m = run_inspector(set, &set->products[i], path, c, reason);
	note_outcome(set, i, m, reason);
	return m;
}

/* -- the batch protocol ------------------------------------------------- */

static const char *const frame_status_name[] = {"mine", "notmine", "error"};

int
identify_parse_frame(const char *buf, size_t len, struct identify_frame *f,
		     struct strbuf *reason)
{
	const char *nl = memchr(buf, '\n', len < IDENTIFY_FRAME_HEADER_MAX
						 ? len
						 : IDENTIFY_FRAME_HEADER_MAX);
	const char *sp, *d;
	size_t hlen, slen, body = 0;
	int k;

	if (!nl) {
		if (len < IDENTIFY_FRAME_HEADER_MAX)
			return 0;
		strbuf_addstr(reason, "frame header ");
		add_quoted(reason, buf, IDENTIFY_FRAME_HEADER_MAX);
		strbuf_addf(reason, " has no line end within %d bytes",
			    IDENTIFY_FRAME_HEADER_MAX);
		return -1;
	}
	hlen = (size_t)(nl - buf);
	sp = memchr(buf, ' ', hlen);
	if (!sp || sp == buf || sp + 1 == nl ||
	    memchr(sp + 1, ' ', (size_t)(nl - sp - 1))) {
		strbuf_addstr(reason, "frame header ");
		add_quoted(reason, buf, hlen);
		strbuf_addstr(reason, " is not \"STATUS LENGTH\"");
		return -1;
	}
	slen = (size_t)(sp - buf);
	for (k = 0; k < IDENTIFY_FRAME_NSTATUS; k++)
		if (strlen(frame_status_name[k]) == slen &&
		    !memcmp(buf, frame_status_name[k], slen))
			break;
	if (k == IDENTIFY_FRAME_NSTATUS) {
		strbuf_addstr(reason, "frame status ");
		add_quoted(reason, buf, slen);
		strbuf_addstr(reason, " is not mine, notmine or error");
		return -1;
	}
	for (d = sp + 1; d < nl; d++) {
		if (*d < '0' || *d > '9' || (d == sp + 1 && *d == '0' &&
					     d + 1 < nl)) {
			strbuf_addstr(reason, "frame length ");
			add_quoted(reason, sp + 1, (size_t)(nl - sp - 1));
			strbuf_addstr(reason, " is not a decimal number");
			return -1;
		}
		body = body * 10 + (size_t)(*d - '0');
		if (body > IDENTIFY_OUTPUT_MAX) {
			strbuf_addstr(reason, "frame length ");
			add_quoted(reason, sp + 1, (size_t)(nl - sp - 1));
			strbuf_addf(reason, " exceeds %zu bytes",
				    IDENTIFY_OUTPUT_MAX);
			return -1;
		}
	}
	if (len - hlen - 1 < body)
		return 0;
	f->status = (enum identify_frame_status)k;
	f->body = nl + 1;
	f->body_len = body;
	f->frame_len = hlen + 1 + body;
	return 1;
}

/* start b (not running): 0, or -1 (reported by spawn) */
static int
proc_start(struct batch_proc *b)
{
	spawn_child_release(&b->child);
	for (size_t j = 0; j < b->argv.nr; j++)
		strvec_push(&b->child.args, b->argv.v[j]);
	for (size_t j = 0; j < b->env.nr; j++)
		strvec_push(&b->child.env_delta, b->env.v[j]);
	/* its diagnostics are not its answers: shown with -v, else dropped */
	b->child.err_fd = log_get_level() >= LOG_LEVEL_INFO ? STDERR_FILENO
							    : -1;
	if (b->child.err_fd == STDERR_FILENO)
		log_progress_end();
	proc_close(b);
	if (spawn_start_piped(&b->child, &b->to_fd, &b->from_fd) < 0)
		return -1;
	b->running = true;
	b->starts++;
	return 0;
}

/*
 * Whether b, between batches, has written anything or ended: it answers
 * only what it is asked, so either means it is out of step (ended, it
 * is restarted at the next request).
 */
static void
proc_check_idle(struct batch_proc *b, const char *name)
{
	struct pollfd pfd = {.fd = b->from_fd, .events = POLLIN};

	if (!b->running || b->out.len || poll(&pfd, 1, 0) > 0) {
		if (b->running)
			log_warning("inspector \"%s\" wrote without being asked, "
				    "or ended, between files: restarted",
				    name);
		proc_end(b, 0, NULL);
	}
}

/* what one product's inspector said of each file of a batch */
struct answer {
	int m; /* 1 mine, 0 not mine, -1 failed (why) */
	struct candidate c;
	struct strbuf why;
};

/* fill in the answer for file k from frame f */
static int
take_frame(struct identify_set *set, size_t i, const struct identify_frame *f,
	   struct answer *a)
{
	const struct product *p = &set->products[i];
	const char *name = set->insp[i].name;
	struct identify_output o = IDENTIFY_OUTPUT_INIT;
	struct strbuf why = STRBUF_INIT;

	switch (f->status) {
	case IDENTIFY_FRAME_NOTMINE:
		if (f->body_len) {
			strbuf_addstr(&why, "not claimed: ");
			add_quoted(&why, f->body, f->body_len);
			log_info("inspector \"%s\" of product \"%s\": %s", name,
				 p->name, why.buf);
		}
		a->m = 0;
		break;
	case IDENTIFY_FRAME_ERROR:
		strbuf_addf(&a->why, "inspector \"%s\" of product \"%s\" "
				     "failed on this file: ",
			    name, p->name);
		add_quoted(&a->why, f->body, f->body_len);
		a->m = -1;
		break;
	case IDENTIFY_FRAME_MINE:
	default:
		if (identify_parse_output(f->body, f->body_len, &o, &why)) {
			strbuf_addf(&a->why, "inspector \"%s\" of product "
					     "\"%s\": %s",
				    name, p->name, why.buf);
			a->m = -1;
			break;
		}
		a->c.version = o.version;
		a->c.date = o.date;
		a->c.start = o.start_usec;
		a->c.stop = o.stop_usec;
		a->c.has_orbit = o.has_orbit;
		a->c.stop_given = o.stop_given;
		a->c.orbit = o.orbit;
		strbuf_add(&a->c.keywords, o.keywords.buf, o.keywords.len);
		a->m = 1;
		break;
	}
	identify_output_release(&o);
	strbuf_release(&why);
	return a->m;
}

/*
 * The unanswered file k failed because the process went wrong (died,
 * hung, answered out of protocol): it is ended (killed unless it had
 * ended), the failure kept, and the next file goes to a new process.
 */
static void
proc_failed(struct identify_set *set, size_t i, struct batch_proc *b,
	    int wait_ms, struct answer *a, const char *what)
{
	struct strbuf how = STRBUF_INIT;

	proc_end(b, wait_ms, &how);
	strbuf_addf(&a->why, "inspector \"%s\" of product \"%s\" failed: ",
		    set->insp[i].name, set->products[i].name);
	strbuf_addstr(&a->why, what);
	if (how.len)
		strbuf_addf(&a->why, " (it %s)", how.buf);
	strbuf_release(&how);
	a->m = -1;
	note_outcome(set, i, -1, &a->why);
}

/* queue requests for files from *k_write, up to about 64 KiB ahead */
static void
fill_requests(struct batch_proc *b, const char *const *paths, size_t n,
	      size_t *k_write)
{
	if (b->in_off && b->in_off == b->in.len) {
		strbuf_reset(&b->in);
		b->in_off = 0;
	}
	while (*k_write < n && b->in.len - b->in_off < 65536) {
		strbuf_addstr(&b->in, paths[*k_write]);
		strbuf_addch(&b->in, '\0');
		(*k_write)++;
	}
}

/*
 * Write what the pipe takes of the requests queued.  An inspector that
 * closed its input gets no more (k_write = n): what it wrote is still
 * read, and its end fails the file being waited for.
 */
static void
write_requests(struct batch_proc *b, size_t n, size_t *k_write)
{
	ssize_t w = spawn_pipe_write(b->to_fd, b->in.buf + b->in_off,
				     b->in.len - b->in_off);

	if (w > 0) {
		b->in_off += (size_t)w;
	} else if (w < 0 && errno != EAGAIN) {
		close(b->to_fd);
		b->to_fd = -1;
		strbuf_reset(&b->in);
		b->in_off = 0;
		*k_write = n;
	}
}

/*
 * Read what product i's process wrote and take the whole frames in it as
 * the answers for files *k on; a frame taken restarts the timeout
 * (*deadline -1).  Its end, a read error or a malformed frame fails file
 * *k and ends the process.  No answer is taken once the inspector is
 * given up.
 */
static void
read_answers(struct identify_set *set, size_t i, struct batch_proc *b,
	     size_t n, struct answer *a, size_t *k, int64_t *deadline)
{
	struct inspector_state *st = &set->insp[i];
	ssize_t got;
	size_t off = 0;

	strbuf_grow(&b->out, 65536);
	got = read(b->from_fd, b->out.buf + b->out.len, 65536);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		proc_failed(set, i, b, 1000, &a[*k],
			    got < 0 ? "its output could not be read "
				      "(inspector exited?)"
				    : "inspector exited before answering "
				      "about this file");
		(*k)++;
		return;
	}
	strbuf_setlen(&b->out, b->out.len + (size_t)got);
	while (*k < n && !st->disabled) {
		struct identify_frame f;
		struct strbuf why = STRBUF_INIT;
		int pr = identify_parse_frame(b->out.buf + off,
					      b->out.len - off, &f, &why);

		if (pr == 0) {
			strbuf_release(&why);
			break;
		}
		if (pr < 0) {
			struct strbuf what = STRBUF_INIT;

			strbuf_addf(&what, "malformed answer: %s", why.buf);
			proc_failed(set, i, b, 0, &a[*k], what.buf);
			strbuf_release(&what);
			strbuf_release(&why);
			(*k)++;
			return; /* proc_end emptied out */
		}
		strbuf_release(&why);
		note_outcome(set, i, take_frame(set, i, &f, &a[*k]),
			     &a[*k].why);
		off += f.frame_len;
		(*k)++;
		*deadline = -1;
	}
	if (off) {
		memmove(b->out.buf, b->out.buf + off, b->out.len - off);
		strbuf_setlen(&b->out, b->out.len - off);
	}
}

/* file k failed before it was asked: why (already in a->why) is kept */
static void
fail_unasked(struct identify_set *set, size_t i, struct answer *a)
{
	a->m = -1;
	note_outcome(set, i, -1, &a->why);
}

/*
 * Ask product i's batch inspector about the n files: answers in a[],
 * failures kept in its record.  Requests are written ahead while the
 * answers are read (poll on both pipes, so neither side can block the
 * other); each file has the inspector's timeout from the previous answer.
 */
static void
batch_ask(struct identify_set *set, size_t i, const char *const *paths,
	  size_t n, struct answer *a)
{
	struct inspector_state *st = &set->insp[i];
	const char *pname = set->products[i].name;
	struct batch_proc *b = &set->procs[st->proc];
	size_t k = 0, k_write = 0;
	int64_t deadline = -1;

	proc_check_idle(b, st->name);
	while (k < n) {
		struct pollfd pfd[2];
		int64_t now;
		int r;

		if (st->disabled) {
			/* its requests still pending are not its answers */
			proc_end(b, 0, NULL);
			a[k].m = not_run(set, i, &a[k].why);
			k++;
			continue;
		}
		if (b->unusable.len) {
			strbuf_addf(&a[k].why, "inspector \"%s\" of product "
					       "\"%s\" could not be run: %s",
				    st->name, pname, b->unusable.buf);
			fail_unasked(set, i, &a[k++]);
			continue;
		}
		if (!b->running) {
			if (proc_start(b) < 0) {
				strbuf_addf(&a[k].why,
					    "inspector \"%s\" of product \"%s\" "
					    "could not be run",
					    st->name, pname);
				fail_unasked(set, i, &a[k++]);
				continue;
			}
			k_write = k;
			deadline = -1;
		}
		if (deadline < 0)
			deadline = timeutil_mono_ns() +
				   (int64_t)b->timeout_ms * 1000000;
		fill_requests(b, paths, n, &k_write);
		pfd[0] = (struct pollfd){.fd = b->from_fd, .events = POLLIN};
		pfd[1] = (struct pollfd){
			.fd = b->in.len > b->in_off ? b->to_fd : -1,
			.events = POLLOUT};
		now = timeutil_mono_ns();
		r = now >= deadline
			    ? 0
			    : poll(pfd, 2,
				   (int)((deadline - now + 999999) / 1000000));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			error("could not wait for inspector \"%s\": %s",
			      st->name, strerror(errno));
			r = 0; /* as a timeout: it is killed, the file failed */
		}
		if (r == 0) {
			struct strbuf what = STRBUF_INIT;

			strbuf_addf(&what, "timed out after %d s on this file "
					   "(its process was killed; the files "
					   "after it go to a new one)",
				    b->timeout_ms / 1000);
			proc_failed(set, i, b, 0, &a[k++], what.buf);
			strbuf_release(&what);
			continue;
		}
		if (pfd[1].fd >= 0 && pfd[1].revents)
			write_requests(b, n, &k_write);
		if (pfd[0].revents)
			read_answers(set, i, b, n, a, &k, &deadline);
	}
	/* more than it was asked for is out of step: see proc_check_idle */
}

/* -- folding the products' answers ---------------------------------------- */

/* what the products said of one file so far */
struct tally {
	size_t nmatch, nfailed;
	struct strbuf failed; /* the first failure */
};

static void
tally_add(const struct identify_set *set, struct identify_result *r,
	  struct tally *t, size_t i, int m, const struct candidate *c,
	  const struct strbuf *why)
{
	if (m < 0) {
		/* not mine, as far as the others go */
		if (t->nfailed++ == 0)
			strbuf_addstr(&t->failed, why->buf);
		return;
	}
	if (m != 1)
		return;
	if (t->nmatch++ == 0) {
		r->product = i;
		r->date = c->date;
		r->start_usec = c->start;
		r->stop_usec = c->stop;
		r->version = c->version;
		r->versionless = c->versionless;
		r->has_orbit = c->has_orbit;
		r->stop_given = c->stop_given;
		r->orbit = c->orbit;
		strbuf_addstr(&r->keywords, c->keywords.buf);
	} else {
		if (t->nmatch == 2)
			strbuf_addf(&r->reason, "matches more than one product: "
						"\"%s\"",
				    set->products[r->product].name);
		strbuf_addf(&r->reason, ", \"%s\"", set->products[i].name);
	}
}

static void
tally_finish(const struct identify_set *set, struct identify_result *r,
	     struct tally *t)
{
	const char *field = NULL;

	if (t->nmatch == 1) {
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
	} else if (t->nmatch > 1) {
		r->kind = IDENTIFY_AMBIGUOUS;
	} else if (t->nfailed) {
		r->kind = IDENTIFY_ERROR;
		strbuf_addstr(&r->reason, t->failed.buf);
		if (t->nfailed > 1)
			strbuf_addf(&r->reason, " (and %zu more inspectors "
						"failed)",
				    t->nfailed - 1);
	} else {
		strbuf_addstr(&r->reason, "matches no product's filename "
					  "format or inspector");
	}
	strbuf_release(&t->failed);
}

int
identify_files(struct identify_set *set, const char *const *paths,
	       const char *const *names, struct identify_result *rs, size_t n)
{
	struct tally *t = xcalloc(n + 1, sizeof(*t));
	struct answer *a = NULL;

	for (size_t k = 0; k < n; k++) {
		strbuf_reset(&rs[k].keywords);
		strbuf_reset(&rs[k].reason);
		rs[k].kind = IDENTIFY_NONE;
		rs[k].bad_field = NULL;
		rs[k].versionless = false;
		rs[k].has_orbit = false;
		rs[k].orbit = 0;
		rs[k].stop_given = false;
		strbuf_init(&t[k].failed, 0);
	}
	for (size_t i = 0; i < set->n; i++) {
		const struct product *p = &set->products[i];

		/* a product whose inspector is not active claims nothing */
		if (!p->inspector.active)
			continue;
		if (set->insp[i].proc != SIZE_MAX) {
			if (!a)
				a = xcalloc(n + 1, sizeof(*a));
			for (size_t k = 0; k < n; k++) {
				a[k].m = 0;
				strbuf_init(&a[k].c.keywords, 0);
				strbuf_init(&a[k].why, 0);
			}
			batch_ask(set, i, paths, n, a);
			for (size_t k = 0; k < n; k++) {
				tally_add(set, &rs[k], &t[k], i, a[k].m, &a[k].c,
					  &a[k].why);
				strbuf_release(&a[k].c.keywords);
				strbuf_release(&a[k].why);
			}
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			struct candidate c = {0, 0, 0, {0, 0, 0}, STRBUF_INIT,
					      false, false, 0, false};
			struct strbuf why = STRBUF_INIT;
			int m = p->inspector.executable
					? ask_inspector(set, i, paths[k], &c, &why)
					: match_template(set, i, names[k], &c);

			tally_add(set, &rs[k], &t[k], i, m, &c, &why);
			strbuf_release(&c.keywords);
			strbuf_release(&why);
		}
	}
	for (size_t k = 0; k < n; k++)
		tally_finish(set, &rs[k], &t[k]);
	free(a);
	free(t);
	return 0;
}

int
identify_file(struct identify_set *set, const char *path, const char *name,
	      struct identify_result *r)
{
	return identify_files(set, &path, &name, r, 1);
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
			    st->name, set->products[i].name,
			    st->failures, st->runs, more.buf);
		log_detail("First failure: %s", st->first.buf);
		strbuf_release(&more);
	}
}
