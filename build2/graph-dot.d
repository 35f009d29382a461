build2/graph-dot.o: src/graph-dot.c src/graph-dot.h src/store-admin.h \
 src/compat.h src/strbuf.h src/strvec.h src/config.h src/version.h \
 src/banned.h
src/graph-dot.h:
src/store-admin.h:
src/compat.h:
src/strbuf.h:
src/strvec.h:
src/config.h:
src/version.h:
src/banned.h:
