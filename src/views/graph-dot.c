/*
 * graph-dot.c - the product/process graph as Graphviz DOT (see
 * graph-dot.h).  Colours: green up to date, blue queued, orange failing,
 * red bad.
 */
#include "graph-dot.h"

#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "config.h"
#include "banned.h"

#define COLOR_OK "#d9f0d3"
#define COLOR_QUEUED "#c6dbef"
#define COLOR_FAILING "#fdae6b"
#define COLOR_BAD "#fb6a4a"

const struct graph_dot_key graph_dot_keys[GRAPH_DOT_N_KEYS] = {
	{"up to date", COLOR_OK},
	{"queued", COLOR_QUEUED},
	{"failing", COLOR_FAILING},
	{"bad", COLOR_BAD},
};

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

static void
add_product(struct strbuf *sb, const struct product *p,
	    const struct graph_dot_state *gs)
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
input_queued(const struct process *pr, const struct graph_dot_state *gs)
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
add_process(struct strbuf *sb, const struct process *pr,
	    const struct graph_dot_state *gs)
{
	struct strbuf label = STRBUF_INIT;

	strbuf_addf(&label, "%s\n%s", pr->name,
		    timebase_name(pr->timebase));
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
add_edges(struct strbuf *sb, const struct process *pr)
{
	for (size_t i = 0; i < pr->n_inputs; i++) {
		const struct input *in = &pr->inputs[i];
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

/*
 * the legend: one small box, a single row of the four colours with the
 * range of the states, in a cluster of its own (dot puts it beside the
 * graph's first rank, a row high)
 */
static void
add_legend(struct strbuf *sb, const char *from, const char *to)
{
	struct strbuf label = STRBUF_INIT;

	strbuf_addstr(&label, "state");
	if (from || to)
		strbuf_addf(&label, " %s..%s", from ? from : "",
			    to ? to : "");
	strbuf_addstr(sb, "\tsubgraph \"cluster_legend\" {\n\t\tlabel=");
	dot_str(sb, label.buf);
	strbuf_addstr(sb, ";\n\t\tfontsize=9;\n\t\tstyle=dashed;\n"
			  "\t\tmargin=4;\n"
			  "\t\t\"legend:\" [shape=plaintext, fontsize=9, "
			  "margin=0, width=0, height=0, "
			  "label=<<table border=\"0\" cellspacing=\"2\" "
			  "cellpadding=\"2\"><tr>");
	for (size_t i = 0; i < GRAPH_DOT_N_KEYS; i++) {
		strbuf_addf(sb, "<td bgcolor=\"%s\">%s</td>",
			    graph_dot_keys[i].color, graph_dot_keys[i].name);
	}
	strbuf_addstr(sb, "</tr></table>>];\n\t}\n");
	strbuf_release(&label);
}

void
graph_dot_write(struct strbuf *sb, const struct config *cfg,
		const struct graph_dot_state *st)
{
	static const struct graph_dot_state none = {0};
	const struct graph_dot_state *gs = st ? st : &none;
	struct strbuf t = STRBUF_INIT;

	strbuf_addstr(sb, "digraph ");
	dot_str(sb, cfg->mission.name);
	strbuf_addstr(sb, " {\n\tgraph [rankdir=LR, fontname=\"Helvetica\", "
			  "labelloc=t, label=");
	strbuf_addf(&t, "mission %s", cfg->mission.name);
	dot_str(sb, t.buf);
	strbuf_release(&t);
	strbuf_addstr(sb, "];\n\tnode [fontname=\"Helvetica\", "
			  "fontsize=10];\n\tedge [fontname=\"Helvetica\", "
			  "fontsize=9];\n");
	for (size_t i = 0; i < cfg->n_products; i++)
		add_product(sb, &cfg->products[i], gs);
	for (size_t i = 0; i < cfg->n_processes; i++)
		add_process(sb, &cfg->processes[i], gs);
	for (size_t i = 0; i < cfg->n_processes; i++)
		add_edges(sb, &cfg->processes[i]);
	if (gs->on && !gs->no_legend)
		add_legend(sb, gs->from, gs->to);
	strbuf_addstr(sb, "}\n");
}
