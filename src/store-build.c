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
		snprintf(p[r].timebase, sizeof(p[r].timebase), "%s",
			 db_res_get(res, r, 2));
		p[r].extra_params = ep ? xstrdup(ep) : NULL;
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
store_candidates_free(struct sb_candidate *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++)
		free(c[i].keywords);
	free(c);
}

/*
 * One statement: claim the queue entries, decide which are the newest of
 * their product and date, and expand each newest one into the (process,
 * key) pairs it affects: for DAILY and longer timebases every period
 * whose input window [start - yesterday, end + tomorrow] overlaps the
 * file's days (its own days marked), for FILE and RUN its own date.
 */
static const char claim_sql[] =
	"WITH q AS (SELECT file_id, version_bump FROM public.processqueue "
	"  WHERE seq > $4::bigint ORDER BY seq LIMIT $1::int "
	"  FOR UPDATE SKIP LOCKED), "
	"qf AS (SELECT q.file_id, q.version_bump, f.product_id, "
	"  f.utc_file_date AS d, "
	"  coalesce(f.utc_start_time::date, f.utc_file_date) AS d0, "
	"  coalesce(f.utc_stop_time::date, f.utc_file_date) AS d1, "
	"  coalesce(f.process_keywords, '') AS kw, "
	"  f.utc_file_date IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
	"    public.file g WHERE g.product_id = f.product_id AND "
	"    g.utc_file_date = f.utc_file_date AND g.exists_on_disk AND "
	"    (g.interface_version, g.quality_version, g.revision_version) > "
	"    (f.interface_version, f.quality_version, f.revision_version)) "
	"  AS newest "
	"  FROM q JOIN public.file f USING (file_id)), "
	"days AS (SELECT qf.*, l.process_id, pr.output_timebase AS tb, "
	"  coalesce(pr.output_product, 0) AS op, day::date AS day, "
	"  day::date BETWEEN qf.d0 AND qf.d1 AS own "
	"  FROM qf JOIN public.productprocesslink l "
	"    ON l.input_product_id = qf.product_id "
	"  JOIN public.process pr USING (process_id) "
	"  CROSS JOIN LATERAL generate_series("
	"    CASE WHEN pr.output_timebase IN ('FILE', 'RUN') THEN qf.d "
	"         ELSE qf.d0 - l.tomorrow END, "
	"    CASE WHEN pr.output_timebase IN ('FILE', 'RUN') THEN qf.d "
	"         ELSE qf.d1 + l.yesterday END, interval '1 day') AS day "
	"  WHERE qf.newest "
	"  AND ($2::text IS NULL OR pr.process_name = ANY("
	"    string_to_array($2::text, ',')) OR pr.process_id::text = ANY("
	"    string_to_array($2::text, ','))) "
	"  AND NOT ($3::bool AND pr.output_timebase = 'RUN')), "
	"keyed AS (SELECT process_id, tb, op, own, version_bump, "
	"  CASE WHEN tb = 'FILE' THEN kw ELSE '' END AS kw, "
	"  CASE tb WHEN 'WEEKLY' THEN date_trunc('week', day)::date "
	"    WHEN 'MONTHLY' THEN date_trunc('month', day)::date "
	"    WHEN 'YEARLY' THEN date_trunc('year', day)::date "
	"    ELSE day END AS ks FROM days) "
	"SELECT process_id, tb, op, ks, "
	"  CASE tb WHEN 'WEEKLY' THEN ks + 6 "
	"    WHEN 'MONTHLY' THEN (ks + interval '1 month')::date - 1 "
	"    WHEN 'YEARLY' THEN (ks + interval '1 year')::date - 1 "
	"    ELSE ks END AS ke, "
	"  kw, coalesce(min(version_bump) FILTER (WHERE own), -1), "
	"  bool_or(own) "
	"FROM keyed GROUP BY process_id, tb, op, ks, kw "
	"ORDER BY process_id, ks, kw";

int
store_queue_claim(struct db *db, int limit, const char *only, bool skip_run,
		  int64_t after_seq, int64_t *max_seq,
		  struct sb_candidate **cands, size_t *ncands, int64_t **files,
		  size_t *nfiles, long *not_newest)
{
	char lim[16], after[32];
	const char *params[4], *first[2];
	struct db_res *res = NULL;
	struct sb_candidate *c = NULL;
	int rc;

	*cands = NULL;
	*ncands = 0;
	*files = NULL;
	*nfiles = 0;
	*not_newest = 0;
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(after, sizeof(after), "%lld", (long long)after_seq);
	params[0] = lim;
	params[1] = only;
	params[2] = skip_run ? "t" : "f";
	params[3] = after;
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
	for (int r = 0; r < db_res_nrows(res); r++) {
		bool newest;

		if (db_res_int64(res, r, 0, &(*files)[r]) ||
		    db_res_bool(res, r, 1, &newest) ||
		    db_res_int64(res, r, 2, max_seq))
			rc = -1;
		else if (!newest)
			(*not_newest)++;
	}
	*nfiles = (size_t)db_res_nrows(res);
	db_res_free(res);
	if (rc || *nfiles == 0)
		return rc;

	rc = db_query(db, claim_sql, 4, params, 0, &res);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 8, "candidates")) {
		db_res_free(res);
		return -1;
	}
	c = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*c));
	for (int r = 0; r < db_res_nrows(res); r++) {
		snprintf(c[r].timebase, sizeof(c[r].timebase), "%s",
			 db_res_get(res, r, 1));
		c[r].keywords = xstrdup_or_empty(db_res_get(res, r, 5));
		if (db_res_int(res, r, 0, &c[r].process_id) ||
		    db_res_int(res, r, 2, &c[r].output_product) ||
		    db_res_date(res, r, 3, &c[r].key_start) ||
		    db_res_date(res, r, 4, &c[r].key_end) ||
		    db_res_int(res, r, 6, &c[r].version_bump) ||
		    db_res_bool(res, r, 7, &c[r].own))
			rc = -1;
	}
	*ncands = (size_t)db_res_nrows(res);
	*cands = c;
	db_res_free(res);
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
		db_array_add(&a->tb, c[i].timebase);
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

/*
 * The newest version of each date is chosen first (among files on disk),
 * then the window is applied, so a newer version with a different time
 * range is never passed over for an older one (a dbprocessing bug).  Dates
 * are searched one day beyond the window, which catches files that spill
 * over midnight.
 */
static const char inputs_sql[] =
	"SELECT c.idx, l.input_product_id, l.optional, x.file_id, "
	"  x.filename, x.utc_file_date, x.interface_version, "
	"  x.quality_version, x.revision_version, "
	"  CASE WHEN c.tb IN ('FILE', 'RUN') "
	"    THEN x.utc_file_date BETWEEN c.ks AND c.ke "
	"    ELSE x.utc_start_time < (c.ke + 1)::timestamp AND "
	"      x.utc_stop_time >= c.ks::timestamp END, "
	"  coalesce(x.process_keywords, '') "
	"FROM unnest($1::int[], $2::text[], $3::date[], $4::date[], "
	"  $5::text[]) WITH ORDINALITY AS c(pid, tb, ks, ke, kw, idx) "
	"JOIN public.productprocesslink l ON l.process_id = c.pid "
	"JOIN LATERAL (SELECT n.* FROM (SELECT DISTINCT ON (f.utc_file_date) "
	"    f.file_id, f.filename, f.utc_file_date, f.utc_start_time, "
	"    f.utc_stop_time, f.interface_version, f.quality_version, "
	"    f.revision_version, f.process_keywords "
	"    FROM public.file f WHERE f.product_id = l.input_product_id "
	"    AND f.exists_on_disk AND f.utc_file_date BETWEEN "
	"    c.ks - l.yesterday - 1 AND c.ke + l.tomorrow + 1 "
	"    ORDER BY f.utc_file_date, f.interface_version DESC, "
	"    f.quality_version DESC, f.revision_version DESC) n "
	"  WHERE CASE WHEN c.tb IN ('FILE', 'RUN') "
	"    THEN n.utc_file_date BETWEEN c.ks - l.yesterday "
	"      AND c.ke + l.tomorrow "
	"    ELSE n.utc_start_time < (c.ke + l.tomorrow + 1)::timestamp AND "
	"      n.utc_stop_time >= (c.ks - l.yesterday)::timestamp END "
	"  AND (c.tb <> 'FILE' OR coalesce(n.process_keywords, '') = c.kw)) x "
	"  ON true "
	"ORDER BY c.idx, l.input_product_id, x.utc_file_date";

int
store_candidate_inputs(struct db *db, const struct sb_candidate *c, size_t n,
		       struct sb_input **out, size_t *nout)
{
	struct cand_arrays a;
	const char *params[5];
	struct db_res *res = NULL;
	struct sb_input *in = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	cand_arrays(&a, c, n);
	params[0] = a.pid.buf;
	params[1] = a.tb.buf;
	params[2] = a.ks.buf;
	params[3] = a.ke.buf;
	params[4] = a.kw.buf;
	rc = db_query(db, inputs_sql, 5, params, 0, &res);
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
	for (size_t i = 0; s && i < n; i++)
		free(s[i].last_inputs);
}

static const char state_sql[] =
	"SELECT c.idx, coalesce(k.code_id, 0), coalesce(k.interface_version, "
	"  0), coalesce(k.quality_version, 0), coalesce(k.revision_version, 0), "
	"  coalesce(k.output_interface_version, 0), "
	"  coalesce(o.file_id, 0), coalesce(o.interface_version, 0), "
	"  coalesce(o.quality_version, 0), coalesce(o.revision_version, 0), "
	"  coalesce(oc.code_id, 0), coalesce(oc.interface_version, 0), "
	"  coalesce(oc.quality_version, 0), coalesce(oc.revision_version, 0), "
	"  EXISTS (SELECT 1 FROM public.build b WHERE b.process_id = c.pid AND "
	"    b.output_key = c.okey AND b.status IN ('queued', 'running', "
	"    'recording')), "
	"  EXISTS (SELECT 1 FROM public.build b WHERE b.process_id = c.pid AND "
	"    b.output_key = c.okey AND b.status = 'bad'), "
	"  lb.input_file_ids, coalesce(lb.code_id, 0) "
	"FROM unnest($1::int[], $2::text[], $3::int[], $4::date[], "
	"  $5::text[], $6::text[]) WITH ORDINALITY "
	"  AS c(pid, tb, op, ks, kw, okey, idx) "
	"LEFT JOIN LATERAL (SELECT * FROM public.code k WHERE k.process_id = "
	"  c.pid AND k.active_code AND k.newest_version AND c.ks BETWEEN "
	"  k.code_start_date AND k.code_stop_date ORDER BY "
	"  k.interface_version DESC, k.quality_version DESC, "
	"  k.revision_version DESC LIMIT 1) k ON true "
	"LEFT JOIN LATERAL (SELECT f.file_id, f.interface_version, "
	"  f.quality_version, f.revision_version FROM public.file f WHERE "
	"  c.op <> 0 AND f.product_id = c.op AND f.utc_file_date = c.ks AND "
	"  (c.tb <> 'FILE' OR coalesce(f.process_keywords, '') = c.kw) "
	"  ORDER BY f.interface_version DESC, f.quality_version DESC, "
	"  f.revision_version DESC LIMIT 1) o ON true "
	"LEFT JOIN LATERAL (SELECT k2.code_id, k2.interface_version, "
	"  k2.quality_version, k2.revision_version FROM public.filecodelink "
	"  fl JOIN public.code k2 ON k2.code_id = fl.source_code WHERE "
	"  fl.resulting_file = o.file_id LIMIT 1) oc ON true "
	"LEFT JOIN LATERAL (SELECT b.input_file_ids, b.code_id FROM "
	"  public.build b WHERE c.tb = 'RUN' AND b.process_id = c.pid AND "
	"  b.output_key = c.okey AND b.status = 'succeeded' ORDER BY "
	"  b.build_id DESC LIMIT 1) lb ON true "
	"ORDER BY c.idx";

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
	if (db_res_check_shape(res, (int)n, 18, "candidate state")) {
		db_res_free(res);
		return -1;
	}
	for (int r = 0; r < (int)n; r++) {
		struct sb_state *s = &st[r];

		memset(s, 0, sizeof(*s));
		if (db_res_int(res, r, 1, &s->code_id) ||
		    db_res_version(res, r, 2, &s->code_version) ||
		    db_res_int(res, r, 5, &s->code_oiv) ||
		    db_res_int64(res, r, 6, &s->out_id) ||
		    db_res_version(res, r, 7, &s->out_version) ||
		    db_res_int(res, r, 10, &s->out_code_id) ||
		    db_res_version(res, r, 11, &s->out_code_version) ||
		    db_res_bool(res, r, 14, &s->open) ||
		    db_res_bool(res, r, 15, &s->bad) ||
		    db_res_int(res, r, 17, &s->last_code_id))
			rc = -1;
		if (!db_res_isnull(res, r, 16) &&
		    db_res_int64_array(res, r, 16, &s->last_inputs,
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
		      "f.revision_version FROM public.filefilelink l JOIN "
		      "public.file f ON f.file_id = l.source_file WHERE "
		      "l.resulting_file = ANY($1::bigint[]) ORDER BY "
		      "l.resulting_file, f.file_id",
		      1, params, 0, &res);
	strbuf_release(&outs);
	if (rc)
		return rc;
	if (db_res_check_shape(res, -1, 7, "output parents")) {
		db_res_free(res);
		return -1;
	}
	p = xcalloc((size_t)db_res_nrows(res) + 1, sizeof(*p));
	for (int r = 0; r < db_res_nrows(res); r++) {
		if (db_res_int64(res, r, 0, &p[r].result) ||
		    db_res_int64(res, r, 1, &p[r].file_id) ||
		    db_res_int(res, r, 2, &p[r].product_id) ||
		    db_res_date(res, r, 3, &p[r].date) ||
		    db_res_version(res, r, 4, &p[r].version))
			rc = -1;
	}
	*nparents = (size_t)db_res_nrows(res);
	*parents = p;
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
