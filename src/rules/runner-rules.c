/*
 * runner-rules.c - the runner's decisions over plain values (see
 * runner-rules.h).
 */
#include "runner-rules.h"

#include <stddef.h>

#include "banned.h"

struct runner_verdict runner_judge_end(const struct runner_end *e) {
  struct runner_verdict v = {
      .judgement = RUNNER_FAILED,
      .status = BUILD_STATE_FAILED,
      .kind = NULL,
      .final = false,
  };

  if (e->terminated) {
    v.judgement = RUNNER_REQUEUE;
  } else if (e->start_failed) {
    v.kind = "exec";
    v.final = true;
  } else if (e->lost) {
    v.kind = "lost";
  } else if (e->cancelled) {
    v.status = BUILD_STATE_KILLED;
    v.kind = "cancelled";
  } else if (e->timed_out) {
    v.status = BUILD_STATE_TIMED_OUT;
    v.kind = "timeout";
  } else if (e->term_signal) {
    v.kind = "signal";
  } else if (e->exit_code != 0) {
    v.kind = "exit";
  } else {
    v.judgement = RUNNER_CHECK_OUTPUT;
  }
  return v;
}

struct runner_failure runner_failure_rule(const struct runner_retry *p,
                                          int attempt, int quick_failures,
                                          double wall_s, bool final) {
  struct runner_failure f = {0};
  int bad_after = p->bad_after > 0 ? p->bad_after : 3;

  f.max_attempts = p->max_attempts > 0 ? p->max_attempts : 3;
  f.attempts = attempt + 1;
  f.quick = wall_s < p->bad_within_s;
  f.bad = !final && f.quick && quick_failures + 1 >= bad_after;
  f.retry = !final && !f.bad && f.attempts < f.max_attempts;
  return f;
}

double runner_eta_seconds(const struct runner_eta_proc *e, size_t n,
                          unsigned capacity) {
  double all_sum = 0, left_s = 0;
  long all_n = 0;

  for (size_t k = 0; k < n; k++) {
    all_sum += e[k].obs_sum;
    all_n += e[k].obs_n;
  }
  for (size_t k = 0; k < n; k++) {
    double mean = e[k].hist_s >= 0 ? e[k].hist_s
                  : e[k].obs_n     ? e[k].obs_sum / (double)e[k].obs_n
                  : all_n          ? all_sum / (double)all_n
                                   : -1;

    if (e[k].open <= 0)
      continue;
    if (mean < 0)
      return -1;
    left_s += (double)e[k].open * mean;
  }
  return left_s / (capacity ? capacity : 1);
}

struct runner_figures runner_figures_of(const struct runner_eta_proc *e,
                                        size_t n, long built, long failed,
                                        long running, unsigned capacity) {
  struct runner_figures f = {0};
  long open = 0;

  for (size_t k = 0; k < n; k++)
    open += e[k].open > 0 ? e[k].open : 0;
  f.built = built;
  f.failed = failed;
  f.running = running;
  /* a code that runs is one of the open builds (it ended: no longer) */
  f.to_go = open > running ? open - running : 0;
  f.planned = built + failed + running + f.to_go;
  f.eta_s = runner_eta_seconds(e, n, capacity);
  return f;
}
