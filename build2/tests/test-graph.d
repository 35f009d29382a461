build2/tests/test-graph.o: tests/unit/test-graph.c src/graph.h \
 src/compat.h tests/unit/unit.h build2/tests/unit-suites.h
src/graph.h:
src/compat.h:
tests/unit/unit.h:
build2/tests/unit-suites.h:
