build2/tests/test-place.o: tests/unit/test-place.c src/archive.h \
 src/compat.h src/strbuf.h src/strvec.h src/version.h src/fault.h \
 src/fsutil.h src/place.h src/strbuf.h tests/unit/unit.h \
 build2/tests/unit-suites.h
src/archive.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/version.h:
src/fault.h:
src/fsutil.h:
src/place.h:
src/strbuf.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
