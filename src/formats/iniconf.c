/*
 * iniconf.c - dbprocessing's mission INI file as a cascade mission file
 * (see iniconf.h; the mapping is the table of docs/from-dbprocessing.md).
 */
#include "iniconf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "strbuf.h"
#include "strvec.h"
#include "timeutil.h"
#include "version.h"
#include "xalloc.h"
#include "banned.h"

struct ini_kv {
	char *key;
	char *value;
	int line;
};

struct ini_section {
	char *name;
	int line;
	struct ini_kv *kv;
	size_t n, alloc;
};

struct ini {
	const char *file;
	struct ini_section *s;
	size_t n, alloc;
	int errors;
};

static void
ini_free(struct ini *ini)
{
	for (size_t i = 0; i < ini->n; i++) {
		for (size_t j = 0; j < ini->s[i].n; j++) {
			free(ini->s[i].kv[j].key);
			free(ini->s[i].kv[j].value);
		}
		free(ini->s[i].kv);
		free(ini->s[i].name);
	}
	free(ini->s);
}

static char *
trimmed(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

static void CASCADE_PRINTF(3, 4)
ini_error(struct ini *ini, int line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	log_error("%s:%d: %s", ini->file, line, sb.buf);
	strbuf_release(&sb);
	ini->errors++;
}

/* configparser's reading, without interpolation */
static void
ini_parse(struct ini *ini, const char *text, size_t len)
{
	struct ini_section *cur = NULL;
	struct ini_kv *last = NULL;
	size_t pos = 0;
	int line = 0;

	while (pos < len) {
		const char *l = text + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - l) : len - pos;
		size_t k = 0;

		pos += ll + (nl ? 1 : 0);
		line++;
		while (k < ll && (l[k] == ' ' || l[k] == '\t' || l[k] == '\r'))
			k++;
		if (k == ll) {
			last = NULL; /* a blank line ends a continuation */
			continue;
		}
		if (l[k] == '#' || l[k] == ';')
			continue;
		if (k > 0 && last) {
			char *more = trimmed(l + k, ll - k);
			struct strbuf sb = STRBUF_INIT;

			strbuf_addf(&sb, "%s%s%s", last->value,
				    *last->value ? "\n" : "", more);
			free(last->value);
			last->value = strbuf_detach(&sb, NULL);
			free(more);
			continue;
		}
		if (l[k] == '[') {
			const char *end = memchr(l + k, ']', ll - k);
			char *name;

			last = NULL;
			if (!end) {
				ini_error(ini, line, "%s", "section header "
					  "without \"]\"");
				continue;
			}
			name = trimmed(l + k + 1, (size_t)(end - l - k - 1));
			for (size_t i = 0; i < ini->n; i++)
				if (!strcmp(ini->s[i].name, name))
					ini_error(ini, line, "section [%s] "
						  "appears twice", name);
			ALLOC_GROW(ini->s, ini->n + 1, ini->alloc);
			cur = &ini->s[ini->n++];
			memset(cur, 0, sizeof(*cur));
			cur->name = name;
			cur->line = line;
			continue;
		}
		{
			size_t eq = k;
			char *key;

			while (eq < ll && l[eq] != '=' && l[eq] != ':')
				eq++;
			if (eq == ll || !cur) {
				ini_error(ini, line, "%s", cur
					  ? "expected \"key = value\""
					  : "a value before any [section]");
				last = NULL;
				continue;
			}
			key = trimmed(l + k, eq - k);
			for (char *c = key; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			ALLOC_GROW(cur->kv, cur->n + 1, cur->alloc);
			last = &cur->kv[cur->n++];
			last->key = key;
			last->value = trimmed(l + eq + 1, ll - eq - 1);
			last->line = line;
		}
	}
}

static struct ini_section *
section(struct ini *ini, const char *name)
{
	for (size_t i = 0; i < ini->n; i++)
		if (!strcmp(ini->s[i].name, name))
			return &ini->s[i];
	return NULL;
}

static const struct ini_kv *
kv(const struct ini_section *s, const char *key)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->kv[i].key, key))
			return &s->kv[i];
	return NULL;
}

/* the value of key, "" when absent */
static const char *
val(const struct ini_section *s, const char *key)
{
	const struct ini_kv *x = kv(s, key);

	return x ? x->value : "";
}

static void
replace_all(char **s, const char *field, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = *s, *hit;
	size_t fl = strlen(field);

	if (!strstr(p, field))
		return;
	while ((hit = strstr(p, field))) {
		strbuf_add(&sb, p, (size_t)(hit - p));
		strbuf_addstr(&sb, value);
		p = hit + fl;
	}
	strbuf_addstr(&sb, p);
	free(*s);
	*s = strbuf_detach(&sb, NULL);
}

/* a YAML double-quoted scalar */
static void
q(struct strbuf *y, const char *s)
{
	strbuf_addch(y, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			strbuf_addf(y, "\\%c", c);
		else if (c == '\n')
			strbuf_addstr(y, "\\n");
		else if (c == '\t')
			strbuf_addstr(y, "\\t");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(y, "\\x%02x", c);
		else
			strbuf_addch(y, (char)c);
	}
	strbuf_addch(y, '"');
}

/* key: "value", when value is not empty */
static void
put(struct strbuf *y, const char *indent, const char *key, const char *v)
{
	if (!*v)
		return;
	strbuf_addf(y, "%s%s: ", indent, key);
	q(y, v);
	strbuf_addch(y, '\n');
}

struct conv {
	struct ini *ini;
	struct strbuf *y;
	int notes;
	const struct config *db;
};

/* a comment of one or more lines, wrapped by the caller */
static void
note(struct conv *c, const char *indent, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		strbuf_addf(c->y, "%s# ", indent);
		strbuf_add(c->y, p, n);
		strbuf_addch(c->y, '\n');
		p += n + (nl ? 1 : 0);
	}
	c->notes++;
}

/* dbprocessing's Utils.toBool, with a note where "1" meant false */
static void
put_bool(struct conv *c, const char *indent, const char *key,
	 const struct ini_section *s, const char *ikey)
{
	const char *v = val(s, ikey);
	bool t = !strcmp(v, "True") || !strcmp(v, "true") ||
		 !strcmp(v, "Yes") || !strcmp(v, "yes") || !strcmp(v, "Y") ||
		 !strcmp(v, "y");

	if (!t && *v && strcmp(v, "False") && strcmp(v, "false") &&
	    strcmp(v, "No") && strcmp(v, "no")) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s = %s: dbprocessing read this as false "
			    "(it takes only True, Yes, Y in either case)", ikey,
			    v);
		note(c, indent, sb.buf);
		strbuf_release(&sb);
	}
	strbuf_addf(c->y, "%s%s: %s\n", indent, key, t ? "true" : "false");
}

static void
put_version(struct conv *c, const char *indent, const char *key,
	    const struct ini_section *s, const char *ikey)
{
	const struct ini_kv *x = kv(s, ikey);
	struct version v;

	if (!x || !*x->value)
		return;
	if (version_parse(x->value, strlen(x->value), &v)) {
		ini_error(c->ini, x->line, "%s", "a version that is not I.Q.R");
		return;
	}
	put(c->y, indent, key, x->value);
}

static void
put_number(struct conv *c, const char *indent, const char *key,
	   const struct ini_section *s, const char *ikey)
{
	const struct ini_kv *x = kv(s, ikey);
	char *end;

	if (!x || !*x->value)
		return;
	(void)strtod(x->value, &end);
	if (*end || end == x->value) {
		ini_error(c->ini, x->line, "%s", "expected a number");
		return;
	}
	strbuf_addf(c->y, "%s%s: %s\n", indent, key, x->value);
}

/* the product name of a [product_x] section reference */
static const char *
product_ref(struct conv *c, const char *ref, int line)
{
	const struct ini_section *p = section(c->ini, ref);

	if (!p || strncmp(ref, "product", 7)) {
		ini_error(c->ini, line, "\"%s\" is not a [product...] section "
			  "of this file", ref);
		return NULL;
	}
	return val(p, "product_name");
}

static const struct process *
db_process(const struct config *db, const char *name)
{
	for (size_t i = 0; db && i < db->n_processes; i++)
		if (!strcmp(db->processes[i].name, name))
			return &db->processes[i];
	return NULL;
}

static void
put_db_code(struct conv *c, const struct code *k)
{
	char vb[VERSION_STRLEN], db[DATE_STRLEN];

	strbuf_addstr(c->y, "      - ");
	strbuf_addstr(c->y, "filename: ");
	q(c->y, k->filename);
	strbuf_addch(c->y, '\n');
	put(c->y, "        ", "relative_path", k->relative_path);
	put(c->y, "        ", "version", version_format(&k->version, vb));
	strbuf_addf(c->y, "        output_interface_version: %d\n",
		    k->output_interface_version);
	put(c->y, "        ", "start_date", timeutil_format_date(k->start_date, db));
	put(c->y, "        ", "stop_date", timeutil_format_date(k->stop_date, db));
	if (k->description)
		put(c->y, "        ", "description", k->description);
	put(c->y, "        ", "date_written",
	    timeutil_format_date(k->date_written, db));
	if (k->arguments)
		put(c->y, "        ", "arguments", k->arguments);
	strbuf_addf(c->y, "        active: %s\n", k->active ? "true" : "false");
	strbuf_addf(c->y, "        cpu: %d\n        ram: %.17g\n", k->cpu,
		    k->ram);
}

static void
put_ini_code(struct conv *c, const struct ini_section *s)
{
	strbuf_addstr(c->y, "      - filename: ");
	q(c->y, val(s, "code_filename"));
	strbuf_addch(c->y, '\n');
	put(c->y, "        ", "relative_path", val(s, "code_relative_path"));
	put_version(c, "        ", "version", s, "code_version");
	put_number(c, "        ", "output_interface_version", s,
		   "code_output_interface");
	put(c->y, "        ", "start_date", val(s, "code_start_date"));
	put(c->y, "        ", "stop_date", val(s, "code_stop_date"));
	put(c->y, "        ", "description", val(s, "code_description"));
	put(c->y, "        ", "date_written", val(s, "code_date_written"));
	put(c->y, "        ", "arguments", val(s, "code_arguments"));
	put_bool(c, "        ", "active", s, "code_active");
	put_number(c, "        ", "cpu", s, "code_cpu");
	put_number(c, "        ", "ram", s, "code_ram");
}

/* required_inputN / optional_inputN, in N order as configparser keeps them */
static void
put_inputs(struct conv *c, const struct ini_section *s, bool daily)
{
	bool any = false;

	for (size_t i = 0; i < s->n; i++) {
		const struct ini_kv *x = &s->kv[i];
		bool opt = !strncmp(x->key, "optional_input", 14);
		char ref[256];
		int yd = 0, tm = 0;
		const char *name;

		if (!opt && strncmp(x->key, "required_input", 14))
			continue;
		if (x->value[0] == '(') {
			if (sscanf(x->value, " ( \"%255[^\"]\" , %d , %d )",
				   ref, &yd, &tm) != 3 &&
			    sscanf(x->value, " ( '%255[^']' , %d , %d )", ref,
				   &yd, &tm) != 3) {
				ini_error(c->ini, x->line, "%s", "expected "
					  "(\"product_x\", days before, days "
					  "after)");
				continue;
			}
		} else {
			snprintf(ref, sizeof(ref), "%s", x->value);
		}
		name = product_ref(c, ref, x->line);
		if (!name)
			continue;
		if (!any)
			strbuf_addstr(c->y, "    inputs:\n");
		any = true;
		if (!opt && !yd && !tm) {
			strbuf_addstr(c->y, "      - ");
			q(c->y, name);
			strbuf_addch(c->y, '\n');
			continue;
		}
		if ((yd || tm) && daily)
			note(c, "      ", "dbprocessing ran this process only "
			     "for the days a queued file itself spans; cascade\n"
			     "also rebuilds the days that take it as "
			     "yesterday or tomorrow");
		strbuf_addstr(c->y, "      - product: ");
		q(c->y, name);
		strbuf_addf(c->y, "\n        optional: %s\n        yesterday: "
			    "%d\n        tomorrow: %d\n",
			    opt ? "true" : "false", yd, tm);
	}
}

static void
put_process(struct conv *c, const struct ini_section *s)
{
	const char *tb = val(s, "output_timebase");
	const char *out = val(s, "output_product");
	const struct process *dbp = db_process(c->db, val(s, "process_name"));
	struct strbuf sb = STRBUF_INIT;
	size_t mark = c->y->len;
	bool refused = strcmp(tb, "FILE") && strcmp(tb, "DAILY") &&
		       strcmp(tb, "WEEKLY") && strcmp(tb, "MONTHLY") &&
		       strcmp(tb, "YEARLY") && strcmp(tb, "RUN") &&
		       strcmp(tb, "ORBIT");
	bool orbit_named = false;

	/* an ORBIT process's outputs of one day need names of their own */
	if (!strcmp(tb, "ORBIT") && *out) {
		const struct ini_section *ps = section(c->ini, out);
		const char *f = ps ? val(ps, "format") : "";

		orbit_named = config_format_tells_periods(TIMEBASE_ORBIT, f);
		refused = !orbit_named;
	}

	if (!strcmp(tb, "WEEKLY") || !strcmp(tb, "MONTHLY") ||
	    !strcmp(tb, "YEARLY")) {
		strbuf_addf(&sb, "timebase %s: dbprocessing never ran this "
			    "process (NotImplementedError);\ncascade does", tb);
		note(c, "  ", sb.buf);
	} else if (orbit_named) {
		note(c, "  ", "timebase ORBIT: dbprocessing never ran this "
			      "process (NotImplementedError);\ncascade keys "
			      "it by the orbits of its orbit table: load them "
			      "(cascade orbits load);\nits inputs' yesterday "
			      "and tomorrow count orbits");
	}
	strbuf_addstr(c->y, "  - name: ");
	q(c->y, val(s, "process_name"));
	strbuf_addch(c->y, '\n');
	if (*out) {
		const struct ini_kv *x = kv(s, "output_product");
		const char *name = product_ref(c, out, x ? x->line : s->line);

		if (name)
			put(c->y, "    ", "output_product", name);
	}
	put(c->y, "    ", "output_timebase", tb);
	put(c->y, "    ", "extra_params", val(s, "extra_params"));
	put_inputs(c, s, !strcmp(tb, "DAILY"));
	strbuf_addstr(c->y, "    codes:\n");
	if (dbp && dbp->n_codes) {
		char vb[VERSION_STRLEN];
		bool same = dbp->n_codes == 1 &&
			    !strcmp(version_format(&dbp->codes[0].version, vb),
				    val(s, "code_version"));

		strbuf_reset(&sb);
		strbuf_addf(&sb, "the codes as the database has them (%zu; "
			    "this file lists one: %s %s);\ndbprocessing "
			    "registers later versions and (de)activates them "
			    "with scripts", dbp->n_codes,
			    val(s, "code_filename"), val(s, "code_version"));
		if (!same)
			note(c, "      ", sb.buf);
		for (size_t i = 0; i < dbp->n_codes; i++)
			put_db_code(c, &dbp->codes[i]);
	} else {
		put_ini_code(c, s);
	}
	if (refused) {
		/* the whole entry as a comment, after the reason */
		char *body = xstrndup(c->y->buf + mark, c->y->len - mark);
		const char *p = body;

		strbuf_setlen(c->y, mark);
		strbuf_reset(&sb);
		if (!strcmp(tb, "ORBIT"))
			strbuf_addf(&sb, "timebase ORBIT: dbprocessing never "
				    "ran it; cascade does, but the format of "
				    "its\noutput product names every orbit of "
				    "a day alike (it needs {ORBIT}): process "
				    "\"%s\"\nleft out, as written:",
				    val(s, "process_name"));
		else
			strbuf_addf(&sb, "timebase %s: cascade has FILE, "
				    "HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY, "
				    "ORBIT and RUN (and dbprocessing\nnever "
				    "ran %s either): process \"%s\" left "
				    "out, as written:",
				    *tb ? tb : "(none)", *tb ? tb : "it",
				    val(s, "process_name"));
		note(c, "  ", sb.buf);
		while (*p) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			strbuf_addstr(c->y, "  #");
			strbuf_add(c->y, p, n);
			strbuf_addch(c->y, '\n');
			p += n + (nl ? 1 : 0);
		}
		free(body);
	}
	strbuf_release(&sb);
}

static void
put_product(struct conv *c, const struct ini_section *s, const char *sat,
	    const char *inst, const char *mission, const char *rootdir)
{
	const char *fields[] = {"product_name", "relative_path", "format",
				"inspector_relative_path",
				"inspector_description", "inspector_arguments"};
	char *v[ARRAY_SIZE(fields)];
	const char *level = val(s, "level");
	struct strbuf lv = STRBUF_INIT;

	/* {LEVEL} as Python's str(float) */
	strbuf_addstr(&lv, level);
	if (*level && !strpbrk(level, ".eE"))
		strbuf_addstr(&lv, ".0");
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		v[i] = xstrdup(val(s, fields[i]));
		replace_all(&v[i], "{INSTRUMENT}", inst);
		replace_all(&v[i], "{SATELLITE}", sat);
		replace_all(&v[i], "{SPACECRAFT}", sat);
		replace_all(&v[i], "{MISSION}", mission);
		replace_all(&v[i], "{LEVEL}", lv.buf);
		replace_all(&v[i], "{ROOTDIR}", rootdir);
	}
	for (size_t i = 1; i < ARRAY_SIZE(fields); i++)
		replace_all(&v[i], "{PRODUCT}", v[0]);
	if (*val(s, "inspector_filename")) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s: dbprocessing's inspector, the Python "
			    "module %s%s%s, is run unchanged\nby "
			    "cascade-dbp-inspector(1) (package "
			    "cascade-dbprocessing), one process for all\n"
			    "files; without it, drop \"module\" and files "
			    "are identified by the format\n(date, version "
			    "and, where the format has them, time and "
			    "keywords)",
			    v[0], v[3], *v[3] ? "/" : "",
			    val(s, "inspector_filename"));
		note(c, "  ", sb.buf);
		strbuf_release(&sb);
	}
	strbuf_addstr(c->y, "  - name: ");
	q(c->y, v[0]);
	strbuf_addch(c->y, '\n');
	put(c->y, "    ", "satellite", sat);
	put(c->y, "    ", "instrument", inst);
	put_number(c, "    ", "level", s, "level");
	put(c->y, "    ", "format", v[2]);
	put(c->y, "    ", "relative_path", v[1]);
	put(c->y, "    ", "description", val(s, "product_description"));
	if (kv(s, "inspector_filename")) {
		strbuf_addstr(c->y, "    inspector:\n");
		/* under inspectordir, as dbprocessing finds it */
		if (*val(s, "inspector_filename")) {
			struct strbuf mod = STRBUF_INIT;

			strbuf_addf(&mod, "%s%s%s", v[3], *v[3] ? "/" : "",
				    val(s, "inspector_filename"));
			put(c->y, "      ", "module", mod.buf);
			strbuf_release(&mod);
		}
		put(c->y, "      ", "arguments", v[5]);
		put(c->y, "      ", "description", v[4]);
		put_version(c, "      ", "version", s, "inspector_version");
		put_number(c, "      ", "output_interface_version", s,
			   "inspector_output_interface");
		put_bool(c, "      ", "active", s, "inspector_active");
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		free(v[i]);
	strbuf_release(&lv);
}

int
iniconf_convert(const char *name, const char *text, size_t len,
		const struct config *db, struct strbuf *yaml, int *notes)
{
	struct ini ini = {name, NULL, 0, 0, 0};
	struct conv c = {&ini, yaml, 0, db};
	struct ini_section *m, *sat, *inst;
	char *mission, *satname, *instname;

	*notes = 0;
	ini_parse(&ini, text, len);
	m = section(&ini, "mission");
	sat = section(&ini, "satellite");
	inst = section(&ini, "instrument");
	if (!m || !sat || !inst) {
		log_error("%s: sections [mission], [satellite] and [instrument] "
			  "are required", name);
		ini_free(&ini);
		return -1;
	}
	for (size_t i = 0; i < ini.n; i++) {
		const char *sn = ini.s[i].name;

		if (strcmp(sn, "mission") && strcmp(sn, "satellite") &&
		    strcmp(sn, "instrument") && strncmp(sn, "product", 7) &&
		    strncmp(sn, "process", 7))
			ini_error(&ini, ini.s[i].line, "unknown section [%s] "
				  "(dbprocessing refuses it too)", sn);
	}
	/* addFromConfig: these three replaced in every line */
	mission = xstrdup(val(m, "mission_name"));
	satname = xstrdup(val(sat, "satellite_name"));
	replace_all(&satname, "{MISSION}", mission);
	instname = xstrdup(val(inst, "instrument_name"));
	replace_all(&instname, "{MISSION}", mission);
	replace_all(&instname, "{SPACECRAFT}", satname);
	for (size_t i = 0; i < ini.n; i++)
		for (size_t j = 0; j < ini.s[i].n; j++) {
			replace_all(&ini.s[i].kv[j].value, "{MISSION}", mission);
			replace_all(&ini.s[i].kv[j].value, "{SPACECRAFT}",
				    satname);
			replace_all(&ini.s[i].kv[j].value, "{INSTRUMENT}",
				    instname);
		}

	strbuf_addf(yaml, "# Imported from %s (dbprocessing's addFromConfig.py "
		    "INI) by \"cascade config import\".\n# Not carried over: "
		    "inspector_date_written, inspector_newest_version and\n# "
		    "code_newest_version (the newest code is the highest "
		    "version).\n", name);
	strbuf_addstr(yaml, "mission:\n");
	put(yaml, "  ", "name", mission);
	put(yaml, "  ", "rootdir", val(m, "rootdir"));
	put(yaml, "  ", "incoming_dir", val(m, "incoming_dir"));
	put(yaml, "  ", "codedir", val(m, "codedir"));
	put(yaml, "  ", "inspectordir", val(m, "inspectordir"));
	put(yaml, "  ", "errordir", val(m, "errordir"));
	strbuf_addstr(yaml, "satellites:\n  - name: ");
	q(yaml, satname);
	strbuf_addstr(yaml, "\n    instruments: [");
	q(yaml, instname);
	strbuf_addstr(yaml, "]\nproducts:\n");
	for (size_t i = 0; i < ini.n; i++)
		if (!strncmp(ini.s[i].name, "product", 7))
			put_product(&c, &ini.s[i], satname, instname, mission,
				    val(m, "rootdir"));
	strbuf_addstr(yaml, "processes:\n");
	for (size_t i = 0; i < ini.n; i++)
		if (!strncmp(ini.s[i].name, "process", 7))
			put_process(&c, &ini.s[i]);
	free(mission);
	free(satname);
	free(instname);
	*notes = c.notes;
	if (ini.errors) {
		ini_free(&ini);
		return -1;
	}
	ini_free(&ini);
	return 0;
}
