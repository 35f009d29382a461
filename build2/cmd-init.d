build2/cmd-init.o: src/cmd-init.c src/cmd.h src/compat.h src/lock.h \
 src/strbuf.h src/store.h src/strvec.h src/db.h src/log.h src/schema.h \
 src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/db.h:
src/log.h:
src/schema.h:
src/banned.h:
