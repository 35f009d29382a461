/*
 * cmd.h - the command layer: the run context, option tables, commands.
 *
 * A command is two functions, listed in main.c's command table with
 * what the command needs (database, current schema, the mission, the
 * catalog, processing flag, read-only session):
 *
 *   cmd_NAME_parse(ctx, argc, argv) parses the options from one table
 *   (opt_parse, which also generates --help) into the command's own
 *   options, checks them, and may change ctx->needs when the needs
 *   depend on the options (a dry run takes no flag; --repair does).  It
 *   returns EXIT_OK, or the exit status to end with (the problem
 *   reported).
 *
 *   cmd_NAME_run(ctx) is called by main after ctx_setup(): one call
 *   into an engine, its output, and what the run row records
 *   (ctx->comment, ctx->counts).  It returns the exit status.
 *
 * main alone calls ctx_setup() before run and ctx_finish() after it
 * (scripts/check-layering.sh checks), as git's run_builtin does, so no
 * command can forget a step or leave the flag behind.  Only cmd-*.c,
 * main.c and status.c write to stdout.
 */
#ifndef CASCADE_CMD_H
#define CASCADE_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "compat.h"
#include "lock.h"
#include "store.h"
#include "strbuf.h"

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

/* What a command needs: ctx->needs, from main.c's command table. */
enum ctx_needs {
	CTX_DB = 1 << 0,      /* connect */
	CTX_SCHEMA = 1 << 1,  /* the schema must be current (implies DB) */
	CTX_MISSION = 1 << 2, /* read the mission's tables (implies SCHEMA) */
	CTX_CATALOG = 1 << 3, /* and compile them: the catalog (implies
				 MISSION) */
	CTX_FLAG = 1 << 4,    /* take the processing flag (implies CATALOG) */
	CTX_READONLY = 1 << 5,/* a read-only session: the command only reads */
	/*
	 * with FLAG: a flag held by a live controller is waited for (a
	 * standby, watch_standby) rather than exit 3, and is recorded as a
	 * resident controller's (LOCK_RESIDENT_COMMAND); a stop signal while
	 * waiting ends the set-up with EXIT_OK and no flag (ctx->flag.held
	 * false)
	 */
	CTX_STANDBY = 1 << 6,
	/*
	 * with FLAG: a flag held by a resident controller is not waited for:
	 * the command runs beside it (ctx->beside true, no flag), and must
	 * then do all its writing in one transaction that records its run
	 * (lock_record_run) and notifies the holder (lock_notify)
	 */
	CTX_BESIDE = 1 << 7,
};


struct ctx {
	const char *cmd;      /* "process-queue", "config apply", ... */
	const char *conninfo; /* -m/--mission, or NULL for PG* */
	const char *log_file; /* --log-file */
	int verbosity;        /* -v count minus -q count */
	unsigned needs;       /* enum ctx_needs: the table's, or parse's */
	/*
	 * CTX_MISSION: the mission's tables as read (store_config_load),
	 * nothing compiled, so that views and the flag commands work
	 * whatever a product's template holds: cfg, and cfg->mission as
	 * mission.  CTX_CATALOG: the catalog (catalog.h) built from them,
	 * cat (else NULL).  ctx_finish frees what they point at.
	 */
	const struct config *cfg;
	const struct mission *mission;
	const struct catalog *cat;
	struct config *own_cfg;  /* cfg when there is no catalog */
	struct catalog catalog;  /* what cat points at */
	struct db *db;
	struct lock_flag flag;
	/* CTX_BESIDE: a resident controller holds the flag; we run beside */
	bool beside;
	/* what ctx_finish records in the run row (with the flag held) */
	struct strbuf comment;
	struct lock_counts counts;
};
#define CTX_INIT {.comment = STRBUF_INIT}

/*
 * ctx_setup: do what ctx->needs asks (in order: log file, connect,
 * schema check, read-only session, mission, catalog, flag).  Returns
 * EXIT_OK, or
 * the exit status to return with the problem already reported
 * (EXIT_LOCKED with the holder named).  Called by main.c only.
 */
int ctx_setup(struct ctx *ctx) CASCADE_MUSTCHECK;
/*
 * ctx_finish: release the flag if held, recording status, ctx->comment
 * and ctx->counts for the exit status rc; close the database.  Returns
 * rc, or EXIT_DB if the run could not be recorded.  Called by main.c
 * only.
 */
int ctx_finish(struct ctx *ctx, int rc);

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
/*
 * opt_parse_group: the parse of a command group ("config", "flag",
 * "orbits", "queue") named without a known sub-command (main.c found
 * none): --help prints the group's help and exits 0, anything else is a
 * usage error; returns EXIT_USAGE (no sub-command: nothing to run).
 */
int opt_parse_group(struct ctx *ctx, const struct cmd_help *help, int argc,
		    char **argv);

/* usage_error: report a usage problem found after parsing and exit 2. */
CASCADE_NORETURN void usage_error(const struct cmd_help *help,
				  const char *fmt, ...) CASCADE_PRINTF(2, 3);

/*
 * The commands (main.c's table says which is which): a parse and a run
 * function each, as described above.  A command group ("config",
 * "flag", "queue", "show") has a parse function only, for its --help
 * and the complaint about an unknown sub-command; "failures" alone
 * lists.
 */
#define CMD_DECLARE(name)                                                  \
	int cmd_##name##_parse(struct ctx *ctx, int argc, char **argv);    \
	int cmd_##name##_run(struct ctx *ctx)
#define CMD_DECLARE_GROUP(name)                                            \
	int cmd_##name##_parse(struct ctx *ctx, int argc, char **argv)

CMD_DECLARE(init);
CMD_DECLARE(adopt);
CMD_DECLARE_GROUP(config);
CMD_DECLARE(config_check);
CMD_DECLARE(config_apply);
CMD_DECLARE(config_export);
CMD_DECLARE(config_import);
CMD_DECLARE(process_queue);
CMD_DECLARE(ingest);
CMD_DECLARE(inspect);
CMD_DECLARE(process);
CMD_DECLARE(run_process);
CMD_DECLARE(reprocess);
CMD_DECLARE_GROUP(flag);
CMD_DECLARE(flag_show);
CMD_DECLARE(flag_clear);
/* operators' views: cmd-status.c, cmd-history.c, cmd-failures.c, cmd-stats.c */
CMD_DECLARE(status);
CMD_DECLARE(runs);
CMD_DECLARE(builds);
CMD_DECLARE_GROUP(show);
CMD_DECLARE(show_build);
CMD_DECLARE(failures);
CMD_DECLARE(failures_list);
CMD_DECLARE(failures_show);
CMD_DECLARE(failures_resolve);
CMD_DECLARE(failures_retry);
CMD_DECLARE(stats);
/* operators' tools: cmd-queue.c, cmd-check.c, cmd-purge.c, cmd-graph.c */
CMD_DECLARE_GROUP(queue);
CMD_DECLARE(queue_list);
CMD_DECLARE(queue_flush);
CMD_DECLARE(check);
CMD_DECLARE(purge);
CMD_DECLARE(prune);
CMD_DECLARE(prune_history);
CMD_DECLARE(move_product);
CMD_DECLARE(graph);
/* cmd-report.c: the static HTML report */
CMD_DECLARE(report);
/* cmd-why.c: why a file was made, why a key was not built */
CMD_DECLARE(why);
/* cmd-orbits.c: the mission's orbits */
CMD_DECLARE_GROUP(orbits);
CMD_DECLARE(orbits_load);
CMD_DECLARE(orbits_list);

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
/*
 * The output of the run cycle (cycle.h), shared by process-queue with
 * ingest and process: print the phase's summary line, add its counts to
 * ctx->counts, and return the phase's exit status.
 */
struct cycle_options;
struct cycle_result;
int cmd_ingest_output(struct ctx *ctx, const struct cycle_options *o,
		      const struct cycle_result *r);
/*
 * cmd_summary: a summary line of work done ("ingest: 3 ingested, ...").
 * Printed on stdout; under --quiet (cron) only when trouble (something
 * failed or was rejected: a person should read it), and otherwise logged
 * at INFO, so that it reaches the log file or syslog at that level and a
 * cron run that went well prints nothing.
 */
void cmd_summary(const struct ctx *ctx, bool trouble, const char *fmt, ...)
	CASCADE_PRINTF(3, 4);
int cmd_process_output(struct ctx *ctx, const struct cycle_options *o,
		       const struct cycle_result *r);
/*
 * cmd_process_check: the usage checks of the processing options
 * (exits 2); makes the --sample scratch directory.
 */
void cmd_process_check(const struct cmd_help *help, struct cycle_options *o);

#endif
