build2/status.o: src/status.c src/status.h src/lock.h src/compat.h \
 src/strbuf.h src/store-status.h src/strvec.h src/json.h src/xalloc.h \
 src/banned.h
src/status.h:
src/lock.h:
src/compat.h:
src/strbuf.h:
src/store-status.h:
src/strvec.h:
src/json.h:
src/xalloc.h:
src/banned.h:
