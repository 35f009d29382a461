/*
 * archive-purge.h - taking files out of the archive ("cascade purge" and
 * "cascade prune").
 *
 * The order of effects is what makes it crash-safe: the rows (with
 * their links, queue entries, unixtime and release rows) are deleted in
 * one transaction; only after it commits are the files unlinked.  A
 * crash in between leaves archive files with no row, never a row
 * without its file: "cascade check" reports them as unrecorded, and
 * "check --repair" hands them to the next ingest (which records them
 * again; purge them again if unwanted).  Every row's path is unlinked,
 * also of rows that say the file is not on disk: a file that came back
 * must not stay behind without its row.
 *
 * Nothing here writes to stdout: what a command shows comes back in
 * struct archive_purge_report.  Needs the processing flag (except a dry
 * run).
 */
#ifndef CASCADE_ARCHIVE_PURGE_H
#define CASCADE_ARCHIVE_PURGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strvec.h"

struct db;
struct catalog;

enum archive_purge_outcome {
	ARCHIVE_PURGE_OK = 0,
	ARCHIVE_PURGE_FAILED,   /* rows deleted, some files not removed */
	ARCHIVE_PURGE_UNKNOWN,  /* a name is no file (reported): nothing done */
	ARCHIVE_PURGE_CHILDREN, /* files made from them (reported): refused */
	ARCHIVE_PURGE_DB,
	ARCHIVE_PURGE_INTERNAL,
};

struct archive_purge_report {
	struct strvec files; /* the names deleted, or that would be */
	int64_t deleted;     /* rows deleted */
	long removed;        /* files unlinked */
	long failed;         /* files that could not be unlinked (warned) */
};
#define ARCHIVE_PURGE_REPORT_INIT {STRVEC_INIT, 0, 0, 0}

/*
 * archive_purge: delete the files names[0..n) (file names or ids), and
 * with recursive every file made from them, recursively; without it,
 * refuse when such files exist.  With dry_run, only say which files.
 * run_id is the run recorded with the deletion; the files' paths come
 * from the catalog's archive rules (catalog.h).
 */
enum archive_purge_outcome archive_purge(struct db *db,
					 const struct catalog *cat,
					 int64_t run_id,
					 const char *const *names, size_t n,
					 bool recursive, bool dry_run,
					 struct archive_purge_report *rep);
/*
 * archive_prune: delete the superseded versions whose file_create_date
 * is before cutoff (YYYY-MM-DD).
 */
enum archive_purge_outcome archive_prune(struct db *db,
					 const struct catalog *cat,
					 int64_t run_id, const char *cutoff,
					 bool dry_run,
					 struct archive_purge_report *rep);
void archive_purge_report_release(struct archive_purge_report *rep);

#endif
