/*
 * cmd-purge.c - "cascade purge", "cascade prune" and "cascade
 * move-product": taking files out of the archive, and moving a product's
 * files to another directory.
 *
 * All three take the processing flag (except with --dry-run) and record
 * the run.  Each is option parsing, one call into its engine and what
 * it did: archive_purge and archive_prune (archive-purge.h: rows
 * deleted and committed, then the files unlinked), archive_move_product
 * (archive-move.h: a journaled placement batch, and its recovery).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive-move.h"
#include "archive-purge.h"
#include "archive.h"
#include "cmd.h"
#include "strbuf.h"
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
 * What purge or prune (verb) did: a line per file, the run's comment.
 * Returns the exit status.
 */
static int
purge_output(struct ctx *ctx, enum archive_purge_outcome outcome,
	     const struct archive_purge_report *rep, bool dry_run,
	     const char *verb)
{
	struct strbuf name = STRBUF_INIT;
	size_t n = rep->files.nr;

	switch (outcome) {
	case ARCHIVE_PURGE_OK:
	case ARCHIVE_PURGE_FAILED:
		break;
	case ARCHIVE_PURGE_UNKNOWN:
	case ARCHIVE_PURGE_CHILDREN:
		return EXIT_USAGE;
	case ARCHIVE_PURGE_DB:
		return EXIT_DB;
	case ARCHIVE_PURGE_INTERNAL:
	default:
		return EXIT_INTERNAL;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s%s %s\n", dry_run ? "would " : "", verb,
		       shown(rep->files.v[i], &name));
	strbuf_release(&name);
	if (dry_run) {
		strbuf_addf(&ctx->comment, "dry run: would %s %zu file%s", verb,
			    n, n == 1 ? "" : "s");
		return EXIT_OK;
	}
	strbuf_addf(&ctx->comment,
		    "%s: %lld file%s deleted, %ld removed from disk", verb,
		    (long long)rep->deleted, rep->deleted == 1 ? "" : "s",
		    rep->removed);
	if (rep->failed)
		strbuf_addf(&ctx->comment, ", %ld could not be removed",
			    rep->failed);
	return rep->failed ? EXIT_FAILED : EXIT_OK;
}

static bool dry_run;

static bool recursive;
static int purge_argc, purge_first;
static char **purge_argv;

int
cmd_purge_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 'r', "recursive", &recursive, NULL,
		 "also purge every file made from them, recursively"},
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "list what would be purged; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	purge_first = opt_parse(ctx, &help_purge, opts, argc, argv);
	purge_argc = argc;
	purge_argv = argv;
	if (dry_run)
		ctx->needs = CTX_CATALOG;
	return EXIT_OK;
}

int
cmd_purge_run(struct ctx *ctx)
{
	struct archive_purge_report rep = ARCHIVE_PURGE_REPORT_INIT;
	enum archive_purge_outcome outcome;
	int rc;

	outcome = archive_purge(ctx->db, ctx->cat, ctx->flag.logging_id,
				(const char *const *)purge_argv + purge_first,
				(size_t)(purge_argc - purge_first), recursive,
				dry_run, &rep);
	rc = purge_output(ctx, outcome, &rep, dry_run, "purge");
	if (rc == EXIT_OK || rc == EXIT_FAILED)
		printf("%s\n", ctx->comment.buf);
	archive_purge_report_release(&rep);
	return rc;
}

static const char *cutoff;

int
cmd_prune_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 0, "cutoff", &cutoff, "DATE",
		 "only versions whose file_create_date is before DATE"},
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "list what would be pruned; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int32_t d;

	opt_parse(ctx, &help_prune, opts, argc, argv);
	if (!cutoff)
		usage_error(&help_prune, "a cutoff is required (--cutoff=DATE)");
	if (timeutil_parse_date(cutoff, strlen(cutoff), &d))
		usage_error(&help_prune,
			    "invalid date \"%s\" for option \"--cutoff\": "
			    "YYYY-MM-DD is expected",
			    cutoff);
	if (dry_run)
		ctx->needs = CTX_CATALOG;
	return EXIT_OK;
}

int
cmd_prune_run(struct ctx *ctx)
{
	struct archive_purge_report rep = ARCHIVE_PURGE_REPORT_INIT;
	enum archive_purge_outcome outcome;
	int rc;

	outcome = archive_prune(ctx->db, ctx->cat, ctx->flag.logging_id,
				cutoff, dry_run, &rep);
	rc = purge_output(ctx, outcome, &rep, dry_run, "prune");
	/* quiet under cron when there was nothing to prune */
	if ((rc == EXIT_OK || rc == EXIT_FAILED) && (rep.files.nr || dry_run))
		printf("%s\n", ctx->comment.buf);
	archive_purge_report_release(&rep);
	return rc;
}

static const char *product;
static char *newrel;

int
cmd_move_product_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "list the moves; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct strbuf err = STRBUF_INIT;
	const char *newdir;
	size_t len;
	int i = opt_parse(ctx, &help_move, opts, argc, argv);

	product = argv[i];
	newdir = argv[i + 1];
	for (len = strlen(newdir); len > 0 && newdir[len - 1] == '/'; len--)
		;
	newrel = xstrndup(newdir, len);
	if (!archive_relative_path_ok(newrel, &err))
		usage_error(&help_move, "invalid directory: %s", err.buf);
	strbuf_release(&err);
	if (dry_run)
		ctx->needs = CTX_CATALOG;
	return EXIT_OK;
}

int
cmd_move_product_run(struct ctx *ctx)
{
	struct archive_move_report rep = ARCHIVE_MOVE_REPORT_INIT;
	struct strbuf *comment = &ctx->comment;
	int rc = EXIT_INTERNAL;

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
	strbuf_addf(comment, "moved %ld file%s of product %s from \"%s\" to "
			      "\"%s\"",
		    rep.moved, rep.moved == 1 ? "" : "s", product,
		    rep.old_relative_path, newrel);
	if (rep.missing)
		strbuf_addf(comment, " (%ld missing)", rep.missing);
	printf("%s\n", comment->buf);
	printf("in the mission file, write relative_path: \"%s\" for product "
	       "%s (until then \"cascade config apply\" keeps \"%s\")\n",
	       newrel, product, newrel);
out:
	archive_move_report_release(&rep);
	free(newrel);
	newrel = NULL;
	return rc;
}
