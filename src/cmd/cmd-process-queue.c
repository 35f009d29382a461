/*
 * cmd-process-queue.c - "cascade process-queue" / "ProcessQueue": the
 * cron entry.
 *
 * One shot: take the processing flag (exit 3, naming the holder, if a
 * live controller has it; a dead holder's flag is recovered), run the
 * requested phases, record the run in the logging table with its end
 * time, exit status and counts, release the flag.  dbprocessing's options
 * are accepted: -i (ingest) and -p (process); with neither, both run, in
 * that order (one call to cycle_run, cycle.c).  Quiet when there was
 * nothing to do.
 *
 * With --watch it is the resident controller instead (watch.c): it
 * waits for the flag if another holds it (a standby), then runs the same
 * cycle whenever something happens until SIGTERM/SIGINT, which is a
 * clean stop (exit 0).  Each cycle's summary lines are printed as a cron
 * run's are; the run row counts them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cycle.h"
#include "fault.h"
#include "history-prune.h"
#include "log.h"
#include "watch.h"
#include "banned.h"

static const struct cmd_help help = {
	"process-queue",
	"take the processing flag, ingest incoming files, process the queue",
	"[-i] [-p] [OPTION]...", "cascade-process-queue", 0, 0,
};

static struct cycle_options opt = CYCLE_OPTIONS_INIT;
static bool watch;

int
cmd_process_queue_parse(struct ctx *ctx, int argc, char **argv)
{
	static const char *log_level;
	static bool report, echo;
	static const struct opt opts[] = {
		{OPT_BOOL, 'i', "ingest", &opt.ingest, NULL,
		 "ingest the files in the incoming directory"},
		{OPT_BOOL, 'p', "process", &opt.process, NULL,
		 "process the queue (build derived products)"},
		{OPT_BOOL, 'd', "dryrun", &opt.dry_run, NULL,
		 "show what would be done; change nothing"},
		{OPT_BOOL, 's', "skip-run", &opt.skip_run, NULL,
		 "skip RUN-timebase processes"},
		{OPT_STRING, 'o', "only", &opt.only, "LIST",
		 "run only these processes (names or ids, comma-separated)"},
		{OPT_INT, 'n', "num-proc", &opt.num_proc, "N",
		 "parallel build slots (default: configuration, or CPUs)"},
		{OPT_BOOL, 0, "no-wait", &opt.no_wait, NULL,
		 "submit Slurm builds and return; a later run collects them"},
		{OPT_BOOL, 0, "watch", &watch, NULL,
		 "stay resident: run again when files arrive or work is "
		 "queued, until SIGTERM; wait for the flag if it is held"},
		{OPT_STRING, 0, "glb", &opt.glob, "GLOB",
		 "only incoming names matching GLOB (default *)"},
		{OPT_STRING, 'l', "log-level", &log_level, "LEVEL",
		 "error, warning, info or debug"},
		{OPT_BOOL, 'r', "report", &report, NULL,
		 "accepted for dbprocessing compatibility; see cascade status"},
		{OPT_BOOL, 0, "echo", &echo, NULL,
		 "log every SQL statement (same as -vv)"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help, opts, argc, argv);
	if (log_level) {
		enum log_level lv;

		if (log_parse_level(log_level, &lv))
			usage_error(&help,
				    "invalid log level \"%s\": expected error, "
				    "warning, info or debug",
				    log_level);
		log_set_level(lv);
	}
	if (echo)
		log_set_level(LOG_LEVEL_DEBUG);
	if (opt.num_proc < 0)
		usage_error(&help, "--num-proc must be 0 or more");
	if (!opt.ingest && !opt.process)
		opt.ingest = opt.process = true;
	if (watch && opt.dry_run)
		usage_error(&help, "--watch and --dryrun do not go together");
	if (watch && opt.no_wait)
		usage_error(&help, "--watch and --no-wait do not go together: "
				   "a resident controller waits for its "
				   "Slurm builds");
	if (opt.dry_run)
		ctx->needs = CTX_CATALOG;
	if (watch)
		ctx->needs |= CTX_STANDBY;
	return EXIT_OK;
}

/* a resident controller's cycle: its summary lines and counts */
static void
report_cycle(void *arg, const struct cycle_options *o,
	     const struct cycle_result *r)
{
	struct ctx *ctx = arg;

	if (o->ingest && r->ingest.ran)
		(void)cmd_ingest_output(ctx, o, r);
	if (o->process && r->process.ran)
		(void)cmd_process_output(ctx, o, r);
}

static int
watch_command(struct ctx *ctx)
{
	struct watch_options wo = {.cycle = opt, .report = report_cycle,
				   .report_arg = ctx};
	struct watch_result r;

	if (!ctx->flag.held) {
		log_info("stopped by signal %d while standing by",
			 cycle_signal_stop());
		return EXIT_OK;
	}
	fault_point("flag-taken");
	log_info("run %lld started (resident)",
		 (long long)ctx->flag.logging_id);
	(void)watch_run(ctx->db, &ctx->flag, &wo, &r);
	switch (r.end) {
	case WATCH_STOPPED:
		strbuf_addf(&ctx->comment, "Stopped by signal %d after %ld "
					   "cycles",
			    r.signal, r.cycles);
		return EXIT_OK;
	case WATCH_TAKEN:
		strbuf_addstr(&ctx->comment, "Flag taken over");
		return EXIT_LOCKED;
	case WATCH_DB:
		strbuf_addstr(&ctx->comment, "Abnormal exit");
		return EXIT_DB;
	case WATCH_ENV:
		strbuf_addstr(&ctx->comment, "Abnormal exit");
		return EXIT_ENV;
	case WATCH_INTERNAL:
	default:
		strbuf_addstr(&ctx->comment, "Abnormal exit");
		return EXIT_INTERNAL;
	}
}

int
cmd_process_queue_run(struct ctx *ctx)
{
	struct cycle_result r = CYCLE_RESULT_INIT;
	int rc = EXIT_OK, prc;

	if (watch)
		return watch_command(ctx);
	fault_point("flag-taken");
	log_info("run %lld started", (long long)ctx->flag.logging_id);
	(void)cycle_run(ctx->db, ctx->cat, &ctx->flag, &opt, &r);
	if (opt.ingest)
		rc = cmd_ingest_output(ctx, &opt, &r);
	if (rc != EXIT_OK && rc != EXIT_FAILED) {
		strbuf_addstr(&ctx->comment,
			      rc >= 128 ? "Interrupted" : "Abnormal exit");
		goto out;
	}
	if (opt.process) {
		prc = cmd_process_output(ctx, &opt, &r);
		if (prc != EXIT_OK && prc != EXIT_FAILED) {
			strbuf_addstr(&ctx->comment,
				      prc >= 128 ? "Interrupted"
						 : "Abnormal exit");
			rc = prc;
			goto out;
		}
		if (prc == EXIT_FAILED)
			rc = EXIT_FAILED;
	}
	/*
	 * a run that went well removes the history older than
	 * run.keep_history (bounded: the rest next time); a failure to do
	 * so fails the run (the database is what failed)
	 */
	if (rc == EXIT_OK && !opt.dry_run &&
	    history_prune_kept(ctx->db, ctx->cat->run->keep_history_days,
			       ctx->flag.logging_id)) {
		strbuf_addstr(&ctx->comment, "Abnormal exit");
		rc = EXIT_DB;
		goto out;
	}
	strbuf_addstr(&ctx->comment, rc == EXIT_OK ? "Nominal Exit"
						   : "Finished with failures");
out:
	cycle_result_release(&r);
	return rc;
}
