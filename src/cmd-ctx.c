/*
 * cmd-ctx.c - what every command needs before and after its work.
 *
 * ctx_setup() performs the steps a command's flags ask for, so that no
 * command can forget to check the schema or take the processing flag,
 * and maps each failure to its documented exit status.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "db.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "strbuf.h"
#include "banned.h"

int
ctx_setup(struct ctx *ctx, unsigned flags)
{
	struct strbuf app = STRBUF_INIT;
	int rc;

	if (flags & CTX_FLAG)
		flags |= CTX_CATALOG;
	if (flags & CTX_CATALOG)
		flags |= CTX_SCHEMA;
	if (flags & CTX_SCHEMA)
		flags |= CTX_DB;
	if (ctx->log_file && log_open_file(ctx->log_file))
		return EXIT_USAGE;
	if (!(flags & CTX_DB))
		return EXIT_OK;

	strbuf_addf(&app, "cascade-%s", ctx->cmd);
	for (size_t i = 0; i < app.len; i++)
		if (app.buf[i] == ' ')
			app.buf[i] = '-';
	rc = db_connect(ctx->conninfo, app.buf, &ctx->db);
	strbuf_release(&app);
	if (rc)
		return EXIT_DB;

	if (flags & CTX_SCHEMA) {
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
	}
	if (flags & CTX_CATALOG) {
		rc = catalog_load(ctx->db, &ctx->catalog);
		if (rc == CATALOG_NO_MISSION)
			return EXIT_USAGE;
		if (rc)
			return EXIT_DB;
		ctx->cat = &ctx->catalog;
	}
	if (flags & CTX_FLAG) {
		struct lock_holder holder = LOCK_HOLDER_INIT;

		rc = lock_acquire(ctx->db, ctx->cat->mission->id, ctx->cmd,
				  ctx->cat->run->flag_lease_s > 0
					  ? ctx->cat->run->flag_lease_s
					  : 3600,
				  &ctx->flag, &holder);
		if (rc == LOCK_HELD) {
			struct strbuf d = STRBUF_INIT;

			lock_holder_describe(&holder, &d);
			log_warning("processing flag of mission \"%s\" is held "
				    "by %s%s",
				    ctx->cat->mission->name, d.buf,
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
	}
	return EXIT_OK;
}

int
ctx_finish(struct ctx *ctx, int rc, const char *comment,
	   const struct lock_counts *counts)
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
				 comment ? comment : "", counts) &&
		    rc == EXIT_OK)
			rc = EXIT_DB;
	}
	log_set_run(0);
	db_close(ctx->db);
	ctx->db = NULL;
	if (ctx->cat)
		catalog_release(&ctx->catalog);
	ctx->cat = NULL;
	return rc;
}
