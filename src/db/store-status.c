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

/*
 * Rows are read through column tables (db.h): nullable integers give
 * SS_NULL (DB_NULL_INT64), nullable doubles NaN, text NULL; the states
 * through their state.h parsers.
 */
#define I64(st, m) DB_COLF(DB_INT64, st, m, DB_NULLABLE)
#define DBL(st, m) DB_COLF(DB_DOUBLE, st, m, DB_NULLABLE)
#define TXT(st, m) DB_COL(DB_TEXT, st, m)
#define BOOL(st, m) DB_COL(DB_BOOL, st, m)

_Static_assert(SS_NULL == DB_NULL_INT64, "SS_NULL is db.h's NULL bigint");

static int
parse_run_state(const char *s, void *out)
{
	return run_state_parse(s, out);
}

static int
parse_build_state(const char *s, void *out)
{
	return build_state_parse(s, out);
}

static int
parse_batch_state(const char *s, void *out)
{
	return batch_state_parse(s, out);
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

#define RUN_COLS                                                             \
	"l.logging_id, l.command, l.\"user\", l.hostname, l.pid, l.status, " \
	"l.exit_status, l.currently_processing, "                            \
	TS("l.processing_start_time") ", "                                   \
	TS("l.processing_end_time") ", "                                     \
	"extract(epoch FROM coalesce(l.processing_end_time, "                \
	"now() AT TIME ZONE 'UTC') - l.processing_start_time)::float8, "     \
	"nullif(l.comment, ''), l.files_ingested, l.files_duplicate, "       \
	"l.files_rejected, l.builds_ok, l.builds_failed, l.builds_skipped, " \
	"coalesce(ru.n, 0) AS builds_reused "
/*
 * the runs, with how many of their builds were reused: one pass over
 * the reused builds (a partial index), not one per run
 */
#define RUN_FROM                                                             \
	"FROM public.logging l LEFT JOIN (SELECT rb.logging_id, count(*) "   \
	"AS n FROM public.build rb WHERE rb.reused_from_build_id IS NOT "    \
	"NULL GROUP BY rb.logging_id) ru ON ru.logging_id = l.logging_id "
#define RUN_WORKED                                                           \
	"(l.files_ingested + l.files_duplicate + l.files_rejected + "        \
	"l.builds_ok + l.builds_failed + l.builds_skipped > 0)"

/* RUN_COLS in order */
static const struct db_col run_cols[] = {
	I64(struct ss_run, id),
	TXT(struct ss_run, command),
	TXT(struct ss_run, user),
	TXT(struct ss_run, hostname),
	I64(struct ss_run, pid),
	DB_COL_PARSE(struct ss_run, status, parse_run_state),
	I64(struct ss_run, exit_status),
	BOOL(struct ss_run, current),
	TXT(struct ss_run, started),
	TXT(struct ss_run, ended),
	DBL(struct ss_run, duration_s),
	TXT(struct ss_run, comment),
	I64(struct ss_run, files_ingested),
	I64(struct ss_run, files_duplicate),
	I64(struct ss_run, files_rejected),
	I64(struct ss_run, builds_ok),
	I64(struct ss_run, builds_failed),
	I64(struct ss_run, builds_skipped),
	I64(struct ss_run, builds_reused),
};
static const struct db_table run_table =
	DB_TABLE("runs", run_cols, struct ss_run);

void
ss_runs_free(struct ss_run *r, size_t n)
{
	db_rows_free(&run_table, r, n);
}

int
store_runs_list(struct db *db, const struct ss_run_filter *f,
		struct ss_run **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_text(&p, f->since);
	db_params_text(&p, f->until);
	db_params_text(&p, f->command);
	param_texts(&p, f->statuses);
	db_params_bool(&p, f->worked);
	param_positive(&p, f->limit);
	rc = db_query_rows(db,
			     "SELECT " RUN_COLS RUN_FROM
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
			     &p, 0, &run_table, out, n);
	db_params_release(&p);
	return rc;
}

/* -- builds ----------------------------------------------------------- */

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
	"c.revision_version, b.code_id, b.slurm_job_id, b.node, "            \
	"b.reused_from_build_id "
#define BUILD_FROM                                                           \
	"FROM public.build b JOIN public.process p ON p.process_id = "       \
	"b.process_id LEFT JOIN public.product op ON op.product_id = "       \
	"p.output_product LEFT JOIN public.code c ON c.code_id = b.code_id "

/* the detail columns (after BUILD_COLS), with BUILD_DETAIL_FROM */
#define BUILD_DETAIL_COLS                                                    \
	", CASE WHEN c.code_id IS NULL THEN NULL "                           \
	"WHEN c.relative_path LIKE '/%' THEN c.relative_path "               \
	"|| '/' || c.filename ELSE CASE WHEN coalesce("                      \
	"m.codedir, '') = '' THEN m.rootdir WHEN m.codedir "                 \
	"LIKE '/%' THEN m.codedir ELSE m.rootdir || '/' || "                 \
	"m.codedir END || '/' || c.relative_path || '/' || "                 \
	"c.filename END, c.filename, "                                       \
	"c.sha256, coalesce(of.filename, b.output_filename), "               \
	"coalesce(of.interface_version || '.' || "                           \
	"of.quality_version || '.' || of.revision_version, "                 \
	"b.output_version), b.output_file_id, b.version_bump, "              \
	"b.cache_key, b.content_key, b.argv IS NOT NULL "
#define BUILD_DETAIL_FROM                                                    \
	"LEFT JOIN public.file of ON of.file_id = b.output_file_id "         \
	"LEFT JOIN public.mission m ON m.mission_id = "                      \
	"(SELECT min(mission_id) FROM public.mission) "

/* BUILD_COLS in order, then the detail columns (BUILD_DETAIL_COLS) */
#define BUILD_COL_LIST                                                       \
	I64(struct ss_build, id), I64(struct ss_build, batch_id),            \
	I64(struct ss_build, logging_id), TXT(struct ss_build, process),     \
	TXT(struct ss_build, product), TXT(struct ss_build, output_key),     \
	TXT(struct ss_build, utc_file_date),                                 \
	DB_COL_PARSE(struct ss_build, status, parse_build_state),            \
	I64(struct ss_build, attempt), I64(struct ss_build, exit_code),      \
	I64(struct ss_build, term_signal), I64(struct ss_build, pid),        \
	I64(struct ss_build, max_rss_kb), TXT(struct ss_build, reason),      \
	TXT(struct ss_build, hostname), TXT(struct ss_build, log_path),      \
	TXT(struct ss_build, queued), TXT(struct ss_build, started),          \
	TXT(struct ss_build, ended), DBL(struct ss_build, duration_s),        \
	DBL(struct ss_build, cpu_user_s), DBL(struct ss_build, cpu_sys_s),    \
	I64(struct ss_build, n_inputs), TXT(struct ss_build, code_version),  \
	I64(struct ss_build, code_id), TXT(struct ss_build, slurm_job_id),   \
	TXT(struct ss_build, node), I64(struct ss_build, reused_from)
static const struct db_col build_cols[] = {BUILD_COL_LIST};
static const struct db_table build_table =
	DB_TABLE("builds", build_cols, struct ss_build);
static const struct db_col build_detail_cols[] = {
	BUILD_COL_LIST,
	TXT(struct ss_build, code_path),
	TXT(struct ss_build, code_filename),
	TXT(struct ss_build, code_sha256),
	TXT(struct ss_build, output_filename),
	TXT(struct ss_build, output_version),
	I64(struct ss_build, output_file_id),
	I64(struct ss_build, version_bump),
	TXT(struct ss_build, cache_key),
	TXT(struct ss_build, content_key),
	BOOL(struct ss_build, have_argv),
};
static const struct db_table build_detail_table =
	DB_TABLE("build", build_detail_cols, struct ss_build);

/* a build's inputs, in the order of read_build_inputs's query */
static const struct db_col input_cols[] = {
	I64(struct ss_input, file_id),
	BOOL(struct ss_input, exists),
	TXT(struct ss_input, filename),
	TXT(struct ss_input, product),
	TXT(struct ss_input, version),
	TXT(struct ss_input, utc_file_date),
};
static const struct db_table input_table =
	DB_TABLE("build inputs", input_cols, struct ss_input);

/* the argv and inputs of several builds: rows tagged with their build */
struct build_arg {
	int64_t build_id;
	char *arg;
};
static const struct db_col build_arg_cols[] = {
	DB_COL(DB_INT64, struct build_arg, build_id),
	DB_COLF(DB_TEXT, struct build_arg, arg, DB_EMPTY),
};
static const struct db_table build_arg_table =
	DB_TABLE("build arguments", build_arg_cols, struct build_arg);

struct build_input {
	int64_t build_id;
	struct ss_input in;
};
static const struct db_col build_input_cols[] = {
	DB_COL(DB_INT64, struct build_input, build_id),
	I64(struct build_input, in.file_id),
	BOOL(struct build_input, in.exists),
	TXT(struct build_input, in.filename),
	TXT(struct build_input, in.product),
	TXT(struct build_input, in.version),
	TXT(struct build_input, in.utc_file_date),
};
static const struct db_table build_input_table =
	DB_TABLE("build inputs", build_input_cols, struct build_input);

void
ss_builds_free(struct ss_build *b, size_t n)
{
	for (size_t i = 0; b && i < n; i++) {
		/* the detail table's text covers the list table's too */
		db_row_release(&build_detail_table, &b[i]);
		strvec_clear(&b[i].argv);
		db_rows_free(&input_table, b[i].inputs, b[i].n_input_rows);
		sw_reasons_free(b[i].reasons, b[i].n_reasons);
	}
	free(b);
}

/*
 * query_builds: rows of BUILD_COLS into *out, the detail fields not read
 * (empty argv, no output file, no bump)
 */
static int
query_builds(struct db *db, const char *sql, struct db_params *p,
	     struct ss_build **out, size_t *n)
{
	int rc = db_query_rows(db, sql, p, 0, &build_table, out, n);

	for (size_t i = 0; !rc && i < *n; i++) {
		strvec_init(&(*out)[i].argv);
		(*out)[i].output_file_id = SS_NULL;
		(*out)[i].version_bump = SS_NULL;
	}
	return rc;
}

/*
 * The reasons of builds b[0..n), in any order: one query, the reasons
 * handed out by build id.
 */
static int
read_builds_reasons(struct db *db, struct ss_build *b, size_t n)
{
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	struct sw_reason *r = NULL;
	size_t nr = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		ids[i] = b[i].id;
	rc = store_build_reasons(db, ids, n, &r, &nr);
	free(ids);
	for (size_t j = 0; !rc && j < nr;) {
		size_t k = j;
		struct ss_build *x = NULL;

		while (k < nr && r[k].build_id == r[j].build_id)
			k++;
		for (size_t i = 0; i < n && !x; i++)
			if (b[i].id == r[j].build_id)
				x = &b[i];
		if (x && !x->reasons) {
			/* the strings move to the build */
			x->reasons = xcalloc(k - j, sizeof(*x->reasons));
			x->n_reasons = k - j;
			memcpy(x->reasons, &r[j], (k - j) * sizeof(*r));
			memset(&r[j], 0, (k - j) * sizeof(*r));
		}
		j = k;
	}
	sw_reasons_free(r, nr);
	return rc;
}

/*
 * The argv and inputs of builds b[0..n) (ordered by build_id descending,
 * as store_builds_list gives them): two queries for all of them.
 */
static int
read_builds_provenance(struct db *db, struct ss_build *b, size_t n)
{
	struct db_params p = DB_PARAMS_INIT;
	struct build_arg *args = NULL;
	struct build_input *ins = NULL;
	size_t nargs = 0, nins = 0, j;
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	int rc;

	for (size_t i = 0; i < n; i++)
		ids[i] = b[i].id;
	db_params_int64_array(&p, ids, n);
	rc = db_query_rows(db,
			   "SELECT b.build_id, u.a FROM public.build b CROSS "
			   "JOIN LATERAL unnest(b.argv) WITH ORDINALITY AS "
			   "u(a, n) WHERE b.build_id = ANY($1::bigint[]) "
			   "ORDER BY b.build_id DESC, u.n",
			   &p, 0, &build_arg_table, &args, &nargs);
	if (!rc)
		rc = db_query_rows(
			db,
			"SELECT b.build_id, u.id, f.file_id IS NOT NULL, "
			"f.filename, p.product_name, f.interface_version || "
			"'.' || f.quality_version || '.' || f.revision_version, "
			"f.utc_file_date::text "
			"FROM public.build b CROSS JOIN LATERAL "
			"unnest(b.input_file_ids) WITH ORDINALITY AS u(id, n) "
			"LEFT JOIN public.file f ON f.file_id = u.id "
			"LEFT JOIN public.product p ON p.product_id = "
			"f.product_id WHERE b.build_id = ANY($1::bigint[]) "
			"ORDER BY b.build_id DESC, u.n",
			&p, 0, &build_input_table, &ins, &nins);
	db_params_release(&p);
	free(ids);
	if (rc)
		goto out;
	j = 0;
	for (size_t i = 0; i < n; i++)
		for (; j < nargs && args[j].build_id == b[i].id; j++)
			strvec_push(&b[i].argv, args[j].arg);
	j = 0;
	for (size_t i = 0; i < n; i++) {
		size_t first = j;

		while (j < nins && ins[j].build_id == b[i].id)
			j++;
		if (j == first)
			continue;
		b[i].inputs = xcalloc(j - first, sizeof(*b[i].inputs));
		b[i].n_input_rows = j - first;
		for (size_t k = first; k < j; k++) {
			/* the strings move to the build */
			b[i].inputs[k - first] = ins[k].in;
			memset(&ins[k].in, 0, sizeof(ins[k].in));
		}
	}
out:
	db_rows_free(&build_arg_table, args, nargs);
	db_rows_free(&build_input_table, ins, nins);
	return rc;
}

int
store_builds_list(struct db *db, const struct ss_build_filter *f,
		  struct ss_build **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_text(&p, f->process);
	db_params_text(&p, f->product);
	db_params_text(&p, f->from);
	db_params_text(&p, f->to);
	param_texts(&p, f->states);
	param_positive(&p, f->limit);
	rc = db_query_rows(db,
			   "SELECT " BUILD_COLS BUILD_DETAIL_COLS BUILD_FROM
			   BUILD_DETAIL_FROM
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
			   &p, 0, &build_detail_table, out, n);
	db_params_release(&p);
	for (size_t i = 0; !rc && i < *n; i++)
		strvec_init(&(*out)[i].argv);
	if (!rc && f->provenance && *n)
		rc = read_builds_provenance(db, *out, *n);
	if (!rc && f->provenance && *n)
		rc = read_builds_reasons(db, *out, *n);
	if (rc) {
		ss_builds_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* a NULL argument is read as "" */
static int
read_build_argv(struct db *db, struct db_params *id, struct ss_build *b)
{
	return db_query_text_column(db,
				    "SELECT u.a FROM public.build b CROSS JOIN "
				    "LATERAL unnest(b.argv) WITH ORDINALITY AS "
				    "u(a, n) WHERE b.build_id = $1::bigint "
				    "ORDER BY u.n",
				    id, 0, &b->argv);
}

static int
read_build_inputs(struct db *db, struct db_params *id, struct ss_build *b)
{
	return db_query_rows(db,
			     "SELECT u.id, f.file_id IS NOT NULL, f.filename, "
			     "p.product_name, f.interface_version || '.' || "
			     "f.quality_version || '.' || f.revision_version, "
			     "f.utc_file_date::text "
			     "FROM public.build b CROSS JOIN LATERAL "
			     "unnest(b.input_file_ids) WITH ORDINALITY AS "
			     "u(id, n) LEFT JOIN public.file f ON f.file_id = "
			     "u.id LEFT JOIN public.product p ON p.product_id "
			     "= f.product_id "
			     "WHERE b.build_id = $1::bigint ORDER BY u.n",
			     id, 0, &input_table, &b->inputs, &b->n_input_rows);
}

int
store_build_get(struct db *db, int64_t id, struct ss_build **out)
{
	struct db_params p = DB_PARAMS_INIT;
	struct ss_build *b = xcalloc(1, sizeof(*b));
	bool found = false;
	int rc;

	*out = NULL;
	db_params_int64(&p, id);
	rc = db_query_row(db,
			  "SELECT " BUILD_COLS BUILD_DETAIL_COLS BUILD_FROM
			  BUILD_DETAIL_FROM
			  "WHERE b.build_id = $1::bigint LIMIT 1",
			  &p, 0, &build_detail_table, b, &found);
	strvec_init(&b->argv);
	if (!rc && found)
		rc = read_build_argv(db, &p, b);
	if (!rc && found)
		rc = read_build_inputs(db, &p, b);
	if (!rc && found)
		rc = read_builds_reasons(db, b, 1);
	db_params_release(&p);
	if (rc || !found) {
		ss_builds_free(b, 1);
		return rc;
	}
	*out = b;
	return 0;
}

/* -- batches ---------------------------------------------------------- */

#define BATCH_COLS                                                           \
	"t.batch_id, t.logging_id, t.pid, t.kind, t.state, t.hostname, "     \
	"t.size, t.done_count, t.succeeded_count, t.failed_count, "          \
	"(SELECT count(*) FROM public.build rb WHERE rb.batch_id = "         \
	"t.batch_id AND rb.reused_from_build_id IS NOT NULL), "              \
	"t.attempts, t.first_key, t.last_key, t.summary, "                   \
	"(SELECT pr.process_name FROM public.process pr WHERE "              \
	"pr.process_id = t.process_id), "                                    \
	TS("t.created_at") ", " TS("t.started_at") ", " TS("t.ended_at") " "

/* BATCH_COLS in order */
static const struct db_col batch_cols[] = {
	I64(struct ss_batch, id),
	I64(struct ss_batch, logging_id),
	I64(struct ss_batch, pid),
	TXT(struct ss_batch, kind),
	DB_COL_PARSE(struct ss_batch, state, parse_batch_state),
	TXT(struct ss_batch, hostname),
	I64(struct ss_batch, size),
	I64(struct ss_batch, done_count),
	I64(struct ss_batch, succeeded),
	I64(struct ss_batch, failed),
	I64(struct ss_batch, reused),
	I64(struct ss_batch, attempts),
	TXT(struct ss_batch, first_key),
	TXT(struct ss_batch, last_key),
	TXT(struct ss_batch, summary),
	TXT(struct ss_batch, process),
	TXT(struct ss_batch, created),
	TXT(struct ss_batch, started),
	TXT(struct ss_batch, ended),
};
static const struct db_table batch_table =
	DB_TABLE("batches", batch_cols, struct ss_batch);

void
ss_batches_free(struct ss_batch *b, size_t n)
{
	db_rows_free(&batch_table, b, n);
}

/* -- failures --------------------------------------------------------- */

#define FAILURE_GROUP                                                        \
	"CASE WHEN f.build_id IS NOT NULL THEN coalesce(p.process_name, "   \
	"'?') WHEN f.batch_id IS NOT NULL THEN 'batch' ELSE 'ingest' END"
#define FAILURE_FROM                                                         \
	"FROM public.failure f LEFT JOIN public.build b ON b.build_id = "    \
	"f.build_id LEFT JOIN public.process p ON p.process_id = "           \
	"b.process_id "

/* the failures' columns, in the order of store_failures_list's query */
static const struct db_col failure_cols[] = {
	I64(struct ss_failure, id),
	I64(struct ss_failure, logging_id),
	I64(struct ss_failure, build_id),
	I64(struct ss_failure, batch_id),
	TXT(struct ss_failure, group),
	TXT(struct ss_failure, output_key),
	TXT(struct ss_failure, filename),
	TXT(struct ss_failure, kind),
	TXT(struct ss_failure, reason),
	TXT(struct ss_failure, stderr_tail),
	TXT(struct ss_failure, occurred),
	BOOL(struct ss_failure, resolved),
	TXT(struct ss_failure, resolved_at),
	TXT(struct ss_failure, resolved_by),
	TXT(struct ss_failure, note),
	TXT(struct ss_failure, error_path),
};
static const struct db_table failure_table =
	DB_TABLE("failures", failure_cols, struct ss_failure);

void
ss_failures_free(struct ss_failure *f, size_t n)
{
	db_rows_free(&failure_table, f, n);
}

int
store_failures_list(struct db *db, const struct ss_failure_filter *f,
		    struct ss_failure **out, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

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
	rc = db_query_rows(db,
			   f->for_update ? FAILURES_SQL " FOR UPDATE OF f"
					 : FAILURES_SQL,
			   &p, 0, &failure_table, out, n);
#undef FAILURES_SQL
	db_params_release(&p);
	return rc;
}

int
store_failures_resolve(struct db *db, const int64_t *ids, size_t n,
		       const char *by, const char *note, long *changed)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t count = 0;
	int rc;

	*changed = 0;
	db_params_int64_array(&p, ids, n);
	db_params_text(&p, by);
	db_params_text(&p, note);
	rc = db_query_int64(db,
			    "WITH u AS (UPDATE public.failure SET resolved = "
			    "true, resolved_at = now(), resolved_by = "
			    "$2::text, note = $3::text WHERE failure_id = "
			    "ANY($1::bigint[]) AND NOT resolved RETURNING 1) "
			    "SELECT count(*) FROM u",
			    &p, 0, &count);
	db_params_release(&p);
	*changed = (long)count;
	return rc;
}

/* what the retry statement counts, in the order of its columns */
struct retry_row {
	int64_t failures, queued, cancelled, batches;
};
static const struct db_col retry_cols[] = {
	DB_COL(DB_INT64, struct retry_row, failures),
	DB_COL(DB_INT64, struct retry_row, queued),
	DB_COL(DB_INT64, struct retry_row, cancelled),
	DB_COL(DB_INT64, struct retry_row, batches),
};
static const struct db_table retry_table =
	DB_TABLE("retried failures", retry_cols, struct retry_row);

int
store_failures_retry(struct db *db, const int64_t *ids, size_t n,
		     int64_t run_id, const char *by, struct ss_retry_counts *c)
{
	struct db_params p = DB_PARAMS_INIT;
	struct retry_row v;
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
	rc = db_query_row(
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
		&p, 0, &retry_table, &v, NULL);
	db_params_release(&p);
	if (rc)
		return rc;
	c->failures = (long)v.failures;
	c->queued = (long)v.queued;
	c->cancelled = (long)v.cancelled;
	c->batches = (long)v.batches;
	return 0;
}

int
store_name_exists(struct db *db, enum ss_name_kind kind, const char *name,
		  bool *exists)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	*exists = false;
	db_params_text(&p, name);
	rc = db_query_bool(db,
			   kind == SS_PROCESS
				   ? "SELECT EXISTS (SELECT 1 FROM "
				     "public.process WHERE process_name = "
				     "$1::text)"
				   : "SELECT EXISTS (SELECT 1 FROM "
				     "public.product WHERE product_name = "
				     "$1::text)",
			   &p, 0, exists);
	db_params_release(&p);
	return rc;
}

/* -- status ----------------------------------------------------------- */

/* counts: (name, count, oldest), or with the kind second */
static const struct db_col count_cols[] = {
	TXT(struct ss_count, name),
	I64(struct ss_count, count),
	TXT(struct ss_count, oldest),
};
static const struct db_table count_table =
	DB_TABLE("counts", count_cols, struct ss_count);
static const struct db_col kind_count_cols[] = {
	TXT(struct ss_count, name),
	TXT(struct ss_count, kind),
	I64(struct ss_count, count),
	TXT(struct ss_count, oldest),
};
static const struct db_table kind_count_table =
	DB_TABLE("counts", kind_count_cols, struct ss_count);

static void
counts_free(struct ss_count *c, size_t n)
{
	db_rows_free(&kind_count_table, c, n);
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
	return db_query_rows(db, sql, NULL, 0,
			     with_kind ? &kind_count_table : &count_table, out,
			     n);
}

/* the oldest queue entry */
struct oldest {
	int64_t file_id;
	char *filename, *product, *queued;
};
static const struct db_col oldest_cols[] = {
	I64(struct oldest, file_id),
	TXT(struct oldest, filename),
	TXT(struct oldest, product),
	TXT(struct oldest, queued),
};
static const struct db_table oldest_table =
	DB_TABLE("oldest queue entry", oldest_cols, struct oldest);

/* status: the queue by product, and its oldest entry */
static int
read_queue(struct db *db, struct ss_status *s)
{
	struct oldest o;
	bool found;
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

	rc = db_query_row(db,
			  "SELECT q.file_id, f.filename, p.product_name, "
			  TS("q.queued_at")
			  " FROM public.processqueue q "
			  "JOIN public.file f ON f.file_id = q.file_id "
			  "JOIN public.product p ON p.product_id = f.product_id "
			  "ORDER BY q.queued_at, q.seq LIMIT 1",
			  NULL, 0, &oldest_table, &o, &found);
	if (rc || !found)
		return rc;
	/* the strings move to s */
	s->oldest_file_id = o.file_id;
	s->oldest_filename = o.filename;
	s->oldest_product = o.product;
	s->oldest_queued = o.queued;
	return 0;
}

/* status: the runs and batches that are open or among the most recent */
static int
read_recent(struct db *db, int recent, struct ss_status *s)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, recent);
	rc = db_query_rows(db,
			   "SELECT * FROM (SELECT " RUN_COLS RUN_FROM
			   "WHERE l.status = 'running' "
			   "UNION ALL (SELECT " RUN_COLS RUN_FROM
			   "WHERE l.status <> 'running' "
			   "ORDER BY l.logging_id DESC LIMIT $1::bigint)) r "
			   "ORDER BY r.logging_id DESC",
			   &p, 0, &run_table, &s->runs, &s->n_runs);
	if (!rc)
		rc = db_query_rows(db,
				   "SELECT * FROM (SELECT " BATCH_COLS
				   "FROM public.batch t WHERE t.state IN "
				   "('planned', 'running') UNION ALL (SELECT "
				   BATCH_COLS "FROM public.batch t WHERE "
				   "t.state NOT IN ('planned', 'running') "
				   "ORDER BY t.batch_id DESC LIMIT $1::bigint)) "
				   "x ORDER BY x.batch_id DESC",
				   &p, 0, &batch_table, &s->batches,
				   &s->n_batches);
	db_params_release(&p);
	return rc;
}

static int
read_status(struct db *db, int recent, struct ss_status *s)
{
	int rc;

	rc = db_query_text(db, "SELECT " TS("now()"), NULL, 0, &s->now);
	if (rc)
		return rc;

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
	if (!rc)
		rc = db_query_int64(db,
				    "SELECT count(*) FROM public.build WHERE "
				    "reused_from_build_id IS NOT NULL AND "
				    "status = 'succeeded'",
				    NULL, 0, &s->builds_reused);
	if (rc)
		return rc;

	rc = query_builds(db,
			  "SELECT " BUILD_COLS BUILD_FROM
			  "WHERE b.status IN ('starting', 'running', "
			  "'recording') ORDER BY b.build_id",
			  NULL, &s->running, &s->n_running);
	if (!rc && s->n_running)
		rc = read_builds_reasons(db, s->running, s->n_running);
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

/* a process's statistics, in the order of store_stats_read's query */
static const struct db_col proc_stats_cols[] = {
	TXT(struct ss_process_stats, process),
	TXT(struct ss_process_stats, product),
	I64(struct ss_process_stats, builds),
	I64(struct ss_process_stats, ok),
	I64(struct ss_process_stats, failed),
	I64(struct ss_process_stats, bad),
	I64(struct ss_process_stats, open),
	I64(struct ss_process_stats, cancelled),
	DBL(struct ss_process_stats, min_s),
	DBL(struct ss_process_stats, mean_s),
	DBL(struct ss_process_stats, max_s),
	DBL(struct ss_process_stats, total_s),
	DBL(struct ss_process_stats, cpu_s),
	I64(struct ss_process_stats, max_rss_kb),
};
static const struct db_table proc_stats_table =
	DB_TABLE("process statistics", proc_stats_cols,
		 struct ss_process_stats);

/* the run totals, into struct ss_stats itself (read before its procs) */
static const struct db_col run_totals_cols[] = {
	I64(struct ss_stats, runs),
	I64(struct ss_stats, runs_worked),
	I64(struct ss_stats, files_ingested),
	I64(struct ss_stats, files_duplicate),
	I64(struct ss_stats, files_rejected),
	I64(struct ss_stats, builds_ok),
	I64(struct ss_stats, builds_failed),
	I64(struct ss_stats, builds_skipped),
};
static const struct db_table run_totals_table =
	DB_TABLE("run totals", run_totals_cols, struct ss_stats);

void
ss_stats_release(struct ss_stats *s)
{
	db_rows_free(&proc_stats_table, s->procs, s->n_procs);
	memset(s, 0, sizeof(*s));
}

int
store_stats_read(struct db *db, const char *from, const char *to,
		 struct ss_stats *s)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	memset(s, 0, sizeof(*s));
	db_params_text(&p, from);
	db_params_text(&p, to);
	/* first, as db_query_row sets every field of *s */
	rc = db_query_row(db,
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
			  &p, 0, &run_totals_table, s, NULL);
	/*
	 * The period filter sits in the join condition, so that a process
	 * with no build in the period still has its row.  Durations count
	 * finished builds only.
	 */
	if (!rc)
		rc = db_query_rows(
			db,
			"SELECT p.process_name, op.product_name, "
			"count(b.build_id), "
			"count(*) FILTER (WHERE b.status = 'succeeded'), "
			"count(*) FILTER (WHERE b.status IN ('failed', "
			"'timed_out', 'killed')), "
			"count(*) FILTER (WHERE b.status = 'bad'), "
			"count(*) FILTER (WHERE b.status IN ('queued', "
			"'starting', 'running', 'recording')), "
			"count(*) FILTER (WHERE b.status = 'cancelled'), "
			"min(extract(epoch FROM b.ended_at - b.started_at))"
			"::float8, "
			"avg(extract(epoch FROM b.ended_at - b.started_at))"
			"::float8, "
			"max(extract(epoch FROM b.ended_at - b.started_at))"
			"::float8, "
			"sum(extract(epoch FROM b.ended_at - b.started_at))"
			"::float8, "
			"sum(coalesce(b.cpu_user_s, 0) + coalesce(b.cpu_sys_s, "
			"0)) FILTER (WHERE b.cpu_user_s IS NOT NULL OR "
			"b.cpu_sys_s IS NOT NULL), max(b.max_rss_kb) "
			"FROM public.process p LEFT JOIN public.product op ON "
			"op.product_id = p.output_product "
			"LEFT JOIN public.build b ON b.process_id = "
			"p.process_id AND ($1::timestamptz IS NULL OR "
			"b.started_at >= $1::timestamptz) AND "
			"($2::timestamptz IS NULL OR b.started_at < "
			"$2::timestamptz) "
			"GROUP BY p.process_id, p.process_name, "
			"op.product_name, op.level ORDER BY op.level NULLS "
			"LAST, p.process_name",
			&p, 0, &proc_stats_table, &s->procs, &s->n_procs);
	db_params_release(&p);
	if (rc)
		ss_stats_release(s);
	return rc;
}
