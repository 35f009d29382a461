build2/xalloc.o: src/xalloc.c src/xalloc.h src/compat.h src/banned.h
src/xalloc.h:
src/compat.h:
src/banned.h:
