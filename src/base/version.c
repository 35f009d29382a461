/*
 * version.c - interface.quality.revision parsing and comparison.
 */
#include "version.h"

#include <stdio.h>
#include "banned.h"

static int
component(const char *s, size_t len, size_t *pos, int *out)
{
	long v = 0;
	size_t start = *pos;

	while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
		v = v * 10 + (s[*pos] - '0');
		if (v > VERSION_COMPONENT_MAX)
			return -1;
		(*pos)++;
	}
	if (*pos == start)
		return -1;
	*out = (int)v;
	return 0;
}

int
version_parse(const char *s, size_t len, struct version *out)
{
	size_t pos = 0;
	struct version v;

	if (component(s, len, &pos, &v.interface) || pos >= len ||
	    s[pos++] != '.')
		return -1;
	if (component(s, len, &pos, &v.quality) || pos >= len ||
	    s[pos++] != '.')
		return -1;
	if (component(s, len, &pos, &v.revision) || pos != len)
		return -1;
	*out = v;
	return 0;
}

int
version_cmp(const struct version *a, const struct version *b)
{
	if (a->interface != b->interface)
		return a->interface < b->interface ? -1 : 1;
	if (a->quality != b->quality)
		return a->quality < b->quality ? -1 : 1;
	if (a->revision != b->revision)
		return a->revision < b->revision ? -1 : 1;
	return 0;
}

char *
version_format(const struct version *v, char *buf)
{
	snprintf(buf, VERSION_STRLEN, "%d.%d.%d", v->interface, v->quality,
		 v->revision);
	return buf;
}
