build2/place.o: src/place.c src/place.h src/compat.h src/strvec.h \
 src/archive.h src/strbuf.h src/version.h src/fault.h src/fsutil.h \
 src/log.h src/xalloc.h src/banned.h
src/place.h:
src/compat.h:
src/strvec.h:
src/archive.h:
src/strbuf.h:
src/version.h:
src/fault.h:
src/fsutil.h:
src/log.h:
src/xalloc.h:
src/banned.h:
