/*
 * status.h - the operators' views on standard output: text for people,
 * JSON for machines.
 *
 * Owns every layout of "cascade status", "runs", "builds", "show build",
 * "failures" and "stats": tables that fit an 80-column terminal (long
 * text cells are cut and end in "~", numbers never are; control
 * characters and invalid UTF-8 in names and log lines are shown as "?",
 * so nothing read from the database or a log file can move the cursor
 * or break a row), and JSON
 * documents (json.h) with the database's column names, UTC timestamps
 * "YYYY-MM-DDTHH:MM:SSZ", null for unknown values, and every string
 * exactly as stored (escaped, never cut).
 *
 * It reads nothing: the store and the commands hand it plain structs.
 * Each function writes its whole output with one fputs, so that an
 * error leaves no half-table; write errors are found by main's final
 * flush of stdout.
 */
#ifndef CASCADE_STATUS_H
#define CASCADE_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "lock.h"
#include "store-status.h"
#include "strbuf.h"

/* The end of a build's log file, as "show build" reads it. */
struct status_log {
	const char *path;  /* NULL: the build has no log path */
	bool readable;
	const char *error; /* why not readable (strerror text) */
	const char *tail;  /* the last lines, '\n'-separated (readable) */
	int lines;         /* how many lines tail holds */
};

/*
 * status_print_flag: "flag show --json": the mission and its processing
 * flag (null when not held, else the holder as in status --json).
 */
void status_print_flag(const char *mission, bool held,
		       const struct lock_holder *h);

/*
 * status_print_status: the inspector view of mission: the processing
 * flag (held: holder, else not set), queue, builds, runs, batches and
 * failures of s.
 */
void status_print_status(const char *mission, bool flag_held,
			 const struct lock_holder *holder,
			 const struct ss_status *s, bool json);

/* status_print_runs: a table (or JSON array) of runs. */
void status_print_runs(const struct ss_run *r, size_t n, bool json);

/* status_print_builds: a table (or JSON array) of builds. */
void status_print_builds(const struct ss_build *b, size_t n, bool json);

/*
 * status_print_build: everything about one build (store_build_get), its
 * failures and the tail of its log.
 */
void status_print_build(const struct ss_build *b, const struct ss_failure *f,
			size_t nf, const struct status_log *log, bool json);

/*
 * status_print_failures: failures grouped by process ("ingest",
 * "batch") and kind; all says resolved ones were asked for too.
 */
void status_print_failures(const struct ss_failure *f, size_t n, bool all,
			   bool json);

/* status_print_failure: one failure with its whole reason and stderr tail. */
void status_print_failure(const struct ss_failure *f, bool json);

/*
 * status_print_stats: per-process statistics and run totals over the
 * period [from, to) (NULL: open), then the runs that did work (runs,
 * newest first; more says how many further ones were left out).
 */
void status_print_stats(const struct ss_stats *s, const char *from,
			const char *to, const struct ss_run *runs,
			size_t nruns, long more, bool json);

/* STATUS_FMT_LEN: room for what status_format_* write. */
#define STATUS_FMT_LEN 32

/*
 * status_format_duration: seconds as at most 6 columns ("0.52s",
 * "12.3s", "5m03s", "2h05m", "3d04h", "123d"), "-" if NaN; into buf
 * (STATUS_FMT_LEN bytes).  Returns buf.
 */
char *status_format_duration(double s, char *buf);

/*
 * status_format_kb: a size in KiB as at most 6 columns ("512K", "9.8M",
 * "120M", "1.2G"), "-" if negative or SS_NULL; into buf (STATUS_FMT_LEN
 * bytes).  Returns buf.
 */
char *status_format_kb(long long kb, char *buf);

/*
 * status_cell: append s (NULL: "-") to sb as a cell of width display
 * columns, padded with spaces, control characters and invalid UTF-8
 * shown as "?".  A left-aligned cell too long is cut and ends in "~"; a
 * right-aligned one (a number) is never cut, it overflows.  width 0: no
 * cut, no padding.
 */
void status_cell(struct strbuf *sb, const char *s, int width, bool right);

#endif
