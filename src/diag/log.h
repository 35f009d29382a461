/*
 * log.h - diagnostics: levels, PostgreSQL-style messages, log file.
 *
 * Every diagnostic goes through here, to stderr and optionally a log file,
 * as lines of the form
 *
 *   2026-11-22T10:44:03Z cascade[1234] run=42 ERROR: could not open ...
 *
 * Primary output (tables, JSON, summaries asked for) is not a diagnostic
 * and goes to stdout from status.c and cmd-*.c, never through this module.
 *
 * Messages follow PostgreSQL's style: lowercase, no final period, subject
 * quoted.  A detail or hint is a full sentence on its own line, logged
 * with log_detail()/log_hint() right after the primary message.
 *
 * The default level is WARNING, so that a cron run that had nothing to do
 * prints nothing.  Nothing here is async-signal-safe: never log from a
 * signal handler.
 */
#ifndef CASCADE_LOG_H
#define CASCADE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "compat.h"

enum log_level {
	LOG_LEVEL_SILENT = -1, /* nothing at all (unit tests) */
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

/* log_init: set the program name shown in each line (kept, not copied). */
void log_init(const char *progname);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* log_parse_level: "error", "warning", "info" or "debug"; -1 if unknown. */
int log_parse_level(const char *s, enum log_level *out);
/*
 * log_open_file: also append every line to path (created 0644 if missing).
 * Returns 0, or -1 with an error already reported.
 */
int log_open_file(const char *path) CASCADE_MUSTCHECK;
void log_close_file(void);
/*
 * log_set_record_level: the level of the log file and syslog, apart
 * from stderr's (log_set_level); by default they follow stderr's.  So a
 * cron run can mail errors only and keep INFO in its file.
 */
void log_set_record_level(enum log_level level);
/* log_open_syslog: also send entries to syslog(3), facility daemon. */
void log_open_syslog(void);
/*
 * log_detect_stderr: how stderr is read.  journald (JOURNAL_STREAM names
 * it): each line carries its priority as "<N>" and no time or name of
 * its own; a terminal: "cascade: MESSAGE" for errors, "cascade: warning:
 * MESSAGE", "HINT: ..."; else (cron, a file, a pipe) the full log line.
 */
void log_detect_stderr(void);
/* log_set_run: tag every later line with run=<id>; 0 removes the tag. */
void log_set_run(long long run_id);
/*
 * log_set_context: tag every later line with the text ctx (for example
 * "file=abc.dat"), copied; NULL removes it.
 */
void log_set_context(const char *ctx);

/*
 * The progress line of a long command, for people at a terminal: the
 * command enables it (stderr is a terminal, not --quiet, not a cron
 * run); log_progress() then redraws one line on stderr in place, at most
 * five times a second unless now is set, and log_progress_end() takes it
 * down.  Other diagnostics take the line down and put it back around
 * themselves.  Disabled (the default) these do nothing.
 */
void log_progress_enable(bool on);
bool log_progress_enabled(void);
void log_progress(bool now, const char *fmt, ...) CASCADE_PRINTF(2, 3);
void log_progress_end(void);

void log_error(const char *fmt, ...) CASCADE_PRINTF(1, 2);
void log_warning(const char *fmt, ...) CASCADE_PRINTF(1, 2);
void log_info(const char *fmt, ...) CASCADE_PRINTF(1, 2);
void log_debug_impl(const char *fmt, ...) CASCADE_PRINTF(1, 2);
/* log_detail/log_hint: continuation lines for the previous message. */
void log_detail(const char *fmt, ...) CASCADE_PRINTF(1, 2);
void log_hint(const char *fmt, ...) CASCADE_PRINTF(1, 2);
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	CASCADE_PRINTF(2, 0);

#define log_debug(...)                                                       \
	do {                                                                 \
		if (log_get_level() >= LOG_LEVEL_DEBUG)                      \
			log_debug_impl(__VA_ARGS__);                         \
	} while (0)

/* error: log at ERROR and return -1 (git's idiom: return error(...)). */
int error(const char *fmt, ...) CASCADE_PRINTF(1, 2);

/* die: log at ERROR and exit(exit_code).  Only main.c and cmd-*.c use it. */
CASCADE_NORETURN void die(int exit_code, const char *fmt, ...)
	CASCADE_PRINTF(2, 3);

/* BUG: an invariant was violated; log file:line and abort(). */
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)
CASCADE_NORETURN void bug_fl(const char *file, int line, const char *fmt, ...)
	CASCADE_PRINTF(3, 4);

#endif
