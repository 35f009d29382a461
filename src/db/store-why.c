/*
 * store-why.c - the SQL of "why": build reasons, the chain of builds
 * behind a file, the builds of one key (see store-why.h).
 */
#include "store-why.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "xalloc.h"
#include "banned.h"

/* UTC text of a timestamp or timestamptz column (session time zone UTC) */
#define TS(x) "to_char(" x ", 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define I64(st, m) DB_COLF(DB_INT64, st, m, DB_NULLABLE)
#define TXT(st, m) DB_COL(DB_TEXT, st, m)

static int
parse_reason(const char *s, void *out)
{
	return build_reason_parse(s, out);
}

/* a reason's columns of cascade_build_reason r, and their table entries */
#define REASON_SQL                                                           \
	"r.build_id, r.kind, r.product_name, r.utc_date::text, "             \
	"r.old_file_id, r.old_filename, r.old_version, r.new_file_id, "      \
	"r.new_filename, r.new_version, r.old_code_id, r.new_code_id, "      \
	"r.bump, r.logging_id, r.by_command, r.by_user, r.detail "
#define REASON_COLS(st, m)                                                   \
	I64(st, m.build_id),                                                 \
	{DB_PARSE, offsetof(st, m.kind), 0, DB_NULLABLE, parse_reason},      \
	TXT(st, m.product), TXT(st, m.utc_date), I64(st, m.old_file_id),     \
	TXT(st, m.old_filename), TXT(st, m.old_version),                     \
	I64(st, m.new_file_id), TXT(st, m.new_filename),                     \
	TXT(st, m.new_version), I64(st, m.old_code_id),                      \
	I64(st, m.new_code_id), TXT(st, m.bump), I64(st, m.logging_id),      \
	TXT(st, m.by_command), TXT(st, m.by_user), TXT(st, m.detail)

struct reason_row {
	struct sw_reason r;
};
static const struct db_col reason_cols[] = {
	REASON_COLS(struct reason_row, r),
};
static const struct db_table reason_table =
	DB_TABLE("build reasons", reason_cols, struct reason_row);

void
sw_reason_release(struct sw_reason *r)
{
	db_row_release(&reason_table, r);
}

void
sw_reasons_free(struct sw_reason *r, size_t n)
{
	db_rows_free(&reason_table, r, n);
}

int
store_build_reasons(struct db *db, const int64_t *ids, size_t n,
		    struct sw_reason **out, size_t *nout)
{
	struct db_params p = DB_PARAMS_INIT;
	struct reason_row *rows = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	db_params_int64_array(&p, ids, n);
	rc = db_query_rows(db,
			   "SELECT " REASON_SQL "FROM public.cascade_build_reason "
			   "r WHERE r.build_id = ANY($1::bigint[]) "
			   "ORDER BY r.build_id, r.seq",
			   &p, 0, &reason_table, &rows, nout);
	db_params_release(&p);
	/* a reason_row is its reason */
	*out = (struct sw_reason *)rows;
	return rc;
}

/* a node of the chain with one of its build's reasons (or none) */
struct node_row {
	struct sw_node n;
	struct sw_reason r;
};
static const struct db_col node_cols[] = {
	DB_COL(DB_INT, struct node_row, n.depth),
	TXT(struct node_row, n.path),
	DB_COL(DB_INT64, struct node_row, n.file_id),
	DB_COL(DB_BOOL, struct node_row, n.exists),
	TXT(struct node_row, n.filename),
	TXT(struct node_row, n.product),
	TXT(struct node_row, n.version),
	TXT(struct node_row, n.utc_file_date),
	DB_COL(DB_BOOL, struct node_row, n.on_disk),
	I64(struct node_row, n.build_id),
	TXT(struct node_row, n.process),
	TXT(struct node_row, n.output_key),
	TXT(struct node_row, n.code_version),
	TXT(struct node_row, n.built),
	I64(struct node_row, n.code_id),
	I64(struct node_row, n.n_inputs),
	I64(struct node_row, n.reused_from),
	REASON_COLS(struct node_row, r),
};
static const struct db_table node_table =
	DB_TABLE("why chain", node_cols, struct node_row);

/* the node part of node_table: the node's own strings */
static const struct db_table node_only_table = {
	"why chain", node_cols, 17, sizeof(struct node_row)};

/* the build that made file t.file_id: its newest successful one */
#define MAKER(t)                                                             \
	"SELECT max(x.build_id) FROM public.build x WHERE x.output_file_id " \
	"= " t ".file_id AND x.status = 'succeeded'"

/*
 * The chain: t walks from the file to the inputs of the (newest
 * successful) build that made each file, up to $2 levels; each node is
 * then joined with that build and its reasons, one row per reason.  The
 * path (input positions) orders it depth first, inputs in build order.
 */
static const char why_file_sql[] =
	"WITH RECURSIVE start AS (SELECT f.file_id FROM public.file f WHERE "
	"  f.filename = $1 OR ($1 ~ '^[0-9]{1,18}$' AND f.file_id = "
	"  $1::bigint) ORDER BY f.filename = $1 DESC LIMIT 1), "
	"t(depth, path, file_id) AS (SELECT 0, ARRAY[]::int[], file_id FROM "
	"  start UNION ALL SELECT t.depth + 1, t.path || u.n::int, u.id "
	"  FROM t JOIN public.build mb ON mb.build_id = (" MAKER("t") ") "
	"  CROSS JOIN LATERAL unnest(mb.input_file_ids) WITH ORDINALITY AS "
	"  u(id, n) WHERE t.depth < $2::int) "
	"SELECT t.depth, array_to_string(t.path, '.'), t.file_id, "
	"  f.file_id IS NOT NULL, f.filename, p.product_name, "
	"  f.interface_version || '.' || f.quality_version || '.' || "
	"  f.revision_version, f.utc_file_date::text, "
	"  coalesce(f.exists_on_disk, false), b.build_id, pc.process_name, "
	"  b.output_key, c.interface_version || '.' || c.quality_version || "
	"  '.' || c.revision_version, " TS("b.ended_at") ", "
	"  CASE WHEN b.build_id IS NULL THEN (SELECT min(fl.source_code) FROM "
	"  public.filecodelink fl WHERE fl.resulting_file = t.file_id) END, "
	"  cardinality(b.input_file_ids), b.reused_from_build_id, "
	REASON_SQL
	"FROM t LEFT JOIN public.file f ON f.file_id = t.file_id "
	"LEFT JOIN public.product p ON p.product_id = f.product_id "
	"LEFT JOIN public.build b ON b.build_id = (" MAKER("t") ") "
	"LEFT JOIN public.process pc ON pc.process_id = b.process_id "
	"LEFT JOIN public.code c ON c.code_id = b.code_id "
	"LEFT JOIN public.cascade_build_reason r ON r.build_id = b.build_id "
	"ORDER BY t.path, r.seq";

void
sw_nodes_free(struct sw_node *nodes, size_t n)
{
	for (size_t i = 0; nodes && i < n; i++) {
		db_row_release(&node_only_table, &nodes[i]);
		sw_reasons_free(nodes[i].reasons, nodes[i].n_reasons);
	}
	free(nodes);
}

int
store_why_file(struct db *db, const char *name, int depth,
	       struct sw_node **nodes, size_t *n)
{
	struct db_params p = DB_PARAMS_INIT;
	struct node_row *rows = NULL;
	struct sw_node *out = NULL;
	size_t nrows = 0, m = 0, ralloc = 0;
	int rc;

	*nodes = NULL;
	*n = 0;
	db_params_text(&p, name);
	db_params_int64(&p, depth);
	rc = db_query_rows(db, why_file_sql, &p, 0, &node_table, &rows,
			   &nrows);
	db_params_release(&p);
	if (rc)
		return rc;
	/* one row per reason: the rows of one node are consecutive */
	out = xcalloc(nrows + 1, sizeof(*out));
	for (size_t i = 0; i < nrows; i++) {
		struct node_row *x = &rows[i];
		struct sw_node *nd;

		if (!m || strcmp(out[m - 1].path, x->n.path)) {
			out[m++] = x->n;
			ralloc = 0;
		} else {
			db_row_release(&node_only_table, x);
		}
		memset(&x->n, 0, sizeof(x->n));
		nd = &out[m - 1];
		if (x->r.build_id == INT64_MIN) {
			sw_reason_release(&x->r);
			continue;
		}
		ALLOC_GROW(nd->reasons, nd->n_reasons + 1, ralloc);
		nd->reasons[nd->n_reasons++] = x->r;
	}
	free(rows);
	*nodes = out;
	*n = m;
	return 0;
}

static const struct db_col key_cols[] = {
	I64(struct sw_key, made_by),
	TXT(struct sw_key, made_at),
	I64(struct sw_key, bad_build),
	I64(struct sw_key, open_build),
	TXT(struct sw_key, open_status),
};
static const struct db_table key_table =
	DB_TABLE("key builds", key_cols, struct sw_key);

void
sw_key_release(struct sw_key *k)
{
	db_row_release(&key_table, k);
}

int
store_why_key(struct db *db, int process_id, const char *output_key,
	      int64_t out_id, struct sw_key *k)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_int64(&p, process_id);
	db_params_text(&p, output_key);
	db_params_int64(&p, out_id);
	rc = db_query_row(
		db,
		"SELECT m.build_id, " TS("m.ended_at") ", (SELECT "
		"max(b.build_id) FROM public.build b WHERE b.process_id = "
		"$1::int AND b.output_key = $2 AND b.status = 'bad'), "
		"o.build_id, o.status FROM (SELECT 1) x "
		"LEFT JOIN LATERAL (SELECT b.build_id, b.ended_at FROM "
		"public.build b WHERE b.process_id = $1::int AND b.output_key "
		"= $2 AND b.status = 'succeeded' AND (b.output_file_id = "
		"$3::bigint OR (SELECT pr.output_product IS NULL FROM "
		"public.process pr WHERE pr.process_id = $1::int)) ORDER BY "
		"b.build_id DESC LIMIT 1) m ON true "
		"LEFT JOIN LATERAL (SELECT b.build_id, b.status FROM "
		"public.build b WHERE b.process_id = $1::int AND b.output_key "
		"= $2 AND b.status IN ('queued', 'running', 'recording') ORDER "
		"BY b.build_id DESC LIMIT 1) o ON true",
		&p, 0, &key_table, k, NULL);
	db_params_release(&p);
	return rc;
}

static const struct db_col queued_cols[] = {
	DB_COL(DB_INT64, struct sw_queued, product_id),
	TXT(struct sw_queued, product),
	DB_COL(DB_INT64, struct sw_queued, files),
	TXT(struct sw_queued, first),
	TXT(struct sw_queued, last),
};
static const struct db_table queued_table =
	DB_TABLE("queued products", queued_cols, struct sw_queued);

void
sw_queued_free(struct sw_queued *q, size_t n)
{
	db_rows_free(&queued_table, q, n);
}

int
store_why_queue(struct db *db, struct sw_queued **out, size_t *n)
{
	return db_query_rows(db,
			     "SELECT f.product_id, p.product_name, count(*), "
			     "min(f.utc_file_date)::text, "
			     "max(f.utc_file_date)::text FROM "
			     "public.processqueue q JOIN public.file f USING "
			     "(file_id) JOIN public.product p USING "
			     "(product_id) GROUP BY 1, 2 ORDER BY 1",
			     NULL, 0, &queued_table, out, n);
}
