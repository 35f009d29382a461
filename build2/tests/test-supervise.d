build2/tests/test-supervise.o: tests/unit/test-supervise.c src/spawn.h \
 src/compat.h src/strbuf.h src/strvec.h src/strbuf.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/spawn.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/strbuf.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
