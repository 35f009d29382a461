/*
 * store.h - typed access to cascade's tables.
 *
 * The store-*.c files own the SQL of their tables and turn rows into the
 * plain structs the rest of cascade works on; no caller sees a result
 * set.  Every function reports its own errors and returns 0 or a negative
 * enum db_status (DB_ERR_CONN means: abort the run).
 */
#ifndef CASCADE_STORE_H
#define CASCADE_STORE_H

#include <stdbool.h>
#include <stdio.h>

#include "compat.h"
#include "strbuf.h"

struct config;
struct db;
struct ctx_mission;

/*
 * store_mission_get: the database's mission (cascade keeps one per
 * database).  *found false when there is none; more than one is an error.
 * Strings in *m are the caller's (free with store_mission_release).
 */
int store_mission_get(struct db *db, struct ctx_mission *m, bool *found)
	CASCADE_MUSTCHECK;
void store_mission_release(struct ctx_mission *m);

/*
 * store_config_load: read the whole mission configuration back from the
 * database as a struct config (caller frees with config_free).  *out is
 * NULL when the database has no mission.
 */
int store_config_load(struct db *db, struct config **out) CASCADE_MUSTCHECK;

/* What config apply did or would do. */
struct store_apply_report {
	int added;
	int changed;
	int removed;
	int kept; /* in the database, not in the file, kept (has data) */
	struct strbuf lines; /* one "+ ...", "~ ..." or "- ..." line each */
};
#define STORE_APPLY_REPORT_INIT {0, 0, 0, 0, STRBUF_INIT}
void store_apply_report_release(struct store_apply_report *r);

/*
 * store_config_apply: inside the caller's transaction, make the database
 * match cfg: add and update the mission, satellites, instruments,
 * products, inspectors, processes, inputs and codes; remove inputs that
 * left the file; deactivate codes that left it; remove products and
 * processes that left it unless files or builds refer to them (then they
 * are kept and reported).  Fills *report.  A database holding a
 * different mission is refused.  Returns 0 or negative (reported).
 */
int store_config_apply(struct db *db, const struct config *cfg,
		       struct store_apply_report *report) CASCADE_MUSTCHECK;

#endif
