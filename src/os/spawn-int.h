/*
 * spawn-int.h - what spawn.c (children, the pool) and spawn-sup.c (the
 * supervisor) share; not for other modules.
 *
 * spawn.c starts, waits for and kills children and runs the pool;
 * spawn-sup.c is the supervisor process and our side of its socket, for
 * the pool's supervised children (spawn.h: Supervision).
 */
#ifndef CASCADE_SPAWN_INT_H
#define CASCADE_SPAWN_INT_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "spawn.h"

/* spawn.c */
int64_t spawn_now_ns(void);
int spawn_poll_ms(int64_t now, int64_t deadline);
int64_t spawn_earlier(int64_t a, int64_t b);
void spawn_close_fd(int *fd);
int spawn_move_above_stdio(int *fd);
int spawn_cloexec_pipe(int fds[2]);
bool spawn_is_running(const struct spawn_child *c);
void spawn_drain_sigchld(void);
bool spawn_exited_nowait(const struct spawn_child *c);
int spawn_watch_fd(const struct spawn_child *c);
void spawn_reset_results(struct spawn_child *c);
int spawn_start_child(struct spawn_child *c, int out_fd, int err_fd);
void spawn_child_timer(struct spawn_child *c, int64_t now);
int spawn_reap(struct spawn_child *c);
/* in a forked supervisor: forget our SIGCHLD pipe (its fds are closed) */
void spawn_forget_sigchld(void);
/*
 * every signal but those in changed (and SIGCHLD) has its default action
 * in this process, and keeps it: children reset only those before exec
 */
void spawn_signals_changed(const sigset_t *changed);
void spawn_add_running(struct spawn_pool *pool, struct spawn_child *c);
/* running[i] ended: to pool->ended, its slots taken until returned */
void spawn_end_running(struct spawn_pool *pool, size_t i);

/* spawn-sup.c: the pool's side of supervision */

/* send c's start to the pool's supervisor (started on demand) */
int sup_start_child(struct spawn_pool *pool, struct spawn_child *c);
/* ask c's supervisor to stop its program */
void sup_terminate(struct spawn_child *c);
/* forget c (released by the caller): a result not acknowledged is kept */
void sup_release(struct spawn_child *c);
/*
 * the descriptors of the pool's supervisors, appended to *pfd from *n on
 * (grown as needed); then sup_events() reads what came: ended children
 * go to pool->ended, those of a supervisor that died marked lost
 */
void sup_pollfds(struct spawn_pool *pool, struct pollfd **pfd, size_t *n,
		 size_t *alloc);
void sup_events(struct spawn_pool *pool, const struct pollfd *pfd, size_t n);
/* the pool is released: acknowledgements sent, supervisors let go */
void sup_pool_release(struct spawn_pool *pool);
/* a stop of the whole pool: every supervised child asked to stop */
void sup_terminate_all(struct spawn_pool *pool);

#endif
