/*
 * fault.h - fault injection points for crash and concurrency tests.
 *
 * A fault point is a named place in the code where a test can make the
 * process die or stop, set through the environment:
 *
 *   CASCADE_FAULT="NAME[:ACTION][@N][,...]"   (":ACTION" and "@N" in
 *                                               either order)
 *
 * ACTION is "kill" (default: SIGKILL ourselves, as a crash would) or
 * "pause" (open the FIFO named by CASCADE_FAULT_FIFO for reading and wait
 * for its writer to close it: the test knows we reached the point when
 * its open for writing returns, and releases us by closing).  @N fires on
 * the Nth time the point is reached (default the first).  Without
 * CASCADE_FAULT a fault point costs one branch.
 */
#ifndef CASCADE_FAULT_H
#define CASCADE_FAULT_H

/* fault_point: act if the environment names this point. */
void fault_point(const char *name);

#endif
