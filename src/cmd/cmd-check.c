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
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cmd.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "store-admin.h"
#include "strbuf.h"
#include "xalloc.h"
#include "banned.h"

static const struct cmd_help help_check = {
	"check", "compare the archive on disk with the database",
	"[--verify-checksums] [--repair] [--product=NAME] [--json] "
	"[OPTION]...",
	"cascade-check", 0, 0,
};

/* with --json: the findings, kept for the document at the end */
struct kept_finding {
	enum check_kind kind;
	char *subject, *detail, *action;
	enum check_outcome outcome;
};
struct kept {
	struct kept_finding *v;
	size_t n, alloc;
};

static void
keep_finding(void *arg, const struct check_finding *f)
{
	struct kept *k = arg;
	struct kept_finding *e;

	ALLOC_GROW(k->v, k->n + 1, k->alloc);
	e = &k->v[k->n++];
	e->kind = f->kind;
	e->subject = xstrdup(f->subject);
	e->detail = xstrdup(f->detail);
	e->action = f->action ? xstrdup(f->action) : NULL;
	e->outcome = f->outcome;
}

static void
kept_release(struct kept *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].subject);
		free(k->v[i].detail);
		free(k->v[i].action);
	}
	free(k->v);
}

static const char *const outcome_names[] = {
	[CHECK_FOUND] = "found",
	[CHECK_REPAIRED] = "repaired",
	[CHECK_LEFT] = "left",
};

static void
print_json(const struct kept *k, const struct check_counts *c, bool repair,
	   const char *summary_text)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer w;

	json_init(&w, &sb, JSON_PRETTY);
	json_document_begin(&w);
	json_kv_bool(&w, "repair", repair);
	json_kv_int(&w, "problems", c->findings);
	json_key(&w, "by_kind");
	json_object_begin(&w);
	for (int i = 0; i < CHECK_N_KINDS; i++)
		if (c->found[i] && i != CHECK_NO_INPUT)
			json_kv_int(&w, check_kind_name((enum check_kind)i),
				    c->found[i]);
	json_object_end(&w);
	json_kv_int(&w, "repaired", c->repaired);
	json_kv_int(&w, "left", c->left);
	json_kv_int(&w, "no_input_days", c->no_input_days);
	json_kv_int(&w, "files", c->files);
	json_kv_int(&w, "archive_files", c->disk_files);
	json_kv_int(&w, "checksums_verified", c->checksummed);
	json_kv_string(&w, "summary", summary_text);
	json_key(&w, "findings");
	json_array_begin(&w);
	for (size_t i = 0; i < k->n; i++) {
		const struct kept_finding *f = &k->v[i];

		json_object_begin(&w);
		json_kv_string(&w, "kind", check_kind_name(f->kind));
		json_kv_bool(&w, "problem", f->kind != CHECK_NO_INPUT);
		json_kv_string(&w, "subject", f->subject);
		json_kv_string(&w, "detail", f->detail);
		json_kv_string(&w, "outcome", outcome_names[f->outcome]);
		json_kv_string(&w, "action", f->action);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

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
			if (!c->found[k] || k == CHECK_NO_INPUT)
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
	if (c->no_input_days)
		strbuf_addf(sb, "; %ld day%s with no input (not problems)",
			    c->no_input_days,
			    c->no_input_days == 1 ? "" : "s");
	strbuf_addf(sb, "; %ld files, %ld archive files", c->files,
		    c->disk_files);
	if (c->checksummed)
		strbuf_addf(sb, ", %ld checksums verified", c->checksummed);
}

static bool verify, repair, json;
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
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
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
	struct kept k = {NULL, 0, 0};
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
	o.report = json ? keep_finding : print_finding;
	o.arg = &k;
	rc = check_run(ctx->db, ctx->cat, &o, &c);
	if (rc) {
		kept_release(&k);
		return rc == DB_ERR_CONN ? EXIT_DB : EXIT_INTERNAL;
	}
	summary(&c, repair, &ctx->comment);
	if (json)
		print_json(&k, &c, repair, ctx->comment.buf);
	else
		printf("check: %s\n", ctx->comment.buf);
	kept_release(&k);
	return c.findings ? EXIT_FAILED : EXIT_OK;
}
