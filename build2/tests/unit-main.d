build2/tests/unit-main.o: tests/unit/unit-main.c src/log.h src/compat.h \
 tests/unit/unit.h build2/tests/unit-suites.h
src/log.h:
src/compat.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
