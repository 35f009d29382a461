/*
 * cmd-check.c - "cascade check": is the archive what the database says?
 *
 * Prints one line per finding ("KIND: SUBJECT: DETAIL", with what
 * --repair did or why it left it) and a summary line; exits 1 if anything
 * was found, repaired or not.  Without --repair it changes nothing and
 * needs no flag (a concurrent ingest may then show files in flight as
 * "unrecorded"); with --repair it takes the processing flag and records
 * the run.  The checks themselves are check.c's.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cmd.h"
#include "db.h"
#include "log.h"
#include "store-admin.h"
#include "strbuf.h"
#include "banned.h"

static const struct cmd_help help_check = {
	"check", "compare the archive on disk with the database",
	"[--verify-checksums] [--repair] [--product=NAME] [OPTION]...",
	"cascade-check", 0, 0,
};

static void
print_finding(void *arg, const struct check_finding *f)
{
	(void)arg;
	printf("%s: %s: %s", check_kind_name(f->kind), f->subject, f->detail);
	if (f->outcome == CHECK_REPAIRED)
		printf(" (repaired: %s)", f->action);
	else if (f->outcome == CHECK_LEFT)
		printf(" (left: %s)", f->action);
	putchar('\n');
}

static void
summary(const struct check_counts *c, bool repair, struct strbuf *sb)
{
	if (!c->findings) {
		strbuf_addstr(sb, "no problems found");
	} else {
		const char *sep = "";

		strbuf_addf(sb, "%ld problem%s found (", c->findings,
			    c->findings == 1 ? "" : "s");
		for (int k = 0; k < CHECK_N_KINDS; k++) {
			if (!c->found[k])
				continue;
			strbuf_addf(sb, "%s%s %ld", sep,
				    check_kind_name((enum check_kind)k),
				    c->found[k]);
			sep = ", ";
		}
		strbuf_addch(sb, ')');
		if (repair)
			strbuf_addf(sb, ", %ld repaired, %ld left", c->repaired,
				    c->left);
	}
	strbuf_addf(sb, "; %ld files, %ld archive files", c->files,
		    c->disk_files);
	if (c->checksummed)
		strbuf_addf(sb, ", %ld checksums verified", c->checksummed);
}

static bool verify, repair;
static const char *product;

int
cmd_check_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 0, "verify-checksums", &verify, NULL,
		 "read every file and compare its SHA-1 with its row"},
		{OPT_BOOL, 0, "repair", &repair, NULL,
		 "fix what is safely fixable (takes the processing flag)"},
		{OPT_STRING, 'p', "product", &product, "NAME",
		 "check only the files of product NAME"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_check, opts, argc, argv);
	/* --repair writes, under the flag */
	if (repair)
		ctx->needs = CTX_FLAG;
	return EXIT_OK;
}

int
cmd_check_run(struct ctx *ctx)
{
	struct check_options o = {0};
	struct check_counts c = {0};
	int rc;

	if (product) {
		const struct product *p = catalog_product_named(ctx->cat,
								product);

		if (!p) {
			log_error("no product named \"%s\"", product);
			return EXIT_USAGE;
		}
		o.product_id = p->id;
	}
	o.verify_checksums = verify;
	o.repair = repair;
	o.run_id = ctx->flag.logging_id;
	o.report = print_finding;
	rc = check_run(ctx->db, ctx->cat, &o, &c);
	if (rc)
		return rc == DB_ERR_CONN ? EXIT_DB : EXIT_INTERNAL;
	summary(&c, repair, &ctx->comment);
	printf("check: %s\n", ctx->comment.buf);
	return c.findings ? EXIT_FAILED : EXIT_OK;
}
