build2/identify.o: src/identify.c src/identify.h src/compat.h \
 src/strbuf.h src/version.h src/escape.h src/fnformat.h src/json.h \
 src/log.h src/spawn.h src/strvec.h src/timeutil.h src/xalloc.h \
 src/banned.h
src/identify.h:
src/compat.h:
src/strbuf.h:
src/version.h:
src/escape.h:
src/fnformat.h:
src/json.h:
src/log.h:
src/spawn.h:
src/strvec.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
