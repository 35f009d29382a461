/*
 * cycle.c - the run cycle: ingest, then plan/run rounds (see cycle.h).
 *
 * The signal handlers, installed before ingest begins, only set a flag
 * and write a byte to a pipe whose read end the runner polls
 * (ro.wake_fd), so a signal wakes the runner out of its wait at once;
 * the runner stops its children and returns 1, and the round loop ends
 * with CYCLE_STOPPED.  Ingest looks at the flags after each batch: a
 * SIGUSR1 logs where it stands, a stop ends it there (CYCLE_STOPPED,
 * nothing processed).
 */
#include "cycle.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "db.h"
#include "log.h"
#include "store-queue.h"
#include "store-run.h"
#include "timeutil.h"
#include "banned.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t report_flag;
static volatile sig_atomic_t hup_flag;
static int sig_pipe[2] = {-1, -1};

static void
on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGUSR1)
		report_flag = 1;
	else if (sig == SIGHUP)
		hup_flag = 1;
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

int
cycle_signals(bool hup)
{
	if (install_signals())
		return -1;
	if (hup) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGHUP, &sa, NULL);
	}
	return sig_pipe[0];
}

int
cycle_signal_stop(void)
{
	return (int)stop_signal;
}

bool
cycle_signal_take(int sig)
{
	volatile sig_atomic_t *f = sig == SIGHUP ? &hup_flag : &report_flag;

	if (!*f)
		return false;
	*f = 0;
	return true;
}

void
cycle_signals_drain(void)
{
	char buf[64];

	while (sig_pipe[0] >= 0 && read(sig_pipe[0], buf, sizeof(buf)) > 0)
		;
}

static double
now_s(void)
{
	return (double)timeutil_mono_ns() / 1e9;
}

/* -- ingest ------------------------------------------------------------ */

static void
ingest_phase(struct db *db, const struct catalog *cat,
	     const struct lock_flag *flag, const struct cycle_options *o,
	     struct cycle_ingest *r)
{
	struct ingest_options opt = {0};
	double t0 = now_s();
	int rc;

	opt.glob = o->glob;
	opt.dry_run = o->dry_run;
	opt.batch_size = cat->run->batch_size;
	opt.run_id = flag->logging_id;
	opt.report = &report_flag;
	opt.stop = &stop_signal;
	rc = ingest_run(db, cat, &opt, &r->counts);
	r->ran = true;
	r->seconds = now_s() - t0;
	r->outcome = !rc ? CYCLE_OK
		     : rc == INGEST_STOPPED ? CYCLE_STOPPED
		     : rc == DB_ERR_CONN    ? CYCLE_DB
					    : CYCLE_INTERNAL;
	if (r->outcome == CYCLE_STOPPED) {
		r->signal = (int)stop_signal;
		log_warning("stopped by signal %d: ingest ended after %ld "
			    "files, the rest stay in incoming for the next run",
			    r->signal, r->counts.seen);
	}
}

/* -- processing -------------------------------------------------------- */

/* one processing phase */
struct rounds {
	struct db *db;
	const struct catalog *cat;
	struct lock_flag *flag;
	const struct cycle_options *o;
	struct planner *pl;
	struct runner *rn;
	struct plan_options po;
	bool in_tx;     /* dry run or sample: everything rolled back */
	bool leftovers; /* run what earlier runs left before planning */
	struct cycle_process *r;
};

static int
slots_default(const struct run_settings *run, int num_proc)
{
	long n;

	if (num_proc > 0)
		return num_proc;
	if (run->slots > 0)
		return run->slots;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static void
runner_options_from(const struct rounds *s, const struct run_settings *v,
		    struct runner_options *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->run_id = s->flag->logging_id;
	ro->code_timeout_s = v->code_timeout_s;
	ro->kill_grace_s = v->kill_grace_s;
	ro->max_attempts = v->max_attempts;
	ro->bad_after = v->bad_after;
	ro->bad_within_s = v->bad_within_s;
	ro->refuse_changed_code = v->refuse_changed_code;
	ro->log_limit = (int64_t)v->log_limit_kb * 1024;
	ro->wake_fd = s->o->on_wake ? s->o->wake_fd : sig_pipe[0];
	ro->on_wake = s->o->on_wake;
	ro->wake_arg = s->o->wake_arg;
	ro->stop_on_loss = s->o->stop_on_loss;
	ro->stop = &stop_signal;
	ro->report = &report_flag;
	ro->slots = slots_default(s->cat->run, s->o->num_proc);
	ro->sample_every = s->o->sample;
	ro->scratch_dir = s->o->scratch_dir;
	ro->slurm_return = s->o->no_wait;
}

/* plan: the range of run-process, or the queue batch by batch */
static enum cycle_outcome
plan(struct rounds *s)
{
	const struct cycle_options *o = s->o;
	int64_t batch_id = 0;

	if (!s->leftovers && o->process_id &&
	    planner_plan_range(s->pl, &s->po, o->process_id, o->from, o->to,
			       o->version_bump, &s->r->plan))
		return CYCLE_DB;
	/* run-process builds its range only: the queue waits */
	if (stop_signal || o->process_id || s->leftovers)
		return CYCLE_OK;
	if (planner_round(s->pl, &s->po))
		return CYCLE_DB;
	do {
		if (stop_signal)
			break;
		if (planner_plan_batch(s->pl, &s->po, &batch_id, &s->r->plan))
			return CYCLE_DB;
	} while (batch_id);
	return CYCLE_OK;
}

/* run what is ready: CYCLE_OK, or how the round ended */
static enum cycle_outcome
run(struct rounds *s)
{
	struct cycle_process *r = s->r;
	int rc;

	if (!s->in_tx && s->flag->held &&
	    lock_renew(s->db, s->flag,
		       s->cat->run->flag_lease_s > 0
			       ? s->cat->run->flag_lease_s
			       : 3600))
		return CYCLE_DB;
	rc = runner_run(s->rn, &r->run);
	if (rc == RUNNER_ENV)
		return CYCLE_ENV;
	if (rc < 0)
		return rc == DB_ERR_CONN ? CYCLE_DB : CYCLE_INTERNAL;
	if (rc == 1 || stop_signal) {
		r->signal = stop_signal ? stop_signal : SIGTERM;
		log_warning("stopped by signal %d: running builds were "
			    "stopped and will run again",
			    (int)stop_signal);
		return CYCLE_STOPPED;
	}
	return CYCLE_OK;
}

/* plan and run until a round plans and starts nothing */
static enum cycle_outcome
rounds(struct rounds *s)
{
	const struct cycle_options *o = s->o;
	struct cycle_process *r = s->r;
	enum cycle_outcome out;
	int rc;

	if (!s->in_tx && (rc = runner_recover(s->rn, &r->run)))
		return rc == RUNNER_ENV ? CYCLE_ENV : CYCLE_DB;
	if (s->in_tx &&
	    (db_begin(s->db) ||
	     db_exec(s->db, "SET LOCAL idle_in_transaction_session_timeout "
			    "= 0")))
		return CYCLE_DB;
	for (;;) {
		long claimed_before = r->plan.claimed,
		     planned_before = r->plan.planned,
		     started_before = r->run.started;

		if ((out = plan(s)))
			return out;
		if (o->dry_run)
			return runner_describe_ready(s->rn, &r->ready,
						     &r->would_reuse)
				       ? CYCLE_DB
				       : CYCLE_OK;
		if ((out = run(s)))
			return out;
		if (s->leftovers) {
			s->leftovers = false;
			continue;
		}
		/*
		 * a round that took queue entries may have left others
		 * waiting (planner_round): one more round takes them
		 */
		if (o->process_id || o->sample ||
		    (r->plan.claimed == claimed_before &&
		     r->plan.planned == planned_before &&
		     r->run.started == started_before))
			return CYCLE_OK;
	}
}

/* batches the poison rule marked bad that await a person */
static void
check_poison(struct rounds *s)
{
	struct cycle_process *r = s->r;

	if (store_poison_unresolved(s->db, &r->poison)) {
		r->poison_error = true;
		return;
	}
	if (r->poison) {
		log_warning("%ld batches marked bad by the poison rule "
			    "await a person: their builds were cancelled",
			    r->poison);
		log_hint("See \"cascade failures\"; \"cascade failures "
			 "retry\" queues them again, \"cascade failures "
			 "resolve\" accepts the loss.");
	}
}

static void
process_phase(struct db *db, const struct catalog *cat,
	      struct lock_flag *flag, const struct cycle_options *o,
	      struct cycle_process *r)
{
	struct rounds s = {db, cat, flag, o, NULL, NULL, {0}, false, false, r};
	struct runner_options ro;
	double t0 = now_s();

	s.in_tx = o->dry_run || o->sample > 0;
	s.leftovers = !s.in_tx && !o->process_id;
	r->ran = true;
	runner_options_from(&s, cat->run, &ro);
	s.po.batch_size = cat->run->batch_size;
	s.po.run_id = flag->logging_id;
	s.po.only = o->only;
	s.po.skip_run = o->skip_run;
	s.po.in_transaction = s.in_tx;
	s.po.report = &report_flag;
	if (planner_new(db, cat, &s.pl) || runner_new(db, cat, &ro, &s.rn))
		r->outcome = CYCLE_DB;
	else
		r->outcome = rounds(&s);
	if (s.in_tx)
		db_rollback(db);
	r->seconds = now_s() - t0;
	/*
	 * A batch the poison rule marked bad had builds cancelled: every
	 * run says so, and fails, until a person has dealt with it.
	 */
	if (!s.in_tx && r->outcome == CYCLE_OK)
		check_poison(&s);
	planner_free(s.pl);
	runner_free(s.rn);
}

int
cycle_run(struct db *db, const struct catalog *cat,
	  struct lock_flag *flag, const struct cycle_options *o,
	  struct cycle_result *r)
{
	/* before ingest: SIGUSR1 must never end a run */
	if (install_signals()) {
		if (o->ingest)
			r->ingest.outcome = CYCLE_INTERNAL;
		else
			r->process.outcome = CYCLE_INTERNAL;
		return -1;
	}
	if (o->ingest) {
		ingest_phase(db, cat, flag, o, &r->ingest);
		if (r->ingest.outcome != CYCLE_OK)
			return -1;
	}
	if (o->process) {
		process_phase(db, cat, flag, o, &r->process);
		if (r->process.outcome != CYCLE_OK)
			return -1;
	}
	return 0;
}

void
cycle_result_release(struct cycle_result *r)
{
	strbuf_release(&r->process.ready);
}
