build2/store-queue.o: src/store-queue.c src/store-queue.h src/compat.h \
 src/db.h src/strbuf.h src/log.h src/xalloc.h src/banned.h
src/store-queue.h:
src/compat.h:
src/db.h:
src/strbuf.h:
src/log.h:
src/xalloc.h:
src/banned.h:
