build2/schema.o: src/schema.c src/schema.h src/compat.h src/db.h \
 src/strbuf.h src/log.h build2/version-gen.h src/banned.h
src/schema.h:
src/compat.h:
src/db.h:
src/strbuf.h:
src/log.h:
build2/version-gen.h:
src/banned.h:
