build2/tests/test-period.o: tests/unit/test-period.c src/period.h \
 src/compat.h src/version.h src/timeutil.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/period.h:
src/compat.h:
src/version.h:
src/timeutil.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
