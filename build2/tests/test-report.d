build2/tests/test-report.o: tests/unit/test-report.c src/report.h \
 src/lock.h src/compat.h src/strbuf.h src/store-report.h \
 src/store-status.h src/strvec.h src/strbuf.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/report.h:
src/lock.h:
src/compat.h:
src/strbuf.h:
src/store-report.h:
src/store-status.h:
src/strvec.h:
src/strbuf.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
