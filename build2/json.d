build2/json.o: src/json.c src/json.h src/compat.h src/strbuf.h \
 src/escape.h src/log.h src/banned.h
src/json.h:
src/compat.h:
src/strbuf.h:
src/escape.h:
src/log.h:
src/banned.h:
