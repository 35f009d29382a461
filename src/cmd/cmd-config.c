/*
 * cmd-config.c - "cascade config check|apply|export".
 *
 * check validates a mission file without a database, and says which
 * codes and inspectors are missing or not executable here (WARNING; an
 * ERROR with --strict, also for apply).  apply makes the
 * database match the file in one transaction, under the processing flag
 * (held for that transaction only, so it cannot interleave with a
 * running ProcessQueue), prints one line per change and records the run;
 * with --dry-run it prints the same lines and rolls back.  export writes
 * the database's configuration as a mission file that applies cleanly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cmd.h"
#include "config.h"
#include "db.h"
#include "iniconf.h"
#include "log.h"
#include "store.h"
#include "strbuf.h"
#include "version.h"
#include "banned.h"

static const struct cmd_help help_config = {
	"config", "check, apply, export or import a mission configuration",
	"check|apply|export [OPTION]... [FILE]", "cascade-config", 1, -1,
};
static const struct cmd_help help_check = {
	"config check", "validate a mission file without a database",
	"[--no-programs] [OPTION]... FILE", "cascade-config", 1, 1,
};
static const struct cmd_help help_apply = {
	"config apply", "make the database match a mission file",
	"[--dry-run] [--strict] [OPTION]... FILE", "cascade-config", 1, 1,
};
static const struct cmd_help help_import = {
	"config import", "convert dbprocessing's mission INI file to YAML",
	"[-o FILE] [OPTION]... INI", "cascade-config", 1, 1,
};
static const struct cmd_help help_export = {
	"config export", "write the database's configuration as YAML",
	"[-o FILE] [OPTION]...", "cascade-config", 0, 0,
};

static size_t
count_codes(const struct config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_processes; i++)
		n += cfg->processes[i].n_codes;
	return n;
}

/*
 * The path of a code as the runner runs it, with {CODEVERSION} and
 * {ROOTDIR}; false for one that depends on the build ({DATE}...).
 */
static bool
code_path(const struct config *cfg, const struct code *c,
	  struct strbuf *out)
{
	char v[VERSION_STRLEN];
	struct strbuf raw = STRBUF_INIT;
	const char *in;

	version_format(&c->version, v);
	strbuf_addf(&raw, "%s/%s/%s", cfg->mission.codedir,
		    c->relative_path ? c->relative_path : ".", c->filename);
	for (in = raw.buf; *in;) {
		if (!strncmp(in, "{CODEVERSION}", 13)) {
			strbuf_addstr(out, v);
			in += 13;
		} else if (!strncmp(in, "{ROOTDIR}", 9)) {
			strbuf_addstr(out, cfg->mission.rootdir);
			in += 9;
		} else {
			strbuf_addch(out, *in++);
		}
	}
	strbuf_release(&raw);
	return !strchr(out->buf, '{');
}

/* what is wrong with the program at path, or NULL */
static const char *
program_problem(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? "does not exist" : strerror(errno);
	if (!S_ISREG(st.st_mode))
		return "is not a regular file";
	if (access(path, X_OK) != 0)
		return "is not executable";
	return NULL;
}

/* what is wrong with the inspector module at path, or NULL */
static const char *
module_problem(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? "does not exist" : strerror(errno);
	if (!S_ISREG(st.st_mode))
		return "is not a regular file";
	if (access(path, R_OK) != 0)
		return "is not readable";
	return NULL;
}

static void
program_report(bool strict, const struct config_mark *m, const char *what,
	       const char *path, const char *problem)
{
	if (strict)
		log_error("%s:%d:%d: %s: \"%s\" %s", m->file, m->line,
			  m->column, what, path, problem);
	else
		log_warning("%s:%d:%d: %s: \"%s\" %s", m->file, m->line,
			    m->column, what, path, problem);
}

/*
 * The programs the mission runs: every active code and every active
 * inspector must be an executable file (a module: a readable one).  "config check" is where a
 * mission is validated, so there what is missing is an ERROR (unless
 * --no-programs: a file checked where the codes are not installed);
 * "config apply" may run on a host that does not hold them (an
 * operator's desk), so there it is a WARNING, an ERROR with --strict.
 * Returns the number of problems.
 */
static int
check_programs(const struct config *cfg, bool strict)
{
	int n = 0;

	for (size_t i = 0; i < cfg->n_processes; i++) {
		const struct process *p = &cfg->processes[i];

		for (size_t k = 0; k < p->n_codes; k++) {
			const struct code *c = &p->codes[k];
			struct strbuf path = STRBUF_INIT, what = STRBUF_INIT;
			char v[VERSION_STRLEN];
			const char *problem;

			if (c->active && code_path(cfg, c, &path) &&
			    (problem = program_problem(path.buf))) {
				strbuf_addf(&what, "process \"%s\": code %s",
					    p->name,
					    version_format(&c->version, v));
				program_report(strict, &c->mark, what.buf,
					       path.buf, problem);
				n++;
			}
			strbuf_release(&path);
			strbuf_release(&what);
		}
	}
	for (size_t i = 0; i < cfg->n_products; i++) {
		const struct product *p = &cfg->products[i];
		const struct inspector *in = &p->inspector;
		struct strbuf what = STRBUF_INIT;
		const char *problem;

		const char *path = in->executable ? in->executable : in->module;

		if (!path || !in->active ||
		    !(problem = in->executable ? program_problem(path)
					       : module_problem(path)))
			continue;
		strbuf_addf(&what, "product \"%s\": inspector%s", p->name,
			    in->module ? " module" : "");
		program_report(strict, &in->mark, what.buf, path, problem);
		strbuf_release(&what);
		n++;
	}
	if (n && !strict)
		log_hint("Install them before the next run, or apply where "
			 "they are installed with --strict (an error then).");
	return n;
}

/* the options and operand of the sub-commands */
static bool no_programs, dry_run, strict;
static const char *file, *output;
/* config apply: the file, loaded and checked before set-up */
static struct config *apply_cfg;

int
cmd_config_check_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 0, "no-programs", &no_programs, NULL,
		 "do not look for the codes and inspector programs (a host "
		 "where they are not installed)"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_check, opts, argc, argv);

	file = argv[i];
	return EXIT_OK;
}

int
cmd_config_check_run(struct ctx *ctx)
{
	struct config *cfg = NULL;

	(void)ctx;
	if (config_load_file(file, &cfg))
		return EXIT_USAGE;
	if (!no_programs && check_programs(cfg, true)) {
		config_free(cfg);
		return EXIT_USAGE;
	}
	printf("%s: ok: mission %s, %zu satellites, %zu instruments, "
	       "%zu products, %zu processes, %zu codes\n",
	       file, cfg->mission.name, cfg->n_satellites,
	       cfg->n_instruments, cfg->n_products, cfg->n_processes,
	       count_codes(cfg));
	config_free(cfg);
	return EXIT_OK;
}

/* the outputs a change leaves behind, gathered for the report */
struct left {
	struct strvec rebuilt; /* outputs whose inputs get queued */
	struct strvec left;    /* "NAME: why (what to do)" */
	struct strbuf last;
};

static void
gather(void *arg, const struct check_finding *f)
{
	struct left *l = arg;
	struct strbuf sb = STRBUF_INIT;

	if (f->outcome == CHECK_LEFT) {
		strbuf_addf(&sb, "%s: %s (%s)", f->subject, f->detail,
			    f->action);
		strvec_push(&l->left, sb.buf);
	} else if (strcmp(l->last.buf, f->subject)) {
		strvec_push(&l->rebuilt, f->subject);
	}
	strbuf_reset(&l->last);
	strbuf_addstr(&l->last, f->subject);
	strbuf_release(&sb);
}

/*
 * The outputs of the processes the change touched, evaluated by the
 * planner's rules: those to rebuild get their inputs queued (in this
 * transaction), those the rules leave behind are listed.
 */
static int
reevaluate(struct ctx *ctx, struct store_apply_report *rep, bool dry)
{
	struct left l = {STRVEC_INIT, STRVEC_INIT, STRBUF_INIT};
	struct check_counts c;
	struct check_options o;
	struct catalog cat;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	o.repair = true;
	o.who = "config apply";
	o.report = gather;
	o.arg = &l;
	/* the catalog as the change made it, inside its transaction */
	if ((rc = catalog_load(ctx->db, &cat)))
		return rc;
	rc = check_outputs(ctx->db, &cat, &o,
			   (const char *const *)rep->affected.v,
			   rep->affected.nr, &c);
	if (rc)
		goto out;
	if (l.rebuilt.nr) {
		strbuf_addf(&rep->lines,
			    "  %zu output%s no longer match%s %s inputs or "
			    "code: ",
			    l.rebuilt.nr, l.rebuilt.nr == 1 ? "" : "s",
			    l.rebuilt.nr == 1 ? "es" : "",
			    l.rebuilt.nr == 1 ? "its" : "their");
		if (c.queued)
			strbuf_addf(&rep->lines, "%s %ld input file%s to "
						 "rebuild %s\n",
				    dry ? "would queue" : "queued",
				    (long)c.queued, c.queued == 1 ? "" : "s",
				    l.rebuilt.nr == 1 ? "it" : "them");
		else
			strbuf_addstr(&rep->lines,
				      "the inputs that rebuild them are "
				      "queued\n");
	}
	if (c.stale_left) {
		strbuf_addf(&rep->lines,
			    "  %ld output%s the rules leave as %s:\n",
			    c.stale_left, c.stale_left == 1 ? "" : "s",
			    c.stale_left == 1 ? "it is" : "they are");
		for (size_t i = 0; i < l.left.nr && i < 10; i++)
			strbuf_addf(&rep->lines, "    %s\n", l.left.v[i]);
		if (l.left.nr > 10)
			strbuf_addf(&rep->lines,
				    "    ... and %zu more (\"cascade check\" "
				    "lists them)\n",
				    l.left.nr - 10);
	}
out:
	catalog_release(&cat);
	strvec_clear(&l.rebuilt);
	strvec_clear(&l.left);
	strbuf_release(&l.last);
	return rc;
}

int
cmd_config_apply_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "show what would change; change nothing"},
		{OPT_BOOL, 0, "strict", &strict, NULL,
		 "a missing or non-executable code or inspector is an error"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_apply, opts, argc, argv);

	file = argv[i];
	if (config_load_file(file, &apply_cfg))
		return EXIT_USAGE;
	if (check_programs(apply_cfg, strict) && strict) {
		config_free(apply_cfg);
		apply_cfg = NULL;
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int
cmd_config_apply_run(struct ctx *ctx)
{
	struct store_apply_report rep = STORE_APPLY_REPORT_INIT;
	struct lock_holder holder = LOCK_HOLDER_INIT;
	struct config *cfg = apply_cfg;
	struct strbuf summary = STRBUF_INIT;
	bool found, changed;
	int mission_id;
	int rc = EXIT_DB;

	if (db_begin(ctx->db))
		goto out;
	if (store_mission_id(ctx->db, &mission_id, &found))
		goto out;
	switch (lock_take_xact(ctx->db, mission_id, &holder)) {
	case LOCK_ACQUIRED:
		break;
	case LOCK_HELD: {
		struct strbuf d = STRBUF_INIT;

		lock_holder_describe(&holder, &d);
		log_error("processing flag is held by %s", d.buf);
		log_hint("Apply the configuration when that run has ended.");
		strbuf_release(&d);
		rc = EXIT_LOCKED;
		goto out;
	}
	default:
		goto out;
	}
	if ((rc = store_config_apply(ctx->db, cfg, &rep))) {
		rc = rc == DB_ERR_CONN ? EXIT_DB : EXIT_USAGE;
		goto out;
	}
	if (rep.affected.nr && reevaluate(ctx, &rep, dry_run)) {
		rc = EXIT_DB;
		goto out;
	}
	strbuf_addf(&summary, "%d added, %d changed, %d removed", rep.added,
		    rep.changed, rep.removed);
	if (rep.kept)
		strbuf_addf(&summary, ", %d kept", rep.kept);
	fputs(rep.lines.buf, stdout);
	changed = rep.added + rep.changed + rep.removed > 0;
	if (dry_run) {
		db_rollback(ctx->db);
		if (changed)
			printf("dry run: would apply %s: %s\n", file,
			       summary.buf);
		else
			printf("no changes: the database matches %s\n", file);
		rc = EXIT_OK;
		goto out;
	}
	if (!changed) {
		db_rollback(ctx->db);
		printf("no changes: the database matches %s\n", file);
		rc = EXIT_OK;
		goto out;
	}
	if (store_mission_id(ctx->db, &mission_id, &found) || !found)
		goto out;
	{
		struct strbuf comment = STRBUF_INIT;

		strbuf_addf(&comment, "applied %s: %s", file, summary.buf);
		rc = lock_record_run(ctx->db, mission_id, "config apply",
				     RUN_STATE_OK, comment.buf, NULL);
		if (!rc && lock_notify(ctx->db, mission_id, "config"))
			rc = -1;
		strbuf_release(&comment);
	}
	if (rc || db_commit(ctx->db)) {
		rc = EXIT_DB;
		goto out;
	}
	printf("applied %s: %s\n", file, summary.buf);
	rc = EXIT_OK;
out:
	db_rollback(ctx->db);
	lock_holder_release(&holder);
	store_apply_report_release(&rep);
	strbuf_release(&summary);
	config_free(cfg);
	apply_cfg = NULL;
	return rc;
}

int
cmd_config_export_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 'o', "output", &output, "FILE",
		 "write to FILE (atomically) instead of standard output"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_export, opts, argc, argv);
	return EXIT_OK;
}

int
cmd_config_export_run(struct ctx *ctx)
{
	struct config *cfg = NULL;
	struct strbuf tmp = STRBUF_INIT;
	FILE *out = stdout;
	int rc = EXIT_DB;

	if (store_config_load(ctx->db, &cfg))
		goto out;
	if (!cfg) {
		log_error("database \"%s\" has no mission to export",
			  db_dbname(ctx->db));
		rc = EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INTERNAL;
	if (output) {
		strbuf_addf(&tmp, "%s.tmp%ld", output, (long)getpid());
		out = fopen(tmp.buf, "w");
		if (!out) {
			log_error("could not create file \"%s\": %s", tmp.buf,
				  strerror(errno));
			goto out;
		}
	}
	if (config_write_yaml(cfg, out))
		goto out;
	if (output) {
		FILE *f = out;

		out = stdout;
		if (fflush(f) || fsync(fileno(f)) || fclose(f)) {
			log_error("could not write file \"%s\": %s", tmp.buf,
				  strerror(errno));
			goto out;
		}
		if (rename(tmp.buf, output)) {
			log_error("could not rename file \"%s\" to \"%s\": %s",
				  tmp.buf, output, strerror(errno));
			goto out;
		}
		strbuf_reset(&tmp);
	}
	rc = EXIT_OK;
out:
	if (out != stdout)
		fclose(out);
	if (tmp.len)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	config_free(cfg);
	return rc;
}

/* write text to path atomically, or to stdout when path is NULL */
static int
write_out(const char *path, const struct strbuf *text)
{
	struct strbuf tmp = STRBUF_INIT;
	FILE *f;

	if (!path) {
		if (fwrite(text->buf, 1, text->len, stdout) != text->len)
			return error("could not write to standard output: %s",
				     strerror(errno));
		return 0;
	}
	strbuf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp.buf, "w");
	if (!f) {
		error("could not create file \"%s\": %s", tmp.buf,
		      strerror(errno));
		strbuf_release(&tmp);
		return -1;
	}
	if (fwrite(text->buf, 1, text->len, f) != text->len || fflush(f) ||
	    fsync(fileno(f))) {
		error("could not write file \"%s\": %s", tmp.buf,
		      strerror(errno));
		fclose(f);
		unlink(tmp.buf);
		strbuf_release(&tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp.buf, path)) {
		error("could not rename file \"%s\" to \"%s\": %s", tmp.buf,
		      path, strerror(errno));
		unlink(tmp.buf);
		strbuf_release(&tmp);
		return -1;
	}
	strbuf_release(&tmp);
	return 0;
}

static int
read_all(const char *path, struct strbuf *sb)
{
	char buf[8192];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return error("could not open file \"%s\": %s", path,
			     strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		strbuf_add(sb, buf, n);
		if (sb->len > CONFIG_MAX_FILE_SIZE) {
			fclose(f);
			return error("file \"%s\" is too large", path);
		}
	}
	if (ferror(f)) {
		fclose(f);
		return error("could not read file \"%s\": %s", path,
			     strerror(errno));
	}
	fclose(f);
	return 0;
}

/*
 * config import: the INI as YAML, checked as "config check" checks a
 * file; with -m, the codes as the (adopted) database has them.
 */
int
cmd_config_import_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 'o', "output", &output, "FILE",
		 "write to FILE (atomically) instead of standard output"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_import, opts, argc, argv);

	file = argv[i];
	/* with -m, the codes as the (adopted) database has them */
	if (ctx->conninfo)
		ctx->needs = CTX_SCHEMA;
	return EXIT_OK;
}

int
cmd_config_import_run(struct ctx *ctx)
{
	struct strbuf ini = STRBUF_INIT, yaml = STRBUF_INIT, dir = STRBUF_INIT;
	struct config *db = NULL, *cfg = NULL;
	int rc = EXIT_DB, notes = 0;
	const char *slash;

	if (ctx->db && store_config_load(ctx->db, &db))
		goto out;
	rc = EXIT_USAGE;
	if (read_all(file, &ini) ||
	    iniconf_convert(file, ini.buf, ini.len, db, &yaml, &notes))
		goto out;
	slash = strrchr(file, '/');
	if (slash)
		strbuf_add(&dir, file, (size_t)(slash - file) + 1);
	else
		strbuf_addstr(&dir, ".");
	if (config_load_string(output ? output : "(imported)", yaml.buf,
			       yaml.len, dir.buf, &cfg)) {
		log_detail("The file imported from \"%s\" does not pass "
			   "\"cascade config check\".", file);
		rc = EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INTERNAL;
	if (write_out(output, &yaml))
		goto out;
	if (output)
		printf("%s: ok: mission %s, %zu products, %zu processes, %zu "
		       "codes; %d notes where dbprocessing's meaning differs\n",
		       output, cfg->mission.name, cfg->n_products,
		       cfg->n_processes, count_codes(cfg), notes);
	rc = EXIT_OK;
out:
	config_free(cfg);
	config_free(db);
	strbuf_release(&ini);
	strbuf_release(&yaml);
	strbuf_release(&dir);
	return rc;
}

/* "config" without a known sub-command: main.c found none */
int
cmd_config_parse(struct ctx *ctx, int argc, char **argv)
{
	return opt_parse_group(ctx, &help_config, argc, argv);
}
