/*
 * runner-rules.h - the runner's decisions, pure: what a code's end means
 * for its build, what a failure does to it (retried, failed, or bad by
 * the poison rule), and the figures of the progress line.
 *
 * Plain values in and out, no I/O: runner-record.c gathers the facts
 * (the child's end, the build's attempts, the run settings), asks these,
 * and records the answer.  tests/unit/test-runner-rules.c holds the
 * rules as tables.
 */
#ifndef CASCADE_RUNNER_RULES_H
#define CASCADE_RUNNER_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

/* How a code's process ended, as spawn.c saw it. */
struct runner_end {
  bool terminated;   /* stopped by us (a signal to the run, shutdown) */
  bool cancelled;    /* stopped by someone else (a Slurm job cancelled) */
  bool start_failed; /* could not be started (exec failed) */
  bool lost;         /* its end is unknown (supervisor gone) */
  bool timed_out;    /* killed at its timeout */
  int term_signal;   /* killed by this signal, 0 if none */
  int exit_code;     /* its exit status */
};

enum runner_judgement {
  RUNNER_REQUEUE,      /* not the code's doing: queued again */
  RUNNER_CHECK_OUTPUT, /* it succeeded: its output decides */
  RUNNER_FAILED,       /* it failed (status, kind, final) */
};

/* What an end means: the judgement, and for failures their record. */
struct runner_verdict {
  enum runner_judgement judgement;
  enum build_state status; /* RUNNER_FAILED: failed or timed_out */
  const char *kind;        /* RUNNER_FAILED: failure.kind (static) */
  bool final;              /* RUNNER_FAILED: never retried */
};

/*
 * runner_judge_end: stopped by us: requeue; not started: failed "exec",
 * final (running it again cannot help); lost: failed "lost"; timed out:
 * timed_out "timeout"; killed by a signal: failed "signal"; a non-zero
 * exit: failed "exit"; exit 0: its output decides.
 */
struct runner_verdict runner_judge_end(const struct runner_end *e);

/* The run settings the failure rule reads (0 or less: the default 3). */
struct runner_retry {
  int max_attempts;
  int bad_after;
  int bad_within_s; /* a failure within this many seconds is quick */
};

struct runner_failure {
  bool quick;   /* counts towards bad */
  bool bad;     /* the poison rule: left for a person */
  bool retry;   /* queued again */
  int attempts; /* this one included */
  int max_attempts;
};

/*
 * runner_failure_rule: a failed attempt of a build that had attempt
 * attempts before and quick_failures quick failures in a row, which ran
 * wall_s seconds: quick when wall_s < bad_within_s; bad when not final,
 * quick, and this is the bad_after-th quick failure in a row; retried
 * when not final, not bad, and attempts remain.
 */
struct runner_failure runner_failure_rule(const struct runner_retry *p,
                                          int attempt, int quick_failures,
                                          double wall_s, bool final);

/*
 * What a run has still to do of one process, for the ETA: its builds
 * not ended for good (planned and queued, waiting for a retry, or
 * running), and how long its builds take.
 */
struct runner_eta_proc {
  int process_id;
  long open;      /* its builds queued or running */
  double hist_s;  /* mean run time of its recent successes; <0: none */
  double obs_sum; /* run times of this run's successes */
  long obs_n;
};

/*
 * runner_eta_seconds: how long the open builds of e[0..n) take, spread
 * over capacity slots (0: 1): each process's open builds times its mean
 * run time, from its history, else from this run's successes of it,
 * else this run's mean over all processes.  -1 when a process with
 * open builds has no mean from any of them; 0 when nothing is open.
 */
double runner_eta_seconds(const struct runner_eta_proc *e, size_t n,
                          unsigned capacity);

/*
 * Where a run stands, the one source of its progress line and of what
 * SIGUSR1 logs.  planned = built + failed + running + to_go, always.
 */
struct runner_figures {
  long built;   /* codes that ended well, their outputs recorded or
                   being recorded */
  long failed;  /* builds failed for good or marked bad */
  long running; /* codes running */
  long to_go;   /* open builds not running: queued, or a retry */
  long planned; /* all the above: the builds planned so far */
  double eta_s; /* for the running and those to go; <0: unknown */
};

/*
 * runner_figures_of: the figures from what ended (built, failed), what
 * runs now (running) and the open builds of each process in e[0..n)
 * (running ones included), with the ETA over every open build.
 */
struct runner_figures runner_figures_of(const struct runner_eta_proc *e,
                                        size_t n, long built, long failed,
                                        long running, unsigned capacity);

#endif
