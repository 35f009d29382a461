/*
 * reuse-rules.h - reuse by content, pure: what a build's output is made
 * of, as one key, so that two builds whose keys are equal may share an
 * output (issue 16, item 2).
 *
 * A process declared "reuse: content" promises that its code's output
 * depends on nothing but what goes into the key: the code file's bytes
 * (its SHA-256), its arguments (as the words of the command line) and
 * the process's extra parameters, the output interface it writes, the
 * key's period (its timebase and first day, and an HOURLY or ORBIT key's
 * period number: the date reaches the code
 * through {DATE} and the inputs' times), and the bytes of the input
 * files, in the build's order.  What does not count: file names and
 * versions (a re-delivery of the same bytes under a new version has the
 * key of the first delivery), file ids, the code's version and id (the
 * same bytes registered again), how the arguments are spaced.
 *
 * No I/O, no logging; tests/unit/test-reuse-rules.c holds the rules as a
 * table.  runner-reuse.c computes the keys of a batch of dispatched
 * builds and asks the database for earlier successful builds of equal
 * keys in one statement.
 */
#ifndef CASCADE_REUSE_RULES_H
#define CASCADE_REUSE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "period.h"
#include "sha.h"

/* What a build's output is made of (strings borrowed). */
struct reuse_content {
	const char *code_sha256;  /* the code file's, hex; NULL: unknown */
	const char *arguments;    /* the code's, or NULL */
	const char *extra_params; /* the process's, '|'-separated, or NULL */
	int output_interface;     /* the code's output_interface_version */
	enum timebase timebase;   /* the process's */
	int32_t date;             /* the key's first day (FILE: the file's) */
	int64_t period_number;    /* HOURLY, ORBIT: the key's hour, orbit */
	/*
	 * ORBIT: the orbit's instants [period_start, period_stop) when the
	 * build runs (an orbit loaded again with other times is another
	 * content: its code cuts its data at them); ignored otherwise
	 */
	int64_t period_start, period_stop;
	/*
	 * the input files' checksums in the build's order: "sha256:HEX",
	 * or "sha1:HEX" for a file recorded with only dbprocessing's SHA-1;
	 * NULL: not known
	 */
	const char *const *inputs;
	size_t n_inputs;
};

/*
 * reuse_rules_content_key: the hex SHA-256 of the canonical text of c
 * (every field length-prefixed, so no two contents share a text) into
 * out.  Returns 0, or -1 (out emptied) when a part is not known: no code
 * hash, or an input without a checksum; such a build is never reused
 * and never reused from.
 */
int reuse_rules_content_key(const struct reuse_content *c,
			    char out[SHA256_HEX_LEN]);

/*
 * reuse_rules_checksum: the checksum of a file as content keys take it
 * ("sha256:" and its SHA-256, else "sha1:" and its SHA-1) into out, or
 * -1 when the file has neither.
 */
#define REUSE_CHECKSUM_LEN (7 + SHA256_HEX_LEN)
int reuse_rules_checksum(const char *sha256, const char *sha1,
			 char out[REUSE_CHECKSUM_LEN]);

#endif
