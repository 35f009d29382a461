/*
 * identify.h - which product is this file, and what are its version and
 * dates ("inspector" in dbprocessing).
 *
 * A product is identified either by the built-in matcher (its filename
 * format, compiled once per run by fnformat) or by an external inspector
 * program.  Every product is asked, in product-id order, so the result
 * does not depend on the order of the answers: a file claimed by two
 * products is ambiguous, not a first match.
 *
 * External inspector protocol (documented in cascade-ingest(1)): the
 * program is run without a shell as "PROGRAM [ARGUMENTS...] FILE" with
 * CASCADE_PRODUCT and CASCADE_MISSION in its environment, stdin from
 * /dev/null and a timeout.  Exit status 0 means "mine": stdout then holds
 * key=value lines (see identify_parse_output below).  Exit status 1
 * means "not mine".  Any other outcome (status, signal, timeout, more
 * than IDENTIFY_OUTPUT_MAX bytes of output, malformed output) is an
 * inspector failure, which rejects the file with that reason.
 */
#ifndef CASCADE_IDENTIFY_H
#define CASCADE_IDENTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "strbuf.h"
#include "version.h"

/* What identification needs to know of a product (strings borrowed). */
struct identify_product {
	int id;
	const char *name;
	const char *format;
	const char *satellite;
	const char *instrument;
	const char *inspector; /* absolute path of an external one, or NULL */
	const char *inspector_args; /* NULL or whitespace-separated */
	int inspector_timeout_s;
};

struct identify_set;

/*
 * identify_set_new: compile the matchers of n products of mission.
 * products must stay valid while the set lives.  Returns 0 and *out
 * (free with identify_set_free), or -1 with the errors reported.
 */
int identify_set_new(const char *mission, const struct identify_product *products,
		     size_t n, struct identify_set **out) CASCADE_MUSTCHECK;
void identify_set_free(struct identify_set *set);

enum identify_kind {
	IDENTIFY_NONE,      /* no product claims it */
	IDENTIFY_ONE,       /* exactly one: fields below filled */
	IDENTIFY_AMBIGUOUS, /* two or more claim it */
	IDENTIFY_ERROR,     /* an inspector failed */
};

struct identify_result {
	enum identify_kind kind;
	size_t product;       /* index into the products given */
	int32_t date;         /* utc_file_date, days since 1970 */
	int64_t start_usec;   /* utc_start_time */
	int64_t stop_usec;    /* utc_stop_time */
	struct version version;
	struct strbuf keywords; /* process_keywords, may be empty */
	struct strbuf reason;   /* NONE/AMBIGUOUS/ERROR: why, for people */
};
#define IDENTIFY_RESULT_INIT {IDENTIFY_NONE, 0, 0, 0, 0, {0, 0, 0}, STRBUF_INIT, STRBUF_INIT}
void identify_result_release(struct identify_result *r);

/* The most an inspector may write; more is an inspector failure. */
#define IDENTIFY_OUTPUT_MAX ((size_t)64 * 1024)

/* What an inspector says of a file it claims. */
struct identify_output {
	struct version version; /* version= */
	int32_t date;           /* utc_file_date=, days since 1970 */
	int64_t start_usec;     /* utc_start_time=, default: start of date */
	int64_t stop_usec;      /* utc_stop_time=, default: end of date */
	struct strbuf keywords; /* process_keywords=, may be empty */
};
#define IDENTIFY_OUTPUT_INIT {{0, 0, 0}, 0, 0, 0, STRBUF_INIT}
void identify_output_release(struct identify_output *o);

/*
 * identify_parse_output: parse the len bytes that an inspector which
 * exited with status 0 wrote to stdout.  Pure: no I/O, nothing reported.
 *
 * The output is lines of key=value, separated by LF; one CR before an LF
 * (or at the very end) is dropped, so CRLF lines are read as LF lines.
 * Empty lines and lines starting with '#' are ignored.  The keys are
 * version=I.Q.R and utc_file_date=YYYY-MM-DD (both required),
 * utc_start_time= and utc_stop_time= (timestamps as
 * timeutil_parse_timestamp() reads them; default the start and the end
 * of utc_file_date) and process_keywords= (any text).  The value is
 * everything after the first '=', spaces included.
 *
 * Rejected: a NUL byte anywhere ("inspector output contains a NUL byte
 * at offset N", N counted from 0), a line that is not key=value, an
 * unknown key, a key given twice (both lines are named), an invalid
 * value, a missing required key, utc_stop_time before utc_start_time.
 * Lines are numbered from 1 in the messages.
 *
 * Returns 0 with *o filled, or -1 with the reason appended to reason (a
 * phrase for people, without the inspector's name: callers add it); *o
 * is then partly filled.  *o must have been initialised; its keywords
 * are replaced, and are the caller's to release either way.
 */
int identify_parse_output(const char *text, size_t len,
			  struct identify_output *o, struct strbuf *reason)
	CASCADE_MUSTCHECK;

/*
 * identify_file: identify the file name (a basename) whose full path is
 * path.  Template products look at the name only; external inspectors
 * read the file.  Fills *r; returns 0 (whatever the kind), or -1 only for
 * an internal failure (reported).
 *
 * A daily file whose name carries no time of day spans its whole day:
 * start 00:00:00, stop 23:59:59.999999.
 */
int identify_file(struct identify_set *set, const char *path, const char *name,
		  struct identify_result *r) CASCADE_MUSTCHECK;

#endif
