/*
 * store-history.c - removing old history (see store-history.h).
 */
#include "store-history.h"

#include <string.h>

#include "db.h"
#include "strvec.h"
#include "banned.h"

/*
 * Each statement deletes at most $2 rows (NULL: no bound), the oldest
 * first, so that a bounded prune of a long history leaves the rest for
 * the next one.
 */
static const char builds_sql[] =
	"WITH gone AS (DELETE FROM public.build WHERE build_id IN ("
	"SELECT b.build_id FROM public.build b "
	"WHERE b.status IN ('succeeded', 'cancelled') "
	"AND coalesce(b.ended_at, b.queued_at) < now() - "
	"make_interval(days => $1::int) "
	"AND (b.status = 'cancelled' OR EXISTS (SELECT 1 FROM public.build n "
	"  WHERE n.process_id = b.process_id AND n.output_key = b.output_key "
	"  AND n.status = 'succeeded' AND n.build_id > b.build_id)) "
	"AND NOT EXISTS (SELECT 1 FROM public.failure f WHERE f.build_id = "
	"  b.build_id AND NOT f.resolved) "
	"ORDER BY b.build_id LIMIT $2::bigint) "
	"RETURNING log_path) "
	"SELECT coalesce(log_path, '') FROM gone";

/* a batch whose builds all ended is done, failed or cancelled */
static const char batches_sql[] =
	"WITH gone AS (DELETE FROM public.batch WHERE batch_id IN ("
	"SELECT t.batch_id FROM public.batch t "
	"WHERE t.state IN ('done', 'failed', 'cancelled') "
	"AND coalesce(t.ended_at, t.created_at) < now() - "
	"make_interval(days => $1::int) "
	"AND NOT EXISTS (SELECT 1 FROM public.build b WHERE b.batch_id = "
	"  t.batch_id) "
	"AND NOT EXISTS (SELECT 1 FROM public.failure f WHERE f.batch_id = "
	"  t.batch_id AND NOT f.resolved) "
	"ORDER BY t.batch_id LIMIT $2::bigint) RETURNING 1) "
	"SELECT count(*) FROM gone";

static const char runs_sql[] =
	"WITH gone AS (DELETE FROM public.logging WHERE logging_id IN ("
	"SELECT l.logging_id FROM public.logging l "
	"WHERE l.status <> 'running' "
	"AND NOT l.currently_processing "
	"AND l.processing_end_time < localtimestamp - "
	"make_interval(days => $1::int) "
	"AND l.logging_id <> $3::bigint "
	"AND l.logging_id <> (SELECT max(logging_id) FROM public.logging) "
	"AND NOT EXISTS (SELECT 1 FROM public.build b WHERE b.logging_id = "
	"  l.logging_id) "
	"AND NOT EXISTS (SELECT 1 FROM public.batch t WHERE t.logging_id = "
	"  l.logging_id) "
	"AND NOT EXISTS (SELECT 1 FROM public.file f WHERE f.logging_id = "
	"  l.logging_id) "
	"AND NOT EXISTS (SELECT 1 FROM public.failure f WHERE f.logging_id = "
	"  l.logging_id AND NOT f.resolved) "
	"ORDER BY l.logging_id LIMIT $2::bigint) RETURNING 1) "
	"SELECT count(*) FROM gone";

int
store_history_prune(struct db *db, int days, int64_t current_run,
		    long limit, struct history_counts *c, struct strvec *logs)
{
	struct db_params p = DB_PARAMS_INIT;
	size_t before = logs->nr;
	int64_t n = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	db_params_int64(&p, days);
	if (limit > 0)
		db_params_int64(&p, limit);
	else
		db_params_null(&p);
	/* builds first: they hold their batches and runs */
	rc = db_query_text_column(db, builds_sql, &p, 0, logs);
	c->builds = (long)(logs->nr - before);
	if (!rc)
		rc = db_query_int64(db, batches_sql, &p, 0, &n);
	c->batches = (long)n;
	db_params_int64(&p, current_run);
	if (!rc)
		rc = db_query_int64(db, runs_sql, &p, 0, &n);
	c->runs = (long)n;
	db_params_release(&p);
	/* a table that gave all it was allowed to may have more */
	c->more = limit > 0 &&
		  (c->builds >= limit || c->batches >= limit || c->runs >= limit);
	return rc;
}
