/*
 * cmd-graph.c - "cascade graph": the product/process graph as Graphviz DOT.
 *
 * Products are boxes, processes ellipses; edges run input -> process ->
 * output, dashed for optional inputs, labelled with the day window
 * (-yesterday..+tomorrow) when there is one.  With --state the nodes are
 * filled by state over the files and builds of a date range: products
 * with files in the queue are "queued"; processes whose latest build of
 * some key is bad are "bad", failed "failing", with builds under way or
 * queued inputs "queued"; the rest are "up to date".  A legend is added.
 * The output is meant for "dot -Tsvg"; names are quoted, so any name is
 * safe.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "db.h"
#include "log.h"
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

#define COLOR_OK "#d9f0d3"
#define COLOR_QUEUED "#c6dbef"
#define COLOR_FAILING "#fdae6b"
#define COLOR_BAD "#fb6a4a"

/* a DOT double-quoted string: quotes and backslashes escaped */
static void
dot_str(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(sb, '\\');
		if (*s == '\n')
			strbuf_addstr(sb, "\\n");
		else if ((unsigned char)*s >= 0x20)
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

/* a node id: "product:NAME" or "process:NAME", quoted */
static void
node_id(struct strbuf *sb, const char *kind, const char *name)
{
	struct strbuf tmp = STRBUF_INIT;

	strbuf_addf(&tmp, "%s:%s", kind, name);
	dot_str(sb, tmp.buf);
	strbuf_release(&tmp);
}

static const struct store_admin_node_state *
find_state(const struct store_admin_node_state *s, size_t n, const char *name)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s[i].name, name))
			return &s[i];
	return NULL;
}

static const char *
level_text(double level, char *buf, size_t size)
{
	snprintf(buf, size, "%g", level);
	return buf;
}

struct graph_state {
	bool on;
	struct store_admin_node_state *products, *processes;
	size_t n_products, n_processes;
};

static void
add_product(struct strbuf *sb, const struct config_product *p,
	    const struct graph_state *gs)
{
	struct strbuf label = STRBUF_INIT;
	char lv[32];

	strbuf_addf(&label, "%s\nlevel %s", p->name,
		    level_text(p->level, lv, sizeof(lv)));
	strbuf_addch(sb, '\t');
	node_id(sb, "product", p->name);
	strbuf_addstr(sb, " [shape=box, ");
	if (gs->on) {
		const struct store_admin_node_state *st =
			find_state(gs->products, gs->n_products, p->name);
		long long q = st ? (long long)st->queued : 0;

		if (q)
			strbuf_addf(&label, "\n%lld queued", q);
		strbuf_addf(sb, "style=filled, fillcolor=\"%s\", ",
			    q ? COLOR_QUEUED : COLOR_OK);
	}
	strbuf_addstr(sb, "label=");
	dot_str(sb, label.buf);
	strbuf_addstr(sb, "];\n");
	strbuf_release(&label);
}

static bool
input_queued(const struct config_process *pr, const struct graph_state *gs)
{
	for (size_t i = 0; i < pr->n_inputs; i++) {
		const struct store_admin_node_state *st = find_state(
			gs->products, gs->n_products, pr->inputs[i].product);

		if (st && st->queued)
			return true;
	}
	return false;
}

static void
add_process(struct strbuf *sb, const struct config_process *pr,
	    const struct graph_state *gs)
{
	struct strbuf label = STRBUF_INIT;

	strbuf_addf(&label, "%s\n%s", pr->name,
		    config_timebase_name(pr->timebase));
	strbuf_addch(sb, '\t');
	node_id(sb, "process", pr->name);
	strbuf_addstr(sb, " [shape=ellipse, ");
	if (gs->on) {
		const struct store_admin_node_state *st =
			find_state(gs->processes, gs->n_processes, pr->name);
		const char *color = NULL;

		if (st && st->bad) {
			color = COLOR_BAD;
			strbuf_addf(&label, "\n%lld bad", (long long)st->bad);
		}
		if (st && st->failing) {
			if (!st->bad)
				color = COLOR_FAILING;
			strbuf_addf(&label, "\n%lld failing",
				    (long long)st->failing);
		}
		if (st && st->open)
			strbuf_addf(&label, "\n%lld running or queued",
				    (long long)st->open);
		if (!color)
			color = (st && st->open) || input_queued(pr, gs)
					? COLOR_QUEUED
					: COLOR_OK;
		strbuf_addf(sb, "style=filled, fillcolor=\"%s\", ", color);
	}
	strbuf_addstr(sb, "label=");
	dot_str(sb, label.buf);
	strbuf_addstr(sb, "];\n");
	strbuf_release(&label);
}

static void
add_edges(struct strbuf *sb, const struct config_process *pr)
{
	for (size_t i = 0; i < pr->n_inputs; i++) {
		const struct config_input *in = &pr->inputs[i];
		const char *sep = " [";

		strbuf_addch(sb, '\t');
		node_id(sb, "product", in->product);
		strbuf_addstr(sb, " -> ");
		node_id(sb, "process", pr->name);
		if (in->optional) {
			strbuf_addf(sb, "%sstyle=dashed", sep);
			sep = ", ";
		}
		if (in->yesterday || in->tomorrow) {
			struct strbuf w = STRBUF_INIT;

			if (in->yesterday && in->tomorrow)
				strbuf_addf(&w, "-%dd..+%dd", in->yesterday,
					    in->tomorrow);
			else if (in->yesterday)
				strbuf_addf(&w, "-%dd", in->yesterday);
			else
				strbuf_addf(&w, "+%dd", in->tomorrow);
			strbuf_addf(sb, "%slabel=", sep);
			dot_str(sb, w.buf);
			strbuf_release(&w);
			sep = ", ";
		}
		if (*sep == ',')
			strbuf_addch(sb, ']');
		strbuf_addstr(sb, ";\n");
	}
	if (pr->output_product) {
		strbuf_addch(sb, '\t');
		node_id(sb, "process", pr->name);
		strbuf_addstr(sb, " -> ");
		node_id(sb, "product", pr->output_product);
		strbuf_addstr(sb, ";\n");
	}
}

static void
add_legend(struct strbuf *sb, const char *from, const char *to)
{
	static const struct {
		const char *name, *color;
	} keys[] = {
		{"up to date", COLOR_OK},
		{"queued", COLOR_QUEUED},
		{"failing", COLOR_FAILING},
		{"bad", COLOR_BAD},
	};
	struct strbuf label = STRBUF_INIT;

	strbuf_addstr(&label, "state");
	if (from || to)
		strbuf_addf(&label, " %s..%s", from ? from : "",
			    to ? to : "");
	strbuf_addstr(sb, "\tsubgraph \"cluster_legend\" {\n\t\tlabel=");
	dot_str(sb, label.buf);
	strbuf_addstr(sb, ";\n\t\tnode [shape=plaintext, style=filled];\n");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		strbuf_addf(sb, "\t\t\"legend:%s\" [label=\"%s\", "
				"fillcolor=\"%s\"];\n",
			    keys[i].name, keys[i].name, keys[i].color);
	strbuf_addstr(sb, "\t}\n");
	strbuf_release(&label);
}

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

int
cmd_graph(struct ctx *ctx, int argc, char **argv)
{
	bool state = false;
	const char *from = NULL, *to = NULL;
	const struct opt opts[] = {
		{OPT_BOOL, 's', "state", &state, NULL,
		 "colour the nodes by state (queue, failed and bad builds)"},
		{OPT_STRING, 0, "from", &from, "DATE",
		 "with --state: files and builds dated DATE or later"},
		{OPT_STRING, 0, "to", &to, "DATE",
		 "with --state: files and builds dated DATE or earlier"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	struct graph_state gs = {0};
	struct config *cfg = NULL;
	struct strbuf sb = STRBUF_INIT;
	int rc;

	opt_parse(ctx, &help_graph, opts, argc, argv);
	if ((from || to) && !state)
		usage_error(&help_graph, "--from and --to need --state");
	check_date("from", from);
	check_date("to", to);
	if (from && to && strcmp(from, to) > 0)
		usage_error(&help_graph, "--from %s is after --to %s", from, to);
	if ((rc = ctx_setup(ctx, CTX_MISSION)))
		return ctx_finish(ctx, rc, NULL, NULL);
	rc = EXIT_DB;
	if (store_config_load(ctx->db, &cfg) || !cfg)
		goto out;
	gs.on = state;
	if (state && store_admin_graph_state(ctx->db, from, to, &gs.products,
					     &gs.n_products, &gs.processes,
					     &gs.n_processes))
		goto out;
	strbuf_addstr(&sb, "digraph ");
	dot_str(&sb, cfg->mission.name);
	strbuf_addstr(&sb, " {\n\tgraph [rankdir=LR, fontname=\"Helvetica\", "
			   "labelloc=t, label=");
	{
		struct strbuf t = STRBUF_INIT;

		strbuf_addf(&t, "mission %s", cfg->mission.name);
		dot_str(&sb, t.buf);
		strbuf_release(&t);
	}
	strbuf_addstr(&sb, "];\n\tnode [fontname=\"Helvetica\", "
			   "fontsize=10];\n\tedge [fontname=\"Helvetica\", "
			   "fontsize=9];\n");
	for (size_t i = 0; i < cfg->n_products; i++)
		add_product(&sb, &cfg->products[i], &gs);
	for (size_t i = 0; i < cfg->n_processes; i++)
		add_process(&sb, &cfg->processes[i], &gs);
	for (size_t i = 0; i < cfg->n_processes; i++)
		add_edges(&sb, &cfg->processes[i]);
	if (state)
		add_legend(&sb, from, to);
	strbuf_addstr(&sb, "}\n");
	fputs(sb.buf, stdout);
	rc = EXIT_OK;
out:
	strbuf_release(&sb);
	store_admin_states_free(gs.products, gs.n_products);
	store_admin_states_free(gs.processes, gs.n_processes);
	config_free(cfg);
	return ctx_finish(ctx, rc, NULL, NULL);
}
