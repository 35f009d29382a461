build2/strbuf.o: src/strbuf.c src/strbuf.h src/compat.h src/xalloc.h \
 src/banned.h
src/strbuf.h:
src/compat.h:
src/xalloc.h:
src/banned.h:
