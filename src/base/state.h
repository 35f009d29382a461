/*
 * state.h - the states of a build, a batch and a run (a logging row),
 * and the reasons a build was planned, each one enum with one text
 * table: the database stores the names (its CHECK constraints list the
 * same ones, sql/0001-initial.sql and sql/0011-build-reason.sql), C code
 * compares the enums.
 *
 * Pure: no I/O.  The transitions themselves are the stores' (store-run.c
 * for builds and batches, lock.c for runs); this file only names them.
 */
#ifndef CASCADE_STATE_H
#define CASCADE_STATE_H

#include "compat.h"

/*
 * A build: queued -> running -> recording (the code finished, its
 * outcome committed, the output not yet archived) -> succeeded; or
 * failed / timed_out / killed (queued again while attempts remain), bad
 * (quick repeated failures: left for a person) or cancelled.
 */
enum build_state {
  BUILD_STATE_QUEUED = 0,
  BUILD_STATE_RUNNING,
  BUILD_STATE_RECORDING,
  BUILD_STATE_SUCCEEDED,
  BUILD_STATE_FAILED,
  BUILD_STATE_TIMED_OUT,
  BUILD_STATE_KILLED,
  BUILD_STATE_BAD,
  BUILD_STATE_CANCELLED,
};
#define BUILD_STATE_COUNT (BUILD_STATE_CANCELLED + 1)

/* A batch of builds: planned -> running -> done, failed, bad, cancelled. */
enum batch_state {
  BATCH_STATE_PLANNED = 0,
  BATCH_STATE_RUNNING,
  BATCH_STATE_DONE,
  BATCH_STATE_FAILED,
  BATCH_STATE_BAD,
  BATCH_STATE_CANCELLED,
};
#define BATCH_STATE_COUNT (BATCH_STATE_CANCELLED + 1)

/* A run (logging row): running -> ok, failed, aborted, interrupted, cleared. */
enum run_state {
  RUN_STATE_RUNNING = 0,
  RUN_STATE_OK,
  RUN_STATE_FAILED,
  RUN_STATE_ABORTED,
  RUN_STATE_INTERRUPTED,
  RUN_STATE_CLEARED,
};
#define RUN_STATE_COUNT (RUN_STATE_CLEARED + 1)

/*
 * Why a build was planned (a build_reason row; a build has one or more):
 * what the planner saw change since the key's newest output (or, for
 * RUN, its last successful build), or who asked.
 */
enum build_reason {
  BUILD_REASON_FIRST = 0,      /* the key had no output (RUN: no build) */
  BUILD_REASON_INPUT_ADDED,    /* an input of its own period appeared */
  BUILD_REASON_INPUT_REMOVED,  /* one went (superseded out, or gone) */
  BUILD_REASON_INPUT_CHANGED,  /* another file (version) of its date */
  BUILD_REASON_NEIGHBOUR,      /* an input of a neighbouring day only (its
                                  window) was added, removed or changed */
  BUILD_REASON_CODE_CHANGED,   /* another code than the one that made it */
  BUILD_REASON_FORCED,         /* a forced version bump */
  BUILD_REASON_REQUESTED,      /* queued by a command (reprocess, ...) */
  BUILD_REASON_SCHEDULED,      /* a process without inputs, due */
  BUILD_REASON_PERIOD_CHANGED, /* its orbit's times are not those its
                                  output was built for */
};
#define BUILD_REASON_COUNT (BUILD_REASON_PERIOD_CHANGED + 1)

/*
 * What a process may reuse ("reuse:" in the mission file, table
 * process_reuse): nothing (a build always runs its code), or the output
 * of an earlier successful build made from the same content (its code
 * declared deterministic: reuse-rules.h).  "none" is not stored.
 */
enum reuse_mode {
  REUSE_NONE = 0,
  REUSE_CONTENT,
};
#define REUSE_MODE_COUNT (REUSE_CONTENT + 1)

/*
 * The text tables, indexed by the enums and ending with NULL (so a
 * table is also the list of values an option accepts).
 */
extern const char *const build_state_names[BUILD_STATE_COUNT + 1];
extern const char *const batch_state_names[BATCH_STATE_COUNT + 1];
extern const char *const run_state_names[RUN_STATE_COUNT + 1];
extern const char *const build_reason_names[BUILD_REASON_COUNT + 1];

/*
 * state_index: the index of s in names (one of the tables above), -1 if
 * s is NULL or not in it.  Nothing reported.
 */
int state_index(const char *const *names, const char *s);

/*
 * *_state_name: the stored spelling ("queued", ...); "unknown" for a
 * value out of range.  The string is static.
 */
const char *build_state_name(enum build_state s);
const char *batch_state_name(enum batch_state s);
const char *run_state_name(enum run_state s);
const char *build_reason_name(enum build_reason r);

/*
 * *_state_parse: the state named s (exactly, as stored); -1 if s is
 * NULL or no state's name, nothing reported.
 */
int build_state_parse(const char *s, enum build_state *out) CASCADE_MUSTCHECK;
int batch_state_parse(const char *s, enum batch_state *out) CASCADE_MUSTCHECK;
int run_state_parse(const char *s, enum run_state *out) CASCADE_MUSTCHECK;
int build_reason_parse(const char *s, enum build_reason *out)
    CASCADE_MUSTCHECK;

/* reuse_mode_name/_parse: "none", "content" */
const char *reuse_mode_name(enum reuse_mode m);
int reuse_mode_parse(const char *s, enum reuse_mode *out) CASCADE_MUSTCHECK;

#endif
