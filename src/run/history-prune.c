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
history_prune(struct db *db, int days, int64_t run_id, long limit,
	      bool dry_run, struct history_counts *c, long *logs_removed)
{
	struct strvec logs = STRVEC_INIT;
	int rc;

	*logs_removed = 0;
	if ((rc = db_begin(db)))
		return rc;
	rc = store_history_prune(db, days, run_id, limit, c, &logs);
	if (!rc && !dry_run)
		rc = db_commit(db);
	db_rollback(db);
	if (!rc && !dry_run)
		for (size_t i = 0; i < logs.nr; i++)
			*logs_removed += remove_logs(logs.v[i]);
	strvec_clear(&logs);
	return rc;
}

int
history_prune_kept(struct db *db, int days, int64_t run_id)
{
	struct history_counts c;
	long logs = 0;
	int rc;

	if (days <= 0)
		return 0;
	rc = history_prune(db, days, run_id, HISTORY_PRUNE_PER_RUN, false, &c,
			   &logs);
	if (rc)
		return rc;
	if (c.runs || c.batches || c.builds)
		log_info("run.keep_history: %ld runs, %ld batches, %ld builds "
			 "older than %d days deleted; %ld build logs removed%s",
			 c.runs, c.batches, c.builds, days, logs,
			 c.more ? "; more is left for the next run" : "");
	return 0;
}
