/*
 * cmd-status.c - "cascade status": the inspector view of a mission.
 *
 * Who holds the processing flag (and whether that holder is alive), the
 * queue by product with its oldest entry, builds by state and those
 * running, running and recent runs, open and recent batches, and the
 * failures awaiting a person.  Read-only and without the flag, so it
 * works while a controller runs; the database parts are read in one
 * snapshot.  dbprocessing had no such view: its operators read tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "executor.h"
#include "lock.h"
#include "log.h"
#include "xalloc.h"
#include "status.h"
#include "store-status.h"
#include "banned.h"

/* how many finished runs and closed batches the view shows */
#define STATUS_RECENT 10

static const struct cmd_help help_status = {
	"status", "show the flag, queue, runs, builds and failures",
	"[--json] [OPTION]...", "cascade-status", 0, 0,
};

static bool json;

int
cmd_status_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_status, opts, argc, argv);
	return EXIT_OK;
}

/*
 * what Slurm says of the jobs of the running builds (one squeue call):
 * queued or running, why it waits, where it runs
 */
static void
slurm_states(struct ss_status *s)
{
	const char **ids = xcalloc(s->n_running + 1, sizeof(*ids));
	struct slurm_job_info *jobs = NULL;
	struct strbuf why = STRBUF_INIT;
	size_t n = 0, nj = 0;

	for (size_t i = 0; i < s->n_running; i++)
		if (s->running[i].slurm_job_id && *s->running[i].slurm_job_id)
			ids[n++] = s->running[i].slurm_job_id;
	if (n && slurm_jobs_query(ids, n, &jobs, &nj, &why))
		log_warning("the state of the Slurm jobs is not known: %s",
			    why.buf);
	for (size_t i = 0; i < s->n_running; i++) {
		struct ss_build *b = &s->running[i];

		for (size_t k = 0; b->slurm_job_id && k < nj; k++) {
			if (strcmp(jobs[k].id, b->slurm_job_id))
				continue;
			snprintf(b->slurm_state, sizeof(b->slurm_state), "%s",
				 jobs[k].state);
			if (strcmp(jobs[k].reason, "None"))
				snprintf(b->slurm_reason,
					 sizeof(b->slurm_reason), "%s",
					 jobs[k].reason);
			snprintf(b->slurm_node, sizeof(b->slurm_node), "%s",
				 jobs[k].node);
		}
	}
	free(jobs);
	free(ids);
	strbuf_release(&why);
}

int
cmd_status_run(struct ctx *ctx)
{
	struct lock_holder holder = LOCK_HOLDER_INIT;
	struct ss_status s = SS_STATUS_INIT;
	bool held = false;
	int rc = EXIT_DB;

	if (lock_show(ctx->db, ctx->mission->id, &held, &holder))
		goto out;
	if (store_status_read(ctx->db, STATUS_RECENT, &s))
		goto out;
	slurm_states(&s);
	status_print_status(ctx->mission->name, held, &holder, &s, json);
	rc = EXIT_OK;
out:
	ss_status_release(&s);
	lock_holder_release(&holder);
	return rc;
}
