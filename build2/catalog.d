build2/catalog.o: src/catalog.c src/catalog.h src/compat.h src/store.h \
 src/strbuf.h src/strvec.h src/archive.h src/version.h src/identify.h \
 src/xalloc.h src/banned.h
src/catalog.h:
src/compat.h:
src/store.h:
src/strbuf.h:
src/strvec.h:
src/archive.h:
src/version.h:
src/identify.h:
src/xalloc.h:
src/banned.h:
