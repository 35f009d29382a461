build2/cmd-ctx.o: src/cmd-ctx.c src/cmd.h src/compat.h src/lock.h \
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
