/*
 * cmd-adopt.c - "cascade adopt": make a dbprocessing database a cascade
 * database in place (adopt.c does it).
 *
 * Prints one line per defect found ("adopt-KIND: REASON", with whether a
 * rule settled it or it is left for a person, who then sees it in
 * "cascade failures") and a summary line.  On a database that is already
 * cascade's it changes nothing and says so (exit 0).  Defects no rule
 * settles refuse the adoption (exit 1, nothing changed); a database
 * without dbprocessing's tables is refused with exit 5.  With
 * --from-sqlite FILE the database must be empty (exit 5 otherwise) and
 * FILE readable as SQLite (exit 2 otherwise).
 */
#include <stdio.h>

#include "adopt.h"
#include "cmd.h"
#include "db.h"
#include "log.h"
#include "banned.h"

static const struct cmd_help help = {
	"adopt", "make a dbprocessing database a cascade database, in place",
	"[--dry-run] [--verify] [--from-sqlite=FILE] [OPTION]...", "cascade",
	0, 0,
};

static void
print_summary(struct ctx *ctx, const struct adopt_opts *o,
	      const struct adopt_summary *s)
{
	size_t open = 0;

	for (size_t i = 0; i < s->n_defects; i++) {
		const struct adopt_defect *d = &s->defects[i];

		printf("%s: %s (%s)\n", d->kind, d->reason,
		       d->resolved ? "settled" : "left for a person");
		if (!d->resolved)
			open++;
	}
	printf("database \"%s\": %s from dbprocessing: %lld files, %lld file "
	       "links, %lld code links, %lld queued, %lld runs; %zu defect%s, "
	       "%zu left for a person%s\n",
	       db_dbname(ctx->db), o->dry_run ? "would be adopted" : "adopted",
	       (long long)s->files, (long long)s->links,
	       (long long)s->code_links, (long long)s->queue,
	       (long long)s->runs, s->n_defects, s->n_defects == 1 ? "" : "s",
	       open, o->dry_run ? " (dry run: nothing changed)" : "");
}

static struct adopt_opts o = {false, false, NULL};

int
cmd_adopt_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 'n', "dry-run", &o.dry_run, NULL,
		 "do everything in a transaction that is rolled back"},
		{OPT_BOOL, 0, "verify", &o.verify, NULL,
		 "check every file on disk (presence, SHA-1) and record its "
		 "SHA-256 and size"},
		{OPT_STRING, 0, "from-sqlite", &o.from_sqlite, "FILE",
		 "load dbprocessing's SQLite database FILE into the (empty) "
		 "database and adopt it"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help, opts, argc, argv);
	return EXIT_OK;
}

int
cmd_adopt_run(struct ctx *ctx)
{
	struct adopt_summary s;
	enum adopt_outcome outcome = ADOPT_DONE;

	if (adopt_run(ctx->db, &o, &s, &outcome))
		return outcome == ADOPT_NOT_DBP || outcome == ADOPT_NOT_EMPTY
			       ? EXIT_SCHEMA
		       : outcome == ADOPT_REFUSED ? EXIT_FAILED
		       : outcome == ADOPT_BAD_SOURCE ? EXIT_USAGE
		       : db_connected(ctx->db) ? EXIT_INTERNAL : EXIT_DB;
	if (outcome == ADOPT_ALREADY) {
		printf("database \"%s\" is already a cascade database: nothing "
		       "to adopt\n", db_dbname(ctx->db));
		return EXIT_OK;
	}
	print_summary(ctx, &o, &s);
	adopt_summary_release(&s);
	return EXIT_OK;
}
