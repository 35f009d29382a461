build2/cmd-opt.o: src/cmd-opt.c src/cmd.h src/compat.h src/lock.h \
 src/strbuf.h src/store.h src/strvec.h src/log.h src/xalloc.h \
 src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/log.h:
src/xalloc.h:
src/banned.h:
