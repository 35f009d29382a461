/*
 * check.h - consistency of the archive and the database ("cascade check").
 *
 * check_run compares the file rows with the archive on disk and looks
 * for the damage SQL can see:
 *
 *   missing        a row says the file is on disk; nothing is at its path
 *   size           the file's size differs from file.size_bytes (a
 *                  stat: always checked)
 *   checksum       the file's SHA-1 differs from file.shasum (with
 *                  verify_checksums)
 *   unreadable     the file is there but cannot be read or is not a file
 *   reappeared     a row says the file is not on disk; it is there
 *   unrecorded     a file in a product directory that no row names
 *   misplaced      a file whose name a row has, at another path
 *   ingest         an ingest was killed between moving files and
 *                  recording them (ingest_journal rows)
 *   move           a move-product was killed (product_move rows
 *                  'linking' or 'committed')
 *   orphan-link    queue entries and links of files not on disk
 *   stale          a newest output the planner's rules would not leave
 *                  as it is: made from other files than its key's
 *                  current inputs (cascade_key_inputs: a superseded
 *                  version, a file no longer in its window or on disk,
 *                  a new input) or with another code than its
 *                  period's, or one the rules leave behind (no input of
 *                  its own, no code, codes sharing its period, a lower
 *                  output interface)
 *   period         a period of a WEEKLY, MONTHLY or YEARLY process that
 *                  two of its codes share: no code builds it
 *   gap            days with no file between a product's first and
 *                  last that could be built (their inputs are there, or
 *                  the rules leave them for another reason: no code...)
 *   no-input       such days that cannot be built because a required
 *                  input never arrived: a delivered product's, or a
 *                  made product's that the planner leaves for want of
 *                  input (PLAN_NO_INPUT, PLAN_NEIGHBOUR_ONLY).  Reported,
 *                  but not a problem: not counted in findings, nor, with
 *                  repair, as left; never repaired (nothing can build
 *                  it), but repair says what a person can do: deliver
 *                  the day's file of a delivered product, or of the
 *                  delivered inputs the day lacks, or wait for the made
 *                  inputs it lacks (each has its own line)
 *   duplicate      several files with one product, date and version
 *   path           a row whose archive path cannot be computed
 *
 * With repair (the caller holds the processing flag), what is safely
 * fixable is fixed as it is found, and later checks see the result:
 * missing -> exists_on_disk false; reappeared with the recorded SHA-1 ->
 * exists_on_disk true; unrecorded -> moved to the incoming directory so
 * that the next ingest records it (never deleted); misplaced, when it is
 * another name of the recorded file -> that extra name removed, when
 * nothing is at the recorded path and the content matches -> moved
 * there; ingest -> rolled back (ingest_recover); move -> finished if it
 * had committed, else undone (archive_move_settle); orphan-link ->
 * rows deleted; stale -> the key's current inputs queued, so that the
 * next "ProcessQueue -p" rebuilds it, unless the rules leave it (then
 * it is left, and why said).  size, checksum, unreadable, period, gap,
 * duplicate, path and misplaced copies are left for a person, and said
 * so (a gap with what the rules say of it: built by run-process, a
 * build planned or bad, no code, codes sharing its period).
 *
 * Findings are handed to a callback as they are made; nothing here writes
 * to stdout.
 */
#ifndef CASCADE_CHECK_H
#define CASCADE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct db;
struct catalog;

enum check_kind {
	CHECK_MISSING,
	CHECK_CHECKSUM,
	CHECK_UNREADABLE,
	CHECK_REAPPEARED,
	CHECK_UNRECORDED,
	CHECK_MISPLACED,
	CHECK_INGEST,
	CHECK_MOVE,
	CHECK_ORPHAN_LINK,
	CHECK_STALE,
	CHECK_PERIOD,
	CHECK_GAP,
	CHECK_DUPLICATE,
	CHECK_PATH,
	CHECK_SIZE,
	CHECK_NO_INPUT,
	CHECK_N_KINDS
};

/* check_kind_name: "missing", "checksum", ... as listed above. */
const char *check_kind_name(enum check_kind kind);

enum check_outcome {
	CHECK_FOUND,    /* not repairing */
	CHECK_REPAIRED, /* action says what was done */
	CHECK_LEFT,     /* action says why it was left */
};

/* One finding.  All strings borrowed for the length of the callback. */
struct check_finding {
	enum check_kind kind;
	const char *subject; /* a file name, path or product name */
	const char *detail;
	enum check_outcome outcome;
	const char *action; /* NULL with CHECK_FOUND */
};

struct check_options {
	int product_id;        /* 0: every product */
	bool verify_checksums; /* read every file and compare its SHA-1 */
	bool repair;           /* the caller holds the processing flag */
	int64_t run_id;        /* the caller's run (queue entries name it) */
	const char *who;       /* queue reasons: "WHO: stale output NAME"
				  (NULL: "check --repair") */
	void (*report)(void *arg, const struct check_finding *f);
	void *arg;
};

struct check_counts {
	long found[CHECK_N_KINDS];
	long findings;
	long repaired;
	long left;
	long files;       /* rows looked at */
	long disk_files;  /* archive files looked at */
	long checksummed; /* files whose SHA-1 was compared */
	long outputs;	  /* newest outputs evaluated */
	long stale;	  /* of which stale (one or more findings each) */
	long stale_left;  /* of which the rules leave as they are */
	long queued;	  /* input files queued to rebuild stale outputs */
	long no_input_days; /* days with no file and no input (no-input) */
};

/*
 * check_run: run every check on the catalog's mission (one product with
 * o->product_id), reporting each finding through o->report and counting
 * it in *c.  Returns 0 (findings are not errors), or a negative
 * db_status or -1 for a failure that stopped the check (reported).
 */
int check_run(struct db *db, const struct catalog *cat,
	      const struct check_options *o, struct check_counts *c)
	CASCADE_MUSTCHECK;

/*
 * check_outputs: the stale check alone, for the newest outputs of the
 * processes named[0..n) (every process when n is 0): each reason an
 * output is stale is reported through o->report as CHECK_STALE, with
 * o->repair the current inputs of those the rules rebuild are queued
 * (inside the caller's transaction, if any).  "config apply" calls it
 * on the processes a change touched.  Returns 0 or negative (reported).
 */
int check_outputs(struct db *db, const struct catalog *cat,
		  const struct check_options *o, const char *const *named,
		  size_t n, struct check_counts *c) CASCADE_MUSTCHECK;

#endif
