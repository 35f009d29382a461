/*
 * store-build.c - SQL of planning: claim queue entries, candidates, their
 * inputs and state, batch and build rows (see store-build.h).
 */
#include "store-build.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/*
 * The dates among which a file's newest version is chosen, as a range
 * the date index reads: its own date, or for a product of orbits (TB,
 * its timebase, is ORBIT) any: the orbit is the key, and an orbit
 * corrected to start on another day gives its next output another date
 * (sql/0015-periods.sql: cascade_file_day, and the tests of orbits
 * superseded in cascade_key_inputs).
 */
#define DAY_FROM(tb, d)                                                      \
	"(CASE WHEN " tb " = 'ORBIT' THEN '-infinity'::date ELSE " d " END)"
#define DAY_TO(tb, d)                                                        \
	"(CASE WHEN " tb " = 'ORBIT' THEN 'infinity'::date ELSE " d " END)"

/*
 * Rows are read through column tables (db.h); a version is its three
 * integer columns.  store_queue_claim still reads its rows by hand.
 */
#define VERSION_COLS(st, m)                                                  \
	DB_COL(DB_INT, st, m.interface), DB_COL(DB_INT, st, m.quality),      \
	DB_COL(DB_INT, st, m.revision)

/*
 * query_aligned: run sql with p, whose rows answer the n elements of a
 * batch in order (one each), and read them through t into base, the
 * caller's array of n zeroed rows.  What was read stays in base even on
 * failure, for the caller's release.
 */
static int
query_aligned(struct db *db, const char *sql, struct db_params *p,
	      const struct db_table *t, void *base, size_t n)
{
	struct db_res *res = NULL;
	int rc = db_query_params(db, sql, p, 0, &res);

	if (!rc && (db_res_check_shape(res, (int)n, (int)t->ncols, t->what) ||
		    db_res_read_rows(res, t, base, n)))
		rc = -1;
	db_res_free(res);
	return rc;
}

void
store_output_key(const struct sb_candidate *c, struct strbuf *sb)
{
	char d[DATE_STRLEN];

	if (c->timebase == TIMEBASE_ORBIT) {
		strbuf_addf(sb, "%0*lld", STORE_ORBIT_KEY_DIGITS,
			    (long long)c->period_number);
		return;
	}
	strbuf_addstr(sb, timeutil_format_date(c->key_start, d));
	if (c->timebase == TIMEBASE_HOURLY)
		strbuf_addf(sb, "T%02d",
			    (int)((c->period_start -
				   (int64_t)c->key_start * USEC_PER_DAY) /
				  USEC_PER_HOUR));
	if (c->keywords && c->keywords[0])
		strbuf_addf(sb, " %s", c->keywords);
}

void
store_candidates_free(struct sb_candidate *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].keywords);
		free(c[i].request);
	}
	free(c);
}

static const struct db_col trigger_cols[] = {
	DB_COL(DB_INT64, struct sb_trigger, file_id),
	DB_COL(DB_INT, struct sb_trigger, product_id),
	DB_COL(DB_DATE, struct sb_trigger, date),
	DB_COLF(DB_TEXT, struct sb_trigger, keywords, DB_EMPTY),
	DB_COL(DB_INT, struct sb_trigger, version_bump),
	DB_COL(DB_INT64, struct sb_trigger, span.start),
	DB_COL(DB_INT64, struct sb_trigger, span.stop),
	DB_COL(DB_BOOL, struct sb_trigger, span.exclusive),
	DB_COL(DB_BOOL, struct sb_trigger, claimed),
	DB_COL(DB_INT64, struct sb_trigger, queued_by),
	DB_COL(DB_TEXT, struct sb_trigger, request),
};
static const struct db_table trigger_table =
	DB_TABLE("triggers", trigger_cols, struct sb_trigger);

void
store_triggers_free(struct sb_trigger *t, size_t n)
{
	db_rows_free(&trigger_table, t, n);
}

/*
 * Every version of the claimed newest files' product and date, with its
 * time span (cascade_file_span's, inclusive: the planner applies the
 * product's stop-time rule) in microseconds, and who queued the entry:
 * its run, and its reason when a command queued it deliberately (ingest
 * writes "ingested", a build's output "made by build N": store-ingest.c,
 * store-run.c; dbprocessing wrote none).
 */
static const char triggers_sql[] =
	"WITH t AS (SELECT f.file_id, f.product_id, f.utc_file_date, "
	"  f.period_number, p.timebase, p.stop_time_exclusive, "
	"  q.version_bump, q.logging_id, q.reason "
	"  FROM unnest($1::bigint[]) AS c(id) "
	"  JOIN public.processqueue q ON q.file_id = c.id "
	"  JOIN public.file f ON f.file_id = c.id "
	"  JOIN public.product p ON p.product_id = f.product_id), "
	/* its versions of its date; of a product of orbits, of any date */
	"v AS (SELECT t.*, g.file_id AS gid, g.process_keywords AS gkw, "
	"  g.utc_start_time AS gs, g.utc_stop_time AS ge, "
	"  g.utc_file_date AS gd FROM t JOIN public.file g ON "
	"  g.product_id = t.product_id AND g.utc_file_date = "
	"  t.utc_file_date AND g.period_number = t.period_number "
	"  UNION ALL SELECT t.*, g.file_id, g.process_keywords, "
	"  g.utc_start_time, g.utc_stop_time, g.utc_file_date FROM t "
	"  JOIN public.file g ON g.product_id = t.product_id AND "
	"  g.period_number = t.period_number AND g.period_number <> 0 AND "
	"  g.utc_file_date <> t.utc_file_date WHERE t.timebase = 'ORBIT') "
	"SELECT v.file_id, v.product_id, v.utc_file_date, "
	"  v.gkw, coalesce(v.version_bump, -1), "
	"  (extract(epoch FROM lower(s.span)) * 1000000)::int8, "
	"  (extract(epoch FROM upper(s.span)) * 1000000)::int8, "
	"  v.stop_time_exclusive, v.gid = v.file_id, "
	"  coalesce(v.logging_id, 0), CASE WHEN v.reason = 'ingested' OR "
	"  v.reason LIKE 'made by build %' THEN NULL ELSE v.reason END "
	"FROM v CROSS JOIN LATERAL (SELECT public.cascade_file_span(v.gs, "
	"  v.ge, v.gd, false) AS span) s "
	"WHERE NOT isempty(s.span) "
	"ORDER BY v.file_id, v.gid";

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

/* a claimed entry */
struct claimed {
	int64_t file_id;
	bool newest; /* the newest version of its product and date */
	int64_t seq;
};

static const struct db_col claimed_cols[] = {
	DB_COL(DB_INT64, struct claimed, file_id),
	DB_COL(DB_BOOL, struct claimed, newest),
	DB_COL(DB_INT64, struct claimed, seq),
};
static const struct db_table claimed_table =
	DB_TABLE("claimed queue", claimed_cols, struct claimed);

/*
 * newest: no newer version of its product, date and period number is on
 * disk; for a
 * product that an input pins to an interface version (migration 0013),
 * no newer one of its own interface (a 2.x.x file under a 3.x.x one is
 * still the input of a pin to 2)
 */
static const char claim_sql[] =
	"SELECT q.file_id, f.utc_file_date IS NOT NULL AND NOT EXISTS "
	"(SELECT 1 FROM public.file g WHERE g.product_id = f.product_id AND "
	"g.utc_file_date = f.utc_file_date AND "
	"g.period_number = f.period_number AND g.exists_on_disk AND "
	"(g.interface_version, g.quality_version, g.revision_version) > "
	"(f.interface_version, f.quality_version, f.revision_version) AND "
	"(g.interface_version = f.interface_version OR NOT EXISTS (SELECT 1 "
	"FROM public.productprocesslink l WHERE l.input_product_id = "
	"f.product_id AND l.interface_pin IS NOT NULL))) "
	/* a product of orbits: a newer version of the orbit of any date */
	"AND NOT (fp.timebase = 'ORBIT' AND EXISTS (SELECT 1 FROM "
	"public.file g WHERE g.product_id = f.product_id AND "
	"g.period_number = f.period_number AND g.period_number <> 0 AND "
	"g.exists_on_disk AND "
	"(g.interface_version, g.quality_version, g.revision_version) > "
	"(f.interface_version, f.quality_version, f.revision_version) AND "
	"(g.interface_version = f.interface_version OR NOT EXISTS (SELECT 1 "
	"FROM public.productprocesslink l WHERE l.input_product_id = "
	"f.product_id AND l.interface_pin IS NOT NULL)))), "
	"q.seq FROM (SELECT e.file_id, e.seq FROM public.processqueue e "
	"JOIN public.file x USING (file_id) WHERE e.seq > $2::bigint AND "
	"x.product_id <> ALL ($3::bigint[]) ORDER BY e.seq LIMIT $1::int "
	"FOR UPDATE OF e SKIP LOCKED) q JOIN public.file f USING (file_id) "
	"JOIN public.product fp ON fp.product_id = f.product_id "
	"ORDER BY q.seq";

int
store_queue_claim(struct db *db, const struct sb_claim *q,
		  int64_t *max_seq, int64_t **files, size_t *nfiles,
		  long *not_newest, struct sb_trigger **trig, size_t *ntrig)
{
	struct db_params p = DB_PARAMS_INIT;
	struct claimed *c = NULL;
	int64_t *newest = NULL;
	size_t n = 0, nnew = 0;
	int rc;

	*files = NULL;
	*nfiles = 0;
	*not_newest = 0;
	*trig = NULL;
	*ntrig = 0;
	db_params_int64(&p, q->limit);
	db_params_int64(&p, q->after_seq);
	db_params_int64_array(&p, q->skip_products, q->n_skip);
	/* the claimed entries themselves (locks them for this transaction) */
	rc = db_query_rows(db, claim_sql, &p, 0, &claimed_table, &c, &n);
	db_params_release(&p);
	if (rc)
		return rc;
	*files = xcalloc(n + 1, sizeof(**files));
	newest = xcalloc(n + 1, sizeof(*newest));
	for (size_t r = 0; r < n; r++) {
		(*files)[r] = c[r].file_id;
		*max_seq = c[r].seq;
		if (c[r].newest)
			newest[nnew++] = c[r].file_id;
		else
			(*not_newest)++;
	}
	*nfiles = n;
	db_rows_free(&claimed_table, c, n);
	if (nnew > 0) {
		db_params_int64_array(&p, newest, nnew);
		rc = db_query_rows(db, triggers_sql, &p, 0, &trigger_table,
				   trig, ntrig);
		db_params_release(&p);
	}
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
	CAND_PN = 1 << 7,  /* period number, bigint */
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
		if (cols & CAND_PN)
			db_col_int64(p, c[i].period_number);
	}
}

/* c.idx, the 1-based position of a candidate, as its 0-based index */
static int
parse_cand(const char *s, void *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > SIZE_MAX)
		return -1;
	*(size_t *)out = (size_t)(v - 1);
	return 0;
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
	"  coalesce(x.process_keywords, ''), x.period_number "
	"FROM unnest($1::int[], $2::date[], $3::date[], $4::text[], "
	"  $5::int8[]) WITH ORDINALITY AS c(pid, ks, ke, kw, pn, idx) "
	"CROSS JOIN LATERAL public.cascade_key_inputs(c.pid, c.ks, c.ke, "
	"  c.kw, c.pn) x "
	"ORDER BY c.idx, x.input_product_id, x.utc_file_date, "
	"  x.period_number, x.file_id";

static const struct db_col input_cols[] = {
	DB_COL_PARSE(struct sb_input, cand, parse_cand),
	DB_COL(DB_INT, struct sb_input, product_id),
	DB_COL(DB_BOOL, struct sb_input, optional),
	DB_COL(DB_INT64, struct sb_input, file_id),
	DB_COL(DB_TEXT, struct sb_input, filename),
	DB_COL(DB_DATE, struct sb_input, date),
	VERSION_COLS(struct sb_input, version),
	DB_COL(DB_BOOL, struct sb_input, own),
	DB_COLF(DB_TEXT, struct sb_input, keywords, DB_EMPTY),
	DB_COL(DB_INT64, struct sb_input, period_number),
};
static const struct db_table input_table =
	DB_TABLE("candidate inputs", input_cols, struct sb_input);

int
store_candidate_inputs(struct db *db, const struct sb_candidate *c, size_t n,
		       struct sb_input **out, size_t *nout)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	cand_params(&p, c, n,
		    CAND_PID | CAND_KS | CAND_KE | CAND_KW | CAND_PN);
	rc = db_query_rows(db, inputs_sql, &p, 0, &input_table, out, nout);
	db_params_release(&p);
	return rc;
}

void
store_state_release(struct sb_state *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].last_inputs);
		free(s[i].out_filename);
		free(s[i].purged);
		free(s[i].period_was);
	}
}

static const struct db_col parent_cols[] = {
	DB_COL(DB_INT64, struct sb_parent, result),
	DB_COL(DB_INT64, struct sb_parent, file_id),
	DB_COL(DB_INT, struct sb_parent, product_id),
	DB_COL(DB_DATE, struct sb_parent, date),
	VERSION_COLS(struct sb_parent, version),
	DB_COL(DB_TEXT, struct sb_parent, filename),
	DB_COL(DB_BOOL, struct sb_parent, on_disk),
	DB_COL(DB_INT64, struct sb_parent, period_number),
};
static const struct db_table parent_table =
	DB_TABLE("output parents", parent_cols, struct sb_parent);

void
store_parents_free(struct sb_parent *p, size_t n)
{
	db_rows_free(&parent_table, p, n);
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
	"  lb.input_file_ids, coalesce(lb.code_id, 0), pv.versions, "
	"  CASE WHEN lp.r IS DISTINCT FROM "
	"  public.cascade_period_range(c.tb, c.pn) THEN "
	"  to_char(lower(lp.r), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' to ' || "
	"  to_char(upper(lp.r), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') END "
	"FROM unnest($1::int[], $2::text[], $3::int[], $4::date[], "
	"  $5::text[], $6::text[], $7::int8[]) WITH ORDINALITY "
	"  AS c(pid, tb, op, ks, kw, okey, pn, idx) "
	/* (an ORBIT key's output by its orbit, whatever its date) */
	"LEFT JOIN LATERAL (SELECT f.file_id, f.filename, f.interface_version, "
	"  f.quality_version, f.revision_version FROM public.file f WHERE "
	"  c.op <> 0 AND f.product_id = c.op AND f.utc_file_date BETWEEN "
	DAY_FROM("c.tb", "c.ks") " AND " DAY_TO("c.tb", "c.ks") " AND "
	"  f.period_number = c.pn AND "
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
	"  AND pf.utc_file_date BETWEEN " DAY_FROM("c.tb", "c.ks") " AND "
	DAY_TO("c.tb", "c.ks") " "
	"  AND pf.period_number = c.pn "
	"  AND (c.tb <> 'FILE' OR "
	"  coalesce(pf.process_keywords, '') = c.kw)) pv ON true "
	"LEFT JOIN LATERAL (SELECT b.period_range AS r FROM public.build b "
	"  WHERE c.tb IN ('HOURLY', 'ORBIT') AND b.process_id = c.pid AND "
	"  b.output_key = c.okey AND b.status = 'succeeded' AND "
	"  b.period_range IS NOT NULL ORDER BY b.build_id DESC LIMIT 1) lp "
	"  ON true "
	"ORDER BY c.idx";

/*
 * "1.0.0 1.1.0": the versions of a key that were purged, into the
 * sb_state whose purged field is at field (its count, n_purged, is a
 * sibling: the column's one field cannot hold both)
 */
static int
parse_purged(const char *s, void *field)
{
	struct sb_state *st =
		(struct sb_state *)((char *)field -
				    offsetof(struct sb_state, purged));
	size_t alloc = 0;

	while (*s) {
		const char *e = strchr(s, ' ');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		ALLOC_GROW(st->purged, st->n_purged + 1, alloc);
		if (version_parse(s, len, &st->purged[st->n_purged]))
			return -1;
		st->n_purged++;
		s += len;
		while (*s == ' ')
			s++;
	}
	return 0;
}

/* state_sql in order: c.idx is the row's position, not read */
static const struct db_col state_cols[] = {
	DB_COL_SKIP,
	DB_COL(DB_INT64, struct sb_state, out_id),
	DB_COL(DB_TEXT, struct sb_state, out_filename),
	VERSION_COLS(struct sb_state, out_version),
	DB_COL(DB_INT, struct sb_state, out_code_id),
	DB_COL(DB_BOOL, struct sb_state, open),
	DB_COL(DB_BOOL, struct sb_state, bad),
	DB_COL_ARRAY(struct sb_state, last_inputs, n_last_inputs, DB_NULLABLE),
	DB_COL(DB_INT, struct sb_state, last_code_id),
	{DB_PARSE, offsetof(struct sb_state, purged), 0, DB_NULLABLE,
	 parse_purged},
	DB_COL(DB_TEXT, struct sb_state, period_was),
};
static const struct db_table state_table =
	DB_TABLE("candidate state", state_cols, struct sb_state);

int
store_candidate_state(struct db *db, const struct sb_candidate *c, size_t n,
		      struct sb_state *st, struct sb_parent **parents,
		      size_t *nparents)
{
	struct db_params q = DB_PARAMS_INIT;
	int64_t *outs = NULL;
	size_t nouts = 0;
	int rc;

	*parents = NULL;
	*nparents = 0;
	if (n == 0)
		return 0;
	memset(st, 0, n * sizeof(*st));
	cand_params(&q, c, n,
		    CAND_PID | CAND_TB | CAND_OP | CAND_KS | CAND_KW |
			    CAND_KEY | CAND_PN);
	rc = query_aligned(db, state_sql, &q, &state_table, st, n);
	db_params_release(&q);
	if (rc)
		return rc;

	/* the parents of the existing outputs */
	outs = xcalloc(n + 1, sizeof(*outs));
	for (size_t i = 0; i < n; i++)
		if (st[i].out_id)
			outs[nouts++] = st[i].out_id;
	db_params_int64_array(&q, outs, nouts);
	free(outs);
	rc = db_query_rows(db,
			   "SELECT l.resulting_file, f.file_id, f.product_id, "
			   "f.utc_file_date, f.interface_version, "
			   "f.quality_version, f.revision_version, f.filename, "
			   "f.exists_on_disk, f.period_number FROM "
			   "public.filefilelink l JOIN "
			   "public.file f ON f.file_id = l.source_file WHERE "
			   "l.resulting_file = ANY($1::bigint[]) ORDER BY "
			   "l.resulting_file, f.file_id",
			   &q, 0, &parent_table, parents, nparents);
	db_params_release(&q);
	return rc;
}

int
store_queued(struct db *db, const int64_t *ids, size_t n, bool **queued)
{
	/* the rows are the bool elements of the array themselves */
	static const struct db_col cols[] = {{DB_BOOL, 0, 0, 0, NULL}};
	static const struct db_table t = {"queued files", cols, 1,
					  sizeof(bool)};
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	*queued = xcalloc(n + 1, sizeof(**queued));
	if (n == 0)
		return 0;
	db_params_int64_array(&p, ids, n);
	rc = query_aligned(db,
			   "SELECT EXISTS (SELECT 1 FROM public.processqueue "
			   "q WHERE q.file_id = c.id) FROM unnest($1::bigint[]) "
			   "WITH ORDINALITY AS c(id, idx) ORDER BY c.idx",
			   &p, &t, *queued, n);
	db_params_release(&p);
	return rc;
}

int
store_queue_files(struct db *db, const int64_t *ids, size_t n,
		  int64_t run_id, const char *reason, int64_t *queued)
{
	struct db_params p = DB_PARAMS_INIT;
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
	rc = db_query_int64(
		db,
		"WITH ins AS (INSERT INTO public.processqueue (file_id, "
		"logging_id, reason) SELECT DISTINCT id, $2::bigint, $3::text "
		"FROM unnest($1::bigint[]) AS c(id) ORDER BY id "
		"ON CONFLICT (file_id) DO NOTHING RETURNING 1) "
		"SELECT count(*) FROM ins",
		&p, 0, queued);
	db_params_release(&p);
	return rc;
}

/* an output key as a candidate, with the newest file of its output */
struct output_key {
	struct sb_candidate c;
	int64_t file_id;
};

static const struct db_col output_key_cols[] = {
	DB_COL_PARSE(struct output_key, c.timebase, timebase_parse_to),
	DB_COL(DB_INT, struct output_key, c.output_product),
	DB_COL(DB_DATE, struct output_key, c.key_start),
	DB_COLF(DB_TEXT, struct output_key, c.keywords, DB_EMPTY),
	DB_COL(DB_INT64, struct output_key, file_id),
	DB_COL(DB_INT64, struct output_key, c.period_number),
	DB_COL(DB_INT64, struct output_key, c.period_start),
	DB_COL(DB_INT64, struct output_key, c.period_stop),
	DB_COL(DB_DATE, struct output_key, c.key_end),
};
static const struct db_table output_key_table =
	DB_TABLE("output keys", output_key_cols, struct output_key);

int
store_output_keys(struct db *db, int process_id, struct sb_candidate **cands,
		  int64_t **outputs, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	struct output_key *rows = NULL;
	size_t nrows = 0;
	struct sb_candidate *c;
	int rc;

	*cands = NULL;
	*outputs = NULL;
	*n = 0;
	db_params_int64(&p, process_id);
	rc = db_query_rows(db,
		      "SELECT DISTINCT ON (public.cascade_file_day("
		      "pr.output_timebase, f.utc_file_date), f.period_number, "
		      "CASE WHEN "
		      "pr.output_timebase = 'FILE' THEN coalesce("
		      "f.process_keywords, '') END) pr.output_timebase, "
		      "pr.output_product, coalesce(lower(kr.r)::date, "
		      "f.utc_file_date), CASE WHEN "
		      "pr.output_timebase = 'FILE' THEN coalesce("
		      "f.process_keywords, '') ELSE '' END, f.file_id, "
		      "f.period_number, "
		      "coalesce((extract(epoch FROM lower(kr.r)) * 1000000)"
		      "::int8, 0), "
		      "coalesce((extract(epoch FROM upper(kr.r)) * 1000000)"
		      "::int8, 0), "
		      "coalesce((upper(kr.r) - interval '1 microsecond')::date, "
		      "f.utc_file_date) "
		      "FROM public.process pr JOIN public.file f ON "
		      "f.product_id = pr.output_product CROSS JOIN LATERAL "
		      "(SELECT public.cascade_period_range(pr.output_timebase, "
		      "f.period_number) AS r) kr WHERE pr.process_id = "
		      "$1::int AND f.utc_file_date IS NOT NULL ORDER BY "
		      "public.cascade_file_day(pr.output_timebase, "
		      "f.utc_file_date), f.period_number, "
		      "CASE WHEN pr.output_timebase = 'FILE' "
		      "THEN coalesce(f.process_keywords, '') END, "
		      "f.interface_version DESC, f.quality_version DESC, "
		      "f.revision_version DESC",
		      &p, 0, &output_key_table, &rows, &nrows);
	db_params_release(&p);
	if (rc)
		return rc;
	/* the rows' keywords move to the candidates */
	c = xcalloc(nrows + 1, sizeof(*c));
	*outputs = xcalloc(nrows + 1, sizeof(**outputs));
	for (size_t r = 0; r < nrows; r++) {
		c[r] = rows[r].c;
		c[r].process_id = process_id;
		if (!timebase_numbered(c[r].timebase))
			c[r].key_end = c[r].key_start;
		c[r].version_bump = -1;
		c[r].own = true;
		(*outputs)[r] = rows[r].file_id;
	}
	free(rows);
	*cands = c;
	*n = nrows;
	return 0;
}

/* the ids a store_batch_create made: the first, and how many */
struct batch_ids {
	int64_t first, n;
};
static const struct db_col batch_ids_cols[] = {
	DB_COL(DB_INT64, struct batch_ids, first),
	DB_COL(DB_INT64, struct batch_ids, n),
};
static const struct db_col due_cols[] = {
	DB_COL(DB_INT, struct sb_candidate, process_id),
	DB_COL(DB_DATE, struct sb_candidate, key_start),
};
static const struct db_table due_table =
	DB_TABLE("due keys", due_cols, struct sb_candidate);

/*
 * Every period of a schedule from the one holding its start date (ISO
 * weeks start on Monday, as date_trunc's), up to the last one that ended
 * lag days ago or more: ks + step <= today - lag.
 */
static const char due_sql[] =
	"SELECT s.pid, k.ks::date FROM unnest($1::int[], $2::text[], "
	"  $3::date[], $4::int[], $5::int[]) AS s(pid, every, start, lag, op) "
	"CROSS JOIN LATERAL (SELECT CASE s.every WHEN 'DAILY' THEN "
	"  interval '1 day' WHEN 'WEEKLY' THEN interval '1 week' WHEN "
	"  'MONTHLY' THEN interval '1 month' ELSE interval '1 year' END AS "
	"  step, date_trunc(CASE s.every WHEN 'DAILY' THEN 'day' WHEN "
	"  'WEEKLY' THEN 'week' WHEN 'MONTHLY' THEN 'month' ELSE 'year' END, "
	"  s.start::timestamp) AS first) x "
	"CROSS JOIN LATERAL generate_series(x.first, (current_date - "
	"  s.lag)::timestamp - x.step, x.step) AS k(ks) "
	"WHERE NOT EXISTS (SELECT 1 FROM public.build b WHERE b.process_id = "
	"  s.pid AND b.output_key = to_char(k.ks, 'YYYY-MM-DD')) "
	"AND (s.op = 0 OR NOT EXISTS (SELECT 1 FROM public.file f WHERE "
	"  f.product_id = s.op AND f.utc_file_date = k.ks::date)) "
	"ORDER BY 1, 2";

int
store_due_keys(struct db *db, const struct sb_schedule *s, size_t n,
	       struct sb_candidate **out, size_t *nout)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	db_params_columns(&p, 5);
	for (size_t i = 0; i < n; i++) {
		db_col_int64(&p, s[i].process_id);
		db_col_text(&p, timebase_name(s[i].every));
		db_col_date(&p, s[i].start_date);
		db_col_int64(&p, s[i].lag_days);
		db_col_int64(&p, s[i].output_product);
	}
	rc = db_query_rows(db, due_sql, &p, 0, &due_table, out, nout);
	db_params_release(&p);
	return rc;
}

/* a reason's version, or NULL for none (interface 0: no file or code) */
static const char *
reason_version(const struct version *v, char *buf)
{
	return v->interface > 0 ? version_format(v, buf) : NULL;
}

/* the reasons of builds b[0..n) as parallel array parameters */
static void
reason_params(struct db_params *p, const struct sb_build *b, size_t n)
{
	db_params_columns(p, 13);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < b[i].n_reasons; j++) {
			const struct sb_reason *r = &b[i].reasons[j];
			char v[VERSION_STRLEN];

			db_col_int64(p, (int64_t)i + 1);
			db_col_text(p, build_reason_name(r->kind));
			db_col_int64(p, r->product_id);
			if (r->product_id)
				db_col_date(p, r->date);
			else
				db_col_null(p);
			db_col_int64(p, r->old_file);
			db_col_int64(p, r->new_file);
			db_col_text(p, reason_version(&r->old_version, v));
			db_col_text(p, reason_version(&r->new_version, v));
			db_col_int64(p, r->old_code);
			db_col_int64(p, r->new_code);
			if (r->bump >= 0)
				db_col_int64(p, r->bump);
			else
				db_col_null(p);
			db_col_int64(p, r->by_run);
			db_col_text(p, r->detail);
		}
	}
}


int
store_batch_create(struct db *db, int64_t run_id, const struct sb_build *b,
		   size_t n, int64_t *batch_id, long *n_batches)
{
	static const struct db_table t =
		DB_TABLE("new batches", batch_ids_cols, struct batch_ids);
	struct db_params p = DB_PARAMS_INIT;
	struct batch_ids ids = {0, 0};
	int rc;

	*batch_id = 0;
	*n_batches = 0;
	db_params_int64(&p, run_id);
	db_params_columns(&p, 11);
	for (size_t i = 0; i < n; i++) {
		char v[VERSION_STRLEN];
		char t0[TIMESTAMP_STRLEN], t1[TIMESTAMP_STRLEN];

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
		db_col_int64(&p, b[i].period_number);
		if (b[i].period_stop > b[i].period_start) {
			struct strbuf r = STRBUF_INIT;

			strbuf_addf(&r, "[%s,%s)",
				    timeutil_format_timestamp(b[i].period_start,
							      t0),
				    timeutil_format_timestamp(b[i].period_stop,
							      t1));
			db_col_text(&p, r.buf);
			strbuf_release(&r);
		} else {
			db_col_null(&p);
		}
	}
	/*
	 * One batch per process, in the order the builds name them; nothing
	 * planned: one empty batch, done, that says the entries were seen.
	 * The builds' reasons find their build by (process, output key):
	 * unique in a batch, and RETURNING does not promise the rows' order.
	 */
	reason_params(&p, b, n);
	rc = db_query_row(
		db,
		"WITH u AS (SELECT * FROM unnest($2::int[], $3::int[], "
		"$4::text[], $5::date[], $6::text[], $7::text[], $8::text[], "
		"$9::int2[], $10::text[], $11::int8[], $12::text[]) WITH "
		"ORDINALITY AS u(pid, code, okey, d, inputs, fname, ver, bump, "
		"cache, pn, pr, ord)), "
		"g AS (SELECT pid, count(*) AS n, min(okey) AS k0, max(okey) "
		"AS k1, min(ord) AS o FROM u GROUP BY pid), "
		"bt AS (INSERT INTO public.batch (logging_id, kind, state, "
		"size, first_key, last_key, process_id) SELECT nullif($1::bigint, "
		"0), 'process', 'planned', g.n, g.k0, g.k1, g.pid FROM g ORDER BY "
		"g.o RETURNING batch_id, process_id), "
		"e AS (INSERT INTO public.batch (logging_id, kind, state, size) "
		"SELECT nullif($1::bigint, 0), 'process', 'done', 0 WHERE NOT "
		"EXISTS (SELECT 1 FROM u) RETURNING batch_id), "
		"ins AS (INSERT INTO public.build (batch_id, logging_id, "
		"process_id, code_id, output_key, utc_file_date, "
		"input_file_ids, output_filename, output_version, "
		"version_bump, cache_key, status, period_number, period_range) "
		"SELECT bt.batch_id, nullif($1::bigint, 0), u.pid, "
		"nullif(u.code, 0), u.okey, u.d, u.inputs::bigint[], u.fname, "
		"u.ver, u.bump, u.cache, 'queued', u.pn, u.pr::tsrange "
		"FROM u JOIN bt ON bt.process_id = u.pid ORDER BY u.ord "
		"RETURNING build_id, process_id, output_key), "
		"rs AS (INSERT INTO public.build_reason (build_id, seq, kind, "
		"product_id, utc_date, old_file_id, new_file_id, old_version, "
		"new_version, old_code_id, new_code_id, bump, logging_id, detail) "
		"SELECT ins.build_id, row_number() OVER (PARTITION BY r.idx ORDER "
		"BY r.n), r.kind, nullif(r.prod, 0), r.d, nullif(r.oldf, 0), "
		"nullif(r.newf, 0), r.oldv, r.newv, nullif(r.oldc, 0), "
		"nullif(r.newc, 0), r.bump, nullif(r.run, 0), r.detail "
		"FROM unnest($13::bigint[], $14::text[], $15::int[], $16::date[], "
		"$17::bigint[], $18::bigint[], $19::text[], $20::text[], "
		"$21::int[], $22::int[], $23::int2[], $24::bigint[], $25::text[]) "
		"WITH ORDINALITY AS r(idx, kind, prod, d, oldf, newf, oldv, newv, "
		"oldc, newc, bump, run, detail, n) JOIN u ON u.ord = r.idx JOIN "
		"ins ON ins.process_id = u.pid AND ins.output_key = u.okey) "
		"SELECT min(batch_id), count(*) FROM (SELECT batch_id FROM bt "
		"UNION ALL SELECT batch_id FROM e) x",
		&p, 0, &t, &ids, NULL);
	db_params_release(&p);
	*batch_id = ids.first;
	*n_batches = (long)ids.n;
	return rc;
}
