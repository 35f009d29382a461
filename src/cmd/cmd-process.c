/*
 * cmd-process.c - "cascade process" (ProcessQueue -p), "cascade
 * run-process" and "cascade reprocess".
 *
 * process and run-process are option parsing, one call to cycle_run
 * (cycle.c: plan/run rounds until nothing is left, signals, dry runs
 * and samples) and its summary line; cmd_process_output is shared with
 * process-queue.  reprocess queues files (store_requeue).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cycle.h"
#include "db.h"
#include "log.h"
#include "store-queue.h"
#include "store.h"
#include "timeutil.h"
#include "banned.h"

int
cmd_process_output(struct ctx *ctx, const struct cycle_options *o,
		   const struct cycle_result *res)
{
	const struct cycle_process *r = &res->process;
	const struct runner_counts *c = &r->run;
	double dt = r->seconds;
	int rc;

	if (!r->ran)
		return r->outcome == CYCLE_DB ? EXIT_DB : EXIT_INTERNAL;
	ctx->counts.builds_ok += (int)c->succeeded;
	ctx->counts.builds_failed += (int)(c->failed + c->bad);
	ctx->counts.builds_skipped += (int)r->plan.uptodate;
	/* after a lost database, what was recorded is not known: no sum */
	if (!o->dry_run && r->outcome != CYCLE_DB &&
	    (c->started || c->failed || c->bad || c->recovered ||
	     c->reused)) {
		char reused[64] = "";

		if (c->reused)
			snprintf(reused, sizeof(reused), " (%ld reused)",
				 c->reused);
		cmd_summary(ctx, c->failed || c->bad || c->poisoned,
		       "process%s: %ld builds succeeded%s, %ld failed, %ld bad, "
		       "%ld retried in %.2f s (%.1f builds/s)%s%s",
		       o->sample ? " (sample, nothing recorded)" : "",
		       c->succeeded, reused, c->failed, c->bad, c->retried, dt,
		       dt > 0 ? (double)c->succeeded / dt : 0.0,
		       o->sample ? "; outputs in " : "",
		       o->sample ? o->scratch_dir : "");
	}
	if (o->dry_run) {
		long reuse = r->would_reuse;
		char reused[80] = "";

		/* of the planned builds, those reused run no code */
		if (reuse > 0)
			snprintf(reused, sizeof(reused),
				 ", %ld would reuse an earlier build's output",
				 reuse);
		fputs(r->ready.buf, stdout);
		printf("dry run: %ld builds would run%s (%ld up to date, %ld "
		       "without inputs or code, %ld bad)\n",
		       r->plan.planned > reuse ? r->plan.planned - reuse : 0,
		       reused, r->plan.uptodate, r->plan.unrunnable,
		       r->plan.bad);
	}
	switch (r->outcome) {
	case CYCLE_OK:
		rc = r->poison_error ? EXIT_DB : r->poison ? EXIT_FAILED
							   : EXIT_OK;
		break;
	case CYCLE_DB:
		return EXIT_DB;
	case CYCLE_ENV:
		return EXIT_ENV;
	case CYCLE_STOPPED:
		return 128 + r->signal;
	case CYCLE_INTERNAL:
	default:
		return EXIT_INTERNAL;
	}
	if (rc == EXIT_OK && (c->failed || c->bad || c->poisoned))
		rc = EXIT_FAILED;
	return rc;
}

static char scratch_buf[256];

void
cmd_process_check(const struct cmd_help *help, struct cycle_options *o)
{
	if (o->num_proc < 0)
		usage_error(help, "--num-proc must be 0 or more");
	if (o->sample < 0)
		usage_error(help, "--sample must be 1 or more");
	if (o->sample && o->dry_run)
		usage_error(help, "--sample and --dry-run do not go together");
	if (o->sample && !o->scratch_dir) {
		const char *tmp = getenv("TMPDIR");

		snprintf(scratch_buf, sizeof(scratch_buf),
			 "%s/cascade-sample.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(scratch_buf))
			die(EXIT_INTERNAL, "could not create a directory in "
					   "\"%s\": %s",
			    tmp && *tmp ? tmp : "/tmp", strerror(errno));
		o->scratch_dir = scratch_buf;
	}
}

/* the options of process and run-process */
static struct cycle_options opt = CYCLE_OPTIONS_INIT;

/* process, run-process: one cycle and its summary */
static int
process_run(struct ctx *ctx, const char *failed)
{
	struct cycle_result r = CYCLE_RESULT_INIT;
	int rc;

	opt.process = true;
	(void)cycle_run(ctx->db, ctx->cat, &ctx->flag, &opt, &r);
	rc = cmd_process_output(ctx, &opt, &r);
	cycle_result_release(&r);
	strbuf_addstr(&ctx->comment, rc == EXIT_OK ? "Nominal Exit" : failed);
	return rc;
}

static const struct cmd_help help_process = {
	"process", "build the derived products of the queued files",
	"[OPTION]...", "cascade-process", 0, 0,
};

int
cmd_process_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_INT, 'n', "num-proc", &opt.num_proc, "N",
		 "parallel build slots (default: run.slots, or CPUs)"},
		{OPT_STRING, 'o', "only", &opt.only, "LIST",
		 "only these processes (names or ids, comma-separated)"},
		{OPT_BOOL, 's', "skip-run", &opt.skip_run, NULL,
		 "skip RUN-timebase processes"},
		{OPT_BOOL, 'd', "dry-run", &opt.dry_run, NULL,
		 "print the builds that would run; change nothing"},
		{OPT_INT, 0, "sample", &opt.sample, "N",
		 "run every Nth planned build into a scratch directory; "
		 "record nothing"},
		{OPT_STRING, 0, "scratch", &opt.scratch_dir, "DIR",
		 "where --sample puts outputs (default: a new temporary "
		 "directory)"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_process, opts, argc, argv);
	cmd_process_check(&help_process, &opt);
	/* a dry run or a sample records nothing: no flag */
	if (opt.dry_run || opt.sample)
		ctx->needs = CTX_CATALOG;
	return EXIT_OK;
}

int
cmd_process_run(struct ctx *ctx)
{
	return process_run(ctx, "process");
}

/* -- run-process -------------------------------------------------------- */

static const struct cmd_help help_run_process = {
	"run-process",
	"build one process for a date range, whatever the queue holds",
	"PROCESS --from=DATE [--to=DATE] [OPTION]...", "cascade-process", 1, 1,
};

static const char *process_name;

int
cmd_run_process_parse(struct ctx *ctx, int argc, char **argv)
{
	static const char *from, *to;
	static int force = -1;
	static const struct opt opts[] = {
		{OPT_STRING, 0, "from", &from, "DATE",
		 "first date (YYYY-MM-DD), required"},
		{OPT_STRING, 0, "to", &to, "DATE", "last date (default: from)"},
		{OPT_INT, 0, "force", &force, "0|1|2",
		 "rebuild even if up to date, bumping the interface, quality "
		 "or revision"},
		{OPT_INT, 'n', "num-proc", &opt.num_proc, "N",
		 "parallel build slots"},
		{OPT_BOOL, 'd', "dry-run", &opt.dry_run, NULL,
		 "print the builds that would run; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_run_process, opts, argc, argv);

	process_name = argv[i];
	if (!from)
		usage_error(&help_run_process, "--from is required");
	if (timeutil_parse_date(from, strlen(from), &opt.from))
		usage_error(&help_run_process,
			    "invalid date \"%s\": expected YYYY-MM-DD", from);
	opt.to = opt.from;
	if (to && timeutil_parse_date(to, strlen(to), &opt.to))
		usage_error(&help_run_process,
			    "invalid date \"%s\": expected YYYY-MM-DD", to);
	if (opt.to < opt.from)
		usage_error(&help_run_process, "--to is before --from");
	if (force < -1 || force > 2)
		usage_error(&help_run_process, "--force takes 0, 1 or 2");
	opt.version_bump = force;
	cmd_process_check(&help_run_process, &opt);
	if (opt.dry_run)
		ctx->needs = CTX_CATALOG;
	return EXIT_OK;
}

int
cmd_run_process_run(struct ctx *ctx)
{
	if (store_process_id(ctx->db, process_name, &opt.process_id)) {
		strbuf_addstr(&ctx->comment, "run-process");
		return EXIT_DB;
	}
	if (!opt.process_id) {
		log_error("no process named \"%s\"", process_name);
		strbuf_addstr(&ctx->comment, "run-process");
		return EXIT_USAGE;
	}
	return process_run(ctx, "run-process");
}

/* -- reprocess ---------------------------------------------------------- */

static const struct cmd_help help_reprocess = {
	"reprocess",
	"queue files so that their derived products are rebuilt",
	"(--product=P | --instrument=I | --code=PROCESS[:VERSION] | --all) "
	"[--from=DATE] [--to=DATE] [--force=0|1|2] [OPTION]...",
	"cascade-process", 0, 0,
};

static struct store_requeue rq = {.version_bump = -1};
static bool dry;

int
cmd_reprocess_parse(struct ctx *ctx, int argc, char **argv)
{
	static const char *product, *instrument, *code, *from, *to;
	static bool all;
	static int force = -1;
	static const struct opt opts[] = {
		{OPT_STRING, 'p', "product", &product, "P",
		 "newest files of product P (name or id)"},
		{OPT_STRING, 'i', "instrument", &instrument, "I",
		 "newest files of every product of instrument I"},
		{OPT_STRING, 'c', "code", &code, "PROCESS[:VERSION]",
		 "the inputs of a process (within that code's dates)"},
		{OPT_BOOL, 'a', "all", &all, NULL, "newest files of every product"},
		{OPT_STRING, 0, "from", &from, "DATE", "first file date"},
		{OPT_STRING, 0, "to", &to, "DATE", "last file date"},
		{OPT_INT, 0, "force", &force, "0|1|2",
		 "rebuild the children even if up to date, bumping the "
		 "interface, quality or revision of their outputs"},
		{OPT_BOOL, 'd', "dry-run", &dry, NULL,
		 "count what would be queued; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int32_t df = 0, dt = 0;

	opt_parse(ctx, &help_reprocess, opts, argc, argv);
	if (!!product + !!instrument + !!code + all != 1)
		usage_error(&help_reprocess, "give exactly one of --product, "
					     "--instrument, --code or --all");
	if (from && timeutil_parse_date(from, strlen(from), &df))
		usage_error(&help_reprocess,
			    "invalid date \"%s\": expected YYYY-MM-DD", from);
	if (to && timeutil_parse_date(to, strlen(to), &dt))
		usage_error(&help_reprocess,
			    "invalid date \"%s\": expected YYYY-MM-DD", to);
	if (force < -1 || force > 2)
		usage_error(&help_reprocess, "--force takes 0, 1 or 2");
	rq.product = product;
	rq.instrument = instrument;
	rq.code = code;
	rq.all = all;
	rq.from = from;
	rq.to = to;
	rq.version_bump = force;
	if (dry)
		ctx->needs = CTX_CATALOG;
	return EXIT_OK;
}

int
cmd_reprocess_run(struct ctx *ctx)
{
	long queued = 0, already = 0;
	int64_t run_id = ctx->flag.logging_id;
	int rc;

	if ((dry || ctx->beside) && db_begin(ctx->db))
		return EXIT_DB;
	/*
	 * beside a resident controller: our run row, the queue entries and
	 * the notice that wakes it, in one transaction
	 */
	rc = ctx->beside ? lock_record_run(ctx->db, ctx->mission->id,
					   "reprocess", RUN_STATE_OK,
					   "Nominal Exit (beside a resident "
					   "controller)",
					   &run_id)
			 : 0;
	if (!rc)
		rc = store_requeue(ctx->db, &rq, run_id, &queued, &already);
	if (!rc && ctx->beside &&
	    ((rc = lock_notify(ctx->db, ctx->mission->id, "queued")) ||
	     (rc = db_commit(ctx->db))))
		rc = -1;
	if (dry || ctx->beside)
		db_rollback(ctx->db);
	if (rc == 1) {
		rc = EXIT_USAGE; /* unknown name: reported */
	} else if (rc) {
		rc = EXIT_DB;
	} else {
		printf("%s%ld files queued%s", dry ? "dry run: " : "",
		       queued,
		       rq.version_bump >= 0 ? " with a forced version bump"
						: "");
		if (already)
			printf(", %ld already queued%s", already,
			       rq.version_bump >= 0 ? " (bump set)" : "");
		putchar('\n');
		rc = EXIT_OK;
	}
	strbuf_addstr(&ctx->comment,
		      rc == EXIT_OK ? "Nominal Exit" : "reprocess");
	return rc;
}
