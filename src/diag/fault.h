/*
 * fault.h - fault injection points for crash and concurrency tests.
 *
 * A fault point is a named place in the code where a test can make the
 * process die or stop, set through the environment:
 *
 *   CASCADE_FAULT="NAME[:ACTION][@N][,...]"   (":ACTION" and "@N" in
 *                                               either order)
 *
 * ACTION is "kill" (default: SIGKILL ourselves, as a crash would),
 * "pause" (open the FIFO named by CASCADE_FAULT_FIFO for reading and wait
 * for its writer to close it: the test knows we reached the point when
 * its open for writing returns, and releases us by closing) or "fail"
 * (for points tested with fault_fail(): the operation there fails with
 * EIO, as a full or broken disk would make it).  @N fires on
 * the Nth time the point is reached (default the first).  Without
 * CASCADE_FAULT a fault point costs one branch.
 */
#ifndef CASCADE_FAULT_H
#define CASCADE_FAULT_H

#include <stdbool.h>

/* fault_point: act if the environment names this point. */
void fault_point(const char *name);

/*
 * fault_fail: whether the operation at this point is to fail now (action
 * "fail"); then errno is EIO.  Use as "if (fault_fail("x") || op() < 0)".
 */
bool fault_fail(const char *name);

/*
 * fault_reset: forget what CASCADE_FAULT said and the counts, so that the
 * next point reads it again (for tests that change it in-process).
 */
void fault_reset(void);

#endif
