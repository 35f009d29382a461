/*
 * json.c - a small streaming JSON writer (see json.h).
 *
 * The nesting state is a fixed stack of container kinds; every value
 * goes through begin_value(), which writes the separator the position
 * needs, and every misuse is a BUG rather than bad output, because a
 * document a machine cannot parse is worse than a crash in a test.
 */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "log.h"
#include "banned.h"

void
json_init(struct json_writer *w, struct strbuf *out, unsigned flags)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->flags = flags;
}

static void
newline_indent(struct json_writer *w)
{
	if (!(w->flags & JSON_PRETTY))
		return;
	strbuf_addch(w->out, '\n');
	for (int i = 0; i < w->depth; i++)
		strbuf_addstr(w->out, "  ");
}

/* Write what must precede a value at the current position. */
static void
begin_value(struct json_writer *w)
{
	if (w->done)
		BUG("JSON value after the end of the document");
	if (w->depth == 0)
		return;
	if (w->kind[w->depth - 1] == 'o') {
		if (!w->have_key)
			BUG("JSON value in an object without a key");
		w->have_key = false;
		return;
	}
	if (w->nonempty[w->depth - 1])
		strbuf_addch(w->out, ',');
	w->nonempty[w->depth - 1] = true;
	newline_indent(w);
}

/* A scalar or a closed container completes the document at depth 0. */
static void
end_value(struct json_writer *w)
{
	if (w->depth == 0)
		w->done = true;
}

static void
open_container(struct json_writer *w, char kind)
{
	begin_value(w);
	if (w->depth >= JSON_MAX_DEPTH)
		BUG("JSON nesting deeper than %d", JSON_MAX_DEPTH);
	strbuf_addch(w->out, kind == 'o' ? '{' : '[');
	w->kind[w->depth] = kind;
	w->nonempty[w->depth] = false;
	w->depth++;
}

static void
close_container(struct json_writer *w, char kind)
{
	bool nonempty;

	if (w->depth == 0 || w->kind[w->depth - 1] != kind)
		BUG("JSON %s closed where none is open",
		    kind == 'o' ? "object" : "array");
	if (w->have_key)
		BUG("JSON object closed after a key without a value");
	nonempty = w->nonempty[w->depth - 1];
	w->depth--;
	if (nonempty)
		newline_indent(w);
	strbuf_addch(w->out, kind == 'o' ? '}' : ']');
	end_value(w);
}

void
json_object_begin(struct json_writer *w)
{
	open_container(w, 'o');
}

void
json_document_begin(struct json_writer *w)
{
	if (w->depth != 0 || w->done)
		BUG("json: a document begins at the top level");
	json_object_begin(w);
	json_kv_int(w, "format", JSON_FORMAT);
}

void
json_object_end(struct json_writer *w)
{
	close_container(w, 'o');
}

void
json_array_begin(struct json_writer *w)
{
	open_container(w, 'a');
}

void
json_array_end(struct json_writer *w)
{
	close_container(w, 'a');
}

void
json_key(struct json_writer *w, const char *key)
{
	if (w->depth == 0 || w->kind[w->depth - 1] != 'o')
		BUG("JSON key \"%s\" outside an object", key);
	if (w->have_key)
		BUG("JSON key \"%s\" after a key without a value", key);
	if (w->nonempty[w->depth - 1])
		strbuf_addch(w->out, ',');
	w->nonempty[w->depth - 1] = true;
	newline_indent(w);
	json_escape(w->out, key, strlen(key));
	strbuf_addstr(w->out, (w->flags & JSON_PRETTY) ? ": " : ":");
	w->have_key = true;
}

void
json_finish(struct json_writer *w)
{
	if (!w->done || w->depth != 0)
		BUG("incomplete JSON document (depth %d)", w->depth);
	strbuf_addch(w->out, '\n');
}

size_t
json_utf8_len(const char *str, size_t len, size_t *bad)
{
	return escape_utf8_len(str, len, bad);
}

void
json_escape(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	strbuf_addch(sb, '"');
	while (i < len) {
		unsigned char c = p[i];
		size_t n, bad;

		if (c < 0x80) {
			switch (c) {
			case '"':
				strbuf_addstr(sb, "\\\"");
				break;
			case '\\':
				strbuf_addstr(sb, "\\\\");
				break;
			case '\b':
				strbuf_addstr(sb, "\\b");
				break;
			case '\f':
				strbuf_addstr(sb, "\\f");
				break;
			case '\n':
				strbuf_addstr(sb, "\\n");
				break;
			case '\r':
				strbuf_addstr(sb, "\\r");
				break;
			case '\t':
				strbuf_addstr(sb, "\\t");
				break;
			default:
				if (c < 0x20)
					strbuf_addf(sb, "\\u%04x", c);
				else
					strbuf_addch(sb, c);
			}
			i++;
			continue;
		}
		n = json_utf8_len(s + i, len - i, &bad);
		if (n == 0) {
			strbuf_addstr(sb, "\xEF\xBF\xBD"); /* U+FFFD */
			i += bad;
		} else if (n == 3 && c == 0xE2 && p[i + 1] == 0x80 &&
			   (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
			strbuf_addstr(sb, p[i + 2] == 0xA8 ? "\\u2028"
							   : "\\u2029");
			i += n;
		} else {
			strbuf_add(sb, p + i, n);
			i += n;
		}
	}
	strbuf_addch(sb, '"');
}

void
json_string(struct json_writer *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	json_string_len(w, s, strlen(s));
}

void
json_string_len(struct json_writer *w, const char *s, size_t len)
{
	begin_value(w);
	json_escape(w->out, s, len);
	end_value(w);
}

void
json_int(struct json_writer *w, int64_t v)
{
	begin_value(w);
	strbuf_addf(w->out, "%lld", (long long)v);
	end_value(w);
}

void
json_double(struct json_writer *w, double v)
{
	char buf[64];

	if (!isfinite(v)) {
		json_null(w);
		return;
	}
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
		/* an integral value: plain digits, never "6e+02" */
		snprintf(buf, sizeof(buf), "%.0f", v);
	} else {
		/* the shortest %g form that reads back as the same double */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, sizeof(buf), "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				break;
		}
	}
	begin_value(w);
	strbuf_addstr(w->out, buf);
	end_value(w);
}

void
json_bool(struct json_writer *w, bool v)
{
	begin_value(w);
	strbuf_addstr(w->out, v ? "true" : "false");
	end_value(w);
}

void
json_null(struct json_writer *w)
{
	begin_value(w);
	strbuf_addstr(w->out, "null");
	end_value(w);
}

void
json_kv_string(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void
json_kv_int(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_int(w, v);
}

void
json_kv_double(struct json_writer *w, const char *key, double v)
{
	json_key(w, key);
	json_double(w, v);
}

void
json_kv_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}

void
json_kv_null(struct json_writer *w, const char *key)
{
	json_key(w, key);
	json_null(w);
}
