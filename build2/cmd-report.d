build2/cmd-report.o: src/cmd-report.c src/cmd.h src/compat.h src/lock.h \
 src/strbuf.h src/store.h src/strvec.h src/config.h src/version.h \
 src/fsutil.h src/graph-dot.h src/store-admin.h src/log.h src/report.h \
 src/store-report.h src/store-status.h src/spawn.h src/timeutil.h \
 build2/version-gen.h src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/config.h:
src/version.h:
src/fsutil.h:
src/graph-dot.h:
src/store-admin.h:
src/log.h:
src/report.h:
src/store-report.h:
src/store-status.h:
src/spawn.h:
src/timeutil.h:
build2/version-gen.h:
src/banned.h:
