build2/graph.o: src/graph.c src/graph.h src/compat.h src/log.h \
 src/xalloc.h src/banned.h
src/graph.h:
src/compat.h:
src/log.h:
src/xalloc.h:
src/banned.h:
