build2/store-build.o: src/store-build.c src/store-build.h src/compat.h \
 src/period.h src/version.h src/strbuf.h src/db.h src/log.h \
 src/timeutil.h src/xalloc.h src/banned.h
src/store-build.h:
src/compat.h:
src/period.h:
src/version.h:
src/strbuf.h:
src/db.h:
src/log.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
