build2/tests/test-timeutil.o: tests/unit/test-timeutil.c src/timeutil.h \
 src/compat.h tests/unit/unit.h build2/tests/unit-suites.h
src/timeutil.h:
src/compat.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
