build2/schema-sql.o: build2/schema-sql.c src/schema.h src/compat.h
src/schema.h:
src/compat.h:
