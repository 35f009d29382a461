/*
 * strbuf.h - growable NUL-terminated byte strings.
 *
 * A struct strbuf always holds a valid C string in buf (possibly empty),
 * even right after STRBUF_INIT.  Embedded NULs are allowed; len is the
 * byte count.  strbuf_release() frees and reinitialises; strbuf_detach()
 * hands the buffer to the caller.
 */
#ifndef CASCADE_STRBUF_H
#define CASCADE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "compat.h"

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT {0, 0, strbuf_slopbuf}

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* strbuf_detach: return the buffer (caller frees) and reinitialise sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) CASCADE_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	CASCADE_PRINTF(2, 0);
/* strbuf_rtrim: drop trailing whitespace. */
void strbuf_rtrim(struct strbuf *sb);

#endif
