/*
 * lock.h - the processing flag: one writing controller per mission.
 *
 * The flag is two things taken together, atomically:
 *   - a session-level advisory lock on the controller's own connection,
 *     which the server releases the instant that session ends (crash,
 *     kill -9, lost network), and
 *   - a row in dbprocessing's logging table with currently_processing
 *     set (at most one per mission, by a partial unique index), recording
 *     who holds it: pid, process start time, boot id, host, user, command
 *     and start time, for people, psql and the status command.
 *
 * A row whose advisory lock is free belongs to a controller whose session
 * is gone.  On this host, a holder that is provably dead (pid gone, pid
 * reused, or the host rebooted) is recovered automatically and logged; a
 * holder on another host is trusted until its lease runs out.  The
 * logging row doubles as the run record: lock_release writes the end
 * time, status, exit status and counts.
 *
 * Flag changes are serialised by a short transaction-level advisory lock,
 * so a loser of a race always sees the winner's committed row.
 */
#ifndef CASCADE_LOCK_H
#define CASCADE_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"
#include "state.h"
#include "strbuf.h"

struct db;

/* Who holds (or held) the flag, as recorded.  Strings owned. */
struct lock_holder {
	int64_t logging_id;
	int pid;
	int64_t start_ticks; /* -1 if unknown */
	char *hostname;
	char *user;
	char *command;
	char *boot_id;
	char *started;      /* "YYYY-MM-DD HH:MM:SS" UTC */
	char *lease_until;  /* NULL or timestamp text */
	int backend_pid;    /* server pid of its session, 0 if unknown */
	bool session_alive; /* its advisory lock is held right now */
	bool same_host;
	bool process_alive; /* meaningful only when same_host */
	bool lease_known;   /* it has a lease: */
	int64_t lease_left_ms; /* how long it has yet (server's clock; <= 0
				  ended) */
};
#define LOCK_HOLDER_INIT {0, 0, -1, NULL, NULL, NULL, NULL, NULL, NULL, 0, false, false, false, false, 0}
void lock_holder_release(struct lock_holder *h);
/* lock_holder_describe: one line naming the holder, appended to sb. */
void lock_holder_describe(const struct lock_holder *h, struct strbuf *sb);

/*
 * The command a resident controller (process-queue --watch) records as
 * holding the flag: commands that only queue work (reprocess) run beside
 * such a holder, and notify it (lock_notify).
 */
#define LOCK_RESIDENT_COMMAND "process-queue --watch"
/* lock_holder_resident: whether h is a resident controller */
bool lock_holder_resident(const struct lock_holder *h);

/* A flag we hold. */
struct lock_flag {
	int64_t logging_id;
	int mission_id;
	bool held;
	/*
	 * when the lease was last confirmed: the monotonic time (ms) at which
	 * the statement that took or renewed it was sent, before the server
	 * set lease_until from its clock (so lease_until is at least
	 * lease_s after it)
	 */
	int64_t renewed_ms;
};
#define LOCK_FLAG_INIT {0, 0, false, 0}

enum lock_result {
	LOCK_ACQUIRED = 0,
	LOCK_HELD = 1, /* a live controller holds it: *holder filled */
	LOCK_TAKEN = 2, /* lock_retake: ours was taken over meanwhile */
};

/*
 * lock_acquire: take the processing flag of mission_id for command, with
 * a lease of lease_s seconds for remote observers.  Returns LOCK_ACQUIRED
 * (f filled; the run's logging_id is f->logging_id), LOCK_HELD (holder
 * filled, nothing changed, nothing reported), or a negative db_status
 * with the error reported.  Recovering a dead holder's flag is logged at
 * WARNING.
 */
int lock_acquire(struct db *db, int mission_id, const char *command,
		 int lease_s, struct lock_flag *f, struct lock_holder *holder)
	CASCADE_MUSTCHECK;

/*
 * lock_take_xact: for a command that does all its writing in the one
 * transaction the caller has open (config apply): take the flag for the
 * length of that transaction only.  Returns LOCK_ACQUIRED, LOCK_HELD
 * (holder filled) or -1 (reported).
 */
int lock_take_xact(struct db *db, int mission_id, struct lock_holder *holder)
	CASCADE_MUSTCHECK;

/*
 * lock_record_run: inside the caller's transaction, record a finished run
 * of command (status RUN_STATE_OK or _FAILED, comment) for mission_id; used with
 * lock_take_xact, and by commands that run beside a resident controller.
 * *logging_id (if not NULL) is the row's.  Returns 0 or -1 (reported).
 */
int lock_record_run(struct db *db, int mission_id, const char *command,
		    enum run_state status, const char *comment,
		    int64_t *logging_id) CASCADE_MUSTCHECK;

/*
 * lock_renew: extend the lease and confirm we still hold the flag
 * (f->renewed_ms set).  Returns 0, or a negative db_status (reported) if
 * the flag was cleared or the database is gone: the caller must stop
 * writing.
 */
int lock_renew(struct db *db, struct lock_flag *f, int lease_s)
	CASCADE_MUSTCHECK;

/*
 * lock_retake: after the connection was lost and made again
 * (db_reconnect), take the flag back: if our run's row (f->logging_id)
 * still holds it, that row is ended as recovered and a new run row holds
 * it for command (f filled: the new logging_id); our old session, if the
 * server has not noticed yet that it died, is ended first.  Returns
 * LOCK_ACQUIRED, LOCK_TAKEN (someone cleared or took the flag meanwhile:
 * holder filled when someone holds it, nothing changed: the caller must
 * stop), or a negative db_status (reported).
 */
int lock_retake(struct db *db, struct lock_flag *f, const char *command,
		int lease_s, struct lock_holder *holder) CASCADE_MUSTCHECK;

/*
 * The notification channel of mission_id ("cascade_ID"), on which flag
 * releases and queued work are announced (NOTIFY), for resident
 * controllers and standbys (LISTEN).
 */
void lock_channel(int mission_id, struct strbuf *sb);

/*
 * lock_notify: NOTIFY mission_id's channel with payload (delivered when
 * the caller's transaction commits, or at once outside one).  0 or < 0,
 * reported.
 */
int lock_notify(struct db *db, int mission_id, const char *payload)
	CASCADE_MUSTCHECK;

/* Counts written to the run's row at release. */
struct lock_counts {
	int files_ingested, files_duplicate, files_rejected;
	int builds_ok, builds_failed, builds_skipped;
};

/*
 * lock_release: end the run: write end time, status (RUN_STATE_OK,
 * _FAILED or _INTERRUPTED), exit status, comment and counts, clear the flag,
 * drop the advisory lock and notify the mission's channel ("released"),
 * so that a standby takes it at once.  Returns 0, or -1 with the error reported (the
 * server drops the lock with the session anyway; the next run recovers
 * the row).
 */
int lock_release(struct db *db, struct lock_flag *f, enum run_state status,
		 int exit_status, const char *comment,
		 const struct lock_counts *counts) CASCADE_MUSTCHECK;

/*
 * lock_show: read the current holder of mission_id's flag.  *held is
 * false if no flag is set.  Returns 0 or -1 (reported).
 */
int lock_show(struct db *db, int mission_id, bool *held,
	      struct lock_holder *holder) CASCADE_MUSTCHECK;

enum lock_clear_result {
	LOCK_CLEARED = 0,
	LOCK_NOT_SET = 1,
	LOCK_HOLDER_LIVE = 2, /* refused: holder alive, no force */
};

/*
 * lock_clear: clear a stale flag, recording reason (comment
 * "Overridden:<reason>:<version>", status "cleared").  A holder whose
 * session is alive is refused (LOCK_HOLDER_LIVE, holder filled) unless
 * force, which also terminates the holder's database session so it stops
 * at its next statement.  Returns an enum lock_clear_result or -1.
 */
int lock_clear(struct db *db, int mission_id, const char *reason, bool force,
	       struct lock_holder *holder) CASCADE_MUSTCHECK;

#endif
