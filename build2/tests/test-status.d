build2/tests/test-status.o: tests/unit/test-status.c src/status.h \
 src/lock.h src/compat.h src/strbuf.h src/store-status.h src/strvec.h \
 src/strbuf.h tests/unit/unit.h build2/tests/unit-suites.h
src/status.h:
src/lock.h:
src/compat.h:
src/strbuf.h:
src/store-status.h:
src/strvec.h:
src/strbuf.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
