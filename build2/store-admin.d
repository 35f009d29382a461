build2/store-admin.o: src/store-admin.c src/store-admin.h src/compat.h \
 src/strbuf.h src/strvec.h src/db.h src/log.h src/xalloc.h src/banned.h
src/store-admin.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/db.h:
src/log.h:
src/xalloc.h:
src/banned.h:
