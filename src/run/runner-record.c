/*
 * runner-record.c - what becomes of a code that ended: its result
 * decided (success only with its output verified; failures retried,
 * final, or bad; what the environment did requeued, not counted), then
 * recorded, and a success's output archived (see runner.h for the state
 * machine, runner-int.h for the files).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "archive.h"
#include "db.h"
#include "fault.h"
#include "fsutil.h"
#include "identify.h"
#include "log.h"
#include "period.h"
#include "place.h"
#include "runner-int.h"
#include "runner-rules.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

#define FLUSH_AT 64
#define TAIL_BYTES 2000

/* -- the environment ------------------------------------------------------ */

bool
runner_env_errno(int e)
{
	return place_env_errno(e);
}

int
runner_env_error(struct runner *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	log_error("%s", sb.buf);
	if (!r->env_stop)
		log_hint("Nothing more is started in this run; what is "
			 "queued waits, and runs once the cause is fixed.");
	strbuf_release(&sb);
	r->env_stop = true;
	return RUNNER_ENV;
}

/*
 * Whether the file system holding path is full (less than 1 MiB or no
 * inode left for us) or read-only: a code that fails there, or writes
 * an output there that may be cut short, is not judged by it.  Into why.
 */
static bool
fs_refuses(const char *path, struct strbuf *why)
{
	struct statvfs v;
	bool root = geteuid() == 0;
	unsigned long long avail;

	if (!path || statvfs(path, &v) != 0)
		return false;
	avail = (unsigned long long)(root ? v.f_bfree : v.f_bavail) *
		v.f_frsize;
	if (v.f_flag & ST_RDONLY)
		strbuf_addf(why, "the file system of \"%s\" is read-only",
			    path);
	else if (avail < 1024 * 1024)
		strbuf_addf(why, "the file system of \"%s\" is full (%llu "
				 "bytes free)",
			    path, avail);
	else if (v.f_files && !(root ? v.f_ffree : v.f_favail))
		strbuf_addf(why, "the file system of \"%s\" has no free "
				 "inodes",
			    path);
	return why->len > 0;
}

/*
 * why j ended as it did may be the environment's: its log could not be
 * written, or its work or log directory's file system refuses writes
 */
static bool
env_caused(struct runner *r, const struct job *j, struct strbuf *why)
{
	const struct exec_result *c = &j->eb.res;
	struct strbuf logdir = STRBUF_INIT;
	bool env;

	if (c->out_errno && runner_env_errno(c->out_errno)) {
		strbuf_addf(why, "its log \"%s\" could not be written: %s",
			    j->log_path, strerror(c->out_errno));
		return true;
	}
	if (r->opt.scratch_dir)
		return false;
	fsutil_dirname(j->log_path ? j->log_path : "", &logdir);
	env = fs_refuses(j->work_dir, why) ||
	      (j->log_path && fs_refuses(logdir.buf, why));
	strbuf_release(&logdir);
	return env;
}

/* a code could not be started for want of resources, not by its fault */
static bool
start_env(const struct exec_result *c, struct strbuf *why)
{
	int e = c->exec_errno;

	if (!c->start_failed || (e != EMFILE && e != ENFILE && e != EAGAIN &&
				 e != ENOMEM && e != ENOSPC))
		return false;
	strbuf_addf(why, "the system refused to start it (%s)", strerror(e));
	return true;
}

/* -- failures ------------------------------------------------------------- */

int
runner_fail_build(struct runner *r, const struct sr_build *b,
		  enum build_state status, const char *kind, const char *reason,
		  const char *tail, const struct sr_outcome *o, bool final,
		  struct runner_counts *cnt)
{
	struct runner_retry policy = {
		.max_attempts = r->opt.max_attempts,
		.bad_after = r->opt.bad_after,
		.bad_within_s = r->opt.bad_within_s,
	};
	struct runner_failure f = runner_failure_rule(
		&policy, b->attempt, b->quick_failures, o->wall_s, final);
	int rc;

	if (tail && strlen(tail) > TAIL_BYTES)
		tail += strlen(tail) - TAIL_BYTES;
	rc = store_build_failed(r->db, b->id, r->opt.run_id, status, f.retry,
				f.bad, f.quick, kind, reason,
				tail && *tail ? tail : NULL, o);
	if (rc)
		return rc;
	/* failed for good: no longer open (a retry stays to go) */
	if (!f.retry)
		runner_eta_ended(r, b->process_id);
	if (f.retry) {
		cnt->retried++;
		log_warning("build %lld (%s %s) failed, attempt %d of %d: %s",
			    (long long)b->id, b->process_name, b->output_key,
			    f.attempts, f.max_attempts, reason);
	} else if (f.bad) {
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

/* -- deciding ------------------------------------------------------------- */

static void
outcome_of(const struct exec_result *c, struct sr_outcome *o)
{
	o->pid = c->pid;
	o->exit_code = c->start_failed || c->lost ? -1 : c->exit_code;
	o->term_signal = c->term_signal;
	o->wall_s = (double)c->wall_us / 1e6;
	o->cpu_user_s = (double)(c->cpu_user_us / 1000000) +
			(double)(c->cpu_user_us % 1000000) / 1e6;
	o->cpu_sys_s = (double)(c->cpu_sys_us / 1000000) +
		       (double)(c->cpu_sys_us % 1000000) / 1e6;
	o->max_rss_kb = c->maxrss_kb > 0 ? c->maxrss_kb : 0;
	o->ended_at_us = c->ended_at_us;
}

/*
 * verify_output: whether the file at path, which b's code wrote, is what
 * b was to make: identified (as ingest would identify it) as exactly
 * b's output product, with b's date and output version.  If not, why
 * says so; returns -1 only if identification itself failed (reported).
 */
static int
verify_output(struct runner *r, const struct sr_build *b, const char *path,
	      struct identify_result *res, struct strbuf *why)
{
	struct identify_result id = IDENTIFY_RESULT_INIT;
	long want = catalog_product_index(r->cat, b->output_product);
	char v1[VERSION_STRLEN], v2[VERSION_STRLEN], d1[DATE_STRLEN],
		d2[DATE_STRLEN];

	if (want < 0) {
		identify_result_release(&id);
		return error("build %lld: unknown output product %d",
			     (long long)b->id, b->output_product);
	}
	if (identify_file(r->ids, path, b->output_filename, &id)) {
		identify_result_release(&id);
		return -1;
	}
	if (id.kind != IDENTIFY_ONE)
		strbuf_addf(why,
			    "its output \"%s\" is not recognised as a file "
			    "of product \"%s\": %s",
			    b->output_filename, r->cat->products[want].name,
			    id.reason.len ? id.reason.buf : "no product claims it");
	else if (b->timebase == TIMEBASE_ORBIT && id.has_orbit &&
		 id.orbit != b->period_number)
		strbuf_addf(why,
			    "its output \"%s\" is a file of orbit %lld; "
			    "expected orbit %lld",
			    b->output_filename, (long long)id.orbit,
			    (long long)b->period_number);
	else if ((long)id.product != want ||
		 (!id.versionless &&
		  version_cmp(&id.version, &b->out_version) != 0) ||
		 id.date != b->date)
		strbuf_addf(why,
			    "its output \"%s\" is a file of product \"%s\" "
			    "of %s, version %s; expected product \"%s\" of "
			    "%s, version %s",
			    b->output_filename,
			    r->cat->products[id.product].name,
			    timeutil_format_date(id.date, d1),
			    id.versionless ? "given by its build"
					   : version_format(&id.version, v1),
			    r->cat->products[want].name,
			    timeutil_format_date(b->date, d2),
			    version_format(&b->out_version, v2));
	else {
		/* kept for the recording (an inspector's span, keywords) */
		*res = id;
		return 0;
	}
	identify_result_release(&id);
	return 0;
}


/*
 * exit 0: its output must be there, and be what the build was to make;
 * if not, *kind and why say so.  -1 only if identification failed.
 */
static int
check_output(struct runner *r, struct job *j, const char **kind,
	     struct strbuf *why)
{
	const struct sr_build *b = j->b;
	struct strbuf out = STRBUF_INIT;
	struct stat st;
	int rc = 0;

	*kind = NULL;
	if (!b->output_product)
		return 0;
	if (!j->work_dir) {
		strbuf_addstr(why, "exited 0, but where it ran is not known");
		*kind = "no-output";
		return 0;
	}
	strbuf_addf(&out, "%s/%s", j->work_dir, b->output_filename);
	if (lstat(out.buf, &st) != 0 || !S_ISREG(st.st_mode)) {
		/* what did it write instead? */
		DIR *d = opendir(j->work_dir);
		struct dirent *de;
		int nother = 0;

		strbuf_addf(why, "exited 0 but did not write \"%s\"",
			    b->output_filename);
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			strbuf_addf(why, "%s \"%s\"",
				    nother++ ? "," : "; it wrote", de->d_name);
		}
		if (d)
			closedir(d);
		*kind = nother ? "wrong-output" : "no-output";
	} else {
		struct identify_result id = IDENTIFY_RESULT_INIT;

		rc = verify_output(r, b, out.buf, &id, why);
		if (!rc && why->len)
			*kind = "wrong-output";
		else if (!rc && id.kind == IDENTIFY_ONE) {
			j->verified = xmalloc(sizeof(*j->verified));
			*j->verified = id;
		}
	}
	strbuf_release(&out);
	return rc;
}

int
runner_decide(struct runner *r, struct job *j, struct runner_counts *cnt,
	      enum job_end *end)
{
	const struct sr_build *b = j->b;
	const struct exec_result *c = &j->eb.res;
	struct strbuf why = STRBUF_INIT, env = STRBUF_INIT;
	const struct runner_end e = {
		/* a Slurm job is stopped by us only if we asked */
		.terminated = c->cancelled &&
			      (j->ex == r->ex || j->eb.cancel_asked),
		.cancelled = c->cancelled,
		.start_failed = c->start_failed,
		.lost = c->lost || c->node_failed,
		.timed_out = c->timed_out,
		.oom = c->oom,
		.term_signal = c->term_signal,
		.exit_code = c->exit_code,
	};
	const struct runner_verdict v = runner_judge_end(&e);
	const char *kind = v.kind;
	int rc = 0;

	outcome_of(c, &j->outcome);
	*end = JOB_RECORDED;
	if (v.judgement == RUNNER_REQUEUE) {
		*end = JOB_REQUEUE; /* stopped by us */
		goto out;
	}
	if (c->start_failed) {
		strbuf_addf(&why, "could not be started: %s",
			    c->exec_errno ? strerror(c->exec_errno)
					  : "see the log");
	} else if (v.judgement == RUNNER_FAILED) {
		exec_describe(&j->eb, &why);
	} else if ((rc = check_output(r, j, &kind, &why)) < 0) {
		goto out;
	}
	if (!kind) {
		*end = JOB_ARCHIVE;
	} else if (!c->lost && (start_env(c, &env) || env_caused(r, j, &env))) {
		/* what it did there proves nothing: it runs again later */
		*end = JOB_REQUEUE;
		runner_env_error(r, "build %lld (%s %s) %s while %s: it is "
				    "queued again, not counted as its failure",
				 (long long)b->id, b->process_name,
				 b->output_key, why.buf, env.buf);
	} else {
		rc = runner_fail_build(r, b, v.status, kind, why.buf,
				       c->tail.buf, &j->outcome, v.final, cnt);
	}
out:
	strbuf_release(&why);
	strbuf_release(&env);
	return rc;
}

/* -- recording and archiving ---------------------------------------------- */

void
runner_pending_release(struct pending *p)
{
	free(p->filename);
	free(p->keywords);
	free(p->provenance);
	free(p->work_dir);
}

/*
 * The runner's instants, as the crash tests name them.  An output's
 * journal is its build's "recording" state, committed before it is
 * linked; a sample's scratch directory has no fault points.
 */
static const struct place_points archive_points = {
	.mkdir_fail = "archive-mkdir",
	.link_fail = "archive-link",
	.placed = "build-linked",
	.sync_fail = "archive-sync",
	.committed = "build-recorded",
};
static const struct place_points scratch_points = {
	.mkdir_fail = "archive-mkdir",
	.placed = "build-linked",
	.sync_fail = "archive-sync",
	.committed = "build-recorded",
};

void
runner_placed_init(struct runner *r)
{
	place_batch_init(&r->placed, r->opt.scratch_dir ? &scratch_points
							 : &archive_points);
	place_batch_journaled(&r->placed);
}

struct flush_arg {
	struct runner *r;
	bool own_tx;
};

/* the group's record: every pending build's outcome, one statement */
static int
flush_record(void *arg)
{
	struct flush_arg *a = arg;
	struct runner *r = a->r;
	struct sr_success *s;
	int rc;

	if (a->own_tx && ((rc = db_begin(r->db)) ||
			  (rc = db_exec(r->db, "SET LOCAL synchronous_commit "
					       "= on"))))
		return rc;
	s = xcalloc(r->n_pending, sizeof(*s));
	for (size_t i = 0; i < r->n_pending; i++) {
		struct pending *p = &r->pending[i];

		/* pointers into the entry: the array may have moved */
		p->out.sha1 = p->sha1;
		p->out.sha256 = p->sha256;
		s[i].build_id = p->build_id;
		s[i].out = p->run ? NULL : &p->out;
	}
	rc = store_builds_succeeded(r->db, r->opt.run_id, s, r->n_pending);
	free(s);
	return rc;
}

static int
flush_commit(void *arg)
{
	struct flush_arg *a = arg;

	return a->own_tx ? db_commit(a->r->db) : 0;
}

/*
 * flush: make the archive names of the pending outputs durable (one sync
 * per file system) and record them all in one transaction (synchronous,
 * whatever the session does), then remove their work directories.
 */
int
runner_flush(struct runner *r, struct runner_counts *cnt)
{
	/* a sample runs inside the caller's transaction, rolled back later */
	struct flush_arg arg = {r, !db_in_transaction(r->db)};
	bool synced;
	int rc = 0;

	if (!r->n_pending)
		return 0;
	runner_stage(r, cnt, "record");
	rc = place_batch_commit(&r->placed, flush_record, flush_commit, &arg,
				&synced);
	if (arg.own_tx)
		db_rollback(r->db);
	if (rc && !synced)
		rc = runner_env_error(r, "could not sync the archive "
					 "directories (\"%s\"): %s",
				      r->placed.dirs.nr ? r->placed.dirs.v[0]
							: r->m->rootdir,
				      strerror(errno));
	if (rc) {
		/* the builds stay recording; the next run records them */
		place_batch_release(&r->placed);
		runner_placed_init(r);
		goto out;
	}
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
		runner_pending_release(&r->pending[i]);
	r->n_pending = 0;
	return rc;
}

/* the end of an output's period, under its product's stop-time rule */
static int64_t
output_stop_usec(const struct runner *r, const struct sr_build *b, long pi)
{
	bool exclusive = pi >= 0 && r->cat->products[pi].stop_time_exclusive;

	if (timebase_numbered(b->timebase) && b->period_stop > b->period_start)
		return b->period_stop - (exclusive ? 0 : 1);
	return period_stop_usec(b->timebase, b->date, exclusive);
}

/*
 * the output to archive, open: in the work directory, or, recording what
 * a killed run left, already linked into the archive (dst) without a
 * row.  *fd -1 if it is gone.
 */
static int
open_output(struct runner *r, const struct sr_build *b, const char *work_dir,
	    const struct strbuf *dst, struct strbuf *src, int *fd)
{
	bool recorded = true;
	int rc;

	strbuf_addf(src, "%s/%s", work_dir, b->output_filename);
	*fd = open(src->buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd >= 0 || errno != ENOENT || r->opt.scratch_dir)
		return 0;
	if ((rc = store_file_recorded(r->db, b->output_filename, &recorded)))
		return rc;
	if (!recorded) {
		strbuf_reset(src);
		strbuf_add(src, dst->buf, dst->len);
		*fd = open(src->buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	return 0;
}

/*
 * place src as dst (place.h), never replacing a recorded file (an
 * unrecorded one a dead run left is replaced).  0 placed; 1 the name
 * belongs to a recorded file; RUNNER_ENV the archive refused (reported);
 * <0 error.
 */
static int
link_output(struct runner *r, const struct sr_build *b, const char *src,
	    const char *dst, const char *work_dir)
{
	struct place_req req = {.source = src, .target = dst};
	enum place_outcome o = place_batch_add(&r->placed, &req);
	bool recorded = false;
	int rc;

	if (o == PLACE_TAKEN &&
	    (rc = store_file_recorded(r->db, b->output_filename, &recorded)))
		return rc;
	if (o == PLACE_TAKEN && recorded)
		return 1;
	if (o == PLACE_TAKEN) {
		req.flags = PLACE_REPLACE;
		if ((o = place_batch_add(&r->placed, &req)) == PLACE_PLACED)
			log_warning("replaced \"%s\", left in the archive "
				    "without a database row by an interrupted "
				    "run",
				    dst);
	}
	/* same inode: a crash after linking, ours */
	if (o == PLACE_PLACED || o == PLACE_SAME)
		return 0;
	/* not the build's fault: the output waits for the next run */
	if (req.in_dir) {
		struct strbuf dir = STRBUF_INIT;

		fsutil_dirname(dst, &dir);
		rc = runner_env_error(r, "could not create directory \"%s\": "
					 "%s",
				      dir.buf, strerror(req.err));
		strbuf_release(&dir);
	} else {
		rc = runner_env_error(r, "could not archive \"%s\" as \"%s\": "
					 "%s",
				      src, dst, strerror(req.err));
	}
	log_detail("Build %lld stays \"recording\"; the next run archives "
		   "it from \"%s\".",
		   (long long)b->id, work_dir);
	return rc;
}

/*
 * Where the output product has an inspector, the output's time span and
 * process keywords are the inspector's, as dbprocessing records them
 * (its date and version were checked against the build's when the code
 * ended).  Without one, or where the inspector no longer claims the file
 * (said, not silent), they are the build's.  1 if *id holds them.
 */
static int
inspected(struct runner *r, const struct sr_build *b, long pi,
	  const char *path, const struct identify_result *verified,
	  struct identify_result *id)
{
	const struct inspector *in =
		pi >= 0 ? &r->cat->products[pi].inspector : NULL;

	if (!in || !in->active || !(in->executable || in->module))
		return 0;
	/* as its inspector said when the code ended: not asked twice */
	if (verified && verified->kind == IDENTIFY_ONE &&
	    (long)verified->product == pi) {
		id->kind = verified->kind;
		id->start_usec = verified->start_usec;
		id->stop_usec = verified->stop_usec;
		strbuf_add(&id->keywords, verified->keywords.buf,
			   verified->keywords.len);
		return 1;
	}
	if (identify_file(r->ids, path, b->output_filename, id))
		return 0;
	if (id->kind == IDENTIFY_ONE && (long)id->product == pi)
		return 1;
	log_warning("build %lld: the inspector of product \"%s\" no longer "
		    "claims its output \"%s\"%s%s: it is recorded with the "
		    "build's times and keywords",
		    (long long)b->id, r->cat->products[pi].name,
		    b->output_filename, id->reason.len ? ": " : "",
		    id->reason.buf);
	return 0;
}

/* what flush() records of an archived output */
static void
pending_fill(struct runner *r, struct pending *p, const struct sr_build *b,
	     const char *keywords, const char *provenance,
	     const struct identify_result *verified, const struct stat *st,
	     int64_t size, const char *path)
{
	long pi = catalog_product_index(r->cat, b->output_product);
	struct identify_result id = IDENTIFY_RESULT_INIT;
	bool meta = inspected(r, b, pi, path, verified, &id);

	p->filename = xstrdup(b->output_filename);
	p->keywords = xstrdup(meta ? id.keywords.buf : keywords ? keywords : "");
	p->provenance = xstrdup(provenance ? provenance : "");
	p->out.product_id = b->output_product;
	p->out.level = pi >= 0 ? r->cat->products[pi].level : 0;
	p->out.filename = p->filename;
	p->out.date = b->date;
	p->out.start_usec = meta ? id.start_usec : runner_output_start(b);
	p->out.stop_usec = meta ? id.stop_usec : output_stop_usec(r, b, pi);
	p->out.version = b->out_version;
	p->out.mtime_usec = (int64_t)st->st_mtim.tv_sec * USEC_PER_SEC +
			    st->st_mtim.tv_nsec / 1000;
	p->out.size = size;
	p->out.keywords = p->keywords;
	p->out.provenance = p->provenance;
	identify_result_release(&id);
}

/*
 * archive a recording build's output: link it into the archive (never
 * replacing a recorded file) and queue it for runner_flush(); RUN builds
 * have nothing to link.  With remove_dir (a dead run's directory, which
 * no other build uses), work_dir is removed once recorded.  RUNNER_ENV
 * if the archive refused it (the build stays recording, its output where
 * it is).
 */
int
runner_record_output(struct runner *r, const struct sr_build *b,
		     const char *work_dir, bool remove_dir,
		     const char *provenance, const char *keywords,
		     const struct identify_result *verified,
		     struct runner_counts *cnt)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT;
	struct sr_outcome none = {.exit_code = -1};
	struct pending p = {.build_id = b->id, .process_name = b->process_name};
	struct stat st;
	int fd = -1, rc = 0;
	int64_t size;

	if (!b->output_product) {
		p.run = true;
		goto queue;
	}
	if (r->opt.scratch_dir)
		strbuf_addf(&dst, "%s/%s", r->opt.scratch_dir,
			    b->output_filename);
	else if (runner_file_path(r, b->output_product, b->date,
				  runner_output_start(b), &b->out_version,
				  keywords, b->output_filename, &dst)) {
		rc = -1;
		goto out;
	}
	if ((rc = open_output(r, b, work_dir, &dst, &src, &fd)))
		goto out;
	/* its code has ended: its size is what there is to read */
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    sha_fd_upto(fd, (int64_t)st.st_size, p.sha1, p.sha256, &size)) {
		struct strbuf why = STRBUF_INIT;

		strbuf_addf(&why, "its output \"%s\" is gone from \"%s\"",
			    b->output_filename, work_dir);
		rc = runner_fail_build(r, b, BUILD_STATE_FAILED, "no-output", why.buf,
				       NULL, &none, false, cnt);
		strbuf_release(&why);
		goto out;
	}
	rc = link_output(r, b, src.buf, dst.buf, work_dir);
	if (rc == 1) {
		struct strbuf why = STRBUF_INIT;

		strbuf_addf(&why, "could not archive \"%s\" as \"%s\": that "
				  "file is already recorded",
			    src.buf, dst.buf);
		rc = runner_fail_build(r, b, BUILD_STATE_FAILED, "archive", why.buf, NULL,
				       &none, true, cnt);
		strbuf_release(&why);
		goto out;
	}
	if (rc)
		goto out;
	pending_fill(r, &p, b, keywords, provenance, verified, &st, size,
		     dst.buf);
queue:
	p.work_dir = remove_dir && work_dir ? xstrdup(work_dir) : NULL;
	ALLOC_GROW(r->pending, r->n_pending + 1, r->alloc_pending);
	/* built: counted from now on (runner_figures), no longer open */
	r->pending[r->n_pending++] = p;
	runner_eta_ended(r, b->process_id);
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&src);
	strbuf_release(&dst);
	if (!rc && r->n_pending >= FLUSH_AT)
		rc = runner_flush(r, cnt);
	return rc;
}
