/*
 * store-adopt.c - the SQL of "cascade adopt" (see store-adopt.h).
 *
 * Owns adopt-1-shape.sql and adopt-2-constraints.sql (embedded as
 * adopt_sql_shape and adopt_sql_constraints) and the rules for
 * dbprocessing's defects, which run between them on the reshaped
 * tables while no foreign key or CHECK is in force yet.  The rules, as
 * docs/from-dbprocessing.md documents them:
 *
 *   duplicate    several rows for one (product, date, version), which
 *                dbprocessing's "Unique file tuple" (on quality_comment)
 *                let in: the row kept is the one on disk, then the most
 *                recently made, then the highest id; the others' children
 *                and queue entries move to it and they are removed, each
 *                one's whole row kept in its failure row's note.  Open
 *                (for a person) when its SHA-1 differs from the kept one.
 *   inspector    several inspector rows for one product: the newest (by
 *                newest_version, version, id) is kept, the others removed
 *                with their rows in the note.
 *   stale-flag   a run still marked currently_processing: cleared,
 *                status interrupted.
 *   no-end-time  runs without processing_end_time (dbprocessing never
 *                writes it): the end is recorded as the start, status ok
 *                when the comment says "Nominal Exit", else failed.
 *   dangling     link, queue, release, unixtime and logging_file rows
 *                naming a row that does not exist: removed.
 *   unixtime     unixtime rows without times: filled from their file's
 *                UTC times, removed when it has none.
 *   missing      (--verify) a file not on disk: exists_on_disk false.
 *   changed      (--verify) a file whose SHA-1 is not the recorded one:
 *                left open for a person.
 *   extra-column a column neither dbprocessing's current schema nor
 *                cascade's has: kept, NOT NULL dropped (store_adopt_extra).
 *
 * Defects no rule can settle (the configuration does not hold together:
 * several missions, names used twice, a timebase cascade refuses,
 * versions that are not I.Q.R, rows naming a configuration row that does
 * not exist) stop the adoption before anything is committed.
 */
#include "store-adopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "strbuf.h"
#include "strvec.h"
#include "xalloc.h"
#include "banned.h"

extern const char adopt_sql_dbprocessing[];
extern const char adopt_sql_shape[];
extern const char adopt_sql_constraints[];

#define ADOPT_BY "'cascade adopt'"
/* a resolved failure row's last columns */
#define RESOLVED "true, now(), " ADOPT_BY

static const char *const dbp_tables[] = {
	"mission", "satellite", "instrument", "product",
	"instrumentproductlink", "process", "productprocesslink", "file",
	"unixtime", "filefilelink", "code", "processqueue", "filecodelink",
	"release", "logging", "logging_file", "inspector", NULL,
};

int
store_adopt_probe(struct db *db, struct strvec *missing)
{
	struct db_params p = DB_PARAMS_INIT;
	size_t n = 0;
	int rc;

	while (dbp_tables[n])
		n++;
	db_params_text_array(&p, dbp_tables, n);
	rc = db_query_text_column(db,
				  "SELECT t FROM unnest($1::text[]) WITH "
				  "ORDINALITY AS u(t, i) WHERE "
				  "pg_catalog.to_regclass('public.' || "
				  "pg_catalog.quote_ident(t)) IS NULL "
				  "ORDER BY i",
				  &p, 0, missing);
	db_params_release(&p);
	return rc;
}

#define COLS(...) (const char *const[]){__VA_ARGS__}, \
	(int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
const struct adopt_table adopt_dbp_tables[] = {
	{"mission", COLS("mission_id", "mission_name", "rootdir",
			 "incoming_dir", "codedir", "inspectordir",
			 "errordir")},
	{"satellite", COLS("satellite_id", "satellite_name", "mission_id")},
	{"instrument", COLS("instrument_id", "instrument_name",
			    "satellite_id")},
	{"product", COLS("product_id", "product_name", "instrument_id",
			 "relative_path", "level", "format",
			 "product_description")},
	{"instrumentproductlink", COLS("instrument_id", "product_id")},
	{"process", COLS("process_id", "process_name", "output_product",
			 "output_timebase", "extra_params")},
	{"productprocesslink", COLS("process_id", "input_product_id",
				    "optional", "yesterday", "tomorrow")},
	{"file", COLS("file_id", "filename", "utc_file_date",
		      "utc_start_time", "utc_stop_time", "data_level",
		      "interface_version", "quality_version",
		      "revision_version", "verbose_provenance", "check_date",
		      "quality_comment", "caveats", "file_create_date",
		      "met_start_time", "met_stop_time", "exists_on_disk",
		      "quality_checked", "product_id", "shasum",
		      "process_keywords")},
	{"unixtime", COLS("file_id", "unix_start", "unix_stop")},
	{"filefilelink", COLS("source_file", "resulting_file")},
	{"code", COLS("code_id", "filename", "relative_path",
		      "code_start_date", "code_stop_date", "code_description",
		      "process_id", "interface_version", "quality_version",
		      "revision_version", "output_interface_version",
		      "active_code", "date_written", "shasum",
		      "newest_version", "arguments", "ram", "cpu")},
	{"processqueue", COLS("file_id", "version_bump")},
	{"filecodelink", COLS("resulting_file", "source_code")},
	{"release", COLS("file_id", "release_num")},
	{"logging", COLS("logging_id", "currently_processing", "pid",
			 "processing_start_time", "processing_end_time",
			 "comment", "mission_id", "\"user\"", "hostname")},
	{"logging_file", COLS("logging_file_id", "logging_id", "file_id",
			      "code_id", "comments")},
	{"inspector", COLS("inspector_id", "filename", "relative_path",
			   "description", "interface_version",
			   "quality_version", "revision_version",
			   "output_interface_version", "active_code",
			   "date_written", "shasum", "newest_version",
			   "arguments", "product")},
};
#undef COLS
const size_t adopt_n_dbp_tables = ARRAY_SIZE(adopt_dbp_tables);

int
store_adopt_empty(struct db *db, bool *empty)
{
	return db_query_bool(db,
			     "SELECT NOT EXISTS (SELECT 1 FROM "
			     "pg_catalog.pg_class WHERE relnamespace = "
			     "'public'::regnamespace AND relkind IN ('r', 'v', "
			     "'m', 'S', 'p', 'f'))",
			     NULL, 0, empty);
}

/* a column missing ('m') or extra ('x'): "table.column" */
struct odd_column {
	char *kind;
	char *column;
};
static const struct db_col odd_column_cols[] = {
	DB_COL(DB_TEXT, struct odd_column, kind),
	DB_COL(DB_TEXT, struct odd_column, column),
};
static const struct db_table odd_column_table =
	DB_TABLE("columns", odd_column_cols, struct odd_column);

int
store_adopt_columns(struct db *db, struct strvec *missing,
		    struct strvec *extra)
{
	struct db_params p = DB_PARAMS_INIT;
	struct odd_column *odd = NULL;
	size_t n = 0;
	int rc;

	db_params_columns(&p, 2);
	for (size_t i = 0; i < adopt_n_dbp_tables; i++)
		for (int k = 0; k < adopt_dbp_tables[i].n; k++) {
			const char *c = adopt_dbp_tables[i].cols[k];

			db_col_text(&p, adopt_dbp_tables[i].name);
			db_col_text(&p, strcmp(c, "\"user\"") ? c : "user");
		}
	rc = db_query_rows(db,
		"WITH k AS (SELECT * FROM unnest($1::text[], $2::text[]) "
		"  AS k(t, c)), "
		"a AS (SELECT c.relname AS t, a.attname AS c "
		"  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c "
		"  ON c.oid = a.attrelid WHERE c.relnamespace = "
		"  'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 "
		"  AND NOT a.attisdropped AND c.relname IN (SELECT t FROM k)) "
		"SELECT 'm', t || '.' || c FROM k EXCEPT ALL "
		"  SELECT 'm', t || '.' || c FROM a "
		"UNION ALL (SELECT 'x', t || '.' || c FROM a EXCEPT ALL "
		"  SELECT 'x', t || '.' || c FROM k) ORDER BY 1, 2",
		&p, 0, &odd_column_table, &odd, &n);
	db_params_release(&p);
	for (size_t i = 0; i < n; i++)
		strvec_push(strcmp(odd[i].kind, "m") ? extra : missing,
			    odd[i].column);
	db_rows_free(&odd_column_table, odd, n);
	return rc;
}

int
store_adopt_extra(struct db *db, const struct strvec *extra)
{
	struct db_params p = DB_PARAMS_INIT;
	struct strvec alters = STRVEC_INIT;
	int rc;

	if (!extra->nr)
		return 0;
	db_params_text_array(&p, extra->v, extra->nr);
	rc = db_query_text_column(db,
		"SELECT format('ALTER TABLE public.%I ALTER COLUMN %I DROP NOT "
		"NULL', split_part(x, '.', 1), split_part(x, '.', 2)) "
		"FROM unnest($1::text[]) AS x",
		&p, 0, &alters);
	for (size_t i = 0; !rc && i < alters.nr; i++)
		rc = db_exec(db, alters.v[i]);
	strvec_clear(&alters);
	if (!rc)
		rc = db_query_params(db,
			"INSERT INTO public.failure (kind, reason, resolved, "
			"resolved_at, resolved_by) SELECT 'adopt-extra-column', "
			"format('column %s is not one of dbprocessing''s current "
			"schema nor cascade''s: kept with its values, NOT NULL "
			"dropped (cascade does not write it)', x), " RESOLVED
			" FROM unnest($1::text[]) AS x",
			&p, 0, NULL);
	db_params_release(&p);
	return rc;
}

int
store_adopt_create_dbp(struct db *db)
{
	if (db_exec_script(db, adopt_sql_dbprocessing)) {
		log_detail("In adopt-0-dbprocessing.sql.");
		return -1;
	}
	return 0;
}

int
store_adopt_copy_begin(struct db *db, const struct adopt_table *t)
{
	struct strbuf sql = STRBUF_INIT;
	int rc;

	strbuf_addf(&sql, "COPY public.%s (", t->name);
	for (int i = 0; i < t->n; i++)
		strbuf_addf(&sql, "%s%s", i ? ", " : "", t->cols[i]);
	strbuf_addstr(&sql, ") FROM STDIN");
	rc = db_copy_begin(db, sql.buf);
	strbuf_release(&sql);
	return rc;
}

int
store_adopt_copy_row(struct db *db, int n, const char *const *vals)
{
	for (int i = 0; i < n; i++) {
		if (vals[i])
			db_copy_field(db, vals[i]);
		else
			db_copy_null(db);
	}
	return db_copy_end_row(db);
}

int
store_adopt_copy_end(struct db *db)
{
	return db_copy_end(db);
}

int
store_adopt_shape(struct db *db)
{
	if (db_exec_script(db, adopt_sql_shape)) {
		log_detail("In adopt-1-shape.sql.");
		return -1;
	}
	return 0;
}

int
store_adopt_constraints(struct db *db)
{
	if (db_exec_script(db, adopt_sql_constraints)) {
		log_detail("In adopt-2-constraints.sql.");
		return -1;
	}
	return 0;
}

/*
 * Each part: up to 5 messages of one kind of defect that no rule
 * settles.  "%s" etc. are format()'s.
 */
static const char blockers_sql[] =
"(SELECT format('%s missions (cascade keeps one mission per database)', count(*))"
"   FROM mission HAVING count(*) <> 1)"
" UNION ALL (SELECT format('product name \"%s\" used by %s products', product_name, count(*))"
"   FROM product GROUP BY product_name HAVING count(*) > 1 LIMIT 5)"
" UNION ALL (SELECT format('process name \"%s\" used by %s processes', process_name, count(*))"
"   FROM process GROUP BY process_name HAVING count(*) > 1 LIMIT 5)"
" UNION ALL (SELECT format('product %s is made by %s processes', output_product, count(*))"
"   FROM process WHERE output_product IS NOT NULL GROUP BY output_product"
"  HAVING count(*) > 1 LIMIT 5)"
" UNION ALL (SELECT format('process \"%s\": timebase %s (dbprocessing runs FILE, DAILY, WEEKLY,"
" MONTHLY, YEARLY and RUN; an ORBIT process, which it never ran, is declared again after"
" the adoption, with cascade config apply)', process_name, coalesce(output_timebase, 'NULL'))"
"   FROM process WHERE output_timebase IS NULL OR output_timebase NOT IN"
"  ('FILE', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'RUN') LIMIT 5)"
" UNION ALL (SELECT format('process \"%s\": timebase %s with output product %s',"
"  process_name, output_timebase, coalesce(output_product::text, 'none'))"
"   FROM process WHERE output_timebase IN ('FILE', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'RUN')"
"    AND (output_timebase = 'RUN') <> (output_product IS NULL) LIMIT 5)"
" UNION ALL (SELECT format('product %s is linked to %s instruments', product_id, count(*))"
"   FROM instrumentproductlink GROUP BY product_id HAVING count(*) > 1 LIMIT 5)"
" UNION ALL (SELECT format('code %s (%s): version %s.%s.%s, output interface %s is not I.Q.R',"
"  code_id, filename, interface_version, quality_version, revision_version,"
"  output_interface_version) FROM code WHERE interface_version < 1"
"  OR quality_version < 0 OR revision_version < 0 OR output_interface_version < 1 LIMIT 5)"
" UNION ALL (SELECT format('code %s (%s): valid from %s to %s', code_id, filename,"
"  code_start_date, code_stop_date) FROM code WHERE code_start_date > code_stop_date LIMIT 5)"
" UNION ALL (SELECT format('process %s has %s codes of version %s.%s.%s', process_id,"
"  count(*), interface_version, quality_version, revision_version) FROM code"
"  GROUP BY process_id, interface_version, quality_version, revision_version"
"  HAVING count(*) > 1 LIMIT 5)"
" UNION ALL (SELECT format('file %s (%s): version %s.%s.%s is not I.Q.R', file_id, filename,"
"  interface_version, quality_version, revision_version) FROM file"
"  WHERE interface_version < 1 OR quality_version < 0 OR revision_version < 0 LIMIT 5)"
" UNION ALL (SELECT format('file %s (%s): no start or stop time, or the start after the stop',"
"  file_id, filename) FROM file"
"  WHERE (utc_stop_time IS NULL AND met_stop_time IS NULL)"
"     OR (utc_start_time IS NULL AND met_start_time IS NULL)"
"     OR met_start_time > met_stop_time OR utc_start_time > utc_stop_time LIMIT 5)"
" UNION ALL (SELECT format('file %s: name \"%s\" is empty or has a \"/\"', file_id, filename)"
"   FROM file WHERE filename = '' OR strpos(filename, '/') > 0 LIMIT 5)"
" UNION ALL (SELECT format('file name \"%s\" used by %s rows', filename, count(*))"
"   FROM file GROUP BY filename HAVING count(*) > 1 LIMIT 5)"
" UNION ALL (SELECT format('productprocesslink (%s, %s): yesterday %s, tomorrow %s',"
"  process_id, input_product_id, yesterday, tomorrow) FROM productprocesslink"
"  WHERE yesterday NOT BETWEEN 0 AND 366 OR tomorrow NOT BETWEEN 0 AND 366 LIMIT 5)"
/* rows naming a configuration row that does not exist */
" UNION ALL (SELECT format('satellite %s names mission %s, which does not exist',"
"  satellite_id, mission_id) FROM satellite s WHERE NOT EXISTS"
"  (SELECT 1 FROM mission m WHERE m.mission_id = s.mission_id) LIMIT 5)"
" UNION ALL (SELECT format('instrument %s names satellite %s, which does not exist',"
"  instrument_id, satellite_id) FROM instrument i WHERE NOT EXISTS"
"  (SELECT 1 FROM satellite s WHERE s.satellite_id = i.satellite_id) LIMIT 5)"
" UNION ALL (SELECT format('product %s names instrument %s, which does not exist',"
"  product_id, instrument_id) FROM product p WHERE NOT EXISTS"
"  (SELECT 1 FROM instrument i WHERE i.instrument_id = p.instrument_id) LIMIT 5)"
" UNION ALL (SELECT format('process %s names output product %s, which does not exist',"
"  process_id, output_product) FROM process p WHERE output_product IS NOT NULL"
"  AND NOT EXISTS (SELECT 1 FROM product d WHERE d.product_id = p.output_product) LIMIT 5)"
" UNION ALL (SELECT format('code %s names process %s, which does not exist',"
"  code_id, process_id) FROM code c WHERE NOT EXISTS"
"  (SELECT 1 FROM process p WHERE p.process_id = c.process_id) LIMIT 5)"
" UNION ALL (SELECT format('inspector %s names product %s, which does not exist',"
"  inspector_id, product) FROM inspector i WHERE NOT EXISTS"
"  (SELECT 1 FROM product d WHERE d.product_id = i.product) LIMIT 5)"
" UNION ALL (SELECT format('file %s (%s) names product %s, which does not exist',"
"  file_id, filename, product_id) FROM file f WHERE NOT EXISTS"
"  (SELECT 1 FROM product d WHERE d.product_id = f.product_id) LIMIT 5)"
" UNION ALL (SELECT format('run %s names mission %s, which does not exist',"
"  logging_id, mission_id) FROM logging l WHERE NOT EXISTS"
"  (SELECT 1 FROM mission m WHERE m.mission_id = l.mission_id) LIMIT 5)";

int
store_adopt_blockers(struct db *db, struct strvec *out)
{
	return db_query_text_column(db, blockers_sql, NULL, 0, out);
}


/*
 * The rules, in order (see the top of this file).  Duplicates first, so
 * that the links of the rows they remove are not reported as dangling.
 */
static const char *const rules_sql[] = {
	/* duplicate (product, date, version): the rows to remove */
	"CREATE TEMP TABLE adopt_dup ON COMMIT DROP AS "
	"SELECT file_id, keeper FROM ("
	"  SELECT file_id, first_value(file_id) OVER w AS keeper,"
	"         row_number() OVER w AS n FROM file"
	"  WINDOW w AS (PARTITION BY product_id,"
	"                 coalesce(utc_file_date, '-infinity'::date),"
	"                 interface_version, quality_version, revision_version"
	"               ORDER BY exists_on_disk DESC, file_create_date DESC,"
	"                        file_id DESC)) d WHERE n > 1",
	"INSERT INTO failure (kind, filename, reason, resolved, resolved_at,"
	" resolved_by, note) "
	"SELECT 'adopt-duplicate', f.filename,"
	" format('file %s (id %s) has the product, date and version of %s "
	"(id %s): removed, its children and queue entry moved to %s%s',"
	"  f.filename, f.file_id, k.filename, k.file_id, k.filename,"
	"  CASE WHEN f.shasum IS DISTINCT FROM k.shasum"
	"  THEN ' (their SHA-1 differ: check which is right)' ELSE '' END),"
	" f.shasum IS NOT DISTINCT FROM k.shasum,"
	" CASE WHEN f.shasum IS NOT DISTINCT FROM k.shasum THEN now() END,"
	" CASE WHEN f.shasum IS NOT DISTINCT FROM k.shasum THEN " ADOPT_BY " END,"
	" 'row: ' || row_to_json(f)::text "
	"FROM adopt_dup d JOIN file f ON f.file_id = d.file_id"
	" JOIN file k ON k.file_id = d.keeper ORDER BY f.file_id",
	"INSERT INTO filefilelink (source_file, resulting_file) "
	"SELECT DISTINCT d.keeper, l.resulting_file FROM filefilelink l"
	" JOIN adopt_dup d ON d.file_id = l.source_file "
	"WHERE l.resulting_file <> d.keeper AND NOT EXISTS (SELECT 1 FROM"
	" filefilelink x WHERE x.source_file = d.keeper"
	" AND x.resulting_file = l.resulting_file)",
	"INSERT INTO processqueue (file_id, version_bump) "
	"SELECT DISTINCT ON (d.keeper) d.keeper, q.version_bump"
	" FROM processqueue q JOIN adopt_dup d ON d.file_id = q.file_id "
	"WHERE NOT EXISTS (SELECT 1 FROM processqueue x"
	" WHERE x.file_id = d.keeper) ORDER BY d.keeper, q.version_bump",
	"DELETE FROM filefilelink WHERE source_file IN (SELECT file_id FROM adopt_dup)"
	" OR resulting_file IN (SELECT file_id FROM adopt_dup)",
	"DELETE FROM filecodelink WHERE resulting_file IN (SELECT file_id FROM adopt_dup)",
	"DELETE FROM processqueue WHERE file_id IN (SELECT file_id FROM adopt_dup)",
	"DELETE FROM unixtime WHERE file_id IN (SELECT file_id FROM adopt_dup)",
	"DELETE FROM release WHERE file_id IN (SELECT file_id FROM adopt_dup)",
	"DELETE FROM logging_file WHERE file_id IN (SELECT file_id FROM adopt_dup)",
	"DELETE FROM file WHERE file_id IN (SELECT file_id FROM adopt_dup)",

	/* several inspectors for one product: the newest stays */
	"WITH d AS (DELETE FROM inspector WHERE inspector_id IN ("
	"  SELECT inspector_id FROM (SELECT inspector_id, row_number() OVER ("
	"    PARTITION BY product ORDER BY newest_version DESC,"
	"    interface_version DESC, quality_version DESC,"
	"    revision_version DESC, inspector_id DESC) AS n FROM inspector) i"
	"  WHERE n > 1) RETURNING *) "
	"INSERT INTO failure (kind, reason, resolved, resolved_at, resolved_by,"
	" note) "
	"SELECT 'adopt-inspector', format('inspector %s (%s) of product %s is "
	"not the newest of its product: removed (cascade keeps one inspector "
	"per product)', d.inspector_id, d.filename, d.product), " RESOLVED ","
	" 'row: ' || row_to_json(d)::text FROM d ORDER BY d.inspector_id",

	/* stale processing flag */
	"WITH s AS (UPDATE logging SET currently_processing = false,"
	"  status = 'interrupted', processing_end_time = greatest("
	"  processing_start_time, processing_end_time)"
	"  WHERE currently_processing RETURNING *) "
	"INSERT INTO failure (kind, reason, resolved, resolved_at, resolved_by) "
	"SELECT 'adopt-stale-flag', format('run %s (pid %s on %s, started %s) "
	"still held the processing flag: cleared, recorded as interrupted',"
	" logging_id, pid, hostname, processing_start_time), " RESOLVED
	" FROM s ORDER BY logging_id",

	/* runs without an end time, or ending before they started */
	"WITH s AS (UPDATE logging SET processing_end_time = processing_start_time"
	"  WHERE processing_end_time IS NULL"
	"     OR processing_end_time < processing_start_time RETURNING 1) "
	"INSERT INTO failure (kind, reason, resolved, resolved_at, resolved_by) "
	"SELECT 'adopt-no-end-time', format('%s runs have no end time "
	"(dbprocessing never records it) or end before they start: the end "
	"is recorded as the start', count(*)), " RESOLVED
	" FROM s HAVING count(*) > 0",
	"UPDATE logging SET command = 'dbprocessing', status = CASE"
	" WHEN comment LIKE 'Nominal Exit%' THEN 'ok' ELSE 'failed' END"
	" WHERE status = 'running'",

	/* rows naming rows that do not exist */
#define DANGLING(table, cond, what)                                           \
	"WITH d AS (DELETE FROM " table " l WHERE " cond " RETURNING l.*) "    \
	"INSERT INTO failure (kind, reason, resolved, resolved_at, "          \
	"resolved_by, note) "                                                 \
	"SELECT 'adopt-dangling', format('%s rows of " table " name "         \
	what " that does not exist: removed', count(*)), " RESOLVED ", "      \
	"'rows: ' || left(string_agg(row_to_json(d)::text, ' '), 4000) "      \
	"FROM d HAVING count(*) > 0"
#define NOFILE(col) \
	"NOT EXISTS (SELECT 1 FROM file f WHERE f.file_id = l." col ")"
	DANGLING("filefilelink", NOFILE("source_file") " OR "
		 NOFILE("resulting_file"), "a file"),
	DANGLING("filecodelink", NOFILE("resulting_file") " OR NOT EXISTS "
		 "(SELECT 1 FROM code c WHERE c.code_id = l.source_code)",
		 "a file or code"),
	DANGLING("processqueue", NOFILE("file_id"), "a file"),
	DANGLING("unixtime", NOFILE("file_id"), "a file"),
	DANGLING("release", NOFILE("file_id"), "a file"),
	DANGLING("logging_file", NOFILE("file_id") " OR NOT EXISTS (SELECT 1 "
		 "FROM code c WHERE c.code_id = l.code_id) OR NOT EXISTS "
		 "(SELECT 1 FROM logging g WHERE g.logging_id = l.logging_id)",
		 "a file, code or run"),
	DANGLING("instrumentproductlink", "NOT EXISTS (SELECT 1 FROM "
		 "instrument i WHERE i.instrument_id = l.instrument_id) OR NOT "
		 "EXISTS (SELECT 1 FROM product p WHERE p.product_id = "
		 "l.product_id)", "an instrument or product"),
	DANGLING("productprocesslink", "NOT EXISTS (SELECT 1 FROM process p "
		 "WHERE p.process_id = l.process_id) OR NOT EXISTS (SELECT 1 "
		 "FROM product d WHERE d.product_id = l.input_product_id)",
		 "a process or product"),
#undef NOFILE
#undef DANGLING

	/* unixtime rows without times */
	"UPDATE unixtime u SET"
	" unix_start = coalesce(u.unix_start, extract(epoch FROM f.utc_start_time)::bigint),"
	" unix_stop = coalesce(u.unix_stop, extract(epoch FROM f.utc_stop_time)::bigint)"
	" FROM file f WHERE f.file_id = u.file_id"
	" AND (u.unix_start IS NULL OR u.unix_stop IS NULL)",
	"WITH d AS (DELETE FROM unixtime WHERE unix_start IS NULL OR unix_stop IS NULL"
	"  OR unix_start > unix_stop RETURNING file_id) "
	"INSERT INTO failure (kind, reason, resolved, resolved_at, resolved_by) "
	"SELECT 'adopt-unixtime', format('%s unixtime rows without times or "
	"with the start after the stop: removed', count(*)), " RESOLVED
	" FROM d HAVING count(*) > 0",
	NULL,
};

int
store_adopt_rules(struct db *db)
{
	for (size_t i = 0; rules_sql[i]; i++) {
		int rc = db_exec(db, rules_sql[i]);

		if (rc) {
			log_detail("In adoption rule %zu.", i + 1);
			return rc;
		}
	}
	return 0;
}

/* a file to verify: the columns of store_adopt_vfiles's query */
static const struct db_col vfile_cols[] = {
	DB_COL(DB_INT64, struct adopt_vfile, id),
	DB_COL(DB_TEXT, struct adopt_vfile, filename),
	DB_COL(DB_TEXT, struct adopt_vfile, path),
	DB_COL(DB_TEXT, struct adopt_vfile, shasum),
	DB_COL(DB_BOOL, struct adopt_vfile, exists),
};
static const struct db_table vfile_table =
	DB_TABLE("files to verify", vfile_cols, struct adopt_vfile);

void
adopt_vfiles_free(struct adopt_vfile *f, size_t n)
{
	db_rows_free(&vfile_table, f, n);
}

int
store_adopt_vfiles(struct db *db, struct adopt_vfile **out, size_t *n)
{
	/* dbprocessing: <rootdir>/<relative_path formatted>/<filename> */
	return db_query_rows(
		db,
		"SELECT f.file_id, f.filename,"
		" rtrim(m.rootdir, '/') || '/' || cascade_format_path("
		"  p.relative_path, f.utc_file_date, f.utc_start_time,"
		"  f.interface_version, f.quality_version,"
		"  f.revision_version, m.mission_name, s.satellite_name,"
		"  i.instrument_name, p.product_name, f.process_keywords)"
		" || '/' || f.filename, f.shasum, f.exists_on_disk "
		"FROM file f JOIN product p USING (product_id)"
		" JOIN instrument i USING (instrument_id)"
		" JOIN satellite s USING (satellite_id)"
		" JOIN mission m USING (mission_id) ORDER BY f.file_id",
		NULL, 0, &vfile_table, out, n);
}

int
store_adopt_verified(struct db *db, const struct adopt_vresult *r, size_t n)
{
	struct db_params p = DB_PARAMS_INIT;
	int rc;

	db_params_columns(&p, 6);
	for (size_t i = 0; i < n; i++) {
		db_col_int64(&p, r[i].id);
		db_col_int64(&p, (int64_t)r[i].state);
		db_col_text(&p, r[i].state == ADOPT_V_OK ||
				r[i].state == ADOPT_V_CHANGED ? r[i].sha1 : NULL);
		db_col_text(&p, r[i].state == ADOPT_V_OK ? r[i].sha256 : NULL);
		if (r[i].state == ADOPT_V_OK)
			db_col_int64(&p, r[i].size);
		else
			db_col_text(&p, NULL);
		db_col_text(&p, r[i].why);
	}
	rc = db_query_params(db,
		"WITH v AS (SELECT * FROM unnest($1::bigint[], $2::int[],"
		"  $3::text[], $4::text[], $5::bigint[], $6::text[])"
		"  AS v(id, st, sha1, sha256, size, why)),"
		" ok AS (UPDATE file f SET sha256 = v.sha256, size_bytes = v.size,"
		"  exists_on_disk = true FROM v WHERE v.st = 0 AND f.file_id = v.id"
		"  RETURNING f.file_id),"
		" gone AS (UPDATE file f SET exists_on_disk = false FROM v"
		"  WHERE v.st = 1 AND f.file_id = v.id AND f.exists_on_disk"
		"  RETURNING f.file_id, f.filename) "
		"INSERT INTO failure (kind, filename, reason, resolved, resolved_at,"
		" resolved_by) "
		"SELECT kind, filename, reason, resolved, resolved_at, by FROM ("
		"SELECT g.file_id, 'adopt-missing' AS kind, g.filename, format("
		"'file %s is recorded but not on disk: exists_on_disk set false',"
		" g.filename) AS reason, true AS resolved, now() AS resolved_at, "
		ADOPT_BY " AS by FROM gone g "
		"UNION ALL SELECT f.file_id, 'adopt-changed', f.filename, format("
		"'file %s on disk has SHA-1 %s, recorded %s: check which is right',"
		" f.filename, v.sha1, coalesce(f.shasum, 'none')), false, NULL, NULL"
		" FROM v JOIN file f ON f.file_id = v.id WHERE v.st = 2 "
		"UNION ALL SELECT f.file_id, 'adopt-unreadable', f.filename,"
		" format('file %s cannot be read: %s', f.filename, v.why), false,"
		" NULL, NULL FROM v JOIN file f ON f.file_id = v.id WHERE v.st = 3"
		") x ORDER BY file_id",
		&p, 0, NULL);
	db_params_release(&p);
	return rc;
}

/* the adoption's counts, into struct adopt_summary itself */
static const struct db_col counts_cols[] = {
	DB_COL(DB_INT64, struct adopt_summary, files),
	DB_COL(DB_INT64, struct adopt_summary, links),
	DB_COL(DB_INT64, struct adopt_summary, code_links),
	DB_COL(DB_INT64, struct adopt_summary, queue),
	DB_COL(DB_INT64, struct adopt_summary, runs),
	DB_COL(DB_INT64, struct adopt_summary, codes),
	DB_COL(DB_INT64, struct adopt_summary, products),
};
static const struct db_table counts_table =
	DB_TABLE("adoption counts", counts_cols, struct adopt_summary);

static const struct db_col defect_cols[] = {
	DB_COL(DB_TEXT, struct adopt_defect, kind),
	DB_COL(DB_TEXT, struct adopt_defect, filename),
	DB_COL(DB_TEXT, struct adopt_defect, reason),
	DB_COL(DB_BOOL, struct adopt_defect, resolved),
};
static const struct db_table defect_table =
	DB_TABLE("adoption defects", defect_cols, struct adopt_defect);

void
adopt_summary_release(struct adopt_summary *s)
{
	db_rows_free(&defect_table, s->defects, s->n_defects);
	memset(s, 0, sizeof(*s));
}

int
store_adopt_summary(struct db *db, struct adopt_summary *s)
{
	/* the counts first: db_query_row sets every field of *s */
	int rc = db_query_row(db,
			      "SELECT (SELECT count(*) FROM file),"
			      " (SELECT count(*) FROM filefilelink),"
			      " (SELECT count(*) FROM filecodelink),"
			      " (SELECT count(*) FROM processqueue),"
			      " (SELECT count(*) FROM logging),"
			      " (SELECT count(*) FROM code),"
			      " (SELECT count(*) FROM product)",
			      NULL, 0, &counts_table, s, NULL);

	if (!rc)
		rc = db_query_rows(db,
				   "SELECT kind, filename, reason, resolved "
				   "FROM failure WHERE kind LIKE 'adopt-%' "
				   "ORDER BY failure_id",
				   NULL, 0, &defect_table, &s->defects,
				   &s->n_defects);
	return rc;
}
