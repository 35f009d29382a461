/*
 * cmd-process-queue.c - "cascade process-queue" / "ProcessQueue": the
 * cron entry.
 *
 * One shot: take the processing flag (exit 3, naming the holder, if a
 * live controller has it; a dead holder's flag is recovered), run the
 * requested phases, record the run in the logging table with its end
 * time, exit status and counts, release the flag.  dbprocessing's options
 * are accepted: -i (ingest) and -p (process); with neither, both run, in
 * that order.  Quiet when there was nothing to do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fault.h"
#include "log.h"
#include "banned.h"

static const struct cmd_help help = {
	"process-queue",
	"take the processing flag, ingest incoming files, process the queue",
	"[-i] [-p] [OPTION]...", "cascade-process-queue", 0, 0,
};

int
cmd_process_queue(struct ctx *ctx, int argc, char **argv)
{
	bool ingest = false, process = false, dryrun = false, skip_run = false;
	const char *only = NULL, *glob = NULL, *log_level = NULL;
	bool report = false, echo = false;
	int num_proc = 0;
	struct lock_counts counts = {0};
	const struct opt opts[] = {
		{OPT_BOOL, 'i', "ingest", &ingest, NULL,
		 "ingest the files in the incoming directory"},
		{OPT_BOOL, 'p', "process", &process, NULL,
		 "process the queue (build derived products)"},
		{OPT_BOOL, 'd', "dryrun", &dryrun, NULL,
		 "show what would be done; change nothing"},
		{OPT_BOOL, 's', "skip-run", &skip_run, NULL,
		 "skip RUN-timebase processes"},
		{OPT_STRING, 'o', "only", &only, "LIST",
		 "run only these processes (names or ids, comma-separated)"},
		{OPT_INT, 'n', "num-proc", &num_proc, "N",
		 "parallel build slots (default: configuration, or CPUs)"},
		{OPT_STRING, 0, "glb", &glob, "GLOB",
		 "only incoming names matching GLOB (default *)"},
		{OPT_STRING, 'l', "log-level", &log_level, "LEVEL",
		 "error, warning, info or debug"},
		{OPT_BOOL, 'r', "report", &report, NULL,
		 "accepted for dbprocessing compatibility; see cascade status"},
		{OPT_BOOL, 0, "echo", &echo, NULL,
		 "log every SQL statement (same as -vv)"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int rc;

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
	if (num_proc < 0)
		usage_error(&help, "--num-proc must be 0 or more");
	if (!ingest && !process)
		ingest = process = true;

	rc = ctx_setup(ctx, dryrun ? CTX_CATALOG : CTX_FLAG);
	if (rc)
		return ctx_finish(ctx, rc, NULL, NULL);
	fault_point("flag-taken");
	log_info("run %lld started", (long long)ctx->flag.logging_id);
	if (ingest)
		rc = cmd_do_ingest(ctx, glob, dryrun, &counts);
	if (rc != EXIT_OK && rc != EXIT_FAILED)
		return ctx_finish(ctx, rc, "Abnormal exit", &counts);
	if (process) {
		struct process_request req = PROCESS_REQUEST_INIT;
		int prc;

		req.num_proc = num_proc;
		req.only = only;
		req.skip_run = skip_run;
		req.dryrun = dryrun;
		prc = cmd_do_process(ctx, &req, &counts);
		if (prc != EXIT_OK && prc != EXIT_FAILED)
			return ctx_finish(ctx, prc,
					  prc >= 128 ? "Interrupted"
						     : "Abnormal exit",
					  &counts);
		if (prc == EXIT_FAILED)
			rc = EXIT_FAILED;
	}
	return ctx_finish(ctx, rc, rc == EXIT_OK ? "Nominal Exit"
						 : "Finished with failures",
			  &counts);
}
