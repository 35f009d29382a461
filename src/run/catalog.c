/*
 * catalog.c - the mission loaded once, its templates compiled once, its
 * maps (see catalog.h).
 */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "db.h"
#include "fnformat.h"
#include "identify.h"
#include "log.h"
#include "prefer-rules.h"
#include "store.h"
#include "xalloc.h"
#include "banned.h"

static int
cmp_product_name(const void *a, const void *b)
{
	return strcmp((*(const struct product *const *)a)->name,
		      (*(const struct product *const *)b)->name);
}

static int
cmp_process_name(const void *a, const void *b)
{
	return strcmp((*(const struct process *const *)a)->name,
		      (*(const struct process *const *)b)->name);
}

static int
cmp_code_id(const void *a, const void *b)
{
	int x = (*(const struct code *const *)a)->id;
	int y = (*(const struct code *const *)b)->id;

	return (x > y) - (x < y);
}

/* bsearch keys: a name against a product or process pointer, an id
 * against a product or process */
static int
key_product_name(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct product *const *)elem)->name);
}

static int
key_process_name(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct process *const *)elem)->name);
}

static int
key_product_id(const void *key, const void *elem)
{
	int x = *(const int *)key, y = ((const struct product *)elem)->id;

	return (x > y) - (x < y);
}

static int
key_process_id(const void *key, const void *elem)
{
	int x = *(const int *)key, y = ((const struct process *)elem)->id;

	return (x > y) - (x < y);
}

/* the maps: names sorted, the makers, the codes by id */
static void
make_maps(struct catalog *c)
{
	c->product_by_name = xcalloc(c->n_products + 1,
				     sizeof(*c->product_by_name));
	c->process_by_name = xcalloc(c->n_processes + 1,
				     sizeof(*c->process_by_name));
	c->maker = xcalloc(c->n_products + 1, sizeof(*c->maker));
	for (size_t i = 0; i < c->n_products; i++)
		c->product_by_name[i] = &c->products[i];
	for (size_t i = 0; i < c->n_processes; i++) {
		const struct process *p = &c->processes[i];
		long pi = catalog_product_index(c, p->output_product_id);

		c->process_by_name[i] = p;
		if (pi >= 0)
			c->maker[pi] = p;
		c->n_codes += p->n_codes;
	}
	qsort(c->product_by_name, c->n_products, sizeof(*c->product_by_name),
	      cmp_product_name);
	qsort(c->process_by_name, c->n_processes,
	      sizeof(*c->process_by_name), cmp_process_name);
	c->codes = xcalloc(c->n_codes + 1, sizeof(*c->codes));
	c->n_codes = 0;
	for (size_t i = 0; i < c->n_processes; i++)
		for (size_t k = 0; k < c->processes[i].n_codes; k++)
			c->codes[c->n_codes++] = &c->processes[i].codes[k];
	qsort(c->codes, c->n_codes, sizeof(*c->codes), cmp_code_id);
}

/*
 * which products lead to which: a search from every product along the
 * processes' edges (input product -> output product); products are few
 * (tens to hundreds), so n searches of the whole graph cost nothing
 */
static void
make_feeds(struct catalog *c)
{
	size_t n = c->n_products, *stack = xcalloc(n + 1, sizeof(*stack));

	c->feeds = xcalloc(n * n + 1, sizeof(*c->feeds));
	for (size_t a = 0; a < n; a++) {
		bool *row = &c->feeds[a * n];
		size_t top = 0;

		stack[top++] = a;
		while (top) {
			int from = c->products[stack[--top]].id;

			for (size_t i = 0; i < c->n_processes; i++) {
				const struct process *p = &c->processes[i];
				long o = catalog_product_index(
					c, p->output_product_id);
				bool reads = false;

				for (size_t k = 0; k < p->n_inputs; k++)
					reads |= p->inputs[k].product_id == from;
				if (reads && o >= 0 && !row[o]) {
					row[o] = true;
					stack[top++] = (size_t)o;
				}
			}
		}
	}
	free(stack);
}

/* every product's filename template, compiled */
static int
compile_formats(struct catalog *c)
{
	int rc = 0;

	c->formats = xcalloc(c->n_products + 1, sizeof(*c->formats));
	for (size_t i = 0; i < c->n_products; i++) {
		const struct product *p = &c->products[i];
		struct fnformat_names names = {c->mission->name, p->satellite,
					       p->instrument, p->name};
		struct strbuf err = STRBUF_INIT;

		if (fnformat_compile(p->format, &names, &c->formats[i], &err))
			rc = error("invalid format \"%s\" of product \"%s\": %s",
				   p->format, p->name, err.buf);
		strbuf_release(&err);
	}
	return rc;
}

int
catalog_from_config(struct config *cfg, struct catalog *c)
{
	memset(c, 0, sizeof(*c));
	c->own = cfg;
	c->cfg = cfg;
	c->mission = &cfg->mission;
	c->run = &cfg->run;
	c->products = cfg->products;
	c->n_products = cfg->n_products;
	c->processes = cfg->processes;
	c->n_processes = cfg->n_processes;
	make_maps(c);
	make_feeds(c);
	if (compile_formats(c) ||
	    archive_new(c->mission->name, c->mission->rootdir, c->products,
			c->n_products, &c->archive)) {
		catalog_release(c);
		return -1;
	}
	log_debug("catalog of mission \"%s\": %zu products, %zu processes, "
		  "%zu codes",
		  c->mission->name, c->n_products, c->n_processes, c->n_codes);
	return 0;
}

int
catalog_load(struct db *db, struct catalog *c)
{
	struct config *cfg = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = store_config_load(db, &cfg)))
		return rc;
	if (!cfg) {
		log_error("database \"%s\" has no mission", db_dbname(db));
		log_hint("Apply a mission file with \"cascade config apply "
			 "FILE\".");
		return CATALOG_NO_MISSION;
	}
	return catalog_from_config(cfg, c);
}

void
catalog_release(struct catalog *c)
{
	for (size_t i = 0; c->formats && i < c->n_products; i++)
		fnformat_free(c->formats[i]);
	free(c->formats);
	archive_free(c->archive);
	free(c->product_by_name);
	free(c->process_by_name);
	free(c->maker);
	free(c->codes);
	free(c->feeds);
	config_free(c->own);
	memset(c, 0, sizeof(*c));
}

struct identify_set *
catalog_identify(const struct catalog *c)
{
	return identify_set_new(c->mission->name, c->products, c->formats,
				c->n_products);
}
long
catalog_product_index(const struct catalog *c, int id)
{
	/* store_config_load returns them ordered by id */
	const struct product *p =
		c->n_products ? bsearch(&id, c->products, c->n_products,
					sizeof(*c->products), key_product_id)
			      : NULL;

	return p ? (long)(p - c->products) : -1;
}

const struct product *
catalog_product(const struct catalog *c, int id)
{
	long i = catalog_product_index(c, id);

	return i < 0 ? NULL : &c->products[i];
}

const struct product *
catalog_product_named(const struct catalog *c, const char *name)
{
	const struct product *const *p =
		name && c->n_products ? bsearch(name, c->product_by_name, c->n_products,
			       sizeof(*c->product_by_name), key_product_name)
		     : NULL;

	return p ? *p : NULL;
}

const struct process *
catalog_process(const struct catalog *c, int id)
{
	if (!c->n_processes) /* bsearch's array must not be NULL */
		return NULL;
	return bsearch(&id, c->processes, c->n_processes,
		       sizeof(*c->processes), key_process_id);
}

const struct process *
catalog_process_named(const struct catalog *c, const char *name)
{
	const struct process *const *p =
		name && c->n_processes ? bsearch(name, c->process_by_name, c->n_processes,
			       sizeof(*c->process_by_name), key_process_name)
		     : NULL;

	return p ? *p : NULL;
}

const struct process *
catalog_maker(const struct catalog *c, int product_id)
{
	long i = catalog_product_index(c, product_id);

	return i < 0 ? NULL : c->maker[i];
}

const struct code *
catalog_code(const struct catalog *c, int id)
{
	size_t lo = 0, hi = c->n_codes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->codes[mid]->id == id)
			return c->codes[mid];
		if (c->codes[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool
catalog_feeds(const struct catalog *c, int from_id, int to_id)
{
	long a = catalog_product_index(c, from_id),
	     b = catalog_product_index(c, to_id);

	return a >= 0 && b >= 0 && c->feeds[(size_t)a * c->n_products + (size_t)b];
}

void
catalog_input_text(const struct catalog *c, const struct process *proc,
		   int product_id, struct strbuf *sb)
{
	const struct input *in = prefer_input(proc, product_id);
	const struct product *p;
	int n = 0;

	if (!in || !in->group) {
		p = catalog_product(c, product_id);
		strbuf_addf(sb, "input product \"%s\"", p ? p->name : "?");
		return;
	}
	strbuf_addstr(sb, "input group (one_of: ");
	for (int r = 0; r < (int)proc->n_inputs; r++)
		for (size_t l = 0; l < proc->n_inputs; l++)
			if (proc->inputs[l].rank == r &&
			    prefer_same_input(in, &proc->inputs[l])) {
				p = catalog_product(c,
						    proc->inputs[l].product_id);
				strbuf_addf(sb, "%s%s", n++ ? ", " : "",
					    p ? p->name : "?");
			}
	strbuf_addch(sb, ')');
}
