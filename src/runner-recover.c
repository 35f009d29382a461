/*
 * runner-recover.c - what a dead controller left, taken over at the
 * start of a processing run (we hold the processing flag).
 *
 * A build the dead run left running on this host ran under a supervisor
 * (spawn.h: Supervision) that outlives its controller:
 *
 *   supervisor alive   adopted: runner_run() waits for it in its pool
 *                      and records its result as its own;
 *   supervisor ended   its result is in the build's status file: it is
 *                      recorded now, as if the code had just ended;
 *   supervisor dead    killed by someone (or the host went down) with
 *                      its code: what the code left in the process table
 *                      (grandchildren carrying its CASCADE_BUILD_ID) is
 *                      killed, and the build queued again with the
 *                      attempt it was on given back.
 *
 * A build left running on another host is queued again (we cannot see
 * it there).  Then the poison rule runs (store_recover) before anything
 * is recorded, so that a controller that dies while recording counts
 * too; builds left recording are archived and recorded; work
 * directories and status files that nobody needs any more are removed.
 * Every step is idempotent: a run killed while recovering is recovered
 * by the next.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "fault.h"
#include "fsutil.h"
#include "log.h"
#include "runner-int.h"
#include "sysinfo.h"
#include "xalloc.h"
#include "banned.h"

/* what recovery found, by build id */
struct found {
	int64_t *live, *kept, *dead;
	size_t n_live, n_kept, n_dead;
	size_t a_live, a_kept, a_dead;
	struct job *kept_jobs; /* ended: the result read */
	long orphans;
};

static void
push_id(int64_t **v, size_t *n, size_t *alloc, int64_t id)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[(*n)++] = id;
}

/* a job for a build a dead run left, with its command line rebuilt */
static struct job *
recovered_job(struct runner *r, struct sr_build *b)
{
	struct job *j = xcalloc(1, sizeof(*j));
	struct strvec argv = STRVEC_INIT;
	struct strbuf prov = STRBUF_INIT;
	char *kw = NULL, *unused = NULL;

	j->b = b;
	j->log_fd = -1;
	spawn_child_init(&j->child);
	runner_job_paths(r, b->id, b->attempt, &unused, &j->status_path);
	free(unused);
	j->log_path = b->log_path ? xstrdup(b->log_path) : NULL;
	j->work_dir = b->work_dir ? xstrdup(b->work_dir) : NULL;
	j->foreign_dir = true;
	if (runner_build_argv(r, b, j->work_dir ? j->work_dir : "", &argv,
			      &kw) == 0 && argv.nr) {
		runner_join_argv(&argv, &prov);
		strvec_push(&j->child.args, argv.v[0]);
	} else {
		strbuf_addstr(&prov, "(recovered)");
		strvec_push(&j->child.args, b->code_filename);
	}
	j->provenance = strbuf_detach(&prov, NULL);
	j->keywords = kw ? kw : xstrdup("");
	j->child.status_path = j->status_path;
	j->child.supervisor = b->supervisor_pid;
	j->child.supervisor_start = b->supervisor_start;
	j->child.weight = b->cpu > 0 ? (unsigned)b->cpu : 1;
	j->child.data = j;
	strvec_clear(&argv);
	return j;
}

/* kill what a build whose supervisor died left running on this host */
static long
kill_orphans(const struct runner *r, const struct sr_build *b)
{
	struct strbuf id = STRBUF_INIT, mission = STRBUF_INIT;
	const char *markers[3];
	long n;

	strbuf_addf(&id, "CASCADE_BUILD_ID=%lld", (long long)b->id);
	strbuf_addf(&mission, "CASCADE_MISSION=%s", r->m->name);
	markers[0] = id.buf;
	markers[1] = mission.buf;
	markers[2] = NULL;
	n = spawn_kill_orphans(b->pid > 0 ? (pid_t)b->pid : 0, markers);
	strbuf_release(&id);
	strbuf_release(&mission);
	return n;
}

/* sort one running build into live, kept or dead */
static int
classify(struct runner *r, struct sr_build *b, struct found *f)
{
	struct job *j;
	int rr;

	if (strcmp(b->hostname, r->host.buf)) {
		push_id(&f->dead, &f->n_dead, &f->a_dead, b->id);
		return 0;
	}
	j = recovered_job(r, b);
	if (b->supervisor_pid > 0 &&
	    sysinfo_process_liveness((pid_t)b->supervisor_pid,
				     b->supervisor_start,
				     b->boot_id) == SYSINFO_ALIVE) {
		push_id(&f->live, &f->n_live, &f->a_live, b->id);
		j->next_active = r->adopted;
		r->adopted = j;
		return 0;
	}
	rr = spawn_status_read(&j->child);
	if (rr == 1) {
		push_id(&f->kept, &f->n_kept, &f->a_kept, b->id);
		j->next_active = f->kept_jobs;
		f->kept_jobs = j;
		return 0;
	}
	/* no result (or a torn one, reported): the code died with it */
	f->orphans += kill_orphans(r, b);
	push_id(&f->dead, &f->n_dead, &f->a_dead, b->id);
	runner_job_free(r, j);
	return 0;
}

static struct sr_build *
find_build(struct sr_build *b, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].id == id)
			return &b[i];
	return NULL;
}

/* drop the jobs of list whose builds are not running in nb any more */
static void
repoint(struct runner *r, struct job **list, struct sr_build *nb, size_t n)
{
	for (struct job **p = list; *p;) {
		struct job *j = *p;
		struct sr_build *x = find_build(nb, n, j->b->id);

		if (x && !strcmp(x->status, "running")) {
			j->b = x;
			p = &j->next_active;
			continue;
		}
		*p = j->next_active;
		spawn_ack(&j->child); /* a cancelled build's result goes */
		runner_job_free(r, j);
	}
}

/*
 * the builds after store_recover: jobs point into the new array; those
 * no longer running (cancelled with a poisoned batch) are dropped, and
 * their results with them
 */
static int
refetch(struct runner *r, struct job **kept)
{
	struct sr_build *nb = NULL;
	size_t n = 0;
	int rc = store_builds_open(r->db, &nb, &n);

	if (rc) {
		store_sr_builds_free(nb, n);
		return rc;
	}
	/* as when queued: the attempt runner_fail_build counts is this one */
	for (size_t i = 0; i < n; i++)
		nb[i].attempt = nb[i].attempt > 0 ? nb[i].attempt - 1 : 0;
	repoint(r, kept, nb, n);
	repoint(r, &r->adopted, nb, n);
	store_sr_builds_free(r->open, r->n_open);
	r->open = nb;
	r->n_open = n;
	return 0;
}

/* record the results the dead run's supervisors kept */
static int
record_kept(struct runner *r, struct job *jobs, struct runner_counts *cnt,
	    long *n)
{
	int rc = 0;

	while (jobs) {
		struct job *j = jobs;
		enum job_end end;

		jobs = j->next_active;
		if (!rc)
			rc = runner_decide(r, j, cnt, &end);
		if (!rc && end == JOB_ARCHIVE) {
			rc = store_build_recording(r->db, j->b->id, &j->outcome);
			if (!rc)
				spawn_ack(&j->child);
			if (!rc)
				rc = runner_record_output(r, j->b, j->work_dir,
							  true, j->provenance,
							  j->keywords, cnt);
			/* the recording owns it: removed once recorded */
			j->keep_dir = true;
			if (rc == RUNNER_ENV)
				rc = 0; /* the next run archives it */
		} else if (!rc && end == JOB_REQUEUE) {
			rc = store_builds_requeue(r->db, &j->b->id, 1);
			if (!rc)
				spawn_ack(&j->child);
		} else if (!rc) {
			spawn_ack(&j->child);
		}
		(*n)++;
		runner_job_free(r, j);
		fault_point("recover-kept");
	}
	return rc;
}

/* archive and record the outputs of builds the dead run left recording */
static int
record_left(struct runner *r, struct runner_counts *cnt, long *n)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < r->n_open; i++) {
		struct sr_build *b = &r->open[i];
		struct job *j;

		if (strcmp(b->status, "recording"))
			continue;
		j = recovered_job(r, b);
		/*
		 * Its output may already be in the archive and its work
		 * directory reused by a build that still runs: sweep()
		 * removes the directory, if nobody needs it.
		 */
		rc = runner_record_output(r, b, b->work_dir ? b->work_dir : "",
					  false, j->provenance, j->keywords, cnt);
		j->keep_dir = true; /* the recording owns it until flushed */
		runner_job_free(r, j);
		(*n)++;
		if (rc == RUNNER_ENV)
			break; /* the rest wait for the next run too */
	}
	return rc;
}

/*
 * remove the work directories and status files no build needs any more:
 * all but those of builds still running (adopted) or recording
 */
static int
sweep(struct runner *r, const struct found *f)
{
	struct strvec keep = STRVEC_INIT;
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d;
	int rc;

	if ((rc = store_open_dirs(r->db, &keep)))
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
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/.cascade/status", r->m->rootdir);
	d = opendir(path.buf);
	while (d && (de = readdir(d))) {
		size_t len = path.len;
		long long id = 0;
		bool live = false;

		if (de->d_name[0] == '.' ||
		    sscanf(de->d_name, "build-%lld.", &id) != 1)
			continue;
		for (size_t i = 0; i < f->n_live && !live; i++)
			live = f->live[i] == (int64_t)id;
		strbuf_addf(&path, "/%s", de->d_name);
		if (!live && unlink(path.buf) < 0 && errno != ENOENT)
			log_warning("could not remove \"%s\": %s", path.buf,
				    strerror(errno));
		strbuf_setlen(&path, len);
	}
	if (d)
		closedir(d);
	strbuf_release(&path);
	strvec_clear(&keep);
	return 0;
}

static void
found_release(struct runner *r, struct found *f)
{
	while (f->kept_jobs) {
		struct job *j = f->kept_jobs;

		f->kept_jobs = j->next_active;
		runner_job_free(r, j);
	}
	free(f->live);
	free(f->kept);
	free(f->dead);
}

static void
report(const struct found *f, long requeued, long recorded, long left,
       long poisoned, long cancelled, const struct runner *r)
{
	if (f->n_live || recorded || requeued || left)
		log_warning("taking over from an interrupted run: %zu builds "
			    "still running are waited for, %ld that ended "
			    "meanwhile were recorded, %ld outputs left "
			    "recording were archived, %ld builds will run "
			    "again",
			    f->n_live, recorded, left, requeued);
	if (f->orphans)
		log_warning("killed %ld processes left running by the codes "
			    "of an interrupted run",
			    f->orphans);
	if (poisoned) {
		log_error("%ld batches were marked bad and their %ld open "
			  "builds cancelled: the controller died %d times in "
			  "a row while running them, with no code's result "
			  "recorded in between",
			  poisoned, cancelled,
			  r->opt.bad_after > 3 ? r->opt.bad_after : 3);
		log_hint("See \"cascade failures\"; \"cascade failures retry\" "
			 "queues them again once the cause is fixed.");
	}
}

int
runner_recover(struct runner *r, struct runner_counts *cnt)
{
	struct found f = {0};
	struct sr_recovery rv = {0};
	long poisoned = 0, cancelled = 0, requeued = 0, recorded = 0, left = 0;
	int rc;

	if ((rc = store_builds_open(r->db, &r->open, &r->n_open)) ||
	    (rc = runner_prefetch_inputs(r, r->open, r->n_open)) ||
	    (rc = runner_make_dirs(r)))
		goto out;
	for (size_t i = 0; !rc && i < r->n_open; i++)
		if (!strcmp(r->open[i].status, "running"))
			rc = classify(r, &r->open[i], &f);
	if (rc)
		goto out;
	rv.run_id = r->opt.run_id;
	rv.bad_after = r->opt.bad_after > 3 ? r->opt.bad_after : 3;
	rv.live = f.live;
	rv.n_live = f.n_live;
	rv.kept = f.kept;
	rv.n_kept = f.n_kept;
	rv.dead = f.dead;
	rv.n_dead = f.n_dead;
	if ((rc = store_recover(r->db, &rv, &poisoned, &cancelled,
				&requeued)))
		goto out;
	fault_point("recover-decided");
	if ((rc = refetch(r, &f.kept_jobs)))
		goto out;
	rc = record_kept(r, f.kept_jobs, cnt, &recorded);
	f.kept_jobs = NULL;
	if (!rc)
		rc = record_left(r, cnt, &left);
	if (!rc)
		rc = runner_flush(r, cnt);
	fault_point("recover-recorded");
	if (!rc || rc == RUNNER_ENV) {
		int src = sweep(r, &f);

		if (src)
			rc = src;
	}
	report(&f, requeued, recorded, left, poisoned, cancelled, r);
	cnt->recovered += requeued;
	cnt->poisoned += poisoned;
out:
	found_release(r, &f);
	return rc;
}
