/*
 * fsutil.h - file system operations that never replace anything.
 *
 * Paths are plain strings; errors are returned with errno set and not
 * reported (the caller knows which file it was moving and why), except
 * where a function says otherwise.
 */
#ifndef CASCADE_FSUTIL_H
#define CASCADE_FSUTIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "compat.h"
#include "strbuf.h"

/* fsutil_mkdir_p: create dir and its parents (0755); 0 or -1/errno. */
int fsutil_mkdir_p(const char *dir) CASCADE_MUSTCHECK;
/* fsutil_fsync_dir: make dir's entries durable; 0 or -1/errno. */
int fsutil_fsync_dir(const char *dir) CASCADE_MUSTCHECK;
/*
 * fsutil_sync_dirs: make the entries of every directory in dirs durable:
 * one fsync for a single directory, else one syncfs of the file system
 * of the first (a single journal commit instead of one per directory).
 * 0, or -1/errno.
 */
struct strvec;
int fsutil_sync_dirs(const struct strvec *dirs) CASCADE_MUSTCHECK;
/*
 * fsutil_place: make target a name of source's content, never replacing
 * an existing target (-1 with EEXIST).  A regular file on the same file
 * system is hard-linked; a symlink's target, or a file on another file
 * system, is copied to a temporary name beside target, fsynced, then
 * linked.  source is left in place.  0 or -1/errno.
 */
int fsutil_place(const char *source, const char *target, bool follow_copy)
	CASCADE_MUSTCHECK;
/*
 * fsutil_empty_dir: remove everything inside dir, keep dir itself;
 * fsutil_remove_tree: remove dir and everything inside it.  Best effort:
 * what cannot be removed stays (nothing reported).
 */
void fsutil_empty_dir(const char *dir);
void fsutil_remove_tree(const char *dir);
/* fsutil_dirname: the directory part of path into sb ("." if none). */
void fsutil_dirname(const char *path, struct strbuf *sb);
/* fsutil_tmpname: the temporary name fsutil_place uses for target. */
void fsutil_tmpname(const char *target, struct strbuf *sb);

#endif
