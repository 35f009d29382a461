/*
 * archive-purge.c - purge and prune: rows deleted, committed, then the
 * files unlinked (see archive-purge.h).
 */
#include "archive-purge.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "catalog.h"
#include "db.h"
#include "fault.h"
#include "log.h"
#include "store-admin.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

static int
path_of(const struct archive *a, const struct store_admin_file *f,
	struct strbuf *out)
{
	struct archive_file af = {f->product_id, f->filename, f->has_date,
				  f->date, f->start_usec,
				  {f->iv, f->qv, f->rv}, f->keywords};
	struct strbuf err = STRBUF_INIT;
	int rc = 0;

	strbuf_reset(out);
	if (archive_path(a, &af, out, &err))
		rc = error("no archive path for \"%s\": %s", f->filename,
			   err.buf);
	strbuf_release(&err);
	return rc;
}

static void
unlink_all(const struct strvec *paths, struct archive_purge_report *rep)
{
	for (size_t i = 0; i < paths->nr; i++) {
		if (unlink(paths->v[i]) == 0) {
			rep->removed++;
		} else if (errno != ENOENT) {
			log_warning("could not remove \"%s\": %s", paths->v[i],
				    strerror(errno));
			log_detail("Its row is deleted; \"cascade check\" "
				   "reports it as unrecorded.");
			rep->failed++;
		}
	}
}

/*
 * Delete the rows of f[0..n) in the transaction the caller opened,
 * commit, then unlink their files.  verb is "purge" or "prune".
 */
static enum archive_purge_outcome
delete_files(struct db *db, int64_t run_id, const struct archive *a,
	     const struct store_admin_file *f, size_t n, bool dry_run,
	     const char *verb, struct archive_purge_report *rep)
{
	struct strvec paths = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	enum archive_purge_outcome rc = ARCHIVE_PURGE_INTERNAL;

	for (size_t i = 0; i < n; i++) {
		ids[i] = f[i].id;
		if (path_of(a, &f[i], &path))
			goto out;
		strvec_push(&paths, path.buf);
	}
	if (dry_run) {
		for (size_t i = 0; i < n; i++)
			strvec_push(&rep->files, f[i].filename);
		rc = ARCHIVE_PURGE_OK;
		goto out;
	}
	rc = ARCHIVE_PURGE_DB;
	if (store_admin_delete_files(db, ids, n, verb, run_id,
				     &rep->deleted) ||
	    db_commit(db))
		goto out;
	/* the rows are gone for good: now the files */
	fault_point(!strcmp(verb, "purge") ? "purge-committed"
					   : "prune-committed");
	for (size_t i = 0; i < n; i++)
		strvec_push(&rep->files, f[i].filename);
	unlink_all(&paths, rep);
	rc = rep->failed ? ARCHIVE_PURGE_FAILED : ARCHIVE_PURGE_OK;
out:
	db_rollback(db);
	free(ids);
	strvec_clear(&paths);
	strbuf_release(&path);
	return rc;
}

/* the files to purge: those named, and with recursive their descendants */
static enum archive_purge_outcome
select_files(struct db *db, const char *const *names, size_t n,
	     bool recursive, int64_t **all, size_t *nall)
{
	struct strvec unknown = STRVEC_INIT, children = STRVEC_INIT;
	enum archive_purge_outcome rc = ARCHIVE_PURGE_DB;
	int64_t *ids = NULL;
	size_t nids = 0;

	if (store_admin_resolve(db, names, n, &ids, &nids, &unknown))
		goto out;
	if (unknown.nr) {
		for (size_t k = 0; k < unknown.nr; k++)
			log_error("no file is named or numbered \"%s\"",
				  unknown.v[k]);
		log_hint("Nothing was purged.");
		rc = ARCHIVE_PURGE_UNKNOWN;
		goto out;
	}
	if (recursive) {
		if (store_admin_descendants(db, ids, nids, all, nall))
			goto out;
		rc = ARCHIVE_PURGE_OK;
		goto out;
	}
	if (store_admin_children_outside(db, ids, nids, &children))
		goto out;
	if (children.nr) {
		log_error("refusing to purge: %zu file%s made from "
			  "the files named",
			  children.nr, children.nr == 1 ? " is" : "s are");
		for (size_t k = 0; k < children.nr && k < 10; k++)
			log_detail("%s", children.v[k]);
		if (children.nr > 10)
			log_detail("... and %zu more.", children.nr - 10);
		log_hint("Purge those first, or use --recursive to "
			 "purge them too.  Nothing was purged.");
		rc = ARCHIVE_PURGE_CHILDREN;
		goto out;
	}
	*all = ids;
	*nall = nids;
	ids = NULL;
	rc = ARCHIVE_PURGE_OK;
out:
	free(ids);
	strvec_clear(&unknown);
	strvec_clear(&children);
	return rc;
}

enum archive_purge_outcome
archive_purge(struct db *db, const struct catalog *cat, int64_t run_id,
	      const char *const *names, size_t n, bool recursive,
	      bool dry_run, struct archive_purge_report *rep)
{
	enum archive_purge_outcome rc = ARCHIVE_PURGE_DB;
	struct store_admin_file *f = NULL;
	int64_t *all = NULL;
	size_t nall = 0, nf = 0;

	if (db_begin(db))
		goto out;
	if ((rc = select_files(db, names, n, recursive, &all, &nall)))
		goto out;
	rc = ARCHIVE_PURGE_DB;
	if (store_admin_files_by_id(db, all, nall, &f, &nf))
		goto out;
	rc = delete_files(db, run_id, cat->archive, f, nf, dry_run, "purge",
			  rep);
out:
	db_rollback(db);
	store_admin_files_free(f, nf);
	free(all);
	return rc;
}

enum archive_purge_outcome
archive_prune(struct db *db, const struct catalog *cat, int64_t run_id,
	      const char *cutoff, bool dry_run,
	      struct archive_purge_report *rep)
{
	enum archive_purge_outcome rc = ARCHIVE_PURGE_DB;
	struct store_admin_file *f = NULL;
	size_t nf = 0;

	if (db_begin(db) ||
	    store_admin_prune_candidates(db, cutoff, &f, &nf))
		goto out;
	rc = delete_files(db, run_id, cat->archive, f, nf, dry_run, "prune",
			  rep);
out:
	db_rollback(db);
	store_admin_files_free(f, nf);
	return rc;
}

void
archive_purge_report_release(struct archive_purge_report *rep)
{
	strvec_clear(&rep->files);
}
