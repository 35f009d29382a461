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

void
store_sr_builds_free(struct sr_build *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++) {
		free(b[i].process_name);
		free(b[i].extra_params);
		free(b[i].output_key);
		free(b[i].output_filename);
		free(b[i].code_filename);
		free(b[i].code_relpath);
		free(b[i].code_args);
		free(b[i].code_sha256);
		free(b[i].work_dir);
		free(b[i].inputs);
	}
	free(b);
}

#define READY_COLS 27

int
store_builds_ready(struct db *db, int limit, struct sr_build **out, size_t *n)
{
	char lim[16];
	const char *params[1] = {lim};
	struct db_res *res = NULL;
	struct sr_build *b;
	int rc;

	*out = NULL;
	*n = 0;
	snprintf(lim, sizeof(lim), "%d", limit);
	rc = db_query(
		db,
		"SELECT b.build_id, coalesce(b.batch_id, 0), b.status, "
		"b.attempt, b.quick_failures, b.process_id, pr.process_name, "
		"pr.output_timebase, pr.extra_params, "
		"coalesce(pr.output_product, 0), b.output_key, b.utc_file_date, "
		"b.output_filename, "
		"split_part(b.output_version, '.', 1)::int, "
		"split_part(b.output_version, '.', 2)::int, "
		"split_part(b.output_version, '.', 3)::int, "
		"c.code_id, c.filename, c.relative_path, c.interface_version, "
		"c.quality_version, c.revision_version, c.arguments, "
		"c.timeout_s, coalesce(c.cpu, 1), c.sha256, b.work_dir, "
		"b.input_file_ids "
		"FROM public.build b JOIN public.process pr USING (process_id) "
		"JOIN public.code c ON c.code_id = b.code_id "
		"LEFT JOIN public.product op ON op.product_id = "
		"pr.output_product "
		"WHERE b.status IN ('queued', 'recording') "
		"ORDER BY b.status = 'recording' DESC, "
		"coalesce(op.level, 1e9), b.build_id LIMIT $1::int",
		1, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, READY_COLS + 1, "ready builds")) {
		db_res_free(res);
		return -1;
	}
	b = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*b));
	for (int r = 0; r < db_res_nrows(res); r++) {
		struct sr_build *x = &b[r];

		snprintf(x->status, sizeof(x->status), "%s",
			 db_res_get(res, r, 2));
		x->process_name = xstrdup(db_res_get(res, r, 6));
		snprintf(x->timebase, sizeof(x->timebase), "%s",
			 db_res_get(res, r, 7));
		x->extra_params = xstrdup_or_null(db_res_get(res, r, 8));
		x->output_key = xstrdup(db_res_get(res, r, 10));
		x->output_filename = xstrdup_or_null(db_res_get(res, r, 12));
		x->code_filename = xstrdup(db_res_get(res, r, 17));
		x->code_relpath = xstrdup(db_res_get(res, r, 18));
		x->code_args = xstrdup_or_null(db_res_get(res, r, 22));
		x->code_sha256 = xstrdup_or_null(db_res_get(res, r, 25));
		x->work_dir = xstrdup_or_null(db_res_get(res, r, 26));
		if (db_res_int64(res, r, 0, &x->id) ||
		    db_res_int64(res, r, 1, &x->batch_id) ||
		    db_res_int(res, r, 3, &x->attempt) ||
		    db_res_int(res, r, 4, &x->quick_failures) ||
		    db_res_int(res, r, 5, &x->process_id) ||
		    db_res_int(res, r, 9, &x->output_product) ||
		    db_res_date(res, r, 11, &x->date) ||
		    db_res_version(res, r, 13, &x->out_version) ||
		    db_res_int(res, r, 16, &x->code_id) ||
		    db_res_version(res, r, 19, &x->code_version) ||
		    db_res_int(res, r, 23, &x->timeout_s) ||
		    db_res_int(res, r, 24, &x->cpu) ||
		    db_res_int64_array(res, r, 27, &x->inputs,
			      &x->n_inputs))
			rc = -1;
	}
	*n = (size_t)db_res_nrows(res);
	*out = b;
	db_res_free(res);
	return rc;
}

void
store_sr_files_free(struct sr_file *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].filename);
		free(f[i].keywords);
	}
	free(f);
}

int
store_files_get(struct db *db, const int64_t *ids, size_t n,
		struct sr_file **out, size_t *nout)
{
	struct strbuf arr = STRBUF_INIT;
	const char *params[1];
	struct db_res *res = NULL;
	struct sr_file *f;
	int rc;

	*out = NULL;
	*nout = 0;
	db_array_int64(&arr, ids, n);
	params[0] = arr.buf;
	rc = db_query(db,
		      "SELECT file_id, product_id, filename, utc_file_date, "
		      "interface_version, quality_version, revision_version, "
		      "coalesce(process_keywords, ''), floor(extract(epoch "
		      "FROM utc_start_time) * 1000000)::bigint FROM "
		      "public.file WHERE file_id = ANY($1::bigint[])",
		      1, params, 0, &res);
	strbuf_release(&arr);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 9, "files")) {
		db_res_free(res);
		return -1;
	}
	f = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*f));
	for (int r = 0; r < db_res_nrows(res); r++) {
		f[r].filename = xstrdup(db_res_get(res, r, 2));
		f[r].keywords = xstrdup(db_res_get(res, r, 7));
		if (db_res_int64(res, r, 0, &f[r].id) ||
		    db_res_int(res, r, 1, &f[r].product_id) ||
		    db_res_date(res, r, 3, &f[r].date) ||
		    db_res_version(res, r, 4, &f[r].version) ||
		    db_res_int64(res, r, 8, &f[r].start_usec))
			rc = -1;
	}
	*nout = (size_t)db_res_nrows(res);
	*out = f;
	db_res_free(res);
	return rc;
}

/* queued -> running, and the batch's bookkeeping; $1..$7 */
#define BUILD_START_CTES                                                     \
	"b AS (UPDATE public.build SET status = 'running', "                 \
	"attempt = attempt + 1, started_at = now(), ended_at = NULL, "       \
	"pid = $3::int, hostname = $4, argv = $5::text[], log_path = "       \
	"$6, work_dir = $7, logging_id = nullif($2::bigint, 0), "           \
	"exit_code = NULL, "                                                 \
	"term_signal = NULL, reason = NULL WHERE build_id = "               \
	"$1::bigint AND status = 'queued' RETURNING batch_id), "            \
	"u AS (UPDATE public.batch SET state = 'running', started_at = "     \
	"coalesce(started_at, now()), pid = $3::int, hostname = $4, "        \
	"attempts = attempts + 1, done_at_attempt = done_count, "            \
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

/* running -> recording with the outcome, its parameters named */
#define BUILD_RECORDING(id, ec, sig, cu, cs, rss, ago)                       \
	"UPDATE public.build SET status = 'recording', exit_code = " ec      \
	"::int, term_signal = nullif(" sig "::int, 0), cpu_user_s = " cu     \
	"::float8, cpu_sys_s = " cs "::float8, max_rss_kb = " rss            \
	"::bigint, ended_at = " ENDED_AT(ago) " WHERE build_id = " id        \
	"::bigint AND status = 'running'"

static void
outcome_params(const struct sr_outcome *o, char buf[6][32])
{
	snprintf(buf[0], 32, "%d", o->exit_code);
	snprintf(buf[1], 32, "%d", o->term_signal);
	snprintf(buf[2], 32, "%.6f", o->cpu_user_s);
	snprintf(buf[3], 32, "%.6f", o->cpu_sys_s);
	snprintf(buf[4], 32, "%ld", o->max_rss_kb);
	snprintf(buf[5], 32, "%.6f",
		 o->end_mono_ns ? (double)(timeutil_mono_ns() - o->end_mono_ns) / 1e9
				: 0.0);
}

int
store_build_start(struct db *db, int64_t id, int64_t run_id, int pid,
		  const char *host, const struct strvec *argv,
		  const char *log_path, const char *work_dir,
		  int64_t done_id, const struct sr_outcome *done)
{
	char bid[32], run[32], pidbuf[16], did[32], ob[6][32];
	struct strbuf args = STRBUF_INIT;
	const char *params[14];
	struct db_res *res = NULL;
	int rc;
	int64_t n = 0, nrec = 1;

	snprintf(bid, sizeof(bid), "%lld", (long long)id);
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	db_array_begin(&args);
	for (size_t i = 0; i < argv->nr; i++)
		db_array_add(&args, argv->v[i]);
	db_array_end(&args);
	params[0] = bid;
	params[1] = run;
	params[2] = pidbuf;
	params[3] = host;
	params[4] = args.buf;
	params[5] = log_path;
	params[6] = work_dir;
	if (done) {
		snprintf(did, sizeof(did), "%lld", (long long)done_id);
		outcome_params(done, ob);
		params[7] = did;
		for (int i = 0; i < 6; i++)
			params[8 + i] = ob[i];
		rc = db_query(db,
			      "WITH " BUILD_START_CTES ", r AS ("
			      BUILD_RECORDING("$8", "$9", "$10", "$11", "$12",
					      "$13", "$14") " RETURNING 1) "
			      "SELECT (SELECT count(*) FROM b), (SELECT "
			      "count(*) FROM r)",
			      14, params, DB_CACHED, &res);
	} else {
		rc = db_query(db,
			      "WITH " BUILD_START_CTES "SELECT count(*), 1 "
			      "FROM b",
			      7, params, DB_CACHED, &res);
	}
	strbuf_release(&args);
	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 2, "build start") ||
	    db_res_int64(res, 0, 0, &n) || db_res_int64(res, 0, 1, &nrec))
		rc = -1;
	else if (n != 1)
		rc = error("build %lld is no longer queued", (long long)id);
	else if (nrec != 1)
		rc = error("build %lld is no longer running",
			   (long long)done_id);
	db_res_free(res);
	return rc;
}

int
store_build_recording(struct db *db, int64_t id, const struct sr_outcome *o)
{
	char bid[32], ob[6][32];
	const char *params[7];

	snprintf(bid, sizeof(bid), "%lld", (long long)id);
	outcome_params(o, ob);
	params[0] = bid;
	for (int i = 0; i < 6; i++)
		params[1 + i] = ob[i];
	return db_query(db,
			BUILD_RECORDING("$1", "$2", "$3", "$4", "$5", "$6",
					"$7"),
			7, params, DB_CACHED, NULL);
}

/*
 * The batch bookkeeping when builds reach a final state, as the last CTE
 * "u" of a statement whose CTE "b" returns (build_id, batch_id, status)
 * of the builds it moved, with their new status: the batches count them
 * as done where cond holds; a batch whose last build this was is closed
 * with its summary, counting the new status of the builds moved here
 * (the statement's snapshot still has their old one).
 */
#define BATCH_DONE(cond)                                                     \
	"u AS (UPDATE public.batch SET done_count = done_count + c.n, "      \
	"state = CASE WHEN done_count + c.n >= size THEN 'done' ELSE state " \
	"END, ended_at = CASE WHEN done_count + c.n >= size THEN now() ELSE " \
	"ended_at END, summary = CASE WHEN done_count + c.n >= size THEN "    \
	"(SELECT count(*) FILTER (WHERE coalesce(nb.status, x.status) = "     \
	"'succeeded') || ' succeeded, ' || count(*) FILTER (WHERE "          \
	"coalesce(nb.status, x.status) IN ('failed', 'timed_out', 'killed', " \
	"'bad')) || ' failed' FROM public.build x LEFT JOIN b nb ON "         \
	"nb.build_id = x.build_id WHERE x.batch_id = batch.batch_id) ELSE "  \
	"summary END FROM (SELECT batch_id, count(*) AS n FROM b WHERE "     \
	cond " GROUP BY batch_id) c WHERE batch.batch_id = c.batch_id) "

int
store_build_failed(struct db *db, int64_t id, int64_t run_id,
		   const char *status, bool retry, bool bad, bool quick,
		   const char *kind, const char *reason,
		   const char *stderr_tail, const struct sr_outcome *o)
{
	char bid[32], run[32], ob[6][32];
	const char *params[15];

	snprintf(bid, sizeof(bid), "%lld", (long long)id);
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	outcome_params(o, ob);
	params[0] = bid;
	params[1] = run;
	params[2] = status;
	params[3] = retry ? "t" : "f";
	params[4] = bad ? "t" : "f";
	params[5] = quick ? "t" : "f";
	params[6] = kind;
	params[7] = reason;
	params[8] = stderr_tail;
	params[9] = ob[0];
	params[10] = ob[1];
	params[11] = ob[2];
	params[12] = ob[3];
	params[13] = ob[4];
	params[14] = ob[5];
	return db_query(
		db,
		"WITH b AS (UPDATE public.build SET status = CASE WHEN "
		"$5::bool THEN 'bad' WHEN $4::bool THEN 'queued' ELSE $3 END, "
		"exit_code = nullif($10::int, -1), term_signal = "
		"nullif($11::int, 0), reason = $8, ended_at = " ENDED_AT("$15") ", "
		"cpu_user_s = $12::float8, cpu_sys_s = $13::float8, "
		"max_rss_kb = $14::bigint, quick_failures = CASE WHEN "
		"$6::bool THEN quick_failures + 1 ELSE 0 END "
		"WHERE build_id = $1::bigint RETURNING build_id, batch_id, "
		"status), "
		"f AS (INSERT INTO public.failure (logging_id, build_id, "
		"batch_id, kind, reason, stderr_tail) SELECT nullif($2::bigint, 0), "
		"build_id, batch_id, $7, $8, $9 FROM b WHERE b.status <> "
		"'queued'), " BATCH_DONE("status <> 'queued'")
		"SELECT count(*) FROM b",
		15, params, DB_CACHED, NULL);
}

int
store_builds_succeeded(struct db *db, int64_t run_id,
		       const struct sr_success *s, size_t n)
{
	/* one array per column of the file rows; NULL file: a RUN build */
	enum {
		C_BUILD, C_FILE, C_PRODUCT, C_LEVEL, C_DATE, C_START, C_STOP,
		C_IV, C_QV, C_RV, C_MTIME, C_SHA1, C_SHA256, C_SIZE, C_KW,
		C_PROV, NCOL
	};
	struct strbuf col[NCOL];
	const char *params[NCOL + 1];
	char run[32];
	struct db_res *res = NULL;
	int64_t moved = 0;
	int rc;

	if (!n)
		return 0;
	for (int c = 0; c < NCOL; c++) {
		strbuf_init(&col[c], 0);
		db_array_begin(&col[c]);
	}
	for (size_t i = 0; i < n; i++) {
		const struct sr_output *o = s[i].out;
		char num[TIMESTAMP_STRLEN + DATE_STRLEN + 32];

		snprintf(num, sizeof(num), "%lld", (long long)s[i].build_id);
		db_array_add(&col[C_BUILD], num);
		if (!o) {
			for (int c = C_FILE; c < NCOL; c++)
				db_array_add(&col[c], NULL);
			continue;
		}
		db_array_add(&col[C_FILE], o->filename);
		snprintf(num, sizeof(num), "%d", o->product_id);
		db_array_add(&col[C_PRODUCT], num);
		snprintf(num, sizeof(num), "%.17g", o->level);
		db_array_add(&col[C_LEVEL], num);
		db_array_add(&col[C_DATE], timeutil_format_date(o->date, num));
		db_array_add(&col[C_START],
			     timeutil_format_timestamp(o->start_usec, num));
		db_array_add(&col[C_STOP],
			     timeutil_format_timestamp(o->stop_usec, num));
		snprintf(num, sizeof(num), "%d", o->version.interface);
		db_array_add(&col[C_IV], num);
		snprintf(num, sizeof(num), "%d", o->version.quality);
		db_array_add(&col[C_QV], num);
		snprintf(num, sizeof(num), "%d", o->version.revision);
		db_array_add(&col[C_RV], num);
		db_array_add(&col[C_MTIME],
			     timeutil_format_timestamp(o->mtime_usec, num));
		db_array_add(&col[C_SHA1], o->sha1);
		db_array_add(&col[C_SHA256], o->sha256);
		snprintf(num, sizeof(num), "%lld", (long long)o->size);
		db_array_add(&col[C_SIZE], num);
		db_array_add(&col[C_KW],
			     o->keywords && *o->keywords ? o->keywords : NULL);
		db_array_add(&col[C_PROV], o->provenance);
	}
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	params[0] = run;
	for (int c = 0; c < NCOL; c++) {
		db_array_end(&col[c]);
		params[c + 1] = col[c].buf;
	}
	rc = db_query(
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
		"logging_id) SELECT filename, product_id, level, d, t0, t1, iv, "
		"qv, rv, mtime, sha1, sha256, size, kw, prov, true, "
		"nullif($1::bigint, 0) FROM x WHERE filename IS NOT NULL "
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
		NCOL + 1, params, DB_CACHED, &res);
	for (int c = 0; c < NCOL; c++)
		strbuf_release(&col[c]);
	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 1, "build success") ||
	    db_res_int64(res, 0, 0, &moved))
		rc = -1;
	else if (moved != (int64_t)n)
		rc = error("%lld of %zu builds were no longer recording",
			   (long long)((int64_t)n - moved), n);
	db_res_free(res);
	return rc;
}

int
store_file_recorded(struct db *db, const char *filename, bool *recorded)
{
	const char *params[1] = {filename};
	struct db_res *res = NULL;
	int rc = db_query(db,
			  "SELECT EXISTS (SELECT 1 FROM public.file WHERE "
			  "filename = $1)",
			  1, params, 0, &res);

	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 1, "file name") ||
	    db_res_bool(res, 0, 0, recorded))
		rc = -1;
	db_res_free(res);
	return rc;
}

int
store_code_register(struct db *db, int code_id, const char *sha256)
{
	char id[16];
	const char *params[2] = {id, sha256};

	snprintf(id, sizeof(id), "%d", code_id);
	return db_query(db,
			"UPDATE public.code SET sha256 = $2 WHERE code_id = "
			"$1::int AND sha256 IS NULL",
			2, params, 0, NULL);
}

int
store_run_outlook(struct db *db, struct sr_outlook **out, size_t *n)
{
	struct db_res *res = NULL;
	struct sr_outlook *o;
	int rc;

	*out = NULL;
	*n = 0;
	rc = db_query(db,
		      "SELECT q.process_id, q.n, coalesce(m.mean_s, -1) FROM "
		      "(SELECT process_id, count(*) AS n FROM public.build "
		      "WHERE status IN ('queued', 'running', 'recording') "
		      "GROUP BY process_id) q LEFT JOIN LATERAL (SELECT "
		      "avg(extract(epoch FROM b.ended_at - b.started_at)) AS "
		      "mean_s FROM public.build b WHERE b.process_id = "
		      "q.process_id AND b.status = 'succeeded' AND "
		      "b.started_at > now() - interval '30 days') m ON true "
		      "ORDER BY q.process_id",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 3, "run outlook")) {
		db_res_free(res);
		return -1;
	}
	o = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*o));
	for (int r = 0; r < db_res_nrows(res); r++) {
		int64_t cnt = 0;

		if (db_res_int(res, r, 0, &o[r].process_id) ||
		    db_res_int64(res, r, 1, &cnt) ||
		    db_res_double(res, r, 2, &o[r].mean_s))
			rc = -1;
		o[r].open = (long)cnt;
	}
	*n = (size_t)db_res_nrows(res);
	*out = o;
	db_res_free(res);
	return rc;
}

void
store_sr_left_free(struct sr_left *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++) {
		free(l[i].hostname);
		free(l[i].work_dir);
	}
	free(l);
}

int
store_running_builds(struct db *db, struct sr_left **out, size_t *n)
{
	struct db_res *res = NULL;
	struct sr_left *l;
	int rc;

	*out = NULL;
	*n = 0;
	rc = db_query(db,
		      "SELECT build_id, coalesce(pid, 0), coalesce(hostname, "
		      "''), coalesce(work_dir, '') FROM public.build WHERE "
		      "status = 'running' ORDER BY build_id",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 4, "running builds")) {
		db_res_free(res);
		return -1;
	}
	l = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*l));
	for (int r = 0; r < db_res_nrows(res); r++) {
		if (db_res_int64(res, r, 0, &l[r].build_id) ||
		    db_res_int(res, r, 1, &l[r].pid))
			rc = -1;
		l[r].hostname = xstrdup(db_res_get(res, r, 2));
		l[r].work_dir = xstrdup(db_res_get(res, r, 3));
	}
	*n = (size_t)db_res_nrows(res);
	*out = l;
	db_res_free(res);
	return rc;
}

int
store_recording_dirs(struct db *db, struct strvec *dirs)
{
	struct db_res *res = NULL;
	int rc = db_query(db,
			  "SELECT work_dir FROM public.build WHERE status = "
			  "'recording' AND work_dir IS NOT NULL",
			  0, NULL, 0, &res);

	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 1, "recording work directories")) {
		db_res_free(res);
		return -1;
	}
	for (int r = 0; r < db_res_nrows(res); r++)
		strvec_push(dirs, db_res_get(res, r, 0));
	db_res_free(res);
	return 0;
}

int
store_recover_builds(struct db *db, int64_t run_id, int bad_after,
		     long *reset, long *poisoned)
{
	char run[32], ba[16];
	const char *params[2] = {run, ba};
	struct db_res *res = NULL;
	int64_t n = 0;
	int rc;

	*reset = *poisoned = 0;
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	snprintf(ba, sizeof(ba), "%d", bad_after);
	rc = db_query(
		db,
		"WITH bad AS (UPDATE public.batch SET state = 'bad', ended_at "
		"= now(), summary = 'the controller died ' || attempts || "
		"' times while running it, without progress' WHERE state = "
		"'running' AND attempts >= $2::int AND done_count = "
		"done_at_attempt RETURNING batch_id, summary), "
		"c AS (UPDATE public.build SET status = 'cancelled', ended_at "
		"= now(), reason = 'its batch was marked bad' WHERE batch_id "
		"IN (SELECT batch_id FROM bad) AND status IN ('queued', "
		"'running') RETURNING build_id), "
		"f AS (INSERT INTO public.failure (logging_id, batch_id, kind, "
		"reason) SELECT $1::bigint, batch_id, 'poison-batch', summary "
		"FROM bad) SELECT count(*) FROM bad",
		2, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 1, "poisoned batches") ||
	    db_res_int64(res, 0, 0, poisoned))
		rc = -1;
	db_res_free(res);
	if (rc)
		return rc;
	/* the code did not fail: the attempt it was on is given back */
	rc = db_query(db,
		      "WITH b AS (UPDATE public.build SET status = 'queued', "
		      "pid = NULL, attempt = greatest(attempt - 1, 0) WHERE "
		      "status = 'running' RETURNING 1) SELECT count(*) FROM b",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 1, "reset builds") ||
	    db_res_int64(res, 0, 0, &n))
		rc = -1;
	*reset = (long)n;
	db_res_free(res);
	return rc;
}

int
store_interrupt_builds(struct db *db, int64_t run_id)
{
	char run[32];
	const char *params[1] = {run};

	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	if (db_query(db,
		     "UPDATE public.build SET status = 'queued', pid = NULL, "
		     "attempt = greatest(attempt - 1, 0) WHERE status = "
		     "'running' AND logging_id = $1::bigint",
		     1, params, 0, NULL))
		return -1;
	return db_query(db,
			"UPDATE public.batch SET state = 'planned', attempts = "
			"greatest(attempts - 1, 0) WHERE state = 'running' AND "
			"attempt_logging_id = $1::bigint",
			1, params, 0, NULL);
}
