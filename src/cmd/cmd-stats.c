/*
 * cmd-stats.c - "cascade stats": DAG statistics over a period.
 *
 * Per process (the nodes of the product/process graph): builds, how
 * they ended, wall time (min, mean, max, total), CPU time and peak
 * memory of the builds that started in the period; then the runs that
 * started in the period, with their totals and the list of those that
 * did work (idle cron runs are counted, not listed).  The process_stats
 * view gives the same numbers for all time, for psql.  Read-only.
 */
#include <stdio.h>

#include "cmd.h"
#include "status.h"
#include "store-status.h"
#include "timeutil.h"
#include "banned.h"

static const struct cmd_help help_stats = {
	"stats", "per-process build statistics and run totals over a period",
	"[--from=DATE] [--to=DATE] [OPTION]...",
	"cascade-stats", 0, 0,
};

static const char *from, *to;
static int limit = 20;
static bool json;
/* the period, as ISO timestamps (or NULL) */
static char fbuf[TIMESTAMP_STRLEN], tbuf[TIMESTAMP_STRLEN];
static const char *f, *t;

int
cmd_stats_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 'f', "from", &from, "DATE",
		 "builds and runs started at or after DATE (UTC)"},
		{OPT_STRING, 't', "to", &to, "DATE",
		 "... and before the end of DATE"},
		{OPT_INT, 'l', "limit", &limit, "N",
		 "list at most N working runs (default 20; 0: all)"},
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_stats, opts, argc, argv);
	cmd_check_limit(&help_stats, limit);
	if (from)
		f = cmd_parse_time(&help_stats, "from", from, false, fbuf);
	if (to)
		t = cmd_parse_time(&help_stats, "to", to, true, tbuf);
	cmd_check_period(&help_stats, f, t);
	return EXIT_OK;
}

int
cmd_stats_run(struct ctx *ctx)
{
	struct ss_stats s = SS_STATS_INIT;
	struct ss_run_filter rf = {0};
	struct ss_run *runs = NULL;
	size_t n = 0;
	long more;
	int rc = EXIT_DB;

	if (store_stats_read(ctx->db, f, t, &s))
		goto out;
	rf.since = f;
	rf.until = t;
	rf.worked = true;
	rf.limit = limit;
	if (store_runs_list(ctx->db, &rf, &runs, &n))
		goto out;
	more = (long)(s.runs_worked - (int64_t)n);
	status_print_stats(&s, f, t, runs, n, more > 0 ? more : 0, json);
	rc = EXIT_OK;
out:
	ss_runs_free(runs, n);
	ss_stats_release(&s);
	return rc;
}
