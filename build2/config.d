build2/config.o: src/config.c src/config.h src/compat.h src/version.h \
 src/fnformat.h src/strbuf.h src/graph.h src/log.h src/strvec.h \
 src/timeutil.h src/xalloc.h src/banned.h
src/config.h:
src/compat.h:
src/version.h:
src/fnformat.h:
src/strbuf.h:
src/graph.h:
src/log.h:
src/strvec.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
