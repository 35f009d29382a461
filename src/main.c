/*
 * main.c - entry point: sanitise the process, dispatch to a command.
 *
 * "cascade COMMAND [OPTION]... [ARG]..." looks COMMAND up in commands[]
 * (git's table); invoked as "ProcessQueue" (a symlink, dbprocessing's
 * cron entry point) it runs process-queue.  main() owns the process-wide
 * set-up (standard descriptors, logging, locale-free behaviour) and the
 * final flush of stdout, whose failure is an error.
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

struct cmd_entry {
	const char *name;
	int (*fn)(struct ctx *ctx, int argc, char **argv);
	const char *summary;
};

static const struct cmd_entry commands[] = {
	{"init", cmd_init, "create or upgrade the database schema"},
	{"adopt", cmd_adopt,
	 "make a dbprocessing database a cascade database, in place"},
	{"config", cmd_config,
	 "check, apply, export or import a mission configuration"},
	{"process-queue", cmd_process_queue,
	 "the cron entry: take the flag, ingest and process (ProcessQueue)"},
	{"ingest", cmd_ingest,
	 "take incoming files into the archive (ProcessQueue -i)"},
	{"inspect", cmd_inspect,
	 "show how files would be identified; change nothing"},
	{"process", cmd_process,
	 "build the derived products of queued files (ProcessQueue -p)"},
	{"run-process", cmd_run_process,
	 "build one process for a date range, whatever the queue holds"},
	{"reprocess", cmd_reprocess,
	 "queue files so that their derived products are rebuilt"},
	{"flag", cmd_flag, "show or clear the processing flag"},
	{"status", cmd_status,
	 "show the flag, queue, runs, builds, batches and failures"},
	{"runs", cmd_runs, "list runs, filtered (--since, --command, ...)"},
	{"builds", cmd_builds,
	 "list builds, filtered (--process, --state, ...)"},
	{"show", cmd_show, "show everything about one build (show build ID)"},
	{"failures", cmd_failures,
	 "list, show, resolve or retry failures awaiting a person"},
	{"stats", cmd_stats, "per-process build statistics over a period"},
	{"queue", cmd_queue, "list or flush the processing queue"},
	{"check", cmd_check,
	 "compare the archive on disk with the database; --repair"},
	{"purge", cmd_purge, "delete files from the database and the archive"},
	{"prune", cmd_prune, "delete superseded versions older than a cutoff"},
	{"move-product", cmd_move_product,
	 "move a product's files to a new relative_path"},
	{"graph", cmd_graph, "print the product/process graph as Graphviz DOT"},
	{"report", cmd_report,
	 "write a static HTML report: status, graph, coverage, failures"},
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

static const struct cmd_entry *
find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	if (!strcmp(name, "ProcessQueue") || !strcmp(name, "processqueue"))
		return find_command("process-queue");
	if (!strcmp(name, "migrate"))
		return find_command("init");
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const struct cmd_entry *cmd;
	struct ctx ctx;
	int rc;

	sanitise_stdfd();
	log_init("cascade");
	memset(&ctx, 0, sizeof(ctx));
	base = base ? base + 1 : (argc > 0 ? argv[0] : "cascade");

	if (!strcmp(base, "ProcessQueue")) {
		ctx.cmd = "process-queue";
		rc = cmd_process_queue(&ctx, argc, argv);
		return finish_stdout(rc);
	}
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
		ctx.cmd = cmd->name;
		return finish_stdout(cmd->fn(&ctx, 2, hargv));
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
	ctx.cmd = cmd->name;
	rc = cmd->fn(&ctx, argc - 1, argv + 1);
	return finish_stdout(rc);
}
