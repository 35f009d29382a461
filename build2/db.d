build2/db.o: src/db.c src/db.h src/compat.h src/strbuf.h \
 /usr/include/postgresql/libpq-fe.h \
 /usr/include/postgresql/postgres_ext.h \
 /usr/include/postgresql/pg_config_ext.h src/log.h src/timeutil.h \
 src/version.h src/xalloc.h src/banned.h
src/db.h:
src/compat.h:
src/strbuf.h:
/usr/include/postgresql/libpq-fe.h:
/usr/include/postgresql/postgres_ext.h:
/usr/include/postgresql/pg_config_ext.h:
src/log.h:
src/timeutil.h:
src/version.h:
src/xalloc.h:
src/banned.h:
