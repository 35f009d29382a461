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
 * The same struct is built from the database by store-config.c, with
 * the database's ids (for the catalog, catalog.h, which every command
 * that works on the mission loads once; for "config export"; and for the
 * diff that "config apply" makes), so every field has a database column;
 * marks are zero for structs not read from a file.  The structs it is
 * made of are model.h's.
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
#include "model.h"

struct config {
	char *path; /* the file it was read from, or NULL */
	struct mission mission;
	struct satellite *satellites;
	size_t n_satellites;
	struct instrument *instruments;
	size_t n_instruments;
	struct product *products;
	size_t n_products;
	struct process *processes;
	size_t n_processes;
	struct run_settings run;
	struct executor_settings executor; /* the mission's */
};

/*
 * config_process_executor: the executor settings of process p: its own,
 * each unset one the mission's (strings borrowed from cfg).
 */
void config_process_executor(const struct config *cfg,
			     const struct process *p,
			     struct executor_settings *out);

/*
 * config_schedule_every: the period of process p's schedule: its output
 * timebase, DAILY for RUN (a schedule's "every" must say the same).
 */
enum timebase config_schedule_every(const struct process *p);

/*
 * config_format_tells_periods: whether the outputs of a process of
 * timebase tb named by format have names of their own within a day:
 * {H} for HOURLY, {ORBIT} (or {H}) for ORBIT; true for other timebases.
 */
bool config_format_tells_periods(enum timebase tb, const char *format);

/* config_run_defaults: fill *run with the defaults listed above. */
void config_run_defaults(struct run_settings *run);

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
const struct product *config_find_product(const struct config *cfg,
						 const char *name);
const struct process *config_find_process(const struct config *cfg,
						 const char *name);

void config_free(struct config *cfg);

#endif
