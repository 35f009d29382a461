/*
 * test-graph-dot.c - the DOT of the product/process graph: nodes, edges
 * with windows and optional inputs, quoting of odd names, and the
 * colours and legend of a state.
 */
#include <string.h>

#include "config.h"
#include "graph-dot.h"
#include "store-admin.h"
#include "strbuf.h"
#include "unit.h"

static const char mission[] =
	"mission:\n"
	"  name: m\n"
	"  rootdir: /srv/m\n"
	"satellites:\n"
	"  - name: s\n"
	"    instruments: [i]\n"
	"products:\n"
	"  - {name: raw, instrument: i, level: 0,\n"
	"     format: \"r_{Y}{m}{d}_v{VERSION}\", relative_path: r}\n"
	"  - {name: aux, instrument: i, level: 0,\n"
	"     format: \"a_{Y}{m}{d}_v{VERSION}\", relative_path: a}\n"
	"  - {name: 'o\"dd\\', instrument: i, level: 1.5,\n"
	"     format: \"o_{Y}{m}{d}_v{VERSION}\", relative_path: o}\n"
	"processes:\n"
	"  - name: p\n"
	"    output_product: 'o\"dd\\'\n"
	"    output_timebase: DAILY\n"
	"    inputs:\n"
	"      - {product: raw, yesterday: 1, tomorrow: 2}\n"
	"      - {product: aux, optional: true}\n"
	"    codes:\n"
	"      - {filename: p.sh, relative_path: ., version: 1.0.0,\n"
	"         output_interface_version: 1, start_date: 2020-01-01}\n"
	"  - name: run\n"
	"    output_timebase: RUN\n"
	"    inputs: [raw]\n"
	"    codes:\n"
	"      - {filename: r.sh, relative_path: ., version: 1.0.0,\n"
	"         output_interface_version: 1, start_date: 2020-01-01}\n";

static struct config *
load(void)
{
	struct config *cfg = NULL;

	if (config_load_string("t.yaml", mission, strlen(mission), NULL, &cfg))
		return NULL;
	return cfg;
}

static void
expect(const char *dot, const char *needle)
{
	CU_ASSERT_PTR_NOT_NULL(strstr(dot, needle));
	if (!strstr(dot, needle))
		fprintf(stderr, "missing: %s\nin:\n%s\n", needle, dot);
}

static void
test_plain(void)
{
	struct config *cfg = load();
	struct strbuf sb = STRBUF_INIT;

	CU_ASSERT_PTR_NOT_NULL(cfg);
	if (!cfg)
		return;
	graph_dot_write(&sb, cfg, NULL);
	CU_ASSERT_EQUAL(strncmp(sb.buf, "digraph \"m\" {\n", 14), 0);
	expect(sb.buf, "label=\"mission m\"");
	expect(sb.buf,
	       "\t\"product:raw\" [shape=box, label=\"raw\\nlevel 0\"];\n");
	expect(sb.buf, "\t\"product:o\\\"dd\\\\\" [shape=box, "
		       "label=\"o\\\"dd\\\\\\nlevel 1.5\"];\n");
	expect(sb.buf,
	       "\t\"process:p\" [shape=ellipse, label=\"p\\nDAILY\"];\n");
	expect(sb.buf, "\t\"product:raw\" -> \"process:p\" "
		       "[label=\"-1d..+2d\"];\n");
	expect(sb.buf,
	       "\t\"product:aux\" -> \"process:p\" [style=dashed];\n");
	expect(sb.buf, "\t\"process:p\" -> \"product:o\\\"dd\\\\\";\n");
	expect(sb.buf, "\t\"product:raw\" -> \"process:run\";\n");
	CU_ASSERT_PTR_NULL(strstr(sb.buf, "\"process:run\" ->"));
	CU_ASSERT_PTR_NULL(strstr(sb.buf, "fillcolor"));
	CU_ASSERT_PTR_NULL(strstr(sb.buf, "legend"));
	CU_ASSERT_EQUAL(strcmp(sb.buf + sb.len - 2, "}\n"), 0);
	strbuf_release(&sb);
	config_free(cfg);
}

static void
test_state(void)
{
	struct config *cfg = load();
	struct strbuf sb = STRBUF_INIT;
	struct store_admin_node_state prods[] = {
		{(char *)"raw", 3, 0, 0, 0},
	};
	struct store_admin_node_state procs[] = {
		{(char *)"p", 0, 2, 1, 4},
	};
	struct graph_dot_state st = {true, "2024-01-01", NULL, prods, 1,
				     procs, 1, false};

	CU_ASSERT_PTR_NOT_NULL(cfg);
	if (!cfg)
		return;
	graph_dot_write(&sb, cfg, &st);
	expect(sb.buf, "\"product:raw\" [shape=box, style=filled, "
		       "fillcolor=\"#c6dbef\", label=\"raw\\nlevel 0\\n3 "
		       "queued\"];");
	expect(sb.buf, "\"product:aux\" [shape=box, style=filled, "
		       "fillcolor=\"#d9f0d3\"");
	expect(sb.buf, "\"process:p\" [shape=ellipse, style=filled, "
		       "fillcolor=\"#fb6a4a\", label=\"p\\nDAILY\\n1 bad\\n2 "
		       "failing\\n4 running or queued\"];");
	/* no state of its own, but a queued input */
	expect(sb.buf, "\"process:run\" [shape=ellipse, style=filled, "
		       "fillcolor=\"#c6dbef\"");
	expect(sb.buf, "subgraph \"cluster_legend\" {\n\t\tlabel=\"state "
		       "2024-01-01..\";");
	/* one row of the four colours, in one node */
	expect(sb.buf, "label=<<table border=\"0\" cellspacing=\"2\" "
		       "cellpadding=\"2\"><tr><td bgcolor=\"#d9f0d3\">up to "
		       "date</td><td bgcolor=\"#c6dbef\">queued</td><td "
		       "bgcolor=\"#fdae6b\">failing</td><td "
		       "bgcolor=\"#fb6a4a\">bad</td></tr></table>>];");
	CU_ASSERT_PTR_NULL(strstr(sb.buf, "legend:up to date"));
	strbuf_reset(&sb);
	/* a caller with its own legend */
	st.no_legend = true;
	graph_dot_write(&sb, cfg, &st);
	CU_ASSERT_PTR_NULL(strstr(sb.buf, "legend"));
	expect(sb.buf, "fillcolor=\"#fb6a4a\"");
	strbuf_release(&sb);
	config_free(cfg);
}

void
suite_graph_dot(void)
{
	CU_pSuite s = unit_add_suite("graph-dot");

	ADD_TEST(s, test_plain);
	ADD_TEST(s, test_state);
}
