build2/cmd-failures.o: src/cmd-failures.c src/cmd.h src/compat.h \
 src/lock.h src/strbuf.h src/store.h src/strvec.h src/db.h src/log.h \
 src/status.h src/store-status.h src/sysinfo.h src/xalloc.h src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/db.h:
src/log.h:
src/status.h:
src/store-status.h:
src/sysinfo.h:
src/xalloc.h:
src/banned.h:
