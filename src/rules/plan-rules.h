/*
 * plan-rules.h - the planner's decisions, pure: what the rules say of a
 * (process, output key) given what the database holds about it.
 *
 * Plain structs in (the candidates, their inputs, their state:
 * store-build.h's structs, read by the planner; the processes and codes:
 * model.h's, the catalog's),
 * plain structs out; no I/O, no logging.  planner.c fetches, calls
 * plan_rules_evaluate and stores; "check" and "config apply" ask the
 * same function through planner_evaluate.  tests/unit/test-plan-rules.c
 * holds the rules as tables.
 *
 * The rules (planner.h says them in prose, docs/architecture.md too):
 *
 *  - inputs: of the candidates the database found, those the inputs'
 *    pins and groups choose (prefer-rules.h);
 *  - runnable: every required input product (or input group) has a file
 *    for the key, the
 *    key has an input in its own period (a neighbour's data alone never
 *    makes or keeps an output; a RUN key that ran before is
 *    re-evaluated), and one code builds its period (period_code);
 *  - up to date: its newest output was made by the same code from the
 *    same input files and no bump is forced (RUN: its last successful
 *    build);
 *  - a bad build of the key wins over everything, then an open one;
 *  - the next version (plan_rules_version): the first output of a key,
 *    or the first by a code of a higher output interface, is
 *    output_interface_version.0.0; a code of a lower one than the code
 *    of the newest output does not build; a forced bump moves that
 *    component of the newest version (lower ones reset); otherwise a
 *    changed interface or quality of the code or of an input, or an
 *    input added or removed, bumps quality, a changed revision (or
 *    anything else changed) bumps revision; a version not above the
 *    newest purged one of its interface becomes that one's next
 *    revision;
 *  - the cache key: SHA-256 of the code id and the input file ids;
 *  - why a key is built (plan_rules_version, struct sb_reason, kinds in
 *    state.h): the first output of the key, or each thing that differs
 *    from what made its newest output (RUN: its last successful build):
 *    the code, every input added, removed or changed (an input outside
 *    the key's own period: a neighbour's), a forced bump, and who asked;
 *    the version bump is the largest its reasons call for.
 */
#ifndef CASCADE_PLAN_RULES_H
#define CASCADE_PLAN_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "period.h"
#include "sha.h"
#include "store-build.h"
#include "version.h"

/* What the rules say of one key. */
enum plan_verdict {
  PLAN_BUILD,           /* (re)build it, as version */
  PLAN_UPTODATE,        /* its newest output is current */
  PLAN_OPEN,            /* a build of it is queued or running */
  PLAN_BAD,             /* a bad build of it is left for a person */
  PLAN_NO_INPUT,        /* no input, or a required product has none */
  PLAN_NEIGHBOUR_ONLY,  /* inputs in its window only, none its own */
  PLAN_NO_CODE,         /* no code is valid within its period */
  PLAN_CODES_SHARED,    /* two codes are valid within its period */
  PLAN_INTERFACE_BELOW, /* its code's interface is below its output's */
};

struct plan_key {
  enum plan_verdict verdict;
  struct version version;         /* PLAN_BUILD: the new output's */
  const struct code *code;     /* the period's code, or NULL */
  const struct code *other;    /* PLAN_CODES_SHARED: the other one */
  const struct code *out_code; /* made its newest output, or NULL */
  int missing_product;            /* PLAN_NO_INPUT: that product (an
                                     input group's: its first), or 0 */
  bool pin_left;                  /* PLAN_NO_INPUT: that input's pin left
                                     files of it out */
  bool has_own;                   /* an input in its own period */
  bool current;                   /* its newest output is up to date
                                     (also when a build is bad or open) */
  size_t in_first, in_n;          /* its inputs: in[in_first..] */
  size_t left_n;                  /* then the candidates its pins and
                                     input groups left out
                                     (prefer-rules.h) */
  size_t par_first, par_n;        /* its newest output's parents */
  size_t why_first, why_n;        /* why it is built: why.v[why_first..]
                                     (PLAN_BUILD, and a bad or open key
                                     that would be) */
};

/* A growing list of reasons (plan_eval's, or a test's). */
struct plan_reasons {
  struct sb_reason *v;
  size_t n, alloc;
};

/*
 * The evaluation of n candidates: per candidate keys[i] and st[i]; the
 * inputs (ordered by candidate) and parents (ordered by result, then
 * file id) the keys point into.  Release with planner_eval_release.
 */
struct plan_eval {
  size_t n;
  struct plan_key *keys;
  struct sb_state *st;
  struct sb_input *in;
  size_t nin;
  struct sb_parent *par;
  size_t npar;
  struct plan_reasons why; /* the keys' reasons, by key */
};

/*
 * The processes (with their inputs and codes, model.h) the rules choose
 * among, borrowed: the catalog's (catalog.h), or a test's table.
 */
struct plan_catalog {
  const struct process *processes;
  size_t n_processes;
};

/* plan_catalog_process/_code: the one with that id, or NULL. */
const struct process *plan_catalog_process(const struct plan_catalog *cat,
                                           int id);
const struct code *plan_catalog_code(const struct plan_catalog *cat, int id);

/*
 * plan_code_usable: whether the planner may choose code c: active, and
 * the newest version of its interface (the database's newest_version).
 */
bool plan_code_usable(const struct code *c);

/*
 * plan_rules_code: the code rule for process proc and period [ks, ke]:
 * its usable codes (active, newest version of their interface) handed
 * to period_code; *code (NULL for none) and *other (PERIOD_CODE_SHARED)
 * point into proc.
 */
enum period_code_result plan_rules_code(const struct process *proc,
                                        int32_t ks, int32_t ke,
                                        const struct code **code,
                                        const struct code **other);

/*
 * plan_rules_evaluate: the verdict of every candidate c[0..ev->n) from
 * ev->st, ev->in and ev->par (filled by the caller), into ev->keys
 * (allocated by the caller, zeroed).  Each candidate's slice of ev->in
 * is reordered: its inputs first, what its pins and groups left out
 * after them (plan_key.left_n), each part in its order.
 */
void plan_rules_evaluate(const struct plan_catalog *cat,
                         const struct sb_candidate *c, struct plan_eval *ev);

/*
 * plan_rules_version: for a key of an output product whose code k->code
 * is chosen and whose inputs and parents k points at in in[] and par[]:
 * PLAN_UPTODATE, PLAN_INTERFACE_BELOW, or PLAN_BUILD with the new
 * output's version in *v and the reasons appended to why (their detail
 * borrowed from c).
 */
enum plan_verdict
plan_rules_version(const struct sb_candidate *c, const struct sb_state *st,
                   const struct plan_key *k, const struct sb_parent *par,
                   const struct sb_input *in, struct version *v,
                   struct plan_reasons *why);

/*
 * plan_rules_run_reasons: why RUN key k (not up to date) is run: its
 * first run, or what differs from its last successful build (code,
 * input files), a forced bump and who asked; appended to why.  cat
 * gives the old code.
 */
void plan_rules_run_reasons(const struct plan_catalog *cat,
                            const struct sb_candidate *c,
                            const struct sb_state *st,
                            const struct plan_key *k,
                            const struct sb_input *in,
                            struct plan_reasons *why);

/* plan_reasons_release: free the list; it is empty again. */
void plan_reasons_release(struct plan_reasons *why);

/*
 * plan_rules_cache_key: the build's cache key, the hex SHA-256 of
 * "code:ID" and " FILE_ID" for each input of k in order.
 */
void plan_rules_cache_key(int code_id, const struct sb_input *in,
                          const struct plan_key *k, char out[SHA256_HEX_LEN]);

/*
 * plan_rules_output_keywords: the process_keywords of a build's output,
 * one rule for the planner (which names the output) and the runner
 * (which files it): the key's own (own: a FILE key's, else "" or NULL),
 * else the first non-empty one of its inputs' in[0..n), the inputs
 * ordered by product, date and file id.  Borrowed; "" for none.
 */
const char *plan_rules_output_keywords(const char *own,
                                       const char *const *in, size_t n);

/*
 * plan_rules_wave: which of the n products with queue entries wait for a
 * later round.  feeds[j * n + i] says whether product j's files lead,
 * through processes, to product i's (directly or not).  Product i waits
 * when another queued product j feeds it and is not fed by it: planned
 * now, i's children would be made from part of their inputs while j's
 * entries are still making the rest (a week from the days recorded
 * before a kill, and again as a new version).  Products that feed one
 * another (a cycle) do not hold each other back.  Some product is always
 * left free when n > 0: the relation is a strict partial order.
 * Sets defer[0..n) and returns how many wait.
 */
size_t plan_rules_wave(size_t n, const bool *feeds, bool *defer);

#endif
