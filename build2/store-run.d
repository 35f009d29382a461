build2/store-run.o: src/store-run.c src/store-run.h src/compat.h \
 src/strvec.h src/version.h src/db.h src/strbuf.h src/log.h \
 src/timeutil.h src/xalloc.h src/banned.h
src/store-run.h:
src/compat.h:
src/strvec.h:
src/version.h:
src/db.h:
src/strbuf.h:
src/log.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
