build2/fault.o: src/fault.c src/fault.h src/log.h src/compat.h \
 src/banned.h
src/fault.h:
src/log.h:
src/compat.h:
src/banned.h:
