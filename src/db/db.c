/*
 * db.c - libpq: connection, session setup, execution, results, COPY.
 *
 * The only file that includes libpq-fe.h.  See db.h for the contract.
 * Parameters are always sent with PQexecParams/PQexecPrepared in text
 * format; SQL text is always a compile-time constant of the caller.
 */
#include "db.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <libpq-fe.h>

#include "log.h"
#include "strbuf.h"
#include "strvec.h"
#include "timeutil.h"
#include "version.h"
#include "xalloc.h"
#include "banned.h"

#define MIN_SERVER_VERSION 120000

/* statements prepared by DB_CACHED: text (by address) and name */
struct db_stmt {
	const char *sql;
	char name[24];
};

struct db {
	PGconn *conn;
	struct db_error err;
	struct strbuf copybuf;
	bool copy_first_field;
	struct db_stmt *stmts;
	size_t n_stmts, alloc_stmts;
	bool lost_reported; /* the loss of the connection was reported */
	/* what db_reconnect connects with again */
	char *conninfo, *appname;
};

struct db_res {
	PGresult *res;
};

static PGcancel *volatile cancel_handle;

static void
error_clear(struct db_error *e)
{
	free(e->message);
	free(e->detail);
	free(e->hint);
	memset(e, 0, sizeof(*e));
}

static char *
dup_field(const PGresult *res, int code)
{
	const char *v = res ? PQresultErrorField(res, code) : NULL;
	return v ? xstrdup(v) : NULL;
}

static int
classify(const char *sqlstate, bool conn_bad)
{
	if (conn_bad)
		return DB_ERR_CONN;
	if (!strcmp(sqlstate, "23505"))
		return DB_ERR_UNIQUE;
	if (!strcmp(sqlstate, "40001") || !strcmp(sqlstate, "40P01"))
		return DB_ERR_RETRY;
	if (!strcmp(sqlstate, "55P03"))
		return DB_ERR_LOCK;
	if (!strncmp(sqlstate, "23", 2))
		return DB_ERR_CHECK;
	if (!strncmp(sqlstate, "22", 2))
		return DB_ERR_DATA;
	if (!strncmp(sqlstate, "08", 2) || !strcmp(sqlstate, "57P01") ||
	    !strcmp(sqlstate, "57P02") || !strcmp(sqlstate, "57P03"))
		return DB_ERR_CONN;
	return DB_ERR;
}

/* capture the error of res (or of the connection) into db->err */
static int
capture(struct db *db, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	bool conn_bad = PQstatus(db->conn) != CONNECTION_OK;
	struct strbuf msg = STRBUF_INIT;

	error_clear(&db->err);
	snprintf(db->err.sqlstate, sizeof(db->err.sqlstate), "%s",
		 state ? state : "");
	db->err.message = dup_field(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!db->err.message) {
		/*
		 * libpq's own text: "FATAL:  terminating connection ...\n
		 * server closed the connection unexpectedly\n\tThis
		 * probably means ...": the first line says what happened
		 */
		const char *m = PQerrorMessage(db->conn);

		if (!strncmp(m, "FATAL:  ", 8))
			m += 8;
		strbuf_add(&msg, m, strcspn(m, "\n"));
		strbuf_rtrim(&msg);
		db->err.message = strbuf_detach(&msg, NULL);
	}
	db->err.detail = dup_field(res, PG_DIAG_MESSAGE_DETAIL);
	db->err.hint = dup_field(res, PG_DIAG_MESSAGE_HINT);
	return classify(db->err.sqlstate, conn_bad);
}

void
db_report(struct db *db, const char *context)
{
	if (PQstatus(db->conn) != CONNECTION_OK && db->lost_reported)
		return; /* said once: the rest follows from it */
	if (PQstatus(db->conn) != CONNECTION_OK) {
		db->lost_reported = true;
		log_error("lost connection to the database%s%s: %s",
			  context ? " while " : "", context ? context : "",
			  db->err.message ? db->err.message : "");
	} else {
		log_error("%s%s%s", context ? context : "",
			  context ? ": " : "",
			  db->err.message ? db->err.message : "unknown error");
	}
	if (db->err.detail)
		log_detail("%s", db->err.detail);
	if (db->err.hint)
		log_hint("%s", db->err.hint);
}

static void
notice_processor(void *arg, const char *message)
{
	struct strbuf sb = STRBUF_INIT;

	(void)arg;
	strbuf_addstr(&sb, message);
	strbuf_rtrim(&sb);
	log_info("server: %s", sb.buf);
	strbuf_release(&sb);
}

/*
 * The hint for a connection that failed, by its cause.  libpq gives a
 * refused connection's SQLSTATE to no one (it reaches only the message
 * text), so the causes are told by libpq's own flags where it has them
 * (no password to send) and otherwise by the server's message, which
 * is English unless the server's lc_messages says otherwise: a cause
 * not recognised gets no hint rather than a wrong one, except that
 * without -m the likely cause is that no database was named.
 */
static void
connect_hint(PGconn *conn, const char *msg, bool named)
{
	const char *db = conn ? PQdb(conn) : NULL;

	if (conn && PQconnectionNeedsPassword(conn)) {
		log_hint("The server asks for a password and none was found: "
			 "put it in ~/.pgpass (mode 0600) or in a service "
			 "file (~/.pg_service.conf, used with -m "
			 "service=NAME); cascade reads passwords only "
			 "through libpq.");
	} else if (strstr(msg, "authentication failed") ||
		   strstr(msg, "no pg_hba.conf entry") ||
		   (strstr(msg, "role \"") && strstr(msg, "does not exist"))) {
		log_hint("Check the user name (user= in -m, or PGUSER) and "
			 "its password in ~/.pgpass or the service file "
			 "(~/.pg_service.conf), and the server's "
			 "pg_hba.conf.");
	} else if (db && *db && strstr(msg, "does not exist") &&
		   strstr(msg, "database \"")) {
		log_hint("Create it with \"createdb %s\", then its schema "
			 "with \"cascade init -m %s\".",
			 db, db);
	} else if (!named) {
		log_hint("Give the database with -m/--mission (a name, "
			 "conninfo or URI) or the PG* environment variables.");
	}
}

/*
 * open a connection for db (conninfo and appname as saved) into db->conn,
 * with a connect timeout of timeout_s seconds if > 0 (the environment's
 * or conninfo's otherwise); then set the session up.  DB_OK or
 * DB_ERR_CONN, reported.
 */
static int
open_conn(struct db *db, int timeout_s)
{
	char tbuf[16];
	const char *keys[] = {"dbname", "fallback_application_name",
			      "client_encoding", "connect_timeout", NULL};
	const char *vals[] = {db->conninfo, db->appname, "UTF8", NULL, NULL};
	int rc;

	if (timeout_s > 0) {
		snprintf(tbuf, sizeof(tbuf), "%d", timeout_s < 2 ? 2 : timeout_s);
		vals[3] = tbuf;
	} else {
		keys[3] = NULL;
	}
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addstr(&msg, db->conn ? PQerrorMessage(db->conn)
					     : "out of memory");
		strbuf_rtrim(&msg);
		log_error("could not connect to the database: %s", msg.buf);
		connect_hint(db->conn, msg.buf, db->conninfo != NULL);
		strbuf_release(&msg);
		return DB_ERR_CONN;
	}
	PQsetNoticeProcessor(db->conn, notice_processor, NULL);
	if (PQserverVersion(db->conn) < MIN_SERVER_VERSION) {
		log_error("server version %d is too old: cascade needs "
			  "PostgreSQL 12 or later",
			  PQserverVersion(db->conn));
		return DB_ERR_CONN;
	}
	/*
	 * Session setup, as pg_rewind does: never depend on the server's
	 * defaults.  search_path is exactly "public": pg_catalog, when not
	 * listed, is searched before it, so no object in public can shadow a
	 * built-in, and public is where the schema is created.  UTC so that
	 * timestamp columns hold UTC as in dbprocessing.  No JIT: our
	 * statements are short, and a row estimate from generate_series made
	 * PostgreSQL spend 0.7 s compiling a 1 ms query.
	 */
	rc = db_exec(db, "SELECT pg_catalog.set_config('search_path', "
			 "'public', false), "
			 "pg_catalog.set_config('TimeZone', 'UTC', false), "
			 "pg_catalog.set_config('jit', 'off', false), "
			 "pg_catalog.set_config('lock_timeout', '30s', false), "
			 "pg_catalog.set_config("
			 "'idle_in_transaction_session_timeout', '10min', false)");
	return rc ? DB_ERR_CONN : DB_OK;
}

int
db_connect(const char *conninfo, const char *appname, struct db **out)
{
	struct db *db = xcalloc(1, sizeof(*db));

	*out = NULL;
	strbuf_init(&db->copybuf, 0);
	db->conninfo = conninfo && *conninfo ? xstrdup(conninfo) : NULL;
	db->appname = xstrdup(appname);
	if (open_conn(db, 0)) {
		db_close(db);
		return DB_ERR_CONN;
	}
	*out = db;
	return DB_OK;
}

int
db_reconnect(struct db *db, int timeout_s)
{
	if (cancel_handle) {
		PGcancel *c = cancel_handle;

		cancel_handle = NULL;
		PQfreeCancel(c);
	}
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	/* statements prepared on the old connection are gone with it */
	db->n_stmts = 0;
	db->lost_reported = false;
	error_clear(&db->err);
	if (open_conn(db, timeout_s)) {
		/* a dead connection again: later calls fail quietly */
		db->lost_reported = true;
		return DB_ERR_CONN;
	}
	return DB_OK;
}

int
db_socket(const struct db *db)
{
	return db && db->conn ? PQsocket(db->conn) : -1;
}

int
db_listen(struct db *db, const char *channel)
{
	struct strbuf sql = STRBUF_INIT;
	char *id = PQescapeIdentifier(db->conn, channel, strlen(channel));
	int rc;

	if (!id) {
		rc = capture(db, NULL);
		db_report(db, "listening for notifications");
		return rc;
	}
	strbuf_addf(&sql, "LISTEN %s", id);
	PQfreemem(id);
	rc = db_exec(db, sql.buf);
	strbuf_release(&sql);
	return rc;
}

int
db_notifications(struct db *db, struct strvec *payloads)
{
	PGnotify *n;
	int count = 0;

	if (!db->conn || !PQconsumeInput(db->conn)) {
		int rc = db->conn ? capture(db, NULL) : DB_ERR_CONN;

		if (rc != DB_ERR_CONN && db->conn &&
		    PQstatus(db->conn) == CONNECTION_OK)
			rc = DB_ERR;
		db_report(db, "waiting for notifications");
		return rc < 0 ? rc : DB_ERR_CONN;
	}
	while ((n = PQnotifies(db->conn))) {
		if (payloads)
			strvec_push(payloads, n->extra ? n->extra : "");
		count++;
		PQfreemem(n);
	}
	/* a connection the server closed shows as readable, then bad */
	if (PQstatus(db->conn) != CONNECTION_OK) {
		(void)capture(db, NULL);
		db_report(db, "waiting for notifications");
		return DB_ERR_CONN;
	}
	return count;
}

/* set an integer socket option, ignoring what the kernel lacks */
static int
sockopt(int fd, int level, int name, int value)
{
	if (setsockopt(fd, level, name, &value, sizeof(value)) == 0 ||
	    errno == ENOPROTOOPT)
		return 0;
	return -1;
}

int
db_set_liveness(struct db *db, const struct db_liveness *l)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	int fd = db_socket(db);
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	/* the client's end: a TCP connection only (not a Unix socket) */
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0 &&
	    (sa.ss_family == AF_INET || sa.ss_family == AF_INET6) &&
	    (sockopt(fd, SOL_SOCKET, SO_KEEPALIVE, 1) ||
	     sockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, l->idle_s) ||
	     sockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, l->interval_s) ||
	     sockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, l->count) ||
	     sockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, l->user_timeout_ms)))
		return error("could not set the keepalive options of the "
			     "database connection: %s",
			     strerror(errno));
	/* the server's end (ignored by the server on a Unix socket) */
	db_params_int64(&p, l->idle_s);
	db_params_int64(&p, l->interval_s);
	db_params_int64(&p, l->count);
	db_params_int64(&p, l->user_timeout_ms);
	rc = db_query_params(db,
			     "SELECT pg_catalog.set_config("
			     "'tcp_keepalives_idle', $1::text, false), "
			     "pg_catalog.set_config('tcp_keepalives_interval', "
			     "$2::text, false), pg_catalog.set_config("
			     "'tcp_keepalives_count', $3::text, false), "
			     "pg_catalog.set_config('tcp_user_timeout', "
			     "$4::text, false)",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc;
}

void
db_close(struct db *db)
{
	if (!db)
		return;
	if (cancel_handle && db->conn) {
		PGcancel *c = cancel_handle;

		cancel_handle = NULL;
		PQfreeCancel(c);
	}
	if (db->conn)
		PQfinish(db->conn);
	free(db->stmts);
	free(db->conninfo);
	free(db->appname);
	error_clear(&db->err);
	strbuf_release(&db->copybuf);
	free(db);
}

const char *
db_dbname(const struct db *db)
{
	return PQdb(db->conn);
}

const char *
db_host(const struct db *db)
{
	const char *h = PQhost(db->conn);
	return h ? h : "";
}

const char *
db_user(const struct db *db)
{
	return PQuser(db->conn);
}

int
db_backend_pid(const struct db *db)
{
	return PQbackendPID(db->conn);
}

/*
 * the name of sql prepared on db's connection, preparing it now if this
 * is its first use; NULL with the error captured if it cannot be
 * prepared.  Statements are looked up by the address of their text:
 * DB_CACHED text is a string constant, so the same text is the same
 * statement for the whole run.
 */
static const char *
cached_statement(struct db *db, const char *sql, int nparams, int *rc)
{
	struct db_stmt *st;
	PGresult *res;

	for (size_t i = 0; i < db->n_stmts; i++)
		if (db->stmts[i].sql == sql)
			return db->stmts[i].name;
	ALLOC_GROW(db->stmts, db->n_stmts + 1, db->alloc_stmts);
	st = &db->stmts[db->n_stmts];
	st->sql = sql;
	snprintf(st->name, sizeof(st->name), "cascade_%zu", db->n_stmts);
	res = PQprepare(db->conn, st->name, sql, nparams, NULL);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		*rc = capture(db, res);
		PQclear(res);
		return NULL;
	}
	PQclear(res);
	db->n_stmts++;
	return st->name;
}

int
db_query(struct db *db, const char *sql, int nparams,
	 const char *const *params, unsigned flags, struct db_res **out)
{
	PGresult *res;
	ExecStatusType st;
	int rc;

	if (out)
		*out = NULL;
	if (flags & DB_CACHED) {
		const char *name = cached_statement(db, sql, nparams, &rc);

		if (!name) {
			if (!(flags & DB_QUIET))
				db_report(db, NULL);
			return rc;
		}
		sql = name;
		flags |= DB_PREPARED;
	}
	if (log_get_level() >= LOG_LEVEL_DEBUG) {
		struct strbuf sb = STRBUF_INIT;

		for (int i = 0; i < nparams; i++)
			strbuf_addf(&sb, "%s$%d=%s", i ? " " : "", i + 1,
				    params[i] ? params[i] : "NULL");
		if (flags & DB_PREPARED)
			log_debug("statement %s %s", sql, sb.buf);
		else
			log_debug("query with %d parameters %s", nparams, sb.buf);
		strbuf_release(&sb);
	}
	if (flags & DB_PREPARED)
		res = PQexecPrepared(db->conn, sql, nparams, params, NULL, NULL,
				     0);
	else
		res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL,
				   NULL, 0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (out) {
			*out = xmalloc(sizeof(**out));
			(*out)->res = res;
		} else {
			PQclear(res);
		}
		return DB_OK;
	}
	rc = capture(db, res);
	PQclear(res);
	if (!(flags & DB_QUIET) &&
	    !((flags & DB_QUIET_DATA) && db_is_data_error(rc)))
		db_report(db, NULL);
	return rc;
}

int
db_exec(struct db *db, const char *sql)
{
	return db_query(db, sql, 0, NULL, 0, NULL);
}

int
db_exec_script(struct db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int rc = DB_OK;

	if (!res || (PQresultStatus(res) != PGRES_COMMAND_OK &&
		     PQresultStatus(res) != PGRES_TUPLES_OK)) {
		rc = capture(db, res);
		db_report(db, NULL);
	}
	PQclear(res);
	return rc;
}

int
db_prepare(struct db *db, const char *name, const char *sql, int nparams)
{
	PGresult *res = PQprepare(db->conn, name, sql, nparams, NULL);
	int rc = DB_OK;

	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = capture(db, res);
		db_report(db, NULL);
		log_detail("While preparing statement \"%s\".", name);
	}
	PQclear(res);
	return rc;
}

bool
db_connected(const struct db *db)
{
	return db && db->conn && PQstatus(db->conn) == CONNECTION_OK;
}

bool
db_in_transaction(const struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(db->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

int
db_begin(struct db *db)
{
	if (PQtransactionStatus(db->conn) != PQTRANS_IDLE &&
	    PQstatus(db->conn) == CONNECTION_OK)
		BUG("db_begin inside a transaction");
	return db_exec(db, "BEGIN");
}

int
db_commit(struct db *db)
{
	if (PQstatus(db->conn) == CONNECTION_OK &&
	    PQtransactionStatus(db->conn) != PQTRANS_INTRANS)
		BUG("db_commit outside a healthy transaction");
	return db_exec(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	PGresult *res;

	if (PQstatus(db->conn) != CONNECTION_OK ||
	    PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		return;
	res = PQexec(db->conn, "ROLLBACK");
	PQclear(res);
}

const struct db_error *
db_last_error(const struct db *db)
{
	return &db->err;
}

/* COPY */

int
db_copy_begin(struct db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int rc = DB_OK;

	if (!res || PQresultStatus(res) != PGRES_COPY_IN) {
		rc = capture(db, res);
		db_report(db, NULL);
	}
	PQclear(res);
	strbuf_reset(&db->copybuf);
	db->copy_first_field = true;
	return rc;
}

static void
copy_sep(struct db *db)
{
	if (!db->copy_first_field)
		strbuf_addch(&db->copybuf, '\t');
	db->copy_first_field = false;
}

void
db_copy_field(struct db *db, const char *value)
{
	copy_sep(db);
	for (const char *p = value; *p; p++) {
		switch (*p) {
		case '\\':
			strbuf_addstr(&db->copybuf, "\\\\");
			break;
		case '\t':
			strbuf_addstr(&db->copybuf, "\\t");
			break;
		case '\n':
			strbuf_addstr(&db->copybuf, "\\n");
			break;
		case '\r':
			strbuf_addstr(&db->copybuf, "\\r");
			break;
		default:
			strbuf_addch(&db->copybuf, *p);
		}
	}
}

void
db_copy_null(struct db *db)
{
	copy_sep(db);
	strbuf_addstr(&db->copybuf, "\\N");
}

static int
copy_flush(struct db *db)
{
	if (PQputCopyData(db->conn, db->copybuf.buf, (int)db->copybuf.len) !=
	    1) {
		capture(db, NULL);
		db_report(db, "sending COPY data");
		return DB_ERR_CONN;
	}
	strbuf_reset(&db->copybuf);
	return DB_OK;
}

int
db_copy_end_row(struct db *db)
{
	strbuf_addch(&db->copybuf, '\n');
	db->copy_first_field = true;
	if (db->copybuf.len >= 65536)
		return copy_flush(db);
	return DB_OK;
}

int
db_copy_end(struct db *db)
{
	PGresult *res;
	int rc = DB_OK;

	if (db->copybuf.len && copy_flush(db))
		rc = DB_ERR_CONN;
	if (PQputCopyEnd(db->conn, rc ? "aborted by client" : NULL) != 1) {
		capture(db, NULL);
		db_report(db, "ending COPY");
		return DB_ERR_CONN;
	}
	while ((res = PQgetResult(db->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == DB_OK) {
			rc = capture(db, res);
			db_report(db, NULL);
		}
		PQclear(res);
	}
	return rc;
}

/* results */

int
db_res_nrows(const struct db_res *res)
{
	return PQntuples(res->res);
}

int
db_res_ncols(const struct db_res *res)
{
	return PQnfields(res->res);
}

bool
db_res_isnull(const struct db_res *res, int row, int col)
{
	return PQgetisnull(res->res, row, col);
}

const char *
db_res_get(const struct db_res *res, int row, int col)
{
	if (row < 0 || row >= PQntuples(res->res) || col < 0 ||
	    col >= PQnfields(res->res))
		BUG("result access out of range: row %d col %d", row, col);
	if (PQgetisnull(res->res, row, col))
		return NULL;
	return PQgetvalue(res->res, row, col);
}

static const char *
need_value(const struct db_res *res, int row, int col)
{
	const char *v = db_res_get(res, row, col);

	if (!v)
		log_error("unexpected NULL in column \"%s\" of a query result",
			  PQfname(res->res, col));
	return v;
}

int
db_res_int64(const struct db_res *res, int row, int col, int64_t *out)
{
	const char *v = need_value(res, row, col);
	char *end;
	long long n;

	if (!v)
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end)
		return error("invalid integer \"%s\" in column \"%s\"", v,
			     PQfname(res->res, col));
	*out = n;
	return 0;
}

int
db_res_int(const struct db_res *res, int row, int col, int *out)
{
	int64_t n;

	if (db_res_int64(res, row, col, &n))
		return -1;
	if (n < INT_MIN || n > INT_MAX)
		return error("integer %lld out of range in column \"%s\"",
			     (long long)n, PQfname(res->res, col));
	*out = (int)n;
	return 0;
}

int
db_res_ordinal(const struct db_res *res, int row, int col, size_t n,
	       size_t *index)
{
	int64_t k;

	if (db_res_int64(res, row, col, &k))
		return -1;
	if (k < 1 || (uint64_t)k > n)
		return error("position %lld out of range 1..%zu in column "
			     "\"%s\"",
			     (long long)k, n, PQfname(res->res, col));
	*index = (size_t)(k - 1);
	return 0;
}

int
db_res_bool(const struct db_res *res, int row, int col, bool *out)
{
	const char *v = need_value(res, row, col);

	if (!v)
		return -1;
	if (!strcmp(v, "t"))
		*out = true;
	else if (!strcmp(v, "f"))
		*out = false;
	else
		return error("invalid boolean \"%s\" in column \"%s\"", v,
			     PQfname(res->res, col));
	return 0;
}

int
db_res_double(const struct db_res *res, int row, int col, double *out)
{
	const char *v = need_value(res, row, col);
	char *end;

	if (!v)
		return -1;
	errno = 0;
	*out = strtod(v, &end);
	if (errno || end == v || *end)
		return error("invalid number \"%s\" in column \"%s\"", v,
			     PQfname(res->res, col));
	return 0;
}

int
db_res_check_shape(const struct db_res *res, int nrows, int ncols,
		   const char *what)
{
	if (PQnfields(res->res) != ncols ||
	    (nrows >= 0 && PQntuples(res->res) != nrows))
		return error("unexpected result shape for %s: %d rows and %d "
			     "columns, expected %d and %d",
			     what, PQntuples(res->res), PQnfields(res->res),
			     nrows, ncols);
	return 0;
}

void
db_res_free(struct db_res *res)
{
	if (!res)
		return;
	PQclear(res->res);
	free(res);
}

void
db_cancel_prepare(struct db *db)
{
	PGcancel *old = cancel_handle;

	cancel_handle = NULL;
	if (old)
		PQfreeCancel(old);
	cancel_handle = PQgetCancel(db->conn);
}

void
db_cancel_request(void)
{
	char errbuf[256];
	PGcancel *c = cancel_handle;

	if (c)
		(void)PQcancel(c, errbuf, sizeof(errbuf));
}

int
db_res_date(const struct db_res *res, int row, int col, int32_t *out)
{
	const char *v = need_value(res, row, col);

	if (!v)
		return -1;
	if (timeutil_parse_date(v, strlen(v), out))
		return error("invalid date \"%s\" in column \"%s\"", v,
			     PQfname(res->res, col));
	return 0;
}

int
db_res_version(const struct db_res *res, int row, int col, struct version *v)
{
	if (db_res_int(res, row, col, &v->interface) ||
	    db_res_int(res, row, col + 1, &v->quality) ||
	    db_res_int(res, row, col + 2, &v->revision))
		return -1;
	return 0;
}

int
db_res_int64_array(const struct db_res *res, int row, int col, int64_t **out,
		   size_t *n)
{
	const char *s = need_value(res, row, col);
	size_t alloc = 0;

	*out = NULL;
	*n = 0;
	if (!s || *s != '{')
		return error("invalid array in column \"%s\"",
			     PQfname(res->res, col));
	for (s++; *s && *s != '}';) {
		char *end;
		long long v = strtoll(s, &end, 10);

		if (end == s) {
			free(*out);
			*out = NULL;
			*n = 0;
			return error("invalid array element in column \"%s\"",
				     PQfname(res->res, col));
		}
		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = v;
		s = *end == ',' ? end + 1 : end;
	}
	return 0;
}

/* parameters: array literals, then struct db_params */

static void
array_begin(struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addch(sb, '{');
}

static void
array_add(struct strbuf *sb, const char *value)
{
	if (sb->len > 1)
		strbuf_addch(sb, ',');
	if (!value) {
		strbuf_addstr(sb, "NULL");
		return;
	}
	strbuf_addch(sb, '"');
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

static void
array_end(struct strbuf *sb)
{
	strbuf_addch(sb, '}');
}

static void
array_int64(struct strbuf *sb, const int64_t *v, size_t n)
{
	char buf[32];

	array_begin(sb);
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%lld", (long long)v[i]);
		array_add(sb, buf);
	}
	array_end(sb);
}


void
db_params_init(struct db_params *p)
{
	struct db_params blank = DB_PARAMS_INIT;

	*p = blank;
}

void
db_params_release(struct db_params *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	for (int k = 0; k < p->ncols; k++)
		strbuf_release(&p->cols[k]);
	free(p->cols);
	db_params_init(p);
}

/* end the open columns: their literals become their parameters */
static void
close_columns(struct db_params *p)
{
	int base = p->n - p->ncols;

	if (!p->ncols)
		return;
	if (p->col != 0)
		BUG("db_params: a row of %d columns ended after %d", p->ncols,
		    p->col);
	for (int k = 0; k < p->ncols; k++) {
		array_end(&p->cols[k]);
		p->v[base + k] = strbuf_detach(&p->cols[k], NULL);
	}
	free(p->cols);
	p->cols = NULL;
	p->ncols = 0;
}

/* append a parameter; value is taken over (NULL: SQL NULL) */
static void
push(struct db_params *p, char *value)
{
	close_columns(p);
	ALLOC_GROW(p->v, (size_t)p->n + 1, p->alloc);
	p->v[p->n++] = value;
}

static char *
fmt_int64(int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return xstrdup(buf);
}

void
db_params_text(struct db_params *p, const char *v)
{
	push(p, v ? xstrdup(v) : NULL);
}

void
db_params_int64(struct db_params *p, int64_t v)
{
	push(p, fmt_int64(v));
}

void
db_params_double(struct db_params *p, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.17g", v);
	push(p, xstrdup(buf));
}

void
db_params_bool(struct db_params *p, bool v)
{
	push(p, xstrdup(v ? "true" : "false"));
}

void
db_params_null(struct db_params *p)
{
	push(p, NULL);
}

void
db_params_date(struct db_params *p, int32_t days)
{
	char buf[DATE_STRLEN];

	push(p, xstrdup(timeutil_format_date(days, buf)));
}

void
db_params_text_array(struct db_params *p, const char *const *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	array_begin(&sb);
	for (size_t i = 0; i < n; i++)
		array_add(&sb, v[i]);
	array_end(&sb);
	push(p, strbuf_detach(&sb, NULL));
}

void
db_params_int64_array(struct db_params *p, const int64_t *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	array_int64(&sb, v, n);
	push(p, strbuf_detach(&sb, NULL));
}

void
db_params_columns(struct db_params *p, int ncols)
{
	if (ncols <= 0)
		BUG("db_params_columns: %d columns", ncols);
	close_columns(p);
	ALLOC_GROW(p->v, (size_t)p->n + (size_t)ncols, p->alloc);
	p->cols = xcalloc((size_t)ncols, sizeof(*p->cols));
	for (int k = 0; k < ncols; k++) {
		strbuf_init(&p->cols[k], 0);
		array_begin(&p->cols[k]);
		p->v[p->n++] = NULL;
	}
	p->ncols = ncols;
	p->col = 0;
}

void
db_col_text(struct db_params *p, const char *v)
{
	if (!p->ncols)
		BUG("db_col_text without db_params_columns");
	array_add(&p->cols[p->col], v);
	p->col = (p->col + 1) % p->ncols;
}

void
db_col_int64(struct db_params *p, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	db_col_text(p, buf);
}

void
db_col_double(struct db_params *p, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.17g", v);
	db_col_text(p, buf);
}

void
db_col_bool(struct db_params *p, bool v)
{
	db_col_text(p, v ? "true" : "false");
}

void
db_col_date(struct db_params *p, int32_t days)
{
	char buf[DATE_STRLEN];

	db_col_text(p, timeutil_format_date(days, buf));
}

void
db_col_null(struct db_params *p)
{
	db_col_text(p, NULL);
}

void
db_col_int64_array(struct db_params *p, const int64_t *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	/* one element: the inner literal, unquoted numbers */
	strbuf_addch(&sb, '{');
	for (size_t k = 0; k < n; k++)
		strbuf_addf(&sb, "%s%lld", k ? "," : "", (long long)v[k]);
	strbuf_addch(&sb, '}');
	db_col_text(p, sb.buf);
	strbuf_release(&sb);
}

void
db_col_timestamp(struct db_params *p, int64_t usec)
{
	char buf[TIMESTAMP_STRLEN];

	db_col_text(p, timeutil_format_timestamp(usec, buf));
}

int
db_params_count(struct db_params *p)
{
	close_columns(p);
	return p->n;
}

const char *const *
db_params_values(struct db_params *p)
{
	close_columns(p);
	return (const char *const *)p->v;
}

int
db_query_params(struct db *db, const char *sql, struct db_params *p,
		unsigned flags, struct db_res **out)
{
	int n = db_params_count(p);

	return db_query(db, sql, n, db_params_values(p), flags, out);
}

/* reading rows through column tables */

static void *
at(void *base, size_t off)
{
	return (char *)base + off;
}

/* a NULL in column c: its null value, or -1 (reported) if refused */
static int
read_null(const struct db_res *res, const struct db_col *c, int col,
	  void *row)
{
	void *f = at(row, c->offset);

	if (c->type == DB_TEXT) {
		*(char **)f = c->flags & DB_EMPTY ? xstrdup("") : NULL;
		return 0;
	}
	if (!(c->flags & DB_NULLABLE))
		return error("unexpected NULL in column \"%s\" of a query "
			     "result",
			     PQfname(res->res, col));
	switch (c->type) {
	case DB_INT:
		*(int *)f = DB_NULL_INT;
		break;
	case DB_INT64:
		*(int64_t *)f = DB_NULL_INT64;
		break;
	case DB_BOOL:
		*(bool *)f = false;
		break;
	case DB_DOUBLE:
		*(double *)f = NAN;
		break;
	case DB_DATE:
		*(int32_t *)f = DB_NULL_DATE;
		break;
	case DB_VERSION:
		memset(f, 0, sizeof(struct version));
		break;
	case DB_INT64_ARRAY:
		*(int64_t **)f = NULL;
		*(size_t *)at(row, c->aux) = 0;
		break;
	case DB_SKIP:
	case DB_TEXT:
	case DB_PARSE:
		break;
	}
	return 0;
}

/* one non-NULL value of column c into row */
static int
read_value(const struct db_res *res, const struct db_col *c, int r, int col,
	   void *row)
{
	const char *v = PQgetvalue(res->res, r, col);
	void *f = at(row, c->offset);

	switch (c->type) {
	case DB_SKIP:
		return 0;
	case DB_INT:
		return db_res_int(res, r, col, f);
	case DB_INT64:
		return db_res_int64(res, r, col, f);
	case DB_BOOL:
		return db_res_bool(res, r, col, f);
	case DB_DOUBLE:
		return db_res_double(res, r, col, f);
	case DB_DATE:
		return db_res_date(res, r, col, f);
	case DB_TEXT:
		*(char **)f = xstrdup(v);
		return 0;
	case DB_VERSION:
		if (version_parse(v, strlen(v), f))
			return error("invalid version \"%s\" in column \"%s\"",
				     v, PQfname(res->res, col));
		return 0;
	case DB_INT64_ARRAY:
		return db_res_int64_array(res, r, col, f, at(row, c->aux));
	case DB_PARSE:
		if (c->parse(v, f))
			return error("unexpected value \"%s\" in column \"%s\" "
				     "of a query result",
				     v, PQfname(res->res, col));
		return 0;
	}
	return 0;
}

int
db_res_read_rows(const struct db_res *res, const struct db_table *t,
		 void *base, size_t nrows)
{
	int rc = 0;

	if (db_res_check_shape(res, -1, (int)t->ncols, t->what))
		return -1;
	if (nrows > (size_t)PQntuples(res->res))
		return error("unexpected result shape for %s: %d rows, expected "
			     "%zu",
			     t->what, PQntuples(res->res), nrows);
	for (size_t r = 0; r < nrows; r++) {
		void *row = at(base, r * t->size);

		for (size_t k = 0; k < t->ncols; k++) {
			const struct db_col *c = &t->cols[k];

			if (c->type == DB_SKIP)
				continue;
			if (PQgetisnull(res->res, (int)r, (int)k)
				    ? read_null(res, c, (int)k, row)
				    : read_value(res, c, (int)r, (int)k, row))
				rc = -1;
		}
	}
	return rc;
}

int
db_query_rows(struct db *db, const char *sql, struct db_params *p,
	      unsigned flags, const struct db_table *t, void *out, size_t *n)
{
	struct db_res *res = NULL;
	void *rows = NULL;
	size_t nr = 0;
	int rc;

	*(void **)out = NULL;
	*n = 0;
	rc = p ? db_query_params(db, sql, p, flags, &res)
	       : db_query(db, sql, 0, NULL, flags, &res);
	if (rc)
		return rc;
	nr = (size_t)PQntuples(res->res);
	rows = xcalloc(nr + 1, t->size);
	if (db_res_read_rows(res, t, rows, nr)) {
		db_rows_free(t, rows, nr);
		rc = -1;
	} else {
		*(void **)out = rows;
		*n = nr;
	}
	db_res_free(res);
	return rc;
}

int
db_query_row(struct db *db, const char *sql, struct db_params *p,
	     unsigned flags, const struct db_table *t, void *row, bool *found)
{
	struct db_res *res = NULL;
	int rc;

	memset(row, 0, t->size);
	if (found)
		*found = false;
	rc = p ? db_query_params(db, sql, p, flags, &res)
	       : db_query(db, sql, 0, NULL, flags, &res);
	if (rc)
		return rc;
	if (PQntuples(res->res) > 1 || (!found && PQntuples(res->res) != 1)) {
		rc = error("unexpected result shape for %s: %d rows, expected "
			   "%s",
			   t->what, PQntuples(res->res), found ? "0 or 1" : "1");
	} else if (PQntuples(res->res) == 1) {
		rc = db_res_read_rows(res, t, row, 1);
		if (rc)
			db_row_release(t, row);
		else if (found)
			*found = true;
	} else {
		rc = db_res_read_rows(res, t, row, 0);
	}
	db_res_free(res);
	return rc;
}

/* one value of one row */
struct one {
	int64_t i;
	bool b;
	char *s;
};

int
db_query_int64(struct db *db, const char *sql, struct db_params *p,
	       unsigned flags, int64_t *out)
{
	static const struct db_col cols[] = {DB_COL(DB_INT64, struct one, i)};
	static const struct db_table t = DB_TABLE("a value", cols, struct one);
	struct one v;
	int rc = db_query_row(db, sql, p, flags, &t, &v, NULL);

	if (!rc)
		*out = v.i;
	return rc;
}

int
db_query_bool(struct db *db, const char *sql, struct db_params *p,
	      unsigned flags, bool *out)
{
	static const struct db_col cols[] = {DB_COL(DB_BOOL, struct one, b)};
	static const struct db_table t = DB_TABLE("a value", cols, struct one);
	struct one v;
	int rc = db_query_row(db, sql, p, flags, &t, &v, NULL);

	if (!rc)
		*out = v.b;
	return rc;
}

int
db_query_text(struct db *db, const char *sql, struct db_params *p,
	      unsigned flags, char **out)
{
	static const struct db_col cols[] = {DB_COL(DB_TEXT, struct one, s)};
	static const struct db_table t = DB_TABLE("a value", cols, struct one);
	struct one v;
	int rc = db_query_row(db, sql, p, flags, &t, &v, NULL);

	*out = rc ? NULL : v.s;
	return rc;
}

int
db_query_int64_column(struct db *db, const char *sql, struct db_params *p,
		      unsigned flags, int64_t **out, size_t *n)
{
	/* the rows are the int64_t elements of the array themselves */
	static const struct db_col cols[] = {{DB_INT64, 0, 0, 0, NULL}};
	static const struct db_table t = {"values", cols, 1, sizeof(int64_t)};

	return db_query_rows(db, sql, p, flags, &t, out, n);
}

int
db_query_text_column(struct db *db, const char *sql, struct db_params *p,
		     unsigned flags, struct strvec *out)
{
	static const struct db_col cols[] = {
		DB_COLF(DB_TEXT, struct one, s, DB_EMPTY),
	};
	static const struct db_table t = DB_TABLE("values", cols, struct one);
	struct one *v = NULL;
	size_t n = 0;
	int rc = db_query_rows(db, sql, p, flags, &t, &v, &n);

	/* the strings move to out */
	for (size_t i = 0; i < n; i++)
		strvec_push_nodup(out, v[i].s);
	free(v);
	return rc;
}

void
db_row_release(const struct db_table *t, void *row)
{
	for (size_t k = 0; k < t->ncols; k++) {
		const struct db_col *c = &t->cols[k];

		if (c->type == DB_TEXT || c->type == DB_INT64_ARRAY) {
			free(*(void **)at(row, c->offset));
			*(void **)at(row, c->offset) = NULL;
		}
		if (c->type == DB_INT64_ARRAY)
			*(size_t *)at(row, c->aux) = 0;
	}
}

void
db_rows_release(const struct db_table *t, void *base, size_t n)
{
	for (size_t r = 0; base && r < n; r++)
		db_row_release(t, at(base, r * t->size));
}

void
db_rows_free(const struct db_table *t, void *base, size_t n)
{
	db_rows_release(t, base, n);
	free(base);
}

struct db_res *
db_res_make(int nrows, int ncols, const char *const *names,
	    const char *const *values)
{
	struct db_res *res = xcalloc(1, sizeof(*res));
	PGresAttDesc *attrs = xcalloc((size_t)ncols + 1, sizeof(*attrs));

	res->res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	if (!res->res)
		die(EXIT_FAILURE, "out of memory making a result");
	for (int c = 0; c < ncols; c++) {
		attrs[c].name = (char *)(uintptr_t)names[c];
		attrs[c].format = 0;
		attrs[c].typid = 25; /* text */
		attrs[c].typlen = -1;
		attrs[c].atttypmod = -1;
	}
	if (!PQsetResultAttrs(res->res, ncols, attrs))
		die(EXIT_FAILURE, "out of memory making a result");
	free(attrs);
	for (int r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols; c++) {
			const char *v = values[r * ncols + c];

			if (!PQsetvalue(res->res, r, c, (char *)(uintptr_t)v,
					v ? (int)strlen(v) : -1))
				die(EXIT_FAILURE, "out of memory making a result");
		}
	}
	return res;
}
