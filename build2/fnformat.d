build2/fnformat.o: src/fnformat.c src/fnformat.h src/compat.h \
 src/strbuf.h src/version.h src/log.h src/timeutil.h src/xalloc.h \
 src/banned.h
src/fnformat.h:
src/compat.h:
src/strbuf.h:
src/version.h:
src/log.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
