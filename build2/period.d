build2/period.o: src/period.c src/period.h src/compat.h src/version.h \
 src/timeutil.h src/xalloc.h src/banned.h
src/period.h:
src/compat.h:
src/version.h:
src/timeutil.h:
src/xalloc.h:
src/banned.h:
