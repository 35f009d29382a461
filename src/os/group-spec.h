/*
 * group-spec.h - what a Slurm group job runs, for the group runner.
 *
 * The Slurm executor writes each group job as a bash script (which runs
 * the builds itself where the runner is not installed) followed, after
 * its final "exit", by this spec: the same builds in a form the runner
 * (cascade-group-runner, group-runner.c) reads without a shell parser.
 * The script's last line is "cascade-group-spec LEN", LEN the bytes of
 * the spec just before it.  The spec is a "cascade-group 1" line and then
 * netstrings ("LEN:BYTES,"): the slots and the grace in seconds, the
 * number of builds, and per build its directory, log, status path,
 * timeout in seconds (0: none), CPUs, the count and words of its argv,
 * and the count and entries of its environment delta ("NAME=VALUE" set,
 * "NAME" unset; later entries win).
 */
#ifndef CASCADE_GROUP_SPEC_H
#define CASCADE_GROUP_SPEC_H

#include <stddef.h>

#include "strbuf.h"
#include "strvec.h"

/* one build of a group job */
struct group_build {
	char *dir, *log, *status;
	int timeout_s;
	unsigned cpus;
	struct strvec args, env;
};

struct group_spec {
	unsigned slots;
	int grace_s;
	struct group_build *b;
	size_t n;
};

/* the most builds, words or entries a spec may hold */
#define GROUP_SPEC_MAX 1000000

/*
 * Writing: group_spec_begin (the header, the slots, the grace and the
 * number of builds), then group_spec_add_build for each build (args and
 * env may be NULL: none), then group_spec_end
 */
void group_spec_begin(struct strbuf *sb, unsigned slots, int grace_s,
		      size_t n);
void group_spec_add_build(struct strbuf *sb, const char *dir, const char *log,
			  const char *status, int timeout_s, unsigned cpus,
			  const struct strvec *args, const struct strvec *env);
/* group_spec_end: the trailer line; start is sb's length at begin */
void group_spec_end(struct strbuf *sb, size_t start);

/*
 * group_spec_parse: the spec at the end of a group script's text into
 * *spec (free with group_spec_release).  0, or -1 with the problem in
 * why (nothing to free).
 */
int group_spec_parse(const char *text, size_t len, struct group_spec *spec,
		     struct strbuf *why);
void group_spec_release(struct group_spec *spec);

#endif
