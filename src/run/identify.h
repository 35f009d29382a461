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
 * inspector failure.
 *
 * An inspector's failure affects only its own product: for the file at
 * hand it counts as "not mine", so a file that another product claims is
 * identified as that product's; a file that no product claims, when an
 * inspector failed on it, is IDENTIFY_ERROR with the failure as the
 * reason.  An inspector that fails IDENTIFY_DISABLE_AFTER times in a row
 * is not run again by this set (it fails at once, saying so), so a
 * hanging inspector costs a few timeouts per run, not one per file.
 * Failures are counted per inspector; identify_report_failures() logs
 * one line per failing inspector.
 *
 * Every claim is checked against what the database and the period
 * arithmetic of the planner can hold (identify_check_values): interface
 * version 1 or more, components at most VERSION_COMPONENT_MAX, dates and
 * times within years IDENTIFY_YEAR_MIN..IDENTIFY_YEAR_MAX, keywords valid
 * UTF-8.  A file whose one claimant gives anything else is
 * IDENTIFY_INVALID, with the reason and the field at fault.
 */
#ifndef CASCADE_IDENTIFY_H
#define CASCADE_IDENTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "model.h"
#include "strbuf.h"
#include "version.h"

/*
 * The years a file's date, start and stop may fall in.  The planner
 * derives from a date its neighbours (up to 366 days either side plus
 * one), the week, month and year containing them and the next period,
 * and reads them back as "YYYY-MM-DD": all of that stays within
 * 0001..9999 for these years, with room to spare, and so within what
 * PostgreSQL's date and timestamp hold.
 */
#define IDENTIFY_YEAR_MIN 1000
#define IDENTIFY_YEAR_MAX 8999
/* The largest orbit number a claim may give ({ORBIT}, orbit=). */
#define IDENTIFY_ORBIT_MAX INT64_C(999999999999)
/* Consecutive failures after which an inspector is not run again. */
#define IDENTIFY_DISABLE_AFTER 3

struct fnformat;
struct identify_set;

/*
 * identify_set_new: a set that identifies files as one of the n products
 * of mission (model.h: name, satellite, instrument and inspector are
 * read), formats[i] being products[i]'s compiled filename template (the
 * catalog's).  A product with an executable inspector is asked through
 * it; one whose inspector is not active claims nothing.  products and
 * formats must stay valid while the set lives; the set holds what a run
 * learns of the inspectors (failures, disabled ones).  Free it with
 * identify_set_free.
 */
struct identify_set *identify_set_new(const char *mission,
				     const struct product *products,
				     struct fnformat *const *formats,
				     size_t n);
/* identify_set_free: also ends its batch inspector processes. */
void identify_set_free(struct identify_set *set);

enum identify_kind {
	IDENTIFY_NONE,      /* no product claims it */
	IDENTIFY_ONE,       /* exactly one: fields below filled */
	IDENTIFY_AMBIGUOUS, /* two or more claim it */
	IDENTIFY_ERROR,     /* none claims it and an inspector failed */
	IDENTIFY_INVALID,   /* one claims it with values out of range */
};

struct identify_result {
	enum identify_kind kind;
	size_t product;       /* index into the products given */
	int32_t date;         /* utc_file_date, days since 1970 */
	int64_t start_usec;   /* utc_start_time */
	int64_t stop_usec;    /* utc_stop_time */
	struct version version;
	struct strbuf keywords; /* process_keywords, may be empty */
	struct strbuf reason;   /* all but ONE: why, for people */
	const char *bad_field;  /* INVALID: "version", "date", "keywords" */
	/*
	 * the product's filename format has no {VERSION} and no inspector
	 * said one: version is 1.0.0, the version of a delivered file;
	 * a build's output has the version its build gave it
	 */
	bool versionless;
	/*
	 * the claim gave an orbit number: the product's filename format
	 * has {ORBIT}, or its inspector said orbit=; otherwise orbit is 0
	 */
	bool has_orbit;
	int64_t orbit; /* 0..IDENTIFY_ORBIT_MAX */
	/*
	 * the claim gave the stop time (an inspector's utc_stop_time=);
	 * otherwise stop_usec is the end of the date, which ingest narrows
	 * to the file's hour or orbit for products of hours or orbits
	 */
	bool stop_given;
};
#define IDENTIFY_RESULT_INIT                                                 \
	{IDENTIFY_NONE, 0, 0, 0, 0, {0, 0, 0}, STRBUF_INIT, STRBUF_INIT, NULL, \
	 false, false, 0, false}
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
	bool has_orbit;         /* orbit= was given */
	int64_t orbit;          /* orbit=, 0..IDENTIFY_ORBIT_MAX; else 0 */
	bool stop_given;        /* utc_stop_time= was given */
};
#define IDENTIFY_OUTPUT_INIT {{0, 0, 0}, 0, 0, 0, STRBUF_INIT, false, 0, false}
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
 * of utc_file_date), process_keywords= (any text) and orbit= (the
 * file's orbit number: 1 to 12 decimal digits, leading zeros allowed, so
 * 0 to IDENTIFY_ORBIT_MAX; no sign, no spaces).  The value is
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
 * are replaced, and are the caller's to release either way; has_orbit
 * and orbit are reset when orbit= is not given.
 */
int identify_parse_output(const char *text, size_t len,
			  struct identify_output *o, struct strbuf *reason)
	CASCADE_MUSTCHECK;

/*
 * The batch protocol (documented in cascade-mission(5)): a product whose
 * inspector has "batch: true" (or names a dbprocessing module, run as
 * "cascade-dbp-inspector --batch MODULE ARGUMENTS...") is asked through a
 * process started once, "PROGRAM [ARGUMENTS...]" with the same
 * environment as above and no file argument.  It reads requests on
 * stdin, each a path followed by a NUL byte, and answers each, in order,
 * with one frame on stdout: a header line "STATUS LENGTH\n" (STATUS
 * "mine", "notmine" or "error"; LENGTH the body's size in decimal, at
 * most IDENTIFY_OUTPUT_MAX; the line at most IDENTIFY_FRAME_HEADER_MAX
 * bytes) followed by LENGTH bytes of body: for "mine" the key=value
 * lines of identify_parse_output, for "notmine" nothing or why (shown
 * with -v), for "error" what went wrong (a failure for that file).  End
 * of input means exit.  Each file has the inspector's timeout from the
 * previous answer.  A timeout, a malformed frame or the process ending
 * fails the file being waited for alone: the process is killed and the
 * files after it go to a new one; IDENTIFY_DISABLE_AFTER failures in a
 * row disable the inspector as above.  Products whose inspectors have
 * the same command line and environment share one process.
 */

/* The adapter that runs dbprocessing inspector modules. */
#define IDENTIFY_DBP_ADAPTER "cascade-dbp-inspector"
/* The longest frame header line, its LF included. */
#define IDENTIFY_FRAME_HEADER_MAX 32

enum identify_frame_status {
	IDENTIFY_FRAME_MINE,
	IDENTIFY_FRAME_NOTMINE,
	IDENTIFY_FRAME_ERROR,
	IDENTIFY_FRAME_NSTATUS
};

struct identify_frame {
	enum identify_frame_status status;
	const char *body;  /* into the buffer parsed */
	size_t body_len;
	size_t frame_len;  /* header and body: where the next frame starts */
};

/*
 * identify_parse_frame: the first frame of the len bytes at buf.  Pure.
 * Returns 1 with *f filled, 0 if buf holds only the start of a frame
 * (read more), or -1 if it is malformed, with the reason appended: no
 * LF within IDENTIFY_FRAME_HEADER_MAX bytes, a header that is not
 * "STATUS LENGTH", an unknown status, a length that is not a decimal
 * number (digits only, no leading zero) or exceeds IDENTIFY_OUTPUT_MAX.
 */
int identify_parse_frame(const char *buf, size_t len,
			 struct identify_frame *f, struct strbuf *reason)
	CASCADE_MUSTCHECK;

/*
 * identify_files: identify_file for n files at once: rs[k] for the file
 * names[k] at paths[k].  Batch inspectors get all n requests pipelined;
 * the results are those identify_file gives one by one.  Returns 0, or
 * -1 only for an internal failure (reported).
 */
int identify_files(struct identify_set *set, const char *const *paths,
		   const char *const *names, struct identify_result *rs,
		   size_t n) CASCADE_MUSTCHECK;

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

/*
 * identify_reads_files: whether identify_file may run an external
 * inspector, which reads the file (template products look at names only)
 */
bool identify_reads_files(const struct identify_set *set);

/*
 * identify_check_values: whether a claim's values can be recorded (see
 * above): 0, or -1 with the reason appended to reason and *field set to
 * "version", "date" or "keywords".
 */
int identify_check_values(const struct version *v, int32_t date,
			  int64_t start_usec, int64_t stop_usec,
			  const char *keywords, struct strbuf *reason,
			  const char **field) CASCADE_MUSTCHECK;

/*
 * identify_report_failures: log one WARNING per inspector of set that
 * failed since the set was made: how many files of how many, the first
 * failure, and whether it was disabled.  Nothing if none failed.
 */
void identify_report_failures(const struct identify_set *set);

#endif
