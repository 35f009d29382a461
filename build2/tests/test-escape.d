build2/tests/test-escape.o: tests/unit/test-escape.c src/escape.h \
 src/compat.h src/strbuf.h src/strbuf.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/escape.h:
src/compat.h:
src/strbuf.h:
src/strbuf.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
