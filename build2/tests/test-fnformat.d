build2/tests/test-fnformat.o: tests/unit/test-fnformat.c src/fnformat.h \
 src/compat.h src/strbuf.h src/version.h src/timeutil.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/fnformat.h:
src/compat.h:
src/strbuf.h:
src/version.h:
src/timeutil.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
