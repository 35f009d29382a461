/*
 * watch.c - the resident controller and its standby (see watch.h).
 *
 * Everything the controller waits for is one epoll set: the signal
 * pipe (cycle.c's handlers write to it), an inotify watch on the incoming
 * directory, the database socket (notifications on the mission's
 * channel; a connection the server closed reads as readable too), a
 * periodic timer for the lease and a one-shot timer for files still
 * being written.  Between cycles the controller blocks in epoll_wait with
 * no timeout; during a cycle the set is the runner's wake descriptor and
 * on_wake() takes what made it readable, so nothing here ever sleeps or
 * polls on a clock of its own.  The decisions (how often to renew, when
 * to try again, which inotify events matter) are watch-rules.c's.
 */
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "catalog.h"
#include "db.h"
#include "fsutil.h"
#include "log.h"
#include "timeutil.h"
#include "watch-rules.h"
#include "xalloc.h"
#include "banned.h"

/* what an epoll event is about */
enum source { SRC_SIGNAL = 1, SRC_FILES, SRC_LEASE, SRC_RESCAN, SRC_DB };

struct watch {
	struct db *db;
	struct lock_flag *flag;
	const struct watch_options *o;
	struct catalog cat;
	bool have_cat;
	int lease_s;
	struct watch_lease lease;
	int ep;		/* the epoll set */
	int sigfd;	/* cycle.c's signal pipe (not ours to close) */
	int ino, wd;	/* inotify, and its watch of incoming (-1: none) */
	int lease_tfd;	/* periodic: renew the lease */
	int rescan_tfd; /* one-shot: look at files still being written */
	int dbfd;	/* the database socket in the set (-1: none) */
	bool pending;	/* something happened since the last cycle began */
	bool arrived;	/* files arrived during a cycle: ingest them now */
	bool lost;	/* the database connection is gone */
	bool taken;	/* the flag is not ours any more */
	long cycles;
};

static int64_t
now_ms(void)
{
	return timeutil_mono_ns() / 1000000;
}

static int
ep_add(int ep, int fd, enum source src)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = src};

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 || errno == EEXIST)
		return 0;
	return error("could not watch a descriptor: %s", strerror(errno));
}

/* arm timer fd to fire in first_ms, then every every_ms (0: once) */
static void
arm(int fd, int64_t first_ms, int64_t every_ms)
{
	struct itimerspec it;

	memset(&it, 0, sizeof(it));
	if (first_ms >= 0) {
		it.it_value.tv_sec = first_ms / 1000;
		it.it_value.tv_nsec = (long)(first_ms % 1000) * 1000000 + 1;
		it.it_interval.tv_sec = every_ms / 1000;
		it.it_interval.tv_nsec = (long)(every_ms % 1000) * 1000000;
	}
	(void)timerfd_settime(fd, 0, &it, NULL);
}

static void
drain_timer(int fd)
{
	uint64_t ticks;

	(void)!read(fd, &ticks, sizeof(ticks));
}

/* the database socket into the set (again, after a reconnection) */
static int
watch_db(struct watch *w)
{
	int fd = db_socket(w->db);

	if (w->dbfd >= 0)
		(void)epoll_ctl(w->ep, EPOLL_CTL_DEL, w->dbfd, NULL);
	w->dbfd = -1;
	if (fd < 0)
		return 0;
	if (ep_add(w->ep, fd, SRC_DB))
		return -1;
	w->dbfd = fd;
	return 0;
}

/* inotify on the incoming directory, made if need be (again if it went) */
static void
watch_incoming(struct watch *w)
{
	const char *dir = w->cat.mission->incoming_dir;

	if (w->wd >= 0)
		return;
	if (fsutil_mkdir_p(dir))
		log_warning("could not create incoming directory \"%s\": %s",
			    dir, strerror(errno));
	w->wd = inotify_add_watch(w->ino, dir,
				  IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
					  IN_DELETE_SELF | IN_MOVE_SELF |
					  IN_ONLYDIR);
	if (w->wd < 0)
		log_warning("cannot watch incoming directory \"%s\": %s: files "
			    "arriving there wait for another event (SIGHUP, a "
			    "notification)",
			    dir, strerror(errno));
}

/* what inotify says: a cycle if a file arrived */
static void
take_files(struct watch *w)
{
	char buf[8192];
	ssize_t n;

	while ((n = read(w->ino, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0;
		     off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			struct inotify_event e;
			const char *name = buf + off + sizeof(e);

			memcpy(&e, buf + off, sizeof(e));
			switch (watch_fs_event(e.mask, e.len ? name : NULL,
					       w->o->cycle.glob)) {
			case WATCH_FS_SCAN:
				w->pending = true;
				w->arrived = true;
				break;
			case WATCH_FS_REWATCH:
				if (e.wd == w->wd) {
					w->wd = -1;
					w->pending = true;
				}
				break;
			case WATCH_FS_IGNORE:
				break;
			}
			off += (ssize_t)(sizeof(e) + e.len);
		}
	}
}

/* renew the lease (not inside a transaction: at the next tick then) */
static int
renew(struct watch *w)
{
	int rc;

	if (db_in_transaction(w->db))
		return 0;
	rc = lock_renew(w->db, w->flag, w->lease_s);
	if (rc && !db_connected(w->db))
		w->lost = true;
	else if (rc)
		w->taken = true;
	return rc;
}

static int
take_notifications(struct watch *w)
{
	int n = db_notifications(w->db, NULL);

	if (n < 0) {
		w->lost = true;
		return n;
	}
	if (n > 0) {
		log_debug("%d notifications on the mission's channel", n);
		w->pending = true;
	}
	return 0;
}

/*
 * take the events of the set, waiting at most timeout_ms (-1: until
 * one); idle: between cycles (SIGUSR1 is answered here; during a cycle
 * the runner answers it).  0, or < 0 when the lease could not be renewed
 * or the connection is gone (w->lost, w->taken say which).
 */
static int
take_events(struct watch *w, int timeout_ms, bool idle)
{
	struct epoll_event ev[8];
	int n = epoll_wait(w->ep, ev, 8, timeout_ms), rc = 0;

	if (n < 0 && errno != EINTR)
		return error("could not wait for events: %s", strerror(errno));
	for (int i = 0; i < n && rc >= 0; i++) {
		switch ((enum source)ev[i].data.u32) {
		case SRC_SIGNAL:
			cycle_signals_drain();
			if (cycle_signal_take(SIGHUP))
				w->pending = true;
			if (idle && cycle_signal_take(SIGUSR1))
				log_warning("resident: idle after %ld cycles; run "
					    "%lld holds the flag",
					    w->cycles,
					    (long long)w->flag->logging_id);
			break;
		case SRC_FILES:
			take_files(w);
			break;
		case SRC_LEASE:
			drain_timer(w->lease_tfd);
			rc = renew(w);
			break;
		case SRC_RESCAN:
			drain_timer(w->rescan_tfd);
			w->pending = true;
			break;
		case SRC_DB:
			rc = take_notifications(w);
			break;
		}
	}
	return rc;
}

/*
 * files arrived while codes run: ingest them now (the round that runs
 * plans them next, or the next cycle), synchronously committed as
 * ingest always is (the runner's session commits its intermediate
 * states without waiting for the flush).  0, or DB_ERR_CONN.
 */
static int
ingest_now(struct watch *w)
{
	struct cycle_options co = w->o->cycle;
	struct cycle_result res = CYCLE_RESULT_INIT;
	int rc = 0;

	w->arrived = false;
	if (!co.ingest || db_in_transaction(w->db))
		return 0;
	co.process = false;
	if (db_exec(w->db, "SET synchronous_commit = on"))
		return db_connected(w->db) ? 0 : DB_ERR_CONN;
	(void)cycle_run(w->db, &w->cat, w->flag, &co, &res);
	if (w->o->report)
		w->o->report(w->o->report_arg, &co, &res);
	if (res.ingest.outcome == CYCLE_OK) {
		int64_t rescan = watch_rescan_ms(res.ingest.counts.writing,
						 w->cat.run->settle_s);

		if (rescan >= 0)
			arm(w->rescan_tfd, rescan, 0);
	}
	cycle_result_release(&res);
	if (db_exec(w->db, "SET synchronous_commit = off") ||
	    !db_connected(w->db))
		rc = db_connected(w->db) ? 0 : DB_ERR_CONN;
	if (rc)
		w->lost = true;
	return rc;
}

/* the runner's wake descriptor was readable: take what is there */
static int
on_wake(void *arg)
{
	struct watch *w = arg;
	int rc = take_events(w, 0, false);

	if (!rc && w->arrived && !cycle_signal_stop())
		rc = ingest_now(w);
	return rc;
}

/* the mission's channel and keepalives, on a new connection */
static int
session_setup(struct watch *w)
{
	struct strbuf ch = STRBUF_INIT;
	struct db_liveness l = {w->lease.idle_s, w->lease.interval_s,
				w->lease.count, w->lease.user_timeout_ms};
	int rc;

	lock_channel(w->flag->mission_id, &ch);
	rc = db_set_liveness(w->db, &l);
	if (!rc)
		rc = db_listen(w->db, ch.buf);
	strbuf_release(&ch);
	return rc;
}

/* the mission as the database has it now, and the lease it sets */
static int
load_mission(struct watch *w)
{
	int rc;

	if (w->have_cat)
		catalog_release(&w->cat);
	w->have_cat = false;
	if ((rc = catalog_load(w->db, &w->cat)))
		return rc;
	w->have_cat = true;
	w->lease_s = w->cat.run->flag_lease_s > 0 ? w->cat.run->flag_lease_s
						  : 3600;
	watch_lease_plan(w->lease_s, &w->lease);
	arm(w->lease_tfd, w->lease.renew_ms, w->lease.renew_ms);
	return 0;
}

static int
setup(struct watch *w)
{
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->lease_tfd = timerfd_create(CLOCK_MONOTONIC,
				      TFD_NONBLOCK | TFD_CLOEXEC);
	w->rescan_tfd = timerfd_create(CLOCK_MONOTONIC,
				       TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->ep < 0 || w->ino < 0 || w->lease_tfd < 0 || w->rescan_tfd < 0)
		return error("could not set up the resident controller's "
			     "events: %s",
			     strerror(errno));
	if ((w->sigfd = cycle_signals(true)) < 0 ||
	    ep_add(w->ep, w->sigfd, SRC_SIGNAL) ||
	    ep_add(w->ep, w->ino, SRC_FILES) ||
	    ep_add(w->ep, w->lease_tfd, SRC_LEASE) ||
	    ep_add(w->ep, w->rescan_tfd, SRC_RESCAN))
		return -1;
	if (load_mission(w) || session_setup(w) || watch_db(w))
		return db_connected(w->db) ? -1 : DB_ERR_CONN;
	return 0;
}

static void
teardown(struct watch *w)
{
	int fds[] = {w->ep, w->ino, w->lease_tfd, w->rescan_tfd};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (w->have_cat)
		catalog_release(&w->cat);
}

/* the outcome of a cycle, ingest's failure first */
static enum cycle_outcome
outcome(const struct cycle_result *res)
{
	if (res->ingest.ran && res->ingest.outcome != CYCLE_OK)
		return res->ingest.outcome;
	return res->process.ran ? res->process.outcome : CYCLE_OK;
}

/* one cycle; -1 when it ends the controller (r->end set) */
static int
cycle(struct watch *w, struct watch_result *r)
{
	struct cycle_options co = w->o->cycle;
	struct cycle_result res = CYCLE_RESULT_INIT;
	enum cycle_outcome out;
	int64_t rescan = -1;

	watch_incoming(w);
	w->arrived = false;
	arm(w->rescan_tfd, -1, 0); /* this cycle's ingest looks anyway */
	co.wake_fd = w->ep;
	co.on_wake = on_wake;
	co.wake_arg = w;
	co.stop_on_loss = true;
	(void)cycle_run(w->db, &w->cat, w->flag, &co, &res);
	w->cycles++;
	if (w->o->report)
		w->o->report(w->o->report_arg, &co, &res);
	out = outcome(&res);
	if (res.ingest.ran && out == CYCLE_OK)
		rescan = watch_rescan_ms(res.ingest.counts.writing,
					 w->cat.run->settle_s);
	if (rescan >= 0)
		arm(w->rescan_tfd, rescan, 0);
	if (out == CYCLE_STOPPED)
		r->signal = res.ingest.outcome == CYCLE_STOPPED
				    ? res.ingest.signal
				    : res.process.signal;
	cycle_result_release(&res);
	if (w->taken) {
		r->end = WATCH_TAKEN;
		return -1;
	}
	switch (out) {
	case CYCLE_OK:
		break;
	case CYCLE_STOPPED:
		r->end = WATCH_STOPPED;
		return -1;
	case CYCLE_DB:
		if (!db_connected(w->db)) {
			w->lost = true;
			return 0;
		}
		r->end = WATCH_DB;
		return -1;
	case CYCLE_ENV:
		r->end = WATCH_ENV;
		return -1;
	case CYCLE_INTERNAL:
	default:
		r->end = WATCH_INTERNAL;
		return -1;
	}
	/* between cycles: the lease, and what came during the statements */
	if (renew(w) || take_notifications(w)) {
		if (w->lost)
			return 0;
		r->end = WATCH_TAKEN;
		return -1;
	}
	return 0;
}

/* wait up to ms for a stop signal: true if one came */
static bool
wait_stop(int sigfd, int64_t ms)
{
	struct pollfd p = {.fd = sigfd, .events = POLLIN};

	if (!cycle_signal_stop() &&
	    poll(&p, 1, (int)(ms > 600000 ? 600000 : ms)) > 0)
		cycle_signals_drain();
	return cycle_signal_stop() != 0;
}

/*
 * connect again with backoff; the flag taken back as a new run, or the
 * controller ends (-1, r->end set)
 */
static int
reconnect(struct watch *w, struct watch_result *r)
{
	struct watch_lost st = {0, now_ms()};
	int64_t old = w->flag->logging_id;

	log_warning("lost the connection to the database: connecting again "
		    "(at most %d tries)",
		    WATCH_RECONNECT_TRIES);
	if (w->dbfd >= 0)
		(void)epoll_ctl(w->ep, EPOLL_CTL_DEL, w->dbfd, NULL);
	w->dbfd = -1;
	for (;;) {
		struct lock_holder holder = LOCK_HOLDER_INIT;
		int64_t wait;
		int rc;

		switch (watch_lost_next(&st, now_ms(), &wait)) {
		case WATCH_LOST_GIVE_UP:
			error("could not connect to the database again after "
			      "%d tries: stopping",
			      st.attempts);
			r->end = WATCH_DB;
			return -1;
		case WATCH_LOST_WAIT:
			if (wait_stop(w->sigfd, wait)) {
				error("stopped by signal %d while the database "
				      "was out of reach: the run is not recorded",
				      cycle_signal_stop());
				r->end = WATCH_DB;
				return -1;
			}
			continue;
		case WATCH_LOST_CONNECT:
			break;
		}
		st.attempts++;
		st.next_try = now_ms() + watch_backoff_ms(st.attempts);
		if (db_reconnect(w->db, w->lease.connect_timeout_s) ||
		    session_setup(w))
			continue;
		rc = lock_retake(w->db, w->flag, LOCK_RESIDENT_COMMAND,
				 w->lease_s, &holder);
		if (rc == LOCK_TAKEN) {
			struct strbuf d = STRBUF_INIT;

			error("the processing flag was %s while the "
			      "connection was lost: stopping",
			      holder.command ? "taken over" : "cleared");
			if (holder.command) {
				lock_holder_describe(&holder, &d);
				log_detail("It is held by %s.", d.buf);
			}
			strbuf_release(&d);
			lock_holder_release(&holder);
			r->end = WATCH_TAKEN;
			return -1;
		}
		lock_holder_release(&holder);
		if (rc < 0 && !db_connected(w->db))
			continue;
		if (rc < 0 || load_mission(w) || watch_db(w)) {
			r->end = WATCH_DB;
			return -1;
		}
		log_warning("connected to the database again after %d tries: "
			    "run %lld goes on as run %lld",
			    st.attempts, (long long)old,
			    (long long)w->flag->logging_id);
		log_set_run(w->flag->logging_id);
		w->lost = false;
		w->pending = true;
		return 0;
	}
}

int
watch_run(struct db *db, struct lock_flag *flag, const struct watch_options *o,
	  struct watch_result *r)
{
	struct watch w = {.db = db, .flag = flag, .o = o, .ep = -1,
			  .sigfd = -1, .ino = -1, .wd = -1, .lease_tfd = -1,
			  .rescan_tfd = -1, .dbfd = -1};
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = setup(&w))) {
		r->end = rc == DB_ERR_CONN ? WATCH_DB : WATCH_INTERNAL;
		teardown(&w);
		return 0;
	}
	log_info("resident: watching \"%s\" and channel of mission \"%s\"; "
		 "lease %d s, renewed every %lld ms",
		 w.cat.mission->incoming_dir, w.cat.mission->name, w.lease_s,
		 (long long)w.lease.renew_ms);
	w.pending = true;
	for (;;) {
		if (cycle_signal_stop()) {
			r->end = WATCH_STOPPED;
			r->signal = cycle_signal_stop();
			break;
		}
		if (w.taken) {
			r->end = WATCH_TAKEN;
			break;
		}
		if (w.lost) {
			if (reconnect(&w, r))
				break;
			continue;
		}
		if (w.pending) {
			w.pending = false;
			if (cycle(&w, r))
				break;
			continue;
		}
		if (take_events(&w, -1, true) < 0 && !w.lost && !w.taken) {
			r->end = WATCH_INTERNAL;
			break;
		}
	}
	r->cycles = w.cycles;
	if (r->end == WATCH_STOPPED)
		log_info("resident: stopped by signal %d after %ld cycles",
			 r->signal, w.cycles);
	teardown(&w);
	return 0;
}

/* -- standby ------------------------------------------------------------ */

/* connect again for a standby: 0, 1 stopped, or < 0 */
static int
standby_reconnect(struct db *db, int sigfd, const struct watch_lease *l)
{
	struct watch_lost st = {0, now_ms()};

	log_warning("lost the connection to the database while standing by: "
		    "connecting again (at most %d tries)",
		    WATCH_RECONNECT_TRIES);
	for (;;) {
		int64_t wait;

		switch (watch_lost_next(&st, now_ms(), &wait)) {
		case WATCH_LOST_GIVE_UP:
			error("could not connect to the database again after "
			      "%d tries",
			      st.attempts);
			return DB_ERR_CONN;
		case WATCH_LOST_WAIT:
			if (wait_stop(sigfd, wait))
				return 1;
			continue;
		case WATCH_LOST_CONNECT:
			break;
		}
		st.attempts++;
		st.next_try = now_ms() + watch_backoff_ms(st.attempts);
		if (!db_reconnect(db, l->connect_timeout_s))
			return 0;
	}
}

/* wait for a notification, a stop or ms: 1 stopped, 0, or < 0 */
static int
standby_wait(struct db *db, int sigfd, int64_t ms)
{
	struct pollfd p[2] = {{.fd = sigfd, .events = POLLIN},
			      {.fd = db_socket(db), .events = POLLIN}};
	int n = poll(p, 2, (int)(ms > 600000 ? 600000 : ms));

	if (n < 0 && errno != EINTR)
		return error("could not wait: %s", strerror(errno));
	if (n > 0 && p[0].revents)
		cycle_signals_drain();
	if (cycle_signal_stop())
		return 1;
	if (n > 0 && p[1].revents) {
		int k = db_notifications(db, NULL);

		if (k < 0)
			return k;
	}
	return 0;
}

int
watch_standby(struct db *db, int mission_id, int lease_s,
	      const char *command, struct lock_flag *f)
{
	struct watch_lease l;
	struct strbuf ch = STRBUF_INIT;
	int64_t t0 = now_ms(), said = -1; /* the holder we named */
	bool listening = false;
	int sigfd = cycle_signals(true), rc = 0;

	if (sigfd < 0)
		return -1;
	watch_lease_plan(lease_s, &l);
	lock_channel(mission_id, &ch);
	for (;;) {
		struct lock_holder holder = LOCK_HOLDER_INIT;
		struct db_liveness dl = {l.idle_s, l.interval_s, l.count,
					 l.user_timeout_ms};
		struct strbuf d = STRBUF_INIT;

		if (cycle_signal_stop()) {
			rc = 1;
			break;
		}
		if (!db_connected(db)) {
			listening = false;
			if ((rc = standby_reconnect(db, sigfd, &l)))
				break;
		}
		if (!listening) {
			if ((rc = db_set_liveness(db, &dl)) ||
			    (rc = db_listen(db, ch.buf))) {
				if (!db_connected(db))
					continue;
				break;
			}
			listening = true;
		}
		/* what was announced so far is answered by this attempt */
		if ((rc = db_notifications(db, NULL)) < 0)
			continue;
		rc = lock_acquire(db, mission_id, command, lease_s, f, &holder);
		if (rc == LOCK_ACQUIRED) {
			if (said >= 0)
				log_warning("took over the processing flag "
					    "after %.1f s on standby",
					    (double)(now_ms() - t0) / 1000);
			lock_holder_release(&holder);
			rc = 0;
			break;
		}
		if (rc < 0) {
			lock_holder_release(&holder);
			if (!db_connected(db))
				continue;
			break;
		}
		if (holder.logging_id != said) {
			lock_holder_describe(&holder, &d);
			log_info("standing by: the processing flag is held by "
				 "%s",
				 d.buf);
			said = holder.logging_id;
		}
		strbuf_release(&d);
		/* announced while we asked: ask again at once */
		rc = db_notifications(db, NULL);
		if (rc == 0)
			rc = standby_wait(db, sigfd,
					  watch_standby_ms(holder.lease_known,
							   holder.lease_left_ms,
							   lease_s));
		else if (rc > 0)
			rc = 0;
		lock_holder_release(&holder);
		if (rc == 1 || (rc < 0 && db_connected(db)))
			break;
	}
	strbuf_release(&ch);
	return rc;
}
