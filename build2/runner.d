build2/runner.o: src/runner.c src/runner.h src/compat.h src/strbuf.h \
 src/archive.h src/strvec.h src/version.h src/db.h src/fault.h \
 src/fsutil.h src/log.h src/runner-int.h src/catalog.h src/store.h \
 src/place.h src/sha.h src/spawn.h src/store-run.h src/sysinfo.h \
 src/timeutil.h src/xalloc.h src/banned.h
src/runner.h:
src/compat.h:
src/strbuf.h:
src/archive.h:
src/strvec.h:
src/version.h:
src/db.h:
src/fault.h:
src/fsutil.h:
src/log.h:
src/runner-int.h:
src/catalog.h:
src/store.h:
src/place.h:
src/sha.h:
src/spawn.h:
src/store-run.h:
src/sysinfo.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
