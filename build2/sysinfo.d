build2/sysinfo.o: src/sysinfo.c src/sysinfo.h src/strbuf.h src/compat.h \
 src/banned.h
src/sysinfo.h:
src/strbuf.h:
src/compat.h:
src/banned.h:
