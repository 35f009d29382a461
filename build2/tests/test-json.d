build2/tests/test-json.o: tests/unit/test-json.c src/json.h src/compat.h \
 src/strbuf.h src/strbuf.h tests/unit/unit.h build2/tests/unit-suites.h
src/json.h:
src/compat.h:
src/strbuf.h:
src/strbuf.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
