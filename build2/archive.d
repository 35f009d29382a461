build2/archive.o: src/archive.c src/archive.h src/compat.h src/strbuf.h \
 src/strvec.h src/version.h src/fnformat.h src/fsutil.h src/log.h \
 src/sha.h src/timeutil.h src/xalloc.h src/banned.h
src/archive.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/version.h:
src/fnformat.h:
src/fsutil.h:
src/log.h:
src/sha.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
