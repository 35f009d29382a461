build2/fsutil.o: src/fsutil.c src/fsutil.h src/compat.h src/strbuf.h \
 src/strvec.h src/xalloc.h src/banned.h
src/fsutil.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/xalloc.h:
src/banned.h:
