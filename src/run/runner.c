/*
 * runner.c - planned builds -> running codes -> archived outputs (see
 * runner.h for the state machine, runner-int.h for the files).
 *
 * Owns the command line of a code (dbprocessing's layout), work, log
 * and status directories, the code checksum check, and the run loop:
 * prepare the next build while codes run, submit it to the executor
 * when it has room, hand what ended to runner-record.c.  Processes are
 * the executor's (executor.h); SQL is store-run.c's.
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "config.h"
#include "db.h"
#include "fault.h"
#include "fsutil.h"
#include "identify.h"
#include "log.h"
#include "plan-rules.h"
#include "runner-int.h"
#include "sha.h"
#include "store-run.h"
#include "store.h"
#include "sysinfo.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

#define FETCH 256

int
runner_new(struct db *db, const struct catalog *cat,
	   const struct runner_options *opt, struct runner **out)
{
	const struct mission *m = cat->mission;
	struct runner *r = xcalloc(1, sizeof(*r));

	*out = NULL;
	r->db = db;
	r->cat = cat;
	r->m = m;
	r->opt = *opt;
	/*
	 * The intermediate states (running, recording) are committed without
	 * waiting for the WAL flush: they only get lost if the database
	 * server itself crashes, and then the build runs again.  flush()
	 * commits the outcome synchronously.
	 */
	if (db_exec(db, "SET synchronous_commit = off")) {
		free(r);
		return -1;
	}
	strbuf_init(&r->host, 0);
	strvec_init(&r->free_dirs);
	runner_placed_init(r);
	sysinfo_hostname(&r->host);
	strbuf_init(&r->sup_log, 0);
	strbuf_addf(&r->sup_log, "%s/.cascade/logs/supervisor.log", m->rootdir);
	{
		struct exec_local_options lo = {
			.slots = opt->slots > 0 ? (unsigned)opt->slots : 1,
			.sup_log = r->sup_log.buf,
		};

		r->ex = executor_local_new(&lo);
	}
	executor_set_wake_fd(r->ex, opt->wake_fd);
	r->ids = catalog_identify(cat);
	*out = r;
	return 0;
}

void
runner_free(struct runner *r)
{
	if (!r)
		return;
	/*
	 * Codes still running (an error exit) run on under their
	 * supervisors, which keep their results for the next run; a
	 * supervisor with nothing left is no one's any more.
	 */
	for (struct job *j = r->active; j; j = j->next_active)
		if (!j->eb.done)
			r->detached = true;
	executor_free(r->ex, false);
	executor_free(r->slurm, false);
	while (r->active) {
		struct job *j = r->active;

		r->active = j->next_active;
		j->keep_dir = true;
		runner_job_free(r, j);
	}
	/* best effort: a row left names a supervisor that is gone */
	if (r->sup_pid && !r->detached && db_connected(r->db) &&
	    !db_in_transaction(r->db) &&
	    store_run_supervisor(r->db, r->opt.run_id, 0, -1))
		log_debug("the run's supervisor stays named in its row");
	identify_report_failures(r->ids);
	identify_set_free(r->ids);
	free(r->eta);
	free(r->codes);
	for (size_t i = 0; i < r->n_pending; i++)
		runner_pending_release(&r->pending[i]);
	free(r->pending);
	place_batch_release(&r->placed);
	/* the reused work directories are empty: remove them */
	for (size_t i = 0; i < r->free_dirs.nr; i++)
		if (rmdir(r->free_dirs.v[i]) != 0 && errno != ENOENT)
			log_warning("could not remove work directory \"%s\": "
				    "%s",
				    r->free_dirs.v[i], strerror(errno));
	strvec_clear(&r->free_dirs);
	store_sr_files_free(r->files, r->n_files);
	runner_reuse_release(r);
	store_sr_builds_free(r->open, r->n_open);
	for (size_t i = 0; i < r->n_kept; i++)
		store_sr_builds_free(r->kept[i].b, r->kept[i].n);
	free(r->kept);
	strbuf_release(&r->host);
	strbuf_release(&r->sup_log);
	strvec_clear(&r->slurm_extra);
	free(r->slurm_work);
	for (size_t i = 0; i < r->n_profiles; i++) {
		struct slurm_profile *p = r->profiles[i];

		strvec_clear(&p->extra);
		free(p->partition);
		free(p->account);
		free(p->work_dir);
		free(p->sbatch_options);
		free(p);
	}
	free(r->profiles);
	free(r->to_submit);
	free(r);
}

/*
 * the run's Slurm executor, made at its first use from the mission's
 * settings es (a process's own go with its builds: slurm_profile)
 */
static struct executor *
slurm_executor(struct runner *r, const struct executor_settings *es)
{
	struct exec_slurm_options o = {0};

	if (r->slurm)
		return r->slurm;
	strvec_init(&r->slurm_extra);
	if (es->sbatch_options)
		strvec_split(&r->slurm_extra, es->sbatch_options, " \t\n");
	r->slurm_work = es->work_dir ? xstrdup(es->work_dir)
				     : xasprintf("%s/.cascade", r->m->rootdir);
	o.work_dir = r->slurm_work;
	o.partition = es->partition;
	o.account = es->account;
	o.extra = &r->slurm_extra;
	o.job_name = r->m->name;
	/* its group scripts are named by the run (a successor reads them) */
	snprintf(r->slurm_tag, sizeof(r->slurm_tag), "%lld",
		 (long long)r->opt.run_id);
	o.tag = r->slurm_tag;
	o.time_limit_min = (es->time_limit_s + 59) / 60;
	o.group_cpus = es->cpus > 0 ? (unsigned)es->cpus : 0;
	/* tests make Slurm's polls faster */
	o.poll_ms = getenv("CASCADE_SLURM_POLL_MS")
			    ? (int)strtol(getenv("CASCADE_SLURM_POLL_MS"), NULL,
					  10)
			    : 0;
	o.grace_s = r->opt.kill_grace_s;
	/* where the nodes have the group runner, if not where installed */
	o.group_runner = getenv("CASCADE_GROUP_RUNNER");
	r->slurm = executor_slurm_new(&o);
	executor_set_wake_fd(r->slurm, r->opt.wake_fd);
	return r->slurm;
}

static bool
same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * the Slurm settings of a process's jobs (es, its merged executor
 * mapping): one profile per distinct set, made at its first use
 */
static const struct exec_slurm_options *
slurm_profile(struct runner *r, const struct executor_settings *es)
{
	struct slurm_profile *p;

	for (size_t i = 0; i < r->n_profiles; i++) {
		p = r->profiles[i];
		if (same_str(p->partition, es->partition) &&
		    same_str(p->account, es->account) &&
		    same_str(p->work_dir, es->work_dir) &&
		    same_str(p->sbatch_options, es->sbatch_options) &&
		    p->time_limit_s == es->time_limit_s && p->cpus == es->cpus)
			return &p->o;
	}
	p = xcalloc(1, sizeof(*p));
	strvec_init(&p->extra);
	p->partition = xstrdup_or_null(es->partition);
	p->account = xstrdup_or_null(es->account);
	p->work_dir = xstrdup_or_null(es->work_dir);
	p->sbatch_options = xstrdup_or_null(es->sbatch_options);
	p->time_limit_s = es->time_limit_s;
	p->cpus = es->cpus;
	if (p->sbatch_options)
		strvec_split(&p->extra, p->sbatch_options, " \t\n");
	p->o.work_dir = p->work_dir; /* NULL: the executor's */
	p->o.partition = p->partition;
	p->o.account = p->account;
	p->o.extra = &p->extra;
	p->o.time_limit_min = (es->time_limit_s + 59) / 60;
	p->o.group_cpus = es->cpus > 0 ? (unsigned)es->cpus : 0;
	ALLOC_GROW(r->profiles, r->n_profiles + 1, r->alloc_profiles);
	r->profiles[r->n_profiles++] = p;
	return &p->o;
}

struct executor *
runner_executor_of(struct runner *r, const struct sr_build *b,
		   struct exec_build *e)
{
	const struct process *p = catalog_process(r->cat, b->process_id);
	struct executor_settings es;

	config_process_executor(r->cat->cfg, p, &es);
	e->mem_mb = es.memory_mb;
	e->slurm = NULL;
	if (strcmp(es.kind, "slurm"))
		return r->ex;
	e->slurm = slurm_profile(r, &es);
	return runner_slurm(r);
}

struct executor *
runner_slurm(struct runner *r)
{
	struct executor_settings es;

	if (r->slurm)
		return r->slurm;
	config_process_executor(r->cat->cfg, NULL, &es);
	return slurm_executor(r, &es);
}

/*
 * builds with the executors that the run waits for (submitting and
 * returning, not Slurm's)
 */
static size_t
pending(const struct runner *r)
{
	return executor_pending(r->ex) +
	       (r->slurm && !r->opt.slurm_return ? executor_pending(r->slurm)
						  : 0);
}

int64_t
runner_output_start(const struct sr_build *b)
{
	if (timebase_numbered(b->timebase) && b->period_stop > b->period_start)
		return b->period_start;
	return (int64_t)b->date * USEC_PER_DAY;
}

/* rootdir/<relative_path with date, time, version, keywords>/<name> */
int
runner_file_path(const struct runner *r, int product_id, int32_t date,
	  int64_t start_usec, const struct version *v, const char *kw,
	  const char *name, struct strbuf *out)
{
	struct archive_file af = {product_id, name, true, date, start_usec,
				  *v, kw};
	struct strbuf err = STRBUF_INIT;
	int rc = 0;

	if (archive_path(r->cat->archive, &af, out, &err))
		rc = error("cannot place \"%s\" in the archive: %s", name,
			   err.buf);
	strbuf_release(&err);
	return rc;
}

/*
 * {DATE} {ROOTDIR} {CODEDIR} {CODEVERSION}, as dbprocessing substitutes;
 * {HOUR} and {ORBIT}: an HOURLY key's hour (00-23), an ORBIT key's number
 */
static void
subst(const struct runner *r, const char *in, const struct sr_build *b,
      const char *codedir, struct strbuf *out)
{
	char cv[VERSION_STRLEN];

	version_format(&b->code_version, cv);
	while (*in) {
		if (!strncmp(in, "{DATE}", 6)) {
			int y, m, d;

			timeutil_ymd_from_days(b->date, &y, &m, &d);
			strbuf_addf(out, "%04d%02d%02d", y, m, d);
			in += 6;
		} else if (!strncmp(in, "{HOUR}", 6)) {
			/* an HOURLY key's hour of its date, 00-23 */
			strbuf_addf(out, "%02d",
				    (int)((runner_output_start(b) -
					   (int64_t)b->date * USEC_PER_DAY) /
					  USEC_PER_HOUR));
			in += 6;
		} else if (!strncmp(in, "{ORBIT}", 7) &&
			   b->timebase == TIMEBASE_ORBIT) {
			/* an ORBIT key's orbit number */
			strbuf_addf(out, "%lld", (long long)b->period_number);
			in += 7;
		} else if (!strncmp(in, "{ROOTDIR}", 9)) {
			strbuf_addstr(out, r->m->rootdir);
			in += 9;
		} else if (!strncmp(in, "{CODEDIR}", 9)) {
			strbuf_addstr(out, codedir ? codedir : "");
			in += 9;
		} else if (!strncmp(in, "{CODEVERSION}", 13)) {
			strbuf_addstr(out, cv);
			in += 13;
		} else {
			strbuf_addch(out, *in++);
		}
	}
}

static void
code_path(const struct runner *r, const struct sr_build *b, struct strbuf *out)
{
	struct strbuf rel = STRBUF_INIT;

	strbuf_addf(&rel, "%s/%s/%s", r->m->codedir, b->code_relpath,
		    b->code_filename);
	subst(r, rel.buf, b, NULL, out);
	strbuf_release(&rel);
}

/*
 * check_code: the code file is there, executable, and unchanged since it
 * was registered (its SHA-256; registered now if it never was).  Returns
 * 1 ok, 0 refused (reason filled), -1 database error.  Cached per run.
 */
static int
check_code(struct runner *r, const struct sr_build *b, const char *path,
	   const char **reason)
{
	struct code_check *cc = NULL;
	char h1[SHA1_HEX_LEN], h2[SHA256_HEX_LEN];
	int64_t size;
	int fd;

	for (size_t i = 0; i < r->n_codes; i++)
		if (r->codes[i].code_id == b->code_id)
			cc = &r->codes[i];
	if (cc) {
		*reason = cc->reason;
		return cc->ok;
	}
	ALLOC_GROW(r->codes, r->n_codes + 1, r->alloc_codes);
	cc = &r->codes[r->n_codes++];
	memset(cc, 0, sizeof(*cc));
	cc->code_id = b->code_id;
	*reason = cc->reason;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || access(path, X_OK) != 0) {
		snprintf(cc->reason, sizeof(cc->reason),
			 "code \"%s\" cannot be run: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (sha_fd(fd, h1, h2, &size)) {
		snprintf(cc->reason, sizeof(cc->reason),
			 "could not read code \"%s\": %s", path,
			 strerror(errno));
		close(fd);
		return 0;
	}
	close(fd);
	if (!b->code_sha256) {
		if (store_code_register(r->db, b->code_id, h2))
			return -1;
		log_info("registered the SHA-256 of code \"%s\" (%s) on first "
			 "use",
			 path, h2);
	} else if (strcmp(b->code_sha256, h2) &&
		   r->opt.refuse_changed_code) {
		char cv[VERSION_STRLEN];

		snprintf(cc->reason, sizeof(cc->reason),
			 "code \"%s\" (version %s) changed on disk since it "
			 "was registered (SHA-256 %.12s..., now %.12s...): "
			 "give the new code a new version in the mission file",
			 path, version_format(&b->code_version, cv),
			 b->code_sha256, h2);
		return 0;
	} else if (strcmp(b->code_sha256, h2)) {
		char cv[VERSION_STRLEN];

		log_warning("code \"%s\" (version %s) changed on disk since it "
			    "was registered (SHA-256 %.12s..., now %.12s...); "
			    "running it anyway, as run.refuse_changed_code is "
			    "false: its outputs will not say so",
			    path, version_format(&b->code_version, cv),
			    b->code_sha256, h2);
	}
	memcpy(cc->sha256, h2, sizeof(cc->sha256));
	cc->ok = 1;
	return 1;
}

int
runner_code_sha256(struct runner *r, const struct sr_build *b,
		   const char **sha256)
{
	struct strbuf path = STRBUF_INIT;
	const char *reason = NULL;
	int ok;

	*sha256 = NULL;
	code_path(r, b, &path);
	ok = check_code(r, b, path.buf, &reason);
	strbuf_release(&path);
	if (ok < 0)
		return -1;
	for (size_t i = 0; ok && i < r->n_codes; i++)
		if (r->codes[i].code_id == b->code_id)
			*sha256 = r->codes[i].sha256;
	return 0;
}

/* an empty work directory for a build (reused, or made) */
static char *
take_dir(struct runner *r)
{
	struct strbuf sb = STRBUF_INIT;

	if (r->free_dirs.nr) {
		char *d = xstrdup(r->free_dirs.v[r->free_dirs.nr - 1]);

		strvec_pop(&r->free_dirs);
		return d;
	}
	strbuf_addf(&sb, "%s/.cascade/work/%ld-%d", r->m->rootdir,
		    (long)getpid(), r->next_dir++);
	if (fsutil_mkdir_p(sb.buf)) {
		runner_env_error(r, "could not create directory \"%s\": %s",
				 sb.buf, strerror(errno));
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

/* a build is done with its work directory: empty it for the next */
static void
give_dir(struct runner *r, const char *dir)
{
	if (!dir)
		return;
	/* a sample's outputs were linked to the scratch directory */
	if (r->opt.scratch_dir) {
		fsutil_remove_tree(dir);
		return;
	}
	fsutil_empty_dir(dir);
	strvec_push(&r->free_dirs, dir);
}

char *
runner_take_dir(struct runner *r)
{
	return take_dir(r);
}

void
runner_give_dir(struct runner *r, const char *dir)
{
	give_dir(r, dir);
}

static int
cmp_file_id(const void *a, const void *b)
{
	int64_t x = ((const struct sr_file *)a)->id,
		y = ((const struct sr_file *)b)->id;

	return x < y ? -1 : x > y;
}

/* load the input files of builds b[0..n) in one query */
int
runner_prefetch_inputs(struct runner *r, const struct sr_build *b, size_t n)
{
	int64_t *ids = NULL;
	size_t nids = 0, alloc = 0;
	int rc;

	store_sr_files_free(r->files, r->n_files);
	r->files = NULL;
	r->n_files = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < b[i].n_inputs; k++) {
			ALLOC_GROW(ids, nids + 1, alloc);
			ids[nids++] = b[i].inputs[k];
		}
	if (!nids)
		return 0;
	rc = store_files_get(r->db, ids, nids, &r->files, &r->n_files);
	free(ids);
	if (!rc)
		qsort(r->files, r->n_files, sizeof(*r->files), cmp_file_id);
	return rc;
}

/* the build's input paths, ordered by product then date; keywords */
static int
input_paths(struct runner *r, const struct sr_build *b, struct strvec *paths,
	    char **keywords)
{
	const struct sr_file **f = xcalloc(b->n_inputs + 1, sizeof(*f));
	size_t n = 0;
	int rc = 0;

	*keywords = NULL;
	for (size_t i = 0; i < b->n_inputs; i++) {
		struct sr_file key;
		const struct sr_file *hit;

		key.id = b->inputs[i];
		hit = bsearch(&key, r->files, r->n_files, sizeof(*r->files),
			      cmp_file_id);
		if (!hit) {
			free(f);
			return error("input file %lld of build %lld is not in "
				     "the database",
				     (long long)b->inputs[i], (long long)b->id);
		}
		f[n++] = hit;
	}
	/* insertion sort by product then date: input sets are small */
	for (size_t i = 1; i < n; i++) {
		const struct sr_file *t = f[i];
		size_t k = i;

		while (k > 0 && (f[k - 1]->product_id > t->product_id ||
				 (f[k - 1]->product_id == t->product_id &&
				  f[k - 1]->date > t->date))) {
			f[k] = f[k - 1];
			k--;
		}
		f[k] = t;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		struct strbuf p = STRBUF_INIT;

		if (runner_file_path(r, f[i]->product_id, f[i]->date,
			      f[i]->start_usec, &f[i]->version,
			      f[i]->keywords, f[i]->filename, &p))
			rc = -1;
		else
			strvec_push(paths, p.buf);
		strbuf_release(&p);
	}
	if (!rc) {
		const char **kws = xcalloc(n + 1, sizeof(*kws));
		const char *kw;

		for (size_t i = 0; i < n; i++)
			kws[i] = f[i]->keywords;
		/* the planner's rule (a FILE key's own are its inputs') */
		kw = plan_rules_output_keywords(NULL, kws, n);
		*keywords = kw[0] ? xstrdup(kw) : NULL;
		free(kws);
	}
	free(f);
	return rc;
}

/*
 * The command line, as dbprocessing builds it: code path, extra_params
 * split on '|', code arguments split on white space, input paths, output
 * path (none for RUN).
 */
int
runner_build_argv(struct runner *r, const struct sr_build *b,
		  const char *work_dir, struct strvec *argv, char **keywords)
{
	struct strbuf path = STRBUF_INIT, dir = STRBUF_INIT;
	struct strvec parts = STRVEC_INIT;
	int rc;

	code_path(r, b, &path);
	fsutil_dirname(path.buf, &dir);
	strvec_push(argv, path.buf);
	if (b->extra_params) {
		struct strvec ep = STRVEC_INIT;

		strvec_split(&ep, b->extra_params, "|");
		for (size_t i = 0; i < ep.nr; i++) {
			struct strbuf s = STRBUF_INIT;

			subst(r, ep.v[i], b, dir.buf, &s);
			strvec_push_nodup(argv, strbuf_detach(&s, NULL));
		}
		strvec_clear(&ep);
	}
	if (b->code_args) {
		strvec_split(&parts, b->code_args, " \t\n");
		for (size_t i = 0; i < parts.nr; i++) {
			struct strbuf s = STRBUF_INIT;

			subst(r, parts.v[i], b, dir.buf, &s);
			strvec_push_nodup(argv, strbuf_detach(&s, NULL));
		}
	}
	rc = input_paths(r, b, argv, keywords);
	if (!rc && b->output_product)
		strvec_pushf(argv, "%s/%s", work_dir, b->output_filename);
	strvec_clear(&parts);
	strbuf_release(&path);
	strbuf_release(&dir);
	return rc;
}

void
runner_join_argv(const struct strvec *argv, struct strbuf *sb)
{
	for (size_t i = 0; i < argv->nr; i++)
		strbuf_addf(sb, "%s%s", i ? " " : "", argv->v[i]);
}

/* -- the files of a job --------------------------------------------------- */

void
runner_job_paths(const struct runner *r, int64_t build_id, int attempt,
		 char **log_path, char **status_path)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/.cascade/logs/build-%lld.%d.log", r->m->rootdir,
		    (long long)build_id, attempt);
	*log_path = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "%s/.cascade/status/build-%lld.%d", r->m->rootdir,
		    (long long)build_id, attempt);
	*status_path = strbuf_detach(&sb, NULL);
}

/* the logs and status directories, once per run */
int
runner_make_dirs(struct runner *r)
{
	static const char *const sub[] = {"logs", "status"};

	if (r->dirs_made)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
		struct strbuf dir = STRBUF_INIT;
		int rc = 0;

		strbuf_addf(&dir, "%s/.cascade/%s", r->m->rootdir, sub[i]);
		if (fsutil_mkdir_p(dir.buf))
			rc = runner_env_error(r, "could not create directory "
						 "\"%s\": %s",
					      dir.buf, strerror(errno));
		strbuf_release(&dir);
		if (rc)
			return rc;
	}
	r->dirs_made = true;
	return 0;
}

void
runner_job_free(struct runner *r, struct job *j)
{
	if (!j)
		return;
	exec_build_release(&j->eb);
	if (j->work_dir && !j->keep_dir) {
		if (j->foreign_dir)
			fsutil_remove_tree(j->work_dir);
		else
			give_dir(r, j->work_dir);
	}
	if (j->log_fd >= 0)
		close(j->log_fd);
	free(j->log_path);
	free(j->status_path);
	free(j->work_dir);
	free(j->provenance);
	free(j->keywords);
	if (j->verified) {
		identify_result_release(j->verified);
		free(j->verified);
	}
	free(j);
}

/* -- starting builds ------------------------------------------------------ */

/* the job's log, created (appended: an attempt given back keeps its log) */
static int
open_log(struct runner *r, struct job *j)
{
	const struct sr_build *b = j->b;

	runner_job_paths(r, b->id, b->attempt + 1, &j->log_path,
			 &j->status_path);
	j->log_fd = fault_fail("log-create")
			    ? -1
			    : open(j->log_path,
				   O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
				   0644);
	if (j->log_fd < 0)
		return runner_env_error(r, "could not create log \"%s\": %s",
					j->log_path, strerror(errno));
	return 0;
}

/* the build as the code runs: where, with what, for how long */
static void
build_setup(struct runner *r, struct job *j)
{
	const struct sr_build *b = j->b;
	struct exec_build *e = &j->eb;
	const struct code *code = catalog_code(r->cat, b->code_id);

	strvec_pushf(&e->env_delta, "CASCADE_BUILD_ID=%lld", (long long)b->id);
	strvec_pushf(&e->env_delta, "CASCADE_PROCESS=%s", b->process_name);
	strvec_pushf(&e->env_delta, "CASCADE_MISSION=%s", r->m->name);
	strvec_pushf(&e->env_delta, "CASCADE_ARCHIVE=%s", r->m->rootdir);
	e->build_id = b->id;
	e->attempt = b->attempt + 1;
	/*
	 * its own work directory, where its output is written; or where
	 * the code's working_directory says (dbprocessing ran codes where
	 * ProcessQueue was started, and some write files there)
	 */
	e->dir = code && code->working_dir ? code->working_dir : j->work_dir;
	e->log_path = j->log_path;
	e->status_path = j->status_path;
	e->out_limit = r->opt.log_limit;
	e->timeout_s = b->timeout_s > 0		 ? b->timeout_s
		       : r->opt.code_timeout_s > 0 ? r->opt.code_timeout_s
						   : 3600;
	e->kill_grace_ms = r->opt.kill_grace_s * 1000;
	e->cpus = b->cpu > 0 ? (unsigned)b->cpu : 1;
	e->data = j;
	j->ex = runner_executor_of(r, b, e);
}

/*
 * prepare one build up to its start: check its code, take a work
 * directory, create its log, build its command line.  1 prepared (*out),
 * 0 not (its failure recorded, or the environment refused: env_stop),
 * <0 error.
 */
static int
prepare_build(struct runner *r, struct sr_build *b, struct job **out,
	      struct runner_counts *cnt)
{
	struct job *j = xcalloc(1, sizeof(*j));
	struct strbuf path = STRBUF_INIT, prov = STRBUF_INIT;
	struct sr_outcome none = {.exit_code = -1};
	const char *reason = NULL;
	char *kw = NULL;
	int rc, ok;

	*out = NULL;
	j->b = b;
	j->log_fd = -1;
	exec_build_init(&j->eb);
	code_path(r, b, &path);
	ok = check_code(r, b, path.buf, &reason);
	if (ok <= 0) {
		rc = ok < 0 ? -1
			    : runner_fail_build(r, b, BUILD_STATE_FAILED, "code", reason,
						NULL, &none, true, cnt);
		goto fail;
	}
	if ((rc = runner_make_dirs(r)))
		goto fail;
	j->work_dir = take_dir(r);
	if (!j->work_dir || (rc = open_log(r, j))) {
		rc = j->work_dir ? rc : RUNNER_ENV;
		goto fail;
	}
	if ((rc = runner_build_argv(r, b, j->work_dir, &j->eb.args, &kw)))
		goto fail;
	j->keywords = kw ? kw : xstrdup("");
	runner_join_argv(&j->eb.args, &prov);
	j->provenance = strbuf_detach(&prov, NULL);
	dprintf(j->log_fd, "# cascade build %lld attempt %d on %s\n# %s\n",
		(long long)b->id, b->attempt + 1, r->host.buf, j->provenance);
	/* the supervisor appends the code's output itself */
	close(j->log_fd);
	j->log_fd = -1;
	build_setup(r, j);
	*out = j;
	strbuf_release(&path);
	return 1;
fail:
	strbuf_release(&path);
	if (j->log_path && rc == RUNNER_ENV)
		unlink(j->log_path);
	runner_job_free(r, j);
	return rc < 0 ? rc : 0;
}

/*
 * our supervisor, recorded in our logging row before anything is started
 * under it, so that a successor finds it whatever happens next
 */
static int
ensure_supervisor(struct runner *r)
{
	pid_t pid;
	int64_t start = -1;
	int rc;

	if (executor_supervisor(r->ex, &pid))
		return runner_env_error(r, "could not start a supervisor: %s",
					strerror(errno));
	if (pid == r->sup_pid)
		return 0;
	if (sysinfo_start_ticks(pid, &start))
		start = -1;
	if ((rc = store_run_supervisor(r->db, r->opt.run_id, pid, start)))
		return rc;
	r->sup_pid = pid;
	r->sup_start = start;
	return 0;
}

/*
 * submit a prepared build to the executor (local: start it under the
 * supervisor), linking it into the active jobs (even if recording the
 * start then fails: its supervisor has it, and the next run finds it
 * there); 1 started, 0 not (it stays queued: env_stop), <0 error.  With
 * done and *done (a code that ended well, whose success is not recorded
 * yet), its "recording" is committed with this start, in one round trip,
 * and *done cleared.
 */
static int
launch_build(struct runner *r, struct job *j, struct runner_counts *cnt,
	     struct job **done, struct job **active)
{
	const struct sr_build *b = j->b;
	struct job *rec = done ? *done : NULL;
	struct exec_build *eb = &j->eb;
	struct sr_start st = {.build_id = b->id, .run_id = r->opt.run_id,
			      .host = r->host.buf, .argv = &j->eb.args,
			      .log_path = j->log_path, .work_dir = j->work_dir};
	int rc;

	if ((rc = ensure_supervisor(r))) {
		runner_job_free(r, j);
		return rc == RUNNER_ENV ? 0 : rc;
	}
	if (fault_fail("build-launch") || executor_submit(j->ex, &eb, 1)) {
		rc = runner_env_error(r, "could not start build %lld (%s %s): "
					 "%s",
				      (long long)b->id, b->process_name,
				      b->output_key, strerror(errno));
		unlink(j->log_path);
		runner_job_free(r, j);
		return rc == RUNNER_ENV ? 0 : rc;
	}
	/* the executor's now: if we die, its supervisor keeps it */
	j->next_active = *active;
	*active = j;
	fault_point("build-sent");
	if (j->eb.supervisor != r->sup_pid && (rc = ensure_supervisor(r)))
		return rc;
	st.supervisor_pid = (int)j->eb.supervisor;
	st.supervisor_start = r->sup_start;
	if ((rc = store_build_start(r->db, &st, rec ? rec->b->id : 0,
				    rec ? &rec->outcome : NULL)))
		return rc;
	if (rec) {
		executor_ack(rec->ex, &rec->eb);
		*done = NULL;
		fault_point("build-recording");
	}
	cnt->started++;
	fault_point("build-started");
	return 1;
}

static void
unlink_job(struct job **active, struct job *j)
{
	for (struct job **p = active; *p; p = &(*p)->next_active)
		if (*p == j) {
			*p = j->next_active;
			return;
		}
}

/*
 * wait for the executor: a finished build is handed back in *done (not
 * yet recorded: the caller first refills the slot, then records it); a
 * SIGUSR1 is answered here; a stop request sets *stopped.
 */
/*
 * wait for either executor: with builds on both, the local one for at
 * most 200 ms at a time, then a look at Slurm's (its status files are
 * read at once; squeue is asked every poll_ms at most)
 */
static int
wait_any(struct runner *r, bool block, struct exec_build **c)
{
	size_t nl = executor_pending(r->ex),
	       ns = r->slurm && !r->opt.slurm_return ? executor_pending(r->slurm)
						     : 0;
	int ev;

	if (!ns)
		return executor_wait(r->ex, block ? -1 : 0, c);
	if (!nl)
		return executor_wait(r->slurm, block ? -1 : 0, c);
	for (;;) {
		ev = executor_wait(r->ex, block ? 200 : 0, c);
		if (ev != EXEC_TIMEOUT && ev != EXEC_EMPTY)
			return ev;
		ev = executor_wait(r->slurm, 0, c);
		if (!block || (ev != EXEC_TIMEOUT && ev != EXEC_EMPTY))
			return ev;
	}
}

static int
drain(struct runner *r, bool block, struct runner_counts *cnt, bool *stopped,
      struct job **done)
{
	for (;;) {
		struct exec_build *c = NULL;
		int ev = wait_any(r, block, &c);

		if (ev < 0)
			return -1;
		if (ev == EXEC_DONE) {
			*done = c->data;
			return 0;
		}
		if (ev == EXEC_WAKE) {
			char buf[64];
			int wrc;

			if (r->opt.on_wake) {
				if ((wrc = r->opt.on_wake(r->opt.wake_arg)) < 0)
					return wrc;
			} else {
				while (read(r->opt.wake_fd, buf, sizeof(buf)) >
				       0)
					;
			}
			if (r->opt.report && *r->opt.report) {
				*r->opt.report = 0;
				runner_report(r, cnt);
			}
			if (r->opt.stop && *r->opt.stop) {
				*stopped = true;
				return 0;
			}
			continue;
		}
		return 0; /* empty or timeout */
	}
}

/*
 * the next build of b to run (not skipped by sampling) prepared into
 * r->ready, unless one is ready already: done while codes run, so that a
 * freed slot only waits for the fork
 */
static int
prepare_next(struct runner *r, struct sr_build *b, size_t nb, size_t *next,
	     struct runner_counts *cnt)
{
	while (!r->ready && *next < nb && !r->env_stop) {
		struct sr_build *x = &b[(*next)++];
		int rc;

		r->seen++;
		if (r->opt.sample_every > 1 &&
		    (r->seen - 1) % r->opt.sample_every != 0)
			continue;
		/* its output made already, from the same content */
		if ((rc = runner_reuse_try(r, x, cnt)) < 0)
			return rc;
		if (rc == 1 || rc == RUNNER_ENV)
			continue;
		if ((rc = prepare_build(r, x, &r->ready, cnt)) < 0)
			return rc;
	}
	return 0;
}

/* drop a prepared build that will not run now (its log was never used) */
static void
unprepare(struct runner *r)
{
	if (r->ready) {
		if (r->ready->log_path)
			unlink(r->ready->log_path);
		runner_job_free(r, r->ready);
		r->ready = NULL;
	}
}

/*
 * the Slurm builds prepared (r->to_submit): recorded running (before
 * they are submitted: a build that is submitted is never left queued),
 * submitted together (a group job per group_max), their job ids
 * recorded; those that could not be submitted are queued again and
 * nothing more is started (env_stop).  0, or <0.
 */
static int
submit_slurm(struct runner *r, struct runner_counts *cnt, struct job **active)
{
	struct exec_build **v;
	int64_t *ids;
	const char **jids;
	size_t n = r->n_submit, k = 0, m = 0, nq = 0;
	int rc = 0, src;

	if (!n)
		return 0;
	v = xcalloc(n, sizeof(*v));
	ids = xcalloc(n, sizeof(*ids));
	jids = xcalloc(n, sizeof(*jids));
	for (size_t i = 0; i < n && !rc; i++) {
		struct job *j = r->to_submit[i];
		struct sr_start st = {.build_id = j->b->id,
				      .run_id = r->opt.run_id,
				      .supervisor_start = -1,
				      .host = r->host.buf,
				      .argv = &j->eb.args,
				      .log_path = j->log_path,
				      .work_dir = j->work_dir};

		rc = store_build_start(r->db, &st, 0, NULL);
		if (!rc)
			v[k++] = &j->eb;
	}
	src = k ? executor_submit(r->slurm, v, k) : 0;
	fault_point("build-sent");
	/* ids: the submitted from the front, the others from the back */
	for (size_t i = 0; i < k; i++) {
		struct job *j = v[i]->data;

		if (!v[i]->job_id[0]) {
			ids[n - ++nq] = j->b->id; /* not submitted */
			continue;
		}
		/* the executor's now */
		j->next_active = *active;
		*active = j;
		cnt->started++;
		ids[m] = j->b->id;
		jids[m++] = j->eb.job_id;
	}
	if (!rc && m)
		rc = store_builds_slurm(r->db, ids, jids, m);
	if (!rc && nq)
		rc = store_builds_requeue(r->db, ids + n - nq, nq);
	fault_point("build-started");
	for (size_t i = 0; i < r->n_submit; i++) {
		struct job *j = r->to_submit[i];

		if (!j->eb.job_id[0]) {
			if (j->log_path)
				unlink(j->log_path);
			runner_job_free(r, j);
		}
	}
	r->n_submit = 0;
	if (src && !rc)
		rc = runner_env_error(r, "could not submit builds to Slurm");
	free(v);
	free(ids);
	free(jids);
	return rc == RUNNER_ENV ? 0 : rc;
}

/*
 * start the next builds of b while the executor has room for them
 * (nothing once the environment refused); done as for launch_build
 */
static int
fill_slots(struct runner *r, struct sr_build *b, size_t nb, size_t *next,
	   struct job **active, struct runner_counts *cnt, struct job **done)
{
	for (;;) {
		struct job *j;
		int rc;

		if (r->env_stop || (r->opt.stop && *r->opt.stop))
			return submit_slurm(r, cnt, active);
		if ((rc = prepare_next(r, b, nb, next, cnt)))
			return rc;
		j = r->ready;
		if (j && !r->env_stop && j->ex != r->ex) {
			/* to Slurm with the others (submit_slurm) */
			r->ready = NULL;
			ALLOC_GROW(r->to_submit, r->n_submit + 1,
				   r->alloc_submit);
			r->to_submit[r->n_submit++] = j;
			continue;
		}
		if (!j || r->env_stop || !executor_has_room(r->ex, j->eb.cpus))
			return submit_slurm(r, cnt, active);
		r->ready = NULL;
		rc = launch_build(r, j, cnt, done, active);
		if (rc < 0)
			return rc;
	}
}

/*
 * a code ended (done, in *active): record its result.  A success first
 * refills its slot, so that a code runs while its output is archived,
 * and the next start commits its "recording" too; a failure is recorded
 * as runner-record.c decides; either way the executor is then told
 * (executor_ack: its supervisor may exit).  Returns 0, RUNNER_ENV (the
 * environment refused: the build stays recording or queued), or <0.
 */
static int
handle_done(struct runner *r, struct sr_build *b, size_t nb, size_t *next,
	    struct job **active, struct runner_counts *cnt, struct job *done)
{
	enum job_end end;
	int rc = 0, frc = 0;

	/* where a Slurm build ran */
	if (done->ex != r->ex && done->eb.res.node[0])
		rc = store_build_node(r->db, done->b->id, done->eb.res.node);
	if (!rc)
		rc = runner_decide(r, done, cnt, &end);
	if (!rc && end == JOB_ARCHIVE) {
		struct job *rec = done;

		runner_eta_observe(r, done->b->process_id,
				   (double)done->eb.res.wall_us / 1e6);
		if (next)
			frc = fill_slots(r, b, nb, next, active, cnt, &rec);
		/* whether or not the refill went well */
		if (rec) {
			rc = store_build_recording(r->db, done->b->id,
						   &done->outcome);
			if (!rc) {
				executor_ack(done->ex, &done->eb);
				rec = NULL;
				fault_point("build-recording");
			}
		}
		/* once it is "recording", archive it */
		if (!rc && !rec)
			rc = runner_record_output(r, done->b, done->work_dir,
						  done->foreign_dir,
						  done->provenance,
						  done->keywords,
						  done->verified, cnt);
		/*
		 * Not archived (the archive refused it, or the database is
		 * gone): its output stays in its work directory for the
		 * next run; recorded, a dead run's directory goes with the
		 * recording.
		 */
		if (rc || done->foreign_dir)
			done->keep_dir = true;
		if (frc && (!rc || rc == RUNNER_ENV))
			rc = frc;
	} else if (!rc && end == JOB_REQUEUE) {
		if (!done->eb.res.cancelled &&
		    !(rc = store_builds_requeue(r->db, &done->b->id, 1)))
			executor_ack(done->ex, &done->eb);
		/* stopped by us: queued again on the way out (stop_all) */
		if (done->eb.res.cancelled)
			return 0;
	} else if (!rc) {
		executor_ack(done->ex, &done->eb);
	}
	/* unrecorded: its supervisor keeps the result, the next run reads
	 * it, and may need what the code left in its directory */
	if (rc < 0)
		done->keep_dir = true;
	unlink_job(active, done);
	runner_job_free(r, done);
	return rc;
}

/*
 * a stop was asked for: stop what runs (through the executor), record
 * what ended meanwhile as usual, and queue the stopped builds again
 */
static int
stop_all(struct runner *r, struct job **active, struct runner_counts *cnt)
{
	int64_t *ids = NULL;
	size_t n = 0, alloc = 0;
	int rc = 0;

	(void)!executor_stop_all(r->ex);
	/*
	 * Slurm's are cancelled, and waited for (the jobs' records); when
	 * submitting and returning, they are left to a later run
	 */
	for (struct job *j = *active;
	     r->slurm && !r->opt.slurm_return && j; j = j->next_active)
		if (j->ex == r->slurm && !j->eb.done &&
		    executor_cancel(r->slurm, &j->eb))
			log_debug("could not cancel build %lld", (long long)j->b->id);
	while (r->slurm && !r->opt.slurm_return) {
		struct exec_build *d = NULL;

		if (executor_wait(r->slurm, -1, &d) != EXEC_DONE)
			break;
		/* stopped by us (or ended first) */
		if (d->cancel_asked)
			d->res.cancelled = true;
	}
	for (struct job *j = *active, *nj; j && rc >= 0; j = nj) {
		nj = j->next_active;
		if (!j->eb.done)
			continue;
		if (j->eb.res.cancelled || j->eb.res.lost) {
			ALLOC_GROW(ids, n + 1, alloc);
			ids[n++] = j->b->id;
			continue;
		}
		rc = handle_done(r, NULL, 0, NULL, active, cnt, j);
	}
	if (rc >= 0 && !(rc = runner_flush(r, cnt)) &&
	    !(rc = store_interrupt_builds(r->db, r->opt.run_id, ids, n)))
		for (struct job *j = *active; j; j = j->next_active)
			if (j->eb.res.cancelled || j->eb.res.lost)
				executor_ack(j->ex, &j->eb);
	free(ids);
	return rc;
}

/*
 * the database is gone (resident controller): stop the codes that run
 * here; their supervisor keeps the results (stopped) for whoever
 * recovers, who queues them again
 */
static void
stop_on_loss(struct runner *r)
{
	size_t n = executor_pending(r->ex);

	if (!n)
		return;
	if (executor_stop_all(r->ex))
		return; /* reported: they run on under their supervisor */
	log_warning("stopped the %zu code%s running on this host: without "
		    "the database their ends cannot be recorded, and the "
		    "processing flag may soon be another host's; they will "
		    "run again",
		    n, n == 1 ? "" : "s");
}

/*
 * free a fetched array of builds, unless an active job still points
 * into it (a Slurm build that a run that submits and returns leaves
 * running, whose end a later round or the run's last collect records):
 * then it is kept until runner_free
 */
static void
release_builds(struct runner *r, struct sr_build *b, size_t nb)
{
	uintptr_t lo = (uintptr_t)b, hi = (uintptr_t)(b + nb);

	if (!b)
		return;
	for (const struct job *j = r->active; j; j = j->next_active)
		if ((uintptr_t)j->b >= lo && (uintptr_t)j->b < hi) {
			ALLOC_GROW(r->kept, r->n_kept + 1, r->alloc_kept);
			r->kept[r->n_kept].b = b;
			r->kept[r->n_kept++].n = nb;
			return;
		}
	store_sr_builds_free(b, nb);
}

/* fetch the next ready builds; false when there are none */
static int
fetch(struct runner *r, struct sr_build **b, size_t *nb, size_t *next)
{
	int rc;

	release_builds(r, *b, *nb);
	*b = NULL;
	*nb = *next = 0;
	if ((rc = store_builds_ready(r->db, FETCH, b, nb)) ||
	    (rc = runner_prefetch_inputs(r, *b, *nb)) ||
	    (rc = runner_reuse_find(r, *b, *nb)))
		return rc;
	runner_eta_refresh(r, false);
	return 0;
}

/*
 * submitting and returning: record the Slurm builds that ended, without
 * waiting for the others (0, or <0)
 */
static int
collect_slurm(struct runner *r, struct sr_build *b, size_t nb, size_t *next,
	      struct runner_counts *cnt)
{
	struct exec_build *d = NULL;
	int rc = 0;

	while (!rc && r->slurm && r->opt.slurm_return &&
	       executor_wait(r->slurm, 0, &d) == EXEC_DONE) {
		rc = handle_done(r, b, nb, next, &r->active, cnt, d->data);
		if (rc == RUNNER_ENV)
			rc = 0; /* env_stop: start nothing, let the rest end */
	}
	return rc;
}

/* the first active job the run must not leave behind, or NULL */
static struct job *
active_local(const struct runner *r)
{
	for (struct job *j = r->active; j; j = j->next_active)
		if (j->ex == r->ex || !r->opt.slurm_return)
			return j;
	return NULL;
}

int
runner_run(struct runner *r, struct runner_counts *cnt)
{
	const struct job *left;
	struct sr_build *b = NULL;
	size_t nb = 0, next = 0;
	bool stopped = false, fetched = false;
	int rc = 0;

	fault_point("run-round");
	/* the pool may hold builds adopted from a dead run already */
	while (!rc) {
		struct job *done = NULL;

		if (r->opt.stop && *r->opt.stop) {
			stopped = true;
			break;
		}
		/* submitting and returning: the Slurm builds that ended */
		if ((rc = collect_slurm(r, b, nb, &next, cnt)))
			break;
		/* the file system refused: let what runs end, then stop */
		if (r->env_stop && !pending(r))
			break;
		if (!r->env_stop && next == nb && !r->ready &&
		    (!fetched || !pending(r))) {
			/* children of these outputs are planned next round */
			if ((rc = runner_flush(r, cnt)))
				break;
			/* a sample looks at the planned builds once */
			if (fetched && r->opt.sample_every > 0)
				break;
			if ((rc = fetch(r, &b, &nb, &next)))
				break;
			fetched = true;
			if (nb == 0 && !pending(r))
				break;
		}
		if ((rc = fill_slots(r, b, nb, &next, &r->active, cnt, NULL)))
			break;
		runner_stage(r, cnt, "run");
		runner_show_progress(r, cnt);
		if (!pending(r))
			continue;
		if ((rc = drain(r, true, cnt, &stopped, &done)) || stopped)
			break;
		if (done && (rc = handle_done(r, b, nb, &next, &r->active, cnt,
					      done)) == RUNNER_ENV)
			rc = 0; /* env_stop: start nothing, let the rest end */
	}
	if (stopped && rc >= 0 && rc != DB_ERR_CONN)
		rc = stop_all(r, &r->active, cnt);
	if (rc == DB_ERR_CONN && r->opt.stop_on_loss)
		stop_on_loss(r);
	/*
	 * Record the outputs already archived, also after an error (unless
	 * the database is what failed): they are made.
	 */
	if (rc != DB_ERR_CONN) {
		int frc = runner_flush(r, cnt);

		if (frc && !rc)
			rc = frc;
	}
	for (size_t i = 0; i < r->n_pending; i++)
		runner_pending_release(&r->pending[i]);
	r->n_pending = 0;
	unprepare(r);
	log_progress_end();
	/*
	 * Stopped: what was stopped is queued again and acknowledged.  On
	 * an error, what runs goes on under its supervisor (runner_free lets
	 * it go): the next run adopts it.
	 */
	if (stopped) {
		while (r->active) {
			struct job *j = r->active;

			r->active = j->next_active;
			runner_job_free(r, j);
		}
	}
	release_builds(r, b, nb);
	if (rc)
		return rc;
	if (stopped)
		return 1;
	left = active_local(r);
	if (left && !r->env_stop)
		BUG("a round ended with build %lld still active (%zu builds "
		    "with the executor)",
		    (long long)left->b->id, pending(r));
	return r->env_stop ? RUNNER_ENV : 0;
}

int
runner_describe_ready(struct runner *r, struct strbuf *sb, long *reused)
{
	struct sr_build *b = NULL;
	size_t nb = 0;
	int rc = store_builds_ready(r->db, 1000000, &b, &nb);

	*reused = 0;
	/* the content keys and matches a run would find (rolled back) */
	if (!rc)
		rc = runner_prefetch_inputs(r, b, nb);
	if (!rc)
		rc = runner_reuse_find(r, b, nb);
	for (size_t i = 0; !rc && i < nb; i++) {
		struct strbuf note = STRBUF_INIT;
		struct strvec argv = STRVEC_INIT;
		char *kw = NULL;
		char v[VERSION_STRLEN];

		strbuf_addf(sb, "%s %s -> %s (version %s)\n",
			    b[i].process_name, b[i].output_key,
			    b[i].output_filename ? b[i].output_filename
						 : "(RUN: no output)",
			    version_format(&b[i].out_version, v));
		rc = runner_reuse_would(r, &b[i], &note);
		if (note.len)
			strbuf_addf(sb, "  %s\n", note.buf);
		strbuf_release(&note);
		if (rc == 1) {
			(*reused)++;
			rc = 0;
			continue;
		}
		if (rc)
			break;
		rc = runner_build_argv(r, &b[i], "<workdir>", &argv, &kw);
		strbuf_addstr(sb, "  ");
		runner_join_argv(&argv, sb);
		strbuf_addch(sb, '\n');
		strvec_clear(&argv);
		free(kw);
	}
	runner_reuse_release(r);
	store_sr_builds_free(b, nb);
	return rc;
}
