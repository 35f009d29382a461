/*
 * store-queue.c - deliberate queueing (reprocess, new codes) and process
 * lookup (see store-queue.h).
 */
#include "store-queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "xalloc.h"
#include "banned.h"

int
store_process_id(struct db *db, const char *name, int *id)
{
	const char *params[1] = {name};
	struct db_res *res = NULL;
	int rc = db_query(db,
			  "SELECT coalesce(max(process_id), 0) FROM "
			  "public.process WHERE process_name = $1 OR "
			  "process_id::text = $1",
			  1, params, 0, &res);

	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 1, "process") ||
	    db_res_int(res, 0, 0, id))
		rc = -1;
	db_res_free(res);
	return rc;
}

/* the products a selector names, as a check before queueing */
static const char products_sql[] =
	"SELECT p.product_id FROM public.product p "
	"JOIN public.instrument i USING (instrument_id) "
	"WHERE $1::bool "
	"OR ($2::text IS NOT NULL AND ($2 = p.product_name OR "
	"  $2 = p.product_id::text)) "
	"OR ($3::text IS NOT NULL AND ($3 = i.instrument_name OR "
	"  $3 = i.instrument_id::text)) "
	"OR ($4::text IS NOT NULL AND p.product_id IN (SELECT "
	"  l.input_product_id FROM public.productprocesslink l JOIN "
	"  public.process pr USING (process_id) WHERE pr.process_name = $4 "
	"  OR pr.process_id::text = $4))";

/*
 * A version the process does not have would queue nothing: 0 if it has
 * it, 1 if not (reported), -1 (reported).
 */
static int
check_code_version(struct db *db, const char *process, const char *version)
{
	const char *cp[2] = {process, version};
	struct db_res *res = NULL;
	int rc;

	rc = db_query(db,
		      "SELECT count(*) FILTER (WHERE c.interface_version "
		      "|| '.' || c.quality_version || '.' || "
		      "c.revision_version = $2), coalesce(string_agg("
		      "c.interface_version || '.' || c.quality_version "
		      "|| '.' || c.revision_version, ', ' ORDER BY "
		      "c.interface_version, c.quality_version, "
		      "c.revision_version), 'none') FROM public.code c "
		      "JOIN public.process pr USING (process_id) WHERE "
		      "pr.process_name = $1 OR pr.process_id::text = $1",
		      2, cp, 0, &res);
	if (rc)
		goto out;
	if (db_res_check_shape(res, 1, 2, "code versions")) {
		rc = -1;
		goto out;
	}
	if (!strcmp(db_res_get(res, 0, 0), "0")) {
		error("process \"%s\" has no code version \"%s\"",
		      process, version);
		log_detail("Its code versions: %s.",
			   db_res_get(res, 0, 1));
		rc = 1;
		goto out;
	}
	rc = 0;
out:
	db_res_free(res);
	return rc;
}

/* the requeue itself: $5..$10 after products_sql's $1..$4 */
static const char requeue_sql[] =
	"WITH sel AS (" /* products_sql, inlined */
	"SELECT p.product_id FROM public.product p "
	"JOIN public.instrument i USING (instrument_id) "
	"WHERE $1::bool "
	"OR ($2::text IS NOT NULL AND ($2 = p.product_name OR "
	"  $2 = p.product_id::text)) "
	"OR ($3::text IS NOT NULL AND ($3 = i.instrument_name OR "
	"  $3 = i.instrument_id::text)) "
	"OR ($4::text IS NOT NULL AND p.product_id IN (SELECT "
	"  l.input_product_id FROM public.productprocesslink l JOIN "
	"  public.process pr USING (process_id) WHERE pr.process_name "
	"  = $4 OR pr.process_id::text = $4))), "
	"code AS (SELECT c.code_start_date AS s, c.code_stop_date AS e "
	"  FROM public.code c JOIN public.process pr USING "
	"  (process_id) WHERE $5::text IS NOT NULL AND "
	"  (pr.process_name = $4 OR pr.process_id::text = $4) AND "
	"  c.interface_version || '.' || c.quality_version || '.' || "
	"  c.revision_version = $5), "
	"nf AS (SELECT DISTINCT ON (f.product_id, f.utc_file_date) "
	"  f.file_id FROM public.file f WHERE f.product_id IN (SELECT "
	"  product_id FROM sel) AND f.exists_on_disk "
	"  AND ($6::date IS NULL OR f.utc_file_date >= $6::date) "
	"  AND ($7::date IS NULL OR f.utc_file_date <= $7::date) "
	"  AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM code WHERE "
	"    f.utc_file_date BETWEEN code.s AND code.e)) "
	"  ORDER BY f.product_id, f.utc_file_date, f.interface_version "
	"  DESC, f.quality_version DESC, f.revision_version DESC) "
	"INSERT INTO public.processqueue (file_id, version_bump, "
	"logging_id, reason) SELECT file_id, $8::int2, $9::bigint, "
	"coalesce($10, 'reprocess') FROM nf ON CONFLICT (file_id) DO UPDATE SET "
	"version_bump = coalesce(EXCLUDED.version_bump, "
	"public.processqueue.version_bump) RETURNING file_id";

int
store_requeue(struct db *db, const struct store_requeue *rq, int64_t run_id,
	      long *queued)
{
	char run[32], bump[8];
	char *process = NULL, *version = NULL;
	const char *params[10];
	struct db_res *res = NULL;
	int rc;

	*queued = 0;
	if (rq->code) {
		const char *colon = strchr(rq->code, ':');

		process = colon ? xstrndup(rq->code, (size_t)(colon - rq->code))
				: xstrdup(rq->code);
		version = colon ? xstrdup(colon + 1) : NULL;
	}
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	snprintf(bump, sizeof(bump), "%d", rq->version_bump);
	params[0] = rq->all ? "t" : "f";
	params[1] = rq->product;
	params[2] = rq->instrument;
	params[3] = process;
	rc = db_query(db, products_sql, 4, params, 0, &res);
	if (rc)
		goto out;
	if (db_res_nrows(res) == 0) {
		if (rq->reason && !strcmp(rq->reason, "new code")) {
			rc = 1; /* not an error there: nothing to queue */
			goto out;
		}
		error("%s \"%s\" names no product%s",
		      rq->product ? "product" : rq->instrument ? "instrument"
				  : rq->code	    ? "process"
						    : "selection",
		      rq->product ? rq->product : rq->instrument ? rq->instrument
				  : rq->code ? rq->code
					     : "all",
		      rq->code ? " (no such process, or it has no inputs)"
			       : "");
		rc = 1;
		goto out;
	}
	db_res_free(res);
	res = NULL;
	if (version && (rc = check_code_version(db, process, version)))
		goto out;
	params[4] = version;
	params[5] = rq->from;
	params[6] = rq->to;
	params[7] = rq->version_bump >= 0 ? bump : NULL;
	params[8] = run_id ? run : NULL;
	params[9] = rq->reason;
	rc = db_query(db, requeue_sql, 10, params, 0, &res);
	if (!rc)
		*queued = db_res_nrows(res);
out:
	db_res_free(res);
	free(process);
	free(version);
	return rc;
}
