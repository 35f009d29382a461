build2/store-ingest.o: src/store-ingest.c src/store.h src/compat.h \
 src/strbuf.h src/strvec.h src/db.h src/log.h src/xalloc.h src/banned.h
src/store.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/db.h:
src/log.h:
src/xalloc.h:
src/banned.h:
