/*
 * test-graph.c - topological order and cycle extraction, table-driven.
 *
 * Each case is a node count and an edge list; acyclic cases give the one
 * expected order (smallest ready node first), cyclic ones the expected
 * cycle (starting at its smallest node).  A random check compares
 * graph_topo_order() with the definition of a topological order.
 */
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "unit.h"

#define MAXN 8

struct edge {
	size_t from, to;
};

static void
build(struct graph *g, size_t n, const struct edge *e, size_t ne)
{
	graph_init(g, n);
	for (size_t i = 0; i < ne; i++)
		graph_add_edge(g, e[i].from, e[i].to);
}

static void
test_topo_table(void)
{
	static const struct {
		size_t n;
		struct edge e[MAXN * 2];
		size_t ne;
		size_t order[MAXN];
	} cases[] = {
		{0, {{0, 0}}, 0, {0}},
		{1, {{0, 0}}, 0, {0}},
		{3, {{0, 0}}, 0, {0, 1, 2}},
		{3, {{2, 1}, {1, 0}}, 2, {2, 1, 0}},
		{4, {{3, 0}, {2, 0}, {1, 0}}, 3, {1, 2, 3, 0}},
		/* diamond */
		{4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}}, 4, {0, 1, 2, 3}},
		/* parallel edges are fine */
		{2, {{1, 0}, {1, 0}, {1, 0}}, 3, {1, 0}},
		/* smallest ready first, even when discovered late */
		{5, {{4, 0}, {3, 1}, {2, 1}}, 3, {2, 3, 1, 4, 0}},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct graph g = GRAPH_INIT;
		size_t order[MAXN], *cycle = (size_t *)1, clen = 99;

		build(&g, cases[i].n, cases[i].e, cases[i].ne);
		CU_ASSERT_EQUAL(g.nr_edges, cases[i].ne);
		CU_ASSERT_EQUAL(graph_topo_order(&g, order, &cycle, &clen), 0);
		CU_ASSERT_PTR_NULL(cycle);
		CU_ASSERT_EQUAL(clen, 0);
		for (size_t k = 0; k < cases[i].n; k++)
			CU_ASSERT_EQUAL(order[k], cases[i].order[k]);
		graph_release(&g);
	}
}

static void
test_cycle_table(void)
{
	static const struct {
		size_t n;
		struct edge e[MAXN * 2];
		size_t ne;
		size_t cycle[MAXN];
		size_t clen;
	} cases[] = {
		/* self-loop */
		{1, {{0, 0}}, 1, {0}, 1},
		{3, {{0, 1}, {2, 2}}, 2, {2}, 1},
		/* two-cycle */
		{2, {{0, 1}, {1, 0}}, 2, {0, 1}, 2},
		/* rotated to start at the smallest node */
		{4, {{3, 1}, {1, 2}, {2, 3}}, 3, {1, 2, 3}, 3},
		/* direction preserved: 0 -> 2 -> 1 -> 0 */
		{3, {{0, 2}, {2, 1}, {1, 0}}, 3, {0, 2, 1}, 3},
		/* a cycle downstream of acyclic nodes, with a tail after it */
		{6, {{0, 1}, {1, 2}, {2, 3}, {3, 1}, {3, 4}, {4, 5}}, 6,
		 {1, 2, 3}, 3},
		/* the product graph shape: a -> p1 -> b -> p2 -> a */
		{4, {{0, 2}, {2, 1}, {1, 3}, {3, 0}}, 4, {0, 2, 1, 3}, 4},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct graph g = GRAPH_INIT;
		size_t order[MAXN], *cycle = NULL, clen = 0;

		build(&g, cases[i].n, cases[i].e, cases[i].ne);
		CU_ASSERT_EQUAL(graph_topo_order(&g, order, &cycle, &clen), -1);
		CU_ASSERT_EQUAL(clen, cases[i].clen);
		CU_ASSERT_PTR_NOT_NULL(cycle);
		for (size_t k = 0; cycle && k < clen && k < cases[i].clen; k++)
			CU_ASSERT_EQUAL(cycle[k], cases[i].cycle[k]);
		free(cycle);
		/* the cycle is optional */
		CU_ASSERT_EQUAL(graph_topo_order(&g, order, NULL, NULL), -1);
		graph_release(&g);
	}
}

static void
test_add_node_and_has_edge(void)
{
	struct graph g = GRAPH_INIT;
	size_t order[3];

	/* release of a never-initialised graph is fine */
	graph_release(&g);
	CU_ASSERT_EQUAL(graph_add_node(&g), 0);
	CU_ASSERT_EQUAL(graph_add_node(&g), 1);
	CU_ASSERT_EQUAL(graph_add_node(&g), 2);
	graph_add_edge(&g, 2, 0);
	CU_ASSERT(graph_has_edge(&g, 2, 0));
	CU_ASSERT(!graph_has_edge(&g, 0, 2));
	CU_ASSERT(!graph_has_edge(&g, 7, 0));
	CU_ASSERT_EQUAL(graph_topo_order(&g, order, NULL, NULL), 0);
	CU_ASSERT_EQUAL(order[0], 1);
	CU_ASSERT_EQUAL(order[1], 2);
	CU_ASSERT_EQUAL(order[2], 0);
	graph_release(&g);
	graph_release(&g);
	CU_ASSERT_EQUAL(g.nr_nodes, 0);
}

/* A tiny deterministic generator, so failures reproduce. */
static unsigned long rng_state = 12345;

static size_t
rnd(size_t n)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (size_t)((rng_state >> 33) % n);
}

static void
test_random(void)
{
	for (int round = 0; round < 300; round++) {
		struct graph g = GRAPH_INIT;
		size_t n = 1 + rnd(40), ne = rnd(80);
		size_t *order = calloc(n, sizeof(*order));
		size_t *pos = calloc(n, sizeof(*pos));
		size_t *cycle = NULL, clen = 0;
		/* half the rounds only add forward edges: acyclic for sure */
		int dag = round % 2;
		int rc;

		graph_init(&g, n);
		for (size_t i = 0; i < ne; i++) {
			size_t a = rnd(n), b = rnd(n);

			if (dag && a >= b)
				continue;
			graph_add_edge(&g, a, b);
		}
		rc = graph_topo_order(&g, order, &cycle, &clen);
		if (dag)
			CU_ASSERT_EQUAL(rc, 0);
		if (rc == 0) {
			for (size_t i = 0; i < n; i++)
				pos[order[i]] = i + 1;
			for (size_t i = 0; i < n; i++)
				CU_ASSERT(pos[i] != 0);
			for (size_t u = 0; u < n; u++)
				for (size_t k = 0; k < g.nodes[u].nr_out; k++)
					CU_ASSERT(pos[u] <
						  pos[g.nodes[u].out[k]]);
		} else {
			CU_ASSERT(clen >= 1);
			for (size_t k = 0; cycle && k < clen; k++) {
				size_t next = cycle[(k + 1) % clen];

				CU_ASSERT(graph_has_edge(&g, cycle[k], next));
				CU_ASSERT(cycle[k] >= cycle[0]);
			}
		}
		free(cycle);
		free(pos);
		free(order);
		graph_release(&g);
	}
}

void
suite_graph(void)
{
	CU_pSuite s = unit_add_suite("graph");

	ADD_TEST(s, test_topo_table);
	ADD_TEST(s, test_cycle_table);
	ADD_TEST(s, test_add_node_and_has_edge);
	ADD_TEST(s, test_random);
}
