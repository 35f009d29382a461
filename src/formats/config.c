/*
 * config.c - mission files: YAML -> struct config, validation, YAML out.
 *
 * Owns everything about the mission file format: the only include of
 * yaml.h, the key tables that say which keys exist, their types, ranges
 * and defaults, path resolution, and the semantic checks of
 * config_validate().  It does not know about the database (store-config.c
 * turns a struct config into rows and back) and never looks at the file
 * system beyond reading the one file it is given: paths are made absolute
 * lexically, not checked for existence.
 *
 * Loading is three passes.  libyaml's event API builds a small tree of
 * ynodes carrying their marks; anchors and aliases are refused there, so
 * no input can make the tree bigger than the text.  The tree is then mapped through
 * the key tables (after PgBouncer's CfKey): unknown and duplicate keys,
 * wrong node types, bad values and missing required keys are all
 * reported with file:line:column and the key's path, and loading carries
 * on so that every problem in the file is reported in one go.  Last come
 * the derived defaults (paths, date_written, a product's satellite) and
 * config_validate().
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "fnformat.h"
#include "graph.h"
#include "log.h"
#include "strbuf.h"
#include "strvec.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* Deeper than any mission file needs; bounds every recursion below. */
#define MAX_DEPTH 32
/* No key table has more keys than this. */
#define MAX_KEYS 16
/* The stop_date of a code that has none. */
#define DEFAULT_STOP_DATE "9999-12-31"
#define MISSION_NAME_MAX 20
#define MAX_DAYS_AROUND 366

/*
 * ----------------------------------------------------------------------
 * Messages
 * ----------------------------------------------------------------------
 */

/*
 * vreport: one error line, prefixed with FILE:LINE:COLUMN when the mark
 * came from a file.  Configs read from the database have zero marks; their
 * messages name the entity instead (every caller puts it in fmt).
 */
static void
vreport(const struct config_mark *m, const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	if (m && m->line > 0)
		strbuf_addf(&sb, "%s:%d:%d: ", m->file ? m->file : "(config)",
			    m->line, m->column);
	strbuf_vaddf(&sb, fmt, ap);
	log_error("%s", sb.buf);
	strbuf_release(&sb);
}

static void report(int *nerr, const struct config_mark *m, const char *fmt,
		   ...) CASCADE_PRINTF(3, 4);

static void
report(int *nerr, const struct config_mark *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(m, fmt, ap);
	va_end(ap);
	(*nerr)++;
}

/*
 * ----------------------------------------------------------------------
 * Text
 * ----------------------------------------------------------------------
 */

/* ASCII only: the locale must not change what a key means. */
static int
ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || !ca)
			return ca - cb;
	}
}

/*
 * ----------------------------------------------------------------------
 * Paths
 * ----------------------------------------------------------------------
 */

/*
 * path_resolve: p made absolute against base (itself absolute) and
 * normalised lexically: no "//", "/./" or "..", no trailing slash.  ".."
 * at the root stays at the root.  Caller frees.
 */
static char *
path_resolve(const char *base, const char *p)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	size_t *starts, nr = 0, i = 0;

	if (p[0] != '/') {
		strbuf_addstr(&in, base);
		strbuf_addch(&in, '/');
	}
	strbuf_addstr(&in, p);
	starts = xcalloc(in.len + 1, sizeof(*starts));
	while (i < in.len) {
		size_t j = i;

		while (j < in.len && in.buf[j] != '/')
			j++;
		if (j == i || (j - i == 1 && in.buf[i] == '.')) {
			/* empty or "." */
		} else if (j - i == 2 && in.buf[i] == '.' &&
			   in.buf[i + 1] == '.') {
			if (nr)
				strbuf_setlen(&out, starts[--nr]);
		} else {
			starts[nr++] = out.len;
			strbuf_addch(&out, '/');
			strbuf_add(&out, in.buf + i, j - i);
		}
		i = j + 1;
	}
	if (!out.len)
		strbuf_addch(&out, '/');
	free(starts);
	strbuf_release(&in);
	return strbuf_detach(&out, NULL);
}

/* current_dir: getcwd() into a new string, or NULL with errno set. */
static char *
current_dir(void)
{
	size_t size = 256;

	for (;;) {
		char *buf = xmalloc(size);

		if (getcwd(buf, size))
			return buf;
		free(buf);
		if (errno != ERANGE || size > (size_t)1 << 20)
			return NULL;
		size *= 2;
	}
}

/*
 * absolute_dir: dir made absolute against the current directory (dir
 * NULL means the current directory itself).  Returns a new string, or
 * NULL with the error reported.
 */
static char *
absolute_dir(const char *dir)
{
	char *cwd, *res;

	if (dir && dir[0] == '/')
		return path_resolve("/", dir);
	cwd = current_dir();
	if (!cwd) {
		error("could not determine the current directory: %s",
		      strerror(errno));
		return NULL;
	}
	res = path_resolve(cwd, dir ? dir : ".");
	free(cwd);
	return res;
}

/* has_dotdot: p has a ".." component. */
static bool
has_dotdot(const char *p)
{
	const char *s = p;

	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return true;
		if (!e)
			break;
		s = e + 1;
	}
	return false;
}

/*
 * ----------------------------------------------------------------------
 * The node tree
 * ----------------------------------------------------------------------
 */

enum ynode_kind {
	YN_SCALAR,
	YN_SEQ,
	YN_MAP,
};

struct ynode {
	enum ynode_kind kind;
	int line, column; /* 1-based */
	bool plain;       /* scalar without quotes (can be null) */
	bool bad;         /* stands in for something already reported */
	char *text;       /* scalar: the value */
	size_t len;
	struct ynode **kids; /* seq: items; map: key, value, key, value, ... */
	size_t nr, alloc;
};

static void
ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nr; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->text);
	free(n);
}

static bool
is_null(const struct ynode *n)
{
	if (n->kind != YN_SCALAR || !n->plain)
		return false;
	return n->len == 0 || !strcmp(n->text, "~") ||
	       !strcmp(n->text, "null") || !strcmp(n->text, "Null") ||
	       !strcmp(n->text, "NULL");
}

struct loader {
	const char *file; /* for messages and marks; owned by cfg */
	const char *base; /* absolute directory for relative rootdir */
	struct config *cfg;
	size_t alloc_instruments; /* capacity of cfg->instruments */
	int nerr;
	struct strbuf path; /* key path of the node being converted */
	/* the "one_of" lists read, until seq_inputs makes them inputs */
	struct one_of *one_of;
	size_t n_one_of, alloc_one_of;
};

/* An input entry's "one_of": its products, in order of preference. */
struct one_of {
	const struct input *entry; /* the entry, in map_items' array */
	struct input *members;     /* product and mark set */
	size_t n;
};

static void lerr(struct loader *ld, int line, int column, const char *fmt,
		 ...) CASCADE_PRINTF(4, 5);

/* lerr: report at a position, prefixed with the current key path. */
static void
lerr(struct loader *ld, int line, int column, const char *fmt, ...)
{
	struct config_mark m = {ld->file, line, column};
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (ld->path.len)
		strbuf_addf(&sb, "%s: ", ld->path.buf);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	report(&ld->nerr, &m, "%s", sb.buf);
	strbuf_release(&sb);
}

/*
 * show: a node, as it goes into "got ..." in a message.  Long or binary
 * values are cut short so that a message stays one readable line.
 */
static const char *
show(const struct ynode *n, struct strbuf *sb)
{
	size_t max = 60, len;

	strbuf_reset(sb);
	if (n->kind == YN_SEQ)
		return "a list";
	if (n->kind == YN_MAP)
		return "a mapping";
	if (is_null(n))
		return "an empty value";
	len = n->len;
	if (len > max) {
		len = max;
		/* do not cut a UTF-8 sequence in half */
		while (len > 0 && ((unsigned char)n->text[len] & 0xC0) == 0x80)
			len--;
	}
	strbuf_addch(sb, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)n->text[i];

		strbuf_addch(sb, c < 0x20 || c == 0x7f ? '?' : (int)c);
	}
	if (len < n->len)
		strbuf_addstr(sb, "...");
	strbuf_addch(sb, '"');
	return sb->buf;
}

/* pos1: a 0-based libyaml line or column as a 1-based int. */
static int
pos1(size_t v)
{
	return v < INT_MAX ? (int)v + 1 : INT_MAX;
}

struct builder {
	struct loader *ld;
	struct ynode *root;
	struct ynode *stack[MAX_DEPTH];
	size_t depth;
	int ndocs;
};

static struct ynode *
new_node(struct builder *b, enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->line = pos1(mark->line);
	n->column = pos1(mark->column);
	if (b->depth) {
		struct ynode *parent = b->stack[b->depth - 1];

		ALLOC_GROW(parent->kids, parent->nr + 1, parent->alloc);
		parent->kids[parent->nr++] = n;
	} else if (!b->root) {
		b->root = n;
	} else {
		ynode_free(n); /* cannot happen: one document, one root */
		return NULL;
	}
	return n;
}

static void
check_props(struct builder *b, const yaml_mark_t *mark,
	    const yaml_char_t *anchor, const yaml_char_t *tag)
{
	/*
	 * An anchor is only there to be aliased, and aliases are refused
	 * (below): an anchor would look like it does something.
	 */
	if (anchor)
		lerr(b->ld, pos1(mark->line), pos1(mark->column),
		     "YAML anchors (\"&%.40s\") are not supported: write "
		     "the value out where it is used",
		     (const char *)anchor);
	/*
	 * A tag would change how a value is read in other YAML tools but
	 * not here; refuse it rather than silently mean something else.
	 */
	if (tag)
		lerr(b->ld, pos1(mark->line), pos1(mark->column),
		     "YAML tags are not supported (found \"%.40s\")",
		     (const char *)tag);
}

/*
 * handle_event: add one event to the tree.  Returns 0 to go on, 1 at the
 * end of the stream, -1 to stop (reported).
 */
static int
handle_event(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;
	const yaml_mark_t *mk = &ev->start_mark;
	int line = pos1(mk->line);
	int col = pos1(mk->column);

	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
	case YAML_NO_EVENT:
		return 0;
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->ndocs > 1) {
			lerr(b->ld, line, col,
			     "a mission file must hold exactly one YAML "
			     "document");
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		lerr(b->ld, line, col,
		     "YAML aliases (\"*%.40s\") are not supported",
		     (const char *)ev->data.alias.anchor);
		n = new_node(b, YN_SCALAR, mk);
		if (!n)
			return -1;
		n->bad = true;
		n->text = xstrdup("");
		return 0;
	case YAML_SCALAR_EVENT:
		check_props(b, mk, ev->data.scalar.anchor, ev->data.scalar.tag);
		n = new_node(b, YN_SCALAR, mk);
		if (!n)
			return -1;
		n->len = ev->data.scalar.length;
		n->text = xstrndup((const char *)ev->data.scalar.value, n->len);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (strlen(n->text) != n->len) {
			lerr(b->ld, line, col,
			     "values must not contain NUL characters");
			n->bad = true;
		}
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ev->type == YAML_SEQUENCE_START_EVENT)
			check_props(b, mk, ev->data.sequence_start.anchor,
				    ev->data.sequence_start.tag);
		else
			check_props(b, mk, ev->data.mapping_start.anchor,
				    ev->data.mapping_start.tag);
		if (b->depth >= MAX_DEPTH) {
			lerr(b->ld, line, col,
			     "nesting deeper than %d levels is not supported",
			     MAX_DEPTH);
			return -1;
		}
		n = new_node(b,
			     ev->type == YAML_SEQUENCE_START_EVENT ? YN_SEQ
								   : YN_MAP,
			     mk);
		if (!n)
			return -1;
		b->stack[b->depth++] = n;
		return 0;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth)
			b->depth--;
		return 0;
	}
	return 0;
}

/* offset_position: line and column of byte off in text (1-based). */
static void
offset_position(const char *text, size_t len, size_t off, int *line,
		int *col)
{
	*line = 1;
	*col = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			if (*line < INT_MAX)
				(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80 &&
			   *col < INT_MAX) {
			(*col)++;
		}
	}
}

static void
report_parser_error(struct loader *ld, const yaml_parser_t *p,
		    const char *text, size_t len)
{
	const char *problem = p->problem ? p->problem : "unknown error";
	int line, col;

	switch (p->error) {
	case YAML_READER_ERROR:
		offset_position(text, len, p->problem_offset, &line, &col);
		if (p->problem_value != -1)
			lerr(ld, line, col, "invalid YAML: %s (byte 0x%02x)",
			     problem, (unsigned)p->problem_value & 0xff);
		else
			lerr(ld, line, col, "invalid YAML: %s", problem);
		break;
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		line = pos1(p->problem_mark.line);
		col = pos1(p->problem_mark.column);
		/* libyaml's message does not name the usual cause */
		if (p->problem_mark.index < len &&
		    text[p->problem_mark.index] == '\t')
			lerr(ld, line, col,
			     "invalid YAML: a tab character; YAML indents "
			     "with spaces only (%s)",
			     problem);
		else if (p->context)
			lerr(ld, line, col,
			     "invalid YAML: %s (%s at line %zu, column %zu)",
			     problem, p->context, p->context_mark.line + 1,
			     p->context_mark.column + 1);
		else
			lerr(ld, line, col, "invalid YAML: %s", problem);
		break;
	case YAML_MEMORY_ERROR:
		lerr(ld, 0, 0, "invalid YAML: out of memory");
		break;
	default:
		lerr(ld, 0, 0, "invalid YAML: %s", problem);
		break;
	}
}

/*
 * parse_tree: text -> *root (NULL for an empty file).  Returns 0, or -1
 * when the YAML itself is broken (reported; *root NULL).
 */
static int
parse_tree(struct loader *ld, const char *text, size_t len,
	   struct ynode **root)
{
	yaml_parser_t parser;
	struct builder b;
	int rc = 0;

	memset(&b, 0, sizeof(b));
	b.ld = ld;
	*root = NULL;
	if (!yaml_parser_initialize(&parser)) {
		lerr(ld, 0, 0, "could not initialize the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     len);
	for (;;) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			report_parser_error(ld, &parser, text, len);
			rc = -1;
			break;
		}
		rc = handle_event(&b, &ev);
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	yaml_parser_delete(&parser);
	if (rc < 0) {
		ynode_free(b.root);
		return -1;
	}
	*root = b.root;
	return 0;
}

/*
 * ----------------------------------------------------------------------
 * Key tables
 * ----------------------------------------------------------------------
 */

enum ktype {
	KT_STR,      /* any text */
	KT_NAME,     /* non-empty text without control characters */
	KT_PATH,     /* non-empty text; made absolute after loading */
	KT_INT,      /* int within [min, max] */
	KT_DURATION, /* int seconds, or with suffix s, m or h */
	KT_DOUBLE,   /* finite number */
	KT_BOOL,     /* true/false, yes/no, on/off */
	KT_DATE,     /* YYYY-MM-DD -> int32_t days */
	KT_VERSION,  /* I.Q.R */
	KT_TIMEBASE, /* enum timebase */
	KT_REUSE,    /* enum reuse_mode */
	KT_MAP,      /* a nested table */
	KT_SEQ,      /* a list, handled by a function */
};

enum key_flags {
	KEY_REQUIRED = 1 << 0,
	KEY_NONEMPTY = 1 << 1, /* KT_STR, KT_SEQ: not empty */
	KEY_IFACE = 1 << 2,    /* KT_VERSION: interface >= 1 */
	KEY_POSITIVE = 1 << 3, /* KT_DOUBLE: > 0 */
};

struct ctable;

struct ckey {
	const char *name;
	enum ktype type;
	size_t offset;
	unsigned flags;
	const char *def; /* default, in file syntax; NULL: left as is */
	long long min, max; /* KT_INT, KT_DURATION; KT_NAME: max length */
	const struct ctable *sub;                          /* KT_MAP */
	void (*seq)(struct loader *, const struct ynode *, void *); /* KT_SEQ */
};

struct ctable {
	const char *what; /* for messages: "mission", "product", ... */
	const struct ckey *keys;
	size_t n;
	size_t mark_off; /* offset of the struct config_mark, or NO_MARK */
};

#define NO_MARK SIZE_MAX

static void *
field(void *base, size_t off)
{
	return (char *)base + off;
}

/* parse_ll: optional sign and decimal digits, the whole text. */
static int
parse_ll(const char *s, size_t len, long long *out)
{
	size_t i = 0;
	bool neg = false;
	unsigned long long v = 0, limit;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return -1;
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (limit - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN
							   : -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

/* parse_duration: seconds, or a count with suffix s, m or h. */
static int
parse_duration(const char *s, size_t len, long long *out)
{
	long long mult = 1, v;
	int rc;

	if (len > 1 && (s[len - 1] == 's' || s[len - 1] == 'm' ||
			s[len - 1] == 'h')) {
		mult = s[len - 1] == 's' ? 1 : s[len - 1] == 'm' ? 60 : 3600;
		len--;
	}
	if (len && (s[0] == '-' || s[0] == '+'))
		return -1;
	rc = parse_ll(s, len, &v);
	if (rc)
		return rc;
	if (v > LLONG_MAX / mult)
		return -2;
	*out = v * mult;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!ascii_casecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!ascii_casecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int
parse_double(const char *s, size_t len, double *out)
{
	char *end;
	double v;

	/* strtod also takes spaces, "inf", "nan" and hex: none of that */
	if (!len || !(s[0] == '-' || s[0] == '+' || s[0] == '.' ||
		      (s[0] >= '0' && s[0] <= '9')))
		return -1;
	for (size_t i = 0; i < len; i++)
		if (s[i] == 'x' || s[i] == 'X')
			return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end != s + len || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* utf8_chars: number of characters in a valid UTF-8 string. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static bool
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static void
expect(struct loader *ld, const struct ynode *v, const char *what)
{
	struct strbuf sb = STRBUF_INIT;

	lerr(ld, v->line, v->column, "expected %s, got %s", what, show(v, &sb));
	strbuf_release(&sb);
}

/*
 * convert: store scalar v into the field of key k in base.  With ld NULL
 * the value is a table default, which must be valid (BUG otherwise).
 * Returns 0 or -1 (reported).
 */
/* what a value of key k must be, for the message about a bad one */
static void
describe_expected(const struct ckey *k, struct strbuf *what)
{
	switch (k->type) {
	case KT_STR:
	case KT_PATH:
		strbuf_addstr(what,
			      k->type == KT_PATH ? "a path" : "a string");
		break;
	case KT_NAME:
		strbuf_addstr(what, "a name");
		break;
	case KT_INT:
		if (k->max == INT_MAX && k->min == INT_MIN)
			strbuf_addstr(what, "an integer");
		else if (k->max == INT_MAX)
			strbuf_addf(what, "an integer >= %lld", k->min);
		else
			strbuf_addf(what, "an integer from %lld to %lld",
				    k->min, k->max);
		break;
	case KT_DURATION:
		strbuf_addf(what,
			    "a duration (seconds, or a number with suffix s, "
			    "m or h) from %lld to %lld seconds",
			    k->min, k->max);
		break;
	case KT_DOUBLE:
		strbuf_addstr(what, k->flags & KEY_POSITIVE
					     ? "a number greater than 0"
					     : "a number");
		break;
	case KT_BOOL:
		strbuf_addstr(what,
			      "a boolean (true/false, yes/no or on/off)");
		break;
	case KT_DATE:
		strbuf_addstr(what, "a date YYYY-MM-DD");
		break;
	case KT_VERSION:
		strbuf_addstr(what, k->flags & KEY_IFACE
					     ? "a version I.Q.R with I >= 1"
					     : "a version I.Q.R");
		break;
	case KT_TIMEBASE:
		strbuf_addstr(what, "one of FILE, HOURLY, DAILY, WEEKLY, "
				     "MONTHLY, YEARLY, ORBIT or RUN");
		break;
	case KT_REUSE:
		strbuf_addstr(what, "one of none or content");
		break;
	case KT_MAP:
		strbuf_addstr(what, "a mapping");
		break;
	case KT_SEQ:
		strbuf_addstr(what, "a list");
		break;
	}
}

/* convert: a string, name or path value (reported if refused) */
static int
convert_string(struct loader *ld, const struct ckey *k, const struct ynode *v,
	       void *p)
{
	if ((k->type != KT_STR || (k->flags & KEY_NONEMPTY)) &&
	    !v->len) {
		if (ld)
			lerr(ld, v->line, v->column,
			     "must not be empty");
		return -1;
	}
	if (k->type == KT_NAME && has_control(v->text)) {
		if (ld)
			lerr(ld, v->line, v->column,
			     "names must not contain control "
			     "characters");
		return -1;
	}
	if (k->type == KT_NAME && k->max &&
	    utf8_chars(v->text) > (size_t)k->max) {
		if (ld)
			lerr(ld, v->line, v->column,
			     "must be at most %lld characters long, "
			     "not %zu",
			     k->max, utf8_chars(v->text));
		return -1;
	}
	free(*(char **)p);
	*(char **)p = xstrdup(v->text);
	return 0;
}

static int
convert(struct loader *ld, const struct ckey *k, const struct ynode *v,
	void *base)
{
	void *p = field(base, k->offset);
	struct strbuf what = STRBUF_INIT;
	long long ll = 0;
	int rc = 0;

	if (v->kind != YN_SCALAR) {
		rc = -1;
		goto bad;
	}
	switch (k->type) {
	case KT_STR:
	case KT_NAME:
	case KT_PATH:
		rc = convert_string(ld, k, v, p);
		break;
	case KT_INT:
		if (parse_ll(v->text, v->len, &ll) < 0 || ll < k->min ||
		    ll > k->max) {
			rc = -1;
			break;
		}
		*(int *)p = (int)ll;
		break;
	case KT_DURATION:
		if (parse_duration(v->text, v->len, &ll) < 0 || ll < k->min ||
		    ll > k->max) {
			rc = -1;
			break;
		}
		*(int *)p = (int)ll;
		break;
	case KT_DOUBLE: {
		double d;

		if (parse_double(v->text, v->len, &d) < 0 ||
		    ((k->flags & KEY_POSITIVE) && !(d > 0))) {
			rc = -1;
			break;
		}
		*(double *)p = d;
		break;
	}
	case KT_BOOL:
		if (parse_bool(v->text, (bool *)p) < 0) {
			rc = -1;
			if (ld && (!strcmp(v->text, "0") ||
				   !strcmp(v->text, "1"))) {
				lerr(ld, v->line, v->column,
				     "expected a boolean (true/false, yes/no "
				     "or on/off), got \"%s\": 1 and 0 are not "
				     "booleans here",
				     v->text);
				goto out;
			}
		}
		break;
	case KT_DATE:
		if (timeutil_parse_date(v->text, v->len, (int32_t *)p) < 0)
			rc = -1;
		break;
	case KT_VERSION: {
		struct version ver;

		if (version_parse(v->text, v->len, &ver) < 0 ||
		    ((k->flags & KEY_IFACE) && ver.interface < 1)) {
			rc = -1;
			break;
		}
		*(struct version *)p = ver;
		break;
	}
	case KT_TIMEBASE:
		if (timebase_parse(v->text,
					  (enum timebase *)p) < 0)
			rc = -1;
		break;
	case KT_REUSE:
		if (reuse_mode_parse(v->text, (enum reuse_mode *)p) < 0)
			rc = -1;
		break;
	case KT_MAP:
	case KT_SEQ:
		BUG("convert() on key \"%s\" of a container type", k->name);
	}
	if (!rc)
		goto out;
	if (k->type == KT_STR || k->type == KT_NAME || k->type == KT_PATH) {
		/* already reported, unless the node was no scalar */
		if (v->kind == YN_SCALAR)
			goto out;
	}
bad:
	if (!ld)
		BUG("bad default \"%s\" for key \"%s\"", v->text, k->name);
	describe_expected(k, &what);
	expect(ld, v, what.buf);
out:
	strbuf_release(&what);
	return rc;
}

static void apply_table(struct loader *ld, const struct ctable *t,
			const struct ynode *map, void *base);

/* set_default: give key k its default in base (k is not in the file). */
static void
set_default(const struct ckey *k, void *base)
{
	struct ynode v;

	if (k->type == KT_MAP) {
		apply_table(NULL, k->sub, NULL, field(base, k->offset));
		return;
	}
	if (!k->def)
		return;
	memset(&v, 0, sizeof(v));
	v.kind = YN_SCALAR;
	v.plain = true;
	v.text = (char *)(uintptr_t)k->def; /* only read */
	v.len = strlen(k->def);
	(void)convert(NULL, k, &v, base);
}

static void
path_push(struct loader *ld, size_t *saved, const char *fmt, ...)
	CASCADE_PRINTF(3, 4);

static void
path_push(struct loader *ld, size_t *saved, const char *fmt, ...)
{
	va_list ap;

	*saved = ld->path.len;
	if (ld->path.len && fmt[0] != '[')
		strbuf_addch(&ld->path, '.');
	va_start(ap, fmt);
	strbuf_vaddf(&ld->path, fmt, ap);
	va_end(ap);
}

static void
path_pop(struct loader *ld, size_t saved)
{
	strbuf_setlen(&ld->path, saved);
}

/*
 * apply_table: map the mapping node map (NULL: not in the file) onto base
 * through table t.  With ld NULL, only defaults are set.  Keys are
 * converted in table order, so a list handler may rely on the keys listed
 * before it (a satellite's name before its instruments).
 */
static void
apply_table(struct loader *ld, const struct ctable *t,
	    const struct ynode *map, void *base)
{
	const struct ynode *keys[MAX_KEYS] = {NULL};
	const struct ynode *vals[MAX_KEYS] = {NULL};

	if (t->n > MAX_KEYS)
		BUG("key table \"%s\" has more than %d keys", t->what,
		    MAX_KEYS);
	if (map && t->mark_off != NO_MARK) {
		struct config_mark *m = field(base, t->mark_off);

		m->file = ld->file;
		m->line = map->line;
		m->column = map->column;
	}
	for (size_t i = 0; map && i + 1 < map->nr; i += 2) {
		const struct ynode *k = map->kids[i], *v = map->kids[i + 1];
		size_t j;

		if (k->bad)
			continue;
		if (k->kind != YN_SCALAR) {
			lerr(ld, k->line, k->column,
			     "mapping keys must be plain strings, not %s",
			     k->kind == YN_SEQ ? "lists" : "mappings");
			continue;
		}
		for (j = 0; j < t->n; j++)
			if (!strcmp(k->text, t->keys[j].name))
				break;
		if (j == t->n) {
			struct strbuf sb = STRBUF_INIT, names = STRBUF_INIT;

			for (size_t x = 0; x < t->n; x++)
				strbuf_addf(&names, "%s%s", x ? ", " : "",
					    t->keys[x].name);
			lerr(ld, k->line, k->column,
			     "unknown key %s in %s (expected one of: %s)",
			     show(k, &sb), t->what, names.buf);
			strbuf_release(&names);
			strbuf_release(&sb);
			continue;
		}
		if (keys[j]) {
			lerr(ld, k->line, k->column,
			     "duplicate key \"%s\" in %s (first given at "
			     "line %d)",
			     t->keys[j].name, t->what, keys[j]->line);
			continue;
		}
		keys[j] = k;
		vals[j] = v;
	}

	for (size_t j = 0; j < t->n; j++) {
		const struct ckey *k = &t->keys[j];
		const struct ynode *v = vals[j];
		size_t saved = 0;

		if (v && v->bad)
			continue;
		if (!v || is_null(v)) {
			if (!(k->flags & KEY_REQUIRED)) {
				set_default(k, base);
			} else if (!ld) {
				BUG("required key \"%s\" without a file",
				    k->name);
			} else if (v) {
				path_push(ld, &saved, "%s", k->name);
				lerr(ld, v->line, v->column,
				     "a value is required");
				path_pop(ld, saved);
			} else {
				lerr(ld, map ? map->line : 0,
				     map ? map->column : 0,
				     "missing required key \"%s\" in %s",
				     k->name, t->what);
			}
			continue;
		}
		path_push(ld, &saved, "%s", k->name);
		if (k->type == KT_MAP) {
			if (v->kind != YN_MAP)
				expect(ld, v, "a mapping");
			else
				apply_table(ld, k->sub, v,
					    field(base, k->offset));
		} else if (k->type == KT_SEQ) {
			if (v->kind != YN_SEQ)
				expect(ld, v, "a list");
			else if ((k->flags & KEY_NONEMPTY) && !v->nr)
				lerr(ld, v->line, v->column,
				     "expected a non-empty list");
			else
				k->seq(ld, v, base);
		} else {
			(void)convert(ld, k, v, base);
		}
		path_pop(ld, saved);
	}
}

/*
 * map_items: the items of a list of mappings, each through table t into
 * a new array of elsize-byte elements (*n_out of them; NULL when none).
 * A scalar item goes to short_form() when given, else is an
 * error.  init(), if given, prepares each element before its keys.
 */
static void *
map_items(struct loader *ld, const struct ynode *seq, const struct ctable *t,
	  size_t elsize, size_t *n_out, void (*init)(void *),
	  int (*short_form)(struct loader *, const struct ynode *, void *))
{
	char *arr = NULL;
	size_t n = 0;

	*n_out = 0;
	if (!seq->nr)
		return NULL;
	arr = xcalloc(seq->nr, elsize);
	for (size_t i = 0; i < seq->nr; i++) {
		const struct ynode *it = seq->kids[i];
		void *el = arr + n * elsize;
		size_t saved;

		if (it->bad)
			continue;
		path_push(ld, &saved, "[%zu]", i);
		if (init)
			init(el);
		if (it->kind == YN_MAP) {
			apply_table(ld, t, it, el);
			n++;
		} else if (short_form && it->kind == YN_SCALAR &&
			   !is_null(it)) {
			if (!short_form(ld, it, el))
				n++;
		} else {
			struct strbuf what = STRBUF_INIT;

			strbuf_addf(&what, "a mapping (one %s)", t->what);
			expect(ld, it, what.buf);
			strbuf_release(&what);
		}
		path_pop(ld, saved);
	}
	*n_out = n;
	return arr;
}

/* Tables, innermost first. */

#define K(name, type, st, member, flags, def, min, max)                      \
	{name, type, offsetof(st, member), flags, def, min, max, NULL, NULL}
#define KMAP(name, st, member, flags, sub)                                   \
	{name, KT_MAP, offsetof(st, member), flags, NULL, 0, 0, sub, NULL}
#define KSEQ(name, flags, fn)                                                \
	{name, KT_SEQ, 0, flags, NULL, 0, 0, NULL, fn}
#define TABLE(what, keys, st)                                                \
	{what, keys, ARRAY_SIZE(keys), offsetof(st, mark)}

static const struct ckey mission_keys[] = {
	K("name", KT_NAME, struct mission, name, KEY_REQUIRED, NULL, 0,
	  MISSION_NAME_MAX),
	K("rootdir", KT_PATH, struct mission, rootdir, KEY_REQUIRED,
	  NULL, 0, 0),
	K("incoming_dir", KT_PATH, struct mission, incoming_dir, 0, NULL,
	  0, 0),
	K("codedir", KT_PATH, struct mission, codedir, 0, NULL, 0, 0),
	K("inspectordir", KT_PATH, struct mission, inspectordir, 0, NULL,
	  0, 0),
	K("errordir", KT_PATH, struct mission, errordir, 0, NULL, 0, 0),
};
static const struct ctable mission_table =
	TABLE("mission", mission_keys, struct mission);

static void seq_instruments(struct loader *, const struct ynode *, void *);

static const struct ckey satellite_keys[] = {
	K("name", KT_NAME, struct satellite, name, KEY_REQUIRED, NULL, 0,
	  0),
	KSEQ("instruments", 0, seq_instruments),
};
static const struct ctable satellite_table =
	TABLE("satellite", satellite_keys, struct satellite);

static const struct ckey inspector_keys[] = {
	K("executable", KT_PATH, struct inspector, executable, 0, NULL,
	  0, 0),
	K("module", KT_PATH, struct inspector, module, 0, NULL, 0, 0),
	K("batch", KT_BOOL, struct inspector, batch, 0, "false", 0, 0),
	K("arguments", KT_STR, struct inspector, arguments, 0, NULL, 0,
	  0),
	K("description", KT_STR, struct inspector, description, 0,
	  NULL, 0, 0),
	K("version", KT_VERSION, struct inspector, version, KEY_IFACE,
	  "1.0.0", 0, 0),
	K("output_interface_version", KT_INT, struct inspector,
	  output_interface_version, 0, "1", 1, VERSION_COMPONENT_MAX),
	K("timeout", KT_DURATION, struct inspector, timeout_s, 0, "30",
	  1, INT_MAX),
	K("active", KT_BOOL, struct inspector, active, 0, "true", 0, 0),
};
static const struct ctable inspector_table =
	TABLE("inspector", inspector_keys, struct inspector);

static const struct ckey product_keys[] = {
	K("name", KT_NAME, struct product, name, KEY_REQUIRED, NULL, 0,
	  0),
	K("satellite", KT_NAME, struct product, satellite, 0, NULL, 0,
	  0),
	K("instrument", KT_NAME, struct product, instrument,
	  KEY_REQUIRED, NULL, 0, 0),
	K("level", KT_DOUBLE, struct product, level, KEY_REQUIRED, NULL,
	  0, 0),
	K("format", KT_STR, struct product, format,
	  KEY_REQUIRED | KEY_NONEMPTY, NULL, 0, 0),
	K("relative_path", KT_STR, struct product, relative_path,
	  KEY_REQUIRED | KEY_NONEMPTY, NULL, 0, 0),
	K("description", KT_STR, struct product, description, 0, NULL,
	  0, 0),
	K("stop_time_exclusive", KT_BOOL, struct product,
	  stop_time_exclusive, 0, "false", 0, 0),
	/* unset (FILE): resolve_product_timebases */
	K("timebase", KT_TIMEBASE, struct product, timebase, 0, NULL, 0, 0),
	KMAP("inspector", struct product, inspector, 0,
	     &inspector_table),
};
static const struct ctable product_table =
	TABLE("product", product_keys, struct product);

static void seq_one_of(struct loader *, const struct ynode *, void *);

/* "product" or "one_of", one of them: seq_inputs says so */
static const struct ckey input_keys[] = {
	K("product", KT_NAME, struct input, product, 0, NULL, 0, 0),
	K("optional", KT_BOOL, struct input, optional, 0, "false", 0, 0),
	/* config_validate() checks the range, for database configs too */
	K("yesterday", KT_INT, struct input, yesterday, 0, "0", INT_MIN,
	  INT_MAX),
	K("tomorrow", KT_INT, struct input, tomorrow, 0, "0", INT_MIN,
	  INT_MAX),
	K("version", KT_INT, struct input, pin, 0, NULL, 1,
	  VERSION_COMPONENT_MAX),
	KSEQ("one_of", KEY_NONEMPTY, seq_one_of),
};
static const struct ctable input_table =
	TABLE("input", input_keys, struct input);

static const struct ckey code_keys[] = {
	K("filename", KT_STR, struct code, filename,
	  KEY_REQUIRED | KEY_NONEMPTY, NULL, 0, 0),
	K("relative_path", KT_STR, struct code, relative_path,
	  KEY_NONEMPTY, ".", 0, 0),
	K("version", KT_VERSION, struct code, version,
	  KEY_REQUIRED | KEY_IFACE, NULL, 0, 0),
	K("output_interface_version", KT_INT, struct code,
	  output_interface_version, KEY_REQUIRED, NULL, 1,
	  VERSION_COMPONENT_MAX),
	K("start_date", KT_DATE, struct code, start_date, KEY_REQUIRED,
	  NULL, 0, 0),
	K("stop_date", KT_DATE, struct code, stop_date, 0,
	  DEFAULT_STOP_DATE, 0, 0),
	K("description", KT_STR, struct code, description, 0, NULL, 0,
	  0),
	/* default start_date: filled in by code_init/resolve */
	K("date_written", KT_DATE, struct code, date_written, 0, NULL, 0,
	  0),
	K("arguments", KT_STR, struct code, arguments, 0, NULL, 0, 0),
	K("working_directory", KT_PATH, struct code, working_dir, 0, NULL, 0,
	  0),
	K("active", KT_BOOL, struct code, active, 0, "true", 0, 0),
	K("timeout", KT_DURATION, struct code, timeout_s, 0, "0", 0,
	  INT_MAX),
	K("cpu", KT_INT, struct code, cpu, 0, "1", 1, 1024),
	K("ram", KT_DOUBLE, struct code, ram, KEY_POSITIVE, "1", 0, 0),
};
static const struct ctable code_table =
	TABLE("code", code_keys, struct code);

static void seq_inputs(struct loader *, const struct ynode *, void *);
static void seq_codes(struct loader *, const struct ynode *, void *);

/* no defaults: a process's unset keys are the mission's (validate) */
static const struct ckey executor_keys[] = {
	K("kind", KT_NAME, struct executor_settings, kind, 0, NULL, 0, 0),
	K("partition", KT_STR, struct executor_settings, partition, 0, NULL,
	  0, 0),
	K("account", KT_STR, struct executor_settings, account, 0, NULL, 0,
	  0),
	K("time_limit", KT_DURATION, struct executor_settings, time_limit_s,
	  0, "0", 0, INT_MAX),
	K("cpus", KT_INT, struct executor_settings, cpus, 0, "0", 0, 4096),
	K("memory_mb", KT_INT, struct executor_settings, memory_mb, 0, "0", 0,
	  INT_MAX),
	K("sbatch_options", KT_STR, struct executor_settings, sbatch_options,
	  0, NULL, 0, 0),
	K("work_dir", KT_PATH, struct executor_settings, work_dir, 0, NULL,
	  0, 0),
};
static const struct ctable executor_table =
	TABLE("executor", executor_keys, struct executor_settings);

/*
 * a schedule: every key optional here (a process without one gets these
 * defaults too); check_schedule says what a schedule needs
 */
static const struct ckey schedule_keys[] = {
	K("every", KT_TIMEBASE, struct schedule, every, 0, NULL, 0, 0),
	K("start_date", KT_DATE, struct schedule, start_date, 0, NULL, 0, 0),
	K("lag_days", KT_INT, struct schedule, lag_days, 0, "0",
	  SCHEDULE_LAG_MIN, SCHEDULE_LAG_MAX),
};
static const struct ctable schedule_table =
	TABLE("schedule", schedule_keys, struct schedule);

static const struct ckey process_keys[] = {
	K("name", KT_NAME, struct process, name, KEY_REQUIRED, NULL, 0,
	  0),
	K("output_product", KT_NAME, struct process, output_product, 0,
	  NULL, 0, 0),
	K("output_timebase", KT_TIMEBASE, struct process, timebase,
	  KEY_REQUIRED, NULL, 0, 0),
	K("extra_params", KT_STR, struct process, extra_params, 0, NULL,
	  0, 0),
	KSEQ("inputs", 0, seq_inputs),
	/* "at least one" is config_validate()'s, for database configs too */
	KSEQ("codes", 0, seq_codes),
	KMAP("executor", struct process, executor, 0, &executor_table),
	KMAP("schedule", struct process, schedule, 0, &schedule_table),
	K("reuse", KT_REUSE, struct process, reuse, 0, "none", 0, 0),
};
static const struct ctable process_table =
	TABLE("process", process_keys, struct process);

static const struct ckey run_keys[] = {
	K("slots", KT_INT, struct run_settings, slots, 0, "0", 0, 4096),
	K("batch_size", KT_INT, struct run_settings, batch_size, 0, "500", 1,
	  INT_MAX),
	K("code_timeout", KT_DURATION, struct run_settings, code_timeout_s, 0,
	  "3600", 1, INT_MAX),
	K("kill_grace", KT_DURATION, struct run_settings, kill_grace_s, 0, "10",
	  0, INT_MAX),
	K("max_attempts", KT_INT, struct run_settings, max_attempts, 0, "3", 1,
	  INT_MAX),
	K("bad_after", KT_INT, struct run_settings, bad_after, 0, "3", 1,
	  INT_MAX),
	K("bad_within", KT_DURATION, struct run_settings, bad_within_s, 0, "60",
	  0, INT_MAX),
	K("flag_lease", KT_DURATION, struct run_settings, flag_lease_s, 0, "3600",
	  1, INT_MAX),
	K("refuse_changed_code", KT_BOOL, struct run_settings,
	  refuse_changed_code, 0, "true", 0, 0),
	K("log_limit_kb", KT_INT, struct run_settings, log_limit_kb, 0, "2048",
	  0, INT_MAX / 1024),
	K("settle", KT_DURATION, struct run_settings, settle_s, 0, "5", 0,
	  86400),
	K("log_file", KT_PATH, struct run_settings, log_file, 0, NULL, 0, 0),
	K("keep_history", KT_INT, struct run_settings, keep_history_days, 0,
	  "0", 0, 365000),
};
static const struct ctable run_table =
	TABLE("run", run_keys, struct run_settings);

static void seq_satellites(struct loader *, const struct ynode *, void *);
static void seq_products(struct loader *, const struct ynode *, void *);
static void seq_processes(struct loader *, const struct ynode *, void *);

static const struct ckey root_keys[] = {
	KMAP("mission", struct config, mission, KEY_REQUIRED, &mission_table),
	KSEQ("satellites", KEY_REQUIRED | KEY_NONEMPTY, seq_satellites),
	KSEQ("products", 0, seq_products),
	KSEQ("processes", 0, seq_processes),
	KMAP("run", struct config, run, 0, &run_table),
	KMAP("executor", struct config, executor, 0, &executor_table),
};
static const struct ctable root_table = {"the top-level mapping", root_keys,
					  ARRAY_SIZE(root_keys), NO_MARK};

/* List handlers */

static void
seq_instruments(struct loader *ld, const struct ynode *seq, void *base)
{
	static const struct ckey name_key =
		K("instrument", KT_NAME, struct instrument, name, 0,
		  NULL, 0, 0);
	const struct satellite *sat = base;
	struct config *cfg = ld->cfg;

	for (size_t i = 0; i < seq->nr; i++) {
		const struct ynode *it = seq->kids[i];
		struct instrument inst;
		size_t saved;

		if (it->bad)
			continue;
		memset(&inst, 0, sizeof(inst));
		path_push(ld, &saved, "[%zu]", i);
		if (it->kind != YN_SCALAR || is_null(it)) {
			expect(ld, it, "an instrument name");
		} else if (!convert(ld, &name_key, it, &inst)) {
			inst.satellite = sat->name ? xstrdup(sat->name) : NULL;
			inst.mark.file = ld->file;
			inst.mark.line = it->line;
			inst.mark.column = it->column;
			ALLOC_GROW(cfg->instruments, cfg->n_instruments + 1,
				   ld->alloc_instruments);
			cfg->instruments[cfg->n_instruments++] = inst;
		}
		path_pop(ld, saved);
	}
}

static void
seq_satellites(struct loader *ld, const struct ynode *seq, void *base)
{
	struct config *cfg = base;

	cfg->satellites = map_items(ld, seq, &satellite_table,
				    sizeof(*cfg->satellites),
				    &cfg->n_satellites, NULL, NULL);
}

static void
seq_products(struct loader *ld, const struct ynode *seq, void *base)
{
	struct config *cfg = base;

	cfg->products = map_items(ld, seq, &product_table,
				  sizeof(*cfg->products), &cfg->n_products,
				  NULL, NULL);
}

/* input_short: "- mag_l0" stands for "- product: mag_l0". */
static int
input_short(struct loader *ld, const struct ynode *v, void *el)
{
	struct input *in = el;

	for (size_t i = 1; i < input_table.n; i++)
		set_default(&input_table.keys[i], in);
	in->mark.file = ld->file;
	in->mark.line = v->line;
	in->mark.column = v->column;
	return convert(ld, &input_table.keys[0], v, in);
}

/*
 * seq_one_of: an input entry's "one_of: [definitive, quicklook]", its
 * products by preference, kept in the loader until seq_inputs makes
 * them inputs of the entry's process.
 */
static void
seq_one_of(struct loader *ld, const struct ynode *seq, void *base)
{
	static const struct ckey name_key =
		K("product", KT_NAME, struct input, product, 0, NULL, 0, 0);
	struct one_of g = {base, NULL, 0};

	g.members = xcalloc(seq->nr + 1, sizeof(*g.members));
	for (size_t i = 0; i < seq->nr; i++) {
		const struct ynode *it = seq->kids[i];
		struct input *m = &g.members[g.n];
		size_t saved;

		if (it->bad)
			continue;
		path_push(ld, &saved, "[%zu]", i);
		if (it->kind != YN_SCALAR || is_null(it)) {
			expect(ld, it, "a product name");
		} else if (!convert(ld, &name_key, it, m)) {
			m->mark.file = ld->file;
			m->mark.line = it->line;
			m->mark.column = it->column;
			g.n++;
		}
		path_pop(ld, saved);
	}
	ALLOC_GROW(ld->one_of, ld->n_one_of + 1, ld->alloc_one_of);
	ld->one_of[ld->n_one_of++] = g;
}

/*
 * The inputs of one entry: itself, or the products of its "one_of", each
 * with the entry's settings, ranked, named by the first (which owns the
 * group's name; the others have a copy).  Returns how many it added at
 * out (the entry's strings move).
 */
static size_t
entry_inputs(struct loader *ld, struct input *e, struct one_of *g,
	     struct input *out)
{
	if (!g) {
		if (!e->product)
			lerr(ld, e->mark.line, e->mark.column,
			     "missing required key \"product\" in input "
			     "(or \"one_of\", a list of products)");
		if (out != e)
			out[0] = *e;
		return 1;
	}
	if (e->product) {
		lerr(ld, e->mark.line, e->mark.column,
		     "an input has \"product\" or \"one_of\", not both");
		free(e->product);
		e->product = NULL;
	}
	for (size_t k = 0; k < g->n; k++) {
		struct input *m = &out[k];
		struct config_mark mark = g->members[k].mark;

		*m = *e;
		m->product = g->members[k].product;
		m->group = xstrdup(g->members[0].product);
		m->rank = (int)k;
		m->mark = mark;
	}
	free(g->members);
	g->members = NULL;
	return g->n;
}

static void
seq_inputs(struct loader *ld, const struct ynode *seq, void *base)
{
	struct process *proc = base;
	size_t first = ld->n_one_of, n = 0, total;
	struct input *in;

	proc->inputs = map_items(ld, seq, &input_table, sizeof(*proc->inputs),
				 &proc->n_inputs, NULL, input_short);
	total = proc->n_inputs;
	for (size_t k = first; k < ld->n_one_of; k++)
		total += ld->one_of[k].n;
	if (first == ld->n_one_of) {
		/* no groups: the entries are the inputs */
		for (size_t j = 0; j < proc->n_inputs; j++)
			if (!proc->inputs[j].product)
				(void)entry_inputs(ld, &proc->inputs[j], NULL,
						   &proc->inputs[j]);
		return;
	}
	in = xcalloc(total + 1, sizeof(*in));
	for (size_t j = 0; j < proc->n_inputs; j++) {
		struct one_of *g = NULL;

		for (size_t k = first; k < ld->n_one_of && !g; k++)
			if (ld->one_of[k].entry == &proc->inputs[j])
				g = &ld->one_of[k];
		n += entry_inputs(ld, &proc->inputs[j], g, in + n);
	}
	free(proc->inputs);
	proc->inputs = in;
	proc->n_inputs = n;
	ld->n_one_of = first;
}

static void
code_init(void *el)
{
	struct code *code = el;

	code->date_written = INT32_MIN; /* not given: start_date */
}

static void
seq_codes(struct loader *ld, const struct ynode *seq, void *base)
{
	struct process *proc = base;

	proc->codes = map_items(ld, seq, &code_table, sizeof(*proc->codes),
				&proc->n_codes, code_init, NULL);
	for (size_t i = 0; i < proc->n_codes; i++)
		if (proc->codes[i].date_written == INT32_MIN)
			proc->codes[i].date_written = proc->codes[i].start_date;
}

static void
process_init(void *el)
{
	struct process *proc = el;

	proc->schedule.start_date = INT32_MIN; /* not given */
}

static void
seq_processes(struct loader *ld, const struct ynode *seq, void *base)
{
	struct config *cfg = base;

	cfg->processes = map_items(ld, seq, &process_table,
				   sizeof(*cfg->processes), &cfg->n_processes,
				   process_init, NULL);
	/* a schedule mapping in the file, even an empty one, is one */
	for (size_t i = 0; i < cfg->n_processes; i++)
		cfg->processes[i].schedule.set =
			cfg->processes[i].schedule.mark.line > 0;
}

void
config_run_defaults(struct run_settings *run)
{
	memset(run, 0, sizeof(*run));
	apply_table(NULL, &run_table, NULL, run);
}

/*
 * ----------------------------------------------------------------------
 * Name index
 * ----------------------------------------------------------------------
 */

/*
 * A small open-addressing hash of (a, b) string pairs -> index, so that
 * the uniqueness and reference checks stay linear in the size of the
 * file whatever it holds.  Strings are borrowed.
 */
struct nameidx {
	const char **a, **b;
	size_t *val;
	size_t cap; /* a power of two, more than twice the entries */
};

static void
nameidx_init(struct nameidx *h, size_t n)
{
	h->cap = 16;
	while (h->cap < 2 * n + 1)
		h->cap *= 2;
	h->a = xcalloc(h->cap, sizeof(*h->a));
	h->b = xcalloc(h->cap, sizeof(*h->b));
	h->val = xcalloc(h->cap, sizeof(*h->val));
}

static void
nameidx_release(struct nameidx *h)
{
	free(h->a);
	free(h->b);
	free(h->val);
	memset(h, 0, sizeof(*h));
}

static size_t
nameidx_slot(const struct nameidx *h, const char *a, const char *b)
{
	uint64_t x = 1469598103934665603ULL;

	for (const char *s = a; *s; s++)
		x = (x ^ (unsigned char)*s) * 1099511628211ULL;
	x = (x ^ 0xff) * 1099511628211ULL;
	for (const char *s = b ? b : ""; *s; s++)
		x = (x ^ (unsigned char)*s) * 1099511628211ULL;
	for (size_t i = (size_t)x & (h->cap - 1);; i = (i + 1) & (h->cap - 1))
		if (!h->a[i] || (!strcmp(h->a[i], a) &&
				 !strcmp(h->b[i] ? h->b[i] : "", b ? b : "")))
			return i;
}

/* nameidx_get: the index stored for (a, b), or SIZE_MAX. */
static size_t
nameidx_get(const struct nameidx *h, const char *a, const char *b)
{
	size_t i;

	if (!a)
		return SIZE_MAX;
	i = nameidx_slot(h, a, b);
	return h->a[i] ? h->val[i] : SIZE_MAX;
}

/*
 * nameidx_put: store (a, b) -> val unless present.  Returns SIZE_MAX when
 * stored, else the index already there.  At most as many entries as
 * given to nameidx_init may be put.
 */
static size_t
nameidx_put(struct nameidx *h, const char *a, const char *b, size_t val)
{
	size_t i = nameidx_slot(h, a, b);

	if (h->a[i])
		return h->val[i];
	h->a[i] = a;
	h->b[i] = b;
	h->val[i] = val;
	return SIZE_MAX;
}

/*
 * ----------------------------------------------------------------------
 * Derived values
 * ----------------------------------------------------------------------
 */

/* resolve_in: *p := absolute(*p against base), or def when *p is NULL. */
static void
resolve_in(char **p, const char *base, const char *def)
{
	char *res;

	if (!*p && !def)
		return;
	res = path_resolve(base, *p ? *p : def);
	free(*p);
	*p = res;
}

static void
resolve_paths(struct loader *ld)
{
	struct mission *m = &ld->cfg->mission;
	struct run_settings *run = &ld->cfg->run;

	if (!m->rootdir)
		return; /* reported */
	resolve_in(&m->rootdir, ld->base, NULL);
	resolve_in(&m->incoming_dir, m->rootdir, "incoming");
	resolve_in(&m->codedir, m->rootdir, ".");
	if (m->inspectordir)
		resolve_in(&m->inspectordir, m->rootdir, NULL);
	else
		m->inspectordir = xstrdup(m->codedir);
	resolve_in(&m->errordir, m->rootdir, "errors");
	resolve_in(&run->log_file, m->rootdir, NULL);
	resolve_in(&ld->cfg->executor.work_dir, m->rootdir, NULL);
	/* the default, as the database gives it back */
	if (ld->cfg->executor.kind && !strcmp(ld->cfg->executor.kind, "local")) {
		free(ld->cfg->executor.kind);
		ld->cfg->executor.kind = NULL;
	}
	for (size_t i = 0; i < ld->cfg->n_processes; i++) {
		struct process *p = &ld->cfg->processes[i];

		resolve_in(&p->executor.work_dir, m->rootdir, NULL);
		for (size_t k = 0; k < p->n_codes; k++)
			resolve_in(&p->codes[k].working_dir, m->rootdir, NULL);
	}
	for (size_t i = 0; i < ld->cfg->n_products; i++) {
		resolve_in(&ld->cfg->products[i].inspector.executable,
			   m->inspectordir, NULL);
		resolve_in(&ld->cfg->products[i].inspector.module,
			   m->inspectordir, NULL);
	}
}

/* The satellites that have an instrument of a given name. */
struct inst_sats {
	size_t n;           /* how many distinct satellites */
	const char *sat[3]; /* the first few, for messages */
};

/*
 * resolve_product_timebases: a product that declares no timebase is its
 * maker's when that is HOURLY or ORBIT (its files are told apart by
 * hour, by orbit), else DAILY; a declared one is checked against its
 * maker's by check_product_timebases.
 */
static void
resolve_product_timebases(struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_products; i++) {
		struct product *pr = &cfg->products[i];

		if (pr->timebase != TIMEBASE_FILE || !pr->name)
			continue;
		pr->timebase = TIMEBASE_DAILY;
		for (size_t j = 0; j < cfg->n_processes; j++) {
			const struct process *p = &cfg->processes[j];

			if (p->output_product &&
			    !strcmp(p->output_product, pr->name) &&
			    timebase_numbered(p->timebase))
				pr->timebase = p->timebase;
		}
	}
}

/*
 * resolve_satellites: fill in the satellite of products that name none,
 * when exactly one satellite has their instrument.
 */
static void
resolve_satellites(struct loader *ld)
{
	const struct config *cfg = ld->cfg;
	struct nameidx byname, pairs;
	struct inst_sats *agg;
	size_t nagg = 0;

	nameidx_init(&byname, cfg->n_instruments);
	nameidx_init(&pairs, cfg->n_instruments);
	agg = xcalloc(cfg->n_instruments + 1, sizeof(*agg));
	for (size_t j = 0; j < cfg->n_instruments; j++) {
		const struct instrument *in = &cfg->instruments[j];
		size_t a;

		if (!in->satellite || !in->name)
			continue;
		/* a satellite listing it twice is reported by validate() */
		if (nameidx_put(&pairs, in->name, in->satellite, j) != SIZE_MAX)
			continue;
		a = nameidx_get(&byname, in->name, NULL);
		if (a == SIZE_MAX) {
			a = nagg++;
			nameidx_put(&byname, in->name, NULL, a);
		}
		if (agg[a].n < ARRAY_SIZE(agg[a].sat))
			agg[a].sat[agg[a].n] = in->satellite;
		agg[a].n++;
	}

	for (size_t i = 0; i < cfg->n_products; i++) {
		struct product *p = &cfg->products[i];
		struct strbuf sats = STRBUF_INIT;
		size_t a, n;

		if (p->satellite || !p->instrument)
			continue;
		a = nameidx_get(&byname, p->instrument, NULL);
		n = a == SIZE_MAX ? 0 : agg[a].n;
		if (n == 1) {
			p->satellite = xstrdup(agg[a].sat[0]);
			continue;
		}
		if (n == 0) {
			report(&ld->nerr, &p->mark,
			       "product \"%s\": no satellite has an instrument "
			       "\"%s\"",
			       p->name ? p->name : "?", p->instrument);
			continue;
		}
		for (size_t k = 0; k < n && k < ARRAY_SIZE(agg[a].sat); k++)
			strbuf_addf(&sats, "%s\"%s\"", k ? ", " : "",
				    agg[a].sat[k]);
		if (n > ARRAY_SIZE(agg[a].sat))
			strbuf_addf(&sats, " and %zu more",
				    n - ARRAY_SIZE(agg[a].sat));
		report(&ld->nerr, &p->mark,
		       "product \"%s\": instrument \"%s\" exists on "
		       "satellites %s: say which with \"satellite\"",
		       p->name ? p->name : "?", p->instrument, sats.buf);
		strbuf_release(&sats);
	}
	free(agg);
	nameidx_release(&pairs);
	nameidx_release(&byname);
}

/*
 * ----------------------------------------------------------------------
 * Loading
 * ----------------------------------------------------------------------
 */

static int validate(const struct config *cfg, int *nerr);

/* report that name is over CONFIG_MAX_FILE_SIZE: size bytes, 0 unknown */
static void
too_large(const char *name, uintmax_t size)
{
	if (size)
		error("configuration file \"%s\" is too large: %ju bytes, "
		      "the limit is %d bytes (16 MiB)",
		      name, size, CONFIG_MAX_FILE_SIZE);
	else
		error("configuration file \"%s\" is too large: more than %d "
		      "bytes, the limit is %d bytes (16 MiB)",
		      name, CONFIG_MAX_FILE_SIZE, CONFIG_MAX_FILE_SIZE);
}

/* load: the common part of config_load_file/string; base is absolute. */
static int
load(const char *name, const char *text, size_t len, const char *base,
     struct config **out)
{
	struct loader ld;
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct ynode *root = NULL;

	*out = NULL;
	if (len > CONFIG_MAX_FILE_SIZE) {
		too_large(name, len);
		free(cfg);
		return -1;
	}
	cfg->path = xstrdup(name);
	memset(&ld, 0, sizeof(ld));
	ld.file = cfg->path;
	ld.base = base;
	ld.cfg = cfg;
	strbuf_init(&ld.path, 0);
	config_run_defaults(&cfg->run);

	if (parse_tree(&ld, text, len, &root) < 0)
		goto out;
	if (!root || is_null(root)) {
		lerr(&ld, 1, 1,
		     "the file is empty: expected a mapping with the keys "
		     "mission, satellites, products, processes and run");
		goto out;
	}
	if (root->bad)
		goto out;
	if (root->kind != YN_MAP) {
		expect(&ld, root, "a mapping at the top level");
		goto out;
	}
	apply_table(&ld, &root_table, root, cfg);
	resolve_paths(&ld);
	resolve_satellites(&ld);
	resolve_product_timebases(ld.cfg);
	(void)validate(cfg, &ld.nerr);

out:
	ynode_free(root);
	strbuf_release(&ld.path);
	free(ld.one_of);
	if (ld.nerr) {
		config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int
config_load_string(const char *name, const char *text, size_t len,
		   const char *basedir, struct config **out)
{
	char *base;
	int rc;

	*out = NULL;
	base = absolute_dir(basedir);
	if (!base)
		return -1;
	rc = load(name ? name : "(string)", text, len, base, out);
	free(base);
	return rc;
}

int
config_load_file(const char *path, struct config **out)
{
	struct strbuf text = STRBUF_INIT;
	char *dir = NULL, *base = NULL;
	const char *slash;
	struct stat st;
	FILE *fp;
	int rc = -1;

	*out = NULL;
	fp = fopen(path, "rb");
	if (!fp)
		return error("could not open configuration file \"%s\": %s",
			     path, strerror(errno));
	/* a regular file's size is known: refuse before reading any */
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > CONFIG_MAX_FILE_SIZE) {
		too_large(path, (uintmax_t)st.st_size);
		goto out;
	}
	for (;;) {
		size_t n;

		strbuf_grow(&text, 8192);
		n = fread(text.buf + text.len, 1, 8192, fp);
		strbuf_setlen(&text, text.len + n);
		/* a pipe or a growing file: stop reading at the limit */
		if (text.len > CONFIG_MAX_FILE_SIZE) {
			too_large(path, 0);
			goto out;
		}
		if (n < 8192)
			break;
	}
	if (ferror(fp)) {
		error("could not read configuration file \"%s\": %s", path,
		      strerror(errno));
		goto out;
	}
	slash = strrchr(path, '/');
	if (slash)
		dir = slash == path ? xstrdup("/")
				    : xstrndup(path, (size_t)(slash - path));
	base = absolute_dir(dir);
	if (!base)
		goto out;
	rc = load(path, text.buf, text.len, base, out);
out:
	fclose(fp);
	free(base);
	free(dir);
	strbuf_release(&text);
	return rc;
}

/*
 * ----------------------------------------------------------------------
 * Validation
 * ----------------------------------------------------------------------
 */

static const char *
nn(const char *s)
{
	return s ? s : "?";
}

static void
check_names(const struct config *cfg, int *nerr, struct nameidx *sats,
	    struct nameidx *prods, struct nameidx *procs,
	    struct nameidx *insts)
{
	nameidx_init(sats, cfg->n_satellites);
	nameidx_init(insts, cfg->n_instruments);
	nameidx_init(prods, cfg->n_products);
	nameidx_init(procs, cfg->n_processes);

	for (size_t i = 0; i < cfg->n_satellites; i++) {
		const struct satellite *s = &cfg->satellites[i];
		size_t prev;

		if (!s->name)
			continue;
		prev = nameidx_put(sats, s->name, NULL, i);
		if (prev != SIZE_MAX)
			report(nerr, &s->mark,
			       "satellite \"%s\" is defined more than once",
			       s->name);
	}
	for (size_t i = 0; i < cfg->n_instruments; i++) {
		const struct instrument *in = &cfg->instruments[i];
		size_t prev;

		if (!in->name || !in->satellite)
			continue;
		if (nameidx_get(sats, in->satellite, NULL) == SIZE_MAX) {
			report(nerr, &in->mark,
			       "instrument \"%s\": satellite \"%s\" does not "
			       "exist",
			       in->name, in->satellite);
			continue;
		}
		prev = nameidx_put(insts, in->satellite, in->name, i);
		if (prev != SIZE_MAX)
			report(nerr, &in->mark,
			       "satellite \"%s\" lists instrument \"%s\" more "
			       "than once",
			       in->satellite, in->name);
	}
	for (size_t i = 0; i < cfg->n_products; i++) {
		const struct product *p = &cfg->products[i];

		if (p->name && nameidx_put(prods, p->name, NULL, i) != SIZE_MAX)
			report(nerr, &p->mark,
			       "product \"%s\" is defined more than once",
			       p->name);
	}
	for (size_t i = 0; i < cfg->n_processes; i++) {
		const struct process *p = &cfg->processes[i];

		if (p->name && nameidx_put(procs, p->name, NULL, i) != SIZE_MAX)
			report(nerr, &p->mark,
			       "process \"%s\" is defined more than once",
			       p->name);
	}
}

static void
check_template(const struct config *cfg, const struct product *p,
	       int *nerr)
{
	struct fnformat_names names = {cfg->mission.name, p->satellite,
				       p->instrument, p->name};
	struct strbuf err = STRBUF_INIT;
	struct fnformat *f = NULL;

	if (p->format) {
		if (fnformat_compile(p->format, &names, &f, &err) < 0)
			report(nerr, &p->mark,
			       "product \"%s\": invalid format \"%s\": %s",
			       nn(p->name), p->format, err.buf);
		else if (!p->inspector.executable && !p->inspector.module &&
			 !fnformat_has_date(f))
			report(nerr, &p->mark,
			       "product \"%s\": format \"%s\" gives no date: "
			       "the built-in matcher needs {Y}{m}{d}, {Y}{j}, "
			       "{DATE} or {datetime} (or name an inspector "
			       "executable)",
			       nn(p->name), p->format);
		else if (fnformat_has_orbit(f) &&
			 p->timebase != TIMEBASE_ORBIT)
			report(nerr, &p->mark,
			       "product \"%s\": format \"%s\" has {ORBIT}, "
			       "which only a product of orbits has (timebase: "
			       "ORBIT, or made by an ORBIT process)",
			       nn(p->name), p->format);
		fnformat_free(f);
		f = NULL;
		strbuf_reset(&err);
	}
	if (p->relative_path) {
		if (p->relative_path[0] == '/')
			report(nerr, &p->mark,
			       "product \"%s\": relative_path \"%s\" must be "
			       "relative to the mission's rootdir",
			       nn(p->name), p->relative_path);
		else if (has_dotdot(p->relative_path))
			report(nerr, &p->mark,
			       "product \"%s\": relative_path \"%s\" must not "
			       "contain a \"..\" component",
			       nn(p->name), p->relative_path);
		else if (fnformat_compile(p->relative_path, &names, &f, &err) <
			 0)
			report(nerr, &p->mark,
			       "product \"%s\": invalid relative_path \"%s\": "
			       "%s",
			       nn(p->name), p->relative_path, err.buf);
		else if (fnformat_has_orbit(f))
			report(nerr, &p->mark,
			       "product \"%s\": relative_path \"%s\" has "
			       "{ORBIT}: directories are made of dates, "
			       "versions and names (put {ORBIT} in the "
			       "format)",
			       nn(p->name), p->relative_path);
		fnformat_free(f);
	}
	strbuf_release(&err);
}

/*
 * A file name product p's template makes (from sample values), or false
 * when it makes none (an invalid template, reported elsewhere).  The
 * sample date, time, version and keywords use distinct digits, so that a
 * template reading one field where another was written does not match.
 */
static bool
sample_name(const struct config *cfg, const struct product *p,
	    struct fnformat **f, struct strbuf *out)
{
	static const struct version v = {1, 2, 3};
	struct fnformat_names names = {cfg->mission.name, p->satellite,
				       p->instrument, p->name};
	struct fnformat_values val = {
		true, 0,
		((INT64_C(4) * 60 + 5) * 60 + 6) * USEC_PER_SEC + 7008, &v,
		"?\?=ab ?\?\?=abc ?\?\?\?=abcd nn=12 nnn=123 nnnn=1234 APID=3f "
		"QACODE=ok mday=9", true, 7};
	struct strbuf err = STRBUF_INIT;
	bool ok;

	*f = NULL;
	if (!p->format || !p->name || p->inspector.executable ||
	    p->inspector.module)
		return false;
	val.date = timeutil_days_from_ymd(2001, 2, 3);
	ok = !fnformat_compile(p->format, &names, f, &err) &&
	     fnformat_is_complete(*f) &&
	     !fnformat_format(*f, &val, out, &err);
	strbuf_release(&err);
	return ok;
}

static bool
claims(const struct fnformat *f, const char *name)
{
	struct fnformat_match m = FNFORMAT_MATCH_INIT;
	int hit = fnformat_match(f, name, strlen(name), &m);

	fnformat_match_release(&m);
	return hit == 1;
}

/*
 * Two products identified by their templates must not claim the same
 * names: every such file would be rejected as ambiguous.  Each product's
 * sample name (sample_name) is matched against the others' templates;
 * a match proves an overlap (one that no sample shows is left to
 * ingest, which rejects those files as ambiguous, one by one).
 */
static void
check_overlaps(const struct config *cfg, int *nerr)
{
	size_t n = cfg->n_products;
	struct fnformat **f = xcalloc(n + 1, sizeof(*f));
	struct strvec samples = STRVEC_INIT;
	bool *have = xcalloc(n + 1, sizeof(*have));

	for (size_t i = 0; i < n; i++) {
		struct strbuf sb = STRBUF_INIT;

		have[i] = sample_name(cfg, &cfg->products[i], &f[i], &sb);
		strvec_push(&samples, sb.buf);
		strbuf_release(&sb);
	}
	for (size_t j = 1; j < n; j++) {
		for (size_t i = 0; have[j] && i < j; i++) {
			const char *s = NULL;

			if (!have[i])
				continue;
			if (claims(f[j], samples.v[i]))
				s = samples.v[i];
			else if (claims(f[i], samples.v[j]))
				s = samples.v[j];
			if (s)
				report(nerr, &cfg->products[j].mark,
				       "products \"%s\" and \"%s\" both claim "
				       "files such as \"%s\" (formats \"%s\" "
				       "and \"%s\"): every such file would be "
				       "rejected as ambiguous",
				       cfg->products[i].name,
				       cfg->products[j].name, s,
				       cfg->products[i].format,
				       cfg->products[j].format);
		}
	}
	for (size_t i = 0; i < n; i++)
		fnformat_free(f[i]);
	free(f);
	free(have);
	strvec_clear(&samples);
}

static void
check_products(const struct config *cfg, int *nerr,
	       const struct nameidx *sats, const struct nameidx *insts)
{
	for (size_t i = 0; i < cfg->n_products; i++) {
		const struct product *p = &cfg->products[i];

		if (p->timebase != TIMEBASE_FILE &&
		    p->timebase != TIMEBASE_DAILY &&
		    !timebase_numbered(p->timebase))
			report(nerr, &p->mark,
			       "product \"%s\": timebase must be DAILY, "
			       "HOURLY or ORBIT, not %s",
			       nn(p->name), timebase_name(p->timebase));
		if (p->satellite &&
		    nameidx_get(sats, p->satellite, NULL) == SIZE_MAX)
			report(nerr, &p->mark,
			       "product \"%s\": satellite \"%s\" does not "
			       "exist",
			       nn(p->name), p->satellite);
		else if (p->satellite && p->instrument &&
			 nameidx_get(insts, p->satellite, p->instrument) ==
				 SIZE_MAX)
			report(nerr, &p->mark,
			       "product \"%s\": satellite \"%s\" has no "
			       "instrument \"%s\"",
			       nn(p->name), p->satellite, p->instrument);
		if (p->inspector.executable && p->inspector.module)
			report(nerr, &p->inspector.mark,
			       "product \"%s\": its inspector has both an "
			       "executable and a module: name one (a module is "
			       "run by cascade-dbp-inspector)",
			       nn(p->name));
		else if (p->inspector.module && p->inspector.batch)
			report(nerr, &p->inspector.mark,
			       "product \"%s\": \"batch\" is for an "
			       "inspector executable (a module is always run "
			       "in batch mode)",
			       nn(p->name));
		else if (p->inspector.batch && !p->inspector.executable)
			report(nerr, &p->inspector.mark,
			       "product \"%s\": \"batch\" is for an "
			       "inspector executable, and it has none",
			       nn(p->name));
		check_template(cfg, p, nerr);
	}
	check_overlaps(cfg, nerr);
}

/* a product listed twice among a process's inputs: which ways */
static void
twice_input(const struct process *p, const struct input *a,
	    const struct input *b, int *nerr)
{
	if (!a->group && !b->group)
		report(nerr, &b->mark,
		       "process \"%s\": input product \"%s\" is listed "
		       "more than once",
		       nn(p->name), b->product);
	else if (!a->group || !b->group)
		report(nerr, &b->mark,
		       "process \"%s\": input product \"%s\" is both a "
		       "plain input and in input group \"%s\" (one_of)",
		       nn(p->name), b->product, a->group ? a->group : b->group);
	else if (!strcmp(a->group, b->group))
		report(nerr, &b->mark,
		       "process \"%s\": input product \"%s\" is listed "
		       "twice in input group \"%s\"",
		       nn(p->name), b->product, b->group);
	else
		report(nerr, &b->mark,
		       "process \"%s\": input product \"%s\" is in two "
		       "input groups, \"%s\" and \"%s\"",
		       nn(p->name), b->product, a->group, b->group);
}

/*
 * check_groups: the products of an input group (from the database: a
 * file's are so by construction) are ranked 0, 1, ... after the product
 * that names the group, and share its settings.
 */
static void
check_groups(const struct process *p, int *nerr)
{
	for (size_t j = 0; j < p->n_inputs; j++) {
		const struct input *in = &p->inputs[j], *head = NULL;
		size_t n = 0, ranked = 0;

		if (!in->group || !in->product)
			continue;
		for (size_t k = 0; k < p->n_inputs; k++) {
			const struct input *o = &p->inputs[k];

			if (!o->group || strcmp(o->group, in->group))
				continue;
			n++;
			ranked += o->rank == in->rank;
			if (o->product && !strcmp(o->product, in->group) &&
			    (!head || o->rank == 0))
				head = o;
		}
		if (!head || head->rank != 0 || ranked != 1 ||
		    (size_t)in->rank >= n)
			report(nerr, &in->mark,
			       "process \"%s\": input \"%s\": input group "
			       "\"%s\" is not ranked 0 to %zu from its first "
			       "product",
			       nn(p->name), in->product, in->group, n - 1);
		else if (head->optional != in->optional ||
			 head->yesterday != in->yesterday ||
			 head->tomorrow != in->tomorrow || head->pin != in->pin)
			report(nerr, &in->mark,
			       "process \"%s\": input \"%s\": the products "
			       "of input group \"%s\" differ in optional, "
			       "yesterday, tomorrow or version",
			       nn(p->name), in->product, in->group);
	}
}

static int
cmp_code_start(const void *a, const void *b)
{
	const struct code *x = *(const struct code *const *)a;
	const struct code *y = *(const struct code *const *)b;

	if (x->start_date != y->start_date)
		return x->start_date < y->start_date ? -1 : 1;
	/* then by position, to be deterministic */
	return x < y ? -1 : x > y;
}

static int
cmp_code_version(const void *a, const void *b)
{
	const struct code *x = *(const struct code *const *)a;
	const struct code *y = *(const struct code *const *)b;
	int c = version_cmp(&x->version, &y->version);

	return c ? c : x < y ? -1 : x > y;
}

static void
check_codes(const struct process *proc, int *nerr)
{
	const struct code **v;
	const struct code *cover = NULL;
	size_t nv = 0;
	char b1[VERSION_STRLEN], b2[VERSION_STRLEN], d[DATE_STRLEN];

	if (!proc->n_codes) {
		report(nerr, &proc->mark, "process \"%s\" has no codes",
		       nn(proc->name));
		return;
	}
	v = xcalloc(proc->n_codes, sizeof(*v));
	for (size_t i = 0; i < proc->n_codes; i++) {
		const struct code *c = &proc->codes[i];

		if (c->stop_date < c->start_date)
			report(nerr, &c->mark,
			       "process \"%s\": code %s: stop_date %s is "
			       "before start_date",
			       nn(proc->name), version_format(&c->version, b1),
			       timeutil_format_date(c->stop_date, d));
		v[i] = c;
	}

	qsort(v, proc->n_codes, sizeof(*v), cmp_code_version);
	for (size_t i = 1; i < proc->n_codes; i++)
		if (!version_cmp(&v[i - 1]->version, &v[i]->version))
			report(nerr, &v[i]->mark,
			       "process \"%s\": code version %s is listed "
			       "more than once",
			       nn(proc->name),
			       version_format(&v[i]->version, b1));

	/*
	 * Overlaps among active codes: sweep by start date, keeping the
	 * code that reaches furthest so far.  Each code is reported at most
	 * once, so the output stays linear however bad the file is.
	 */
	for (size_t i = 0; i < proc->n_codes; i++)
		if (proc->codes[i].active &&
		    proc->codes[i].stop_date >= proc->codes[i].start_date)
			v[nv++] = &proc->codes[i];
	qsort(v, nv, sizeof(*v), cmp_code_start);
	for (size_t i = 0; i < nv; i++) {
		if (cover && v[i]->start_date <= cover->stop_date)
			report(nerr, &v[i]->mark,
			       "process \"%s\": active codes %s and %s overlap "
			       "on %s",
			       nn(proc->name),
			       version_format(&cover->version, b1),
			       version_format(&v[i]->version, b2),
			       timeutil_format_date(v[i]->start_date, d));
		if (!cover || v[i]->stop_date > cover->stop_date)
			cover = v[i];
	}
	free(v);
}

/* a schedule is for a process without inputs, from a day, by its period */
static void
check_schedule(const struct process *p, int *nerr)
{
	const struct schedule *sc = &p->schedule;
	const struct config_mark *m = sc->mark.line ? &sc->mark : &p->mark;

	if (!sc->set)
		return;
	if (p->n_inputs)
		report(nerr, m,
		       "process \"%s\": a schedule is for processes without "
		       "inputs (it has %zu)",
		       nn(p->name), p->n_inputs);
	if (sc->start_date == INT32_MIN)
		report(nerr, m,
		       "process \"%s\": schedule: missing required key "
		       "\"start_date\"",
		       nn(p->name));
	if (p->timebase == TIMEBASE_FILE)
		report(nerr, m,
		       "process \"%s\": a FILE process cannot be scheduled "
		       "(its keys are its inputs' files)",
		       nn(p->name));
	else if (timebase_numbered(p->timebase))
		report(nerr, m,
		       "process \"%s\": an %s process cannot be scheduled "
		       "(a schedule plans days; its keys come from its "
		       "inputs)",
		       nn(p->name), timebase_name(p->timebase));
	else if (sc->every != TIMEBASE_FILE &&
		 sc->every != config_schedule_every(p))
		report(nerr, m,
		       "process \"%s\": schedule: every %s does not match "
		       "the process (expected %s: its output timebase, or "
		       "DAILY for RUN)",
		       nn(p->name), timebase_name(sc->every),
		       timebase_name(config_schedule_every(p)));
	if (sc->lag_days < SCHEDULE_LAG_MIN || sc->lag_days > SCHEDULE_LAG_MAX)
		report(nerr, m,
		       "process \"%s\": schedule: lag_days must be from %d "
		       "to %d, not %d",
		       nn(p->name), SCHEDULE_LAG_MIN, SCHEDULE_LAG_MAX,
		       sc->lag_days);
}

bool
config_format_tells_periods(enum timebase tb, const char *format)
{
	if (tb == TIMEBASE_HOURLY)
		return strstr(format, "{H}") != NULL;
	if (tb == TIMEBASE_ORBIT)
		return strstr(format, "{ORBIT}") || strstr(format, "{H}");
	return true;
}

enum timebase
config_schedule_every(const struct process *p)
{
	return p->timebase == TIMEBASE_RUN ? TIMEBASE_DAILY : p->timebase;
}

/*
 * A product's timebase (DAILY, HOURLY, ORBIT) and its maker's: an HOURLY
 * or ORBIT process makes a product of its own timebase, one period
 * number per key; a product of hours or orbits made by a process of days
 * would have one file per date for every period.
 */
static void
check_product_timebase(const struct config *cfg, const struct process *p,
		       const struct product *pr, int *nerr)
{
	(void)cfg;
	/* its outputs of one day need names of their own */
	if (p->timebase == pr->timebase && pr->format &&
	    !config_format_tells_periods(p->timebase, pr->format))
		report(nerr, &pr->mark,
		       "product \"%s\": format \"%s\" names every %s of a "
		       "day alike: an %s process's outputs need %s in their "
		       "names",
		       nn(pr->name), pr->format,
		       p->timebase == TIMEBASE_HOURLY ? "hour" : "orbit",
		       timebase_name(p->timebase),
		       p->timebase == TIMEBASE_HOURLY ? "{H}"
						      : "{ORBIT} (or {H}{M})");
	if (timebase_numbered(p->timebase) || timebase_numbered(pr->timebase)) {
		if (p->timebase != pr->timebase)
			report(nerr, &p->mark,
			       "process \"%s\": output_timebase %s makes "
			       "product \"%s\", whose timebase is %s (expected "
			       "the same: an %s process makes one file per %s)",
			       nn(p->name), timebase_name(p->timebase),
			       nn(pr->name), timebase_name(pr->timebase),
			       timebase_name(timebase_numbered(p->timebase)
						     ? p->timebase
						     : pr->timebase),
			       (timebase_numbered(p->timebase) ? p->timebase
							       : pr->timebase) ==
					       TIMEBASE_HOURLY
				       ? "hour"
				       : "orbit");
	}
}

static void
check_processes(const struct config *cfg, int *nerr,
		const struct nameidx *prods)
{
	size_t *producer = xcalloc(cfg->n_products ? cfg->n_products : 1,
				   sizeof(size_t));

	for (size_t i = 0; i < cfg->n_products; i++)
		producer[i] = SIZE_MAX;
	for (size_t i = 0; i < cfg->n_processes; i++) {
		const struct process *p = &cfg->processes[i];
		struct nameidx seen;

		if (p->timebase == TIMEBASE_RUN && p->output_product) {
			report(nerr, &p->mark,
			       "process \"%s\": output_product is not allowed "
			       "with output_timebase RUN",
			       nn(p->name));
		} else if (p->timebase != TIMEBASE_RUN && !p->output_product) {
			report(nerr, &p->mark,
			       "process \"%s\": output_product is required "
			       "unless output_timebase is RUN",
			       nn(p->name));
		} else if (p->output_product) {
			size_t o = nameidx_get(prods, p->output_product, NULL);

			if (o == SIZE_MAX)
				report(nerr, &p->mark,
				       "process \"%s\": output product \"%s\" "
				       "does not exist",
				       nn(p->name), p->output_product);
			else if (producer[o] != SIZE_MAX)
				report(nerr, &p->mark,
				       "product \"%s\" is the output of both "
				       "process \"%s\" and process \"%s\"",
				       p->output_product,
				       nn(cfg->processes[producer[o]].name),
				       nn(p->name));
			else
				producer[o] = i;
			if (o != SIZE_MAX)
				check_product_timebase(cfg, p,
						       &cfg->products[o], nerr);
		}

		nameidx_init(&seen, p->n_inputs);
		for (size_t j = 0; j < p->n_inputs; j++) {
			const struct input *in = &p->inputs[j];

			if (!in->product)
				continue;
			if (nameidx_get(prods, in->product, NULL) == SIZE_MAX)
				report(nerr, &in->mark,
				       "process \"%s\": input product \"%s\" "
				       "does not exist",
				       nn(p->name), in->product);
			{
				size_t d = nameidx_put(&seen, in->product,
						       NULL, j);

				if (d != SIZE_MAX)
					twice_input(p, &p->inputs[d], in,
						    nerr);
			}
			if (in->yesterday < 0 ||
			    in->yesterday > MAX_DAYS_AROUND)
				report(nerr, &in->mark,
				       "process \"%s\": input \"%s\": "
				       "yesterday must be from 0 to %d, not %d",
				       nn(p->name), in->product,
				       MAX_DAYS_AROUND, in->yesterday);
			if (in->tomorrow < 0 || in->tomorrow > MAX_DAYS_AROUND)
				report(nerr, &in->mark,
				       "process \"%s\": input \"%s\": "
				       "tomorrow must be from 0 to %d, not %d",
				       nn(p->name), in->product,
				       MAX_DAYS_AROUND, in->tomorrow);
		}
		nameidx_release(&seen);
		check_groups(p, nerr);
		check_codes(p, nerr);
		check_schedule(p, nerr);
		if (p->reuse != REUSE_NONE && p->timebase == TIMEBASE_RUN)
			report(nerr, &p->mark,
			       "process \"%s\": reuse: %s is for processes "
			       "with an output product (a RUN process has "
			       "none)",
			       nn(p->name), reuse_mode_name(p->reuse));
	}
	free(producer);
}

/*
 * check_cycles: products and processes as one graph, input product ->
 * process -> output product, so that the message can spell the cycle out.
 */
static void
check_cycles(const struct config *cfg, int *nerr, const struct nameidx *prods)
{
	size_t np = cfg->n_products, n = np + cfg->n_processes;
	struct graph g = GRAPH_INIT;
	size_t *order = NULL, *cycle = NULL, clen = 0;

	if (!n)
		return;
	graph_init(&g, n);
	for (size_t i = 0; i < cfg->n_processes; i++) {
		const struct process *p = &cfg->processes[i];
		size_t o = nameidx_get(prods, p->output_product, NULL);

		if (o != SIZE_MAX)
			graph_add_edge(&g, np + i, o);
		for (size_t j = 0; j < p->n_inputs; j++) {
			size_t in =
				nameidx_get(prods, p->inputs[j].product, NULL);

			if (in != SIZE_MAX)
				graph_add_edge(&g, in, np + i);
		}
	}
	order = xcalloc(n, sizeof(*order));
	if (graph_topo_order(&g, order, &cycle, &clen) < 0 && clen) {
		struct strbuf sb = STRBUF_INIT;
		const struct config_mark *m = NULL;

		for (size_t k = 0; k <= clen; k++) {
			size_t v = cycle[k % clen];
			const char *name = v < np ? cfg->products[v].name
						  : cfg->processes[v - np].name;

			strbuf_addf(&sb, "%s%s", k ? " -> " : "", nn(name));
			if (!m && v < np)
				m = &cfg->products[v].mark;
		}
		report(nerr, m, "products form a cycle: %s", sb.buf);
		strbuf_release(&sb);
	}
	free(cycle);
	free(order);
	graph_release(&g);
}

/* an executor's kind is one cascade has */
static void
check_executor(int *nerr, const struct executor_settings *e,
	       const char *whose)
{
	if (e->kind && strcmp(e->kind, "local") && strcmp(e->kind, "slurm"))
		report(nerr, &e->mark,
		       "%s: unknown executor kind \"%s\" (expected \"local\" "
		       "or \"slurm\")",
		       whose, e->kind);
}

static void
check_executors(const struct config *cfg, int *nerr)
{
	check_executor(nerr, &cfg->executor, "executor");
	for (size_t i = 0; i < cfg->n_processes; i++) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "process \"%s\": executor",
			    nn(cfg->processes[i].name));
		check_executor(nerr, &cfg->processes[i].executor, sb.buf);
		strbuf_release(&sb);
	}
}

void
config_process_executor(const struct config *cfg, const struct process *p,
			struct executor_settings *out)
{
	const struct executor_settings *m = &cfg->executor,
				       *o = p ? &p->executor : NULL;

	*out = *m;
	if (!o)
		goto out;
#define OVER(f)                                                             \
	if (o->f)                                                           \
		out->f = o->f;
	OVER(kind)
	OVER(partition)
	OVER(account)
	OVER(time_limit_s)
	OVER(cpus)
	OVER(memory_mb)
	OVER(sbatch_options)
	OVER(work_dir)
#undef OVER
out:
	if (!out->kind)
		out->kind = (char *)"local";
}

static int
validate(const struct config *cfg, int *nerr)
{
	struct nameidx sats, prods, procs, insts;
	int before = *nerr;

	check_executors(cfg, nerr);
	check_names(cfg, nerr, &sats, &prods, &procs, &insts);
	check_products(cfg, nerr, &sats, &insts);
	check_processes(cfg, nerr, &prods);
	check_cycles(cfg, nerr, &prods);
	nameidx_release(&sats);
	nameidx_release(&prods);
	nameidx_release(&procs);
	nameidx_release(&insts);
	return *nerr > before ? -1 : 0;
}

int
config_validate(const struct config *cfg)
{
	int nerr = 0;

	return validate(cfg, &nerr);
}

/*
 * ----------------------------------------------------------------------
 * Lookups and freeing
 * ----------------------------------------------------------------------
 */

const struct product *
config_find_product(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_products; i++)
		if (cfg->products[i].name &&
		    !strcmp(cfg->products[i].name, name))
			return &cfg->products[i];
	return NULL;
}

const struct process *
config_find_process(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_processes; i++)
		if (cfg->processes[i].name &&
		    !strcmp(cfg->processes[i].name, name))
			return &cfg->processes[i];
	return NULL;
}

static void
executor_settings_free(struct executor_settings *e)
{
	free(e->kind);
	free(e->partition);
	free(e->account);
	free(e->sbatch_options);
	free(e->work_dir);
}

void
config_free(struct config *cfg)
{
	if (!cfg)
		return;
	free(cfg->mission.name);
	free(cfg->mission.rootdir);
	free(cfg->mission.incoming_dir);
	free(cfg->mission.codedir);
	free(cfg->mission.inspectordir);
	free(cfg->mission.errordir);
	for (size_t i = 0; i < cfg->n_satellites; i++)
		free(cfg->satellites[i].name);
	free(cfg->satellites);
	for (size_t i = 0; i < cfg->n_instruments; i++) {
		free(cfg->instruments[i].satellite);
		free(cfg->instruments[i].name);
	}
	free(cfg->instruments);
	for (size_t i = 0; i < cfg->n_products; i++) {
		struct product *p = &cfg->products[i];

		free(p->name);
		free(p->satellite);
		free(p->instrument);
		free(p->format);
		free(p->relative_path);
		free(p->description);
		free(p->inspector.executable);
		free(p->inspector.module);
		free(p->inspector.arguments);
		free(p->inspector.description);
	}
	free(cfg->products);
	for (size_t i = 0; i < cfg->n_processes; i++) {
		struct process *p = &cfg->processes[i];

		free(p->name);
		free(p->output_product);
		free(p->extra_params);
		for (size_t j = 0; j < p->n_inputs; j++) {
			free(p->inputs[j].product);
			free(p->inputs[j].group);
		}
		free(p->inputs);
		for (size_t j = 0; j < p->n_codes; j++) {
			free(p->codes[j].filename);
			free(p->codes[j].relative_path);
			free(p->codes[j].description);
			free(p->codes[j].arguments);
			free(p->codes[j].working_dir);
		}
		free(p->codes);
		executor_settings_free(&p->executor);
	}
	free(cfg->processes);
	free(cfg->run.log_file);
	executor_settings_free(&cfg->executor);
	free(cfg->path);
	free(cfg);
}

/*
 * ----------------------------------------------------------------------
 * Writing
 * ----------------------------------------------------------------------
 */

struct writer {
	yaml_emitter_t e;
	bool failed;
	const char *bad_text; /* a value libyaml refused (not UTF-8) */
};

static int
write_handler(void *data, unsigned char *buf, size_t size)
{
	FILE *fp = data;

	return fwrite(buf, 1, size, fp) == size;
}

static void
emit(struct writer *w, yaml_event_t *ev, int init_ok)
{
	if (w->failed)
		return;
	if (!init_ok || !yaml_emitter_emit(&w->e, ev))
		w->failed = true;
}

/*
 * plain_ok: s can be written without quotes and reads back as the same
 * text in any YAML reader: a conservative character set, and nothing
 * that could be taken for a null, a boolean or a number.
 */
static bool
plain_ok(const char *s)
{
	static const char *const words[] = {"null", "true", "false", "yes",
					    "no",   "on",   "off",   "y",
					    "n",    "~"};
	bool digits_only = true;

	if (!*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		     *s == '_' || *s == '/'))
		return false;
	for (const char *c = s; *c; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' ||
		      *c == '.' || *c == '/'))
			return false;
		if (!(*c >= '0' && *c <= '9'))
			digits_only = false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!ascii_casecmp(s, words[i]))
			return false;
	return !digits_only;
}

static void
scalar(struct writer *w, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	int ok = yaml_scalar_event_initialize(
		&ev, NULL, NULL, (yaml_char_t *)(uintptr_t)s, (int)strlen(s), 1,
		1, style);

	if (!ok && !w->failed)
		w->bad_text = s;
	emit(w, &ev, ok);
}

static void
str(struct writer *w, const char *s)
{
	scalar(w, s,
	       plain_ok(s) ? YAML_PLAIN_SCALAR_STYLE
			   : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void
map_start(struct writer *w)
{
	yaml_event_t ev;
	int ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						     YAML_BLOCK_MAPPING_STYLE);

	emit(w, &ev, ok);
}

static void
map_end(struct writer *w)
{
	yaml_event_t ev;
	int ok = yaml_mapping_end_event_initialize(&ev);

	emit(w, &ev, ok);
}

static void
seq_start(struct writer *w, const char *key, bool flow)
{
	yaml_event_t ev;
	int ok;

	str(w, key);
	ok = yaml_sequence_start_event_initialize(
		&ev, NULL, NULL, 1,
		flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
	emit(w, &ev, ok);
}

static void
seq_end(struct writer *w)
{
	yaml_event_t ev;
	int ok = yaml_sequence_end_event_initialize(&ev);

	emit(w, &ev, ok);
}

static void
kv_str(struct writer *w, const char *key, const char *val)
{
	if (!val)
		return;
	str(w, key);
	str(w, val);
}

static void
kv_int(struct writer *w, const char *key, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	str(w, key);
	scalar(w, buf, YAML_PLAIN_SCALAR_STYLE);
}

static void
kv_bool(struct writer *w, const char *key, bool v)
{
	str(w, key);
	scalar(w, v ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
}

static void
kv_double(struct writer *w, const char *key, double v)
{
	char buf[64];
	double back;

	/* the shortest of the usual precisions that reads back exactly */
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (parse_double(buf, strlen(buf), &back) < 0 || back != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	str(w, key);
	scalar(w, buf, YAML_PLAIN_SCALAR_STYLE);
}

static void
kv_date(struct writer *w, const char *key, int32_t days)
{
	char buf[DATE_STRLEN];

	str(w, key);
	scalar(w, timeutil_format_date(days, buf), YAML_PLAIN_SCALAR_STYLE);
}

static void
kv_version(struct writer *w, const char *key, const struct version *v)
{
	char buf[VERSION_STRLEN];

	str(w, key);
	scalar(w, version_format(v, buf), YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static bool
inspector_is_default(const struct inspector *in)
{
	struct inspector def;

	memset(&def, 0, sizeof(def));
	apply_table(NULL, &inspector_table, NULL, &def);
	return !in->executable && !in->module && !in->batch &&
	       !in->arguments && !in->description &&
	       !version_cmp(&in->version, &def.version) &&
	       in->output_interface_version == def.output_interface_version &&
	       in->timeout_s == def.timeout_s && in->active == def.active;
}

static void
write_product(struct writer *w, const struct product *p)
{
	const struct inspector *in = &p->inspector;

	map_start(w);
	kv_str(w, "name", p->name);
	kv_str(w, "satellite", p->satellite);
	kv_str(w, "instrument", p->instrument);
	kv_double(w, "level", p->level);
	kv_str(w, "format", p->format);
	kv_str(w, "relative_path", p->relative_path);
	kv_str(w, "description", p->description);
	if (p->stop_time_exclusive)
		kv_bool(w, "stop_time_exclusive", true);
	if (timebase_numbered(p->timebase))
		kv_str(w, "timebase", timebase_name(p->timebase));
	if (!inspector_is_default(in)) {
		str(w, "inspector");
		map_start(w);
		kv_str(w, "executable", in->executable);
		kv_str(w, "module", in->module);
		if (in->batch)
			kv_bool(w, "batch", true);
		kv_str(w, "arguments", in->arguments);
		kv_str(w, "description", in->description);
		kv_version(w, "version", &in->version);
		kv_int(w, "output_interface_version",
		       in->output_interface_version);
		kv_int(w, "timeout", in->timeout_s);
		kv_bool(w, "active", in->active);
		map_end(w);
	}
	map_end(w);
}

/* an executor mapping, if anything in it is set */
static void
write_executor(struct writer *w, const struct executor_settings *e)
{
	if (!e->kind && !e->partition && !e->account && !e->time_limit_s &&
	    !e->cpus && !e->memory_mb && !e->sbatch_options && !e->work_dir)
		return;
	str(w, "executor");
	map_start(w);
	kv_str(w, "kind", e->kind);
	kv_str(w, "partition", e->partition);
	kv_str(w, "account", e->account);
	if (e->time_limit_s)
		kv_int(w, "time_limit", e->time_limit_s);
	if (e->cpus)
		kv_int(w, "cpus", e->cpus);
	if (e->memory_mb)
		kv_int(w, "memory_mb", e->memory_mb);
	kv_str(w, "sbatch_options", e->sbatch_options);
	kv_str(w, "work_dir", e->work_dir);
	map_end(w);
}

/*
 * whether input j is written: a plain one, or the first of its group in
 * p's order (which writes the group)
 */
static bool
group_first_here(const struct process *p, size_t j)
{
	const char *g = p->inputs[j].group;

	for (size_t k = 0; g && k < j; k++)
		if (p->inputs[k].group && !strcmp(p->inputs[k].group, g))
			return false;
	return true;
}

/* "one_of: [a, b]": the products of group g, by rank */
static void
write_one_of(struct writer *w, const struct process *p, const char *g)
{
	seq_start(w, "one_of", true);
	for (int r = 0; r < (int)p->n_inputs; r++)
		for (size_t k = 0; k < p->n_inputs; k++)
			if (p->inputs[k].group && p->inputs[k].product &&
			    p->inputs[k].rank == r &&
			    !strcmp(p->inputs[k].group, g))
				str(w, p->inputs[k].product);
	seq_end(w);
}

static void
write_process(struct writer *w, const struct process *p)
{
	map_start(w);
	kv_str(w, "name", p->name);
	kv_str(w, "output_product", p->output_product);
	kv_str(w, "output_timebase", timebase_name(p->timebase));
	kv_str(w, "extra_params", p->extra_params);
	seq_start(w, "inputs", false);
	for (size_t j = 0; j < p->n_inputs; j++) {
		const struct input *in = &p->inputs[j];

		if (!in->product || !group_first_here(p, j))
			continue;
		if (!in->optional && !in->yesterday && !in->tomorrow &&
		    !in->pin && !in->group) {
			str(w, in->product); /* the short form */
			continue;
		}
		map_start(w);
		if (in->group)
			write_one_of(w, p, in->group);
		else
			kv_str(w, "product", in->product);
		kv_bool(w, "optional", in->optional);
		kv_int(w, "yesterday", in->yesterday);
		kv_int(w, "tomorrow", in->tomorrow);
		if (in->pin)
			kv_int(w, "version", in->pin);
		map_end(w);
	}
	seq_end(w);
	seq_start(w, "codes", false);
	for (size_t j = 0; j < p->n_codes; j++) {
		const struct code *c = &p->codes[j];

		map_start(w);
		kv_str(w, "filename", c->filename);
		kv_str(w, "relative_path", c->relative_path);
		kv_version(w, "version", &c->version);
		kv_int(w, "output_interface_version",
		       c->output_interface_version);
		kv_date(w, "start_date", c->start_date);
		kv_date(w, "stop_date", c->stop_date);
		kv_str(w, "description", c->description);
		kv_date(w, "date_written", c->date_written);
		kv_str(w, "arguments", c->arguments);
		kv_str(w, "working_directory", c->working_dir);
		kv_bool(w, "active", c->active);
		kv_int(w, "timeout", c->timeout_s);
		kv_int(w, "cpu", c->cpu);
		kv_double(w, "ram", c->ram);
		map_end(w);
	}
	seq_end(w);
	write_executor(w, &p->executor);
	if (p->schedule.set) {
		str(w, "schedule");
		map_start(w);
		kv_str(w, "every", timebase_name(config_schedule_every(p)));
		kv_date(w, "start_date", p->schedule.start_date);
		kv_int(w, "lag_days", p->schedule.lag_days);
		map_end(w);
	}
	if (p->reuse != REUSE_NONE)
		kv_str(w, "reuse", reuse_mode_name(p->reuse));
	map_end(w);
}

/*
 * The instruments of each satellite, in the order of cfg->instruments,
 * found in one pass over them (comparing every satellite with every
 * instrument made 50,000 satellites take seconds to export).  Returns
 * next (free it): next[n_instruments + i] is the first instrument of
 * the satellite named as satellites[i], next[j] the one after
 * instrument j, SIZE_MAX the end.  A satellite named twice (validation
 * refuses that) has the instruments under both.
 */
static size_t *
instruments_by_satellite(const struct config *cfg)
{
	size_t ni = cfg->n_instruments;
	size_t *next = xcalloc(ni + cfg->n_satellites + 1, sizeof(*next));
	size_t *last = xcalloc(cfg->n_satellites + 1, sizeof(*last));
	struct nameidx sats;

	nameidx_init(&sats, cfg->n_satellites);
	for (size_t i = 0; i < cfg->n_satellites; i++) {
		next[ni + i] = SIZE_MAX;
		if (cfg->satellites[i].name)
			nameidx_put(&sats, cfg->satellites[i].name, NULL, i);
	}
	for (size_t j = 0; j < ni; j++) {
		const struct instrument *in = &cfg->instruments[j];
		size_t k = in->name ? nameidx_get(&sats, in->satellite, NULL)
				    : SIZE_MAX;

		next[j] = SIZE_MAX;
		if (k == SIZE_MAX)
			continue;
		if (next[ni + k] == SIZE_MAX)
			next[ni + k] = j;
		else
			next[last[k]] = j;
		last[k] = j;
	}
	/* a name given twice: the later ones share the first one's list */
	for (size_t i = 0; i < cfg->n_satellites; i++) {
		size_t k = nameidx_get(&sats, cfg->satellites[i].name, NULL);

		if (k != SIZE_MAX && k != i)
			next[ni + i] = next[ni + k];
	}
	nameidx_release(&sats);
	free(last);
	return next;
}

static void
write_config(struct writer *w, const struct config *cfg)
{
	const struct mission *m = &cfg->mission;
	const struct run_settings *r = &cfg->run;
	size_t *next = instruments_by_satellite(cfg);

	str(w, "mission");
	map_start(w);
	kv_str(w, "name", m->name);
	kv_str(w, "rootdir", m->rootdir);
	kv_str(w, "incoming_dir", m->incoming_dir);
	kv_str(w, "codedir", m->codedir);
	kv_str(w, "inspectordir", m->inspectordir);
	kv_str(w, "errordir", m->errordir);
	map_end(w);

	seq_start(w, "satellites", false);
	for (size_t i = 0; i < cfg->n_satellites; i++) {
		map_start(w);
		kv_str(w, "name", cfg->satellites[i].name);
		seq_start(w, "instruments", true);
		for (size_t j = next[cfg->n_instruments + i]; j != SIZE_MAX;
		     j = next[j])
			str(w, cfg->instruments[j].name);
		seq_end(w);
		map_end(w);
	}
	seq_end(w);
	free(next);

	seq_start(w, "products", false);
	for (size_t i = 0; i < cfg->n_products; i++)
		write_product(w, &cfg->products[i]);
	seq_end(w);

	seq_start(w, "processes", false);
	for (size_t i = 0; i < cfg->n_processes; i++)
		write_process(w, &cfg->processes[i]);
	seq_end(w);

	str(w, "run");
	map_start(w);
	kv_int(w, "slots", r->slots);
	kv_int(w, "batch_size", r->batch_size);
	kv_int(w, "code_timeout", r->code_timeout_s);
	kv_int(w, "kill_grace", r->kill_grace_s);
	kv_int(w, "max_attempts", r->max_attempts);
	kv_int(w, "bad_after", r->bad_after);
	kv_int(w, "bad_within", r->bad_within_s);
	kv_int(w, "flag_lease", r->flag_lease_s);
	kv_bool(w, "refuse_changed_code", r->refuse_changed_code);
	kv_int(w, "log_limit_kb", r->log_limit_kb);
	kv_int(w, "settle", r->settle_s);
	kv_str(w, "log_file", r->log_file);
	if (r->keep_history_days > 0) /* unset: kept for ever */
		kv_int(w, "keep_history", r->keep_history_days);
	map_end(w);
	write_executor(w, &cfg->executor);
}

int
config_write_yaml(const struct config *cfg, FILE *out)
{
	struct writer w;
	yaml_event_t ev;
	int ok;

	memset(&w, 0, sizeof(w));
	if (!yaml_emitter_initialize(&w.e))
		return error("could not initialize the YAML emitter");
	yaml_emitter_set_output(&w.e, write_handler, out);
	yaml_emitter_set_unicode(&w.e, 1);
	yaml_emitter_set_width(&w.e, -1);
	yaml_emitter_set_indent(&w.e, 2);

	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(&w, &ev, ok);
	ok = yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(&w, &ev, ok);
	map_start(&w);
	write_config(&w, cfg);
	map_end(&w);
	ok = yaml_document_end_event_initialize(&ev, 1);
	emit(&w, &ev, ok);
	ok = yaml_stream_end_event_initialize(&ev);
	emit(&w, &ev, ok);
	if (!w.failed && !yaml_emitter_flush(&w.e))
		w.failed = true;

	if (w.failed) {
		if (w.bad_text)
			error("could not write configuration: value "
			      "\"%.60s\" is not valid UTF-8",
			      w.bad_text);
		else if (w.e.error == YAML_WRITER_ERROR)
			error("could not write configuration: %s",
			      strerror(errno));
		else
			error("could not write configuration: %s",
			      w.e.problem ? w.e.problem : "YAML emitter error");
	}
	yaml_emitter_delete(&w.e);
	if (!w.failed && fflush(out) != 0)
		return error("could not write configuration: %s",
			     strerror(errno));
	return w.failed ? -1 : 0;
}
