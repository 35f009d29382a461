/*
 * store-status.h - what operators' tools read (and the little they
 * write): runs (logging), builds with their inputs and code, batches,
 * failures, the queue, per-process statistics; and resolving and
 * retrying failures.
 *
 * Read functions return plain structs whose strings are the caller's
 * (free with the matching ss_*_free or ss_*_release).  Timestamps are
 * UTC text "YYYY-MM-DDTHH:MM:SSZ" (NULL when the column is NULL); nullable
 * integers are SS_NULL, nullable doubles NaN.  Every function reports
 * its own errors and returns 0 or a negative enum db_status
 * (DB_ERR_CONN: the connection is gone).
 *
 * Nothing here prints: status.c formats these structs.
 */
#ifndef CASCADE_STORE_STATUS_H
#define CASCADE_STORE_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "state.h"
#include "store-why.h"
#include "strvec.h"

struct db;

/* The value of a NULL integer column. */
#define SS_NULL INT64_MIN

/* A run: one logging row. */
struct ss_run {
	int64_t id;
	char *command;
	char *user;
	char *hostname;
	int64_t pid;         /* SS_NULL if unknown */
	enum run_state status;
	int64_t exit_status; /* SS_NULL while running or if not recorded */
	bool current;        /* holds the processing flag */
	char *started;
	char *ended;         /* NULL while running */
	double duration_s;   /* so far, while running */
	char *comment;       /* NULL if none */
	int64_t files_ingested, files_duplicate, files_rejected;
	int64_t builds_ok, builds_failed, builds_skipped;
	int64_t builds_reused; /* of its builds, those that took an earlier
				  build's output instead of running */
};
void ss_runs_free(struct ss_run *r, size_t n);

/* Which runs to list; NULL/empty members do not filter. */
struct ss_run_filter {
	int limit;                     /* 0: all */
	const char *since;             /* timestamp: started at or after */
	const char *until;             /* timestamp: started before */
	const char *command;           /* exact command name */
	const struct strvec *statuses; /* any of these */
	bool worked;                   /* only runs that ingested or built */
};

/* store_runs_list: runs, newest first. */
int store_runs_list(struct db *db, const struct ss_run_filter *f,
		    struct ss_run **out, size_t *n) CASCADE_MUSTCHECK;

/* An input file of a build (a file row, or a dangling id). */
struct ss_input {
	int64_t file_id;
	bool exists;         /* false: the file row is gone */
	char *filename;
	char *product;
	char *version;
	char *utc_file_date;
};

/*
 * A build.  The fields after "detail" are filled by store_build_get and
 * store_builds_list, argv, inputs and reasons by store_builds_list only
 * with provenance (and reasons for the running builds of
 * store_status_read).
 */
struct ss_build {
	int64_t id;
	int64_t batch_id, logging_id; /* SS_NULL if none */
	char *process;
	char *product;       /* output product; NULL for RUN processes */
	char *output_key;
	char *utc_file_date;
	enum build_state status;
	int64_t attempt;
	int64_t exit_code, term_signal, pid, max_rss_kb; /* SS_NULL if NULL */
	char *reason;
	char *hostname;
	char *log_path;
	char *queued, *started, *ended;
	double duration_s;   /* so far, while running; NaN if not started */
	double cpu_user_s, cpu_sys_s;
	int64_t n_inputs;
	char *code_version;  /* NULL if no code */
	int64_t code_id;
	char *slurm_job_id;  /* the Slurm job that runs it; NULL: local */
	char *node;          /* the node it ran on (Slurm); NULL: unknown */
	int64_t reused_from; /* took build N's output (no code ran), or
				SS_NULL */
	/*
	 * filled by the caller from Slurm (cascade status), "" if not
	 * known: its job's state (PENDING, RUNNING...), why it waits, and
	 * the node it runs on
	 */
	char slurm_state[32];
	char slurm_reason[128];
	char slurm_node[64];
	/* detail */
	char *code_path;
	char *code_filename;
	char *code_sha256;
	char *output_filename;
	char *output_version;
	int64_t output_file_id;
	int64_t version_bump;
	char *cache_key;
	char *content_key;   /* reuse by content's key, or NULL */
	struct strvec argv;
	bool have_argv;
	struct ss_input *inputs;
	size_t n_input_rows;
	struct sw_reason *reasons; /* why it was planned (store-why.h) */
	size_t n_reasons;
};
void ss_builds_free(struct ss_build *b, size_t n);

struct ss_build_filter {
	int limit;                   /* 0: all */
	const char *process;         /* name */
	const char *product;         /* output product name */
	const char *from, *to;       /* timestamps: started (or queued) in [from, to) */
	const struct strvec *states; /* any of these */
	bool provenance;             /* read argv and inputs too */
};

/*
 * store_builds_list: builds, newest first, with their detail fields;
 * argv and inputs with f->provenance (two more queries for them all).
 */
int store_builds_list(struct db *db, const struct ss_build_filter *f,
		      struct ss_build **out, size_t *n) CASCADE_MUSTCHECK;

/*
 * store_build_get: one build with every detail: argv, inputs (in build
 * order, joined with file and product), code path and SHA-256, its
 * reasons.  *out is NULL when no build has that id.
 */
int store_build_get(struct db *db, int64_t id, struct ss_build **out)
	CASCADE_MUSTCHECK;

/* A batch. */
struct ss_batch {
	int64_t id;
	int64_t logging_id, pid; /* SS_NULL if none */
	char *kind;
	enum batch_state state;
	char *hostname;
	int64_t size, done_count;  /* its builds, those ended for good */
	int64_t succeeded, failed; /* of those ended */
	int64_t reused;            /* of those, took an earlier build's output */
	int64_t attempts;
	char *first_key, *last_key;
	char *summary;
	char *process; /* the process of its builds, or NULL */
	char *created, *started, *ended;
};
void ss_batches_free(struct ss_batch *b, size_t n);

/* A failure kept for people. */
struct ss_failure {
	int64_t id;
	int64_t logging_id, build_id, batch_id; /* SS_NULL if none */
	char *group;      /* the build's process, "batch" or "ingest" */
	char *output_key; /* the build's key, or NULL */
	char *filename;   /* ingest rejects: the incoming name */
	char *kind;
	char *reason;
	char *stderr_tail;
	char *occurred;
	bool resolved;
	char *resolved_at, *resolved_by, *note;
	char *error_path; /* ingest rejects: the file in the error directory */
};
void ss_failures_free(struct ss_failure *f, size_t n);

struct ss_failure_filter {
	bool all;            /* resolved ones too */
	const char *kind;
	const char *group;   /* process name, "batch" or "ingest" */
	const int64_t *ids;  /* only these (n_ids > 0) */
	size_t n_ids;
	int64_t build_id;    /* only this build's (0: any) */
	bool for_update;     /* lock the rows (inside a transaction) */
};

/* store_failures_list: failures ordered by group, kind and id. */
int store_failures_list(struct db *db, const struct ss_failure_filter *f,
			struct ss_failure **out, size_t *n) CASCADE_MUSTCHECK;

/*
 * store_failures_resolve: mark the unresolved ones among ids resolved
 * (now, by, note), inside the caller's transaction.  *changed gets how
 * many were.
 */
int store_failures_resolve(struct db *db, const int64_t *ids, size_t n,
			   const char *by, const char *note, long *changed)
	CASCADE_MUSTCHECK;

/* What store_failures_retry did. */
struct ss_retry_counts {
	long failures;  /* failures marked resolved ("retried") */
	long queued;    /* input files queued (not already in the queue) */
	long cancelled; /* bad or failed builds cancelled */
	long batches;   /* bad or failed batches cancelled */
};

/*
 * store_failures_retry: inside the caller's transaction, for the
 * unresolved build and batch failures among ids: queue the input files of
 * their builds (for a batch failure, of the batch's builds that did not
 * succeed), cancel the bad and failed builds of those builds' (process,
 * output key), cancel a bad or failed batch, and mark the failures
 * resolved by `by` with the note "retried".  Ingest rejects among ids are
 * left alone.  One statement.
 */
int store_failures_retry(struct db *db, const int64_t *ids, size_t n,
			 int64_t run_id, const char *by,
			 struct ss_retry_counts *c) CASCADE_MUSTCHECK;

/* store_name_exists: is there a process (product) named name? */
enum ss_name_kind { SS_PROCESS, SS_PRODUCT };
int store_name_exists(struct db *db, enum ss_name_kind kind, const char *name,
		      bool *exists) CASCADE_MUSTCHECK;

/* The inspector view. */
struct ss_count {
	char *name;
	char *kind;      /* failures: the kind; else NULL */
	int64_t count;
	char *oldest;    /* queue: oldest queued_at; failures: oldest occurred */
};

struct ss_status {
	char *now;                  /* the server's time */
	int64_t queue_total;
	struct ss_count *queue;     /* by product */
	size_t n_queue;
	/* the oldest queue entry (queue_total > 0) */
	int64_t oldest_file_id;
	char *oldest_filename, *oldest_product, *oldest_queued;
	struct ss_count *build_states; /* by build.status, in lifecycle order */
	size_t n_build_states;
	int64_t builds_reused;      /* succeeded by taking an earlier
				       build's output (no code ran) */
	struct ss_build *running;   /* builds running or recording */
	size_t n_running;
	struct ss_run *runs;        /* running runs, then the recent ones */
	size_t n_runs;
	struct ss_batch *batches;   /* open batches, then the recent ones */
	size_t n_batches;
	int64_t failures_total;     /* unresolved */
	struct ss_count *failures;  /* unresolved, by group and kind */
	size_t n_failures;
};
#define SS_STATUS_INIT {0}
void ss_status_release(struct ss_status *s);

/*
 * store_status_read: everything "cascade status" shows, read in one
 * REPEATABLE READ transaction so that the parts agree; recent is how
 * many finished runs and closed batches to include.
 */
int store_status_read(struct db *db, int recent, struct ss_status *s)
	CASCADE_MUSTCHECK;

/* Per-process statistics over a period. */
struct ss_process_stats {
	char *process;
	char *product;     /* output product, NULL for RUN */
	int64_t builds, ok, failed, bad, open, cancelled;
	double min_s, mean_s, max_s, total_s; /* NaN when no finished build */
	double cpu_s;                         /* NaN when none recorded */
	int64_t max_rss_kb;                   /* SS_NULL when none */
};

struct ss_stats {
	struct ss_process_stats *procs;
	size_t n_procs;
	int64_t runs, runs_worked;
	int64_t files_ingested, files_duplicate, files_rejected;
	int64_t builds_ok, builds_failed, builds_skipped;
};
#define SS_STATS_INIT {0}
void ss_stats_release(struct ss_stats *s);

/*
 * store_stats_read: per process (ordered by output level, then name),
 * the builds that started in [from, to) (NULL: unbounded; with neither,
 * every build, started or not), and the run totals of the runs that
 * started in the period.
 */
int store_stats_read(struct db *db, const char *from, const char *to,
		     struct ss_stats *s) CASCADE_MUSTCHECK;

#endif
