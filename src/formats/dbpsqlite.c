/*
 * dbpsqlite.c - dbprocessing's SQLite database, read (see dbpsqlite.h).
 */
#include "dbpsqlite.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

struct dbpsqlite {
	sqlite3 *db;
	char *path;
};

int
dbpsqlite_open(const char *path, struct dbpsqlite **out)
{
	struct dbpsqlite *s = xcalloc(1, sizeof(*s));
	char *msg = NULL;

	*out = NULL;
	s->path = xstrdup(path);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		error("could not open SQLite database \"%s\": %s", path,
		      s->db ? sqlite3_errmsg(s->db) : "out of memory");
		dbpsqlite_close(s);
		return -1;
	}
	/* BEGIN, and a first read: a file that is not SQLite fails here */
	if (sqlite3_exec(s->db, "BEGIN; SELECT count(*) FROM sqlite_master",
			 NULL, NULL, &msg) != SQLITE_OK) {
		error("could not read SQLite database \"%s\": %s", path,
		      msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		dbpsqlite_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
dbpsqlite_close(struct dbpsqlite *s)
{
	if (!s)
		return;
	if (s->db)
		sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/* valid UTF-8 without NUL, as PostgreSQL takes text */
static bool
text_ok(const unsigned char *p, int len)
{
	for (int i = 0; i < len;) {
		unsigned char c = p[i];
		int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2
			: (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;

		if (!c || !n || i + n > len || (n == 2 && c < 0xc2))
			return false;
		for (int k = 1; k < n; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

int
dbpsqlite_rows(struct dbpsqlite *s, const char *table,
	       const char *const *cols, int n,
	       int (*row)(void *arg, const char *const *vals), void *arg)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st = NULL;
	const char **vals = xcalloc((size_t)n + 1, sizeof(*vals));
	int rc = -1, step;

	strbuf_addstr(&sql, "SELECT rowid");
	for (int i = 0; i < n; i++)
		strbuf_addf(&sql, ", %s", cols[i]);
	strbuf_addf(&sql, " FROM %s ORDER BY rowid", table);
	if (sqlite3_prepare_v2(s->db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
		error("could not read table \"%s\" of SQLite database \"%s\": "
		      "%s", table, s->path, sqlite3_errmsg(s->db));
		goto out;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < n; i++) {
			const unsigned char *v;
			int len;

			if (sqlite3_column_type(st, i + 1) == SQLITE_NULL) {
				vals[i] = NULL;
				continue;
			}
			v = sqlite3_column_text(st, i + 1);
			len = sqlite3_column_bytes(st, i + 1);
			if (!v || !text_ok(v, len)) {
				error("SQLite database \"%s\": table \"%s\", "
				      "row %lld: column %s is not valid UTF-8 "
				      "text", s->path, table,
				      (long long)sqlite3_column_int64(st, 0),
				      cols[i]);
				goto out;
			}
			vals[i] = (const char *)v;
		}
		if (row(arg, vals))
			goto out;
	}
	if (step != SQLITE_DONE) {
		error("could not read table \"%s\" of SQLite database \"%s\": "
		      "%s", table, s->path, sqlite3_errmsg(s->db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(vals);
	strbuf_release(&sql);
	return rc;
}
