build2/ingest.o: src/ingest.c src/ingest.h src/compat.h src/archive.h \
 src/strbuf.h src/strvec.h src/version.h src/catalog.h src/store.h \
 src/db.h src/escape.h src/fault.h src/fsutil.h src/identify.h src/log.h \
 src/place.h src/sha.h src/timeutil.h src/xalloc.h src/banned.h
src/ingest.h:
src/compat.h:
src/archive.h:
src/strbuf.h:
src/strvec.h:
src/version.h:
src/catalog.h:
src/store.h:
src/db.h:
src/escape.h:
src/fault.h:
src/fsutil.h:
src/identify.h:
src/log.h:
src/place.h:
src/sha.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
