/*
 * cmd-ingest.c - "cascade ingest" (ProcessQueue -i) and "cascade
 * inspect": take incoming files into the archive; show what would be
 * decided for one file.
 *
 * ingest is option parsing, one call to cycle_run (cycle.c; ingest.c
 * does the work) and its summary (cmd_ingest_output, shared with
 * process-queue).  Under the processing flag.  Prints one summary line
 * when there was anything in incoming (nothing under cron when it was
 * empty), a progress line on a terminal for long ingests, and exits 1
 * if any file was rejected or could not be placed.  A run stopped by an error (a lost
 * database: exit 4) prints no summary of success, only what it had done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cycle.h"
#include "db.h"
#include "fnformat.h"
#include "identify.h"
#include "ingest.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"
#include "banned.h"

static const struct cmd_help help_ingest = {
	"ingest", "take the files in the incoming directory into the archive",
	"[OPTION]...", "cascade-ingest", 0, 0,
};
static const struct cmd_help help_inspect = {
	"inspect", "show how files would be identified; change nothing",
	"[OPTION]... FILE...", "cascade-ingest", 1, -1,
};

int
cmd_ingest_output(struct ctx *ctx, const struct cycle_options *o,
		  const struct cycle_result *r)
{
	const struct ingest_counts *c = &r->ingest.counts;
	double dt = r->ingest.seconds;

	ctx->counts.files_ingested += (int)c->ingested;
	ctx->counts.files_duplicate += (int)c->duplicates;
	ctx->counts.files_rejected += (int)c->rejected;
	if (r->ingest.outcome == CYCLE_STOPPED) {
		printf("ingest: stopped by signal %d after %ld ingested, %ld "
		       "duplicates, %ld rejected\n",
		       r->ingest.signal, c->ingested, c->duplicates,
		       c->rejected);
		return 128 + r->ingest.signal;
	}
	if (r->ingest.outcome != CYCLE_OK) {
		/* the error said why; this says what got done before it */
		if (c->ingested || c->duplicates || c->rejected)
			printf("ingest: stopped by an error after %ld ingested, "
			       "%ld duplicates, %ld rejected\n",
			       c->ingested, c->duplicates, c->rejected);
		return r->ingest.outcome == CYCLE_DB ? EXIT_DB : EXIT_INTERNAL;
	}
	if (c->seen || c->recovered)
		cmd_summary(ctx, c->rejected || c->stuck,
		       "ingest%s: %ld ingested, %ld duplicates, %ld rejected%s%s "
		       "in %.2f s (%.0f files/s)",
		       o->dry_run ? " (dry run)" : "", c->ingested,
		       c->duplicates, c->rejected,
		       c->writing ? ", some still being written" : "",
		       c->recovered ? ", interrupted run recovered" : "",
		       dt, dt > 0 ? (double)c->seen / dt : 0.0);
	return c->rejected || c->stuck ? EXIT_FAILED : EXIT_OK;
}

static struct cycle_options opt = CYCLE_OPTIONS_INIT;

int
cmd_ingest_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 0, "glb", &opt.glob, "GLOB",
		 "only names matching GLOB (default *; dot-files never)"},
		{OPT_BOOL, 'd', "dry-run", &opt.dry_run, NULL,
		 "identify and report; move and record nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_ingest, opts, argc, argv);
	opt.ingest = true;
	if (opt.dry_run)
		ctx->needs = CTX_CATALOG;
	return EXIT_OK;
}

int
cmd_ingest_run(struct ctx *ctx)
{
	struct cycle_result r = CYCLE_RESULT_INIT;
	int rc;

	(void)cycle_run(ctx->db, ctx->cat, &ctx->flag, &opt, &r);
	rc = cmd_ingest_output(ctx, &opt, &r);
	cycle_result_release(&r);
	strbuf_addstr(&ctx->comment, rc == EXIT_OK ? "Nominal Exit" : "ingest");
	return rc;
}

static int inspect_argc, inspect_first;
static char **inspect_argv;

int
cmd_inspect_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	inspect_first = opt_parse(ctx, &help_inspect, opts, argc, argv);
	inspect_argc = argc;
	inspect_argv = argv;
	return EXIT_OK;
}

int
cmd_inspect_run(struct ctx *ctx)
{
	struct identify_set *set = catalog_identify(ctx->cat);
	int argc = inspect_argc, i = inspect_first, worst = EXIT_OK;
	char **argv = inspect_argv;

	for (; i < argc; i++) {
		struct identify_result r = IDENTIFY_RESULT_INIT;
		const char *base = strrchr(argv[i], '/');
		char d[DATE_STRLEN], t1[TIMESTAMP_STRLEN], t2[TIMESTAMP_STRLEN];
		char v[VERSION_STRLEN];

		base = base ? base + 1 : argv[i];
		if (identify_file(set, argv[i], base, &r)) {
			worst = EXIT_INTERNAL;
			break;
		}
		printf("%s:\n", argv[i]);
		if (r.kind == IDENTIFY_ONE) {
			printf("  product:          %s\n",
			       ctx->cat->products[r.product].name);
			printf("  version:          %s\n",
			       version_format(&r.version, v));
			printf("  utc_file_date:    %s\n",
			       timeutil_format_date(r.date, d));
			printf("  utc_start_time:   %s\n",
			       timeutil_format_timestamp(r.start_usec, t1));
			printf("  utc_stop_time:    %s\n",
			       timeutil_format_timestamp(r.stop_usec, t2));
			if (r.keywords.len)
				printf("  process_keywords: %s\n",
				       r.keywords.buf);
		} else {
			printf("  rejected:         %s\n", r.reason.buf);
			worst = EXIT_FAILED;
		}
		identify_result_release(&r);
	}
	identify_report_failures(set);
	identify_set_free(set);
	return worst;
}
