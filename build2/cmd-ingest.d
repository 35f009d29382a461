build2/cmd-ingest.o: src/cmd-ingest.c src/cmd.h src/compat.h src/lock.h \
 src/strbuf.h src/store.h src/strvec.h src/db.h src/fnformat.h \
 src/version.h src/identify.h src/ingest.h src/log.h src/timeutil.h \
 src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/db.h:
src/fnformat.h:
src/version.h:
src/identify.h:
src/ingest.h:
src/log.h:
src/timeutil.h:
src/banned.h:
