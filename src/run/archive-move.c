/*
 * archive-move.c - the move-product engine and its recovery (see
 * archive-move.h).  The placement rule is place.c's, paths archive.c's,
 * SQL store-admin.c's; what is shown is the command's.
 */
#include "archive-move.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "catalog.h"
#include "db.h"
#include "fsutil.h"
#include "log.h"
#include "place.h"
#include "store-admin.h"
#include "store.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

int
archive_move_load(const struct catalog *cat, int moved_id,
		  const char *moved_rel, struct archive **out)
{
	return archive_new_moved(cat->mission->name, cat->mission->rootdir,
				 cat->products, cat->n_products, moved_id,
				 moved_rel, out);
}

/* f's archive path under a; -1 with the reason in err */
static int
file_path(const struct archive *a, const struct store_admin_file *f,
	  struct strbuf *path, struct strbuf *err)
{
	struct archive_file af = {f->product_id, f->filename, f->has_date,
				  f->date, f->start_usec,
				  {f->iv, f->qv, f->rv}, f->keywords};

	strbuf_reset(path);
	strbuf_reset(err);
	return archive_path(a, &af, path, err);
}

/* -- settling ------------------------------------------------------------- */

/*
 * Finish (committed: remove the old names) or undo (linking: remove the
 * new names) one move.
 */
static int
finish_move(struct db *db, const struct catalog *cat,
	    const struct store_admin_move *mv, long *removed)
{
	const char *drop_rel = mv->committed ? mv->old_relative_path
					     : mv->new_relative_path;
	const char *keep_rel = mv->committed ? mv->new_relative_path
					     : mv->old_relative_path;
	struct archive *a_drop = NULL, *a_keep = NULL;
	struct store_admin_file *f = NULL;
	struct strbuf dp = STRBUF_INIT, kp = STRBUF_INIT, err = STRBUF_INIT;
	struct strvec dirs = STRVEC_INIT;
	size_t nf = 0;
	int rc;

	if ((rc = archive_move_load(cat, mv->product_id, drop_rel, &a_drop)) ||
	    (rc = archive_move_load(cat, mv->product_id, keep_rel, &a_keep)) ||
	    (rc = store_admin_files_of_product(db, mv->product_id, &f, &nf)))
		goto out;
	for (size_t i = 0; i < nf; i++) {
		bool other;
		int r;

		if (file_path(a_drop, &f[i], &dp, &err) ||
		    file_path(a_keep, &f[i], &kp, &err) ||
		    !strcmp(dp.buf, kp.buf))
			continue;
		r = place_drop(dp.buf, kp.buf, f[i].sha1, &other);
		if (other)
			log_warning("left \"%s\": it is not the file at \"%s\"",
				    dp.buf, kp.buf);
		if (r < 0) {
			rc = error("could not remove \"%s\": %s", dp.buf,
				   strerror(errno));
			goto out;
		}
		if (r == 0)
			continue;
		(*removed)++;
		strbuf_reset(&err);
		fsutil_dirname(dp.buf, &err);
		if (!dirs.nr || strcmp(dirs.v[dirs.nr - 1], err.buf))
			strvec_push(&dirs, err.buf);
	}
	/* directories left empty go too (best effort; rmdir keeps others) */
	for (size_t i = 0; i < dirs.nr; i++)
		if (strcmp(dirs.v[i], cat->mission->rootdir))
			(void)rmdir(dirs.v[i]);
	rc = store_admin_move_end(db, mv->id, mv->committed);
out:
	archive_free(a_drop);
	archive_free(a_keep);
	store_admin_files_free(f, nf);
	strbuf_release(&dp);
	strbuf_release(&kp);
	strbuf_release(&err);
	strvec_clear(&dirs);
	return rc;
}

int
archive_move_settle(struct db *db, const struct catalog *cat,
		    int product_id, int64_t keep_id, long *moves, long *removed)
{
	struct store_admin_move *mv = NULL;
	size_t n = 0;
	int rc;

	*moves = *removed = 0;
	if ((rc = store_admin_moves_pending(db, product_id, &mv, &n)))
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		if (mv[i].id == keep_id)
			continue;
		rc = finish_move(db, cat, &mv[i], removed);
		if (!rc)
			(*moves)++;
	}
	store_admin_moves_free(mv, n);
	return rc;
}

/* -- moving --------------------------------------------------------------- */

void
archive_move_report_release(struct archive_move_report *rep)
{
	free(rep->old_relative_path);
	rep->old_relative_path = NULL;
	strvec_clear(&rep->would);
}

/* the instants of a move, as the crash tests name them */
static const struct place_points move_points = {
	.placed = "move-linked",
	.committed = "move-committed",
};

struct move {
	struct db *db;
	const struct catalog *cat;
	const char *product, *new_rel;
	bool dry_run;
	int pid;
	int64_t move_id;
	int64_t run_id;
	struct archive *a_old, *a_new;
	struct store_admin_file *f;
	size_t nf;
	struct place_batch batch;
	struct archive_move_report *rep;
	bool changed; /* the commit found the product's old path */
};

/*
 * Which product, from where; an earlier move of it that was killed: one
 * to the same directory that had not committed is resumed, any other is
 * settled first (finished if it had committed, else undone).
 */
static enum archive_move_status
find_move(struct move *mv)
{
	const struct product *p = catalog_product_named(mv->cat, mv->product);
	struct store_admin_move *pend = NULL;
	const char *old;
	size_t n = 0;

	if (!p) {
		error("no product named \"%s\"", mv->product);
		return ARCHIVE_MOVE_NO_PRODUCT;
	}
	mv->pid = p->id;
	/* settling leaves it: it changes names, not the product's row */
	old = p->relative_path;
	if (store_admin_moves_pending(mv->db, mv->pid, &pend, &n))
		return ARCHIVE_MOVE_DB;
	for (size_t k = 0; k < n; k++)
		if (!pend[k].committed &&
		    !strcmp(pend[k].new_relative_path, mv->new_rel) &&
		    !strcmp(pend[k].old_relative_path, old))
			mv->move_id = pend[k].id;
	store_admin_moves_free(pend, n);
	if (!mv->dry_run &&
	    archive_move_settle(mv->db, mv->cat, mv->pid, mv->move_id,
				&mv->rep->settled, &mv->rep->settled_removed))
		return ARCHIVE_MOVE_DB;
	mv->rep->old_relative_path = xstrdup(old);
	return ARCHIVE_MOVE_OK;
}

/* give f its new name; a failure that undoes the move is reported */
static enum archive_move_status
move_file(struct move *mv, const struct store_admin_file *f, const char *op,
	  const char *np)
{
	struct place_req req = {.source = op, .target = np, .sha1 = f->sha1};
	bool readable;

	if (mv->dry_run) {
		strvec_pushf(&mv->rep->would, "%s -> %s", op, np);
		mv->rep->moved++;
		return ARCHIVE_MOVE_OK;
	}
	switch (place_batch_add(&mv->batch, &req)) {
	case PLACE_PLACED:
	case PLACE_SAME:
		mv->rep->moved++;
		return ARCHIVE_MOVE_OK;
	case PLACE_GONE:
		/* already at the new path (moved by hand?), or lost */
		if (f->sha1 && archive_sha1_matches(np, f->sha1, &readable)) {
			mv->rep->moved++;
			return ARCHIVE_MOVE_OK;
		}
		log_warning("\"%s\" is missing: not moved", op);
		log_detail("\"cascade check\" will report it missing.");
		mv->rep->missing++;
		return ARCHIVE_MOVE_OK;
	default:
		break;
	}
	error("could not give \"%s\" the name \"%s\": %s", op, np,
	      strerror(req.err));
	if (req.err == EEXIST)
		log_detail("A different file has that name.  Nothing was "
			   "moved.");
	return ARCHIVE_MOVE_FAILED;
}

static enum archive_move_status
move_files(struct move *mv)
{
	struct strbuf op = STRBUF_INIT, np = STRBUF_INIT, err = STRBUF_INIT;
	enum archive_move_status rc = ARCHIVE_MOVE_OK;

	for (size_t k = 0; !rc && k < mv->nf; k++) {
		const struct store_admin_file *f = &mv->f[k];
		struct stat st;

		if (file_path(mv->a_old, f, &op, &err) ||
		    file_path(mv->a_new, f, &np, &err)) {
			error("no archive path for \"%s\": %s", f->filename,
			      err.buf);
			rc = ARCHIVE_MOVE_INTERNAL;
			break;
		}
		/* a file whose row says it is gone moves only if it is there */
		if (!strcmp(op.buf, np.buf) ||
		    (!f->on_disk && lstat(op.buf, &st) != 0))
			continue;
		rc = move_file(mv, f, op.buf, np.buf);
	}
	strbuf_release(&op);
	strbuf_release(&np);
	strbuf_release(&err);
	return rc;
}

/* the commit of a move: the product's relative_path, the move row */
static int
record_move(void *arg)
{
	struct move *mv = arg;

	if (db_begin(mv->db) ||
	    store_admin_move_commit(mv->db, mv->move_id, (int)mv->rep->moved,
				    &mv->changed))
		return ARCHIVE_MOVE_DB;
	if (!mv->changed)
		return error("the relative_path of product \"%s\" changed "
			     "meanwhile",
			     mv->product);
	return 0;
}

static int
commit_move(void *arg)
{
	struct move *mv = arg;

	return db_commit(mv->db) ? ARCHIVE_MOVE_DB : 0;
}

/* journal, place, sync, commit, then drop the old names */
static enum archive_move_status
execute(struct move *mv)
{
	long moves = 0, removed = 0;
	bool synced;
	int rc;

	/* the journal row first: a kill from here on is settled later */
	if (!mv->move_id &&
	    store_admin_move_begin(mv->db, mv->pid, mv->rep->old_relative_path,
				   mv->new_rel, mv->run_id, &mv->move_id))
		return ARCHIVE_MOVE_DB;
	place_batch_journaled(&mv->batch);
	if ((rc = move_files(mv)))
		return rc;
	rc = place_batch_commit(&mv->batch, record_move, commit_move, mv,
				&synced);
	if (rc && !synced) {
		error("could not sync \"%s\": %s",
		      mv->batch.dirs.nr ? mv->batch.dirs.v[0] : mv->cat->mission->rootdir,
		      strerror(errno));
		return ARCHIVE_MOVE_INTERNAL;
	}
	if (rc)
		return mv->changed ? ARCHIVE_MOVE_DB : ARCHIVE_MOVE_FAILED;
	/* committed: the rows name the new paths; drop the old names */
	mv->rep->committed = true;
	if (archive_move_settle(mv->db, mv->cat, mv->pid, 0, &moves, &removed))
		return ARCHIVE_MOVE_DB;
	return mv->rep->missing ? ARCHIVE_MOVE_FAILED : ARCHIVE_MOVE_OK;
}

enum archive_move_status
archive_move_product(struct db *db, const struct catalog *cat,
		     int64_t run_id, const char *product, const char *new_rel,
		     bool dry_run, struct archive_move_report *rep)
{
	struct move mv = {.db = db, .cat = cat, .product = product,
			  .new_rel = new_rel, .dry_run = dry_run,
			  .run_id = run_id, .rep = rep, .changed = true};
	enum archive_move_status rc;
	bool committed;

	place_batch_init(&mv.batch, &move_points);
	if ((rc = find_move(&mv)))
		goto out;
	if (!strcmp(rep->old_relative_path, new_rel)) {
		rep->already = true;
		goto out;
	}
	if (archive_move_load(cat, 0, NULL, &mv.a_old) ||
	    archive_move_load(cat, mv.pid, new_rel, &mv.a_new) ||
	    store_admin_files_of_product(db, mv.pid, &mv.f, &mv.nf)) {
		rc = ARCHIVE_MOVE_DB;
		goto out;
	}
	if (dry_run) {
		rc = move_files(&mv);
		goto out;
	}
	rc = execute(&mv);
	committed = mv.batch.committed;
	db_rollback(db);
	if (rc && !committed && mv.move_id) {
		/* undo: every new name this move gave is removed again */
		long moves, removed;

		if (archive_move_settle(db, cat, mv.pid, 0, &moves, &removed))
			log_warning("the new names could not all be removed; "
				    "\"cascade check --repair\" will");
	}
out:
	db_rollback(db);
	place_batch_release(&mv.batch);
	archive_free(mv.a_old);
	archive_free(mv.a_new);
	store_admin_files_free(mv.f, mv.nf);
	return rc;
}
