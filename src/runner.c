/*
 * runner.c - planned builds -> running codes -> archived outputs (see
 * runner.h for the state machine).
 *
 * Owns the command line of a code (dbprocessing's layout), work and log
 * directories, the code checksum check, output verification and the
 * order of archive link, sync and commit.  Processes are spawn.c's; SQL
 * is store-run.c's.
 */
#include "runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "catalog.h"
#include "db.h"
#include "fault.h"
#include "identify.h"
#include "fsutil.h"
#include "log.h"
#include "period.h"
#include "sha.h"
#include "spawn.h"
#include "store-run.h"
#include "store.h"
#include "sysinfo.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

#define FETCH 256
#define TAIL_BYTES 2000

struct code_check {
	int code_id;
	int ok; /* 1 ok, 0 refused */
	char reason[512];
};

struct runner {
	struct db *db;
	const struct store_mission *m;
	struct runner_options opt;
	struct catalog cat;
	struct code_check *codes;
	size_t n_codes, alloc_codes;
	struct strbuf host;
	long seen; /* builds considered, for sample mode */
	/* outputs linked into the archive, awaiting one sync and commit */
	struct pending *pending;
	size_t n_pending, alloc_pending;
	/*
	 * Work directories are reused (emptied, not removed): creating and
	 * removing a directory per build costs more than the build itself
	 * on ext4.  free_dirs holds the empty ones; next_dir names new ones.
	 */
	struct strvec free_dirs;
	int next_dir;
	bool logs_made;
	/* the next build, prepared while codes run (see prepare_next) */
	struct job *ready;
	/* what is left, per process, for the progress line's ETA */
	struct eta_proc *eta;
	size_t n_eta;
	/* the input files of the fetched builds, sorted by id */
	struct sr_file *files;
	size_t n_files;
};

struct eta_proc {
	int process_id;
	long open;	 /* builds not finished yet */
	double hist_s;	 /* mean run time in recent history; <0: none */
	double obs_sum;	 /* run times of this run's successes */
	long obs_n;
};

struct pending {
	int64_t build_id;
	struct sr_output out;
	char *filename, *keywords, *provenance, *work_dir, *dir;
	char sha1[SHA1_HEX_LEN], sha256[SHA256_HEX_LEN];
	bool run; /* RUN: no output */
	const char *process_name;
};

#define FLUSH_AT 64

static void pending_release(struct pending *p);

struct job {
	struct sr_build *b;
	struct job *next_active; /* runner_run's list of running jobs */
	struct spawn_child child;
	int log_fd;
	char *log_path;
	char *work_dir;
	char *provenance;
	char *keywords;
	bool keep_dir; /* its output waits there for flush() */
	struct sr_outcome outcome; /* of a success, until it is recorded */
};

int
runner_new(struct db *db, const struct store_mission *m,
	   const struct runner_options *opt, struct runner **out)
{
	struct runner *r = xcalloc(1, sizeof(*r));

	*out = NULL;
	r->db = db;
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
	sysinfo_hostname(&r->host);
	if (catalog_load(db, m, &r->cat)) {
		runner_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void
runner_free(struct runner *r)
{
	if (!r)
		return;
	catalog_release(&r->cat);
	free(r->eta);
	free(r->codes);
	for (size_t i = 0; i < r->n_pending; i++)
		pending_release(&r->pending[i]);
	free(r->pending);
	/* the reused work directories are empty: remove them */
	for (size_t i = 0; i < r->free_dirs.nr; i++)
		if (rmdir(r->free_dirs.v[i]) != 0 && errno != ENOENT)
			log_warning("could not remove work directory \"%s\": "
				    "%s",
				    r->free_dirs.v[i], strerror(errno));
	strvec_clear(&r->free_dirs);
	store_sr_files_free(r->files, r->n_files);
	strbuf_release(&r->host);
	free(r);
}

/* rootdir/<relative_path with date, time, version, keywords>/<name> */
static int
file_path(const struct runner *r, int product_id, int32_t date,
	  int64_t start_usec, const struct version *v, const char *kw,
	  const char *name, struct strbuf *out)
{
	struct archive_file af = {product_id, name, true, date, start_usec,
				  *v, kw};
	struct strbuf err = STRBUF_INIT;
	int rc = 0;

	if (archive_path(r->cat.archive, &af, out, &err))
		rc = error("cannot place \"%s\" in the archive: %s", name,
			   err.buf);
	strbuf_release(&err);
	return rc;
}

/* {DATE} {ROOTDIR} {CODEDIR} {CODEVERSION}, as dbprocessing substitutes */
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
	cc->ok = 1;
	return 1;
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
		error("could not create directory \"%s\": %s", sb.buf,
		      strerror(errno));
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

/*
 * remove the work directories no build needs any more (what killed runs
 * left): all but those of builds still "recording", whose outputs wait
 * there.  We hold the processing flag, so no other controller uses them.
 */
static int
sweep_work_dirs(struct runner *r)
{
	struct strvec keep = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d;
	int rc;

	if ((rc = store_recording_dirs(r->db, &keep)))
		return rc;
	strbuf_addf(&path, "%s/.cascade/work", r->m->rootdir);
	d = opendir(path.buf);
	while (d && (de = readdir(d))) {
		size_t len = path.len;
		bool needed = false;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(&path, "/%s", de->d_name);
		/* the same directory, however its path was spelt */
		for (size_t i = 0; i < keep.nr && !needed; i++) {
			struct stat a, k;

			needed = lstat(path.buf, &a) == 0 &&
				 stat(keep.v[i], &k) == 0 &&
				 a.st_dev == k.st_dev && a.st_ino == k.st_ino;
		}
		if (!needed)
			fsutil_remove_tree(path.buf);
		strbuf_setlen(&path, len);
	}
	if (d)
		closedir(d);
	strbuf_release(&path);
	strvec_clear(&keep);
	return 0;
}

int
runner_recover(struct runner *r, struct runner_counts *counts)
{
	struct sr_left *left = NULL;
	size_t nleft = 0;
	long reset = 0, poisoned = 0, orphans = 0;
	int rc;

	/*
	 * What the dead controller's codes left behind (grandchildren: the
	 * codes themselves died with their parent) is stopped before their
	 * builds are queued again and their work directories removed, so
	 * that nothing writes there any more.
	 */
	if ((rc = store_running_builds(r->db, &left, &nleft)))
		return rc;
	for (size_t i = 0; i < nleft; i++) {
		struct strbuf id = STRBUF_INIT, mission = STRBUF_INIT;
		const char *markers[3];

		if (left[i].pid <= 0 || strcmp(left[i].hostname, r->host.buf))
			continue;
		strbuf_addf(&id, "CASCADE_BUILD_ID=%lld",
			    (long long)left[i].build_id);
		strbuf_addf(&mission, "CASCADE_MISSION=%s", r->m->name);
		markers[0] = id.buf;
		markers[1] = mission.buf;
		markers[2] = NULL;
		orphans += spawn_kill_orphans((pid_t)left[i].pid, markers);
		strbuf_release(&id);
		strbuf_release(&mission);
	}
	if (orphans)
		log_warning("killed %ld processes left running by the codes "
			    "of an interrupted run",
			    orphans);
	/*
	 * A batch is poison when controllers died on it at least three times
	 * in a row (and at least bad_after times) without finishing a build.
	 */
	rc = store_recover_builds(r->db, r->opt.run_id,
				  r->opt.bad_after > 3 ? r->opt.bad_after : 3,
				  &reset, &poisoned);
	for (size_t i = 0; !rc && i < nleft; i++)
		if (*left[i].work_dir)
			fsutil_remove_tree(left[i].work_dir);
	if (!rc)
		rc = sweep_work_dirs(r);
	if (reset)
		log_warning("%ld builds of an interrupted run will run again",
			    reset);
	if (poisoned)
		log_error("%ld batches were marked bad: the controller died "
			  "repeatedly while running them",
			  poisoned);
	counts->recovered += reset;
	store_sr_left_free(left, nleft);
	return rc;
}

static int
cmp_file_id(const void *a, const void *b)
{
	int64_t x = ((const struct sr_file *)a)->id,
		y = ((const struct sr_file *)b)->id;

	return x < y ? -1 : x > y;
}

/* load the input files of builds b[0..n) in one query */
static int
prefetch_inputs(struct runner *r, const struct sr_build *b, size_t n)
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

		if (!*keywords && f[i]->keywords[0])
			*keywords = xstrdup(f[i]->keywords);
		if (file_path(r, f[i]->product_id, f[i]->date,
			      f[i]->start_usec, &f[i]->version,
			      f[i]->keywords, f[i]->filename, &p))
			rc = -1;
		else
			strvec_push(paths, p.buf);
		strbuf_release(&p);
	}
	free(f);
	return rc;
}

/*
 * The command line, as dbprocessing builds it: code path, extra_params
 * split on '|', code arguments split on white space, input paths, output
 * path (none for RUN).
 */
static int
build_argv(struct runner *r, const struct sr_build *b, const char *work_dir,
	   struct strvec *argv, char **keywords)
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

static void
job_free(struct runner *r, struct job *j)
{
	if (!j)
		return;
	spawn_child_release(&j->child);
	if (j->work_dir && !j->keep_dir)
		give_dir(r, j->work_dir);
	if (j->log_fd >= 0)
		close(j->log_fd);
	free(j->log_path);
	free(j->work_dir);
	free(j->provenance);
	free(j->keywords);
	free(j);
}

static void
join_argv(const struct strvec *argv, struct strbuf *sb)
{
	for (size_t i = 0; i < argv->nr; i++)
		strbuf_addf(sb, "%s%s", i ? " " : "", argv->v[i]);
}

static void
log_tail(const char *path, struct strbuf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t end;
	char buf[TAIL_BYTES];
	ssize_t n;

	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	if (end > TAIL_BYTES)
		lseek(fd, end - TAIL_BYTES, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf));
	if (n > 0)
		strbuf_add(out, buf, (size_t)n);
	close(fd);
}

/* a quick failure counts towards "bad"; run.bad_within 0: none is quick */
static bool
is_quick(const struct runner *r, double wall_s)
{
	return wall_s < r->opt.bad_within_s;
}

/* record a failed attempt: retried, failed for good, or bad */
static int
fail_build(struct runner *r, const struct sr_build *b, const char *status,
	   const char *kind, const char *reason, const char *log_path,
	   const struct sr_outcome *o, bool final, struct runner_counts *cnt)
{
	struct strbuf tail = STRBUF_INIT;
	int attempts = b->attempt + 1;
	bool quick = is_quick(r, o->wall_s);
	int bad_after = r->opt.bad_after > 0 ? r->opt.bad_after : 3;
	int max = r->opt.max_attempts > 0 ? r->opt.max_attempts : 3;
	bool bad = !final && quick && b->quick_failures + 1 >= bad_after;
	bool retry = !final && !bad && attempts < max;
	int rc;

	if (log_path)
		log_tail(log_path, &tail);
	rc = store_build_failed(r->db, b->id, r->opt.run_id, status, retry,
				bad, quick, kind, reason,
				tail.len ? tail.buf : NULL, o);
	strbuf_release(&tail);
	if (rc)
		return rc;
	if (retry) {
		cnt->retried++;
		log_warning("build %lld (%s %s) failed, attempt %d of %d: %s",
			    (long long)b->id, b->process_name, b->output_key,
			    attempts, max, reason);
	} else if (bad) {
		cnt->bad++;
		log_error("build %lld (%s %s) marked bad: it failed %d times "
			  "within %d s each: %s",
			  (long long)b->id, b->process_name, b->output_key,
			  b->quick_failures + 1, r->opt.bad_within_s, reason);
		log_hint("See \"cascade failures\"; retry it with \"cascade "
			 "failures retry\" once the cause is fixed.");
	} else {
		cnt->failed++;
		log_error("build %lld (%s %s) failed: %s", (long long)b->id,
			  b->process_name, b->output_key, reason);
	}
	return 0;
}

static void
pending_release(struct pending *p)
{
	free(p->filename);
	free(p->keywords);
	free(p->provenance);
	free(p->work_dir);
	free(p->dir);
}

/*
 * flush: make the archive names of the pending outputs durable (one sync
 * per file system) and record them all in one transaction (synchronous,
 * whatever the session does), then remove their work directories.
 */
static int
flush(struct runner *r, struct runner_counts *cnt)
{
	struct strvec dirs = STRVEC_INIT;
	bool own_tx;
	int rc = 0;

	if (!r->n_pending)
		return 0;
	for (size_t i = 0; i < r->n_pending; i++) {
		bool seen = false;

		if (r->pending[i].run)
			continue;
		for (size_t k = 0; k < dirs.nr; k++)
			seen |= !strcmp(dirs.v[k], r->pending[i].dir);
		if (!seen)
			strvec_push(&dirs, r->pending[i].dir);
	}
	if (fsutil_sync_dirs(&dirs)) {
		rc = error("could not sync the archive directories (\"%s\"): "
			   "%s",
			   dirs.v[0], strerror(errno));
		goto out;
	}
	/* a sample runs inside the caller's transaction, rolled back later */
	own_tx = !db_in_transaction(r->db);
	if (own_tx && ((rc = db_begin(r->db)) ||
		       (rc = db_exec(r->db, "SET LOCAL synchronous_commit = "
					    "on"))))
		goto out;
	if (!rc) {
		struct sr_success *s = xcalloc(r->n_pending, sizeof(*s));

		for (size_t i = 0; i < r->n_pending; i++) {
			struct pending *p = &r->pending[i];

			/* pointers into the entry: the array may have moved */
			p->out.sha1 = p->sha1;
			p->out.sha256 = p->sha256;
			s[i].build_id = p->build_id;
			s[i].out = p->run ? NULL : &p->out;
		}
		rc = store_builds_succeeded(r->db, r->opt.run_id, s,
					    r->n_pending);
		free(s);
	}
	if (!rc && own_tx)
		rc = db_commit(r->db);
	if (own_tx)
		db_rollback(r->db);
	if (rc)
		goto out;
	fault_point("build-recorded");
	for (size_t i = 0; i < r->n_pending; i++) {
		struct pending *p = &r->pending[i];

		cnt->succeeded++;
		log_info("build %lld (%s) made \"%s\"", (long long)p->build_id,
			 p->process_name, p->run ? "(RUN)" : p->filename);
		/* a dead run's work directory, kept until now */
		if (p->work_dir)
			fsutil_remove_tree(p->work_dir);
	}
out:
	for (size_t i = 0; i < r->n_pending; i++)
		pending_release(&r->pending[i]);
	r->n_pending = 0;
	strvec_clear(&dirs);
	return rc;
}

/*
 * archive a recording build's output: link it into the archive (never
 * replacing a recorded file) and queue it for flush(); RUN builds have
 * nothing to link.
 */
static int
record_output(struct runner *r, const struct sr_build *b, const char *work_dir,
	      bool recovered_dir, const char *provenance, const char *keywords,
	      struct runner_counts *cnt)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT, dir = STRBUF_INIT;
	struct sr_outcome none = {0, 0, 0, 0, 0, 0, 0};
	long pi = catalog_find(&r->cat, b->output_product);
	struct pending *p;
	struct stat st;
	int fd = -1, rc = 0;
	int64_t size;

	ALLOC_GROW(r->pending, r->n_pending + 1, r->alloc_pending);
	p = &r->pending[r->n_pending];
	memset(p, 0, sizeof(*p));
	p->build_id = b->id;
	p->process_name = b->process_name;
	if (!b->output_product) {
		p->run = true;
		r->n_pending++;
		goto out;
	}
	if (r->opt.scratch_dir)
		strbuf_addf(&dst, "%s/%s", r->opt.scratch_dir,
			    b->output_filename);
	else if (file_path(r, b->output_product, b->date,
			   b->date * USEC_PER_DAY, &b->out_version, keywords,
			   b->output_filename, &dst)) {
		rc = -1;
		goto out;
	}
	strbuf_addf(&src, "%s/%s", work_dir, b->output_filename);
	fd = open(src.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && !r->opt.scratch_dir) {
		/*
		 * Recovering a recording a killed run left: its work directory
		 * may be gone, its output already linked into the archive and
		 * not recorded.  Then that is the output.
		 */
		bool recorded = true;

		if ((rc = store_file_recorded(r->db, b->output_filename,
					      &recorded)))
			goto out;
		if (!recorded) {
			strbuf_reset(&src);
			strbuf_add(&src, dst.buf, dst.len);
			fd = open(src.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		}
	}
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    sha_fd(fd, p->sha1, p->sha256, &size)) {
		struct strbuf why = STRBUF_INIT;

		strbuf_addf(&why, "its output \"%s\" is gone from \"%s\"",
			    b->output_filename, work_dir);
		rc = fail_build(r, b, "failed", "no-output", why.buf, NULL,
				&none, false, cnt);
		strbuf_release(&why);
		goto out;
	}
	fsutil_dirname(dst.buf, &dir);
	if (fault_fail("archive-mkdir") || fsutil_mkdir_p(dir.buf)) {
		rc = error("could not create directory \"%s\": %s", dir.buf,
			   strerror(errno));
		log_detail("Build %lld stays \"recording\"; the next run "
			   "archives it from \"%s\".",
			   (long long)b->id, work_dir);
		goto out;
	}
	if (r->opt.scratch_dir ? fsutil_place(src.buf, dst.buf, false) != 0
			       : link(src.buf, dst.buf) != 0) {
		struct stat t;
		bool recorded = false;
		int e = errno;

		if (e == EEXIST && stat(dst.buf, &t) == 0 &&
		    t.st_ino == st.st_ino && t.st_dev == st.st_dev)
			goto linked; /* a crash after linking: ours */
		if (e == EEXIST &&
		    (rc = store_file_recorded(r->db, b->output_filename,
					      &recorded)))
			goto out;
		if (e == EEXIST && !recorded) {
			if (unlink(dst.buf) == 0 &&
			    link(src.buf, dst.buf) == 0) {
				log_warning("replaced \"%s\", left in the "
					    "archive without a database row by "
					    "an interrupted run",
					    dst.buf);
				goto linked;
			}
			e = errno;
		}
		errno = e;
		if (!recorded) {
			/*
			 * The archive refused it (full, read-only, no
			 * permission): not the build's fault.  Stop the run;
			 * the output waits for the next one.
			 */
			rc = error("could not archive \"%s\" as \"%s\": %s",
				   src.buf, dst.buf, strerror(errno));
			log_detail("Build %lld stays \"recording\"; the next "
				   "run archives it from \"%s\".",
				   (long long)b->id, work_dir);
			goto out;
		}
		{
			struct strbuf why = STRBUF_INIT;

			strbuf_addf(&why, "could not archive \"%s\" as "
					  "\"%s\": that file is already "
					  "recorded",
				    src.buf, dst.buf);
			rc = fail_build(r, b, "failed", "archive", why.buf,
					NULL, &none, true, cnt);
			strbuf_release(&why);
			goto out;
		}
	}
linked:
	fault_point("build-linked");
	p->filename = xstrdup(b->output_filename);
	p->keywords = xstrdup(keywords ? keywords : "");
	p->provenance = xstrdup(provenance ? provenance : "");
	p->work_dir = recovered_dir ? xstrdup(work_dir) : NULL;
	p->dir = strbuf_detach(&dir, NULL);
	p->out.product_id = b->output_product;
	p->out.level = pi >= 0 ? r->cat.products[pi].level : 0;
	p->out.filename = p->filename;
	p->out.date = b->date;
	p->out.start_usec = b->date * USEC_PER_DAY;
	{
		/* its period, under its product's stop-time rule */
		enum period_timebase tb = PERIOD_DAILY;

		if (period_timebase_parse(b->timebase, &tb))
			tb = PERIOD_DAILY;
		p->out.stop_usec = period_stop_usec(
			tb, b->date,
			pi >= 0 && r->cat.products[pi].stop_time_exclusive);
	}
	p->out.version = b->out_version;
	p->out.mtime_usec = (int64_t)st.st_mtim.tv_sec * USEC_PER_SEC +
			    st.st_mtim.tv_nsec / 1000;
	p->out.size = size;
	p->out.keywords = p->keywords;
	p->out.provenance = p->provenance;
	r->n_pending++;
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&src);
	strbuf_release(&dst);
	strbuf_release(&dir);
	if (!rc && r->n_pending >= FLUSH_AT)
		rc = flush(r, cnt);
	return rc;
}

static void
outcome_of(const struct spawn_child *c, struct sr_outcome *o)
{
	o->exit_code = c->exit_code;
	o->term_signal = c->term_signal;
	o->wall_s = (double)c->wall_us / 1e6;
	o->cpu_user_s = (double)c->rusage.ru_utime.tv_sec +
			(double)c->rusage.ru_utime.tv_usec / 1e6;
	o->cpu_sys_s = (double)c->rusage.ru_stime.tv_sec +
		       (double)c->rusage.ru_stime.tv_usec / 1e6;
	o->max_rss_kb = c->rusage.ru_maxrss;
	/* it ended when it was reaped, near enough now */
	o->end_mono_ns = timeutil_mono_ns();
}

/*
 * verify_output: whether the file at path, which b's code wrote, is what
 * b was to make: identified (as ingest would identify it) as exactly
 * b's output product, with b's date and output version.  If not, why
 * says so; returns -1 only if identification itself failed (reported).
 */
static int
verify_output(struct runner *r, const struct sr_build *b, const char *path,
	      struct strbuf *why)
{
	struct identify_result id = IDENTIFY_RESULT_INIT;
	long want = catalog_find(&r->cat, b->output_product);
	char v1[VERSION_STRLEN], v2[VERSION_STRLEN], d1[DATE_STRLEN],
		d2[DATE_STRLEN];

	if (want < 0) {
		identify_result_release(&id);
		return error("build %lld: unknown output product %d",
			     (long long)b->id, b->output_product);
	}
	if (identify_file(r->cat.ids, path, b->output_filename, &id)) {
		identify_result_release(&id);
		return -1;
	}
	if (id.kind != IDENTIFY_ONE)
		strbuf_addf(why,
			    "its output \"%s\" is not recognised as a file "
			    "of product \"%s\": %s",
			    b->output_filename, r->cat.products[want].name,
			    id.reason.len ? id.reason.buf : "no product claims it");
	else if ((long)id.product != want ||
		 version_cmp(&id.version, &b->out_version) != 0 ||
		 id.date != b->date)
		strbuf_addf(why,
			    "its output \"%s\" is a file of product \"%s\" "
			    "of %s, version %s; expected product \"%s\" of "
			    "%s, version %s",
			    b->output_filename,
			    r->cat.products[id.product].name,
			    timeutil_format_date(id.date, d1),
			    version_format(&id.version, v1),
			    r->cat.products[want].name,
			    timeutil_format_date(b->date, d2),
			    version_format(&b->out_version, v2));
	identify_result_release(&id);
	return 0;
}

/*
 * a code finished: decide, and record a failure in full; for a success,
 * set *archive: the caller then marks it "recording" (record_finished:
 * from there on a killed run archives the output instead of running the
 * code again) and archives its output (record_output).
 */
static int
finished(struct runner *r, struct job *j, struct runner_counts *cnt,
	 bool *archive)
{
	const struct sr_build *b = j->b;
	struct spawn_child *c = &j->child;
	struct sr_outcome o;
	struct strbuf why = STRBUF_INIT;
	struct stat st;
	int rc = 0;

	*archive = false;
	outcome_of(c, &o);
	if (c->terminated) {
		strbuf_release(&why);
		return 0; /* stopped by us: store_interrupt_builds queues it */
	}
	if (c->timed_out || c->term_signal || c->exit_code != 0) {
		const char *status = c->timed_out ? "timed_out" : "failed";
		const char *kind = c->timed_out	    ? "timeout"
				   : c->term_signal ? "signal"
						    : "exit";

		spawn_describe(c, &why);
		rc = fail_build(r, b, status, kind, why.buf, j->log_path, &o,
				false, cnt);
		strbuf_release(&why);
		return rc;
	}
	if (b->output_product) {
		struct strbuf out = STRBUF_INIT;

		strbuf_addf(&out, "%s/%s", j->work_dir, b->output_filename);
		if (lstat(out.buf, &st) != 0 || !S_ISREG(st.st_mode)) {
			/* what did it write instead? */
			DIR *d = opendir(j->work_dir);
			struct dirent *de;
			int nother = 0;

			strbuf_addf(&why, "exited 0 but did not write \"%s\"",
				    b->output_filename);
			while (d && (de = readdir(d))) {
				if (de->d_name[0] == '.')
					continue;
				strbuf_addf(&why, "%s \"%s\"",
					    nother++ ? "," : "; it wrote",
					    de->d_name);
			}
			if (d)
				closedir(d);
			rc = fail_build(r, b, "failed",
					nother ? "wrong-output" : "no-output",
					why.buf, j->log_path, &o, false, cnt);
			strbuf_release(&out);
			strbuf_release(&why);
			return rc;
		}
		rc = verify_output(r, b, out.buf, &why);
		strbuf_release(&out);
		if (rc < 0 || why.len) {
			if (rc == 0)
				rc = fail_build(r, b, "failed", "wrong-output",
						why.buf, j->log_path, &o, false,
						cnt);
			strbuf_release(&why);
			return rc;
		}
	}
	strbuf_release(&why);
	j->outcome = o;
	*archive = true;
	return 0;
}

/*
 * prepare one build up to its start: check its code, take a work
 * directory, create its log, build its command line.  1 prepared (*out),
 * 0 not (its failure recorded), <0 error.
 */
static int
prepare_build(struct runner *r, struct sr_build *b, struct job **out,
	      struct runner_counts *cnt)
{
	struct job *j = xcalloc(1, sizeof(*j));
	struct strbuf path = STRBUF_INIT, dir = STRBUF_INIT;
	struct sr_outcome none = {0, 0, 0, 0, 0, 0, 0};
	const char *reason = NULL;
	char *kw = NULL;
	int rc, ok;

	*out = NULL;
	j->b = b;
	j->log_fd = -1;
	spawn_child_init(&j->child);
	code_path(r, b, &path);
	ok = check_code(r, b, path.buf, &reason);
	if (ok < 0) {
		rc = -1;
		goto fail;
	}
	if (!ok) {
		rc = fail_build(r, b, "failed", "code", reason, NULL, &none,
				true, cnt);
		goto fail;
	}
	j->work_dir = take_dir(r);
	if (!j->work_dir) {
		rc = -1;
		goto fail;
	}
	strbuf_addf(&dir, "%s/.cascade/logs", r->m->rootdir);
	if (!r->logs_made) {
		if (fsutil_mkdir_p(dir.buf)) {
			rc = error("could not create directory \"%s\": %s",
				   dir.buf, strerror(errno));
			goto fail;
		}
		r->logs_made = true;
	}
	strbuf_addf(&dir, "/build-%lld.%d.log", (long long)b->id,
		    b->attempt + 1);
	j->log_path = strbuf_detach(&dir, NULL);
	/* appended: a run's attempt given back after a kill keeps its log */
	j->log_fd = fault_fail("log-create")
			    ? -1
			    : open(j->log_path,
				   O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
				   0644);
	if (j->log_fd < 0) {
		rc = error("could not create log \"%s\": %s", j->log_path,
			   strerror(errno));
		goto fail;
	}
	if ((rc = build_argv(r, b, j->work_dir, &j->child.args, &kw)))
		goto fail;
	j->keywords = kw ? kw : xstrdup("");
	{
		struct strbuf p = STRBUF_INIT;

		join_argv(&j->child.args, &p);
		j->provenance = strbuf_detach(&p, NULL);
		dprintf(j->log_fd, "# cascade build %lld attempt %d on %s\n# %s\n",
			(long long)b->id, b->attempt + 1, r->host.buf,
			j->provenance);
	}
	strvec_pushf(&j->child.env_delta, "CASCADE_BUILD_ID=%lld",
		     (long long)b->id);
	strvec_pushf(&j->child.env_delta, "CASCADE_PROCESS=%s",
		     b->process_name);
	strvec_pushf(&j->child.env_delta, "CASCADE_MISSION=%s", r->m->name);
	j->child.dir = j->work_dir;
	j->child.out_fd = j->log_fd;
	j->child.timeout_ms = (b->timeout_s > 0 ? b->timeout_s
						: r->opt.code_timeout_s > 0
							  ? r->opt.code_timeout_s
							  : 3600) *
			      1000;
	j->child.kill_grace_ms = r->opt.kill_grace_s * 1000;
	j->child.weight = b->cpu > 0 ? (unsigned)b->cpu : 1;
	j->child.data = j;
	*out = j;
	strbuf_release(&path);
	return 1;
fail:
	strbuf_release(&path);
	strbuf_release(&dir);
	job_free(r, j);
	return rc < 0 ? rc : 0;
}

/*
 * start a prepared build, linking it into *active once it runs (even if
 * recording the start then fails: the caller's exit path stops and
 * reaps it); 1 started, 0 not (recorded, job freed), <0 error.  With
 * done and *done (a finished code whose success is not recorded yet),
 * its "recording" is committed with this start, in one round trip, and
 * *done cleared.
 */
static int
launch_build(struct runner *r, struct spawn_pool *pool, struct job *j,
	     struct runner_counts *cnt, struct job **done, struct job **active)
{
	const struct sr_build *b = j->b;
	const struct job *rec = done ? *done : NULL;
	struct sr_outcome none = {0, 0, 0, 0, 0, 0, 0};
	int rc;

	if (fault_fail("build-launch") || spawn_pool_start(pool, &j->child)) {
		struct strbuf why = STRBUF_INIT;

		strbuf_addf(&why, "could not start: %s",
			    j->child.exec_errno ? strerror(j->child.exec_errno)
						: "see the log");
		rc = fail_build(r, b, "failed", "exec", why.buf, NULL, &none,
				true, cnt);
		strbuf_release(&why);
		job_free(r, j);
		return rc < 0 ? rc : 0;
	}
	/* in the pool now: runner_run's exit reaps it, whatever happens */
	j->next_active = *active;
	*active = j;
	if ((rc = store_build_start(r->db, b->id, r->opt.run_id,
				    (int)j->child.pid, r->host.buf,
				    &j->child.args, j->log_path, j->work_dir,
				    rec ? rec->b->id : 0,
				    rec ? &rec->outcome : NULL))) {
		/* the child runs but we cannot say so: stop it */
		spawn_terminate(&j->child);
		return rc;
	}
	if (rec) {
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

static void eta_refresh(struct runner *r, bool force);
static void progress_text(const struct runner *r,
			  const struct spawn_pool *pool,
			  const struct runner_counts *cnt, struct strbuf *out);

/*
 * wait for the pool: a finished child is handed back in *done (not yet
 * recorded: the caller first refills the slot, then records it); a
 * SIGUSR1 is answered here; a stop request sets *stopped.
 */
static int
drain(struct runner *r, struct spawn_pool *pool, bool block,
      struct runner_counts *cnt, bool *stopped, struct job **done)
{
	for (;;) {
		struct spawn_child *c = NULL;
		int ev = spawn_pool_wait(pool, block ? -1 : 0, &c);

		if (ev < 0)
			return -1;
		if (ev == SPAWN_POOL_DONE) {
			*done = c->data;
			return 0;
		}
		if (ev == SPAWN_POOL_WAKE) {
			char buf[64];

			while (read(r->opt.wake_fd, buf, sizeof(buf)) > 0)
				;
			if (r->opt.report && *r->opt.report) {
				struct strbuf sb = STRBUF_INIT;

				*r->opt.report = 0;
				eta_refresh(r, true);
				progress_text(r, pool, cnt, &sb);
				log_warning("running %u of %u slots; %ld builds "
					    "started; %s",
					    pool->used, pool->capacity,
					    cnt->started, sb.buf);
				strbuf_release(&sb);
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

/* -- progress ------------------------------------------------------------ */

/*
 * reload the open builds per process (a new round was planned, or the
 * ETA is asked for): only when a progress line is shown, unless forced
 */
static void
eta_refresh(struct runner *r, bool force)
{
	struct sr_outlook *o = NULL;
	size_t n = 0;
	struct eta_proc *e;

	if ((!force && !log_progress_enabled()) ||
	    store_run_outlook(r->db, &o, &n))
		return; /* no ETA is no reason to stop */
	/* the processes seen so far stay, for this run's means */
	e = xcalloc(n + r->n_eta + 1, sizeof(*e));
	for (size_t k = 0; k < r->n_eta; k++) {
		e[k] = r->eta[k];
		e[k].open = 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		while (k < r->n_eta && e[k].process_id != o[i].process_id)
			k++;
		if (k == r->n_eta)
			k = r->n_eta + i;
		e[k].process_id = o[i].process_id;
		e[k].open = o[i].open;
		e[k].hist_s = o[i].mean_s;
	}
	free(r->eta);
	free(o);
	r->eta = e;
	n += r->n_eta;
	r->n_eta = 0;
	for (size_t k = 0; k < n; k++)	/* drop the unused places */
		if (e[k].process_id)
			e[r->n_eta++] = e[k];
}

/* a build of process_id finished (ok: succeeded in wall_s seconds) */
static void
eta_done(struct runner *r, int process_id, bool ok, double wall_s)
{
	for (size_t k = 0; k < r->n_eta; k++)
		if (r->eta[k].process_id == process_id) {
			if (r->eta[k].open > 0)
				r->eta[k].open--;
			if (ok) {
				r->eta[k].obs_sum += wall_s;
				r->eta[k].obs_n++;
			}
		}
}

/*
 * The progress line: builds done, failed, running and still planned,
 * and an ETA for the planned ones from each process's mean run time
 * (its recent history, else what this run has seen of it, else this
 * run's mean over all processes) spread over the slots.  Builds that
 * this round's outputs will queue are not known yet.
 */
static void
progress_text(const struct runner *r, const struct spawn_pool *pool,
	      const struct runner_counts *cnt, struct strbuf *out)
{
	double all_sum = 0, left_s = 0;
	long all_n = 0, open = 0;
	bool known = true;
	char eta[DURATION_STRLEN];

	for (size_t k = 0; k < r->n_eta; k++) {
		all_sum += r->eta[k].obs_sum;
		all_n += r->eta[k].obs_n;
	}
	for (size_t k = 0; k < r->n_eta; k++) {
		const struct eta_proc *e = &r->eta[k];
		double mean = e->hist_s >= 0 ? e->hist_s
			      : e->obs_n     ? e->obs_sum / (double)e->obs_n
			      : all_n	     ? all_sum / (double)all_n
					     : -1;

		open += e->open;
		if (e->open && mean < 0)
			known = false;
		else if (e->open)
			left_s += (double)e->open * mean;
	}
	strbuf_addf(out,
		    "%ld built, %ld failed, %u running, %ld to go, ETA %s",
		    cnt->succeeded, cnt->failed + cnt->bad, pool->used, open,
		    timeutil_format_duration(
			    known ? left_s / (pool->capacity ? pool->capacity
							     : 1)
				  : -1,
			    eta));
}

static void
show_progress(struct runner *r, const struct spawn_pool *pool,
	      const struct runner_counts *cnt, bool now)
{
	struct strbuf sb = STRBUF_INIT;

	if (!log_progress_enabled())
		return;
	progress_text(r, pool, cnt, &sb);
	log_progress(now, "process: %s", sb.buf);
	strbuf_release(&sb);
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
	while (!r->ready && *next < nb) {
		struct sr_build *x = &b[(*next)++];
		int rc;

		r->seen++;
		if (r->opt.sample_every > 1 &&
		    (r->seen - 1) % r->opt.sample_every != 0)
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
		job_free(r, r->ready);
		r->ready = NULL;
	}
}

/*
 * start the next builds of b while the pool has room for them; done as
 * for launch_build
 */
static int
fill_slots(struct runner *r, struct spawn_pool *pool, struct sr_build *b,
	   size_t nb, size_t *next, struct job **active,
	   struct runner_counts *cnt, struct job **done)
{
	for (;;) {
		struct job *j;
		int rc;

		if ((rc = prepare_next(r, b, nb, next, cnt)))
			return rc;
		j = r->ready;
		if (!j || !spawn_pool_has_room(pool, j->child.weight))
			return 0;
		r->ready = NULL;
		rc = launch_build(r, pool, j, cnt, done, active);
		if (rc < 0)
			return rc;
	}
}

int
runner_run(struct runner *r, struct runner_counts *cnt)
{
	struct spawn_pool pool = SPAWN_POOL_INIT;
	struct sr_build *b = NULL;
	struct job *active = NULL;
	size_t nb = 0, next = 0;
	bool stopped = false, fetched = false;
	int rc = 0;

	spawn_pool_init(&pool, r->opt.slots > 0 ? (unsigned)r->opt.slots : 1);
	pool.wake_fd = r->opt.wake_fd;
	for (;;) {
		struct job *done = NULL;

		if (r->opt.stop && *r->opt.stop) {
			stopped = true;
			break;
		}
		if (next == nb && !r->ready && pool.used == 0) {
			/* children of these outputs are planned next round */
			if ((rc = flush(r, cnt)))
				break;
			store_sr_builds_free(b, nb);
			b = NULL;
			nb = next = 0;
			/* a sample looks at the planned builds once */
			if (fetched && r->opt.sample_every > 0)
				break;
			if ((rc = store_builds_ready(r->db, FETCH, &b, &nb)) ||
			    (rc = prefetch_inputs(r, b, nb)))
				break;
			fetched = true;
			if (nb == 0)
				break;
			eta_refresh(r, false);
		}
		/* finish recordings a killed run left, before anything else */
		while (next < nb && !strcmp(b[next].status, "recording")) {
			const char *wd = b[next].work_dir ? b[next].work_dir
							  : "";
			struct strbuf prov = STRBUF_INIT;

			log_warning("finishing the recording of build %lld "
				    "(%s %s), interrupted earlier",
				    (long long)b[next].id,
				    b[next].process_name, b[next].output_key);
			strbuf_addstr(&prov, "(recovered)");
			rc = record_output(r, &b[next], wd, true, prov.buf, "",
					   cnt);
			strbuf_release(&prov);
			next++;
			if (rc)
				goto out;
			/* commit what a dead run left before anything new */
			if ((next == nb || strcmp(b[next].status, "recording")) &&
			    (rc = flush(r, cnt)))
				goto out;
		}
		if ((rc = fill_slots(r, &pool, b, nb, &next, &active, cnt,
				      NULL)))
			goto out;
		show_progress(r, &pool, cnt, false);
		if (pool.used == 0)
			continue;
		if ((rc = drain(r, &pool, true, cnt, &stopped, &done)) ||
		    stopped)
			break;
		if (done) {
			bool archive = false;

			rc = finished(r, done, cnt, &archive);
			eta_done(r, done->b->process_id, archive,
				 (double)done->child.wall_us / 1e6);
			if (!rc && archive) {
				struct job *rec = done;
				int frc = 0;

				/*
				 * Refill its slot first, so that a code runs
				 * while its output is archived; the next
				 * start commits its "recording" too.
				 */
				if (!(r->opt.stop && *r->opt.stop))
					frc = fill_slots(r, &pool, b, nb,
							 &next, &active, cnt,
							 &rec);
				/* whether or not the refill went well */
				if (rec) {
					rc = store_build_recording(
						r->db, done->b->id,
						&done->outcome);
					if (!rc) {
						rec = NULL;
						fault_point("build-recording");
					}
				}
				/* once it is "recording", archive it */
				if (!rc && !rec)
					rc = record_output(r, done->b,
							   done->work_dir,
							   false,
							   done->provenance,
							   done->keywords, cnt);
				/*
				 * Not archived (the archive refused it, or
				 * the database is gone): its output stays
				 * in its work directory for the next run.
				 */
				if (rc && !rec)
					done->keep_dir = true;
				if (frc)
					rc = frc;
			}
			unlink_job(&active, done);
			job_free(r, done);
			done = NULL;
			if (rc)
				break;
		}
	}
out:
	/*
	 * Record the outputs already archived, also after an error (unless
	 * the database is what failed): they are made.
	 */
	if (rc != DB_ERR_CONN) {
		int frc = flush(r, cnt);

		if (frc && !rc)
			rc = frc;
	}
	for (size_t i = 0; i < r->n_pending; i++)
		pending_release(&r->pending[i]);
	r->n_pending = 0;
	if (stopped || rc) {
		/* stop what runs; its builds go back to the queue */
		if (pool.used)
			(void)spawn_kill_all(&pool);
		if (store_interrupt_builds(r->db, r->opt.run_id) && !rc)
			rc = -1;
	}
	unprepare(r);
	log_progress_end();
	spawn_pool_release(&pool);
	while (active) {
		struct job *j = active;

		active = j->next_active;
		job_free(r, j);
	}
	store_sr_builds_free(b, nb);
	if (rc)
		return rc;
	return stopped ? 1 : 0;
}

int
runner_describe_ready(struct runner *r, struct strbuf *sb)
{
	struct sr_build *b = NULL;
	size_t nb = 0;
	int rc = store_builds_ready(r->db, 1000000, &b, &nb);

	if (!rc)
		rc = prefetch_inputs(r, b, nb);
	for (size_t i = 0; !rc && i < nb; i++) {
		struct strvec argv = STRVEC_INIT;
		char *kw = NULL;
		char v[VERSION_STRLEN];

		rc = build_argv(r, &b[i], "<workdir>", &argv, &kw);
		strbuf_addf(sb, "%s %s -> %s (version %s)\n  ",
			    b[i].process_name, b[i].output_key,
			    b[i].output_filename ? b[i].output_filename
						 : "(RUN: no output)",
			    version_format(&b[i].out_version, v));
		join_argv(&argv, sb);
		strbuf_addch(sb, '\n');
		strvec_clear(&argv);
		free(kw);
	}
	store_sr_builds_free(b, nb);
	return rc;
}
