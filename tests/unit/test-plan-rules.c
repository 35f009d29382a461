/*
 * test-plan-rules.c - the planner's decisions, as tables: the next
 * version (first output, forced bumps from the newest version, interface,
 * quality and revision bumps from the code and the inputs, purged
 * versions never taken again), why each key is built (its reasons, in
 * the same tables), which keys are runnable (required inputs, a
 * neighbour's data never making an output, the code rule), up to date,
 * bad or open, and the cache key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan-rules.h"
#include "sha.h"
#include "unit.h"

static struct version V(const char *s) {
  struct version v = {0, 0, 0};

  if (s && version_parse(s, strlen(s), &v))
    CU_FAIL("bad version in a test table");
  return v;
}

/* "PRODUCT:DATE:FILE_ID:I.Q.R" */
static void
file_of(const char *s, int *product, int32_t *date, int64_t *id,
        struct version *v) {
  char ver[32];
  long long fid;
  int d;

  if (sscanf(s, "%d:%d:%lld:%31[0-9.]", product, &d, &fid, ver) != 4)
    CU_FAIL("bad file in a test table");
  *date = d;
  *id = fid;
  *v = V(ver);
}

/* "P:D:ID:VERSION@N": a file of period number N (an hour, an orbit) */
static int64_t period_of(const char *s) {
  const char *at = strchr(s, '@');

  return at ? strtoll(at + 1, NULL, 10) : 0;
}

#define MAXF 4

struct vcode {
  int id; /* 0: none (the newest output's code is not known) */
  const char *version;
  int oiv;
};

static const struct vcase {
  const char *what;
  int bump;              /* forced: -1 none, 0 interface .. 2 revision */
  const char *out;       /* the newest output's version, NULL: none */
  struct vcode out_code; /* the code that made it */
  struct vcode code;     /* the period's code now */
  const char *par[MAXF]; /* the newest output's parents */
  const char *in[MAXF];  /* the key's inputs now */
  const char *purged[3]; /* versions of the key purged */
  enum plan_verdict want;
  const char *want_v;
  const char *why;       /* its reasons (why_text) */
  const char *request;   /* who asked: the queue entry's reason */
  int64_t by_run;        /* and its run */
  bool scheduled;        /* a schedule's due key (request: which) */
  const char *period_was; /* the period its output was built for, when
                             that is not the key's now (an orbit moved) */
} version_cases[] = {
    {"an orbit moved, inputs and code the same: quality, period-changed",
     -1,
     "1.0.0",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0@3"},
     {"2:10:501:1.0.0@3"},
     {NULL},
     PLAN_BUILD,
     "1.1.0",
     "period-changed (2024-03-01T03:00:00Z to 2024-03-01T04:30:00Z)",
     NULL,
     0,
     false,
     "2024-03-01T03:00:00Z to 2024-03-01T04:30:00Z"},
    {"its period unmoved, the same inputs: up to date",
     -1,
     "1.0.0",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0@3"},
     {"2:10:501:1.0.0@3"},
     {NULL},
     PLAN_UPTODATE,
     NULL,
     "",
     NULL,
     0,
     false,
     NULL},
    {"hours of one date are other files: the next hour is added, not a "
     "change of the first",
     -1,
     "1.0.0",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0@240"},
     {"2:10:501:1.0.0@240", "2:10:502:1.0.0@241"},
     {NULL},
     PLAN_BUILD,
     "1.1.0",
     "input-added 2:10 +502",
     NULL,
     0,
     false,
     NULL},
    {"a new version of one hour: that hour's input changed",
     -1,
     "1.0.0",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0@240", "2:10:502:1.0.0@241"},
     {"2:10:501:1.0.0@240", "2:10:503:1.0.1@241"},
     {NULL},
     PLAN_BUILD,
     "1.0.1",
     "input-changed 2:10 502>503",
     NULL,
     0,
     false,
     NULL},
    {"first output: interface of the code's output",
     -1,
     NULL,
     {0},
     {1, "1.0.0", 1},
     {NULL},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.0.0",
     "first c1",
     NULL,
     0,
     false,
     NULL},
    {"first output of a code of output interface 3",
     -1,
     NULL,
     {0},
     {1, "1.4.2", 3},
     {NULL},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "3.0.0",
     "first c1",
     NULL,
     0,
     false,
     NULL},
    {"same code, same inputs: up to date",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0", "3:10:601:1.0.0"},
     {"2:10:501:1.0.0", "3:10:601:1.0.0"},
     {NULL},
     PLAN_UPTODATE,
     NULL,
     "",
     NULL,
     0,
     false,
     NULL},
    {"forced interface bump from the newest version",
     0,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "2.0.0",
     "forced bump0",
     NULL,
     0,
     false,
     NULL},
    {"forced quality bump",
     1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "forced bump1",
     NULL,
     0,
     false,
     NULL},
    {"forced revision bump",
     2,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.2.4",
     "forced bump2",
     NULL,
     0,
     false,
     NULL},
    {"forced revision bump wins over a changed input's quality",
     2,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:502:1.1.0"},
     {NULL},
     PLAN_BUILD,
     "1.2.4",
     "forced bump2, input-changed 2:10 501>502",
     NULL,
     0,
     false,
     NULL},
    {"forced bump, code of a higher interface: its interface",
     2,
     "1.2.3",
     {1, "1.0.0", 1},
     {2, "2.0.0", 2},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "2.0.0",
     "forced bump2, code-changed c1>c2",
     NULL,
     0,
     false,
     NULL},
    {"input revision changed: revision bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:502:1.0.1"},
     {NULL},
     PLAN_BUILD,
     "1.2.4",
     "input-changed 2:10 501>502",
     NULL,
     0,
     false,
     NULL},
    {"input quality changed: quality bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:502:1.1.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "input-changed 2:10 501>502",
     NULL,
     0,
     false,
     NULL},
    {"input interface changed: quality bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:502:2.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "input-changed 2:10 501>502",
     NULL,
     0,
     false,
     NULL},
    {"one of two inputs changed revision",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0", "3:10:601:1.0.0"},
     {"2:10:501:1.0.0", "3:10:602:1.0.1"},
     {NULL},
     PLAN_BUILD,
     "1.2.4",
     "input-changed 3:10 601>602",
     NULL,
     0,
     false,
     NULL},
    {"input added: quality bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0", "3:10:601:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "input-added 3:10 +601",
     NULL,
     0,
     false,
     NULL},
    {"input of another date added: quality bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:9:499:1.0.0", "2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "neighbour-changed 2:9 +499",
     NULL,
     0,
     false,
     NULL},
    {"input removed: quality bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0", "3:10:601:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "input-removed 3:10 -601",
     NULL,
     0,
     false,
     NULL},
    {"another file, same version: revision bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:777:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.2.4",
     "input-changed 2:10 501>777",
     NULL,
     0,
     false,
     NULL},
    {"code revision changed: revision bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {2, "1.0.1", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.2.4",
     "code-changed c1>c2",
     NULL,
     0,
     false,
     NULL},
    {"code quality changed: quality bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {2, "1.1.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "code-changed c1>c2",
     NULL,
     0,
     false,
     NULL},
    {"code interface changed, same output interface: quality bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {2, "2.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "code-changed c1>c2",
     NULL,
     0,
     false,
     NULL},
    {"another code of the same version: revision bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {2, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.2.4",
     "code-changed c1>c2",
     NULL,
     0,
     false,
     NULL},
    {"code revision and input quality: quality wins",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {2, "1.0.1", 1},
     {"2:10:501:1.0.0"},
     {"2:10:502:1.1.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "code-changed c1>c2, input-changed 2:10 501>502",
     NULL,
     0,
     false,
     NULL},
    {"code of a higher output interface: new interface",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {2, "2.0.0", 2},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "2.0.0",
     "code-changed c1>c2",
     NULL,
     0,
     false,
     NULL},
    {"code of a lower output interface than the newest's: refused",
     -1,
     "2.0.0",
     {1, "2.0.0", 2},
     {2, "1.5.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:502:1.1.0"},
     {NULL},
     PLAN_INTERFACE_BELOW,
     NULL,
     "",
     NULL,
     0,
     false,
     NULL},
    {"unknown code of the newest output, lower interface: refused",
     -1,
     "2.0.0",
     {0},
     {2, "1.5.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_INTERFACE_BELOW,
     NULL,
     "",
     NULL,
     0,
     false,
     NULL},
    {"unknown code of the newest output: quality bump",
     -1,
     "1.2.3",
     {0},
     {2, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "code-changed c0>c2",
     NULL,
     0,
     false,
     NULL},
    {"first output, its version purged: the next revision",
     -1,
     NULL,
     {0},
     {1, "1.0.0", 1},
     {NULL},
     {"2:10:501:1.0.0"},
     {"1.0.0"},
     PLAN_BUILD,
     "1.0.1",
     "first c1",
     NULL,
     0,
     false,
     NULL},
    {"above the newest purged of its interface only",
     -1,
     NULL,
     {0},
     {1, "1.0.0", 1},
     {NULL},
     {"2:10:501:1.0.0"},
     {"1.0.3", "1.0.0", "2.5.0"},
     PLAN_BUILD,
     "1.0.4",
     "first c1",
     NULL,
     0,
     false,
     NULL},
    {"quality bump onto a purged version",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:502:1.1.0"},
     {"1.3.0"},
     PLAN_BUILD,
     "1.3.1",
     "input-changed 2:10 501>502",
     NULL,
     0,
     false,
     NULL},
    {"forced bump below a purged version: above it",
     2,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {"1.4.0"},
     PLAN_BUILD,
     "1.4.1",
     "forced bump2",
     NULL,
     0,
     false,
     NULL},
    {"purged versions of another interface do not count",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:502:1.0.1"},
     {"2.5.0"},
     PLAN_BUILD,
     "1.2.4",
     "input-changed 2:10 501>502",
     NULL,
     0,
     false,
     NULL},
    {"a neighbour's input removed: quality bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:9:499:1.0.0", "2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "neighbour-changed 2:9 -499",
     NULL,
     0,
     false,
     NULL},
    {"a neighbour's input changed revision: revision bump",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:9:499:1.0.0", "2:10:501:1.0.0"},
     {"2:9:498:1.0.1", "2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.2.4",
     "neighbour-changed 2:9 499>498",
     NULL,
     0,
     false,
     NULL},
    {"reprocess queued it and an input changed: both said",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:502:1.0.1"},
     {NULL},
     PLAN_BUILD,
     "1.2.4",
     "requested by7 (reprocess), input-changed 2:10 501>502",
     "reprocess",
     7,
     false,
     NULL},
    {"a first output asked for by run-process",
     -1,
     NULL,
     {0},
     {1, "1.0.0", 1},
     {NULL},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.0.0",
     "first c1, requested by3 (run-process)",
     "run-process",
     3,
     false,
     NULL},
    {"a forced bump names who asked",
     1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_BUILD,
     "1.3.0",
     "forced bump1 by7 (reprocess)",
     "reprocess",
     7,
     false,
     NULL},
    {"asked for, yet up to date: not built, no reason",
     -1,
     "1.2.3",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {"2:10:501:1.0.0"},
     {"2:10:501:1.0.0"},
     {NULL},
     PLAN_UPTODATE,
     NULL,
     "",
     "reprocess",
     7,
     false,
     NULL},
    {"a scheduled first output: first, and the schedule",
     -1,
     NULL,
     {0},
     {1, "1.0.0", 1},
     {NULL},
     {NULL},
     {NULL},
     PLAN_BUILD,
     "1.0.0",
     "first c1, scheduled by4 (DAILY from 2024-01-01, lag 1 day(s))",
     "DAILY from 2024-01-01, lag 1 day(s)",
     4,
     true,
     NULL},
    {"a forced bump of a scheduled key: the bump says who",
     2,
     "1.0.0",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {NULL},
     {NULL},
     {NULL},
     PLAN_BUILD,
     "1.0.1",
     "forced bump2 by4 (DAILY from 2024-01-01, lag 1 day(s))",
     "DAILY from 2024-01-01, lag 1 day(s)",
     4,
     true,
     NULL},
    {"a scheduled key already built: up to date",
     -1,
     "1.0.0",
     {1, "1.0.0", 1},
     {1, "1.0.0", 1},
     {NULL},
     {NULL},
     {NULL},
     PLAN_UPTODATE,
     NULL,
     "",
     "DAILY from 2024-01-01, lag 1 day(s)",
     4,
     true,
     NULL},
};

/*
 * The reasons why[0..n) as the tables write them: "KIND[ P:D][ FILES]
 * [ CODES][ bumpB][ byRUN][ (DETAIL)]", joined by ", ": FILES is
 * "OLD>NEW", "+NEW" or "-OLD"; CODES "cOLD>cNEW" (first: "cNEW").
 */
static void why_text(const struct sb_reason *why, size_t n, char *out,
                     size_t size) {
  size_t len = 0;

  out[0] = '\0';
  for (size_t i = 0; i < n && len < size; i++) {
    const struct sb_reason *r = &why[i];

    len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "",
                            build_reason_name(r->kind));
    if (len < size && r->product_id)
      len += (size_t)snprintf(out + len, size - len, " %d:%d", r->product_id,
                              (int)r->date);
    if (len < size && r->old_file && r->new_file)
      len += (size_t)snprintf(out + len, size - len, " %lld>%lld",
                              (long long)r->old_file, (long long)r->new_file);
    else if (len < size && (r->old_file || r->new_file))
      len += (size_t)snprintf(out + len, size - len, " %c%lld",
                              r->new_file ? '+' : '-',
                              (long long)(r->new_file ? r->new_file
                                                      : r->old_file));
    if (len < size && r->kind == BUILD_REASON_CODE_CHANGED)
      len += (size_t)snprintf(out + len, size - len, " c%d>c%d", r->old_code,
                              r->new_code);
    else if (len < size && r->kind == BUILD_REASON_FIRST)
      len += (size_t)snprintf(out + len, size - len, " c%d", r->new_code);
    if (len < size && r->bump >= 0)
      len += (size_t)snprintf(out + len, size - len, " bump%d", r->bump);
    if (len < size && r->by_run)
      len += (size_t)snprintf(out + len, size - len, " by%lld",
                              (long long)r->by_run);
    if (len < size && r->detail)
      len += (size_t)snprintf(out + len, size - len, " (%s)", r->detail);
  }
}

static size_t count(const char *const *v) {
  size_t n = 0;

  while (n < MAXF && v[n])
    n++;
  return n;
}

static void test_version(void) {
  for (size_t i = 0; i < ARRAY_SIZE(version_cases); i++) {
    const struct vcase *t = &version_cases[i];
    struct sb_candidate c = {.output_product = 1,
                             .version_bump = t->bump,
                             .key_start = 10,
                             .key_end = 10,
                             .by_run = t->by_run,
                             .request = (char *)t->request,
                             .scheduled = t->scheduled};
    struct plan_reasons why = {0};
    char got_why[512];
    struct sb_state st = {0};
    struct code oc = {0}, code = {0};
    struct sb_input in[MAXF] = {{0}};
    struct sb_parent par[MAXF] = {{0}};
    struct version purged[3];
    struct plan_key k = {0};
    struct version v = {0, 0, 0};
    enum plan_verdict got;

    code.id = t->code.id;
    code.version = V(t->code.version);
    code.output_interface_version = t->code.oiv;
    if (t->out) {
      st.out_id = 900;
      st.out_version = V(t->out);
      st.out_code_id = t->out_code.id;
    }
    if (t->out_code.id) {
      oc.id = t->out_code.id;
      oc.version = V(t->out_code.version);
      oc.output_interface_version = t->out_code.oiv;
      k.out_code = oc.id == code.id ? &code : &oc;
    }
    k.code = &code;
    k.in_n = count(t->in);
    k.par_n = count(t->par);
    for (size_t j = 0; j < k.in_n; j++) {
      file_of(t->in[j], &in[j].product_id, &in[j].date, &in[j].file_id,
              &in[j].version);
      in[j].period_number = period_of(t->in[j]);
      in[j].own = in[j].date == c.key_start; /* else in its window only */
    }
    for (size_t j = 0; j < k.par_n; j++) {
      file_of(t->par[j], &par[j].product_id, &par[j].date, &par[j].file_id,
              &par[j].version);
      par[j].period_number = period_of(t->par[j]);
      par[j].result = st.out_id;
    }
    for (size_t j = 0; j < 3 && t->purged[j]; j++)
      purged[st.n_purged++] = V(t->purged[j]);
    st.purged = purged;
    st.period_was = (char *)t->period_was;
    got = plan_rules_version(&c, &st, &k, par, in, &v, &why);
    why_text(why.v, why.n, got_why, sizeof(got_why));
    plan_reasons_release(&why);
    if (strcmp(got_why, t->why))
      fprintf(stderr, "\n  version: %s: why \"%s\", want \"%s\"\n",
              t->what, got_why, t->why);
    CU_ASSERT_STRING_EQUAL(got_why, t->why);
    /* a build always has a reason */
    CU_ASSERT(got != PLAN_BUILD || got_why[0]);
    if (got != t->want) {
      fprintf(stderr, "\n  version: %s: verdict %d, want %d\n", t->what,
              (int)got, (int)t->want);
      CU_FAIL("verdict");
      continue;
    }
    CU_PASS("verdict");
    if (t->want_v) {
      char buf[VERSION_STRLEN];

      version_format(&v, buf);
      if (strcmp(buf, t->want_v))
        fprintf(stderr, "\n  version: %s: %s, want %s\n", t->what, buf,
                t->want_v);
      CU_ASSERT_STRING_EQUAL(buf, t->want_v);
    }
  }
}

/* -- runnable, up to date, bad, open ------------------------------------ */

/*
 * The catalog of the runnable table: product 1 is made by process 10
 * (DAILY) from product 2 (required) and 3 (optional); process 20 is RUN
 * from product 2; process 30 DAILY without inputs; process 40 WEEKLY with
 * a change of code on day 101 (a Friday: the week of days 98 to 104 is
 * shared); process 50 has a code valid from day 500 only.
 */
static const struct input inputs_10[] = {
    {.product_id = 2, .optional = false},
    {.product_id = 3, .optional = true},
};
static const struct input inputs_2[] = {{.product_id = 2}};

/* usable codes are active and the newest of their interface */
static const struct code codes_10[] = {
    {.id = 1,
     .process_id = 10,
     .version = {1, 0, 0},
     .output_interface_version = 1,
     .start_date = 0,
     .stop_date = 10000,
     .active = true,
     .newest = true},
    /* an older version of it: not usable */
    {.id = 2,
     .process_id = 10,
     .version = {0, 9, 0},
     .output_interface_version = 1,
     .start_date = 0,
     .stop_date = 10000,
     .active = true,
     .newest = false},
};
static const struct code codes_20[] = {
    {.id = 5,
     .process_id = 20,
     .version = {1, 0, 0},
     .output_interface_version = 2,
     .start_date = 0,
     .stop_date = 10000,
     .active = true,
     .newest = true},
};
static const struct code codes_30[] = {
    {.id = 6,
     .process_id = 30,
     .version = {1, 0, 0},
     .output_interface_version = 1,
     .start_date = 0,
     .stop_date = 10000,
     .active = true,
     .newest = true},
};
static const struct code codes_40[] = {
    {.id = 7,
     .process_id = 40,
     .version = {1, 0, 0},
     .output_interface_version = 1,
     .start_date = 0,
     .stop_date = 100,
     .active = true,
     .newest = true},
    {.id = 8,
     .process_id = 40,
     .version = {2, 0, 0},
     .output_interface_version = 1,
     .start_date = 101,
     .stop_date = 10000,
     .active = true,
     .newest = true},
};
static const struct code codes_50[] = {
    {.id = 9,
     .process_id = 50,
     .version = {1, 0, 0},
     .output_interface_version = 1,
     .start_date = 500,
     .stop_date = 10000,
     .active = true,
     .newest = true},
};

#define CODES(a) .codes = (struct code *)(a), .n_codes = ARRAY_SIZE(a)
static const struct process processes[] = {
    {.id = 10,
     .timebase = TIMEBASE_DAILY,
     .output_product_id = 1,
     .inputs = (struct input *)inputs_10,
     .n_inputs = 2,
     CODES(codes_10)},
    {.id = 20,
     .timebase = TIMEBASE_RUN,
     .output_product_id = 0,
     .inputs = (struct input *)inputs_2,
     .n_inputs = 1,
     CODES(codes_20)},
    {.id = 30,
     .timebase = TIMEBASE_DAILY,
     .output_product_id = 4,
     CODES(codes_30)},
    {.id = 40,
     .timebase = TIMEBASE_WEEKLY,
     .output_product_id = 5,
     .inputs = (struct input *)inputs_2,
     .n_inputs = 1,
     CODES(codes_40)},
    {.id = 50,
     .timebase = TIMEBASE_DAILY,
     .output_product_id = 6,
     .inputs = (struct input *)inputs_2,
     .n_inputs = 1,
     CODES(codes_50)},
};

struct rin {
  int product;
  int64_t file;
  bool own;
};

static const struct kcase {
  const char *what;
  int process;
  int32_t key; /* key_start; key_end from the timebase */
  int bump;
  struct rin in[MAXF];
  int64_t out_id; /* newest output, 0: none */
  int out_code;
  int64_t parents[MAXF]; /* its parents' file ids (product 2, day key) */
  bool open, bad;
  int64_t last_inputs[MAXF]; /* RUN: its last build's inputs */
  int last_code;
  enum plan_verdict want;
  int missing; /* PLAN_NO_INPUT: the product */
  bool current;
  const char *why; /* its reasons (why_text) */
} key_cases[] = {
    {"no input at all",
     10,
     50,
     -1,
     {{0}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_NO_INPUT,
     2,
     false,
     ""},
    {"an optional input only",
     10,
     50,
     -1,
     {{3, 601, true}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_NO_INPUT,
     2,
     false,
     ""},
    {"its required input in its period",
     10,
     50,
     -1,
     {{2, 501, true}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_BUILD,
     0,
     false,
     "first c1"},
    {"a neighbour's data alone never makes an output",
     10,
     50,
     -1,
     {{2, 501, false}, {3, 601, false}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_NEIGHBOUR_ONLY,
     0,
     false,
     ""},
    {"nor keeps one: left, not rebuilt",
     10,
     50,
     -1,
     {{2, 501, false}},
     900,
     1,
     {501},
     false,
     false,
     {0},
     0,
     PLAN_NEIGHBOUR_ONLY,
     0,
     false,
     ""},
    {"an own optional input is an own input",
     10,
     50,
     -1,
     {{2, 501, false}, {3, 601, true}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_BUILD,
     0,
     false,
     "first c1"},
    {"same code and inputs: up to date",
     10,
     50,
     -1,
     {{2, 501, true}},
     900,
     1,
     {501},
     false,
     false,
     {0},
     0,
     PLAN_UPTODATE,
     0,
     true,
     ""},
    {"a forced bump is built even when up to date",
     10,
     50,
     2,
     {{2, 501, true}},
     900,
     1,
     {501},
     false,
     false,
     {0},
     0,
     PLAN_BUILD,
     0,
     false,
     "forced bump2"},
    {"a bad build wins over up to date",
     10,
     50,
     -1,
     {{2, 501, true}},
     900,
     1,
     {501},
     false,
     true,
     {0},
     0,
     PLAN_BAD,
     0,
     true,
     ""},
    {"a bad build wins over a build",
     10,
     50,
     -1,
     {{2, 502, true}},
     900,
     1,
     {501},
     true,
     true,
     {0},
     0,
     PLAN_BAD,
     0,
     false,
     "input-changed 2:50 501>502"},
    {"an open build: not planned twice",
     10,
     50,
     -1,
     {{2, 502, true}},
     900,
     1,
     {501},
     true,
     false,
     {0},
     0,
     PLAN_OPEN,
     0,
     false,
     "input-changed 2:50 501>502"},
    {"no code valid in its period",
     50,
     50,
     -1,
     {{2, 501, true}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_NO_CODE,
     0,
     false,
     ""},
    {"a code valid from a later day only",
     50,
     499,
     -1,
     {{2, 501, true}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_NO_CODE,
     0,
     false,
     ""},
    {"its code valid on its day",
     50,
     500,
     -1,
     {{2, 501, true}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_BUILD,
     0,
     false,
     "first c9"},
    {"two codes share its week: not built",
     40,
     98,
     -1,
     {{2, 501, true}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_CODES_SHARED,
     0,
     false,
     ""},
    {"the week before the change: the old code",
     40,
     91,
     -1,
     {{2, 501, true}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_BUILD,
     0,
     false,
     "first c7"},
    {"a process without inputs is always runnable",
     30,
     50,
     -1,
     {{0}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_BUILD,
     0,
     false,
     "first c6"},
    {"RUN: its last build saw the same: up to date",
     20,
     50,
     -1,
     {{2, 502, true}, {2, 501, true}},
     0,
     0,
     {0},
     false,
     false,
     {501, 502},
     5,
     PLAN_UPTODATE,
     0,
     true,
     ""},
    {"RUN: a new input",
     20,
     50,
     -1,
     {{2, 501, true}, {2, 503, true}},
     0,
     0,
     {0},
     false,
     false,
     {501, 502},
     5,
     PLAN_BUILD,
     0,
     false,
     "input-added 2:50 +503, input-removed -502"},
    {"RUN: another code",
     20,
     50,
     -1,
     {{2, 501, true}, {2, 502, true}},
     0,
     0,
     {0},
     false,
     false,
     {501, 502},
     4,
     PLAN_BUILD,
     0,
     false,
     "code-changed c4>c5"},
    {"RUN: forced",
     20,
     50,
     1,
     {{2, 501, true}, {2, 502, true}},
     0,
     0,
     {0},
     false,
     false,
     {501, 502},
     5,
     PLAN_BUILD,
     0,
     false,
     "forced bump1"},
    {"RUN: a neighbour's data never starts one",
     20,
     50,
     -1,
     {{2, 501, false}},
     0,
     0,
     {0},
     false,
     false,
     {0},
     0,
     PLAN_NEIGHBOUR_ONLY,
     0,
     false,
     ""},
    {"RUN: one that ran before is re-evaluated",
     20,
     50,
     -1,
     {{2, 501, false}},
     0,
     0,
     {0},
     false,
     false,
     {499},
     5,
     PLAN_BUILD,
     0,
     false,
     "neighbour-changed 2:50 +501, input-removed -499"},
};

static void test_keys(void) {
  struct plan_catalog cat = {processes, ARRAY_SIZE(processes)};

  for (size_t i = 0; i < ARRAY_SIZE(key_cases); i++) {
    const struct kcase *t = &key_cases[i];
    const struct process *proc = plan_catalog_process(&cat, t->process);
    struct sb_candidate c = {
        .process_id = t->process, .version_bump = t->bump, .key_start = t->key};
    struct sb_state st = {0};
    struct sb_input in[MAXF] = {{0}};
    struct sb_parent par[MAXF] = {{0}};
    struct plan_key k = {0};
    struct plan_eval ev = {.n = 1, .keys = &k, .st = &st, .in = in, .par = par};
    int32_t s;

    CU_ASSERT_PTR_NOT_NULL_FATAL(proc);
    c.timebase = proc->timebase;
    c.output_product = proc->output_product_id;
    timebase_period(proc->timebase, t->key, &s, &c.key_end);
    for (size_t j = 0; j < MAXF && t->in[j].product; j++) {
      in[j].product_id = t->in[j].product;
      in[j].file_id = t->in[j].file;
      in[j].own = t->in[j].own;
      in[j].date = t->key;
      in[j].version = (struct version){1, 0, 0};
      ev.nin++;
    }
    st.out_id = t->out_id;
    st.out_code_id = t->out_code;
    st.out_version = (struct version){1, 0, 0};
    for (size_t j = 0; j < MAXF && t->parents[j]; j++) {
      par[j].result = t->out_id;
      par[j].file_id = t->parents[j];
      par[j].product_id = 2;
      par[j].date = t->key;
      par[j].version = (struct version){1, 0, 0};
      ev.npar++;
    }
    st.open = t->open;
    st.bad = t->bad;
    st.last_inputs = (int64_t *)t->last_inputs;
    while (st.n_last_inputs < MAXF && t->last_inputs[st.n_last_inputs])
      st.n_last_inputs++;
    st.last_code_id = t->last_code;
    plan_rules_evaluate(&cat, &c, &ev);
    if (k.verdict != t->want)
      fprintf(stderr, "\n  keys: %s: verdict %d, want %d\n", t->what,
              (int)k.verdict, (int)t->want);
    CU_ASSERT_EQUAL(k.verdict, t->want);
    CU_ASSERT_EQUAL(k.missing_product, t->missing);
    CU_ASSERT_EQUAL(k.current, t->current);
    CU_ASSERT_EQUAL(k.in_n, ev.nin);
    CU_ASSERT_EQUAL(k.par_n, ev.npar);
    if (t->want == PLAN_BUILD && proc->output_product_id == 0)
      CU_ASSERT_EQUAL(k.version.interface, 2); /* its oiv */
    if (t->want == PLAN_CODES_SHARED)
      CU_ASSERT(k.code && k.other && k.code != k.other);
    {
      char got_why[512];

      why_text(ev.why.v + k.why_first, k.why_n, got_why, sizeof(got_why));
      if (strcmp(got_why, t->why))
        fprintf(stderr, "\n  keys: %s: why \"%s\", want \"%s\"\n",
                t->what, got_why, t->why);
      CU_ASSERT_STRING_EQUAL(got_why, t->why);
    }
    plan_reasons_release(&ev.why);
  }
}

/* several candidates at once: each gets its own inputs and parents */
static void test_batch(void) {
  struct plan_catalog cat = {processes, ARRAY_SIZE(processes)};
  struct sb_candidate c[3] = {
      {.process_id = 10,
       .output_product = 1,
       .key_start = 50,
       .key_end = 50,
       .version_bump = -1},
      {.process_id = 10,
       .output_product = 1,
       .key_start = 51,
       .key_end = 51,
       .version_bump = -1},
      {.process_id = 99,
       .output_product = 1,
       .key_start = 51,
       .key_end = 51,
       .version_bump = -1},
  };
  struct sb_state st[3] = {{0}};
  struct sb_input in[3] = {
      {.cand = 0,
       .product_id = 2,
       .file_id = 501,
       .own = true,
       .date = 50,
       .version = {1, 0, 0}},
      {.cand = 1,
       .product_id = 2,
       .file_id = 501,
       .own = false,
       .date = 50,
       .version = {1, 0, 0}},
      {.cand = 1,
       .product_id = 2,
       .file_id = 502,
       .own = true,
       .date = 51,
       .version = {1, 0, 0}},
  };
  struct sb_parent par[2] = {
      {.result = 900,
       .file_id = 501,
       .product_id = 2,
       .date = 50,
       .version = {1, 0, 0}},
      {.result = 901,
       .file_id = 502,
       .product_id = 2,
       .date = 51,
       .version = {1, 0, 0}},
  };
  struct plan_key k[3] = {{0}};
  struct plan_eval ev = {
      .n = 3, .keys = k, .st = st, .in = in, .nin = 3, .par = par, .npar = 2};

  st[0].out_id = 900, st[0].out_code_id = 1;
  st[0].out_version = (struct version){1, 0, 0};
  st[1].out_id = 901, st[1].out_code_id = 1;
  st[1].out_version = (struct version){1, 0, 2};
  plan_rules_evaluate(&cat, c, &ev);
  CU_ASSERT_EQUAL(k[0].verdict, PLAN_UPTODATE);
  CU_ASSERT(k[0].in_first == 0 && k[0].in_n == 1);
  CU_ASSERT(k[0].par_first == 0 && k[0].par_n == 1);
  /* a neighbour input added to the window: a quality bump */
  CU_ASSERT_EQUAL(k[1].verdict, PLAN_BUILD);
  CU_ASSERT(k[1].in_first == 1 && k[1].in_n == 2);
  CU_ASSERT(k[1].par_first == 1 && k[1].par_n == 1);
  CU_ASSERT(k[1].version.interface == 1 && k[1].version.quality == 1 &&
            k[1].version.revision == 0);
  CU_ASSERT_PTR_EQUAL(k[1].out_code, &codes_10[0]);
  /* each key's reasons are its own: none for the first, one here */
  CU_ASSERT_EQUAL(k[0].why_n, 0);
  CU_ASSERT_EQUAL(k[1].why_n, 1);
  CU_ASSERT_EQUAL(ev.why.n, 1);
  if (k[1].why_n == 1) {
    const struct sb_reason *r = &ev.why.v[k[1].why_first];

    CU_ASSERT_EQUAL(r->kind, BUILD_REASON_NEIGHBOUR);
    CU_ASSERT(r->product_id == 2 && r->date == 50 && r->new_file == 501 &&
              r->old_file == 0);
  }
  /* an unknown process: nothing to build */
  CU_ASSERT_EQUAL(k[2].verdict, PLAN_NO_INPUT);
  plan_reasons_release(&ev.why);
}

static void test_cache_key(void) {
  struct sb_input in[3] = {{.file_id = 11}, {.file_id = 12}, {.file_id = 13}};
  struct plan_key k = {.in_first = 0, .in_n = 2};
  struct plan_key k2 = {.in_first = 1, .in_n = 2};
  char a[SHA256_HEX_LEN], b[SHA256_HEX_LEN], want[SHA256_HEX_LEN];
  struct sha256_ctx ctx;

  sha256_init(&ctx);
  sha256_update(&ctx, "code:7 11 12", strlen("code:7 11 12"));
  sha256_final_hex(&ctx, want);
  plan_rules_cache_key(7, in, &k, a);
  CU_ASSERT_STRING_EQUAL(a, want);
  /* the same again, another code, other inputs */
  plan_rules_cache_key(7, in, &k, b);
  CU_ASSERT_STRING_EQUAL(a, b);
  plan_rules_cache_key(8, in, &k, b);
  CU_ASSERT_STRING_NOT_EQUAL(a, b);
  plan_rules_cache_key(7, in, &k2, b);
  CU_ASSERT_STRING_NOT_EQUAL(a, b);
}

/*
 * The wave rule: which queued products wait.  Products 0..n-1; an edge
 * "a>b" means a feeds b (the relation given closed, as the catalog's).
 */
static void test_wave(void) {
  static const struct {
    const char *what;
    size_t n;
    const char *edges; /* "ab" pairs: first feeds second */
    const char *want;  /* per product: 'w' waits, '.' planned now */
  } cases[] = {
      {"nothing queued", 0, "", ""},
      {"one product", 1, "", "."},
      {"unrelated products", 3, "", "..."},
      {"raw and its child: the child waits", 2, "01", ".w"},
      {"a chain queued at every level", 3, "010212", ".ww"},
      {"a chain with a gap (raw and week)", 2, "01", ".w"},
      {"two sources, one child", 3, "0212", "..w"},
      {"a cycle does not hold itself back", 2, "0110", ".."},
      {"a cycle fed from outside waits", 3, "01021221", ".ww"},
      {"downstream of a cycle waits", 3, "01100212", "..w"},
  };

  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
    size_t n = cases[c].n, waiting = 0, want_waiting = 0;
    bool feeds[9] = {false}, defer[3];
    char got[4] = "";

    for (const char *e = cases[c].edges; *e; e += 2)
      feeds[(size_t)(e[0] - '0') * n + (size_t)(e[1] - '0')] = true;
    for (const char *w = cases[c].want; *w; w++)
      want_waiting += *w == 'w';
    CU_ASSERT_EQUAL(plan_rules_wave(n, feeds, defer), want_waiting);
    for (size_t i = 0; i < n; i++) {
      got[i] = defer[i] ? 'w' : '.';
      waiting += defer[i];
    }
    got[n] = '\0';
    if (strcmp(got, cases[c].want))
      fprintf(stderr, "wave: %s: got \"%s\", want \"%s\"\n",
              cases[c].what, got, cases[c].want);
    CU_ASSERT_STRING_EQUAL(got, cases[c].want);
    /* some product is always free to plan */
    CU_ASSERT(n == 0 || waiting < n);
  }
}

void suite_plan_rules(void) {
  CU_pSuite s = unit_add_suite("plan-rules");

  ADD_TEST(s, test_version);
  ADD_TEST(s, test_keys);
  ADD_TEST(s, test_batch);
  ADD_TEST(s, test_cache_key);
  ADD_TEST(s, test_wave);
}
