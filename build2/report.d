build2/report.o: src/report.c src/report.h src/lock.h src/compat.h \
 src/strbuf.h src/store-report.h src/store-status.h src/strvec.h \
 src/status.h src/banned.h
src/report.h:
src/lock.h:
src/compat.h:
src/strbuf.h:
src/store-report.h:
src/store-status.h:
src/strvec.h:
src/status.h:
src/banned.h:
