/*
 * store-queue.h - putting files on the processing queue on purpose
 * (reprocess, new code versions), process lookup.
 */
#ifndef CASCADE_STORE_QUEUE_H
#define CASCADE_STORE_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"

struct db;

/* store_process_id: a process by name or id; *id 0 if there is none. */
int store_process_id(struct db *db, const char *name, int *id)
	CASCADE_MUSTCHECK;

/* What to queue: exactly one selector; dates optional (YYYY-MM-DD). */
struct store_requeue {
	const char *product;    /* name or id */
	const char *instrument; /* name or id */
	const char *code;       /* "PROCESS" or "PROCESS:I.Q.R": its inputs */
	bool all;
	const char *from, *to;
	int version_bump;       /* -1 none, else 0..2 */
	const char *reason;     /* recorded on the queue entry, or NULL */
};

/*
 * store_requeue: queue the newest on-disk files selected (a file already
 * queued stays, and gets the forced bump, which dbprocessing failed to
 * do).  Returns 0 with *queued (files newly queued) and *already (files
 * selected that were in the queue already) set, 1 when the selector
 * names nothing (reported), or a negative db_status (reported).
 */
int store_requeue(struct db *db, const struct store_requeue *rq,
		  int64_t run_id, long *queued, long *already)
	CASCADE_MUSTCHECK;

#endif
