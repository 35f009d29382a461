build2/tests/test-archive.o: tests/unit/test-archive.c src/archive.h \
 src/compat.h src/strbuf.h src/strvec.h src/version.h src/place.h \
 src/strbuf.h src/strvec.h src/timeutil.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/archive.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/version.h:
src/place.h:
src/strbuf.h:
src/strvec.h:
src/timeutil.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
