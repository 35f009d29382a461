build2/cmd-queue.o: src/cmd-queue.c src/cmd.h src/compat.h src/lock.h \
 src/strbuf.h src/store.h src/strvec.h src/db.h src/log.h \
 src/store-admin.h src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/db.h:
src/log.h:
src/store-admin.h:
src/banned.h:
