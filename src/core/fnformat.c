/*
 * fnformat.c - compile, match and format file-name templates.
 *
 * Owns the template language: parsing "{field}" templates into a flat
 * program of literal runs and fields, matching whole names against it with
 * bounded backtracking, checking that the date fields of a name agree, and
 * formatting names back from values.  It does not know about products,
 * files on disk or the database: identify.c decides which templates to try
 * and what a match means, and callers report errors with their own context
 * (file, product, config key).
 *
 * Matching is a depth-first search over (element, offset) with a memo of
 * positions from which the rest of the template cannot match, whatever was
 * bound before.  Only the cross-field checks (a repeated field must repeat
 * its value; the date fields must agree) depend on the path taken, and
 * those are never memoised; a step budget bounds the search in the worst
 * case.  Variable-width fields are greedy (longest first), like the regular
 * expressions dbprocessing derived from the same templates, so an
 * ambiguous name resolves the way it did there.
 */
#include "fnformat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "orbit.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* Templates are paths at most; anything longer is a mistake. */
#define TEMPLATE_MAX 4096
/* Digits in one {VERSION} component (leading zeros allowed). */
#define VERSION_DIGITS_MAX 5
/* Digits in an {ORBIT} (leading zeros allowed) and those it is padded to. */
#define ORBIT_DIGITS_MAX 12
#define ORBIT_DIGITS_PAD 5

/* the template language and the orbits file agree on what a number is */
_Static_assert(FNFORMAT_ORBIT_MAX == ORBIT_MAX_NUMBER,
	       "FNFORMAT_ORBIT_MAX differs from ORBIT_MAX_NUMBER");

/*
 * Work allowed for one match, in steps (one per field tried), with bytes
 * scanned or compared costing one step per BYTES_PER_STEP; see
 * fnformat_match().  About 10-30 ms of work at most.
 */
#define MATCH_BUDGET (1L << 20)
#define BYTES_PER_STEP 32
/* Memo bits kept on the stack; larger searches allocate (rare). */
#define MEMO_STACK_BYTES 4096
/* Above this many memo bits, search without a memo (budget only). */
#define MEMO_MAX_BITS (UINT64_C(1) << 24)
/* {y}: 00-68 are 2000-2068, 69-99 are 1969-1999 (POSIX strptime %y). */
#define YEAR2_PIVOT 69

#define UNBOUNDED SIZE_MAX

enum elem_kind {
	EK_LITERAL,
	EK_YEAR,      /* {Y} */
	EK_YEAR2,     /* {y} */
	EK_MONTH,     /* {m} */
	EK_DAY,       /* {d} */
	EK_DOY,       /* {j} */
	EK_MONTHNAME, /* {b} */
	EK_DATE,      /* {DATE} {datetime} */
	EK_HOUR,
	EK_MINUTE,
	EK_SECOND,
	EK_MILLI,
	EK_MICRO,
	EK_VERSION,
	EK_ORBIT,
	EK_NAME,   /* a name field unknown at compile time */
	EK_ANY,    /* {??} {???} {????} */
	EK_DIGITS, /* {nn} {nnn} {nnnn} */
	EK_APID,
	EK_QACODE,
	EK_MDAY,
};

/*
 * Slots hold what the fields of one match bound.  A field that repeats a
 * slot (two {m}, or {b} and {m}, or {Y} and {DATE}) must bind the same
 * value.  Numeric slots first, then the version and the orbit, then the
 * byte spans.
 */
enum slot {
	SL_YEAR,
	SL_YEAR2,
	SL_MONTH,
	SL_DAY,
	SL_DOY,
	SL_HOUR,
	SL_MINUTE,
	SL_SECOND,
	SL_MILLI,
	SL_MICRO,
	SL_VERSION,
	SL_ORBIT,
	SL_MISSION,
	SL_SATELLITE,
	SL_INSTRUMENT,
	SL_PRODUCT,
	SL_KW_ANY2,
	SL_KW_ANY3,
	SL_KW_ANY4,
	SL_KW_N2,
	SL_KW_N3,
	SL_KW_N4,
	SL_KW_APID,
	SL_KW_QACODE,
	SL_KW_MDAY,
	SL_COUNT,
	SL_NONE = -1,
};

#define SL_NUM_COUNT SL_VERSION
#define SL_SPAN0 SL_MISSION
#define SL_SPAN_COUNT (SL_COUNT - SL_SPAN0)
#define SLOT_BIT(s) (UINT32_C(1) << (s))

enum name_which {
	NAME_NONE,
	NAME_MISSION,
	NAME_SATELLITE,
	NAME_INSTRUMENT,
	NAME_PRODUCT,
};

struct field_def {
	const char *name;
	enum elem_kind kind;
	int slot;
	size_t min_w, max_w;
	enum name_which which;
	bool keyword;
};

static const struct field_def field_defs[] = {
	{"Y", EK_YEAR, SL_YEAR, 4, 4, NAME_NONE, false},
	{"y", EK_YEAR2, SL_YEAR2, 2, 2, NAME_NONE, false},
	{"m", EK_MONTH, SL_MONTH, 2, 2, NAME_NONE, false},
	{"d", EK_DAY, SL_DAY, 2, 2, NAME_NONE, false},
	{"j", EK_DOY, SL_DOY, 3, 3, NAME_NONE, false},
	{"b", EK_MONTHNAME, SL_MONTH, 3, 3, NAME_NONE, false},
	{"DATE", EK_DATE, SL_NONE, 8, 8, NAME_NONE, false},
	{"datetime", EK_DATE, SL_NONE, 8, 8, NAME_NONE, false},
	{"H", EK_HOUR, SL_HOUR, 2, 2, NAME_NONE, false},
	{"M", EK_MINUTE, SL_MINUTE, 2, 2, NAME_NONE, false},
	{"S", EK_SECOND, SL_SECOND, 2, 2, NAME_NONE, false},
	{"MILLI", EK_MILLI, SL_MILLI, 3, 3, NAME_NONE, false},
	{"MICRO", EK_MICRO, SL_MICRO, 3, 3, NAME_NONE, false},
	{"VERSION", EK_VERSION, SL_VERSION, 5, 3 * VERSION_DIGITS_MAX + 2,
	 NAME_NONE, false},
	{"ORBIT", EK_ORBIT, SL_ORBIT, 1, ORBIT_DIGITS_MAX, NAME_NONE, false},
	{"MISSION", EK_NAME, SL_MISSION, 1, UNBOUNDED, NAME_MISSION, false},
	{"SATELLITE", EK_NAME, SL_SATELLITE, 1, UNBOUNDED, NAME_SATELLITE,
	 false},
	{"SPACECRAFT", EK_NAME, SL_SATELLITE, 1, UNBOUNDED, NAME_SATELLITE,
	 false},
	{"INSTRUMENT", EK_NAME, SL_INSTRUMENT, 1, UNBOUNDED, NAME_INSTRUMENT,
	 false},
	{"PRODUCT", EK_NAME, SL_PRODUCT, 1, UNBOUNDED, NAME_PRODUCT, false},
	{"??", EK_ANY, SL_KW_ANY2, 2, 2, NAME_NONE, true},
	{"???", EK_ANY, SL_KW_ANY3, 3, 3, NAME_NONE, true},
	{"????", EK_ANY, SL_KW_ANY4, 4, 4, NAME_NONE, true},
	{"nn", EK_DIGITS, SL_KW_N2, 2, 2, NAME_NONE, true},
	{"nnn", EK_DIGITS, SL_KW_N3, 3, 3, NAME_NONE, true},
	{"nnnn", EK_DIGITS, SL_KW_N4, 4, 4, NAME_NONE, true},
	{"APID", EK_APID, SL_KW_APID, 1, UNBOUNDED, NAME_NONE, true},
	{"QACODE", EK_QACODE, SL_KW_QACODE, 2, 7, NAME_NONE, true},
	{"mday", EK_MDAY, SL_KW_MDAY, 1, 2, NAME_NONE, true},
};

static const char *const runtime_fields[] = {"CODEDIR", "CODEVERSION",
					     "ROOTDIR"};

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr",
					   "May", "Jun", "Jul", "Aug",
					   "Sep", "Oct", "Nov", "Dec"};

static const char *const qacodes[] = {"ok", "ignore", "problem"};

struct elem {
	enum elem_kind kind;
	const struct field_def *def; /* NULL for literals */
	size_t lit_off, lit_len;     /* literals: bytes in f->lits */
	size_t min_w, max_w;
	/* bounds on the length of everything after this element */
	size_t min_after, max_after;
};

struct fnformat {
	struct elem *elems;
	size_t nelems;
	size_t alloc;
	char *lits;
	size_t nvar;      /* variable-width elements */
	size_t min_len, max_len;
	bool uses_date;   /* some date field appears */
	bool has_date;    /* and together they give a full date */
	bool has_time;
	bool has_version;
	bool has_orbit;
	bool has_names;   /* a name field unknown at compile time */
};

static size_t
sat_add(size_t a, size_t b)
{
	return (a == UNBOUNDED || b == UNBOUNDED || a > UNBOUNDED - b)
		       ? UNBOUNDED
		       : a + b;
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Bytes a free-text field may hold: anything but a path separator or NUL. */
static bool
is_text(unsigned char c)
{
	return c != '/' && c != '\0';
}

static int
parse_digits(const unsigned char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static struct elem *
add_elem(struct fnformat *f)
{
	struct elem *e;

	ALLOC_GROW(f->elems, f->nelems + 1, f->alloc);
	e = &f->elems[f->nelems++];
	memset(e, 0, sizeof(*e));
	return e;
}

static void
add_literal(struct fnformat *f, struct strbuf *lits, const char *s, size_t n)
{
	struct elem *last = f->nelems ? &f->elems[f->nelems - 1] : NULL;

	if (!n)
		return;
	/* literals are appended in order, so a trailing literal can grow */
	if (!last || last->kind != EK_LITERAL) {
		last = add_elem(f);
		last->kind = EK_LITERAL;
		last->lit_off = lits->len;
	}
	strbuf_add(lits, s, n);
	last->lit_len += n;
	last->min_w = last->max_w = last->lit_len;
}

static const char *
known_name(const struct fnformat_names *names, enum name_which which)
{
	if (!names)
		return NULL;
	switch (which) {
	case NAME_MISSION:
		return names->mission;
	case NAME_SATELLITE:
		return names->satellite;
	case NAME_INSTRUMENT:
		return names->instrument;
	case NAME_PRODUCT:
		return names->product;
	case NAME_NONE:
		break;
	}
	return NULL;
}

static const struct field_def *
find_field(const char *name, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_defs); i++)
		if (strlen(field_defs[i].name) == n &&
		    !memcmp(field_defs[i].name, name, n))
			return &field_defs[i];
	return NULL;
}

static bool
is_runtime_field(const char *name, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(runtime_fields); i++)
		if (strlen(runtime_fields[i]) == n &&
		    !memcmp(runtime_fields[i], name, n))
			return true;
	return false;
}

/* Field names quoted in messages are cut short: templates come from users. */
#define QUOTE_MAX 64

static int
add_field(struct fnformat *f, struct strbuf *lits,
	  const struct fnformat_names *names, const char *name, size_t n,
	  size_t at, struct strbuf *err)
{
	const struct field_def *def = find_field(name, n);
	const char *known;
	struct elem *e;
	int shown = n > QUOTE_MAX ? QUOTE_MAX : (int)n;

	if (!def) {
		if (!n)
			strbuf_addf(err, "empty field \"{}\" at byte %zu", at);
		else if (is_runtime_field(name, n))
			strbuf_addf(err,
				    "field \"{%.*s}\" at byte %zu is only "
				    "substituted in code arguments, not in file "
				    "names",
				    shown, name, at);
		else
			strbuf_addf(err, "unknown field \"{%.*s%s}\" at byte %zu",
				    shown, name, n > QUOTE_MAX ? "..." : "",
				    at);
		return -1;
	}
	if (def->kind == EK_NAME &&
	    (known = known_name(names, def->which)) != NULL) {
		add_literal(f, lits, known, strlen(known));
		return 0;
	}
	e = add_elem(f);
	e->kind = def->kind;
	e->def = def;
	e->min_w = def->min_w;
	e->max_w = def->max_w;
	return 0;
}

/*
 * Compile-time summary: bounds for the prefilter and the search window,
 * and which kinds of values a match yields.
 */
static void
summarise(struct fnformat *f)
{
	bool year = false, month = false, day = false, doy = false;
	size_t min_after = 0, max_after = 0;

	for (size_t i = f->nelems; i-- > 0;) {
		struct elem *e = &f->elems[i];

		e->min_after = min_after;
		e->max_after = max_after;
		min_after = sat_add(min_after, e->min_w);
		max_after = sat_add(max_after, e->max_w);
		if (e->min_w != e->max_w)
			f->nvar++;
		switch (e->kind) {
		case EK_YEAR:
		case EK_YEAR2:
			year = true;
			break;
		case EK_MONTH:
		case EK_MONTHNAME:
			month = true;
			break;
		case EK_DAY:
			day = true;
			break;
		case EK_DOY:
			doy = true;
			break;
		case EK_DATE:
			year = month = day = true;
			break;
		case EK_HOUR:
		case EK_MINUTE:
		case EK_SECOND:
		case EK_MILLI:
		case EK_MICRO:
			f->has_time = true;
			break;
		case EK_VERSION:
			f->has_version = true;
			break;
		case EK_ORBIT:
			f->has_orbit = true;
			break;
		case EK_NAME:
			f->has_names = true;
			break;
		case EK_LITERAL:
		case EK_ANY:
		case EK_DIGITS:
		case EK_APID:
		case EK_QACODE:
		case EK_MDAY:
			break;
		}
	}
	f->min_len = min_after;
	f->max_len = max_after;
	f->uses_date = year || month || day || doy;
	f->has_date = year && ((month && day) || doy);
}

int
fnformat_compile(const char *tmpl, const struct fnformat_names *names,
		 struct fnformat **out, struct strbuf *err)
{
	struct fnformat *f = NULL;
	struct strbuf lits = STRBUF_INIT;
	size_t len = strlen(tmpl);
	size_t i = 0;

	*out = NULL;
	if (!len) {
		strbuf_addstr(err, "empty template");
		return -1;
	}
	if (len > TEMPLATE_MAX) {
		strbuf_addf(err, "template too long (%zu bytes, at most %d)",
			    len, TEMPLATE_MAX);
		return -1;
	}
	f = xcalloc(1, sizeof(*f));
	while (i < len) {
		const char *close;
		size_t run = strcspn(tmpl + i, "{}");

		add_literal(f, &lits, tmpl + i, run);
		i += run;
		if (i == len)
			break;
		if (tmpl[i] == '}') {
			if (tmpl[i + 1] != '}') {
				strbuf_addf(err, "unmatched \"}\" at byte %zu",
					    i);
				goto fail;
			}
			add_literal(f, &lits, "}", 1);
			i += 2;
			continue;
		}
		if (tmpl[i + 1] == '{') {
			add_literal(f, &lits, "{", 1);
			i += 2;
			continue;
		}
		close = strchr(tmpl + i + 1, '}');
		if (!close) {
			strbuf_addf(err, "unterminated field \"{\" at byte %zu",
				    i);
			goto fail;
		}
		if (add_field(f, &lits, names, tmpl + i + 1,
			      (size_t)(close - tmpl) - i - 1, i, err))
			goto fail;
		i = (size_t)(close - tmpl) + 1;
	}
	if (!f->nelems) {
		/* only possible with a known name that is empty */
		strbuf_addstr(err, "template expands to an empty name");
		goto fail;
	}
	f->lits = strbuf_detach(&lits, NULL);
	summarise(f);
	*out = f;
	return 0;
fail:
	strbuf_release(&lits);
	fnformat_free(f);
	return -1;
}

void
fnformat_free(struct fnformat *f)
{
	if (!f)
		return;
	free(f->elems);
	free(f->lits);
	free(f);
}

bool
fnformat_has_version(const struct fnformat *f)
{
	return f->has_version;
}

bool
fnformat_has_date(const struct fnformat *f)
{
	return f->has_date;
}

bool
fnformat_has_orbit(const struct fnformat *f)
{
	return f->has_orbit;
}

bool
fnformat_is_complete(const struct fnformat *f)
{
	return !f->has_names && (!f->uses_date || f->has_date);
}

void
fnformat_match_release(struct fnformat_match *m)
{
	strbuf_release(&m->keywords);
	m->has_date = m->has_time = m->has_version = m->has_orbit = false;
}

/* ---- matching ---- */

enum { M_OK, M_DEAD, M_FAIL };

struct mctx {
	const struct fnformat *f;
	const unsigned char *s;
	size_t len;
	unsigned char *memo; /* NULL: no memo */
	size_t stride;
	long budget; /* aborted when it goes negative */
	bool aborted;
	uint32_t final_mask;
	bool res_has_date;
	int32_t res_date;
	int num[SL_NUM_COUNT];
	struct version ver;
	int64_t orbit;
	size_t span_off[SL_SPAN_COUNT], span_len[SL_SPAN_COUNT];
};

static int match_from(struct mctx *c, size_t i, size_t p, uint32_t mask);

static bool
bind_num(struct mctx *c, uint32_t *mask, int slot, int v)
{
	if (*mask & SLOT_BIT(slot))
		return c->num[slot] == v;
	c->num[slot] = v;
	*mask |= SLOT_BIT(slot);
	return true;
}

static void
charge_bytes(struct mctx *c, size_t n)
{
	c->budget -= (long)(n / BYTES_PER_STEP);
}

static bool
bind_span(struct mctx *c, uint32_t *mask, int slot, size_t off, size_t n)
{
	int k = slot - SL_SPAN0;

	if (*mask & SLOT_BIT(slot)) {
		if (c->span_len[k] != n)
			return false;
		charge_bytes(c, n);
		return !memcmp(c->s + c->span_off[k], c->s + off, n);
	}
	c->span_off[k] = off;
	c->span_len[k] = n;
	*mask |= SLOT_BIT(slot);
	return true;
}

/* A fixed-width date/time field: its value, or -1 if the bytes are wrong. */
static int
fixed_value(enum elem_kind kind, const unsigned char *s)
{
	int v;

	switch (kind) {
	case EK_YEAR:
		v = parse_digits(s, 4);
		return v >= 1 ? v : -1;
	case EK_YEAR2:
		return parse_digits(s, 2);
	case EK_MONTH:
		v = parse_digits(s, 2);
		return v >= 1 && v <= 12 ? v : -1;
	case EK_DAY:
		v = parse_digits(s, 2);
		return v >= 1 && v <= 31 ? v : -1;
	case EK_DOY:
		v = parse_digits(s, 3);
		return v >= 1 && v <= 366 ? v : -1;
	case EK_MONTHNAME:
		for (int i = 0; i < 12; i++)
			if (!memcmp(s, month_abbr[i], 3))
				return i + 1;
		return -1;
	case EK_HOUR:
		v = parse_digits(s, 2);
		return v <= 23 ? v : -1;
	case EK_MINUTE:
	case EK_SECOND:
		v = parse_digits(s, 2);
		return v <= 59 ? v : -1;
	case EK_MILLI:
	case EK_MICRO:
		return parse_digits(s, 3);
	default:
		break;
	}
	BUG("fixed_value: kind %d", (int)kind);
}

/*
 * The cross-field date check, once a whole name has matched: every date
 * field must describe the same day, and the day must exist.
 */
static bool
check_date(struct mctx *c, uint32_t mask)
{
	bool has_y = mask & SLOT_BIT(SL_YEAR), has_y2 = mask & SLOT_BIT(SL_YEAR2);
	bool has_m = mask & SLOT_BIT(SL_MONTH), has_d = mask & SLOT_BIT(SL_DAY);
	bool has_j = mask & SLOT_BIT(SL_DOY);
	int year = 0, mon = c->num[SL_MONTH], day = c->num[SL_DAY];
	int doy = c->num[SL_DOY];

	c->res_has_date = false;
	if (has_y) {
		year = c->num[SL_YEAR];
		if (has_y2 && year % 100 != c->num[SL_YEAR2])
			return false;
	} else if (has_y2) {
		int yy = c->num[SL_YEAR2];

		year = yy < YEAR2_PIVOT ? 2000 + yy : 1900 + yy;
	}
	if (has_y || has_y2) {
		if (has_j) {
			int32_t date, jan1 = timeutil_days_from_ymd(year, 1, 1);
			int ry, rm, rd;

			if (doy > timeutil_day_of_year(
					  timeutil_days_from_ymd(year, 12, 31)))
				return false;
			date = jan1 + doy - 1;
			timeutil_ymd_from_days(date, &ry, &rm, &rd);
			if ((has_m && rm != mon) || (has_d && rd != day))
				return false;
			c->res_has_date = true;
			c->res_date = date;
			return true;
		}
		if (has_m && has_d) {
			if (!timeutil_valid_ymd(year, mon, day))
				return false;
			c->res_has_date = true;
			c->res_date = timeutil_days_from_ymd(year, mon, day);
			return true;
		}
		return true;
	}
	/* no year: the fields must fit some year (2000 is leap, 2001 not) */
	for (year = 2000; year <= 2001; year++) {
		int ry, rm, rd;

		if (has_m && has_d && day > timeutil_days_in_month(year, mon))
			continue;
		if (has_j) {
			if (doy > timeutil_day_of_year(
					  timeutil_days_from_ymd(year, 12, 31)))
				continue;
			timeutil_ymd_from_days(
				timeutil_days_from_ymd(year, 1, 1) + doy - 1,
				&ry, &rm, &rd);
			if ((has_m && rm != mon) || (has_d && rd != day))
				continue;
		}
		return true;
	}
	return false;
}

static int
leaf(struct mctx *c, uint32_t mask)
{
	if (!check_date(c, mask))
		return M_FAIL;
	c->final_mask = mask;
	return M_OK;
}

/*
 * Fold a child's result into the running result of a node: success ends
 * the search, and a failure that depended on bound values keeps the node
 * out of the memo.
 */
#define FOLD(res, rc)                                                        \
	do {                                                                 \
		if ((rc) == M_OK)                                            \
			return M_OK;                                         \
		if ((rc) == M_FAIL)                                          \
			(res) = M_FAIL;                                      \
		if (c->aborted)                                              \
			return M_FAIL;                                       \
	} while (0)

/* Length of the run of bytes at p for which ok() holds, at most cap. */
static size_t
run_len(struct mctx *c, size_t p, bool (*ok)(unsigned char), size_t cap)
{
	size_t n = 0;

	while (n < cap && p + n < c->len && ok(c->s[p + n]))
		n++;
	charge_bytes(c, n);
	return n;
}

/*
 * Try every width in [lo, hi] of the variable field e at p, longest first,
 * binding its text to slot; the field's own syntax allows at most the
 * bytes for which ok() holds.
 */
static int
try_widths(struct mctx *c, size_t i, size_t p, uint32_t mask, int slot,
	   bool (*ok)(unsigned char), size_t lo, size_t hi)
{
	const struct fnformat *f = c->f;
	const struct elem *next = i + 1 < f->nelems ? &f->elems[i + 1] : NULL;
	int next_ch = next && next->kind == EK_LITERAL
			      ? (unsigned char)f->lits[next->lit_off]
			      : -1;
	int res = M_DEAD;

	if (mask & SLOT_BIT(slot)) {
		/*
		 * A repeat: only the width bound first can agree.  The widths
		 * skipped here might work on another path, so this node's
		 * failure is never memoised.
		 */
		size_t n = c->span_len[slot - SL_SPAN0];

		if (n < lo || n > hi)
			return M_FAIL;
		/* the text bound first already has the field's syntax */
		lo = hi = n;
		res = M_FAIL;
	} else {
		hi = run_len(c, p, ok, hi);
	}
	for (size_t w = hi; w >= lo && w > 0; w--) {
		uint32_t m2 = mask;
		int rc;

		if (next_ch >= 0 && c->s[p + w] != next_ch)
			continue;
		if (!bind_span(c, &m2, slot, p, w)) {
			res = M_FAIL;
			continue;
		}
		rc = match_from(c, i + 1, p + w, m2);
		FOLD(res, rc);
	}
	return res;
}

static int
match_version(struct mctx *c, size_t i, size_t p, uint32_t mask, size_t lo,
	      size_t hi)
{
	struct version v;
	size_t n1, n2, n3, q;
	int res = M_DEAD;

	n1 = run_len(c, p, is_digit, VERSION_DIGITS_MAX + 1);
	if (!n1 || n1 > VERSION_DIGITS_MAX || p + n1 >= c->len ||
	    c->s[p + n1] != '.')
		return M_DEAD;
	q = p + n1 + 1;
	n2 = run_len(c, q, is_digit, VERSION_DIGITS_MAX + 1);
	if (!n2 || n2 > VERSION_DIGITS_MAX || q + n2 >= c->len ||
	    c->s[q + n2] != '.')
		return M_DEAD;
	q += n2 + 1;
	/* the revision may be followed by more digits of the next field */
	n3 = run_len(c, q, is_digit, VERSION_DIGITS_MAX);
	v.interface = parse_digits(c->s + p, n1);
	v.quality = parse_digits(c->s + p + n1 + 1, n2);
	if (v.interface > VERSION_COMPONENT_MAX ||
	    v.quality > VERSION_COMPONENT_MAX)
		return M_DEAD;
	for (size_t w3 = n3; w3 > 0; w3--) {
		size_t w = q + w3 - p;
		uint32_t m2 = mask;
		int rc;

		if (w < lo || w > hi)
			continue;
		v.revision = parse_digits(c->s + q, w3);
		if (v.revision > VERSION_COMPONENT_MAX)
			continue;
		if (m2 & SLOT_BIT(SL_VERSION)) {
			if (version_cmp(&c->ver, &v)) {
				res = M_FAIL;
				continue;
			}
		} else {
			c->ver = v;
			m2 |= SLOT_BIT(SL_VERSION);
		}
		rc = match_from(c, i + 1, p + w, m2);
		FOLD(res, rc);
	}
	return res;
}

/*
 * {ORBIT}: every width of the run of digits at p, longest first.  A
 * repeat must give the same number, whatever its width, so a failure here
 * after a repeat depends on what was bound and is never memoised.
 */
static int
match_orbit(struct mctx *c, size_t i, size_t p, uint32_t mask, size_t lo,
	    size_t hi)
{
	size_t n = run_len(c, p, is_digit, hi);
	int res = M_DEAD;

	for (size_t w = n; w >= lo && w > 0; w--) {
		uint32_t m2 = mask;
		int64_t v = 0;
		int rc;

		for (size_t k = 0; k < w; k++)
			v = v * 10 + (c->s[p + k] - '0');
		if (m2 & SLOT_BIT(SL_ORBIT)) {
			if (c->orbit != v) {
				res = M_FAIL;
				continue;
			}
		} else {
			c->orbit = v;
			m2 |= SLOT_BIT(SL_ORBIT);
		}
		rc = match_from(c, i + 1, p + w, m2);
		FOLD(res, rc);
	}
	return res;
}

static int
match_elem(struct mctx *c, size_t i, size_t p, uint32_t mask)
{
	const struct elem *e = &c->f->elems[i];
	const unsigned char *s = c->s + p;
	size_t rem = c->len - p;
	size_t lo, hi;
	int v;

	/* the window of widths that leave room for the rest */
	if (rem < e->min_after)
		return M_DEAD;
	hi = rem - e->min_after;
	if (hi > e->max_w)
		hi = e->max_w;
	lo = e->max_after == UNBOUNDED || e->max_after >= rem
		     ? 0
		     : rem - e->max_after;
	if (lo < e->min_w)
		lo = e->min_w;
	if (lo > hi)
		return M_DEAD;

	switch (e->kind) {
	case EK_LITERAL:
		charge_bytes(c, e->lit_len);
		if (memcmp(s, c->f->lits + e->lit_off, e->lit_len))
			return M_DEAD;
		return match_from(c, i + 1, p + e->lit_len, mask);
	case EK_DATE: {
		int y = parse_digits(s, 4), m = parse_digits(s + 4, 2),
		    d = parse_digits(s + 6, 2);

		if (y < 0 || m < 0 || d < 0 || !timeutil_valid_ymd(y, m, d))
			return M_DEAD;
		if (!bind_num(c, &mask, SL_YEAR, y) ||
		    !bind_num(c, &mask, SL_MONTH, m) ||
		    !bind_num(c, &mask, SL_DAY, d))
			return M_FAIL;
		return match_from(c, i + 1, p + 8, mask);
	}
	case EK_YEAR:
	case EK_YEAR2:
	case EK_MONTH:
	case EK_DAY:
	case EK_DOY:
	case EK_MONTHNAME:
	case EK_HOUR:
	case EK_MINUTE:
	case EK_SECOND:
	case EK_MILLI:
	case EK_MICRO:
		v = fixed_value(e->kind, s);
		if (v < 0)
			return M_DEAD;
		if (!bind_num(c, &mask, e->def->slot, v))
			return M_FAIL;
		return match_from(c, i + 1, p + e->min_w, mask);
	case EK_ANY:
		if (run_len(c, p, is_text, e->min_w) != e->min_w)
			return M_DEAD;
		if (!bind_span(c, &mask, e->def->slot, p, e->min_w))
			return M_FAIL;
		return match_from(c, i + 1, p + e->min_w, mask);
	case EK_DIGITS:
		if (run_len(c, p, is_digit, e->min_w) != e->min_w)
			return M_DEAD;
		if (!bind_span(c, &mask, e->def->slot, p, e->min_w))
			return M_FAIL;
		return match_from(c, i + 1, p + e->min_w, mask);
	case EK_QACODE:
		for (size_t k = 0; k < ARRAY_SIZE(qacodes); k++) {
			size_t n = strlen(qacodes[k]);

			if (n >= lo && n <= hi && !memcmp(s, qacodes[k], n)) {
				if (!bind_span(c, &mask, e->def->slot, p, n))
					return M_FAIL;
				return match_from(c, i + 1, p + n, mask);
			}
		}
		return M_DEAD;
	case EK_VERSION:
		return match_version(c, i, p, mask, lo, hi);
	case EK_ORBIT:
		return match_orbit(c, i, p, mask, lo, hi);
	case EK_APID:
		return try_widths(c, i, p, mask, e->def->slot, is_hex, lo, hi);
	case EK_MDAY:
		return try_widths(c, i, p, mask, e->def->slot, is_digit, lo,
				  hi);
	case EK_NAME:
		return try_widths(c, i, p, mask, e->def->slot, is_text, lo,
				  hi);
	}
	BUG("match_elem: kind %d", (int)e->kind);
}

static bool
memo_test(const struct mctx *c, size_t i, size_t p)
{
	size_t bit = i * c->stride + p;

	return c->memo[bit / 8] & (1u << (bit % 8));
}

static void
memo_set(struct mctx *c, size_t i, size_t p)
{
	size_t bit = i * c->stride + p;

	c->memo[bit / 8] |= (unsigned char)(1u << (bit % 8));
}

static int
match_from(struct mctx *c, size_t i, size_t p, uint32_t mask)
{
	int rc;

	if (i == c->f->nelems)
		return p == c->len ? leaf(c, mask) : M_DEAD;
	if (c->memo && memo_test(c, i, p))
		return M_DEAD;
	if (--c->budget < 0) {
		c->aborted = true;
		return M_FAIL;
	}
	rc = match_elem(c, i, p, mask);
	if (rc == M_DEAD && c->memo)
		memo_set(c, i, p);
	return rc;
}

static void
add_keywords(const struct mctx *c, struct strbuf *out)
{
	uint32_t done = 0;

	for (size_t i = 0; i < c->f->nelems; i++) {
		const struct elem *e = &c->f->elems[i];
		int k;

		if (!e->def || !e->def->keyword ||
		    (done & SLOT_BIT(e->def->slot)))
			continue;
		done |= SLOT_BIT(e->def->slot);
		k = e->def->slot - SL_SPAN0;
		if (out->len)
			strbuf_addch(out, ' ');
		strbuf_addf(out, "%s=", e->def->name);
		strbuf_add(out, c->s + c->span_off[k], c->span_len[k]);
	}
}

int
fnformat_match(const struct fnformat *f, const char *name, size_t len,
	       struct fnformat_match *m)
{
	const struct elem *first = &f->elems[0];
	const struct elem *last = &f->elems[f->nelems - 1];
	unsigned char memo_stack[MEMO_STACK_BYTES];
	unsigned char *memo_heap = NULL;
	struct mctx c;
	int rc;

	m->has_date = m->has_time = m->has_version = m->has_orbit = false;
	m->date = 0;
	m->time_usec = 0;
	m->orbit = 0;
	strbuf_reset(&m->keywords);

	/* prefilter: length, literal prefix and suffix */
	if (len < f->min_len || len > f->max_len)
		return 0;
	if (first->kind == EK_LITERAL &&
	    memcmp(name, f->lits + first->lit_off, first->lit_len))
		return 0;
	if (last->kind == EK_LITERAL &&
	    memcmp(name + len - last->lit_len, f->lits + last->lit_off,
		   last->lit_len))
		return 0;

	memset(&c, 0, sizeof(c));
	c.f = f;
	c.s = (const unsigned char *)name;
	c.len = len;
	c.stride = len + 1;
	c.budget = MATCH_BUDGET;
	/* with fewer than two variable fields no position is reached twice */
	if (f->nvar >= 2 &&
	    (uint64_t)f->nelems * (uint64_t)c.stride <= MEMO_MAX_BITS) {
		size_t bytes = (f->nelems * c.stride + 7) / 8;

		if (bytes <= sizeof(memo_stack)) {
			memset(memo_stack, 0, bytes);
			c.memo = memo_stack;
		} else {
			c.memo = memo_heap = xcalloc(1, bytes);
		}
	}
	rc = match_from(&c, 0, 0, 0);
	free(memo_heap);
	if (rc != M_OK)
		return 0;

	m->has_date = c.res_has_date;
	m->date = c.res_has_date ? c.res_date : 0;
	m->has_time = f->has_time;
	if (f->has_time) {
		static const int64_t scale[] = {
			[SL_HOUR] = 3600 * USEC_PER_SEC,
			[SL_MINUTE] = 60 * USEC_PER_SEC,
			[SL_SECOND] = USEC_PER_SEC,
			[SL_MILLI] = 1000,
			[SL_MICRO] = 1,
		};

		for (int s = SL_HOUR; s <= SL_MICRO; s++)
			if (c.final_mask & SLOT_BIT(s))
				m->time_usec += c.num[s] * scale[s];
	}
	m->has_version = f->has_version;
	if (f->has_version)
		m->version = c.ver;
	m->has_orbit = f->has_orbit;
	if (f->has_orbit)
		m->orbit = c.orbit;
	add_keywords(&c, &m->keywords);
	return 1;
}

/* ---- formatting ---- */

/* {??}-style keys take a fixed number of bytes, which may include spaces. */
static size_t
any_width(const char *key, size_t n)
{
	if (n < 2 || n > 4)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (key[i] != '?')
			return 0;
	return n;
}

/*
 * Find key in a "k=v k2=v2" keyword string.  Values run to the next space,
 * except for the fixed-width {??} keys, whose values may hold spaces.
 */
static bool
find_keyword(const char *kw, const char *key, const char **val, size_t *vlen)
{
	const char *p = kw;
	size_t klen = strlen(key);

	while (*p) {
		const char *k, *v;
		size_t kl, w;

		while (*p == ' ')
			p++;
		k = p;
		while (*p && *p != '=' && *p != ' ')
			p++;
		if (*p != '=')
			continue;
		kl = (size_t)(p - k);
		v = ++p;
		w = any_width(k, kl);
		if (w && strnlen(v, w) == w)
			p = v + w;
		else
			p += strcspn(p, " ");
		if (kl == klen && !memcmp(k, key, kl)) {
			*val = v;
			*vlen = (size_t)(p - v);
			return true;
		}
	}
	return false;
}

/* Would v match keyword field e?  So that format never writes a non-match. */
static bool
keyword_valid(const struct elem *e, const char *v, size_t n)
{
	size_t i;

	switch (e->kind) {
	case EK_ANY:
	case EK_DIGITS:
		if (n != e->min_w)
			return false;
		for (i = 0; i < n; i++)
			if (e->kind == EK_ANY ? !is_text((unsigned char)v[i])
					      : !is_digit((unsigned char)v[i]))
				return false;
		return true;
	case EK_APID:
	case EK_MDAY:
		if (n < e->min_w || n > e->max_w)
			return false;
		for (i = 0; i < n; i++)
			if (e->kind == EK_APID ? !is_hex((unsigned char)v[i])
					       : !is_digit((unsigned char)v[i]))
				return false;
		return true;
	case EK_QACODE:
		for (i = 0; i < ARRAY_SIZE(qacodes); i++)
			if (strlen(qacodes[i]) == n && !memcmp(qacodes[i], v, n))
				return true;
		return false;
	default:
		break;
	}
	return false;
}

/*
 * fnformat_format's values checked against what f needs, and the date's
 * parts (*y, *mon, *d, *doy: left 0 without a date); -1 with err set.
 */
static int
check_values(const struct fnformat *f, const struct fnformat_values *v,
	     struct strbuf *err, int *y, int *mon, int *d, int *doy)
{
	int64_t t = v->time_usec;

	if (f->uses_date) {
		if (!v->has_date) {
			strbuf_addstr(err, "the template needs a date");
			return -1;
		}
		if (v->date < timeutil_days_from_ymd(1, 1, 1) ||
		    v->date > timeutil_days_from_ymd(9999, 12, 31)) {
			strbuf_addf(err, "date %ld is outside years 1 to 9999",
				    (long)v->date);
			return -1;
		}
		timeutil_ymd_from_days(v->date, y, mon, d);
		*doy = timeutil_day_of_year(v->date);
	}
	if (f->has_time && (t < 0 || t >= USEC_PER_DAY)) {
		strbuf_addf(err, "time of day %lld is out of range",
			    (long long)t);
		return -1;
	}
	if (f->has_version &&
	    (!v->version || v->version->interface < 0 ||
	     v->version->interface > VERSION_COMPONENT_MAX ||
	     v->version->quality < 0 ||
	     v->version->quality > VERSION_COMPONENT_MAX ||
	     v->version->revision < 0 ||
	     v->version->revision > VERSION_COMPONENT_MAX)) {
		strbuf_addstr(err, v->version ? "version out of range"
					      : "the template needs a version");
		return -1;
	}
	if (f->has_orbit && !v->has_orbit) {
		strbuf_addstr(err, "the template needs an orbit number");
		return -1;
	}
	if (f->has_orbit && (v->orbit < 0 || v->orbit > FNFORMAT_ORBIT_MAX)) {
		strbuf_addf(err, "orbit number %lld is out of range 0 to %lld",
			    (long long)v->orbit, (long long)FNFORMAT_ORBIT_MAX);
		return -1;
	}
	return 0;
}

int
fnformat_format(const struct fnformat *f, const struct fnformat_values *v,
		struct strbuf *out, struct strbuf *err)
{
	size_t orig = out->len;
	int y = 0, mon = 0, d = 0, doy = 0;
	int64_t t = v->time_usec;
	char vbuf[VERSION_STRLEN];

	if (check_values(f, v, err, &y, &mon, &d, &doy))
		goto fail;
	for (size_t i = 0; i < f->nelems; i++) {
		const struct elem *e = &f->elems[i];
		const char *kv;
		size_t kn;

		switch (e->kind) {
		case EK_LITERAL:
			strbuf_add(out, f->lits + e->lit_off, e->lit_len);
			break;
		case EK_YEAR:
			strbuf_addf(out, "%04d", y);
			break;
		case EK_YEAR2:
			strbuf_addf(out, "%02d", y % 100);
			break;
		case EK_MONTH:
			strbuf_addf(out, "%02d", mon);
			break;
		case EK_DAY:
			strbuf_addf(out, "%02d", d);
			break;
		case EK_DOY:
			strbuf_addf(out, "%03d", doy);
			break;
		case EK_MONTHNAME:
			if (mon < 1 || mon > 12)
				BUG("fnformat_format: {b} without a date");
			strbuf_addstr(out, month_abbr[mon - 1]);
			break;
		case EK_DATE:
			strbuf_addf(out, "%04d%02d%02d", y, mon, d);
			break;
		case EK_HOUR:
			strbuf_addf(out, "%02d",
				    (int)(t / (3600 * USEC_PER_SEC)));
			break;
		case EK_MINUTE:
			strbuf_addf(out, "%02d",
				    (int)(t / (60 * USEC_PER_SEC) % 60));
			break;
		case EK_SECOND:
			strbuf_addf(out, "%02d", (int)(t / USEC_PER_SEC % 60));
			break;
		case EK_MILLI:
			strbuf_addf(out, "%03d", (int)(t / 1000 % 1000));
			break;
		case EK_MICRO:
			strbuf_addf(out, "%03d", (int)(t % 1000));
			break;
		case EK_VERSION:
			strbuf_addstr(out, version_format(v->version, vbuf));
			break;
		case EK_ORBIT:
			strbuf_addf(out, "%0*lld", ORBIT_DIGITS_PAD,
				    (long long)v->orbit);
			break;
		case EK_NAME:
			strbuf_addf(err,
				    "name field \"{%s}\" has no value: the "
				    "name was not known when the template was "
				    "compiled",
				    e->def->name);
			goto fail;
		case EK_ANY:
		case EK_DIGITS:
		case EK_APID:
		case EK_QACODE:
		case EK_MDAY:
			if (!v->keywords ||
			    !find_keyword(v->keywords, e->def->name, &kv, &kn)) {
				strbuf_addf(err, "no value for keyword \"%s\"",
					    e->def->name);
				goto fail;
			}
			if (!keyword_valid(e, kv, kn)) {
				strbuf_addf(err,
					    "value \"%.*s\" of keyword \"%s\" "
					    "does not fit \"{%s}\"",
					    kn > QUOTE_MAX ? QUOTE_MAX : (int)kn,
					    kv, e->def->name, e->def->name);
				goto fail;
			}
			strbuf_add(out, kv, kn);
			break;
		}
	}
	return 0;
fail:
	strbuf_setlen(out, orig);
	return -1;
}
