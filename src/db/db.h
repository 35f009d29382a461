/*
 * db.h - the database connection: the only module that includes libpq-fe.h.
 *
 * Owns connecting (libpq's own conninfo/URI, PG* environment, service
 * file and .pgpass: never a password of ours), session setup (search
 * path, UTC, timeouts), statement execution with parameters only,
 * prepared statements, transactions, COPY, SQLSTATE classification and
 * error reporting.  Results are handed out as struct db_res, read through
 * strict accessors, so no PGresult ever leaves this file.
 *
 * It does not know any table: SQL text lives in the store-*, schema and
 * lock modules that own the tables.
 *
 * Every function that fails reports the error once (log.h), unless the
 * caller passed DB_QUIET, in which case db_last_error() has it.
 */
#ifndef CASCADE_DB_H
#define CASCADE_DB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "strbuf.h"
#include "strvec.h"

struct db;
struct db_res;

/* Negative results of db functions, for callers that must tell them apart. */
enum db_status {
	DB_OK = 0,
	DB_ERR = -1,        /* any other error */
	DB_ERR_UNIQUE = -2, /* 23505: a unique constraint rejected the row */
	DB_ERR_RETRY = -3,  /* 40001/40P01: serialization failure, deadlock */
	DB_ERR_CONN = -4,   /* the connection is gone: abort the run */
	DB_ERR_LOCK = -5,   /* 55P03: lock_timeout expired */
	DB_ERR_CHECK = -6,  /* 23xxx other than 23505: constraint violated */
	DB_ERR_DATA = -7,   /* 22xxx: a value the server refuses (encoding,
			       range, format) */
};

/*
 * db_is_data_error: rc is the server refusing the data of a statement
 * (SQLSTATE classes 22 and 23: DB_ERR_DATA, DB_ERR_CHECK, DB_ERR_UNIQUE),
 * not the database or the connection failing.
 */
#define db_is_data_error(rc)                                                 \
	((rc) == DB_ERR_DATA || (rc) == DB_ERR_CHECK || (rc) == DB_ERR_UNIQUE)

enum db_flags {
	DB_QUIET = 1 << 0,    /* do not report errors: caller inspects them */
	DB_PREPARED = 1 << 1, /* the text is a statement name (db_prepare) */
	/*
	 * the text is a string constant run often (a hot path): prepare it
	 * on this connection the first time and run the prepared statement
	 * from then on.  Only for statements whose plan does not depend on
	 * the parameter values (the server may switch to a generic plan).
	 */
	DB_CACHED = 1 << 2,
	/*
	 * do not report data errors (db_is_data_error): the caller isolates
	 * the row at fault and reports that (db_last_error() has the error)
	 */
	DB_QUIET_DATA = 1 << 3,
};

struct db_error {
	char sqlstate[6];
	char *message; /* primary message, or NULL */
	char *detail;
	char *hint;
};

/*
 * db_connect: connect with conninfo (a database name, "key=value ..." or
 * a postgresql:// URI; NULL or "" uses the PG* environment), naming the
 * session application_name (e.g. "cascade-init"), then set it up: search
 * path public (pg_catalog implicitly first), time zone UTC, client encoding UTF8,
 * lock_timeout and idle_in_transaction_session_timeout.  Refuses servers
 * older than PostgreSQL 12.  Returns DB_OK and *out (free with
 * db_close), or DB_ERR_CONN with the error reported (never including a
 * password).
 */
int db_connect(const char *conninfo, const char *appname, struct db **out)
	CASCADE_MUSTCHECK;
void db_close(struct db *db);

/*
 * db_reconnect: drop db's connection (dead or not) and connect again with
 * the same conninfo and session setup, giving up after timeout_s seconds
 * (at least 2; 0: libpq's default, the environment's or conninfo's).
 * Statements prepared on the old connection are forgotten, and so is
 * every session setting made since db_connect (LISTEN, SET...): the
 * caller makes them again.  DB_OK, or DB_ERR_CONN reported.
 */
int db_reconnect(struct db *db, int timeout_s) CASCADE_MUSTCHECK;

/*
 * db_socket: the connection's socket, to poll for readability while
 * waiting for notifications (never read or written but through db_*);
 * -1 if there is none.
 */
int db_socket(const struct db *db);

/* db_listen: LISTEN on channel (quoted here).  DB_OK or < 0, reported. */
int db_listen(struct db *db, const char *channel) CASCADE_MUSTCHECK;

/*
 * db_notifications: read what the server sent (the socket was readable,
 * or a statement ran since the last call) and take the notifications
 * received, appending their payloads to payloads (may be NULL).
 * Returns how many, or DB_ERR_CONN (reported once) when the connection
 * is gone.
 */
int db_notifications(struct db *db, struct strvec *payloads)
	CASCADE_MUSTCHECK;

/*
 * How soon a dead peer is noticed on a TCP connection, at both ends:
 * keepalive probes after idle_s seconds without traffic, every
 * interval_s, count of them unanswered; and unacknowledged data (or
 * probes) for user_timeout_ms ms.
 */
struct db_liveness {
	int idle_s, interval_s, count;
	int user_timeout_ms;
};
/*
 * db_set_liveness: set l on our socket (a TCP connection only) and on
 * the server's end of the session (tcp_keepalives_*, tcp_user_timeout),
 * so that a cut network ends the session (and frees what it holds)
 * on the server, and fails our statements, within about that time.
 * Again after db_reconnect.  DB_OK or < 0, reported.
 */
int db_set_liveness(struct db *db, const struct db_liveness *l)
	CASCADE_MUSTCHECK;

/* db_dbname/db_host/db_user: borrowed, valid until db_close. */
const char *db_dbname(const struct db *db);
const char *db_host(const struct db *db);
const char *db_user(const struct db *db);
/* db_backend_pid: the server process serving this session. */
int db_backend_pid(const struct db *db);

/*
 * db_query: run sql (or the prepared statement named sql, with
 * DB_PREPARED) with nparams text parameters (NULL pointer = SQL NULL).
 * With out, the result is stored there (caller frees with db_res_free)
 * for statements returning rows; without, the result is discarded.
 * Returns DB_OK or a negative enum db_status.
 */
int db_query(struct db *db, const char *sql, int nparams,
	     const char *const *params, unsigned flags, struct db_res **out)
	CASCADE_MUSTCHECK;
/* db_exec: db_query with no parameters and no result. */
int db_exec(struct db *db, const char *sql) CASCADE_MUSTCHECK;
/*
 * db_exec_script: run a script of several statements (simple protocol,
 * no parameters: migrations only).  Reports errors.
 */
int db_exec_script(struct db *db, const char *sql) CASCADE_MUSTCHECK;

/*
 * db_prepare: prepare sql under name on this connection (once per
 * connection; hot paths only).
 */
int db_prepare(struct db *db, const char *name, const char *sql, int nparams)
	CASCADE_MUSTCHECK;

/*
 * Transactions.  db_begin asserts the session is idle, db_commit that a
 * transaction is open (a violated assumption is a BUG).  db_rollback is
 * safe to call at any time, also after an error or a lost connection.
 */
int db_begin(struct db *db) CASCADE_MUSTCHECK;
int db_commit(struct db *db) CASCADE_MUSTCHECK;
void db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);
/* db_connected: whether the connection is (as far as we know) still up */
bool db_connected(const struct db *db);

/*
 * db_last_error: the last failure on db (borrowed, valid until the next
 * call).  A lost connection is reported once: later calls on the dead
 * connection fail with DB_ERR_CONN without another message.
 */
const struct db_error *db_last_error(const struct db *db);
/* db_report: report db's last error now (for a DB_QUIET caller). */
void db_report(struct db *db, const char *context);

/*
 * COPY FROM STDIN: db_copy_begin(db, "COPY t (a, b) FROM STDIN"), then
 * rows built with db_copy_field()/db_copy_null()/db_copy_end_row(), then
 * db_copy_end().  Fields are escaped here (text format).  On failure the
 * COPY is aborted and the error reported.
 */
int db_copy_begin(struct db *db, const char *sql) CASCADE_MUSTCHECK;
void db_copy_field(struct db *db, const char *value);
void db_copy_null(struct db *db);
int db_copy_end_row(struct db *db) CASCADE_MUSTCHECK;
int db_copy_end(struct db *db) CASCADE_MUSTCHECK;

/* Results: rows and columns are 0-based; values are text. */
int db_res_nrows(const struct db_res *res);
int db_res_ncols(const struct db_res *res);
/* db_res_get: the value (borrowed until db_res_free), or NULL if SQL NULL. */
const char *db_res_get(const struct db_res *res, int row, int col);
bool db_res_isnull(const struct db_res *res, int row, int col);
/*
 * db_res_int64/db_res_int/db_res_bool/db_res_double: strict conversions.
 * Return 0, or -1 with the error reported if the value is NULL or not of
 * that type (a shape error in our own SQL: report and fail, never guess).
 */
int db_res_int64(const struct db_res *res, int row, int col, int64_t *out)
	CASCADE_MUSTCHECK;
int db_res_int(const struct db_res *res, int row, int col, int *out)
	CASCADE_MUSTCHECK;
int db_res_bool(const struct db_res *res, int row, int col, bool *out)
	CASCADE_MUSTCHECK;
int db_res_double(const struct db_res *res, int row, int col, double *out)
	CASCADE_MUSTCHECK;
/*
 * db_res_ordinal: a bigint column holding a 1-based position in a batch
 * of n (WITH ORDINALITY over an array parameter) as a 0-based index.
 * 0, or -1 with the error reported if it is not a position in 1..n.
 */
int db_res_ordinal(const struct db_res *res, int row, int col, size_t n,
		   size_t *index) CASCADE_MUSTCHECK;
/* db_res_check_shape: exactly ncols columns and, if nrows >= 0, that many rows. */
int db_res_check_shape(const struct db_res *res, int nrows, int ncols,
		       const char *what) CASCADE_MUSTCHECK;
void db_res_free(struct db_res *res);
/*
 * db_res_date: a date column as days since 1970; db_res_version: three
 * integer columns from col on as a version; db_res_int64_array: a bigint[]
 * column (*out is the caller's).  0, or -1 with the error reported.
 */
struct version;
int db_res_date(const struct db_res *res, int row, int col, int32_t *out)
	CASCADE_MUSTCHECK;
int db_res_version(const struct db_res *res, int row, int col,
		   struct version *v) CASCADE_MUSTCHECK;
int db_res_int64_array(const struct db_res *res, int row, int col,
		       int64_t **out, size_t *n) CASCADE_MUSTCHECK;

/*
 * Parameters.  struct db_params collects a statement's parameters $1..$n
 * in order, as the text libpq sends, so that callers neither format
 * numbers into buffers nor build array literals by hand:
 *
 *   scalars   db_params_text (NULL is SQL NULL), db_params_int64,
 *             db_params_double, db_params_bool, db_params_null;
 *   arrays    db_params_text_array, db_params_int64_array: a whole C
 *             array as one array parameter, for "= ANY($1::bigint[])";
 *   columns   db_params_columns(p, k) opens the next k parameters as
 *             arrays filled a row at a time, one db_col_* call per
 *             column in order, for "unnest($2::text[], $3::int[], ...)":
 *             a batch of rows as parallel arrays.  The next db_params_*
 *             call (or the query) closes them; a row left incomplete is
 *             a BUG.
 *
 * Array elements are quoted and escaped here.  The calling sequence:
 *
 *	struct db_params p = DB_PARAMS_INIT;
 *
 *	db_params_int64(&p, run_id);              ($1)
 *	db_params_columns(&p, 2);                 ($2 and $3)
 *	for (size_t i = 0; i < n; i++) {
 *		db_col_text(&p, r[i].name);
 *		db_col_int64(&p, r[i].size);
 *	}
 *	rc = db_query_params(db, "INSERT INTO t (run, name, size) "
 *			     "SELECT $1::bigint, a, b FROM "
 *			     "unnest($2::text[], $3::int8[]) AS u(a, b)",
 *			     &p, 0, NULL);
 *	db_params_release(&p);
 *
 * The fields are db.c's: read them only through db_params_count and
 * db_params_values.
 */
struct db_params {
	char **v;            /* the values, NULL for SQL NULL (owned) */
	int n;
	size_t alloc;
	struct strbuf *cols; /* the open columns' array literals */
	int ncols;           /* how many columns are open (0: none) */
	int col;             /* the column the next db_col_* fills */
};
#define DB_PARAMS_INIT {NULL, 0, 0, NULL, 0, 0}

void db_params_init(struct db_params *p);
/* db_params_release: free everything; p is empty (DB_PARAMS_INIT) again. */
void db_params_release(struct db_params *p);

void db_params_text(struct db_params *p, const char *v);
void db_params_int64(struct db_params *p, int64_t v);
void db_params_double(struct db_params *p, double v); /* "%.17g": exact */
void db_params_bool(struct db_params *p, bool v);
void db_params_null(struct db_params *p);
void db_params_date(struct db_params *p, int32_t days); /* YYYY-MM-DD */
void db_params_text_array(struct db_params *p, const char *const *v,
			  size_t n);
void db_params_int64_array(struct db_params *p, const int64_t *v, size_t n);

void db_params_columns(struct db_params *p, int ncols);
/* db_col_*: the value of the next column of the current row. */
void db_col_text(struct db_params *p, const char *v); /* NULL: SQL NULL */
void db_col_int64(struct db_params *p, int64_t v);
void db_col_double(struct db_params *p, double v);  /* "%.17g": exact */
void db_col_bool(struct db_params *p, bool v);
void db_col_date(struct db_params *p, int32_t days); /* YYYY-MM-DD */
void db_col_timestamp(struct db_params *p, int64_t usec); /* timeutil's */
void db_col_null(struct db_params *p);
/*
 * db_col_int64_array: n ids as one element "{1,2,3}" of a text[] column,
 * for a per-row "::bigint[]" cast (an array of arrays of varying length).
 */
void db_col_int64_array(struct db_params *p, const int64_t *v, size_t n);

/*
 * db_params_count/db_params_values: the parameters as db_query takes
 * them (closing open columns).  The values are borrowed from p.
 */
int db_params_count(struct db_params *p);
const char *const *db_params_values(struct db_params *p);

/* db_query_params: db_query with p's parameters.  p stays p's owner's. */
int db_query_params(struct db *db, const char *sql, struct db_params *p,
		    unsigned flags, struct db_res **out) CASCADE_MUSTCHECK;

/*
 * Reading rows into structs.  A column table says, for every column of a
 * result in order, what type it is and where in the row struct it goes;
 * the reader checks the result's shape, converts every value strictly
 * (a value that is not of its type is an error in our own SQL: reported,
 * never guessed) and copies text.  So a query is its SQL, its parameters
 * and a table:
 *
 *	static const struct db_col cols[] = {
 *		DB_COL(DB_INT64, struct row, id),
 *		DB_COL(DB_TEXT, struct row, name),
 *		DB_COLF(DB_INT64, struct row, size, DB_NULLABLE),
 *	};
 *	static const struct db_table t = DB_TABLE("files", cols, struct row);
 *	struct row *rows;
 *	size_t n;
 *
 *	rc = db_query_rows(db, "SELECT id, name, size FROM ...", &p, 0, &t,
 *			   &rows, &n);
 *	...
 *	db_rows_free(&t, rows, n);
 *
 * SQL NULL: a DB_TEXT column gives NULL (DB_EMPTY: ""); any other type
 * refuses it unless DB_NULLABLE, which gives DB_NULL_INT64/DB_NULL_INT
 * for integers, NaN for doubles, false for booleans, DB_NULL_DATE for
 * dates, an empty array for arrays, and leaves a DB_PARSE field as it
 * was (zeroed).
 *
 * DB_PARSE (DB_COL_PARSE) reads a text column through the table's own
 * function, for what db.c does not know: an enum stored by name
 * (build_state_parse, timebase_parse).  The function returns 0, or -1
 * (reporting nothing) for a text it does not accept; the reader
 * reports that.
 */
enum db_type {
	DB_SKIP = 0,	/* not read */
	DB_INT,		/* int */
	DB_INT64,	/* int64_t */
	DB_BOOL,	/* bool: "t" or "f" */
	DB_DOUBLE,	/* double */
	DB_TEXT,	/* char *, a copy owned by the row */
	DB_DATE,	/* int32_t, days since 1970-01-01, from YYYY-MM-DD */
	DB_VERSION,	/* struct version, from text "I.Q.R" */
	DB_INT64_ARRAY, /* int64_t * owned by the row, its count at aux */
	DB_PARSE,	/* the column's parse function's type, from text */
};

enum db_col_flags {
	DB_NULLABLE = 1 << 0, /* SQL NULL gives the type's null value */
	DB_EMPTY = 1 << 1,    /* DB_TEXT: SQL NULL gives "" */
};

#define DB_NULL_INT64 INT64_MIN
#define DB_NULL_INT INT_MIN
#define DB_NULL_DATE INT32_MIN

struct db_col {
	enum db_type type;
	size_t offset;	/* of the field in the row struct */
	size_t aux;	/* DB_INT64_ARRAY: offset of its size_t count */
	unsigned flags;
	/* DB_PARSE: text -> *field; 0, or -1 if not accepted (unreported) */
	int (*parse)(const char *text, void *field);
};

#define DB_COL(type, st, member) {(type), offsetof(st, member), 0, 0, NULL}
#define DB_COLF(type, st, member, flags)                                     \
	{(type), offsetof(st, member), 0, (flags), NULL}
#define DB_COL_ARRAY(st, member, count, flags)                               \
	{DB_INT64_ARRAY, offsetof(st, member), offsetof(st, count), (flags),  \
	 NULL}
#define DB_COL_PARSE(st, member, fn)                                         \
	{DB_PARSE, offsetof(st, member), 0, 0, (fn)}
#define DB_COL_SKIP {DB_SKIP, 0, 0, 0, NULL}

/* A row struct's column table. */
struct db_table {
	const char *what; /* for messages: "products", "flag holder" */
	const struct db_col *cols;
	size_t ncols;
	size_t size; /* of the row struct */
};
#define DB_TABLE(what, cols, st) {(what), (cols), ARRAY_SIZE(cols), sizeof(st)}

/*
 * db_res_read_rows: read rows 0..nrows-1 of res into base, base[i] at
 * base + i * t->size (zeroed by the caller).  The result must have
 * exactly t->ncols columns and at least nrows rows.  Returns 0, or -1
 * with the error reported; what was read stays in base either way, for
 * db_rows_release.
 */
int db_res_read_rows(const struct db_res *res, const struct db_table *t,
		     void *base, size_t nrows) CASCADE_MUSTCHECK;

/*
 * db_query_rows: run sql with p (NULL: no parameters) and read every row
 * into a new array of t->size elements (*out, plus one zeroed element
 * at the end, *n rows; free with db_rows_free).  On failure *out is
 * NULL, *n 0, and the error reported; returns 0 or a negative
 * db_status.  out is a pointer to the caller's row pointer.
 */
int db_query_rows(struct db *db, const char *sql, struct db_params *p,
		  unsigned flags, const struct db_table *t, void *out,
		  size_t *n) CASCADE_MUSTCHECK;

/*
 * db_query_row: the same for a query of at most one row, read into
 * *row (zeroed first; release with db_row_release).  *found says
 * whether there was one (NULL: there must be exactly one).  More than
 * one row is an error.
 */
int db_query_row(struct db *db, const char *sql, struct db_params *p,
		 unsigned flags, const struct db_table *t, void *row,
		 bool *found) CASCADE_MUSTCHECK;

/*
 * db_query_int64/db_query_bool/db_query_text: a query of one row and one
 * column (NULL is an error, but for text, which gives NULL; *out is then
 * the caller's to free).  Returns 0 or a negative db_status (reported).
 */
int db_query_int64(struct db *db, const char *sql, struct db_params *p,
		   unsigned flags, int64_t *out) CASCADE_MUSTCHECK;
int db_query_bool(struct db *db, const char *sql, struct db_params *p,
		  unsigned flags, bool *out) CASCADE_MUSTCHECK;
int db_query_text(struct db *db, const char *sql, struct db_params *p,
		  unsigned flags, char **out) CASCADE_MUSTCHECK;
/*
 * db_query_int64_column: a query of one bigint column (no NULLs), its
 * values in row order as a new array (*out, free(); *n of them).
 */
int db_query_int64_column(struct db *db, const char *sql,
			  struct db_params *p, unsigned flags, int64_t **out,
			  size_t *n) CASCADE_MUSTCHECK;
/*
 * db_query_text_column: a query of one text column, its values in row
 * order pushed to out (SQL NULL as "").
 */
struct strvec;
int db_query_text_column(struct db *db, const char *sql,
			 struct db_params *p, unsigned flags,
			 struct strvec *out) CASCADE_MUSTCHECK;

/* db_row_release: free what row owns by t (its text and arrays). */
void db_row_release(const struct db_table *t, void *row);
/* db_rows_release: db_row_release of n rows at base; base itself stays. */
void db_rows_release(const struct db_table *t, void *base, size_t n);
/* db_rows_free: db_rows_release, then free(base). */
void db_rows_free(const struct db_table *t, void *base, size_t n);

/*
 * db_res_make: a result built in memory, of nrows rows of ncols text
 * columns named names[] with values[row * ncols + col] (NULL: SQL NULL),
 * as the server would send it: for the unit tests of the readers.
 */
struct db_res *db_res_make(int nrows, int ncols, const char *const *names,
			   const char *const *values);

/*
 * db_cancel_prepare/db_cancel_request: db_cancel_request may be called
 * from a signal handler (libpq documents PQcancel as safe there): it asks
 * the server to cancel the statement running on the db last passed to
 * db_cancel_prepare.
 */
void db_cancel_prepare(struct db *db);
void db_cancel_request(void);

#endif
