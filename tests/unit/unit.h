/*
 * unit.h - glue for the CUnit unit tests.
 *
 * Each tests/unit/test-<module>.c defines "void suite_<module>(void)"
 * (hyphens become underscores) that adds one CUnit suite and its tests.
 * The Makefile lists the files into unit-suites.h and unit-main.c calls
 * every suite function; nothing else needs registering.
 */
#ifndef CASCADE_UNIT_H
#define CASCADE_UNIT_H

#include <CUnit/CUnit.h>

#define SUITE(name) void suite_##name(void);
#include "unit-suites.h"
#undef SUITE

/* ADD_TEST(suite, fn): add fn under its own name; dies if CUnit fails. */
#define ADD_TEST(s, fn)                                                      \
	do {                                                                 \
		if (!CU_add_test((s), #fn, (fn)))                            \
			unit_fail_registry();                                \
	} while (0)

CU_pSuite unit_add_suite(const char *name);

/*
 * unit_aborts: whether fn(arg), run in a child process, dies of SIGABRT
 * (a BUG() check firing); the status is printed when it does not.
 */
int unit_aborts(void (*fn)(int arg), int arg);
void unit_fail_registry(void);

#endif
