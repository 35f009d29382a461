/*
 * test-iniconf.c - dbprocessing's mission INI read as addFromConfig.py
 * reads it, written as a mission file that loads.
 */
#include <string.h>

#include "config.h"
#include "iniconf.h"
#include "log.h"
#include "strbuf.h"
#include "unit.h"

static const char base[] =
	"# a comment\n"
	"; another\n"
	"[mission]\n"
	"Mission_Name = m1\n"
	"rootdir = /data/m1\n"
	"incoming_dir = incoming\n"
	"codedir =\n"
	"[satellite]\n"
	"satellite_name = {MISSION}-a\n"
	"[instrument]\n"
	"instrument_name = ins\n"
	"[product_a]\n"
	"product_name = {INSTRUMENT}_raw\n"
	"relative_path = {SPACECRAFT}/{PRODUCT}/L{LEVEL}\n"
	"level = 0\n"
	"format = {PRODUCT}_{Y}{m}{d}_v{VERSION}.dat\n"
	"product_description = raw data,\n"
	"  continued on a second line\n"
	"inspector_filename = raw.py\n"
	"inspector_relative_path = codes/inspectors\n"
	"inspector_description = d\n"
	"inspector_version = 1.0.0\n"
	"inspector_output_interface = 1\n"
	"inspector_active = Yes\n"
	"inspector_date_written = 2020-01-01\n"
	"inspector_newest_version = True\n"
	"inspector_arguments = x=1\n"
	"[product_b]\n"
	"product_name = ins_l1\n"
	"relative_path = l1\n"
	"level = 1.0\n"
	"format = l1_{Y}{m}{d}_v{VERSION}.dat\n"
	"product_description =\n"
	"[process_b]\n"
	"process_name = make_l1\n"
	"output_product = product_b\n"
	"output_timebase = %s\n"
	"extra_params =\n"
	"required_input1 = ('product_a', 2, 1)\n"
	"code_filename = l1.sh\n"
	"code_relative_path = bin\n"
	"code_start_date = 2020-01-01\n"
	"code_stop_date = 2030-12-31\n"
	"code_description = c\n"
	"code_version = 1.2.3\n"
	"code_output_interface = 1\n"
	"code_active = %s\n"
	"code_date_written = 2020-01-01\n"
	"code_newest_version = True\n"
	"code_arguments =\n"
	"code_cpu = 1\n"
	"code_ram = 1\n";

static int
convert(const char *tb, const char *active, struct strbuf *y, int *notes)
{
	struct strbuf ini = STRBUF_INIT;
	int rc;

	strbuf_addf(&ini, base, tb, active);
	rc = iniconf_convert("t.conf", ini.buf, ini.len, NULL, y, notes);
	strbuf_release(&ini);
	return rc;
}

static void
test_reads_as_dbprocessing(void)
{
	struct strbuf y = STRBUF_INIT;
	struct config *cfg = NULL;
	int notes = -1;

	CU_ASSERT_EQUAL_FATAL(convert("DAILY", "True", &y, &notes), 0);
	/* substitutions as addFromConfig and addProduct make them */
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "- name: \"m1-a\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "- name: \"ins_raw\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf,
				      "relative_path: \"m1-a/ins_raw/L0.0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf,
				      "format: \"ins_raw_{Y}{m}{d}_v{VERSION}.dat\""));
	/* a continuation line, keys in any case */
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "raw data,\\ncontinued on a "
					     "second line"));
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "name: \"m1\""));
	/* the tuple, with its comment; the inspector's comment */
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "yesterday: 2\n        tomorrow: 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "# dbprocessing ran this process "
					     "only for the days"));
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "Python module "
					     "codes/inspectors/raw.py"));
	CU_ASSERT_EQUAL(notes, 2);
	CU_ASSERT_EQUAL(config_load_string("t.yaml", y.buf, y.len, "/", &cfg),
			0);
	if (cfg) {
		CU_ASSERT_EQUAL(cfg->n_products, 2);
		CU_ASSERT_EQUAL(cfg->n_processes, 1);
		CU_ASSERT_STRING_EQUAL(cfg->mission.incoming_dir,
				       "/data/m1/incoming");
		CU_ASSERT(cfg->processes[0].codes[0].active);
	}
	config_free(cfg);
	strbuf_release(&y);
}

static void
test_differences_commented(void)
{
	struct strbuf y = STRBUF_INIT;
	struct config *cfg = NULL;
	int notes;

	/* "1" was false in dbprocessing */
	CU_ASSERT_EQUAL_FATAL(convert("DAILY", "1", &y, &notes), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "# code_active = 1: dbprocessing "
					     "read this as false"));
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "active: false"));
	strbuf_reset(&y);
	/* an unknown timebase: the process as a comment, the rest loads */
	CU_ASSERT_EQUAL_FATAL(convert("SECONDLY", "True", &y, &notes), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "# timebase SECONDLY: cascade has"));
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "  #  - name: \"make_l1\""));
	CU_ASSERT_EQUAL(config_load_string("t.yaml", y.buf, y.len, "/", &cfg),
			0);
	if (cfg)
		CU_ASSERT_EQUAL(cfg->n_processes, 0);
	config_free(cfg);
	strbuf_reset(&y);
	/* ORBIT with an output format of days: left out, saying why */
	CU_ASSERT_EQUAL_FATAL(convert("ORBIT", "True", &y, &notes), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "# timebase ORBIT: dbprocessing "
					     "never ran it; cascade does"));
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "  #  - name: \"make_l1\""));
	strbuf_reset(&y);
	/* MONTHLY: dbprocessing never ran it */
	CU_ASSERT_EQUAL_FATAL(convert("MONTHLY", "True", &y, &notes), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(y.buf, "# timebase MONTHLY: dbprocessing "
					     "never ran"));
	strbuf_release(&y);
}

static void
test_refused(void)
{
	static const char *const bad[] = {
		"[mission]\nmission_name = m\n[satellite]\nsatellite_name = s\n",
		"[mission]\nmission_name = m\n[satellite]\nsatellite_name = s\n"
		"[instrument]\ninstrument_name = i\n[mission]\nx = 1\n",
		"[mission]\nmission_name = m\n[satellite]\nsatellite_name = s\n"
		"[instrument]\ninstrument_name = i\n[other]\nx = 1\n",
		"[mission]\nmission_name = m\n[satellite]\nsatellite_name = s\n"
		"[instrument]\ninstrument_name = i\nno equals sign\n",
		"x = 1\n[mission]\n",
		"[mission\n",
		"[mission]\nmission_name = m\n[satellite]\nsatellite_name = s\n"
		"[instrument]\ninstrument_name = i\n[process_x]\nprocess_name = "
		"p\noutput_timebase = RUN\nrequired_input1 = product_none\n",
	};

	enum log_level saved = log_get_level();

	log_set_level(LOG_LEVEL_SILENT);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct strbuf y = STRBUF_INIT;
		int notes;

		CU_ASSERT_EQUAL(iniconf_convert("t.conf", bad[i], strlen(bad[i]),
						NULL, &y, &notes), -1);
		strbuf_release(&y);
	}
	log_set_level(saved);
}

void
suite_iniconf(void)
{
	CU_pSuite s = unit_add_suite("iniconf");

	ADD_TEST(s, test_reads_as_dbprocessing);
	ADD_TEST(s, test_differences_commented);
	ADD_TEST(s, test_refused);
}
