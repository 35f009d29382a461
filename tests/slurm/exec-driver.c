/*
 * exec-driver.c - drive an executor (executor.h) from a test script.
 *
 *   exec-driver [OPTION]... run WORK SPEC     submit SPEC's new builds,
 *                                             adopt its submitted ones,
 *                                             wait for all, print results
 *   exec-driver [OPTION]... submit WORK SPEC  submit, print "ID JOBID" per
 *                                             build, let go (no waiting)
 *   exec-driver [OPTION]... bench WORK N      N builds of /bin/true: print
 *                                             builds/s, submit to last end
 *
 * SPEC has a line per build: "ID TIMEOUT_S CPUS FLAG JOB ARGV...", FLAG
 * "-", "cancel" (cancelled right after submit) or "cancel-running"
 * (cancelled once it has opened the FIFO WORK/started-ID for writing:
 * the test's code writes a line there, so no one waits by the clock), JOB
 * "-" (submit) or the job id a "submit" printed (adopt).  A build runs in WORK/work, logs to
 * WORK/logs/build-ID.1.log, and its status path is
 * WORK/status/build-ID.1, as the runner's.  Results, one line a build
 * in ID order:
 *
 *   ID ran=1 exit=3 signal=0 timed_out=0 cancelled=0 node_failed=0
 *      lost=0 start_failed=0 node=n1 job=12 cpu_us=... tail="..."
 *
 * Options: -p POLL_MS, -c GROUP_CPUS, -g GROUP_MAX, -r GROUP_RUNNER (the
 * group runner's path; "" for none: the group scripts' bash runs the
 * builds; default: the installed one).  The Slurm commands
 * come from PATH and use SLURM_CONF.  Exit 0, or 1 with a message.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "executor.h"
#include "fsutil.h"
#include "log.h"
#include "strbuf.h"
#include "strvec.h"
#include "timeutil.h"
#include "xalloc.h"

struct item {
	struct exec_build b;
	char *status, *log;
	bool cancel, cancel_running;
};

static struct exec_slurm_options opts = {.poll_ms = 500};

static int
usage(void)
{
	fprintf(stderr, "usage: exec-driver [-p MS] [-c CPUS] [-g MAX] [-r RUNNER] "
			"run|submit WORK SPEC | bench WORK N\n");
	return 2;
}

static void
item_paths(struct item *it, const char *work, long long id)
{
	it->status = xasprintf("%s/status/build-%lld.1", work, id);
	it->log = xasprintf("%s/logs/build-%lld.1.log", work, id);
	it->b.build_id = id;
	it->b.attempt = 1;
	it->b.status_path = it->status;
	it->b.log_path = it->log;
}

/* SPEC into items; 0 or -1 */
static int
read_spec(const char *work, const char *path, struct item **out, size_t *n,
	  char *dir)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t alloc = 0;

	if (!f) {
		fprintf(stderr, "exec-driver: %s: %s\n", path, strerror(errno));
		return -1;
	}
	*out = NULL;
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		struct strvec w = STRVEC_INIT;
		struct item *it;

		line[strcspn(line, "\n")] = '\0';
		strvec_split(&w, line, " ");
		if (w.nr < 6) {
			strvec_clear(&w);
			continue;
		}
		ALLOC_GROW(*out, *n + 1, alloc);
		it = &(*out)[(*n)++];
		memset(it, 0, sizeof(*it));
		exec_build_init(&it->b);
		item_paths(it, work, atoll(w.v[0]));
		it->b.timeout_s = atoi(w.v[1]);
		it->b.cpus = (unsigned)atoi(w.v[2]);
		it->cancel = !strcmp(w.v[3], "cancel");
		it->cancel_running = !strcmp(w.v[3], "cancel-running");
		if (strcmp(w.v[4], "-"))
			snprintf(it->b.job_id, sizeof(it->b.job_id), "%s",
				 w.v[4]);
		it->b.dir = dir;
		for (size_t k = 5; k < w.nr; k++)
			strvec_push(&it->b.args, w.v[k]);
		strvec_pushf(&it->b.env_delta, "CASCADE_BUILD_ID=%s", w.v[0]);
		strvec_clear(&w);
	}
	fclose(f);
	return 0;
}

static void
print_result(const struct exec_build *b)
{
	const struct exec_result *r = &b->res;

	printf("%lld ran=%d exit=%d signal=%d timed_out=%d cancelled=%d "
	       "node_failed=%d lost=%d start_failed=%d node=%s job=%s "
	       "cpu_us=%" PRId64 " tail=\"",
	       (long long)b->build_id, r->ran, r->exit_code, r->term_signal,
	       r->timed_out, r->cancelled, r->node_failed, r->lost,
	       r->start_failed, r->node[0] ? r->node : "-", b->job_id,
	       r->cpu_us);
	for (size_t i = 0; i < r->tail.len; i++) {
		unsigned char c = (unsigned char)r->tail.buf[i];

		if (c < ' ' || c == '"' || c == '\\' || c > '~')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("\" reason=\"%s\"\n", r->reason.buf);
}

static int
by_id(const void *a, const void *b)
{
	const struct exec_build *x = *(struct exec_build *const *)a,
				*y = *(struct exec_build *const *)b;

	return (x->build_id > y->build_id) - (x->build_id < y->build_id);
}

/* wait for every build; the ended ones into done[] */
static int
wait_all(struct executor *ex, struct exec_build **done, size_t *nd)
{
	struct exec_build *d;
	int r;

	while ((r = executor_wait(ex, -1, &d)) != EXEC_EMPTY) {
		if (r < 0)
			return -1;
		if (r == EXEC_DONE) {
			done[(*nd)++] = d;
			if (!getenv("EXEC_DRIVER_KEEP"))
				unlink(d->status_path);
		}
	}
	return 0;
}

/* wait for build id's code to say it runs: a line on its FIFO */
static int
started(const char *work, long long id)
{
	char *path = xasprintf("%s/started-%lld", work, id), buf[256];
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		fprintf(stderr, "exec-driver: %s: no line\n", path);
		if (f)
			fclose(f);
		free(path);
		return -1;
	}
	fclose(f);
	free(path);
	return 0;
}

static int
run(struct executor *ex, const char *work, struct item *it, size_t n,
    bool detach)
{
	struct exec_build **sub = xcalloc(n + 1, sizeof(*sub)),
			  **done = xcalloc(n + 1, sizeof(*done));
	size_t ns = 0, nd = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		if (!it[i].b.job_id[0])
			sub[ns++] = &it[i].b;
	if (executor_submit(ex, sub, ns))
		rc = 1;
	for (size_t i = 0; i < n && !rc; i++) {
		bool adopt = true;

		for (size_t k = 0; k < ns; k++)
			adopt = adopt && sub[k] != &it[i].b;
		if (adopt)
			executor_adopt(ex, &it[i].b);
	}
	for (size_t i = 0; i < n && !rc; i++)
		if (it[i].cancel && executor_cancel(ex, &it[i].b))
			rc = 1;
	for (size_t i = 0; i < n && !rc; i++)
		if (it[i].cancel_running &&
		    (started(work, it[i].b.build_id) ||
		     executor_cancel(ex, &it[i].b)))
			rc = 1;
	if (!rc && detach) {
		for (size_t i = 0; i < n; i++)
			printf("%lld %s\n", (long long)it[i].b.build_id,
			       it[i].b.job_id);
		free(sub);
		free(done);
		executor_free(ex, false);
		return 0;
	}
	if (!rc && wait_all(ex, done, &nd))
		rc = 1;
	qsort(done, nd, sizeof(*done), by_id);
	for (size_t i = 0; i < nd; i++)
		print_result(done[i]);
	if (!rc && nd != n) {
		fprintf(stderr, "exec-driver: %zu of %zu builds came back\n",
			nd, n);
		rc = 1;
	}
	free(sub);
	free(done);
	executor_free(ex, rc != 0);
	return rc;
}

static int
bench(struct executor *ex, const char *work, long n, char *dir)
{
	struct item *it = xcalloc((size_t)n, sizeof(*it));
	struct exec_build **v = xcalloc((size_t)n, sizeof(*v)),
			  **done = xcalloc((size_t)n, sizeof(*done));
	size_t nd = 0, bad = 0;
	int64_t t0;
	double s;
	int rc = 0;

	for (long i = 0; i < n; i++) {
		exec_build_init(&it[i].b);
		item_paths(&it[i], work, i + 1);
		it[i].b.dir = dir;
		it[i].b.timeout_s = 60;
		strvec_push(&it[i].b.args, "/bin/true");
		v[i] = &it[i].b;
	}
	t0 = timeutil_mono_ns();
	if (executor_submit(ex, v, (size_t)n) || wait_all(ex, done, &nd))
		rc = 1;
	s = (double)(timeutil_mono_ns() - t0) / 1e9;
	for (size_t i = 0; i < nd; i++)
		if (done[i]->res.exit_code != 0 && bad++ < 5) {
			fprintf(stderr, "failed: ");
			fflush(stdout);
			print_result(done[i]);
		}
	fflush(stdout);
	printf("%zu builds (%zu failed) in %.2f s: %.0f builds/s\n", nd, bad,
	       s, s > 0 ? (double)nd / s : 0.0);
	executor_free(ex, rc != 0);
	for (long i = 0; i < n; i++) {
		exec_build_release(&it[i].b);
		free(it[i].status);
		free(it[i].log);
	}
	free(it);
	free(v);
	free(done);
	return rc || bad || nd != (size_t)n;
}

int
main(int argc, char **argv)
{
	struct executor *ex;
	struct item *it = NULL;
	struct strbuf sb = STRBUF_INIT;
	char *work, *dir;
	size_t n = 0;
	int c, rc;

	log_init("exec-driver");
	while ((c = getopt(argc, argv, "p:c:g:r:")) != -1) {
		if (c == 'p')
			opts.poll_ms = atoi(optarg);
		else if (c == 'c')
			opts.group_cpus = (unsigned)atoi(optarg);
		else if (c == 'g')
			opts.group_max = (unsigned)atoi(optarg);
		else if (c == 'r')
			opts.group_runner = optarg;
		else
			return usage();
	}
	if (argc - optind != 3)
		return usage();
	work = argv[optind + 1];
	opts.work_dir = work;
	opts.job_name = "cascade-test";
	dir = xasprintf("%s/work", work);
	for (int i = 0; i < 3; i++) {
		static const char *const sub[] = {"status", "logs", "work"};

		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s", work, sub[i]);
		if (fsutil_mkdir_p(sb.buf)) {
			fprintf(stderr, "exec-driver: %s: %s\n", sb.buf,
				strerror(errno));
			return 1;
		}
	}
	strbuf_release(&sb);
	ex = executor_slurm_new(&opts);
	if (!strcmp(argv[optind], "bench")) {
		rc = bench(ex, work, atol(argv[optind + 2]), dir);
		free(dir);
		return rc;
	}
	if (strcmp(argv[optind], "run") && strcmp(argv[optind], "submit"))
		return usage();
	if (read_spec(work, argv[optind + 2], &it, &n, dir))
		return 1;
	rc = run(ex, work, it, n, !strcmp(argv[optind], "submit"));
	for (size_t i = 0; i < n; i++) {
		exec_build_release(&it[i].b);
		free(it[i].status);
		free(it[i].log);
	}
	free(it);
	free(dir);
	return rc;
}
