/*
 * version.h - dbprocessing versions: interface.quality.revision.
 *
 * Pure.  Versions compare as integer triples, so 1.10.0 > 1.9.0.
 * Components are 0..32767 (the schema stores them as smallint);
 * interface_version must be >= 1 for files and codes.
 */
#ifndef CASCADE_VERSION_H
#define CASCADE_VERSION_H

#include <stddef.h>

#include "compat.h"

struct version {
	int interface;
	int quality;
	int revision;
};

#define VERSION_COMPONENT_MAX 32767
/* VERSION_STRLEN: room for three formatted ints and the dots. */
#define VERSION_STRLEN 40

/*
 * version_parse: parse exactly "I.Q.R" (decimal, no sign, no spaces,
 * each component <= VERSION_COMPONENT_MAX) from the first len bytes of s.
 * Returns 0, or -1 (nothing reported: callers say where it came from).
 */
int version_parse(const char *s, size_t len, struct version *out)
	CASCADE_MUSTCHECK;
/* version_cmp: <0, 0, >0 like strcmp, comparing components as integers. */
int version_cmp(const struct version *a, const struct version *b);
/* version_format: write "I.Q.R" into buf (VERSION_STRLEN bytes); return buf. */
char *version_format(const struct version *v, char *buf);

#endif
