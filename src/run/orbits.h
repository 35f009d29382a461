/*
 * orbits.h - "cascade orbits load": an orbits file (orbit.h) into the
 * orbit table (store-orbit.h), whole or not at all.
 */
#ifndef CASCADE_ORBITS_H
#define CASCADE_ORBITS_H

#include <stdbool.h>

#include "compat.h"
#include "store-orbit.h"

struct db;

/* the largest orbits file read (an orbit a line: millions of orbits) */
#define ORBITS_MAX_FILE_SIZE (256L * 1024 * 1024)

enum orbits_load_status {
	ORBITS_LOADED = 0,   /* loaded (or, dry run, would load) */
	ORBITS_BAD = 1,      /* the file, or the table with it, is refused:
				every problem reported, nothing changed */
	ORBITS_DB_ERR = -1,  /* the database failed (reported) */
};

/*
 * orbits_load: read the orbits file at path, check it (orbit_parse), and
 * in one transaction add its orbits to the table, replacing those of the
 * same number whose times differ, unless the table would then hold
 * orbits out of order (each pair named, with the file's line or the
 * source of the stored one).  dry_run checks everything and changes
 * nothing.  *r gets the counts and the orbits replaced as they were
 * (release with so_load_release).
 */
enum orbits_load_status orbits_load(struct db *db, const char *path,
				    bool dry_run, struct so_load *r);

#endif
