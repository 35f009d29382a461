build2/store-status.o: src/store-status.c src/store-status.h src/compat.h \
 src/strvec.h src/db.h src/strbuf.h src/log.h src/xalloc.h src/banned.h
src/store-status.h:
src/compat.h:
src/strvec.h:
src/db.h:
src/strbuf.h:
src/log.h:
src/xalloc.h:
src/banned.h:
