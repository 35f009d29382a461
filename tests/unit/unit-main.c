/*
 * unit-main.c - run every unit suite; exit non-zero on any failure.
 *
 * CUnit's basic runner returns success even when assertions fail, so the
 * exit status is computed from the failure counts.  Usage: unit-tests
 * [SUITE] to run one suite.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "log.h"
#include "unit.h"

void
unit_fail_registry(void)
{
	fprintf(stderr, "CUnit registry error: %s\n", CU_get_error_msg());
	exit(2);
}

CU_pSuite
unit_add_suite(const char *name)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (!s)
		unit_fail_registry();
	return s;
}

int
unit_aborts(void (*fn)(int arg), int arg)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return 0;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT)
		return 1;
	fprintf(stderr, "expected SIGABRT for case %d: status %d\n", arg, st);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned failures;
	int rc;

	log_init("unit-tests");
	/* tests provoke errors on purpose; keep their messages out of sight */
	log_set_level(getenv("UNIT_VERBOSE") ? LOG_LEVEL_DEBUG : LOG_LEVEL_SILENT);
	if (CU_initialize_registry() != CUE_SUCCESS)
		unit_fail_registry();
#define SUITE(name)                                                          \
	if (argc < 2 || !strcmp(argv[1], #name))                             \
		suite_##name();
#include "unit-suites.h"
#undef SUITE
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() +
		   CU_get_number_of_tests_failed();
	rc = (failures || CU_get_error()) ? 1 : 0;
	printf("\nunit: %u tests run, %u asserts failed, %u tests failed\n",
	       CU_get_number_of_tests_run(), CU_get_number_of_failures(),
	       CU_get_number_of_tests_failed());
	CU_cleanup_registry();
	return rc;
}
