/*
 * cmd.h - the command layer: dispatch table, option tables, run context.
 *
 * Each subcommand lives in its own cmd-<name>.c, exports one
 * "int cmd_<name>(struct ctx *, int argc, char **argv)" and does three
 * things: parse its options from one table (opt_parse, which also
 * generates --help), call ctx_setup() with the flags saying what it needs
 * (database, current schema, the catalog, the processing flag), and call
 * the modules that do the work, mapping their result to an exit status.
 * Only cmd-*.c and status.c write to stdout.
 */
#ifndef CASCADE_CMD_H
#define CASCADE_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "compat.h"
#include "lock.h"
#include "store.h"

struct config;
struct db;

/* Exit statuses: stable, documented in cascade(1). */
enum exit_status {
	EXIT_OK = 0,
	EXIT_FAILED = 1,  /* some work failed (a build, a reject) */
	EXIT_USAGE = 2,   /* usage or configuration error */
	EXIT_LOCKED = 3,  /* the processing flag is held by a live controller */
	EXIT_DB = 4,      /* database unreachable or connection lost */
	EXIT_SCHEMA = 5,  /* schema missing, older or newer than this binary */
	EXIT_INTERNAL = 6,/* an unexpected internal or system error */
	EXIT_ENV = 7,     /* the file system refused: full, read-only, denied */
};

enum ctx_flags {
	CTX_DB = 1 << 0,      /* connect */
	CTX_SCHEMA = 1 << 1,  /* the schema must be current (implies DB) */
	CTX_CATALOG = 1 << 2, /* load the catalog (implies SCHEMA) */
	CTX_FLAG = 1 << 3,    /* take the processing flag (implies CATALOG) */
};


struct ctx {
	const char *cmd;      /* "process-queue", "config apply", ... */
	const char *conninfo; /* -m/--mission, or NULL for PG* */
	const char *log_file; /* --log-file */
	int verbosity;        /* -v count minus -q count */
	/*
	 * CTX_CATALOG: the mission, its products and processes, loaded once
	 * for the command (catalog.h); else NULL.  cat->mission is the
	 * mission, cat->run its run settings.
	 */
	const struct catalog *cat;
	struct catalog catalog; /* what cat points at: ctx_finish frees it */
	struct db *db;
	struct lock_flag flag;
};

/*
 * ctx_setup: do what flags ask (in order: log file, connect, schema check,
 * catalog, flag).  Returns EXIT_OK, or the exit status to return with the
 * problem already reported (EXIT_LOCKED with the holder named).
 */
int ctx_setup(struct ctx *ctx, unsigned flags) CASCADE_MUSTCHECK;
/*
 * ctx_finish: release the flag if held, recording status and counts for
 * the exit status rc; close the database.  Returns rc, or EXIT_DB if the
 * run could not be recorded.
 */
int ctx_finish(struct ctx *ctx, int rc, const char *comment,
	       const struct lock_counts *counts);

/* Option tables: one per command; they drive getopt_long and --help. */
enum opt_type {
	OPT_END = 0,
	OPT_BOOL,   /* bool *; no argument */
	OPT_STRING, /* const char **; argument */
	OPT_INT,    /* int *; argument, decimal */
	OPT_GROUP,  /* a heading in --help */
};

struct opt {
	enum opt_type type;
	int short_name; /* 0 if none */
	const char *long_name;
	void *value;
	const char *argname;
	const char *help;
};

struct cmd_help {
	const char *name;        /* "config apply" */
	const char *summary;     /* one line */
	const char *usage;       /* after "cascade NAME ": "[OPTION]... FILE" */
	const char *man;         /* "cascade-config" */
	int min_args, max_args;  /* operands; max -1 = unlimited */
};

/*
 * opt_parse: parse argv (argv[0] is the command name) with opts plus the
 * common options (-m, -v, -q, --log-file, -h).  --help prints help to
 * stdout and exits 0; a usage error prints the complaint and a pointer to
 * --help on stderr and exits 2.  Returns the index of the first operand.
 */
int opt_parse(struct ctx *ctx, const struct cmd_help *help,
	      const struct opt *opts, int argc, char **argv);
/* usage_error: report a usage problem found after parsing and exit 2. */
CASCADE_NORETURN void usage_error(const struct cmd_help *help,
				  const char *fmt, ...) CASCADE_PRINTF(2, 3);

/* The commands. */
int cmd_init(struct ctx *ctx, int argc, char **argv);
int cmd_adopt(struct ctx *ctx, int argc, char **argv);
int cmd_config(struct ctx *ctx, int argc, char **argv);
int cmd_flag(struct ctx *ctx, int argc, char **argv);
/* operators' views: cmd-status.c, cmd-history.c, cmd-failures.c, cmd-stats.c */
int cmd_status(struct ctx *ctx, int argc, char **argv);
int cmd_runs(struct ctx *ctx, int argc, char **argv);
int cmd_builds(struct ctx *ctx, int argc, char **argv);
int cmd_show(struct ctx *ctx, int argc, char **argv);
int cmd_failures(struct ctx *ctx, int argc, char **argv);
int cmd_stats(struct ctx *ctx, int argc, char **argv);
/*
 * Option helpers of the operators' views (cmd-history.c); each exits 2
 * with a usage message on a bad value.
 * cmd_parse_time: "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[Z]" (UTC) given to
 * --opt as ISO text in buf (TIMESTAMP_STRLEN bytes), returned; with end,
 * a bare date means the end of that day (NULL for 9999-12-31: no bound).
 * cmd_check_period: from must come before to (either may be NULL).
 * cmd_parse_list: comma-separated values of --opt, each one of allowed
 * (NULL-terminated), pushed to out.
 * cmd_parse_id: a positive integer id of a what ("build", "failure").
 * cmd_check_limit: --limit must be 0 or more.
 */
const char *cmd_parse_time(const struct cmd_help *help, const char *opt,
			   const char *value, bool end, char *buf);
void cmd_check_period(const struct cmd_help *help, const char *from,
		      const char *to);
struct strvec;
void cmd_parse_list(const struct cmd_help *help, const char *opt,
		    const char *value, const char *const *allowed,
		    struct strvec *out);
int64_t cmd_parse_id(const struct cmd_help *help, const char *what,
		     const char *value);
void cmd_check_limit(const struct cmd_help *help, int limit);
/* operators' tools: cmd-queue.c, cmd-check.c, cmd-purge.c, cmd-graph.c */
int cmd_queue(struct ctx *ctx, int argc, char **argv);
int cmd_check(struct ctx *ctx, int argc, char **argv);
int cmd_purge(struct ctx *ctx, int argc, char **argv);
int cmd_prune(struct ctx *ctx, int argc, char **argv);
int cmd_move_product(struct ctx *ctx, int argc, char **argv);
int cmd_graph(struct ctx *ctx, int argc, char **argv);
/* cmd-report.c: the static HTML report */
int cmd_report(struct ctx *ctx, int argc, char **argv);
int cmd_process_queue(struct ctx *ctx, int argc, char **argv);
int cmd_ingest(struct ctx *ctx, int argc, char **argv);
int cmd_process(struct ctx *ctx, int argc, char **argv);
int cmd_run_process(struct ctx *ctx, int argc, char **argv);
int cmd_reprocess(struct ctx *ctx, int argc, char **argv);

/* What a processing run is asked to do (process, run-process, -p). */
struct process_request {
	int num_proc;          /* 0: run.slots, else CPUs */
	const char *only;      /* -o: process names or ids */
	bool skip_run;         /* -s */
	bool dryrun;           /* -d */
	int sample;            /* --sample N */
	const char *scratch_dir;
	int process_id;        /* run-process: this process only */
	int32_t from, to;      /* run-process: its date range */
	int version_bump;      /* run-process --force: -1 none */
};
#define PROCESS_REQUEST_INIT {0, NULL, false, false, 0, NULL, 0, 0, 0, -1}

/*
 * cmd_do_process: the processing phase shared by process, run-process
 * and process-queue -p (flag held unless dry run or sample): plan and run
 * until nothing is left, print the summary line, add to *lc.  Returns an
 * exit status.
 */
int cmd_do_process(struct ctx *ctx, const struct process_request *req,
		   struct lock_counts *lc);
/* process_request_check: usage checks; makes the --sample scratch dir. */
int process_request_check(const struct cmd_help *help,
			  struct process_request *r);
void process_request_release(struct process_request *r);
int cmd_inspect(struct ctx *ctx, int argc, char **argv);

/*
 * cmd_do_ingest: the ingest phase shared by "ingest" and "process-queue
 * -i" (flag held, mission loaded): run it, print the summary line, add
 * to *lc.  Returns an exit status.
 */
int cmd_do_ingest(struct ctx *ctx, const char *glob, bool dry_run,
		  struct lock_counts *lc);

#endif
