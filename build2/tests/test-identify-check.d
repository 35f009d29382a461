build2/tests/test-identify-check.o: tests/unit/test-identify-check.c \
 src/identify.h src/compat.h src/strbuf.h src/version.h src/strbuf.h \
 src/timeutil.h tests/unit/unit.h build2/tests/unit-suites.h
src/identify.h:
src/compat.h:
src/strbuf.h:
src/version.h:
src/strbuf.h:
src/timeutil.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
