/*
 * cmd-purge.c - "cascade purge", "cascade prune" and "cascade
 * move-product": taking files out of the archive, and moving a product's
 * files to another directory.
 *
 * All three take the processing flag (except with --dry-run) and record
 * the run.  The order of effects is what makes them crash-safe:
 *
 *   purge, prune: the rows (with their links, queue entries, unixtime and
 *   release rows) are deleted in one transaction; only after it commits
 *   are the files unlinked.  A crash in between leaves archive files
 *   with no row, never a row without its file: "cascade check" reports
 *   them as unrecorded, and "check --repair" hands them to the next
 *   ingest (which records them again; purge them again if unwanted).
 *
 *   move-product: the move is journaled in product_move ('linking')
 *   first; every file is then given its new name (a hard link, or a copy
 *   across file systems; nothing is ever replaced), the names are made
 *   durable, then the product's relative_path changes in the transaction
 *   that marks the move 'committed', then the old names are removed and
 *   the move marked 'done'.  Killed before the commit, the rows still
 *   name the old paths, which exist: a move-product to the same
 *   directory resumes the move, anything else (another move-product,
 *   "check --repair") undoes it, removing the new names.  Killed after
 *   it, the rows name the new paths, which exist: the next move-product
 *   or "check --repair" removes the old names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "check.h"
#include "cmd.h"
#include "db.h"
#include "fault.h"
#include "fsutil.h"
#include "log.h"
#include "store-admin.h"
#include "strbuf.h"
#include "strvec.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

static const struct cmd_help help_purge = {
	"purge", "delete files from the database and the archive",
	"[--recursive] [--dry-run] [OPTION]... FILE...", "cascade-purge", 1,
	-1,
};
static const struct cmd_help help_prune = {
	"prune", "delete superseded versions older than a cutoff",
	"--cutoff=DATE [--dry-run] [OPTION]...", "cascade-purge", 0, 0,
};
static const struct cmd_help help_move = {
	"move-product", "move a product's files to a new relative_path",
	"[--dry-run] [OPTION]... PRODUCT NEWDIR", "cascade-purge", 2, 2,
};

/* the archive of the mission's products; override as in check.c */
static int
load_archive(struct ctx *ctx, int override_id, const char *override_rel,
	     struct archive **out)
{
	struct store_admin_product *p = NULL;
	size_t n = 0;
	int rc = check_load_archive(ctx->db, &ctx->mission, override_id,
				    override_rel, &p, &n, out);

	store_admin_products_free(p, n);
	return rc;
}

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

/* a name for a terminal: control characters shown as '?' */
static const char *
shown(const char *s, struct strbuf *sb)
{
	strbuf_reset(sb);
	for (; *s; s++)
		strbuf_addch(sb, (unsigned char)*s < 0x20 || *s == 0x7f ? '?'
									: *s);
	return sb->buf;
}

/*
 * Delete the rows of f[0..n) in the transaction the caller opened, commit,
 * then unlink their files.  verb is "purge" or "prune".  Returns an exit
 * status; *comment gets the run's summary.
 */
static int
delete_files(struct ctx *ctx, const struct archive *a,
	     const struct store_admin_file *f, size_t n, bool dry_run,
	     const char *verb, struct strbuf *comment)
{
	struct strvec paths = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT, name = STRBUF_INIT;
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	int64_t deleted = 0;
	long removed = 0, failed = 0;
	int rc = EXIT_INTERNAL;

	/*
	 * Every row's path, also of rows that say the file is not on disk:
	 * a file that came back must not stay behind without its row.
	 */
	for (size_t i = 0; i < n; i++) {
		ids[i] = f[i].id;
		if (path_of(a, &f[i], &path))
			goto out;
		strvec_push(&paths, path.buf);
	}
	if (dry_run) {
		for (size_t i = 0; i < n; i++)
			printf("would %s %s\n", verb,
			       shown(f[i].filename, &name));
		db_rollback(ctx->db);
		strbuf_addf(comment, "dry run: would %s %zu file%s", verb, n,
			    n == 1 ? "" : "s");
		rc = EXIT_OK;
		goto out;
	}
	rc = EXIT_DB;
	if (store_admin_delete_files(ctx->db, ids, n, verb,
				     ctx->flag.logging_id, &deleted) ||
	    db_commit(ctx->db))
		goto out;
	/* the rows are gone for good: now the files */
	fault_point(!strcmp(verb, "purge") ? "purge-committed"
					   : "prune-committed");
	for (size_t i = 0; i < n; i++)
		printf("%s %s\n", verb, shown(f[i].filename, &name));
	for (size_t i = 0; i < paths.nr; i++) {
		if (unlink(paths.v[i]) == 0) {
			removed++;
		} else if (errno != ENOENT) {
			log_warning("could not remove \"%s\": %s", paths.v[i],
				    strerror(errno));
			log_detail("Its row is deleted; \"cascade check\" "
				   "reports it as unrecorded.");
			failed++;
		}
	}
	strbuf_addf(comment, "%s: %lld file%s deleted, %ld removed from disk",
		    verb, (long long)deleted, deleted == 1 ? "" : "s", removed);
	if (failed)
		strbuf_addf(comment, ", %ld could not be removed", failed);
	rc = failed ? EXIT_FAILED : EXIT_OK;
out:
	db_rollback(ctx->db);
	free(ids);
	strvec_clear(&paths);
	strbuf_release(&path);
	strbuf_release(&name);
	return rc;
}

int
cmd_purge(struct ctx *ctx, int argc, char **argv)
{
	bool recursive = false, dry_run = false;
	const struct opt opts[] = {
		{OPT_BOOL, 'r', "recursive", &recursive, NULL,
		 "also purge every file made from them, recursively"},
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "list what would be purged; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct strvec unknown = STRVEC_INIT, children = STRVEC_INIT;
	struct strbuf comment = STRBUF_INIT;
	struct archive *a = NULL;
	struct store_admin_file *f = NULL;
	int64_t *ids = NULL, *all = NULL;
	size_t nids = 0, nall = 0, nf = 0;
	int i, rc;

	i = opt_parse(ctx, &help_purge, opts, argc, argv);
	if ((rc = ctx_setup(ctx, dry_run ? CTX_MISSION : CTX_FLAG)))
		return ctx_finish(ctx, rc, NULL, NULL);
	rc = EXIT_DB;
	if (load_archive(ctx, 0, NULL, &a) || db_begin(ctx->db) ||
	    store_admin_resolve(ctx->db, (const char *const *)argv + i,
				(size_t)(argc - i), &ids, &nids, &unknown))
		goto out;
	if (unknown.nr) {
		for (size_t k = 0; k < unknown.nr; k++)
			log_error("no file is named or numbered \"%s\"",
				  unknown.v[k]);
		log_hint("Nothing was purged.");
		rc = EXIT_USAGE;
		goto out;
	}
	if (recursive) {
		if (store_admin_descendants(ctx->db, ids, nids, &all, &nall))
			goto out;
	} else {
		if (store_admin_children_outside(ctx->db, ids, nids, &children))
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
			rc = EXIT_USAGE;
			goto out;
		}
		all = ids;
		nall = nids;
		ids = NULL;
	}
	if (store_admin_files_by_id(ctx->db, all, nall, &f, &nf))
		goto out;
	rc = delete_files(ctx, a, f, nf, dry_run, "purge", &comment);
	if (rc == EXIT_OK || rc == EXIT_FAILED)
		printf("%s\n", comment.buf);
out:
	if (ctx->db)
		db_rollback(ctx->db);
	archive_free(a);
	store_admin_files_free(f, nf);
	free(ids);
	free(all);
	strvec_clear(&unknown);
	strvec_clear(&children);
	rc = ctx_finish(ctx, rc, comment.len ? comment.buf : NULL, NULL);
	strbuf_release(&comment);
	return rc;
}

int
cmd_prune(struct ctx *ctx, int argc, char **argv)
{
	const char *cutoff = NULL;
	bool dry_run = false;
	const struct opt opts[] = {
		{OPT_STRING, 0, "cutoff", &cutoff, "DATE",
		 "only versions whose file_create_date is before DATE"},
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "list what would be pruned; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct strbuf comment = STRBUF_INIT;
	struct archive *a = NULL;
	struct store_admin_file *f = NULL;
	size_t nf = 0;
	int32_t d;
	int rc;

	opt_parse(ctx, &help_prune, opts, argc, argv);
	if (!cutoff)
		usage_error(&help_prune, "a cutoff is required (--cutoff=DATE)");
	if (timeutil_parse_date(cutoff, strlen(cutoff), &d))
		usage_error(&help_prune,
			    "invalid date \"%s\" for option \"--cutoff\": "
			    "YYYY-MM-DD is expected",
			    cutoff);
	if ((rc = ctx_setup(ctx, dry_run ? CTX_MISSION : CTX_FLAG)))
		return ctx_finish(ctx, rc, NULL, NULL);
	rc = EXIT_DB;
	if (load_archive(ctx, 0, NULL, &a) || db_begin(ctx->db) ||
	    store_admin_prune_candidates(ctx->db, cutoff, &f, &nf))
		goto out;
	rc = delete_files(ctx, a, f, nf, dry_run, "prune", &comment);
	/* quiet under cron when there was nothing to prune */
	if ((rc == EXIT_OK || rc == EXIT_FAILED) && (nf || dry_run))
		printf("%s\n", comment.buf);
out:
	if (ctx->db)
		db_rollback(ctx->db);
	archive_free(a);
	store_admin_files_free(f, nf);
	rc = ctx_finish(ctx, rc, comment.len ? comment.buf : NULL, NULL);
	strbuf_release(&comment);
	return rc;
}

/*
 * settle the product's unfinished moves (except one to resume), saying
 * so; then read its relative_path.  Returns an exit status.
 */
static int
settle_moves(struct ctx *ctx, int pid, const char *product, int64_t keep_id)
{
	long moves = 0, removed = 0;

	if (check_finish_moves(ctx->db, &ctx->mission, pid, keep_id, &moves,
			       &removed))
		return EXIT_DB;
	if (moves)
		printf("settled %ld interrupted move%s of product %s: %ld "
		       "name%s removed\n",
		       moves, moves == 1 ? "" : "s", product, removed,
		       removed == 1 ? "" : "s");
	return EXIT_OK;
}

int
cmd_move_product(struct ctx *ctx, int argc, char **argv)
{
	bool dry_run = false;
	const struct opt opts[] = {
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "list the moves; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct store_admin_product *p = NULL;
	struct store_admin_move *mv = NULL;
	struct store_admin_file *f = NULL;
	struct archive *a_old = NULL, *a_new = NULL;
	struct strbuf err = STRBUF_INIT, op = STRBUF_INIT, np = STRBUF_INIT;
	struct strbuf comment = STRBUF_INIT, dir = STRBUF_INIT;
	struct strvec dirs = STRVEC_INIT;
	const char *product, *newdir;
	char *newrel = NULL, *oldrel = NULL;
	size_t np_n = 0, nf = 0, nmv = 0;
	long moved = 0, missing = 0;
	int64_t move_id = 0;
	bool changed, found;
	int i, pid = 0, rc;

	i = opt_parse(ctx, &help_move, opts, argc, argv);
	product = argv[i];
	newdir = argv[i + 1];
	{
		size_t len = strlen(newdir);

		while (len > 0 && newdir[len - 1] == '/')
			len--;
		newrel = xstrndup(newdir, len);
	}
	if (!archive_relative_path_ok(newrel, &err))
		usage_error(&help_move, "invalid directory: %s", err.buf);
	if ((rc = ctx_setup(ctx, dry_run ? CTX_MISSION : CTX_FLAG)))
		goto out;
	rc = EXIT_DB;
	if (store_admin_product_id(ctx->db, product, &pid, &found))
		goto out;
	if (!found) {
		log_error("no product named \"%s\"", product);
		rc = EXIT_USAGE;
		goto out;
	}
	/*
	 * An earlier move of this product that was killed: one to the same
	 * directory that had not committed is resumed; any other is settled
	 * first (finished if it had committed, else undone).
	 */
	if (store_admin_moves_pending(ctx->db, pid, &mv, &nmv))
		goto out;
	if (store_admin_products(ctx->db, &p, &np_n))
		goto out;
	for (size_t k = 0; k < np_n; k++)
		if (p[k].id == pid)
			oldrel = xstrdup(p[k].relative_path);
	for (size_t k = 0; k < nmv; k++)
		if (!mv[k].committed && !strcmp(mv[k].new_relative_path, newrel) &&
		    !strcmp(mv[k].old_relative_path, oldrel))
			move_id = mv[k].id;
	if (!dry_run) {
		if ((rc = settle_moves(ctx, pid, product, move_id)))
			goto out;
		rc = EXIT_DB;
		store_admin_products_free(p, np_n);
		p = NULL;
		np_n = 0;
		free(oldrel);
		oldrel = NULL;
		if (store_admin_products(ctx->db, &p, &np_n))
			goto out;
		for (size_t k = 0; k < np_n; k++)
			if (p[k].id == pid)
				oldrel = xstrdup(p[k].relative_path);
	}
	if (!oldrel)
		goto out;
	if (!strcmp(oldrel, newrel)) {
		printf("product %s is already in \"%s\"\n", product, newrel);
		rc = EXIT_OK;
		goto out;
	}
	if (load_archive(ctx, 0, NULL, &a_old) ||
	    load_archive(ctx, pid, newrel, &a_new) ||
	    store_admin_files_of_product(ctx->db, pid, &f, &nf))
		goto out;
	/* the journal row first: a kill from here on is settled later */
	if (!dry_run && !move_id &&
	    store_admin_move_begin(ctx->db, pid, oldrel, newrel,
				   ctx->flag.logging_id, &move_id))
		goto out;
	rc = EXIT_FAILED;
	for (size_t k = 0; k < nf; k++) {
		struct stat st;
		bool readable;
		int r;

		if (path_of(a_old, &f[k], &op) || path_of(a_new, &f[k], &np)) {
			rc = EXIT_INTERNAL;
			goto fail;
		}
		/* a file whose row says it is gone moves only if it is there */
		if (!strcmp(op.buf, np.buf) ||
		    (!f[k].on_disk && lstat(op.buf, &st) != 0))
			continue;
		if (dry_run) {
			printf("would move %s -> %s\n", op.buf, np.buf);
			moved++;
			continue;
		}
		r = archive_link(op.buf, np.buf, f[k].sha1);
		if (r < 0 && errno == ENOENT && lstat(op.buf, &st) != 0) {
			/* already at the new path (moved by hand?), or lost */
			if (f[k].sha1 &&
			    archive_sha1_matches(np.buf, f[k].sha1, &readable)) {
				moved++;
				continue;
			}
			log_warning("\"%s\" is missing: not moved", op.buf);
			log_detail("\"cascade check\" will report it missing.");
			missing++;
			continue;
		}
		if (r < 0) {
			error("could not give \"%s\" the name \"%s\": %s",
			      op.buf, np.buf, strerror(errno));
			if (errno == EEXIST)
				log_detail("A different file has that name.  "
					   "Nothing was moved.");
			goto fail;
		}
		fault_point("move-linked");
		strbuf_reset(&dir);
		fsutil_dirname(np.buf, &dir);
		if (!dirs.nr || strcmp(dirs.v[dirs.nr - 1], dir.buf))
			strvec_push(&dirs, dir.buf);
		moved++;
	}
	if (dry_run) {
		printf("dry run: would move %ld file%s of product %s from "
		       "\"%s\" to \"%s\"\n",
		       moved, moved == 1 ? "" : "s", product, oldrel, newrel);
		rc = EXIT_OK;
		goto out;
	}
	/* the new names must be durable before the rows point at them */
	if (dirs.nr && fsutil_sync_dirs(&dirs)) {
		error("could not sync \"%s\": %s", dirs.v[0], strerror(errno));
		rc = EXIT_INTERNAL;
		goto fail;
	}
	rc = EXIT_DB;
	if (db_begin(ctx->db) ||
	    store_admin_move_commit(ctx->db, move_id, (int)moved, &changed))
		goto fail;
	if (!changed) {
		error("the relative_path of product \"%s\" changed meanwhile",
		      product);
		rc = EXIT_FAILED;
		goto fail;
	}
	if (db_commit(ctx->db))
		goto fail;
	/*
	 * committed: the rows name the new paths; drop the old names (this
	 * move's own: nothing interrupted to say)
	 */
	fault_point("move-committed");
	{
		long moves = 0, removed = 0;

		if (check_finish_moves(ctx->db, &ctx->mission, pid, 0, &moves,
				       &removed)) {
			rc = EXIT_DB;
			goto out;
		}
	}
	strbuf_addf(&comment, "moved %ld file%s of product %s from \"%s\" to "
			      "\"%s\"",
		    moved, moved == 1 ? "" : "s", product, oldrel, newrel);
	if (missing)
		strbuf_addf(&comment, " (%ld missing)", missing);
	printf("%s\n", comment.buf);
	printf("in the mission file, write relative_path: \"%s\" for product "
	       "%s (until then \"cascade config apply\" keeps \"%s\")\n",
	       newrel, product, newrel);
	rc = missing ? EXIT_FAILED : EXIT_OK;
	goto out;
fail:
	/* undo: every new name this move gave is removed again */
	if (ctx->db) {
		long moves, removed;

		db_rollback(ctx->db);
		if (move_id && check_finish_moves(ctx->db, &ctx->mission, pid,
						  0, &moves, &removed))
			log_warning("the new names could not all be removed; "
				    "\"cascade check --repair\" will");
	}
out:
	if (ctx->db)
		db_rollback(ctx->db);
	archive_free(a_old);
	archive_free(a_new);
	store_admin_products_free(p, np_n);
	store_admin_moves_free(mv, nmv);
	store_admin_files_free(f, nf);
	strbuf_release(&err);
	strbuf_release(&op);
	strbuf_release(&np);
	strbuf_release(&dir);
	strvec_clear(&dirs);
	free(newrel);
	free(oldrel);
	rc = ctx_finish(ctx, rc, comment.len ? comment.buf : NULL, NULL);
	strbuf_release(&comment);
	return rc;
}
