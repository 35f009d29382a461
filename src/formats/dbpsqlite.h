/*
 * dbpsqlite.h - reading dbprocessing's SQLite database, for "cascade
 * adopt --from-sqlite" (the only user of sqlite3.h).
 *
 * The file is opened read-only and read in one transaction, so what is
 * read is one consistent state even if something else writes to it.
 */
#ifndef CASCADE_DBPSQLITE_H
#define CASCADE_DBPSQLITE_H

#include "compat.h"

struct dbpsqlite;

/* dbpsqlite_open: open path read-only.  Reports its own errors. */
int dbpsqlite_open(const char *path, struct dbpsqlite **out)
	CASCADE_MUSTCHECK;
void dbpsqlite_close(struct dbpsqlite *s);

/*
 * dbpsqlite_rows: every row of table, the columns cols (n of them, as
 * SQL identifiers), as text (NULL for SQL NULL) passed to row(arg, vals)
 * in rowid order.  A value that is not valid UTF-8 or holds a NUL is
 * refused (a database error of dbprocessing's: reported with its table,
 * rowid and column).  Returns 0, or -1 with the error reported (also
 * when row returns non-zero, which reports its own).
 */
int dbpsqlite_rows(struct dbpsqlite *s, const char *table,
		   const char *const *cols, int n,
		   int (*row)(void *arg, const char *const *vals), void *arg)
	CASCADE_MUSTCHECK;

#endif
