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

#include "db.h"
#include "fault.h"
#include "fnformat.h"
#include "log.h"
#include "period.h"
#include "sha.h"
#include "store-build.h"
#include "store.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

struct planner {
	struct db *db;
	const struct store_mission *m;
	struct store_product *products;
	size_t n_products;
	struct fnformat **formats; /* output name template per product */
	struct sb_process *processes;
	size_t n_processes;
	struct sb_code *codes; /* every code, by process */
	size_t n_codes;
	int64_t last_seq; /* filtered runs walk the queue, leaving it */
};

int
planner_new(struct db *db, const struct store_mission *m, struct planner **out)
{
	struct planner *p = xcalloc(1, sizeof(*p));

	*out = NULL;
	p->db = db;
	p->m = m;
	if (store_products_load(db, &p->products, &p->n_products) ||
	    store_processes_load(db, &p->processes, &p->n_processes) ||
	    store_codes_load(db, &p->codes, &p->n_codes)) {
		planner_free(p);
		return -1;
	}
	p->formats = xcalloc(p->n_products + 1, sizeof(*p->formats));
	for (size_t i = 0; i < p->n_products; i++) {
		const struct store_product *pr = &p->products[i];
		struct fnformat_names names = {m->name, pr->satellite,
					       pr->instrument, pr->name};
		struct strbuf err = STRBUF_INIT;

		if (fnformat_compile(pr->format, &names, &p->formats[i], &err)) {
			error("invalid format \"%s\" of product \"%s\": %s",
			      pr->format, pr->name, err.buf);
			strbuf_release(&err);
			planner_free(p);
			return -1;
		}
		strbuf_release(&err);
	}
	*out = p;
	return 0;
}

void
planner_free(struct planner *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->formats && i < p->n_products; i++)
		fnformat_free(p->formats[i]);
	free(p->formats);
	store_products_free(p->products, p->n_products);
	store_processes_free(p->processes, p->n_processes);
	store_codes_free(p->codes, p->n_codes);
	free(p);
}

const struct sb_process *
planner_process(const struct planner *p, int id)
{
	for (size_t i = 0; i < p->n_processes; i++)
		if (p->processes[i].id == id)
			return &p->processes[i];
	return NULL;
}

const struct sb_process *
planner_process_at(const struct planner *p, size_t i)
{
	return i < p->n_processes ? &p->processes[i] : NULL;
}

static size_t
find_product(const struct planner *p, int id)
{
	for (size_t i = 0; i < p->n_products; i++)
		if (p->products[i].id == id)
			return i;
	return (size_t)-1;
}

const char *
planner_product_name(const struct planner *p, int id)
{
	size_t i = find_product(p, id);

	return i == (size_t)-1 ? "?" : p->products[i].name;
}

static const struct sb_code *
find_code(const struct planner *p, int id)
{
	for (size_t i = 0; id && i < p->n_codes; i++)
		if (p->codes[i].id == id)
			return &p->codes[i];
	return NULL;
}

void
planner_key_end(const struct planner *p, struct sb_candidate *c)
{
	const struct sb_process *proc = planner_process(p, c->process_id);
	int32_t s;

	c->key_end = c->key_start;
	if (proc)
		period_of(proc->tb, c->key_start, &s, &c->key_end);
}

/*
 * The code rule for process proc and period [ks, ke]: its usable codes
 * (active, newest_version) handed to period_code.
 */
static enum period_code_result
code_for(const struct planner *p, const struct sb_process *proc, int32_t ks,
	 int32_t ke, const struct sb_code **code, const struct sb_code **other)
{
	struct period_code *pc = xcalloc(p->n_codes + 1, sizeof(*pc));
	const struct sb_code **map = xcalloc(p->n_codes + 1, sizeof(*map));
	size_t n = 0, chosen = 0, oth = 0;
	enum period_code_result r;

	for (size_t i = 0; i < p->n_codes; i++) {
		const struct sb_code *c = &p->codes[i];

		if (c->process_id != proc->id || !c->usable)
			continue;
		pc[n].id = c->id;
		pc[n].version = c->version;
		pc[n].start = c->start;
		pc[n].stop = c->stop;
		map[n++] = c;
	}
	r = period_code(pc, n, ks, ke, &chosen, &oth);
	*code = r == PERIOD_CODE_NONE ? NULL : map[chosen];
	*other = r == PERIOD_CODE_SHARED ? map[oth] : NULL;
	free(pc);
	free(map);
	return r;
}

enum bump { BUMP_NONE = 0, BUMP_REVISION = 1, BUMP_QUALITY = 2 };

static enum bump
version_change(const struct version *old, const struct version *cur)
{
	if (old->interface != cur->interface || old->quality != cur->quality)
		return BUMP_QUALITY;
	if (old->revision != cur->revision)
		return BUMP_REVISION;
	return BUMP_NONE;
}

/* never a version that was purged: above the newest purged one */
static void
above_purged(const struct sb_state *st, struct version *v)
{
	const struct version *top = NULL;

	for (size_t i = 0; i < st->n_purged; i++) {
		const struct version *x = &st->purged[i];

		if (x->interface != v->interface)
			continue;
		if (!top || version_cmp(x, top) > 0)
			top = x;
	}
	if (top && version_cmp(v, top) <= 0) {
		*v = *top;
		v->revision++;
	}
}

/*
 * decide: whether key k (candidate c, state st) is up to date, refused,
 * or built and as which version (*v).
 */
static enum plan_verdict
decide(const struct sb_candidate *c, const struct sb_state *st,
       const struct plan_key *k, const struct sb_parent *par,
       const struct sb_input *in, struct version *v)
{
	enum bump b = BUMP_NONE;
	const struct sb_parent *pp = par + k->par_first;
	const struct sb_input *x = in + k->in_first;
	bool same_inputs = st->out_id && k->par_n == k->in_n;
	int below;

	/* inputs are sorted by product and date, parents by file id */
	for (size_t i = 0; same_inputs && i < k->in_n; i++) {
		bool found = false;

		for (size_t j = 0; j < k->par_n; j++)
			if (pp[j].file_id == x[i].file_id)
				found = true;
		same_inputs = found;
	}
	if (st->out_id && c->version_bump < 0 && same_inputs &&
	    st->out_code_id == k->code->id)
		return PLAN_UPTODATE;
	/* the interface of the code that made the newest output */
	below = k->out_code ? k->out_code->oiv : st->out_version.interface;
	if (st->out_id && k->code->oiv < below)
		return PLAN_INTERFACE_BELOW;
	if (!st->out_id || k->code->oiv > st->out_version.interface) {
		v->interface = k->code->oiv;
		v->quality = v->revision = 0;
		above_purged(st, v);
		return PLAN_BUILD;
	}

	*v = st->out_version;
	if (c->version_bump >= 0) {
		if (c->version_bump == 0) {
			v->interface++;
			v->quality = v->revision = 0;
		} else if (c->version_bump == 1) {
			v->quality++;
			v->revision = 0;
		} else {
			v->revision++;
		}
		above_purged(st, v);
		return PLAN_BUILD;
	}
	if (st->out_code_id != k->code->id) {
		enum bump cb = k->out_code ? version_change(&k->out_code->version,
							    &k->code->version)
					   : BUMP_QUALITY;
		if (cb > b)
			b = cb;
		if (b == BUMP_NONE)
			b = BUMP_REVISION;
	}
	/* each current input against the parent of its product and date */
	for (size_t i = 0; i < k->in_n; i++) {
		bool found = false;

		for (size_t j = 0; j < k->par_n; j++) {
			enum bump ib;

			if (pp[j].product_id != x[i].product_id ||
			    pp[j].date != x[i].date)
				continue;
			found = true;
			ib = version_change(&pp[j].version, &x[i].version);
			if (ib > b)
				b = ib;
		}
		if (!found)
			b = BUMP_QUALITY; /* an input added */
	}
	if (k->par_n > k->in_n)
		b = BUMP_QUALITY; /* an input removed */
	if (b == BUMP_NONE)
		b = BUMP_REVISION; /* changed, yet no version moved */
	if (b == BUMP_QUALITY) {
		v->quality++;
		v->revision = 0;
	} else {
		v->revision++;
	}
	above_purged(st, v);
	return PLAN_BUILD;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* RUN keys: up to date if the last successful run saw the same */
static bool
run_uptodate(const struct sb_candidate *c, const struct sb_state *st,
	     const struct plan_key *k, const struct sb_input *in)
{
	bool same = c->version_bump < 0 && st->last_code_id == k->code->id &&
		    st->n_last_inputs == k->in_n;
	int64_t *ids = xcalloc(k->in_n + 1, sizeof(*ids));

	for (size_t i = 0; i < k->in_n; i++)
		ids[i] = in[k->in_first + i].file_id;
	qsort(ids, k->in_n, sizeof(*ids), cmp_i64);
	for (size_t i = 0; same && i < k->in_n; i++)
		same = ids[i] == st->last_inputs[i];
	free(ids);
	return same;
}

/* the parents of output id: a run of par[] (sorted by result) */
static void
parents_of(const struct sb_parent *par, size_t npar, int64_t id,
	   size_t *first, size_t *n)
{
	size_t lo = 0, hi = npar;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (par[mid].result < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	*n = 0;
	while (id && lo + *n < npar && par[lo + *n].result == id)
		(*n)++;
}

void
planner_eval_release(struct plan_eval *ev)
{
	free(ev->keys);
	store_state_release(ev->st, ev->n);
	free(ev->st);
	store_inputs_free(ev->in, ev->nin);
	store_parents_free(ev->par, ev->npar);
	memset(ev, 0, sizeof(*ev));
}

int
planner_evaluate(struct planner *p, const struct sb_candidate *c, size_t n,
		 struct plan_eval *ev)
{
	size_t pos = 0;
	int rc;

	memset(ev, 0, sizeof(*ev));
	ev->n = n;
	ev->keys = xcalloc(n + 1, sizeof(*ev->keys));
	ev->st = xcalloc(n + 1, sizeof(*ev->st));
	if ((rc = store_candidate_inputs(p->db, c, n, &ev->in, &ev->nin)) ||
	    (rc = store_candidate_state(p->db, c, n, ev->st, &ev->par,
					&ev->npar)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct sb_process *proc = planner_process(p, c[i].process_id);
		const struct sb_state *st = &ev->st[i];
		struct plan_key *k = &ev->keys[i];

		k->in_first = pos;
		while (pos < ev->nin && ev->in[pos].cand == i) {
			k->has_own |= ev->in[pos].own;
			pos++;
		}
		k->in_n = pos - k->in_first;
		parents_of(ev->par, ev->npar, st->out_id, &k->par_first,
			   &k->par_n);
		k->out_code = find_code(p, st->out_code_id);
		k->verdict = PLAN_NO_INPUT;
		if (!proc)
			continue;
		/* every required input product present? */
		for (size_t l = 0; l < proc->n_links; l++) {
			bool have = false;

			if (proc->links[l].optional)
				continue;
			for (size_t j = 0; j < k->in_n; j++)
				if (ev->in[k->in_first + j].product_id ==
				    proc->links[l].input_product)
					have = true;
			if (!have && !k->missing_product)
				k->missing_product =
					proc->links[l].input_product;
		}
		if (k->missing_product || (k->in_n == 0 && proc->n_links > 0))
			continue;
		/*
		 * A neighbour's data alone never makes an output, nor keeps
		 * one: a key whose own inputs went (a new version of a file
		 * that spanned midnight no longer does) is left, and said so.
		 * RUN keys that ran before are re-evaluated.
		 */
		if (proc->n_links > 0 && !k->has_own &&
		    (c[i].output_product || !st->n_last_inputs)) {
			k->verdict = PLAN_NEIGHBOUR_ONLY;
			continue;
		}
		switch (code_for(p, proc, c[i].key_start, c[i].key_end,
				 &k->code, &k->other)) {
		case PERIOD_CODE_NONE:
			k->verdict = PLAN_NO_CODE;
			continue;
		case PERIOD_CODE_SHARED:
			k->verdict = PLAN_CODES_SHARED;
			continue;
		case PERIOD_CODE_ONE:
			break;
		}
		if (c[i].output_product == 0) {
			k->verdict = run_uptodate(&c[i], st, k, ev->in)
					     ? PLAN_UPTODATE
					     : PLAN_BUILD;
			k->version.interface = k->code->oiv;
		} else {
			k->verdict = decide(&c[i], st, k, ev->par, ev->in,
					    &k->version);
		}
		k->current = k->verdict == PLAN_UPTODATE;
		if (st->bad)
			k->verdict = PLAN_BAD;
		else if (st->open)
			k->verdict = PLAN_OPEN;
	}
	return 0;
}

static void
cache_key(int code_id, const struct sb_input *in, const struct plan_key *k,
	  char out[SHA256_HEX_LEN])
{
	struct sha256_ctx c;
	char buf[64];

	sha256_init(&c);
	snprintf(buf, sizeof(buf), "code:%d", code_id);
	sha256_update(&c, buf, strlen(buf));
	for (size_t i = 0; i < k->in_n; i++) {
		snprintf(buf, sizeof(buf), " %lld",
			 (long long)in[k->in_first + i].file_id);
		sha256_update(&c, buf, strlen(buf));
	}
	sha256_final_hex(&c, out);
}

static void
describe_code(const struct sb_code *c, struct strbuf *sb)
{
	char v[VERSION_STRLEN], d1[DATE_STRLEN], d2[DATE_STRLEN];

	strbuf_addf(sb, "%s %s (%s to %s)", c->filename,
		    version_format(&c->version, v),
		    timeutil_format_date(c->start, d1),
		    timeutil_format_date(c->stop, d2));
}

/*
 * Say what the run leaves as it is (at WARNING: an operator must act) or
 * does not build although it has data (no code: INFO when nothing was
 * built before).
 */
static void
report_refusal(const struct planner *p, const struct sb_process *proc,
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
		if (k->missing_product)
			strbuf_addf(&sb, "required input product \"%s\" has no "
					 "file for it",
				    planner_product_name(p, k->missing_product));
		else
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
			    proc->name, key.buf, sb.buf, k->code->oiv,
			    k->out_code ? k->out_code->oiv
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
		const struct sb_process *proc = planner_process(p, c[i].process_id);
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
			struct strbuf key = STRBUF_INIT;

			store_output_key(&c[i], &key);
			x->process_id = c[i].process_id;
			x->code_id = k->code->id;
			x->output_key = strbuf_detach(&key, NULL);
			x->date = c[i].key_start;
			x->n_inputs = k->in_n;
			x->inputs = xcalloc(k->in_n + 1, sizeof(*x->inputs));
			for (size_t j = 0; j < k->in_n; j++)
				x->inputs[j] = ev.in[k->in_first + j].file_id;
			qsort(x->inputs, k->in_n, sizeof(*x->inputs), cmp_i64);
			x->version = k->version;
			x->version_bump = c[i].version_bump;
			cache_key(k->code->id, ev.in, k, ck);
			x->cache_key = xstrdup(ck);
			if (c[i].output_product) {
				size_t pi = find_product(p, c[i].output_product);
				const char *kw = c[i].keywords;
				struct fnformat_values fv = {
					true, c[i].key_start, 0, &k->version,
					NULL};
				struct strbuf name = STRBUF_INIT,
					      err = STRBUF_INIT;

				/* keywords: the trigger's, else an input's */
				for (size_t j = 0; !kw[0] && j < k->in_n; j++)
					kw = ev.in[k->in_first + j].keywords;
				fv.keywords = kw;
				if (pi == (size_t)-1 ||
				    fnformat_format(p->formats[pi], &fv, &name,
						    &err)) {
					log_error("cannot name the output of "
						  "process \"%s\" for %s: %s",
						  proc->name, x->output_key,
						  err.buf);
					strbuf_release(&name);
					strbuf_release(&err);
					cnt->unrunnable++;
					free(x->output_key);
					free(x->inputs);
					free(x->cache_key);
					memset(x, 0, sizeof(*x));
					continue;
				}
				x->output_filename = strbuf_detach(&name, NULL);
				strbuf_release(&err);
			}
			nb++;
			cnt->planned++;
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
	}
	free(b);
}

/* -o/--only: comma-separated process names or ids */
static bool
only_selects(const char *only, const struct sb_process *proc)
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

static void
add_candidate(struct sb_candidate **c, size_t *n, size_t *alloc,
	      const struct sb_process *proc, int32_t ks, int32_t ke,
	      const char *kw, int bump, bool own)
{
	struct sb_candidate *x;

	ALLOC_GROW(*c, *n + 1, *alloc);
	x = &(*c)[(*n)++];
	memset(x, 0, sizeof(*x));
	x->process_id = proc->id;
	snprintf(x->timebase, sizeof(x->timebase), "%s", proc->timebase);
	x->output_product = proc->output_product;
	x->key_start = ks;
	x->key_end = ke;
	x->keywords = xstrdup(kw);
	x->version_bump = bump;
	x->own = own;
}

static int
cmp_candidate(const void *a, const void *b)
{
	const struct sb_candidate *x = a, *y = b;

	if (x->process_id != y->process_id)
		return x->process_id < y->process_id ? -1 : 1;
	if (x->key_start != y->key_start)
		return x->key_start < y->key_start ? -1 : 1;
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
		int32_t first, last;

		period_span_days(&t[i].span, &first, &last);
		for (size_t pi = 0; pi < p->n_processes; pi++) {
			const struct sb_process *proc = &p->processes[pi];

			if (!only_selects(opt->only, proc) ||
			    (opt->skip_run && proc->tb == PERIOD_RUN))
				continue;
			for (size_t l = 0; l < proc->n_links; l++) {
				const struct sb_link *ln = &proc->links[l];
				struct period_key *k = NULL;
				size_t nk;

				if (ln->input_product != t[i].product_id)
					continue;
				if (!period_by_time(proc->tb)) {
					add_candidate(
						&c, &n, &alloc, proc, t[i].date,
						t[i].date,
						proc->tb == PERIOD_FILE
							? t[i].keywords
							: "",
						t[i].claimed ? t[i].version_bump
							     : -1,
						t[i].claimed);
					continue;
				}
				nk = period_keys(proc->tb, first, last,
						 ln->yesterday, ln->tomorrow, &k);
				for (size_t j = 0; j < nk; j++)
					add_candidate(
						&c, &n, &alloc, proc, k[j].start,
						k[j].end, "",
						t[i].claimed && k[j].own
							? t[i].version_bump
							: -1,
						t[i].claimed && k[j].own);
				free(k);
			}
		}
	}
	if (n)
		qsort(c, n, sizeof(*c), cmp_candidate);
	/* one candidate per key: the strongest forced bump, own if any */
	for (size_t i = 0; i < n; i++) {
		if (m && !cmp_candidate(&c[m - 1], &c[i])) {
			struct sb_candidate *x = &c[m - 1];

			if (c[i].version_bump >= 0 &&
			    (x->version_bump < 0 ||
			     c[i].version_bump < x->version_bump))
				x->version_bump = c[i].version_bump;
			x->own |= c[i].own;
			free(c[i].keywords);
			continue;
		}
		c[m++] = c[i];
	}
	*out = c;
	*nout = m;
}

int
planner_plan_batch(struct planner *p, const struct plan_options *opt,
		   int64_t *batch_id, struct plan_counts *cnt)
{
	struct sb_candidate *c = NULL;
	struct sb_trigger *t = NULL;
	struct sb_build *b = NULL;
	int64_t *files = NULL;
	size_t nc = 0, nf = 0, nb = 0, nt = 0;
	long not_newest = 0;
	int rc;

	*batch_id = 0;
	if (!opt->in_transaction && (rc = db_begin(p->db)))
		return rc;
	rc = store_queue_claim(p->db, opt->batch_size > 0 ? opt->batch_size
							  : 500,
			       p->last_seq, &p->last_seq, &files, &nf,
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
	if ((rc = store_batch_create(p->db, opt->run_id, b, nb, batch_id)) ||
	    (!opt->only && !opt->skip_run &&
	     (rc = store_queue_delete(p->db, files, nf))) ||
	    (!opt->in_transaction && (rc = db_commit(p->db))))
		goto out;
	fault_point("plan-committed");
	log_info("planned batch %lld: %zu queue entries, %zu builds",
		 (long long)*batch_id, nf, nb);
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
	const struct sb_process *proc = planner_process(p, process_id);
	struct sb_candidate *c = NULL;
	struct sb_build *b = NULL;
	size_t nc = 0, nb = 0, alloc = 0;
	int64_t batch_id = 0;
	int rc;

	if (!proc)
		return error("no process with id %d", process_id);
	if (to < from)
		return 0;
	for (int32_t d = from; d <= to;) {
		int32_t ks, ke;

		period_of(proc->tb, d, &ks, &ke);
		add_candidate(&c, &nc, &alloc, proc, ks, ke, "", version_bump,
			      true);
		d = ke + 1;
	}
	if (!opt->in_transaction && (rc = db_begin(p->db)))
		goto out;
	if ((rc = plan_candidates(p, c, nc, &b, &nb, cnt)) ||
	    (rc = store_batch_create(p->db, opt->run_id, b, nb, &batch_id)) ||
	    (!opt->in_transaction && (rc = db_commit(p->db))))
		goto out;
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
	for (size_t pi = 0; pi < p->n_processes; pi++) {
		const struct sb_process *proc = &p->processes[pi];

		if (proc->tb != PERIOD_WEEKLY && proc->tb != PERIOD_MONTHLY &&
		    proc->tb != PERIOD_YEARLY)
			continue;
		/* a change of code can only be at a code's first or last day */
		for (size_t i = 0; i < p->n_codes; i++) {
			const struct sb_code *cd = &p->codes[i];
			int32_t days[2] = {cd->start, cd->stop};

			if (cd->process_id != proc->id || !cd->usable)
				continue;
			for (int e = 0; e < 2; e++) {
				const struct sb_code *code, *other;
				int32_t s, t;
				bool seen = false;

				period_of(proc->tb, days[e], &s, &t);
				if (code_for(p, proc, s, t, &code, &other) !=
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
