build2/cmd-graph.o: src/cmd-graph.c src/cmd.h src/compat.h src/lock.h \
 src/strbuf.h src/store.h src/strvec.h src/config.h src/version.h \
 src/graph-dot.h src/store-admin.h src/timeutil.h src/banned.h
src/cmd.h:
src/compat.h:
src/lock.h:
src/strbuf.h:
src/store.h:
src/strvec.h:
src/config.h:
src/version.h:
src/graph-dot.h:
src/store-admin.h:
src/timeutil.h:
src/banned.h:
