build2/tests/test-sha.o: tests/unit/test-sha.c src/sha.h src/compat.h \
 tests/unit/unit.h build2/tests/unit-suites.h
src/sha.h:
src/compat.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
