build2/planner.o: src/planner.c src/planner.h src/compat.h src/version.h \
 src/db.h src/strbuf.h src/fault.h src/fnformat.h src/log.h src/period.h \
 src/sha.h src/store-build.h src/store.h src/strvec.h src/timeutil.h \
 src/xalloc.h src/banned.h
src/planner.h:
src/compat.h:
src/version.h:
src/db.h:
src/strbuf.h:
src/fault.h:
src/fnformat.h:
src/log.h:
src/period.h:
src/sha.h:
src/store-build.h:
src/store.h:
src/strvec.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
