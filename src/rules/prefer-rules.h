/*
 * prefer-rules.h - which of a key's candidate input files are its
 * inputs, by the inputs' pins and groups: pure (no I/O, no logging),
 * tested as tables in tests/unit/test-prefer-rules.c.
 *
 * The database finds the candidates (cascade_key_inputs: for each input
 * product the newest file of every date in the key's window; for a
 * pinned input, the newest of every interface version of the date);
 * these rules choose among them, before plan-rules.c decides the key:
 *
 *  - a pinned input ("version: 2") takes only files of that interface
 *    version (2.x.x); the others are left out (PREFER_PINNED), so an
 *    input that has only those is missing;
 *  - an input group ("one_of: [definitive, quicklook]") takes, for each
 *    key, the files of its most preferred product that has a file in
 *    the key's own period or, when none has, of the most preferred that
 *    has one in its window: one product makes the key, never a mix; the
 *    other products' files are left out (PREFER_NOT_CHOSEN).  So a more
 *    preferred product arriving replaces the other (the key is rebuilt:
 *    an input added and one removed, a quality bump), and a less
 *    preferred one arriving changes nothing;
 *  - a pin on a group pins each of its products: a product whose files
 *    the pin leaves out is absent for the group, which falls to the
 *    next product.
 *
 * An input's group is named by its most preferred product (model.h).
 */
#ifndef CASCADE_PREFER_RULES_H
#define CASCADE_PREFER_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "store-build.h"
#include "version.h"

/* What becomes of a candidate input file of a key. */
enum prefer_fate {
	PREFER_INPUT,      /* an input of the key */
	PREFER_PINNED,     /* left out: not of its input's pinned interface */
	PREFER_NOT_CHOSEN, /* left out: its group chose another product */
};

/* prefer_input: proc's input of product_id, or NULL. */
const struct input *prefer_input(const struct process *proc, int product_id);

/*
 * prefer_pinned_out: whether input in's pin leaves a file of version v
 * out (false for an unpinned input or a NULL one).
 */
bool prefer_pinned_out(const struct input *in, const struct version *v);

/*
 * prefer_same_input: whether a and b are one input of the key: the same
 * input, or products of one group (false if either is NULL).
 */
bool prefer_same_input(const struct input *a, const struct input *b);

/*
 * prefer_rules_choose: the fate of each of one key's candidate input
 * files in[0..n) (of process proc: its inputs by product id; a file of a
 * product that is not one of them stays an input) into fate[0..n);
 * returns how many are inputs.
 */
size_t prefer_rules_choose(const struct process *proc,
			   const struct sb_input *in, size_t n,
			   enum prefer_fate *fate);

#endif
