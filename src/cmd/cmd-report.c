/*
 * cmd-report.c - "cascade report --html DIR": a static HTML page of the
 * mission, DIR/index.html.
 *
 * Reads what the operators' views read (status, the graph and its
 * states, failures, statistics) plus the coverage of the archive and
 * the builds per day (store-report.c) and the missing days "check"
 * classifies (check_gap_days, over a catalog loaded here: the command
 * itself needs only the mission's tables), has Graphviz draw the graph
 * and writes the page (report_draw_graph and report_write_page,
 * report-file.c), which report.c lays out.  Read-only and without the
 * processing flag, like "cascade status".  A missing or failing dot
 * costs the picture only: the graph section then shows why and the DOT
 * source, and the command still succeeds; so does a catalog that does
 * not load (a product's template the planner cannot compile): its
 * missing days are then all shown as gaps, and the page says why.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "catalog.h"
#include "check.h"
#include "cmd.h"
#include "config.h"
#include "coverage.h"
#include "fsutil.h"
#include "graph-dot.h"
#include "lock.h"
#include "log.h"
#include "report.h"
#include "store-admin.h"
#include "store-report.h"
#include "store-status.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"
#include "version-gen.h"
#include "banned.h"

/* finished runs and closed batches shown, as "cascade status" does */
#define REPORT_RECENT 10
/* failures shown per process and kind */
#define REPORT_FAILURES_PER_GROUP 25

static const struct cmd_help help_report = {
	"report", "write a static HTML report of the mission",
	"--html=DIR [--days=N] [--from=DATE] [--to=DATE] [--dot=PROGRAM] "
	"[OPTION]...",
	"cascade-report", 0, 0,
};

static void
check_date(const char *opt, const char *s)
{
	int32_t d;

	if (s && timeutil_parse_date(s, strlen(s), &d))
		usage_error(&help_report,
			    "invalid date \"%s\" for option \"--%s\": "
			    "YYYY-MM-DD is expected",
			    s, opt);
}

/* DIR must be a directory or not exist; exits 2 otherwise */
static int
check_dir(const char *dir)
{
	struct stat st;

	if (!*dir)
		usage_error(&help_report, "--html needs a directory name");
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return EXIT_OK;
		log_error("report: \"%s\" exists and is not a directory", dir);
		log_hint("Name a directory (it is created if missing); the "
			 "report is written to DIR/" REPORT_FILE ".");
		return EXIT_USAGE;
	}
	if (errno != ENOENT) {
		log_error("could not stat \"%s\": %s", dir, strerror(errno));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* the longest window --days gives: a century */
#define REPORT_MAX_DAYS 36525

static const char *dir, *from, *to, *dot = "dot";
static int days = STORE_REPORT_DEFAULT_DAYS;
/* from and to as days (COV_NO_DAY: not given) */
static int32_t from_day = COV_NO_DAY, to_day = COV_NO_DAY;
/* the statistics' period, as ISO timestamps (or NULL) */
static char fbuf[TIMESTAMP_STRLEN], tbuf[TIMESTAMP_STRLEN];
static const char *sfrom, *sto;

int
cmd_report_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 0, "html", &dir, "DIR",
		 "write DIR/index.html (DIR is created if missing)"},
		{OPT_INT, 'd', "days", &days, "N",
		 "the recent days shown enlarged, and of builds (default "
		 "31)"},
		{OPT_STRING, 'f', "from", &from, "DATE",
		 "coverage, graph, builds and statistics from DATE "
		 "(YYYY-MM-DD)"},
		{OPT_STRING, 't', "to", &to, "DATE",
		 "... up to and including DATE"},
		{OPT_STRING, 0, "dot", &dot, "PROGRAM",
		 "the Graphviz dot program (default: dot in PATH)"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_report, opts, argc, argv);
	if (!dir)
		usage_error(&help_report, "--html=DIR is required");
	if (days < 1 || days > REPORT_MAX_DAYS)
		usage_error(&help_report,
			    "--days %d is out of range: 1 to %d days", days,
			    REPORT_MAX_DAYS);
	check_date("from", from);
	check_date("to", to);
	if (from && timeutil_parse_date(from, strlen(from), &from_day))
		from_day = COV_NO_DAY;
	if (to && timeutil_parse_date(to, strlen(to), &to_day))
		to_day = COV_NO_DAY;
	if (from && to && strcmp(from, to) > 0)
		usage_error(&help_report, "--from %s is after --to %s", from,
			    to);
	if (from)
		sfrom = cmd_parse_time(&help_report, "from", from, false, fbuf);
	if (to)
		sto = cmd_parse_time(&help_report, "to", to, true, tbuf);
	return check_dir(dir);
}

/* what the page shows, read from the database */
struct gathered {
	struct lock_holder holder;
	bool held;
	struct ss_status status;
	struct ss_stats stats;
	struct ss_failure *failures;
	size_t n_failures;
	struct store_admin_node_state *products, *processes;
	size_t n_products, n_processes;
	/* coverage */
	struct sr_day *facts;
	size_t n_facts;
	struct check_gap_day *gaps;
	size_t n_gaps;
	bool gaps_known;
	/* activity */
	struct sr_build_day *build_days;
	size_t n_build_days;
};

/*
 * the days of the builds chart: as --from and --to, else --days up to
 * today; none after today (no build has started yet), and at most a
 * century of them (the last)
 */
static void
activity_days(int32_t *lo, int32_t *hi)
{
	int32_t today = timeutil_date_of(timeutil_now_usec());

	if (from_day != COV_NO_DAY && to_day != COV_NO_DAY) {
		*lo = from_day;
		*hi = to_day;
	} else if (from_day != COV_NO_DAY) {
		*lo = from_day;
		*hi = today;
	} else {
		*hi = to_day != COV_NO_DAY ? to_day : today;
		*lo = *hi - (days - 1);
	}
	if (*hi > today)
		*hi = today;
	if (*hi < *lo)
		*hi = *lo;
	if (*hi - *lo >= REPORT_MAX_DAYS)
		*lo = *hi - (REPORT_MAX_DAYS - 1);
}

/*
 * the missing days as "check" classifies them, over a catalog of our
 * own; a catalog that does not load (reported) costs the classification
 * only
 */
static int
gather_gaps(struct ctx *ctx, struct gathered *g)
{
	struct config *cfg = NULL;
	struct catalog cat;
	int rc;

	if ((rc = store_config_load(ctx->db, &cfg)))
		return rc;
	if (!cfg || catalog_from_config(cfg, &cat)) {
		log_warning("report: days without input are shown as gaps: "
			    "the mission's catalog does not load");
		return 0;
	}
	rc = check_gap_days(ctx->db, &cat, &g->gaps, &g->n_gaps);
	g->gaps_known = rc == 0;
	catalog_release(&cat);
	return rc;
}

static int
gather(struct ctx *ctx, struct gathered *g)
{
	struct ss_failure_filter ff = {0};
	int32_t lo, hi;

	activity_days(&lo, &hi);
	return lock_show(ctx->db, ctx->mission->id, &g->held, &g->holder) ||
	       store_status_read(ctx->db, REPORT_RECENT, &g->status) ||
	       store_admin_graph_state(ctx->db, from, to, &g->products,
				       &g->n_products, &g->processes,
				       &g->n_processes) ||
	       store_report_days(ctx->db, &g->facts, &g->n_facts) ||
	       gather_gaps(ctx, g) ||
	       store_report_build_days(ctx->db, lo, hi, &g->build_days,
				       &g->n_build_days) ||
	       store_failures_list(ctx->db, &ff, &g->failures,
				   &g->n_failures) ||
	       store_stats_read(ctx->db, sfrom, sto, &g->stats);
}

static void
gathered_release(struct gathered *g)
{
	store_admin_states_free(g->products, g->n_products);
	store_admin_states_free(g->processes, g->n_processes);
	ss_failures_free(g->failures, g->n_failures);
	store_report_days_free(g->facts, g->n_facts);
	free(g->gaps);
	free(g->build_days);
	ss_stats_release(&g->stats);
	ss_status_release(&g->status);
	lock_holder_release(&g->holder);
}

/* lay the page out */
static void
page_of(struct ctx *ctx, const struct gathered *g, const struct strbuf *dot_src,
	const struct strbuf *svg, const struct strbuf *why, struct strbuf *page)
{
	struct report_data d = {0};
	struct cov_grid grid;
	char now[32];
	time_t t;
	struct tm tm;

	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cov_grid_init(&grid, ctx->cfg, g->facts, g->n_facts, g->gaps,
		      g->n_gaps, g->gaps_known);
	d.version = CASCADE_VERSION;
	d.generated = now;
	d.mission = ctx->mission->name;
	d.flag_held = g->held;
	d.holder = &g->holder;
	d.status = &g->status;
	d.svg = svg->len ? svg->buf : NULL;
	d.dot = dot_src->buf;
	d.graph_error = why->len ? why->buf : NULL;
	d.graph_from = from;
	d.graph_to = to;
	d.coverage = &grid;
	d.has_window = cov_window(&grid, from_day, to_day, days, &d.window_lo,
				  &d.window_hi);
	if (!g->gaps_known)
		d.gaps_note = "the mission's catalog does not load (see "
			      "\"cascade config check\")";
	d.build_days = g->build_days;
	d.n_build_days = g->n_build_days;
	d.failures = g->failures;
	d.n_failures = g->n_failures;
	d.failures_per_group = REPORT_FAILURES_PER_GROUP;
	d.stats = &g->stats;
	d.stats_from = sfrom;
	d.stats_to = sto;
	report_html(page, &d);
	cov_grid_release(&grid);
}

int
cmd_report_run(struct ctx *ctx)
{
	struct gathered g = {.holder = LOCK_HOLDER_INIT,
			     .status = SS_STATUS_INIT,
			     .stats = SS_STATS_INIT};
	struct graph_dot_state gs = {0};
	struct strbuf dot_src = STRBUF_INIT, svg = STRBUF_INIT,
		      why = STRBUF_INIT, page = STRBUF_INIT;
	int rc = EXIT_DB;

	if (gather(ctx, &g))
		goto out;
	gs.on = true;
	gs.from = from;
	gs.to = to;
	gs.products = g.products;
	gs.n_products = g.n_products;
	gs.processes = g.processes;
	gs.n_processes = g.n_processes;
	gs.no_legend = true; /* the page has its own, in one line */
	graph_dot_write(&dot_src, ctx->cfg, &gs);

	rc = EXIT_FAILED;
	if (fsutil_mkdir_p(dir)) {
		log_error("could not create directory \"%s\": %s", dir,
			  strerror(errno));
		goto out;
	}
	if (report_draw_graph(dot, dir, &dot_src, &svg, &why))
		strbuf_reset(&svg);
	page_of(ctx, &g, &dot_src, &svg, &why, &page);
	if (report_write_page(dir, &page))
		goto out;
	log_info("report: wrote \"%s/%s\" (%zu bytes)", dir, REPORT_FILE,
		 page.len);
	rc = EXIT_OK;
out:
	strbuf_release(&page);
	strbuf_release(&why);
	strbuf_release(&svg);
	strbuf_release(&dot_src);
	gathered_release(&g);
	return rc;
}
