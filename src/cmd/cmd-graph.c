/*
 * cmd-graph.c - "cascade graph": the product/process graph as Graphviz DOT.
 *
 * The DOT itself is made by graph-dot.c (shared with "cascade report");
 * this file reads the mission and, with --state, the states of its
 * nodes over the files and builds of a date range, and prints it.  The
 * output is meant for "dot -Tsvg"; names are quoted, so any name is safe.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "graph-dot.h"
#include "store-admin.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"
#include "banned.h"

static const struct cmd_help help_graph = {
	"graph", "print the product/process graph as Graphviz DOT",
	"[--state [--from=DATE] [--to=DATE]] [OPTION]...", "cascade-graph", 0,
	0,
};

static void
check_date(const char *opt, const char *s)
{
	int32_t d;

	if (s && timeutil_parse_date(s, strlen(s), &d))
		usage_error(&help_graph,
			    "invalid date \"%s\" for option \"--%s\": "
			    "YYYY-MM-DD is expected",
			    s, opt);
}

static bool state;
static const char *from, *to;

int
cmd_graph_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 's', "state", &state, NULL,
		 "colour the nodes by state (queue, failed and bad builds)"},
		{OPT_STRING, 0, "from", &from, "DATE",
		 "with --state: files and builds dated DATE or later"},
		{OPT_STRING, 0, "to", &to, "DATE",
		 "with --state: files and builds dated DATE or earlier"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_graph, opts, argc, argv);
	if ((from || to) && !state)
		usage_error(&help_graph, "--from and --to need --state");
	check_date("from", from);
	check_date("to", to);
	if (from && to && strcmp(from, to) > 0)
		usage_error(&help_graph, "--from %s is after --to %s", from, to);
	return EXIT_OK;
}

int
cmd_graph_run(struct ctx *ctx)
{
	struct store_admin_node_state *products = NULL, *processes = NULL;
	size_t n_products = 0, n_processes = 0;
	struct graph_dot_state gs = {0};
	struct strbuf sb = STRBUF_INIT;
	int rc = EXIT_DB;

	if (state && store_admin_graph_state(ctx->db, from, to, &products,
					     &n_products, &processes,
					     &n_processes))
		goto out;
	gs.on = state;
	gs.from = from;
	gs.to = to;
	gs.products = products;
	gs.n_products = n_products;
	gs.processes = processes;
	gs.n_processes = n_processes;
	graph_dot_write(&sb, ctx->cfg, &gs);
	fputs(sb.buf, stdout);
	rc = EXIT_OK;
out:
	strbuf_release(&sb);
	store_admin_states_free(products, n_products);
	store_admin_states_free(processes, n_processes);
	return rc;
}
