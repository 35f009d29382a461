/*
 * test-state.c - the state text tables: every state's name parses back
 * to it, the names are the ones the schema's CHECK constraints allow,
 * and unknown names are refused.
 */
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "unit.h"

static void test_round_trip(void) {
  for (int i = 0; i < BUILD_STATE_COUNT; i++) {
    enum build_state s;

    CU_ASSERT(build_state_parse(build_state_name(i), &s) == 0 && (int)s == i);
  }
  for (int i = 0; i < BATCH_STATE_COUNT; i++) {
    enum batch_state s;

    CU_ASSERT(batch_state_parse(batch_state_name(i), &s) == 0 && (int)s == i);
  }
  for (int i = 0; i < RUN_STATE_COUNT; i++) {
    enum run_state s;

    CU_ASSERT(run_state_parse(run_state_name(i), &s) == 0 && (int)s == i);
  }
  for (int i = 0; i < BUILD_REASON_COUNT; i++) {
    enum build_reason r;

    CU_ASSERT(build_reason_parse(build_reason_name(i), &r) == 0 &&
              (int)r == i);
  }
  CU_ASSERT_PTR_NULL(build_reason_names[BUILD_REASON_COUNT]);
  CU_ASSERT_PTR_NULL(build_state_names[BUILD_STATE_COUNT]);
  CU_ASSERT_PTR_NULL(batch_state_names[BATCH_STATE_COUNT]);
  CU_ASSERT_PTR_NULL(run_state_names[RUN_STATE_COUNT]);
}

static void test_names(void) {
  /* the spellings of sql/0001-initial.sql's CHECK constraints */
  static const struct {
    enum build_state s;
    const char *name;
  } builds[] = {
      {BUILD_STATE_QUEUED, "queued"},
      {BUILD_STATE_RUNNING, "running"},
      {BUILD_STATE_RECORDING, "recording"},
      {BUILD_STATE_SUCCEEDED, "succeeded"},
      {BUILD_STATE_FAILED, "failed"},
      {BUILD_STATE_TIMED_OUT, "timed_out"},
      {BUILD_STATE_KILLED, "killed"},
      {BUILD_STATE_BAD, "bad"},
      {BUILD_STATE_CANCELLED, "cancelled"},
  };
  static const struct {
    enum batch_state s;
    const char *name;
  } batches[] = {
      {BATCH_STATE_PLANNED, "planned"}, {BATCH_STATE_RUNNING, "running"},
      {BATCH_STATE_DONE, "done"},       {BATCH_STATE_FAILED, "failed"},
      {BATCH_STATE_BAD, "bad"},         {BATCH_STATE_CANCELLED, "cancelled"},
  };
  static const struct {
    enum run_state s;
    const char *name;
  } runs[] = {
      {RUN_STATE_RUNNING, "running"},         {RUN_STATE_OK, "ok"},
      {RUN_STATE_FAILED, "failed"},           {RUN_STATE_ABORTED, "aborted"},
      {RUN_STATE_INTERRUPTED, "interrupted"}, {RUN_STATE_CLEARED, "cleared"},
  };

  CU_ASSERT_EQUAL(sizeof(builds) / sizeof(builds[0]), BUILD_STATE_COUNT);
  CU_ASSERT_EQUAL(sizeof(batches) / sizeof(batches[0]), BATCH_STATE_COUNT);
  CU_ASSERT_EQUAL(sizeof(runs) / sizeof(runs[0]), RUN_STATE_COUNT);
  for (size_t i = 0; i < sizeof(builds) / sizeof(builds[0]); i++)
    CU_ASSERT_STRING_EQUAL(build_state_name(builds[i].s), builds[i].name);
  for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++)
    CU_ASSERT_STRING_EQUAL(batch_state_name(batches[i].s), batches[i].name);
  for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
    CU_ASSERT_STRING_EQUAL(run_state_name(runs[i].s), runs[i].name);
}

static void test_unknown(void) {
  enum build_state b = BUILD_STATE_BAD;
  enum run_state r = RUN_STATE_OK;
  enum batch_state t = BATCH_STATE_DONE;

  /* exact names only: the database stores them in lower case */
  CU_ASSERT(build_state_parse("QUEUED", &b) == -1);
  CU_ASSERT(build_state_parse("starting", &b) == -1);
  CU_ASSERT(build_state_parse("", &b) == -1);
  CU_ASSERT(build_state_parse(NULL, &b) == -1);
  CU_ASSERT(b == BUILD_STATE_BAD); /* untouched on failure */
  CU_ASSERT(run_state_parse("done", &r) == -1);
  CU_ASSERT(batch_state_parse("ok", &t) == -1);
  CU_ASSERT_STRING_EQUAL(build_state_name((enum build_state)99), "unknown");
  CU_ASSERT_STRING_EQUAL(run_state_name((enum run_state) - 1), "unknown");
}

void suite_state(void) {
  CU_pSuite s = unit_add_suite("state");

  ADD_TEST(s, test_round_trip);
  ADD_TEST(s, test_names);
  ADD_TEST(s, test_unknown);
}
