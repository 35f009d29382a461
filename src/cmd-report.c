/*
 * cmd-report.c - "cascade report --html DIR": a static HTML page of the
 * mission, DIR/index.html.
 *
 * Reads what the operators' views read (status, the graph and its
 * states, failures, statistics) plus the coverage of the archive
 * (store-report.c), has Graphviz draw the graph, lets report.c lay the
 * page out, and writes it atomically (a temporary file in DIR, fsync,
 * rename, fsync of DIR), so a web server never serves half a page.
 * Read-only and without the processing flag, like "cascade status".
 *
 * dot runs through spawn.c like every other program: no shell, its own
 * process group, a timeout.  spawn gives a child no stdin, so the DOT is
 * written to a temporary file in DIR, named on dot's command line and
 * removed afterwards.  A missing or failing dot costs the picture only:
 * the graph section then shows why and the DOT source, and the command
 * still succeeds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "fsutil.h"
#include "graph-dot.h"
#include "lock.h"
#include "log.h"
#include "report.h"
#include "spawn.h"
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
/* how long dot may take, and how much SVG it may write */
#define DOT_TIMEOUT_MS 60000
#define DOT_MAX_SVG ((size_t)64 * 1024 * 1024)

#define REPORT_FILE "index.html"

static const struct cmd_help help_report = {
	"report", "write a static HTML report of the mission",
	"--html=DIR [--from=DATE] [--to=DATE] [--dot=PROGRAM] [OPTION]...",
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

/* write all of buf to fd; 0 or -1/errno */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* a new file DIR/.NAME.XXXXXX (mode 0600), its name in path; fd or -1 */
static int
make_temp(const char *dir, const char *name, struct strbuf *path)
{
	int fd;

	strbuf_reset(path);
	strbuf_addf(path, "%s/.%s.XXXXXX", dir, name);
	fd = mkstemp(path->buf);
	if (fd < 0)
		error("could not create a temporary file in \"%s\": %s", dir,
		      strerror(errno));
	return fd;
}

/* the first line of what fd (a file) holds, into sb */
static void
first_line(int fd, struct strbuf *sb)
{
	char buf[1024];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	strbuf_addstr(sb, buf);
	strbuf_rtrim(sb);
}

/*
 * Draw dot_src with the program prog into svg (the <svg> element only).
 * On failure why says in one line why there is no picture; the problem
 * is logged (a warning: the report is still written).  Returns 0 or -1.
 */
static int
draw_graph(const char *prog, const char *dir, const struct strbuf *dot_src,
	   struct strbuf *svg, struct strbuf *why)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf path = STRBUF_INIT, in = STRBUF_INIT,
		      errpath = STRBUF_INIT, out = STRBUF_INIT;
	int in_fd = -1, err_fd = -1, rc = -1;

	if (!spawn_which(prog, &path)) {
		if (strchr(prog, '/'))
			strbuf_addf(why,
				    "the Graphviz program \"%s\" is not an "
				    "executable file",
				    prog);
		else
			strbuf_addf(why,
				    "the Graphviz program \"%s\" was not "
				    "found in PATH",
				    prog);
		log_warning("report: %s; the graph section shows the DOT "
			    "source instead",
			    why->buf);
		log_hint("Install Graphviz (Debian: apt-get install "
			 "graphviz), or name the program with --dot.");
		goto out;
	}
	in_fd = make_temp(dir, REPORT_FILE ".dot", &in);
	if (in_fd < 0) {
		strbuf_addstr(why, "no temporary file for dot's input");
		goto out;
	}
	if (write_all(in_fd, dot_src->buf, dot_src->len)) {
		strbuf_addf(why, "could not write \"%s\": %s", in.buf,
			    strerror(errno));
		log_warning("report: %s", why->buf);
		goto out;
	}
	if (close(in_fd)) {
		in_fd = -1;
		strbuf_addf(why, "could not write \"%s\": %s", in.buf,
			    strerror(errno));
		log_warning("report: %s", why->buf);
		goto out;
	}
	in_fd = -1;
	/* dot's stderr: a file with no name, read back on failure */
	err_fd = make_temp(dir, REPORT_FILE ".err", &errpath);
	if (err_fd < 0) {
		strbuf_addstr(why, "no temporary file for dot's messages");
		goto out;
	}
	unlink(errpath.buf);

	strvec_push(&c.args, path.buf);
	strvec_push(&c.args, "-Tsvg");
	strvec_push(&c.args, in.buf);
	c.err_fd = err_fd;
	c.timeout_ms = DOT_TIMEOUT_MS;
	c.kill_grace_ms = 1000;
	if (spawn_run_capture(&c, &out, DOT_MAX_SVG)) {
		strbuf_addf(why, "\"%s\" could not be run", path.buf);
		goto out;
	}
	if (c.output_overflow) {
		strbuf_addf(why, "the output of \"%s\" exceeds %zu bytes",
			    path.buf, (size_t)DOT_MAX_SVG);
		log_warning("report: %s", why->buf);
		goto out;
	}
	if (spawn_exit_status(&c) != 0) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(why, "\"%s\" ", path.buf);
		spawn_describe(&c, why);
		first_line(err_fd, &msg);
		if (msg.len)
			strbuf_addf(why, " (%s)", msg.buf);
		strbuf_release(&msg);
		log_warning("report: %s", why->buf);
		goto out;
	}
	if (report_svg_extract(out.buf, out.len, svg)) {
		strbuf_addf(why, "\"%s\" wrote no SVG", path.buf);
		log_warning("report: %s", why->buf);
		goto out;
	}
	rc = 0;
out:
	if (in_fd >= 0)
		close(in_fd);
	if (in.len)
		unlink(in.buf);
	if (err_fd >= 0)
		close(err_fd);
	spawn_child_release(&c);
	strbuf_release(&path);
	strbuf_release(&in);
	strbuf_release(&errpath);
	strbuf_release(&out);
	return rc;
}

/*
 * Write DIR/index.html atomically: a temporary file beside it, fsync,
 * rename over the old page, fsync of DIR.  0, or -1 (reported).
 */
static int
write_page(const char *dir, const struct strbuf *page)
{
	struct strbuf tmp = STRBUF_INIT, target = STRBUF_INIT;
	int fd, rc = -1;

	strbuf_addf(&target, "%s/%s", dir, REPORT_FILE);
	fd = make_temp(dir, REPORT_FILE, &tmp);
	if (fd < 0)
		goto out;
	/* mkstemp made it 0600; a report is for others to read */
	if (fchmod(fd, 0644) || write_all(fd, page->buf, page->len) ||
	    fsync(fd)) {
		error("could not write file \"%s\": %s", tmp.buf,
		      strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd)) {
		error("could not write file \"%s\": %s", tmp.buf,
		      strerror(errno));
		goto out;
	}
	if (rename(tmp.buf, target.buf)) {
		error("could not rename file \"%s\" to \"%s\": %s", tmp.buf,
		      target.buf, strerror(errno));
		goto out;
	}
	strbuf_reset(&tmp);
	if (fsutil_fsync_dir(dir)) {
		error("could not fsync directory \"%s\": %s", dir,
		      strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (tmp.len)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	strbuf_release(&target);
	return rc;
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

int
cmd_report(struct ctx *ctx, int argc, char **argv)
{
	const char *dir = NULL, *from = NULL, *to = NULL, *dot = "dot";
	const struct opt opts[] = {
		{OPT_STRING, 0, "html", &dir, "DIR",
		 "write DIR/index.html (DIR is created if missing)"},
		{OPT_STRING, 'f', "from", &from, "DATE",
		 "coverage, graph and statistics from DATE (YYYY-MM-DD)"},
		{OPT_STRING, 't', "to", &to, "DATE",
		 "... up to and including DATE"},
		{OPT_STRING, 0, "dot", &dot, "PROGRAM",
		 "the Graphviz dot program (default: dot in PATH)"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct lock_holder holder = LOCK_HOLDER_INIT;
	struct ss_status status = SS_STATUS_INIT;
	struct ss_stats stats = SS_STATS_INIT;
	struct sr_coverage cov = SR_COVERAGE_INIT;
	struct ss_failure_filter ff = {0};
	struct ss_failure *failures = NULL;
	size_t n_failures = 0;
	struct store_admin_node_state *products = NULL, *processes = NULL;
	size_t n_products = 0, n_processes = 0;
	struct graph_dot_state gs = {0};
	struct strbuf dot_src = STRBUF_INIT, svg = STRBUF_INIT,
		      why = STRBUF_INIT, page = STRBUF_INIT;
	struct report_data d = {0};
	char fbuf[TIMESTAMP_STRLEN], tbuf[TIMESTAMP_STRLEN], now[32];
	const char *sfrom = NULL, *sto = NULL;
	bool held = false;
	time_t t;
	struct tm tm;
	int rc;

	opt_parse(ctx, &help_report, opts, argc, argv);
	if (!dir)
		usage_error(&help_report, "--html=DIR is required");
	check_date("from", from);
	check_date("to", to);
	if (from && to && strcmp(from, to) > 0)
		usage_error(&help_report, "--from %s is after --to %s", from,
			    to);
	if (from)
		sfrom = cmd_parse_time(&help_report, "from", from, false, fbuf);
	if (to)
		sto = cmd_parse_time(&help_report, "to", to, true, tbuf);
	if ((rc = check_dir(dir)))
		return ctx_finish(ctx, rc, NULL, NULL);
	if ((rc = ctx_setup(ctx, CTX_CATALOG)))
		return ctx_finish(ctx, rc, NULL, NULL);

	rc = EXIT_DB;
	if (lock_show(ctx->db, ctx->cat->mission->id, &held, &holder) ||
	    store_status_read(ctx->db, REPORT_RECENT, &status) ||
	    store_admin_graph_state(ctx->db, from, to, &products, &n_products,
				    &processes, &n_processes) ||
	    store_report_coverage(ctx->db, ctx->cat->products,
				  ctx->cat->n_products, from, to,
				  STORE_REPORT_DEFAULT_DAYS, &cov) ||
	    store_failures_list(ctx->db, &ff, &failures, &n_failures) ||
	    store_stats_read(ctx->db, sfrom, sto, &stats))
		goto out;

	gs.on = true;
	gs.from = from;
	gs.to = to;
	gs.products = products;
	gs.n_products = n_products;
	gs.processes = processes;
	gs.n_processes = n_processes;
	graph_dot_write(&dot_src, ctx->cat->cfg, &gs);

	rc = EXIT_FAILED;
	if (fsutil_mkdir_p(dir)) {
		log_error("could not create directory \"%s\": %s", dir,
			  strerror(errno));
		goto out;
	}
	if (draw_graph(dot, dir, &dot_src, &svg, &why))
		strbuf_reset(&svg);

	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	d.version = CASCADE_VERSION;
	d.generated = now;
	d.mission = ctx->cat->mission->name;
	d.flag_held = held;
	d.holder = &holder;
	d.status = &status;
	d.svg = svg.len ? svg.buf : NULL;
	d.dot = dot_src.buf;
	d.graph_error = why.len ? why.buf : NULL;
	d.graph_from = from;
	d.graph_to = to;
	d.coverage = &cov;
	d.failures = failures;
	d.n_failures = n_failures;
	d.failures_per_group = REPORT_FAILURES_PER_GROUP;
	d.stats = &stats;
	d.stats_from = sfrom;
	d.stats_to = sto;
	report_html(&page, &d);
	if (write_page(dir, &page))
		goto out;
	log_info("report: wrote \"%s/%s\" (%zu bytes)", dir, REPORT_FILE,
		 page.len);
	rc = EXIT_OK;
out:
	strbuf_release(&page);
	strbuf_release(&why);
	strbuf_release(&svg);
	strbuf_release(&dot_src);
	store_admin_states_free(products, n_products);
	store_admin_states_free(processes, n_processes);
	ss_failures_free(failures, n_failures);
	sr_coverage_release(&cov);
	ss_stats_release(&stats);
	ss_status_release(&status);
	lock_holder_release(&holder);
	return ctx_finish(ctx, rc, NULL, NULL);
}
