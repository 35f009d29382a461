/*
 * cmd-failures.c - "cascade failures [list]|show|resolve|retry": the
 * failures kept for people.
 *
 * list and show read.  resolve and retry write, under the processing
 * flag (so they never interleave with a controller), in one transaction
 * each, and are recorded as runs.  retry re-queues the inputs of failed
 * builds and cancels their bad and failed builds, so that the next
 * processing run plans them afresh; an ingest reject cannot be retried
 * from the database (its file sits in the error directory), so retry
 * says where the file is and what to do, and leaves the failure open.
 * Pitfall: ids that do not exist make the whole command fail with
 * status 2 and change nothing, so a typo never half-applies.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "db.h"
#include "log.h"
#include "status.h"
#include "store-status.h"
#include "strbuf.h"
#include "sysinfo.h"
#include "xalloc.h"
#include "banned.h"

static const struct cmd_help help_failures = {
	"failures", "list, show, resolve or retry failures awaiting a person",
	"[list] [--all] [--kind=K] [--process=P] [OPTION]...\n"
	"  cascade failures show ID [--json]\n"
	"  cascade failures resolve ID... --note=TEXT\n"
	"  cascade failures retry ID... | --process=P | --all",
	"cascade-failures", 0, 0,
};
static const struct cmd_help help_list = {
	"failures list", "list failures awaiting a person, by process",
	"[--all] [--kind=K] [--process=P] [OPTION]...",
	"cascade-failures", 0, 0,
};
static const struct cmd_help help_show = {
	"failures show", "show one failure with its whole reason",
	"ID [--json] [OPTION]...", "cascade-failures", 1, 1,
};
static const struct cmd_help help_resolve = {
	"failures resolve", "mark failures as dealt with",
	"ID... --note=TEXT [OPTION]...", "cascade-failures", 1, -1,
};
static const struct cmd_help help_retry = {
	"failures retry", "re-queue the inputs of failed builds",
	"ID... | --process=P | --all [OPTION]...", "cascade-failures", 0, -1,
};

/* --process: a process name, or "ingest" or "batch" */
static int
check_group(struct ctx *ctx, const struct cmd_help *help, const char *group)
{
	bool exists;

	if (!group || !strcmp(group, "ingest") || !strcmp(group, "batch"))
		return EXIT_OK;
	if (store_name_exists(ctx->db, SS_PROCESS, group, &exists))
		return EXIT_DB;
	if (!exists) {
		log_error("%s: there is no process named \"%s\"", help->name,
			  group);
		log_hint("Name a process, or \"ingest\" for ingest rejects.");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int64_t *
parse_ids(const struct cmd_help *help, int argc, char **argv, int first,
	  size_t *n)
{
	int64_t *ids = xcalloc((size_t)(argc - first) + 1, sizeof(*ids));

	*n = 0;
	for (int i = first; i < argc; i++)
		ids[(*n)++] = cmd_parse_id(help, "failure", argv[i]);
	return ids;
}

/*
 * Report ids that found no failure (all-or-nothing commands).  Returns
 * the number missing.
 */
static size_t
report_missing(const int64_t *ids, size_t n, const struct ss_failure *f,
	       size_t nf)
{
	size_t missing = 0;

	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t k = 0; k < nf && !found; k++)
			found = f[k].id == ids[i];
		if (!found) {
			log_error("failure %" PRId64 " does not exist",
				  ids[i]);
			missing++;
		}
	}
	if (missing)
		log_detail("Nothing was changed.");
	return missing;
}

/* the options of the sub-commands */
static const char *kind, *process, *note;
static bool all, json;
static int64_t *ids;
static size_t nids;
static const struct cmd_help *list_help;

static int
list_parse(struct ctx *ctx, const struct cmd_help *help, int argc,
	   char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 'a', "all", &all, NULL,
		 "resolved failures too"},
		{OPT_STRING, 'k', "kind", &kind, "KIND",
		 "failures of this kind (exit, timeout, ...)"},
		{OPT_STRING, 'p', "process", &process, "NAME",
		 "failures of this process (\"ingest\": ingest rejects)"},
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, help, opts, argc, argv);
	list_help = help;
	return EXIT_OK;
}

int
cmd_failures_list_parse(struct ctx *ctx, int argc, char **argv)
{
	return list_parse(ctx, &help_list, argc, argv);
}

int
cmd_failures_list_run(struct ctx *ctx)
{
	struct ss_failure_filter ff = {0};
	struct ss_failure *f = NULL;
	size_t n = 0;
	int rc;

	if ((rc = check_group(ctx, list_help, process)))
		goto out;
	ff.all = all;
	ff.kind = kind;
	ff.group = process;
	rc = EXIT_DB;
	if (store_failures_list(ctx->db, &ff, &f, &n))
		goto out;
	status_print_failures(f, n, all, json);
	rc = EXIT_OK;
out:
	ss_failures_free(f, n);
	return rc;
}

static int64_t show_id;

int
cmd_failures_show_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_show, opts, argc, argv);

	show_id = cmd_parse_id(&help_show, "failure", argv[i]);
	return EXIT_OK;
}

int
cmd_failures_show_run(struct ctx *ctx)
{
	struct ss_failure_filter ff = {0};
	struct ss_failure *f = NULL;
	size_t n = 0;
	int64_t id = show_id;
	int rc;

	ff.all = true;
	ff.ids = &id;
	ff.n_ids = 1;
	rc = EXIT_DB;
	if (store_failures_list(ctx->db, &ff, &f, &n))
		goto out;
	if (n == 0) {
		log_error("failure %" PRId64 " does not exist", id);
		log_hint("\"cascade failures --all\" lists the failures.");
		rc = EXIT_USAGE;
		goto out;
	}
	status_print_failure(&f[0], json);
	rc = EXIT_OK;
out:
	ss_failures_free(f, n);
	return rc;
}

int
cmd_failures_resolve_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 0, "note", &note, "TEXT",
		 "what was done about them (recorded; required)"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_resolve, opts, argc, argv);

	if (!note || !*note)
		usage_error(&help_resolve, "a note is required (--note=TEXT)");
	ids = parse_ids(&help_resolve, argc, argv, i, &nids);
	return EXIT_OK;
}

int
cmd_failures_resolve_run(struct ctx *ctx)
{
	struct ss_failure_filter ff = {0};
	struct ss_failure *f = NULL;
	struct strbuf user = STRBUF_INIT;
	size_t n = 0;
	long changed = 0;
	int rc;

	sysinfo_username(&user);
	rc = EXIT_DB;
	if (db_begin(ctx->db))
		goto out;
	ff.all = true;
	ff.ids = ids;
	ff.n_ids = nids;
	ff.for_update = true;
	if (store_failures_list(ctx->db, &ff, &f, &n))
		goto out;
	if (report_missing(ids, nids, f, n)) {
		rc = EXIT_USAGE;
		goto out;
	}
	for (size_t k = 0; k < n; k++)
		if (f[k].resolved)
			printf("failure %" PRId64 " was already resolved "
			       "(left as it was)\n",
			       f[k].id);
	if (store_failures_resolve(ctx->db, ids, nids, user.buf, note,
				   &changed) ||
	    db_commit(ctx->db))
		goto out;
	printf("resolved %ld failure%s\n", changed, changed == 1 ? "" : "s");
	strbuf_addf(&ctx->comment, "resolved %ld failures", changed);
	rc = EXIT_OK;
out:
	db_rollback(ctx->db);
	ss_failures_free(f, n);
	free(ids);
	strbuf_release(&user);
	return rc;
}

/* a name from the database, made safe for a terminal */
static const char *
safe(const char *s, struct strbuf *sb)
{
	strbuf_reset(sb);
	status_cell(sb, s ? s : "?", 0, false);
	return sb->buf;
}

static void
print_ingest_reject(const struct ctx *ctx, const struct ss_failure *f)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	printf("failure %" PRId64 ": ingest reject of \"%s\" (%s): nothing "
	       "to re-queue from the database\n",
	       f->id, safe(f->filename, &a), safe(f->kind, &b));
	printf("  the file is in the error directory %s (perhaps with a .N "
	       "suffix):\n"
	       "  move it back to %s to ingest it again, then resolve this "
	       "failure\n",
	       safe(ctx->mission->errordir, &a),
	       safe(ctx->mission->incoming_dir, &b));
	strbuf_release(&a);
	strbuf_release(&b);
}

static void
print_retrying(const struct ss_failure *f)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	if (f->build_id != SS_NULL)
		printf("failure %" PRId64 ": %s build %" PRId64
		       " (%s): retrying\n",
		       f->id, safe(f->group, &a), f->build_id,
		       safe(f->output_key, &b));
	else
		printf("failure %" PRId64 ": batch %" PRId64
		       ": retrying its builds\n",
		       f->id, f->batch_id);
	strbuf_release(&a);
	strbuf_release(&b);
}

int
cmd_failures_retry_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 'p', "process", &process, "NAME",
		 "every unresolved failure of this process"},
		{OPT_BOOL, 'a', "all", &all, NULL,
		 "every unresolved failure"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_retry, opts, argc, argv);

	if ((i < argc) + (process != NULL) + all != 1)
		usage_error(&help_retry, "name the failures: ids, --process "
					 "or --all (one of them)");
	ids = parse_ids(&help_retry, argc, argv, i, &nids);
	return EXIT_OK;
}

int
cmd_failures_retry_run(struct ctx *ctx)
{
	struct ss_failure_filter ff = {0};
	struct ss_retry_counts c = {0};
	struct ss_failure *f = NULL;
	struct strbuf user = STRBUF_INIT;
	int64_t *todo = NULL;
	size_t n = 0, ntodo = 0, nrejects = 0;
	int rc;

	if ((rc = check_group(ctx, &help_retry, process)))
		goto out;
	sysinfo_username(&user);
	rc = EXIT_DB;
	if (db_begin(ctx->db))
		goto out;
	ff.all = nids > 0; /* named ones: find them resolved or not */
	ff.ids = ids;
	ff.n_ids = nids;
	ff.group = process;
	ff.for_update = true;
	if (store_failures_list(ctx->db, &ff, &f, &n))
		goto out;
	if (report_missing(ids, nids, f, n)) {
		rc = EXIT_USAGE;
		goto out;
	}
	todo = xcalloc(n + 1, sizeof(*todo));
	for (size_t k = 0; k < n; k++) {
		if (f[k].resolved) {
			printf("failure %" PRId64 " was already resolved "
			       "(left as it was)\n",
			       f[k].id);
		} else if (f[k].build_id == SS_NULL &&
			   f[k].batch_id == SS_NULL) {
			print_ingest_reject(ctx, &f[k]);
			nrejects++;
		} else {
			print_retrying(&f[k]);
			todo[ntodo++] = f[k].id;
		}
	}
	if (ntodo && store_failures_retry(ctx->db, todo, ntodo,
					  ctx->flag.logging_id, user.buf, &c))
		goto out;
	if (db_commit(ctx->db))
		goto out;
	if (n == 0)
		printf("no failures to retry\n");
	else if (ntodo)
		printf("retried %ld failure%s: queued %ld file%s, cancelled "
		       "%ld build%s and %ld batch%s\n",
		       c.failures, c.failures == 1 ? "" : "s", c.queued,
		       c.queued == 1 ? "" : "s", c.cancelled,
		       c.cancelled == 1 ? "" : "s", c.batches,
		       c.batches == 1 ? "" : "es");
	if (nrejects)
		printf("%zu ingest reject%s left for a person\n", nrejects,
		       nrejects == 1 ? "" : "s");
	strbuf_addf(&ctx->comment,
		    "retried %ld failures: queued %ld files, cancelled %ld "
		    "builds and %ld batches",
		    c.failures, c.queued, c.cancelled, c.batches);
	rc = EXIT_OK;
out:
	db_rollback(ctx->db);
	ss_failures_free(f, n);
	free(ids);
	free(todo);
	strbuf_release(&user);
	return rc;
}

/*
 * "failures" without a known sub-command (main.c found none): "cascade
 * failures [OPTION]..." lists.
 */
int
cmd_failures_parse(struct ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && argv[1][0] != '-')
		usage_error(&help_failures, "unknown subcommand \"%s\"",
			    argv[1]);
	return list_parse(ctx, &help_failures, argc, argv);
}

int
cmd_failures_run(struct ctx *ctx)
{
	return cmd_failures_list_run(ctx);
}
