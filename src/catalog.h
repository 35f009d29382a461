/*
 * catalog.h - the mission's products as a run uses them: loaded once,
 * with what places their files in the archive (archive.h) and what
 * identifies a file as one of them (identify.h).
 *
 * Ingest files what arrives, the runner places and verifies what codes
 * write; both ask the same catalog, so a file is named, placed and
 * recognised by one set of rules.  Strings and the compiled templates
 * live as long as the catalog.
 *
 *   struct catalog cat;
 *
 *   if (catalog_load(db, &mission, &cat))
 *           ... reported ...
 *   ... catalog_find(&cat, id), cat.archive, cat.ids ...
 *   catalog_release(&cat);
 */
#ifndef CASCADE_CATALOG_H
#define CASCADE_CATALOG_H

#include <stddef.h>

#include "compat.h"
#include "store.h"

struct archive;
struct identify_product;
struct identify_set;
struct db;

struct catalog {
	struct store_product *products; /* by id */
	size_t n;
	struct archive *archive;	/* rootdir and relative_path rules */
	struct identify_product *idp;	/* products[i] as identify sees it */
	struct identify_set *ids;	/* every product's matcher */
};

/*
 * catalog_load: the products of mission m (store_products_load), their
 * archive rules and matchers.  Returns 0, or -1 (a negative enum
 * db_status for database errors) with the error reported and *c empty.
 */
int catalog_load(struct db *db, const struct store_mission *m,
		 struct catalog *c) CASCADE_MUSTCHECK;
/*
 * catalog_release: free c; first, the run's inspector failures are
 * logged (identify_report_failures), one line per failing inspector.
 */
void catalog_release(struct catalog *c);

/* catalog_find: the index of product id in c->products, or -1. */
long catalog_find(const struct catalog *c, int id);

#endif
