/*
 * model.h - the mission's domain: the mission and its run settings,
 * satellites, instruments, products (with their inspector), processes
 * (with their inputs and codes).
 *
 * One struct for each, whoever holds it: config.c fills them from a
 * mission file (ids 0), store-config.c from the database (ids filled),
 * and the catalog (catalog.h) is what a command works on, loaded once.
 * Strings are owned by the struct config that holds them (config.h) and
 * freed by config_free().  Nothing here is changed after loading.
 */
#ifndef CASCADE_MODEL_H
#define CASCADE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "period.h"
#include "state.h"
#include "version.h"

/* Where a value came from, for messages.  file is borrowed from config. */
struct config_mark {
	const char *file;
	int line;   /* 1-based; 0 when not read from a file */
	int column; /* 1-based */
};

struct mission {
	int id;             /* mission_id; 0 when read from a file */
	char *name;
	char *rootdir;      /* absolute after loading */
	char *incoming_dir; /* absolute; default rootdir/incoming */
	char *codedir;      /* absolute; default rootdir */
	char *inspectordir; /* absolute; default codedir */
	char *errordir;     /* absolute; default rootdir/errors */
	struct config_mark mark;
};

struct instrument {
	char *satellite;
	char *name;
	struct config_mark mark;
};

struct satellite {
	char *name;
	struct config_mark mark;
};

/*
 * How a product's files are identified.  Without an executable or a
 * module the built-in matcher compares names against the product's
 * format.  With an executable, that program is run on each candidate
 * file, or (batch) started once and asked file after file over a pipe.
 * With a module, that dbprocessing inspector module is run by
 * cascade-dbp-inspector in batch mode (identify.h).
 */
struct inspector {
	char *executable;    /* NULL: built-in template matching */
	char *module;        /* NULL or a dbprocessing module (no executable) */
	bool batch;          /* executable speaks the batch protocol */
	char *arguments;     /* NULL or extra arguments, split on whitespace */
	char *description;   /* NULL or text */
	struct version version;		/* default 1.0.0 */
	int output_interface_version;   /* default 1 */
	int timeout_s;			/* default 30 */
	bool active;			/* default true */
	struct config_mark mark;
};

struct product {
	int id;             /* product_id; 0 when read from a file */
	char *name;
	char *satellite;     /* resolved: never NULL after loading */
	char *instrument;
	double level;
	char *format;        /* filename template, must contain {VERSION} */
	char *relative_path; /* directory template under rootdir */
	char *description;   /* NULL or text */
	/*
	 * utc_stop_time is the first instant after the data (true), or
	 * the last instant of it (false, the default: dbprocessing's rule)
	 */
	bool stop_time_exclusive;
	/*
	 * How its files are told apart within a date: DAILY (one per date
	 * and version), HOURLY or ORBIT (one per hour, per orbit: the
	 * file's period number).  Unset in a mission file (TIMEBASE_FILE),
	 * its maker's when that is HOURLY or ORBIT, else DAILY.
	 */
	enum timebase timebase;
	struct inspector inspector;
	struct config_mark mark;
};

/*
 * One input product of a process (a productprocesslink row).  The
 * products of an input group ("one_of" in the mission file) are one
 * struct input each, with the group's optional, yesterday, tomorrow and
 * pin: for each key the group's most preferred product that has a file
 * for it is the input, the others are not (prefer-rules.h).
 */
struct input {
	int product_id;  /* 0 when read from a file */
	char *product;
	bool optional;   /* default false; a group's: the group's */
	int yesterday;   /* extra days back, >= 0, default 0 */
	int tomorrow;    /* extra days forward, >= 0, default 0 */
	int pin;         /* only files of this interface version; 0: any */
	char *group;     /* its group's most preferred product (its name);
			    NULL: a plain input */
	int group_product_id; /* that product's id; 0 from a file */
	int rank;        /* its place in its group, 0 the most preferred */
	struct config_mark mark;
};

struct code {
	int id;              /* code_id; 0 when read from a file */
	int process_id;      /* its process's id; 0 likewise */
	char *filename;      /* may contain {CODEVERSION} */
	char *relative_path; /* under codedir; may contain {CODEVERSION} */
	struct version version;
	int output_interface_version; /* >= 1 */
	int32_t start_date;  /* days since 1970-01-01, inclusive */
	int32_t stop_date;   /* inclusive; default 9999-12-31 */
	char *description;   /* NULL or text */
	int32_t date_written;/* default: start_date */
	char *arguments;     /* NULL or whitespace-separated, substitutions */
	char *working_dir;   /* absolute; NULL: the build's own directory */
	bool active;         /* default true */
	int timeout_s;       /* 0: run.code_timeout */
	int cpu;             /* slots the code takes, default 1 */
	double ram;          /* relative RAM weight, default 1 */
	/*
	 * newest_version: no code of its process with the same interface has
	 * a higher version (the database's column; false from a file)
	 */
	bool newest;
	struct config_mark mark;
};

/*
 * Where a process's codes run (the mission file's "executor:").  The
 * mission's is the default of every process; a process's own holds only
 * what it overrides (NULL or 0: the mission's).
 */
struct executor_settings {
	char *kind;          /* "local" or "slurm"; NULL: local / the mission's */
	char *partition;     /* sbatch --partition; NULL: the cluster's default */
	char *account;       /* sbatch --account */
	int time_limit_s;    /* a Slurm job's time limit; 0: from the timeouts */
	int cpus;            /* CPUs of one Slurm job (it runs that many builds
				at a time); 0: 2 */
	int memory_mb;       /* memory of one build; 0: unspecified */
	char *sbatch_options; /* more sbatch options, split on white space */
	char *work_dir;      /* shared with the nodes; NULL: rootdir/.cascade */
	struct config_mark mark;
};

/*
 * A process without inputs that runs on a schedule: every period of its
 * timebase ("every": its output timebase; DAILY for RUN) from start_date
 * on is due lag_days after the period ended (lag_days < 0: before), and
 * process-queue plans the due keys that have no build yet.
 */
#define SCHEDULE_LAG_MIN (-366)
#define SCHEDULE_LAG_MAX 3660

struct schedule {
	bool set;             /* the process has one */
	enum timebase every;  /* the period; TIMEBASE_FILE: not given */
	int32_t start_date;   /* the first period's day; INT32_MIN: not given */
	int lag_days;         /* -366..3660, default 0 */
	struct config_mark mark;
};

struct process {
	int id;               /* process_id; 0 when read from a file */
	char *name;
	char *output_product; /* NULL for RUN */
	int output_product_id; /* 0 for RUN, or when read from a file */
	enum timebase timebase;
	char *extra_params;   /* NULL or '|'-separated */
	struct input *inputs;
	size_t n_inputs;
	struct code *codes;
	size_t n_codes;
	struct executor_settings executor; /* overrides of the mission's */
	struct schedule schedule;
	enum reuse_mode reuse; /* REUSE_CONTENT: its code is deterministic */
	struct config_mark mark;
};

/* Run settings: defaults shown, all optional in the file. */
struct run_settings {
	int slots;            /* parallel build slots; 0 = number of CPUs */
	int batch_size;       /* files/builds per transaction, default 500 */
	int code_timeout_s;   /* default per-build timeout, default 3600 */
	int kill_grace_s;     /* SIGTERM -> SIGKILL grace, default 10 */
	int max_attempts;     /* tries of one build before giving up, default 3 */
	int bad_after;        /* quick failures that mark a build bad, default 3 */
	int bad_within_s;     /* "quick": failed within this many s, default 60 */
	int flag_lease_s;     /* trust a remote holder this long, default 3600 */
	bool refuse_changed_code; /* code file changed without bump, default true */
	int log_limit_kb;     /* most of a code's output kept in its log, 2048 */
	int settle_s;         /* ingest: a file without a lease is left alone
				 this long after its last change, default 5 */
	char *log_file;       /* NULL or absolute path */
	int keep_history_days; /* ProcessQueue prunes history older than
				  this; 0: kept for ever (the default) */
	struct config_mark mark;
};

#endif
