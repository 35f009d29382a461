/*
 * store-queue.c - deliberate queueing (reprocess, new codes) and process
 * lookup (see store-queue.h).
 */
#include "store-queue.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "xalloc.h"
#include "banned.h"

int
store_process_id(struct db *db, const char *name, int *id)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t v = 0;
	int rc;

	db_params_text(&p, name);
	rc = db_query_int64(db,
			    "SELECT coalesce(max(process_id), 0) FROM "
			    "public.process WHERE process_name = $1 OR "
			    "process_id::text = $1",
			    &p, 0, &v);
	db_params_release(&p);
	*id = (int)v;
	return rc;
}

/*
 * The products a selector names ($1 all, $2 product, $3 instrument, $4
 * process: its inputs).
 */
#define PRODUCTS_SQL                                                         \
	"SELECT p.product_id FROM public.product p "                         \
	"JOIN public.instrument i USING (instrument_id) "                    \
	"WHERE $1::bool "                                                    \
	"OR ($2::text IS NOT NULL AND ($2 = p.product_name OR "              \
	"  $2 = p.product_id::text)) "                                       \
	"OR ($3::text IS NOT NULL AND ($3 = i.instrument_name OR "           \
	"  $3 = i.instrument_id::text)) "                                    \
	"OR ($4::text IS NOT NULL AND p.product_id IN (SELECT "              \
	"  l.input_product_id FROM public.productprocesslink l JOIN "        \
	"  public.process pr USING (process_id) WHERE pr.process_name = $4 " \
	"  OR pr.process_id::text = $4))"

/* the selector's four parameters, $1..$4 of PRODUCTS_SQL */
static void
selector_params(struct db_params *p, const struct store_requeue *rq,
		const char *process)
{
	db_params_bool(p, rq->all);
	db_params_text(p, rq->product);
	db_params_text(p, rq->instrument);
	db_params_text(p, process);
}

/* the selector names no product: 1 (reported unless a new code's) */
static int
names_nothing(const struct store_requeue *rq)
{
	if (rq->reason && !strcmp(rq->reason, "new code"))
		return 1; /* not an error there: nothing to queue */
	error("%s \"%s\" names no product%s",
	      rq->product ? "product" : rq->instrument ? "instrument"
			  : rq->code	    ? "process"
					    : "selection",
	      rq->product ? rq->product : rq->instrument ? rq->instrument
			  : rq->code ? rq->code
				     : "all",
	      rq->code ? " (no such process, or it has no inputs)" : "");
	return 1;
}

/* how many of a process's codes have a version, and all its versions */
struct code_versions {
	int64_t matching;
	char *all;
};
static const struct db_col code_versions_cols[] = {
	DB_COL(DB_INT64, struct code_versions, matching),
	DB_COL(DB_TEXT, struct code_versions, all),
};
static const struct db_table code_versions_table =
	DB_TABLE("code versions", code_versions_cols, struct code_versions);

/* a version the process does not have would queue nothing: 1 (reported) */
static int
check_code_version(struct db *db, const char *process, const char *version)
{
	struct db_params p = DB_PARAMS_INIT;
	struct code_versions cv;
	int rc;

	db_params_text(&p, process);
	db_params_text(&p, version);
	rc = db_query_row(db,
			  "SELECT count(*) FILTER (WHERE c.interface_version "
			  "|| '.' || c.quality_version || '.' || "
			  "c.revision_version = $2), coalesce(string_agg("
			  "c.interface_version || '.' || c.quality_version "
			  "|| '.' || c.revision_version, ', ' ORDER BY "
			  "c.interface_version, c.quality_version, "
			  "c.revision_version), 'none') FROM public.code c "
			  "JOIN public.process pr USING (process_id) WHERE "
			  "pr.process_name = $1 OR pr.process_id::text = $1",
			  &p, 0, &code_versions_table, &cv, NULL);
	db_params_release(&p);
	if (rc)
		return rc;
	if (!cv.matching) {
		error("process \"%s\" has no code version \"%s\"", process,
		      version);
		log_detail("Its code versions: %s.", cv.all);
		rc = 1;
	}
	db_row_release(&code_versions_table, &cv);
	return rc;
}

/* store_requeue's counts */
struct requeue_count {
	int64_t queued, already;
};
static const struct db_col requeue_count_cols[] = {
	DB_COL(DB_INT64, struct requeue_count, queued),
	DB_COL(DB_INT64, struct requeue_count, already),
};
static const struct db_table requeue_count_table =
	DB_TABLE("requeue counts", requeue_count_cols, struct requeue_count);

int
store_requeue(struct db *db, const struct store_requeue *rq, int64_t run_id,
	      long *queued, long *already)
{
	struct requeue_count cnt = {0, 0};
	bool found = false;
	struct db_params p = DB_PARAMS_INIT;
	char *process = NULL, *version = NULL;
	bool any = false;
	int rc;

	*queued = 0;
	*already = 0;
	if (rq->code) {
		const char *colon = strchr(rq->code, ':');

		process = colon ? xstrndup(rq->code, (size_t)(colon - rq->code))
				: xstrdup(rq->code);
		version = colon ? xstrdup(colon + 1) : NULL;
	}
	selector_params(&p, rq, process);
	rc = db_query_bool(db, "SELECT EXISTS (" PRODUCTS_SQL ")", &p, 0, &any);
	db_params_release(&p);
	if (!rc && !any)
		rc = names_nothing(rq);
	if (!rc && version)
		rc = check_code_version(db, process, version);
	if (rc)
		goto out;
	selector_params(&p, rq, process);
	db_params_text(&p, version);
	db_params_text(&p, rq->from);
	db_params_text(&p, rq->to);
	if (rq->version_bump >= 0)
		db_params_int64(&p, rq->version_bump);
	else
		db_params_null(&p);
	if (run_id)
		db_params_int64(&p, run_id);
	else
		db_params_null(&p);
	db_params_text(&p, rq->reason);
	rc = db_query_row(
		db,
		"WITH sel AS (" PRODUCTS_SQL "), "
		"code AS (SELECT c.code_start_date AS s, c.code_stop_date AS e "
		"  FROM public.code c JOIN public.process pr USING "
		"  (process_id) WHERE $5::text IS NOT NULL AND "
		"  (pr.process_name = $4 OR pr.process_id::text = $4) AND "
		"  c.interface_version || '.' || c.quality_version || '.' || "
		"  c.revision_version = $5), "
		"nf AS (SELECT DISTINCT ON (f.product_id, "
		"  public.cascade_file_day(fp.timebase, f.utc_file_date), "
		"  f.period_number) "
		"  f.file_id FROM public.file f JOIN public.product fp ON "
		"  fp.product_id = f.product_id WHERE f.product_id IN (SELECT "
		"  product_id FROM sel) AND f.exists_on_disk "
		"  AND ($6::date IS NULL OR f.utc_file_date >= $6::date) "
		"  AND ($7::date IS NULL OR f.utc_file_date <= $7::date) "
		"  AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM code WHERE "
		"    f.utc_file_date BETWEEN code.s AND code.e)) "
		"  ORDER BY f.product_id, "
		"  public.cascade_file_day(fp.timebase, f.utc_file_date), "
		"  f.period_number, "
		"  f.interface_version "
		"  DESC, f.quality_version DESC, f.revision_version DESC), "
		"q AS (INSERT INTO public.processqueue (file_id, version_bump, "
		"logging_id, reason) SELECT file_id, $8::int2, $9::bigint, "
		"coalesce($10, 'reprocess') FROM nf ON CONFLICT (file_id) DO "
		"UPDATE SET version_bump = coalesce(EXCLUDED.version_bump, "
		"public.processqueue.version_bump) RETURNING file_id) "
		/*
		 * the outer query sees the queue as it was before q (one
		 * snapshot): a returned file already in it was updated,
		 * not queued
		 */
		"SELECT count(*) FILTER (WHERE pq.file_id IS NULL), "
		"count(*) FILTER (WHERE pq.file_id IS NOT NULL) "
		"FROM q LEFT JOIN public.processqueue pq USING (file_id)",
		&p, 0, &requeue_count_table, &cnt, &found);
	db_params_release(&p);
	if (!rc) {
		*queued = (long)cnt.queued;
		*already = (long)cnt.already;
	}
out:
	free(process);
	free(version);
	return rc;
}
