/*
 * executor-local.c - the local executor: builds run on this host, in the
 * slots of a spawn pool, under the pool's supervisor (spawn.h).
 *
 * Each build gets a spawn child (b->child, freed with the build), which
 * borrows the build's argv and environment while it is started: the
 * supervisor has them once spawn_pool_start() returns.  The executor
 * keeps the builds it has (submitted or adopted, not yet returned) in a
 * list, so that a stop can give each its result.  Nothing here decides
 * what a result means.
 */
#include "executor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "executor-int.h"
#include "log.h"
#include "spawn.h"
#include "xalloc.h"
#include "banned.h"

struct local_ex {
	struct executor base;
	struct spawn_pool pool;
	/* the builds submitted or adopted, not yet returned */
	struct exec_build **own;
	size_t n_own, alloc_own;
};

static void
own_add(struct local_ex *l, struct exec_build *b)
{
	ALLOC_GROW(l->own, l->n_own + 1, l->alloc_own);
	b->index = (unsigned)l->n_own;
	l->own[l->n_own++] = b;
}

static void
own_del(struct local_ex *l, struct exec_build *b)
{
	size_t i = b->index;

	if (i >= l->n_own || l->own[i] != b)
		BUG("build %lld is not the local executor's",
		    (long long)b->build_id);
	l->own[i] = l->own[--l->n_own];
	l->own[i]->index = (unsigned)i;
}

/* b's child, made on first use, set up from b */
static struct spawn_child *
child_of(struct exec_build *b)
{
	struct spawn_child *c = b->child;

	if (!c) {
		c = xmalloc(sizeof(*c));
		spawn_child_init(c);
		b->child = c;
	}
	c->dir = b->dir;
	c->out_path = b->log_path;
	c->status_path = b->status_path;
	c->out_limit = b->out_limit;
	c->timeout_ms = b->timeout_s * 1000;
	c->kill_grace_ms = b->kill_grace_ms;
	c->weight = b->cpus ? b->cpus : 1;
	c->data = b;
	return c;
}

/* b ended (its child DONE): its result, and it is the caller's again */
static void
local_done(struct exec_build *b)
{
	exec_result_from_child(&b->res, b->child);
	b->done = true;
}

static void
swap_strvec(struct strvec *a, struct strvec *b)
{
	struct strvec t = *a;

	*a = *b;
	*b = t;
}

static int
local_submit(struct executor *e, struct exec_build **v, size_t n)
{
	struct local_ex *l = (struct local_ex *)e;

	for (size_t i = 0; i < n; i++) {
		struct exec_build *b = v[i];
		struct spawn_child *c = child_of(b);
		int rc, err;

		b->done = false;
		if (!spawn_pool_has_room(&l->pool, c->weight)) {
			/* queued: the child keeps copies until it starts */
			strvec_clear(&c->args);
			strvec_clear(&c->env_delta);
			for (size_t k = 0; k < b->args.nr; k++)
				strvec_push(&c->args, b->args.v[k]);
			for (size_t k = 0; k < b->env_delta.nr; k++)
				strvec_push(&c->env_delta, b->env_delta.v[k]);
			spawn_pool_add(&l->pool, c);
			own_add(l, b);
			continue;
		}
		/* started now: the supervisor has them once it returns */
		swap_strvec(&c->args, &b->args);
		swap_strvec(&c->env_delta, &b->env_delta);
		rc = spawn_pool_start(&l->pool, c);
		err = errno;
		swap_strvec(&c->args, &b->args);
		swap_strvec(&c->env_delta, &b->env_delta);
		if (rc) {
			errno = err;
			return -1;
		}
		b->supervisor = c->supervisor;
		own_add(l, b);
	}
	return 0;
}

static int
local_adopt(struct executor *e, struct exec_build *b)
{
	struct local_ex *l = (struct local_ex *)e;
	struct spawn_child *c = child_of(b);
	int rc = spawn_pool_adopt(&l->pool, c);

	b->done = false;
	if (rc == 1) {
		b->supervisor = c->supervisor;
		/* where it runs, as its supervisor says */
		strbuf_reset(&b->res.ran_dir);
		strbuf_add(&b->res.ran_dir, c->ran_dir.buf, c->ran_dir.len);
		strbuf_reset(&b->res.ran_log);
		strbuf_add(&b->res.ran_log, c->ran_log.buf, c->ran_log.len);
		own_add(l, b);
		return 1;
	}
	if (rc == 0) {
		/* no supervisor has it: its result, if one wrote it */
		int rr = spawn_status_read(c);

		if (rr != 1)
			return 0;
	}
	local_done(b);
	return 2;
}

static int
local_wait(struct executor *e, int timeout_ms, struct exec_build **done)
{
	struct local_ex *l = (struct local_ex *)e;
	struct spawn_child *c = NULL;
	int ev;

	*done = NULL;
	l->pool.wake_fd = e->wake_fd;
	ev = spawn_pool_wait(&l->pool, timeout_ms, &c);
	switch (ev) {
	case SPAWN_POOL_DONE:
		*done = c->data;
		own_del(l, *done);
		local_done(*done);
		return EXEC_DONE;
	case SPAWN_POOL_EMPTY:
		return EXEC_EMPTY;
	case SPAWN_POOL_TIMEOUT:
		return EXEC_TIMEOUT;
	case SPAWN_POOL_WAKE:
		return EXEC_WAKE;
	default:
		return -1;
	}
}

static int
local_cancel(struct executor *e, struct exec_build *b)
{
	(void)e;
	if (b->child && !b->done) {
		b->cancel_asked = true;
		spawn_terminate(b->child);
	}
	return 0;
}

static size_t
local_pending(const struct executor *e)
{
	return ((const struct local_ex *)e)->n_own;
}

static bool
local_has_room(const struct executor *e, unsigned cpus)
{
	return spawn_pool_has_room(&((const struct local_ex *)e)->pool,
				   cpus ? cpus : 1);
}

static void
local_load(const struct executor *e, unsigned *used, unsigned *capacity)
{
	const struct local_ex *l = (const struct local_ex *)e;

	/* one sent ahead waits: it takes no slot yet */
	*used = l->pool.used < l->pool.capacity ? l->pool.used
						: l->pool.capacity;
	*capacity = l->pool.capacity;
}

static void
local_ack(struct executor *e, struct exec_build *b)
{
	(void)e;
	if (b->child)
		spawn_ack(b->child);
}

static int
local_supervisor(struct executor *e, pid_t *pid)
{
	return spawn_pool_supervisor(&((struct local_ex *)e)->pool, pid);
}

static int
local_attach(struct executor *e, pid_t pid, int64_t start_ticks,
	     struct strvec *keys)
{
	struct local_ex *l = (struct local_ex *)e;
	struct spawn_held *h = NULL;
	size_t n = 0;
	int rc = spawn_pool_attach(&l->pool, pid, start_ticks, &h, &n);

	for (size_t i = 0; i < n; i++)
		strvec_push(keys, h[i].key);
	spawn_held_free(h, n);
	return rc;
}

static void
local_drop(struct executor *e, const char *key)
{
	spawn_pool_drop(&((struct local_ex *)e)->pool, key);
}

/*
 * every build the pool had: ended (stopped, or its own end) or, if
 * waiting failed and the pool let it go, still running under its
 * supervisor (not done, and no longer ours)
 */
static int
local_stop_all(struct executor *e)
{
	struct local_ex *l = (struct local_ex *)e;
	int rc = spawn_kill_all(&l->pool);

	for (size_t i = 0; i < l->n_own; i++) {
		struct exec_build *b = l->own[i];

		if (b->child->state == SPAWN_STATE_DONE)
			local_done(b);
	}
	l->n_own = 0;
	return rc;
}

static long
local_kill_orphans(struct executor *e, pid_t pgid, const char *const *markers)
{
	(void)e;
	return spawn_kill_orphans(pgid, markers);
}

static void
local_free(struct executor *e, bool cancel)
{
	struct local_ex *l = (struct local_ex *)e;

	if (cancel)
		(void)!spawn_kill_all(&l->pool);
	/* what runs goes on under its supervisor, for a successor */
	spawn_pool_release(&l->pool);
	free(l->own);
	free(l);
}

static const struct executor_ops local_ops = {
	.submit = local_submit,
	.adopt = local_adopt,
	.wait = local_wait,
	.cancel = local_cancel,
	.pending = local_pending,
	.free = local_free,
	.has_room = local_has_room,
	.load = local_load,
	.ack = local_ack,
	.supervisor = local_supervisor,
	.attach = local_attach,
	.drop = local_drop,
	.stop_all = local_stop_all,
	.kill_orphans = local_kill_orphans,
};

struct executor *
executor_local_new(const struct exec_local_options *o)
{
	struct local_ex *l = xcalloc(1, sizeof(*l));

	l->base.ops = &local_ops;
	l->base.wake_fd = -1;
	spawn_pool_init(&l->pool, o->slots ? o->slots : 1);
	/* one build sent ahead: a freed slot starts it at once */
	l->pool.ahead = 1;
	l->pool.sup_log = o->sup_log;
	return &l->base;
}
