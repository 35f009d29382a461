/*
 * cmd-init.c - "cascade init": create or upgrade the database schema.
 *
 * Idempotent: on a current database it changes nothing and says so.
 * Concurrent runs are serialised by schema.c's advisory lock.  A database
 * whose schema is newer than this binary is refused (exit 5), so an old
 * binary never writes to a database it does not understand.
 */
#include <stdio.h>

#include "cmd.h"
#include "db.h"
#include "log.h"
#include "schema.h"
#include "banned.h"

static const struct cmd_help help = {
	"init", "create or upgrade the database schema", "[OPTION]...",
	"cascade-init", 0, 0,
};

int
cmd_init_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help, opts, argc, argv);
	return EXIT_OK;
}

int
cmd_init_run(struct ctx *ctx)
{
	enum schema_status st;
	int applied = 0, version = 0;

	if (schema_check(ctx->db, &st, &version))
		return EXIT_DB;
	if (st == SCHEMA_NEWER) {
		log_error("database \"%s\" has schema version %d, newer than "
			  "this cascade supports (%d)",
			  db_dbname(ctx->db), version, schema_latest());
		log_hint("Use a newer cascade with this database.");
		return EXIT_SCHEMA;
	}
	if (schema_migrate(ctx->db, &applied))
		return EXIT_SCHEMA;
	if (applied)
		printf("database \"%s\": schema upgraded from version %d to %d\n",
		       db_dbname(ctx->db), version, schema_latest());
	else
		printf("database \"%s\": schema already at version %d\n",
		       db_dbname(ctx->db), schema_latest());
	return EXIT_OK;
}
