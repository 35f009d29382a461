/*
 * main.c - entry point: sanitise the process, dispatch to a command.
 *
 * "cascade COMMAND [SUB] [OPTION]... [ARG]..." looks COMMAND (and SUB)
 * up in commands[] (git's table); invoked as "ProcessQueue" (a symlink,
 * dbprocessing's cron entry point) it runs process-queue.  main() owns
 * the process-wide set-up (standard descriptors, logging, locale-free
 * behaviour), each command's set-up and teardown (run_command: parse,
 * ctx_setup, run, ctx_finish, as git's run_builtin) and the final flush
 * of stdout, whose failure is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "version-gen.h"
#include "banned.h"

/*
 * The command table: what each command and sub-command needs (its parse
 * function may change that when the needs depend on its options: a dry
 * run takes no flag), set up once before its run function and finished
 * once after it, here and nowhere else.  A sub-command's name is
 * "GROUP SUB"; the summary is NULL for sub-commands (not listed by
 * --help), and run is NULL for a group (its parse function explains
 * the sub-commands, and fails).
 */
struct cmd_entry {
	const char *name;
	unsigned needs;
	int (*parse)(struct ctx *ctx, int argc, char **argv);
	int (*run)(struct ctx *ctx);
	const char *summary;
};

#define CMD(name, fn, needs, summary)                                      \
	{name, needs, cmd_##fn##_parse, cmd_##fn##_run, summary}
#define GROUP(name, fn, summary) {name, 0, cmd_##fn##_parse, NULL, summary}
#define SUB(name, fn, needs) CMD(name, fn, needs, NULL)
/* a view: reads only; the database refuses a write */
#define VIEW (CTX_SCHEMA | CTX_READONLY)

static const struct cmd_entry commands[] = {
	CMD("init", init, CTX_DB, "create or upgrade the database schema"),
	CMD("adopt", adopt, CTX_DB,
	    "make a dbprocessing database a cascade database, in place"),
	GROUP("config", config,
	      "check, apply, export or import a mission configuration"),
	SUB("config check", config_check, 0),
	SUB("config apply", config_apply, CTX_SCHEMA),
	SUB("config export", config_export, VIEW),
	SUB("config import", config_import, 0),
	CMD("process-queue", process_queue, CTX_FLAG,
	    "the cron entry: take the flag, ingest and process (ProcessQueue)"),
	CMD("ingest", ingest, CTX_FLAG,
	    "take incoming files into the archive (ProcessQueue -i)"),
	CMD("inspect", inspect, CTX_CATALOG | CTX_READONLY,
	    "show how files would be identified; change nothing"),
	CMD("process", process, CTX_FLAG,
	    "build the derived products of queued files (ProcessQueue -p)"),
	CMD("run-process", run_process, CTX_FLAG,
	    "build one process for a date range, whatever the queue holds"),
	CMD("reprocess", reprocess, CTX_FLAG | CTX_BESIDE,
	    "queue files so that their derived products are rebuilt"),
	GROUP("flag", flag, "show or clear the processing flag"),
	SUB("flag show", flag_show, CTX_MISSION | VIEW),
	SUB("flag clear", flag_clear, CTX_MISSION),
	CMD("status", status, CTX_MISSION | VIEW,
	    "show the flag, queue, runs, builds, batches and failures"),
	CMD("runs", runs, VIEW,
	    "list runs, filtered (--since, --command, ...)"),
	CMD("builds", builds, VIEW,
	    "list builds, filtered (--process, --state, ...)"),
	GROUP("show", show, "show everything about one build (show build ID)"),
	SUB("show build", show_build, VIEW),
	CMD("failures", failures, VIEW,
	    "list, show, resolve or retry failures awaiting a person"),
	SUB("failures list", failures_list, VIEW),
	SUB("failures show", failures_show, VIEW),
	SUB("failures resolve", failures_resolve, CTX_FLAG),
	SUB("failures retry", failures_retry, CTX_FLAG),
	CMD("stats", stats, VIEW, "per-process build statistics over a period"),
	CMD("why", why, VIEW,
	    "why a file was made, or why a key was not (re)built"),
	GROUP("queue", queue, "list or flush the processing queue"),
	SUB("queue list", queue_list, CTX_MISSION | VIEW),
	SUB("queue flush", queue_flush, CTX_FLAG),
	GROUP("orbits", orbits, "load or list the mission's orbits"),
	SUB("orbits load", orbits_load, CTX_SCHEMA),
	SUB("orbits list", orbits_list, VIEW),
	CMD("check", check, CTX_CATALOG | CTX_READONLY,
	    "compare the archive on disk with the database; --repair"),
	CMD("purge", purge, CTX_FLAG,
	    "delete files from the database and the archive"),
	CMD("prune", prune, CTX_FLAG,
	    "delete superseded versions older than a cutoff"),
	CMD("prune-history", prune_history, CTX_FLAG,
	    "delete runs, batches and builds that ended long ago"),
	CMD("move-product", move_product, CTX_FLAG,
	    "move a product's files to a new relative_path"),
	CMD("graph", graph, CTX_MISSION | VIEW,
	    "print the product/process graph as Graphviz DOT"),
	CMD("report", report, CTX_MISSION | VIEW,
	    "write a static HTML report: status, graph, coverage, failures"),
};

/* make sure fds 0-2 are open, so no file we open becomes stdout */
static void
sanitise_stdfd(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "cascade: could not open /dev/null: %s\n",
			strerror(errno));
		exit(EXIT_INTERNAL);
	}
	while (fd >= 0 && fd <= 2) {
		int nfd = dup(fd);

		fcntl(fd, F_SETFD, 0);
		fd = nfd;
	}
	if (fd > 2)
		close(fd);
}

static void
print_main_help(FILE *out)
{
	fprintf(out,
		"cascade: a database-driven process controller for science "
		"data pipelines\n\n"
		"Usage:\n"
		"  cascade COMMAND [OPTION]... [ARG]...\n"
		"  ProcessQueue [OPTION]...        (same as cascade "
		"process-queue)\n\n"
		"Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].summary)
			fprintf(out, "  %-16s %s\n", commands[i].name,
				commands[i].summary);
	fprintf(out,
		"  %-16s %s\n\n"
		"Options:\n"
		"  -V, --version    show the version, then exit\n"
		"  -h, --help       show this help, then exit\n\n"
		"\"cascade COMMAND --help\" describes a command. The database "
		"comes from -m/--mission\n"
		"or libpq's PG* environment variables.  See cascade(1).\n",
		"help", "show help for a command");
}

static int
finish_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno != EPIPE)
			log_error("could not write to standard output: %s",
				  strerror(errno));
		return rc ? rc : EXIT_FAILED;
	}
	return rc;
}

/* a command by its name (not a sub-command: "config apply" is no name) */
static const struct cmd_entry *
find_command(const char *name)
{
	if (strchr(name, ' '))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	if (!strcmp(name, "ProcessQueue") || !strcmp(name, "processqueue"))
		return find_command("process-queue");
	if (!strcmp(name, "migrate"))
		return find_command("init");
	return NULL;
}

/* "GROUP SUB" when the table has it, or NULL */
static const struct cmd_entry *
find_sub(const struct cmd_entry *group, const char *sub)
{
	size_t len = strlen(group->name);

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strncmp(commands[i].name, group->name, len) &&
		    commands[i].name[len] == ' ' &&
		    !strcmp(commands[i].name + len + 1, sub))
			return &commands[i];
	return NULL;
}

/*
 * Run one command: parse its options, set up what it needs, run it,
 * record and finish.  argv[0] is the command's (or sub-command's) name.
 */
static int
run_command(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct ctx ctx = CTX_INIT;
	int rc;

	ctx.cmd = cmd->name;
	ctx.needs = cmd->needs;
	rc = cmd->parse(&ctx, argc, argv);
	if (rc == EXIT_OK && !cmd->run)
		BUG("command \"%s\" has no run function", cmd->name);
	if (rc == EXIT_OK)
		rc = ctx_setup(&ctx);
	if (rc == EXIT_OK)
		rc = cmd->run(&ctx);
	return finish_stdout(ctx_finish(&ctx, rc));
}

int
main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const struct cmd_entry *cmd, *sub;

	sanitise_stdfd();
	log_init("cascade");
	log_detect_stderr();
	base = base ? base + 1 : (argc > 0 ? argv[0] : "cascade");

	if (!strcmp(base, "ProcessQueue"))
		return run_command(find_command("process-queue"), argc, argv);
	if (argc < 2) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("cascade %s\n", CASCADE_VERSION);
		return finish_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_main_help(stdout);
		return finish_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "help")) {
		char *hargv[] = {argv[2], (char *)"--help", NULL};

		if (argc < 3) {
			print_main_help(stdout);
			return finish_stdout(EXIT_OK);
		}
		cmd = find_command(argv[2]);
		if (!cmd) {
			fprintf(stderr, "cascade: unknown command \"%s\"\n"
					"Try \"cascade --help\" for a list of "
					"commands.\n",
				argv[2]);
			return EXIT_USAGE;
		}
		return run_command(cmd, 2, hargv);
	}
	if (argv[1][0] == '-') {
		fprintf(stderr,
			"cascade: unrecognized option \"%s\" before the "
			"command\nTry \"cascade --help\" for more "
			"information.\n",
			argv[1]);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr,
			"cascade: unknown command \"%s\"\nTry \"cascade "
			"--help\" for a list of commands.\n",
			argv[1]);
		return EXIT_USAGE;
	}
	if (argc >= 3 && (sub = find_sub(cmd, argv[2])))
		return run_command(sub, argc - 2, argv + 2);
	return run_command(cmd, argc - 1, argv + 1);
}
