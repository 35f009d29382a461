/*
 * cmd-why.c - "cascade why FILE" and "cascade why --not PROCESS KEY":
 * why a file is what it is (the builds that made it and its inputs,
 * back through the chain, with the reason each was planned), and why
 * nothing ran for a key.
 *
 * Read-only: no processing flag.  FILE is a file name (a path's last
 * component) or a file id.  --not needs the catalog (it asks the
 * planner's rules, planner_evaluate); FILE only the schema.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "log.h"
#include "store-why.h"
#include "strbuf.h"
#include "timeutil.h"
#include "why-text.h"
#include "why.h"
#include "banned.h"

/* the deepest chain --depth takes */
#define WHY_MAX_DEPTH 50

static const struct cmd_help help_why = {
	"why", "say why a file was made, or why a key was not (re)built",
	"[--depth=N] [--json] FILE\n"
	"  cascade why --not [--json] PROCESS KEY [KEYWORDS]",
	"cascade-why", 1, 3,
};

static bool json, not;
static int depth = 4;
static const char *file, *process, *key, *keywords;

int
cmd_why_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 0, "not", &not, NULL,
		 "why nothing ran for PROCESS's KEY: a date, an hour "
		 "YYYY-MM-DDTHH (HOURLY), an orbit number (ORBIT)"},
		{OPT_INT, 0, "depth", &depth, "N",
		 "follow the chain N builds back (default 4)"},
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_why, opts, argc, argv);
	int nargs = argc - i;

	if (depth < 0 || depth > WHY_MAX_DEPTH)
		usage_error(&help_why, "--depth must be 0 to %d",
			    WHY_MAX_DEPTH);
	if (!not) {
		const char *slash;

		if (nargs != 1)
			usage_error(&help_why, "one FILE is expected (or "
					       "--not PROCESS KEY)");
		/* a path names its file by its last component */
		slash = strrchr(argv[i], '/');
		file = slash && slash[1] ? slash + 1 : argv[i];
		return EXIT_OK;
	}
	if (nargs < 2)
		usage_error(&help_why, "--not takes PROCESS and KEY");
	process = argv[i];
	key = argv[i + 1];
	keywords = nargs > 2 ? argv[i + 2] : NULL;
	ctx->needs = CTX_CATALOG | CTX_READONLY;
	return EXIT_OK;
}

static int
why_file_run(struct ctx *ctx)
{
	struct sw_node *nodes = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;

	if (store_why_file(ctx->db, file, depth, &nodes, &n))
		return EXIT_DB;
	if (n == 0) {
		log_error("no file is named or numbered \"%s\"", file);
		log_hint("\"cascade why\" takes a file's name, its path in "
			 "the archive, or its id.");
		sw_nodes_free(nodes, n);
		return EXIT_USAGE;
	}
	why_format_file(&sb, nodes, n, depth, json);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
	sw_nodes_free(nodes, n);
	return EXIT_OK;
}

static int
why_not_run(struct ctx *ctx)
{
	const struct process *proc = catalog_process_named(ctx->cat, process);
	struct why_not wn = WHY_NOT_INIT;
	struct strbuf sb = STRBUF_INIT;

	if (!proc) {
		char *end;
		long id = strtol(process, &end, 10);

		if (*process && !*end)
			proc = catalog_process(ctx->cat, (int)id);
	}
	if (!proc) {
		log_error("no process named \"%s\"", process);
		return EXIT_USAGE;
	}
	switch (why_not(ctx->db, ctx->cat, proc->id, key, keywords, &wn)) {
	case 0:
		break;
	case WHY_BAD_KEY:
		why_not_release(&wn);
		return EXIT_USAGE;
	default:
		why_not_release(&wn);
		return EXIT_DB;
	}
	why_format_not(&sb, &wn, json);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
	why_not_release(&wn);
	return EXIT_OK;
}

int
cmd_why_run(struct ctx *ctx)
{
	return not ? why_not_run(ctx) : why_file_run(ctx);
}
