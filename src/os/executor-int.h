/*
 * executor-int.h - what the executors share (not for other modules): the
 * table of an executor's operations, which executor.c dispatches to.
 */
#ifndef CASCADE_EXECUTOR_INT_H
#define CASCADE_EXECUTOR_INT_H

#include "executor.h"

struct executor_ops {
	int (*submit)(struct executor *ex, struct exec_build **b, size_t n);
	void (*adopt)(struct executor *ex, struct exec_build *b);
	int (*wait)(struct executor *ex, int timeout_ms,
		    struct exec_build **done);
	int (*cancel)(struct executor *ex, struct exec_build *b);
	size_t (*pending)(const struct executor *ex);
	void (*free)(struct executor *ex, bool cancel);
};

/* the first member of every executor's own struct */
struct executor {
	const struct executor_ops *ops;
	int wake_fd;
};

#endif
