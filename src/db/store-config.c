/*
 * store-config.c - the configuration tables: mission, satellite,
 * instrument, instrumentproductlink, product, inspector, process,
 * productprocesslink and code.
 *
 * Reads them back as a struct config (for "config export" and as the
 * "before" side of "config apply"), and applies a config by comparing it
 * with that struct in C and issuing one parameterized statement per
 * difference, inside the caller's transaction.  Configuration tables are
 * small (tens to hundreds of rows), so clarity wins over set-based tricks
 * here; the hot paths live elsewhere.
 *
 * It does not touch data tables (file, links, queue, builds) except to
 * ask whether a product, process or code still has data depending on it.
 */
#include "store.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "store-queue.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* -- running statements ------------------------------------------------- */

/* run: a statement of p's parameters (p stays the caller's) */
static int
run(struct db *db, const char *sql, struct db_params *p)
{
	return db_query_params(db, sql, p, 0, NULL);
}

/* run_int: a statement returning one integer (an id or a count) */
static int
run_int(struct db *db, const char *sql, struct db_params *p, int64_t *out)
{
	return db_query_int64(db, sql, p, 0, out);
}

/* done: p released, rc returned (a function's every exit) */
static int
done(struct db_params *p, int rc)
{
	db_params_release(p);
	return rc;
}

static bool
str_eq(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && !strcmp(a, b);
}

/* -- load --------------------------------------------------------------- */

/*
 * The mission's directories as dbprocessing reads them: each is joined to
 * rootdir (os.path.join: an absolute one stands, a relative one is under
 * rootdir, '' is rootdir itself); unset, the code directory is rootdir,
 * the inspector directory the code directory and the error directory
 * <codedir>/errors.  Databases cascade configured hold absolute paths, on
 * which this is the identity; adopted dbprocessing databases hold
 * "incoming", '' and NULL.
 */
#define MISSION_JOIN(col, unset)                                              \
	"CASE WHEN " col " IS NULL THEN " unset                                \
	" WHEN " col " = '' THEN rootdir WHEN left(" col ", 1) = '/' THEN "    \
	col " ELSE rtrim(rootdir, '/') || '/' || " col " END"
#define MISSION_CODEDIR MISSION_JOIN("codedir", "rootdir")
#define MISSION_DIRS                                                          \
	MISSION_JOIN("incoming_dir", "rootdir || '/incoming'") ", "            \
	MISSION_CODEDIR ", "                                                   \
	MISSION_JOIN("inspectordir", MISSION_CODEDIR) ", "                     \
	MISSION_JOIN("errordir", "rtrim(" MISSION_CODEDIR ", '/') || '/errors'")

#define RUN_COLUMNS                                                          \
	"slots, batch_size, code_timeout_s, kill_grace_s, max_attempts, "    \
	"bad_after, bad_within_s, flag_lease_s, refuse_changed_code, log_file, " \
	"log_limit_kb, settle_s, keep_history_days"

/* the executor settings' columns, in struct executor_settings' order */
#define EXECUTOR_COLUMNS(t)                                                  \
	t "executor, " t "slurm_partition, " t "slurm_account, " t           \
	"slurm_time_limit_s, " t "slurm_cpus, " t "slurm_memory_mb, " t      \
	"slurm_options, " t "slurm_work_dir"

/* The mission row: the mission and its run and executor settings. */
struct mission_row {
	struct mission m;
	struct run_settings run;
	struct executor_settings ex;
};

#define MR(type, member) DB_COL(type, struct mission_row, member)
static const struct db_col mission_cols[] = {
	MR(DB_INT, m.id), MR(DB_TEXT, m.name), MR(DB_TEXT, m.rootdir),
	MR(DB_TEXT, m.incoming_dir), MR(DB_TEXT, m.codedir),
	MR(DB_TEXT, m.inspectordir), MR(DB_TEXT, m.errordir),
	MR(DB_INT, run.slots), MR(DB_INT, run.batch_size),
	MR(DB_INT, run.code_timeout_s), MR(DB_INT, run.kill_grace_s),
	MR(DB_INT, run.max_attempts), MR(DB_INT, run.bad_after),
	MR(DB_INT, run.bad_within_s), MR(DB_INT, run.flag_lease_s),
	MR(DB_BOOL, run.refuse_changed_code), MR(DB_TEXT, run.log_file),
	MR(DB_INT, run.log_limit_kb), MR(DB_INT, run.settle_s),
	MR(DB_INT, run.keep_history_days),
	MR(DB_TEXT, ex.kind), MR(DB_TEXT, ex.partition),
	MR(DB_TEXT, ex.account), MR(DB_INT, ex.time_limit_s),
	MR(DB_INT, ex.cpus), MR(DB_INT, ex.memory_mb),
	MR(DB_TEXT, ex.sbatch_options), MR(DB_TEXT, ex.work_dir),
};
#undef MR
static const struct db_table mission_table =
	DB_TABLE("mission", mission_cols, struct mission_row);

/* the one mission row, or *found false; two or more are an error */
static int
load_mission(struct db *db, struct config *cfg, bool *found)
{
	struct mission_row *rows = NULL;
	size_t n = 0;
	int rc;

	*found = false;
	rc = db_query_rows(db,
			   "SELECT mission_id, mission_name, rootdir, "
			   MISSION_DIRS ", " RUN_COLUMNS ", "
			   EXECUTOR_COLUMNS("") " "
			   "FROM public.mission ORDER BY mission_id",
			   NULL, 0, &mission_table, &rows, &n);
	if (rc)
		return rc;
	if (n > 1) {
		db_rows_free(&mission_table, rows, n);
		return error("database holds %zu missions; cascade keeps one "
			     "mission per database",
			     n);
	}
	if (n == 1) {
		/* the strings move to cfg */
		cfg->mission = rows[0].m;
		cfg->run = rows[0].run;
		cfg->executor = rows[0].ex;
		/* the default, as a file that names none reads */
		if (cfg->executor.kind && !strcmp(cfg->executor.kind, "local")) {
			free(cfg->executor.kind);
			cfg->executor.kind = NULL;
		}
		*found = true;
	}
	free(rows);
	return 0;
}

static const struct db_col satellite_cols[] = {
	DB_COL(DB_TEXT, struct satellite, name),
};
static const struct db_table satellite_table =
	DB_TABLE("satellites", satellite_cols, struct satellite);

static const struct db_col instrument_cols[] = {
	DB_COL(DB_TEXT, struct instrument, satellite),
	DB_COL(DB_TEXT, struct instrument, name),
};
static const struct db_table instrument_table =
	DB_TABLE("instruments", instrument_cols, struct instrument);

static int
load_satellites(struct db *db, struct config *cfg)
{
	int rc = db_query_rows(db,
			       "SELECT satellite_name FROM public.satellite "
			       "ORDER BY satellite_id",
			       NULL, 0, &satellite_table, &cfg->satellites,
			       &cfg->n_satellites);

	if (rc)
		return rc;
	return db_query_rows(db,
			     "SELECT s.satellite_name, i.instrument_name "
			     "FROM public.instrument i JOIN public.satellite s "
			     "USING (satellite_id) ORDER BY i.instrument_id",
			     NULL, 0, &instrument_table, &cfg->instruments,
			     &cfg->n_instruments);
}

#define PR(type, member) DB_COL(type, struct product, member)
static const struct db_col product_cols[] = {
	PR(DB_INT, id), PR(DB_TEXT, name), PR(DB_TEXT, satellite),
	PR(DB_TEXT, instrument), PR(DB_DOUBLE, level), PR(DB_TEXT, format),
	PR(DB_TEXT, relative_path), PR(DB_TEXT, description),
	PR(DB_TEXT, inspector.executable), PR(DB_TEXT, inspector.module),
	PR(DB_BOOL, inspector.batch), PR(DB_TEXT, inspector.arguments),
	PR(DB_TEXT, inspector.description), PR(DB_VERSION, inspector.version),
	PR(DB_INT, inspector.output_interface_version),
	PR(DB_INT, inspector.timeout_s), PR(DB_BOOL, inspector.active),
	PR(DB_BOOL, stop_time_exclusive),
	DB_COL_PARSE(struct product, timebase, timebase_parse_to),
};
#undef PR
static const struct db_table product_table =
	DB_TABLE("products", product_cols, struct product);

/* the products, by id, with their inspectors (a product has one or none) */
static int
load_products(struct db *db, struct config *cfg)
{
	return db_query_rows(
		db,
		"SELECT p.product_id, p.product_name, s.satellite_name, "
		"i.instrument_name, p.level, p.format, p.relative_path, "
		"p.product_description, "
		"CASE WHEN ins.kind = 'exec' THEN ins.relative_path || '/' || "
		"ins.filename END, "
		/* a module: under the inspector directory, as dbprocessing */
		"CASE WHEN ins.kind = 'module' THEN CASE WHEN "
		"left(ins.relative_path, 1) = '/' THEN ins.relative_path ELSE "
		"rtrim(" MISSION_JOIN("inspectordir", MISSION_CODEDIR) ", "
		"'/') || coalesce(nullif('/' || ins.relative_path, '/'), '') "
		"END || '/' || ins.filename END, "
		"coalesce(ins.kind = 'exec' AND ins.batch, false), "
		"ins.arguments, nullif(ins.description, ''), "
		"coalesce(ins.interface_version, 1) || '.' || "
		"coalesce(ins.quality_version, 0) || '.' || "
		"coalesce(ins.revision_version, 0), "
		"coalesce(ins.output_interface_version, 1), "
		"coalesce(ins.timeout_s, 30), coalesce(ins.active_code, true), "
		"p.stop_time_exclusive, p.timebase "
		"FROM public.product p "
		"JOIN public.instrument i USING (instrument_id) "
		"JOIN public.satellite s USING (satellite_id) "
		"LEFT JOIN public.inspector ins ON ins.product = p.product_id "
		"LEFT JOIN public.mission ON true " /* one per database */
		"ORDER BY p.product_id",
		NULL, 0, &product_table, &cfg->products, &cfg->n_products);
}

/* A process row, its timebase as the database writes it. */
struct process_row {
	struct process p;
	char *timebase;
};

#define PS(type, member) DB_COL(type, struct process_row, member)
static const struct db_col process_cols[] = {
	PS(DB_INT, p.id), PS(DB_TEXT, p.name), PS(DB_TEXT, p.output_product),
	PS(DB_INT, p.output_product_id), PS(DB_TEXT, timebase),
	PS(DB_TEXT, p.extra_params),
	PS(DB_TEXT, p.executor.kind), PS(DB_TEXT, p.executor.partition),
	PS(DB_TEXT, p.executor.account), PS(DB_INT, p.executor.time_limit_s),
	PS(DB_INT, p.executor.cpus), PS(DB_INT, p.executor.memory_mb),
	PS(DB_TEXT, p.executor.sbatch_options),
	PS(DB_TEXT, p.executor.work_dir),
};
#undef PS
static const struct db_table process_table =
	DB_TABLE("processes", process_cols, struct process_row);

/* the processes, by id, without their inputs and codes */
static int
load_process_rows(struct db *db, struct config *cfg)
{
	struct process_row *rows = NULL;
	size_t n = 0;
	int rc = db_query_rows(db,
			       "SELECT pr.process_id, pr.process_name, "
			       "op.product_name, "
			       "coalesce(pr.output_product, 0), "
			       "pr.output_timebase, pr.extra_params, "
			       "pr.executor, pr.slurm_partition, "
			       "pr.slurm_account, "
			       "coalesce(pr.slurm_time_limit_s, 0), "
			       "coalesce(pr.slurm_cpus, 0), "
			       "coalesce(pr.slurm_memory_mb, 0), "
			       "pr.slurm_options, pr.slurm_work_dir "
			       "FROM public.process pr "
			       "LEFT JOIN public.product op "
			       "ON op.product_id = pr.output_product "
			       "ORDER BY pr.process_id",
			       NULL, 0, &process_table, &rows, &n);

	if (rc)
		return rc;
	cfg->processes = xcalloc(n + 1, sizeof(*cfg->processes));
	cfg->n_processes = n;
	for (size_t r = 0; r < n; r++) {
		const char *tb = rows[r].timebase;

		/* the strings move to cfg */
		cfg->processes[r] = rows[r].p;
		if (!tb || timebase_parse(tb, &cfg->processes[r].timebase))
			rc = error("process \"%s\" has an unknown timebase "
				   "\"%s\" in the database",
				   rows[r].p.name, tb ? tb : "NULL");
		free(rows[r].timebase);
	}
	free(rows);
	return rc;
}

/* the process of id in cfg (sorted by id), or NULL */
static struct process *
process_by_id(struct config *cfg, int id)
{
	size_t lo = 0, hi = cfg->n_processes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cfg->processes[mid].id == id)
			return &cfg->processes[mid];
		if (cfg->processes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* An input row: the process it belongs to and the input. */
struct input_row {
	int process_id;
	struct input in;
};

#define IN(type, member) DB_COL(type, struct input_row, member)
static const struct db_col input_cols[] = {
	IN(DB_INT, process_id), IN(DB_INT, in.product_id),
	IN(DB_TEXT, in.product), IN(DB_BOOL, in.optional),
	IN(DB_INT, in.yesterday), IN(DB_INT, in.tomorrow),
	IN(DB_INT, in.pin),
	DB_COLF(DB_TEXT, struct input_row, in.group, DB_NULLABLE),
	IN(DB_INT, in.group_product_id), IN(DB_INT, in.rank),
};
#undef IN
static const struct db_table input_table =
	DB_TABLE("process inputs", input_cols, struct input_row);

/* the inputs of the processes loaded, by input product name */
static int
load_process_inputs(struct db *db, struct config *cfg)
{
	struct input_row *rows = NULL;
	size_t n = 0;
	int rc = db_query_rows(db,
			       "SELECT l.process_id, l.input_product_id, "
			       "p.product_name, "
			       "coalesce(l.group_optional, l.optional), "
			       "l.yesterday, l.tomorrow, "
			       "coalesce(l.interface_pin, 0), g.product_name, "
			       "coalesce(l.group_product, 0), "
			       "coalesce(l.group_rank, 0) "
			       "FROM public.productprocesslink l "
			       "JOIN public.product p "
			       "ON p.product_id = l.input_product_id "
			       "LEFT JOIN public.product g "
			       "ON g.product_id = l.group_product "
			       "ORDER BY l.process_id, p.product_name",
			       NULL, 0, &input_table, &rows, &n);

	if (rc)
		return rc;
	for (size_t r = 0; r < n; r++) {
		struct process *p = process_by_id(cfg, rows[r].process_id);

		if (!p) {
			free(rows[r].in.product);
			free(rows[r].in.group);
			continue;
		}
		p->inputs = xrealloc(p->inputs,
				     (p->n_inputs + 1) * sizeof(*p->inputs));
		p->inputs[p->n_inputs++] = rows[r].in; /* strings move */
	}
	free(rows);
	return 0;
}

#define CO(type, member) DB_COL(type, struct code, member)
static const struct db_col code_cols[] = {
	CO(DB_INT, id), CO(DB_INT, process_id), CO(DB_TEXT, filename),
	CO(DB_TEXT, relative_path), CO(DB_VERSION, version),
	CO(DB_INT, output_interface_version), CO(DB_DATE, start_date),
	CO(DB_DATE, stop_date), CO(DB_TEXT, description),
	CO(DB_DATE, date_written), CO(DB_TEXT, arguments),
	CO(DB_BOOL, active), CO(DB_INT, timeout_s), CO(DB_INT, cpu),
	CO(DB_DOUBLE, ram), CO(DB_BOOL, newest), CO(DB_TEXT, working_dir),
};
#undef CO
static const struct db_table code_table =
	DB_TABLE("codes", code_cols, struct code);

/* the codes of the processes loaded, by version */
static int
load_process_codes(struct db *db, struct config *cfg)
{
	struct code *rows = NULL;
	size_t n = 0;
	int rc = db_query_rows(db,
			       "SELECT code_id, process_id, filename, "
			       "relative_path, interface_version || '.' || "
			       "quality_version || '.' || revision_version, "
			       "output_interface_version, code_start_date, "
			       "code_stop_date, nullif(code_description, ''), "
			       "date_written, arguments, active_code, "
			       "timeout_s, coalesce(cpu, 1), coalesce(ram, 1), "
			       "newest_version, working_dir "
			       "FROM public.code "
			       "ORDER BY process_id, interface_version, "
			       "quality_version, revision_version",
			       NULL, 0, &code_table, &rows, &n);

	if (rc)
		return rc;
	for (size_t r = 0; r < n; r++) {
		struct process *p = process_by_id(cfg, rows[r].process_id);

		if (!p) {
			db_row_release(&code_table, &rows[r]);
			continue;
		}
		p->codes = xrealloc(p->codes,
				    (p->n_codes + 1) * sizeof(*p->codes));
		p->codes[p->n_codes++] = rows[r]; /* strings move */
	}
	free(rows);
	return 0;
}

/* A schedule row: its process and the schedule. */
struct schedule_row {
	int process_id;
	char *every;
	int32_t start_date;
	int lag_days;
};
static const struct db_col schedule_cols[] = {
	DB_COL(DB_INT, struct schedule_row, process_id),
	DB_COL(DB_TEXT, struct schedule_row, every),
	DB_COL(DB_DATE, struct schedule_row, start_date),
	DB_COL(DB_INT, struct schedule_row, lag_days),
};
static const struct db_table schedule_table =
	DB_TABLE("process schedules", schedule_cols, struct schedule_row);

/* the schedules of the processes loaded */
static int
load_process_schedules(struct db *db, struct config *cfg)
{
	struct schedule_row *rows = NULL;
	size_t n = 0;
	int rc = db_query_rows(db,
			       "SELECT process_id, every, start_date, lag_days "
			       "FROM public.process_schedule "
			       "ORDER BY process_id",
			       NULL, 0, &schedule_table, &rows, &n);

	for (size_t r = 0; !rc && r < n; r++) {
		struct process *p = process_by_id(cfg, rows[r].process_id);

		if (!p)
			continue;
		p->schedule.set = true;
		p->schedule.start_date = rows[r].start_date;
		p->schedule.lag_days = rows[r].lag_days;
		if (timebase_parse(rows[r].every, &p->schedule.every))
			rc = error("process \"%s\" has an unknown schedule "
				   "\"%s\" in the database",
				   p->name, rows[r].every);
	}
	db_rows_free(&schedule_table, rows, n);
	return rc;
}

/* A process_reuse row: its process and what it may reuse. */
struct reuse_row {
	int process_id;
	char *reuse;
};
static const struct db_col reuse_cols[] = {
	DB_COL(DB_INT, struct reuse_row, process_id),
	DB_COL(DB_TEXT, struct reuse_row, reuse),
};
static const struct db_table reuse_table =
	DB_TABLE("process reuse", reuse_cols, struct reuse_row);

/* what the processes loaded may reuse (none unless a row says) */
static int
load_process_reuse(struct db *db, struct config *cfg)
{
	struct reuse_row *rows = NULL;
	size_t n = 0;
	int rc = db_query_rows(db,
			       "SELECT process_id, reuse FROM "
			       "public.process_reuse ORDER BY process_id",
			       NULL, 0, &reuse_table, &rows, &n);

	for (size_t r = 0; !rc && r < n; r++) {
		struct process *p = process_by_id(cfg, rows[r].process_id);

		if (p && reuse_mode_parse(rows[r].reuse, &p->reuse))
			rc = error("process \"%s\" has an unknown reuse "
				   "\"%s\" in the database",
				   p->name, rows[r].reuse);
	}
	db_rows_free(&reuse_table, rows, n);
	return rc;
}

static int
load_processes(struct db *db, struct config *cfg)
{
	int rc;

	if ((rc = load_process_rows(db, cfg)) ||
	    (rc = load_process_inputs(db, cfg)) ||
	    (rc = load_process_schedules(db, cfg)) ||
	    (rc = load_process_reuse(db, cfg)))
		return rc;
	return load_process_codes(db, cfg);
}

int
store_config_load(struct db *db, struct config **out)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	bool found;
	int rc;

	*out = NULL;
	if ((rc = load_mission(db, cfg, &found)))
		goto fail;
	if (!found) {
		config_free(cfg);
		return 0;
	}
	if ((rc = load_satellites(db, cfg)) || (rc = load_products(db, cfg)) ||
	    (rc = load_processes(db, cfg)))
		goto fail;
	log_debug("read the mission's tables: %zu products, %zu processes",
		  cfg->n_products, cfg->n_processes);
	*out = cfg;
	return 0;
fail:
	config_free(cfg);
	return rc;
}

int
store_mission_id(struct db *db, int *id, bool *found)
{
	int64_t v = 0;
	int rc;

	*id = 0;
	*found = false;
	rc = db_query_int64(db, "SELECT count(*) FROM public.mission", NULL,
			    0, &v);
	if (rc)
		return rc;
	if (v > 1)
		return error("database holds %lld missions; cascade keeps one "
			     "mission per database",
			     (long long)v);
	if (v == 0)
		return 0;
	rc = db_query_int64(db, "SELECT mission_id FROM public.mission", NULL,
			    0, &v);
	if (rc)
		return rc;
	*id = (int)v;
	*found = true;
	return 0;
}

/* -- apply -------------------------------------------------------------- */

void
store_apply_report_release(struct store_apply_report *r)
{
	strbuf_release(&r->lines);
	strvec_clear(&r->affected);
	r->added = r->changed = r->removed = r->kept = 0;
}

CASCADE_PRINTF(3, 4)
static void
report(struct store_apply_report *r, char kind, const char *fmt, ...)
{
	va_list ap;

	switch (kind) {
	case '+':
		r->added++;
		break;
	case '~':
		r->changed++;
		break;
	case '-':
		r->removed++;
		break;
	default:
		r->kept++;
	}
	strbuf_addf(&r->lines, "%c ", kind);
	va_start(ap, fmt);
	strbuf_vaddf(&r->lines, fmt, ap);
	va_end(ap);
	strbuf_addch(&r->lines, '\n');
}

/* process name's outputs are to be re-evaluated (once) */
static void
affect(struct store_apply_report *r, const char *name)
{
	for (size_t i = 0; i < r->affected.nr; i++)
		if (!strcmp(r->affected.v[i], name))
			return;
	strvec_push(&r->affected, name);
}

/* describe a field change "name a -> b" into sb */
static void
diff_str(struct strbuf *sb, const char *field, const char *a, const char *b)
{
	if (str_eq(a, b))
		return;
	strbuf_addf(sb, "%s%s \"%s\" -> \"%s\"", sb->len ? ", " : "", field,
		    a ? a : "", b ? b : "");
}

static void
diff_num(struct strbuf *sb, const char *field, double a, double b)
{
	if (a == b)
		return;
	strbuf_addf(sb, "%s%s %g -> %g", sb->len ? ", " : "", field, a, b);
}

/*
 * the executor settings as 8 parameters (EXECUTOR_VALUES); a mission's
 * unset kind is "local", its unset numbers 0; a process's unset ones are
 * NULL (the mission's)
 */
#define EXECUTOR_VALUES(a, b, c, d, e, f, g, h)                             \
	"$" #a "::text, $" #b "::text, $" #c "::text, $" #d "::int, $" #e      \
	"::int, $" #f "::int, $" #g "::text, $" #h "::text"
static void
executor_params(struct db_params *p, const struct executor_settings *e,
		bool mission)
{
	const int nums[] = {e->time_limit_s, e->cpus, e->memory_mb};

	db_params_text(p, e->kind ? e->kind : mission ? "local" : NULL);
	db_params_text(p, e->partition);
	db_params_text(p, e->account);
	for (size_t i = 0; i < ARRAY_SIZE(nums); i++) {
		if (nums[i] || mission)
			db_params_int64(p, nums[i]);
		else
			db_params_null(p);
	}
	db_params_text(p, e->sbatch_options);
	db_params_text(p, e->work_dir);
}

static void
diff_num(struct strbuf *sb, const char *field, double a, double b);

static void
diff_executor(struct strbuf *sb, const char *pre,
	      const struct executor_settings *a,
	      const struct executor_settings *b)
{
	static const char *const names[] = {
		"kind", "partition", "account", "sbatch_options", "work_dir",
	};
	const char *sa[] = {a->kind, a->partition, a->account,
			    a->sbatch_options, a->work_dir};
	const char *sbv[] = {b->kind, b->partition, b->account,
			     b->sbatch_options, b->work_dir};
	struct strbuf f = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		strbuf_reset(&f);
		strbuf_addf(&f, "%s%s", pre, names[i]);
		diff_str(sb, f.buf, sa[i], sbv[i]);
	}
	strbuf_reset(&f);
	strbuf_addf(&f, "%stime_limit", pre);
	diff_num(sb, f.buf, a->time_limit_s, b->time_limit_s);
	strbuf_reset(&f);
	strbuf_addf(&f, "%scpus", pre);
	diff_num(sb, f.buf, a->cpus, b->cpus);
	strbuf_reset(&f);
	strbuf_addf(&f, "%smemory_mb", pre);
	diff_num(sb, f.buf, a->memory_mb, b->memory_mb);
	strbuf_release(&f);
}

static void
diff_bool(struct strbuf *sb, const char *field, bool a, bool b)
{
	if (a == b)
		return;
	strbuf_addf(sb, "%s%s %s -> %s", sb->len ? ", " : "", field,
		    a ? "true" : "false", b ? "true" : "false");
}

static void
diff_date(struct strbuf *sb, const char *field, int32_t a, int32_t b)
{
	char da[DATE_STRLEN], dbuf[DATE_STRLEN];

	if (a == b)
		return;
	strbuf_addf(sb, "%s%s %s -> %s", sb->len ? ", " : "", field,
		    timeutil_format_date(a, da), timeutil_format_date(b, dbuf));
}

static void
diff_version(struct strbuf *sb, const char *field, const struct version *a,
	     const struct version *b)
{
	char va[VERSION_STRLEN], vb[VERSION_STRLEN];

	if (!version_cmp(a, b))
		return;
	strbuf_addf(sb, "%s%s %s -> %s", sb->len ? ", " : "", field,
		    version_format(a, va), version_format(b, vb));
}

static int
apply_mission(struct db *db, const struct config *cur, const struct config *cfg,
	      struct store_apply_report *r)
{
	const struct mission *m = &cfg->mission;
	struct db_params p = DB_PARAMS_INIT;
	struct strbuf d = STRBUF_INIT;
	int rc = 0;

	if (cur && strcmp(cur->mission.name, m->name))
		return error("database holds mission \"%s\", the file "
			     "describes \"%s\"; cascade keeps one mission "
			     "per database",
			     cur->mission.name, m->name);
	db_params_release(&p);
	db_params_text(&p, m->name);
	db_params_text(&p, m->rootdir);
	db_params_text(&p, m->incoming_dir);
	db_params_text(&p, m->codedir);
	db_params_text(&p, m->inspectordir);
	db_params_text(&p, m->errordir);
	db_params_int64(&p, cfg->run.slots);
	db_params_int64(&p, cfg->run.batch_size);
	db_params_int64(&p, cfg->run.code_timeout_s);
	db_params_int64(&p, cfg->run.kill_grace_s);
	db_params_int64(&p, cfg->run.max_attempts);
	db_params_int64(&p, cfg->run.bad_after);
	db_params_int64(&p, cfg->run.bad_within_s);
	db_params_int64(&p, cfg->run.flag_lease_s);
	db_params_bool(&p, cfg->run.refuse_changed_code);
	db_params_text(&p, cfg->run.log_file);
	db_params_int64(&p, cfg->run.log_limit_kb);
	db_params_int64(&p, cfg->run.settle_s);
	db_params_int64(&p, cfg->run.keep_history_days);
	executor_params(&p, &cfg->executor, true);
	if (!cur) {
		rc = run(db,
			 "INSERT INTO public.mission (mission_name, rootdir, "
			 "incoming_dir, codedir, inspectordir, errordir, "
			 RUN_COLUMNS ", " EXECUTOR_COLUMNS("") ") VALUES ($1, "
			 "$2, $3, $4, $5, $6, "
			 "$7::int, $8::int, $9::int, $10::int, $11::int, "
			 "$12::int, $13::int, $14::int, $15::bool, $16, "
			 "$17::int, $18::int, $19::int, "
			 EXECUTOR_VALUES(20, 21, 22, 23, 24, 25, 26, 27) ")",
			 &p);
		if (!rc)
			report(r, '+', "mission %s", m->name);
		return done(&p, rc);
	}
	diff_str(&d, "rootdir", cur->mission.rootdir, m->rootdir);
	diff_str(&d, "incoming_dir", cur->mission.incoming_dir,
		 m->incoming_dir);
	diff_str(&d, "codedir", cur->mission.codedir, m->codedir);
	diff_str(&d, "inspectordir", cur->mission.inspectordir,
		 m->inspectordir);
	diff_str(&d, "errordir", cur->mission.errordir, m->errordir);
	diff_num(&d, "run.slots", cur->run.slots, cfg->run.slots);
	diff_num(&d, "run.batch_size", cur->run.batch_size,
		 cfg->run.batch_size);
	diff_num(&d, "run.code_timeout", cur->run.code_timeout_s,
		 cfg->run.code_timeout_s);
	diff_num(&d, "run.kill_grace", cur->run.kill_grace_s,
		 cfg->run.kill_grace_s);
	diff_num(&d, "run.max_attempts", cur->run.max_attempts,
		 cfg->run.max_attempts);
	diff_num(&d, "run.bad_after", cur->run.bad_after, cfg->run.bad_after);
	diff_num(&d, "run.bad_within", cur->run.bad_within_s,
		 cfg->run.bad_within_s);
	diff_num(&d, "run.flag_lease", cur->run.flag_lease_s,
		 cfg->run.flag_lease_s);
	diff_bool(&d, "run.refuse_changed_code", cur->run.refuse_changed_code,
		  cfg->run.refuse_changed_code);
	diff_str(&d, "run.log_file", cur->run.log_file, cfg->run.log_file);
	diff_num(&d, "run.log_limit_kb", cur->run.log_limit_kb,
		 cfg->run.log_limit_kb);
	diff_num(&d, "run.settle", cur->run.settle_s, cfg->run.settle_s);
	diff_num(&d, "run.keep_history", cur->run.keep_history_days,
		 cfg->run.keep_history_days);
	diff_executor(&d, "executor.", &cur->executor, &cfg->executor);
	if (d.len) {
		rc = run(db,
			 "UPDATE public.mission SET rootdir = $2, "
			 "incoming_dir = $3, codedir = $4, inspectordir = $5, "
			 "errordir = $6, slots = $7::int, batch_size = $8::int, "
			 "code_timeout_s = $9::int, kill_grace_s = $10::int, "
			 "max_attempts = $11::int, bad_after = $12::int, "
			 "bad_within_s = $13::int, flag_lease_s = $14::int, "
			 "refuse_changed_code = $15::bool, log_file = $16, "
			 "log_limit_kb = $17::int, settle_s = $18::int, "
			 "keep_history_days = $19::int, "
			 "(" EXECUTOR_COLUMNS("") ") = ("
			 EXECUTOR_VALUES(20, 21, 22, 23, 24, 25, 26, 27)
			 ") WHERE mission_name = $1",
			 &p);
		if (!rc)
			report(r, '~', "mission %s: %s", m->name, d.buf);
	}
	strbuf_release(&d);
	return done(&p, rc);
}

static bool
cur_has_satellite(const struct config *cur, const char *name)
{
	for (size_t i = 0; cur && i < cur->n_satellites; i++)
		if (!strcmp(cur->satellites[i].name, name))
			return true;
	return false;
}

static bool
has_instrument(const struct config *c, const char *sat, const char *name)
{
	for (size_t i = 0; c && i < c->n_instruments; i++)
		if (!strcmp(c->instruments[i].satellite, sat) &&
		    !strcmp(c->instruments[i].name, name))
			return true;
	return false;
}

static int
apply_satellites(struct db *db, const struct config *cur,
		 const struct config *cfg, struct store_apply_report *r)
{
	struct db_params p = DB_PARAMS_INIT;

	for (size_t i = 0; i < cfg->n_satellites; i++) {
		const char *name = cfg->satellites[i].name;

		if (cur_has_satellite(cur, name))
			continue;
		db_params_release(&p);
		db_params_text(&p, name);
		db_params_text(&p, cfg->mission.name);
		if (run(db,
			"INSERT INTO public.satellite (satellite_name, "
			"mission_id) SELECT $1, mission_id FROM public.mission "
			"WHERE mission_name = $2",
			&p))
			return done(&p, -1);
		report(r, '+', "satellite %s", name);
	}
	for (size_t i = 0; i < cfg->n_instruments; i++) {
		const struct instrument *in = &cfg->instruments[i];

		if (has_instrument(cur, in->satellite, in->name))
			continue;
		db_params_release(&p);
		db_params_text(&p, in->name);
		db_params_text(&p, in->satellite);
		if (run(db,
			"INSERT INTO public.instrument (instrument_name, "
			"satellite_id) SELECT $1, satellite_id FROM "
			"public.satellite WHERE satellite_name = $2",
			&p))
			return done(&p, -1);
		report(r, '+', "instrument %s/%s", in->satellite, in->name);
	}
	return done(&p, 0);
}

/*
 * inspector row values: kind, filename, relative_path from executable
 * (its directory) or module (its directory under inspectordir, as
 * dbprocessing reads it, when it is there)
 */
static void
inspector_params(struct db_params *p, const struct product *prod,
		 const char *inspectordir, char **dir_out,
		 const char **base_out)
{
	const struct inspector *ins = &prod->inspector;
	const char *path = ins->executable ? ins->executable : ins->module;
	const char *slash = path ? strrchr(path, '/') : NULL;

	*dir_out = NULL;
	*base_out = "";
	db_params_text(p, prod->name);
	db_params_text(p, ins->executable ? "exec"
			  : ins->module	  ? "module"
					  : "template");
	if (path) {
		size_t n = inspectordir ? strlen(inspectordir) : 0;

		while (n > 1 && inspectordir[n - 1] == '/')
			n--;
		*dir_out = slash ? xstrndup(path, (size_t)(slash - path))
				 : xstrdup(".");
		*base_out = slash ? slash + 1 : path;
		if (ins->module && n && !strncmp(*dir_out, inspectordir, n) &&
		    ((*dir_out)[n] == '/' || !(*dir_out)[n])) {
			char *rel = xstrdup(*dir_out + n + ((*dir_out)[n] == '/'));

			free(*dir_out);
			*dir_out = rel;
		}
	}
	db_params_text(p, *base_out);
	db_params_text(p, *dir_out ? *dir_out : "");
	db_params_text(p, ins->description ? ins->description : "");
	db_params_int64(p, ins->version.interface);
	db_params_int64(p, ins->version.quality);
	db_params_int64(p, ins->version.revision);
	db_params_int64(p, ins->output_interface_version);
	db_params_bool(p, ins->active);
	db_params_text(p, ins->arguments);
	db_params_int64(p, ins->timeout_s);
	db_params_bool(p, ins->batch);
}

static int
product_file_count(struct db *db, const char *product, int64_t *n)
{
	struct db_params p = DB_PARAMS_INIT;

	db_params_release(&p);
	db_params_text(&p, product);
	return done(&p, run_int(db,
				"SELECT count(*) FROM public.file f JOIN "
				"public.product p USING (product_id) WHERE "
				"p.product_name = $1",
				&p, n));
}

static const struct input *find_input(const struct process *p,
					    const char *product);

/* whether move-product moved product's files away from relative_path */
static int
moved_from(struct db *db, const char *product, const char *relative_path,
	   bool *moved)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t n = 0;
	int rc;

	db_params_release(&p);
	db_params_text(&p, product);
	db_params_text(&p, relative_path);
	rc = run_int(db,
		     "SELECT count(*) FROM public.product_move m JOIN "
		     "public.product p USING (product_id) WHERE "
		     "p.product_name = $1 AND m.state = 'done' AND "
		     "m.old_relative_path = $2",
		     &p, &n);
	*moved = n > 0;
	return done(&p, rc);
}

/*
 * config apply: product op, in the database, becomes np (files in rel):
 * what changed is reported; a product with files keeps its format and
 * relative_path.  p holds the product's parameters.
 */
static int
update_product(struct db *db, const struct config *cfg,
	       const struct product *op,
	       const struct product *np, const char *rel,
	       struct db_params *p, struct store_apply_report *r)
{
	struct strbuf d = STRBUF_INIT, where = STRBUF_INIT;
	int rc = 0;

	strbuf_addf(&where, "%s/%s", op->satellite,
		    op->instrument);
	{
		struct strbuf nw = STRBUF_INIT;

		strbuf_addf(&nw, "%s/%s", np->satellite,
			    np->instrument);
		diff_str(&d, "instrument", where.buf, nw.buf);
		strbuf_release(&nw);
	}
	strbuf_release(&where);
	diff_num(&d, "level", op->level, np->level);
	diff_str(&d, "format", op->format, np->format);
	diff_str(&d, "relative_path", op->relative_path, rel);
	diff_str(&d, "description", op->description,
		 np->description);
	diff_bool(&d, "stop_time_exclusive",
		  op->stop_time_exclusive,
		  np->stop_time_exclusive);
	diff_str(&d, "timebase", timebase_name(op->timebase),
		 timebase_name(np->timebase));
	/* its files' days change: so may its consumers' inputs */
	for (size_t k = 0; op->stop_time_exclusive !=
				   np->stop_time_exclusive &&
			   k < cfg->n_processes;
	     k++)
		if (find_input(&cfg->processes[k], np->name))
			affect(r, cfg->processes[k].name);
	if (!str_eq(op->relative_path, rel) ||
	    !str_eq(op->format, np->format) ||
	    op->timebase != np->timebase) {
		int64_t n;

		if (product_file_count(db, np->name, &n)) {
			strbuf_release(&d);
			return -1;
		}
		if (n > 0) {
			strbuf_release(&d);
			error("product \"%s\" has %lld files: "
			      "its format, relative_path and "
			      "timebase cannot change",
			      np->name, (long long)n);
			if (!str_eq(op->relative_path, rel))
				log_hint("Move its files with "
					 "\"cascade move-product "
					 "%s %s\" first.",
					 np->name, rel);
			return -1;
		}
	}
	if (d.len) {
		rc = run(db,
			 "WITH i AS (SELECT i.instrument_id FROM "
			 "public.instrument i JOIN "
			 "public.satellite s USING "
			 "(satellite_id) WHERE s.satellite_name "
			 "= $2 AND i.instrument_name = $3), "
			 "u AS (UPDATE public.product SET "
			 "instrument_id = (SELECT instrument_id "
			 "FROM i), level = $4::float8, format = "
			 "$5, relative_path = $6, "
			 "product_description = $7, "
			 "stop_time_exclusive = $8::bool, "
			 "timebase = $9 WHERE "
			 "product_name = $1 RETURNING "
			 "product_id, instrument_id) "
			 "UPDATE public.instrumentproductlink l "
			 "SET instrument_id = u.instrument_id "
			 "FROM u WHERE l.product_id = "
			 "u.product_id",
			 p);
		if (!rc)
			report(r, '~', "product %s: %s",
			       np->name, d.buf);
	}
	strbuf_release(&d);
	return rc;
}

/* config apply: the inspector of product np (op: as it was, or NULL) */
static int
apply_inspector(struct db *db, const struct config *cfg,
		const struct product *op, const struct product *np,
		struct store_apply_report *r)
{
	struct strbuf d = STRBUF_INIT;
	struct db_params p = DB_PARAMS_INIT;
	char *dir = NULL;
	const char *base;
	int rc = 0;

	db_params_release(&p);
	inspector_params(&p, np, cfg->mission.inspectordir, &dir, &base);
	if (op) {
		const struct inspector *a = &op->inspector,
					      *b = &np->inspector;

		diff_str(&d, "executable", a->executable,
			 b->executable);
		diff_str(&d, "module", a->module, b->module);
		diff_bool(&d, "batch", a->batch, b->batch);
		diff_str(&d, "arguments", a->arguments, b->arguments);
		diff_str(&d, "description", a->description,
			 b->description);
		diff_version(&d, "version", &a->version, &b->version);
		diff_num(&d, "output_interface_version",
			 a->output_interface_version,
			 b->output_interface_version);
		diff_num(&d, "timeout", a->timeout_s, b->timeout_s);
		diff_bool(&d, "active", a->active, b->active);
	}
	if (!op || d.len) {
		rc = run(db,
			 "INSERT INTO public.inspector (product, kind, "
			 "filename, relative_path, description, "
			 "interface_version, quality_version, "
			 "revision_version, output_interface_version, "
			 "active_code, newest_version, arguments, "
			 "timeout_s, batch) SELECT product_id, $2, $3, $4, "
			 "$5, $6::int2, $7::int2, $8::int2, $9::int2, "
			 "$10::bool, true, $11, $12::int, $13::bool FROM "
			 "public.product WHERE product_name = $1 "
			 "ON CONFLICT (product) DO UPDATE SET "
			 "kind = EXCLUDED.kind, filename = "
			 "EXCLUDED.filename, relative_path = "
			 "EXCLUDED.relative_path, description = "
			 "EXCLUDED.description, interface_version = "
			 "EXCLUDED.interface_version, quality_version "
			 "= EXCLUDED.quality_version, revision_version "
			 "= EXCLUDED.revision_version, "
			 "output_interface_version = "
			 "EXCLUDED.output_interface_version, "
			 "active_code = EXCLUDED.active_code, "
			 "arguments = EXCLUDED.arguments, timeout_s = "
			 "EXCLUDED.timeout_s, batch = EXCLUDED.batch",
			 &p);
		if (!rc && op)
			report(r, '~', "inspector of %s: %s", np->name,
			       d.buf);
	}
	free(dir);
	strbuf_release(&d);
	return done(&p, rc);
}

static int
apply_products(struct db *db, const struct config *cur,
	       const struct config *cfg, struct store_apply_report *r)
{
	for (size_t i = 0; i < cfg->n_products; i++) {
		const struct product *np = &cfg->products[i];
		const struct product *op =
			cur ? config_find_product(cur, np->name) : NULL;
		struct db_params p = DB_PARAMS_INIT;
		const char *rel = np->relative_path;
		bool moved = false;
		int rc = 0;

		/*
		 * A file still naming the directory move-product moved the
		 * product's files away from: the database keeps the new one.
		 */
		if (op && !str_eq(op->relative_path, np->relative_path) &&
		    str_eq(op->format, np->format)) {
			if (moved_from(db, np->name, np->relative_path, &moved))
				return done(&p, -1);
			if (moved)
				rel = op->relative_path;
		}
		db_params_release(&p);
		db_params_text(&p, np->name);
		db_params_text(&p, np->satellite);
		db_params_text(&p, np->instrument);
		db_params_double(&p, np->level);
		db_params_text(&p, np->format);
		db_params_text(&p, rel);
		db_params_text(&p, np->description);
		db_params_bool(&p, np->stop_time_exclusive);
		db_params_text(&p, timebase_numbered(np->timebase)
					   ? timebase_name(np->timebase)
					   : "DAILY");
		if (moved)
			report(r, '=', "product %s: relative_path \"%s\" kept: "
				       "move-product moved its files there from "
				       "\"%s\", which the file names (write the "
				       "new one in it)",
			       np->name, op->relative_path, np->relative_path);
		if (!op) {
			rc = run(db,
				 "WITH i AS (SELECT i.instrument_id FROM "
				 "public.instrument i JOIN public.satellite s "
				 "USING (satellite_id) WHERE s.satellite_name "
				 "= $2 AND i.instrument_name = $3), "
				 "p AS (INSERT INTO public.product "
				 "(product_name, instrument_id, level, format, "
				 "relative_path, product_description, "
				 "stop_time_exclusive, timebase) SELECT "
				 "$1, instrument_id, $4::float8, $5, $6, $7, "
				 "$8::bool, $9 FROM i RETURNING product_id, "
				 "instrument_id) "
				 "INSERT INTO public.instrumentproductlink "
				 "(instrument_id, product_id) SELECT "
				 "instrument_id, product_id FROM p",
				 &p);
			if (!rc)
				report(r, '+', "product %s", np->name);
		} else {
			rc = update_product(db, cfg, op, np, rel, &p, r);
		}
		if (rc)
			return done(&p, rc);
		if ((rc = apply_inspector(db, cfg, op, np, r)))
			return done(&p, rc);
		db_params_release(&p);
	}
	return 0;
}

static const struct input *
find_input(const struct process *p, const char *product)
{
	for (size_t i = 0; p && i < p->n_inputs; i++)
		if (!strcmp(p->inputs[i].product, product))
			return &p->inputs[i];
	return NULL;
}

static const struct code *
find_code(const struct process *p, const struct version *v)
{
	for (size_t i = 0; p && i < p->n_codes; i++)
		if (!version_cmp(&p->codes[i].version, v))
			return &p->codes[i];
	return NULL;
}

static void
code_params(struct db_params *p, const char *process, const struct code *c)
{
	db_params_release(p);
	db_params_text(p, process);
	db_params_int64(p, c->version.interface);
	db_params_int64(p, c->version.quality);
	db_params_int64(p, c->version.revision);
	db_params_text(p, c->filename);
	db_params_text(p, c->relative_path);
	db_params_date(p, c->start_date);
	db_params_date(p, c->stop_date);
	db_params_text(p, c->description ? c->description : "");
	db_params_int64(p, c->output_interface_version);
	db_params_bool(p, c->active);
	db_params_date(p, c->date_written);
	db_params_text(p, c->arguments);
	db_params_double(p, c->ram);
	db_params_int64(p, c->cpu);
	db_params_int64(p, c->timeout_s);
	db_params_text(p, c->working_dir);
}

/* the fields of code c that differ from those of o, into d */
static void
diff_code(struct strbuf *d, const struct code *o,
	  const struct code *c)
{
	diff_str(d, "filename", o->filename, c->filename);
	diff_str(d, "relative_path", o->relative_path,
		 c->relative_path);
	diff_date(d, "start_date", o->start_date,
		  c->start_date);
	diff_date(d, "stop_date", o->stop_date, c->stop_date);
	diff_str(d, "description", o->description,
		 c->description);
	diff_num(d, "output_interface_version",
		 o->output_interface_version,
		 c->output_interface_version);
	diff_bool(d, "active", o->active, c->active);
	diff_date(d, "date_written", o->date_written,
		  c->date_written);
	diff_str(d, "arguments", o->arguments, c->arguments);
	diff_num(d, "ram", o->ram, c->ram);
	diff_num(d, "cpu", o->cpu, c->cpu);
	diff_num(d, "timeout", o->timeout_s, c->timeout_s);
	diff_str(d, "working_directory", o->working_dir, c->working_dir);
}

/*
 * A code that is new and active, or whose dates or activity changed,
 * makes outputs stale: queue the process's inputs within its dates, so
 * the next run rebuilds exactly those.
 */
static int
requeue_for_code(struct db *db, const struct process *np,
		 const struct code *c, struct store_apply_report *r)
{
	char vbuf[VERSION_STRLEN];
	struct strbuf spec = STRBUF_INIT;
	struct store_requeue rq = {0};
	long queued = 0, already = 0;
	int rc;

	strbuf_addf(&spec, "%s:%s", np->name,
		    version_format(&c->version, vbuf));
	rq.code = spec.buf;
	rq.version_bump = -1;
	rq.reason = "new code";
	rc = store_requeue(db, &rq, 0, &queued, &already);
	if (rc == 1)
		rc = 0; /* a process without inputs */
	if (!rc && queued)
		strbuf_addf(&r->lines,
			    "  queued %ld input files of %s "
			    "for reprocessing\n",
			    queued, np->name);
	strbuf_release(&spec);
	return rc;
}

/* a code of a process: inserted, or updated in place (code_params) */
static const char code_upsert_sql[] =
	"INSERT INTO public.code (process_id, "
	"interface_version, quality_version, "
	"revision_version, filename, relative_path, "
	"code_start_date, code_stop_date, code_description, "
	"output_interface_version, active_code, "
	"newest_version, date_written, arguments, ram, cpu, "
	"timeout_s, working_dir) SELECT process_id, $2::int2, $3::int2, "
	"$4::int2, $5, $6, $7::date, $8::date, $9, $10::int2, "
	"$11::bool, $11::bool, $12::date, $13, $14::float8, "
	"$15::int2, $16::int, $17 FROM public.process WHERE "
	"process_name = $1 "
	"ON CONFLICT (process_id, interface_version, "
	"quality_version, revision_version) DO UPDATE SET "
	"filename = EXCLUDED.filename, relative_path = "
	"EXCLUDED.relative_path, code_start_date = "
	"EXCLUDED.code_start_date, code_stop_date = "
	"EXCLUDED.code_stop_date, code_description = "
	"EXCLUDED.code_description, output_interface_version "
	"= EXCLUDED.output_interface_version, active_code = "
	"EXCLUDED.active_code, newest_version = "
	"EXCLUDED.newest_version, date_written = "
	"EXCLUDED.date_written, arguments = "
	"EXCLUDED.arguments, ram = EXCLUDED.ram, cpu = "
	"EXCLUDED.cpu, timeout_s = EXCLUDED.timeout_s, working_dir = "
	"EXCLUDED.working_dir";

static int
apply_codes(struct db *db, const struct process *op,
	    const struct process *np, struct store_apply_report *r)
{
	struct db_params p = DB_PARAMS_INIT;
	char vbuf[VERSION_STRLEN];

	for (size_t i = 0; i < np->n_codes; i++) {
		const struct code *c = &np->codes[i];
		const struct code *o = find_code(op, &c->version);
		struct strbuf d = STRBUF_INIT;
		int rc = 0;

		if (o) {
			diff_code(&d, o, c);
			if (!d.len) {
				strbuf_release(&d);
				continue;
			}
		}
		code_params(&p, np->name, c);
		rc = run(db, code_upsert_sql, &p);
		if (!rc) {
			if (o)
				report(r, '~', "code %s %s: %s", np->name,
				       version_format(&c->version, vbuf), d.buf);
			else
				report(r, '+', "code %s %s", np->name,
				       version_format(&c->version, vbuf));
			if (op)
				affect(r, np->name);
		}
		if (!rc && c->active &&
		    (!o || !o->active || o->start_date != c->start_date ||
		     o->stop_date != c->stop_date))
			rc = requeue_for_code(db, np, c, r);
		strbuf_release(&d);
		if (rc)
			return done(&p, rc);
	}
	/* codes that left the file: deactivated, never deleted (provenance) */
	for (size_t i = 0; op && i < op->n_codes; i++) {
		const struct code *o = &op->codes[i];

		if (find_code(np, &o->version) || !o->active)
			continue;
		db_params_release(&p);
		db_params_text(&p, np->name);
		db_params_int64(&p, o->version.interface);
		db_params_int64(&p, o->version.quality);
		db_params_int64(&p, o->version.revision);
		if (run(db,
			"UPDATE public.code c SET active_code = false, "
			"newest_version = false FROM public.process pr WHERE "
			"pr.process_id = c.process_id AND pr.process_name = $1 "
			"AND c.interface_version = $2::int2 AND "
			"c.quality_version = $3::int2 AND c.revision_version = "
			"$4::int2",
			&p))
			return done(&p, -1);
		affect(r, np->name);
		report(r, '-', "code %s %s (not in the file: deactivated)",
		       np->name, version_format(&o->version, vbuf));
	}
	return done(&p, 0);
}

static void
describe_input(struct strbuf *sb, const struct process *p,
	       const struct input *in)
{
	strbuf_addf(sb, "%s, yesterday %d, tomorrow %d",
		    in->optional ? "optional" : "required", in->yesterday,
		    in->tomorrow);
	if (in->pin)
		strbuf_addf(sb, ", version %d only", in->pin);
	if (!in->group)
		return;
	strbuf_addstr(sb, ", one of ");
	for (int r = 0, n = 0; r < (int)p->n_inputs; r++)
		for (size_t k = 0; k < p->n_inputs; k++)
			if (p->inputs[k].group && p->inputs[k].rank == r &&
			    !strcmp(p->inputs[k].group, in->group))
				strbuf_addf(sb, "%s%s", n++ ? ", " : "",
					    p->inputs[k].product);
	strbuf_addf(sb, " (choice %d)", in->rank + 1);
}

/* whether o and in are the same input */
static bool
same_input(const struct input *o, const struct input *in)
{
	return o->optional == in->optional && o->yesterday == in->yesterday &&
	       o->tomorrow == in->tomorrow && o->pin == in->pin &&
	       str_eq(o->group, in->group) &&
	       (!in->group || o->rank == in->rank);
}

static int
apply_inputs(struct db *db, const struct process *op,
	     const struct process *np, struct store_apply_report *r)
{
	struct db_params p = DB_PARAMS_INIT;

	for (size_t i = 0; i < np->n_inputs; i++) {
		const struct input *in = &np->inputs[i];
		const struct input *o = find_input(op, in->product);
		struct strbuf d = STRBUF_INIT;

		if (o && same_input(o, in))
			continue;
		db_params_release(&p);
		db_params_text(&p, np->name);
		db_params_text(&p, in->product);
		db_params_bool(&p, in->optional);
		db_params_int64(&p, in->yesterday);
		db_params_int64(&p, in->tomorrow);
		db_params_int64(&p, in->pin);
		db_params_text(&p, in->group);
		db_params_int64(&p, in->rank);
		/*
		 * a product of a group is optional to dbprocessing (which
		 * knows no groups); the group's own is group_optional
		 */
		if (run(db,
			"INSERT INTO public.productprocesslink (process_id, "
			"input_product_id, optional, yesterday, tomorrow, "
			"interface_pin, group_product, group_rank, "
			"group_optional) "
			"SELECT pr.process_id, p.product_id, "
			"$3::bool OR $7::text IS NOT NULL, $4::int, $5::int, "
			"nullif($6::int, 0), g.product_id, "
			"CASE WHEN $7::text IS NOT NULL THEN $8::int END, "
			"CASE WHEN $7::text IS NOT NULL THEN $3::bool END "
			"FROM public.process pr JOIN public.product p ON "
			"p.product_name = $2 LEFT JOIN public.product g ON "
			"g.product_name = $7::text WHERE pr.process_name = $1 "
			"ON CONFLICT (process_id, "
			"input_product_id) DO UPDATE SET optional = "
			"EXCLUDED.optional, yesterday = EXCLUDED.yesterday, "
			"tomorrow = EXCLUDED.tomorrow, interface_pin = "
			"EXCLUDED.interface_pin, group_product = "
			"EXCLUDED.group_product, group_rank = "
			"EXCLUDED.group_rank, group_optional = "
			"EXCLUDED.group_optional",
			&p))
			return done(&p, -1);
		if (o) {
			strbuf_addstr(&d, "(");
			describe_input(&d, op, o);
			strbuf_addstr(&d, ") -> (");
			describe_input(&d, np, in);
			strbuf_addstr(&d, ")");
			affect(r, np->name);
			report(r, '~', "input %s <- %s: %s", np->name,
			       in->product, d.buf);
		} else {
			describe_input(&d, np, in);
			if (op)
				affect(r, np->name);
			report(r, '+', "input %s <- %s (%s)", np->name,
			       in->product, d.buf);
		}
		strbuf_release(&d);
	}
	for (size_t i = 0; op && i < op->n_inputs; i++) {
		const struct input *o = &op->inputs[i];

		if (find_input(np, o->product))
			continue;
		db_params_release(&p);
		db_params_text(&p, np->name);
		db_params_text(&p, o->product);
		if (run(db,
			"DELETE FROM public.productprocesslink l USING "
			"public.process pr, public.product p WHERE "
			"l.process_id = pr.process_id AND l.input_product_id "
			"= p.product_id AND pr.process_name = $1 AND "
			"p.product_name = $2",
			&p))
			return done(&p, -1);
		affect(r, np->name);
		report(r, '-', "input %s <- %s", np->name, o->product);
	}
	return done(&p, 0);
}

/* "DAILY from 2024-01-01, lag 1 day(s)", or "none" */
static void
describe_schedule(struct strbuf *sb, const struct process *p)
{
	char d[DATE_STRLEN];

	if (!p->schedule.set) {
		strbuf_addstr(sb, "none");
		return;
	}
	strbuf_addf(sb, "%s from %s, lag %d day(s)",
		    timebase_name(config_schedule_every(p)),
		    p->schedule.start_date != INT32_MIN
			    ? timeutil_format_date(p->schedule.start_date, d)
			    : "?",
		    p->schedule.lag_days);
}

/* a process's schedule: written, changed or removed */
static int
apply_schedule(struct db *db, const struct process *op,
	       const struct process *np, struct store_apply_report *r)
{
	struct db_params p = DB_PARAMS_INIT;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	int rc = 0;

	describe_schedule(&a, op ? op : np);
	describe_schedule(&b, np);
	if (op && !strcmp(a.buf, b.buf))
		goto out;
	if (!op && !np->schedule.set)
		goto out;
	db_params_text(&p, np->name);
	if (np->schedule.set) {
		db_params_text(&p, timebase_name(config_schedule_every(np)));
		db_params_date(&p, np->schedule.start_date);
		db_params_int64(&p, np->schedule.lag_days);
		rc = run(db,
			 "INSERT INTO public.process_schedule (process_id, "
			 "every, start_date, lag_days) SELECT pr.process_id, "
			 "$2, $3::date, $4::int FROM public.process pr WHERE "
			 "pr.process_name = $1 ON CONFLICT (process_id) DO "
			 "UPDATE SET every = EXCLUDED.every, start_date = "
			 "EXCLUDED.start_date, lag_days = EXCLUDED.lag_days",
			 &p);
	} else {
		rc = run(db,
			 "DELETE FROM public.process_schedule s USING "
			 "public.process pr WHERE s.process_id = "
			 "pr.process_id AND pr.process_name = $1",
			 &p);
	}
	if (!rc && op)
		report(r, '~', "schedule %s: %s -> %s", np->name, a.buf,
		       b.buf);
	else if (!rc)
		report(r, '+', "schedule %s: %s", np->name, b.buf);
out:
	strbuf_release(&a);
	strbuf_release(&b);
	return done(&p, rc);
}

/* what a process may reuse: written, changed or removed */
static int
apply_reuse(struct db *db, const struct process *op,
	    const struct process *np, struct store_apply_report *r)
{
	struct db_params p = DB_PARAMS_INIT;
	enum reuse_mode old = op ? op->reuse : REUSE_NONE;
	int rc = 0;

	if (old == np->reuse)
		return 0;
	db_params_text(&p, np->name);
	if (np->reuse != REUSE_NONE) {
		db_params_text(&p, reuse_mode_name(np->reuse));
		rc = run(db,
			 "INSERT INTO public.process_reuse (process_id, "
			 "reuse) SELECT pr.process_id, $2 FROM "
			 "public.process pr WHERE pr.process_name = $1 ON "
			 "CONFLICT (process_id) DO UPDATE SET reuse = "
			 "EXCLUDED.reuse",
			 &p);
	} else {
		rc = run(db,
			 "DELETE FROM public.process_reuse x USING "
			 "public.process pr WHERE x.process_id = "
			 "pr.process_id AND pr.process_name = $1",
			 &p);
	}
	if (!rc && op)
		report(r, '~', "reuse %s: %s -> %s", np->name,
		       reuse_mode_name(old), reuse_mode_name(np->reuse));
	else if (!rc)
		report(r, '+', "reuse %s: %s", np->name,
		       reuse_mode_name(np->reuse));
	return done(&p, rc);
}

static int
apply_processes(struct db *db, const struct config *cur,
		const struct config *cfg, struct store_apply_report *r)
{
	for (size_t i = 0; i < cfg->n_processes; i++) {
		const struct process *np = &cfg->processes[i];
		const struct process *op =
			cur ? config_find_process(cur, np->name) : NULL;
		struct strbuf d = STRBUF_INIT;
		struct db_params p = DB_PARAMS_INIT;
		int rc = 0;

		db_params_release(&p);
		db_params_text(&p, np->name);
		db_params_text(&p, np->output_product);
		db_params_text(&p, timebase_name(np->timebase));
		db_params_text(&p, np->extra_params);
		executor_params(&p, &np->executor, false);
		if (op) {
			diff_str(&d, "output_product", op->output_product,
				 np->output_product);
			diff_str(&d, "output_timebase",
				 timebase_name(op->timebase),
				 timebase_name(np->timebase));
			diff_str(&d, "extra_params", op->extra_params,
				 np->extra_params);
			diff_executor(&d, "executor.", &op->executor,
				      &np->executor);
		}
		if (!op || d.len) {
			rc = run(db,
				 "INSERT INTO public.process (process_name, "
				 "output_product, output_timebase, "
				 "extra_params, " EXECUTOR_COLUMNS("") ") "
				 "VALUES ($1, (SELECT product_id "
				 "FROM public.product WHERE product_name = $2), "
				 "$3, $4, " EXECUTOR_VALUES(5, 6, 7, 8, 9, 10, 11, 12) ") "
				 "ON CONFLICT (process_name) DO UPDATE "
				 "SET output_product = EXCLUDED.output_product, "
				 "output_timebase = EXCLUDED.output_timebase, "
				 "extra_params = EXCLUDED.extra_params, "
				 "(" EXECUTOR_COLUMNS("") ") = ("
				 EXECUTOR_COLUMNS("EXCLUDED.") ")",
				 &p);
			if (!rc && op)
				report(r, '~', "process %s: %s", np->name,
				       d.buf);
			else if (!rc)
				report(r, '+', "process %s", np->name);
		}
		strbuf_release(&d);
		if (rc || apply_inputs(db, op, np, r) ||
		    apply_codes(db, op, np, r) ||
		    apply_schedule(db, op, np, r) ||
		    apply_reuse(db, op, np, r))
			return done(&p, -1);
		db_params_release(&p);
	}
	return 0;
}

/* remove what left the file, unless data depends on it */
/* config apply: the processes not in the file: deleted, or kept (deactivated) when they have builds or files */
static int
remove_processes(struct db *db, const struct config *cur,
		 const struct config *cfg, struct store_apply_report *r)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t n;

	for (size_t i = 0; cur && i < cur->n_processes; i++) {
		const char *name = cur->processes[i].name;

		if (config_find_process(cfg, name))
			continue;
		db_params_release(&p);
		db_params_text(&p, name);
		if (run_int(db,
			    "SELECT (SELECT count(*) FROM public.build b JOIN "
			    "public.process pr USING (process_id) WHERE "
			    "pr.process_name = $1) + (SELECT count(*) FROM "
			    "public.filecodelink l JOIN public.code c ON "
			    "c.code_id = l.source_code JOIN public.process pr "
			    "USING (process_id) WHERE pr.process_name = $1)",
			    &p, &n))
			return done(&p, -1);
		if (n > 0) {
			if (run(db,
				"UPDATE public.code c SET active_code = false, "
				"newest_version = false FROM public.process pr "
				"WHERE pr.process_id = c.process_id AND "
				"pr.process_name = $1",
				&p))
				return done(&p, -1);
			report(r, '=', "process %s: not in the file, kept "
				       "(it has builds or files); its codes "
				       "are deactivated",
			       name);
			continue;
		}
		if (run(db,
			"WITH pr AS (SELECT process_id FROM public.process "
			"WHERE process_name = $1), "
			"l AS (DELETE FROM public.productprocesslink WHERE "
			"process_id IN (SELECT process_id FROM pr)), "
			"c AS (DELETE FROM public.code WHERE process_id IN "
			"(SELECT process_id FROM pr)) "
			"SELECT 1",
			&p) ||
		    run(db, "DELETE FROM public.process WHERE process_name = $1",
			&p))
			return done(&p, -1);
		report(r, '-', "process %s", name);
	}
	return done(&p, 0);
}

/* config apply: the products not in the file: deleted unless they have files or a process uses them */
static int
remove_products(struct db *db, const struct config *cur,
		const struct config *cfg, struct store_apply_report *r)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t n;

	for (size_t i = 0; cur && i < cur->n_products; i++) {
		const char *name = cur->products[i].name;

		if (config_find_product(cfg, name))
			continue;
		db_params_release(&p);
		db_params_text(&p, name);
		if (run_int(db,
			    "SELECT (SELECT count(*) FROM public.file f JOIN "
			    "public.product p USING (product_id) WHERE "
			    "p.product_name = $1) + (SELECT count(*) FROM "
			    "public.process pr JOIN public.product p ON "
			    "p.product_id = pr.output_product WHERE "
			    "p.product_name = $1) + (SELECT count(*) FROM "
			    "public.productprocesslink l JOIN public.product p "
			    "ON p.product_id = l.input_product_id WHERE "
			    "p.product_name = $1)",
			    &p, &n))
			return done(&p, -1);
		if (n > 0) {
			report(r, '=', "product %s: not in the file, kept (it "
				       "has files or a process uses it)",
			       name);
			continue;
		}
		if (run(db,
			"DELETE FROM public.product WHERE product_name = $1",
			&p))
			return done(&p, -1);
		report(r, '-', "product %s", name);
	}
	return done(&p, 0);
}

/* config apply: the instruments not in the file: deleted unless they have products */
static int
remove_instruments(struct db *db, const struct config *cur,
		   const struct config *cfg, struct store_apply_report *r)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t n;

	for (size_t i = 0; cur && i < cur->n_instruments; i++) {
		const struct instrument *in = &cur->instruments[i];

		if (has_instrument(cfg, in->satellite, in->name))
			continue;
		db_params_release(&p);
		db_params_text(&p, in->satellite);
		db_params_text(&p, in->name);
		if (run_int(db,
			    "SELECT count(*) FROM public.product p JOIN "
			    "public.instrument i USING (instrument_id) JOIN "
			    "public.satellite s USING (satellite_id) WHERE "
			    "s.satellite_name = $1 AND i.instrument_name = $2",
			    &p, &n))
			return done(&p, -1);
		if (n > 0) {
			report(r, '=', "instrument %s/%s: not in the file, "
				       "kept (it has products)",
			       in->satellite, in->name);
			continue;
		}
		if (run(db,
			"DELETE FROM public.instrument i USING "
			"public.satellite s WHERE s.satellite_id = "
			"i.satellite_id AND s.satellite_name = $1 AND "
			"i.instrument_name = $2",
			&p))
			return done(&p, -1);
		report(r, '-', "instrument %s/%s", in->satellite, in->name);
	}
	return done(&p, 0);
}

/* config apply: the satellites not in the file: deleted unless they have instruments */
static int
remove_satellites(struct db *db, const struct config *cur,
		  const struct config *cfg, struct store_apply_report *r)
{
	struct db_params p = DB_PARAMS_INIT;
	int64_t n;

	for (size_t i = 0; cur && i < cur->n_satellites; i++) {
		const char *name = cur->satellites[i].name;

		if (cur_has_satellite(cfg, name))
			continue;
		db_params_release(&p);
		db_params_text(&p, name);
		if (run_int(db,
			    "SELECT count(*) FROM public.instrument i JOIN "
			    "public.satellite s USING (satellite_id) WHERE "
			    "s.satellite_name = $1",
			    &p, &n))
			return done(&p, -1);
		if (n > 0) {
			report(r, '=', "satellite %s: not in the file, kept "
				       "(it has instruments)",
			       name);
			continue;
		}
		if (run(db,
			"DELETE FROM public.satellite WHERE satellite_name = $1",
			&p))
			return done(&p, -1);
		report(r, '-', "satellite %s", name);
	}
	return done(&p, 0);
}

static int
apply_removals(struct db *db, const struct config *cur,
	       const struct config *cfg, struct store_apply_report *r)
{
	if (remove_processes(db, cur, cfg, r) ||
	    remove_products(db, cur, cfg, r) ||
	    remove_instruments(db, cur, cfg, r) ||
	    remove_satellites(db, cur, cfg, r))
		return -1;
	return 0;
}

int
store_config_apply(struct db *db, const struct config *cfg,
		   struct store_apply_report *r)
{
	struct config *cur = NULL;
	int rc = -1;

	if (store_config_load(db, &cur))
		return -1;
	if (apply_mission(db, cur, cfg, r) || apply_satellites(db, cur, cfg, r) ||
	    apply_products(db, cur, cfg, r) ||
	    apply_processes(db, cur, cfg, r) ||
	    apply_removals(db, cur, cfg, r))
		goto out;
	rc = 0;
out:
	config_free(cur);
	return rc;
}
