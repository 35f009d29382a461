/*
 * runner-int.h - what the runner's files share (not for other modules).
 *
 *   runner.c          the run loop: prepare, start, wait, refill; exits
 *   runner-record.c   a code's end: decide (verify its output, or fail
 *                     it), then record it and archive its output
 *   runner-recover.c  what a dead controller left: adopt, record, requeue
 *   runner-eta.c      the progress line and its ETA
 *
 * The life of a job (one attempt of one build) is runner.h's state
 * machine; here are its C sides.
 */
#ifndef CASCADE_RUNNER_INT_H
#define CASCADE_RUNNER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "executor.h"
#include "place.h"
#include "runner.h"
#include "runner-rules.h"
#include "sha.h"
#include "store-run.h"
#include "strbuf.h"
#include "strvec.h"

struct db;
struct catalog;
struct identify_set;
struct identify_result;
struct mission;

/*
 * the Slurm settings of a set of processes (their merged executor
 * mappings alike): the jobs of their builds are asked for with them
 */
struct slurm_profile {
	struct exec_slurm_options o;
	struct strvec extra;
	char *partition, *account, *work_dir, *sbatch_options;
	int time_limit_s, cpus;
};

struct code_check {
	int code_id;
	int ok; /* 1 ok, 0 refused */
	char reason[512];
	char sha256[SHA256_HEX_LEN]; /* the file's, when ok */
};

struct su_match;

/* an output linked into the archive, awaiting one sync and commit */
struct pending {
	int64_t build_id;
	struct sr_output out;
	char *filename, *keywords, *provenance, *work_dir;
	char sha1[SHA1_HEX_LEN], sha256[SHA256_HEX_LEN];
	bool run; /* RUN: no output */
	const char *process_name;
};

/* One attempt of one build: prepared, running, or ended. */
struct job {
	struct sr_build *b;	 /* borrowed from a fetched array */
	struct job *next_active; /* runner_run's list, or the adopted */
	struct exec_build eb;	 /* as the executor runs it */
	struct executor *ex;	 /* which: the run's local or Slurm one */
	int log_fd;
	char *log_path;
	char *status_path;	   /* where its supervisor keeps a result */
	char *work_dir;
	char *provenance;	   /* its command line */
	char *keywords;		   /* its inputs' process keywords */
	bool keep_dir;		   /* its output waits there for a run */
	bool foreign_dir;	   /* a dead run's directory: removed after */
	struct sr_outcome outcome; /* of a success, until it is recorded */
	/* its output as verified when its code ended (NULL: not known) */
	struct identify_result *verified;
};

struct runner {
	struct db *db;
	const struct catalog *cat;  /* products, archive rules, templates */
	const struct mission *m;    /* cat->mission */
	struct runner_options opt;
	struct identify_set *ids;   /* verifies outputs; this run's inspectors */
	struct code_check *codes;
	size_t n_codes, alloc_codes;
	struct strbuf host;
	long seen; /* builds considered, for sample mode */
	struct pending *pending;
	size_t n_pending, alloc_pending;
	/* the pending outputs' placement: synced and committed by flush */
	struct place_batch placed;
	/*
	 * Work directories are reused (emptied, not removed): creating and
	 * removing a directory per build costs more than the build itself
	 * on ext4.  free_dirs holds the empty ones; next_dir names new ones.
	 */
	struct strvec free_dirs;
	int next_dir;
	bool dirs_made; /* logs and status directories exist */
	/* the next build, prepared while codes run (see prepare_next) */
	struct job *ready;
	/*
	 * where codes run, for the whole run (local: the slots, and a
	 * supervisor that lives as long)
	 */
	struct executor *ex;
	/*
	 * the Slurm executor, made at the first build of a process whose
	 * executor is slurm (the mission's settings), its options' strings;
	 * the settings of the processes' jobs (a build's exec_build.slurm
	 * points into them)
	 */
	struct executor *slurm;
	struct strvec slurm_extra;
	char *slurm_work;
	char slurm_tag[32];
	struct slurm_profile **profiles;
	size_t n_profiles, alloc_profiles;
	/* Slurm builds prepared, submitted together (one group job each) */
	struct job **to_submit;
	size_t n_submit, alloc_submit;
	/*
	 * fetched arrays of builds that jobs still point into when the
	 * round that fetched them ends: Slurm builds a run that submits
	 * and returns leaves running (freed by runner_free)
	 */
	struct kept_builds {
		struct sr_build *b;
		size_t n;
	} *kept;
	size_t n_kept, alloc_kept;
	/* the jobs the executors have (started, or adopted from a dead run) */
	struct job *active;
	/* where our supervisor writes its own messages */
	struct strbuf sup_log;
	/* our supervisor as recorded in our logging row (0: none yet) */
	pid_t sup_pid;
	int64_t sup_start;
	/* children let go while they ran (an error exit) */
	bool detached;
	/* what recovery fetched (running and recording builds) */
	struct sr_build *open;
	size_t n_open;
	/* the file system refused something: start nothing more */
	bool env_stop;
	/*
	 * per process, its open builds (queued or running: as the database
	 * had them when last read, less those ended for good since) and
	 * its mean run time, for the progress figures; read only when they
	 * are shown (a terminal, or SIGUSR1)
	 */
	struct runner_eta_proc *eta;
	size_t n_eta;
	/* "run", or "record" while outputs are synced and recorded */
	const char *stage;
	/* the input files of the fetched builds, sorted by id */
	struct sr_file *files;
	size_t n_files;
	/*
	 * the fetched builds that may take an earlier build's output
	 * (runner-reuse.c), sorted by build id
	 */
	struct su_match *reuse;
	size_t n_reuse;
};

/* runner.c */
/*
 * runner_output_start: the first instant of build b's key: its hour or
 * orbit, else the start of its date (the recorded start of an output no
 * inspector describes, and what its archive path is formatted with)
 */
int64_t runner_output_start(const struct sr_build *b);
int runner_file_path(const struct runner *r, int product_id, int32_t date,
		     int64_t start_usec, const struct version *v,
		     const char *kw, const char *name, struct strbuf *out)
	CASCADE_MUSTCHECK;
int runner_prefetch_inputs(struct runner *r, const struct sr_build *b,
			   size_t n) CASCADE_MUSTCHECK;
int runner_build_argv(struct runner *r, const struct sr_build *b,
		      const char *work_dir, struct strvec *argv,
		      char **keywords) CASCADE_MUSTCHECK;
void runner_job_paths(const struct runner *r, int64_t build_id, int attempt,
		      char **log_path, char **status_path);
int runner_make_dirs(struct runner *r) CASCADE_MUSTCHECK;
void runner_job_free(struct runner *r, struct job *j);
void runner_join_argv(const struct strvec *argv, struct strbuf *sb);
/*
 * where build b runs (its process's executor), e's memory and Slurm
 * settings set from its process's
 */
struct executor *runner_executor_of(struct runner *r, const struct sr_build *b,
				    struct exec_build *e);
/* the run's Slurm executor, made with the mission's settings if need be */
struct executor *runner_slurm(struct runner *r);
/*
 * runner_code_sha256: the SHA-256 of build b's code file as checked for
 * running it (check_code: registered on first use, cached for the run),
 * into *sha256 (borrowed from the runner, until the next code is
 * checked); NULL when the code is refused
 * (its build fails when prepared, saying why).  0, or -1 (database).
 */
int runner_code_sha256(struct runner *r, const struct sr_build *b,
		       const char **sha256) CASCADE_MUSTCHECK;
/* runner_take_dir: an empty work directory (NULL: env_stop, reported) */
char *runner_take_dir(struct runner *r);
/* runner_give_dir: a build is done with dir: emptied for the next */
void runner_give_dir(struct runner *r, const char *dir);

/* runner-reuse.c */
/*
 * runner_reuse_find: the content keys of the fetched builds b[0..n) of
 * processes declared "reuse: content" are computed and stored, and the
 * earlier successful builds of equal keys looked up, in one statement
 * (r->reuse).  Nothing in a sample.  0, or <0.
 */
int runner_reuse_find(struct runner *r, const struct sr_build *b, size_t n)
	CASCADE_MUSTCHECK;
/*
 * runner_reuse_try: build b takes an earlier build's output instead of
 * running, if r->reuse has one for it and that output is still in the
 * archive with the bytes recorded (else said at INFO, and it runs): the
 * output is placed in a work directory under b's name (place.h), b
 * becomes "recording" (its journal, as a run's), then it is archived
 * and queued for runner_flush as a run's output.  1 reused, 0 it runs,
 * RUNNER_ENV, or <0.
 */
int runner_reuse_try(struct runner *r, struct sr_build *b,
		     struct runner_counts *cnt) CASCADE_MUSTCHECK;
/*
 * runner_reuse_would: for dry runs, what runner_reuse_try would do with
 * b, asked the same way (r->reuse, the earlier output still intact),
 * said in sb (one line without its newline: "would reuse build N ...",
 * or why a match would not be reused; nothing if b has none) without
 * doing it.  1 it would be reused, 0 it would run, or <0.
 */
int runner_reuse_would(struct runner *r, const struct sr_build *b,
		       struct strbuf *sb) CASCADE_MUSTCHECK;
/* runner_reuse_release: forget r->reuse */
void runner_reuse_release(struct runner *r);

/* runner-record.c */
/* what became of an ended job, for its caller */
enum job_end {
	JOB_RECORDED,	/* its failure (or lost start) is recorded */
	JOB_ARCHIVE,	/* a success: record "recording", then archive */
	JOB_REQUEUE,	/* not the code's doing (stopped, environment): queue
			   it again, the attempt given back */
};
int runner_decide(struct runner *r, struct job *j, struct runner_counts *cnt,
		  enum job_end *end) CASCADE_MUSTCHECK;
int runner_fail_build(struct runner *r, const struct sr_build *b,
		      enum build_state status, const char *kind,
		      const char *reason,
		      const char *tail, const struct sr_outcome *o, bool final,
		      struct runner_counts *cnt) CASCADE_MUSTCHECK;
int runner_record_output(struct runner *r, const struct sr_build *b,
			 const char *work_dir, bool remove_dir,
			 const char *provenance, const char *keywords,
			 const struct identify_result *verified,
			 struct runner_counts *cnt) CASCADE_MUSTCHECK;
int runner_flush(struct runner *r, struct runner_counts *cnt)
	CASCADE_MUSTCHECK;
void runner_pending_release(struct pending *p);
void runner_placed_init(struct runner *r);
int runner_env_error(struct runner *r, const char *fmt, ...)
	CASCADE_PRINTF(2, 3);
bool runner_env_errno(int e);

/* runner-eta.c */
void runner_eta_refresh(struct runner *r, bool force);
/* a build of process_id succeeded in wall_s seconds (for the means) */
void runner_eta_observe(struct runner *r, int process_id, double wall_s);
/* a build of process_id ended for good (succeeded, failed, or bad) */
void runner_eta_ended(struct runner *r, int process_id);
struct runner_figures runner_figures(const struct runner *r,
				     const struct runner_counts *cnt);
void runner_progress_text(const struct runner *r,
			  const struct runner_counts *cnt, struct strbuf *out);
void runner_show_progress(struct runner *r, const struct runner_counts *cnt);
/*
 * runner_stage: the run is now at stage ("run", "record"); the line is
 * redrawn at once when the stage changes
 */
void runner_stage(struct runner *r, const struct runner_counts *cnt,
		  const char *stage);
/* SIGUSR1: the progress line's text, logged at WARNING, and redrawn */
void runner_report(struct runner *r, const struct runner_counts *cnt);

#endif
