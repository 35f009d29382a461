build2/tests/test-version.o: tests/unit/test-version.c tests/unit/unit.h \
 build2/tests/unit-suites.h src/version.h src/compat.h
tests/unit/unit.h:
build2/tests/unit-suites.h:
src/version.h:
src/compat.h:
