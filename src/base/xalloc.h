/*
 * xalloc.h - allocation that dies on out-of-memory.
 *
 * No other code in cascade checks the result of malloc: these functions
 * either return memory or print the size requested and exit.  Memory they
 * return is the caller's to free.
 */
#ifndef CASCADE_XALLOC_H
#define CASCADE_XALLOC_H

#include <stddef.h>
#include <stdarg.h>

#include "compat.h"

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
/* xstrndup: copy at most n bytes of s, always NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* xstrdup_or_null: a copy of s, or NULL if s is NULL (a SQL NULL). */
char *xstrdup_or_null(const char *s);
/* xstrdup_or_empty: a copy of s, or of "" if s is NULL. */
char *xstrdup_or_empty(const char *s);
char *xasprintf(const char *fmt, ...) CASCADE_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) CASCADE_PRINTF(1, 0);

/*
 * ALLOC_GROW(array, nr, alloc): make room for at least nr elements in
 * array, whose current capacity is alloc; grows geometrically and dies on
 * size overflow.
 */
#define ALLOC_GROW(x, nr, alloc)                                             \
	do {                                                                 \
		if ((size_t)(nr) > (size_t)(alloc)) {                        \
			(x) = xgrow((x), &(alloc), (size_t)(nr), sizeof(*(x))); \
		}                                                            \
	} while (0)

void *xgrow(void *ptr, size_t *alloc, size_t need, size_t elsize);

#endif
