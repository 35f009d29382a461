/*
 * store-reuse.c - content keys and reused builds (store-reuse.h).
 */
#include "store-reuse.h"

#include "db.h"
#include "log.h"
#include "banned.h"

static const struct db_col match_cols[] = {
	DB_COL(DB_INT64, struct su_match, build_id),
	DB_COL(DB_INT64, struct su_match, from_build),
	DB_COL(DB_INT64, struct su_match, file_id),
	DB_COL(DB_INT, struct su_match, product_id),
	DB_COL(DB_TEXT, struct su_match, filename),
	DB_COL(DB_DATE, struct su_match, date),
	DB_COL(DB_INT64, struct su_match, start_usec),
	DB_COL(DB_VERSION, struct su_match, version),
	DB_COLF(DB_TEXT, struct su_match, keywords, DB_EMPTY),
	DB_COL(DB_TEXT, struct su_match, sha1),
	DB_COL(DB_TEXT, struct su_match, sha256),
};
static const struct db_table match_table =
	DB_TABLE("reusable builds", match_cols, struct su_match);

void
store_su_matches_free(struct su_match *m, size_t n)
{
	db_rows_free(&match_table, m, n);
}

int
store_reuse_keys(struct db *db, const int64_t *ids, const char *const *keys,
		 size_t n, struct su_match **out, size_t *nout)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	*out = NULL;
	*nout = 0;
	if (!n)
		return 0;
	db_params_int64_array(&p, ids, n);
	db_params_text_array(&p, keys, n);
	/*
	 * The main query reads the snapshot before the update: the builds
	 * of this batch are not each other's matches (two of one key both
	 * run), only builds that succeeded before.
	 */
	rc = db_query_rows(
		db,
		"WITH x AS (SELECT * FROM unnest($1::bigint[], $2::text[]) "
		"AS x(build_id, k)), "
		"u AS (UPDATE public.build b SET content_key = x.k FROM x "
		"WHERE b.build_id = x.build_id AND b.status = 'queued' "
		"RETURNING b.build_id, b.process_id, b.content_key) "
		"SELECT DISTINCT ON (u.build_id) u.build_id, e.build_id, "
		"f.file_id, f.product_id, f.filename, f.utc_file_date, "
		"floor(extract(epoch FROM f.utc_start_time) * 1000000)::bigint, "
		"f.interface_version || '.' || f.quality_version || '.' || "
		"f.revision_version, f.process_keywords, f.shasum, f.sha256 "
		"FROM u JOIN public.process pr ON pr.process_id = u.process_id "
		"JOIN public.build e ON e.process_id = u.process_id AND "
		"e.content_key = u.content_key AND e.status = 'succeeded' AND "
		"e.build_id <> u.build_id "
		"JOIN public.file f ON f.file_id = e.output_file_id AND "
		"f.product_id = pr.output_product AND f.exists_on_disk "
		"ORDER BY u.build_id, e.build_id DESC",
		&p, DB_CACHED, &match_table, out, nout);
	db_params_release(&p);
	return rc;
}

int
store_build_reused(struct db *db, const struct su_reuse *u)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t moved = 0;
	int rc;

	db_params_int64(&p, u->build_id);
	db_params_int64(&p, u->run_id);
	db_params_text(&p, u->host);
	db_params_text_array(&p, (const char *const *)u->argv->v,
			     u->argv->nr);
	db_params_text(&p, u->work_dir);
	db_params_int64(&p, u->from_build);
	rc = db_query_int64(
		db,
		"WITH b AS (UPDATE public.build SET status = 'recording', "
		"attempt = attempt + 1, started_at = now(), ended_at = now(), "
		"recorded_at = now(), pid = NULL, supervisor_pid = NULL, "
		"supervisor_start = NULL, hostname = $3, argv = $4::text[], "
		"log_path = NULL, work_dir = $5, logging_id = "
		"nullif($2::bigint, 0), exit_code = NULL, term_signal = NULL, "
		"reason = NULL, slurm_job_id = NULL, node = NULL, "
		"cpu_user_s = NULL, cpu_sys_s = NULL, max_rss_kb = NULL, "
		"reused_from_build_id = $6::bigint WHERE build_id = $1::bigint "
		"AND status = 'queued' RETURNING batch_id), "
		"u AS (UPDATE public.batch SET state = 'running', started_at = "
		"coalesce(started_at, now()), hostname = $3, "
		"attempts = attempts + 1, done_at_attempt = done_count, "
		"attempt_started_at = now(), attempt_logging_id = "
		"nullif($2::bigint, 0) WHERE batch_id = (SELECT batch_id FROM "
		"b) AND (attempt_logging_id IS DISTINCT FROM "
		"nullif($2::bigint, 0) OR state <> 'running')) "
		"SELECT count(*) FROM b",
		&p, DB_CACHED, &moved);
	db_params_release(&p);
	if (rc)
		return rc;
	if (moved != 1)
		return error("build %lld is no longer queued",
			     (long long)u->build_id);
	return 0;
}
