build2/tests/test-config.o: tests/unit/test-config.c src/config.h \
 src/compat.h src/version.h src/log.h src/strbuf.h src/timeutil.h \
 tests/unit/unit.h build2/tests/unit-suites.h
src/config.h:
src/compat.h:
src/version.h:
src/log.h:
src/strbuf.h:
src/timeutil.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
