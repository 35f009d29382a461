/*
 * catalog.c - the mission's products with their archive rules and
 * matchers (see catalog.h).
 */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "identify.h"
#include "xalloc.h"
#include "banned.h"

int
catalog_load(struct db *db, const struct store_mission *m, struct catalog *c)
{
	struct archive_product *ap;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = store_products_load(db, &c->products, &c->n)))
		return rc;
	ap = xcalloc(c->n + 1, sizeof(*ap));
	c->idp = xcalloc(c->n + 1, sizeof(*c->idp));
	for (size_t i = 0; i < c->n; i++) {
		const struct store_product *p = &c->products[i];

		ap[i].id = p->id;
		ap[i].name = p->name;
		ap[i].satellite = p->satellite;
		ap[i].instrument = p->instrument;
		ap[i].relative_path = p->relative_path;
		c->idp[i].id = p->id;
		c->idp[i].name = p->name;
		c->idp[i].format = p->format;
		c->idp[i].satellite = p->satellite;
		c->idp[i].instrument = p->instrument;
		c->idp[i].inspector = p->inspector;
		c->idp[i].inspector_args = p->inspector_args;
		c->idp[i].inspector_timeout_s = p->inspector_timeout_s;
	}
	rc = archive_new(m->name, m->rootdir, ap, c->n, &c->archive);
	free(ap);
	if (!rc)
		rc = identify_set_new(m->name, c->idp, c->n, &c->ids);
	if (rc) {
		catalog_release(c);
		return -1;
	}
	return 0;
}

void
catalog_release(struct catalog *c)
{
	identify_report_failures(c->ids);
	identify_set_free(c->ids);
	archive_free(c->archive);
	free(c->idp);
	store_products_free(c->products, c->n);
	memset(c, 0, sizeof(*c));
}

long
catalog_find(const struct catalog *c, int id)
{
	size_t lo = 0, hi = c->n;

	/* store_products_load returns them ordered by id */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->products[mid].id == id)
			return (long)mid;
		if (c->products[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}
