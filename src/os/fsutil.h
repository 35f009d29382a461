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
 * of each file system they are on (a single journal commit instead of one
 * per directory).  known_devs, when not NULL, holds the directories' file
 * systems (st_dev), in order, so that none is stat()ed.  0, or -1/errno.
 */
struct strvec;
int fsutil_sync_dirs(const struct strvec *dirs, const dev_t *known_devs)
	CASCADE_MUSTCHECK;
/*
 * fsutil_place: make target a name of source's content, never replacing
 * an existing target (-1 with EEXIST).  A regular file on the same file
 * system is hard-linked; a symlink's target, a file on another file
 * system, or one the kernel will not let us link (EPERM: the
 * protected_hardlinks rule for a file we do not own) is copied to a
 * temporary name beside target, fsynced, then linked.  source is left
 * in place.  0 or -1/errno.
 */
int fsutil_place(const char *source, const char *target, bool follow_copy)
	CASCADE_MUSTCHECK;
/*
 * fsutil_place_fd: make target a name of the open regular file fd
 * (opened from source), never replacing an existing target (-1 with
 * EEXIST).  Unless copy, source is hard-linked and the link is checked
 * to be fd's file (1 if source names another file by now: the link is
 * removed); if linking is refused (another file system, or the kernel's
 * protected_hardlinks for a file we do not own), or with copy, fd's
 * content is copied under a temporary name beside target, fsynced and
 * linked.  0, 1, or -1/errno.
 */
int fsutil_place_fd(int fd, const char *source, const char *target, bool copy)
	CASCADE_MUSTCHECK;
/*
 * Read leases (fcntl F_SETLEASE), the test that nobody has a file open
 * for writing: fsutil_lease_take on a descriptor opened read-only
 * returns 0 (leased: until fsutil_lease_release, an open for writing
 * by anyone waits for us, and we are told by fsutil_lease_intact
 * turning false), 1 if some process has the file open for writing, or
 * -1 with errno when the file system or our rights allow no lease
 * (EINVAL: NFS and others; EACCES: neither the file's owner nor
 * CAP_LEASE).  The signal the kernel sends a holder whose lease is
 * broken is ignored (see fsutil.c).
 */
int fsutil_lease_take(int fd) CASCADE_MUSTCHECK;
bool fsutil_lease_intact(int fd);
void fsutil_lease_release(int fd);
/*
 * fsutil_same_content_state: a and b (fstat of one file at two moments)
 * show the same file unchanged: device, inode, size, mtime and ctime.
 */
struct stat;
bool fsutil_same_content_state(const struct stat *a, const struct stat *b);

/*
 * fsutil_empty_dir: remove everything inside dir, keep dir itself;
 * fsutil_remove_tree: remove path, whatever it is: a directory with
 * everything inside it, or a file or symbolic link.  Best effort: what
 * cannot be removed stays (nothing reported).
 */
void fsutil_empty_dir(const char *dir);
void fsutil_remove_tree(const char *path);
/* fsutil_dirname: the directory part of path into sb ("." if none). */
void fsutil_dirname(const char *path, struct strbuf *sb);
/* fsutil_tmpname: the temporary name fsutil_place uses for target. */
void fsutil_tmpname(const char *target, struct strbuf *sb);

#endif
