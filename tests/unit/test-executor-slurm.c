/*
 * test-executor-slurm.c - the Slurm executor's pure parts, as tables:
 * job states, sbatch's, squeue's and scontrol's output, shell quoting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
      {"a reason", "12|RUNNING|n1|None\n", 1, 0, "12", "RUNNING", "n1"},
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

static void test_parse_squeue_reason(void) {
  static const struct {
    const char *what, *out, *reason;
  } cases[] = {
      {"none asked", "12|RUNNING|n1\n", ""},
      {"a running job's", "12|RUNNING|n1|None\n", "None"},
      {"the rest of the line",
       "13|PENDING||Nodes required for job are DOWN, DRAINED | x\n",
       "Nodes required for job are DOWN, DRAINED | x"},
      {"empty", "14|PENDING||\n", ""},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct slurm_job_info *v = NULL;
    size_t bad = 99;
    long n = slurm_parse_squeue(cases[i].out, strlen(cases[i].out), &v, &bad);

    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(bad, 0);
    if (n == 1)
      CU_ASSERT_STRING_EQUAL(v[0].reason, cases[i].reason);
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

/* EndTime is the controller's local time: read in TZ (UTC here) */
static void test_parse_scontrol_end(void) {
  static const struct {
    const char *line;
    long long end_s;
  } cases[] = {
      {"JobId=1 JobState=COMPLETED EndTime=2026-12-07T13:04:15 Deadline=N/A",
       1796648655LL},
      {"JobId=2 JobState=CANCELLED StartTime=Unknown EndTime=Unknown", 0},
      {"JobId=3 JobState=PENDING EndTime=None", 0},
      {"JobId=4 JobState=FAILED EndTime=2026-12-07", 0},
      {"JobId=5 JobState=FAILED EndTime=2026-12-07T13:04:15.5", 0},
      {"JobId=6 JobState=FAILED", 0},
  };
  char *tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;

  setenv("TZ", "UTC0", 1);
  tzset();
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct slurm_job_info j;

    CU_ASSERT_EQUAL(
        slurm_parse_scontrol(cases[i].line, strlen(cases[i].line), &j), 0);
    CU_ASSERT_EQUAL((long long)j.end_s, cases[i].end_s);
  }
  if (tz)
    setenv("TZ", tz, 1);
  else
    unsetenv("TZ");
  tzset();
  free(tz);
}

static void test_parse_jobcomp(void) {
  static const char log[] =
      "JobId=1 UserId=root(0) GroupId=root(0) Name=pipe JobState=COMPLETED "
      "Partition=test NodeList=n1 ExitCode=0:0\n"
      "JobId=12 UserId=root(0) Name=pipe JobState=FAILED NodeList=n2 "
      "ExitCode=1:0\n"
      "JobId=120 UserId=root(0) Name=pipe JobState=TIMEOUT NodeList=n3\n"
      "JobId=12 UserId=root(0) Name=my job JobState=CANCELLED NodeList=n4 "
      "ExitCode=0:15\n"
      "garbage line\n"
      "JobId=7 JobState=NODE_FAIL NodeList=n5\n"
      "JobId=99 JobId=98 JobState=FAILED";
  static const struct {
    const char *what, *id;
    int rc;
    const char *state, *node;
  } cases[] = {
      {"the first", "1", 0, "COMPLETED", "n1"},
      {"the last of a job's records", "12", 0, "CANCELLED", "n4"},
      {"not a prefix of another id", "120", 0, "TIMEOUT", "n3"},
      {"no final newline", "7", 0, "NODE_FAIL", "n5"},
      {"not there", "2", -1, NULL, NULL},
      {"not an id", "1 ", -1, NULL, NULL},
      {"a line that names another job too", "99", -1, NULL, NULL},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct slurm_job_info j;
    int rc = slurm_parse_jobcomp(log, strlen(log), cases[i].id, &j);

    if (rc != cases[i].rc)
      fprintf(stderr, "\n  jobcomp %s: %d\n", cases[i].what, rc);
    CU_ASSERT_EQUAL(rc, cases[i].rc);
    if (rc)
      continue;
    CU_ASSERT_STRING_EQUAL(j.id, cases[i].id);
    CU_ASSERT_STRING_EQUAL(j.state, cases[i].state);
    CU_ASSERT_STRING_EQUAL(j.node, cases[i].node);
  }
  {
    struct slurm_job_info j;

    CU_ASSERT_EQUAL(slurm_parse_jobcomp("", 0, "1", &j), -1);
  }
}

static void test_parse_script_keys(void) {
  static const struct {
    const char *what, *text;
    int rc;
    size_t n;
    const char *k0, *k1;
  } cases[] = {
      {"two paths", "#!/bin/bash\nB_LOG=('/l/a')\nB_ST=('/s/build-1.1' "
                    "'/s/build-2.1')\nB_TO=(1 2)\n",
       0, 2, "/s/build-1.1", "/s/build-2.1"},
      {"a quote and a space in a path",
       "B_ST=('/a b/it'\\''s/build-3.1')\n", 0, 1, "/a b/it's/build-3.1",
       NULL},
      {"an empty array", "x\nB_ST=()\n", 0, 0, NULL, NULL},
      {"at the end of the text", "B_ST=('/s/x')", 0, 1, "/s/x", NULL},
      {"not at the start of a line", "xB_ST=('/s/x')\n", -1, 0, NULL, NULL},
      {"none", "#!/bin/bash\nB_LOG=('/l/a')\n", -1, 0, NULL, NULL},
      {"an unterminated quote", "B_ST=('/s/x)\n", -1, 0, NULL, NULL},
      {"no closing parenthesis", "B_ST=('/s/x'\n", -1, 0, NULL, NULL},
      {"an unquoted word", "B_ST=(/s/x)\n", -1, 0, NULL, NULL},
      {"more after the array", "B_ST=('/s/x') y\n", -1, 0, NULL, NULL},
  };

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct strvec keys = STRVEC_INIT;
    int rc = slurm_parse_script_keys(cases[i].text, strlen(cases[i].text),
                                     &keys);

    if (rc != cases[i].rc || keys.nr != cases[i].n)
      fprintf(stderr, "\n  script keys %s: %d, %zu keys\n", cases[i].what,
              rc, keys.nr);
    CU_ASSERT_EQUAL(rc, cases[i].rc);
    CU_ASSERT_EQUAL(keys.nr, cases[i].n);
    if (keys.nr > 0 && cases[i].k0)
      CU_ASSERT_STRING_EQUAL(keys.v[0], cases[i].k0);
    if (keys.nr > 1 && cases[i].k1)
      CU_ASSERT_STRING_EQUAL(keys.v[1], cases[i].k1);
    strvec_clear(&keys);
  }
}

/* what the group script writes, read back as the lookup reads it */
static void test_script_keys_quote(void) {
  static const char *const paths[] = {"/plain/build-1.1", "/q'uo'te/b",
                                      "/sp ace/$x `y` \\z", "''"};
  struct strbuf sb = STRBUF_INIT;
  struct strvec keys = STRVEC_INIT;

  strbuf_addstr(&sb, "B_DIR=('.')\nB_ST=(");
  for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
    if (i)
      strbuf_addch(&sb, ' ');
    slurm_quote(&sb, paths[i]);
  }
  strbuf_addstr(&sb, ")\nB_TO=(0)\n");
  CU_ASSERT_EQUAL(slurm_parse_script_keys(sb.buf, sb.len, &keys), 0);
  CU_ASSERT_EQUAL(keys.nr, ARRAY_SIZE(paths));
  for (size_t i = 0; i < keys.nr && i < ARRAY_SIZE(paths); i++)
    CU_ASSERT_STRING_EQUAL(keys.v[i], paths[i]);
  strvec_clear(&keys);
  strbuf_release(&sb);
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
  ADD_TEST(s, test_parse_squeue_reason);
  ADD_TEST(s, test_parse_scontrol);
  ADD_TEST(s, test_parse_scontrol_end);
  ADD_TEST(s, test_parse_jobcomp);
  ADD_TEST(s, test_parse_script_keys);
  ADD_TEST(s, test_script_keys_quote);
  ADD_TEST(s, test_quote);
}
