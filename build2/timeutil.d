build2/timeutil.o: src/timeutil.c src/timeutil.h src/compat.h \
 src/banned.h
src/timeutil.h:
src/compat.h:
src/banned.h:
