/*
 * cmd-opt.c - option tables: getopt_long driver and generated --help.
 *
 * The table a command declares is the single source of its options: the
 * getopt_long arrays and the --help text are both built from it, so they
 * cannot disagree.  Help layout follows PostgreSQL's client programs.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

static bool common_help;
static const char *common_mission;
static const char *common_log_file;
static const char *common_log_file_level;
static bool common_syslog;
static bool common_verbose_dummy;

/* -v and -q are counted, so they are handled by hand */
#define OPT_VERBOSE 'v'
#define OPT_QUIET 'q'

static const struct opt common_opts[] = {
	{OPT_GROUP, 0, NULL, NULL, NULL, "Common options:"},
	{OPT_STRING, 'm', "mission", &common_mission, "DB",
	 "database: a name, conninfo string or URI (default: PG* environment)"},
	{OPT_BOOL, 'v', "verbose", &common_verbose_dummy, NULL,
	 "log more (repeat for debug)"},
	{OPT_BOOL, 'q', "quiet", &common_verbose_dummy, NULL,
	 "log errors only"},
	{OPT_STRING, 0, "log-file", &common_log_file, "FILE",
	 "also append log lines to FILE"},
	{OPT_STRING, 0, "log-file-level", &common_log_file_level, "LEVEL",
	 "the log file's and syslog's level: error, warning, info or debug "
	 "(default: stderr's)"},
	{OPT_BOOL, 0, "syslog", &common_syslog, NULL,
	 "also send log lines to syslog (facility daemon)"},
	{OPT_BOOL, 'h', "help", &common_help, NULL, "show this help, then exit"},
	{OPT_END, 0, NULL, NULL, NULL, NULL},
};

static void
print_opts(struct strbuf *sb, const struct opt *o)
{
	for (; o->type != OPT_END; o++) {
		struct strbuf left = STRBUF_INIT;

		if (o->type == OPT_GROUP) {
			strbuf_addf(sb, "\n%s\n", o->help);
			continue;
		}
		strbuf_addstr(&left, "  ");
		if (o->short_name)
			strbuf_addf(&left, "-%c%s", o->short_name,
				    o->long_name ? ", " : "");
		else
			strbuf_addstr(&left, "    ");
		if (o->long_name)
			strbuf_addf(&left, "--%s", o->long_name);
		if (o->argname)
			strbuf_addf(&left, o->long_name ? "=%s" : " %s",
				    o->argname);
		if (left.len < 28)
			strbuf_addf(sb, "%-28s %s\n", left.buf, o->help);
		else
			strbuf_addf(sb, "%s\n%-28s %s\n", left.buf, "", o->help);
		strbuf_release(&left);
	}
}

static void
print_help(const struct cmd_help *help, const struct opt *opts)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "cascade %s: %s\n\nUsage:\n  cascade %s %s\n",
		    help->name, help->summary, help->name, help->usage);
	if (opts && opts->type != OPT_END) {
		if (opts->type != OPT_GROUP)
			strbuf_addstr(&sb, "\nOptions:\n");
		print_opts(&sb, opts);
	}
	print_opts(&sb, common_opts);
	strbuf_addf(&sb, "\nSee %s(1) for details and exit statuses.\n",
		    help->man);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

void
usage_error(const struct cmd_help *help, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fprintf(stderr, "cascade %s: %s\n", help->name, sb.buf);
	fprintf(stderr, "Try \"cascade %s --help\" for more information.\n",
		help->name);
	strbuf_release(&sb);
	exit(EXIT_USAGE);
}

static size_t
count_opts(const struct opt *o)
{
	size_t n = 0;

	for (; o && o->type != OPT_END; o++)
		n++;
	return n;
}

/* index into the combined table, encoded as getopt_long's val */
#define LONG_BASE 1000

/* the getopt_long tables of a command's options plus the common ones */
struct opt_tables {
	const struct opt **all; /* command's, then common; no OPT_END */
	size_t n_all;
	struct option *longs;
	struct strbuf shorts;
};

static void
build_tables(const struct opt *opts, struct opt_tables *t)
{
	size_t n_cmd = count_opts(opts), nl = 0;

	t->n_all = n_cmd + count_opts(common_opts);
	t->all = xcalloc(t->n_all + 1, sizeof(*t->all));
	t->longs = xcalloc(t->n_all + 1, sizeof(*t->longs));
	strbuf_init(&t->shorts, 0);
	for (size_t i = 0; i < t->n_all; i++)
		t->all[i] = i < n_cmd ? &opts[i] : &common_opts[i - n_cmd];
	strbuf_addstr(&t->shorts, ":");
	for (size_t i = 0; i < t->n_all; i++) {
		const struct opt *o = t->all[i];
		bool arg = o->type == OPT_STRING || o->type == OPT_INT;

		if (o->type == OPT_GROUP)
			continue;
		if (o->long_name) {
			t->longs[nl].name = o->long_name;
			t->longs[nl].has_arg = arg ? required_argument
						   : no_argument;
			t->longs[nl].flag = NULL;
			t->longs[nl].val = LONG_BASE + (int)i;
			nl++;
		}
		if (o->short_name) {
			strbuf_addch(&t->shorts, o->short_name);
			if (arg)
				strbuf_addch(&t->shorts, ':');
		}
	}
}

static void
release_tables(struct opt_tables *t)
{
	free(t->all);
	free(t->longs);
	strbuf_release(&t->shorts);
}

/* the table entry of what getopt_long returned; exits 2 on an error */
static const struct opt *
option_of(const struct cmd_help *help, const struct opt_tables *t, int c,
	  char **argv)
{
	if (c == '?') {
		if (optopt && optopt < LONG_BASE)
			usage_error(help, "invalid option -- '%c'", optopt);
		usage_error(help, "unrecognized option \"%s\"",
			    argv[optind - 1]);
	}
	if (c == ':')
		usage_error(help, "option \"%s\" requires an argument",
			    argv[optind - 1]);
	if (c >= LONG_BASE)
		return t->all[c - LONG_BASE];
	for (size_t i = 0; i < t->n_all; i++)
		if (t->all[i]->type != OPT_GROUP && t->all[i]->short_name == c)
			return t->all[i];
	BUG("option %d not in table", c);
}

/* store optarg (or true) where o says */
static void
set_value(const struct cmd_help *help, const struct opt *o)
{
	switch (o->type) {
	case OPT_BOOL:
		*(bool *)o->value = true;
		break;
	case OPT_STRING:
		*(const char **)o->value = optarg;
		break;
	case OPT_INT: {
		char *end;
		long v;

		errno = 0;
		v = strtol(optarg, &end, 10);
		if (errno || end == optarg || *end || v < INT_MIN ||
		    v > INT_MAX)
			usage_error(help,
				    "invalid value \"%s\" for option "
				    "\"--%s\": an integer is expected",
				    optarg, o->long_name);
		*(int *)o->value = (int)v;
		break;
	}
	default:
		BUG("bad option type");
	}
}

/* what the common options ask for: log levels and sinks, progress line */
static void
apply_common(struct ctx *ctx, const struct cmd_help *help)
{
	const char *term = getenv("TERM");
	enum log_level lv;

	if (common_log_file_level) {
		if (log_parse_level(common_log_file_level, &lv))
			usage_error(help,
				    "invalid --log-file-level \"%s\": expected "
				    "error, warning, info or debug",
				    common_log_file_level);
		log_set_record_level(lv);
	}
	if (common_syslog)
		log_open_syslog();

	if (common_mission)
		ctx->conninfo = common_mission;
	if (common_log_file)
		ctx->log_file = common_log_file;
	if (ctx->verbosity > 0)
		log_set_level(ctx->verbosity > 1 ? LOG_LEVEL_DEBUG
						 : LOG_LEVEL_INFO);
	else if (ctx->verbosity < 0)
		log_set_level(LOG_LEVEL_ERROR);
	/*
	 * A progress line for people at a terminal; never under cron (no
	 * terminal), with --quiet, on a dumb terminal or when
	 * CASCADE_NO_PROGRESS is set.
	 */
	log_progress_enable(isatty(STDERR_FILENO) && ctx->verbosity >= 0 &&
			    !getenv("CASCADE_NO_PROGRESS") &&
			    !(term && !strcmp(term, "dumb")));
}

int
opt_parse(struct ctx *ctx, const struct cmd_help *help,
	  const struct opt *opts, int argc, char **argv)
{
	struct opt_tables t;
	int c, nargs;

	build_tables(opts, &t);
	common_help = false;
	common_mission = NULL;
	common_log_file = NULL;
	common_log_file_level = NULL;
	common_syslog = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, t.shorts.buf, t.longs, NULL)) !=
	       -1) {
		const struct opt *o = option_of(help, &t, c, argv);

		if (o->value == &common_verbose_dummy)
			ctx->verbosity += o->short_name == OPT_VERBOSE ? 1 : -1;
		else
			set_value(help, o);
	}
	release_tables(&t);
	if (common_help) {
		print_help(help, opts);
		fflush(stdout);
		exit(ferror(stdout) ? EXIT_FAILED : EXIT_OK);
	}
	nargs = argc - optind;
	if (nargs < help->min_args)
		usage_error(help, "missing argument");
	if (help->max_args >= 0 && nargs > help->max_args)
		usage_error(help, "too many arguments (first extra: \"%s\")",
			    argv[optind + help->max_args]);
	apply_common(ctx, help);
	return optind;
}

void
cmd_summary(const struct ctx *ctx, bool trouble, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (ctx->verbosity >= 0 || trouble) {
		fputs(sb.buf, stdout);
		fputc('\n', stdout);
	} else {
		log_info("%s", sb.buf);
	}
	strbuf_release(&sb);
}

int
opt_parse_group(struct ctx *ctx, const struct cmd_help *help, int argc,
		char **argv)
{
	static const struct opt opts[] = {
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	if (argc >= 2 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))
		usage_error(help, "unknown subcommand \"%s\"", argv[1]);
	opt_parse(ctx, help, opts, argc, argv);
	return EXIT_USAGE;
}
