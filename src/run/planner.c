/*
 * planner.c - queued files -> builds (see planner.h for the rules).
 *
 * Owns the decisions: which keys a queued file affects, which code
 * builds a key, whether it is built, which version.  The SQL that feeds
 * them (claim, inputs, state) is store-build.c's and works on the whole
 * batch at once; the rules of time are period.c's.
 */
#include "planner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "db.h"
#include "fault.h"
#include "fnformat.h"
#include "log.h"
#include "period.h"
#include "sha.h"
#include "strbuf.h"
#include "store-build.h"
#include "store-orbit.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

struct planner {
	struct db *db;
	const struct catalog *cat;
	struct plan_catalog rules; /* the catalog as plan-rules.c takes it */
	int64_t last_seq; /* filtered runs walk the queue, leaving it */
	int64_t *waiting; /* products whose entries wait this round */
	size_t n_waiting;
	long batches;     /* made in this run, for the progress line */
	bool schedules_due; /* the round has not planned its schedules yet */
	/* the orbit table, in number order, read each round when a process
	 * is ORBIT (its keys are orbits) */
	struct period_slot *orbits;
	size_t n_orbits;
};

/*
 * The plan stage's progress line (and, after SIGUSR1, the same text
 * logged at WARNING): queue entries taken, builds planned and batches
 * made, so far in this run.
 */
static void
planner_show_progress(struct planner *p, const struct plan_options *opt,
		      const struct plan_counts *cnt)
{
	struct strbuf sb = STRBUF_INIT;
	bool report = opt->report && *opt->report;

	if (!report && !log_progress_enabled())
		return;
	strbuf_addf(&sb, "plan: %ld queue entries, %ld builds planned so far "
			 "in %ld batch%s",
		    cnt->claimed, cnt->planned, p->batches,
		    p->batches == 1 ? "" : "es");
	log_progress(report, "%s", sb.buf);
	if (report) {
		*opt->report = 0;
		log_warning("%s", sb.buf);
	}
	strbuf_release(&sb);
}

int
planner_new(struct db *db, const struct catalog *cat, struct planner **out)
{
	struct planner *p = xcalloc(1, sizeof(*p));

	p->db = db;
	p->cat = cat;
	p->rules.processes = cat->processes;
	p->rules.n_processes = cat->n_processes;
	*out = p;
	return 0;
}

void
planner_free(struct planner *p)
{
	if (p) {
		free(p->waiting);
		free(p->orbits);
	}
	free(p);
}

/*
 * The orbit table as slots, when a process keys by orbit: read once a
 * round, so that orbits loaded meanwhile count from the next round.
 */
static int
load_orbits(struct planner *p)
{
	struct so_orbit *o = NULL;
	size_t n = 0;
	bool any = false;
	int rc;

	for (size_t i = 0; i < p->cat->n_processes; i++)
		any |= p->cat->processes[i].timebase == TIMEBASE_ORBIT;
	free(p->orbits);
	p->orbits = NULL;
	p->n_orbits = 0;
	if (!any)
		return 0;
	if ((rc = store_orbits_list(p->db, INT64_MIN, INT64_MAX, &o, &n)))
		return rc;
	p->orbits = xcalloc(n + 1, sizeof(*p->orbits));
	for (size_t i = 0; i < n; i++) {
		p->orbits[i].number = o[i].number;
		p->orbits[i].start = o[i].start;
		p->orbits[i].stop = o[i].stop;
	}
	p->n_orbits = n;
	store_orbits_free(o, n);
	return 0;
}

int
planner_round(struct planner *p, const struct plan_options *opt)
{
	int64_t *ids = NULL;
	size_t n = 0;
	bool *feeds, *defer;
	int rc;

	free(p->waiting);
	p->waiting = NULL;
	p->n_waiting = 0;
	p->schedules_due = true;
	if ((rc = load_orbits(p)))
		return rc;
	/*
	 * -o and -s leave what they claim queued and walk past it by seq;
	 * and what waits on a process they do not run would wait for good:
	 * they plan the queue as it is
	 */
	if (opt->only || opt->skip_run)
		return 0;
	/* a full run deletes what it claims: each round reads it all */
	p->last_seq = 0;
	if ((rc = store_queue_products(p->db, 0, &ids, &n)))
		return rc;
	feeds = xcalloc(n * n + 1, sizeof(*feeds));
	defer = xcalloc(n + 1, sizeof(*defer));
	for (size_t j = 0; j < n; j++)
		for (size_t i = 0; i < n; i++)
			feeds[j * n + i] = catalog_feeds(p->cat, (int)ids[j],
							 (int)ids[i]);
	if (plan_rules_wave(n, feeds, defer)) {
		p->waiting = xcalloc(n, sizeof(*p->waiting));
		for (size_t i = 0; i < n; i++)
			if (defer[i]) {
				p->waiting[p->n_waiting++] = ids[i];
				log_debug("queued files of product \"%s\" wait "
					  "for a later round: a product "
					  "upstream of it has files queued",
					  planner_product_name(p, (int)ids[i]));
			}
	}
	free(feeds);
	free(defer);
	free(ids);
	return 0;
}

const struct process *
planner_process(const struct planner *p, int id)
{
	return catalog_process(p->cat, id);
}

const struct process *
planner_process_at(const struct planner *p, size_t i)
{
	return i < p->cat->n_processes ? &p->cat->processes[i] : NULL;
}

const char *
planner_product_name(const struct planner *p, int id)
{
	const struct product *pr = catalog_product(p->cat, id);

	return pr ? pr->name : "?";
}

void
planner_key_end(const struct planner *p, struct sb_candidate *c)
{
	const struct process *proc = planner_process(p, c->process_id);
	int32_t s;

	if (timebase_numbered(c->timebase))
		return; /* its days are its period's */
	c->key_end = c->key_start;
	if (proc)
		timebase_period(proc->timebase, c->key_start, &s, &c->key_end);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void
planner_eval_release(struct plan_eval *ev)
{
	free(ev->keys);
	store_state_release(ev->st, ev->n);
	free(ev->st);
	store_inputs_free(ev->in, ev->nin);
	store_parents_free(ev->par, ev->npar);
	plan_reasons_release(&ev->why);
	memset(ev, 0, sizeof(*ev));
}

int
planner_evaluate(struct planner *p, const struct sb_candidate *c, size_t n,
		 struct plan_eval *ev)
{
	int rc;

	memset(ev, 0, sizeof(*ev));
	ev->n = n;
	ev->keys = xcalloc(n + 1, sizeof(*ev->keys));
	ev->st = xcalloc(n + 1, sizeof(*ev->st));
	if ((rc = store_candidate_inputs(p->db, c, n, &ev->in, &ev->nin)) ||
	    (rc = store_candidate_state(p->db, c, n, ev->st, &ev->par,
					&ev->npar)))
		return rc;
	plan_rules_evaluate(&p->rules, c, ev);
	return 0;
}

static void
describe_code(const struct code *c, struct strbuf *sb)
{
	char v[VERSION_STRLEN], d1[DATE_STRLEN], d2[DATE_STRLEN];

	strbuf_addf(sb, "%s %s (%s to %s)", c->filename,
		    version_format(&c->version, v),
		    timeutil_format_date(c->start_date, d1),
		    timeutil_format_date(c->stop_date, d2));
}

/*
 * Say what the run leaves as it is (at WARNING: an operator must act) or
 * does not build although it has data (no code: INFO when nothing was
 * built before).
 */
static void
report_refusal(const struct planner *p, const struct process *proc,
	       const struct sb_candidate *c, const struct sb_state *st,
	       const struct plan_key *k)
{
	struct strbuf key = STRBUF_INIT, sb = STRBUF_INIT;
	char d1[DATE_STRLEN], d2[DATE_STRLEN];

	store_output_key(c, &key);
	switch (k->verdict) {
	case PLAN_NO_INPUT:
	case PLAN_NEIGHBOUR_ONLY:
		if (!st->out_id)
			break;
		if (k->missing_product) {
			strbuf_addstr(&sb, "required ");
			catalog_input_text(p->cat, proc, k->missing_product,
					   &sb);
			strbuf_addstr(&sb, " has no file for it");
		} else
			strbuf_addstr(&sb, "it has no input of its own");
		log_warning("process \"%s\", %s: %s now; its output \"%s\" is "
			    "left as it is",
			    proc->name, key.buf, sb.buf, st->out_filename);
		log_hint("\"cascade check\" lists it as stale; purge it if it "
			 "should go.");
		break;
	case PLAN_NO_CODE:
		if (!k->has_own)
			break;
		if (st->out_id) {
			log_warning("process \"%s\", %s: no code of the process "
				    "is valid in its period now; its output "
				    "\"%s\" is left as it is",
				    proc->name, key.buf, st->out_filename);
			log_hint("\"cascade check\" lists it as stale.");
		} else {
			log_info("process \"%s\", %s: not built: no code of "
				 "the process is valid in its period",
				 proc->name, key.buf);
		}
		break;
	case PLAN_CODES_SHARED:
		if (!k->has_own)
			break;
		describe_code(k->code, &sb);
		strbuf_addstr(&sb, " and ");
		describe_code(k->other, &sb);
		log_warning("process \"%s\", %s: not built: codes %s are both "
			    "valid within its period, %s to %s",
			    proc->name, key.buf, sb.buf,
			    timeutil_format_date(c->key_start, d1),
			    timeutil_format_date(c->key_end, d2));
		log_hint("One code builds a period: move a start_date or "
			 "stop_date to a period boundary (cascade-process(1)).");
		break;
	case PLAN_INTERFACE_BELOW:
		describe_code(k->code, &sb);
		log_warning("process \"%s\", %s: not built: code %s declares "
			    "output interface %d, below the %d of its newest "
			    "output \"%s\"",
			    proc->name, key.buf, sb.buf,
			    k->code->output_interface_version,
			    k->out_code ? k->out_code->output_interface_version
					: st->out_version.interface,
			    st->out_filename);
		log_hint("Its output would never be the newest version: raise "
			 "the code's output_interface_version, or purge the "
			 "outputs of the higher interface.");
		break;
	default:
		break;
	}
	strbuf_release(&key);
	strbuf_release(&sb);
}

/*
 * The output name of key k of candidate c: its product's filename
 * template with the key's date, the new version and the output's
 * keywords.  0, or -1 with the reason in err.
 */
static int
output_name(const struct planner *p, const struct sb_candidate *c,
	    const struct plan_key *k, const struct plan_eval *ev, char **out,
	    struct strbuf *err)
{
	long pi = catalog_product_index(p->cat, c->output_product);
	const char **kws = xcalloc(k->in_n + 1, sizeof(*kws));
	struct fnformat_values fv = {true, c->key_start, 0, &k->version, NULL,
				     c->timebase == TIMEBASE_ORBIT,
				     c->period_number};
	struct strbuf name = STRBUF_INIT;
	int rc = -1;

	if (timebase_numbered(c->timebase))
		/* {H} {M}: its hour; an orbit's start */
		fv.time_usec = c->period_start -
			       (int64_t)c->key_start * USEC_PER_DAY;

	for (size_t j = 0; j < k->in_n; j++)
		kws[j] = ev->in[k->in_first + j].keywords;
	fv.keywords = plan_rules_output_keywords(c->keywords, kws, k->in_n);
	if (pi >= 0 &&
	    !fnformat_format(p->cat->formats[pi], &fv, &name, err)) {
		*out = strbuf_detach(&name, NULL);
		rc = 0;
	}
	free(kws);
	strbuf_release(&name);
	return rc;
}

/*
 * A filename format without {VERSION} names every version of a key
 * alike: a new version would take its newest output's name.  That build
 * is refused, saying so, instead of failing when its output is archived
 * (dbprocessing loops for ever there).
 */
static bool
name_taken(const struct process *proc, const struct sb_build *x,
	   const struct sb_state *st)
{
	char v1[VERSION_STRLEN], v2[VERSION_STRLEN];

	if (!x->output_filename || !st->out_filename ||
	    strcmp(x->output_filename, st->out_filename) != 0)
		return false;
	log_warning("process \"%s\", %s: not built: version %s would be "
		    "named \"%s\", the name of its version %s",
		    proc->name, x->output_key, version_format(&x->version, v1),
		    x->output_filename, version_format(&st->out_version, v2));
	log_hint("The output product's format has no {VERSION}, and a new "
		 "version needs a new name: add {VERSION} to the format "
		 "(cascade.yaml(5)).");
	return true;
}

/* plan the candidates; fills builds[] (caller releases) */
static int
plan_candidates(struct planner *p, const struct sb_candidate *c, size_t n,
		struct sb_build **out, size_t *nout, struct plan_counts *cnt)
{
	struct plan_eval ev;
	struct sb_build *b = xcalloc(n + 1, sizeof(*b));
	size_t nb = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = planner_evaluate(p, c, n, &ev)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct process *proc = planner_process(p, c[i].process_id);
		const struct plan_key *k = &ev.keys[i];
		char ck[SHA256_HEX_LEN];

		cnt->candidates++;
		if (!proc)
			continue;
		switch (k->verdict) {
		case PLAN_BUILD:
			break;
		case PLAN_UPTODATE:
			cnt->uptodate++;
			continue;
		case PLAN_BAD:
			cnt->bad++;
			continue;
		case PLAN_OPEN:
			cnt->open++;
			continue;
		default:
			report_refusal(p, proc, &c[i], &ev.st[i], k);
			cnt->unrunnable++;
			continue;
		}

		{
			struct sb_build *x = &b[nb];
			struct strbuf key = STRBUF_INIT, err = STRBUF_INIT;

			store_output_key(&c[i], &key);
			x->process_id = c[i].process_id;
			x->code_id = k->code->id;
			x->output_key = strbuf_detach(&key, NULL);
			x->date = c[i].key_start;
			x->period_number = c[i].period_number;
			x->period_start = c[i].period_start;
			x->period_stop = c[i].period_stop;
			x->n_inputs = k->in_n;
			x->inputs = xcalloc(k->in_n + 1, sizeof(*x->inputs));
			for (size_t j = 0; j < k->in_n; j++)
				x->inputs[j] = ev.in[k->in_first + j].file_id;
			qsort(x->inputs, k->in_n, sizeof(*x->inputs), cmp_i64);
			x->version = k->version;
			x->version_bump = c[i].version_bump;
			plan_rules_cache_key(k->code->id, ev.in, k, ck);
			x->cache_key = xstrdup(ck);
			x->n_reasons = k->why_n;
			x->reasons = xcalloc(k->why_n + 1, sizeof(*x->reasons));
			memcpy(x->reasons, ev.why.v + k->why_first,
			       k->why_n * sizeof(*x->reasons));
			/* the state's text goes with ev: the build keeps it */
			for (size_t j = 0; j < x->n_reasons; j++)
				if (x->reasons[j].kind ==
					    BUILD_REASON_PERIOD_CHANGED &&
				    x->reasons[j].detail) {
					free(x->period_was);
					x->period_was =
						xstrdup(x->reasons[j].detail);
					x->reasons[j].detail = x->period_was;
				}
			if (c[i].output_product &&
			    output_name(p, &c[i], k, &ev, &x->output_filename,
					&err)) {
				log_error("cannot name the output of process "
					  "\"%s\" for %s: %s",
					  proc->name, x->output_key, err.buf);
				strbuf_release(&err);
				goto drop;
			}
			if (name_taken(proc, x, &ev.st[i]))
				goto drop;
			nb++;
			cnt->planned++;
			continue;
drop:
			cnt->unrunnable++;
			free(x->output_key);
			free(x->inputs);
			free(x->cache_key);
			free(x->output_filename);
			free(x->reasons);
			free(x->period_was);
			memset(x, 0, sizeof(*x));
		}
	}
	*out = b;
	*nout = nb;
	b = NULL;
out:
	free(b);
	planner_eval_release(&ev);
	return rc;
}

static void
builds_free(struct sb_build *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++) {
		free(b[i].output_key);
		free(b[i].inputs);
		free(b[i].output_filename);
		free(b[i].cache_key);
		free(b[i].reasons);
		free(b[i].period_was);
	}
	free(b);
}

/* -o/--only: comma-separated process names or ids */
static bool
only_selects(const char *only, const struct process *proc)
{
	char id[16];
	const char *s = only;

	if (!only)
		return true;
	snprintf(id, sizeof(id), "%d", proc->id);
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if ((strlen(proc->name) == len && !strncmp(s, proc->name, len)) ||
		    (strlen(id) == len && !strncmp(s, id, len)))
			return true;
		s += len;
		if (*s == ',')
			s++;
	}
	return false;
}

/* who asked for a candidate: a run and a request (see sb_candidate) */
struct asker {
	int64_t run;
	const char *request;
};

static void
add_candidate(struct sb_candidate **c, size_t *n, size_t *alloc,
	      const struct process *proc, int32_t ks, int32_t ke,
	      const char *kw, int bump, bool own, const struct asker *by)
{
	struct sb_candidate *x;

	ALLOC_GROW(*c, *n + 1, *alloc);
	x = &(*c)[(*n)++];
	memset(x, 0, sizeof(*x));
	x->process_id = proc->id;
	x->timebase = proc->timebase;
	x->output_product = proc->output_product_id;
	x->key_start = ks;
	x->key_end = ke;
	x->keywords = xstrdup(kw);
	x->version_bump = bump;
	x->own = own;
	if (by && by->request) {
		x->by_run = by->run;
		x->request = xstrdup(by->request);
	}
}

/* a candidate of an HOURLY or ORBIT process: its hour or orbit s */
static void
add_slot_candidate(struct sb_candidate **c, size_t *n, size_t *alloc,
		   const struct process *proc, const struct period_slot *s,
		   int bump, bool own, const struct asker *by)
{
	struct sb_candidate *x;

	add_candidate(c, n, alloc, proc, timeutil_date_of(s->start),
		      timeutil_date_of(s->stop - 1), "", bump, own, by);
	x = &(*c)[*n - 1];
	x->period_number = s->number;
	x->period_start = s->start;
	x->period_stop = s->stop;
}

/*
 * The keys of an HOURLY or ORBIT process that trigger t feeds through
 * its input ln: the hours, or the orbits of the table, whose window (the
 * period widened by the input's yesterday and tomorrow periods) its span
 * overlaps (period_hour_keys, period_slot_keys); a forced bump applies
 * to those the claimed file is in itself.
 */
static void
add_period_candidates(const struct planner *p, struct sb_candidate **c,
		      size_t *n, size_t *alloc, const struct process *proc,
		      const struct input *ln, const struct sb_trigger *t,
		      const struct asker *by)
{
	struct period_slot_key *k = NULL;
	size_t nk;

	if (proc->timebase == TIMEBASE_HOURLY)
		nk = period_hour_keys(&t->span, ln->yesterday, ln->tomorrow,
				      &k);
	else
		nk = period_slot_keys(p->orbits, p->n_orbits, &t->span,
				      ln->yesterday, ln->tomorrow, &k);
	for (size_t j = 0; j < nk; j++) {
		bool own = t->claimed && k[j].own;

		add_slot_candidate(c, n, alloc, proc, &k[j].slot,
				   own ? t->version_bump : -1, own, by);
	}
	free(k);
}

/* x takes y's asker (y keeps x's, to be freed with it) */
static void
take_asker(struct sb_candidate *x, struct sb_candidate *y)
{
	char *r = x->request;

	x->request = y->request;
	x->by_run = y->by_run;
	y->request = r;
}

static int
cmp_candidate(const void *a, const void *b)
{
	const struct sb_candidate *x = a, *y = b;

	if (x->process_id != y->process_id)
		return x->process_id < y->process_id ? -1 : 1;
	if (x->key_start != y->key_start)
		return x->key_start < y->key_start ? -1 : 1;
	if (x->period_number != y->period_number)
		return x->period_number < y->period_number ? -1 : 1;
	return strcmp(x->keywords, y->keywords);
}

/*
 * The (process, key) candidates of the triggers: each version's keys
 * (period.h), merged per key.  A forced bump applies to the keys the
 * claimed file is in itself; others are re-evaluated, not forced.
 */
static void
expand(const struct planner *p, const struct plan_options *opt,
       const struct sb_trigger *t, size_t nt, struct sb_candidate **out,
       size_t *nout)
{
	struct sb_candidate *c = NULL;
	size_t n = 0, alloc = 0, m = 0;

	for (size_t i = 0; i < nt; i++) {
		struct asker by = {t[i].queued_by, t[i].request};
		int32_t first, last;

		period_span_days(&t[i].span, &first, &last);
		for (size_t pi = 0; pi < p->cat->n_processes; pi++) {
			const struct process *proc = &p->cat->processes[pi];

			if (!only_selects(opt->only, proc) ||
			    (opt->skip_run && proc->timebase == TIMEBASE_RUN))
				continue;
			for (size_t l = 0; l < proc->n_inputs; l++) {
				const struct input *ln = &proc->inputs[l];
				struct period_key *k = NULL;
				size_t nk;

				if (ln->product_id != t[i].product_id)
					continue;
				if (timebase_numbered(proc->timebase)) {
					add_period_candidates(p, &c, &n, &alloc,
							      proc, ln, &t[i],
							      &by);
					continue;
				}
				if (!timebase_by_time(proc->timebase)) {
					add_candidate(
						&c, &n, &alloc, proc, t[i].date,
						t[i].date,
						proc->timebase == TIMEBASE_FILE
							? t[i].keywords
							: "",
						t[i].claimed ? t[i].version_bump
							     : -1,
						t[i].claimed, &by);
					continue;
				}
				nk = period_keys(proc->timebase, first, last,
						 ln->yesterday, ln->tomorrow, &k);
				for (size_t j = 0; j < nk; j++)
					add_candidate(
						&c, &n, &alloc, proc, k[j].start,
						k[j].end, "",
						t[i].claimed && k[j].own
							? t[i].version_bump
							: -1,
						t[i].claimed && k[j].own, &by);
				free(k);
			}
		}
	}
	if (n)
		qsort(c, n, sizeof(*c), cmp_candidate);
	/*
	 * one candidate per key: the strongest forced bump (and who asked
	 * for it), own if any, else the first request
	 */
	for (size_t i = 0; i < n; i++) {
		if (m && !cmp_candidate(&c[m - 1], &c[i])) {
			struct sb_candidate *x = &c[m - 1];

			if (c[i].version_bump >= 0 &&
			    (x->version_bump < 0 ||
			     c[i].version_bump < x->version_bump)) {
				x->version_bump = c[i].version_bump;
				take_asker(x, &c[i]);
			} else if (!x->request && c[i].request) {
				take_asker(x, &c[i]);
			}
			x->own |= c[i].own;
			free(c[i].keywords);
			free(c[i].request);
			continue;
		}
		c[m++] = c[i];
	}
	*out = c;
	*nout = m;
}

/* "DAILY from 2024-01-01, lag 1 day(s)": a schedule, for its reasons */
static char *
schedule_text(const struct process *proc)
{
	char d[DATE_STRLEN];

	return xasprintf("%s from %s, lag %d day(s)",
			 timebase_name(config_schedule_every(proc)),
			 timeutil_format_date(proc->schedule.start_date, d),
			 proc->schedule.lag_days);
}

/*
 * The due keys of the scheduled processes the run runs, planned as one
 * batch (*batch_id; 0 when none was due or none is built): a process
 * without inputs has no queue entry to start it.  Keys the rules refuse
 * (no code on their day) leave no build and are asked again next round,
 * building nothing.
 */
static int
plan_schedules(struct planner *p, const struct plan_options *opt,
	       int64_t *batch_id, struct plan_counts *cnt)
{
	struct sb_schedule *s = xcalloc(p->cat->n_processes + 1, sizeof(*s));
	struct sb_candidate *c = NULL;
	struct sb_build *b = NULL;
	size_t ns = 0, nc = 0, nb = 0;
	long n_batches = 0;
	int rc;

	for (size_t i = 0; i < p->cat->n_processes; i++) {
		const struct process *proc = &p->cat->processes[i];

		if (!proc->schedule.set || proc->n_inputs ||
		    !only_selects(opt->only, proc) ||
		    (opt->skip_run && proc->timebase == TIMEBASE_RUN))
			continue;
		s[ns].process_id = proc->id;
		s[ns].output_product = proc->output_product_id;
		s[ns].every = config_schedule_every(proc);
		s[ns].start_date = proc->schedule.start_date;
		s[ns].lag_days = proc->schedule.lag_days;
		ns++;
	}
	if (ns == 0) {
		free(s);
		return 0;
	}
	if (!opt->in_transaction && (rc = db_begin(p->db)))
		goto out;
	if ((rc = store_due_keys(p->db, s, ns, &c, &nc)) || nc == 0)
		goto out;
	for (size_t i = 0; i < nc; i++) {
		const struct process *proc =
			planner_process(p, c[i].process_id);

		c[i].timebase = proc->timebase;
		c[i].output_product = proc->output_product_id;
		planner_key_end(p, &c[i]);
		c[i].keywords = xstrdup("");
		c[i].version_bump = -1;
		c[i].own = true;
		c[i].by_run = opt->run_id;
		c[i].request = schedule_text(proc);
		c[i].scheduled = true;
	}
	if ((rc = plan_candidates(p, c, nc, &b, &nb, cnt)) || nb == 0 ||
	    (rc = store_batch_create(p->db, opt->run_id, b, nb, batch_id,
				     &n_batches)) ||
	    (!opt->in_transaction && (rc = db_commit(p->db))))
		goto out;
	p->batches += n_batches;
	log_info("planned batch %lld: %zu scheduled builds",
		 (long long)*batch_id, nb);
out:
	if (rc)
		*batch_id = 0;
	if (!opt->in_transaction)
		db_rollback(p->db);
	free(s);
	store_candidates_free(c, nc);
	builds_free(b, nb);
	return rc;
}

int
planner_plan_batch(struct planner *p, const struct plan_options *opt,
		   int64_t *batch_id, struct plan_counts *cnt)
{
	struct sb_candidate *c = NULL;
	struct sb_trigger *t = NULL;
	struct sb_build *b = NULL;
	struct sb_claim claim = {0};
	int64_t *files = NULL;
	size_t nc = 0, nf = 0, nb = 0, nt = 0;
	long not_newest = 0, n_batches = 0;
	int rc;

	*batch_id = 0;
	if (p->schedules_due) {
		p->schedules_due = false;
		if ((rc = plan_schedules(p, opt, batch_id, cnt)) || *batch_id)
			return rc;
	}
	if (!opt->in_transaction && (rc = db_begin(p->db)))
		return rc;
	claim.limit = opt->batch_size > 0 ? opt->batch_size : 500;
	claim.after_seq = p->last_seq;
	claim.skip_products = p->waiting;
	claim.n_skip = p->n_waiting;
	rc = store_queue_claim(p->db, &claim, &p->last_seq, &files, &nf,
			       &not_newest, &t, &nt);
	if (rc || nf == 0)
		goto out;
	cnt->claimed += (long)nf;
	cnt->not_newest += not_newest;
	expand(p, opt, t, nt, &c, &nc);
	if ((rc = plan_candidates(p, c, nc, &b, &nb, cnt)))
		goto out;
	/*
	 * Entries are done with, unless -o/-s kept some of their processes
	 * from running: then they stay queued for a later full run (which
	 * finds the processes that did run up to date), and this run walks
	 * past them by seq instead.
	 */
	if ((rc = store_batch_create(p->db, opt->run_id, b, nb, batch_id,
				     &n_batches)) ||
	    (!opt->only && !opt->skip_run &&
	     (rc = store_queue_delete(p->db, files, nf))) ||
	    (!opt->in_transaction && (rc = db_commit(p->db))))
		goto out;
	fault_point("plan-committed");
	p->batches += n_batches;
	if (n_batches > 1)
		log_info("planned %ld batches from batch %lld, one per "
			 "process: %zu queue entries, %zu builds",
			 n_batches, (long long)*batch_id, nf, nb);
	else
		log_info("planned batch %lld: %zu queue entries, %zu builds",
			 (long long)*batch_id, nf, nb);
	planner_show_progress(p, opt, cnt);
out:
	if (rc)
		*batch_id = 0;
	if (!opt->in_transaction)
		db_rollback(p->db);
	store_triggers_free(t, nt);
	store_candidates_free(c, nc);
	builds_free(b, nb);
	free(files);
	return rc;
}

int
planner_plan_range(struct planner *p, const struct plan_options *opt,
		   int process_id, int32_t from, int32_t to, int version_bump,
		   struct plan_counts *cnt)
{
	const struct process *proc = planner_process(p, process_id);
	struct sb_candidate *c = NULL;
	struct sb_build *b = NULL;
	size_t nc = 0, nb = 0, alloc = 0;
	int64_t batch_id = 0;
	long n_batches = 0;
	int rc;

	if (!proc)
		return error("no process with id %d", process_id);
	if (to < from)
		return 0;
	if (timebase_numbered(proc->timebase)) {
		/* the hours of the days, or the orbits starting on them */
		struct asker by = {opt->run_id, "run-process"};
		struct period_slot h;

		if (proc->timebase == TIMEBASE_ORBIT && (rc = load_orbits(p)))
			return rc;
		for (int64_t n = (int64_t)from * 24;
		     proc->timebase == TIMEBASE_HOURLY &&
		     n < ((int64_t)to + 1) * 24;
		     n++) {
			period_hour(n * USEC_PER_HOUR, &h);
			add_slot_candidate(&c, &nc, &alloc, proc, &h,
					   version_bump, true, &by);
		}
		for (size_t i = 0; proc->timebase == TIMEBASE_ORBIT &&
				   i < p->n_orbits;
		     i++) {
			int32_t d = timeutil_date_of(p->orbits[i].start);

			if (d >= from && d <= to)
				add_slot_candidate(&c, &nc, &alloc, proc,
						   &p->orbits[i], version_bump,
						   true, &by);
		}
	}
	for (int32_t d = from; !timebase_numbered(proc->timebase) && d <= to;) {
		struct asker by = {opt->run_id, "run-process"};
		int32_t ks, ke;

		timebase_period(proc->timebase, d, &ks, &ke);
		add_candidate(&c, &nc, &alloc, proc, ks, ke, "", version_bump,
			      true, &by);
		d = ke + 1;
	}
	if (!opt->in_transaction && (rc = db_begin(p->db)))
		goto out;
	if ((rc = plan_candidates(p, c, nc, &b, &nb, cnt)) ||
	    (rc = store_batch_create(p->db, opt->run_id, b, nb, &batch_id,
				     &n_batches)) ||
	    (!opt->in_transaction && (rc = db_commit(p->db))))
		goto out;
	p->batches += n_batches;
	planner_show_progress(p, opt, cnt);
	log_info("planned batch %lld: %zu builds of process \"%s\"",
		 (long long)batch_id, nb, proc->name);
out:
	if (!opt->in_transaction)
		db_rollback(p->db);
	store_candidates_free(c, nc);
	builds_free(b, nb);
	return rc;
}

void
planner_code_conflicts(const struct planner *p, struct plan_conflict **out,
		       size_t *n)
{
	struct plan_conflict *x = NULL;
	size_t alloc = 0;

	*n = 0;
	for (size_t pi = 0; pi < p->cat->n_processes; pi++) {
		const struct process *proc = &p->cat->processes[pi];

		if (proc->timebase != TIMEBASE_WEEKLY && proc->timebase != TIMEBASE_MONTHLY &&
		    proc->timebase != TIMEBASE_YEARLY)
			continue;
		/* a change of code can only be at a code's first or last day */
		for (size_t i = 0; i < proc->n_codes; i++) {
			const struct code *cd = &proc->codes[i];
			int32_t days[2] = {cd->start_date, cd->stop_date};

			if (!plan_code_usable(cd))
				continue;
			for (int e = 0; e < 2; e++) {
				const struct code *code, *other;
				int32_t s, t;
				bool seen = false;

				timebase_period(proc->timebase, days[e], &s, &t);
				if (plan_rules_code(proc, s, t, &code, &other) !=
				    PERIOD_CODE_SHARED)
					continue;
				for (size_t k = 0; k < *n; k++)
					seen |= x[k].process == proc &&
						x[k].start == s;
				if (seen)
					continue;
				ALLOC_GROW(x, *n + 1, alloc);
				x[*n].process = proc;
				x[*n].start = s;
				x[*n].end = t;
				x[*n].code = code;
				x[*n].other = other;
				(*n)++;
			}
		}
	}
	*out = x;
}
