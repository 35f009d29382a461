/*
 * store-orbit.h - the orbit table (migration 0014): loading a checked
 * list of orbits into it, and reading it back.
 */
#ifndef CASCADE_STORE_ORBIT_H
#define CASCADE_STORE_ORBIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "orbit.h"

struct db;

/* An orbit as stored. */
struct so_orbit {
	int64_t number;
	int64_t start; /* microseconds since 1970, UTC */
	int64_t stop;  /* excluded */
	char *source;  /* "FILE:LINE" it was loaded from, or NULL */
};

/*
 * Two orbits next to each other by number whose times would not be in
 * order (the second starts before the first stops) after a load: a is
 * the lower number.
 */
struct so_conflict {
	struct so_orbit a, b;
};

/* What a load did: counts and the orbits it replaced (as they were); or
 * the conflicts it would leave, and it did nothing. */
struct so_load {
	long added, replaced, unchanged;
	struct so_orbit *old;  /* the replaced orbits before the load */
	size_t n_old;
	struct so_conflict *conflicts; /* at most 21 */
	size_t n_conflicts;
	long queued;     /* files queued: their orbits were added or moved */
	long renumbered; /* files of ORBIT products given another orbit */
	long kept;       /* files whose new orbit holds that version already */
};
#define SO_LOAD_INIT {0, 0, 0, NULL, 0, NULL, 0, 0, 0, 0}
void so_load_release(struct so_load *r);

/*
 * store_orbits_load: inside the caller's transaction, check that the
 * orbits of l (sorted by number, each line's source "name:LINE") keep
 * the table in order with the stored ones they do not replace: if not,
 * *r gets the pairs of orbits next to each other by number that would
 * be out of order (at most 21) and nothing is written.  Else insert
 * them, replacing the stored orbit of the same number when its times
 * differ, and fill *r: how many were added, replaced and already so,
 * and the replaced ones as they were.  An orbit added or moved changes
 * which keys of ORBIT processes the files of its old and new interval
 * feed: the newest of them of the products ORBIT processes read are
 * queued (reason "orbits loaded from NAME"), and the files of ORBIT
 * products that took their orbit from the table (no {ORBIT} in their
 * format) get the orbit now holding their start, unless it holds that
 * version of theirs already (*r counts both, and those kept).
 */
int store_orbits_load(struct db *db, const struct orbit_list *l,
		      const char *name, struct so_load *r) CASCADE_MUSTCHECK;

/*
 * store_orbits_list: the stored orbits that overlap [from, to) (INT64_MIN
 * and INT64_MAX: all), by number (*out, *n; free with
 * store_orbits_free).
 */
int store_orbits_list(struct db *db, int64_t from, int64_t to,
		      struct so_orbit **out, size_t *n) CASCADE_MUSTCHECK;
void store_orbits_free(struct so_orbit *o, size_t n);

/*
 * store_orbits_lock: inside the caller's transaction, the lock that keeps
 * an orbit load (exclusive) from committing between an ingest's reading
 * of the orbits of its files and its insert of them (shared), so that no
 * file is inserted with a number a load has since moved.
 */
int store_orbits_lock(struct db *db, bool shared) CASCADE_MUSTCHECK;

/*
 * store_orbits_at: for each of n files, its orbit: given[i] when that is
 * not -1 (the file said it), else the stored orbit containing the
 * instant t[i] (start <= t < stop); into number[i] (-1: no orbit holds
 * t[i]) and stop[i], that orbit's stop (INT64_MIN: not in the table).
 * One query.
 */
int store_orbits_at(struct db *db, const int64_t *t, const int64_t *given,
		    size_t n, int64_t *number, int64_t *stop)
	CASCADE_MUSTCHECK;

#endif
