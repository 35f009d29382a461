build2/sha.o: src/sha.c src/sha.h src/compat.h src/banned.h
src/sha.h:
src/compat.h:
src/banned.h:
