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
#include "version-gen.h"
#include "xalloc.h"
#include "banned.h"

/* advisory lock keys ('casc', n): 2 is the flag, 3 serialises changes */
#define LOCK_CLASS "1667330915"
#define FLAG_KEY LOCK_CLASS ", 2"
#define XACT_KEY LOCK_CLASS ", 3"

#define HOLDER_COLUMNS                                                       \
	"l.logging_id, l.pid, l.pid_start_ticks, l.hostname, l.\"user\", "   \
	"l.command, l.boot_id, "                                             \
	"to_char(l.processing_start_time, 'YYYY-MM-DD HH24:MI:SS'), "        \
	"to_char(l.lease_until AT TIME ZONE 'UTC', "                         \
	"'YYYY-MM-DD HH24:MI:SS'), "                                         \
	"coalesce(l.backend_pid, 0), coalesce(l.lease_until < now(), true)"
#define HOLDER_NCOLS 11

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

/*
 * read_holder: the row with currently_processing for mission, if any.
 * Returns 1 if found (h filled, *lease_expired set), 0 if none, -1 on
 * error.
 */
static int
read_holder(struct db *db, const char *mission, bool for_update,
	    struct lock_holder *h, bool *lease_expired)
{
	const char *params[] = {mission};
	struct db_res *res = NULL;
	struct strbuf me = STRBUF_INIT, boot = STRBUF_INIT;
	int rc = -1;

	if (db_query(db,
		     for_update
			     ? "SELECT " HOLDER_COLUMNS " FROM public.logging l "
			       "WHERE l.mission_id = $1::integer "
			       "AND l.currently_processing FOR UPDATE"
			     : "SELECT " HOLDER_COLUMNS " FROM public.logging l "
			       "WHERE l.mission_id = $1::integer "
			       "AND l.currently_processing",
		     1, params, 0, &res))
		return -1;
	if (db_res_check_shape(res, -1, HOLDER_NCOLS, "flag holder"))
		goto out;
	if (db_res_nrows(res) == 0) {
		rc = 0;
		goto out;
	}
	lock_holder_release(h);
	if (db_res_int64(res, 0, 0, &h->logging_id) ||
	    db_res_int(res, 0, 1, &h->pid) ||
	    db_res_int(res, 0, 9, &h->backend_pid) ||
	    db_res_bool(res, 0, 10, lease_expired))
		goto out;
	if (db_res_isnull(res, 0, 2))
		h->start_ticks = -1;
	else if (db_res_int64(res, 0, 2, &h->start_ticks))
		goto out;
	h->hostname = xstrdup_or_null(db_res_get(res, 0, 3));
	h->user = xstrdup_or_null(db_res_get(res, 0, 4));
	h->command = xstrdup_or_null(db_res_get(res, 0, 5));
	h->boot_id = xstrdup_or_null(db_res_get(res, 0, 6));
	h->started = xstrdup_or_null(db_res_get(res, 0, 7));
	h->lease_until = xstrdup_or_null(db_res_get(res, 0, 8));
	sysinfo_hostname(&me);
	h->same_host = h->hostname && !strcmp(h->hostname, me.buf);
	if (h->same_host)
		h->process_alive =
			sysinfo_process_liveness(h->pid, h->start_ticks,
						 h->boot_id) == SYSINFO_ALIVE;
	rc = 1;
out:
	strbuf_release(&me);
	strbuf_release(&boot);
	db_res_free(res);
	return rc;
}

/* query_bool: run a one-row, one-boolean query */
static int
query_bool(struct db *db, const char *sql, bool *out)
{
	struct db_res *res = NULL;
	int rc = db_query(db, sql, 0, NULL, 0, &res);

	if (rc)
		return rc;
	rc = db_res_check_shape(res, 1, 1, "advisory lock") ||
	     db_res_bool(res, 0, 0, out);
	db_res_free(res);
	return rc ? -1 : 0;
}

static void
unlock_flag(struct db *db)
{
	struct db_res *res = NULL;

	if (db_query(db, "SELECT pg_advisory_unlock(" FLAG_KEY ")", 0, NULL,
		     DB_QUIET, &res) == DB_OK)
		db_res_free(res);
}

/* the server pid holding the flag's advisory lock, 0 if none */
static int
lock_owner_backend(struct db *db, int *backend)
{
	struct db_res *res = NULL;
	int rc;

	*backend = 0;
	rc = db_query(db,
		      "SELECT coalesce(max(pid), 0) FROM pg_locks "
		      "WHERE locktype = 'advisory' AND granted "
		      "AND classid = " LOCK_CLASS " AND objid = 2 "
		      "AND objsubid = 2 AND database = (SELECT oid FROM "
		      "pg_database WHERE datname = current_database())",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	rc = db_res_check_shape(res, 1, 1, "lock owner") ||
	     db_res_int(res, 0, 0, backend);
	db_res_free(res);
	return rc ? -1 : 0;
}

static int
recover_row(struct db *db, const struct lock_holder *h, const char *why)
{
	char id[32];
	struct strbuf comment = STRBUF_INIT;
	const char *params[] = {id, NULL};
	int rc;

	snprintf(id, sizeof(id), "%lld", (long long)h->logging_id);
	strbuf_addf(&comment, "Recovered: %s", why);
	params[1] = comment.buf;
	rc = db_query(db,
		      "UPDATE public.logging SET currently_processing = false, "
		      "status = 'aborted', "
		      "processing_end_time = greatest(processing_start_time, "
		      "now() AT TIME ZONE 'UTC'), comment = $2::text "
		      "WHERE logging_id = $1::bigint",
		      2, params, 0, NULL);
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

/*
 * The holder died but its server session has not noticed yet (its socket
 * closed a moment ago): wait for the session to end, 10 s at most.
 * Returns 0 (*got set if the flag was had meanwhile) or a failure,
 * reported.
 */
static int
wait_dead_session(struct db *db, const struct lock_holder *old, bool *got)
{
	int rc;

	log_info("waiting for the session of dead holder pid %d to end",
		 old->pid);
	if ((rc = db_exec(db, "SET LOCAL lock_timeout = '10s'")))
		return rc;
	rc = db_query(db, "SELECT pg_advisory_lock(" FLAG_KEY ")", 0, NULL,
		      DB_QUIET, NULL);
	if (rc == DB_OK)
		*got = true;
	else if (rc != DB_ERR_LOCK) {
		db_report(db, "waiting for the processing flag");
		return rc;
	}
	return 0;
}

/*
 * The flag is held: hand its holder to the caller, old's row (moved out
 * of old) if one was found
 */
static void
give_holder(struct lock_holder *holder, struct lock_holder *old, bool found,
	    bool session_alive)
{
	lock_holder_release(holder);
	if (found) {
		*holder = *old;
		*old = (struct lock_holder)LOCK_HOLDER_INIT;
	} else {
		holder->command = xstrdup("(no run recorded)");
	}
	holder->session_alive = session_alive;
}

/* a row whose session is gone: is its process gone too?  why says who */
static bool
holder_stale(const struct lock_holder *old, bool lease_expired,
	     struct strbuf *why)
{
	if (old->same_host) {
		strbuf_addf(why, "holder pid %d on this host is no longer "
				 "running",
			    old->pid);
		return !old->process_alive;
	}
	strbuf_addf(why, "the lease of holder pid %d on host \"%s\" expired",
		    old->pid, old->hostname ? old->hostname : "?");
	return lease_expired;
}

/* insert our logging row (f->logging_id) and commit */
static int
insert_row(struct db *db, const char *mission, const char *command,
	   int lease_s, struct lock_flag *f)
{
	char pidbuf[16], ticksbuf[32], lease[16];
	struct strbuf host = STRBUF_INIT, user = STRBUF_INIT,
		      boot = STRBUF_INIT;
	struct db_res *res = NULL;
	int64_t ticks;
	int rc;

	sysinfo_hostname(&host);
	sysinfo_username(&user);
	sysinfo_boot_id(&boot);
	snprintf(pidbuf, sizeof(pidbuf), "%ld", (long)getpid());
	if (sysinfo_start_ticks(getpid(), &ticks))
		ticks = -1;
	snprintf(ticksbuf, sizeof(ticksbuf), "%lld", (long long)ticks);
	snprintf(lease, sizeof(lease), "%d", lease_s);
	{
		const char *params[] = {mission, pidbuf, user.buf, host.buf,
					command, ticksbuf, boot.buf, lease};

		rc = db_query(db,
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
			      8, params, 0, &res);
	}
	if (!rc && (db_res_check_shape(res, 1, 1, "new run") ||
		    db_res_int64(res, 0, 0, &f->logging_id)))
		rc = -1;
	if (!rc)
		rc = db_commit(db);
	db_res_free(res);
	strbuf_release(&host);
	strbuf_release(&user);
	strbuf_release(&boot);
	return rc;
}

int
lock_acquire(struct db *db, int mission_id, const char *command, int lease_s,
	     struct lock_flag *f, struct lock_holder *holder)
{
	char mission[16];
	struct lock_holder old = LOCK_HOLDER_INIT;
	bool got = false, lease_expired = false;
	int found, rc = -1;

	snprintf(mission, sizeof(mission), "%d", mission_id);
	if (db_begin(db))
		return DB_ERR_CONN;
	if ((rc = db_exec(db, "SELECT pg_advisory_xact_lock(" XACT_KEY ")")))
		goto fail;
	if ((rc = query_bool(db, "SELECT pg_try_advisory_lock(" FLAG_KEY ")",
			     &got)))
		goto fail;
	found = read_holder(db, mission, true, &old, &lease_expired);
	if (found < 0) {
		rc = -1;
		goto fail;
	}
	if (!got && found && old.same_host && !old.process_alive &&
	    (rc = wait_dead_session(db, &old, &got)))
		goto fail;
	if (!got) {
		give_holder(holder, &old, found, true);
		if (!holder->backend_pid &&
		    lock_owner_backend(db, &holder->backend_pid)) {
			rc = -1;
			goto fail;
		}
		db_rollback(db);
		rc = LOCK_HELD;
		goto out;
	}
	if (found) {
		struct strbuf why = STRBUF_INIT;

		if (!holder_stale(&old, lease_expired, &why)) {
			strbuf_release(&why);
			unlock_flag(db);
			give_holder(holder, &old, true, false);
			db_rollback(db);
			rc = LOCK_HELD;
			goto out;
		}
		rc = recover_row(db, &old, why.buf);
		strbuf_release(&why);
		if (rc)
			goto fail_unlock;
	}
	if ((rc = insert_row(db, mission, command, lease_s, f)))
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
	char mission[16];
	bool got, lease_expired;
	int found;

	if (db_exec(db, "SELECT pg_advisory_xact_lock(" XACT_KEY ")") ||
	    query_bool(db, "SELECT pg_try_advisory_xact_lock(" FLAG_KEY ")",
		       &got))
		return -1;
	if (got)
		return LOCK_ACQUIRED;
	snprintf(mission, sizeof(mission), "%d", mission_id);
	found = mission_id ? read_holder(db, mission, false, holder,
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
		enum run_state status, const char *comment)
{
	char mission[16], pidbuf[16];
	struct strbuf host = STRBUF_INIT, user = STRBUF_INIT;
	int rc;

	snprintf(mission, sizeof(mission), "%d", mission_id);
	snprintf(pidbuf, sizeof(pidbuf), "%ld", (long)getpid());
	sysinfo_hostname(&host);
	sysinfo_username(&user);
	{
		const char *params[] = {mission, pidbuf, user.buf, host.buf,
					command, run_state_name(status),
					comment};

		rc = db_query(db,
			      "INSERT INTO public.logging (currently_processing, "
			      "pid, processing_start_time, processing_end_time, "
			      "mission_id, \"user\", hostname, command, status, "
			      "exit_status, comment, backend_pid) "
			      "VALUES (false, $2::integer, now() AT TIME ZONE "
			      "'UTC', clock_timestamp() AT TIME ZONE 'UTC', "
			      "$1::integer, left($3::text, 30), "
			      "left($4::text, 100), $5::text, $6::text, "
			      "CASE WHEN $6::text = 'ok' THEN 0 ELSE 1 END, "
			      "$7::text, pg_backend_pid())",
			      7, params, 0, NULL);
	}
	strbuf_release(&host);
	strbuf_release(&user);
	return rc ? -1 : 0;
}

int
lock_renew(struct db *db, const struct lock_flag *f, int lease_s)
{
	char id[32], lease[16];
	const char *params[] = {id, lease};
	struct db_res *res = NULL;
	int rc;

	snprintf(id, sizeof(id), "%lld", (long long)f->logging_id);
	snprintf(lease, sizeof(lease), "%d", lease_s);
	rc = db_query(db,
		      "UPDATE public.logging SET lease_until = now() + "
		      "make_interval(secs => $2::integer) "
		      "WHERE logging_id = $1::bigint AND currently_processing "
		      "RETURNING 1",
		      2, params, 0, &res);
	if (rc)
		return -1;
	if (db_res_nrows(res) != 1) {
		db_res_free(res);
		return error("the processing flag of run %lld was cleared by "
			     "someone else: stopping",
			     (long long)f->logging_id);
	}
	db_res_free(res);
	return 0;
}

int
lock_release(struct db *db, struct lock_flag *f, enum run_state status,
	     int exit_status, const char *comment,
	     const struct lock_counts *c)
{
	char id[32], ex[16], n[6][16];
	const char *params[10];
	int rc;

	if (!f->held)
		return 0;
	snprintf(id, sizeof(id), "%lld", (long long)f->logging_id);
	snprintf(ex, sizeof(ex), "%d", exit_status);
	snprintf(n[0], sizeof(n[0]), "%d", c ? c->files_ingested : 0);
	snprintf(n[1], sizeof(n[1]), "%d", c ? c->files_duplicate : 0);
	snprintf(n[2], sizeof(n[2]), "%d", c ? c->files_rejected : 0);
	snprintf(n[3], sizeof(n[3]), "%d", c ? c->builds_ok : 0);
	snprintf(n[4], sizeof(n[4]), "%d", c ? c->builds_failed : 0);
	snprintf(n[5], sizeof(n[5]), "%d", c ? c->builds_skipped : 0);
	params[0] = id;
	params[1] = run_state_name(status);
	params[2] = ex;
	params[3] = comment;
	for (int i = 0; i < 6; i++)
		params[4 + i] = n[i];
	if (db_in_transaction(db))
		db_rollback(db);
	rc = db_query(db,
		      "UPDATE public.logging SET currently_processing = false, "
		      "processing_end_time = greatest(processing_start_time, "
		      "now() AT TIME ZONE 'UTC'), status = $2::text, "
		      "exit_status = $3::integer, comment = $4::text, "
		      "files_ingested = $5::integer, files_duplicate = "
		      "$6::integer, files_rejected = $7::integer, builds_ok = "
		      "$8::integer, builds_failed = $9::integer, "
		      "builds_skipped = $10::integer "
		      "WHERE logging_id = $1::bigint AND currently_processing",
		      10, params, 0, NULL);
	unlock_flag(db);
	f->held = false;
	return rc ? -1 : 0;
}

int
lock_show(struct db *db, int mission_id, bool *held, struct lock_holder *h)
{
	char mission[16];
	bool lease_expired;
	int found;

	snprintf(mission, sizeof(mission), "%d", mission_id);
	found = read_holder(db, mission, false, h, &lease_expired);
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
	char mission[16], id[32], backend[16];
	struct strbuf comment = STRBUF_INIT;
	bool lease_expired, got = false;
	int found, rc = -1;

	snprintf(mission, sizeof(mission), "%d", mission_id);
	if (db_begin(db))
		return -1;
	if (db_exec(db, "SELECT pg_advisory_xact_lock(" XACT_KEY ")"))
		goto out;
	found = read_holder(db, mission, true, h, &lease_expired);
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
		snprintf(backend, sizeof(backend), "%d", h->backend_pid);
		{
			const char *params[] = {backend};
			struct db_res *res = NULL;

			if (db_query(db,
				     "SELECT pg_terminate_backend($1::integer)",
				     1, params, DB_QUIET, &res) == DB_OK) {
				db_res_free(res);
				log_warning("terminated the database session "
					    "(backend pid %d) of the flag holder",
					    h->backend_pid);
			} else {
				db_report(db, "could not terminate the "
					      "holder's database session");
				goto out;
			}
		}
	}
	snprintf(id, sizeof(id), "%lld", (long long)h->logging_id);
	strbuf_addf(&comment, "Overridden:%s:%s", reason, CASCADE_VERSION);
	{
		const char *params[] = {id, comment.buf};

		if (db_query(db,
			     "UPDATE public.logging SET currently_processing = "
			     "false, status = 'cleared', processing_end_time = "
			     "greatest(processing_start_time, now() AT TIME "
			     "ZONE 'UTC'), comment = $2::text "
			     "WHERE logging_id = $1::bigint",
			     2, params, 0, NULL))
			goto out;
	}
	if (db_commit(db))
		goto out;
	rc = LOCK_CLEARED;
out:
	db_rollback(db);
	if (got)
		unlock_flag(db);
	strbuf_release(&comment);
	return rc;
}
