/*
 * fuzz-orbit.c - libFuzzer target for the orbits file parser.
 *
 * The whole input is one orbits file.  Beyond "no crash, no undefined
 * behaviour" it checks what orbit.h promises: a file either yields
 * orbits with no message, sorted by number without repeats, each with
 * its start before its stop and after the stop of the one before it,
 * numbers in range and lines within the file; or it yields no orbit
 * and at most ORBIT_MAX_ERRORS + 1 messages, each a line naming the
 * file.  The unit tests say which files ought to be accepted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orbit.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct orbit_list l = ORBIT_LIST_INIT;
	struct strbuf err = STRBUF_INIT;
	long lines = 1;
	int rc;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	rc = orbit_parse("f", (const char *)data, size, &l, &err);
	if (rc == 0) {
		CHECK(err.len == 0);
		for (size_t i = 0; i < l.n; i++) {
			const struct orbit *o = &l.v[i];

			CHECK(o->number >= 0 && o->number <= ORBIT_MAX_NUMBER);
			CHECK(o->start < o->stop);
			CHECK(o->line >= 1 && o->line <= lines);
			if (i) {
				CHECK(o->number > l.v[i - 1].number);
				CHECK(o->start >= l.v[i - 1].stop);
			}
			CHECK(orbit_find(&l, o->number) == o);
		}
	} else {
		size_t n = 0;

		CHECK(rc == -1 && l.n == 0 && err.len > 0);
		CHECK(err.buf[err.len - 1] == '\n');
		for (size_t i = 0; i < err.len; i++) {
			if (i == 0 || err.buf[i - 1] == '\n') {
				CHECK(!strncmp(err.buf + i, "f:", 2));
				n++;
			}
			CHECK(err.buf[i] != '\0');
		}
		CHECK(n >= 1 && n <= ORBIT_MAX_ERRORS + 1);
	}
	orbit_list_release(&l);
	strbuf_release(&err);
	return 0;
}
