build2/tests/test-fsutil.o: tests/unit/test-fsutil.c src/fsutil.h \
 src/compat.h src/strbuf.h src/strbuf.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/fsutil.h:
src/compat.h:
src/strbuf.h:
src/strbuf.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
