build2/spawn-sup.o: src/spawn-sup.c src/fault.h src/log.h src/compat.h \
 src/spawn-int.h src/spawn.h src/strbuf.h src/strvec.h src/sysinfo.h \
 src/timeutil.h src/xalloc.h src/banned.h
src/fault.h:
src/log.h:
src/compat.h:
src/spawn-int.h:
src/spawn.h:
src/strbuf.h:
src/strvec.h:
src/sysinfo.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
