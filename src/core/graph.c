/*
 * graph.c - directed graph with deterministic topological order and
 * cycle extraction.
 *
 * Owns only the adjacency lists.  It knows nothing about what the nodes
 * mean and reports nothing: a cycle comes back as node indices for the
 * caller (config.c, the planner) to describe.  Kahn's algorithm with a
 * min-heap gives the same order for the same graph on every run; when
 * nodes are left over, walking backwards along edges between left-over
 * nodes must come round again, and that loop is the cycle returned.
 */
#include "graph.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xalloc.h"
#include "banned.h"

void
graph_init(struct graph *g, size_t nr_nodes)
{
	g->nodes = NULL;
	g->nr_nodes = 0;
	g->alloc_nodes = 0;
	g->nr_edges = 0;
	if (nr_nodes) {
		g->nodes = xcalloc(nr_nodes, sizeof(*g->nodes));
		g->nr_nodes = g->alloc_nodes = nr_nodes;
	}
}

void
graph_release(struct graph *g)
{
	for (size_t i = 0; i < g->nr_nodes; i++)
		free(g->nodes[i].out);
	free(g->nodes);
	g->nodes = NULL;
	g->nr_nodes = g->alloc_nodes = g->nr_edges = 0;
}

size_t
graph_add_node(struct graph *g)
{
	ALLOC_GROW(g->nodes, g->nr_nodes + 1, g->alloc_nodes);
	memset(&g->nodes[g->nr_nodes], 0, sizeof(g->nodes[0]));
	return g->nr_nodes++;
}

void
graph_add_edge(struct graph *g, size_t from, size_t to)
{
	struct graph_node *n;

	if (from >= g->nr_nodes || to >= g->nr_nodes)
		BUG("graph edge %zu -> %zu outside %zu nodes", from, to,
		    g->nr_nodes);
	n = &g->nodes[from];
	ALLOC_GROW(n->out, n->nr_out + 1, n->alloc_out);
	n->out[n->nr_out++] = to;
	g->nr_edges++;
}

bool
graph_has_edge(const struct graph *g, size_t from, size_t to)
{
	if (from >= g->nr_nodes)
		return false;
	for (size_t i = 0; i < g->nodes[from].nr_out; i++)
		if (g->nodes[from].out[i] == to)
			return true;
	return false;
}

/* A binary min-heap of node indices: the ready set of Kahn's algorithm. */
static void
heap_push(size_t *heap, size_t *nr, size_t v)
{
	size_t i = (*nr)++;

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (heap[parent] <= v)
			break;
		heap[i] = heap[parent];
		i = parent;
	}
	heap[i] = v;
}

static size_t
heap_pop(size_t *heap, size_t *nr)
{
	size_t top = heap[0];
	size_t last = heap[--(*nr)];
	size_t i = 0;

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= *nr)
			break;
		if (child + 1 < *nr && heap[child + 1] < heap[child])
			child++;
		if (last <= heap[child])
			break;
		heap[i] = heap[child];
		i = child;
	}
	if (*nr > 0)
		heap[i] = last;
	return top;
}

/*
 * find_cycle: the nodes with indeg[v] > 0 are those Kahn's algorithm
 * could not emit.  Each has a predecessor among them (its remaining
 * in-degree counts only edges from such nodes), so following
 * predecessors from any of them must revisit a node.
 */
static void
find_cycle(const struct graph *g, const size_t *indeg, size_t **cycle,
	   size_t *cycle_len)
{
	size_t n = g->nr_nodes;
	size_t *pred_start = xcalloc(n + 1, sizeof(size_t));
	size_t *pred = xcalloc(g->nr_edges ? g->nr_edges : 1, sizeof(size_t));
	size_t *fill = xcalloc(n ? n : 1, sizeof(size_t));
	size_t *path = xcalloc(n ? n : 1, sizeof(size_t));
	size_t *pos = xcalloc(n ? n : 1, sizeof(size_t));
	size_t len = 0, v = SIZE_MAX, first, clen, *c, min_at = 0;

	for (size_t u = 0; u < n; u++)
		for (size_t k = 0; k < g->nodes[u].nr_out; k++)
			pred_start[g->nodes[u].out[k] + 1]++;
	for (size_t u = 0; u < n; u++)
		pred_start[u + 1] += pred_start[u];
	for (size_t u = 0; u < n; u++)
		for (size_t k = 0; k < g->nodes[u].nr_out; k++) {
			size_t t = g->nodes[u].out[k];

			pred[pred_start[t] + fill[t]++] = u;
		}

	for (size_t u = 0; u < n; u++) {
		if (indeg[u] > 0) {
			v = u;
			break;
		}
	}
	if (v == SIZE_MAX)
		BUG("graph: no cycle among the left-over nodes");

	/* pos[v] is 1 + v's index in path, 0 when not on it */
	while (!pos[v]) {
		size_t next = SIZE_MAX;

		path[len++] = v;
		pos[v] = len;
		for (size_t k = pred_start[v]; k < pred_start[v + 1]; k++) {
			size_t u = pred[k];

			if (indeg[u] > 0 && u < next)
				next = u;
		}
		if (next == SIZE_MAX)
			BUG("graph: left-over node %zu has no left-over "
			    "predecessor",
			    v);
		v = next;
	}

	/* path[first..len-1] walks edges backwards; reverse it */
	first = pos[v] - 1;
	clen = len - first;
	c = xcalloc(clen, sizeof(size_t));
	for (size_t k = 0; k < clen; k++) {
		c[k] = path[len - 1 - k];
		if (c[k] < c[min_at])
			min_at = k;
	}
	/* rotate so that the smallest node comes first */
	*cycle = xcalloc(clen, sizeof(size_t));
	for (size_t k = 0; k < clen; k++)
		(*cycle)[k] = c[(min_at + k) % clen];
	*cycle_len = clen;

	free(c);
	free(pos);
	free(path);
	free(fill);
	free(pred);
	free(pred_start);
}

int
graph_topo_order(const struct graph *g, size_t *order, size_t **cycle,
		 size_t *cycle_len)
{
	size_t n = g->nr_nodes;
	size_t *indeg, *heap;
	size_t nr_heap = 0, nr_order = 0;
	int ret = 0;

	if (cycle)
		*cycle = NULL;
	if (cycle_len)
		*cycle_len = 0;
	if (!n)
		return 0;

	indeg = xcalloc(n, sizeof(size_t));
	heap = xcalloc(n, sizeof(size_t));
	for (size_t u = 0; u < n; u++)
		for (size_t k = 0; k < g->nodes[u].nr_out; k++)
			indeg[g->nodes[u].out[k]]++;
	for (size_t u = 0; u < n; u++)
		if (!indeg[u])
			heap_push(heap, &nr_heap, u);
	while (nr_heap) {
		size_t u = heap_pop(heap, &nr_heap);

		order[nr_order++] = u;
		for (size_t k = 0; k < g->nodes[u].nr_out; k++) {
			size_t t = g->nodes[u].out[k];

			if (--indeg[t] == 0)
				heap_push(heap, &nr_heap, t);
		}
	}
	if (nr_order < n) {
		ret = -1;
		if (cycle) {
			size_t dummy;

			find_cycle(g, indeg, cycle,
				   cycle_len ? cycle_len : &dummy);
		}
	}
	free(heap);
	free(indeg);
	return ret;
}
