/*
 * prefer-rules.c - pinned inputs and input groups: which candidate
 * files are a key's inputs (see prefer-rules.h).
 */
#include "prefer-rules.h"

#include <string.h>

#include "banned.h"

const struct input *
prefer_input(const struct process *proc, int product_id)
{
	for (size_t i = 0; proc && i < proc->n_inputs; i++)
		if (proc->inputs[i].product_id == product_id)
			return &proc->inputs[i];
	return NULL;
}

bool
prefer_pinned_out(const struct input *in, const struct version *v)
{
	return in && in->pin && v->interface != in->pin;
}

bool
prefer_same_input(const struct input *a, const struct input *b)
{
	if (!a || !b)
		return false;
	if (a == b)
		return true;
	return a->group && b->group && !strcmp(a->group, b->group);
}

size_t
prefer_rules_choose(const struct process *proc, const struct sb_input *in,
		    size_t n, enum prefer_fate *fate)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++) {
		const struct input *x = prefer_input(proc, in[i].product_id);

		fate[i] = prefer_pinned_out(x, &in[i].version) ? PREFER_PINNED
							       : PREFER_INPUT;
	}
	/* each group's choice: the lowest rank with an own file, else any */
	for (size_t i = 0; i < n; i++) {
		const struct input *x = prefer_input(proc, in[i].product_id);
		int own_rank = -1, any_rank = -1, chosen;

		if (fate[i] != PREFER_INPUT || !x || !x->group)
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct input *y =
				prefer_input(proc, in[j].product_id);

			if (fate[j] != PREFER_INPUT || !prefer_same_input(x, y))
				continue;
			if (in[j].own && (own_rank < 0 || y->rank < own_rank))
				own_rank = y->rank;
			if (any_rank < 0 || y->rank < any_rank)
				any_rank = y->rank;
		}
		chosen = own_rank >= 0 ? own_rank : any_rank;
		for (size_t j = 0; j < n; j++) {
			const struct input *y =
				prefer_input(proc, in[j].product_id);

			if (fate[j] == PREFER_INPUT && prefer_same_input(x, y) &&
			    y->rank != chosen)
				fate[j] = PREFER_NOT_CHOSEN;
		}
	}
	for (size_t i = 0; i < n; i++)
		kept += fate[i] == PREFER_INPUT;
	return kept;
}
