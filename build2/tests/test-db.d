build2/tests/test-db.o: tests/unit/test-db.c src/db.h src/compat.h \
 src/strbuf.h src/strbuf.h src/timeutil.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/db.h:
src/compat.h:
src/strbuf.h:
src/strbuf.h:
src/timeutil.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
