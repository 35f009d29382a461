build2/tests/test-spawn.o: tests/unit/test-spawn.c src/log.h src/compat.h \
 src/spawn.h src/strbuf.h src/strvec.h src/strbuf.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/log.h:
src/compat.h:
src/spawn.h:
src/strbuf.h:
src/strvec.h:
src/strbuf.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
