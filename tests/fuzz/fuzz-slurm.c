/*
 * fuzz-slurm.c - libFuzzer target for the Slurm executor's parsers of
 * sbatch's, squeue's and scontrol's output, of the job completion log and
 * of a group script's status paths (executor.h).
 *
 * The input is given to all five.  Beyond "no crash, no undefined
 * behaviour" it checks what the parsers promise: an sbatch job id is
 * digits only; every squeue job has a digits-only id and a state, all
 * fields terminated within their arrays, and jobs plus bad lines never
 * outnumber the lines; an scontrol job, when accepted, has a digits-only
 * id and a state; a job completion record found is the job's; a group
 * script's status paths are no longer than the input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executor.h"
#include "strvec.h"

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
digits(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (!n || n == cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static void
check_job(const struct slurm_job_info *j)
{
	CHECK(digits(j->id, sizeof(j->id)));
	CHECK(strnlen(j->state, sizeof(j->state)) < sizeof(j->state));
	CHECK(j->state[0]);
	CHECK(strnlen(j->node, sizeof(j->node)) < sizeof(j->node));
	CHECK(strnlen(j->reason, sizeof(j->reason)) < sizeof(j->reason));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct slurm_job_info *v = NULL, j;
	size_t bad = 0, lines = 1;
	char id[32];
	long n;

	if (slurm_parse_sbatch(s, size, id, sizeof(id)) == 0)
		CHECK(digits(id, sizeof(id)));
	n = slurm_parse_squeue(s, size, &v, &bad);
	for (size_t i = 0; i < size; i++)
		lines += s[i] == '\n';
	CHECK(n >= 0);
	CHECK((size_t)n + bad <= lines);
	for (long i = 0; i < n; i++)
		check_job(&v[i]);
	free(v);
	if (slurm_parse_scontrol(s, size, &j) == 0)
		check_job(&j);
	(void)slurm_state_of(j.state);
	if (slurm_parse_jobcomp(s, size, "12", &j) == 0) {
		check_job(&j);
		CHECK(!strcmp(j.id, "12"));
	}
	{
		struct strvec keys = STRVEC_INIT;

		if (slurm_parse_script_keys(s, size, &keys) == 0)
			for (size_t i = 0; i < keys.nr; i++)
				CHECK(strlen(keys.v[i]) <= size);
		else
			CHECK(keys.nr == 0);
		strvec_clear(&keys);
	}
	return 0;
}
