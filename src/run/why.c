/*
 * why.c - why nothing ran for a key: the planner's evaluation of it now,
 * with its builds and the queue (see why.h).
 */
#include "why.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "db.h"
#include "log.h"
#include "planner.h"
#include "prefer-rules.h"
#include "orbit.h"
#include "period.h"
#include "store-build.h"
#include "store-orbit.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

const char *
why_verdict_name(enum plan_verdict v)
{
	switch (v) {
	case PLAN_BUILD:
		return "would-build";
	case PLAN_UPTODATE:
		return "up-to-date";
	case PLAN_OPEN:
		return "open";
	case PLAN_BAD:
		return "bad";
	case PLAN_NO_INPUT:
		return "no-input";
	case PLAN_NEIGHBOUR_ONLY:
		return "neighbour-only";
	case PLAN_NO_CODE:
		return "no-code";
	case PLAN_CODES_SHARED:
		return "codes-shared";
	case PLAN_INTERFACE_BELOW:
		return "interface-below";
	}
	return "unknown";
}

void
why_not_release(struct why_not *w)
{
	free(w->output_key);
	free(w->out_filename);
	sw_key_release(&w->builds);
	sw_reasons_free(w->reasons, w->n_reasons);
	strvec_clear(&w->queued);
	strvec_clear(&w->missing_group);
	strvec_clear(&w->pinned_out);
	sw_queued_free(w->upstream, w->n_upstream);
	memset(w, 0, sizeof(*w));
}

/* the name of file id among the key's inputs or its output's parents */
static char *
file_name(const struct plan_eval *ev, const struct plan_key *k, int64_t id)
{
	for (size_t i = 0; id && i < k->in_n; i++)
		if (ev->in[k->in_first + i].file_id == id)
			return xstrdup(ev->in[k->in_first + i].filename);
	for (size_t i = 0; id && i < k->par_n; i++)
		if (ev->par[k->par_first + i].file_id == id)
			return xstrdup(ev->par[k->par_first + i].filename);
	return NULL;
}

static char *
version_text(const struct version *v)
{
	char buf[VERSION_STRLEN];

	return v->interface > 0 ? xstrdup(version_format(v, buf)) : NULL;
}

/* a reason of the rules (ids) with names, as store_build_reasons gives */
static void
name_reason(const struct catalog *cat, const struct plan_eval *ev,
	    const struct plan_key *k, const struct sb_reason *r,
	    struct sw_reason *out)
{
	static const char *const bumps[] = {"interface", "quality",
					    "revision"};
	char d[DATE_STRLEN];

	memset(out, 0, sizeof(*out));
	out->build_id = INT64_MIN;
	out->kind = r->kind;
	if (r->product_id) {
		const struct product *p = catalog_product(cat, r->product_id);

		out->product = xstrdup(p ? p->name : "?");
		out->utc_date = xstrdup(timeutil_format_date(r->date, d));
	}
	out->old_file_id = r->old_file ? r->old_file : INT64_MIN;
	out->new_file_id = r->new_file ? r->new_file : INT64_MIN;
	out->old_filename = file_name(ev, k, r->old_file);
	out->new_filename = file_name(ev, k, r->new_file);
	out->old_version = version_text(&r->old_version);
	out->new_version = version_text(&r->new_version);
	out->old_code_id = r->old_code ? r->old_code : INT64_MIN;
	out->new_code_id = r->new_code ? r->new_code : INT64_MIN;
	if (r->bump >= 0 && r->bump <= 2)
		out->bump = xstrdup(bumps[r->bump]);
	out->logging_id = INT64_MIN;
	if (r->detail)
		out->detail = xstrdup(r->detail);
}

/* its inputs in the queue, and the products upstream of them queued */
static int
queue_state(struct db *db, const struct catalog *cat,
	    const struct process *proc, const struct plan_eval *ev,
	    const struct plan_key *k, struct why_not *w)
{
	int64_t *ids = xcalloc(k->in_n + 1, sizeof(*ids));
	struct sw_queued *q = NULL;
	bool *queued = NULL;
	size_t nq = 0;
	int rc;

	for (size_t i = 0; i < k->in_n; i++)
		ids[i] = ev->in[k->in_first + i].file_id;
	rc = store_queued(db, ids, k->in_n, &queued);
	for (size_t i = 0; !rc && i < k->in_n; i++)
		if (queued[i])
			strvec_push(&w->queued, ev->in[k->in_first + i].filename);
	if (!rc)
		rc = store_why_queue(db, &q, &nq);
	/* the upstream ones move to w */
	w->upstream = xcalloc(nq + 1, sizeof(*w->upstream));
	for (size_t j = 0; !rc && j < nq; j++) {
		bool input = false, feeds = false;

		for (size_t l = 0; l < proc->n_inputs; l++) {
			int in = proc->inputs[l].product_id;

			input |= in == (int)q[j].product_id;
			feeds |= catalog_feeds(cat, (int)q[j].product_id, in);
		}
		if (feeds && !input) {
			w->upstream[w->n_upstream++] = q[j];
			memset(&q[j], 0, sizeof(q[j]));
		}
	}
	sw_queued_free(q, nq);
	free(ids);
	free(queued);
	return rc;
}

/*
 * the missing input's group (its products by preference) and the files
 * its pin left out
 */
static void
missing_input(const struct catalog *cat, const struct plan_eval *ev,
	      const struct plan_key *k, struct why_not *w)
{
	const struct process *proc = w->process;
	const struct input *in = prefer_input(proc, k->missing_product);

	if (!in)
		return;
	w->missing_pin = in->pin;
	for (int r = 0; in->group && r < (int)proc->n_inputs; r++)
		for (size_t l = 0; l < proc->n_inputs; l++)
			if (proc->inputs[l].rank == r &&
			    prefer_same_input(in, &proc->inputs[l])) {
				const struct product *p = catalog_product(
					cat, proc->inputs[l].product_id);

				strvec_push(&w->missing_group,
					    p ? p->name : "?");
			}
	for (size_t j = k->in_n; j < k->in_n + k->left_n; j++) {
		const struct sb_input *x = &ev->in[k->in_first + j];
		const struct input *y = prefer_input(proc, x->product_id);

		if (prefer_same_input(in, y) &&
		    prefer_pinned_out(y, &x->version))
			strvec_push(&w->pinned_out, x->filename);
	}
}

/* what the evaluation of the key says, into w */
static void
take_eval(const struct catalog *cat, struct plan_eval *ev, struct why_not *w)
{
	const struct plan_key *k = &ev->keys[0];
	struct sb_state *st = &ev->st[0];

	w->verdict = k->verdict;
	if (k->missing_product) {
		const struct product *p =
			catalog_product(cat, k->missing_product);

		w->missing_product = p ? p->name : "?";
		missing_input(cat, ev, k, w);
	}
	w->code = k->code;
	w->other = k->other;
	w->out_code = k->out_code;
	w->n_inputs = k->in_n;
	w->out_id = st->out_id;
	w->out_filename = st->out_filename;
	st->out_filename = NULL;
	w->out_version = st->out_version;
	w->reasons = xcalloc(k->why_n + 1, sizeof(*w->reasons));
	w->n_reasons = k->why_n;
	for (size_t i = 0; i < k->why_n; i++)
		name_reason(cat, ev, k, &ev->why.v[k->why_first + i],
			    &w->reasons[i]);
}

/*
 * The key text of process proc as a candidate's period: a day, an hour
 * YYYY-MM-DDTHH, an orbit number of the table.  0, WHY_BAD_KEY
 * (reported), or a db_status.
 */
static int
parse_key(struct db *db, const struct process *proc, const char *text,
	  struct sb_candidate *c)
{
	size_t len = strlen(text);
	int32_t date;

	if (proc->timebase == TIMEBASE_ORBIT) {
		struct so_orbit *o = NULL;
		size_t n = 0;
		char *end;
		long long num = strtoll(text, &end, 10);
		int rc;

		if (!*text || *end || num < 0 || num > ORBIT_MAX_NUMBER) {
			log_error("invalid key \"%s\" of ORBIT process \"%s\": "
				  "expected an orbit number (0 to %lld)",
				  text, proc->name,
				  (long long)ORBIT_MAX_NUMBER);
			return WHY_BAD_KEY;
		}
		if ((rc = store_orbits_list(db, INT64_MIN, INT64_MAX, &o, &n)))
			return rc;
		for (size_t i = 0; i < n; i++)
			if (o[i].number == num) {
				c->period_number = num;
				c->period_start = o[i].start;
				c->period_stop = o[i].stop;
			}
		store_orbits_free(o, n);
		if (c->period_stop <= c->period_start) {
			log_error("orbit %lld is not in the orbit table",
				  num);
			log_hint("\"cascade orbits list\" shows the orbits.");
			return WHY_BAD_KEY;
		}
	} else if (proc->timebase == TIMEBASE_HOURLY) {
		struct period_slot h;
		int hh;

		if (len != 13 || text[10] != 'T' ||
		    timeutil_parse_date(text, 10, &date) ||
		    text[11] < '0' || text[11] > '2' || text[12] < '0' ||
		    text[12] > '9' ||
		    (hh = (text[11] - '0') * 10 + text[12] - '0') > 23) {
			log_error("invalid key \"%s\" of HOURLY process "
				  "\"%s\": expected an hour YYYY-MM-DDTHH",
				  text, proc->name);
			return WHY_BAD_KEY;
		}
		period_hour((int64_t)date * USEC_PER_DAY + hh * USEC_PER_HOUR,
			    &h);
		c->period_number = h.number;
		c->period_start = h.start;
		c->period_stop = h.stop;
	} else {
		if (timeutil_parse_date(text, len, &date)) {
			log_error("invalid date \"%s\": expected YYYY-MM-DD",
				  text);
			return WHY_BAD_KEY;
		}
		timebase_period(proc->timebase, date, &c->key_start,
				&c->key_end);
		return 0;
	}
	c->key_start = timeutil_date_of(c->period_start);
	c->key_end = timeutil_date_of(c->period_stop - 1);
	return 0;
}

int
why_not(struct db *db, const struct catalog *cat, int process_id,
	const char *key_text, const char *keywords, struct why_not *out)
{
	const struct process *proc = catalog_process(cat, process_id);
	struct sb_candidate c = {0};
	struct strbuf key = STRBUF_INIT;
	struct planner *pl = NULL;
	struct plan_eval ev = {0};
	int rc;

	if (!proc)
		BUG("why_not: no process %d", process_id);
	out->process = proc;
	c.process_id = proc->id;
	c.timebase = proc->timebase;
	c.output_product = proc->output_product_id;
	if ((rc = parse_key(db, proc, key_text, &c)))
		return rc;
	c.keywords = (char *)(proc->timebase == TIMEBASE_FILE && keywords
				      ? keywords
				      : "");
	c.version_bump = -1;
	c.own = true;
	out->key_start = c.key_start;
	out->key_end = c.key_end;
	store_output_key(&c, &key);
	out->output_key = strbuf_detach(&key, NULL);
	if ((rc = db_begin(db)))
		return rc;
	if ((rc = planner_new(db, cat, &pl)) ||
	    (rc = planner_evaluate(pl, &c, 1, &ev)))
		goto out;
	take_eval(cat, &ev, out);
	if (!(rc = store_why_key(db, proc->id, out->output_key, out->out_id,
				 &out->builds)))
		rc = queue_state(db, cat, proc, &ev, &ev.keys[0], out);
out:
	if (ev.keys)
		planner_eval_release(&ev);
	planner_free(pl);
	db_rollback(db);
	return rc;
}
