/*
 * store-build.c - SQL of planning: claim queue entries, candidates, their
 * inputs and state, batch and build rows (see store-build.h).
 */
#include "store-build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

void
store_output_key(const struct sb_candidate *c, struct strbuf *sb)
{
	char d[DATE_STRLEN];

	strbuf_addstr(sb, timeutil_format_date(c->key_start, d));
	if (c->keywords && c->keywords[0])
		strbuf_addf(sb, " %s", c->keywords);
}

void
store_candidates_free(struct sb_candidate *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		free(c[i].keywords);
	free(c);
}

void
store_triggers_free(struct sb_trigger *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++)
		free(t[i].keywords);
	free(t);
}

/*
 * Every version of the claimed newest files' product and date, with its
 * time span (cascade_file_span's, inclusive: the planner applies the
 * product's stop-time rule) in microseconds.
 */
static const char triggers_sql[] =
	"SELECT f.file_id, f.product_id, f.utc_file_date, "
	"  coalesce(g.process_keywords, ''), coalesce(q.version_bump, -1), "
	"  (extract(epoch FROM lower(s.span)) * 1000000)::int8, "
	"  (extract(epoch FROM upper(s.span)) * 1000000)::int8, "
	"  p.stop_time_exclusive, g.file_id = f.file_id "
	"FROM unnest($1::bigint[]) AS c(id) "
	"JOIN public.processqueue q ON q.file_id = c.id "
	"JOIN public.file f ON f.file_id = c.id "
	"JOIN public.product p ON p.product_id = f.product_id "
	"JOIN public.file g ON g.product_id = f.product_id "
	"  AND g.utc_file_date = f.utc_file_date "
	"CROSS JOIN LATERAL (SELECT public.cascade_file_span(g.utc_start_time, "
	"  g.utc_stop_time, g.utc_file_date, false) AS span) s "
	"WHERE NOT isempty(s.span) "
	"ORDER BY f.file_id, g.file_id";

int
store_queue_products(struct db *db, int64_t after_seq, int64_t **ids,
		     size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, after_seq);
	rc = db_query_int64_column(db,
		      "SELECT DISTINCT f.product_id FROM public.processqueue q "
		      "JOIN public.file f USING (file_id) WHERE q.seq > "
		      "$1::bigint ORDER BY 1",
		      &p, 0, ids, n);
	db_params_release(&p);
	return rc;
}

int
store_queue_claim(struct db *db, const struct sb_claim *q,
		  int64_t *max_seq, int64_t **files, size_t *nfiles,
		  long *not_newest, struct sb_trigger **trig, size_t *ntrig)
{
	struct db_params first = DB_PARAMS_INIT;
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	struct sb_trigger *t = NULL;
	int64_t *newest = NULL;
	size_t nnew = 0;
	int rc;

	*files = NULL;
	*nfiles = 0;
	*not_newest = 0;
	*trig = NULL;
	*ntrig = 0;
	db_params_int64(&first, q->limit);
	db_params_int64(&first, q->after_seq);
	db_params_int64_array(&first, q->skip_products, q->n_skip);

	/* the claimed entries themselves (locks them for this transaction) */
	rc = db_query_params(db,
		      "SELECT q.file_id, f.utc_file_date IS NOT NULL AND NOT "
		      "EXISTS (SELECT 1 FROM public.file g WHERE g.product_id "
		      "= f.product_id AND g.utc_file_date = f.utc_file_date AND "
		      "g.exists_on_disk AND (g.interface_version, "
		      "g.quality_version, g.revision_version) > "
		      "(f.interface_version, f.quality_version, "
		      "f.revision_version)), q.seq FROM (SELECT e.file_id, e.seq "
		      "FROM public.processqueue e JOIN public.file x USING "
		      "(file_id) WHERE e.seq > $2::bigint AND x.product_id <> "
		      "ALL ($3::bigint[]) ORDER BY e.seq LIMIT $1::int FOR "
		      "UPDATE OF e SKIP LOCKED) q JOIN public.file f USING "
		      "(file_id) ORDER BY q.seq",
		      &first, 0, &res);
	db_params_release(&first);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 3, "claimed queue")) {
		db_res_free(res);
		return -1;
	}
	*files = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(**files));
	newest = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*newest));
	for (int r = 0; r < db_res_nrows(res); r++) {
		bool is_newest;

		if (db_res_int64(res, r, 0, &(*files)[r]) ||
		    db_res_bool(res, r, 1, &is_newest) ||
		    db_res_int64(res, r, 2, max_seq))
			rc = -1;
		else if (!is_newest)
			(*not_newest)++;
		else
			newest[nnew++] = (*files)[r];
	}
	*nfiles = (size_t)db_res_nrows(res);
	db_res_free(res);
	if (rc || nnew == 0)
		goto out;

	db_params_int64_array(&p, newest, nnew);
	rc = db_query_params(db, triggers_sql, &p, 0, &res);
	db_params_release(&p);
	if (rc)
		goto out;
	if (db_res_check_shape(res, -1, 9, "triggers")) {
		db_res_free(res);
		rc = -1;
		goto out;
	}
	t = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*t));
	for (int r = 0; r < db_res_nrows(res); r++) {
		t[r].keywords = xstrdup_or_empty(db_res_get(res, r, 3));
		if (db_res_int64(res, r, 0, &t[r].file_id) ||
		    db_res_int(res, r, 1, &t[r].product_id) ||
		    db_res_date(res, r, 2, &t[r].date) ||
		    db_res_int(res, r, 4, &t[r].version_bump) ||
		    db_res_int64(res, r, 5, &t[r].span.start) ||
		    db_res_int64(res, r, 6, &t[r].span.stop) ||
		    db_res_bool(res, r, 7, &t[r].span.exclusive) ||
		    db_res_bool(res, r, 8, &t[r].claimed))
			rc = -1;
	}
	*ntrig = (size_t)db_res_nrows(res);
	*trig = t;
	db_res_free(res);
out:
	free(newest);
	return rc;
}

int
store_queue_delete(struct db *db, const int64_t *files, size_t n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	if (n == 0)
		return 0;
	db_params_int64_array(&p, files, n);
	rc = db_query_params(db,
			     "DELETE FROM public.processqueue "
			     "WHERE file_id = ANY($1::bigint[])",
			     &p, 0, NULL);
	db_params_release(&p);
	return rc;
}

/* the candidates' columns a query takes, in this order */
enum cand_col {
	CAND_PID = 1 << 0, /* process id, int */
	CAND_TB = 1 << 1,  /* timebase name, text */
	CAND_OP = 1 << 2,  /* output product, int */
	CAND_KS = 1 << 3,  /* key start, date */
	CAND_KE = 1 << 4,  /* key end, date */
	CAND_KW = 1 << 5,  /* keywords, text */
	CAND_KEY = 1 << 6, /* output key, text */
};

/* the candidates as parallel array parameters, one per column in cols */
static void
cand_params(struct db_params *p, const struct sb_candidate *c, size_t n,
	    unsigned cols)
{
	int ncols = 0;

	for (unsigned k = cols; k; k &= k - 1)
		ncols++;
	db_params_columns(p, ncols);
	for (size_t i = 0; i < n; i++) {
		if (cols & CAND_PID)
			db_col_int64(p, c[i].process_id);
		if (cols & CAND_TB)
			db_col_text(p, timebase_name(c[i].timebase));
		if (cols & CAND_OP)
			db_col_int64(p, c[i].output_product);
		if (cols & CAND_KS)
			db_col_date(p, c[i].key_start);
		if (cols & CAND_KE)
			db_col_date(p, c[i].key_end);
		if (cols & CAND_KW)
			db_col_text(p, c[i].keywords);
		if (cols & CAND_KEY) {
			struct strbuf k = STRBUF_INIT;

			store_output_key(&c[i], &k);
			db_col_text(p, k.buf);
			strbuf_release(&k);
		}
	}
}

void
store_inputs_free(struct sb_input *in, size_t n)
{
	for (size_t i = 0; in && i < n; i++) {
		free(in[i].filename);
		free(in[i].path);
		free(in[i].keywords);
	}
	free(in);
}

/* the definition is the database's: cascade_key_inputs (0006) */
static const char inputs_sql[] =
	"SELECT c.idx, x.input_product_id, x.optional, x.file_id, "
	"  x.filename, x.utc_file_date, x.interface_version, "
	"  x.quality_version, x.revision_version, x.own, "
	"  coalesce(x.process_keywords, '') "
	"FROM unnest($1::int[], $2::date[], $3::date[], $4::text[]) "
	"  WITH ORDINALITY AS c(pid, ks, ke, kw, idx) "
	"CROSS JOIN LATERAL public.cascade_key_inputs(c.pid, c.ks, c.ke, "
	"  c.kw) x "
	"ORDER BY c.idx, x.input_product_id, x.utc_file_date, x.file_id";

int
store_candidate_inputs(struct db *db, const struct sb_candidate *c, size_t n,
		       struct sb_input **out, size_t *nout)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	struct sb_input *in = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	cand_params(&p, c, n, CAND_PID | CAND_KS | CAND_KE | CAND_KW);
	rc = db_query_params(db, inputs_sql, &p, 0, &res);
	db_params_release(&p);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 11, "candidate inputs")) {
		db_res_free(res);
		return -1;
	}
	in = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*in));
	for (int r = 0; r < db_res_nrows(res); r++) {
		int64_t idx;

		in[r].filename = xstrdup(db_res_get(res, r, 4));
		in[r].keywords = xstrdup_or_empty(db_res_get(res, r, 10));
		if (db_res_int64(res, r, 0, &idx) ||
		    db_res_int(res, r, 1, &in[r].product_id) ||
		    db_res_bool(res, r, 2, &in[r].optional) ||
		    db_res_int64(res, r, 3, &in[r].file_id) ||
		    db_res_date(res, r, 5, &in[r].date) ||
		    db_res_version(res, r, 6, &in[r].version) ||
		    db_res_bool(res, r, 9, &in[r].own))
			rc = -1;
		in[r].cand = (size_t)idx - 1;
	}
	*nout = (size_t)db_res_nrows(res);
	*out = in;
	db_res_free(res);
	return rc;
}

void
store_state_release(struct sb_state *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].last_inputs);
		free(s[i].out_filename);
		free(s[i].purged);
	}
}

void
store_parents_free(struct sb_parent *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].filename);
	free(p);
}

static const char state_sql[] =
	"SELECT c.idx, coalesce(o.file_id, 0), o.filename, "
	"  coalesce(o.interface_version, 0), "
	"  coalesce(o.quality_version, 0), coalesce(o.revision_version, 0), "
	"  coalesce(oc.source_code, 0), "
	"  EXISTS (SELECT 1 FROM public.build b WHERE b.process_id = c.pid AND "
	"    b.output_key = c.okey AND b.status IN ('queued', 'running', "
	"    'recording')), "
	"  EXISTS (SELECT 1 FROM public.build b WHERE b.process_id = c.pid AND "
	"    b.output_key = c.okey AND b.status = 'bad'), "
	"  lb.input_file_ids, coalesce(lb.code_id, 0), pv.versions "
	"FROM unnest($1::int[], $2::text[], $3::int[], $4::date[], "
	"  $5::text[], $6::text[]) WITH ORDINALITY "
	"  AS c(pid, tb, op, ks, kw, okey, idx) "
	"LEFT JOIN LATERAL (SELECT f.file_id, f.filename, f.interface_version, "
	"  f.quality_version, f.revision_version FROM public.file f WHERE "
	"  c.op <> 0 AND f.product_id = c.op AND f.utc_file_date = c.ks AND "
	"  (c.tb <> 'FILE' OR coalesce(f.process_keywords, '') = c.kw) "
	"  ORDER BY f.interface_version DESC, f.quality_version DESC, "
	"  f.revision_version DESC LIMIT 1) o ON true "
	"LEFT JOIN LATERAL (SELECT fl.source_code FROM public.filecodelink fl "
	"  WHERE fl.resulting_file = o.file_id LIMIT 1) oc ON true "
	"LEFT JOIN LATERAL (SELECT b.input_file_ids, b.code_id FROM "
	"  public.build b WHERE c.tb = 'RUN' AND b.process_id = c.pid AND "
	"  b.output_key = c.okey AND b.status = 'succeeded' ORDER BY "
	"  b.build_id DESC LIMIT 1) lb ON true "
	"LEFT JOIN LATERAL (SELECT string_agg(pf.interface_version || '.' || "
	"  pf.quality_version || '.' || pf.revision_version, ' ') AS versions "
	"  FROM public.purged_file pf WHERE c.op <> 0 AND pf.product_id = c.op "
	"  AND pf.utc_file_date = c.ks AND (c.tb <> 'FILE' OR "
	"  coalesce(pf.process_keywords, '') = c.kw)) pv ON true "
	"ORDER BY c.idx";

/* "1.0.0 1.1.0": the versions of a key that were purged */
static int
parse_versions(const char *s, struct version **out, size_t *n)
{
	size_t alloc = 0;

	*out = NULL;
	*n = 0;
	while (s && *s) {
		const char *e = strchr(s, ' ');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		ALLOC_GROW(*out, *n + 1, alloc);
		if (version_parse(s, len, &(*out)[*n]))
			return error("invalid version \"%.*s\" in purged_file",
				     (int)len, s);
		(*n)++;
		s += len;
		while (*s == ' ')
			s++;
	}
	return 0;
}

int
store_candidate_state(struct db *db, const struct sb_candidate *c, size_t n,
		      struct sb_state *st, struct sb_parent **parents,
		      size_t *nparents)
{
	struct db_params q = DB_PARAMS_INIT;
	int64_t *outs = NULL;
	size_t nouts = 0;
	struct db_res *res = NULL;
	struct sb_parent *p = NULL;
	int rc;

	*parents = NULL;
	*nparents = 0;
	if (n == 0)
		return 0;
	cand_params(&q, c, n,
		    CAND_PID | CAND_TB | CAND_OP | CAND_KS | CAND_KW | CAND_KEY);
	rc = db_query_params(db, state_sql, &q, 0, &res);
	db_params_release(&q);
	if (rc)
		return rc;
	if (db_res_check_shape(res, (int)n, 12, "candidate state")) {
		db_res_free(res);
		return -1;
	}
	for (int r = 0; r < (int)n; r++) {
		struct sb_state *s = &st[r];

		memset(s, 0, sizeof(*s));
		s->out_filename = xstrdup_or_null(db_res_get(res, r, 2));
		if (db_res_int64(res, r, 1, &s->out_id) ||
		    db_res_version(res, r, 3, &s->out_version) ||
		    db_res_int(res, r, 6, &s->out_code_id) ||
		    db_res_bool(res, r, 7, &s->open) ||
		    db_res_bool(res, r, 8, &s->bad) ||
		    db_res_int(res, r, 10, &s->last_code_id) ||
		    parse_versions(db_res_get(res, r, 11), &s->purged,
				   &s->n_purged))
			rc = -1;
		if (!db_res_isnull(res, r, 9) &&
		    db_res_int64_array(res, r, 9, &s->last_inputs,
				       &s->n_last_inputs))
			rc = -1;
	}
	db_res_free(res);
	if (rc)
		return rc;

	/* the parents of the existing outputs */
	outs = xcalloc(n + 1, sizeof(*outs));
	for (size_t i = 0; i < n; i++)
		if (st[i].out_id)
			outs[nouts++] = st[i].out_id;
	db_params_int64_array(&q, outs, nouts);
	free(outs);
	rc = db_query_params(db,
		      "SELECT l.resulting_file, f.file_id, f.product_id, "
		      "f.utc_file_date, f.interface_version, f.quality_version, "
		      "f.revision_version, f.filename, f.exists_on_disk "
		      "FROM public.filefilelink l JOIN "
		      "public.file f ON f.file_id = l.source_file WHERE "
		      "l.resulting_file = ANY($1::bigint[]) ORDER BY "
		      "l.resulting_file, f.file_id",
		      &q, 0, &res);
	db_params_release(&q);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 9, "output parents")) {
		db_res_free(res);
		return -1;
	}
	p = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*p));
	for (int r = 0; r < db_res_nrows(res); r++) {
		p[r].filename = xstrdup(db_res_get(res, r, 7));
		if (db_res_int64(res, r, 0, &p[r].result) ||
		    db_res_int64(res, r, 1, &p[r].file_id) ||
		    db_res_int(res, r, 2, &p[r].product_id) ||
		    db_res_date(res, r, 3, &p[r].date) ||
		    db_res_version(res, r, 4, &p[r].version) ||
		    db_res_bool(res, r, 8, &p[r].on_disk))
			rc = -1;
	}
	*nparents = (size_t)db_res_nrows(res);
	*parents = p;
	db_res_free(res);
	return rc;
}

int
store_queued(struct db *db, const int64_t *ids, size_t n, bool **queued)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	*queued = xcalloc(n + 1, sizeof(**queued));
	if (n == 0)
		return 0;
	db_params_int64_array(&p, ids, n);
	rc = db_query_params(db,
			     "SELECT EXISTS (SELECT 1 FROM public.processqueue "
			     "q WHERE q.file_id = c.id) FROM unnest($1::bigint[]) "
			     "WITH ORDINALITY AS c(id, idx) ORDER BY c.idx",
			     &p, 0, &res);
	db_params_release(&p);
	if (rc)
		return rc;
	if (db_res_check_shape(res, (int)n, 1, "queued files")) {
		db_res_free(res);
		return -1;
	}
	for (int r = 0; r < (int)n; r++)
		if (db_res_bool(res, r, 0, &(*queued)[r]))
			rc = -1;
	db_res_free(res);
	return rc;
}

int
store_queue_files(struct db *db, const int64_t *ids, size_t n,
		  int64_t run_id, const char *reason, int64_t *queued)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	*queued = 0;
	if (n == 0)
		return 0;
	db_params_int64_array(&p, ids, n);
	if (run_id > 0)
		db_params_int64(&p, run_id);
	else
		db_params_null(&p);
	db_params_text(&p, reason);
	rc = db_query_params(
		db,
		"WITH ins AS (INSERT INTO public.processqueue (file_id, "
		"logging_id, reason) SELECT DISTINCT id, $2::bigint, $3::text "
		"FROM unnest($1::bigint[]) AS c(id) ORDER BY id "
		"ON CONFLICT (file_id) DO NOTHING RETURNING 1) "
		"SELECT count(*) FROM ins",
		&p, 0, &res);
	db_params_release(&p);
	if (!rc && (db_res_check_shape(res, 1, 1, "queued files") ||
		    db_res_int64(res, 0, 0, queued)))
		rc = -1;
	db_res_free(res);
	return rc;
}

int
store_output_keys(struct db *db, int process_id, struct sb_candidate **cands,
		  int64_t **outputs, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	struct sb_candidate *c = NULL;
	int rc;

	*cands = NULL;
	*outputs = NULL;
	*n = 0;
	db_params_int64(&p, process_id);
	rc = db_query_params(db,
		      "SELECT DISTINCT ON (f.utc_file_date, CASE WHEN "
		      "pr.output_timebase = 'FILE' THEN coalesce("
		      "f.process_keywords, '') END) pr.output_timebase, "
		      "pr.output_product, f.utc_file_date, CASE WHEN "
		      "pr.output_timebase = 'FILE' THEN coalesce("
		      "f.process_keywords, '') ELSE '' END, f.file_id "
		      "FROM public.process pr JOIN public.file f ON "
		      "f.product_id = pr.output_product WHERE pr.process_id = "
		      "$1::int AND f.utc_file_date IS NOT NULL ORDER BY "
		      "f.utc_file_date, CASE WHEN pr.output_timebase = 'FILE' "
		      "THEN coalesce(f.process_keywords, '') END, "
		      "f.interface_version DESC, f.quality_version DESC, "
		      "f.revision_version DESC",
		      &p, 0, &res);
	db_params_release(&p);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 5, "output keys")) {
		db_res_free(res);
		return -1;
	}
	c = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*c));
	*outputs = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(**outputs));
	for (int r = 0; r < db_res_nrows(res); r++) {
		c[r].process_id = process_id;
		if (timebase_parse(db_res_get(res, r, 0), &c[r].timebase))
			rc = error("process %d has an unknown timebase in the "
				   "database",
				   process_id);
		c[r].keywords = xstrdup_or_empty(db_res_get(res, r, 3));
		c[r].version_bump = -1;
		c[r].own = true;
		if (db_res_int(res, r, 1, &c[r].output_product) ||
		    db_res_date(res, r, 2, &c[r].key_start) ||
		    db_res_int64(res, r, 4, &(*outputs)[r]))
			rc = -1;
		c[r].key_end = c[r].key_start;
	}
	*n = (size_t)db_res_nrows(res);
	*cands = c;
	db_res_free(res);
	return rc;
}

int
store_batch_create(struct db *db, int64_t run_id, const struct sb_build *b,
		   size_t n, int64_t *batch_id)
{
	struct db_params p = DB_PARAMS_INIT;
	struct db_res *res = NULL;
	int rc;

	*batch_id = 0;
	db_params_int64(&p, run_id);
	db_params_columns(&p, 9);
	for (size_t i = 0; i < n; i++) {
		char v[VERSION_STRLEN];

		db_col_int64(&p, b[i].process_id);
		db_col_int64(&p, b[i].code_id);
		db_col_text(&p, b[i].output_key);
		db_col_date(&p, b[i].date);
		/* one text element per build: "{1,2,3}", cast per row */
		db_col_int64_array(&p, b[i].inputs, b[i].n_inputs);
		db_col_text(&p, b[i].output_filename);
		db_col_text(&p, version_format(&b[i].version, v));
		if (b[i].version_bump >= 0)
			db_col_int64(&p, b[i].version_bump);
		else
			db_col_null(&p);
		db_col_text(&p, b[i].cache_key);
	}
	db_params_int64(&p, (int64_t)n);
	rc = db_query_params(
		db,
		"WITH bt AS (INSERT INTO public.batch (logging_id, kind, state, "
		"size, first_key, last_key) SELECT nullif($1::bigint, 0), "
		"'process', "
		"CASE WHEN $11::int = 0 THEN 'done' ELSE 'planned' END, $11::int, (SELECT min(k) FROM unnest($4::text[]) "
		"k), (SELECT max(k) FROM unnest($4::text[]) k) "
		"RETURNING batch_id), "
		"ins AS (INSERT INTO public.build (batch_id, logging_id, "
		"process_id, code_id, output_key, utc_file_date, "
		"input_file_ids, output_filename, output_version, "
		"version_bump, cache_key, status) SELECT bt.batch_id, "
		"nullif($1::bigint, 0), u.pid, nullif(u.code, 0), u.okey, u.d, "
		"u.inputs::bigint[], u.fname, u.ver, u.bump, u.cache, 'queued' "
		"FROM bt, unnest($2::int[], $3::int[], $4::text[], $5::date[], "
		"$6::text[], $7::text[], $8::text[], $9::int2[], $10::text[]) "
		"AS u(pid, code, okey, d, inputs, fname, ver, bump, cache)) "
		"SELECT batch_id FROM bt",
		&p, 0, &res);
	if (!rc && (db_res_check_shape(res, 1, 1, "new batch") ||
		    db_res_int64(res, 0, 0, batch_id)))
		rc = -1;
	db_res_free(res);
	db_params_release(&p);
	return rc;
}
