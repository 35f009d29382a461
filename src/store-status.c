/*
 * store-status.c - the SQL of the operators' tools: status, runs,
 * builds, show build, failures (list, resolve, retry) and stats.
 *
 * Reads only, except resolving and retrying failures, which write inside
 * the caller's transaction (the command holds the processing flag).
 * Optional filters are written as "($n IS NULL OR ...)" with explicit
 * casts, so every query is one fixed, parameterized text.  Timestamps are
 * formatted by the server, in UTC (the session's time zone).
 *
 * It deliberately formats nothing for people: status.c does.
 */
#include "store-status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "xalloc.h"
#include "banned.h"

/* UTC text of a timestamp or timestamptz column (session time zone UTC) */
#define TS(x) "to_char(" x ", 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Reading a row column by column, converting NULLs to SS_NULL/NaN/NULL. */
struct rowreader {
	const struct db_res *res;
	int row;
	int col;
	int err;
};

static void
rd_init(struct rowreader *r, const struct db_res *res, int row)
{
	r->res = res;
	r->row = row;
	r->col = 0;
	r->err = 0;
}

static char *
rd_str(struct rowreader *r)
{
	const char *v = db_res_get(r->res, r->row, r->col++);

	return v ? xstrdup(v) : NULL;
}

/* a state column: its index in names (a state.h table), or -1 */
static int
rd_state(struct rowreader *r, const char *what, const char *const *names)
{
	const char *v = db_res_get(r->res, r->row, r->col++);
	int s = state_index(names, v);

	if (s < 0)
		r->err = error("unknown %s state \"%s\" in the database", what,
			       v ? v : "(null)");
	return s;
}

static int64_t
rd_i64(struct rowreader *r)
{
	int64_t v = SS_NULL;
	int col = r->col++;

	if (db_res_isnull(r->res, r->row, col))
		return SS_NULL;
	if (db_res_int64(r->res, r->row, col, &v))
		r->err = -1;
	return v;
}

static double
rd_dbl(struct rowreader *r)
{
	double v = NAN;
	int col = r->col++;

	if (db_res_isnull(r->res, r->row, col))
		return NAN;
	if (db_res_double(r->res, r->row, col, &v))
		r->err = -1;
	return v;
}

static bool
rd_bool(struct rowreader *r)
{
	bool v = false;

	if (db_res_bool(r->res, r->row, r->col++, &v))
		r->err = -1;
	return v;
}

static void
fmt_i64(char *buf, size_t size, int64_t v)
{
	snprintf(buf, size, "%lld", (long long)v);
}

/* A filter parameter: a text[] of sv's strings, or NULL if sv is empty. */
static void
param_texts(struct db_params *p, const struct strvec *sv)
{
	if (sv && sv->nr)
		db_params_text_array(p, sv->v, sv->nr);
	else
		db_params_null(p);
}

/* A filter parameter: v, or NULL (no filter) if v is not positive. */
static void
param_positive(struct db_params *p, int64_t v)
{
	if (v > 0)
		db_params_int64(p, v);
	else
		db_params_null(p);
}

/* -- runs ------------------------------------------------------------- */

#define RUN_NCOLS 18
#define RUN_COLS                                                             \
	"l.logging_id, l.command, l.\"user\", l.hostname, l.pid, l.status, " \
	"l.exit_status, l.currently_processing, "                            \
	TS("l.processing_start_time") ", "                                   \
	TS("l.processing_end_time") ", "                                     \
	"extract(epoch FROM coalesce(l.processing_end_time, "                \
	"now() AT TIME ZONE 'UTC') - l.processing_start_time)::float8, "     \
	"nullif(l.comment, ''), l.files_ingested, l.files_duplicate, "       \
	"l.files_rejected, l.builds_ok, l.builds_failed, l.builds_skipped "
#define RUN_WORKED                                                           \
	"(l.files_ingested + l.files_duplicate + l.files_rejected + "        \
	"l.builds_ok + l.builds_failed + l.builds_skipped > 0)"

void
ss_runs_free(struct ss_run *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++) {
		free(r[i].command);
		free(r[i].user);
		free(r[i].hostname);
		free(r[i].started);
		free(r[i].ended);
		free(r[i].comment);
	}
	free(r);
}

static int
read_runs(const struct db_res *res, struct ss_run **out, size_t *n)
{
	struct ss_run *r;
	int nrows = db_res_nrows(res), err = 0;

	*out = NULL;
	*n = 0;
	if (db_res_check_shape(res, -1, RUN_NCOLS, "runs"))
		return -1;
	r = xcalloc((size_t)nrows + 1, sizeof(*r));
	for (int i = 0; i < nrows; i++) {
		struct rowreader rd;

		rd_init(&rd, res, i);
		r[i].id = rd_i64(&rd);
		r[i].command = rd_str(&rd);
		r[i].user = rd_str(&rd);
		r[i].hostname = rd_str(&rd);
		r[i].pid = rd_i64(&rd);
		r[i].status = (enum run_state)rd_state(&rd, "run", run_state_names);
		r[i].exit_status = rd_i64(&rd);
		r[i].current = rd_bool(&rd);
		r[i].started = rd_str(&rd);
		r[i].ended = rd_str(&rd);
		r[i].duration_s = rd_dbl(&rd);
		r[i].comment = rd_str(&rd);
		r[i].files_ingested = rd_i64(&rd);
		r[i].files_duplicate = rd_i64(&rd);
		r[i].files_rejected = rd_i64(&rd);
		r[i].builds_ok = rd_i64(&rd);
		r[i].builds_failed = rd_i64(&rd);
		r[i].builds_skipped = rd_i64(&rd);
		if (rd.err)
			err = -1;
	}
	if (err) {
		ss_runs_free(r, (size_t)nrows);
		return -1;
	}
	*out = r;
	*n = (size_t)nrows;
	return 0;
}

int
store_runs_list(struct db *db, const struct ss_run_filter *f,
		struct ss_run **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	db_params_text(&p, f->since);
	db_params_text(&p, f->until);
	db_params_text(&p, f->command);
	param_texts(&p, f->statuses);
	db_params_bool(&p, f->worked);
	param_positive(&p, f->limit);
	rc = db_query_params(db,
			     "SELECT " RUN_COLS "FROM public.logging l "
			     "WHERE ($1::timestamptz IS NULL OR "
			     "l.processing_start_time >= ($1::timestamptz AT "
			     "TIME ZONE 'UTC')) "
			     "AND ($2::timestamptz IS NULL OR "
			     "l.processing_start_time < ($2::timestamptz AT "
			     "TIME ZONE 'UTC')) "
			     "AND ($3::text IS NULL OR l.command = $3::text) "
			     "AND ($4::text[] IS NULL OR "
			     "l.status = ANY($4::text[])) "
			     "AND (NOT $5::boolean OR " RUN_WORKED ") "
			     "ORDER BY l.logging_id DESC LIMIT $6::bigint",
			     &p, 0, &res);
	db_params_release(&p);
	if (rc)
		return rc;
	rc = read_runs(res, out, n);
	db_res_free(res);
	return rc;
}

/* -- builds ----------------------------------------------------------- */

#define BUILD_NCOLS 25
#define BUILD_COLS                                                           \
	"b.build_id, b.batch_id, b.logging_id, p.process_name, "             \
	"op.product_name, b.output_key, b.utc_file_date::text, b.status, "   \
	"b.attempt, b.exit_code, b.term_signal, b.pid, b.max_rss_kb, "       \
	"b.reason, b.hostname, b.log_path, "                                 \
	TS("b.queued_at") ", " TS("b.started_at") ", " TS("b.ended_at") ", " \
	"extract(epoch FROM coalesce(b.ended_at, CASE WHEN b.status IN "     \
	"('running', 'recording') THEN now() END) - b.started_at)::float8, " \
	"b.cpu_user_s, b.cpu_sys_s, cardinality(b.input_file_ids), "         \
	"c.interface_version || '.' || c.quality_version || '.' || "         \
	"c.revision_version, b.code_id "
#define BUILD_FROM                                                           \
	"FROM public.build b JOIN public.process p ON p.process_id = "       \
	"b.process_id LEFT JOIN public.product op ON op.product_id = "       \
	"p.output_product LEFT JOIN public.code c ON c.code_id = b.code_id "

static void
build_release(struct ss_build *b)
{
	free(b->process);
	free(b->product);
	free(b->output_key);
	free(b->utc_file_date);
	free(b->reason);
	free(b->hostname);
	free(b->log_path);
	free(b->queued);
	free(b->started);
	free(b->ended);
	free(b->code_version);
	free(b->code_path);
	free(b->code_sha256);
	free(b->output_filename);
	free(b->output_version);
	free(b->cache_key);
	strvec_clear(&b->argv);
	for (size_t i = 0; b->inputs && i < b->n_input_rows; i++) {
		free(b->inputs[i].filename);
		free(b->inputs[i].product);
		free(b->inputs[i].version);
		free(b->inputs[i].utc_file_date);
	}
	free(b->inputs);
}

void
ss_builds_free(struct ss_build *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++)
		build_release(&b[i]);
	free(b);
}

/* the BUILD_COLS part of row i into *b; rd continues after them */
static void
read_build_cols(struct rowreader *rd, struct ss_build *b)
{
	strvec_init(&b->argv);
	b->id = rd_i64(rd);
	b->batch_id = rd_i64(rd);
	b->logging_id = rd_i64(rd);
	b->process = rd_str(rd);
	b->product = rd_str(rd);
	b->output_key = rd_str(rd);
	b->utc_file_date = rd_str(rd);
	b->status = (enum build_state)rd_state(rd, "build", build_state_names);
	b->attempt = rd_i64(rd);
	b->exit_code = rd_i64(rd);
	b->term_signal = rd_i64(rd);
	b->pid = rd_i64(rd);
	b->max_rss_kb = rd_i64(rd);
	b->reason = rd_str(rd);
	b->hostname = rd_str(rd);
	b->log_path = rd_str(rd);
	b->queued = rd_str(rd);
	b->started = rd_str(rd);
	b->ended = rd_str(rd);
	b->duration_s = rd_dbl(rd);
	b->cpu_user_s = rd_dbl(rd);
	b->cpu_sys_s = rd_dbl(rd);
	b->n_inputs = rd_i64(rd);
	b->code_version = rd_str(rd);
	b->code_id = rd_i64(rd);
	b->output_file_id = SS_NULL;
	b->version_bump = SS_NULL;
}

static int
read_builds(const struct db_res *res, struct ss_build **out, size_t *n)
{
	struct ss_build *b;
	int nrows = db_res_nrows(res), err = 0;

	*out = NULL;
	*n = 0;
	if (db_res_check_shape(res, -1, BUILD_NCOLS, "builds"))
		return -1;
	b = xcalloc((size_t)nrows + 1, sizeof(*b));
	for (int i = 0; i < nrows; i++) {
		struct rowreader rd;

		rd_init(&rd, res, i);
		read_build_cols(&rd, &b[i]);
		if (rd.err)
			err = -1;
	}
	if (err) {
		ss_builds_free(b, (size_t)nrows);
		return -1;
	}
	*out = b;
	*n = (size_t)nrows;
	return 0;
}

int
store_builds_list(struct db *db, const struct ss_build_filter *f,
		  struct ss_build **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	db_params_text(&p, f->process);
	db_params_text(&p, f->product);
	db_params_text(&p, f->from);
	db_params_text(&p, f->to);
	param_texts(&p, f->states);
	param_positive(&p, f->limit);
	rc = db_query_params(db,
			     "SELECT " BUILD_COLS BUILD_FROM
			     "WHERE ($1::text IS NULL OR "
			     "p.process_name = $1::text) "
			     "AND ($2::text IS NULL OR "
			     "op.product_name = $2::text) "
			     "AND ($3::timestamptz IS NULL OR "
			     "coalesce(b.started_at, b.queued_at) >= "
			     "$3::timestamptz) "
			     "AND ($4::timestamptz IS NULL OR "
			     "coalesce(b.started_at, b.queued_at) < "
			     "$4::timestamptz) "
			     "AND ($5::text[] IS NULL OR "
			     "b.status = ANY($5::text[])) "
			     "ORDER BY b.build_id DESC LIMIT $6::bigint",
			     &p, 0, &res);
	db_params_release(&p);
	if (rc)
		return rc;
	rc = read_builds(res, out, n);
	db_res_free(res);
	return rc;
}

static int
read_build_argv(struct db *db, const char *id, struct ss_build *b)
{
	const char *params[] = {id};
	struct db_res *res = NULL;
	int rc;

	rc = db_query(db,
		      "SELECT u.a FROM public.build b CROSS JOIN LATERAL "
		      "unnest(b.argv) WITH ORDINALITY AS u(a, n) "
		      "WHERE b.build_id = $1::bigint ORDER BY u.n",
		      1, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 1, "build argv")) {
		db_res_free(res);
		return -1;
	}
	for (int i = 0; i < db_res_nrows(res); i++) {
		const char *v = db_res_get(res, i, 0);

		strvec_push(&b->argv, v ? v : "");
	}
	db_res_free(res);
	return 0;
}

static int
read_build_inputs(struct db *db, const char *id, struct ss_build *b)
{
	const char *params[] = {id};
	struct db_res *res = NULL;
	int nrows, rc;

	rc = db_query(db,
		      "SELECT u.id, f.file_id IS NOT NULL, f.filename, "
		      "p.product_name, f.interface_version || '.' || "
		      "f.quality_version || '.' || f.revision_version, "
		      "f.utc_file_date::text "
		      "FROM public.build b CROSS JOIN LATERAL "
		      "unnest(b.input_file_ids) WITH ORDINALITY AS u(id, n) "
		      "LEFT JOIN public.file f ON f.file_id = u.id "
		      "LEFT JOIN public.product p ON p.product_id = "
		      "f.product_id "
		      "WHERE b.build_id = $1::bigint ORDER BY u.n",
		      1, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 6, "build inputs")) {
		db_res_free(res);
		return -1;
	}
	nrows = db_res_nrows(res);
	b->inputs = xcalloc((size_t)nrows + 1, sizeof(*b->inputs));
	b->n_input_rows = (size_t)nrows;
	for (int i = 0; i < nrows; i++) {
		struct rowreader rd;
		struct ss_input *in = &b->inputs[i];

		rd_init(&rd, res, i);
		in->file_id = rd_i64(&rd);
		in->exists = rd_bool(&rd);
		in->filename = rd_str(&rd);
		in->product = rd_str(&rd);
		in->version = rd_str(&rd);
		in->utc_file_date = rd_str(&rd);
		if (rd.err)
			rc = -1;
	}
	db_res_free(res);
	return rc;
}

int
store_build_get(struct db *db, int64_t id, struct ss_build **out)
{
	struct db_res *res = NULL;
	struct ss_build *b = NULL;
	struct rowreader rd;
	char idbuf[32];
	const char *params[] = {idbuf};
	int rc;

	*out = NULL;
	fmt_i64(idbuf, sizeof(idbuf), id);
	rc = db_query(db,
		      "SELECT " BUILD_COLS
		      ", CASE WHEN c.code_id IS NULL THEN NULL "
		      "WHEN c.relative_path LIKE '/%' THEN c.relative_path || "
		      "'/' || c.filename ELSE CASE WHEN coalesce(m.codedir, "
		      "'') = '' THEN m.rootdir WHEN m.codedir LIKE '/%' THEN "
		      "m.codedir ELSE m.rootdir || '/' || m.codedir END || "
		      "'/' || c.relative_path || '/' || c.filename END, "
		      "c.sha256, coalesce(of.filename, b.output_filename), "
		      "coalesce(of.interface_version || '.' || "
		      "of.quality_version || '.' || of.revision_version, "
		      "b.output_version), b.output_file_id, b.version_bump, "
		      "b.cache_key, b.argv IS NOT NULL " BUILD_FROM
		      "LEFT JOIN public.file of ON of.file_id = "
		      "b.output_file_id "
		      "LEFT JOIN public.mission m ON m.mission_id = "
		      "(SELECT min(mission_id) FROM public.mission) "
		      "WHERE b.build_id = $1::bigint LIMIT 1",
		      1, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, BUILD_NCOLS + 8, "build")) {
		db_res_free(res);
		return -1;
	}
	if (db_res_nrows(res) == 0) {
		db_res_free(res);
		return 0;
	}
	b = xcalloc(1, sizeof(*b));
	rd_init(&rd, res, 0);
	read_build_cols(&rd, b);
	b->code_path = rd_str(&rd);
	b->code_sha256 = rd_str(&rd);
	b->output_filename = rd_str(&rd);
	b->output_version = rd_str(&rd);
	b->output_file_id = rd_i64(&rd);
	b->version_bump = rd_i64(&rd);
	b->cache_key = rd_str(&rd);
	b->have_argv = rd_bool(&rd);
	rc = rd.err;
	db_res_free(res);
	if (!rc)
		rc = read_build_argv(db, idbuf, b);
	if (!rc)
		rc = read_build_inputs(db, idbuf, b);
	if (rc) {
		ss_builds_free(b, 1);
		return rc;
	}
	*out = b;
	return 0;
}

/* -- batches ---------------------------------------------------------- */

#define BATCH_NCOLS 15
#define BATCH_COLS                                                           \
	"t.batch_id, t.logging_id, t.pid, t.kind, t.state, t.hostname, "     \
	"t.size, t.done_count, t.attempts, t.first_key, t.last_key, "        \
	"t.summary, " TS("t.created_at") ", " TS("t.started_at") ", "        \
	TS("t.ended_at") " "

void
ss_batches_free(struct ss_batch *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++) {
		free(b[i].kind);
		free(b[i].hostname);
		free(b[i].first_key);
		free(b[i].last_key);
		free(b[i].summary);
		free(b[i].created);
		free(b[i].started);
		free(b[i].ended);
	}
	free(b);
}

static int
read_batches(const struct db_res *res, struct ss_batch **out, size_t *n)
{
	struct ss_batch *b;
	int nrows = db_res_nrows(res), err = 0;

	*out = NULL;
	*n = 0;
	if (db_res_check_shape(res, -1, BATCH_NCOLS, "batches"))
		return -1;
	b = xcalloc((size_t)nrows + 1, sizeof(*b));
	for (int i = 0; i < nrows; i++) {
		struct rowreader rd;

		rd_init(&rd, res, i);
		b[i].id = rd_i64(&rd);
		b[i].logging_id = rd_i64(&rd);
		b[i].pid = rd_i64(&rd);
		b[i].kind = rd_str(&rd);
		b[i].state =
		    (enum batch_state)rd_state(&rd, "batch", batch_state_names);
		b[i].hostname = rd_str(&rd);
		b[i].size = rd_i64(&rd);
		b[i].done_count = rd_i64(&rd);
		b[i].attempts = rd_i64(&rd);
		b[i].first_key = rd_str(&rd);
		b[i].last_key = rd_str(&rd);
		b[i].summary = rd_str(&rd);
		b[i].created = rd_str(&rd);
		b[i].started = rd_str(&rd);
		b[i].ended = rd_str(&rd);
		if (rd.err)
			err = -1;
	}
	if (err) {
		ss_batches_free(b, (size_t)nrows);
		return -1;
	}
	*out = b;
	*n = (size_t)nrows;
	return 0;
}

/* -- failures --------------------------------------------------------- */

#define FAILURE_NCOLS 16
#define FAILURE_GROUP                                                        \
	"CASE WHEN f.build_id IS NOT NULL THEN coalesce(p.process_name, "   \
	"'?') WHEN f.batch_id IS NOT NULL THEN 'batch' ELSE 'ingest' END"
#define FAILURE_FROM                                                         \
	"FROM public.failure f LEFT JOIN public.build b ON b.build_id = "    \
	"f.build_id LEFT JOIN public.process p ON p.process_id = "           \
	"b.process_id "

void
ss_failures_free(struct ss_failure *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].group);
		free(f[i].output_key);
		free(f[i].filename);
		free(f[i].kind);
		free(f[i].reason);
		free(f[i].stderr_tail);
		free(f[i].occurred);
		free(f[i].resolved_at);
		free(f[i].resolved_by);
		free(f[i].note);
		free(f[i].error_path);
	}
	free(f);
}

int
store_failures_list(struct db *db, const struct ss_failure_filter *f,
		    struct ss_failure **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	struct ss_failure *v = NULL;
	int nrows, rc;

	*out = NULL;
	*n = 0;
	db_params_bool(&p, f->all);
	db_params_text(&p, f->kind);
	db_params_text(&p, f->group);
	if (f->n_ids)
		db_params_int64_array(&p, f->ids, f->n_ids);
	else
		db_params_null(&p);
	if (f->build_id)
		db_params_int64(&p, f->build_id);
	else
		db_params_null(&p);
	/* two fixed texts: with and without the row locks */
#define FAILURES_SQL                                                         \
	"SELECT f.failure_id, f.logging_id, f.build_id, f.batch_id, "        \
	FAILURE_GROUP ", b.output_key, f.filename, f.kind, f.reason, "       \
	"f.stderr_tail, " TS("f.occurred_at") ", f.resolved, "               \
	TS("f.resolved_at") ", f.resolved_by, f.note, f.error_path "         \
	FAILURE_FROM                                                         \
	"WHERE ($1::boolean OR NOT f.resolved) "                             \
	"AND ($2::text IS NULL OR f.kind = $2::text) "                       \
	"AND ($3::text IS NULL OR " FAILURE_GROUP " = $3::text) "            \
	"AND ($4::bigint[] IS NULL OR f.failure_id = ANY($4::bigint[])) "    \
	"AND ($5::bigint IS NULL OR f.build_id = $5::bigint) "               \
	"ORDER BY 5, f.kind, f.failure_id"
	rc = db_query_params(db,
			     f->for_update ? FAILURES_SQL " FOR UPDATE OF f"
					   : FAILURES_SQL,
			     &p, 0, &res);
#undef FAILURES_SQL
	db_params_release(&p);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, FAILURE_NCOLS, "failures")) {
		db_res_free(res);
		return -1;
	}
	nrows = db_res_nrows(res);
	v = xcalloc((size_t)nrows + 1, sizeof(*v));
	for (int i = 0; i < nrows; i++) {
		struct rowreader rd;

		rd_init(&rd, res, i);
		v[i].id = rd_i64(&rd);
		v[i].logging_id = rd_i64(&rd);
		v[i].build_id = rd_i64(&rd);
		v[i].batch_id = rd_i64(&rd);
		v[i].group = rd_str(&rd);
		v[i].output_key = rd_str(&rd);
		v[i].filename = rd_str(&rd);
		v[i].kind = rd_str(&rd);
		v[i].reason = rd_str(&rd);
		v[i].stderr_tail = rd_str(&rd);
		v[i].occurred = rd_str(&rd);
		v[i].resolved = rd_bool(&rd);
		v[i].resolved_at = rd_str(&rd);
		v[i].resolved_by = rd_str(&rd);
		v[i].note = rd_str(&rd);
		v[i].error_path = rd_str(&rd);
		if (rd.err)
			rc = -1;
	}
	db_res_free(res);
	if (rc) {
		ss_failures_free(v, (size_t)nrows);
		return rc;
	}
	*out = v;
	*n = (size_t)nrows;
	return 0;
}

int
store_failures_resolve(struct db *db, const int64_t *ids, size_t n,
		       const char *by, const char *note, long *changed)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int64_t count = 0;
	int rc;

	*changed = 0;
	db_params_int64_array(&p, ids, n);
	db_params_text(&p, by);
	db_params_text(&p, note);
	rc = db_query_params(db,
			     "WITH u AS (UPDATE public.failure SET resolved = "
			     "true, resolved_at = now(), resolved_by = "
			     "$2::text, note = $3::text WHERE failure_id = "
			     "ANY($1::bigint[]) AND NOT resolved RETURNING 1) "
			     "SELECT count(*) FROM u",
			     &p, 0, &res);
	db_params_release(&p);
	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 1, "resolved failures") ||
	    db_res_int64(res, 0, 0, &count))
		rc = -1;
	db_res_free(res);
	*changed = (long)count;
	return rc;
}

int
store_failures_retry(struct db *db, const int64_t *ids, size_t n,
		     int64_t run_id, const char *by, struct ss_retry_counts *c)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int64_t v[4] = {0, 0, 0, 0};
	int rc;

	memset(c, 0, sizeof(*c));
	db_params_int64_array(&p, ids, n);
	db_params_int64(&p, run_id);
	db_params_text(&p, by);
	/*
	 * A batch failure stands for the batch's builds that did not
	 * succeed (a poisoned batch's open builds were cancelled).  All the
	 * data-modifying parts see the same snapshot, and touch different
	 * tables, so their order does not matter.
	 */
	rc = db_query_params(
		db,
		"WITH f AS (SELECT failure_id, build_id, batch_id FROM "
		"public.failure WHERE failure_id = ANY($1::bigint[]) AND NOT "
		"resolved AND (build_id IS NOT NULL OR batch_id IS NOT NULL)), "
		"b AS (SELECT DISTINCT ON (x.build_id) f.failure_id, "
		"x.build_id, x.process_id, x.output_key, x.input_file_ids "
		"FROM f JOIN public.build x ON x.build_id = f.build_id OR "
		"(f.build_id IS NULL AND x.batch_id = f.batch_id AND x.status "
		"IN ('failed', 'timed_out', 'killed', 'bad', 'cancelled')) "
		"ORDER BY x.build_id, f.failure_id), "
		"q AS (INSERT INTO public.processqueue (file_id, logging_id, "
		"reason) SELECT DISTINCT ON (fi.file_id) fi.file_id, "
		"$2::bigint, 'retry of failure ' || b.failure_id FROM b JOIN "
		"public.file fi ON fi.file_id = ANY(b.input_file_ids) "
		"ORDER BY fi.file_id, b.failure_id "
		"ON CONFLICT (file_id) DO NOTHING RETURNING 1), "
		"c AS (UPDATE public.build x SET status = 'cancelled' WHERE "
		"x.status IN ('bad', 'failed') AND (x.process_id, "
		"x.output_key) IN (SELECT process_id, output_key FROM b) "
		"RETURNING 1), "
		"t AS (UPDATE public.batch t SET state = 'cancelled', "
		"ended_at = coalesce(t.ended_at, now()) WHERE t.state IN "
		"('bad', 'failed') AND t.batch_id IN (SELECT batch_id FROM f "
		"WHERE build_id IS NULL) RETURNING 1), "
		"r AS (UPDATE public.failure SET resolved = true, resolved_at "
		"= now(), resolved_by = $3::text, note = 'retried' WHERE "
		"failure_id IN (SELECT failure_id FROM f) RETURNING 1) "
		"SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM q), "
		"(SELECT count(*) FROM c), (SELECT count(*) FROM t)",
		&p, 0, &res);
	db_params_release(&p);
	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 4, "retried failures"))
		rc = -1;
	for (int i = 0; !rc && i < 4; i++)
		if (db_res_int64(res, 0, i, &v[i]))
			rc = -1;
	db_res_free(res);
	c->failures = (long)v[0];
	c->queued = (long)v[1];
	c->cancelled = (long)v[2];
	c->batches = (long)v[3];
	return rc;
}

int
store_name_exists(struct db *db, enum ss_name_kind kind, const char *name,
		  bool *exists)
{
	const char *params[] = {name};
	struct db_res *res = NULL;
	int rc;

	*exists = false;
	rc = db_query(db,
		      kind == SS_PROCESS
			      ? "SELECT EXISTS (SELECT 1 FROM public.process "
				"WHERE process_name = $1::text)"
			      : "SELECT EXISTS (SELECT 1 FROM public.product "
				"WHERE product_name = $1::text)",
		      1, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 1, "name lookup") ||
	    db_res_bool(res, 0, 0, exists))
		rc = -1;
	db_res_free(res);
	return rc;
}

/* -- status ----------------------------------------------------------- */

static void
counts_free(struct ss_count *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].name);
		free(c[i].kind);
		free(c[i].oldest);
	}
	free(c);
}

void
ss_status_release(struct ss_status *s)
{
	free(s->now);
	counts_free(s->queue, s->n_queue);
	free(s->oldest_filename);
	free(s->oldest_product);
	free(s->oldest_queued);
	counts_free(s->build_states, s->n_build_states);
	ss_builds_free(s->running, s->n_running);
	ss_runs_free(s->runs, s->n_runs);
	ss_batches_free(s->batches, s->n_batches);
	counts_free(s->failures, s->n_failures);
	memset(s, 0, sizeof(*s));
}

/*
 * Rows of (name, [kind,] count, oldest) into *out.  with_kind says
 * whether the second column is a kind.
 */
static int
query_counts(struct db *db, const char *sql, bool with_kind,
	     struct ss_count **out, size_t *n)
{
	struct db_res *res = NULL;
	struct ss_count *c;
	int nrows, rc;

	*out = NULL;
	*n = 0;
	rc = db_query(db, sql, 0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, with_kind ? 4 : 3, "counts")) {
		db_res_free(res);
		return -1;
	}
	nrows = db_res_nrows(res);
	c = xcalloc((size_t)nrows + 1, sizeof(*c));
	for (int i = 0; i < nrows; i++) {
		struct rowreader rd;

		rd_init(&rd, res, i);
		c[i].name = rd_str(&rd);
		c[i].kind = with_kind ? rd_str(&rd) : NULL;
		c[i].count = rd_i64(&rd);
		c[i].oldest = rd_str(&rd);
		if (rd.err)
			rc = -1;
	}
	db_res_free(res);
	*out = c;
	*n = (size_t)nrows;
	return rc;
}

/* status: the queue by product, and its oldest entry */
static int
read_queue(struct db *db, struct ss_status *s)
{
	struct db_res *res = NULL;
	int rc;

	rc = query_counts(db,
			  "SELECT p.product_name, count(*), "
			  TS("min(q.queued_at)")
			  " FROM public.processqueue q "
			  "JOIN public.file f ON f.file_id = q.file_id "
			  "JOIN public.product p ON p.product_id = f.product_id "
			  "GROUP BY p.product_name ORDER BY p.product_name",
			  false, &s->queue, &s->n_queue);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->n_queue; i++)
		s->queue_total += s->queue[i].count;

	rc = db_query(db,
		      "SELECT q.file_id, f.filename, p.product_name, "
		      TS("q.queued_at")
		      " FROM public.processqueue q "
		      "JOIN public.file f ON f.file_id = q.file_id "
		      "JOIN public.product p ON p.product_id = f.product_id "
		      "ORDER BY q.queued_at, q.seq LIMIT 1",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 4, "oldest queue entry")) {
		db_res_free(res);
		return -1;
	}
	if (db_res_nrows(res) == 1) {
		struct rowreader rd;

		rd_init(&rd, res, 0);
		s->oldest_file_id = rd_i64(&rd);
		s->oldest_filename = rd_str(&rd);
		s->oldest_product = rd_str(&rd);
		s->oldest_queued = rd_str(&rd);
		rc = rd.err;
	}
	db_res_free(res);
	if (rc)
		return rc;
	return 0;
}

/* status: the runs and batches that are open or among the most recent */
static int
read_recent(struct db *db, int recent, struct ss_status *s)
{
	struct db_res *res = NULL;
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, recent);
	rc = db_query_params(db,
		      "SELECT * FROM (SELECT " RUN_COLS
		      "FROM public.logging l WHERE l.status = 'running' "
		      "UNION ALL (SELECT " RUN_COLS
		      "FROM public.logging l WHERE l.status <> 'running' "
		      "ORDER BY l.logging_id DESC LIMIT $1::bigint)) r "
		      "ORDER BY r.logging_id DESC",
		      &p, 0, &res);
	if (rc)
		goto out;
	rc = read_runs(res, &s->runs, &s->n_runs);
	db_res_free(res);
	if (rc)
		goto out;

	rc = db_query_params(db,
		      "SELECT * FROM (SELECT " BATCH_COLS
		      "FROM public.batch t WHERE t.state IN ('planned', "
		      "'running') UNION ALL (SELECT " BATCH_COLS
		      "FROM public.batch t WHERE t.state NOT IN ('planned', "
		      "'running') ORDER BY t.batch_id DESC LIMIT $1::bigint)) "
		      "x ORDER BY x.batch_id DESC",
		      &p, 0, &res);
	if (rc)
		goto out;
	rc = read_batches(res, &s->batches, &s->n_batches);
	db_res_free(res);
out:
	db_params_release(&p);
	return rc;
}

static int
read_status(struct db *db, int recent, struct ss_status *s)
{
	struct db_res *res = NULL;
	int rc;

	rc = db_query(db, "SELECT " TS("now()"), 0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, 1, 1, "now")) {
		db_res_free(res);
		return -1;
	}
	s->now = xstrdup(db_res_get(res, 0, 0));
	db_res_free(res);

	rc = read_queue(db, s);
	if (rc)
		return rc;

	rc = query_counts(db,
			  "SELECT status, count(*), NULL::text FROM "
			  "public.build GROUP BY status ORDER BY "
			  "array_position(ARRAY['queued', 'starting', "
			  "'running', 'recording', 'succeeded', 'failed', "
			  "'timed_out', 'killed', 'bad', 'skipped', "
			  "'cancelled']::text[], status::text), status",
			  false, &s->build_states, &s->n_build_states);
	if (rc)
		return rc;

	rc = db_query(db,
		      "SELECT " BUILD_COLS BUILD_FROM
		      "WHERE b.status IN ('starting', 'running', 'recording') "
		      "ORDER BY b.build_id",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	rc = read_builds(res, &s->running, &s->n_running);
	db_res_free(res);
	if (rc)
		return rc;

	rc = read_recent(db, recent, s);
	if (rc)
		return rc;

	rc = query_counts(db,
			  "SELECT " FAILURE_GROUP ", f.kind, count(*), "
			  TS("min(f.occurred_at)") " " FAILURE_FROM
			  "WHERE NOT f.resolved GROUP BY 1, 2 ORDER BY 1, 2",
			  true, &s->failures, &s->n_failures);
	if (rc)
		return rc;
	for (size_t i = 0; i < s->n_failures; i++)
		s->failures_total += s->failures[i].count;
	return 0;
}

int
store_status_read(struct db *db, int recent, struct ss_status *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = db_begin(db)))
		return rc;
	/* one snapshot, so that the counts and lists agree */
	rc = db_exec(db, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, "
			 "READ ONLY");
	if (!rc)
		rc = read_status(db, recent, s);
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		ss_status_release(s);
	}
	return rc;
}

/* -- stats ------------------------------------------------------------ */

void
ss_stats_release(struct ss_stats *s)
{
	for (size_t i = 0; s->procs && i < s->n_procs; i++) {
		free(s->procs[i].process);
		free(s->procs[i].product);
	}
	free(s->procs);
	memset(s, 0, sizeof(*s));
}

int
store_stats_read(struct db *db, const char *from, const char *to,
		 struct ss_stats *s)
{
	struct db_res *res = NULL;
	const char *params[] = {from, to};
	int nrows, rc;

	memset(s, 0, sizeof(*s));
	/*
	 * The period filter sits in the join condition, so that a process
	 * with no build in the period still has its row.  Durations count
	 * finished builds only.
	 */
	rc = db_query(
		db,
		"SELECT p.process_name, op.product_name, count(b.build_id), "
		"count(*) FILTER (WHERE b.status = 'succeeded'), "
		"count(*) FILTER (WHERE b.status IN ('failed', 'timed_out', "
		"'killed')), "
		"count(*) FILTER (WHERE b.status = 'bad'), "
		"count(*) FILTER (WHERE b.status IN ('queued', 'starting', "
		"'running', 'recording')), "
		"count(*) FILTER (WHERE b.status = 'cancelled'), "
		"min(extract(epoch FROM b.ended_at - b.started_at))::float8, "
		"avg(extract(epoch FROM b.ended_at - b.started_at))::float8, "
		"max(extract(epoch FROM b.ended_at - b.started_at))::float8, "
		"sum(extract(epoch FROM b.ended_at - b.started_at))::float8, "
		"sum(coalesce(b.cpu_user_s, 0) + coalesce(b.cpu_sys_s, 0)) "
		"FILTER (WHERE b.cpu_user_s IS NOT NULL OR b.cpu_sys_s IS NOT "
		"NULL), max(b.max_rss_kb) "
		"FROM public.process p LEFT JOIN public.product op ON "
		"op.product_id = p.output_product "
		"LEFT JOIN public.build b ON b.process_id = p.process_id "
		"AND ($1::timestamptz IS NULL OR b.started_at >= "
		"$1::timestamptz) AND ($2::timestamptz IS NULL OR "
		"b.started_at < $2::timestamptz) "
		"GROUP BY p.process_id, p.process_name, op.product_name, "
		"op.level ORDER BY op.level NULLS LAST, p.process_name",
		2, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 14, "process statistics")) {
		db_res_free(res);
		return -1;
	}
	nrows = db_res_nrows(res);
	s->procs = xcalloc((size_t)nrows + 1, sizeof(*s->procs));
	s->n_procs = (size_t)nrows;
	for (int i = 0; i < nrows; i++) {
		struct ss_process_stats *p = &s->procs[i];
		struct rowreader rd;

		rd_init(&rd, res, i);
		p->process = rd_str(&rd);
		p->product = rd_str(&rd);
		p->builds = rd_i64(&rd);
		p->ok = rd_i64(&rd);
		p->failed = rd_i64(&rd);
		p->bad = rd_i64(&rd);
		p->open = rd_i64(&rd);
		p->cancelled = rd_i64(&rd);
		p->min_s = rd_dbl(&rd);
		p->mean_s = rd_dbl(&rd);
		p->max_s = rd_dbl(&rd);
		p->total_s = rd_dbl(&rd);
		p->cpu_s = rd_dbl(&rd);
		p->max_rss_kb = rd_i64(&rd);
		if (rd.err)
			rc = -1;
	}
	db_res_free(res);
	if (rc)
		goto fail;

	rc = db_query(db,
		      "SELECT count(*), count(*) FILTER (WHERE " RUN_WORKED
		      "), coalesce(sum(l.files_ingested), 0), "
		      "coalesce(sum(l.files_duplicate), 0), "
		      "coalesce(sum(l.files_rejected), 0), "
		      "coalesce(sum(l.builds_ok), 0), "
		      "coalesce(sum(l.builds_failed), 0), "
		      "coalesce(sum(l.builds_skipped), 0) "
		      "FROM public.logging l "
		      "WHERE ($1::timestamptz IS NULL OR "
		      "l.processing_start_time >= ($1::timestamptz AT TIME "
		      "ZONE 'UTC')) AND ($2::timestamptz IS NULL OR "
		      "l.processing_start_time < ($2::timestamptz AT TIME "
		      "ZONE 'UTC'))",
		      2, params, 0, &res);
	if (rc)
		goto fail;
	if (db_res_check_shape(res, 1, 8, "run totals")) {
		rc = -1;
	} else {
		struct rowreader rd;

		rd_init(&rd, res, 0);
		s->runs = rd_i64(&rd);
		s->runs_worked = rd_i64(&rd);
		s->files_ingested = rd_i64(&rd);
		s->files_duplicate = rd_i64(&rd);
		s->files_rejected = rd_i64(&rd);
		s->builds_ok = rd_i64(&rd);
		s->builds_failed = rd_i64(&rd);
		s->builds_skipped = rd_i64(&rd);
		rc = rd.err;
	}
	db_res_free(res);
	if (!rc)
		return 0;
fail:
	ss_stats_release(s);
	return rc;
}
