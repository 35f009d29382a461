/*
 * sysinfo.h - facts about this host and its processes, from /proc.
 *
 * Used to record who holds the processing flag and to decide whether a
 * recorded holder on this host is provably dead.  Linux only.  Nothing
 * here signals a process (spawn.c alone does that).
 */
#ifndef CASCADE_SYSINFO_H
#define CASCADE_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "strbuf.h"

/* sysinfo_hostname: this host's name into sb (appended). */
void sysinfo_hostname(struct strbuf *sb);
/* sysinfo_username: the effective user's name (or uid) into sb. */
void sysinfo_username(struct strbuf *sb);
/* sysinfo_boot_id: the kernel's boot id into sb; empty if unknown. */
void sysinfo_boot_id(struct strbuf *sb);
/*
 * sysinfo_start_ticks: pid's start time in clock ticks since boot (field
 * 22 of /proc/PID/stat).  Returns 0, or -1 if the process does not exist
 * or is a zombie (nothing reported).
 */
int sysinfo_start_ticks(pid_t pid, int64_t *ticks);

enum sysinfo_liveness {
	SYSINFO_ALIVE,   /* same process still running */
	SYSINFO_DEAD,    /* gone, a zombie, or pid reused by another process */
};

/*
 * sysinfo_process_liveness: is the process recorded as (pid, start_ticks,
 * boot_id) on this host still running?  A different boot id means the
 * host rebooted since: dead.  start_ticks < 0 means unknown: only the
 * pid's existence is checked.
 */
enum sysinfo_liveness sysinfo_process_liveness(pid_t pid, int64_t start_ticks,
					       const char *boot_id);

#endif
