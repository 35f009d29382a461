build2/runner-eta.o: src/runner-eta.c src/log.h src/compat.h \
 src/runner-int.h src/catalog.h src/store.h src/strbuf.h src/strvec.h \
 src/place.h src/runner.h src/sha.h src/spawn.h src/store-run.h \
 src/version.h src/timeutil.h src/xalloc.h src/banned.h
src/log.h:
src/compat.h:
src/runner-int.h:
src/catalog.h:
src/store.h:
src/strbuf.h:
src/strvec.h:
src/place.h:
src/runner.h:
src/sha.h:
src/spawn.h:
src/store-run.h:
src/version.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
