/*
 * lock.c - the processing flag (see lock.h for the protocol).
 *
 * Owns the advisory lock keys and the flag columns of the logging table
 * (currently_processing, pid, pid_start_ticks, boot_id, hostname, user,
 * command, backend_pid, lease_until, status, end time, counts).
 */
#include "lock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "sysinfo.h"
#include "timeutil.h"
#include "version-gen.h"
#include "xalloc.h"
#include "banned.h"

/* advisory lock keys ('casc', n): 2 is the flag, 3 serialises changes */
#define LOCK_CLASS "1667330915"
#define FLAG_KEY LOCK_CLASS ", 2"
#define XACT_KEY LOCK_CLASS ", 3"

#define HOLDER_COLUMNS                                                       \
	"l.logging_id, l.pid, coalesce(l.pid_start_ticks, -1), l.hostname, " \
	"l.\"user\", l.command, l.boot_id, "                                  \
	"to_char(l.processing_start_time, 'YYYY-MM-DD HH24:MI:SS'), "        \
	"to_char(l.lease_until AT TIME ZONE 'UTC', "                         \
	"'YYYY-MM-DD HH24:MI:SS'), "                                         \
	"coalesce(l.backend_pid, 0), coalesce(l.lease_until < now(), true), " \
	"l.lease_until IS NOT NULL, coalesce((extract(epoch FROM "           \
	"l.lease_until - now()) * 1000)::bigint, 0)"

/* the flag holder's row: HOLDER_COLUMNS in order */
struct holder_row {
	struct lock_holder h;
	bool lease_expired;
};
static const struct db_col holder_cols[] = {
	DB_COL(DB_INT64, struct holder_row, h.logging_id),
	DB_COL(DB_INT, struct holder_row, h.pid),
	DB_COL(DB_INT64, struct holder_row, h.start_ticks),
	DB_COL(DB_TEXT, struct holder_row, h.hostname),
	DB_COL(DB_TEXT, struct holder_row, h.user),
	DB_COL(DB_TEXT, struct holder_row, h.command),
	DB_COL(DB_TEXT, struct holder_row, h.boot_id),
	DB_COL(DB_TEXT, struct holder_row, h.started),
	DB_COL(DB_TEXT, struct holder_row, h.lease_until),
	DB_COL(DB_INT, struct holder_row, h.backend_pid),
	DB_COL(DB_BOOL, struct holder_row, lease_expired),
	DB_COL(DB_BOOL, struct holder_row, h.lease_known),
	DB_COL(DB_INT64, struct holder_row, h.lease_left_ms),
};
static const struct db_table holder_table =
	DB_TABLE("flag holder", holder_cols, struct holder_row);

void
lock_holder_release(struct lock_holder *h)
{
	free(h->hostname);
	free(h->user);
	free(h->command);
	free(h->boot_id);
	free(h->started);
	free(h->lease_until);
	*h = (struct lock_holder)LOCK_HOLDER_INIT;
}

void
lock_holder_describe(const struct lock_holder *h, struct strbuf *sb)
{
	strbuf_addf(sb, "pid %d on host \"%s\" (user %s, command \"%s\", "
			"run %lld, since %s UTC",
		    h->pid, h->hostname ? h->hostname : "?",
		    h->user ? h->user : "?", h->command ? h->command : "?",
		    (long long)h->logging_id, h->started ? h->started : "?");
	if (!h->same_host && h->lease_until)
		strbuf_addf(sb, ", lease until %s UTC", h->lease_until);
	strbuf_addch(sb, ')');
}

bool
lock_holder_resident(const struct lock_holder *h)
{
	return h->command && !strcmp(h->command, LOCK_RESIDENT_COMMAND);
}

void
lock_channel(int mission_id, struct strbuf *sb)
{
	strbuf_addf(sb, "cascade_%d", mission_id);
}

int
lock_notify(struct db *db, int mission_id, const char *payload)
{
	struct db_params p = DB_PARAMS_INIT;
	struct strbuf ch = STRBUF_INIT;
	int rc;

	lock_channel(mission_id, &ch);
	db_params_text(&p, ch.buf);
	db_params_text(&p, payload);
	rc = db_query_params(db, "SELECT pg_notify($1::text, $2::text)", &p,
			     0, NULL);
	db_params_release(&p);
	strbuf_release(&ch);
	return rc;
}

static int64_t
mono_ms(void)
{
	return timeutil_mono_ns() / 1000000;
}

/*
 * read_holder: the row with currently_processing for mission, if any.
 * Returns 1 if found (h filled, *lease_expired set), 0 if none, -1 on
 * error.
 */
static int
read_holder(struct db *db, int mission_id, bool for_update,
	    struct lock_holder *h, bool *lease_expired)
{
	struct db_params p = DB_PARAMS_INIT;
	struct holder_row row;
	struct strbuf me = STRBUF_INIT;
	bool found;
	int rc;

	db_params_int64(&p, mission_id);
#define HOLDER_SQL                                                           \
	"SELECT " HOLDER_COLUMNS " FROM public.logging l WHERE "             \
	"l.mission_id = $1::integer AND l.currently_processing"
	rc = db_query_row(db,
			  for_update ? HOLDER_SQL " FOR UPDATE" : HOLDER_SQL,
			  &p, 0, &holder_table, &row, &found);
#undef HOLDER_SQL
	db_params_release(&p);
	if (rc)
		return -1;
	if (!found)
		return 0;
	lock_holder_release(h);
	*h = row.h;
	*lease_expired = row.lease_expired;
	sysinfo_hostname(&me);
	h->same_host = h->hostname && !strcmp(h->hostname, me.buf);
	if (h->same_host)
		h->process_alive =
			sysinfo_process_liveness(h->pid, h->start_ticks,
						 h->boot_id) == SYSINFO_ALIVE;
	strbuf_release(&me);
	return 1;
}

/* query_bool: a one-row, one-boolean query without parameters */
static int
query_bool(struct db *db, const char *sql, bool *out)
{
	return db_query_bool(db, sql, NULL, 0, out) ? -1 : 0;
}

static void
unlock_flag(struct db *db)
{
	/* a failure leaves the lock to the session's end */
	if (db_query(db, "SELECT pg_advisory_unlock(" FLAG_KEY ")", 0, NULL,
		     DB_QUIET, NULL) != DB_OK)
		return;
}

/* the server pid holding the flag's advisory lock, 0 if none */
static int
lock_owner_backend(struct db *db, int *backend)
{
	int64_t pid = 0;
	int rc = db_query_int64(db,
				"SELECT coalesce(max(pid), 0) FROM pg_locks "
				"WHERE locktype = 'advisory' AND granted "
				"AND classid = " LOCK_CLASS " AND objid = 2 "
				"AND objsubid = 2 AND database = (SELECT oid "
				"FROM pg_database WHERE datname = "
				"current_database())",
				NULL, 0, &pid);

	*backend = (int)pid;
	return rc ? -1 : 0;
}

static int
recover_row(struct db *db, const struct lock_holder *h, const char *why)
{
	struct db_params p = DB_PARAMS_INIT;
	struct strbuf comment = STRBUF_INIT;
	int rc;

	strbuf_addf(&comment, "Recovered: %s", why);
	db_params_int64(&p, h->logging_id);
	db_params_text(&p, comment.buf);
	rc = db_query_params(db,
			     "UPDATE public.logging SET currently_processing = "
			     "false, status = 'aborted', "
			     "processing_end_time = greatest("
			     "processing_start_time, now() AT TIME ZONE "
			     "'UTC'), comment = $2::text "
			     "WHERE logging_id = $1::bigint",
			     &p, 0, NULL);
	db_params_release(&p);
	if (!rc) {
		struct strbuf d = STRBUF_INIT;

		lock_holder_describe(h, &d);
		log_warning("recovered a stale processing flag: %s", why);
		log_detail("The flag was held by %s.", d.buf);
		strbuf_release(&d);
	}
	strbuf_release(&comment);
	return rc;
}

/* insert_run: the new run's row, holding the flag; *id its logging_id */
static int
insert_run(struct db *db, int mission_id, const char *command, int lease_s,
	   int64_t *id)
{
	struct strbuf host = STRBUF_INIT, user = STRBUF_INIT,
		      boot = STRBUF_INIT;
	struct db_params p = DB_PARAMS_INIT;
	int64_t ticks;
	int rc;

	sysinfo_hostname(&host);
	sysinfo_username(&user);
	sysinfo_boot_id(&boot);
	if (sysinfo_start_ticks(getpid(), &ticks))
		ticks = -1;
	db_params_int64(&p, mission_id);
	db_params_int64(&p, getpid());
	db_params_text(&p, user.buf);
	db_params_text(&p, host.buf);
	db_params_text(&p, command);
	db_params_int64(&p, ticks);
	db_params_text(&p, boot.buf);
	db_params_int64(&p, lease_s);
	rc = db_query_int64(db,
			    "INSERT INTO public.logging (currently_processing, "
			    "pid, processing_start_time, mission_id, \"user\", "
			    "hostname, command, pid_start_ticks, boot_id, "
			    "backend_pid, lease_until, status) "
			    "VALUES (true, $2::integer, now() AT TIME ZONE "
			    "'UTC', $1::integer, left($3::text, 30), "
			    "left($4::text, 100), $5::text, "
			    "nullif($6::bigint, -1), nullif($7::text, ''), "
			    "pg_backend_pid(), now() + make_interval(secs => "
			    "$8::integer), 'running') RETURNING logging_id",
			    &p, 0, id);
	db_params_release(&p);
	strbuf_release(&host);
	strbuf_release(&user);
	strbuf_release(&boot);
	return rc;
}

int
lock_acquire(struct db *db, int mission_id, const char *command, int lease_s,
	     struct lock_flag *f, struct lock_holder *holder)
{
	struct lock_holder old = LOCK_HOLDER_INIT;
	bool got = false, lease_expired = false;
	int found, rc = -1;

	if (db_begin(db))
		return DB_ERR_CONN;
	if ((rc = db_exec(db, "SELECT pg_advisory_xact_lock(" XACT_KEY ")")))
		goto fail;
	if ((rc = query_bool(db, "SELECT pg_try_advisory_lock(" FLAG_KEY ")",
			     &got)))
		goto fail;
	found = read_holder(db, mission_id, true, &old, &lease_expired);
	if (found < 0) {
		rc = -1;
		goto fail;
	}
	if (!got && found && old.same_host && !old.process_alive) {
		/*
		 * The holder died but its server session has not noticed yet
		 * (its socket closed a moment ago): wait for the session to end.
		 */
		log_info("waiting for the session of dead holder pid %d to end",
			 old.pid);
		if ((rc = db_exec(db, "SET LOCAL lock_timeout = '10s'")))
			goto fail;
		rc = db_query(db, "SELECT pg_advisory_lock(" FLAG_KEY ")", 0,
			      NULL, DB_QUIET, NULL);
		if (rc == DB_OK)
			got = true;
		else if (rc != DB_ERR_LOCK) {
			db_report(db, "waiting for the processing flag");
			goto fail;
		}
	}
	if (!got) {
		if (found) {
			lock_holder_release(holder);
			*holder = old;
			old = (struct lock_holder)LOCK_HOLDER_INIT;
		} else {
			lock_holder_release(holder);
			holder->command = xstrdup("(no run recorded)");
		}
		holder->session_alive = true;
		if (!holder->backend_pid &&
		    lock_owner_backend(db, &holder->backend_pid)) {
			rc = -1; /* not LOCK_ACQUIRED: the flag is held */
			goto fail;
		}
		db_rollback(db);
		rc = LOCK_HELD;
		goto out;
	}
	if (found) {
		/* the row's session is gone: is its process? */
		struct strbuf why = STRBUF_INIT;
		bool stale;

		if (old.same_host) {
			stale = !old.process_alive;
			strbuf_addf(&why, "holder pid %d on this host is no "
					  "longer running",
				    old.pid);
		} else {
			stale = lease_expired;
			strbuf_addf(&why, "the lease of holder pid %d on host "
					  "\"%s\" expired",
				    old.pid, old.hostname ? old.hostname : "?");
		}
		if (!stale) {
			strbuf_release(&why);
			unlock_flag(db);
			lock_holder_release(holder);
			*holder = old;
			old = (struct lock_holder)LOCK_HOLDER_INIT;
			holder->session_alive = false;
			db_rollback(db);
			rc = LOCK_HELD;
			goto out;
		}
		rc = recover_row(db, &old, why.buf);
		strbuf_release(&why);
		if (rc)
			goto fail_unlock;
	}

	f->renewed_ms = mono_ms();
	if ((rc = insert_run(db, mission_id, command, lease_s,
			     &f->logging_id)))
		goto fail_unlock;
	if ((rc = db_commit(db)))
		goto fail_unlock;
	f->mission_id = mission_id;
	f->held = true;
	rc = LOCK_ACQUIRED;
	goto out;

fail_unlock:
	db_rollback(db);
	unlock_flag(db);
	goto out;
fail:
	db_rollback(db);
	if (got)
		unlock_flag(db);
out:
	lock_holder_release(&old);
	return rc;
}

int
lock_take_xact(struct db *db, int mission_id, struct lock_holder *holder)
{
	bool got, lease_expired;
	int found;

	if (db_exec(db, "SELECT pg_advisory_xact_lock(" XACT_KEY ")") ||
	    query_bool(db, "SELECT pg_try_advisory_xact_lock(" FLAG_KEY ")",
		       &got))
		return -1;
	if (got)
		return LOCK_ACQUIRED;
	found = mission_id ? read_holder(db, mission_id, false, holder,
					 &lease_expired)
			   : 0;
	if (found < 0)
		return -1;
	if (!found) {
		lock_holder_release(holder);
		holder->command = xstrdup("(no run recorded)");
	}
	holder->session_alive = true;
	if (!holder->backend_pid &&
	    lock_owner_backend(db, &holder->backend_pid))
		return -1;
	return LOCK_HELD;
}

int
lock_record_run(struct db *db, int mission_id, const char *command,
		enum run_state status, const char *comment, int64_t *logging_id)
{
	struct db_params p = DB_PARAMS_INIT;
	struct strbuf host = STRBUF_INIT, user = STRBUF_INIT;
	int64_t id = 0;
	int rc;

	sysinfo_hostname(&host);
	sysinfo_username(&user);
	db_params_int64(&p, mission_id);
	db_params_int64(&p, getpid());
	db_params_text(&p, user.buf);
	db_params_text(&p, host.buf);
	db_params_text(&p, command);
	db_params_text(&p, run_state_name(status));
	db_params_text(&p, comment);
	rc = db_query_int64(db,
			    "INSERT INTO public.logging (currently_processing, "
			    "pid, processing_start_time, processing_end_time, "
			    "mission_id, \"user\", hostname, command, status, "
			    "exit_status, comment, backend_pid) "
			    "VALUES (false, $2::integer, now() AT TIME ZONE "
			    "'UTC', clock_timestamp() AT TIME ZONE 'UTC', "
			    "$1::integer, left($3::text, 30), "
			    "left($4::text, 100), $5::text, $6::text, "
			    "CASE WHEN $6::text = 'ok' THEN 0 ELSE 1 END, "
			    "$7::text, pg_backend_pid()) RETURNING logging_id",
			    &p, 0, &id);
	db_params_release(&p);
	if (logging_id)
		*logging_id = id;
	strbuf_release(&host);
	strbuf_release(&user);
	return rc ? -1 : 0;
}

int
lock_renew(struct db *db, struct lock_flag *f, int lease_s)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t renewed = 0, sent = mono_ms();
	int rc;

	db_params_int64(&p, f->logging_id);
	db_params_int64(&p, lease_s);
	rc = db_query_int64(db,
			    "WITH u AS (UPDATE public.logging SET lease_until = "
			    "now() + make_interval(secs => $2::integer) "
			    "WHERE logging_id = $1::bigint AND "
			    "currently_processing RETURNING 1) "
			    "SELECT count(*) FROM u",
			    &p, 0, &renewed);
	db_params_release(&p);
	if (rc)
		return rc;
	if (renewed != 1)
		return error("the processing flag of run %lld was cleared by "
			     "someone else: stopping",
			     (long long)f->logging_id);
	f->renewed_ms = sent;
	return 0;
}

/*
 * end the session of our run's row that the server still thinks alive
 * (the connection died on our side), then wait for its lock: 0 and *got,
 * or < 0
 */
static int
end_old_session(struct db *db, int backend, bool *got)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, backend);
	rc = db_query_params(db, "SELECT pg_terminate_backend($1::integer)",
			     &p, DB_QUIET, NULL);
	db_params_release(&p);
	if (rc) {
		db_report(db, "could not end the old database session");
		return rc;
	}
	log_info("ended our old database session (backend pid %d), which "
		 "the server still held",
		 backend);
	if ((rc = db_exec(db, "SET LOCAL lock_timeout = '10s'")))
		return rc;
	rc = db_query(db, "SELECT pg_advisory_lock(" FLAG_KEY ")", 0, NULL,
		      DB_QUIET, NULL);
	if (rc == DB_ERR_LOCK)
		return 0; /* still held: someone else's after all */
	if (rc) {
		db_report(db, "waiting for the processing flag");
		return rc;
	}
	*got = true;
	return 0;
}

int
lock_retake(struct db *db, struct lock_flag *f, const char *command,
	    int lease_s, struct lock_holder *holder)
{
	struct lock_holder row = LOCK_HOLDER_INIT;
	bool got = false, lease_expired = false, ours;
	int64_t old = f->logging_id, sent = mono_ms();
	int found, rc;

	if ((rc = db_begin(db)))
		return rc;
	if ((rc = db_exec(db, "SELECT pg_advisory_xact_lock(" XACT_KEY ")")) ||
	    (rc = query_bool(db, "SELECT pg_try_advisory_lock(" FLAG_KEY ")",
			     &got)))
		goto out;
	found = read_holder(db, f->mission_id, true, &row, &lease_expired);
	if (found < 0) {
		rc = -1;
		goto out;
	}
	ours = found && row.logging_id == old;
	if (!got && ours && row.backend_pid &&
	    row.backend_pid != db_backend_pid(db) &&
	    (rc = end_old_session(db, row.backend_pid, &got)))
		goto out;
	if (!got || !ours) {
		lock_holder_release(holder);
		if (found && !ours) {
			*holder = row;
			row = (struct lock_holder)LOCK_HOLDER_INIT;
		}
		holder->session_alive = !got;
		f->held = false; /* not ours to release */
		rc = LOCK_TAKEN;
		goto out;
	}
	rc = recover_row(db, &row, "the controller lost its database "
				   "connection and goes on as a new run");
	if (!rc)
		rc = insert_run(db, f->mission_id, command, lease_s,
				&f->logging_id);
	if (!rc)
		rc = db_commit(db);
	if (!rc) {
		f->held = true;
		f->renewed_ms = sent;
		rc = LOCK_ACQUIRED;
	} else {
		f->logging_id = old;
	}
out:
	db_rollback(db);
	if (rc != LOCK_ACQUIRED && got)
		unlock_flag(db);
	lock_holder_release(&row);
	return rc;
}

int
lock_release(struct db *db, struct lock_flag *f, enum run_state status,
	     int exit_status, const char *comment,
	     const struct lock_counts *c)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	if (!f->held)
		return 0;
	db_params_int64(&p, f->logging_id);
	db_params_text(&p, run_state_name(status));
	db_params_int64(&p, exit_status);
	db_params_text(&p, comment);
	db_params_int64(&p, c ? c->files_ingested : 0);
	db_params_int64(&p, c ? c->files_duplicate : 0);
	db_params_int64(&p, c ? c->files_rejected : 0);
	db_params_int64(&p, c ? c->builds_ok : 0);
	db_params_int64(&p, c ? c->builds_failed : 0);
	db_params_int64(&p, c ? c->builds_skipped : 0);
	if (db_in_transaction(db))
		db_rollback(db);
	rc = db_query_params(db,
			     "UPDATE public.logging SET currently_processing = "
			     "false, processing_end_time = greatest("
			     "processing_start_time, now() AT TIME ZONE "
			     "'UTC'), status = $2::text, "
			     "exit_status = $3::integer, comment = $4::text, "
			     "files_ingested = $5::integer, files_duplicate = "
			     "$6::integer, files_rejected = $7::integer, "
			     "builds_ok = $8::integer, builds_failed = "
			     "$9::integer, builds_skipped = $10::integer "
			     "WHERE logging_id = $1::bigint AND "
			     "currently_processing",
			     &p, 0, NULL);
	db_params_release(&p);
	unlock_flag(db);
	f->held = false;
	/* after the unlock: a standby woken by it finds the flag free */
	if (!rc && lock_notify(db, f->mission_id, "released"))
		log_debug("the release of the flag was not announced");
	return rc ? -1 : 0;
}

int
lock_show(struct db *db, int mission_id, bool *held, struct lock_holder *h)
{
	bool lease_expired;
	int found;

	found = read_holder(db, mission_id, false, h, &lease_expired);
	if (found < 0)
		return -1;
	*held = found == 1;
	if (found) {
		int owner;

		if (lock_owner_backend(db, &owner))
			return -1;
		h->session_alive = owner != 0;
		if (owner)
			h->backend_pid = owner;
	}
	return 0;
}

int
lock_clear(struct db *db, int mission_id, const char *reason, bool force,
	   struct lock_holder *h)
{
	struct db_params p = DB_PARAMS_INIT;
	struct strbuf comment = STRBUF_INIT;
	bool lease_expired, got = false;
	int found, rc = -1;

	if (db_begin(db))
		return -1;
	if (db_exec(db, "SELECT pg_advisory_xact_lock(" XACT_KEY ")"))
		goto out;
	found = read_holder(db, mission_id, true, h, &lease_expired);
	if (found < 0)
		goto out;
	if (!found) {
		rc = LOCK_NOT_SET;
		goto out;
	}
	if (query_bool(db, "SELECT pg_try_advisory_lock(" FLAG_KEY ")", &got))
		goto out;
	h->session_alive = !got;
	if (!got) {
		if (lock_owner_backend(db, &h->backend_pid))
			goto out;
		if (!force) {
			rc = LOCK_HOLDER_LIVE;
			goto out;
		}
		db_params_int64(&p, h->backend_pid);
		if (db_query_params(db,
				    "SELECT pg_terminate_backend($1::integer)",
				    &p, DB_QUIET, NULL) != DB_OK) {
			db_report(db, "could not terminate the holder's "
				      "database session");
			goto out;
		}
		db_params_release(&p);
		log_warning("terminated the database session (backend pid %d) "
			    "of the flag holder",
			    h->backend_pid);
	}
	strbuf_addf(&comment, "Overridden:%s:%s", reason, CASCADE_VERSION);
	db_params_int64(&p, h->logging_id);
	db_params_text(&p, comment.buf);
	if (db_query_params(db,
			    "UPDATE public.logging SET currently_processing = "
			    "false, status = 'cleared', processing_end_time = "
			    "greatest(processing_start_time, now() AT TIME "
			    "ZONE 'UTC'), comment = $2::text "
			    "WHERE logging_id = $1::bigint",
			    &p, 0, NULL))
		goto out;
	if (db_commit(db))
		goto out;
	rc = LOCK_CLEARED;
out:
	db_params_release(&p);
	db_rollback(db);
	if (got)
		unlock_flag(db);
	strbuf_release(&comment);
	return rc;
}
