/*
 * why.h - why nothing ran for a key ("cascade why --not PROCESS KEY"):
 * the planner's verdict on the key now (planner_evaluate, the same
 * rules and queries as planning: missing inputs, no code, up to date,
 * bad, open), with what the database adds: the build that made its
 * newest output, its bad or open build, its inputs still queued, the
 * products upstream of it whose files are queued (it waits behind
 * them), and the reasons a build of it would have now.
 *
 * The chain behind a file is store_why_file's (store-why.h): one query.
 * Reads only.
 */
#ifndef CASCADE_WHY_H
#define CASCADE_WHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"
#include "plan-rules.h"
#include "store-why.h"
#include "strvec.h"
#include "version.h"

struct catalog;
struct db;

struct why_not {
	const struct process *process;  /* borrowed: the catalog's */
	char *output_key;               /* "2024-03-01", or with keywords */
	int32_t key_start, key_end;     /* its period */
	enum plan_verdict verdict;      /* the rules' (plan-rules.h) */
	const char *missing_product;    /* PLAN_NO_INPUT: its name (an
					   input group's first product) */
	struct strvec missing_group;    /* and the group's products, by
					   preference; empty: not a group */
	int missing_pin;                /* its pin (interface version), 0 */
	struct strvec pinned_out;       /* its files the pin left out */
	const struct code *code, *other; /* the period's code(s), or NULL */
	const struct code *out_code;    /* made its newest output, or NULL */
	size_t n_inputs;                /* its inputs now */
	int64_t out_id;                 /* its newest output, 0: none */
	char *out_filename;
	struct version out_version;
	struct sw_key builds;           /* its builds (store-why.h) */
	struct sw_reason *reasons;      /* what a build now would be for */
	size_t n_reasons;
	struct strvec queued;           /* its input files in the queue */
	struct sw_queued *upstream;     /* products upstream of its inputs
					   with files queued (of any date:
					   the next run may change them) */
	size_t n_upstream;
};
#define WHY_NOT_INIT                                                         \
	{.queued = STRVEC_INIT, .missing_group = STRVEC_INIT,                \
	 .pinned_out = STRVEC_INIT}

/*
 * why_not: *out for the key of process_id named by key (keywords: a FILE
 * key's, else "" or NULL), inside a read-only transaction of its own.
 * key is a day YYYY-MM-DD (the key of its period), for an HOURLY process
 * an hour YYYY-MM-DDTHH, for an ORBIT process an orbit number of the
 * orbit table.  Returns 0, WHY_BAD_KEY (reported: what was expected),
 * or a negative db_status (reported).  Release with why_not_release.
 */
#define WHY_BAD_KEY 1
int why_not(struct db *db, const struct catalog *cat, int process_id,
	    const char *key, const char *keywords, struct why_not *out)
	CASCADE_MUSTCHECK;
void why_not_release(struct why_not *w);

/* why_verdict_name: "up-to-date", "no-input", ... (stable: JSON). */
const char *why_verdict_name(enum plan_verdict v);

#endif
