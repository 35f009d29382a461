/*
 * config.h - a mission configuration: YAML file <-> immutable struct config.
 *
 * config.c is the only module that includes yaml.h.  It parses a mission
 * file into struct config through key tables, resolves relative paths
 * once, and validates everything that can be checked without a database:
 * unknown keys, types, required keys, references between products and
 * processes, timebases, filename templates, cycles in the product graph,
 * overlapping active codes.  Every problem is reported with
 * file:line:column, the key, and what was expected; all problems in a
 * file are reported, not just the first.
 *
 * The same struct is built from the database by store-config.c (for
 * "config export" and for the diff that "config apply" makes), so every
 * field has a database column; marks are zero for structs not read from a
 * file.
 *
 * After loading, a struct config is not modified.  All strings are owned
 * by the struct and freed by config_free().
 */
#ifndef CASCADE_CONFIG_H
#define CASCADE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "compat.h"
#include "period.h"
#include "version.h"

/* Where a value came from, for messages.  file is borrowed from config. */
struct config_mark {
	const char *file;
	int line;   /* 1-based; 0 when not read from a file */
	int column; /* 1-based */
};

struct config_mission {
	char *name;
	char *rootdir;      /* absolute after loading */
	char *incoming_dir; /* absolute; default rootdir/incoming */
	char *codedir;      /* absolute; default rootdir */
	char *inspectordir; /* absolute; default codedir */
	char *errordir;     /* absolute; default rootdir/errors */
	struct config_mark mark;
};

struct config_instrument {
	char *satellite;
	char *name;
	struct config_mark mark;
};

struct config_satellite {
	char *name;
	struct config_mark mark;
};

/*
 * How a product's files are identified.  Without an executable the
 * built-in matcher compares names against the product's format.  With
 * one, that program is run on each candidate file (see ingest docs).
 */
struct config_inspector {
	char *executable;    /* NULL: built-in template matching */
	char *arguments;     /* NULL or extra arguments, split on whitespace */
	char *description;   /* NULL or text */
	struct version version;		/* default 1.0.0 */
	int output_interface_version;   /* default 1 */
	int timeout_s;			/* default 30 */
	bool active;			/* default true */
	struct config_mark mark;
};

struct config_product {
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
	struct config_inspector inspector;
	struct config_mark mark;
};

struct config_input {
	char *product;
	bool optional;   /* default false */
	int yesterday;   /* extra days back, >= 0, default 0 */
	int tomorrow;    /* extra days forward, >= 0, default 0 */
	struct config_mark mark;
};

struct config_code {
	char *filename;      /* may contain {CODEVERSION} */
	char *relative_path; /* under codedir; may contain {CODEVERSION} */
	struct version version;
	int output_interface_version; /* >= 1 */
	int32_t start_date;  /* days since 1970-01-01, inclusive */
	int32_t stop_date;   /* inclusive; default 9999-12-31 */
	char *description;   /* NULL or text */
	int32_t date_written;/* default: start_date */
	char *arguments;     /* NULL or whitespace-separated, substitutions */
	bool active;         /* default true */
	int timeout_s;       /* 0: run.code_timeout */
	int cpu;             /* slots the code takes, default 1 */
	double ram;          /* relative RAM weight, default 1 */
	struct config_mark mark;
};

struct config_process {
	char *name;
	char *output_product; /* NULL for RUN */
	enum timebase timebase;
	char *extra_params;   /* NULL or '|'-separated */
	struct config_input *inputs;
	size_t n_inputs;
	struct config_code *codes;
	size_t n_codes;
	struct config_mark mark;
};

/* Run settings: defaults shown, all optional in the file. */
struct config_run {
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
	struct config_mark mark;
};

struct config {
	char *path; /* the file it was read from, or NULL */
	struct config_mission mission;
	struct config_satellite *satellites;
	size_t n_satellites;
	struct config_instrument *instruments;
	size_t n_instruments;
	struct config_product *products;
	size_t n_products;
	struct config_process *processes;
	size_t n_processes;
	struct config_run run;
};

/* config_run_defaults: fill *run with the defaults listed above. */
void config_run_defaults(struct config_run *run);

/*
 * The largest mission file accepted, in bytes (16 MiB).  The file and
 * its parse tree are held in memory: for a file of many small entries
 * some 25 times its size, so about 400 MB at the limit.  A mission of
 * 100,000 satellites with two instruments each is about 6 MB.
 */
#define CONFIG_MAX_FILE_SIZE (16 * 1024 * 1024)

/*
 * config_load_file: read, parse and validate path.  Relative paths in the
 * file are resolved against the file's directory.  Returns 0 and a new
 * config in *out (caller frees with config_free), or -1 with every
 * problem already reported (and *out NULL).  A file larger than
 * CONFIG_MAX_FILE_SIZE is refused ("configuration file "x" is too
 * large: N bytes, the limit is ...") before it is read, or, if its size
 * cannot be known beforehand (a pipe), once that much has been read.
 */
int config_load_file(const char *path, struct config **out) CASCADE_MUSTCHECK;

/*
 * config_load_string: as config_load_file, for text already in memory
 * (with the same size limit).  name is used in messages; basedir
 * resolves relative paths (NULL: the current directory).
 */
int config_load_string(const char *name, const char *text, size_t len,
		       const char *basedir, struct config **out)
	CASCADE_MUSTCHECK;

/*
 * config_validate: the semantic checks (references, templates, cycles,
 * overlapping codes, uniqueness).  config_load_* call it; store-config.c
 * calls it on a config read from the database.  Reports every problem;
 * returns 0 or -1.
 */
int config_validate(const struct config *cfg) CASCADE_MUSTCHECK;

/*
 * config_write_yaml: write cfg as a mission file that config_load_*
 * accepts and that loads back to an equal config.  Returns 0, or -1 with
 * the error reported.
 */
int config_write_yaml(const struct config *cfg, FILE *out) CASCADE_MUSTCHECK;

/* Lookups by name; NULL if absent.  The pointer is borrowed from cfg. */
const struct config_product *config_find_product(const struct config *cfg,
						 const char *name);
const struct config_process *config_find_process(const struct config *cfg,
						 const char *name);

void config_free(struct config *cfg);

#endif
