/*
 * cmd-ingest.c - "cascade ingest" (ProcessQueue -i) and "cascade
 * inspect": take incoming files into the archive; show what would be
 * decided for one file.
 *
 * Under the processing flag.  Prints one summary line when there was
 * anything in incoming (nothing under cron when it was empty), a progress
 * line on a terminal for long ingests, and exits 1 if any file was
 * rejected or could not be placed.  A run stopped by an error (a lost
 * database: exit 4) prints no summary of success, only what it had done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
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

static double
now_s(void)
{
	return (double)timeutil_mono_ns() / 1e9;
}

int
cmd_do_ingest(struct ctx *ctx, const char *glob, bool dry_run,
	      struct lock_counts *lc)
{
	struct ingest_options opt = {0};
	struct ingest_counts c = {0};
	double t0 = now_s(), dt;
	int rc;

	opt.glob = glob;
	opt.dry_run = dry_run;
	opt.batch_size = ctx->cat->run->batch_size;
	opt.run_id = ctx->flag.logging_id;
	rc = ingest_run(ctx->db, ctx->cat, &opt, &c);
	dt = now_s() - t0;
	if (lc) {
		lc->files_ingested += (int)c.ingested;
		lc->files_duplicate += (int)c.duplicates;
		lc->files_rejected += (int)c.rejected;
	}
	if (rc) {
		/* the error said why; this says what got done before it */
		if (c.ingested || c.duplicates || c.rejected)
			printf("ingest: stopped by an error after %ld ingested, "
			       "%ld duplicates, %ld rejected\n",
			       c.ingested, c.duplicates, c.rejected);
		return rc == DB_ERR_CONN ? EXIT_DB : EXIT_INTERNAL;
	}
	if (c.seen || c.recovered)
		printf("ingest%s: %ld ingested, %ld duplicates, %ld rejected%s%s "
		       "in %.2f s (%.0f files/s)\n",
		       dry_run ? " (dry run)" : "", c.ingested, c.duplicates,
		       c.rejected,
		       c.writing ? ", some still being written" : "",
		       c.recovered ? ", interrupted run recovered" : "",
		       dt, dt > 0 ? (double)c.seen / dt : 0.0);
	return c.rejected || c.stuck ? EXIT_FAILED : EXIT_OK;
}

int
cmd_ingest(struct ctx *ctx, int argc, char **argv)
{
	const char *glob = NULL;
	bool dry_run = false;
	const struct opt opts[] = {
		{OPT_STRING, 0, "glb", &glob, "GLOB",
		 "only names matching GLOB (default *; dot-files never)"},
		{OPT_BOOL, 'd', "dry-run", &dry_run, NULL,
		 "identify and report; move and record nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct lock_counts lc = {0};
	int rc;

	opt_parse(ctx, &help_ingest, opts, argc, argv);
	if ((rc = ctx_setup(ctx, dry_run ? CTX_CATALOG : CTX_FLAG)))
		return ctx_finish(ctx, rc, NULL, NULL);
	rc = cmd_do_ingest(ctx, glob, dry_run, &lc);
	return ctx_finish(ctx, rc, rc == EXIT_OK ? "Nominal Exit" : "ingest",
			  &lc);
}

int
cmd_inspect(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct identify_set *set;
	int i, rc, worst = EXIT_OK;

	i = opt_parse(ctx, &help_inspect, opts, argc, argv);
	if ((rc = ctx_setup(ctx, CTX_CATALOG)))
		return ctx_finish(ctx, rc, NULL, NULL);
	set = catalog_identify(ctx->cat);
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
	return ctx_finish(ctx, worst, NULL, NULL);
}
