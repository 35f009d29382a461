build2/main.o: src/main.c src/cmd.h src/compat.h src/lock.h src/strbuf.h \
 src/store.h src/strvec.h src/log.h build2/version-gen.h src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/log.h:
build2/version-gen.h:
src/banned.h:
