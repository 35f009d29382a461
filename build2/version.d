build2/version.o: src/version.c src/version.h src/compat.h src/banned.h
src/version.h:
src/compat.h:
src/banned.h:
