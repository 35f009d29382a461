/*
 * executor.c - the executor interface: builds' life cycle, their results
 * described, and dispatch to the executor's own operations
 * (executor-local.c, executor-slurm.c).
 */
#include "executor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "executor-int.h"
#include "log.h"
#include "spawn.h"
#include "banned.h"

void
exec_build_init(struct exec_build *b)
{
	memset(b, 0, sizeof(*b));
	strvec_init(&b->args);
	strvec_init(&b->env_delta);
	strbuf_init(&b->res.tail, 0);
	strbuf_init(&b->res.reason, 0);
	strbuf_init(&b->res.ran_dir, 0);
	strbuf_init(&b->res.ran_log, 0);
	b->cpus = 1;
	b->kill_grace_ms = SPAWN_DEFAULT_GRACE_MS;
	b->res.exit_code = -1;
	b->res.maxrss_kb = -1;
}

void
exec_build_release(struct exec_build *b)
{
	strvec_clear(&b->args);
	strvec_clear(&b->env_delta);
	strbuf_release(&b->res.tail);
	strbuf_release(&b->res.reason);
	strbuf_release(&b->res.ran_dir);
	strbuf_release(&b->res.ran_log);
	if (b->child) {
		spawn_child_release(b->child);
		free(b->child);
	}
	exec_build_init(b);
}

void
exec_result_from_child(struct exec_result *r, const struct spawn_child *c)
{
	const struct rusage *u = &c->rusage;

	r->ran = c->pid > 0;
	r->pid = c->pid;
	r->supervisor = c->supervisor;
	r->exit_code = c->exit_code;
	r->term_signal = c->term_signal;
	r->core_dumped = c->core_dumped;
	r->timed_out = c->timed_out;
	r->cancelled = c->terminated;
	r->start_failed = c->start_failed;
	r->exec_errno = c->exec_errno;
	r->lost = c->lost;
	r->leftovers = c->leftovers;
	r->out_errno = c->out_errno;
	r->wall_us = c->wall_us;
	r->cpu_user_us = (int64_t)u->ru_utime.tv_sec * 1000000 +
			 u->ru_utime.tv_usec;
	r->cpu_sys_us = (int64_t)u->ru_stime.tv_sec * 1000000 +
			u->ru_stime.tv_usec;
	r->cpu_us = r->cpu_user_us + r->cpu_sys_us;
	r->maxrss_kb = u->ru_maxrss > 0 ? u->ru_maxrss : -1;
	r->ended_at_us = c->ended_at_us;
	strbuf_reset(&r->tail);
	strbuf_add(&r->tail, c->tail.buf, c->tail.len);
	strbuf_reset(&r->ran_dir);
	strbuf_add(&r->ran_dir, c->ran_dir.buf, c->ran_dir.len);
	strbuf_reset(&r->ran_log);
	strbuf_add(&r->ran_log, c->ran_log.buf, c->ran_log.len);
}

void
exec_describe(const struct exec_build *b, struct strbuf *sb)
{
	const struct exec_result *r = &b->res;

	if (r->start_failed) {
		strbuf_addstr(sb, "could not be started");
		if (r->exec_errno)
			strbuf_addf(sb, " (%s)", strerror(r->exec_errno));
		return;
	}
	if (!b->done) {
		strbuf_addstr(sb, "has not finished");
		return;
	}
	if (r->lost) {
		if (r->reason.len)
			strbuf_addf(sb, "ended unseen: %s", r->reason.buf);
		else
			strbuf_addf(sb, "ended unseen: its supervisor (process "
					"%d) died without sending the result",
				    (int)r->supervisor);
		return;
	}
	if (r->exit_code >= 0)
		strbuf_addf(sb, "exited with status %d", r->exit_code);
	else if (r->term_signal)
		strbuf_addf(sb, "was terminated by signal %d (%s)%s",
			    r->term_signal, strsignal(r->term_signal),
			    r->core_dumped ? ", core dumped" : "");
	else if (r->reason.len)
		strbuf_addstr(sb, "did not run to its end");
	else
		strbuf_addstr(sb, "ended with an unknown status");
	if (r->timed_out && !b->job_id[0])
		strbuf_addf(sb, " after timing out (%d ms)",
			    b->timeout_s * 1000);
	else if (r->timed_out)
		strbuf_addstr(sb, " after timing out");
	else if (r->cancelled && b->job_id[0] && !b->cancel_asked)
		strbuf_addstr(sb, " after its Slurm job was cancelled");
	else if (r->cancelled)
		strbuf_addstr(sb, " after being asked to stop");
	else if (r->node_failed)
		strbuf_addstr(sb, " after its node failed");
	else if (r->oom)
		strbuf_addstr(sb, " after going over its memory limit");
	if (r->leftovers)
		strbuf_addf(sb,
			    "; %u leftover process(es) in its group were "
			    "killed",
			    r->leftovers);
	if (r->reason.len)
		strbuf_addf(sb, " (%s)", r->reason.buf);
}

void
executor_set_wake_fd(struct executor *ex, int fd)
{
	ex->wake_fd = fd;
}

int
executor_submit(struct executor *ex, struct exec_build **b, size_t n)
{
	return ex->ops->submit(ex, b, n);
}

int
executor_adopt(struct executor *ex, struct exec_build *b)
{
	return ex->ops->adopt(ex, b);
}

int
executor_wait(struct executor *ex, int timeout_ms, struct exec_build **done)
{
	int rc = ex->ops->wait(ex, timeout_ms, done);

	if (rc == EXEC_DONE)
		(*done)->done = true;
	return rc;
}

int
executor_cancel(struct executor *ex, struct exec_build *b)
{
	return ex->ops->cancel(ex, b);
}

size_t
executor_pending(const struct executor *ex)
{
	return ex->ops->pending(ex);
}

long
executor_lookup(struct executor *ex, struct exec_build **b, size_t n)
{
	return ex->ops->lookup && n ? ex->ops->lookup(ex, b, n) : 0;
}

bool
executor_has_room(const struct executor *ex, unsigned cpus)
{
	return ex->ops->has_room ? ex->ops->has_room(ex, cpus) : true;
}

void
executor_load(const struct executor *ex, unsigned *used, unsigned *capacity)
{
	if (ex->ops->load) {
		ex->ops->load(ex, used, capacity);
		return;
	}
	*used = (unsigned)executor_pending(ex);
	*capacity = *used ? *used : 1;
}

void
executor_ack(struct executor *ex, struct exec_build *b)
{
	if (ex->ops->ack) {
		ex->ops->ack(ex, b);
		return;
	}
	/* the record was the status file: recorded now, it goes */
	if (b->status_path && unlink(b->status_path) < 0 && errno != ENOENT)
		log_warning("could not remove \"%s\": %s", b->status_path,
			    strerror(errno));
}

int
executor_supervisor(struct executor *ex, pid_t *pid)
{
	*pid = 0;
	return ex->ops->supervisor ? ex->ops->supervisor(ex, pid) : 0;
}

int
executor_attach(struct executor *ex, pid_t pid, int64_t start_ticks,
		struct strvec *keys)
{
	return ex->ops->attach ? ex->ops->attach(ex, pid, start_ticks, keys)
			       : 0;
}

void
executor_drop(struct executor *ex, const char *key)
{
	if (ex->ops->drop)
		ex->ops->drop(ex, key);
}

int
executor_stop_all(struct executor *ex)
{
	return ex->ops->stop_all ? ex->ops->stop_all(ex) : 0;
}

long
executor_kill_orphans(struct executor *ex, pid_t pgid,
		      const char *const *markers)
{
	return ex->ops->kill_orphans ? ex->ops->kill_orphans(ex, pgid, markers)
				     : 0;
}

void
executor_free(struct executor *ex, bool cancel)
{
	if (ex)
		ex->ops->free(ex, cancel);
}
