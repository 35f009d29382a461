/*
 * executor.c - the executor interface: builds' life cycle and dispatch
 * to the executor's own operations (executor-slurm.c; local to come).
 */
#include "executor.h"

#include <string.h>

#include "executor-int.h"
#include "banned.h"

void
exec_build_init(struct exec_build *b)
{
	memset(b, 0, sizeof(*b));
	strvec_init(&b->args);
	strvec_init(&b->env_delta);
	strbuf_init(&b->res.tail, 0);
	strbuf_init(&b->res.reason, 0);
	b->cpus = 1;
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
	exec_build_init(b);
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

void
executor_adopt(struct executor *ex, struct exec_build *b)
{
	ex->ops->adopt(ex, b);
}

int
executor_wait(struct executor *ex, int timeout_ms, struct exec_build **done)
{
	return ex->ops->wait(ex, timeout_ms, done);
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

void
executor_free(struct executor *ex, bool cancel)
{
	if (ex)
		ex->ops->free(ex, cancel);
}
