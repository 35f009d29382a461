/*
 * graph-dot.h - the product/process graph of a mission as Graphviz DOT.
 *
 * One implementation for "cascade graph" (which prints it) and "cascade
 * report" (which runs dot on it and inlines the SVG).  Products are
 * boxes, processes ellipses; edges run input -> process -> output,
 * dashed for optional inputs, labelled with the day window
 * (-yesterday..+tomorrow) when there is one.  With a state the nodes are
 * filled by state: products with files in the queue are "queued";
 * processes whose latest build of some key is bad are "bad", failed
 * "failing", with builds under way or queued inputs "queued"; the rest
 * are "up to date"; a legend is added, a small box holding one row of
 * the four colours.  Node ids are "product:NAME" and
 * "process:NAME", quoted and escaped, so any name is valid DOT.
 *
 * Pure: it reads nothing and writes nothing but the strbuf it is given;
 * the config comes from store_config_load and the states from
 * store_admin_graph_state.
 */
#ifndef CASCADE_GRAPH_DOT_H
#define CASCADE_GRAPH_DOT_H

#include <stdbool.h>
#include <stddef.h>

#include "store-admin.h"
#include "strbuf.h"

struct config;

/* The states' keys, for a legend drawn elsewhere (the report's). */
struct graph_dot_key {
	const char *name;  /* "up to date", "queued", "failing", "bad" */
	const char *color; /* "#rrggbb" */
};
#define GRAPH_DOT_N_KEYS 4
extern const struct graph_dot_key graph_dot_keys[GRAPH_DOT_N_KEYS];

/* What to colour the nodes by.  Everything borrowed. */
struct graph_dot_state {
	bool on;          /* false: no colours, no legend */
	const char *from; /* the date range of the states, for the legend */
	const char *to;   /* (either may be NULL) */
	const struct store_admin_node_state *products;
	size_t n_products;
	const struct store_admin_node_state *processes;
	size_t n_processes;
	bool no_legend;   /* colours without the legend (the caller has one) */
};

/*
 * graph_dot_write: append the whole DOT document ("digraph ... { ... }\n")
 * of cfg's products and processes to sb, coloured by st (NULL: no
 * state).  Products and processes without a state entry count as idle.
 */
void graph_dot_write(struct strbuf *sb, const struct config *cfg,
		     const struct graph_dot_state *st);

#endif
