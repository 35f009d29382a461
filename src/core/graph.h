/*
 * graph.h - a small generic directed graph: nodes, edges, topological
 * order, cycle detection.
 *
 * Pure; no I/O, nothing is logged.  Nodes are the indices 0..nr_nodes-1;
 * what they stand for (products, processes, builds) is the caller's
 * business, which is also why a cycle is handed back as a list of node
 * indices for the caller to name in its own message.  Parallel edges and
 * self-loops are allowed (a self-loop is a cycle of one node).
 *
 * Calling sequence:
 *
 *   struct graph g = GRAPH_INIT;
 *   graph_init(&g, n);
 *   graph_add_edge(&g, from, to);   ...
 *   if (graph_topo_order(&g, order, &cycle, &cycle_len) < 0) { ... }
 *   free(cycle);
 *   graph_release(&g);
 */
#ifndef CASCADE_GRAPH_H
#define CASCADE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"

/* The out-edges of one node: the indices of its successors, in order added. */
struct graph_node {
	size_t *out;
	size_t nr_out;
	size_t alloc_out;
};

struct graph {
	struct graph_node *nodes;
	size_t nr_nodes;
	size_t alloc_nodes;
	size_t nr_edges;
};

#define GRAPH_INIT {NULL, 0, 0, 0}

/* graph_init: make g an edgeless graph of nr_nodes nodes (may be 0). */
void graph_init(struct graph *g, size_t nr_nodes);
/*
 * graph_release: free everything g owns and leave it as GRAPH_INIT.
 * Accepts a graph that is GRAPH_INIT or already released.
 */
void graph_release(struct graph *g);
/* graph_add_node: append a node without edges; returns its index. */
size_t graph_add_node(struct graph *g);
/*
 * graph_add_edge: add the edge from -> to.  Both must be existing nodes
 * (BUG() otherwise: callers index nodes themselves).
 */
void graph_add_edge(struct graph *g, size_t from, size_t to);
/* graph_has_edge: whether at least one edge from -> to exists. */
bool graph_has_edge(const struct graph *g, size_t from, size_t to);

/*
 * graph_topo_order: fill order[0..nr_nodes-1] (caller's array) with every
 * node, each before all of its successors.  Among the nodes that are
 * ready at the same time the smallest index comes first, so the order is
 * deterministic (the lexicographically smallest topological order).
 *
 * Returns 0 when g is acyclic.  Returns -1 when it has a cycle: then, if
 * cycle is not NULL, *cycle is a new array (caller frees) of *cycle_len
 * nodes c[0] -> c[1] -> ... -> c[len-1] -> c[0], starting at its
 * smallest node, and the contents of order are unspecified.  Nothing is
 * reported.
 */
int graph_topo_order(const struct graph *g, size_t *order, size_t **cycle,
		     size_t *cycle_len) CASCADE_MUSTCHECK;

#endif
