build2/cmd-purge.o: src/cmd-purge.c src/archive-move.h src/compat.h \
 src/strvec.h src/archive.h src/strbuf.h src/version.h src/cmd.h \
 src/lock.h src/store.h src/db.h src/fault.h src/log.h src/store-admin.h \
 src/timeutil.h src/xalloc.h src/banned.h
src/archive-move.h:
src/compat.h:
src/strvec.h:
src/archive.h:
src/strbuf.h:
src/version.h:
src/cmd.h:
src/lock.h:
src/store.h:
src/db.h:
src/fault.h:
src/log.h:
src/store-admin.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
