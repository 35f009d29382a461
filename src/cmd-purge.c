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
 *   move-product: option parsing, one call to archive_move_product
 *   (archive-move.h: a journaled placement batch, and its recovery) and
 *   what it did.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive-move.h"
#include "archive.h"
#include "cmd.h"
#include "db.h"
#include "fault.h"
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
	return archive_move_load(ctx->cat, override_id, override_rel, out);
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
	if ((rc = ctx_setup(ctx, dry_run ? CTX_CATALOG : CTX_FLAG)))
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
	if ((rc = ctx_setup(ctx, dry_run ? CTX_CATALOG : CTX_FLAG)))
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

int
cmd_move_product(struct ctx *ctx, int argc, char **argv)
{
	bool dry_run = false;
	const struct opt opts[] = {
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "list the moves; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct archive_move_report rep = ARCHIVE_MOVE_REPORT_INIT;
	struct strbuf err = STRBUF_INIT, comment = STRBUF_INIT;
	const char *product, *newdir;
	size_t len;
	char *newrel;
	int i, rc;

	i = opt_parse(ctx, &help_move, opts, argc, argv);
	product = argv[i];
	newdir = argv[i + 1];
	for (len = strlen(newdir); len > 0 && newdir[len - 1] == '/'; len--)
		;
	newrel = xstrndup(newdir, len);
	if (!archive_relative_path_ok(newrel, &err))
		usage_error(&help_move, "invalid directory: %s", err.buf);
	if ((rc = ctx_setup(ctx, dry_run ? CTX_CATALOG : CTX_FLAG)))
		goto out;
	switch (archive_move_product(ctx->db, ctx->cat,
				     ctx->flag.logging_id, product, newrel,
				     dry_run, &rep)) {
	case ARCHIVE_MOVE_OK:
		rc = EXIT_OK;
		break;
	case ARCHIVE_MOVE_FAILED:
		rc = EXIT_FAILED;
		break;
	case ARCHIVE_MOVE_NO_PRODUCT:
		rc = EXIT_USAGE;
		break;
	case ARCHIVE_MOVE_DB:
		rc = EXIT_DB;
		break;
	case ARCHIVE_MOVE_INTERNAL:
		rc = EXIT_INTERNAL;
		break;
	}
	if (rep.settled)
		printf("settled %ld interrupted move%s of product %s: %ld "
		       "name%s removed\n",
		       rep.settled, rep.settled == 1 ? "" : "s", product,
		       rep.settled_removed, rep.settled_removed == 1 ? "" : "s");
	if (rc != EXIT_OK && !rep.committed)
		goto out;
	if (rep.already) {
		printf("product %s is already in \"%s\"\n", product, newrel);
		goto out;
	}
	for (size_t k = 0; k < rep.would.nr; k++)
		printf("would move %s\n", rep.would.v[k]);
	if (dry_run) {
		printf("dry run: would move %ld file%s of product %s from "
		       "\"%s\" to \"%s\"\n",
		       rep.moved, rep.moved == 1 ? "" : "s", product,
		       rep.old_relative_path, newrel);
		goto out;
	}
	strbuf_addf(&comment, "moved %ld file%s of product %s from \"%s\" to "
			      "\"%s\"",
		    rep.moved, rep.moved == 1 ? "" : "s", product,
		    rep.old_relative_path, newrel);
	if (rep.missing)
		strbuf_addf(&comment, " (%ld missing)", rep.missing);
	printf("%s\n", comment.buf);
	printf("in the mission file, write relative_path: \"%s\" for product "
	       "%s (until then \"cascade config apply\" keeps \"%s\")\n",
	       newrel, product, newrel);
out:
	archive_move_report_release(&rep);
	strbuf_release(&err);
	free(newrel);
	rc = ctx_finish(ctx, rc, comment.len ? comment.buf : NULL, NULL);
	strbuf_release(&comment);
	return rc;
}
