/*
 * escape.h - the one printable form of names that are not safe to show
 * or to store as text.
 *
 * Pure.  A file name is any sequence of bytes but '/' and NUL: it may
 * hold a newline, a tab, an escape sequence or bytes that are not UTF-8,
 * none of which may reach a log line (one entry must stay one line) or a
 * text column (PostgreSQL text must be valid in the server's encoding).
 * Wherever such a name is logged or stored as text (failure rows, the
 * ingest journal, log lines), it is written in this form:
 *
 *   - every byte that is not part of a well-formed UTF-8 sequence, every
 *     C0 control character (0x00-0x1f), DEL (0x7f) and every C1 control
 *     character (U+0080-U+009F, each of its two bytes) as \xNN, two
 *     lowercase hex digits;
 *   - a backslash as \\;
 *   - everything else (printable ASCII and UTF-8) as it is.
 *
 * So the form is valid UTF-8 without control characters, a name that
 * needs none of this is shown as it is, and the form can be read back
 * (escape_unname), so a path stored escaped still finds its file.
 *
 * With ESCAPE_ASCII every byte >= 0x80 is written \xNN too: for a server
 * whose encoding cannot hold every UTF-8 character (LATIN1, ...).
 */
#ifndef CASCADE_ESCAPE_H
#define CASCADE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "strbuf.h"

enum escape_flags {
	ESCAPE_ASCII = 1 << 0, /* also every byte >= 0x80 */
	ESCAPE_KEEP_BACKSLASH = 1 << 1, /* controls only: for whole log lines */
};

/*
 * escape_name: append the len bytes at s to sb in the form above.
 * ESCAPE_KEEP_BACKSLASH leaves backslashes alone (not reversible: log.c
 * uses it on whole lines, whose names are already escaped).
 */
void escape_name(struct strbuf *sb, const char *s, size_t len,
		 unsigned flags);
/* escape_str: escape_name of a C string into a new string (caller frees). */
char *escape_str(const char *s) CASCADE_MUSTCHECK;

/*
 * escape_unname: append to sb the bytes whose escaped form is s (the
 * inverse of escape_name).  Returns 0, or -1 if s is not such a form (a
 * backslash not followed by a backslash or by x and two hex digits, or a
 * \x00), sb then unchanged.
 */
int escape_unname(struct strbuf *sb, const char *s) CASCADE_MUSTCHECK;

/* escape_valid_utf8: the len bytes at s are well-formed UTF-8. */
bool escape_valid_utf8(const char *s, size_t len);

/*
 * escape_utf8_len: the length (1 to 4) of the well-formed UTF-8 sequence
 * at the start of s (len > 0 bytes), or 0 if it is not one; then *bad
 * gets the length of the maximal invalid subpart to skip (at least 1),
 * as Unicode's "substitution of maximal subparts" defines it.
 */
size_t escape_utf8_len(const char *s, size_t len, size_t *bad);

#endif
