/*
 * place.c - the archive placement primitive and its journaled batch (see
 * place.h).  Owns the order of file system effects around the caller's
 * journal and commit; the callers own what is journaled and recorded.
 * The no-overwrite link and copy are fsutil.c's; file identity and
 * content checks archive.c's.
 */
#include "place.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "fault.h"
#include "fsutil.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

const char *
place_outcome_name(enum place_outcome o)
{
	static const char *const names[] = {
		[PLACE_PLACED] = "placed", [PLACE_SAME] = "same",
		[PLACE_TAKEN] = "taken",   [PLACE_CHANGED] = "changed",
		[PLACE_GONE] = "gone",	   [PLACE_ENV] = "environment",
		[PLACE_ERROR] = "error",
	};

	return (unsigned)o < ARRAY_SIZE(names) ? names[o] : "?";
}

bool
place_env_errno(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EROFS || e == EACCES ||
	       e == EPERM || e == EIO || e == EMFILE || e == ENFILE;
}

/* fault_fail at a batch's point, if it has one */
static bool
fails_at(const char *point)
{
	return point && fault_fail(point);
}

static void
point_at(const char *point)
{
	if (point)
		fault_point(point);
}

/* why link or copy failed with e: an outcome, with err set */
static enum place_outcome
failed(struct place_req *req, int e)
{
	struct stat st;
	bool readable;

	req->err = e;
	if (e == EEXIST) {
		if (archive_same_file(req->source, req->target) ||
		    (req->sha1 &&
		     archive_sha1_matches(req->target, req->sha1, &readable)))
			return PLACE_SAME;
		return PLACE_TAKEN;
	}
	if (e == ENOENT && lstat(req->source, &st) != 0 && errno == ENOENT)
		return PLACE_GONE;
	return place_env_errno(e) ? PLACE_ENV : PLACE_ERROR;
}

static int
take_lease(int fd, const char *no_lease)
{
	if (fails_at(no_lease)) {
		errno = EINVAL;
		return -1;
	}
	return fsutil_lease_take(fd);
}

/*
 * PLACE_CHECKED: open the source again, check it is what was read, and,
 * with a lease, that nobody writes it; link it (or copy it when a writer
 * could still hold it), and check again.
 */
static enum place_outcome
place_checked(struct place_req *req, const struct place_points *pts)
{
	bool copy = req->flags & PLACE_COPY;
	struct stat now, after;
	int fd, lease = -1, rc, e;

	fd = open(req->source, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return failed(req, errno);
	if (fstat(fd, &now) != 0 ||
	    (req->st && !fsutil_same_content_state(req->st, &now))) {
		close(fd);
		return PLACE_CHANGED;
	}
	if (!copy) {
		lease = take_lease(fd, pts ? pts->no_lease : NULL);
		if (lease == 1) {
			close(fd);
			return PLACE_CHANGED;
		}
		/* without a lease, a writer could still hold it: copy */
		copy = lease < 0;
	}
	req->copied = copy;
	if (fails_at(pts ? pts->link_fail : NULL))
		rc = -1;
	else
		rc = fsutil_place_fd(fd, req->source, req->target, copy);
	e = errno;
	if (rc == 0 && ((lease == 0 && !fsutil_lease_intact(fd)) ||
			(copy && (fstat(fd, &after) != 0 ||
				  !fsutil_same_content_state(&now, &after))))) {
		/* a writer came while we linked or copied */
		unlink(req->target);
		rc = 1;
	}
	if (lease == 0)
		fsutil_lease_release(fd);
	close(fd);
	if (rc < 0)
		return failed(req, e);
	return rc ? PLACE_CHANGED : PLACE_PLACED;
}

/*
 * PLACE_HELD: the lease on req->fd, taken before the caller read the
 * file, is the check; link the name, and make sure it named that inode.
 */
static enum place_outcome
place_held(struct place_req *req, const struct place_points *pts)
{
	struct stat now;

	if (!req->st)
		BUG("PLACE_HELD without the file as it was read");
	if (fails_at(pts ? pts->link_fail : NULL))
		return failed(req, errno);
	if (link(req->source, req->target) == 0) {
		if (lstat(req->target, &now) != 0 ||
		    now.st_dev != req->st->st_dev ||
		    now.st_ino != req->st->st_ino) {
			/* the source's name is another file since the read */
			unlink(req->target);
			return PLACE_CHANGED;
		}
	} else if (errno != EXDEV && errno != EPERM) {
		return failed(req, errno);
	} else if (fsutil_place_fd(req->fd, req->source, req->target, true)) {
		return failed(req, errno);
	} else {
		req->copied = true;
	}
	if (!fsutil_lease_intact(req->fd)) {
		/* a writer came since the read */
		unlink(req->target);
		return PLACE_CHANGED;
	}
	return PLACE_PLACED;
}

static enum place_outcome
place_with(struct place_req *req, const struct place_points *pts)
{
	req->err = 0;
	req->copied = false;
	req->in_dir = false;
	if (req->flags & PLACE_MKDIR) {
		struct strbuf dir = STRBUF_INIT;
		int rc;

		fsutil_dirname(req->target, &dir);
		rc = fsutil_mkdir_p(dir.buf);
		strbuf_release(&dir);
		if (rc) {
			req->in_dir = true;
			req->err = errno;
			return place_env_errno(req->err) ? PLACE_ENV
							 : PLACE_ERROR;
		}
	}
	if ((req->flags & PLACE_CHECKED) && (req->flags & PLACE_HELD))
		return place_held(req, pts);
	if (req->flags & PLACE_CHECKED)
		return place_checked(req, pts);
	if (req->flags & PLACE_REPLACE)
		unlink(req->target);
	if (fails_at(pts ? pts->link_fail : NULL))
		return failed(req, errno);
	if (!(req->flags & PLACE_COPY)) {
		if (link(req->source, req->target) == 0)
			return PLACE_PLACED;
		/* EPERM: protected_hardlinks, a file we do not own */
		if (errno != EXDEV && errno != EPERM)
			return failed(req, errno);
	}
	if (fsutil_place(req->source, req->target, true))
		return failed(req, errno);
	req->copied = true;
	return PLACE_PLACED;
}

enum place_outcome
place(struct place_req *req)
{
	return place_with(req, NULL);
}

/* -- the batch ------------------------------------------------------------ */

void
place_dirs_init(struct place_dirs *d)
{
	memset(d, 0, sizeof(*d));
}

void
place_dirs_release(struct place_dirs *d)
{
	for (size_t i = 0; i < d->nr; i++)
		free(d->v[i].path);
	free(d->v);
	place_dirs_init(d);
}

/* path's index in d (1), or where it would go (0) */
static int
dirs_find(const struct place_dirs *d, const char *path, size_t *at)
{
	size_t lo = 0, hi = d->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->v[mid].path, path);

		if (!c) {
			*at = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

static void
dirs_forget(struct place_dirs *d, size_t at)
{
	free(d->v[at].path);
	memmove(&d->v[at], &d->v[at + 1], (d->nr - at - 1) * sizeof(*d->v));
	d->nr--;
}

/* a new group of b's (after a commit or undo): its directories synced anew */
static void
new_group(struct place_batch *b)
{
	strvec_clear(&b->dirs);
	b->group = ++b->known->groups;
}

void
place_batch_init(struct place_batch *b, const struct place_points *pts)
{
	static const struct place_points none;

	memset(b, 0, sizeof(*b));
	b->pts = pts ? pts : &none;
	strvec_init(&b->dirs);
	strvec_init(&b->targets);
	place_dirs_init(&b->own);
	b->known = &b->own;
	new_group(b);
}

void
place_batch_share_dirs(struct place_batch *b, struct place_dirs *known)
{
	if (b->dirs.nr)
		BUG("place_batch_share_dirs after a placement");
	b->known = known;
	new_group(b);
}

static void
forget_moved(struct place_batch *b)
{
	for (size_t i = 0; i < b->n_moved; i++)
		free(b->moved[i].source);
	b->n_moved = 0;
}

void
place_batch_release(struct place_batch *b)
{
	strvec_clear(&b->dirs);
	free(b->devs);
	b->devs = NULL;
	b->alloc_devs = 0;
	place_dirs_release(&b->own);
	strvec_clear(&b->targets);
	forget_moved(b);
	free(b->moved);
	b->moved = NULL;
	b->alloc_moved = 0;
}

void
place_batch_journaled(struct place_batch *b)
{
	b->journaled = true;
	point_at(b->pts->journaled);
}

/*
 * the target's directory, made or found once while b's known directories
 * live: its index there in *at; 1 if it was made or found just now, 0 if
 * it was known; -1 with errno
 */
static int
make_dir(struct place_batch *b, const char *dir, size_t *at)
{
	struct place_dirs *d = b->known;
	struct stat st;

	if (dirs_find(d, dir, at))
		return 0;
	if (fails_at(b->pts->mkdir_fail) || fsutil_mkdir_p(dir) ||
	    stat(dir, &st) != 0)
		return -1;
	ALLOC_GROW(d->v, d->nr + 1, d->alloc);
	memmove(&d->v[*at + 1], &d->v[*at], (d->nr - *at) * sizeof(*d->v));
	d->v[*at] = (struct place_dir){.path = xstrdup(dir), .dev = st.st_dev};
	d->nr++;
	return 1;
}

/* req's outcome when its directory could not be made */
static enum place_outcome
dir_failed(struct place_req *req)
{
	req->err = errno;
	req->in_dir = true;
	req->copied = false;
	return place_env_errno(req->err) ? PLACE_ENV : PLACE_ERROR;
}

enum place_outcome
place_batch_add(struct place_batch *b, struct place_req *req)
{
	struct strbuf dir = STRBUF_INIT;
	enum place_outcome o;
	struct place_dir *pd;
	size_t at;
	int made;

	if (!b->journaled)
		BUG("place_batch_add before the journal");
	fsutil_dirname(req->target, &dir);
	if ((made = make_dir(b, dir.buf, &at)) < 0) {
		strbuf_release(&dir);
		return dir_failed(req);
	}
	req->flags &= ~(unsigned)PLACE_MKDIR;
	o = place_with(req, b->pts);
	if (o == PLACE_ERROR && req->err == ENOENT && !made) {
		/* a known directory is gone (the source is there): again */
		dirs_forget(b->known, at);
		if (make_dir(b, dir.buf, &at) < 0) {
			strbuf_release(&dir);
			return dir_failed(req);
		}
		o = place_with(req, b->pts);
	}
	pd = &b->known->v[at];
	if (o == PLACE_PLACED || o == PLACE_SAME) {
		if (pd->group != b->group) {
			pd->group = b->group;
			ALLOC_GROW(b->devs, b->dirs.nr + 1, b->alloc_devs);
			b->devs[b->dirs.nr] = pd->dev;
			strvec_push(&b->dirs, dir.buf);
		}
		/* undone as recovery would: ours, or identical */
		strvec_push(&b->targets, req->target);
		if (req->flags & PLACE_MOVE)
			place_batch_drop(b, req->source, req->data);
		point_at(b->pts->placed);
	}
	strbuf_release(&dir);
	return o;
}

void
place_batch_drop(struct place_batch *b, const char *source, void *data)
{
	ALLOC_GROW(b->moved, b->n_moved + 1, b->alloc_moved);
	b->moved[b->n_moved].source = xstrdup(source);
	b->moved[b->n_moved].data = data;
	b->n_moved++;
}

int
place_batch_sync(struct place_batch *b)
{
	/*
	 * The new names must be durable before the rows that point at them
	 * commit.  The archive directories of a mission share a file
	 * system, so this is one syncfs per batch, not an fsync per
	 * directory.
	 */
	if (fails_at(b->pts->sync_fail) ||
	    (b->dirs.nr && fsutil_sync_dirs(&b->dirs, b->devs)))
		return -1;
	new_group(b);
	return 0;
}

int
place_batch_commit(struct place_batch *b, int (*record)(void *),
		   int (*commit)(void *), void *arg, bool *synced)
{
	int rc;

	*synced = false;
	if (place_batch_sync(b))
		return -1;
	*synced = true;
	if (record && (rc = record(arg)))
		return rc;
	point_at(b->pts->before_commit);
	if (commit && (rc = commit(arg)))
		return rc;
	/* the point of no return: nothing of this group is undone now */
	strvec_clear(&b->targets);
	b->committed = true;
	point_at(b->pts->committed);
	return 0;
}

void
place_batch_undo(struct place_batch *b)
{
	for (size_t i = 0; i < b->targets.nr; i++)
		unlink(b->targets.v[i]);
	strvec_clear(&b->targets);
	new_group(b);
	forget_moved(b);
}

int
place_batch_finish(struct place_batch *b, void **failed_data)
{
	int rc = 0;

	if (!b->committed && b->n_moved)
		BUG("place_batch_finish before the commit");
	for (size_t i = 0; i < b->n_moved; i++) {
		if (unlink(b->moved[i].source) != 0 && errno != ENOENT) {
			int e = errno;

			*failed_data = b->moved[i].data;
			forget_moved(b);
			errno = e;
			rc = -1;
			break;
		}
		point_at(b->pts->unlinked);
	}
	forget_moved(b);
	return rc;
}

/* -- recovery ------------------------------------------------------------- */

static bool
has_sha1(const char *path, const char *sha1)
{
	bool readable;

	return sha1 && archive_sha1_matches(path, sha1, &readable);
}

enum place_undo
place_undo(const char *source, const char *target, const char *sha1)
{
	struct strbuf tmp = STRBUF_INIT;
	bool src_exists, tgt_exists;
	struct stat st;

	fsutil_tmpname(target, &tmp);
	unlink(tmp.buf);
	strbuf_release(&tmp);
	src_exists = access(source, F_OK) == 0 || errno != ENOENT;
	tgt_exists = lstat(target, &st) == 0;
	if (src_exists && tgt_exists &&
	    (archive_same_file(source, target) || has_sha1(target, sha1))) {
		/* the move was made, not recorded: undo it */
		if (unlink(target) != 0)
			return PLACE_UNDO_ERROR;
		return PLACE_UNDO_REMOVED;
	}
	if (!src_exists && tgt_exists && has_sha1(target, sha1)) {
		/* the source name is gone: put the file back */
		if (link(target, source) != 0 || unlink(target) != 0)
			return PLACE_UNDO_ERROR;
		return PLACE_UNDO_RESTORED;
	}
	return src_exists ? PLACE_UNDO_NONE : PLACE_UNDO_LOST;
}

int
place_drop(const char *drop, const char *keep, const char *sha1, bool *other)
{
	struct stat st;

	*other = false;
	if (lstat(drop, &st) != 0)
		return 0;
	if (!archive_same_file(drop, keep) &&
	    !(has_sha1(keep, sha1) && has_sha1(drop, sha1))) {
		*other = true;
		return 0;
	}
	if (unlink(drop) != 0)
		return -1;
	return 1;
}
