build2/tests/test-identify.o: tests/unit/test-identify.c src/identify.h \
 src/compat.h src/strbuf.h src/version.h src/timeutil.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/identify.h:
src/compat.h:
src/strbuf.h:
src/version.h:
src/timeutil.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
