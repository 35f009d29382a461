/*
 * plan-rules.c - the planner's decisions over plain structs (see
 * plan-rules.h for the rules; period.c holds those of time).
 */
#include "plan-rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefer-rules.h"
#include "xalloc.h"
#include "banned.h"

const struct process *plan_catalog_process(const struct plan_catalog *cat,
                                           int id) {
  for (size_t i = 0; i < cat->n_processes; i++)
    if (cat->processes[i].id == id)
      return &cat->processes[i];
  return NULL;
}

const struct code *plan_catalog_code(const struct plan_catalog *cat, int id) {
  for (size_t i = 0; id && i < cat->n_processes; i++)
    for (size_t k = 0; k < cat->processes[i].n_codes; k++)
      if (cat->processes[i].codes[k].id == id)
        return &cat->processes[i].codes[k];
  return NULL;
}

bool plan_code_usable(const struct code *c) { return c->active && c->newest; }

enum period_code_result plan_rules_code(const struct process *proc,
                                        int32_t ks, int32_t ke,
                                        const struct code **code,
                                        const struct code **other) {
  struct period_code *pc = xcalloc(proc->n_codes + 1, sizeof(*pc));
  const struct code **map = xcalloc(proc->n_codes + 1, sizeof(*map));
  size_t n = 0, chosen = 0, oth = 0;
  enum period_code_result r;

  for (size_t i = 0; i < proc->n_codes; i++) {
    const struct code *c = &proc->codes[i];

    if (!plan_code_usable(c))
      continue;
    pc[n].id = c->id;
    pc[n].version = c->version;
    pc[n].start = c->start_date;
    pc[n].stop = c->stop_date;
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

static enum bump version_change(const struct version *old,
                                const struct version *cur) {
  if (old->interface != cur->interface || old->quality != cur->quality)
    return BUMP_QUALITY;
  if (old->revision != cur->revision)
    return BUMP_REVISION;
  return BUMP_NONE;
}

/* never a version that was purged: above the newest purged one */
static void above_purged(const struct sb_state *st, struct version *v) {
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

void plan_reasons_release(struct plan_reasons *why) {
  free(why->v);
  memset(why, 0, sizeof(*why));
}

static struct sb_reason *add_reason(struct plan_reasons *why,
                                    enum build_reason kind) {
  struct sb_reason *r;

  ALLOC_GROW(why->v, why->n + 1, why->alloc);
  r = &why->v[why->n++];
  memset(r, 0, sizeof(*r));
  r->kind = kind;
  r->bump = -1;
  return r;
}

/* who asked, a forced bump aside: a schedule, or a command's request */
static void asked_reason(const struct sb_candidate *c,
                         struct plan_reasons *why) {
  struct sb_reason *r;

  if (c->scheduled)
    r = add_reason(why, BUILD_REASON_SCHEDULED);
  else if (c->request)
    r = add_reason(why, BUILD_REASON_REQUESTED);
  else
    return;
  r->by_run = c->by_run;
  r->detail = c->request;
}

/* who asked: a forced bump (of the newest version), else as above */
static void trigger_reasons(const struct sb_candidate *c,
                            const struct sb_state *st,
                            struct plan_reasons *why) {
  struct sb_reason *r;

  if (c->version_bump < 0) {
    asked_reason(c, why);
    return;
  }
  r = add_reason(why, BUILD_REASON_FORCED);
  r->bump = c->version_bump;
  r->old_version = st->out_version;
  r->by_run = c->by_run;
  r->detail = c->request;
}

/* an input reason: its own period's, or a neighbour's */
static struct sb_reason *input_reason(struct plan_reasons *why,
                                      enum build_reason kind, bool own,
                                      int product, int32_t date) {
  struct sb_reason *r = add_reason(why, own ? kind : BUILD_REASON_NEIGHBOUR);

  r->product_id = product;
  r->date = date;
  return r;
}

/*
 * Each current input against the parent of its product and date, and
 * each parent without one: the reasons, and the largest bump they call
 * for (an input added or removed: quality; changed: as its version did)
 */
static enum bump diff_inputs(const struct sb_candidate *c,
                             const struct plan_key *k,
                             const struct sb_parent *pp,
                             const struct sb_input *x,
                             struct plan_reasons *why) {
  enum bump b = BUMP_NONE;

  for (size_t i = 0; i < k->in_n; i++) {
    const struct sb_parent *same = NULL;
    struct sb_reason *r;

    for (size_t j = 0; j < k->par_n; j++)
      if (pp[j].product_id == x[i].product_id && pp[j].date == x[i].date &&
          pp[j].period_number == x[i].period_number)
        same = &pp[j];
    if (same && same->file_id == x[i].file_id)
      continue;
    r = input_reason(why,
                     same ? BUILD_REASON_INPUT_CHANGED
                          : BUILD_REASON_INPUT_ADDED,
                     x[i].own, x[i].product_id, x[i].date);
    r->new_file = x[i].file_id;
    r->new_version = x[i].version;
    if (same) {
      enum bump ib = version_change(&same->version, &x[i].version);

      r->old_file = same->file_id;
      r->old_version = same->version;
      if (ib > b)
        b = ib;
    } else {
      b = BUMP_QUALITY;
    }
  }
  for (size_t j = 0; j < k->par_n; j++) {
    bool found = false;
    struct sb_reason *r;

    for (size_t i = 0; i < k->in_n; i++)
      found |= pp[j].product_id == x[i].product_id &&
               pp[j].date == x[i].date &&
               pp[j].period_number == x[i].period_number;
    if (found)
      continue;
    r = input_reason(why, BUILD_REASON_INPUT_REMOVED,
                     pp[j].date >= c->key_start && pp[j].date <= c->key_end,
                     pp[j].product_id, pp[j].date);
    r->old_file = pp[j].file_id;
    r->old_version = pp[j].version;
    b = BUMP_QUALITY;
  }
  return b;
}

/* another code than the one that made it (old: NULL when not known) */
static enum bump diff_code(int old_id, const struct code *old,
                           const struct code *code,
                           struct plan_reasons *why) {
  struct sb_reason *r;
  enum bump b;

  if (old_id == code->id)
    return BUMP_NONE;
  r = add_reason(why, BUILD_REASON_CODE_CHANGED);
  r->old_code = old_id;
  r->new_code = code->id;
  r->new_version = code->version;
  if (old)
    r->old_version = old->version;
  b = old ? version_change(&old->version, &code->version) : BUMP_QUALITY;
  /* the same version, another code: still another build */
  return b == BUMP_NONE ? BUMP_REVISION : b;
}

static void first_reason(const struct code *code, struct plan_reasons *why) {
  struct sb_reason *r = add_reason(why, BUILD_REASON_FIRST);

  r->new_code = code->id;
  r->new_version = code->version;
}

enum plan_verdict
plan_rules_version(const struct sb_candidate *c, const struct sb_state *st,
                   const struct plan_key *k, const struct sb_parent *par,
                   const struct sb_input *in, struct version *v,
                   struct plan_reasons *why) {
  enum bump b;
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
  below = k->out_code ? k->out_code->output_interface_version : st->out_version.interface;
  if (st->out_id && k->code->output_interface_version < below)
    return PLAN_INTERFACE_BELOW;
  if (!st->out_id) {
    first_reason(k->code, why);
    asked_reason(c, why);
  } else {
    trigger_reasons(c, st, why);
  }
  if (!st->out_id || k->code->output_interface_version > st->out_version.interface) {
    if (st->out_id) {
      diff_code(st->out_code_id, k->out_code, k->code, why);
      diff_inputs(c, k, pp, x, why);
    }
    v->interface = k->code->output_interface_version;
    v->quality = v->revision = 0;
    above_purged(st, v);
    return PLAN_BUILD;
  }

  b = diff_code(st->out_code_id, k->out_code, k->code, why);
  {
    enum bump ib = diff_inputs(c, k, pp, x, why);

    if (ib > b)
      b = ib;
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

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

  return x < y ? -1 : x > y;
}

/* RUN keys: up to date if the last successful run saw the same */
static bool run_uptodate(const struct sb_candidate *c,
                         const struct sb_state *st, const struct plan_key *k,
                         const struct sb_input *in) {
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

void plan_rules_run_reasons(const struct plan_catalog *cat,
                            const struct sb_candidate *c,
                            const struct sb_state *st,
                            const struct plan_key *k,
                            const struct sb_input *in,
                            struct plan_reasons *why) {
  const struct sb_input *x = in + k->in_first;

  if (!st->last_code_id) {
    first_reason(k->code, why);
    asked_reason(c, why);
    return;
  }
  trigger_reasons(c, st, why);
  (void)diff_code(st->last_code_id, plan_catalog_code(cat, st->last_code_id),
                  k->code, why);
  /* its last build's inputs are known by file id only */
  for (size_t i = 0; i < k->in_n; i++) {
    bool seen = false;

    for (size_t j = 0; j < st->n_last_inputs; j++)
      seen |= st->last_inputs[j] == x[i].file_id;
    if (!seen) {
      struct sb_reason *r = input_reason(why, BUILD_REASON_INPUT_ADDED,
                                         x[i].own, x[i].product_id, x[i].date);

      r->new_file = x[i].file_id;
      r->new_version = x[i].version;
    }
  }
  for (size_t j = 0; j < st->n_last_inputs; j++) {
    bool seen = false;

    for (size_t i = 0; i < k->in_n; i++)
      seen |= st->last_inputs[j] == x[i].file_id;
    if (!seen)
      add_reason(why, BUILD_REASON_INPUT_REMOVED)->old_file =
          st->last_inputs[j];
  }
}

/* the parents of output id: a run of par[] (sorted by result) */
static void parents_of(const struct sb_parent *par, size_t npar, int64_t id,
                       size_t *first, size_t *n) {
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

/*
 * The key's candidates in[0..n): its inputs first, what its pins and
 * groups leave out after them (stable); sets k->in_n and k->left_n.
 */
static void choose_inputs(const struct process *proc, struct sb_input *in,
                          size_t n, struct plan_key *k) {
  enum prefer_fate *fate = xcalloc(n + 1, sizeof(*fate));
  size_t kept = prefer_rules_choose(proc, in, n, fate);

  k->in_n = kept;
  k->left_n = n - kept;
  if (kept < n) {
    struct sb_input *tmp = xcalloc(n, sizeof(*tmp));
    size_t a = 0, b = kept;

    for (size_t j = 0; j < n; j++)
      tmp[fate[j] == PREFER_INPUT ? a++ : b++] = in[j];
    memcpy(in, tmp, n * sizeof(*tmp));
    free(tmp);
  }
  free(fate);
}

/*
 * Every required input present?  The missing one (a group's first
 * product) of lowest id into k->missing_product, and whether its pin
 * left files of it out.
 */
static void required_inputs(const struct process *proc,
                            const struct sb_input *x, struct plan_key *k) {
  const struct input *missing = NULL;

  for (size_t l = 0; l < proc->n_inputs; l++) {
    const struct input *inp = &proc->inputs[l];
    bool have = false;

    /* a group once, at its first product */
    if (inp->optional || (inp->group && inp->rank != 0))
      continue;
    for (size_t j = 0; j < k->in_n && !have; j++)
      have = prefer_same_input(inp, prefer_input(proc, x[j].product_id));
    /* the one of lowest id: the inputs are in name order */
    if (!have && (!missing || inp->product_id < missing->product_id))
      missing = inp;
  }
  k->missing_product = missing ? missing->product_id : 0;
  for (size_t j = k->in_n; missing && j < k->in_n + k->left_n; j++) {
    const struct input *y = prefer_input(proc, x[j].product_id);

    k->pin_left |= prefer_same_input(missing, y) &&
                   prefer_pinned_out(y, &x[j].version);
  }
}

void plan_rules_evaluate(const struct plan_catalog *cat,
                         const struct sb_candidate *c, struct plan_eval *ev) {
  size_t pos = 0;

  for (size_t i = 0; i < ev->n; i++) {
    const struct process *proc = plan_catalog_process(cat, c[i].process_id);
    const struct sb_state *st = &ev->st[i];
    struct plan_key *k = &ev->keys[i];

    k->in_first = pos;
    while (pos < ev->nin && ev->in[pos].cand == i)
      pos++;
    choose_inputs(proc, ev->in + k->in_first, pos - k->in_first, k);
    for (size_t j = 0; j < k->in_n; j++)
      k->has_own |= ev->in[k->in_first + j].own;
    parents_of(ev->par, ev->npar, st->out_id, &k->par_first, &k->par_n);
    k->out_code = plan_catalog_code(cat, st->out_code_id);
    k->verdict = PLAN_NO_INPUT;
    if (!proc)
      continue;
    required_inputs(proc, ev->in + k->in_first, k);
    if (k->missing_product || (k->in_n == 0 && proc->n_inputs > 0))
      continue;
    /*
     * A neighbour's data alone never makes an output, nor keeps
     * one: a key whose own inputs went (a new version of a file
     * that spanned midnight no longer does) is left, and said so.
     * RUN keys that ran before are re-evaluated.
     */
    if (proc->n_inputs > 0 && !k->has_own &&
        (c[i].output_product || !st->n_last_inputs)) {
      k->verdict = PLAN_NEIGHBOUR_ONLY;
      continue;
    }
    switch (plan_rules_code(proc, c[i].key_start, c[i].key_end, &k->code,
                            &k->other)) {
    case PERIOD_CODE_NONE:
      k->verdict = PLAN_NO_CODE;
      continue;
    case PERIOD_CODE_SHARED:
      k->verdict = PLAN_CODES_SHARED;
      continue;
    case PERIOD_CODE_ONE:
      break;
    }
    k->why_first = ev->why.n;
    if (c[i].output_product == 0) {
      k->verdict =
          run_uptodate(&c[i], st, k, ev->in) ? PLAN_UPTODATE : PLAN_BUILD;
      k->version.interface = k->code->output_interface_version;
      if (k->verdict == PLAN_BUILD)
        plan_rules_run_reasons(cat, &c[i], st, k, ev->in, &ev->why);
    } else {
      k->verdict = plan_rules_version(&c[i], st, k, ev->par, ev->in,
                                      &k->version, &ev->why);
    }
    k->why_n = ev->why.n - k->why_first;
    k->current = k->verdict == PLAN_UPTODATE;
    if (st->bad)
      k->verdict = PLAN_BAD;
    else if (st->open)
      k->verdict = PLAN_OPEN;
  }
}

void plan_rules_cache_key(int code_id, const struct sb_input *in,
                          const struct plan_key *k, char out[SHA256_HEX_LEN]) {
  struct sha256_ctx c;
  char buf[64];

  sha256_init(&c);
  snprintf(buf, sizeof(buf), "code:%d", code_id);
  sha256_update(&c, buf, strlen(buf));
  for (size_t i = 0; i < k->in_n; i++) {
    snprintf(buf, sizeof(buf), " %lld", (long long)in[k->in_first + i].file_id);
    sha256_update(&c, buf, strlen(buf));
  }
  sha256_final_hex(&c, out);
}

const char *plan_rules_output_keywords(const char *own,
                                       const char *const *in, size_t n) {
  if (own && own[0])
    return own;
  for (size_t i = 0; i < n; i++)
    if (in[i] && in[i][0])
      return in[i];
  return "";
}

size_t
plan_rules_wave(size_t n, const bool *feeds, bool *defer)
{
	size_t waiting = 0;

	for (size_t i = 0; i < n; i++) {
		defer[i] = false;
		for (size_t j = 0; j < n && !defer[i]; j++)
			defer[i] = j != i && feeds[j * n + i] &&
				   !feeds[i * n + j];
		waiting += defer[i];
	}
	return waiting;
}
