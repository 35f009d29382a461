/*
 * runner-recover.c - what a dead controller left, taken over at the
 * start of a processing run (we hold the processing flag).
 *
 * A dead run's codes ran under its supervisor (spawn.h: Supervision),
 * which outlives it.  Recovery first attaches to every supervisor of a
 * dead run on this host that is still alive (found by the pid and start
 * time in the run's logging row, or in its builds' rows) and learns what
 * each runs and what results it holds; only then does it read the status
 * files the others wrote before they exited (a supervisor writes one
 * only while no one is attached, so nothing falls between the two).
 * Then, for every build the dead run left running on this host:
 *
 *   still running      adopted: this run waits for it as for its own and
 *                      records its result; the code is never stopped or
 *                      restarted;
 *   ended              its result (held, or in its status file) is
 *                      recorded now, as if the code had just ended;
 *   neither            its supervisor died with it (killed, or the host
 *                      went down): what the code left in the process
 *                      table (processes carrying its CASCADE_BUILD_ID and
 *                      CASCADE_MISSION) is killed, and the build queued
 *                      again with the attempt it was on given back.
 *
 * A build still queued whose next attempt a supervisor runs or ended (the
 * dead run sent it and died before recording the start) is taken as
 * started.  A build running on another host is queued again (this host
 * cannot see it).  Then the poison rule runs (store_recover) before
 * anything is recorded, so that a controller that dies while recording
 * counts too; builds left recording are archived and recorded; work
 * directories and status files that nobody needs are removed.  Every
 * step is idempotent: a run killed while recovering is recovered by the
 * next.
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
	int64_t *live, *kept, *dead, *started;
	size_t n_live, n_kept, n_dead, n_started;
	size_t a_live, a_kept, a_dead, a_started;
	struct strvec started_dir, started_log; /* where they ran */
	struct job *kept_jobs; /* ended: the result known */
	struct job *live_jobs; /* running under an attached supervisor */
	struct job *unsent;    /* sent to Slurm, no job recorded */
	size_t n_unsent;
	long found_unsent;     /* of which Slurm still had a job */
	bool unknown;          /* Slurm could not be asked about them */
	struct strvec held; /* the keys attached supervisors have */
	bool *taken;	    /* and which of them a build took */
	long orphans;
	long attached;
};

static void
push_id(int64_t **v, size_t *n, size_t *alloc, int64_t id)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[(*n)++] = id;
}

/* the build id and attempt of a status path (key), or false */
static bool
key_build(const char *key, int64_t *id, int *attempt)
{
	const char *base = strrchr(key, '/');
	long long i;

	return sscanf(base ? base + 1 : key, "build-%lld.%d", &i, attempt) ==
		       2 &&
	       (*id = i) > 0;
}

/* the place of key among the held keys, or -1 */
static long
held_of(struct found *f, const char *key)
{
	for (size_t i = 0; i < f->held.nr; i++)
		if (!strcmp(f->held.v[i], key))
			return (long)i;
	return -1;
}

/*
 * Attach to the live supervisors of dead runs on this host: those of
 * the runs' logging rows, and those the open builds name.
 */
static int
attach_all(struct runner *r, struct found *f)
{
	struct sr_supervisor *s = NULL;
	size_t n = 0;
	int rc;

	if ((rc = store_supervisors_left(r->db, r->opt.run_id, r->host.buf,
					 &s, &n)))
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		int ar = 0;

		if (sysinfo_process_liveness((pid_t)s[i].pid, s[i].start,
					     s[i].boot_id) == SYSINFO_ALIVE)
			ar = executor_attach(r->ex, (pid_t)s[i].pid,
					     s[i].start, &f->held);
		if (ar < 0) {
			rc = -1;
			break;
		}
		if (ar == 1)
			f->attached++;
		/* gone, or attached now: its row has served */
		if (ar == 0 && s[i].logging_id &&
		    (rc = store_run_supervisor(r->db, s[i].logging_id, 0, -1)))
			break;
	}
	store_sr_supervisors_free(s, n);
	return rc;
}

/* a job for a build a dead run left, with its command line rebuilt */
static struct job *
recovered_job(struct runner *r, struct sr_build *b, int attempt)
{
	struct job *j = xcalloc(1, sizeof(*j));
	struct strvec argv = STRVEC_INIT;
	struct strbuf prov = STRBUF_INIT;
	char *kw = NULL, *unused = NULL;

	j->b = b;
	j->log_fd = -1;
	exec_build_init(&j->eb);
	runner_job_paths(r, b->id, attempt, &unused, &j->status_path);
	j->log_path = b->log_path ? xstrdup(b->log_path) : unused;
	if (b->log_path)
		free(unused);
	j->work_dir = b->work_dir ? xstrdup(b->work_dir) : NULL;
	j->foreign_dir = true;
	if (runner_build_argv(r, b, j->work_dir ? j->work_dir : "", &argv,
			      &kw) == 0 && argv.nr) {
		runner_join_argv(&argv, &prov);
		strvec_push(&j->eb.args, argv.v[0]);
	} else {
		strbuf_addstr(&prov, "(recovered)");
		strvec_push(&j->eb.args, b->code_filename);
	}
	j->provenance = strbuf_detach(&prov, NULL);
	j->keywords = kw ? kw : xstrdup("");
	j->eb.build_id = b->id;
	j->eb.attempt = attempt;
	j->eb.status_path = j->status_path;
	j->eb.log_path = j->log_path;
	j->eb.dir = j->work_dir;
	j->eb.cpus = b->cpu > 0 ? (unsigned)b->cpu : 1;
	j->eb.data = j;
	j->ex = r->ex;
	strvec_clear(&argv);
	return j;
}

/*
 * kill what a build whose supervisor died left running on this host:
 * the processes whose environment names its build, mission and archive
 * (the three tell one installation's build from another's)
 */
static long
kill_orphans(const struct runner *r, const struct sr_build *b)
{
	struct strbuf id = STRBUF_INIT, mission = STRBUF_INIT,
		      archive = STRBUF_INIT;
	const char *markers[4];
	long n;

	strbuf_addf(&id, "CASCADE_BUILD_ID=%lld", (long long)b->id);
	strbuf_addf(&mission, "CASCADE_MISSION=%s", r->m->name);
	strbuf_addf(&archive, "CASCADE_ARCHIVE=%s", r->m->rootdir);
	markers[0] = id.buf;
	markers[1] = mission.buf;
	markers[2] = archive.buf;
	markers[3] = NULL;
	n = executor_kill_orphans(r->ex, b->pid > 0 ? (pid_t)b->pid : 0,
				  markers);
	strbuf_release(&id);
	strbuf_release(&mission);
	strbuf_release(&archive);
	return n;
}

/*
 * where a build ran that the dead run sent and did not record (its row
 * does not say): as its supervisor says; a started build is marked so
 */
static void
where_it_ran(struct found *f, struct job *j, bool started)
{
	const char *dir = j->eb.res.ran_dir.buf, *log = j->eb.res.ran_log.buf;

	if (!j->work_dir && *dir)
		j->work_dir = xstrdup(dir);
	if (!j->b->log_path && *log) {
		free(j->log_path);
		j->log_path = xstrdup(log);
	}
	if (!started)
		return;
	push_id(&f->started, &f->n_started, &f->a_started, j->b->id);
	strvec_push(&f->started_dir, j->work_dir ? j->work_dir : "");
	strvec_push(&f->started_log, j->log_path ? j->log_path : "");
}

/*
 * a build an attached supervisor has: adopted by the executor (running)
 * or with its result (ended)
 */
static void
take_held(struct runner *r, struct found *f, struct sr_build *b, long h,
	  int attempt, bool started)
{
	struct job *j = recovered_job(r, b, attempt);
	int ar;

	f->taken[h] = true; /* not dropped */
	ar = executor_adopt(r->ex, &j->eb);
	where_it_ran(f, j, started);
	if (ar == 1) {
		push_id(&f->live, &f->n_live, &f->a_live, b->id);
		j->next_active = f->live_jobs;
		f->live_jobs = j;
	} else {
		/* ended (2), or not there after all (0: lost) */
		if (ar == 0)
			j->eb.res.lost = true, j->eb.done = true;
		push_id(&f->kept, &f->n_kept, &f->a_kept, b->id);
		j->next_active = f->kept_jobs;
		f->kept_jobs = j;
	}
}

/* whether b's process runs its builds on Slurm (its current settings) */
static bool
slurm_process(struct runner *r, const struct sr_build *b)
{
	const struct process *p = catalog_process(r->cat, b->process_id);
	struct exec_build e;
	bool slurm;

	if (!p)
		return false;
	exec_build_init(&e);
	slurm = runner_executor_of(r, b, &e) != r->ex;
	exec_build_release(&e);
	return slurm;
}

/* a job for a build a dead run sent to Slurm, with its job's settings */
static struct job *
slurm_job(struct runner *r, struct sr_build *b)
{
	struct job *j = recovered_job(r, b, b->attempt);
	const struct process *p = catalog_process(r->cat, b->process_id);

	j->ex = p ? runner_executor_of(r, b, &j->eb) : NULL;
	if (!j->ex || j->ex == r->ex) {
		j->ex = runner_slurm(r);
		j->eb.slurm = NULL;
	}
	return j;
}

/* j's build is live: its executor has it */
static void
push_live(struct found *f, struct job *j)
{
	push_id(&f->live, &f->n_live, &f->a_live, j->b->id);
	j->next_active = f->live_jobs;
	f->live_jobs = j;
}

/*
 * a build a dead run submitted to Slurm: collected by its job id, from
 * whichever host (its job runs on, or has ended and left its record)
 */
static void
take_slurm(struct runner *r, struct found *f, struct sr_build *b)
{
	struct job *j = slurm_job(r, b);

	snprintf(j->eb.job_id, sizeof(j->eb.job_id), "%s", b->slurm_job_id);
	(void)executor_adopt(j->ex, &j->eb); /* 1: Slurm's always */
	push_live(f, j);
}

/*
 * The builds a dead run sent to Slurm without recording their job (it
 * died between sbatch and the commit of the job ids), from whichever
 * host: a job that Slurm still has for them (its group script names
 * their status paths) is adopted and its id recorded now; one that
 * ended and was forgotten left their status files; the others were
 * never submitted and are queued again.  If Slurm cannot be asked,
 * they are left running for a later run to look again: queued, they
 * might run twice.
 */
static int
take_unsent(struct runner *r, struct found *f)
{
	struct exec_build **v;
	int64_t *ids;
	const char **jids;
	size_t n = 0, m = 0;
	long found;
	int rc = 0;

	if (!f->unsent)
		return 0;
	v = xcalloc(f->n_unsent, sizeof(*v));
	for (struct job *j = f->unsent; j; j = j->next_active)
		v[n++] = &j->eb;
	found = executor_lookup(runner_slurm(r), v, n);
	free(v);
	if (found < 0) {
		log_warning("%zu builds an interrupted run sent to Slurm are "
			    "left as they are: whether Slurm runs them is not "
			    "known",
			    n);
		log_hint("The next run looks again.");
		f->unknown = true;
		while (f->unsent) {
			struct job *j = f->unsent;

			f->unsent = j->next_active;
			runner_job_free(r, j);
		}
		return 0;
	}
	ids = xcalloc(n, sizeof(*ids));
	jids = xcalloc(n, sizeof(*jids));
	while (f->unsent) {
		struct job *j = f->unsent;

		f->unsent = j->next_active;
		if (j->eb.job_id[0]) {
			ids[m] = j->b->id;
			jids[m++] = j->eb.job_id;
			(void)executor_adopt(j->ex, &j->eb);
			push_live(f, j);
			continue;
		}
		/* no job: its status file, if its job ended long ago */
		j->ex = r->ex;
		j->eb.slurm = NULL;
		if (executor_adopt(r->ex, &j->eb) == 2) {
			push_id(&f->kept, &f->n_kept, &f->a_kept, j->b->id);
			j->next_active = f->kept_jobs;
			f->kept_jobs = j;
			continue;
		}
		push_id(&f->dead, &f->n_dead, &f->a_dead, j->b->id);
		runner_job_free(r, j);
	}
	f->found_unsent = (long)m;
	rc = store_builds_slurm(r->db, ids, jids, m);
	free(ids);
	free(jids);
	return rc;
}

/* sort one open build into live, kept, dead or (queued) started */
static int
classify(struct runner *r, struct sr_build *b, struct found *f)
{
	bool queued = b->status == BUILD_STATE_QUEUED;
	int attempt = queued ? b->attempt + 1 : b->attempt;
	long h;
	struct job *j;
	char *key = NULL, *log = NULL;
	int rr;

	if (!queued && b->slurm_job_id[0]) {
		take_slurm(r, f, b);
		return 0;
	}
	/* sent to Slurm, its job not recorded: looked up with the others */
	if (!queued && b->supervisor_pid <= 0 && slurm_process(r, b)) {
		j = slurm_job(r, b);
		j->next_active = f->unsent;
		f->unsent = j;
		f->n_unsent++;
		return 0;
	}
	if (!queued && strcmp(b->hostname, r->host.buf)) {
		/* its supervisor and result, if any, are that host's */
		log_warning("build %lld (%s %s) was running on host \"%s\", "
			    "whose controller is gone: it is lost and will run "
			    "again",
			    (long long)b->id, b->process_name, b->output_key,
			    b->hostname);
		push_id(&f->dead, &f->n_dead, &f->a_dead, b->id);
		return 0;
	}
	runner_job_paths(r, b->id, attempt, &log, &key);
	h = held_of(f, key);
	free(log);
	free(key);
	if (h >= 0) {
		take_held(r, f, b, h, attempt, queued);
		return 0;
	}
	j = recovered_job(r, b, attempt);
	/* no supervisor has it: its status file, if one was written */
	rr = executor_adopt(r->ex, &j->eb);
	if (rr == 2) {
		where_it_ran(f, j, queued);
		push_id(&f->kept, &f->n_kept, &f->a_kept, b->id);
		j->next_active = f->kept_jobs;
		f->kept_jobs = j;
		return 0;
	}
	if (queued) {
		/* only a status file's id brought it here: not its attempt */
		runner_job_free(r, j);
		return 0;
	}
	/* no result (or a torn one, reported): the code died with it */
	f->orphans += kill_orphans(r, b);
	push_id(&f->dead, &f->n_dead, &f->a_dead, b->id);
	runner_job_free(r, j);
	return 0;
}

/* drop the jobs of list whose builds are not running in nb any more */
static void
repoint(struct runner *r, struct job **list, struct sr_build *nb, size_t n,
	bool stop)
{
	for (struct job **p = list; *p;) {
		struct job *j = *p;
		struct sr_build *x = NULL;

		for (size_t i = 0; i < n && !x; i++)
			if (nb[i].id == j->b->id)
				x = &nb[i];
		if (x && x->status == BUILD_STATE_RUNNING) {
			j->b = x;
			p = &j->next_active;
			continue;
		}
		/*
		 * Cancelled with a poisoned batch: a result is dropped; a
		 * code still running is stopped, and waited for as ours
		 * (its end is not recorded).
		 */
		*p = j->next_active;
		if (stop) {
			if (executor_cancel(j->ex, &j->eb))
				log_debug("build %lld could not be stopped",
					  (long long)j->b->id);
			j->next_active = r->active;
			r->active = j;
			continue;
		}
		executor_ack(j->ex, &j->eb);
		runner_job_free(r, j);
	}
}

/*
 * the builds after store_recover: jobs point into the new array; those
 * no longer running (cancelled with a poisoned batch) are dropped
 */
static int
refetch(struct runner *r, struct found *f)
{
	struct sr_build *nb = NULL;
	size_t n = 0;
	int rc = store_builds_open(r->db, NULL, 0, &nb, &n);

	if (rc) {
		store_sr_builds_free(nb, n);
		return rc;
	}
	/* as when queued: the attempt runner_fail_build counts is this one */
	for (size_t i = 0; i < n; i++)
		nb[i].attempt = nb[i].attempt > 0 ? nb[i].attempt - 1 : 0;
	repoint(r, &f->kept_jobs, nb, n, false);
	repoint(r, &f->live_jobs, nb, n, true);
	store_sr_builds_free(r->open, r->n_open);
	r->open = nb;
	r->n_open = n;
	/* the live ones are this run's active jobs now */
	while (f->live_jobs) {
		struct job *j = f->live_jobs;

		f->live_jobs = j->next_active;
		j->next_active = r->active;
		r->active = j;
	}
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
				executor_ack(r->ex, &j->eb);
			if (!rc)
				rc = runner_record_output(r, j->b, j->work_dir,
							  true, j->provenance,
							  j->keywords,
							  j->verified, cnt);
			/* the recording owns it: removed once recorded */
			j->keep_dir = true;
			if (rc == RUNNER_ENV)
				rc = 0; /* the next run archives it */
		} else if (!rc && end == JOB_REQUEUE) {
			rc = store_builds_requeue(r->db, &j->b->id, 1);
			if (!rc)
				executor_ack(r->ex, &j->eb);
		} else if (!rc) {
			executor_ack(r->ex, &j->eb);
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

		if (b->status != BUILD_STATE_RECORDING)
			continue;
		j = recovered_job(r, b, b->attempt + 1);
		/*
		 * Its output may already be in the archive and its work
		 * directory reused by a build that still runs: sweep()
		 * removes the directory, if nobody needs it.
		 */
		rc = runner_record_output(r, b, b->work_dir ? b->work_dir : "",
					  false, j->provenance, j->keywords, NULL,
					  cnt);
		j->keep_dir = true; /* the recording owns it until flushed */
		runner_job_free(r, j);
		(*n)++;
		if (rc == RUNNER_ENV)
			break; /* the rest wait for the next run too */
	}
	return rc;
}

/* remove everything in dir whose path keep() does not want kept */
static void
sweep_dir(const char *dir, bool (*keep)(const char *path, void *data),
	  void *data)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);

	strbuf_addstr(&path, dir);
	while (d && (de = readdir(d))) {
		size_t len = path.len;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(&path, "/%s", de->d_name);
		if (!keep(path.buf, data))
			fsutil_remove_tree(path.buf);
		strbuf_setlen(&path, len);
	}
	if (d)
		closedir(d);
	strbuf_release(&path);
}

/* a work directory a running or recording build needs (however spelt) */
static bool
keep_work(const char *path, void *data)
{
	const struct strvec *keep = data;
	struct stat a, k;

	for (size_t i = 0; i < keep->nr; i++)
		if (lstat(path, &a) == 0 && stat(keep->v[i], &k) == 0 &&
		    a.st_dev == k.st_dev && a.st_ino == k.st_ino)
			return true;
	return false;
}

/*
 * a status file of a build still running (under an attached supervisor,
 * or in Slurm), or the directory where a Slurm job still running writes
 * its records before it publishes them (".job-ID")
 */
static bool
keep_status(const char *path, void *data)
{
	const struct runner *r = data;
	const char *base = strrchr(path, '/');
	long long id = 0;

	if (!base)
		return false;
	if (!strncmp(base + 1, ".job-", 5)) {
		for (const struct job *j = r->active; j; j = j->next_active)
			if (j->eb.job_id[0] && !strcmp(j->eb.job_id, base + 6))
				return true;
		return false;
	}
	if (sscanf(base + 1, "build-%lld.", &id) != 1)
		return false;
	for (const struct job *j = r->active; j; j = j->next_active)
		if (j->b->id == (int64_t)id)
			return true;
	return false;
}

/* remove the work directories and status files nobody needs any more */
static int
sweep(struct runner *r, const struct found *f)
{
	struct strvec keep = STRVEC_INIT;
	struct strbuf dir = STRBUF_INIT;
	int rc;

	if ((rc = store_open_dirs(r->db, &keep)))
		return rc;
	strbuf_addf(&dir, "%s/.cascade/work", r->m->rootdir);
	sweep_dir(dir.buf, keep_work, &keep);
	strbuf_reset(&dir);
	strbuf_addf(&dir, "%s/.cascade/status", r->m->rootdir);
	/* (jobs Slurm may run but no one knows: their records stay) */
	if (!f->unknown)
		sweep_dir(dir.buf, keep_status, r);
	strbuf_release(&dir);
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
	while (f->live_jobs) {
		struct job *j = f->live_jobs;

		f->live_jobs = j->next_active;
		runner_job_free(r, j);
	}
	while (f->unsent) {
		struct job *j = f->unsent;

		f->unsent = j->next_active;
		runner_job_free(r, j);
	}
	strvec_clear(&f->held);
	free(f->taken);
	strvec_clear(&f->started_dir);
	strvec_clear(&f->started_log);
	free(f->live);
	free(f->kept);
	free(f->dead);
	free(f->started);
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
	if (f->found_unsent)
		log_warning("%ld of them had been submitted to Slurm by the "
			    "interrupted run, which died before it recorded "
			    "their jobs: found in Slurm's queue, they are taken "
			    "over, not run again",
			    f->found_unsent);
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

/* the ids of the builds that attached supervisors have */
static void
held_ids(const struct found *f, int64_t **ids, size_t *n)
{
	size_t alloc = 0;

	*ids = NULL;
	*n = 0;
	for (size_t i = 0; i < f->held.nr; i++) {
		int64_t id;
		int attempt;

		if (key_build(f->held.v[i], &id, &attempt))
			push_id(ids, n, &alloc, id);
	}
}

/* the build ids the status files name (read after attaching) */
static void
status_ids(const struct runner *r, int64_t **ids, size_t *n, size_t *alloc)
{
	struct strbuf dir = STRBUF_INIT;
	struct dirent *de;
	DIR *d;

	strbuf_addf(&dir, "%s/.cascade/status", r->m->rootdir);
	d = opendir(dir.buf);
	while (d && (de = readdir(d))) {
		int64_t id;
		int attempt;

		if (de->d_name[0] != '.' && key_build(de->d_name, &id, &attempt))
			push_id(ids, n, alloc, id);
	}
	if (d)
		closedir(d);
	strbuf_release(&dir);
}

/* find what the dead run left and sort it; drop what is nobody's */
static int
find_left(struct runner *r, struct found *f)
{
	int64_t *ids;
	size_t nids, alloc;
	int rc;

	if ((rc = runner_make_dirs(r)) || (rc = attach_all(r, f)))
		return rc;
	f->taken = xcalloc(f->held.nr + 1, sizeof(*f->taken));
	/*
	 * Builds still queued that a supervisor has, or whose result a
	 * status file holds: a dead run sent them and died before it
	 * recorded the start.
	 */
	held_ids(f, &ids, &nids);
	alloc = nids;
	status_ids(r, &ids, &nids, &alloc);
	rc = store_builds_open(r->db, ids, nids, &r->open, &r->n_open);
	free(ids);
	if (!rc)
		rc = runner_prefetch_inputs(r, r->open, r->n_open);
	for (size_t i = 0; !rc && i < r->n_open; i++)
		if (r->open[i].status != BUILD_STATE_RECORDING)
			rc = classify(r, &r->open[i], f);
	if (!rc)
		rc = take_unsent(r, f);
	for (size_t i = 0; i < f->held.nr; i++)
		if (!f->taken[i]) /* a key no build claims */
			executor_drop(r->ex, f->held.v[i]);
	return rc;
}

int
runner_recover(struct runner *r, struct runner_counts *cnt)
{
	struct found f = {.held = STRVEC_INIT,
			  .started_dir = STRVEC_INIT,
			  .started_log = STRVEC_INIT};
	struct sr_recovery rv = {0};
	long poisoned = 0, cancelled = 0, requeued = 0, recorded = 0, left = 0;
	int rc;

	if ((rc = find_left(r, &f)))
		goto out;
	rv.run_id = r->opt.run_id;
	rv.bad_after = r->opt.bad_after > 3 ? r->opt.bad_after : 3;
	rv.live = f.live;
	rv.n_live = f.n_live;
	rv.kept = f.kept;
	rv.n_kept = f.n_kept;
	rv.dead = f.dead;
	rv.n_dead = f.n_dead;
	rv.started = f.started;
	rv.n_started = f.n_started;
	rv.started_dir = f.started_dir.v;
	rv.started_log = f.started_log.v;
	rv.host = r->host.buf;
	if ((rc = store_recover(r->db, &rv, &poisoned, &cancelled,
				&requeued)))
		goto out;
	fault_point("recover-decided");
	if ((rc = refetch(r, &f)))
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
