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
store_processes_free(struct sb_process *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++) {
		free(p[i].name);
		free(p[i].extra_params);
		free(p[i].links);
	}
	free(p);
}

int
store_processes_load(struct db *db, struct sb_process **out, size_t *n)
{
	struct db_res *res = NULL;
	struct sb_process *p = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = db_query(db,
		      "SELECT process_id, process_name, output_timebase, "
		      "coalesce(output_product, 0), extra_params "
		      "FROM public.process ORDER BY process_id",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 5, "processes")) {
		db_res_free(res);
		return -1;
	}
	p = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*p));
	for (int r = 0; r < db_res_nrows(res); r++) {
		const char *ep = db_res_get(res, r, 4);

		p[r].name = xstrdup(db_res_get(res, r, 1));
		p[r].extra_params = ep ? xstrdup(ep) : NULL;
		if (timebase_parse(db_res_get(res, r, 2), &p[r].timebase))
			rc = error("process \"%s\" has an unknown timebase "
				   "\"%s\" in the database",
				   p[r].name, db_res_get(res, r, 2));
		if (db_res_int(res, r, 0, &p[r].id) ||
		    db_res_int(res, r, 3, &p[r].output_product))
			rc = -1;
	}
	*n = (size_t)db_res_nrows(res);
	*out = p;
	db_res_free(res);
	if (rc)
		return rc;
	rc = db_query(db,
		      "SELECT process_id, input_product_id, optional, "
		      "yesterday, tomorrow FROM public.productprocesslink "
		      "ORDER BY process_id, input_product_id",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 5, "process inputs")) {
		db_res_free(res);
		return -1;
	}
	for (int r = 0; r < db_res_nrows(res); r++) {
		int pid;
		struct sb_link l;

		if (db_res_int(res, r, 0, &pid) ||
		    db_res_int(res, r, 1, &l.input_product) ||
		    db_res_bool(res, r, 2, &l.optional) ||
		    db_res_int(res, r, 3, &l.yesterday) ||
		    db_res_int(res, r, 4, &l.tomorrow)) {
			rc = -1;
			break;
		}
		for (size_t i = 0; i < *n; i++) {
			if (p[i].id != pid)
				continue;
			p[i].links = xrealloc(p[i].links,
					      (p[i].n_links + 1) *
						      sizeof(*p[i].links));
			p[i].links[p[i].n_links++] = l;
		}
	}
	db_res_free(res);
	return rc;
}

void
store_codes_free(struct sb_code *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		free(c[i].filename);
	free(c);
}

int
store_codes_load(struct db *db, struct sb_code **out, size_t *n)
{
	struct db_res *res = NULL;
	struct sb_code *c = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	rc = db_query(db,
		      "SELECT code_id, process_id, filename, interface_version, "
		      "quality_version, revision_version, "
		      "output_interface_version, code_start_date, "
		      "code_stop_date, active_code AND newest_version "
		      "FROM public.code ORDER BY process_id, code_id",
		      0, NULL, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 10, "codes")) {
		db_res_free(res);
		return -1;
	}
	c = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*c));
	for (int r = 0; r < db_res_nrows(res); r++) {
		c[r].filename = xstrdup(db_res_get(res, r, 2));
		if (db_res_int(res, r, 0, &c[r].id) ||
		    db_res_int(res, r, 1, &c[r].process_id) ||
		    db_res_version(res, r, 3, &c[r].version) ||
		    db_res_int(res, r, 6, &c[r].oiv) ||
		    db_res_date(res, r, 7, &c[r].start) ||
		    db_res_date(res, r, 8, &c[r].stop) ||
		    db_res_bool(res, r, 9, &c[r].usable))
			rc = -1;
	}
	*n = (size_t)db_res_nrows(res);
	*out = c;
	db_res_free(res);
	return rc;
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
store_queue_claim(struct db *db, int limit, int64_t after_seq,
		  int64_t *max_seq, int64_t **files, size_t *nfiles,
		  long *not_newest, struct sb_trigger **trig, size_t *ntrig)
{
	char lim[16], after[32];
	const char *first[2];
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
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(after, sizeof(after), "%lld", (long long)after_seq);
	first[0] = lim;
	first[1] = after;

	/* the claimed entries themselves (locks them for this transaction) */
	rc = db_query(db,
		      "SELECT q.file_id, f.utc_file_date IS NOT NULL AND NOT "
		      "EXISTS (SELECT 1 FROM public.file g WHERE g.product_id "
		      "= f.product_id AND g.utc_file_date = f.utc_file_date AND "
		      "g.exists_on_disk AND (g.interface_version, "
		      "g.quality_version, g.revision_version) > "
		      "(f.interface_version, f.quality_version, "
		      "f.revision_version)), q.seq FROM (SELECT file_id, seq "
		      "FROM public.processqueue WHERE seq > $2::bigint ORDER BY "
		      "seq LIMIT $1::int FOR UPDATE SKIP LOCKED) q JOIN "
		      "public.file f USING (file_id) ORDER BY q.seq",
		      2, first, 0, &res);
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
	struct strbuf arr = STRBUF_INIT;
	const char *params[1];
	int rc;

	if (n == 0)
		return 0;
	db_array_int64(&arr, files, n);
	params[0] = arr.buf;
	rc = db_query(db,
		      "DELETE FROM public.processqueue "
		      "WHERE file_id = ANY($1::bigint[])",
		      1, params, 0, NULL);
	strbuf_release(&arr);
	return rc;
}

/* the candidates as parallel arrays */
struct cand_arrays {
	struct strbuf pid, tb, op, ks, ke, kw;
};

static void
cand_arrays(struct cand_arrays *a, const struct sb_candidate *c, size_t n)
{
	char buf[DATE_STRLEN];

	strbuf_init(&a->pid, 0);
	strbuf_init(&a->tb, 0);
	strbuf_init(&a->op, 0);
	strbuf_init(&a->ks, 0);
	strbuf_init(&a->ke, 0);
	strbuf_init(&a->kw, 0);
	db_array_begin(&a->pid);
	db_array_begin(&a->tb);
	db_array_begin(&a->op);
	db_array_begin(&a->ks);
	db_array_begin(&a->ke);
	db_array_begin(&a->kw);
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%d", c[i].process_id);
		db_array_add(&a->pid, buf);
		db_array_add(&a->tb, timebase_name(c[i].timebase));
		snprintf(buf, sizeof(buf), "%d", c[i].output_product);
		db_array_add(&a->op, buf);
		db_array_add(&a->ks, timeutil_format_date(c[i].key_start, buf));
		db_array_add(&a->ke, timeutil_format_date(c[i].key_end, buf));
		db_array_add(&a->kw, c[i].keywords);
	}
	db_array_end(&a->pid);
	db_array_end(&a->tb);
	db_array_end(&a->op);
	db_array_end(&a->ks);
	db_array_end(&a->ke);
	db_array_end(&a->kw);
}

static void
cand_arrays_release(struct cand_arrays *a)
{
	strbuf_release(&a->pid);
	strbuf_release(&a->tb);
	strbuf_release(&a->op);
	strbuf_release(&a->ks);
	strbuf_release(&a->ke);
	strbuf_release(&a->kw);
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
	struct cand_arrays a;
	const char *params[4];
	struct db_res *res = NULL;
	struct sb_input *in = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	cand_arrays(&a, c, n);
	params[0] = a.pid.buf;
	params[1] = a.ks.buf;
	params[2] = a.ke.buf;
	params[3] = a.kw.buf;
	rc = db_query(db, inputs_sql, 4, params, 0, &res);
	cand_arrays_release(&a);
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
	struct cand_arrays a;
	struct strbuf okey = STRBUF_INIT, outs = STRBUF_INIT;
	const char *params[6];
	struct db_res *res = NULL;
	struct sb_parent *p = NULL;
	int rc;

	*parents = NULL;
	*nparents = 0;
	if (n == 0)
		return 0;
	cand_arrays(&a, c, n);
	db_array_begin(&okey);
	for (size_t i = 0; i < n; i++) {
		struct strbuf k = STRBUF_INIT;

		store_output_key(&c[i], &k);
		db_array_add(&okey, k.buf);
		strbuf_release(&k);
	}
	db_array_end(&okey);
	params[0] = a.pid.buf;
	params[1] = a.tb.buf;
	params[2] = a.op.buf;
	params[3] = a.ks.buf;
	params[4] = a.kw.buf;
	params[5] = okey.buf;
	rc = db_query(db, state_sql, 6, params, 0, &res);
	cand_arrays_release(&a);
	strbuf_release(&okey);
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
	db_array_begin(&outs);
	for (size_t i = 0; i < n; i++) {
		if (st[i].out_id) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%lld",
				 (long long)st[i].out_id);
			db_array_add(&outs, buf);
		}
	}
	db_array_end(&outs);
	params[0] = outs.buf;
	rc = db_query(db,
		      "SELECT l.resulting_file, f.file_id, f.product_id, "
		      "f.utc_file_date, f.interface_version, f.quality_version, "
		      "f.revision_version, f.filename, f.exists_on_disk "
		      "FROM public.filefilelink l JOIN "
		      "public.file f ON f.file_id = l.source_file WHERE "
		      "l.resulting_file = ANY($1::bigint[]) ORDER BY "
		      "l.resulting_file, f.file_id",
		      1, params, 0, &res);
	strbuf_release(&outs);
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
	char pid[16];
	const char *params[] = {pid};
	struct db_res *res = NULL;
	struct sb_candidate *c = NULL;
	int rc;

	*cands = NULL;
	*outputs = NULL;
	*n = 0;
	snprintf(pid, sizeof(pid), "%d", process_id);
	rc = db_query(db,
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
		      1, params, 0, &res);
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
	struct strbuf pid = STRBUF_INIT, code = STRBUF_INIT, key = STRBUF_INIT,
		      date = STRBUF_INIT, inputs = STRBUF_INIT,
		      fname = STRBUF_INIT, ver = STRBUF_INIT,
		      bump = STRBUF_INIT, cache = STRBUF_INIT;
	char run[32], buf[64];
	const char *params[11];
	struct db_res *res = NULL;
	int rc;

	*batch_id = 0;
	db_array_begin(&pid);
	db_array_begin(&code);
	db_array_begin(&key);
	db_array_begin(&date);
	db_array_begin(&inputs);
	db_array_begin(&fname);
	db_array_begin(&ver);
	db_array_begin(&bump);
	db_array_begin(&cache);
	for (size_t i = 0; i < n; i++) {
		struct strbuf ids = STRBUF_INIT;

		snprintf(buf, sizeof(buf), "%d", b[i].process_id);
		db_array_add(&pid, buf);
		snprintf(buf, sizeof(buf), "%d", b[i].code_id);
		db_array_add(&code, buf);
		db_array_add(&key, b[i].output_key);
		db_array_add(&date, timeutil_format_date(b[i].date, buf));
		/* one text element per build: "{1,2,3}", cast per row */
		strbuf_addch(&ids, '{');
		for (size_t k = 0; k < b[i].n_inputs; k++)
			strbuf_addf(&ids, "%s%lld", k ? "," : "",
				    (long long)b[i].inputs[k]);
		strbuf_addch(&ids, '}');
		db_array_add(&inputs, ids.buf);
		strbuf_release(&ids);
		db_array_add(&fname, b[i].output_filename);
		db_array_add(&ver, version_format(&b[i].version, buf));
		snprintf(buf, sizeof(buf), "%d", b[i].version_bump);
		db_array_add(&bump, b[i].version_bump >= 0 ? buf : NULL);
		db_array_add(&cache, b[i].cache_key);
	}
	db_array_end(&pid);
	db_array_end(&code);
	db_array_end(&key);
	db_array_end(&date);
	db_array_end(&inputs);
	db_array_end(&fname);
	db_array_end(&ver);
	db_array_end(&bump);
	db_array_end(&cache);
	snprintf(run, sizeof(run), "%lld", (long long)run_id);
	params[0] = run;
	params[1] = pid.buf;
	params[2] = code.buf;
	params[3] = key.buf;
	params[4] = date.buf;
	params[5] = inputs.buf;
	params[6] = fname.buf;
	params[7] = ver.buf;
	params[8] = bump.buf;
	params[9] = cache.buf;
	snprintf(buf, sizeof(buf), "%zu", n);
	params[10] = buf;
	rc = db_query(
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
		11, params, 0, &res);
	if (!rc && (db_res_check_shape(res, 1, 1, "new batch") ||
		    db_res_int64(res, 0, 0, batch_id)))
		rc = -1;
	db_res_free(res);
	strbuf_release(&pid);
	strbuf_release(&code);
	strbuf_release(&key);
	strbuf_release(&date);
	strbuf_release(&inputs);
	strbuf_release(&fname);
	strbuf_release(&ver);
	strbuf_release(&bump);
	strbuf_release(&cache);
	return rc;
}
