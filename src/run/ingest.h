/*
 * ingest.h - take incoming files into the archive, exactly once.
 *
 * For each batch of files in the mission's incoming directory (delivery
 * names .NAME, NAME.part and NAME.tmp, directories and names not matching
 * the glob are left alone and reported once per run): check that the file
 * is complete (a read lease: nobody has it open for writing; where leases
 * are not available, unchanged for run.settle, and then copied rather
 * than linked), identify, checksum (SHA-1 as dbprocessing's shasum,
 * SHA-256 beside it), decide (archive, duplicate, reject, or leave it for
 * a later run), then
 *
 *   1. journal: one transaction records every intended move
 *      (ingest_journal: source, target, sha1);
 *   2. place: hard-link each file to its archive (or error-directory)
 *      path, never replacing anything (link(2) fails on an existing name;
 *      across file systems: copy to a temporary name, fsync, link);
 *      fsync the target directories;
 *   3. record: one transaction inserts the file, unixtime and queue rows
 *      (or failure rows for rejects) and deletes the journal rows;
 *   4. remove the incoming names (no fsync needed: see finish()).
 *
 * A run killed anywhere leaves either nothing, or journal rows whose
 * moves ingest_recover() undoes (the incoming name is kept until step 3
 * committed), or committed rows whose incoming names are left-over links
 * to the archived file, which the next scan recognises and removes.  So
 * every file ends archived with one row and one queue entry, or still in
 * incoming, or in the error directory with a recorded reason.
 *
 * A batch whose data the server refuses (SQLSTATE class 22 or 23) is
 * undone and retried in halves, down to the file at fault, which is
 * rejected alone ("database", with the server's message); names go into
 * text columns and log lines in escape.h's form.
 *
 * ingest does not take the processing flag; its caller holds it.
 */
#ifndef CASCADE_INGEST_H
#define CASCADE_INGEST_H

#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

#include "compat.h"

struct db;
struct catalog;

struct ingest_options {
	const char *glob;   /* NULL: "*" */
	int batch_size;     /* files per transaction */
	int64_t run_id;     /* logging_id of this run */
	bool dry_run;       /* identify and report only */
	/*
	 * Set by signal handlers (or NULL): report (SIGUSR1) logs where
	 * ingest stands at WARNING after the batch in hand; stop (SIGTERM,
	 * SIGINT) ends it after that batch, the rest left in incoming for
	 * the next run.
	 */
	volatile sig_atomic_t *report;
	volatile sig_atomic_t *stop;
};

struct ingest_counts {
	long ingested;
	long duplicates;
	long rejected;
	long recovered; /* moves of a killed run undone, or left-overs removed */
	long stuck;     /* could not be placed (disk full...): left in incoming */
	long writing;   /* still being written: left in incoming */
	long seen;
};

/*
 * ingest_recover: undo the moves of a run killed between journaling and
 * recording (see above).  Returns 0, or a negative db_status (reported).
 */
int ingest_recover(struct db *db, struct ingest_counts *counts)
	CASCADE_MUSTCHECK;

/*
 * ingest_run: recover, then ingest everything in the incoming directory
 * of the catalog's mission.
 * Returns 0 (rejects are counted, not errors), INGEST_STOPPED when
 * *opt->stop was set (every batch begun was finished), or a negative
 * db_status for an infrastructure failure (reported): the caller ends
 * the run.
 */
#define INGEST_STOPPED 1
int ingest_run(struct db *db, const struct catalog *cat,
	       const struct ingest_options *opt, struct ingest_counts *counts)
	CASCADE_MUSTCHECK;

#endif
