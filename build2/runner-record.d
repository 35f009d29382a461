build2/runner-record.o: src/runner-record.c src/archive.h src/compat.h \
 src/strbuf.h src/strvec.h src/version.h src/db.h src/fault.h \
 src/fsutil.h src/identify.h src/log.h src/period.h src/place.h \
 src/runner-int.h src/catalog.h src/store.h src/runner.h src/sha.h \
 src/spawn.h src/store-run.h src/timeutil.h src/xalloc.h src/banned.h
src/archive.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/version.h:
src/db.h:
src/fault.h:
src/fsutil.h:
src/identify.h:
src/log.h:
src/period.h:
src/place.h:
src/runner-int.h:
src/catalog.h:
src/store.h:
src/runner.h:
src/sha.h:
src/spawn.h:
src/store-run.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
