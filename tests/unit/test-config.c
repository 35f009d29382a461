/*
 * test-config.c - mission files: loading, every error kind, defaults,
 * paths, validation of database-style configs, writing and round trips.
 *
 * Most cases are YAML assembled from a small valid mission in which one
 * section is replaced; each bad case names a substring of the message it
 * must produce.  Messages are captured by pointing stderr at a temporary
 * file while the loader runs.  The files in tests/fixtures/config/ (one
 * bad config per error kind, for the integration tests) are checked here
 * too (the bad-*.yaml ones), and so is config/cascade.yaml.example.
 * Paths are relative to the repository root, where "make check-unit" runs
 * the binary.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "strbuf.h"
#include "timeutil.h"
#include "unit.h"

#define EXAMPLE_PATH "config/cascade.yaml.example"
#define FIXTURE_DIR "tests/fixtures/config"

/*
 * ----------------------------------------------------------------------
 * Helpers
 * ----------------------------------------------------------------------
 */

struct capture {
	FILE *tmp;
	int saved_fd;
	enum log_level saved_level;
};

static void
capture_start(struct capture *c)
{
	c->tmp = tmpfile();
	c->saved_level = log_get_level();
	fflush(stderr);
	c->saved_fd = dup(STDERR_FILENO);
	if (c->tmp && c->saved_fd >= 0) {
		dup2(fileno(c->tmp), STDERR_FILENO);
		log_set_level(LOG_LEVEL_ERROR);
	}
}

/* capture_end: restore stderr; append what was logged to out. */
static void
capture_end(struct capture *c, struct strbuf *out)
{
	char buf[4096];
	size_t n;

	log_set_level(c->saved_level);
	fflush(stderr);
	if (c->saved_fd >= 0) {
		dup2(c->saved_fd, STDERR_FILENO);
		close(c->saved_fd);
	}
	if (!c->tmp)
		return;
	rewind(c->tmp);
	while ((n = fread(buf, 1, sizeof(buf), c->tmp)) > 0)
		strbuf_add(out, buf, n);
	fclose(c->tmp);
	if (getenv("UNIT_VERBOSE"))
		fputs(out->buf, stderr);
}

/* load: config_load_string with messages captured into msgs (if given). */
static int
load(const char *yaml, size_t len, const char *basedir, struct config **out,
     struct strbuf *msgs)
{
	struct strbuf dummy = STRBUF_INIT;
	struct capture c;
	int rc;

	capture_start(&c);
	rc = config_load_string("t.yaml", yaml, len, basedir, out);
	capture_end(&c, msgs ? msgs : &dummy);
	strbuf_release(&dummy);
	return rc;
}

static size_t
count_lines(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static bool
streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int32_t
date(const char *s)
{
	int32_t d = INT32_MIN;

	if (timeutil_parse_date(s, strlen(s), &d))
		CU_FAIL("bad date in test");
	return d;
}

static char *
slurp(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	return strbuf_detach(&sb, NULL);
}

/*
 * ----------------------------------------------------------------------
 * A small valid mission, and cases that replace one section of it
 * ----------------------------------------------------------------------
 */

#define MISSION_OK                                                           \
	"mission:\n"                                                         \
	"  name: demo\n"                                                     \
	"  rootdir: /srv/demo\n"
#define SATS_OK                                                              \
	"satellites:\n"                                                      \
	"  - name: sat-a\n"                                                  \
	"    instruments: [mag, eph]\n"
#define PRODUCT(name, instr, level)                                          \
	"  - name: " name "\n"                                               \
	"    instrument: " instr "\n"                                        \
	"    level: " level "\n"                                             \
	"    format: \"" name "_{Y}{m}{d}_v{VERSION}.dat\"\n"                \
	"    relative_path: \"" name "/{Y}\"\n"
#define PRODUCTS_OK                                                          \
	"products:\n" PRODUCT("mag_l0", "mag", "0")                          \
		PRODUCT("mag_l1", "mag", "1")
#define CODE(version, start)                                                 \
	"      - filename: l1.sh\n"                                          \
	"        version: " version "\n"                                     \
	"        output_interface_version: 1\n"                              \
	"        start_date: " start "\n"
#define PROCESS(name, out, inputs)                                           \
	"  - name: " name "\n"                                               \
	"    output_product: " out "\n"                                      \
	"    output_timebase: DAILY\n"                                       \
	"    inputs: " inputs "\n"                                           \
	"    codes:\n" CODE("1.0.0", "2020-01-01")
#define PROCS_OK "processes:\n" PROCESS("l0_to_l1", "mag_l1", "[mag_l0]")
/* a RUN process without inputs, with more keys */
#define RUN_PROC(lines)                                                      \
	"  - name: eph\n"                                                    \
	"    output_timebase: RUN\n"                                         \
	"    codes:\n" CODE("1.0.0", "2020-01-01") lines

struct parts {
	const char *raw; /* the whole file, instead of the parts */
	const char *mission, *sats, *products, *processes, *run;
};

/* build: NULL parts are the valid defaults; "" leaves a section out. */
static void
build(struct strbuf *sb, const struct parts *p)
{
	strbuf_reset(sb);
	if (p->raw) {
		strbuf_addstr(sb, p->raw);
		return;
	}
	strbuf_addstr(sb, p->mission ? p->mission : MISSION_OK);
	strbuf_addstr(sb, p->sats ? p->sats : SATS_OK);
	strbuf_addstr(sb, p->products ? p->products : PRODUCTS_OK);
	strbuf_addstr(sb, p->processes ? p->processes : PROCS_OK);
	if (p->run)
		strbuf_addstr(sb, p->run);
}

static void
test_minimal_loads(void)
{
	struct strbuf sb = STRBUF_INIT, msgs = STRBUF_INIT;
	struct parts p = {NULL, NULL, NULL, NULL, NULL, NULL};
	struct config *cfg = NULL;

	build(&sb, &p);
	CU_ASSERT_EQUAL(load(sb.buf, sb.len, "/", &cfg, &msgs), 0);
	CU_ASSERT_EQUAL(msgs.len, 0);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	config_free(cfg);
	strbuf_release(&msgs);
	strbuf_release(&sb);
}

/*
 * A product's timebase: its maker's when that is HOURLY or ORBIT, else
 * DAILY; written back only when it is not DAILY.
 */
static void
test_product_timebase(void)
{
	struct strbuf sb = STRBUF_INIT, msgs = STRBUF_INIT;
	struct parts p = {NULL, NULL, NULL,
			  "products:\n" PRODUCT("mag_l0", "mag", "0")
			  "  - name: mag_l1\n    instrument: mag\n"
			  "    level: 1\n"
			  "    format: \"mag_l1_{Y}{m}{d}T{H}_v{VERSION}.dat\"\n"
			  "    relative_path: mag_l1\n",
			  "processes:\n  - name: p\n    output_product: mag_l1\n"
			  "    output_timebase: HOURLY\n    inputs: [mag_l0]\n"
			  "    codes:\n" CODE("1.0.0", "2020-01-01"),
			  NULL};
	struct config *cfg = NULL;

	build(&sb, &p);
	CU_ASSERT_EQUAL(load(sb.buf, sb.len, "/", &cfg, &msgs), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	CU_ASSERT_EQUAL(config_find_product(cfg, "mag_l1")->timebase,
			TIMEBASE_HOURLY);
	CU_ASSERT_EQUAL(config_find_product(cfg, "mag_l0")->timebase,
			TIMEBASE_DAILY);
	config_free(cfg);
	strbuf_release(&msgs);
	strbuf_release(&sb);
}

struct bad_case {
	const char *what;
	struct parts p;
	const char *expect;
};

#define MISSION(extra) "mission:\n  name: demo\n  rootdir: /srv/demo\n" extra
#define RAW(text) {text, NULL, NULL, NULL, NULL, NULL}
#define M(text) {NULL, text, NULL, NULL, NULL, NULL}
#define S(text) {NULL, NULL, text, NULL, NULL, NULL}
#define Q(text) {NULL, NULL, NULL, text, NULL, NULL} /* products */
#define P(text) {NULL, NULL, NULL, NULL, text, NULL} /* processes */
#define R(text) {NULL, NULL, NULL, NULL, NULL, text}
#define PROC_WITH(key_lines)                                                 \
	"processes:\n"                                                       \
	"  - name: l0_to_l1\n"                                               \
	"    output_product: mag_l1\n"                                       \
	"    output_timebase: DAILY\n"                                       \
	"    inputs: [mag_l0]\n" key_lines
#define CODE_WITH(lines)                                                     \
	PROC_WITH("    codes:\n"                                             \
		  "      - filename: l1.sh\n"                                \
		  "        version: 1.0.0\n"                                 \
		  "        output_interface_version: 1\n"                    \
		  "        start_date: 2020-01-01\n" lines)
#define PROD_WITH(lines)                                                     \
	"products:\n" PRODUCT("mag_l1", "mag", "1")                          \
	"  - name: mag_l0\n"                                                 \
	"    instrument: mag\n" lines
#define PROD_FMT(fmt, path)                                                  \
	PROD_WITH("    level: 0\n"                                           \
		  "    format: \"" fmt "\"\n"                                \
		  "    relative_path: \"" path "\"\n")

#define PW(x) P(PROC_WITH(x))
#define CW(x) P(CODE_WITH(x))
#define QW(x) Q(PROD_WITH(x))
#define QF(f, p) Q(PROD_FMT(f, p))

static const struct bad_case bad_cases[] = {
	/* the YAML itself */
	{"invalid YAML", RAW("mission: [demo\n"), "invalid YAML"},
	{"empty file", RAW(""), "the file is empty"},
	{"only comments", RAW("# nothing\n"), "the file is empty"},
	{"empty document", RAW("---\n...\n"), "the file is empty"},
	{"top level is a list", RAW("- a\n- b\n"),
	 "expected a mapping at the top level, got a list"},
	{"top level is a scalar", RAW("hello\n"),
	 "expected a mapping at the top level, got \"hello\""},
	{"two documents", RAW("a: 1\n---\nb: 2\n"),
	 "exactly one YAML document"},
	{"alias", RAW("mission: &m\n  name: demo\nrun: *m\n"),
	 "YAML aliases (\"*m\") are not supported"},
	{"anchor", RAW("mission: &m\n  name: demo\n"),
	 "1:10: YAML anchors (\"&m\") are not supported"},
	{"anchor on a scalar", M("mission:\n  name: &n demo\n  rootdir: /x\n"),
	 "YAML anchors (\"&n\") are not supported"},
	{"tag", M("mission:\n  name: !!str demo\n  rootdir: /x\n"),
	 "YAML tags are not supported"},
	{"invalid UTF-8", RAW("mission:\n  name: \"d\xff\"\n"),
	 "invalid YAML: invalid leading UTF-8 octet"},
	{"NUL escape", M("mission:\n  name: \"de\\0mo\"\n  rootdir: /x\n"),
	 "values must not contain NUL characters"},
	{"deep nesting",
	 RAW("a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	     "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"),
	 "nesting deeper than"},
	{"complex key", RAW("? [a]\n: b\n"),
	 "mapping keys must be plain strings"},
	/* keys */
	{"unknown key", M(MISSION("  nmae: x\n")),
	 "unknown key \"nmae\" in mission"},
	{"unknown top-level key", R("runn:\n  slots: 1\n"),
	 "unknown key \"runn\" in the top-level mapping"},
	{"duplicate key", M(MISSION("  name: other\n")),
	 "duplicate key \"name\" in mission (first given at line 2)"},
	{"missing required key", M("mission:\n  name: demo\n"),
	 "missing required key \"rootdir\" in mission"},
	{"missing section", M(""),
	 "missing required key \"mission\" in the top-level mapping"},
	{"null value", M("mission:\n  name:\n  rootdir: /x\n"),
	 "mission.name: a value is required"},
	{"mapping expected", M("mission: [a, b]\n"),
	 "mission: expected a mapping, got a list"},
	{"list expected", S("satellites: sat-a\n"),
	 "satellites: expected a list, got \"sat-a\""},
	{"empty satellites", S("satellites: []\n"),
	 "expected a non-empty list"},
	{"string expected",
	 M("mission:\n  name: {a: b}\n  rootdir: /x\n"),
	 "mission.name: expected a name, got a mapping"},
	{"mission name too long",
	 M("mission:\n  name: abcdefghijklmnopqrstu\n  rootdir: /x\n"),
	 "must be at most 20 characters long, not 21"},
	{"empty name", M("mission:\n  name: \"\"\n  rootdir: /x\n"),
	 "mission.name: must not be empty"},
	{"control character in a name",
	 M("mission:\n  name: \"a\\tb\"\n  rootdir: /x\n"),
	 "names must not contain control characters"},
	{"item not a mapping", Q("products: [mag_l0]\n"),
	 "products[0]: expected a mapping (one product), got \"mag_l0\""},
	{"instrument not a name",
	 S("satellites:\n  - name: sat-a\n    instruments: [[mag]]\n"),
	 "satellites[0].instruments[0]: expected an instrument name, got a "
	 "list"},
	{"unknown key in a list item", PW("    inputs2: x\n"),
	 "processes[0]: unknown key \"inputs2\" in process"},
	{"inputs not a list",
	 P("processes:\n  - name: p\n    output_product: mag_l1\n"
	   "    output_timebase: DAILY\n    inputs: mag_l0\n"
	   "    codes:\n" CODE("1.0.0", "2020-01-01")),
	 "processes[0].inputs: expected a list, got \"mag_l0\""},
	/* values */
	{"bad integer", CW("        cpu: lots\n"),
	 "processes[0].codes[0].cpu: expected an integer from 1 to 1024, got "
	 "\"lots\""},
	{"huge integer", R("run:\n  batch_size: 99999999999999999999999999\n"),
	 "run.batch_size: expected an integer >= 1"},
	{"negative integer", R("run:\n  slots: -1\n"),
	 "expected an integer from 0 to 4096, got \"-1\""},
	{"float for integer", R("run:\n  slots: 1.5\n"),
	 "expected an integer from 0 to 4096"},
	{"history kept a negative time", R("run:\n  keep_history: -1\n"),
	 "run.keep_history: expected an integer from 0 to 365000, got \"-1\""},
	{"bad boolean", R("run:\n  refuse_changed_code: maybe\n"),
	 "expected a boolean (true/false, yes/no or on/off), got \"maybe\""},
	{"1 for a boolean", R("run:\n  refuse_changed_code: 1\n"),
	 "1 and 0 are not booleans here"},
	{"bad date", CW("        stop_date: 2020-13-01\n"),
	 "expected a date YYYY-MM-DD, got \"2020-13-01\""},
	{"date with time", CW("        stop_date: 2020-12-01T00:00\n"),
	 "expected a date YYYY-MM-DD"},
	{"bad version",
	 PW("    codes:\n      - filename: a\n        version: 1.0\n"
		   "        output_interface_version: 1\n"
		   "        start_date: 2020-01-01\n"),
	 "expected a version I.Q.R with I >= 1, got \"1.0\""},
	{"interface 0 version",
	 PW("    codes:\n      - filename: a\n        version: 0.1.0\n"
		   "        output_interface_version: 1\n"
		   "        start_date: 2020-01-01\n"),
	 "with I >= 1, got \"0.1.0\""},
	{"output interface 0",
	 PW("    codes:\n      - filename: a\n        version: 1.1.0\n"
		   "        output_interface_version: 0\n"
		   "        start_date: 2020-01-01\n"),
	 "output_interface_version: expected an integer from 1 to 32767"},
	{"bad duration", CW("        timeout: 10x\n"),
	 "expected a duration (seconds, or a number with suffix s, m or h)"},
	{"negative duration", R("run:\n  kill_grace: -5s\n"),
	 "expected a duration"},
	{"duration overflow", R("run:\n  code_timeout: 9999999999h\n"),
	 "expected a duration"},
	{"bad timebase",
	 P("processes:\n  - name: p\n    output_product: mag_l1\n"
	   "    output_timebase: MINUTELY\n    codes:\n"
	   CODE("1.0.0", "2020-01-01")),
	 "expected one of FILE, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY, "
	 "ORBIT or RUN, got \"MINUTELY\""},
	{"orbit product made by an hourly process",
	 {NULL, NULL, NULL,
	  PROD_WITH("    level: 0\n    timebase: ORBIT\n"
		    "    format: \"a_{Y}{m}{d}T{H}_v{VERSION}\"\n"
		    "    relative_path: a\n"),
	  "processes:\n  - name: p\n    output_product: mag_l0\n"
	  "    output_timebase: HOURLY\n    inputs: [mag_l1]\n"
	  "    codes:\n" CODE("1.0.0", "2020-01-01"),
	  NULL},
	 "process \"p\": output_timebase HOURLY makes product \"mag_l0\", "
	 "whose timebase is ORBIT (expected the same: an HOURLY process "
	 "makes one file per hour)"},
	{"product timebase of weeks",
	 QW("    level: 0\n    timebase: WEEKLY\n"
	    "    format: \"a_{Y}{m}{d}_v{VERSION}\"\n    relative_path: a\n"),
	 "product \"mag_l0\": timebase must be DAILY, HOURLY or ORBIT, not "
	 "WEEKLY"},
	{"{ORBIT} in a product of days",
	 QW("    level: 0\n"
	    "    format: \"a_{ORBIT}_{Y}{m}{d}_v{VERSION}\"\n"
	    "    relative_path: a\n"),
	 "product \"mag_l0\": format \"a_{ORBIT}_{Y}{m}{d}_v{VERSION}\" has "
	 "{ORBIT}, which only a product of orbits has"},
	{"{ORBIT} in a relative_path",
	 QW("    level: 0\n    timebase: ORBIT\n"
	    "    format: \"a_{ORBIT}_{Y}{m}{d}_v{VERSION}\"\n"
	    "    relative_path: \"a/{ORBIT}\"\n"),
	 "product \"mag_l0\": relative_path \"a/{ORBIT}\" has {ORBIT}"},
	{"hourly outputs named by day",
	 P("processes:\n  - name: p\n    output_product: mag_l1\n"
	   "    output_timebase: HOURLY\n    inputs: [mag_l0]\n"
	   "    codes:\n" CODE("1.0.0", "2020-01-01")),
	 "product \"mag_l1\": format \"mag_l1_{Y}{m}{d}_v{VERSION}.dat\" "
	 "names every hour of a day alike: an HOURLY process's outputs need "
	 "{H} in their names"},
	{"orbit process scheduled",
	 P("processes:\n  - name: p\n    output_product: mag_l1\n"
	   "    output_timebase: ORBIT\n"
	   "    schedule: {every: ORBIT, start_date: 2024-01-01}\n"
	   "    codes:\n" CODE("1.0.0", "2020-01-01")),
	 "process \"p\": an ORBIT process cannot be scheduled"},
	{"bad level", QW("    level: high\n    format: \"a_v{VERSION}\"\n"
				"    relative_path: a\n"),
	 "products[1].level: expected a number, got \"high\""},
	{"nan level", QW("    level: .nan\n    format: \"a_v{VERSION}\"\n"
				"    relative_path: a\n"),
	 "expected a number"},
	{"zero ram", CW("        ram: 0\n"),
	 "expected a number greater than 0"},
	/* references and rules */
	{"duplicate satellite",
	 S("satellites:\n  - name: sat-a\n    instruments: [mag]\n"
	   "  - name: sat-a\n"),
	 "satellite \"sat-a\" is defined more than once"},
	{"duplicate instrument",
	 S("satellites:\n  - name: sat-a\n    instruments: [mag, mag]\n"),
	 "satellite \"sat-a\" lists instrument \"mag\" more than once"},
	{"duplicate product",
	 Q("products:\n" PRODUCT("mag_l0", "mag", "0") PRODUCT("mag_l1", "mag",
							    "1")
		   PRODUCT("mag_l0", "mag", "0")),
	 "product \"mag_l0\" is defined more than once"},
	{"duplicate process",
	 P("processes:\n" PROCESS("p", "mag_l1", "[mag_l0]")
		   PROCESS("p", "mag_l0", "[]")),
	 "process \"p\" is defined more than once"},
	{"unknown satellite",
	 Q("products:\n" PRODUCT("mag_l0", "mag", "0")
		   "    satellite: sat-z\n" PRODUCT("mag_l1", "mag", "1")),
	 "product \"mag_l0\": satellite \"sat-z\" does not exist"},
	{"instrument not on satellite",
	 Q("products:\n" PRODUCT("mag_l0", "wave", "0")
		   "    satellite: sat-a\n" PRODUCT("mag_l1", "mag", "1")),
	 "product \"mag_l0\": satellite \"sat-a\" has no instrument \"wave\""},
	{"no satellite has the instrument",
	 Q("products:\n" PRODUCT("mag_l0", "wave", "0")
		   PRODUCT("mag_l1", "mag", "1")),
	 "product \"mag_l0\": no satellite has an instrument \"wave\""},
	{"ambiguous instrument",
	 S("satellites:\n  - name: sat-a\n    instruments: [mag]\n"
	   "  - name: sat-b\n    instruments: [mag]\n"),
	 "instrument \"mag\" exists on satellites \"sat-a\", \"sat-b\""},
	{"very ambiguous instrument",
	 S("satellites:\n  - {name: s1, instruments: [mag]}\n"
	   "  - {name: s2, instruments: [mag]}\n"
	   "  - {name: s3, instruments: [mag, mag]}\n"
	   "  - {name: s4, instruments: [eph, mag]}\n"),
	 "exists on satellites \"s1\", \"s2\", \"s3\" and 1 more: say which "
	 "with \"satellite\""},
	{"unknown input product",
	 P("processes:\n" PROCESS("p", "mag_l1", "[nope]")),
	 "process \"p\": input product \"nope\" does not exist"},
	{"unknown output product",
	 P("processes:\n" PROCESS("p", "nope", "[mag_l0]")),
	 "process \"p\": output product \"nope\" does not exist"},
	{"product made twice",
	 P("processes:\n" PROCESS("p1", "mag_l1", "[mag_l0]")
		   PROCESS("p2", "mag_l1", "[mag_l0]")),
	 "product \"mag_l1\" is the output of both process \"p1\" and process "
	 "\"p2\""},
	{"RUN with an output",
	 P("processes:\n  - name: r\n    output_product: mag_l1\n"
	   "    output_timebase: run\n    codes:\n"
	   CODE("1.0.0", "2020-01-01")),
	 "process \"r\": output_product is not allowed with output_timebase "
	 "RUN"},
	{"no output without RUN",
	 P("processes:\n  - name: r\n    output_timebase: daily\n"
	   "    codes:\n" CODE("1.0.0", "2020-01-01")),
	 "process \"r\": output_product is required unless output_timebase is "
	 "RUN"},
	{"two products with one format",
	 QF("mag_l1_{Y}{m}{d}_v{VERSION}.dat", "a"),
	 "products \"mag_l1\" and \"mag_l0\" both claim files such as "
	 "\"mag_l1_20010203_v1.2.3.dat\""},
	{"formats that overlap",
	 QF("mag_l1_{DATE}_v{VERSION}{????}", "a"),
	 "products \"mag_l1\" and \"mag_l0\" both claim files such as "
	 "\"mag_l1_20010203_v1.2.3.dat\""},
	{"format does not compile", QF("mag_{BOGUS}_v{VERSION}", "a"),
	 "product \"mag_l0\": invalid format \"mag_{BOGUS}_v{VERSION}\": "
	 "unknown field"},
	{"absolute relative_path", QF("a_v{VERSION}", "/abs/{Y}"),
	 "relative_path \"/abs/{Y}\" must be relative to the mission's "
	 "rootdir"},
	{"relative_path with ..", QF("a_v{VERSION}", "a/../../b"),
	 "must not contain a \"..\" component"},
	{"relative_path does not compile", QF("a_v{VERSION}", "a/{Q}"),
	 "invalid relative_path \"a/{Q}\""},
	{"cycle",
	 P("processes:\n" PROCESS("p1", "mag_l1", "[mag_l0]")
		   PROCESS("p2", "mag_l0", "[mag_l1]")),
	 "products form a cycle: mag_l0 -> p1 -> mag_l1 -> p2 -> mag_l0"},
	{"self cycle", P("processes:\n" PROCESS("p1", "mag_l1", "[mag_l1]")),
	 "products form a cycle: mag_l1 -> p1 -> mag_l1"},
	{"stop before start", CW("        stop_date: 2019-12-31\n"),
	 "process \"l0_to_l1\": code 1.0.0: stop_date 2019-12-31 is before "
	 "start_date"},
	{"overlapping active codes",
	 PW("    codes:\n"
	    CODE("1.0.0", "2020-01-01")
	    "        stop_date: 2020-12-31\n"
	    CODE("1.1.0", "2020-06-01")),
	 "process \"l0_to_l1\": active codes 1.0.0 and 1.1.0 overlap on "
	 "2020-06-01"},
	{"duplicate code version",
	 PW("    codes:\n"
	    CODE("1.0.0", "2020-01-01")
	    "        active: false\n"
	    CODE("1.0.0", "2021-01-01")),
	 "process \"l0_to_l1\": code version 1.0.0 is listed more than once"},
	{"no codes", PW("    codes: []\n"),
	 "process \"l0_to_l1\" has no codes"},
	{"no codes key", PW(""), "process \"l0_to_l1\" has no codes"},
	{"yesterday out of range",
	 P("processes:\n" PROCESS("p", "mag_l1",
				  "\n      - product: mag_l0\n"
				  "        yesterday: 367")),
	 "process \"p\": input \"mag_l0\": yesterday must be from 0 to 366, "
	 "not 367"},
	{"negative tomorrow",
	 P("processes:\n" PROCESS("p", "mag_l1",
				  "[{product: mag_l0, tomorrow: -1}]")),
	 "tomorrow must be from 0 to 366, not -1"},
	{"input listed twice",
	 P("processes:\n" PROCESS("p", "mag_l1", "[mag_l0, mag_l0]")),
	 "process \"p\": input product \"mag_l0\" is listed more than once"},
	/* input groups and pins */
	{"unknown product in an input group",
	 P("processes:\n" PROCESS("p", "mag_l1", "[{one_of: [mag_l0, nope]}]")),
	 ":22:32: process \"p\": input product \"nope\" does not exist"},
	{"an empty input group",
	 P("processes:\n" PROCESS("p", "mag_l1", "[{one_of: []}]")),
	 "processes[0].inputs[0].one_of: expected a non-empty list"},
	{"an input group not a list",
	 P("processes:\n" PROCESS("p", "mag_l1", "[{one_of: mag_l0}]")),
	 "processes[0].inputs[0].one_of: expected a list, got \"mag_l0\""},
	{"an input group of a mapping",
	 P("processes:\n" PROCESS("p", "mag_l1", "[{one_of: [{a: b}]}]")),
	 "processes[0].inputs[0].one_of[0]: expected a product name, got a "
	 "mapping"},
	{"product and one_of",
	 P("processes:\n" PROCESS("p", "mag_l1",
				  "[{product: mag_l0, one_of: [mag_l0]}]")),
	 "an input has \"product\" or \"one_of\", not both"},
	{"neither product nor one_of",
	 P("processes:\n" PROCESS("p", "mag_l1", "[{optional: true}]")),
	 "missing required key \"product\" in input (or \"one_of\""},
	{"a pin that is not a number",
	 P("processes:\n" PROCESS("p", "mag_l1",
				  "[{product: mag_l0, version: two}]")),
	 "processes[0].inputs[0].version: expected an integer from 1 to 32767"},
	{"a pin of a whole version",
	 P("processes:\n" PROCESS("p", "mag_l1",
				  "[{product: mag_l0, version: 2.0.0}]")),
	 "expected an integer from 1 to 32767, got \"2.0.0\""},
	{"a pin of 0",
	 P("processes:\n" PROCESS("p", "mag_l1",
				  "[{one_of: [mag_l0], version: 0}]")),
	 "expected an integer from 1 to 32767, got \"0\""},
	{"a product both in a group and a plain input",
	 {NULL, NULL, NULL,
	  "products:\n" PRODUCT("mag_l0", "mag", "0")
		  PRODUCT("mag_ql", "mag", "0") PRODUCT("mag_l1", "mag", "1"),
	  "processes:\n" PROCESS("p", "mag_l1",
				 "[mag_l0, {one_of: [mag_ql, mag_l0]}]"),
	  NULL},
	 "process \"p\": input product \"mag_l0\" is both a plain input and "
	 "in input group \"mag_ql\" (one_of)"},
	{"a product in two groups",
	 {NULL, NULL, NULL,
	  "products:\n" PRODUCT("mag_l0", "mag", "0")
		  PRODUCT("mag_ql", "mag", "0") PRODUCT("mag_l1", "mag", "1"),
	  "processes:\n" PROCESS("p", "mag_l1",
				 "[{one_of: [mag_l0]}, {one_of: [mag_ql, "
				 "mag_l0]}]"),
	  NULL},
	 "process \"p\": input product \"mag_l0\" is in two input groups, "
	 "\"mag_l0\" and \"mag_ql\""},
	{"a product twice in a group",
	 P("processes:\n" PROCESS("p", "mag_l1",
				  "[{one_of: [mag_l0, mag_l0]}]")),
	 "process \"p\": input product \"mag_l0\" is listed twice in input "
	 "group \"mag_l0\""},
	/* schedules: processes without inputs, from a day, by their period */
	{"a schedule with inputs",
	 CW("    schedule: {start_date: 2024-01-01}\n"),
	 "process \"l0_to_l1\": a schedule is for processes without inputs "
	 "(it has 1)"},
	{"a schedule without start_date",
	 P("processes:\n" RUN_PROC("    schedule: {lag_days: 1}\n")),
	 "process \"eph\": schedule: missing required key \"start_date\""},
	{"a schedule of another period",
	 P("processes:\n" RUN_PROC("    schedule: {every: WEEKLY, "
				   "start_date: 2024-01-01}\n")),
	 "process \"eph\": schedule: every WEEKLY does not match the "
	 "process (expected DAILY"},
	{"a schedule's lag out of range",
	 P("processes:\n" RUN_PROC("    schedule: {start_date: 2024-01-01, "
				   "lag_days: 4000}\n")),
	 "lag_days"},
	/* reuse by content: for processes with an output */
	{"reuse of a RUN process",
	 P("processes:\n" RUN_PROC("    reuse: content\n")),
	 "process \"eph\": reuse: content is for processes with an output "
	 "product"},
	{"reuse of an unknown kind",
	 CW("    reuse: always\n"), "expected one of none or content"},
	{"an unknown key in a schedule",
	 P("processes:\n" RUN_PROC("    schedule: {start: 2024-01-01}\n")),
	 "unknown key \"start\" in schedule"},
};

static void
test_bad_cases(void)
{
	struct strbuf sb = STRBUF_INIT, msgs = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct config *cfg = (struct config *)&sb; /* must be reset */
		int rc;

		build(&sb, &bc->p);
		strbuf_reset(&msgs);
		rc = load(sb.buf, sb.len, "/", &cfg, &msgs);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_PTR_NULL(cfg);
		if (rc != -1 || !strstr(msgs.buf, bc->expect)) {
			fprintf(stderr,
				"\ncase \"%s\": rc %d, expected \"%s\" in:\n%s",
				bc->what, rc, bc->expect, msgs.buf);
			CU_FAIL("bad case");
		}
		if (rc == 0)
			config_free(cfg);
	}
	strbuf_release(&msgs);
	strbuf_release(&sb);
}

/* Every problem in a file is reported, each with its position. */
static void
test_all_errors_reported(void)
{
	static const char yaml[] =
		"mission:\n"
		"  name: demo\n"
		"  rootdir: /srv/demo\n"
		"  bogus: 1\n"                         /* 4:3 unknown */
		"satellites:\n"
		"  - name: sat-a\n"
		"    instruments: [mag]\n"
		"products:\n"
		"  - name: mag_l0\n"
		"    instrument: mag\n"
		"    level: zero\n"                    /* 11:12 type */
		"    format: \"x_{Y}{m}{d}_{NO}\"\n"   /* 9:5 field */
		"    relative_path: x\n"
		"processes:\n"
		"  - name: p\n"
		"    output_timebase: DAILY\n"         /* 15:5 no output */
		"    codes:\n"
		"      - filename: a\n"
		"        version: 1.0.0\n"
		"        output_interface_version: 1\n"
		"        start_date: 2020-01-01\n"
		"        active: 0\n"                  /* 22:17 bool */
		"run:\n"
		"  slots: many\n";                     /* 24:10 int */
	struct strbuf msgs = STRBUF_INIT;
	struct config *cfg = NULL;

	CU_ASSERT_EQUAL(load(yaml, strlen(yaml), "/", &cfg, &msgs), -1);
	CU_ASSERT_EQUAL(count_lines(msgs.buf, "ERROR: "), 6);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(msgs.buf, "t.yaml:4:3: mission: unknown key \"bogus\""));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(msgs.buf, "t.yaml:11:12: products[0].level: expected"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs.buf,
				      "t.yaml:9:5: product \"mag_l0\": "
				      "invalid format \"x_{Y}{m}{d}_{NO}\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs.buf, "t.yaml:15:5: process \"p\": "
						"output_product is required"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
		msgs.buf, "t.yaml:22:17: processes[0].codes[0].active: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs.buf, "t.yaml:24:10: run.slots: "));
	strbuf_release(&msgs);
}

/*
 * ----------------------------------------------------------------------
 * The full example: every key
 * ----------------------------------------------------------------------
 */

static const char full_yaml[] =
	"mission:\n"
	"  name: demo\n"
	"  rootdir: data\n"
	"  incoming_dir: incoming\n"
	"  codedir: codes\n"
	"  inspectordir: inspectors\n"
	"  errordir: /var/spool/demo-errors/\n"
	"satellites:\n"
	"  - name: demo-a\n"
	"    instruments: [mag, eph]\n"
	"  - name: demo-b\n"
	"    instruments:\n"
	"      - mag\n"
	"products:\n"
	"  - name: mag_l0\n"
	"    satellite: demo-a\n"
	"    instrument: mag\n"
	"    level: 0\n"
	"    format: \"demo_mag_l0_{Y}{m}{d}_v{VERSION}.dat\"\n"
	"    relative_path: \"mag/l0/{Y}\"\n"
	"    description: \"Raw magnetometer, one file a day\"\n"
	"    inspector:\n"
	"      executable: bin/inspect-mag\n"
	"      arguments: \"--strict\"\n"
	"      description: \"reads the header\"\n"
	"      version: 1.2.3\n"
	"      output_interface_version: 2\n"
	"      timeout: 2m\n"
	"      active: yes\n"
	"  - name: eph_l0\n"
	"    instrument: eph\n"
	"    level: 0.5\n"
	"    format: \"{SATELLITE}_eph_{Y}{j}_v{VERSION}.cdf\"\n"
	"    relative_path: eph\n"
	"  - name: mag_l1\n"
	"    satellite: demo-b\n"
	"    instrument: mag\n"
	"    level: 1\n"
	"    format: \"demo_mag_l1_{Y}{m}{d}_v{VERSION}.cdf\"\n"
	"    relative_path: \"mag/l1/{Y}\"\n"
	"processes:\n"
	"  - name: mag_l0_to_l1\n"
	"    output_product: mag_l1\n"
	"    output_timebase: daily\n"
	"    extra_params: \"a|b\"\n"
	"    inputs:\n"
	"      - product: mag_l0\n"
	"        optional: false\n"
	"        yesterday: 1\n"
	"        tomorrow: 2\n"
	"      - eph_l0\n"
	"    codes:\n"
	"      - filename: l1.sh\n"
	"        relative_path: bin\n"
	"        version: 1.0.0\n"
	"        output_interface_version: 1\n"
	"        start_date: 2020-01-01\n"
	"        stop_date: 2020-12-31\n"
	"        description: \"first version\"\n"
	"        date_written: 2019-11-05\n"
	"        arguments: \"--date {DATE}\"\n"
	"        active: true\n"
	"        timeout: 10m\n"
	"        cpu: 2\n"
	"        ram: 1.5\n"
	"      - filename: l1-{CODEVERSION}.sh\n"
	"        version: 1.1.0\n"
	"        output_interface_version: 1\n"
	"        start_date: 2021-01-01\n"
	"      - filename: l1.sh\n"
	"        version: 2.0.0\n"
	"        output_interface_version: 2\n"
	"        start_date: 2020-06-01\n"
	"        active: off\n"
	"  - name: weekly_report\n"
	"    output_timebase: RUN\n"
	"    inputs:\n"
	"      - {product: mag_l1, optional: true}\n"
	"    codes:\n"
	"      - filename: report.py\n"
	"        version: 1.0.0\n"
	"        output_interface_version: 1\n"
	"        start_date: 2020-01-01\n"
	"        timeout: 3600\n"
	"run:\n"
	"  slots: 4\n"
	"  batch_size: 100\n"
	"  code_timeout: 2h\n"
	"  kill_grace: 5s\n"
	"  max_attempts: 5\n"
	"  bad_after: 2\n"
	"  bad_within: 30\n"
	"  flag_lease: 90m\n"
	"  refuse_changed_code: No\n"
	"  log_file: log/cascade.log\n"
	"  keep_history: 90\n";

static void
test_full_values(void)
{
	struct strbuf msgs = STRBUF_INIT;
	struct config *cfg = NULL;
	const struct product *p;
	const struct process *pr;
	const struct code *c;

	CU_ASSERT_EQUAL_FATAL(load(full_yaml, strlen(full_yaml), "/etc/demo",
				   &cfg, &msgs),
			      0);
	CU_ASSERT_EQUAL(msgs.len, 0);
	CU_ASSERT_STRING_EQUAL(cfg->path, "t.yaml");
	CU_ASSERT_STRING_EQUAL(cfg->mission.name, "demo");
	CU_ASSERT_STRING_EQUAL(cfg->mission.rootdir, "/etc/demo/data");
	CU_ASSERT_STRING_EQUAL(cfg->mission.incoming_dir,
			       "/etc/demo/data/incoming");
	CU_ASSERT_STRING_EQUAL(cfg->mission.codedir, "/etc/demo/data/codes");
	CU_ASSERT_STRING_EQUAL(cfg->mission.inspectordir,
			       "/etc/demo/data/inspectors");
	CU_ASSERT_STRING_EQUAL(cfg->mission.errordir, "/var/spool/demo-errors");
	CU_ASSERT_EQUAL(cfg->mission.mark.line, 2);
	CU_ASSERT_EQUAL(cfg->mission.mark.column, 3);
	CU_ASSERT_PTR_EQUAL(cfg->mission.mark.file, cfg->path);

	CU_ASSERT_EQUAL(cfg->n_satellites, 2);
	CU_ASSERT_EQUAL(cfg->n_instruments, 3);
	if (cfg->n_instruments == 3) {
		CU_ASSERT_STRING_EQUAL(cfg->instruments[1].satellite, "demo-a");
		CU_ASSERT_STRING_EQUAL(cfg->instruments[1].name, "eph");
		CU_ASSERT_STRING_EQUAL(cfg->instruments[2].satellite, "demo-b");
		CU_ASSERT_EQUAL(cfg->instruments[2].mark.line, 13);
		CU_ASSERT_EQUAL(cfg->instruments[2].mark.column, 9);
	}

	CU_ASSERT_EQUAL(cfg->n_products, 3);
	p = config_find_product(cfg, "mag_l0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->level, 0);
	CU_ASSERT_STRING_EQUAL(p->description,
			       "Raw magnetometer, one file a day");
	CU_ASSERT_STRING_EQUAL(p->inspector.executable,
			       "/etc/demo/data/inspectors/bin/inspect-mag");
	CU_ASSERT_STRING_EQUAL(p->inspector.arguments, "--strict");
	CU_ASSERT_STRING_EQUAL(p->inspector.description, "reads the header");
	CU_ASSERT_EQUAL(p->inspector.version.interface, 1);
	CU_ASSERT_EQUAL(p->inspector.version.quality, 2);
	CU_ASSERT_EQUAL(p->inspector.version.revision, 3);
	CU_ASSERT_EQUAL(p->inspector.output_interface_version, 2);
	CU_ASSERT_EQUAL(p->inspector.timeout_s, 120);
	CU_ASSERT(p->inspector.active);
	CU_ASSERT_EQUAL(p->inspector.mark.line, 23);
	p = config_find_product(cfg, "eph_l0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	/* the one satellite with an instrument "eph" */
	CU_ASSERT_STRING_EQUAL(p->satellite, "demo-a");
	CU_ASSERT_EQUAL(p->level, 0.5);
	CU_ASSERT_PTR_NULL(p->description);
	CU_ASSERT_PTR_NULL(p->inspector.executable);
	CU_ASSERT_PTR_NULL(config_find_product(cfg, "nope"));

	pr = config_find_process(cfg, "mag_l0_to_l1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pr);
	CU_ASSERT_EQUAL(pr->timebase, TIMEBASE_DAILY);
	CU_ASSERT_STRING_EQUAL(pr->output_product, "mag_l1");
	CU_ASSERT_STRING_EQUAL(pr->extra_params, "a|b");
	CU_ASSERT_EQUAL_FATAL(pr->n_inputs, 2);
	CU_ASSERT_STRING_EQUAL(pr->inputs[0].product, "mag_l0");
	CU_ASSERT(!pr->inputs[0].optional);
	CU_ASSERT_EQUAL(pr->inputs[0].yesterday, 1);
	CU_ASSERT_EQUAL(pr->inputs[0].tomorrow, 2);
	/* short form */
	CU_ASSERT_STRING_EQUAL(pr->inputs[1].product, "eph_l0");
	CU_ASSERT(!pr->inputs[1].optional);
	CU_ASSERT_EQUAL(pr->inputs[1].yesterday, 0);
	CU_ASSERT_EQUAL(pr->inputs[1].mark.line, 51);
	CU_ASSERT_EQUAL(pr->inputs[1].mark.column, 9);
	CU_ASSERT_EQUAL_FATAL(pr->n_codes, 3);
	c = &pr->codes[0];
	CU_ASSERT_STRING_EQUAL(c->filename, "l1.sh");
	CU_ASSERT_STRING_EQUAL(c->relative_path, "bin");
	CU_ASSERT_EQUAL(c->version.interface, 1);
	CU_ASSERT_EQUAL(c->output_interface_version, 1);
	CU_ASSERT_EQUAL(c->start_date, date("2020-01-01"));
	CU_ASSERT_EQUAL(c->stop_date, date("2020-12-31"));
	CU_ASSERT_STRING_EQUAL(c->description, "first version");
	CU_ASSERT_EQUAL(c->date_written, date("2019-11-05"));
	CU_ASSERT_STRING_EQUAL(c->arguments, "--date {DATE}");
	CU_ASSERT(c->active);
	CU_ASSERT_EQUAL(c->timeout_s, 600);
	CU_ASSERT_EQUAL(c->cpu, 2);
	CU_ASSERT_EQUAL(c->ram, 1.5);
	CU_ASSERT(!pr->codes[2].active);
	CU_ASSERT_EQUAL(pr->codes[2].output_interface_version, 2);

	pr = config_find_process(cfg, "weekly_report");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pr);
	CU_ASSERT_EQUAL(pr->timebase, TIMEBASE_RUN);
	CU_ASSERT_PTR_NULL(pr->output_product);
	CU_ASSERT_EQUAL_FATAL(pr->n_inputs, 1);
	CU_ASSERT(pr->inputs[0].optional);
	CU_ASSERT_EQUAL(pr->codes[0].timeout_s, 3600);
	CU_ASSERT_PTR_NULL(config_find_process(cfg, "nope"));

	CU_ASSERT_EQUAL(cfg->run.slots, 4);
	CU_ASSERT_EQUAL(cfg->run.batch_size, 100);
	CU_ASSERT_EQUAL(cfg->run.code_timeout_s, 7200);
	CU_ASSERT_EQUAL(cfg->run.kill_grace_s, 5);
	CU_ASSERT_EQUAL(cfg->run.max_attempts, 5);
	CU_ASSERT_EQUAL(cfg->run.bad_after, 2);
	CU_ASSERT_EQUAL(cfg->run.bad_within_s, 30);
	CU_ASSERT_EQUAL(cfg->run.flag_lease_s, 5400);
	CU_ASSERT(!cfg->run.refuse_changed_code);
	CU_ASSERT_STRING_EQUAL(cfg->run.log_file,
			       "/etc/demo/data/log/cascade.log");
	CU_ASSERT_EQUAL(cfg->run.keep_history_days, 90);
	CU_ASSERT_EQUAL(cfg->run.mark.line, 86);

	CU_ASSERT_EQUAL(config_validate(cfg), 0);
	config_free(cfg);
	strbuf_release(&msgs);
}

static void
test_defaults(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct parts parts = {NULL, NULL, NULL, NULL, NULL, NULL};
	struct config *cfg = NULL;
	struct run_settings def;
	const struct product *p;
	const struct code *c;

	config_run_defaults(&def);
	CU_ASSERT_EQUAL(def.slots, 0);
	CU_ASSERT_EQUAL(def.batch_size, 500);
	CU_ASSERT_EQUAL(def.code_timeout_s, 3600);
	CU_ASSERT_EQUAL(def.kill_grace_s, 10);
	CU_ASSERT_EQUAL(def.max_attempts, 3);
	CU_ASSERT_EQUAL(def.bad_after, 3);
	CU_ASSERT_EQUAL(def.bad_within_s, 60);
	CU_ASSERT_EQUAL(def.flag_lease_s, 3600);
	CU_ASSERT(def.refuse_changed_code);
	CU_ASSERT_PTR_NULL(def.log_file);
	CU_ASSERT_EQUAL(def.keep_history_days, 0);
	CU_ASSERT_EQUAL(def.mark.line, 0);

	build(&sb, &parts);
	CU_ASSERT_EQUAL_FATAL(load(sb.buf, sb.len, "/", &cfg, NULL), 0);
	CU_ASSERT_STRING_EQUAL(cfg->mission.rootdir, "/srv/demo");
	CU_ASSERT_STRING_EQUAL(cfg->mission.incoming_dir, "/srv/demo/incoming");
	CU_ASSERT_STRING_EQUAL(cfg->mission.codedir, "/srv/demo");
	CU_ASSERT_STRING_EQUAL(cfg->mission.inspectordir, "/srv/demo");
	CU_ASSERT_STRING_EQUAL(cfg->mission.errordir, "/srv/demo/errors");
	CU_ASSERT_EQUAL(memcmp(&cfg->run, &def, offsetof(struct run_settings,
							 log_file)),
			0);
	CU_ASSERT_PTR_NULL(cfg->run.log_file);

	p = config_find_product(cfg, "mag_l0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->satellite, "sat-a");
	CU_ASSERT_PTR_NULL(p->inspector.executable);
	CU_ASSERT_PTR_NULL(p->inspector.arguments);
	CU_ASSERT_EQUAL(p->inspector.version.interface, 1);
	CU_ASSERT_EQUAL(p->inspector.version.quality, 0);
	CU_ASSERT_EQUAL(p->inspector.output_interface_version, 1);
	CU_ASSERT_EQUAL(p->inspector.timeout_s, 30);
	CU_ASSERT(p->inspector.active);
	CU_ASSERT(!p->stop_time_exclusive);

	CU_ASSERT_EQUAL_FATAL(cfg->n_processes, 1);
	CU_ASSERT_EQUAL_FATAL(cfg->processes[0].n_codes, 1);
	CU_ASSERT_PTR_NULL(cfg->processes[0].extra_params);
	c = &cfg->processes[0].codes[0];
	CU_ASSERT_STRING_EQUAL(c->relative_path, ".");
	CU_ASSERT_EQUAL(c->stop_date, date("9999-12-31"));
	CU_ASSERT_EQUAL(c->date_written, c->start_date);
	CU_ASSERT(c->active);
	CU_ASSERT_EQUAL(c->timeout_s, 0);
	CU_ASSERT_EQUAL(c->cpu, 1);
	CU_ASSERT_EQUAL(c->ram, 1.0);
	CU_ASSERT_PTR_NULL(c->description);
	CU_ASSERT_PTR_NULL(c->arguments);
	config_free(cfg);
	strbuf_release(&sb);
}

static void
test_paths(void)
{
	static const struct {
		const char *mission;
		const char *base;
		const char *rootdir, *incoming, *codedir, *inspectordir,
			*errordir;
	} cases[] = {
		{"  rootdir: data\n", "/etc/m", "/etc/m/data",
		 "/etc/m/data/incoming", "/etc/m/data", "/etc/m/data",
		 "/etc/m/data/errors"},
		{"  rootdir: ../data/./x//y/\n", "/srv/conf", "/srv/data/x/y",
		 "/srv/data/x/y/incoming", "/srv/data/x/y", "/srv/data/x/y",
		 "/srv/data/x/y/errors"},
		{"  rootdir: /../../a/b/..\n  codedir: c/../bin\n"
		 "  errordir: //var//err/\n  incoming_dir: ../in\n",
		 "/ignored", "/a", "/in", "/a/bin", "/a/bin", "/var/err"},
		{"  rootdir: .\n  inspectordir: insp\n  codedir: /opt/c\n",
		 "/x/", "/x", "/x/incoming", "/opt/c", "/x/insp", "/x/errors"},
		{"  rootdir: ../../../..\n", "/a", "/", "/incoming", "/", "/",
		 "/errors"},
	};
	struct strbuf sb = STRBUF_INIT, m = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct parts parts = {NULL, NULL, NULL, NULL, NULL, NULL};
		struct config *cfg = NULL;

		strbuf_reset(&m);
		strbuf_addf(&m, "mission:\n  name: demo\n%s", cases[i].mission);
		parts.mission = m.buf;
		build(&sb, &parts);
		CU_ASSERT_EQUAL(load(sb.buf, sb.len, cases[i].base, &cfg, NULL),
				0);
		if (!cfg)
			continue;
		CU_ASSERT_STRING_EQUAL(cfg->mission.rootdir, cases[i].rootdir);
		CU_ASSERT_STRING_EQUAL(cfg->mission.incoming_dir,
				       cases[i].incoming);
		CU_ASSERT_STRING_EQUAL(cfg->mission.codedir, cases[i].codedir);
		CU_ASSERT_STRING_EQUAL(cfg->mission.inspectordir,
				       cases[i].inspectordir);
		CU_ASSERT_STRING_EQUAL(cfg->mission.errordir,
				       cases[i].errordir);
		config_free(cfg);
	}
	strbuf_release(&m);
	strbuf_release(&sb);
}

/* A relative or missing basedir means the current directory. */
static void
test_relative_basedir(void)
{
	struct strbuf sb = STRBUF_INIT, want = STRBUF_INIT;
	struct parts parts = {NULL, "mission:\n  name: d\n  rootdir: data\n",
			      NULL, NULL, NULL, NULL};
	struct config *cfg = NULL;
	char cwd[PATH_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
	build(&sb, &parts);
	CU_ASSERT_EQUAL(load(sb.buf, sb.len, "sub/dir", &cfg, NULL), 0);
	strbuf_addf(&want, "%s/sub/dir/data", strcmp(cwd, "/") ? cwd : "");
	if (cfg)
		CU_ASSERT_STRING_EQUAL(cfg->mission.rootdir, want.buf);
	config_free(cfg);
	cfg = NULL;
	CU_ASSERT_EQUAL(load(sb.buf, sb.len, NULL, &cfg, NULL), 0);
	strbuf_reset(&want);
	strbuf_addf(&want, "%s/data", strcmp(cwd, "/") ? cwd : "");
	if (cfg)
		CU_ASSERT_STRING_EQUAL(cfg->mission.rootdir, want.buf);
	config_free(cfg);
	strbuf_release(&want);
	strbuf_release(&sb);
}

static void
test_short_form_inputs(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct parts parts = {
		NULL, NULL, NULL,
		"products:\n" PRODUCT("a", "mag", "0") PRODUCT("b", "eph", "0")
			PRODUCT("c", "mag", "1"),
		"processes:\n"
		"  - name: p\n"
		"    output_product: c\n"
		"    output_timebase: FILE\n"
		"    inputs:\n"
		"      - a\n"
		"      - {product: b, optional: on, yesterday: 3}\n"
		"    codes:\n" CODE("1.0.0", "2020-01-01"),
		NULL};
	struct config *cfg = NULL;

	build(&sb, &parts);
	CU_ASSERT_EQUAL_FATAL(load(sb.buf, sb.len, "/", &cfg, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(cfg->processes[0].n_inputs, 2);
	CU_ASSERT_STRING_EQUAL(cfg->processes[0].inputs[0].product, "a");
	CU_ASSERT(!cfg->processes[0].inputs[0].optional);
	CU_ASSERT_EQUAL(cfg->processes[0].inputs[0].tomorrow, 0);
	CU_ASSERT_EQUAL(cfg->processes[0].inputs[0].mark.line, 28);
	CU_ASSERT_STRING_EQUAL(cfg->processes[0].inputs[1].product, "b");
	CU_ASSERT(cfg->processes[0].inputs[1].optional);
	CU_ASSERT_EQUAL(cfg->processes[0].inputs[1].yesterday, 3);
	CU_ASSERT_EQUAL(cfg->processes[0].timebase, TIMEBASE_FILE);
	config_free(cfg);
	strbuf_release(&sb);
}

/* Non-overlapping or inactive codes of one process are fine. */
static void
test_codes_ok(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct parts parts = {
		NULL, NULL, NULL, NULL,
		PROC_WITH("    codes:\n"
			  CODE("1.0.0", "2020-01-01")
			  "        stop_date: 2020-05-31\n"
			  CODE("1.1.0", "2020-06-01")
			  "        stop_date: 2020-06-01\n"
			  CODE("2.0.0", "2020-01-01")
			  "        active: false\n"
			  CODE("3.0.0", "2020-06-02")),
		NULL};
	struct config *cfg = NULL;
	struct strbuf msgs = STRBUF_INIT;

	build(&sb, &parts);
	CU_ASSERT_EQUAL(load(sb.buf, sb.len, "/", &cfg, &msgs), 0);
	CU_ASSERT_EQUAL(msgs.len, 0);
	config_free(cfg);
	strbuf_release(&msgs);
	strbuf_release(&sb);
}

static void
test_booleans(void)
{
	static const struct {
		const char *text;
		int ok;
		bool value;
	} cases[] = {
		{"true", 1, true},   {"True", 1, true},   {"TRUE", 1, true},
		{"yes", 1, true},    {"Yes", 1, true},    {"on", 1, true},
		{"ON", 1, true},     {"false", 1, false}, {"FALSE", 1, false},
		{"no", 1, false},    {"No", 1, false},    {"off", 1, false},
		{"Off", 1, false},   {"\"yes\"", 1, true}, {"1", 0, false},
		{"0", 0, false},     {"y", 0, false},     {"n", 0, false},
		{"t", 0, false},     {"truee", 0, false}, {"[true]", 0, false},
		{"\"\"", 0, false},
	};
	struct strbuf sb = STRBUF_INIT, r = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct parts parts = {NULL, NULL, NULL, NULL, NULL, NULL};
		struct config *cfg = NULL;
		int rc;

		strbuf_reset(&r);
		strbuf_addf(&r, "run:\n  refuse_changed_code: %s\n",
			    cases[i].text);
		parts.run = r.buf;
		build(&sb, &parts);
		rc = load(sb.buf, sb.len, "/", &cfg, NULL);
		CU_ASSERT_EQUAL(rc == 0, cases[i].ok);
		if (cfg)
			CU_ASSERT_EQUAL(cfg->run.refuse_changed_code,
					cases[i].value);
		config_free(cfg);
	}
	strbuf_release(&r);
	strbuf_release(&sb);
}

static void
test_durations(void)
{
	static const struct {
		const char *text;
		int ok;
		int secs;
	} cases[] = {
		{"0", 1, 0},         {"45", 1, 45},        {"45s", 1, 45},
		{"10m", 1, 600},     {"2h", 1, 7200},      {"0h", 1, 0},
		{"596523h", 1, 2147482800},                {"596524h", 0, 0},
		{"2147483647", 1, 2147483647},             {"2147483648", 0, 0},
		{"-1", 0, 0},        {"+5", 0, 0},         {"1.5h", 0, 0},
		{"10 m", 0, 0},      {"m", 0, 0},          {"1d", 0, 0},
		{"10M", 0, 0},       {"\"30s\"", 1, 30},
	};
	struct strbuf sb = STRBUF_INIT, r = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct parts parts = {NULL, NULL, NULL, NULL, NULL, NULL};
		struct config *cfg = NULL;
		int rc;

		strbuf_reset(&r);
		strbuf_addf(&r, "run:\n  kill_grace: %s\n", cases[i].text);
		parts.run = r.buf;
		build(&sb, &parts);
		rc = load(sb.buf, sb.len, "/", &cfg, NULL);
		CU_ASSERT_EQUAL(rc == 0, cases[i].ok);
		if (cfg)
			CU_ASSERT_EQUAL(cfg->run.kill_grace_s, cases[i].secs);
		config_free(cfg);
	}
	strbuf_release(&r);
	strbuf_release(&sb);
}

static void
test_timebase(void)
{
	static const char *const names[] = {"FILE",   "DAILY", "WEEKLY",
					    "MONTHLY", "YEARLY", "RUN",
					    "HOURLY", "ORBIT"};
	enum timebase tb = TIMEBASE_RUN;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		CU_ASSERT_STRING_EQUAL(
			timebase_name((enum timebase)i),
			names[i]);
		CU_ASSERT_EQUAL(timebase_parse(names[i], &tb), 0);
		CU_ASSERT_EQUAL(tb, (enum timebase)i);
	}
	CU_ASSERT_EQUAL(timebase_parse("dAiLy", &tb), 0);
	CU_ASSERT_EQUAL(tb, TIMEBASE_DAILY);
	CU_ASSERT_EQUAL(timebase_parse("MINUTELY", &tb), -1);
	CU_ASSERT_EQUAL(timebase_parse("", &tb), -1);
	CU_ASSERT_EQUAL(timebase_parse("DAILYX", &tb), -1);
	CU_ASSERT_STRING_EQUAL(timebase_name((enum timebase)42),
			       "UNKNOWN");
	config_free(NULL);
}

/*
 * ----------------------------------------------------------------------
 * Round trip
 * ----------------------------------------------------------------------
 */

static void
assert_equal(const struct config *a, const struct config *b)
{
	CU_ASSERT(streq(a->mission.name, b->mission.name));
	CU_ASSERT(streq(a->mission.rootdir, b->mission.rootdir));
	CU_ASSERT(streq(a->mission.incoming_dir, b->mission.incoming_dir));
	CU_ASSERT(streq(a->mission.codedir, b->mission.codedir));
	CU_ASSERT(streq(a->mission.inspectordir, b->mission.inspectordir));
	CU_ASSERT(streq(a->mission.errordir, b->mission.errordir));
	CU_ASSERT_EQUAL_FATAL(a->n_satellites, b->n_satellites);
	for (size_t i = 0; i < a->n_satellites; i++)
		CU_ASSERT(streq(a->satellites[i].name, b->satellites[i].name));
	CU_ASSERT_EQUAL_FATAL(a->n_instruments, b->n_instruments);
	for (size_t i = 0; i < a->n_instruments; i++) {
		CU_ASSERT(streq(a->instruments[i].satellite,
				b->instruments[i].satellite));
		CU_ASSERT(streq(a->instruments[i].name,
				b->instruments[i].name));
	}
	CU_ASSERT_EQUAL_FATAL(a->n_products, b->n_products);
	for (size_t i = 0; i < a->n_products; i++) {
		const struct product *x = &a->products[i],
					    *y = &b->products[i];

		CU_ASSERT(streq(x->name, y->name));
		CU_ASSERT(streq(x->satellite, y->satellite));
		CU_ASSERT(streq(x->instrument, y->instrument));
		CU_ASSERT_EQUAL(x->level, y->level);
		CU_ASSERT(streq(x->format, y->format));
		CU_ASSERT(streq(x->relative_path, y->relative_path));
		CU_ASSERT_EQUAL(x->stop_time_exclusive, y->stop_time_exclusive);
		CU_ASSERT(streq(x->description, y->description));
		CU_ASSERT(streq(x->inspector.executable,
				y->inspector.executable));
		CU_ASSERT(streq(x->inspector.arguments,
				y->inspector.arguments));
		CU_ASSERT(streq(x->inspector.description,
				y->inspector.description));
		CU_ASSERT_EQUAL(version_cmp(&x->inspector.version,
					    &y->inspector.version),
				0);
		CU_ASSERT_EQUAL(x->inspector.output_interface_version,
				y->inspector.output_interface_version);
		CU_ASSERT_EQUAL(x->inspector.timeout_s, y->inspector.timeout_s);
		CU_ASSERT_EQUAL(x->inspector.active, y->inspector.active);
	}
	CU_ASSERT_EQUAL_FATAL(a->n_processes, b->n_processes);
	for (size_t i = 0; i < a->n_processes; i++) {
		const struct process *x = &a->processes[i],
					    *y = &b->processes[i];

		CU_ASSERT(streq(x->name, y->name));
		CU_ASSERT(streq(x->output_product, y->output_product));
		CU_ASSERT_EQUAL(x->timebase, y->timebase);
		CU_ASSERT(streq(x->extra_params, y->extra_params));
		CU_ASSERT_EQUAL(x->schedule.set, y->schedule.set);
		CU_ASSERT_EQUAL(x->reuse, y->reuse);
		if (x->schedule.set && y->schedule.set) {
			CU_ASSERT_EQUAL(config_schedule_every(x),
					config_schedule_every(y));
			CU_ASSERT_EQUAL(x->schedule.start_date,
					y->schedule.start_date);
			CU_ASSERT_EQUAL(x->schedule.lag_days,
					y->schedule.lag_days);
		}
		CU_ASSERT_EQUAL_FATAL(x->n_inputs, y->n_inputs);
		for (size_t j = 0; j < x->n_inputs; j++) {
			CU_ASSERT(streq(x->inputs[j].product,
					y->inputs[j].product));
			CU_ASSERT_EQUAL(x->inputs[j].optional,
					y->inputs[j].optional);
			CU_ASSERT_EQUAL(x->inputs[j].yesterday,
					y->inputs[j].yesterday);
			CU_ASSERT_EQUAL(x->inputs[j].tomorrow,
					y->inputs[j].tomorrow);
			CU_ASSERT_EQUAL(x->inputs[j].pin, y->inputs[j].pin);
			CU_ASSERT(streq(x->inputs[j].group,
					y->inputs[j].group));
			CU_ASSERT_EQUAL(x->inputs[j].rank, y->inputs[j].rank);
		}
		CU_ASSERT_EQUAL_FATAL(x->n_codes, y->n_codes);
		for (size_t j = 0; j < x->n_codes; j++) {
			const struct code *c = &x->codes[j],
						 *d = &y->codes[j];

			CU_ASSERT(streq(c->filename, d->filename));
			CU_ASSERT(streq(c->relative_path, d->relative_path));
			CU_ASSERT_EQUAL(version_cmp(&c->version, &d->version),
					0);
			CU_ASSERT_EQUAL(c->output_interface_version,
					d->output_interface_version);
			CU_ASSERT_EQUAL(c->start_date, d->start_date);
			CU_ASSERT_EQUAL(c->stop_date, d->stop_date);
			CU_ASSERT(streq(c->description, d->description));
			CU_ASSERT_EQUAL(c->date_written, d->date_written);
			CU_ASSERT(streq(c->arguments, d->arguments));
			CU_ASSERT_EQUAL(c->active, d->active);
			CU_ASSERT_EQUAL(c->timeout_s, d->timeout_s);
			CU_ASSERT_EQUAL(c->cpu, d->cpu);
			CU_ASSERT_EQUAL(c->ram, d->ram);
		}
	}
	CU_ASSERT_EQUAL(a->run.slots, b->run.slots);
	CU_ASSERT_EQUAL(a->run.batch_size, b->run.batch_size);
	CU_ASSERT_EQUAL(a->run.code_timeout_s, b->run.code_timeout_s);
	CU_ASSERT_EQUAL(a->run.kill_grace_s, b->run.kill_grace_s);
	CU_ASSERT_EQUAL(a->run.max_attempts, b->run.max_attempts);
	CU_ASSERT_EQUAL(a->run.bad_after, b->run.bad_after);
	CU_ASSERT_EQUAL(a->run.bad_within_s, b->run.bad_within_s);
	CU_ASSERT_EQUAL(a->run.flag_lease_s, b->run.flag_lease_s);
	CU_ASSERT_EQUAL(a->run.refuse_changed_code, b->run.refuse_changed_code);
	CU_ASSERT(streq(a->run.log_file, b->run.log_file));
	CU_ASSERT_EQUAL(a->run.settle_s, b->run.settle_s);
}

/* round_trip: write cfg, load it back, compare; returns the text. */
static char *
round_trip(const struct config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct config *back = NULL;
	struct strbuf msgs = STRBUF_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(config_write_yaml(cfg, fp), 0);
	fclose(fp);
	CU_ASSERT_EQUAL(load(buf, len, "/elsewhere", &back, &msgs), 0);
	if (back)
		assert_equal(cfg, back);
	else
		fprintf(stderr, "\nround trip failed:\n%s\n%s", buf, msgs.buf);
	config_free(back);
	strbuf_release(&msgs);
	return buf;
}

static void
test_round_trip(void)
{
	struct config *cfg = NULL;
	char *text;

	CU_ASSERT_EQUAL_FATAL(
		load(full_yaml, strlen(full_yaml), "/etc/demo", &cfg, NULL), 0);
	text = round_trip(cfg);
	/* dates plain, versions quoted, timeouts in seconds */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "start_date: 2020-01-01\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "version: \"1.0.0\"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "timeout: 600\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "instruments: [mag, eph]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "- eph_l0\n"));
	/* stop_time_exclusive: written only when true */
	CU_ASSERT_PTR_NULL(strstr(text, "stop_time_exclusive"));
	free(text);
	cfg->products[0].stop_time_exclusive = true;
	text = round_trip(cfg);
	CU_ASSERT_EQUAL(count_lines(text, "stop_time_exclusive: true\n"), 1);
	free(text);
	config_free(cfg);
}

/* reuse: read, defaulted (none), and written back only when declared */
static void
test_reuse(void)
{
	struct strbuf sb = STRBUF_INIT, msgs = STRBUF_INIT;
	struct parts p = {NULL, NULL, NULL, NULL,
			  "processes:\n" PROCESS("l0_to_l1", "mag_l1",
						 "[mag_l0]")
			  "    reuse: content\n"
			  RUN_PROC("    reuse: none\n"),
			  NULL};
	struct config *cfg = NULL;
	const struct process *l1, *l2;
	char *text;

	build(&sb, &p);
	CU_ASSERT_EQUAL_FATAL(load(sb.buf, sb.len, "/", &cfg, &msgs), 0);
	l1 = config_find_process(cfg, "l0_to_l1");
	l2 = config_find_process(cfg, "eph");
	CU_ASSERT_FATAL(l1 && l2);
	CU_ASSERT_EQUAL(l1->reuse, REUSE_CONTENT);
	CU_ASSERT_EQUAL(l2->reuse, REUSE_NONE);
	text = round_trip(cfg);
	CU_ASSERT_EQUAL(count_lines(text, "  reuse: content\n"), 1);
	CU_ASSERT_PTR_NULL(strstr(text, "reuse: none"));
	free(text);
	config_free(cfg);
	strbuf_release(&msgs);
	strbuf_release(&sb);
}

/* An input group: one input per product, ranked; a pin; written back. */
static void
test_input_groups(void)
{
	struct strbuf sb = STRBUF_INIT, msgs = STRBUF_INIT;
	struct parts parts = {
		NULL, NULL, NULL,
		"products:\n" PRODUCT("def", "mag", "0")
			PRODUCT("ql", "mag", "0") PRODUCT("hk", "eph", "0")
				PRODUCT("out", "mag", "1"),
		"processes:\n"
		"  - name: p\n"
		"    output_product: out\n"
		"    output_timebase: DAILY\n"
		"    inputs:\n"
		"      - {product: hk, version: 2}\n"
		"      - one_of: [def, ql]\n"
		"        optional: yes\n"
		"        yesterday: 1\n"
		"        version: 3\n"
		"    codes:\n" CODE("1.0.0", "2020-01-01"),
		NULL};
	struct config *cfg = NULL;
	const struct input *in;
	char *text;

	build(&sb, &parts);
	CU_ASSERT_EQUAL_FATAL(load(sb.buf, sb.len, "/", &cfg, &msgs), 0);
	CU_ASSERT_EQUAL_FATAL(cfg->processes[0].n_inputs, 3);
	in = cfg->processes[0].inputs;
	CU_ASSERT_STRING_EQUAL(in[0].product, "hk");
	CU_ASSERT_EQUAL(in[0].pin, 2);
	CU_ASSERT_PTR_NULL(in[0].group);
	CU_ASSERT(!in[0].optional);
	for (int i = 1; i < 3; i++) {
		CU_ASSERT_STRING_EQUAL(in[i].product, i == 1 ? "def" : "ql");
		CU_ASSERT_STRING_EQUAL(in[i].group, "def");
		CU_ASSERT_EQUAL(in[i].rank, i - 1);
		CU_ASSERT(in[i].optional);
		CU_ASSERT_EQUAL(in[i].yesterday, 1);
		CU_ASSERT_EQUAL(in[i].pin, 3);
		/* each product where it is named */
		CU_ASSERT_EQUAL(in[i].mark.line, 34);
	}
	CU_ASSERT_EQUAL(in[1].mark.column, 18);
	CU_ASSERT_EQUAL(in[2].mark.column, 23);
	text = round_trip(cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "one_of: [def, ql]\n"));
	CU_ASSERT_EQUAL(count_lines(text, "version: 3\n"), 1);
	CU_ASSERT_EQUAL(count_lines(text, "version: 2\n"), 1);
	free(text);
	config_free(cfg);
	strbuf_release(&msgs);
	strbuf_release(&sb);
}

/* A schedule: read, defaulted, validated, and written back. */
static void
test_schedule(void)
{
	struct strbuf sb = STRBUF_INIT, msgs = STRBUF_INIT;
	struct parts p = {NULL, NULL, NULL, NULL,
			  PROCS_OK RUN_PROC("    schedule: {start_date: "
					    "2024-01-03, lag_days: -1}\n"),
			  NULL};
	struct config *cfg = NULL;
	const struct process *eph, *l1;
	char *text;

	build(&sb, &p);
	CU_ASSERT_EQUAL_FATAL(load(sb.buf, sb.len, "/", &cfg, &msgs), 0);
	eph = config_find_process(cfg, "eph");
	l1 = config_find_process(cfg, "l0_to_l1");
	CU_ASSERT_FATAL(eph && l1);
	CU_ASSERT(eph->schedule.set);
	CU_ASSERT_EQUAL(eph->schedule.start_date, 19725); /* 2024-01-03 */
	CU_ASSERT_EQUAL(eph->schedule.lag_days, -1);
	/* "every" not given: the process's period, DAILY for RUN */
	CU_ASSERT_EQUAL(eph->schedule.every, TIMEBASE_FILE);
	CU_ASSERT_EQUAL(config_schedule_every(eph), TIMEBASE_DAILY);
	CU_ASSERT_EQUAL(config_schedule_every(l1), TIMEBASE_DAILY);
	CU_ASSERT(!l1->schedule.set);
	text = round_trip(cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  schedule:\n"
					    "    every: DAILY\n"
					    "    start_date: 2024-01-03\n"
					    "    lag_days: -1\n"));
	CU_ASSERT_EQUAL(count_lines(text, "schedule:\n"), 1);
	free(text);
	config_free(cfg);
	strbuf_release(&msgs);
	strbuf_release(&sb);
}

/* Strings that YAML would read as something else survive the trip. */
static void
test_round_trip_tricky_strings(void)
{
	static const char *const tricky[] = {
		"null", "~", "true", "No", "off", "123", "1.5", "-1", "0x1F",
		"1e3", ".nan", "- x", "a: b", "#c", "x #y", " lead", "trail ",
		"{a}", "[b]", "it's", "say \"hi\"", "back\\slash", "tab\there",
		"line\nbreak", "\xc3\xa9t\xc3\xa9", "*star", "&amp", "!bang",
		"%pct", "@at", "`tick", "|pipe", ">gt", "?q", ",comma", "",
	};
	struct config *cfg = NULL;

	CU_ASSERT_EQUAL_FATAL(
		load(full_yaml, strlen(full_yaml), "/etc/demo", &cfg, NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(tricky); i++) {
		char *text;

		free(cfg->products[0].description);
		cfg->products[0].description = strdup(tricky[i]);
		free(cfg->processes[0].extra_params);
		cfg->processes[0].extra_params = strdup(tricky[i]);
		free(cfg->processes[0].codes[0].arguments);
		cfg->processes[0].codes[0].arguments = strdup(tricky[i]);
		text = round_trip(cfg);
		free(text);
	}
	/* numbers that need all their digits */
	cfg->products[0].level = 0.1;
	cfg->products[1].level = 1.0 / 3.0;
	cfg->products[2].level = -2.5e-300;
	cfg->processes[0].codes[0].ram = 123456789.123456789;
	free(round_trip(cfg));
	config_free(cfg);
}

/* A struct built by hand, as store-config.c does, with zero marks. */
static void
test_validate_database_config(void)
{
	struct config cfg;
	struct satellite sat = {(char *)"sat", {NULL, 0, 0}};
	struct instrument inst = {(char *)"sat", (char *)"mag",
					 {NULL, 0, 0}};
	struct product prods[2];
	struct input in = {.product = (char *)"a", .tomorrow = 400};
	struct code code;
	struct process proc;
	struct strbuf msgs = STRBUF_INIT;
	struct capture c;
	char *text;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memset(prods, 0, sizeof(prods));
	memset(&code, 0, sizeof(code));
	memset(&proc, 0, sizeof(proc));
	cfg.mission.name = (char *)"db";
	cfg.mission.rootdir = (char *)"/r";
	cfg.mission.incoming_dir = (char *)"/r/in";
	cfg.mission.codedir = (char *)"/r";
	cfg.mission.inspectordir = (char *)"/i";
	cfg.mission.errordir = (char *)"/r/errors";
	cfg.satellites = &sat;
	cfg.n_satellites = 1;
	cfg.instruments = &inst;
	cfg.n_instruments = 1;
	for (int i = 0; i < 2; i++) {
		prods[i].name = (char *)(i ? "b" : "a");
		prods[i].satellite = (char *)"sat";
		prods[i].instrument = (char *)"mag";
		/* two products claiming one name are refused: {PRODUCT} */
		prods[i].format = (char *)"x_{PRODUCT}_{Y}{m}{d}_v{VERSION}";
		prods[i].relative_path = (char *)"x";
		prods[i].inspector.version.interface = 1;
		prods[i].inspector.output_interface_version = 1;
		prods[i].inspector.timeout_s = 30;
		prods[i].inspector.active = true;
	}
	cfg.products = prods;
	cfg.n_products = 2;
	code.filename = (char *)"c";
	code.relative_path = (char *)".";
	code.version.interface = 1;
	code.output_interface_version = 1;
	code.start_date = 10;
	code.stop_date = 20;
	code.date_written = 5;
	code.active = true;
	code.cpu = 1;
	code.ram = 1;
	proc.name = (char *)"p";
	proc.output_product = (char *)"b";
	proc.timebase = TIMEBASE_DAILY;
	proc.inputs = &in;
	proc.n_inputs = 1;
	proc.codes = &code;
	proc.n_codes = 1;
	cfg.processes = &proc;
	cfg.n_processes = 1;
	config_run_defaults(&cfg.run);

	capture_start(&c);
	rc = config_validate(&cfg);
	capture_end(&c, &msgs);
	CU_ASSERT_EQUAL(rc, -1);
	/* no file:line:column, the entity names instead */
	CU_ASSERT_PTR_NOT_NULL(
		strstr(msgs.buf, "ERROR: process \"p\": input \"a\": tomorrow "
				 "must be from 0 to 366, not 400\n"));
	CU_ASSERT_EQUAL(count_lines(msgs.buf, "ERROR: "), 1);

	in.tomorrow = 1;
	strbuf_reset(&msgs);
	capture_start(&c);
	rc = config_validate(&cfg);
	capture_end(&c, &msgs);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(msgs.len, 0);

	/* a config that was never loaded can be written and read back */
	text = round_trip(&cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "- product: a\n"));
	free(text);
	strbuf_release(&msgs);
}

/*
 * ----------------------------------------------------------------------
 * Files: the shipped example, the fixtures, missing files
 * ----------------------------------------------------------------------
 */

static void
test_example_file(void)
{
	struct strbuf msgs = STRBUF_INIT;
	struct capture c;
	struct config *cfg = NULL;
	char *text;
	int rc;

	capture_start(&c);
	rc = config_load_file(EXAMPLE_PATH, &cfg);
	capture_end(&c, &msgs);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(msgs.len, 0);
	if (msgs.len)
		fprintf(stderr, "\n%s", msgs.buf);
	if (!cfg) {
		strbuf_release(&msgs);
		return;
	}
	CU_ASSERT_STRING_EQUAL(cfg->path, EXAMPLE_PATH);
	CU_ASSERT_EQUAL(cfg->mission.rootdir[0], '/');
	CU_ASSERT_PTR_NOT_NULL(strstr(cfg->mission.rootdir, "/config/"));
	CU_ASSERT_PTR_NOT_NULL(cfg->run.log_file);
	free(round_trip(cfg));
	config_free(cfg);
	strbuf_release(&msgs);

	/* every key of every table appears, uncommented, in the example */
	text = slurp(EXAMPLE_PATH);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	{
		static const char *const keys[] = {
			"mission", "name", "rootdir", "incoming_dir",
			"codedir", "inspectordir", "errordir", "satellites",
			"instruments", "products", "satellite", "instrument",
			"level", "format", "relative_path", "description",
			"stop_time_exclusive",
			"inspector", "executable", "arguments", "version",
			"output_interface_version", "timeout", "active",
			"processes", "output_product", "output_timebase",
			"extra_params", "inputs", "product", "optional",
			"yesterday", "tomorrow", "codes", "filename",
			"start_date", "stop_date", "date_written", "cpu",
			"ram", "run", "slots", "batch_size", "code_timeout",
			"kill_grace", "max_attempts", "bad_after",
			"bad_within", "flag_lease", "refuse_changed_code",
			"log_file", "keep_history", "schedule", "every", "lag_days",
			"reuse", "one_of",
		};

		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			size_t klen = strlen(keys[i]);
			bool found = false;

			for (const char *l = text; l && *l && !found;) {
				const char *s = l + strspn(l, " ");

				if (!strncmp(s, "- ", 2))
					s += 2;
				if (!strncmp(s, keys[i], klen) &&
				    s[klen] == ':')
					found = true;
				l = strchr(l, '\n');
				if (l)
					l++;
			}
			if (!found)
				fprintf(stderr, "\nkey \"%s\" not in %s\n",
					keys[i], EXAMPLE_PATH);
			CU_ASSERT(found);
		}
	}
	free(text);
}

static void
test_fixtures(void)
{
	DIR *d = opendir(FIXTURE_DIR);
	struct dirent *de;
	size_t nfiles = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((de = readdir(d))) {
		struct strbuf path = STRBUF_INIT, msgs = STRBUF_INIT,
			      expect = STRBUF_INIT;
		size_t n = strlen(de->d_name);
		struct config *cfg = NULL;
		struct capture c;
		char *text;
		int rc;

		/* the others there are good missions for integration tests */
		if (n < 10 || strncmp(de->d_name, "bad-", 4) ||
		    strcmp(de->d_name + n - 5, ".yaml"))
			continue;
		nfiles++;
		strbuf_addf(&path, "%s/%s", FIXTURE_DIR, de->d_name);
		text = slurp(path.buf);
		CU_ASSERT_PTR_NOT_NULL(text);
		if (text && !strncmp(text, "# expect: ", 10)) {
			const char *e = text + 10;

			strbuf_add(&expect, e, strcspn(e, "\n"));
		} else {
			fprintf(stderr, "\n%s: no \"# expect: \" line\n",
				path.buf);
			CU_FAIL("fixture without expectation");
		}
		capture_start(&c);
		rc = config_load_file(path.buf, &cfg);
		capture_end(&c, &msgs);
		CU_ASSERT_EQUAL(rc, -1);
		if (rc != -1 || !expect.len || !strstr(msgs.buf, expect.buf)) {
			fprintf(stderr, "\n%s: expected \"%s\" in:\n%s",
				path.buf, expect.buf, msgs.buf);
			CU_FAIL("fixture");
		}
		config_free(cfg);
		free(text);
		strbuf_release(&expect);
		strbuf_release(&msgs);
		strbuf_release(&path);
	}
	closedir(d);
	CU_ASSERT(nfiles >= 30);
}

static void
test_missing_file(void)
{
	struct strbuf msgs = STRBUF_INIT;
	struct config *cfg = (struct config *)&msgs;
	struct capture c;
	int rc;

	capture_start(&c);
	rc = config_load_file("tests/fixtures/config/no-such-file.yaml", &cfg);
	capture_end(&c, &msgs);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs.buf,
				      "could not open configuration file "
				      "\"tests/fixtures/config/no-such-file."
				      "yaml\": No such file or directory"));
	strbuf_reset(&msgs);
	capture_start(&c);
	rc = config_load_file("tests/fixtures/config", &cfg);
	capture_end(&c, &msgs);
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs.buf, "tests/fixtures/config"));
	strbuf_release(&msgs);
}

/* load_path: config_load_file with messages captured into msgs */
static int
load_path(const char *path, struct config **cfg, struct strbuf *msgs)
{
	struct capture c;
	int rc;

	strbuf_reset(msgs);
	capture_start(&c);
	rc = config_load_file(path, cfg);
	capture_end(&c, msgs);
	return rc;
}

/*
 * The size limit: a file one byte over it is refused before it is read,
 * naming its size and the limit; a stream is refused once the limit has
 * been read; a file of exactly the limit loads; so does text in memory,
 * which has the same limit.
 */
static void
test_size_limit(void)
{
	char path[] = "/tmp/cascade-test-config-XXXXXX";
	struct strbuf msgs = STRBUF_INIT, want = STRBUF_INIT,
		      text = STRBUF_INIT;
	struct parts p = {NULL, NULL, NULL, NULL, NULL, NULL};
	struct config *cfg = NULL;
	int fd = mkstemp(path);
	FILE *fp;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(CONFIG_MAX_FILE_SIZE, 16 * 1024 * 1024);

	/* one byte over: refused by its size, without reading it */
	CU_ASSERT_EQUAL(ftruncate(fd, CONFIG_MAX_FILE_SIZE + 1), 0);
	CU_ASSERT_EQUAL(load_path(path, &cfg, &msgs), -1);
	CU_ASSERT_PTR_NULL(cfg);
	strbuf_addf(&want,
		    "ERROR: configuration file \"%s\" is too large: "
		    "16777217 bytes, the limit is 16777216 bytes (16 MiB)\n",
		    path);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs.buf, want.buf));
	CU_ASSERT_EQUAL(count_lines(msgs.buf, "ERROR: "), 1);
	close(fd);

	/* exactly the limit: a valid mission padded with a comment loads */
	build(&text, &p);
	strbuf_addch(&text, '#');
	while (text.len < CONFIG_MAX_FILE_SIZE - 1)
		strbuf_addch(&text, 'x');
	strbuf_addch(&text, '\n');
	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(fwrite(text.buf, 1, text.len, fp), text.len);
	CU_ASSERT_EQUAL(fclose(fp), 0);
	CU_ASSERT_EQUAL(load_path(path, &cfg, &msgs), 0);
	CU_ASSERT_EQUAL(msgs.len, 0);
	config_free(cfg);
	cfg = NULL;
	CU_ASSERT_EQUAL(load(text.buf, text.len, "/", &cfg, &msgs), 0);
	config_free(cfg);
	cfg = NULL;

	/* in memory, one byte more */
	strbuf_addch(&text, '\n');
	strbuf_reset(&msgs);
	CU_ASSERT_EQUAL(load(text.buf, text.len, "/", &cfg, &msgs), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs.buf,
				      "configuration file \"t.yaml\" is too "
				      "large: 16777217 bytes"));

	/* a stream of unknown size: stops reading at the limit */
	CU_ASSERT_EQUAL(load_path("/dev/zero", &cfg, &msgs), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs.buf,
				      "configuration file \"/dev/zero\" is "
				      "too large: more than 16777216 bytes, "
				      "the limit is 16777216 bytes (16 MiB)"));
	CU_ASSERT_EQUAL(count_lines(msgs.buf, "ERROR: "), 1);

	unlink(path);
	strbuf_release(&text);
	strbuf_release(&want);
	strbuf_release(&msgs);
}

/*
 * ----------------------------------------------------------------------
 * Hostile input
 * ----------------------------------------------------------------------
 */

static void
test_hostile(void)
{
	static const char *const inputs[] = {
		/* billion laughs */
		"a: &a [x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
		"mission: *undefined\n",
		"? *a\n: b\n",
		"mission:\n  name: &n demo\n  rootdir: *n\n",
		"\xef\xbb\xbfmission: {name: bom, rootdir: /}\n",
		"\xff\xfe\x00\x00",
		"mission: !!binary aGVsbG8=\n",
		"%YAML 1.1\n%TAG ! tag:x,2000:\n--- !foo\nmission: 1\n",
		"mission: {name: [}\n",
		"satellites: [{name: a, instruments: [{x: 1}, [], null, ~]}]\n",
		"products: [null, ~, [], {}, 1, \"x\"]\n",
		"processes: [{inputs: [null, [], {}, {product: []}], codes: "
		"[{}, [], 5]}]\n",
		"run: {slots: 1e999, batch_size: -99999999999999999999, "
		"code_timeout: 99999999999999999999h, "
		"kill_grace: 9223372036854775807}\n",
		"mission: {name: x, rootdir: \"\\x00\"}\n",
		"\"\\0\": 1\n",
		"{[a]: b, {c: d}: e}\n",
		"- - - - - - - -\n",
		"---\n...\n---\n...\n",
		"\t\tmission:\n",
		"mission:\n  name: demo\n  rootdir: /x\nsatellites:\n"
		"  - name: s\n    instruments: [i]\nproducts:\n"
		"  - {name: p, instrument: i, level: 0, format: \"{VERSION}\","
		" relative_path: \"{\"}\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		struct config *cfg = NULL;
		size_t len = strlen(inputs[i]);

		if (i == 5)
			len = 4; /* with its NULs */
		CU_ASSERT_EQUAL(load(inputs[i], len, "/", &cfg, NULL), -1);
		CU_ASSERT_PTR_NULL(cfg);
		config_free(cfg);
	}
}

/*
 * A long chain of products and processes: loads in linear time, and the
 * cycle check copes with depth.  Closing the chain makes one long cycle.
 */
static void
test_large(void)
{
	enum { N = 3000 };
	struct strbuf sb = STRBUF_INIT, msgs = STRBUF_INIT;
	struct config *cfg = NULL;

	for (int closed = 0; closed < 2; closed++) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, MISSION_OK "satellites:\n");
		for (int i = 0; i < N; i++)
			strbuf_addf(&sb,
				    "  - {name: s%d, instruments: [i%d]}\n", i,
				    i);
		strbuf_addstr(&sb, "products:\n");
		for (int i = 0; i < N; i++)
			strbuf_addf(&sb,
				    "  - {name: p%d, instrument: i%d, "
				    "level: 0, "
				    "format: \"p%d_{DATE}_v{VERSION}\", "
				    "relative_path: p}\n",
				    i, i, i);
		strbuf_addstr(&sb, "processes:\n");
		for (int i = closed ? 0 : 1; i < N; i++)
			strbuf_addf(&sb,
				    "  - name: make%d\n"
				    "    output_product: p%d\n"
				    "    output_timebase: DAILY\n"
				    "    inputs: [p%d]\n"
				    "    codes: [{filename: c, version: 1.0.0, "
				    "output_interface_version: 1, "
				    "start_date: 2020-01-01}]\n",
				    i, i, (i + N - 1) % N);
		strbuf_reset(&msgs);
		cfg = NULL;
		CU_ASSERT_EQUAL(load(sb.buf, sb.len, "/", &cfg, &msgs),
				closed ? -1 : 0);
		if (!closed && cfg) {
			CU_ASSERT_EQUAL(cfg->n_products, N);
			CU_ASSERT_STRING_EQUAL(cfg->products[N - 1].satellite,
					       "s2999");
			CU_ASSERT_PTR_NOT_NULL(config_find_process(cfg,
								   "make2999"));
		}
		if (closed) {
			CU_ASSERT_PTR_NOT_NULL(strstr(
				msgs.buf, "products form a cycle: p0 -> make1 "
					  "-> p1 -> make2 -> p2"));
			CU_ASSERT_PTR_NOT_NULL(
				strstr(msgs.buf, "p2999 -> make0 -> p0\n"));
			CU_ASSERT_EQUAL(count_lines(msgs.buf, "ERROR: "), 1);
		}
		config_free(cfg);
	}
	strbuf_release(&msgs);
	strbuf_release(&sb);
}

/* export: cfg written as YAML into a new string */
static char *
export_text(const struct config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(config_write_yaml(cfg, fp), 0);
	fclose(fp);
	return buf;
}

/*
 * A mission of many satellites, each with its own instruments and some
 * with an instrument name others have too, exports and loads back equal.
 * Export groups instruments by satellite in one pass: with them stored
 * interleaved (as a config read from the database may have them) the
 * text is the same.  (Comparing every satellite with every instrument
 * took seconds here; no timing is asserted.)
 */
static void
test_large_export(void)
{
	enum { NSAT = 20000 };
	struct strbuf sb = STRBUF_INIT, msgs = STRBUF_INIT;
	struct config *cfg = NULL;
	struct instrument *saved;
	char *text, *text2;
	size_t n;

	strbuf_addstr(&sb, MISSION_OK "satellites:\n");
	for (int i = 0; i < NSAT; i++)
		strbuf_addf(&sb, "  - {name: s%d, instruments: [mag%d, eph%d%s]}\n",
			    i, i, i, i % 7 ? "" : ", shared");
	strbuf_addstr(&sb, "products:\n"
			   "  - {name: p, satellite: s1, instrument: mag1, "
			   "level: 0, format: \"p_{DATE}_v{VERSION}\", "
			   "relative_path: p}\n"
			   "processes: []\n");
	CU_ASSERT_EQUAL_FATAL(load(sb.buf, sb.len, "/", &cfg, &msgs), 0);
	n = cfg->n_instruments;
	CU_ASSERT_EQUAL(cfg->n_satellites, NSAT);
	CU_ASSERT_EQUAL(n, 2 * NSAT + (NSAT + 6) / 7);
	text = round_trip(cfg);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n- name: s0\n"
					    "  instruments: [mag0, eph0, "
					    "shared]\n"
					    "- name: s1\n"
					    "  instruments: [mag1, eph1]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n- name: s19998\n"
					    "  instruments: [mag19998, "
					    "eph19998]\n"));

	/*
	 * Interleave: all first instruments, then all second, then the
	 * shared ones; each satellite's keep their order.
	 */
	saved = cfg->instruments;
	cfg->instruments = calloc(n, sizeof(*cfg->instruments));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg->instruments);
	{
		size_t k = 0;

		for (int pass = 0; pass < 3; pass++)
			for (size_t j = 0; j < n; j++) {
				const char *name = saved[j].name;
				int kind = name[0] == 'm' ? 0 : name[0] == 'e' ? 1 : 2;

				if (kind == pass)
					cfg->instruments[k++] = saved[j];
			}
		CU_ASSERT_EQUAL(k, n);
	}
	text2 = export_text(cfg);
	CU_ASSERT_STRING_EQUAL(text2, text);
	free(cfg->instruments);
	cfg->instruments = saved;

	free(text);
	free(text2);
	config_free(cfg);
	strbuf_release(&msgs);
	strbuf_release(&sb);
}

/* Deterministic mutations of the full example: nothing may crash or leak. */
static void
test_mutations(void)
{
	static const char bytes[] = ":-[]{}&*!|>'\"%@`#,? \n\t0a.\xff";
	unsigned long st = 42;
	size_t len = strlen(full_yaml);
	char *buf = malloc(len + 1);
	int ok = 0;

	for (int round = 0; round < 2000 && buf; round++) {
		struct config *cfg = NULL;
		int nmut = 1 + round % 4;

		memcpy(buf, full_yaml, len + 1);
		for (int k = 0; k < nmut; k++) {
			size_t pos;

			st = st * 6364136223846793005UL + 1442695040888963407UL;
			pos = (size_t)(st >> 33) % len;
			st = st * 6364136223846793005UL + 1442695040888963407UL;
			buf[pos] = bytes[(st >> 33) % (sizeof(bytes) - 1)];
		}
		if (load(buf, len, "/", &cfg, NULL) == 0) {
			ok++;
			free(round_trip(cfg));
		}
		config_free(cfg);
	}
	/* some survive the mutation */
	CU_ASSERT(ok > 0);
	free(buf);
}

void
suite_config(void)
{
	CU_pSuite s = unit_add_suite("config");

	ADD_TEST(s, test_minimal_loads);
	ADD_TEST(s, test_product_timebase);
	ADD_TEST(s, test_bad_cases);
	ADD_TEST(s, test_all_errors_reported);
	ADD_TEST(s, test_full_values);
	ADD_TEST(s, test_defaults);
	ADD_TEST(s, test_paths);
	ADD_TEST(s, test_relative_basedir);
	ADD_TEST(s, test_short_form_inputs);
	ADD_TEST(s, test_input_groups);
	ADD_TEST(s, test_codes_ok);
	ADD_TEST(s, test_booleans);
	ADD_TEST(s, test_durations);
	ADD_TEST(s, test_timebase);
	ADD_TEST(s, test_round_trip);
	ADD_TEST(s, test_schedule);
	ADD_TEST(s, test_reuse);
	ADD_TEST(s, test_round_trip_tricky_strings);
	ADD_TEST(s, test_validate_database_config);
	ADD_TEST(s, test_example_file);
	ADD_TEST(s, test_fixtures);
	ADD_TEST(s, test_missing_file);
	ADD_TEST(s, test_size_limit);
	ADD_TEST(s, test_hostile);
	ADD_TEST(s, test_large);
	ADD_TEST(s, test_large_export);
	ADD_TEST(s, test_mutations);
}
