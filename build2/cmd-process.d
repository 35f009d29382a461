build2/cmd-process.o: src/cmd-process.c src/cmd.h src/compat.h src/lock.h \
 src/strbuf.h src/store.h src/strvec.h src/db.h src/log.h src/planner.h \
 src/version.h src/runner.h src/store-run.h src/store-build.h \
 src/period.h src/store-queue.h src/timeutil.h src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/db.h:
src/log.h:
src/planner.h:
src/version.h:
src/runner.h:
src/store-run.h:
src/store-build.h:
src/period.h:
src/store-queue.h:
src/timeutil.h:
src/banned.h:
