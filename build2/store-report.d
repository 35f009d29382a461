build2/store-report.o: src/store-report.c src/store-report.h src/compat.h \
 src/db.h src/strbuf.h src/log.h src/xalloc.h src/banned.h
src/store-report.h:
src/compat.h:
src/db.h:
src/strbuf.h:
src/log.h:
src/xalloc.h:
src/banned.h:
