/*
 * store-reuse.h - reuse by content in the database: the content keys of
 * dispatched builds (build.content_key) and the earlier successful
 * builds of equal keys whose output is still in the archive; a reused
 * build's "recording" (build.reused_from_build_id).
 *
 * The keys are computed by reuse-rules.c; what a match is worth (its
 * file still there, with the bytes recorded) is the runner's to check
 * (runner-reuse.c).  Every function reports its own errors and returns
 * 0 or a negative enum db_status.
 */
#ifndef CASCADE_STORE_REUSE_H
#define CASCADE_STORE_REUSE_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "strvec.h"
#include "version.h"

struct db;

/* An earlier build whose output a dispatched build may take. */
struct su_match {
	int64_t build_id;   /* the dispatched build */
	int64_t from_build; /* the earlier successful build of equal key */
	int64_t file_id;    /* its output, on disk as far as the row says */
	int product_id;
	char *filename;
	int32_t date;
	int64_t start_usec; /* utc_start_time */
	struct version version;
	char *keywords;     /* "" for none */
	char *sha1, *sha256; /* as recorded; NULL: not */
};

void store_su_matches_free(struct su_match *m, size_t n);

/*
 * store_reuse_keys: in one statement, the content keys keys[i] of the
 * queued builds ids[i] (i < n) are stored, and for each of them the
 * newest other successful build of its process with the same key whose
 * output file is a file of the process's output product with
 * exists_on_disk is returned (*out, *nout, ordered by build_id; none
 * for a build without such a build).
 */
int store_reuse_keys(struct db *db, const int64_t *ids,
		     const char *const *keys, size_t n, struct su_match **out,
		     size_t *nout) CASCADE_MUSTCHECK;

/* What a reused build's "recording" records. */
struct su_reuse {
	int64_t build_id;
	int64_t from_build; /* whose output it takes */
	int64_t run_id;
	const char *host;
	const struct strvec *argv; /* the command line it did not run */
	const char *work_dir;      /* where its output waits */
};

/*
 * store_build_reused: queued -> recording without running: attempt+1,
 * started and ended now, reused_from_build_id, host, argv, work dir (the
 * journal of its placement, as a run's "recording" is), and the batch's
 * bookkeeping as when a build starts.  An error if it was no longer
 * queued.
 */
int store_build_reused(struct db *db, const struct su_reuse *u)
	CASCADE_MUSTCHECK;

#endif
