/*
 * plan-rules.c - the planner's decisions over plain structs (see
 * plan-rules.h for the rules; period.c holds those of time).
 */
#include "plan-rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

enum plan_verdict
plan_rules_version(const struct sb_candidate *c, const struct sb_state *st,
                   const struct plan_key *k, const struct sb_parent *par,
                   const struct sb_input *in, struct version *v) {
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
  below = k->out_code ? k->out_code->output_interface_version : st->out_version.interface;
  if (st->out_id && k->code->output_interface_version < below)
    return PLAN_INTERFACE_BELOW;
  if (!st->out_id || k->code->output_interface_version > st->out_version.interface) {
    v->interface = k->code->output_interface_version;
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
    enum bump cb =
        k->out_code ? version_change(&k->out_code->version, &k->code->version)
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

      if (pp[j].product_id != x[i].product_id || pp[j].date != x[i].date)
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

void plan_rules_evaluate(const struct plan_catalog *cat,
                         const struct sb_candidate *c, struct plan_eval *ev) {
  size_t pos = 0;

  for (size_t i = 0; i < ev->n; i++) {
    const struct process *proc = plan_catalog_process(cat, c[i].process_id);
    const struct sb_state *st = &ev->st[i];
    struct plan_key *k = &ev->keys[i];

    k->in_first = pos;
    while (pos < ev->nin && ev->in[pos].cand == i) {
      k->has_own |= ev->in[pos].own;
      pos++;
    }
    k->in_n = pos - k->in_first;
    parents_of(ev->par, ev->npar, st->out_id, &k->par_first, &k->par_n);
    k->out_code = plan_catalog_code(cat, st->out_code_id);
    k->verdict = PLAN_NO_INPUT;
    if (!proc)
      continue;
    /* every required input product present? */
    for (size_t l = 0; l < proc->n_inputs; l++) {
      int want = proc->inputs[l].product_id;
      bool have = false;

      if (proc->inputs[l].optional)
        continue;
      for (size_t j = 0; j < k->in_n; j++)
        if (ev->in[k->in_first + j].product_id == want)
          have = true;
      /* the one of lowest id: the inputs are in name order */
      if (!have && (!k->missing_product || want < k->missing_product))
        k->missing_product = want;
    }
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
    if (c[i].output_product == 0) {
      k->verdict =
          run_uptodate(&c[i], st, k, ev->in) ? PLAN_UPTODATE : PLAN_BUILD;
      k->version.interface = k->code->output_interface_version;
    } else {
      k->verdict =
          plan_rules_version(&c[i], st, k, ev->par, ev->in, &k->version);
    }
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
