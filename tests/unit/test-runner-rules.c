/*
 * test-runner-rules.c - the runner's decisions, as tables: what a code's
 * end means for its build, and the retry and poison rules.
 */
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "runner-rules.h"
#include "unit.h"

static void test_judge_end(void) {
  static const struct {
    const char *what;
    struct runner_end e;
    enum runner_judgement want;
    enum build_state status;
    const char *kind;
    bool final;
  } cases[] = {
      {"exit 0: its output decides",
       {0},
       RUNNER_CHECK_OUTPUT,
       BUILD_STATE_FAILED,
       NULL,
       false},
      {"stopped by us: queued again",
       {.terminated = true, .term_signal = 15},
       RUNNER_REQUEUE,
       BUILD_STATE_FAILED,
       NULL,
       false},
      {"stopped by us wins over a timeout",
       {.terminated = true, .timed_out = true},
       RUNNER_REQUEUE,
       BUILD_STATE_FAILED,
       NULL,
       false},
      {"not started: final",
       {.start_failed = true, .exit_code = 127},
       RUNNER_FAILED,
       BUILD_STATE_FAILED,
       "exec",
       true},
      {"lost: failed, retried",
       {.lost = true},
       RUNNER_FAILED,
       BUILD_STATE_FAILED,
       "lost",
       false},
      {"lost wins over its exit status",
       {.lost = true, .exit_code = 1},
       RUNNER_FAILED,
       BUILD_STATE_FAILED,
       "lost",
       false},
      {"timed out",
       {.timed_out = true, .term_signal = 9},
       RUNNER_FAILED,
       BUILD_STATE_TIMED_OUT,
       "timeout",
       false},
      {"killed by a signal",
       {.term_signal = 11},
       RUNNER_FAILED,
       BUILD_STATE_FAILED,
       "signal",
       false},
      {"a non-zero exit",
       {.exit_code = 3},
       RUNNER_FAILED,
       BUILD_STATE_FAILED,
       "exit",
       false},
      {"exit 255",
       {.exit_code = 255},
       RUNNER_FAILED,
       BUILD_STATE_FAILED,
       "exit",
       false},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct runner_verdict v = runner_judge_end(&cases[i].e);

    if (v.judgement != cases[i].want)
      fprintf(stderr, "\n  judge: %s: %d, want %d\n", cases[i].what,
              (int)v.judgement, (int)cases[i].want);
    CU_ASSERT_EQUAL(v.judgement, cases[i].want);
    if (cases[i].want != RUNNER_FAILED)
      continue;
    CU_ASSERT_EQUAL(v.status, cases[i].status);
    CU_ASSERT_STRING_EQUAL(v.kind, cases[i].kind);
    CU_ASSERT_EQUAL(v.final, cases[i].final);
  }
}

static void test_failure_rule(void) {
  static const struct {
    const char *what;
    struct runner_retry p;
    int attempt, quick_failures;
    double wall_s;
    bool final;
    bool quick, bad, retry;
    int attempts, max;
  } cases[] = {
      {"first failure, slow: retried",
       {3, 3, 60},
       0,
       0,
       120,
       false,
       false,
       false,
       true,
       1,
       3},
      {"second failure: retried",
       {3, 3, 60},
       1,
       0,
       120,
       false,
       false,
       false,
       true,
       2,
       3},
      {"last attempt: failed",
       {3, 3, 60},
       2,
       0,
       120,
       false,
       false,
       false,
       false,
       3,
       3},
      {"final: never retried",
       {3, 3, 60},
       0,
       0,
       120,
       true,
       false,
       false,
       false,
       1,
       3},
      {"final and quick: not bad either",
       {3, 3, 60},
       0,
       2,
       1,
       true,
       true,
       false,
       false,
       1,
       3},
      {"quick, first: retried, counted",
       {3, 3, 60},
       0,
       0,
       1,
       false,
       true,
       false,
       true,
       1,
       3},
      {"third quick failure in a row: bad",
       {5, 3, 60},
       2,
       2,
       1,
       false,
       true,
       true,
       false,
       3,
       5},
      {"bad wins over attempts left",
       {10, 2, 60},
       1,
       1,
       0.5,
       false,
       true,
       true,
       false,
       2,
       10},
      {"slow after quick ones: not bad",
       {5, 3, 60},
       2,
       2,
       60,
       false,
       false,
       false,
       true,
       3,
       5},
      {"bad_within 0: nothing is quick",
       {3, 1, 0},
       0,
       5,
       0,
       false,
       false,
       false,
       true,
       1,
       3},
      {"unset settings: 3 attempts, bad after 3",
       {0, 0, 60},
       2,
       1,
       1,
       false,
       true,
       false,
       false,
       3,
       3},
      {"unset settings, third quick: bad",
       {0, 0, 60},
       1,
       2,
       1,
       false,
       true,
       true,
       false,
       2,
       3},
      {"one attempt only",
       {1, 3, 60},
       0,
       0,
       120,
       false,
       false,
       false,
       false,
       1,
       1},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct runner_failure f = runner_failure_rule(
        &cases[i].p, cases[i].attempt, cases[i].quick_failures, cases[i].wall_s,
        cases[i].final);

    if (f.quick != cases[i].quick || f.bad != cases[i].bad ||
        f.retry != cases[i].retry)
      fprintf(stderr, "\n  failure: %s: quick %d bad %d retry %d\n",
              cases[i].what, f.quick, f.bad, f.retry);
    CU_ASSERT_EQUAL(f.quick, cases[i].quick);
    CU_ASSERT_EQUAL(f.bad, cases[i].bad);
    CU_ASSERT_EQUAL(f.retry, cases[i].retry);
    CU_ASSERT_EQUAL(f.attempts, cases[i].attempts);
    CU_ASSERT_EQUAL(f.max_attempts, cases[i].max);
  }
}

/* the ETA spreads every open build of every process over the slots */
static void test_eta(void) {
  static const struct {
    const char *what;
    struct runner_eta_proc e[3];
    size_t n;
    unsigned capacity;
    double want;
  } cases[] = {
      {"nothing open: 0", {{1, 0, -1, 0, 0}}, 1, 2, 0},
      {"nothing planned: 0", {{0}}, 0, 2, 0},
      {"open, no mean anywhere: unknown", {{1, 3, -1, 0, 0}}, 1, 1, -1},
      {"the history's mean", {{1, 4, 10, 0, 0}}, 1, 1, 40},
      {"over the slots", {{1, 4, 10, 0, 0}}, 1, 4, 10},
      {"capacity 0 counts as 1", {{1, 4, 10, 0, 0}}, 1, 0, 40},
      {"the history wins over this run's", {{1, 2, 10, 90, 3}}, 1, 1, 20},
      {"this run's mean of the process", {{1, 2, -1, 30, 3}}, 1, 1, 20},
      {"every process planned so far, each its own mean",
       {{1, 2, 10, 0, 0}, {2, 3, 100, 0, 0}},
       2,
       1,
       320},
      {"no mean of its own: this run's over all processes",
       {{1, 0, -1, 40, 4}, {2, 3, -1, 0, 0}},
       2,
       1,
       30},
      {"a process without any mean makes it unknown",
       {{1, 2, 10, 0, 0}, {2, 1, -1, 0, 0}},
       2,
       1,
       -1},
      {"an ended process without a mean does not",
       {{1, 2, 10, 0, 0}, {2, 0, -1, 0, 0}},
       2,
       1,
       20},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    double got = runner_eta_seconds(cases[i].e, cases[i].n, cases[i].capacity);

    if (got != cases[i].want)
      fprintf(stderr, "\n  eta: %s: %g, want %g\n", cases[i].what, got,
              cases[i].want);
    CU_ASSERT_DOUBLE_EQUAL(got, cases[i].want, 1e-9);
  }
}

/* the figures add up: built + failed + running + to go = planned */
static void test_figures(void) {
  static const struct {
    const char *what;
    struct runner_eta_proc e[2];
    size_t n;
    long built, failed, running;
    long to_go, planned;
  } cases[] = {
      {"nothing yet", {{0}}, 0, 0, 0, 0, 0, 0},
      {"planned, none started", {{1, 6, -1, 0, 0}}, 1, 0, 0, 0, 6, 6},
      {"mid-batch: 3 ended, 1 runs, 2 to go",
       {{1, 3, -1, 0, 0}},
       1,
       3,
       0,
       1,
       2,
       6},
      {"failures count apart", {{1, 2, -1, 0, 0}}, 1, 3, 1, 2, 0, 6},
      {"two processes' open builds",
       {{1, 2, -1, 0, 0}, {2, 4, -1, 0, 0}},
       2,
       6,
       0,
       2,
       4,
       12},
      {"more running than known open (adopted): none to go",
       {{1, 1, -1, 0, 0}},
       1,
       0,
       0,
       2,
       0,
       2},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct runner_figures f =
        runner_figures_of(cases[i].e, cases[i].n, cases[i].built,
                          cases[i].failed, cases[i].running, 1);

    if (f.to_go != cases[i].to_go || f.planned != cases[i].planned)
      fprintf(stderr, "\n  figures: %s: %ld to go of %ld\n", cases[i].what,
              f.to_go, f.planned);
    CU_ASSERT_EQUAL(f.built, cases[i].built);
    CU_ASSERT_EQUAL(f.failed, cases[i].failed);
    CU_ASSERT_EQUAL(f.running, cases[i].running);
    CU_ASSERT_EQUAL(f.to_go, cases[i].to_go);
    CU_ASSERT_EQUAL(f.planned, cases[i].planned);
    CU_ASSERT_EQUAL(f.built + f.failed + f.running + f.to_go, f.planned);
  }
}

void suite_runner_rules(void) {
  CU_pSuite s = unit_add_suite("runner-rules");

  ADD_TEST(s, test_judge_end);
  ADD_TEST(s, test_failure_rule);
  ADD_TEST(s, test_eta);
  ADD_TEST(s, test_figures);
}
