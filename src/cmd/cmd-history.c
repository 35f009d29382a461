/*
 * cmd-history.c - "cascade runs", "cascade builds" and "cascade show
 * build": the history of runs and builds, filtered, and everything about
 * one build.
 *
 * Read-only: no processing flag, so they work while a controller runs
 * (each query sees committed rows only).  Also home of the option
 * helpers the operators' tools share (dates, state lists, ids), declared
 * in cmd.h.  Pitfall: --to takes a date as the end of that day, so
 * "--from 2024-03-01 --to 2024-03-31" is all of March.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "history-prune.h"
#include "log.h"
#include "state.h"
#include "status.h"
#include "store-status.h"
#include "strbuf.h"
#include "strvec.h"
#include "timeutil.h"
#include "banned.h"

/* show build: how much of a log file to look at, and how many lines */
#define LOG_TAIL_BYTES 65536
#define LOG_TAIL_LINES 20

const char *
cmd_parse_time(const struct cmd_help *help, const char *opt,
	       const char *value, bool end, char *buf)
{
	size_t len = strlen(value);
	int64_t usec;
	int32_t days;

	if (!timeutil_parse_date(value, len, &days)) {
		if (end) {
			int y, m, d;

			timeutil_ymd_from_days(days, &y, &m, &d);
			if (y == 9999 && m == 12 && d == 31)
				return NULL; /* the end of time: no bound */
			days++;
		}
		usec = (int64_t)days * USEC_PER_DAY;
	} else if (timeutil_parse_timestamp(value, len, &usec)) {
		usage_error(help,
			    "invalid value \"%s\" for option \"--%s\": a date "
			    "YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SS (UTC) is "
			    "expected",
			    value, opt);
	}
	return timeutil_format_timestamp(usec, buf);
}

void
cmd_check_period(const struct cmd_help *help, const char *from,
		 const char *to)
{
	int64_t a, b;

	if (!from || !to)
		return;
	if (timeutil_parse_timestamp(from, strlen(from), &a) ||
	    timeutil_parse_timestamp(to, strlen(to), &b))
		BUG("unparsable period bounds \"%s\", \"%s\"", from, to);
	if (a >= b)
		usage_error(help, "the period is empty: it ends (%s) before "
				  "it starts (%s)",
			    to, from);
}

void
cmd_parse_list(const struct cmd_help *help, const char *opt,
	       const char *value, const char *const *allowed,
	       struct strvec *out)
{
	struct strvec items = STRVEC_INIT;

	strvec_split(&items, value, ",");
	if (items.nr == 0)
		usage_error(help, "option \"--%s\" needs at least one value",
			    opt);
	for (size_t i = 0; i < items.nr; i++) {
		bool ok = false;

		for (size_t k = 0; allowed[k]; k++)
			if (!strcmp(items.v[i], allowed[k]))
				ok = true;
		if (!ok) {
			struct strbuf list = STRBUF_INIT;

			for (size_t k = 0; allowed[k]; k++)
				strbuf_addf(&list, "%s%s", k ? ", " : "",
					    allowed[k]);
			usage_error(help,
				    "invalid value \"%s\" for option \"--%s\": "
				    "expected one of %s",
				    items.v[i], opt, list.buf);
		}
		strvec_push(out, items.v[i]);
	}
	strvec_clear(&items);
}

int64_t
cmd_parse_id(const struct cmd_help *help, const char *what,
	     const char *value)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno || end == value || *end || v <= 0 || value[0] == '+' ||
	    value[0] == ' ')
		usage_error(help, "invalid %s id \"%s\": a positive integer is "
				  "expected",
			    what, value);
	return (int64_t)v;
}

void
cmd_check_limit(const struct cmd_help *help, int limit)
{
	if (limit < 0)
		usage_error(help, "--limit must be 0 (no limit) or more");
}

/* -- runs ------------------------------------------------------------- */

static const struct cmd_help help_runs = {
	"runs", "list the runs of writing commands, newest first",
	"[--since=DATE] [--command=NAME] [--status=S] [OPTION]...",
	"cascade-runs", 0, 0,
};

/* the options of runs, builds and show build */
static const char *since, *command, *status, *process, *product, *from,
	*to, *state;
static int limit; /* each parse sets its default first */
static bool json;
static char fbuf[TIMESTAMP_STRLEN], tbuf[TIMESTAMP_STRLEN];
static struct strvec states = STRVEC_INIT;
static struct ss_run_filter run_filter;
static struct ss_build_filter build_filter;
static int64_t build_id;

int
cmd_runs_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_INT, 'l', "limit", &limit, "N",
		 "at most N runs (default 20; 0: all)"},
		{OPT_STRING, 's', "since", &since, "DATE",
		 "runs started at or after DATE (UTC)"},
		{OPT_STRING, 'c', "command", &command, "NAME",
		 "runs of this command (e.g. process-queue)"},
		{OPT_STRING, 0, "status", &status, "S[,S...]",
		 "runs with this status (running, ok, failed, ...)"},
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct ss_run_filter *f = &run_filter;

	limit = 20;
	opt_parse(ctx, &help_runs, opts, argc, argv);
	cmd_check_limit(&help_runs, limit);
	f->limit = limit;
	if (since)
		f->since = cmd_parse_time(&help_runs, "since", since, false,
					  tbuf);
	f->command = command;
	if (status)
		cmd_parse_list(&help_runs, "status", status, run_state_names,
			       &states);
	f->statuses = &states;
	return EXIT_OK;
}

int
cmd_runs_run(struct ctx *ctx)
{
	struct ss_run *runs = NULL;
	size_t n = 0;
	int rc = EXIT_DB;

	if (store_runs_list(ctx->db, &run_filter, &runs, &n))
		goto out;
	status_print_runs(runs, n, json);
	rc = EXIT_OK;
out:
	ss_runs_free(runs, n);
	strvec_clear(&states);
	return rc;
}

/* -- builds ----------------------------------------------------------- */

static const struct cmd_help help_builds = {
	"builds", "list builds, newest first",
	"[--process=P] [--state=S] [--from=DATE] [--to=DATE] [OPTION]...",
	"cascade-runs", 0, 0,
};

/* a --process/--product name that names nothing is a usage error */
static int
check_name(struct ctx *ctx, const struct cmd_help *help,
	   enum ss_name_kind kind, const char *name)
{
	bool exists;

	if (!name)
		return EXIT_OK;
	if (store_name_exists(ctx->db, kind, name, &exists))
		return EXIT_DB;
	if (!exists) {
		log_error("%s: there is no %s named \"%s\"", help->name,
			  kind == SS_PROCESS ? "process" : "product", name);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int
cmd_builds_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 'p', "process", &process, "NAME",
		 "builds of this process"},
		{OPT_STRING, 0, "product", &product, "NAME",
		 "builds making this product"},
		{OPT_STRING, 'f', "from", &from, "DATE",
		 "started (or queued) at or after DATE (UTC)"},
		{OPT_STRING, 't', "to", &to, "DATE",
		 "started (or queued) before the end of DATE"},
		{OPT_STRING, 's', "state", &state, "S[,S...]",
		 "builds in this state (succeeded, failed, bad, ...)"},
		{OPT_INT, 'l', "limit", &limit, "N",
		 "at most N builds (default 50; 0: all)"},
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct ss_build_filter *f = &build_filter;

	limit = 50;
	opt_parse(ctx, &help_builds, opts, argc, argv);
	cmd_check_limit(&help_builds, limit);
	f->limit = limit;
	f->process = process;
	f->product = product;
	if (from)
		f->from = cmd_parse_time(&help_builds, "from", from, false,
					 fbuf);
	if (to)
		f->to = cmd_parse_time(&help_builds, "to", to, true, tbuf);
	cmd_check_period(&help_builds, f->from, f->to);
	if (state)
		cmd_parse_list(&help_builds, "state", state, build_state_names,
			       &states);
	f->states = &states;
	f->provenance = json; /* the text table shows none of it */
	return EXIT_OK;
}

int
cmd_builds_run(struct ctx *ctx)
{
	struct ss_build *builds = NULL;
	size_t n = 0;
	int rc;

	if ((rc = check_name(ctx, &help_builds, SS_PROCESS, process)) ||
	    (rc = check_name(ctx, &help_builds, SS_PRODUCT, product)))
		goto out;
	rc = EXIT_DB;
	if (store_builds_list(ctx->db, &build_filter, &builds, &n))
		goto out;
	status_print_builds(builds, n, json);
	rc = EXIT_OK;
out:
	ss_builds_free(builds, n);
	strvec_clear(&states);
	return rc;
}

/* -- show build ------------------------------------------------------- */

static const struct cmd_help help_show = {
	"show", "show everything about one build", "build ID [--json] "
						    "[OPTION]...",
	"cascade-runs", 2, 2,
};
static const struct cmd_help help_show_build = {
	"show build", "show everything about one build",
	"ID [--json] [OPTION]...", "cascade-runs", 1, 1,
};

/*
 * The last LOG_TAIL_LINES lines of the file at path (of its last
 * LOG_TAIL_BYTES bytes) into tail; *lines gets how many.  Returns 0, or
 * -1 with *why saying why not (static text).  Only regular files are
 * read: a FIFO would block, a device could be anything.
 */
static int
read_log_tail(const char *path, struct strbuf *tail, int *lines,
	      const char **why)
{
	struct strbuf buf = STRBUF_INIT;
	struct stat st;
	char chunk[8192];
	size_t start = 0;
	off_t off = 0;
	ssize_t got;
	int fd, n, nl = 0, saved;

	*lines = 0;
	*why = NULL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st))
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		*why = "not a regular file";
		return -1;
	}
	if (st.st_size > LOG_TAIL_BYTES)
		off = st.st_size - LOG_TAIL_BYTES;
	if (lseek(fd, off, SEEK_SET) < 0)
		goto fail;
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		strbuf_add(&buf, chunk, (size_t)got);
		if (buf.len > 2 * LOG_TAIL_BYTES)
			break; /* grew while we read: enough */
	}
	close(fd);
	/* a NUL would end the text early: show it as a control character */
	for (size_t i = 0; i < buf.len; i++)
		if (buf.buf[i] == '\0')
			buf.buf[i] = '\x01';
	while (buf.len && buf.buf[buf.len - 1] == '\n')
		strbuf_setlen(&buf, buf.len - 1);
	for (size_t k = buf.len; k-- > 0;) {
		if (buf.buf[k] == '\n' && ++nl == LOG_TAIL_LINES) {
			start = k + 1;
			break;
		}
	}
	n = buf.len == 0 ? 0 : nl < LOG_TAIL_LINES ? nl + 1 : LOG_TAIL_LINES;
	/* a cut first line (we started mid-file) is dropped if we can */
	if (off > 0 && start == 0 && n > 1) {
		start = (size_t)(strchr(buf.buf, '\n') - buf.buf) + 1;
		n--;
	}
	strbuf_addstr(tail, buf.buf + start);
	*lines = n;
	strbuf_release(&buf);
	return 0;
fail:
	saved = errno;
	close(fd);
	strbuf_release(&buf);
	*why = strerror(saved);
	return -1;
}

int
cmd_show_build_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_show_build, opts, argc, argv);

	build_id = cmd_parse_id(&help_show_build, "build", argv[i]);
	return EXIT_OK;
}

int
cmd_show_build_run(struct ctx *ctx)
{
	struct ss_failure_filter ff = {0};
	struct status_log log = {0};
	struct strbuf tail = STRBUF_INIT;
	struct ss_failure *fails = NULL;
	struct ss_build *b = NULL;
	int64_t id = build_id;
	size_t nf = 0;
	int rc = EXIT_DB;

	if (store_build_get(ctx->db, id, &b))
		goto out;
	if (!b) {
		log_error("build %" PRId64 " does not exist", id);
		log_hint("\"cascade builds\" lists the builds.");
		rc = EXIT_USAGE;
		goto out;
	}
	ff.all = true;
	ff.build_id = id;
	if (store_failures_list(ctx->db, &ff, &fails, &nf))
		goto out;
	log.path = b->log_path;
	if (log.path) {
		if (read_log_tail(log.path, &tail, &log.lines, &log.error)) {
			log.readable = false;
		} else {
			log.readable = true;
			log.tail = tail.buf;
		}
	}
	status_print_build(b, fails, nf, &log, json);
	rc = EXIT_OK;
out:
	strbuf_release(&tail);
	ss_failures_free(fails, nf);
	ss_builds_free(b, b ? 1 : 0);
	return rc;
}

/* "show" without a known object: main.c found none */
int
cmd_show_parse(struct ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && argv[1][0] != '-')
		usage_error(&help_show, "unknown object \"%s\": only \"build\" "
					"can be shown",
			    argv[1]);
	{
		static const struct opt opts[] = {
			{OPT_END, 0, NULL, NULL, NULL, NULL},
		};
		opt_parse(ctx, &help_show, opts, argc, argv);
	}
	return EXIT_USAGE;
}

/* -- prune-history ------------------------------------------------------- */

static const struct cmd_help help_prune_history = {
	"prune-history",
	"delete runs, batches and builds that ended long ago (never "
	"provenance)",
	"--older-than=DAYS [--dry-run] [OPTION]...", "cascade-runs", 0, 0,
};
static const char *older_than;
static bool history_dry_run;
static int history_days;

/* "90", "90d" or "13w": a number of days, at least 1 */
static int
parse_days(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || errno || n < 1 || n > 365L * 1000)
		return -1;
	if (!strcmp(end, "w"))
		n *= 7;
	else if (*end && strcmp(end, "d"))
		return -1;
	return (int)n;
}

int
cmd_prune_history_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 0, "older-than", &older_than, "DAYS",
		 "what ended more than DAYS ago (N, Nd or Nw)"},
		{OPT_BOOL, 'n', "dry-run", &history_dry_run, NULL,
		 "count what would be deleted; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_prune_history, opts, argc, argv);
	if (!older_than)
		usage_error(&help_prune_history,
			    "an age is required (--older-than=DAYS)");
	if ((history_days = parse_days(older_than)) < 0)
		usage_error(&help_prune_history,
			    "invalid value \"%s\" for option \"--older-than\": "
			    "a number of days (N, Nd) or weeks (Nw), at "
			    "least 1, is expected",
			    older_than);
	return EXIT_OK;
}

int
cmd_prune_history_run(struct ctx *ctx)
{
	struct history_counts c;
	long logs = 0;

	if (history_prune(ctx->db, history_days, ctx->flag.logging_id, 0,
			  history_dry_run, &c, &logs))
		return EXIT_DB;
	if (history_dry_run || c.runs || c.batches || c.builds)
		cmd_summary(ctx, false,
			    "prune-history%s: %ld runs, %ld batches, %ld builds "
			    "%s (older than %d days); %ld build logs removed",
			    history_dry_run ? " (dry run)" : "", c.runs,
			    c.batches, c.builds,
			    history_dry_run ? "would be deleted" : "deleted",
			    history_days, logs);
	return EXIT_OK;
}
