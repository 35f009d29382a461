/*
 * place.h - putting files into the archive: the one placement rule.
 *
 * Ingest (incoming -> archive or error directory), the runner (a build's
 * output -> archive) and move-product (old path -> new path) all give a
 * file a new name the same way, and in the same order of effects:
 *
 *   1. journal   the caller records what it is about to do, where its
 *                recovery will find it (ingest_journal rows, a build's
 *                "recording" state, a product_move row), and commits;
 *   2. place     each file gets its target name (place(), below): a hard
 *                link, or a copy under a temporary name, fsynced, then
 *                linked; an existing name is never replaced;
 *   3. sync      the target directories are made durable, one fsync for
 *                one directory, else one syncfs per file system (a copy
 *                was fsynced when made);
 *   4. commit    the caller records the batch in one transaction: the
 *                point of no return;
 *   5. unlink    the sources that were moved (not copied for keeps) lose
 *                their old names, without fsync.
 *
 * A crash before 4 leaves journaled intents whose new names recovery
 * removes (place_undo, place_drop); after 4, old names that recovery
 * removes (place_drop) or that the next scan recognises as left-over
 * links.  struct place_batch runs steps 2 to 5 in that order and fires
 * the caller's fault points at each instant (fault.h), so the crash
 * tests of each caller keep their names.
 *
 * Nothing here knows SQL: steps 1 and 4 are the caller's (4 through
 * callbacks).  Nothing is logged except where a function says so; errno
 * values are returned in the request.
 */
#ifndef CASCADE_PLACE_H
#define CASCADE_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "compat.h"
#include "strvec.h"

/* What became of one placement. */
enum place_outcome {
	PLACE_PLACED,  /* target now names the source's content */
	PLACE_SAME,    /* target already named it (same inode, or sha1) */
	PLACE_TAKEN,   /* target names another file: nothing replaced */
	PLACE_CHANGED, /* the source changed or is being written: not placed */
	PLACE_GONE,    /* the source does not exist */
	PLACE_ENV,     /* the file system refused (ENOSPC, EROFS, EACCES...) */
	PLACE_ERROR,   /* anything else; errno in err */
};

/* the outcome's name, for messages and tests ("placed", "taken"...) */
const char *place_outcome_name(enum place_outcome o);

/*
 * place_env_errno: e is the environment's doing, not the file's (a full,
 * read-only, broken or forbidden file system, no descriptors left): what
 * a run waits out rather than counts against anyone.
 */
bool place_env_errno(int e);

enum place_flags {
	/*
	 * Never link: copy the content.  For a file a writer could still
	 * hold (no lease could be had), or a symlink archived by content.
	 */
	PLACE_COPY = 1 << 0,
	/*
	 * Open the source and check it is still st (inode, size, times);
	 * take a read lease while linking (PLACE_COPY if none can be had)
	 * and check after linking or copying that nobody wrote it: else
	 * PLACE_CHANGED, with the new name removed again.
	 */
	PLACE_CHECKED = 1 << 1,
	/* create the target's directory first (0755, with parents) */
	PLACE_MKDIR = 1 << 2,
	/*
	 * An existing target is removed first: the caller knows it is an
	 * unrecorded left-over of a dead run.
	 */
	PLACE_REPLACE = 1 << 3,
	/* in a batch: remove the source's name once the batch committed */
	PLACE_MOVE = 1 << 4,
	/*
	 * With PLACE_CHECKED: fd is the source, open since before the
	 * caller read it, under a read lease taken before the read.  An
	 * intact lease after the link says nobody opened the file for
	 * writing since, so nothing is opened or compared again: the name
	 * is linked (or fd copied, across file systems), the new name
	 * checked to be st's inode and the lease to be intact.  The caller
	 * keeps fd, and its lease, until it closes it.
	 */
	PLACE_HELD = 1 << 5,
};

/* One placement: the caller fills the first part. */
struct place_req {
	const char *source;
	const char *target;
	unsigned flags;         /* enum place_flags */
	const struct stat *st;  /* PLACE_CHECKED: the source as it was read */
	int fd;                 /* PLACE_HELD: the source, leased */
	const char *sha1;       /* an existing target with it is PLACE_SAME */
	void *data;             /* the caller's, handed back by a batch */
	/* results */
	int err;                /* errno of PLACE_ENV, _ERROR, _TAKEN, _GONE */
	bool copied;            /* the content was copied, not linked */
	bool in_dir;            /* the failure was creating target's directory */
};

/*
 * place: give req->target to req->source's content (see enum
 * place_flags): link(2), which never replaces a name, or, with
 * PLACE_COPY, across file systems (EXDEV) or where the kernel's
 * protected_hardlinks refuses (EPERM), a copy under
 * fsutil_tmpname(target), fsynced, then linked.  The source is left
 * (a symlink is linked as a symlink unless copied).  Returns the
 * outcome; nothing is logged.
 */
enum place_outcome place(struct place_req *req);

/* A batch's fault points (fault.h): names, or NULL for none. */
struct place_points {
	const char *journaled;     /* fault_point: the caller's journal is in */
	const char *mkdir_fail;    /* fault_fail: creating a directory */
	const char *no_lease;      /* fault_fail: no read lease to be had */
	const char *link_fail;     /* fault_fail: the link */
	const char *placed;        /* fault_point: after each placement */
	const char *sync_fail;     /* fault_fail: the sync */
	const char *before_commit; /* fault_point: recorded, not committed */
	const char *committed;     /* fault_point: after the commit */
	const char *unlinked;      /* fault_point: after each source unlinked */
};

struct place_moved {
	char *source;
	void *data;
};

/*
 * struct place_batch: steps 2 to 5 above, in order.
 *
 *   place_batch_init(&b, &points);
 *   ... the caller journals and commits ...
 *   place_batch_journaled(&b);
 *   for each file: place_batch_add(&b, &req);   (or place_batch_drop)
 *   place_batch_commit(&b, record, commit, arg);
 *   place_batch_finish(&b, &failed);
 *   place_batch_release(&b);
 *
 * On a failure before the commit, place_batch_undo() removes the names
 * the batch gave (what recovery would do after a crash).  A batch may be
 * committed again after more adds (the runner's groups).
 */
/*
 * struct place_dirs: the target directories known to exist, each with its
 * file system, sorted by path.  A directory is made (or found) and its
 * device read once for as long as the set lives, not once per batch: a
 * batch of ingest spreads over every year directory of a product (incoming
 * is read in hash order), so per batch that cost grew with the archive's
 * span.  A batch has its own set; place_batch_share_dirs() gives it the
 * caller's, kept across batches (ingest: one per run).  A directory
 * removed meanwhile is made again: a link that finds no directory
 * forgets it and is tried once more.
 */
struct place_dir {
	char *path;
	dev_t dev;
	unsigned long group;      /* the last group it was synced in */
};

struct place_dirs {
	struct place_dir *v;
	size_t nr, alloc;
	unsigned long groups;     /* groups begun: the next group's number */
};

void place_dirs_init(struct place_dirs *d);
void place_dirs_release(struct place_dirs *d);

struct place_batch {
	const struct place_points *pts;
	struct strvec dirs;       /* this group's target directories, each once */
	dev_t *devs;              /* their file systems, in the same order */
	size_t alloc_devs;
	struct place_dirs own;    /* the known directories, unless shared */
	struct place_dirs *known; /* &own, or the caller's */
	unsigned long group;      /* this group's number, in known */
	struct strvec targets;    /* names given since the last commit */
	struct place_moved *moved; /* sources to unlink after the commit */
	size_t n_moved, alloc_moved;
	bool journaled;
	bool committed;
};

void place_batch_init(struct place_batch *b, const struct place_points *pts);
/* use known (the caller's, outliving b) as b's known directories */
void place_batch_share_dirs(struct place_batch *b, struct place_dirs *known);
void place_batch_release(struct place_batch *b);

/* the caller's journal is committed: places may begin */
void place_batch_journaled(struct place_batch *b);

/*
 * place_batch_add: place(req) (its target's directory created, or found,
 * once while b's known directories live; PLACE_MKDIR implied), remembering the directory for the sync,
 * the name for place_batch_undo and, with PLACE_MOVE, the source for
 * place_batch_finish.  PLACE_PLACED and PLACE_SAME count as placed and
 * fire the "placed" point.
 */
enum place_outcome place_batch_add(struct place_batch *b,
				   struct place_req *req);

/* place_batch_drop: source (a duplicate...) is unlinked by finish too */
void place_batch_drop(struct place_batch *b, const char *source, void *data);

/*
 * place_batch_sync: make the names given since the last commit durable.
 * 0, or -1 with errno (nothing reported).
 */
int place_batch_sync(struct place_batch *b) CASCADE_MUSTCHECK;

/*
 * place_batch_commit: place_batch_sync(), then record(arg) (the caller's
 * statements, in the caller's open transaction; NULL: none), then the
 * "before_commit" point, then commit(arg) (NULL: none; the commit is the
 * point of no return), then the "committed" point.  Returns 0; -1 with
 * errno when the sync failed (*synced false, nothing reported); or the
 * first non-zero return of record or commit (theirs to report).
 */
int place_batch_commit(struct place_batch *b, int (*record)(void *),
		       int (*commit)(void *), void *arg, bool *synced)
	CASCADE_MUSTCHECK;

/*
 * place_batch_undo: remove every name given since the last commit (the
 * temporary names are gone already).  The sources are untouched.
 */
void place_batch_undo(struct place_batch *b);

/*
 * place_batch_finish: after the commit, unlink the sources of PLACE_MOVE
 * and place_batch_drop, in order, firing "unlinked" after each.  0, or -1
 * with errno and *failed the data of the source that could not be
 * removed (ENOENT is not a failure).  Nothing reported.
 */
int place_batch_finish(struct place_batch *b, void **failed) CASCADE_MUSTCHECK;

/* -- recovery ------------------------------------------------------------ */

enum place_undo {
	PLACE_UNDO_NONE,     /* nothing of the move was left to undo */
	PLACE_UNDO_REMOVED,  /* the new name was removed; the source stays */
	PLACE_UNDO_RESTORED, /* the source name was gone: put back */
	PLACE_UNDO_LOST,     /* the file is under neither name */
	PLACE_UNDO_ERROR,    /* a removal or link failed: errno */
};

/*
 * place_undo: undo a journaled placement of source as target that was
 * never committed: the temporary name goes; a target that is the source
 * (same inode) or has sha1 is removed; a target with sha1 whose source
 * name is gone is linked back to source first.  A target with other
 * content is not ours and stays.  Idempotent.
 */
enum place_undo place_undo(const char *source, const char *target,
			   const char *sha1);

/*
 * place_drop: remove drop, another name of keep's file (same inode, or
 * both with sha1), which keeps it: the old names of a committed move, or
 * the new names of an uncommitted one.  1 removed; 0 left (drop is
 * absent, or not keep's file: *other true then); -1 with errno.
 */
int place_drop(const char *drop, const char *keep, const char *sha1,
	       bool *other) CASCADE_MUSTCHECK;

#endif
