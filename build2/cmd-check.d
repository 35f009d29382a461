build2/cmd-check.o: src/cmd-check.c src/check.h src/compat.h src/cmd.h \
 src/lock.h src/strbuf.h src/store.h src/strvec.h src/db.h src/log.h \
 src/store-admin.h src/banned.h
src/check.h:
src/compat.h:
src/cmd.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/db.h:
src/log.h:
src/store-admin.h:
src/banned.h:
