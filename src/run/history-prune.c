/*
 * history-prune.c - old history removed (see history-prune.h).
 */
#include "history-prune.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "strbuf.h"
#include "strvec.h"
#include "banned.h"

/*
 * A build's log, "DIR/build-ID.N.log", and its earlier attempts' logs
 * (N-1 down to 0) beside it: removed where they are.
 */
static long
remove_logs(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	const char *dot = strrchr(path, '.'), *num;
	long removed = 0, attempt = -1;
	char *end;

	if (!*path)
		return 0;
	if (unlink(path) == 0)
		removed++;
	else if (errno != ENOENT)
		log_warning("could not remove the build log \"%s\": %s", path,
			    strerror(errno));
	/* the attempt number sits between the last two dots */
	if (dot && !strcmp(dot, ".log")) {
		for (num = dot; num > path && num[-1] != '.'; num--)
			;
		if (num > path && num < dot) {
			attempt = strtol(num, &end, 10);
			if (end != dot)
				attempt = -1;
		}
	}
	for (long k = attempt - 1; k >= 0; k--) {
		strbuf_reset(&sb);
		strbuf_add(&sb, path, (size_t)(num - path));
		strbuf_addf(&sb, "%ld.log", k);
		if (unlink(sb.buf) == 0)
			removed++;
	}
	strbuf_release(&sb);
	return removed;
}

int
history_prune(struct db *db, int days, int64_t run_id, bool dry_run,
	      struct history_counts *c, long *logs_removed)
{
	struct strvec logs = STRVEC_INIT;
	int rc;

	*logs_removed = 0;
	if ((rc = db_begin(db)))
		return rc;
	rc = store_history_prune(db, days, run_id, c, &logs);
	if (!rc && !dry_run)
		rc = db_commit(db);
	db_rollback(db);
	if (!rc && !dry_run)
		for (size_t i = 0; i < logs.nr; i++)
			*logs_removed += remove_logs(logs.v[i]);
	strvec_clear(&logs);
	return rc;
}
