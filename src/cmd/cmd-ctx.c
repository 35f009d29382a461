/*
 * cmd-ctx.c - what every command needs before and after its work.
 *
 * ctx_setup() performs the steps a command's needs ask for (main.c's
 * command table, adjusted by the command's parse function), so that no
 * command can forget to check the schema or take the processing flag,
 * and maps each failure to its documented exit status; ctx_finish()
 * records the run and undoes the set-up.  main.c calls both, once.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "strbuf.h"
#include "watch.h"
#include "banned.h"

/* the schema must be current: EXIT_OK, or why not (reported) */
static int
check_schema(struct ctx *ctx)
{
	enum schema_status st;
	int version;

	if (schema_check(ctx->db, &st, &version))
		return EXIT_DB;
	switch (st) {
	case SCHEMA_OK:
		break;
	case SCHEMA_EMPTY:
		log_error("database \"%s\" has no cascade schema",
			  db_dbname(ctx->db));
		log_hint("Create it with \"cascade init\".");
		return EXIT_SCHEMA;
	case SCHEMA_OLDER:
		log_error("database \"%s\" has schema version %d; this "
			  "cascade needs version %d",
			  db_dbname(ctx->db), version, schema_latest());
		log_hint("Upgrade it with \"cascade init\".");
		return EXIT_SCHEMA;
	case SCHEMA_FOREIGN:
		log_error("database \"%s\" has a \"mission\" table "
			  "but no cascade schema version: not a "
			  "cascade database",
			  db_dbname(ctx->db));
		schema_foreign_hint();
		return EXIT_SCHEMA;
	case SCHEMA_NEWER:
		log_error("database \"%s\" has schema version %d, newer "
			  "than this cascade supports (%d)",
			  db_dbname(ctx->db), version, schema_latest());
		log_hint("Use a newer cascade with this database.");
		return EXIT_SCHEMA;
	}
	return EXIT_OK;
}

/*
 * the mission's tables, read once; with CTX_CATALOG compiled into the
 * catalog (a template that does not compile stops only the commands
 * that need the catalog)
 */
static int
load_mission(struct ctx *ctx, bool catalog)
{
	struct config *cfg = NULL;

	if (store_config_load(ctx->db, &cfg))
		return EXIT_DB;
	if (!cfg) {
		log_error("database \"%s\" has no mission",
			  db_dbname(ctx->db));
		log_hint("Apply a mission file with \"cascade config "
			 "apply FILE\".");
		return EXIT_USAGE;
	}
	if (!catalog) {
		ctx->own_cfg = cfg;
		ctx->cfg = cfg;
		ctx->mission = &cfg->mission;
		return EXIT_OK;
	}
	/*
	 * the catalog is compiled from what was read: it fails only on the
	 * mission itself (a template or relative path that does not
	 * compile), a configuration error like a mission file's
	 */
	if (catalog_from_config(cfg, &ctx->catalog))
		return EXIT_USAGE;
	ctx->cat = &ctx->catalog;
	ctx->cfg = ctx->cat->cfg;
	ctx->mission = ctx->cat->mission;
	return EXIT_OK;
}

/* the processing flag: EXIT_OK, EXIT_LOCKED (the holder named), ... */
static int
take_flag(struct ctx *ctx)
{
	struct lock_holder holder = LOCK_HOLDER_INIT;
	int lease = ctx->cfg->run.flag_lease_s > 0 ? ctx->cfg->run.flag_lease_s
						   : 3600;
	bool standby = ctx->needs & CTX_STANDBY;
	const char *command = standby ? LOCK_RESIDENT_COMMAND : ctx->cmd;
	int rc;

	rc = lock_acquire(ctx->db, ctx->mission->id, command, lease,
			  &ctx->flag, &holder);
	if (rc == LOCK_HELD && standby) {
		lock_holder_release(&holder);
		rc = watch_standby(ctx->db, ctx->mission->id, lease, command,
				   &ctx->flag);
		if (rc == 1)
			return EXIT_OK; /* stopped while waiting: no flag */
	}
	if (rc == LOCK_HELD && (ctx->needs & CTX_BESIDE) &&
	    holder.session_alive && lock_holder_resident(&holder)) {
		lock_holder_release(&holder);
		ctx->beside = true;
		log_debug("a resident controller holds the processing flag: "
			  "running beside it");
		return EXIT_OK;
	}
	if (rc == LOCK_HELD) {
		struct strbuf d = STRBUF_INIT;

		lock_holder_describe(&holder, &d);
		log_warning("processing flag of mission \"%s\" is held "
			    "by %s%s",
			    ctx->mission->name, d.buf,
			    holder.session_alive ? ""
			    : holder.same_host
				    ? "; its process is alive but its "
				      "database session is gone"
				    : "; its database session is gone, "
				      "its lease has not ended");
		strbuf_release(&d);
		lock_holder_release(&holder);
		return EXIT_LOCKED;
	}
	lock_holder_release(&holder);
	if (rc)
		return rc == DB_ERR_CONN ? EXIT_DB : EXIT_INTERNAL;
	log_set_run(ctx->flag.logging_id);
	return EXIT_OK;
}

int
ctx_setup(struct ctx *ctx)
{
	struct strbuf app = STRBUF_INIT;
	unsigned needs = ctx->needs;
	int rc;

	if (needs & CTX_FLAG)
		needs |= CTX_CATALOG;
	if (needs & CTX_CATALOG)
		needs |= CTX_MISSION;
	if (needs & CTX_MISSION)
		needs |= CTX_SCHEMA;
	if (needs & CTX_SCHEMA)
		needs |= CTX_DB;
	if (ctx->log_file && log_open_file(ctx->log_file))
		return EXIT_USAGE;
	if (!(needs & CTX_DB))
		return EXIT_OK;

	strbuf_addf(&app, "cascade-%s", ctx->cmd);
	for (size_t i = 0; i < app.len; i++)
		if (app.buf[i] == ' ')
			app.buf[i] = '-';
	rc = db_connect(ctx->conninfo, app.buf, &ctx->db);
	strbuf_release(&app);
	if (rc)
		return EXIT_DB;
	if ((needs & CTX_SCHEMA) && (rc = check_schema(ctx)))
		return rc;
	/* a view or a check that writes is a bug: the server refuses it */
	if ((needs & CTX_READONLY) && !(needs & CTX_FLAG) &&
	    db_exec(ctx->db, "SET default_transaction_read_only = on"))
		return EXIT_DB;
	if ((needs & CTX_MISSION) &&
	    (rc = load_mission(ctx, needs & CTX_CATALOG)))
		return rc;
	if ((needs & CTX_FLAG) && (rc = take_flag(ctx)))
		return rc;
	return EXIT_OK;
}

int
ctx_finish(struct ctx *ctx, int rc)
{
	/*
	 * A lost connection took the flag's lock with it: the next run
	 * recovers the row, as after a crash; no second error about it.
	 */
	if (ctx->db && ctx->flag.held && db_connected(ctx->db)) {
		enum run_state status = rc == EXIT_OK ? RUN_STATE_OK
					: rc >= 128   ? RUN_STATE_INTERRUPTED
						      : RUN_STATE_FAILED;

		if (lock_release(ctx->db, &ctx->flag, status, rc,
				 ctx->comment.buf, &ctx->counts) &&
		    rc == EXIT_OK)
			rc = EXIT_DB;
	}
	log_set_run(0);
	db_close(ctx->db);
	ctx->db = NULL;
	if (ctx->cat)
		catalog_release(&ctx->catalog);
	config_free(ctx->own_cfg);
	ctx->cat = NULL;
	ctx->own_cfg = NULL;
	ctx->cfg = NULL;
	ctx->mission = NULL;
	strbuf_release(&ctx->comment);
	return rc;
}
