build2/tests/test-graph-dot.o: tests/unit/test-graph-dot.c src/config.h \
 src/compat.h src/version.h src/graph-dot.h src/store-admin.h \
 src/strbuf.h src/strvec.h src/store-admin.h src/strbuf.h \
 tests/unit/unit.h build2/tests/unit-suites.h
src/config.h:
src/compat.h:
src/version.h:
src/graph-dot.h:
src/store-admin.h:
src/strbuf.h:
src/strvec.h:
src/store-admin.h:
src/strbuf.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
