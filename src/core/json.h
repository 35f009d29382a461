/*
 * json.h - a small streaming JSON writer into a strbuf.
 *
 * Pure: no I/O, no allocation beyond the strbuf it appends to.  The
 * writer tracks nesting, so that commas, colons and (with JSON_PRETTY)
 * indentation come out right whatever order the caller emits values in;
 * emitting a value where a key is expected, or closing the wrong
 * container, is a BUG.  Strings are escaped per RFC 8259 and always come
 * out as valid UTF-8: a byte that is not part of a well-formed UTF-8
 * sequence becomes U+FFFD, so a log tail of arbitrary bytes cannot make
 * the document unparsable.  Numbers that JSON cannot represent (NaN,
 * infinities) are written as null.
 *
 * It deliberately has no parser: cascade writes JSON for machines and
 * reads nothing in it.
 *
 * Calling sequence:
 *
 *   struct strbuf sb = STRBUF_INIT;
 *   struct json_writer w;
 *
 *   json_init(&w, &sb, JSON_PRETTY);
 *   json_object_begin(&w);
 *   json_kv_string(&w, "name", "mag_l0");
 *   json_key(&w, "ids");
 *   json_array_begin(&w);
 *   json_int(&w, 1);
 *   json_array_end(&w);
 *   json_object_end(&w);
 *   json_finish(&w);          (checks nesting, adds the final newline)
 */
#ifndef CASCADE_JSON_H
#define CASCADE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "strbuf.h"

/* Deepest nesting the writer supports (deeper is a BUG). */
#define JSON_MAX_DEPTH 32

enum json_flags {
	JSON_PRETTY = 1 << 0, /* newlines and two-space indentation */
};

struct json_writer {
	struct strbuf *out; /* borrowed: the caller's buffer */
	unsigned flags;
	int depth;
	/* per level: 'o' object, 'a' array; and whether it has members */
	char kind[JSON_MAX_DEPTH];
	bool nonempty[JSON_MAX_DEPTH];
	bool have_key;  /* in an object, a key was written: a value is due */
	bool done;      /* the top-level value is complete */
};

/*
 * The version of the documents cascade writes (status, runs, builds,
 * failures, stats, check, flag show, queue list --json): each is an
 * object whose first member is "format": JSON_FORMAT.  It is raised when
 * a member is removed, renamed or changes meaning; members are added
 * without raising it.  cascade(7) documents it.
 */
#define JSON_FORMAT 1

/* json_init: write to out (kept, not owned), appending. */
void json_init(struct json_writer *w, struct strbuf *out, unsigned flags);
/*
 * json_finish: the document must be complete (one top-level value, every
 * container closed, else BUG); appends a newline.
 */
void json_finish(struct json_writer *w);

/*
 * json_document_begin: open the top-level object of one of cascade's
 * documents, with its "format" member (JSON_FORMAT); close it with
 * json_object_end.
 */
void json_document_begin(struct json_writer *w);
void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
/* json_key: the next member's name (only inside an object). */
void json_key(struct json_writer *w, const char *key);

/* Values.  json_string(w, NULL) writes null. */
void json_string(struct json_writer *w, const char *s);
/* json_string_len: len bytes of s (may contain NULs, written as \u0000). */
void json_string_len(struct json_writer *w, const char *s, size_t len);
void json_int(struct json_writer *w, int64_t v);
/* json_double: shortest form that reads back exactly; null if not finite. */
void json_double(struct json_writer *w, double v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* Members: json_key followed by the value. */
void json_kv_string(struct json_writer *w, const char *key, const char *s);
void json_kv_int(struct json_writer *w, const char *key, int64_t v);
void json_kv_double(struct json_writer *w, const char *key, double v);
void json_kv_bool(struct json_writer *w, const char *key, bool v);
void json_kv_null(struct json_writer *w, const char *key);

/*
 * json_escape: append s (len bytes) to sb as a quoted JSON string:
 * quote, backslash and control characters escaped (\n, \t, ... or
 * \u00XX), U+2028 and U+2029 escaped (so the text is also valid
 * JavaScript), invalid UTF-8 replaced by U+FFFD.
 */
void json_escape(struct strbuf *sb, const char *s, size_t len);

/*
 * json_utf8_len: the length (1 to 4) of the well-formed UTF-8 sequence at
 * the start of s (len > 0 bytes), or 0 if it is not one; then *bad gets
 * the length of the maximal invalid subpart to skip (at least 1).
 */
size_t json_utf8_len(const char *s, size_t len, size_t *bad);

#endif
