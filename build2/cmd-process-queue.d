build2/cmd-process-queue.o: src/cmd-process-queue.c src/cmd.h \
 src/compat.h src/lock.h src/strbuf.h src/store.h src/strvec.h \
 src/fault.h src/log.h src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/fault.h:
src/log.h:
src/banned.h:
