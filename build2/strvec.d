build2/strvec.o: src/strvec.c src/strvec.h src/compat.h src/xalloc.h \
 src/banned.h
src/strvec.h:
src/compat.h:
src/xalloc.h:
src/banned.h:
