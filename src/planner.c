/*
 * planner.c - queued files -> builds (see planner.h for the rules).
 *
 * Owns the decisions: runnable or not, up to date or not, which version.
 * The SQL that feeds them (claim, inputs, state) is store-build.c's and
 * works on the whole batch at once.
 */
#include "planner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "fault.h"
#include "fnformat.h"
#include "log.h"
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
	    store_processes_load(db, &p->processes, &p->n_processes)) {
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
	free(p);
}

static const struct sb_process *
find_process(const struct planner *p, int id)
{
	for (size_t i = 0; i < p->n_processes; i++)
		if (p->processes[i].id == id)
			return &p->processes[i];
	return NULL;
}

static size_t
find_product(const struct planner *p, int id)
{
	for (size_t i = 0; i < p->n_products; i++)
		if (p->products[i].id == id)
			return i;
	return (size_t)-1;
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

/* the inputs of candidate ci: a contiguous run of in[] (sorted by cand) */
struct span {
	size_t first, n;
};

/*
 * decide: the version of a new output of candidate c, or false when the
 * key is up to date.
 */
static bool
decide(const struct sb_candidate *c, const struct sb_state *st,
       const struct sb_parent *par, size_t npar, const struct sb_input *in,
       struct span sp, struct version *v)
{
	enum bump b = BUMP_NONE;
	bool same_inputs;
	size_t nparents = 0, first = 0;

	if (!st->out_id) {
		v->interface = st->code_oiv;
		v->quality = 0;
		v->revision = 0;
		return true;
	}
	/* the existing output's parents: a contiguous run of par[] */
	for (size_t i = 0; i < npar; i++) {
		if (par[i].result != st->out_id)
			continue;
		if (!nparents)
			first = i;
		nparents++;
	}
	same_inputs = nparents == sp.n;
	/* inputs are sorted by product and date, parents by file id */
	for (size_t i = 0; same_inputs && i < sp.n; i++) {
		bool found = false;

		for (size_t k = 0; k < nparents; k++)
			if (par[first + k].file_id == in[sp.first + i].file_id)
				found = true;
		same_inputs = found;
	}
	if (c->version_bump < 0 && same_inputs &&
	    st->out_code_id == st->code_id)
		return false;

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
		return true;
	}
	if (st->code_oiv > st->out_version.interface) {
		v->interface = st->code_oiv;
		v->quality = v->revision = 0;
		return true;
	}
	if (st->out_code_id != st->code_id) {
		enum bump cb = st->out_code_id
				       ? version_change(&st->out_code_version,
							&st->code_version)
				       : BUMP_QUALITY;
		if (cb > b)
			b = cb;
		if (b == BUMP_NONE)
			b = BUMP_REVISION;
	}
	/* each current input against the parent of its product and date */
	for (size_t i = 0; i < sp.n; i++) {
		const struct sb_input *x = &in[sp.first + i];
		bool found = false;

		for (size_t k = 0; k < nparents; k++) {
			const struct sb_parent *pp = &par[first + k];
			enum bump ib;

			if (pp->product_id != x->product_id ||
			    pp->date != x->date)
				continue;
			found = true;
			ib = version_change(&pp->version, &x->version);
			if (ib > b)
				b = ib;
		}
		if (!found)
			b = BUMP_QUALITY; /* an input added */
	}
	if (nparents > sp.n)
		b = BUMP_QUALITY; /* an input removed */
	if (b == BUMP_NONE)
		b = BUMP_REVISION; /* changed, yet no version moved */
	if (b == BUMP_QUALITY) {
		v->quality++;
		v->revision = 0;
	} else {
		v->revision++;
	}
	return true;
}

static void
cache_key(int code_id, const struct sb_input *in, struct span sp,
	  char out[SHA256_HEX_LEN])
{
	struct sha256_ctx c;
	char buf[64];

	sha256_init(&c);
	snprintf(buf, sizeof(buf), "code:%d", code_id);
	sha256_update(&c, buf, strlen(buf));
	for (size_t i = 0; i < sp.n; i++) {
		snprintf(buf, sizeof(buf), " %lld",
			 (long long)in[sp.first + i].file_id);
		sha256_update(&c, buf, strlen(buf));
	}
	sha256_final_hex(&c, out);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* plan the candidates; fills builds[] (caller releases) */
static int
plan_candidates(struct planner *p, const struct sb_candidate *c, size_t n,
		struct sb_build **out, size_t *nout, struct plan_counts *cnt)
{
	struct sb_input *in = NULL;
	struct sb_state *st = xcalloc(n + 1, sizeof(*st));
	struct sb_parent *par = NULL;
	struct sb_build *b = xcalloc(n + 1, sizeof(*b));
	size_t nin = 0, npar = 0, nb = 0, pos = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = store_candidate_inputs(p->db, c, n, &in, &nin)) ||
	    (rc = store_candidate_state(p->db, c, n, st, &par, &npar)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct sb_process *proc = find_process(p, c[i].process_id);
		struct span sp = {pos, 0};
		bool runnable = true, has_own = false;
		struct version v = {0, 0, 0};
		char ck[SHA256_HEX_LEN];

		while (pos < nin && in[pos].cand == i) {
			has_own |= in[pos].own;
			pos++;
		}
		sp.n = pos - sp.first;
		cnt->candidates++;
		if (!proc)
			continue;
		/* every required input product present? */
		for (size_t l = 0; l < proc->n_links; l++) {
			bool have = false;

			if (proc->links[l].optional)
				continue;
			for (size_t k = 0; k < sp.n; k++)
				if (in[sp.first + k].product_id ==
				    proc->links[l].input_product)
					have = true;
			runnable &= have;
		}
		if (!runnable || (sp.n == 0 && proc->n_links > 0) ||
		    !st[i].code_id) {
			cnt->unrunnable++;
			continue;
		}
		/* a neighbour's data alone never creates an output */
		if (proc->n_links > 0 && !has_own && !st[i].out_id &&
		    !st[i].n_last_inputs) {
			cnt->unrunnable++;
			continue;
		}
		if (st[i].bad) {
			cnt->bad++;
			continue;
		}
		if (st[i].open) {
			cnt->open++;
			continue;
		}
		if (c[i].output_product == 0) {
			/* RUN: up to date if the last run saw the same */
			bool same = c[i].version_bump < 0 &&
				    st[i].last_code_id == st[i].code_id &&
				    st[i].n_last_inputs == sp.n;
			int64_t *ids = xcalloc(sp.n + 1, sizeof(*ids));

			for (size_t k = 0; k < sp.n; k++)
				ids[k] = in[sp.first + k].file_id;
			qsort(ids, sp.n, sizeof(*ids), cmp_i64);
			for (size_t k = 0; same && k < sp.n; k++)
				same = ids[k] == st[i].last_inputs[k];
			free(ids);
			if (same) {
				cnt->uptodate++;
				continue;
			}
			v.interface = st[i].code_oiv;
		} else if (!decide(&c[i], &st[i], par, npar, in, sp, &v)) {
			cnt->uptodate++;
			continue;
		}

		{
			struct sb_build *x = &b[nb];
			struct strbuf key = STRBUF_INIT;

			store_output_key(&c[i], &key);
			x->process_id = c[i].process_id;
			x->code_id = st[i].code_id;
			x->output_key = strbuf_detach(&key, NULL);
			x->date = c[i].key_start;
			x->n_inputs = sp.n;
			x->inputs = xcalloc(sp.n + 1, sizeof(*x->inputs));
			for (size_t k = 0; k < sp.n; k++)
				x->inputs[k] = in[sp.first + k].file_id;
			qsort(x->inputs, sp.n, sizeof(*x->inputs), cmp_i64);
			x->version = v;
			x->version_bump = c[i].version_bump;
			cache_key(st[i].code_id, in, sp, ck);
			x->cache_key = xstrdup(ck);
			if (c[i].output_product) {
				size_t pi = find_product(p, c[i].output_product);
				const char *kw = c[i].keywords;
				struct fnformat_values fv = {
					true, c[i].key_start, 0, &v, NULL};
				struct strbuf name = STRBUF_INIT,
					      err = STRBUF_INIT;

				/* keywords: the trigger's, else an input's */
				for (size_t k = 0; !kw[0] && k < sp.n; k++)
					kw = in[sp.first + k].keywords;
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
	store_inputs_free(in, nin);
	store_state_release(st, n);
	free(st);
	free(par);
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

int
planner_plan_batch(struct planner *p, const struct plan_options *opt,
		   int64_t *batch_id, struct plan_counts *cnt)
{
	struct sb_candidate *c = NULL;
	struct sb_build *b = NULL;
	int64_t *files = NULL;
	size_t nc = 0, nf = 0, nb = 0;
	long not_newest = 0;
	int rc;

	*batch_id = 0;
	if (!opt->in_transaction && (rc = db_begin(p->db)))
		return rc;
	rc = store_queue_claim(p->db, opt->batch_size > 0 ? opt->batch_size
							  : 500,
			       opt->only, opt->skip_run, p->last_seq,
			       &p->last_seq, &c, &nc, &files, &nf,
			       &not_newest);
	if (rc || nf == 0)
		goto out;
	cnt->claimed += (long)nf;
	cnt->not_newest += not_newest;
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
	const struct sb_process *proc = find_process(p, process_id);
	struct sb_candidate *c = NULL;
	struct sb_build *b = NULL;
	size_t nc = 0, nb = 0;
	int64_t batch_id = 0;
	int rc;

	if (!proc)
		return error("no process with id %d", process_id);
	if (to < from)
		return 0;
	c = xcalloc((size_t)(to - from) + 2, sizeof(*c));
	for (int32_t d = from; d <= to; d++) {
		int y, m, dd;
		int32_t ks = d, ke = d;

		timeutil_ymd_from_days(d, &y, &m, &dd);
		if (!strcmp(proc->timebase, "WEEKLY")) {
			ks = d - timeutil_weekday(d);
			ke = ks + 6;
		} else if (!strcmp(proc->timebase, "MONTHLY")) {
			ks = timeutil_days_from_ymd(y, m, 1);
			ke = ks + timeutil_days_in_month(y, m) - 1;
		} else if (!strcmp(proc->timebase, "YEARLY")) {
			ks = timeutil_days_from_ymd(y, 1, 1);
			ke = timeutil_days_from_ymd(y + 1, 1, 1) - 1;
		}
		if (nc && c[nc - 1].key_start == ks)
			continue;
		c[nc].process_id = process_id;
		snprintf(c[nc].timebase, sizeof(c[nc].timebase), "%s",
			 proc->timebase);
		c[nc].output_product = proc->output_product;
		c[nc].key_start = ks;
		c[nc].key_end = ke;
		c[nc].keywords = xstrdup("");
		c[nc].version_bump = version_bump;
		c[nc].own = true;
		nc++;
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
