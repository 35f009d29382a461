/*
 * cmd-process.c - "cascade process" (ProcessQueue -p), "cascade
 * run-process" and "cascade reprocess".
 *
 * process repeats plan (planner.c) and run (runner.c) until the queue is
 * empty and no build is left, under the processing flag, renewing its
 * lease between rounds.  SIGTERM/SIGINT stop it cleanly (running codes
 * are stopped and their builds queued again; exit 128+signal); SIGUSR1
 * logs where it is.  A dry run plans inside a transaction, prints the
 * builds with their command lines and rolls back; --sample N runs every
 * Nth planned build into a scratch directory and rolls everything back.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "db.h"
#include "log.h"
#include "planner.h"
#include "runner.h"
#include "store-run.h"
#include "store-build.h"
#include "store-queue.h"
#include "store.h"
#include "timeutil.h"
#include "banned.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t report_flag;
static int sig_pipe[2] = {-1, -1};

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGUSR1)
		report_flag = 1;
	else
		stop_signal = sig;
	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], "x", 1);
	errno = saved;
}

static int
install_signals(void)
{
	struct sigaction sa;

	if (sig_pipe[0] < 0) {
		if (pipe(sig_pipe) != 0)
			return error("could not create a pipe: %s",
				     strerror(errno));
		for (int i = 0; i < 2; i++) {
			fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
			fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	return 0;
}

static double
now_s(void)
{
	return (double)timeutil_mono_ns() / 1e9;
}

static int
slots_default(const struct ctx *ctx, int num_proc)
{
	long n;

	if (num_proc > 0)
		return num_proc;
	if (ctx->cat->run->slots > 0)
		return ctx->cat->run->slots;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void
runner_options_from(const struct ctx *ctx, const struct run_settings *v,
		    struct runner_options *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->run_id = ctx->flag.logging_id;
	ro->code_timeout_s = v->code_timeout_s;
	ro->kill_grace_s = v->kill_grace_s;
	ro->max_attempts = v->max_attempts;
	ro->bad_after = v->bad_after;
	ro->bad_within_s = v->bad_within_s;
	ro->refuse_changed_code = v->refuse_changed_code;
	ro->log_limit = (int64_t)v->log_limit_kb * 1024;
	ro->wake_fd = sig_pipe[0];
	ro->stop = &stop_signal;
	ro->report = &report_flag;
}

int
cmd_do_process(struct ctx *ctx, const struct process_request *req,
	       struct lock_counts *lc)
{
	struct planner *pl = NULL;
	struct runner *rn = NULL;
	struct runner_options ro;
	struct runner_counts rcnt = {0};
	struct plan_counts pc = {0};
	struct plan_options po = {0};
	double t0 = now_s(), dt;
	bool in_tx = req->dryrun || req->sample > 0;
	/*
	 * What earlier runs left (builds queued, codes adopted) runs before
	 * anything new is planned: a child is planned only once the builds
	 * of its inputs are done, in the order an uninterrupted run has.
	 */
	bool leftovers = !in_tx && !req->process_id;
	int rc = EXIT_OK, r;
	int64_t batch_id = 0;

	if (install_signals())
		return EXIT_INTERNAL;
	runner_options_from(ctx, ctx->cat->run, &ro);
	ro.slots = slots_default(ctx, req->num_proc);
	ro.sample_every = req->sample;
	ro.scratch_dir = req->scratch_dir;
	po.batch_size = ctx->cat->run->batch_size;
	po.run_id = ctx->flag.logging_id;
	po.only = req->only;
	po.skip_run = req->skip_run;
	po.in_transaction = in_tx;
	if (planner_new(ctx->db, ctx->cat, &pl) ||
	    runner_new(ctx->db, ctx->cat, &ro, &rn)) {
		rc = EXIT_DB;
		goto out;
	}
	if (!in_tx && (r = runner_recover(rn, &rcnt))) {
		rc = r == RUNNER_ENV ? EXIT_ENV : EXIT_DB;
		goto out;
	}
	if (in_tx &&
	    (db_begin(ctx->db) ||
	     db_exec(ctx->db, "SET LOCAL idle_in_transaction_session_timeout "
			      "= 0"))) {
		rc = EXIT_DB;
		goto out;
	}
	for (;;) {
		long planned_before = pc.planned, started_before =
						   rcnt.started;

		if (!leftovers && req->process_id &&
		    planner_plan_range(pl, &po, req->process_id, req->from,
				       req->to, req->version_bump, &pc)) {
			rc = EXIT_DB;
			goto out;
		}
		do {
			/* run-process builds its range only: the queue waits */
			if (stop_signal || req->process_id || leftovers)
				break;
			if (planner_plan_batch(pl, &po, &batch_id, &pc)) {
				rc = EXIT_DB;
				goto out;
			}
		} while (batch_id);
		if (req->dryrun) {
			struct strbuf sb = STRBUF_INIT;

			if (runner_describe_ready(rn, &sb))
				rc = EXIT_DB;
			fputs(sb.buf, stdout);
			strbuf_release(&sb);
			break;
		}
		if (!in_tx && ctx->flag.held &&
		    lock_renew(ctx->db, &ctx->flag,
			       ctx->cat->run->flag_lease_s > 0
				       ? ctx->cat->run->flag_lease_s
				       : 3600)) {
			rc = EXIT_DB;
			goto out;
		}
		r = runner_run(rn, &rcnt);
		if (r == RUNNER_ENV) {
			rc = EXIT_ENV;
			goto out;
		}
		if (r < 0) {
			rc = r == DB_ERR_CONN ? EXIT_DB : EXIT_INTERNAL;
			goto out;
		}
		if (r == 1 || stop_signal) {
			rc = 128 + (stop_signal ? stop_signal : SIGTERM);
			log_warning("stopped by signal %d: running builds were "
				    "stopped and will run again",
				    (int)stop_signal);
			goto out;
		}

		if (leftovers) {
			leftovers = false;
			continue;
		}
		if (req->process_id || req->sample ||
		    (pc.planned == planned_before &&
		     rcnt.started == started_before))
			break;
	}
out:
	if (in_tx && ctx->db)
		db_rollback(ctx->db);
	dt = now_s() - t0;
	if (lc) {
		lc->builds_ok += (int)rcnt.succeeded;
		lc->builds_failed += (int)(rcnt.failed + rcnt.bad);
		lc->builds_skipped += (int)pc.uptodate;
	}
	/* after a lost database, what was recorded is not known: no sum */
	if (!req->dryrun && rc != EXIT_DB &&
	    (rcnt.started || rcnt.failed || rcnt.bad || rcnt.recovered))
		printf("process%s: %ld builds succeeded, %ld failed, %ld bad, "
		       "%ld retried in %.2f s (%.1f builds/s)%s%s\n",
		       req->sample ? " (sample, nothing recorded)" : "",
		       rcnt.succeeded, rcnt.failed, rcnt.bad, rcnt.retried, dt,
		       dt > 0 ? (double)rcnt.succeeded / dt : 0.0,
		       req->sample ? "; outputs in " : "",
		       req->sample ? req->scratch_dir : "");
	if (req->dryrun)
		printf("dry run: %ld builds would run (%ld up to date, %ld "
		       "without inputs or code, %ld bad)\n",
		       pc.planned, pc.uptodate, pc.unrunnable, pc.bad);
	/*
	 * A batch the poison rule marked bad had builds cancelled: every
	 * run says so, and fails, until a person has dealt with it.
	 */
	if (!in_tx && (rc == EXIT_OK || rc == EXIT_FAILED) && ctx->db) {
		long poison = 0;

		if (store_poison_unresolved(ctx->db, &poison))
			rc = EXIT_DB;
		else if (poison) {
			log_warning("%ld batches marked bad by the poison rule "
				    "await a person: their builds were "
				    "cancelled",
				    poison);
			log_hint("See \"cascade failures\"; \"cascade failures "
				 "retry\" queues them again, \"cascade failures "
				 "resolve\" accepts the loss.");
			rc = EXIT_FAILED;
		}
	}
	planner_free(pl);
	runner_free(rn);
	if (rc == EXIT_OK && (rcnt.failed || rcnt.bad || rcnt.poisoned))
		rc = EXIT_FAILED;
	return rc;
}

static const struct cmd_help help_process = {
	"process", "build the derived products of the queued files",
	"[OPTION]...", "cascade-process", 0, 0,
};

int
cmd_process(struct ctx *ctx, int argc, char **argv)
{
	struct process_request req = PROCESS_REQUEST_INIT;
	struct lock_counts lc = {0};
	const struct opt opts[] = {
		{OPT_INT, 'n', "num-proc", &req.num_proc, "N",
		 "parallel build slots (default: run.slots, or CPUs)"},
		{OPT_STRING, 'o', "only", &req.only, "LIST",
		 "only these processes (names or ids, comma-separated)"},
		{OPT_BOOL, 's', "skip-run", &req.skip_run, NULL,
		 "skip RUN-timebase processes"},
		{OPT_BOOL, 'd', "dry-run", &req.dryrun, NULL,
		 "print the builds that would run; change nothing"},
		{OPT_INT, 0, "sample", &req.sample, "N",
		 "run every Nth planned build into a scratch directory; "
		 "record nothing"},
		{OPT_STRING, 0, "scratch", &req.scratch_dir, "DIR",
		 "where --sample puts outputs (default: a new temporary "
		 "directory)"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int rc;

	opt_parse(ctx, &help_process, opts, argc, argv);
	if ((rc = process_request_check(&help_process, &req)))
		return rc;
	if ((rc = ctx_setup(ctx, req.dryrun || req.sample ? CTX_CATALOG
							  : CTX_FLAG)))
		return ctx_finish(ctx, rc, NULL, NULL);
	rc = cmd_do_process(ctx, &req, &lc);
	process_request_release(&req);
	return ctx_finish(ctx, rc, rc == EXIT_OK ? "Nominal Exit" : "process",
			  &lc);
}

static char scratch_buf[256];

int
process_request_check(const struct cmd_help *help, struct process_request *r)
{
	if (r->num_proc < 0)
		usage_error(help, "--num-proc must be 0 or more");
	if (r->sample < 0)
		usage_error(help, "--sample must be 1 or more");
	if (r->sample && r->dryrun)
		usage_error(help, "--sample and --dry-run do not go together");
	if (r->sample && !r->scratch_dir) {
		const char *tmp = getenv("TMPDIR");

		snprintf(scratch_buf, sizeof(scratch_buf),
			 "%s/cascade-sample.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(scratch_buf))
			die(EXIT_INTERNAL, "could not create a directory in "
					   "\"%s\": %s",
			    tmp && *tmp ? tmp : "/tmp", strerror(errno));
		r->scratch_dir = scratch_buf;
	}
	return 0;
}

void
process_request_release(struct process_request *r)
{
	(void)r;
}

/* -- run-process -------------------------------------------------------- */

static const struct cmd_help help_run_process = {
	"run-process",
	"build one process for a date range, whatever the queue holds",
	"PROCESS --from=DATE [--to=DATE] [OPTION]...", "cascade-process", 1, 1,
};

int
cmd_run_process(struct ctx *ctx, int argc, char **argv)
{
	struct process_request req = PROCESS_REQUEST_INIT;
	struct lock_counts lc = {0};
	const char *from = NULL, *to = NULL;
	int force = -1;
	const struct opt opts[] = {
		{OPT_STRING, 0, "from", &from, "DATE",
		 "first date (YYYY-MM-DD), required"},
		{OPT_STRING, 0, "to", &to, "DATE", "last date (default: from)"},
		{OPT_INT, 0, "force", &force, "0|1|2",
		 "rebuild even if up to date, bumping the interface, quality "
		 "or revision"},
		{OPT_INT, 'n', "num-proc", &req.num_proc, "N",
		 "parallel build slots"},
		{OPT_BOOL, 'd', "dry-run", &req.dryrun, NULL,
		 "print the builds that would run; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i, rc;

	i = opt_parse(ctx, &help_run_process, opts, argc, argv);
	if (!from)
		usage_error(&help_run_process, "--from is required");
	if (timeutil_parse_date(from, strlen(from), &req.from))
		usage_error(&help_run_process,
			    "invalid date \"%s\": expected YYYY-MM-DD", from);
	req.to = req.from;
	if (to && timeutil_parse_date(to, strlen(to), &req.to))
		usage_error(&help_run_process,
			    "invalid date \"%s\": expected YYYY-MM-DD", to);
	if (req.to < req.from)
		usage_error(&help_run_process, "--to is before --from");
	if (force < -1 || force > 2)
		usage_error(&help_run_process, "--force takes 0, 1 or 2");
	req.version_bump = force;
	process_request_check(&help_run_process, &req);
	if ((rc = ctx_setup(ctx, req.dryrun ? CTX_CATALOG : CTX_FLAG)))
		return ctx_finish(ctx, rc, NULL, NULL);
	if (store_process_id(ctx->db, argv[i], &req.process_id)) {
		rc = EXIT_DB;
		goto out;
	}
	if (!req.process_id) {
		log_error("no process named \"%s\"", argv[i]);
		rc = EXIT_USAGE;
		goto out;
	}
	rc = cmd_do_process(ctx, &req, &lc);
out:
	return ctx_finish(ctx, rc, rc == EXIT_OK ? "Nominal Exit"
						 : "run-process",
			  &lc);
}

/* -- reprocess ---------------------------------------------------------- */

static const struct cmd_help help_reprocess = {
	"reprocess",
	"queue files so that their derived products are rebuilt",
	"(--product=P | --instrument=I | --code=PROCESS[:VERSION] | --all) "
	"[--from=DATE] [--to=DATE] [--force=0|1|2] [OPTION]...",
	"cascade-process", 0, 0,
};

int
cmd_reprocess(struct ctx *ctx, int argc, char **argv)
{
	const char *product = NULL, *instrument = NULL, *code = NULL,
		   *from = NULL, *to = NULL;
	bool all = false, dry = false;
	int force = -1;
	const struct opt opts[] = {
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
	struct store_requeue rq = {0};
	int32_t df = 0, dt = 0;
	long queued = 0;
	int rc;

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
	if ((rc = ctx_setup(ctx, dry ? CTX_CATALOG : CTX_FLAG)))
		return ctx_finish(ctx, rc, NULL, NULL);
	if (dry && db_begin(ctx->db))
		return ctx_finish(ctx, EXIT_DB, NULL, NULL);
	rc = store_requeue(ctx->db, &rq, ctx->flag.logging_id, &queued);
	if (dry)
		db_rollback(ctx->db);
	if (rc == 1) {
		rc = EXIT_USAGE; /* unknown name: reported */
	} else if (rc) {
		rc = EXIT_DB;
	} else {
		printf("%s%ld files queued%s\n", dry ? "dry run: " : "",
		       queued,
		       force >= 0 ? " with a forced version bump" : "");
		rc = EXIT_OK;
	}
	return ctx_finish(ctx, rc, rc == EXIT_OK ? "Nominal Exit" : "reprocess",
			  NULL);
}
