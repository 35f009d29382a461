/*
 * watch-rules.c - the resident controller's decisions over plain values
 * (see watch-rules.h).
 */
#include "watch-rules.h"

#include <sys/inotify.h>

#include "ingest-rules.h"
#include "banned.h"

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

void
watch_lease_plan(int lease_s, struct watch_lease *w)
{
	int64_t l = (int64_t)(lease_s > 0 ? lease_s : 1) * 1000;

	w->renew_ms = max64(l / 4, 250);
	w->detect_ms = max64(l / 2, 1000);
	w->fence_ms = l - l / 8;
	/* probes from half the detection time on, a few in its second half */
	w->idle_s = (int)max64(w->detect_ms / 2000, 1);
	w->interval_s = (int)max64(w->detect_ms / 6000, 1);
	w->count = 3;
	w->user_timeout_ms = (int)min64(w->detect_ms, 2147483647);
	w->connect_timeout_s = (int)min64(max64(l / 4000, 2), 10);
}

int64_t
watch_backoff_ms(int attempt)
{
	int64_t ms = 250;

	for (int i = 1; i < attempt && ms < 8000; i++)
		ms *= 2;
	return min64(ms, 8000);
}

enum watch_lost_step
watch_lost_next(const struct watch_lost *s, int64_t now, int64_t *wait_ms)
{
	*wait_ms = 0;
	if (s->attempts >= WATCH_RECONNECT_TRIES)
		return WATCH_LOST_GIVE_UP;
	if (now >= s->next_try)
		return WATCH_LOST_CONNECT;
	*wait_ms = s->next_try - now;
	return WATCH_LOST_WAIT;
}

int64_t
watch_standby_ms(bool lease_known, int64_t lease_left_ms, int lease_s)
{
	int64_t recheck = max64((int64_t)(lease_s > 0 ? lease_s : 1) * 250,
				1000);

	if (lease_known && lease_left_ms > 0)
		return lease_left_ms + 50;
	return recheck;
}

enum watch_fs_event
watch_fs_event(uint32_t mask, const char *name, const char *glob)
{
	if (mask & IN_Q_OVERFLOW)
		return WATCH_FS_SCAN;
	if (mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT))
		return WATCH_FS_REWATCH;
	if ((mask & IN_ISDIR) || !name || !*name)
		return WATCH_FS_IGNORE;
	if (!(mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)))
		return WATCH_FS_IGNORE;
	return ingest_name_class(name, glob ? glob : "*") == INGEST_NAME_FILE
		       ? WATCH_FS_SCAN
		       : WATCH_FS_IGNORE;
}

int64_t
watch_rescan_ms(long writing, int settle_s)
{
	if (writing <= 0 || settle_s <= 0)
		return -1;
	return (int64_t)settle_s * 1000 + 100;
}
