build2/check.o: src/check.c src/check.h src/compat.h src/archive-move.h \
 src/strvec.h src/archive.h src/strbuf.h src/version.h src/db.h \
 src/fsutil.h src/ingest.h src/log.h src/place.h src/planner.h \
 src/store-admin.h src/store-build.h src/period.h src/store.h \
 src/timeutil.h src/xalloc.h src/banned.h
src/check.h:
src/compat.h:
src/archive-move.h:
src/strvec.h:
src/archive.h:
src/strbuf.h:
src/version.h:
src/db.h:
src/fsutil.h:
src/ingest.h:
src/log.h:
src/place.h:
src/planner.h:
src/store-admin.h:
src/store-build.h:
src/period.h:
src/store.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
