build2/cmd-stats.o: src/cmd-stats.c src/cmd.h src/compat.h src/lock.h \
 src/strbuf.h src/store.h src/strvec.h src/status.h src/store-status.h \
 src/timeutil.h src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/status.h:
src/store-status.h:
src/timeutil.h:
src/banned.h:
