/*
 * archive.h - where archived files live.
 *
 * A file's archive path is rootdir + "/" + its product's relative_path
 * formatted with the file's date, time, version and keywords + "/" +
 * the file name: the rule ingest files by.  struct archive compiles every
 * product's relative_path once and answers that question for any file;
 * it also names the directories to walk when looking for archive files
 * that have no row (archive_roots).
 *
 * It knows no SQL (the caller loads products and files) and writes
 * nothing to stdout.  Errors are reported where detected, except where a
 * function says it only sets errno.
 */
#ifndef CASCADE_ARCHIVE_H
#define CASCADE_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "model.h"
#include "strbuf.h"
#include "strvec.h"
#include "version.h"

struct archive;

/*
 * archive_new: compile the relative_path templates of n products (model.h:
 * id, name, satellite, instrument, relative_path; borrowed for the call)
 * for mission (its name and rootdir).  Returns 0 and *out (free with
 * archive_free), or -1 with the template and product that failed
 * reported.
 */
int archive_new(const char *mission, const char *rootdir,
		const struct product *p, size_t n, struct archive **out)
	CASCADE_MUSTCHECK;
/*
 * archive_new_moved: the same, with product moved_id's relative_path
 * taken to be moved_rel (a move in progress: move-product, its recovery).
 */
int archive_new_moved(const char *mission, const char *rootdir,
		      const struct product *p, size_t n, int moved_id,
		      const char *moved_rel, struct archive **out)
	CASCADE_MUSTCHECK;
void archive_free(struct archive *a);

/* What a file's archive path is made of.  Borrowed. */
struct archive_file {
	int product_id;
	const char *filename;
	bool has_date;
	int32_t date;       /* days since 1970-01-01 */
	int64_t start_usec; /* start time, for time-of-day fields */
	struct version version;
	const char *keywords; /* "k=v ..." or NULL */
};

/*
 * archive_path: append f's archive path to out.  Returns 0, or -1 with a
 * reason in err (unknown product, a field the file has no value for, a
 * name that would leave its directory); nothing is logged.
 */
int archive_path(const struct archive *a, const struct archive_file *f,
		 struct strbuf *out, struct strbuf *err) CASCADE_MUSTCHECK;

/*
 * archive_roots: push the directories that hold product_id's files (all
 * products' with product_id 0): rootdir joined with the leading part of
 * each relative_path that has no fields, without repeats and without a
 * directory inside another one pushed.
 */
void archive_roots(const struct archive *a, int product_id,
		   struct strvec *roots);

/*
 * archive_relative_path_ok: whether rel is acceptable as a product's
 * relative_path: not empty, relative, no empty, "." or ".." component,
 * and a valid template.  On false, err says why.
 */
bool archive_relative_path_ok(const char *rel, struct strbuf *err);

/* archive_same_file: a and b are one file (device and inode). */
bool archive_same_file(const char *a, const char *b);

/*
 * archive_sha1_matches: the file at path has SHA-1 sha1 (lowercase hex).
 * *readable false when it could not be read.
 */
bool archive_sha1_matches(const char *path, const char *sha1, bool *readable);

#endif
