/*
 * orbit.h - the orbits file an operator loads ("cascade orbits load"):
 * its format, read into a checked list of orbits.
 *
 * Pure: text in, orbits and messages out, no I/O.  One orbit a line:
 *
 *   NUMBER START STOP
 *
 * separated by commas (CSV), or, on a line without a comma, by blanks.
 * NUMBER is the mission-wide orbit number (0 to 999999999999, digits
 * only); START and STOP are UTC instants as timeutil reads them
 * ("2024-03-01T05:12:00Z", fractions of a second allowed, a space
 * instead of the T only on comma lines); the orbit is [START, STOP),
 * STOP excluded, so an orbit ends where the next begins.  Blank lines
 * and lines whose first non-blank byte is '#' are skipped; so is a
 * header line "number,start,stop" (any case, either separator) before
 * the first orbit.  Lines may end in CRLF.
 *
 * A file is taken whole or not at all: every bad line is named (file:
 * line: what was wrong, what was expected), and so is an orbit number
 * given twice, and two orbits whose intervals overlap or whose numbers
 * are not in the order of their times, whatever the order of the lines.
 */
#ifndef CASCADE_ORBIT_H
#define CASCADE_ORBIT_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "strbuf.h"

#define ORBIT_MAX_NUMBER INT64_C(999999999999)
/* the most messages listed for one file (the rest are counted) */
#define ORBIT_MAX_ERRORS 20

struct orbit {
	int64_t number;
	int64_t start; /* microseconds since 1970, UTC */
	int64_t stop;  /* the first instant after the orbit */
	long line;     /* where the file gave it (1-based) */
};

struct orbit_list {
	struct orbit *v; /* in number order, once orbit_parse succeeded */
	size_t n;
	size_t alloc;
};
#define ORBIT_LIST_INIT {NULL, 0, 0}
void orbit_list_release(struct orbit_list *l);

/*
 * orbit_parse: read the orbits file text[0..len) (name: how messages
 * name it) into *out (emptied first), sorted by number.  Returns 0, or
 * -1 with one message a line in err ("name:line: ...", at most
 * ORBIT_MAX_ERRORS and a last line saying more were not listed) and
 * *out empty.  Nothing is logged: the caller reports err.
 */
int orbit_parse(const char *name, const char *text, size_t len,
		struct orbit_list *out, struct strbuf *err) CASCADE_MUSTCHECK;

/*
 * orbit_find: the orbit of l (sorted by number) numbered number, or
 * NULL.
 */
const struct orbit *orbit_find(const struct orbit_list *l, int64_t number);

#endif
