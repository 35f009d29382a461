/*
 * executor-int.h - what the executors share (not for other modules): the
 * table of an executor's operations, which executor.c dispatches to.
 */
#ifndef CASCADE_EXECUTOR_INT_H
#define CASCADE_EXECUTOR_INT_H

#include "executor.h"

struct executor_ops {
	int (*submit)(struct executor *ex, struct exec_build **b, size_t n);
	int (*adopt)(struct executor *ex, struct exec_build *b);
	int (*wait)(struct executor *ex, int timeout_ms,
		    struct exec_build **done);
	int (*cancel)(struct executor *ex, struct exec_build *b);
	size_t (*pending)(const struct executor *ex);
	void (*free)(struct executor *ex, bool cancel);
	/* optional: executor.c's defaults are those of the slurm executor */
	bool (*has_room)(const struct executor *ex, unsigned cpus);
	void (*load)(const struct executor *ex, unsigned *used,
		     unsigned *capacity);
	void (*ack)(struct executor *ex, struct exec_build *b);
	int (*supervisor)(struct executor *ex, pid_t *pid);
	int (*attach)(struct executor *ex, pid_t pid, int64_t start_ticks,
		      struct strvec *keys);
	void (*drop)(struct executor *ex, const char *key);
	int (*stop_all)(struct executor *ex);
	long (*kill_orphans)(struct executor *ex, pid_t pgid,
			     const char *const *markers);
	long (*lookup)(struct executor *ex, struct exec_build **b, size_t n);
};

/* the first member of every executor's own struct */
struct executor {
	const struct executor_ops *ops;
	int wake_fd;
};

#endif
