/*
 * test-watch-rules.c - the resident controller's decisions, as tables:
 * the lease's figures (and that fencing comes before any take-over),
 * what a controller that lost its database does next, the backoff, how
 * long a standby waits, which inotify events are worth a cycle, and when
 * incoming is looked at again for files still being written.
 */
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>

#include "compat.h"
#include "unit.h"
#include "watch-rules.h"

static void
test_lease_plan(void)
{
	static const struct {
		int lease_s;
		int64_t renew, detect, fence;
		int idle, interval, user_ms, connect_s;
	} cases[] = {
		{4, 1000, 2000, 3500, 1, 1, 2000, 2},
		{60, 15000, 30000, 52500, 15, 5, 30000, 10},
		{3600, 900000, 1800000, 3150000, 900, 300, 1800000, 10},
		/* short leases keep workable floors */
		{1, 250, 1000, 875, 1, 1, 1000, 2},
		{0, 250, 1000, 875, 1, 1, 1000, 2},
		{12, 3000, 6000, 10500, 3, 1, 6000, 3},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct watch_lease w;

		watch_lease_plan(cases[i].lease_s, &w);
		CU_ASSERT_EQUAL(w.renew_ms, cases[i].renew);
		CU_ASSERT_EQUAL(w.detect_ms, cases[i].detect);
		CU_ASSERT_EQUAL(w.fence_ms, cases[i].fence);
		CU_ASSERT_EQUAL(w.idle_s, cases[i].idle);
		CU_ASSERT_EQUAL(w.interval_s, cases[i].interval);
		CU_ASSERT_EQUAL(w.count, 3);
		CU_ASSERT_EQUAL(w.user_timeout_ms, cases[i].user_ms);
		CU_ASSERT_EQUAL(w.connect_timeout_s, cases[i].connect_s);
		if (w.renew_ms != cases[i].renew || w.fence_ms != cases[i].fence)
			fprintf(stderr, "\n  lease %d: renew %lld fence %lld\n",
				cases[i].lease_s, (long long)w.renew_ms,
				(long long)w.fence_ms);
	}
}

/*
 * The promise behind fail-over: a holder whose connection is cut at the
 * worst moment (just after a renewal began) notices within a renewal
 * period and the detection time, and that is before its fence; its
 * fence comes before the lease runs out anywhere.
 */
static void
test_fence_before_takeover(void)
{
	for (int lease = 2; lease <= 7200; lease += lease < 100 ? 1 : 97) {
		struct watch_lease w;
		int64_t l = (int64_t)lease * 1000;

		watch_lease_plan(lease, &w);
		CU_ASSERT(w.renew_ms + w.detect_ms < w.fence_ms);
		CU_ASSERT(w.fence_ms < l);
		/* the server ends a cut session before the lease ends too */
		CU_ASSERT(w.detect_ms < l);
		if (!(w.renew_ms + w.detect_ms < w.fence_ms && w.fence_ms < l))
			fprintf(stderr, "\n  lease %d: renew %lld detect %lld "
					"fence %lld\n",
				lease, (long long)w.renew_ms,
				(long long)w.detect_ms, (long long)w.fence_ms);
	}
}

static void
test_lost_next(void)
{
	static const struct {
		const char *what;
		struct watch_lost s;
		int64_t now;
		enum watch_lost_step want;
		int64_t wait;
	} cases[] = {
		{"first try at once", {0, 0}, 100, WATCH_LOST_CONNECT, 0},
		{"backing off", {1, 350}, 100, WATCH_LOST_WAIT, 250},
		{"try when due", {4, 2000}, 2000, WATCH_LOST_CONNECT, 0},
		{"late is due too", {4, 2000}, 9000, WATCH_LOST_CONNECT, 0},
		{"give up after the tries", {10, 99999}, 9000,
		 WATCH_LOST_GIVE_UP, 0},
		{"give up without waiting", {10, 99999}, 100,
		 WATCH_LOST_GIVE_UP, 0},
		{"the last try", {9, 5000}, 4000, WATCH_LOST_WAIT, 1000},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t wait = -1;
		enum watch_lost_step st =
			watch_lost_next(&cases[i].s, cases[i].now, &wait);

		if (st != cases[i].want || wait != cases[i].wait)
			fprintf(stderr, "\n  lost: %s: step %d wait %lld, want "
					"%d %lld\n",
				cases[i].what, (int)st, (long long)wait,
				(int)cases[i].want, (long long)cases[i].wait);
		CU_ASSERT_EQUAL(st, cases[i].want);
		CU_ASSERT_EQUAL(wait, cases[i].wait);
	}
}

static void
test_backoff(void)
{
	static const int64_t want[] = {250, 250, 500, 1000, 2000, 4000,
				       8000, 8000, 8000, 8000, 8000};
	int64_t total = 0;

	for (int a = 0; a < (int)ARRAY_SIZE(want); a++)
		CU_ASSERT_EQUAL(watch_backoff_ms(a), want[a]);
	CU_ASSERT_EQUAL(watch_backoff_ms(1000), 8000);
	/* bounded: the tries end within a minute of waiting */
	for (int a = 1; a <= WATCH_RECONNECT_TRIES; a++)
		total += watch_backoff_ms(a);
	CU_ASSERT(total < 60000);
}

static void
test_standby(void)
{
	static const struct {
		bool known;
		int64_t left;
		int lease;
		int64_t want;
	} cases[] = {
		{true, 3000, 4, 3050},	 /* until the lease ends */
		{true, 1, 4, 51},
		{true, 0, 4, 1000},	 /* ended: a session still holds it */
		{true, -5000, 60, 15000}, /* L/4 at a time */
		{false, 0, 3600, 900000},
		{false, 0, 1, 1000},	 /* at least a second */
		{true, 3600000, 60, 3600050},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CU_ASSERT_EQUAL(watch_standby_ms(cases[i].known, cases[i].left,
						 cases[i].lease),
				cases[i].want);
}

static void
test_fs_event(void)
{
	static const struct {
		uint32_t mask;
		const char *name, *glob;
		enum watch_fs_event want;
	} cases[] = {
		{IN_CLOSE_WRITE, "a_20240101_v1.0.0.dat", NULL, WATCH_FS_SCAN},
		{IN_MOVED_TO, "a_20240101_v1.0.0.dat", NULL, WATCH_FS_SCAN},
		{IN_CREATE, "a_20240101_v1.0.0.dat", "*", WATCH_FS_SCAN},
		/* deliveries in progress: their rename is the event */
		{IN_CLOSE_WRITE, ".a.dat.part", NULL, WATCH_FS_IGNORE},
		{IN_CLOSE_WRITE, "a.dat.part", NULL, WATCH_FS_IGNORE},
		{IN_CREATE, "a.dat.tmp", NULL, WATCH_FS_IGNORE},
		{IN_MOVED_TO, ".hidden", NULL, WATCH_FS_IGNORE},
		/* the glob */
		{IN_MOVED_TO, "a.txt", "*.dat", WATCH_FS_IGNORE},
		{IN_MOVED_TO, "a.dat", "*.dat", WATCH_FS_SCAN},
		/* what is not an arrival */
		{IN_MOVED_FROM, "a.dat", NULL, WATCH_FS_IGNORE},
		{IN_DELETE, "a.dat", NULL, WATCH_FS_IGNORE},
		{IN_CREATE | IN_ISDIR, "sub", NULL, WATCH_FS_IGNORE},
		{IN_CLOSE_WRITE, "", NULL, WATCH_FS_IGNORE},
		/* lost events: look at everything */
		{IN_Q_OVERFLOW, NULL, NULL, WATCH_FS_SCAN},
		/* the directory itself */
		{IN_IGNORED, NULL, NULL, WATCH_FS_REWATCH},
		{IN_DELETE_SELF, NULL, NULL, WATCH_FS_REWATCH},
		{IN_MOVE_SELF, NULL, NULL, WATCH_FS_REWATCH},
		{IN_UNMOUNT, NULL, NULL, WATCH_FS_REWATCH},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		enum watch_fs_event e = watch_fs_event(
			cases[i].mask, cases[i].name, cases[i].glob);

		if (e != cases[i].want)
			fprintf(stderr, "\n  fs event %#x \"%s\": %d, want %d\n",
				(unsigned)cases[i].mask,
				cases[i].name ? cases[i].name : "(null)",
				(int)e, (int)cases[i].want);
		CU_ASSERT_EQUAL(e, cases[i].want);
	}
}

static void
test_rescan(void)
{
	CU_ASSERT_EQUAL(watch_rescan_ms(0, 5), -1);
	CU_ASSERT_EQUAL(watch_rescan_ms(2, 5), 5100);
	CU_ASSERT_EQUAL(watch_rescan_ms(1, 0), -1);
	CU_ASSERT_EQUAL(watch_rescan_ms(1, 1), 1100);
}

void
suite_watch_rules(void)
{
	CU_pSuite s = unit_add_suite("watch-rules");

	ADD_TEST(s, test_lease_plan);
	ADD_TEST(s, test_fence_before_takeover);
	ADD_TEST(s, test_lost_next);
	ADD_TEST(s, test_backoff);
	ADD_TEST(s, test_standby);
	ADD_TEST(s, test_fs_event);
	ADD_TEST(s, test_rescan);
}
