/*
 * store-run.c - SQL of the build state machine (see store-run.h).
 */
#include "store-run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "strbuf.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

static int
parse_build_state(const char *s, void *out)
{
	return build_state_parse(s, out);
}

/* builds with their code and process: a constant's prefix, see below */
#define BUILD_SELECT                                                         \
	"SELECT b.build_id, coalesce(b.batch_id, 0), b.status, "             \
	"b.attempt, b.quick_failures, b.process_id, pr.process_name, "       \
	"pr.output_timebase, pr.extra_params, "                              \
	"coalesce(pr.output_product, 0), b.output_key, b.utc_file_date, "    \
	"b.output_filename, b.output_version, "                              \
	"c.code_id, c.filename, c.relative_path, c.interface_version || "    \
	"'.' || c.quality_version || '.' || c.revision_version, "            \
	"c.arguments, c.timeout_s, coalesce(c.cpu, 1), c.sha256, "           \
	"b.work_dir, b.input_file_ids, coalesce(b.pid, 0), "                 \
	"coalesce(b.supervisor_pid, 0), coalesce(b.supervisor_start, "       \
	"-1), b.hostname, l.boot_id, b.log_path, b.slurm_job_id, "           \
	"b.period_number, coalesce((extract(epoch FROM lower(kr.r)) * "      \
	"1000000)::int8, 0), coalesce((extract(epoch FROM upper(kr.r)) * "   \
	"1000000)::int8, 0) "                                                \
	"FROM public.build b JOIN public.process pr USING (process_id) "     \
	"CROSS JOIN LATERAL (SELECT coalesce(b.period_range, "              \
	"public.cascade_period_range(pr.output_timebase, "                   \
	"b.period_number)) AS r) kr "                                        \
	"JOIN public.code c ON c.code_id = b.code_id "                       \
	"LEFT JOIN public.product op ON op.product_id = "                    \
	"pr.output_product "                                                 \
	"LEFT JOIN public.logging l ON l.logging_id = b.logging_id WHERE "

/* BUILD_SELECT's columns in order */
static const struct db_col build_cols[] = {
	DB_COL(DB_INT64, struct sr_build, id),
	DB_COL(DB_INT64, struct sr_build, batch_id),
	DB_COL_PARSE(struct sr_build, status, parse_build_state),
	DB_COL(DB_INT, struct sr_build, attempt),
	DB_COL(DB_INT, struct sr_build, quick_failures),
	DB_COL(DB_INT, struct sr_build, process_id),
	DB_COL(DB_TEXT, struct sr_build, process_name),
	DB_COL_PARSE(struct sr_build, timebase, timebase_parse_to),
	DB_COL(DB_TEXT, struct sr_build, extra_params),
	DB_COL(DB_INT, struct sr_build, output_product),
	DB_COL(DB_TEXT, struct sr_build, output_key),
	DB_COL(DB_DATE, struct sr_build, date),
	DB_COL(DB_TEXT, struct sr_build, output_filename),
	DB_COL(DB_VERSION, struct sr_build, out_version),
	DB_COL(DB_INT, struct sr_build, code_id),
	DB_COL(DB_TEXT, struct sr_build, code_filename),
	DB_COL(DB_TEXT, struct sr_build, code_relpath),
	DB_COL(DB_VERSION, struct sr_build, code_version),
	DB_COL(DB_TEXT, struct sr_build, code_args),
	DB_COL(DB_INT, struct sr_build, timeout_s),
	DB_COL(DB_INT, struct sr_build, cpu),
	DB_COL(DB_TEXT, struct sr_build, code_sha256),
	DB_COL(DB_TEXT, struct sr_build, work_dir),
	DB_COL_ARRAY(struct sr_build, inputs, n_inputs, 0),
	DB_COL(DB_INT, struct sr_build, pid),
	DB_COL(DB_INT, struct sr_build, supervisor_pid),
	DB_COL(DB_INT64, struct sr_build, supervisor_start),
	DB_COLF(DB_TEXT, struct sr_build, hostname, DB_EMPTY),
	DB_COLF(DB_TEXT, struct sr_build, boot_id, DB_EMPTY),
	DB_COL(DB_TEXT, struct sr_build, log_path),
	DB_COLF(DB_TEXT, struct sr_build, slurm_job_id, DB_EMPTY),
	DB_COL(DB_INT64, struct sr_build, period_number),
	DB_COL(DB_INT64, struct sr_build, period_start),
	DB_COL(DB_INT64, struct sr_build, period_stop),
};
static const struct db_table build_table =
	DB_TABLE("builds", build_cols, struct sr_build);

void
store_sr_builds_free(struct sr_build *b, size_t n)
{
	db_rows_free(&build_table, b, n);
}

/* the builds sql (BUILD_SELECT and a condition) selects */
static int
builds_query(struct db *db, const char *sql, struct db_params *p,
	     struct sr_build **out, size_t *n)
{
	return db_query_rows(db, sql, p, DB_CACHED, &build_table, out, n);
}

int
store_builds_ready(struct db *db, int limit, struct sr_build **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, limit);
	rc = builds_query(db,
			  BUILD_SELECT "b.status = 'queued' ORDER BY "
			  "coalesce(op.level, 1e9), b.build_id LIMIT $1::int",
			  &p, out, n);
	db_params_release(&p);
	return rc;
}

int
store_builds_open(struct db *db, const int64_t *ids, size_t nids,
		  struct sr_build **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64_array(&p, ids, nids);
	rc = builds_query(db,
			  BUILD_SELECT "b.status IN ('running', 'recording') "
			  "OR (b.status = 'queued' AND b.build_id = "
			  "ANY($1::bigint[])) ORDER BY b.build_id",
			  &p, out, n);
	db_params_release(&p);
	return rc;
}

/* a supervisor's columns, in the order of store_supervisors_left's query */
static const struct db_col supervisor_cols[] = {
	DB_COL(DB_INT64, struct sr_supervisor, logging_id),
	DB_COL(DB_INT, struct sr_supervisor, pid),
	DB_COL(DB_INT64, struct sr_supervisor, start),
	DB_COLF(DB_TEXT, struct sr_supervisor, boot_id, DB_EMPTY),
};
static const struct db_table supervisor_table =
	DB_TABLE("supervisors left", supervisor_cols, struct sr_supervisor);

void
store_sr_supervisors_free(struct sr_supervisor *s, size_t n)
{
	db_rows_free(&supervisor_table, s, n);
}

int
store_supervisors_left(struct db *db, int64_t run_id, const char *host,
		       struct sr_supervisor **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, run_id);
	db_params_text(&p, host);
	/*
	 * the runs' rows name their supervisors; a supervisor that
	 * replaced a dead one may be named only by its builds
	 */
	rc = db_query_rows(
		db,
		"SELECT max(logging_id), pid, start, max(boot_id) FROM ("
		"SELECT l.logging_id, l.supervisor_pid AS pid, "
		"coalesce(l.supervisor_start, -1) AS start, l.boot_id FROM "
		"public.logging l WHERE l.supervisor_pid IS NOT NULL AND "
		"l.hostname = $2 AND l.logging_id <> $1::bigint "
		"UNION ALL SELECT 0, b.supervisor_pid, "
		"coalesce(b.supervisor_start, -1), l.boot_id FROM "
		"public.build b LEFT JOIN public.logging l USING (logging_id) "
		"WHERE b.status = 'running' AND b.supervisor_pid IS NOT NULL "
		"AND b.hostname = $2 AND b.logging_id IS DISTINCT FROM "
		"$1::bigint) x GROUP BY pid, start ORDER BY pid",
		&p, 0, &supervisor_table, out, n);
	db_params_release(&p);
	return rc;
}

int
store_run_supervisor(struct db *db, int64_t run_id, int pid, int64_t start)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, run_id);
	db_params_int64(&p, pid);
	db_params_int64(&p, start);
	rc = db_query_params(db,
			     "UPDATE public.logging SET supervisor_pid = "
			     "nullif($2::int, 0), supervisor_start = CASE WHEN "
			     "$2::int = 0 OR $3::bigint < 0 THEN NULL ELSE "
			     "$3::bigint END WHERE logging_id = $1::bigint",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc;
}

/* sr_file's columns, in the order of the query below */
static const struct db_col sr_file_cols[] = {
	DB_COL(DB_INT64, struct sr_file, id),
	DB_COL(DB_INT, struct sr_file, product_id),
	DB_COL(DB_TEXT, struct sr_file, filename),
	DB_COL(DB_DATE, struct sr_file, date),
	DB_COL(DB_VERSION, struct sr_file, version),
	DB_COL(DB_TEXT, struct sr_file, keywords),
	DB_COL(DB_INT64, struct sr_file, start_usec),
	DB_COL(DB_TEXT, struct sr_file, sha1),
	DB_COL(DB_TEXT, struct sr_file, sha256),
};
static const struct db_table sr_file_table =
	DB_TABLE("files", sr_file_cols, struct sr_file);

void
store_sr_files_free(struct sr_file *f, size_t n)
{
	db_rows_free(&sr_file_table, f, n);
}

int
store_files_get(struct db *db, const int64_t *ids, size_t n,
		struct sr_file **out, size_t *nout)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64_array(&p, ids, n);
	rc = db_query_rows(db,
			   "SELECT file_id, product_id, filename, "
			   "utc_file_date, interface_version || '.' || "
			   "quality_version || '.' || revision_version, "
			   "coalesce(process_keywords, ''), floor(extract("
			   "epoch FROM utc_start_time) * 1000000)::bigint, "
			   "shasum, sha256 "
			   "FROM public.file WHERE file_id = ANY($1::bigint[])",
			   &p, 0, &sr_file_table, out, nout);
	db_params_release(&p);
	return rc;
}

/*
 * queued -> running, and the batch's bookkeeping; $1..$8: build, run,
 * supervisor pid and start, host, argv, log path, work dir.  The code's
 * own pid comes with its result.  A new attempt on the batch (this run
 * touches it first) is stamped for the poison rule.
 */
#define BUILD_START_CTES                                                     \
	"b AS (UPDATE public.build SET status = 'running', "                 \
	"attempt = attempt + 1, started_at = now(), ended_at = NULL, "       \
	"recorded_at = NULL, pid = NULL, supervisor_pid = $3::int, "         \
	"supervisor_start = $4::bigint, hostname = $5, argv = $6::text[], "  \
	"log_path = $7, work_dir = $8, logging_id = nullif($2::bigint, 0), " \
	"exit_code = NULL, term_signal = NULL, reason = NULL, "             \
	"slurm_job_id = NULL, node = NULL WHERE "                            \
	"build_id = $1::bigint AND status = 'queued' RETURNING batch_id), " \
	"u AS (UPDATE public.batch SET state = 'running', started_at = "     \
	"coalesce(started_at, now()), pid = $3::int, hostname = $5, "        \
	"attempts = attempts + 1, done_at_attempt = done_count, "            \
	"attempt_started_at = now(), "                                       \
	"attempt_logging_id = nullif($2::bigint, 0) WHERE batch_id = (SELECT " \
	"batch_id FROM b) AND (attempt_logging_id IS DISTINCT FROM "         \
	"nullif($2::bigint, 0) OR state <> 'running')) "

/*
 * when an attempt ended: ago seconds before this statement (the clock,
 * not the transaction's start, which a sample's long transaction keeps),
 * and never before it started
 */
#define ENDED_AT(ago)                                                        \
	"greatest(started_at, clock_timestamp() - " ago "::float8 * "        \
	"interval '1 second')"

/*
 * when it started: wall seconds before it ended, when that is later than
 * the row says (a build sent ahead to the supervisor, or queued in
 * Slurm, is recorded running before its program starts)
 */
#define STARTED_AT(ago, wall)                                                \
	"CASE WHEN started_at IS NOT NULL THEN greatest(started_at, "        \
	"clock_timestamp() - (" ago "::float8 + " wall "::float8) * "        \
	"interval '1 second') END"

/* running -> recording with the outcome, its parameters named */
#define BUILD_RECORDING(id, pid, ec, sig, cu, cs, rss, ago, wall)            \
	"UPDATE public.build SET status = 'recording', pid = nullif(" pid    \
	"::int, 0), exit_code = " ec "::int, term_signal = nullif(" sig      \
	"::int, 0), cpu_user_s = " cu "::float8, cpu_sys_s = " cs            \
	"::float8, max_rss_kb = " rss "::bigint, ended_at = " ENDED_AT(ago)  \
	", started_at = " STARTED_AT(ago, wall) ", recorded_at = now() "     \
	"WHERE build_id = " id "::bigint AND status = 'running'"

/* the outcome's eight parameters: pid, exit, signal, cpu, rss, ago, wall */
static void
outcome_params(struct db_params *p, const struct sr_outcome *o)
{
	int64_t now_us = timeutil_now_usec();
	double ago = o->ended_at_us && now_us > o->ended_at_us
			     ? (double)(now_us - o->ended_at_us) / 1e6
			     : 0.0;

	db_params_int64(p, o->pid);
	db_params_int64(p, o->exit_code);
	db_params_int64(p, o->term_signal);
	db_params_double(p, o->cpu_user_s);
	db_params_double(p, o->cpu_sys_s);
	db_params_int64(p, o->max_rss_kb);
	db_params_double(p, ago);
	db_params_double(p, o->wall_s > 0 ? o->wall_s : 0.0);
}

/* two counts of one row: (started, recorded), (poisoned, cancelled) */
struct two {
	int64_t a, b;
};
static const struct db_col two_cols[] = {
	DB_COL(DB_INT64, struct two, a),
	DB_COL(DB_INT64, struct two, b),
};

int
store_build_start(struct db *db, const struct sr_start *st,
		  int64_t done_id, const struct sr_outcome *done)
{
	static const struct db_table t =
		DB_TABLE("build start", two_cols, struct two);
	struct db_params p = DB_PARAMS_INIT;
	struct two n;
	int rc;

	db_params_int64(&p, st->build_id);
	db_params_int64(&p, st->run_id);
	db_params_int64(&p, st->supervisor_pid);
	db_params_int64(&p, st->supervisor_start);
	db_params_text(&p, st->host);
	db_params_text_array(&p, (const char *const *)st->argv->v,
			     st->argv->nr);
	db_params_text(&p, st->log_path);
	db_params_text(&p, st->work_dir);
	if (done) {
		db_params_int64(&p, done_id);
		outcome_params(&p, done);
		rc = db_query_row(
			db,
			"WITH " BUILD_START_CTES ", r AS ("
			BUILD_RECORDING("$9", "$10", "$11", "$12", "$13", "$14",
					"$15", "$16", "$17") " RETURNING 1) "
			"SELECT (SELECT count(*) FROM b), (SELECT "
			"count(*) FROM r)",
			&p, DB_CACHED, &t, &n, NULL);
	} else {
		rc = db_query_row(db,
				  "WITH " BUILD_START_CTES "SELECT count(*), "
				  "1 FROM b",
				  &p, DB_CACHED, &t, &n, NULL);
	}
	db_params_release(&p);
	if (rc)
		return rc;
	if (n.a != 1)
		return error("build %lld is no longer queued",
			     (long long)st->build_id);
	if (n.b != 1)
		return error("build %lld is no longer running",
			     (long long)done_id);
	return 0;
}

int
store_build_recording(struct db *db, int64_t id, const struct sr_outcome *o)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, id);
	outcome_params(&p, o);
	rc = db_query_params(db,
			     BUILD_RECORDING("$1", "$2", "$3", "$4", "$5", "$6",
					     "$7", "$8", "$9"),
			     &p, DB_CACHED, NULL);
	db_params_release(&p);
	return rc;
}

/*
 * The batch bookkeeping when builds reach a final state, as the last CTE
 * "u" of a statement whose CTE "b" returns (build_id, batch_id, status)
 * of the builds it moved, with their new status: the batches count them
 * as done where cond holds, and as succeeded or failed by that status; a
 * batch whose last build this was is closed, "done" if every build of
 * it succeeded, else "failed", with its summary, counting the new status
 * of the builds moved here (the statement's snapshot still has their old
 * one).
 */
#define BATCH_DONE(cond)                                                     \
	"u AS (UPDATE public.batch SET done_count = done_count + c.n, "      \
	"succeeded_count = succeeded_count + c.ok, failed_count = "          \
	"failed_count + c.bad, "                                             \
	"state = CASE WHEN done_count + c.n < size THEN state WHEN "         \
	"failed_count + c.bad > 0 THEN 'failed' ELSE 'done' END, "           \
	"ended_at = CASE WHEN done_count + c.n >= size THEN now() ELSE "     \
	"ended_at END, summary = CASE WHEN done_count + c.n >= size THEN "    \
	"(SELECT count(*) FILTER (WHERE coalesce(nb.status, x.status) = "     \
	"'succeeded') || ' succeeded, ' || count(*) FILTER (WHERE "          \
	"coalesce(nb.status, x.status) IN ('failed', 'timed_out', 'killed', " \
	"'bad')) || ' failed' FROM public.build x LEFT JOIN b nb ON "         \
	"nb.build_id = x.build_id WHERE x.batch_id = batch.batch_id) ELSE "  \
	"summary END FROM (SELECT batch_id, count(*) AS n, count(*) FILTER " \
	"(WHERE status = 'succeeded') AS ok, count(*) FILTER (WHERE status " \
	"IN ('failed', 'timed_out', 'killed', 'bad')) AS bad FROM b WHERE "  \
	cond " GROUP BY batch_id) c WHERE batch.batch_id = c.batch_id) "

int
store_build_failed(struct db *db, int64_t id, int64_t run_id,
		   enum build_state status, bool retry, bool bad, bool quick,
		   const char *kind, const char *reason,
		   const char *stderr_tail, const struct sr_outcome *o)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, id);
	db_params_int64(&p, run_id);
	db_params_text(&p, build_state_name(status));
	db_params_bool(&p, retry);
	db_params_bool(&p, bad);
	db_params_bool(&p, quick);
	db_params_text(&p, kind);
	db_params_text(&p, reason);
	db_params_text(&p, stderr_tail);
	outcome_params(&p, o); /* $10..$17 */
	rc = db_query_params(
		db,
		"WITH b AS (UPDATE public.build SET status = CASE WHEN "
		"$5::bool THEN 'bad' WHEN $4::bool THEN 'queued' ELSE $3 END, "
		"pid = coalesce(nullif($10::int, 0), pid), "
		"exit_code = nullif($11::int, -1), term_signal = "
		"nullif($12::int, 0), reason = $8, ended_at = " ENDED_AT("$16")
		", started_at = " STARTED_AT("$16", "$17") ", recorded_at = "
		"now(), "
		"cpu_user_s = $13::float8, cpu_sys_s = $14::float8, "
		"max_rss_kb = $15::bigint, quick_failures = CASE WHEN "
		"$6::bool THEN quick_failures + 1 ELSE 0 END "
		"WHERE build_id = $1::bigint RETURNING build_id, batch_id, "
		"status), "
		"f AS (INSERT INTO public.failure (logging_id, build_id, "
		"batch_id, kind, reason, stderr_tail) SELECT nullif($2::bigint, 0), "
		"build_id, batch_id, $7, $8, $9 FROM b WHERE b.status <> "
		"'queued'), " BATCH_DONE("status <> 'queued'")
		"SELECT count(*) FROM b",
		&p, DB_CACHED, NULL);
	db_params_release(&p);
	return rc;
}

int
store_builds_succeeded(struct db *db, int64_t run_id,
		       const struct sr_success *s, size_t n)
{
	/* one array per column of the file rows; NULL file: a RUN build */
	enum { NCOL = 16 };
	struct db_params p = DB_PARAMS_INIT;
	int64_t moved = 0;
	int rc;

	if (!n)
		return 0;
	db_params_int64(&p, run_id);
	db_params_columns(&p, NCOL);
	for (size_t i = 0; i < n; i++) {
		const struct sr_output *o = s[i].out;

		db_col_int64(&p, s[i].build_id);
		if (!o) {
			for (int c = 1; c < NCOL; c++)
				db_col_null(&p);
			continue;
		}
		db_col_text(&p, o->filename);
		db_col_int64(&p, o->product_id);
		db_col_double(&p, o->level);
		db_col_date(&p, o->date);
		db_col_timestamp(&p, o->start_usec);
		db_col_timestamp(&p, o->stop_usec);
		db_col_int64(&p, o->version.interface);
		db_col_int64(&p, o->version.quality);
		db_col_int64(&p, o->version.revision);
		db_col_timestamp(&p, o->mtime_usec);
		db_col_text(&p, o->sha1);
		db_col_text(&p, o->sha256);
		db_col_int64(&p, o->size);
		db_col_text(&p, o->keywords && *o->keywords ? o->keywords
							    : NULL);
		db_col_text(&p, o->provenance);
	}
	rc = db_query_int64(
		db,
		"WITH x AS (SELECT * FROM unnest($2::bigint[], $3::text[], "
		"$4::int[], $5::float8[], $6::date[], $7::timestamp[], "
		"$8::timestamp[], $9::int2[], $10::int2[], $11::int2[], "
		"$12::timestamp[], $13::text[], $14::text[], $15::bigint[], "
		"$16::text[], $17::text[]) AS x(build_id, filename, product_id, "
		"level, d, t0, t1, iv, qv, rv, mtime, sha1, sha256, size, kw, "
		"prov)), "
		"f AS (INSERT INTO public.file (filename, product_id, "
		"data_level, utc_file_date, utc_start_time, utc_stop_time, "
		"interface_version, quality_version, revision_version, "
		"file_create_date, shasum, sha256, size_bytes, "
		"process_keywords, verbose_provenance, exists_on_disk, "
		"logging_id, period_number) SELECT x.filename, x.product_id, "
		"x.level, x.d, x.t0, x.t1, x.iv, x.qv, x.rv, x.mtime, x.sha1, "
		"x.sha256, x.size, x.kw, x.prov, true, nullif($1::bigint, 0), "
		"kb.period_number FROM x JOIN public.build kb ON kb.build_id = "
		"x.build_id WHERE x.filename IS NOT NULL "
		"RETURNING file_id, filename, utc_start_time, utc_stop_time), "
		"fx AS (SELECT x.build_id, f.file_id FROM f JOIN x USING "
		"(filename)), "
		"ut AS (INSERT INTO public.unixtime (file_id, unix_start, "
		"unix_stop) SELECT file_id, floor(extract(epoch FROM "
		"utc_start_time))::bigint, floor(extract(epoch FROM "
		"utc_stop_time))::bigint FROM f), "
		"q AS (INSERT INTO public.processqueue (file_id, logging_id, "
		"reason) SELECT file_id, nullif($1::bigint, 0), 'made by build ' "
		"|| build_id FROM fx), "
		"bl AS (SELECT fx.file_id, bb.input_file_ids, bb.code_id FROM fx "
		"JOIN public.build bb USING (build_id)), "
		"ffl AS (INSERT INTO public.filefilelink (source_file, "
		"resulting_file) SELECT DISTINCT s, bl.file_id FROM bl, "
		"unnest(bl.input_file_ids) AS s), "
		"fcl AS (INSERT INTO public.filecodelink (resulting_file, "
		"source_code) SELECT file_id, code_id FROM bl), "
		"b AS (UPDATE public.build SET status = 'succeeded', "
		"output_file_id = fx.file_id FROM x LEFT JOIN fx USING "
		"(build_id) WHERE build.build_id = x.build_id AND build.status = "
		"'recording' RETURNING build.build_id, build.batch_id, "
		"build.status), "
		BATCH_DONE("true")
		"SELECT count(*) FROM b",
		&p, DB_CACHED, &moved);
	db_params_release(&p);
	if (rc)
		return rc;
	if (moved != (int64_t)n)
		return error("%lld of %zu builds were no longer recording",
			     (long long)((int64_t)n - moved), n);
	return 0;
}

int
store_file_recorded(struct db *db, const char *filename, bool *recorded)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_text(&p, filename);
	rc = db_query_bool(db,
			   "SELECT EXISTS (SELECT 1 FROM public.file WHERE "
			   "filename = $1)",
			   &p, 0, recorded);
	db_params_release(&p);
	return rc;
}

int
store_code_register(struct db *db, int code_id, const char *sha256)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, code_id);
	db_params_text(&p, sha256);
	rc = db_query_params(db,
			     "UPDATE public.code SET sha256 = $2 WHERE code_id = "
			     "$1::int AND sha256 IS NULL",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc;
}

/* an outlook's columns, in the order of store_run_outlook's query */
static const struct db_col outlook_cols[] = {
	DB_COL(DB_INT, struct sr_outlook, process_id),
	DB_COL(DB_INT64, struct sr_outlook, open),
	DB_COL(DB_DOUBLE, struct sr_outlook, mean_s),
};
static const struct db_table outlook_table =
	DB_TABLE("run outlook", outlook_cols, struct sr_outlook);

int
store_run_outlook(struct db *db, struct sr_outlook **out, size_t *n)
{
	return db_query_rows(
		db,
		"SELECT q.process_id, q.n, coalesce(m.mean_s, -1) FROM "
		"(SELECT process_id, count(*) AS n FROM public.build "
		"WHERE status IN ('queued', 'running') "
		"GROUP BY process_id) q LEFT JOIN LATERAL (SELECT "
		"avg(extract(epoch FROM b.ended_at - b.started_at)) AS "
		"mean_s FROM public.build b WHERE b.process_id = "
		"q.process_id AND b.status = 'succeeded' AND "
		"b.reused_from_build_id IS NULL AND "
		"b.started_at > now() - interval '30 days') m ON true "
		"ORDER BY q.process_id",
		NULL, 0, &outlook_table, out, n);
}

int
store_open_dirs(struct db *db, struct strvec *dirs)
{
	return db_query_text_column(db,
				    "SELECT work_dir FROM public.build WHERE "
				    "status IN ('running', 'recording') AND "
				    "work_dir IS NOT NULL",
				    NULL, 0, dirs);
}

int
store_running_of(struct db *db, const int64_t *ids, size_t n,
		 int64_t **running, size_t *nrunning)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64_array(&p, ids, n);
	rc = db_query_int64_column(db,
				   "SELECT build_id FROM public.build WHERE "
				   "build_id = ANY($1::bigint[]) AND status = "
				   "'running'",
				   &p, 0, running, nrunning);
	db_params_release(&p);
	return rc;
}

/*
 * Batches a dead controller was running: each counts a stall unless a
 * code's result was recorded since its attempt began ($4: builds whose
 * result a supervisor kept in a file count when that attempt started
 * them); max($2) stalls in a row make it bad, its open builds cancelled
 * and a failure row left; the others are 'planned' again (the next
 * start is a new attempt).  Batches with a build still running under a
 * live supervisor ($3) are left as they are: nothing was lost.
 */
#define POISON_SQL                                                           \
	"WITH live AS (SELECT batch_id FROM public.build WHERE build_id = "  \
	"ANY($3::bigint[]) AND batch_id IS NOT NULL), "                      \
	"d AS (SELECT t.batch_id, EXISTS (SELECT 1 FROM public.build x "     \
	"WHERE x.batch_id = t.batch_id AND (x.recorded_at >= "               \
	"t.attempt_started_at OR (x.build_id = ANY($4::bigint[]) AND "       \
	"x.logging_id = t.attempt_logging_id))) AS progressed FROM "         \
	"public.batch t WHERE t.state = 'running' AND t.attempt_logging_id " \
	"IS DISTINCT FROM $1::bigint AND t.batch_id NOT IN (SELECT batch_id " \
	"FROM live)), "                                                      \
	"s AS (UPDATE public.batch t SET stalls = CASE WHEN d.progressed "   \
	"THEN 0 ELSE t.stalls + 1 END, state = CASE WHEN NOT d.progressed "  \
	"AND t.stalls + 1 >= $2::int THEN 'bad' ELSE 'planned' END, "        \
	"ended_at = CASE WHEN NOT d.progressed AND t.stalls + 1 >= $2::int " \
	"THEN now() ELSE t.ended_at END, summary = CASE WHEN NOT "           \
	"d.progressed AND t.stalls + 1 >= $2::int THEN 'the controller "     \
	"died ' || t.stalls + 1 || ' times in a row while running it, with " \
	"no result of a code recorded in between' ELSE t.summary END FROM d " \
	"WHERE t.batch_id = d.batch_id RETURNING t.batch_id, t.state, "      \
	"t.summary), "                                                       \
	"c AS (UPDATE public.build SET status = 'cancelled', ended_at = "    \
	"coalesce(ended_at, greatest(started_at, now())), recorded_at = "    \
	"now(), reason = 'its batch was marked bad' WHERE batch_id IN "      \
	"(SELECT batch_id FROM s WHERE state = 'bad') AND status IN "        \
	"('queued', 'running', 'recording') RETURNING build_id), "           \
	"f AS (INSERT INTO public.failure (logging_id, batch_id, kind, "     \
	"reason) SELECT nullif($1::bigint, 0), batch_id, 'poison-batch', "   \
	"summary FROM s WHERE state = 'bad') "                               \
	"SELECT (SELECT count(*) FROM s WHERE state = 'bad'), (SELECT "      \
	"count(*) FROM c)"

int
store_recover(struct db *db, const struct sr_recovery *rv, long *poisoned,
	      long *cancelled, long *requeued)
{
	static const struct db_table t =
		DB_TABLE("poisoned batches", two_cols, struct two);
	struct db_params p = DB_PARAMS_INIT;
	struct two v = {0, 0};
	int64_t nrequeued = 0;
	int rc;

	*poisoned = *cancelled = *requeued = 0;
	if ((rc = db_begin(db)))
		return rc;
	/* sent to a supervisor by a run that died before recording it */
	db_params_text(&p, rv->host);
	db_params_columns(&p, 3);
	for (size_t i = 0; i < rv->n_started; i++) {
		db_col_int64(&p, rv->started[i]);
		db_col_text(&p, *rv->started_dir[i] ? rv->started_dir[i] : NULL);
		db_col_text(&p, *rv->started_log[i] ? rv->started_log[i] : NULL);
	}
	rc = db_query_params(db,
			     "UPDATE public.build b SET status = 'running', "
			     "attempt = b.attempt + 1, started_at = now(), "
			     "ended_at = NULL, recorded_at = NULL, hostname = "
			     "$1, work_dir = s.dir, log_path = s.log FROM "
			     "unnest($2::bigint[], $3::text[], $4::text[]) AS "
			     "s(id, dir, log) WHERE b.build_id = s.id AND "
			     "b.status = 'queued'",
			     &p, 0, NULL);
	db_params_release(&p);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	db_params_int64(&p, rv->run_id);
	db_params_int64(&p, rv->bad_after);
	db_params_int64_array(&p, rv->live, rv->n_live);
	db_params_int64_array(&p, rv->kept, rv->n_kept);
	rc = db_query_row(db, POISON_SQL, &p, 0, &t, &v, NULL);
	db_params_release(&p);
	/* the code did not fail: the attempt it was on is given back */
	if (!rc) {
		db_params_int64_array(&p, rv->dead, rv->n_dead);
		rc = db_query_int64(
			db,
			"WITH b AS (UPDATE public.build SET status = 'queued', "
			"pid = NULL, supervisor_pid = NULL, attempt = "
			"greatest(attempt - 1, 0) WHERE build_id = "
			"ANY($1::bigint[]) AND status = 'running' RETURNING 1) "
			"SELECT count(*) FROM b",
			&p, 0, &nrequeued);
		db_params_release(&p);
	}
	/*
	 * The batches whose results we are about to record: a new attempt
	 * of ours, so that dying while recording them counts as a stall.
	 */
	if (!rc) {
		db_params_int64(&p, rv->run_id);
		db_params_int64_array(&p, rv->kept, rv->n_kept);
		rc = db_query_params(
			db,
			"UPDATE public.batch SET state = 'running', attempts = "
			"attempts + 1, attempt_started_at = now(), "
			"attempt_logging_id = nullif($1::bigint, 0) WHERE state "
			"IN ('planned', 'running') AND batch_id IN (SELECT "
			"batch_id FROM public.build WHERE status = 'recording' "
			"OR (status = 'running' AND build_id = "
			"ANY($2::bigint[])))",
			&p, 0, NULL);
		db_params_release(&p);
	}
	if (!rc)
		rc = db_commit(db);
	db_rollback(db);
	*poisoned = (long)v.a;
	*cancelled = (long)v.b;
	*requeued = (long)nrequeued;
	return rc;
}

int
store_poison_unresolved(struct db *db, long *n)
{
	int64_t v = 0;
	int rc = db_query_int64(db,
				"SELECT count(*) FROM public.failure WHERE "
				"kind = 'poison-batch' AND NOT resolved",
				NULL, 0, &v);

	*n = (long)v;
	return rc;
}

int
store_builds_requeue(struct db *db, const int64_t *ids, size_t n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64_array(&p, ids, n);
	rc = db_query_params(db,
			     "UPDATE public.build SET status = 'queued', pid = "
			     "NULL, supervisor_pid = NULL, attempt = "
			     "greatest(attempt - 1, 0) WHERE build_id = "
			     "ANY($1::bigint[]) AND status = 'running'",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc;
}

int
store_interrupt_builds(struct db *db, int64_t run_id, const int64_t *ids,
		       size_t n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc = store_builds_requeue(db, ids, n);

	if (rc)
		return rc;
	db_params_int64(&p, run_id);
	rc = db_query_params(db,
			     "UPDATE public.batch SET state = 'planned', "
			     "attempts = greatest(attempts - 1, 0) WHERE state "
			     "= 'running' AND attempt_logging_id = $1::bigint",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc;
}

int
store_builds_slurm(struct db *db, const int64_t *ids,
		   const char *const *job_ids, size_t n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	if (!n)
		return 0;
	db_params_int64_array(&p, ids, n);
	db_params_text_array(&p, job_ids, n);
	rc = db_query_params(db,
			     "UPDATE public.build b SET slurm_job_id = x.j, "
			     "node = NULL FROM unnest($1::bigint[], "
			     "$2::text[]) AS x(id, j) WHERE b.build_id = x.id",
			     &p, DB_CACHED, NULL);
	db_params_release(&p);
	return rc;
}

int
store_build_node(struct db *db, int64_t id, const char *node)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, id);
	db_params_text(&p, node && *node ? node : NULL);
	rc = db_query_params(db,
			     "UPDATE public.build SET node = $2 WHERE "
			     "build_id = $1::bigint",
			     &p, DB_CACHED, NULL);
	db_params_release(&p);
	return rc;
}
