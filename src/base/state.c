/*
 * state.c - the text tables of the build, batch and run states and of
 * the reasons for a build, and of what a process may reuse.
 */
#include "state.h"

#include <stddef.h>
#include <string.h>

#include "banned.h"

const char *const build_state_names[BUILD_STATE_COUNT + 1] = {
    [BUILD_STATE_QUEUED] = "queued",
    [BUILD_STATE_RUNNING] = "running",
    [BUILD_STATE_RECORDING] = "recording",
    [BUILD_STATE_SUCCEEDED] = "succeeded",
    [BUILD_STATE_FAILED] = "failed",
    [BUILD_STATE_TIMED_OUT] = "timed_out",
    [BUILD_STATE_KILLED] = "killed",
    [BUILD_STATE_BAD] = "bad",
    [BUILD_STATE_CANCELLED] = "cancelled",
    [BUILD_STATE_COUNT] = NULL,
};

const char *const batch_state_names[BATCH_STATE_COUNT + 1] = {
    [BATCH_STATE_PLANNED] = "planned", [BATCH_STATE_RUNNING] = "running",
    [BATCH_STATE_DONE] = "done",       [BATCH_STATE_FAILED] = "failed",
    [BATCH_STATE_BAD] = "bad",         [BATCH_STATE_CANCELLED] = "cancelled",
    [BATCH_STATE_COUNT] = NULL,
};

const char *const run_state_names[RUN_STATE_COUNT + 1] = {
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_OK] = "ok",
    [RUN_STATE_FAILED] = "failed",
    [RUN_STATE_ABORTED] = "aborted",
    [RUN_STATE_INTERRUPTED] = "interrupted",
    [RUN_STATE_CLEARED] = "cleared",
    [RUN_STATE_COUNT] = NULL,
};

const char *const build_reason_names[BUILD_REASON_COUNT + 1] = {
    [BUILD_REASON_FIRST] = "first",
    [BUILD_REASON_INPUT_ADDED] = "input-added",
    [BUILD_REASON_INPUT_REMOVED] = "input-removed",
    [BUILD_REASON_INPUT_CHANGED] = "input-changed",
    [BUILD_REASON_NEIGHBOUR] = "neighbour-changed",
    [BUILD_REASON_CODE_CHANGED] = "code-changed",
    [BUILD_REASON_FORCED] = "forced",
    [BUILD_REASON_REQUESTED] = "requested",
    [BUILD_REASON_SCHEDULED] = "scheduled",
    [BUILD_REASON_PERIOD_CHANGED] = "period-changed",
    [BUILD_REASON_COUNT] = NULL,
};

static const char *name_of(const char *const *names, size_t count, unsigned v) {
  return v < count ? names[v] : "unknown";
}

int state_index(const char *const *names, const char *s) {
  for (int i = 0; s && names[i]; i++)
    if (!strcmp(s, names[i]))
      return i;
  return -1;
}

const char *build_state_name(enum build_state s) {
  return name_of(build_state_names, BUILD_STATE_COUNT, (unsigned)s);
}

const char *batch_state_name(enum batch_state s) {
  return name_of(batch_state_names, BATCH_STATE_COUNT, (unsigned)s);
}

const char *run_state_name(enum run_state s) {
  return name_of(run_state_names, RUN_STATE_COUNT, (unsigned)s);
}

const char *build_reason_name(enum build_reason r) {
  return name_of(build_reason_names, BUILD_REASON_COUNT, (unsigned)r);
}

int build_state_parse(const char *s, enum build_state *out) {
  int v = state_index(build_state_names, s);

  if (v < 0)
    return -1;
  *out = (enum build_state)v;
  return 0;
}

int batch_state_parse(const char *s, enum batch_state *out) {
  int v = state_index(batch_state_names, s);

  if (v < 0)
    return -1;
  *out = (enum batch_state)v;
  return 0;
}

int run_state_parse(const char *s, enum run_state *out) {
  int v = state_index(run_state_names, s);

  if (v < 0)
    return -1;
  *out = (enum run_state)v;
  return 0;
}

int build_reason_parse(const char *s, enum build_reason *out) {
  int v = state_index(build_reason_names, s);

  if (v < 0)
    return -1;
  *out = (enum build_reason)v;
  return 0;
}

static const char *const reuse_mode_names[REUSE_MODE_COUNT + 1] = {
    [REUSE_NONE] = "none",
    [REUSE_CONTENT] = "content",
    [REUSE_MODE_COUNT] = NULL,
};

const char *reuse_mode_name(enum reuse_mode m) {
  return name_of(reuse_mode_names, REUSE_MODE_COUNT, (unsigned)m);
}

int reuse_mode_parse(const char *s, enum reuse_mode *out) {
  int v = state_index(reuse_mode_names, s);

  if (v < 0)
    return -1;
  *out = (enum reuse_mode)v;
  return 0;
}
