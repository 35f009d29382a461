build2/spawn.o: src/spawn.c src/spawn.h src/compat.h src/strbuf.h \
 src/strvec.h src/log.h src/spawn-int.h src/timeutil.h src/xalloc.h \
 src/banned.h
src/spawn.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/log.h:
src/spawn-int.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
