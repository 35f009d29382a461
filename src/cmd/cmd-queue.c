/*
 * cmd-queue.c - "cascade queue list|flush": the processing queue.
 *
 * list prints the queue in the order ProcessQueue works it, with file
 * names, products, versions, when and why each file was queued (or, with
 * --count, only how many there are, like dbprocessing's
 * printProcessQueue -c; the exit status stays 0).  flush empties it (or
 * one product's part of it) under the processing flag, like
 * flushProcessQueue.py, and records the run.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "store-admin.h"
#include "strbuf.h"
#include "banned.h"

static const struct cmd_help help_queue = {
	"queue", "list or flush the processing queue",
	"list|flush [OPTION]...", "cascade-queue", 1, -1,
};
static const struct cmd_help help_list = {
	"queue list", "list the processing queue",
	"[--product=NAME] [--count] [--json] [OPTION]...", "cascade-queue", 0,
	0,
};
static const struct cmd_help help_flush = {
	"queue flush", "empty the processing queue",
	"[--product=NAME] [--dry-run] [OPTION]...", "cascade-queue", 0, 0,
};

/* product NAME -> id; 0 when name is NULL.  Returns an exit status. */
static int
product_filter(struct ctx *ctx, const char *name, int *id)
{
	const struct product *p;

	*id = 0;
	if (!name)
		return EXIT_OK;
	if (!(p = config_find_product(ctx->cfg, name))) {
		log_error("no product named \"%s\"", name);
		return EXIT_USAGE;
	}
	*id = p->id;
	return EXIT_OK;
}

/* a name for a terminal: control characters shown as '?' */
static const char *
shown(const char *s, struct strbuf *sb)
{
	strbuf_reset(sb);
	for (; *s; s++)
		strbuf_addch(sb, (unsigned char)*s < 0x20 || *s == 0x7f ? '?'
									: *s);
	return sb->buf;
}

static const char *product;
static bool count, dry_run, json;

/* "YYYY-MM-DD HH:MM:SS" as "YYYY-MM-DDTHH:MM:SSZ", as every JSON time is */
static const char *
iso_time(const char *t, struct strbuf *sb)
{
	strbuf_reset(sb);
	strbuf_addstr(sb, t);
	if (sb->len == 19 && sb->buf[10] == ' ') {
		sb->buf[10] = 'T';
		strbuf_addch(sb, 'Z');
	}
	return sb->buf;
}

/* a text column that is "" for none: null in JSON */
static void
kv_text(struct json_writer *w, const char *key, const char *v)
{
	json_kv_string(w, key, *v ? v : NULL);
}

/* queue list --json: the count, and the entries unless only counted */
static void
list_json(const struct store_admin_queue_entry *e, size_t n, int64_t k,
	  bool entries)
{
	struct strbuf sb = STRBUF_INIT, t = STRBUF_INIT;
	struct json_writer w;

	json_init(&w, &sb, JSON_PRETTY);
	json_document_begin(&w);
	json_kv_int(&w, "count", k);
	if (entries) {
		json_key(&w, "entries");
		json_array_begin(&w);
		for (size_t i = 0; i < n; i++) {
			json_object_begin(&w);
			json_kv_int(&w, "seq", e[i].seq);
			json_kv_string(&w, "queued_at",
				       iso_time(e[i].queued_at, &t));
			json_kv_string(&w, "product", e[i].product);
			kv_text(&w, "utc_file_date", e[i].date);
			json_kv_string(&w, "version", e[i].version);
			kv_text(&w, "version_bump", e[i].bump);
			json_kv_string(&w, "filename", e[i].filename);
			kv_text(&w, "reason", e[i].reason);
			json_object_end(&w);
		}
		json_array_end(&w);
	}
	json_object_end(&w);
	json_finish(&w);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
	strbuf_release(&t);
}

int
cmd_queue_list_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 'p', "product", &product, "NAME",
		 "only files of product NAME"},
		{OPT_BOOL, 'c', "count", &count, NULL,
		 "print only the number of entries"},
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_list, opts, argc, argv);
	return EXIT_OK;
}

int
cmd_queue_list_run(struct ctx *ctx)
{
	struct store_admin_queue_entry *e = NULL;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	size_t n = 0;
	int pid, rc, wp = 7, wf = 4;

	if ((rc = product_filter(ctx, product, &pid)))
		return rc;
	if (count) {
		int64_t k;

		if (store_admin_queue_count(ctx->db, pid, &k))
			return EXIT_DB;
		if (json)
			list_json(NULL, 0, k, false);
		else
			printf("%lld\n", (long long)k);
		return EXIT_OK;
	}
	if (store_admin_queue_list(ctx->db, pid, &e, &n))
		return EXIT_DB;
	if (json) {
		list_json(e, n, (int64_t)n, true);
		goto out;
	}
	if (!n) {
		printf("the queue is empty\n");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int lp = (int)strlen(e[i].product), lf = (int)strlen(e[i].filename);

		wp = lp > wp ? lp : wp;
		wf = lf > wf ? lf : wf;
	}
	printf("%-6s %-19s %-*s %-10s %-9s %-*s %s\n", "seq", "queued (UTC)", wp,
	       "product", "date", "version", wf, "file", "reason");
	for (size_t i = 0; i < n; i++) {
		struct strbuf ver = STRBUF_INIT;

		strbuf_addstr(&ver, e[i].version);
		if (*e[i].bump)
			strbuf_addf(&ver, "+%s", e[i].bump);
		printf("%-6lld %-19s %-*s %-10s %-9s %-*s %s\n",
		       (long long)e[i].seq, e[i].queued_at, wp,
		       shown(e[i].product, &a), e[i].date, ver.buf, wf,
		       shown(e[i].filename, &b), e[i].reason);
		strbuf_release(&ver);
	}
	printf("%zu entr%s\n", n, n == 1 ? "y" : "ies");
out:
	strbuf_release(&a);
	strbuf_release(&b);
	store_admin_queue_free(e, n);
	return EXIT_OK;
}

int
cmd_queue_flush_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 'p', "product", &product, "NAME",
		 "only files of product NAME"},
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "say how many entries would go; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_flush, opts, argc, argv);
	if (dry_run)
		ctx->needs = CTX_CATALOG;
	return EXIT_OK;
}

int
cmd_queue_flush_run(struct ctx *ctx)
{
	int64_t k = 0;
	int pid, rc;

	if ((rc = product_filter(ctx, product, &pid)))
		return rc;
	if (dry_run) {
		if (store_admin_queue_count(ctx->db, pid, &k))
			return EXIT_DB;
		printf("dry run: would flush %lld queue entr%s\n", (long long)k,
		       k == 1 ? "y" : "ies");
		return EXIT_OK;
	}
	if (store_admin_queue_flush(ctx->db, pid, &k))
		return EXIT_DB;
	strbuf_addf(&ctx->comment, "flushed %lld queue entr%s%s%s",
		    (long long)k, k == 1 ? "y" : "ies",
		    product ? " of product " : "", product ? product : "");
	printf("%s\n", ctx->comment.buf);
	return EXIT_OK;
}

/* "queue" without a known sub-command: main.c found none */
int
cmd_queue_parse(struct ctx *ctx, int argc, char **argv)
{
	return opt_parse_group(ctx, &help_queue, argc, argv);
}
