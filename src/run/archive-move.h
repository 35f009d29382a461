/*
 * archive-move.h - moving a product's files to another relative_path
 * ("cascade move-product"), and settling a move a crash interrupted.
 *
 * A move is a journaled placement batch (place.h):
 *
 *   1. journal   a product_move row ('linking') names the old and the new
 *                relative_path, committed;
 *   2. place     every file is given its new name (a hard link, or a copy
 *                across file systems; nothing is ever replaced);
 *   3. sync      the new names are made durable;
 *   4. commit    the product's relative_path changes in the transaction
 *                that marks the move 'committed';
 *   5. unlink    the old names are removed and the move marked 'done'
 *                (archive_move_settle, which is also the recovery).
 *
 * Killed before 4, the rows still name the old paths, which exist: a
 * move to the same directory resumes the move, anything else (another
 * move, "check --repair") undoes it, removing the new names.  Killed
 * after it, the rows name the new paths, which exist: the next move or
 * "check --repair" removes the old names.
 *
 * Nothing here writes to stdout: what a command shows comes back in
 * struct archive_move_report.  Needs the processing flag (except a dry
 * run).
 */
#ifndef CASCADE_ARCHIVE_MOVE_H
#define CASCADE_ARCHIVE_MOVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "strvec.h"

struct archive;
struct db;
struct catalog;

/*
 * archive_move_load: the archive rules of the catalog's products; with
 * moved_id, that product's relative_path is taken to be moved_rel (a
 * move in progress).  *out: free with archive_free.  0 or -1 (reported).
 */
int archive_move_load(const struct catalog *cat, int moved_id,
		      const char *moved_rel, struct archive **out)
	CASCADE_MUSTCHECK;

/*
 * archive_move_settle: settle the unfinished moves of product_id (0:
 * all) except keep_id (0: none): a move killed after its commit is
 * finished (the old names removed), one killed before it is undone (the
 * new names removed).  A name is removed only when the name kept is the
 * same file (or both have the recorded SHA-1: place_drop).  *moves gets
 * the number of moves settled, *removed the names removed.  Returns 0
 * or negative (reported).
 */
int archive_move_settle(struct db *db, const struct catalog *cat,
			int product_id, int64_t keep_id, long *moves,
			long *removed) CASCADE_MUSTCHECK;

/* What a move did, for the command to show. */
struct archive_move_report {
	long settled, settled_removed; /* earlier moves settled first */
	char *old_relative_path;       /* the product's, before */
	bool already;                  /* it was in the new directory */
	struct strvec would;           /* dry run: "OLD -> NEW" per file */
	long moved, missing;
	bool committed;                /* the move is done (missing or not) */
};
#define ARCHIVE_MOVE_REPORT_INIT {.would = STRVEC_INIT}
void archive_move_report_release(struct archive_move_report *rep);

enum archive_move_status {
	ARCHIVE_MOVE_OK = 0,
	ARCHIVE_MOVE_FAILED = -1,     /* work failed (reported) */
	ARCHIVE_MOVE_NO_PRODUCT = -2, /* no such product (reported) */
	ARCHIVE_MOVE_DB = -3,         /* the database failed (reported) */
	ARCHIVE_MOVE_INTERNAL = -4,   /* a path or the sync failed */
};

/*
 * archive_move_product: move product's files to new_rel (valid:
 * archive_relative_path_ok), as above, settling its earlier interrupted
 * moves first (one to new_rel that had not committed is resumed).  With
 * dry_run, nothing changes and rep->would lists the moves.  A file whose
 * row says it is not on disk moves only if it is there; one missing is
 * counted in rep->missing (ARCHIVE_MOVE_FAILED, the others moved).  Any
 * other failure undoes the move.  run_id is the run's logging id.
 */
enum archive_move_status
archive_move_product(struct db *db, const struct catalog *cat,
		     int64_t run_id, const char *product, const char *new_rel,
		     bool dry_run, struct archive_move_report *rep)
	CASCADE_MUSTCHECK;

#endif
