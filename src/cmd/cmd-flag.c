/*
 * cmd-flag.c - "cascade flag show|clear": the processing flag for people.
 *
 * show prints who holds the flag and whether that holder is alive; clear
 * removes a stale flag, recording the reason in the run's comment as
 * dbprocessing's clearProcessingFlag did ("Overridden:<reason>:<ver>").
 * A flag whose holder's session is alive is only cleared with --force,
 * which also ends that session so the holder stops.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "status.h"
#include "banned.h"

static const struct cmd_help help_flag = {
	"flag", "show or clear the processing flag", "show | clear [OPTION]...",
	"cascade-flag", 1, 1,
};
static const struct cmd_help help_show = {
	"flag show", "show who holds the processing flag",
	"[--json] [OPTION]...",
	"cascade-flag", 0, 0,
};
static const struct cmd_help help_clear = {
	"flag clear", "clear a stale processing flag",
	"--reason=TEXT [--force] [OPTION]...", "cascade-flag", 0, 0,
};

static void
print_holder(const struct lock_holder *h)
{
	printf("held by:      pid %d on host %s\n", h->pid,
	       h->hostname ? h->hostname : "?");
	printf("run:          %lld (%s)\n", (long long)h->logging_id,
	       h->command ? h->command : "?");
	printf("user:         %s\n", h->user ? h->user : "?");
	printf("since:        %s UTC\n", h->started ? h->started : "?");
	if (h->lease_until)
		printf("lease until:  %s UTC\n", h->lease_until);
	printf("session:      %s", h->session_alive ? "alive" : "gone");
	if (h->session_alive)
		printf(" (backend pid %d)", h->backend_pid);
	printf("\n");
	if (h->same_host)
		printf("process:      %s\n",
		       h->process_alive ? "alive" : "dead");
	else
		printf("process:      on another host (not checked)\n");
	printf("state:        %s\n",
	       h->session_alive ? "active"
	       : (h->same_host && !h->process_alive)
		       ? "stale (will be recovered by the next run)"
		       : "stale (recovered when the lease ends, or clear it)");
}

static bool show_json;

int
cmd_flag_show_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 0, "json", &show_json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_show, opts, argc, argv);
	return EXIT_OK;
}

int
cmd_flag_show_run(struct ctx *ctx)
{
	struct lock_holder h = LOCK_HOLDER_INIT;
	bool held;

	if (lock_show(ctx->db, ctx->mission->id, &held, &h))
		return EXIT_DB;
	if (show_json) {
		status_print_flag(ctx->mission->name, held, &h);
		lock_holder_release(&h);
		return EXIT_OK;
	}
	printf("mission:      %s\n", ctx->mission->name);
	if (!held)
		printf("flag:         not set\n");
	else
		print_holder(&h);
	lock_holder_release(&h);
	return EXIT_OK;
}

static const char *reason;
static bool force;

int
cmd_flag_clear_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 'r', "reason", &reason, "TEXT",
		 "why the flag is cleared (recorded; required)"},
		{OPT_BOOL, 'f', "force", &force, NULL,
		 "clear even if the holder's session is alive, and end it"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_clear, opts, argc, argv);
	if (!reason || !*reason)
		usage_error(&help_clear, "a reason is required (--reason=TEXT)");
	return EXIT_OK;
}

int
cmd_flag_clear_run(struct ctx *ctx)
{
	struct lock_holder h = LOCK_HOLDER_INIT;
	struct strbuf d = STRBUF_INIT;
	int rc;

	rc = lock_clear(ctx->db, ctx->mission->id, reason, force, &h);
	lock_holder_describe(&h, &d);
	switch (rc) {
	case LOCK_CLEARED:
		printf("cleared the processing flag held by %s\n", d.buf);
		rc = EXIT_OK;
		break;
	case LOCK_NOT_SET:
		printf("the processing flag is not set\n");
		rc = EXIT_OK;
		break;
	case LOCK_HOLDER_LIVE:
		log_error("the processing flag is held by a live controller: "
			  "%s",
			  d.buf);
		log_hint("Wait for it to finish, or use --force to stop it.");
		rc = EXIT_LOCKED;
		break;
	default:
		rc = EXIT_DB;
	}
	strbuf_release(&d);
	lock_holder_release(&h);
	return rc;
}

/* "flag" without a known sub-command: main.c found none */
int
cmd_flag_parse(struct ctx *ctx, int argc, char **argv)
{
	return opt_parse_group(ctx, &help_flag, argc, argv);
}
