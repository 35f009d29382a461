build2/log.o: src/log.c src/log.h src/compat.h src/escape.h src/strbuf.h \
 src/timeutil.h src/xalloc.h src/banned.h
src/log.h:
src/compat.h:
src/escape.h:
src/strbuf.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
