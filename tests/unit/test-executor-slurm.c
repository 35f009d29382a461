/*
 * test-executor-slurm.c - the Slurm executor's pure parts, as tables:
 * job states, sbatch's, squeue's and scontrol's output, shell quoting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "executor.h"
#include "strbuf.h"
#include "unit.h"

static void test_state_of(void) {
  static const struct {
    const char *word;
    enum slurm_state want;
  } cases[] = {
      {"PENDING", SLURM_ACTIVE},
      {"RUNNING", SLURM_ACTIVE},
      {"COMPLETING", SLURM_ACTIVE},
      {"SUSPENDED", SLURM_ACTIVE},
      {"REQUEUED", SLURM_ACTIVE},
      {"COMPLETED", SLURM_COMPLETED},
      {"FAILED", SLURM_COMPLETED},
      {"CANCELLED", SLURM_CANCELLED},
      {"CANCELLED by 0", SLURM_CANCELLED},
      {"CANCELLED+", SLURM_CANCELLED},
      {"PREEMPTED", SLURM_CANCELLED},
      {"TIMEOUT", SLURM_TIMEOUT},
      {"DEADLINE", SLURM_TIMEOUT},
      {"NODE_FAIL", SLURM_NODE_FAIL},
      {"BOOT_FAIL", SLURM_NODE_FAIL},
      {"OUT_OF_MEMORY", SLURM_OOM},
      {"", SLURM_UNKNOWN},
      {"RUN", SLURM_UNKNOWN},
      {"RUNNINGX", SLURM_UNKNOWN},
      {"running", SLURM_UNKNOWN},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    enum slurm_state got = slurm_state_of(cases[i].word);

    if (got != cases[i].want)
      fprintf(stderr, "\n  state of \"%s\": %d, want %d\n", cases[i].word,
              (int)got, (int)cases[i].want);
    CU_ASSERT_EQUAL(got, cases[i].want);
  }
}

static void test_parse_sbatch(void) {
  static const struct {
    const char *out;
    int rc;
    const char *id;
  } cases[] = {
      {"1234\n", 0, "1234"},
      {"1234", 0, "1234"},
      {"7;cluster\n", 0, "7"},
      {"7;cluster", 0, "7"},
      {"", -1, NULL},
      {"\n", -1, NULL},
      {"Submitted batch job 12\n", -1, NULL},
      {"12 \n", -1, NULL},
      {"12\n13\n", -1, NULL},
      {"12;\n", -1, NULL},
      {"12;a b\n", -1, NULL},
      {"-12\n", -1, NULL},
      {"123456789012345678901\n", -1, NULL},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    char id[32] = "";
    int rc = slurm_parse_sbatch(cases[i].out, strlen(cases[i].out), id,
                                sizeof(id));

    if (rc != cases[i].rc)
      fprintf(stderr, "\n  sbatch \"%s\": %d\n", cases[i].out, rc);
    CU_ASSERT_EQUAL(rc, cases[i].rc);
    if (!rc && cases[i].id)
      CU_ASSERT_STRING_EQUAL(id, cases[i].id);
  }
  /* an id longer than the buffer is refused, never cut */
  {
    char small[3];

    CU_ASSERT_EQUAL(slurm_parse_sbatch("123\n", 4, small, sizeof(small)), -1);
  }
}

static void test_parse_squeue(void) {
  static const struct {
    const char *what, *out;
    long n;
    size_t bad;
    const char *id0, *state0, *node0;
  } cases[] = {
      {"empty", "", 0, 0, NULL, NULL, NULL},
      {"one", "12|RUNNING|n1\n", 1, 0, "12", "RUNNING", "n1"},
      {"pending, no node", "13|PENDING|\n", 1, 0, "13", "PENDING", ""},
      {"no final newline", "14|COMPLETED|n[1-2]", 1, 0, "14", "COMPLETED",
       "n[1-2]"},
      {"two and a blank line", "1|RUNNING|a\n\n2|PENDING|\n", 2, 0, "1",
       "RUNNING", "a"},
      {"an array task id is not ours", "12_3|RUNNING|n1\n", 0, 1, NULL, NULL,
       NULL},
      {"too few fields", "12|RUNNING\n", 0, 1, NULL, NULL, NULL},
      {"too many fields", "12|RUNNING|n1|x\n", 0, 1, NULL, NULL, NULL},
      {"no state", "12||n1\n", 0, 1, NULL, NULL, NULL},
      {"a header", "JOBID|STATE|NODELIST\n5|RUNNING|n1\n", 1, 1, "5",
       "RUNNING", "n1"},
      {"an error line", "squeue: error: Invalid job id\n", 0, 1, NULL, NULL,
       NULL},
      {"a control byte in a line", "12|\001RUNNING|n1\n13|PENDING|\n", 1, 1,
       "13", "PENDING", ""},
      {"a long node list is cut",
       "9|RUNNING|"
       "n0000000001,n0000000002,n0000000003,n0000000004,n0000000005,"
       "n0000000006\n",
       1, 0, "9", "RUNNING",
       "n0000000001,n0000000002,n0000000003,n0000000004,n0000000005,n00"},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct slurm_job_info *v = NULL;
    size_t bad = 99;
    long n = slurm_parse_squeue(cases[i].out, strlen(cases[i].out), &v, &bad);

    if (n != cases[i].n || bad != cases[i].bad)
      fprintf(stderr, "\n  squeue %s: %ld jobs, %zu bad\n", cases[i].what, n,
              bad);
    CU_ASSERT_EQUAL(n, cases[i].n);
    CU_ASSERT_EQUAL(bad, cases[i].bad);
    if (n > 0 && cases[i].id0) {
      CU_ASSERT_STRING_EQUAL(v[0].id, cases[i].id0);
      CU_ASSERT_STRING_EQUAL(v[0].state, cases[i].state0);
      CU_ASSERT_STRING_EQUAL(v[0].node, cases[i].node0);
    }
    free(v);
  }
}

static void test_parse_scontrol(void) {
  static const struct {
    const char *what, *line;
    int rc;
    const char *id, *state, *node, *reason;
    int exit_code, exit_signal;
  } cases[] = {
      {"a cancelled job",
       "JobId=12 JobName=cascade-test UserId=root(0) GroupId=root(0) "
       "MCS_label=N/A Priority=1 Nice=0 Account=(null) QOS=(null) "
       "JobState=CANCELLED Reason=None Dependency=(null) Requeue=1 "
       "Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:15 RunTime=00:00:05 "
       "NodeList=n1 BatchHost=n1 NumNodes=1 Command=/tmp/a b/script.sh "
       "WorkDir=/tmp/a b StdOut=/tmp/x Power=\n",
       0, "12", "CANCELLED", "n1", "None", 0, 15},
      {"a value with spaces does not hide the next key",
       "JobId=3 JobName=my job name JobState=TIMEOUT Reason=TimeLimit "
       "ExitCode=0:1",
       0, "3", "TIMEOUT", "", "TimeLimit", 0, 1},
      {"NodeList alone names the node",
       "JobId=4 JobState=NODE_FAIL Reason=NodeDown NodeList=n7 ExitCode=1:0",
       0, "4", "NODE_FAIL", "n7", "NodeDown", 1, 0},
      {"a pending job has no node",
       "JobId=5 JobState=PENDING Reason=Resources NodeList=(null) "
       "BatchHost=",
       0, "5", "PENDING", "", "Resources", -1, -1},
      {"a bad exit code is unknown",
       "JobId=6 JobState=FAILED ExitCode=x:1", 0, "6", "FAILED", "", "", -1,
       -1},
      {"no JobState", "JobId=7 JobName=x", -1, NULL, NULL, NULL, NULL, 0, 0},
      {"no JobId", "JobName=x JobState=RUNNING", -1, NULL, NULL, NULL, NULL, 0,
       0},
      {"an error message",
       "slurm_load_jobs error: Invalid job id specified", -1, NULL, NULL, NULL,
       NULL, 0, 0},
      {"empty", "", -1, NULL, NULL, NULL, NULL, 0, 0},
      {"a control byte in the state", "JobId=8 JobState=\001RUNNING", -1, NULL,
       NULL, NULL, NULL, 0, 0},
      {"only the first line counts",
       "JobId=8 JobState=RUNNING\nJobId=9 JobState=FAILED", 0, "8", "RUNNING",
       "", "", -1, -1},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct slurm_job_info j;
    int rc = slurm_parse_scontrol(cases[i].line, strlen(cases[i].line), &j);

    if (rc != cases[i].rc)
      fprintf(stderr, "\n  scontrol %s: %d\n", cases[i].what, rc);
    CU_ASSERT_EQUAL(rc, cases[i].rc);
    if (rc || !cases[i].id)
      continue;
    CU_ASSERT_STRING_EQUAL(j.id, cases[i].id);
    CU_ASSERT_STRING_EQUAL(j.state, cases[i].state);
    CU_ASSERT_STRING_EQUAL(j.node, cases[i].node);
    CU_ASSERT_STRING_EQUAL(j.reason, cases[i].reason);
    CU_ASSERT_EQUAL(j.exit_code, cases[i].exit_code);
    CU_ASSERT_EQUAL(j.exit_signal, cases[i].exit_signal);
  }
}

static void test_quote(void) {
  static const struct {
    const char *in, *want;
  } cases[] = {
      {"", "''"},
      {"abc", "'abc'"},
      {"a b", "'a b'"},
      {"it's", "'it'\\''s'"},
      {"$HOME `x` \"q\" \\", "'$HOME `x` \"q\" \\'"},
      {"''", "''\\'''\\'''"},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct strbuf sb = STRBUF_INIT;

    slurm_quote(&sb, cases[i].in);
    CU_ASSERT_STRING_EQUAL(sb.buf, cases[i].want);
    strbuf_release(&sb);
  }
}

void suite_executor_slurm(void) {
  CU_pSuite s = unit_add_suite("executor-slurm");

  ADD_TEST(s, test_state_of);
  ADD_TEST(s, test_parse_sbatch);
  ADD_TEST(s, test_parse_squeue);
  ADD_TEST(s, test_parse_scontrol);
  ADD_TEST(s, test_quote);
}
