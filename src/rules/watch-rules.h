/*
 * watch-rules.h - the resident controller's decisions, pure: the lease
 * and how fast a cut connection is noticed, fencing, reconnecting, how
 * long a standby waits, and which changes of the incoming directory are
 * worth a cycle.
 *
 * Plain values in and out, no I/O, no clock: watch.c reads the clock,
 * the database and inotify, asks these, and acts.  Times are
 * milliseconds of the monotonic clock.  tests/unit/test-watch-rules.c
 * holds the rules as tables.
 *
 * The lease (run.flag_lease, L) is what bounds fail-over.  The holder
 * renews it every L/4; a connection that is cut is noticed, at both
 * ends, within L/2 of its last traffic (keepalives and a TCP user
 * timeout: the server then ends the session, which frees the flag's
 * lock); the holder stops its codes as soon as it notices (fencing), so
 * by L/4 + L/2 after the start of its last successful renewal, which is
 * before L - L/8 (fence_ms), itself before any other host may take the
 * flag (at L after the server's renewal, which came later); a standby
 * takes the flag once the lease has run out and the holder's session is
 * gone: within L of the holder's death or cut, plus the time to notice.
 */
#ifndef CASCADE_WATCH_RULES_H
#define CASCADE_WATCH_RULES_H

#include <stdbool.h>
#include <stdint.h>

/* what the lease of lease_s seconds means for its holder */
struct watch_lease {
	int64_t renew_ms;  /* renew this often (L/4, at least 250 ms) */
	int64_t detect_ms; /* a cut connection is noticed within this (L/2) */
	int64_t fence_ms;  /* codes are stopped within this of the start of
			      the last renewal (L - L/8 > renew + detect) */
	/* keepalives at both ends of the connection (db_liveness) */
	int idle_s, interval_s, count, user_timeout_ms;
	int connect_timeout_s; /* per reconnection attempt */
};

/* watch_lease_plan: the figures of a lease of lease_s (>= 1) seconds */
void watch_lease_plan(int lease_s, struct watch_lease *w);

/* reconnection attempts before a controller that lost its database gives up */
#define WATCH_RECONNECT_TRIES 10

/* where a controller that lost its connection is */
struct watch_lost {
	int attempts;	    /* connections tried so far */
	int64_t next_try;   /* not before this */
};

enum watch_lost_step {
	WATCH_LOST_WAIT,    /* wait *wait_ms (or a signal) */
	WATCH_LOST_CONNECT, /* try to connect now */
	WATCH_LOST_GIVE_UP, /* stop trying */
};

/*
 * watch_lost_next: what to do at now; *wait_ms set for WATCH_LOST_WAIT.
 * Giving up waits for no backoff.
 */
enum watch_lost_step watch_lost_next(const struct watch_lost *s, int64_t now,
				     int64_t *wait_ms);

/*
 * watch_backoff_ms: the pause after failed attempt number attempt (1 the
 * first): 250 ms doubling, at most 8 s.
 */
int64_t watch_backoff_ms(int attempt);

/*
 * watch_standby_ms: how long a standby waits before asking for the flag
 * again when nothing (a notification, a signal) wakes it earlier: until
 * the holder's lease runs out (lease_left_ms, as the server computed it;
 * a little after, so that it has), or, when it has run out and the
 * holder's session lives on (its host cut off and not noticed yet, or a
 * controller that does not renew), L/4 (at least 1 s) at a time.
 */
int64_t watch_standby_ms(bool lease_known, int64_t lease_left_ms,
			 int lease_s);

/* What a change inotify reports in the incoming directory calls for. */
enum watch_fs_event {
	WATCH_FS_IGNORE,  /* nothing: a delivery in progress, a directory,
			     a name the glob leaves, a mere open */
	WATCH_FS_SCAN,	  /* a cycle (a file arrived; events were lost) */
	WATCH_FS_REWATCH, /* the directory itself went: watch it again */
};

/*
 * watch_fs_event: for an event of mask (inotify's IN_* bits) about name
 * (NULL or "" for the directory itself) under glob (NULL: "*").  A file
 * arrives when it is closed after writing, moved in or linked in
 * (IN_CLOSE_WRITE, IN_MOVED_TO, IN_CREATE); names that are deliveries in
 * progress (.NAME, NAME.part, NAME.tmp) are taken when renamed.
 */
enum watch_fs_event watch_fs_event(uint32_t mask, const char *name,
				   const char *glob);

/*
 * watch_rescan_ms: when to look at incoming again after a cycle left
 * writing files there still being written (no event says when a file
 * without a lease has settled): run.settle (settle_s) and a little, or -1
 * when none is being written or settle_s is 0 (a writer holding the
 * file open closes it, and that is an event).
 */
int64_t watch_rescan_ms(long writing, int settle_s);

#endif
