build2/cmd-config.o: src/cmd-config.c src/check.h src/compat.h src/cmd.h \
 src/lock.h src/strbuf.h src/store.h src/strvec.h src/config.h \
 src/version.h src/db.h src/log.h src/banned.h
src/check.h:
src/compat.h:
src/cmd.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/config.h:
src/version.h:
src/db.h:
src/log.h:
src/banned.h:
