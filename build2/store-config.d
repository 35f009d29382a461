build2/store-config.o: src/store-config.c src/store.h src/compat.h \
 src/strbuf.h src/strvec.h src/config.h src/version.h src/db.h src/log.h \
 src/store-queue.h src/timeutil.h src/xalloc.h src/banned.h
src/store.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/config.h:
src/version.h:
src/db.h:
src/log.h:
src/store-queue.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
