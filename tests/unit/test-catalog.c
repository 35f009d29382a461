/*
 * test-catalog.c - the catalog made from a mission: its maps, its
 * compiled templates (identification and archive paths), and a template
 * that does not compile.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "catalog.h"
#include "config.h"
#include "identify.h"
#include "log.h"
#include "strbuf.h"
#include "unit.h"
#include "xalloc.h"

static const char mission[] =
	"mission:\n"
	"  name: cat\n"
	"  rootdir: /data\n"
	"satellites:\n"
	"  - name: sat\n"
	"    instruments: [mag]\n"
	"products:\n"
	"  - name: raw\n"
	"    instrument: mag\n"
	"    level: 0\n"
	"    format: \"raw_{Y}{m}{d}_v{VERSION}.dat\"\n"
	"    relative_path: \"raw/{Y}\"\n"
	"  - name: l1\n"
	"    instrument: mag\n"
	"    level: 1\n"
	"    format: \"l1_{Y}{m}{d}_v{VERSION}.dat\"\n"
	"    relative_path: \"l1/{Y}\"\n"
	"  - name: a_summary\n"
	"    instrument: mag\n"
	"    level: 2\n"
	"    format: \"sum_{Y}{m}{d}_v{VERSION}.txt\"\n"
	"    relative_path: \"sum\"\n"
	"processes:\n"
	"  - name: make_l1\n"
	"    output_product: l1\n"
	"    output_timebase: DAILY\n"
	"    inputs:\n"
	"      - product: raw\n"
	"    codes:\n"
	"      - filename: l1.sh\n"
	"        relative_path: bin\n"
	"        version: 1.0.0\n"
	"        output_interface_version: 1\n"
	"        start_date: 2020-01-01\n"
	"        stop_date: 2020-12-31\n"
	"      - filename: l1.sh\n"
	"        relative_path: bin\n"
	"        version: 2.0.0\n"
	"        output_interface_version: 1\n"
	"        start_date: 2021-01-01\n"
	"  - name: check_all\n"
	"    output_timebase: RUN\n"
	"    inputs:\n"
	"      - product: l1\n"
	"    codes:\n"
	"      - filename: check.sh\n"
	"        relative_path: bin\n"
	"        version: 1.0.0\n"
	"        output_interface_version: 1\n"
	"        start_date: 2020-01-01\n";

/* the ids a database would give, as store_config_load fills them */
static struct config *
load(void)
{
	static const int product_ids[] = {2, 5, 9}, process_ids[] = {3, 7};
	struct config *cfg = NULL;
	int code_id = 40;

	if (config_load_string("catalog", mission, strlen(mission), "/", &cfg))
		return NULL;
	for (size_t i = 0; i < cfg->n_products; i++)
		cfg->products[i].id = product_ids[i];
	for (size_t i = 0; i < cfg->n_processes; i++) {
		struct process *p = &cfg->processes[i];
		const struct product *out =
			p->output_product
				? config_find_product(cfg, p->output_product)
				: NULL;

		p->id = process_ids[i];
		p->output_product_id = out ? out->id : 0;
		for (size_t k = 0; k < p->n_inputs; k++)
			p->inputs[k].product_id =
				config_find_product(cfg, p->inputs[k].product)
					->id;
		/* codes by id in the other order than by process */
		for (size_t k = 0; k < p->n_codes; k++) {
			p->codes[k].id = code_id--;
			p->codes[k].process_id = p->id;
		}
	}
	return cfg;
}

static void
test_maps(void)
{
	struct config *cfg = load();
	struct catalog c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(catalog_from_config(cfg, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.mission->name, "cat");
	CU_ASSERT_EQUAL(c.run->batch_size, 500);
	CU_ASSERT_EQUAL(c.n_products, 3);
	CU_ASSERT_EQUAL(c.n_processes, 2);
	CU_ASSERT_EQUAL(c.n_codes, 3);
	/* by id */
	CU_ASSERT_EQUAL(catalog_product_index(&c, 5), 1);
	CU_ASSERT_EQUAL(catalog_product_index(&c, 4), -1);
	CU_ASSERT_STRING_EQUAL(catalog_product(&c, 9)->name, "a_summary");
	CU_ASSERT_PTR_NULL(catalog_product(&c, 0));
	CU_ASSERT_STRING_EQUAL(catalog_process(&c, 7)->name, "check_all");
	CU_ASSERT_PTR_NULL(catalog_process(&c, 5));
	/* by name (not in name order in the file) */
	CU_ASSERT_EQUAL(catalog_product_named(&c, "raw")->id, 2);
	CU_ASSERT_EQUAL(catalog_product_named(&c, "a_summary")->id, 9);
	CU_ASSERT_PTR_NULL(catalog_product_named(&c, "l2"));
	CU_ASSERT_PTR_NULL(catalog_product_named(&c, NULL));
	CU_ASSERT_EQUAL(catalog_process_named(&c, "make_l1")->id, 3);
	CU_ASSERT_PTR_NULL(catalog_process_named(&c, "nothing"));
	/* the process that makes a product; RUN makes none */
	CU_ASSERT_EQUAL(catalog_maker(&c, 5)->id, 3);
	CU_ASSERT_PTR_NULL(catalog_maker(&c, 2));
	CU_ASSERT_PTR_NULL(catalog_maker(&c, 9));
	/* codes by id, pointing into their processes */
	CU_ASSERT_PTR_EQUAL(catalog_code(&c, 40), &c.processes[0].codes[0]);
	CU_ASSERT_PTR_EQUAL(catalog_code(&c, 39), &c.processes[0].codes[1]);
	CU_ASSERT_PTR_EQUAL(catalog_code(&c, 38), &c.processes[1].codes[0]);
	CU_ASSERT_PTR_NULL(catalog_code(&c, 41));
	/* raw -> l1 through make_l1; RUN processes make nothing */
	CU_ASSERT(catalog_feeds(&c, 2, 5));
	CU_ASSERT(!catalog_feeds(&c, 5, 2));
	CU_ASSERT(!catalog_feeds(&c, 2, 2));
	CU_ASSERT(!catalog_feeds(&c, 5, 9));
	CU_ASSERT(!catalog_feeds(&c, 2, 4));
	catalog_release(&c);
	CU_ASSERT_PTR_NULL(c.cfg);
}

/* one compiled template serves identification and the archive rules */
static void
test_templates(void)
{
	struct config *cfg = load();
	struct catalog c;
	struct identify_set *set;
	struct identify_result r = IDENTIFY_RESULT_INIT;
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	struct archive_file f = {5, "l1_20210304_v1.2.3.dat", true, 0, 0,
				 {1, 2, 3}, NULL};

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL_FATAL(catalog_from_config(cfg, &c), 0);
	set = catalog_identify(&c);
	CU_ASSERT_EQUAL(identify_file(set, "/in/l1_20210304_v1.2.3.dat",
				      "l1_20210304_v1.2.3.dat", &r),
			0);
	CU_ASSERT_EQUAL(r.kind, IDENTIFY_ONE);
	CU_ASSERT_EQUAL(r.product, 1);
	CU_ASSERT_EQUAL(r.version.quality, 2);
	f.date = r.date;
	CU_ASSERT_EQUAL(archive_path(c.archive, &f, &path, &err), 0);
	CU_ASSERT_STRING_EQUAL(path.buf, "/data/l1/2021/l1_20210304_v1.2.3.dat");
	identify_result_release(&r);
	/* a product whose inspector is not active claims nothing */
	cfg->products[1].inspector.active = false;
	CU_ASSERT_EQUAL(identify_file(set, "/in/l1_20210304_v1.2.3.dat",
				      "l1_20210304_v1.2.3.dat", &r),
			0);
	CU_ASSERT_EQUAL(r.kind, IDENTIFY_NONE);
	identify_result_release(&r);
	identify_set_free(set);
	strbuf_release(&path);
	strbuf_release(&err);
	catalog_release(&c);
}

/* which products lead to which: through chains, not backwards */
static void
test_feeds(void)
{
	static const char chain[] =
		"mission: {name: ch, rootdir: /data}\n"
		"satellites: [{name: sat, instruments: [mag]}]\n"
		"products:\n"
		"  - {name: raw, instrument: mag, level: 0, format: \"r_{Y}{m}{d}_v{VERSION}\", relative_path: r}\n"
		"  - {name: aux, instrument: mag, level: 0, format: \"a_{Y}{m}{d}_v{VERSION}\", relative_path: a}\n"
		"  - {name: day, instrument: mag, level: 1, format: \"d_{Y}{m}{d}_v{VERSION}\", relative_path: d}\n"
		"  - {name: week, instrument: mag, level: 2, format: \"w_{Y}{m}{d}_v{VERSION}\", relative_path: w}\n"
		"processes:\n"
		"  - {name: day, output_product: day, output_timebase: DAILY, inputs: [raw], codes: [{filename: x, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}\n"
		"  - {name: week, output_product: week, output_timebase: WEEKLY, inputs: [day, {product: aux, optional: true}], codes: [{filename: x, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}\n";
	struct config *cfg = NULL;
	struct catalog c;

	CU_ASSERT_EQUAL_FATAL(config_load_string("chain", chain, strlen(chain),
						 "/", &cfg),
			      0);
	for (size_t i = 0; i < cfg->n_products; i++)
		cfg->products[i].id = (int)i + 1;
	for (size_t i = 0; i < cfg->n_processes; i++) {
		struct process *p = &cfg->processes[i];

		p->id = (int)i + 1;
		p->output_product_id =
			config_find_product(cfg, p->output_product)->id;
		for (size_t k = 0; k < p->n_inputs; k++)
			p->inputs[k].product_id =
				config_find_product(cfg, p->inputs[k].product)
					->id;
	}
	CU_ASSERT_EQUAL_FATAL(catalog_from_config(cfg, &c), 0);
	/* raw 1, aux 2, day 3, week 4 */
	CU_ASSERT(catalog_feeds(&c, 1, 3));
	CU_ASSERT(catalog_feeds(&c, 1, 4));
	CU_ASSERT(catalog_feeds(&c, 3, 4));
	CU_ASSERT(catalog_feeds(&c, 2, 4));
	CU_ASSERT(!catalog_feeds(&c, 2, 3));
	CU_ASSERT(!catalog_feeds(&c, 4, 1));
	CU_ASSERT(!catalog_feeds(&c, 3, 1));
	CU_ASSERT(!catalog_feeds(&c, 1, 2));
	CU_ASSERT(!catalog_feeds(&c, 4, 4));
	catalog_release(&c);
}

/* a format without {VERSION}: its files are 1.0.0, marked versionless */
static void
test_versionless(void)
{
	static const char m[] =
		"mission: {name: vl, rootdir: /data}\n"
		"satellites: [{name: sat, instruments: [mag]}]\n"
		"products:\n"
		"  - {name: raw, instrument: mag, level: 0, format: \"vl_{Y}{m}{d}.dat\", relative_path: r}\n"
		"  - {name: l1, instrument: mag, level: 1, format: \"vl_l1_{Y}{m}{d}_v{VERSION}.dat\", relative_path: l}\n";
	struct config *cfg = NULL;
	struct catalog c;
	struct identify_set *set;
	struct identify_result r = IDENTIFY_RESULT_INIT;

	CU_ASSERT_EQUAL_FATAL(config_load_string("vl", m, strlen(m), "/", &cfg),
			      0);
	cfg->products[0].id = 1;
	cfg->products[1].id = 2;
	CU_ASSERT_EQUAL_FATAL(catalog_from_config(cfg, &c), 0);
	set = catalog_identify(&c);
	CU_ASSERT_EQUAL(identify_file(set, "/in/vl_20240310.dat",
				      "vl_20240310.dat", &r),
			0);
	CU_ASSERT_EQUAL(r.kind, IDENTIFY_ONE);
	CU_ASSERT_EQUAL(r.product, 0);
	CU_ASSERT(r.versionless);
	CU_ASSERT(r.version.interface == 1 && r.version.quality == 0 &&
		  r.version.revision == 0);
	/* a versioned product's name still needs its version */
	CU_ASSERT_EQUAL(identify_file(set, "/in/vl_l1_20240310_v1.2.3.dat",
				      "vl_l1_20240310_v1.2.3.dat", &r),
			0);
	CU_ASSERT_EQUAL(r.kind, IDENTIFY_ONE);
	CU_ASSERT(!r.versionless);
	CU_ASSERT_EQUAL(r.version.quality, 2);
	CU_ASSERT_EQUAL(identify_file(set, "/in/vl_l1_20240310.dat",
				      "vl_l1_20240310.dat", &r),
			0);
	CU_ASSERT_EQUAL(r.kind, IDENTIFY_NONE);
	identify_result_release(&r);
	identify_set_free(set);
	catalog_release(&c);
}

/* a format with {ORBIT}: the number comes out; without it, none */
static void
test_orbit(void)
{
	static const char m[] =
		"mission: {name: ob, rootdir: /data}\n"
		"satellites: [{name: sat, instruments: [mag]}]\n"
		"products:\n"
		"  - {name: raw, instrument: mag, level: 0, timebase: ORBIT, format: \"ob_{Y}{m}{d}_o{ORBIT}_v{VERSION}.dat\", relative_path: r}\n"
		"  - {name: l1, instrument: mag, level: 1, format: \"ob_l1_{Y}{m}{d}_v{VERSION}.dat\", relative_path: l}\n";
	struct config *cfg = NULL;
	struct catalog c;
	struct identify_set *set;
	struct identify_result r = IDENTIFY_RESULT_INIT;

	CU_ASSERT_EQUAL_FATAL(config_load_string("ob", m, strlen(m), "/", &cfg),
			      0);
	cfg->products[0].id = 1;
	cfg->products[1].id = 2;
	CU_ASSERT_EQUAL_FATAL(catalog_from_config(cfg, &c), 0);
	set = catalog_identify(&c);
	CU_ASSERT_EQUAL(identify_file(set, "/in/ob_20240310_o01234_v1.0.0.dat",
				      "ob_20240310_o01234_v1.0.0.dat", &r),
			0);
	CU_ASSERT_EQUAL(r.kind, IDENTIFY_ONE);
	CU_ASSERT_EQUAL(r.product, 0);
	CU_ASSERT(r.has_orbit);
	CU_ASSERT_EQUAL(r.orbit, 1234);
	CU_ASSERT_EQUAL(identify_file(set, "/in/ob_20240310_o999999999999_v1.0.0.dat",
				      "ob_20240310_o999999999999_v1.0.0.dat",
				      &r),
			0);
	CU_ASSERT_EQUAL(r.kind, IDENTIFY_ONE);
	CU_ASSERT(r.has_orbit);
	CU_ASSERT_EQUAL(r.orbit, INT64_C(999999999999));
	/* the same result reused: no orbit left over */
	CU_ASSERT_EQUAL(identify_file(set, "/in/ob_l1_20240310_v1.0.0.dat",
				      "ob_l1_20240310_v1.0.0.dat", &r),
			0);
	CU_ASSERT_EQUAL(r.kind, IDENTIFY_ONE);
	CU_ASSERT_EQUAL(r.product, 1);
	CU_ASSERT(!r.has_orbit);
	CU_ASSERT_EQUAL(r.orbit, 0);
	/* 13 digits: not an orbit number, so not the product's */
	CU_ASSERT_EQUAL(identify_file(set, "/in/ob_20240310_o1234567890123_v1.0.0.dat",
				      "ob_20240310_o1234567890123_v1.0.0.dat",
				      &r),
			0);
	CU_ASSERT_EQUAL(r.kind, IDENTIFY_NONE);
	CU_ASSERT(!r.has_orbit);
	identify_result_release(&r);
	identify_set_free(set);
	catalog_release(&c);
}

/* a template that does not compile: reported, nothing kept */
static void
test_bad_template(void)
{
	struct config *cfg = load();
	struct catalog c;
	int level = log_get_level();

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	free(cfg->products[2].relative_path);
	cfg->products[2].relative_path = xstrdup("sum/{nonsense}");
	log_set_level(LOG_LEVEL_SILENT);
	CU_ASSERT_EQUAL(catalog_from_config(cfg, &c), -1);
	log_set_level(level);
	CU_ASSERT_PTR_NULL(c.cfg);
	CU_ASSERT_PTR_NULL(c.archive);
	CU_ASSERT_PTR_NULL(c.formats);
}

void
suite_catalog(void)
{
	CU_pSuite s = unit_add_suite("catalog");

	ADD_TEST(s, test_maps);
	ADD_TEST(s, test_templates);
	ADD_TEST(s, test_feeds);
	ADD_TEST(s, test_versionless);
	ADD_TEST(s, test_orbit);
	ADD_TEST(s, test_bad_template);
}
