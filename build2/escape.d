build2/escape.o: src/escape.c src/escape.h src/compat.h src/strbuf.h \
 src/banned.h
src/escape.h:
src/compat.h:
src/strbuf.h:
src/banned.h:
