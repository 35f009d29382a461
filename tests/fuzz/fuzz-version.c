/*
 * fuzz-version.c - libFuzzer target for the version parser.
 *
 * The whole input is one candidate "I.Q.R".  Beyond "no crash, no
 * undefined behaviour" it checks what version.h promises: an accepted
 * version has components 0..VERSION_COMPONENT_MAX, formats back to the
 * input (but for leading zeros) and parses again to itself; comparison
 * is a total order consistent with equality.  The unit tests say which
 * strings ought to be accepted.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

static int
sign(int x)
{
	return (x > 0) - (x < 0);
}

static bool
in_range(int c)
{
	return c >= 0 && c <= VERSION_COMPONENT_MAX;
}

/* Leading zeros: "01.0.0" parses as 1.0.0 and formats shorter. */
static bool
has_leading_zero(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] == '0' && (i == 0 || s[i - 1] == '.') &&
		    s[i + 1] >= '0' && s[i + 1] <= '9')
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct version fixed[] = {
		{0, 0, 0}, {1, 0, 0}, {1, 10, 0}, {1, 9, 32767}, {32767, 32767, 32767},
	};
	const char *s = (const char *)data;
	struct version v, back;
	char buf[VERSION_STRLEN];
	size_t n;

	if (version_parse(s, size, &v))
		return 0;
	CHECK(in_range(v.interface) && in_range(v.quality) &&
	      in_range(v.revision));
	version_format(&v, buf);
	n = strlen(buf);
	CHECK(n < VERSION_STRLEN);
	CHECK((n == size && !memcmp(buf, s, n)) ||
	      (n < size && has_leading_zero(s, size)));
	CHECK(version_parse(buf, n, &back) == 0);
	CHECK(version_cmp(&v, &back) == 0);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		int a = version_cmp(&v, &fixed[i]), b = version_cmp(&fixed[i], &v);

		CHECK(sign(a) == -sign(b));
		CHECK((a == 0) == (v.interface == fixed[i].interface &&
				   v.quality == fixed[i].quality &&
				   v.revision == fixed[i].revision));
	}
	return 0;
}
