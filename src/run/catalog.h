/*
 * catalog.h - the mission as a command works on it: loaded from the
 * database once, with what is compiled from it once.
 *
 * The catalog is the struct config of the database (store_config_load:
 * the mission and its run settings, satellites, instruments, products
 * with their inspectors, processes with their inputs and codes, every id
 * filled; model.h) plus:
 *
 *   - every product's filename template compiled (fnformat), which the
 *     planner formats output names with and identification matches
 *     incoming names against (identify.h);
 *   - the archive rules (archive.h): where a product's files live;
 *   - maps: products and processes by id and by name, the process that
 *     makes a product, codes by id.
 *
 * Ingest files what arrives, the planner names outputs, the runner
 * places and verifies what codes write, check and move-product walk the
 * archive: all ask the same catalog, so a file is named, placed and
 * recognised by one set of rules, and one command reads the mission's
 * tables once.  Nothing in it changes after catalog_load; engines and
 * views take a const struct catalog *.  What changes while a command
 * runs (an inspector's failures) lives in the engine that uses it
 * (identify_set_new over the catalog's products and templates).
 *
 *   struct catalog cat;
 *
 *   if (catalog_load(db, &cat))
 *           ... reported ...
 *   ... cat.mission->rootdir, catalog_product(&cat, id), cat.archive ...
 *   catalog_release(&cat);
 */
#ifndef CASCADE_CATALOG_H
#define CASCADE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "config.h"
#include "model.h"
#include "strbuf.h"

struct archive;
struct db;
struct fnformat;
struct identify_set;

struct catalog {
	const struct config *cfg;	 /* the mission's tables */
	const struct mission *mission;	 /* &cfg->mission */
	const struct run_settings *run;	 /* &cfg->run */
	const struct product *products;	 /* cfg->products, by id */
	size_t n_products;
	const struct process *processes; /* cfg->processes, by id */
	size_t n_processes;
	struct fnformat **formats;	 /* products[i]'s filename template */
	struct archive *archive;	 /* rootdir and relative_path rules */
	/* private: what cfg points at, and the maps behind the lookups */
	struct config *own;
	const struct product **product_by_name; /* sorted by name */
	const struct process **process_by_name;
	const struct process **maker;	 /* per product index, or NULL */
	const struct code **codes;	 /* every code, by id */
	size_t n_codes;
	bool *feeds; /* [a * n_products + b]: a's files lead to b's */
};

/*
 * catalog_load: the database's mission (store_config_load), its
 * templates and archive rules compiled.  Returns 0; CATALOG_NO_MISSION
 * when the database has none ("database "x" has no mission", with a
 * hint); or -1 (a negative enum db_status for database errors); errors
 * reported and *c empty.
 */
#define CATALOG_NO_MISSION 1
int catalog_load(struct db *db, struct catalog *c) CASCADE_MUSTCHECK;

/*
 * catalog_from_config: the same for a config the caller has (the
 * catalog takes it over: catalog_release frees it, also on failure).
 */
int catalog_from_config(struct config *cfg, struct catalog *c)
	CASCADE_MUSTCHECK;

void catalog_release(struct catalog *c);

/*
 * catalog_identify: a new identify set (identify.h) over c's products
 * and templates, which holds what one engine learns of the inspectors;
 * free it with identify_set_free, after identify_report_failures.
 */
struct identify_set *catalog_identify(const struct catalog *c);

/* catalog_product_index: the index of product id in c->products, or -1. */
long catalog_product_index(const struct catalog *c, int id);

/* Lookups; NULL when there is none.  Pointers live as long as c. */
const struct product *catalog_product(const struct catalog *c, int id);
const struct product *catalog_product_named(const struct catalog *c,
					    const char *name);
const struct process *catalog_process(const struct catalog *c, int id);
const struct process *catalog_process_named(const struct catalog *c,
					    const char *name);
/* catalog_maker: the process whose output product_id is, or NULL. */
const struct process *catalog_maker(const struct catalog *c, int product_id);
const struct code *catalog_code(const struct catalog *c, int id);

/*
 * catalog_feeds: whether files of product from_id lead, through one
 * process or a chain of them, to files of product to_id (a product feeds
 * itself only through a cycle).  False for unknown ids.
 */
bool catalog_feeds(const struct catalog *c, int from_id, int to_id);

/*
 * catalog_input_text: process proc's input of product_id in words,
 * appended to sb: "input product \"x\"", or for a product of an input
 * group "input group (one_of: a, b)", its products by preference.
 */
void catalog_input_text(const struct catalog *c, const struct process *proc,
			int product_id, struct strbuf *sb);

#endif
