build2/runner-recover.o: src/runner-recover.c src/db.h src/compat.h \
 src/strbuf.h src/fault.h src/fsutil.h src/log.h src/runner-int.h \
 src/catalog.h src/store.h src/strvec.h src/place.h src/runner.h \
 src/sha.h src/spawn.h src/store-run.h src/version.h src/sysinfo.h \
 src/xalloc.h src/banned.h
src/db.h:
src/compat.h:
src/strbuf.h:
src/fault.h:
src/fsutil.h:
src/log.h:
src/runner-int.h:
src/catalog.h:
src/store.h:
src/strvec.h:
src/place.h:
src/runner.h:
src/sha.h:
src/spawn.h:
src/store-run.h:
src/version.h:
src/sysinfo.h:
src/xalloc.h:
src/banned.h:
