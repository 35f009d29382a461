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

#include "cmd.h"
#include "lock.h"
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
	status_print_status(ctx->mission->name, held, &holder, &s, json);
	rc = EXIT_OK;
out:
	ss_status_release(&s);
	lock_holder_release(&holder);
	return rc;
}
