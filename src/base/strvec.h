/*
 * strvec.h - NULL-terminated, growable arrays of owned strings (argv, env).
 *
 * v is always NULL-terminated and safe to pass to execve() after
 * STRVEC_INIT.  Every string pushed is copied; strvec_clear() frees them all.
 */
#ifndef CASCADE_STRVEC_H
#define CASCADE_STRVEC_H

#include <stddef.h>

#include "compat.h"

struct strvec {
	const char **v;
	size_t nr;
	size_t alloc;
};

extern const char *strvec_empty[];
#define STRVEC_INIT {strvec_empty, 0, 0}

void strvec_init(struct strvec *sv);
void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...) CASCADE_PRINTF(2, 3);
/* strvec_push_nodup: push s, taking ownership of it. */
void strvec_push_nodup(struct strvec *sv, char *s);
void strvec_pop(struct strvec *sv);
void strvec_clear(struct strvec *sv);
/* strvec_split: push every non-empty field of s separated by any of seps. */
void strvec_split(struct strvec *sv, const char *s, const char *seps);

#endif
