build2/lock.o: src/lock.c src/lock.h src/compat.h src/strbuf.h src/db.h \
 src/log.h src/sysinfo.h build2/version-gen.h src/xalloc.h src/banned.h
src/lock.h:
src/compat.h:
src/strbuf.h:
src/db.h:
src/log.h:
src/sysinfo.h:
build2/version-gen.h:
src/xalloc.h:
src/banned.h:
