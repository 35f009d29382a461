/*
 * strvec.c - arrays of owned strings.
 */
#include "strvec.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

const char *strvec_empty[] = {NULL};

void
strvec_init(struct strvec *sv)
{
	sv->v = strvec_empty;
	sv->nr = sv->alloc = 0;
}

void
strvec_push_nodup(struct strvec *sv, char *s)
{
	if (sv->v == strvec_empty)
		sv->v = NULL;
	ALLOC_GROW(sv->v, sv->nr + 2, sv->alloc);
	sv->v[sv->nr++] = s;
	sv->v[sv->nr] = NULL;
}

void
strvec_push(struct strvec *sv, const char *s)
{
	strvec_push_nodup(sv, xstrdup(s));
}

void
strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strvec_push_nodup(sv, xvasprintf(fmt, ap));
	va_end(ap);
}

void
strvec_pop(struct strvec *sv)
{
	if (!sv->nr)
		return;
	free((char *)sv->v[--sv->nr]);
	sv->v[sv->nr] = NULL;
}

void
strvec_clear(struct strvec *sv)
{
	if (sv->v != strvec_empty) {
		for (size_t i = 0; i < sv->nr; i++)
			free((char *)sv->v[i]);
		free(sv->v);
	}
	strvec_init(sv);
}

void
strvec_split(struct strvec *sv, const char *s, const char *seps)
{
	while (*s) {
		size_t skip = strspn(s, seps);
		size_t len;

		s += skip;
		if (!*s)
			break;
		len = strcspn(s, seps);
		strvec_push_nodup(sv, xstrndup(s, len));
		s += len;
	}
}
