build2/archive-move.o: src/archive-move.c src/archive-move.h src/compat.h \
 src/strvec.h src/archive.h src/strbuf.h src/version.h src/db.h \
 src/fsutil.h src/log.h src/place.h src/store-admin.h src/store.h \
 src/xalloc.h src/banned.h
src/archive-move.h:
src/compat.h:
src/strvec.h:
src/archive.h:
src/strbuf.h:
src/version.h:
src/db.h:
src/fsutil.h:
src/log.h:
src/place.h:
src/store-admin.h:
src/store.h:
src/xalloc.h:
src/banned.h:
