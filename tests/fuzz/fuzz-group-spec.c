/*
 * fuzz-group-spec.c - libFuzzer target for the reader of a Slurm group
 * job's spec (group-spec.h), which the group runner reads from the end of
 * the script it is given.
 *
 * Beyond "no crash, no undefined behaviour" it checks what the reader
 * promises: a spec accepted has at least one slot, and every build an
 * absolute status path and a program; one refused says why and holds
 * nothing.  An accepted spec written again reads back the same.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group-spec.h"
#include "strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n",         \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

static bool
same_list(const struct strvec *a, const struct strvec *b)
{
	if (a->nr != b->nr)
		return false;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf why = STRBUF_INIT, again = STRBUF_INIT;
	struct group_spec s, t;
	size_t start;

	if (group_spec_parse((const char *)data, size, &s, &why)) {
		CHECK(why.len > 0);
		CHECK(s.n == 0 && s.b == NULL);
		strbuf_release(&why);
		return 0;
	}
	CHECK(s.slots >= 1);
	start = again.len;
	group_spec_begin(&again, s.slots, s.grace_s, s.n);
	for (size_t i = 0; i < s.n; i++) {
		const struct group_build *b = &s.b[i];

		CHECK(b->status[0] == '/');
		CHECK(b->args.nr >= 1);
		group_spec_add_build(&again, b->dir, b->log, b->status,
				     b->timeout_s, b->cpus, &b->args, &b->env);
	}
	group_spec_end(&again, start);
	CHECK(group_spec_parse(again.buf, again.len, &t, &why) == 0);
	CHECK(t.n == s.n && t.slots == s.slots && t.grace_s == s.grace_s);
	for (size_t i = 0; i < s.n; i++) {
		CHECK(!strcmp(t.b[i].dir, s.b[i].dir));
		CHECK(!strcmp(t.b[i].log, s.b[i].log));
		CHECK(!strcmp(t.b[i].status, s.b[i].status));
		CHECK(t.b[i].timeout_s == s.b[i].timeout_s);
		CHECK(t.b[i].cpus == s.b[i].cpus);
		CHECK(same_list(&t.b[i].args, &s.b[i].args));
		CHECK(same_list(&t.b[i].env, &s.b[i].env));
	}
	group_spec_release(&s);
	group_spec_release(&t);
	strbuf_release(&why);
	strbuf_release(&again);
	return 0;
}
