/*
 * log.c - diagnostics to stderr and an optional log file.
 *
 * Owns the log level, the log file descriptor and the line prefix.  Each
 * line is formatted into one buffer and written with a single write(2), so
 * lines from concurrent processes appending to the same file do not
 * interleave; control characters in a message are escaped (escape.h), so
 * an entry is always exactly one line.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "strbuf.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

static const char *prog = "cascade";
static enum log_level cur_level = LOG_LEVEL_WARNING;
static int file_fd = -1;
/* the log file's and syslog's level; -2: follow cur_level */
static int record_level = -2;
static bool to_syslog;
/* how stderr is read: a log (default), a person, or journald */
static enum { STDERR_LOG, STDERR_TERMINAL, STDERR_JOURNAL } stderr_style;
static long long cur_run;
static char *cur_ctx;

static const char *const level_names[] = {"ERROR", "WARNING", "INFO", "DEBUG"};

void
log_init(const char *progname)
{
	prog = progname;
}

void
log_set_level(enum log_level level)
{
	cur_level = level;
}

enum log_level
log_get_level(void)
{
	return cur_level;
}

int
log_parse_level(const char *s, enum log_level *out)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

int
log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return error("could not open log file \"%s\": %s", path,
			     strerror(errno));
	log_close_file();
	file_fd = fd;
	return 0;
}

void
log_close_file(void)
{
	if (file_fd >= 0)
		close(file_fd);
	file_fd = -1;
}

void
log_set_record_level(enum log_level level)
{
	record_level = (int)level;
}

static int
recorded_level(void)
{
	return record_level == -2 ? (int)cur_level : record_level;
}

void
log_open_syslog(void)
{
	openlog(prog, LOG_PID, LOG_DAEMON);
	to_syslog = true;
}

/*
 * journald reads our stderr when JOURNAL_STREAM names its device and
 * inode (systemd.exec(5)); a person when it is a terminal
 */
void
log_detect_stderr(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	stderr_style = STDERR_LOG;
	if (js && sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		stderr_style = STDERR_JOURNAL;
	else if (isatty(STDERR_FILENO))
		stderr_style = STDERR_TERMINAL;
}

void
log_set_run(long long run_id)
{
	cur_run = run_id;
}

void
log_set_context(const char *ctx)
{
	free(cur_ctx);
	cur_ctx = ctx ? xstrdup(ctx) : NULL;
}

static void
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return; /* nowhere left to report it */
		}
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * The progress line: shown on a terminal only (log_progress_enable),
 * redrawn in place, taken down before any other line is written to
 * stderr and put back after it, so diagnostics never land in it.
 */
static bool progress_on;
static struct strbuf progress_text = STRBUF_INIT;
static bool progress_shown;
static int64_t progress_last_ns;

static void
progress_clear(void)
{
	if (progress_shown)
		write_all(STDERR_FILENO, "\r\033[K", 4);
}

static void
progress_draw(void)
{
	if (progress_shown && progress_text.len) {
		write_all(STDERR_FILENO, "\r", 1);
		write_all(STDERR_FILENO, progress_text.buf, progress_text.len);
		write_all(STDERR_FILENO, "\033[K", 3);
	}
}

void
log_progress_enable(bool on)
{
	progress_on = on;
}

bool
log_progress_enabled(void)
{
	return progress_on;
}

void
log_progress(bool now, const char *fmt, ...)
{
	int64_t t;
	va_list ap;

	if (!progress_on)
		return;
	t = timeutil_mono_ns();
	/* at most five redraws a second: a terminal is slow */
	if (!now && progress_shown && t - progress_last_ns < 200000000)
		return;
	progress_last_ns = t;
	strbuf_reset(&progress_text);
	va_start(ap, fmt);
	strbuf_vaddf(&progress_text, fmt, ap);
	va_end(ap);
	/* one line: a terminal's width is not known here, so keep it short */
	for (size_t i = 0; i < progress_text.len; i++)
		if ((unsigned char)progress_text.buf[i] < 0x20)
			progress_text.buf[i] = ' ';
	fflush(stderr);
	progress_shown = true;
	progress_draw();
}

void
log_progress_end(void)
{
	fflush(stderr);
	progress_clear();
	progress_shown = false;
	strbuf_reset(&progress_text);
}

/* syslog(3) and journald priorities, by level */
static const int level_priority[] = {LOG_ERR, LOG_WARNING, LOG_INFO,
				     LOG_DEBUG};

/*
 * One entry, to every sink that takes its level: stderr (cur_level), in
 * the style of whoever reads it; the log file and syslog (the record
 * level).  One entry is one line, whatever the message holds (a file
 * name with a newline, a server message of several lines): control
 * characters are written \xNN, as escape.h writes names.
 */
static void
emit(enum log_level level, const char *label, const char *fmt, va_list ap)
{
	struct strbuf body = STRBUF_INIT, msg = STRBUF_INIT,
		      line = STRBUF_INIT;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	int saved = errno;
	bool err = (int)level <= (int)cur_level,
	     rec = (int)level <= recorded_level() && (file_fd >= 0 || to_syslog);

	if (!err && !rec)
		return;
	strbuf_vaddf(&msg, fmt, ap);
	strbuf_rtrim(&msg);
	if (cur_run)
		strbuf_addf(&body, "run=%lld ", cur_run);
	if (cur_ctx)
		strbuf_addf(&body, "%s ", cur_ctx);
	strbuf_addf(&body, "%s: ", label);
	escape_name(&body, msg.buf, msg.len, ESCAPE_KEEP_BACKSLASH);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strbuf_addf(&line, "%s %s[%ld] %s\n", ts, prog, (long)getpid(),
		    body.buf);
	if (err) {
		struct strbuf out = STRBUF_INIT;

		if (stderr_style == STDERR_JOURNAL) {
			/* journald adds the time, the name and the pid */
			strbuf_addf(&out, "<%d>%s\n", level_priority[level],
				    body.buf);
		} else if (stderr_style == STDERR_TERMINAL) {
			/*
			 * a person: "cascade: MESSAGE" for errors, so that a
			 * FILE:LINE:COL starts where an editor looks for it
			 */
			if (!strcmp(label, "WARNING"))
				strbuf_addf(&out, "%s: warning: ", prog);
			else if (!strcmp(label, "DEBUG"))
				strbuf_addf(&out, "%s: debug: ", prog);
			else if (!strcmp(label, "ERROR") ||
				 !strcmp(label, "INFO"))
				strbuf_addf(&out, "%s: ", prog);
			else
				strbuf_addf(&out, "%s: ", label);
			escape_name(&out, msg.buf, msg.len,
				    ESCAPE_KEEP_BACKSLASH);
			strbuf_addch(&out, '\n');
		} else {
			strbuf_add(&out, line.buf, line.len);
		}
		fflush(stderr);
		progress_clear();
		write_all(STDERR_FILENO, out.buf, out.len);
		progress_draw();
		strbuf_release(&out);
	}
	if (rec && file_fd >= 0)
		write_all(file_fd, line.buf, line.len);
	if (rec && to_syslog)
		syslog(level_priority[level], "%s", body.buf);
	strbuf_release(&msg);
	strbuf_release(&body);
	strbuf_release(&line);
	errno = saved;
}

static enum log_level last_level = LOG_LEVEL_ERROR;

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	last_level = level;
	emit(level, level_names[level], fmt, ap);
}

#define DEFINE_LOGGER(name, level)                                           \
	void name(const char *fmt, ...)                                      \
	{                                                                    \
		va_list ap;                                                  \
		va_start(ap, fmt);                                           \
		log_vmsg(level, fmt, ap);                                    \
		va_end(ap);                                                  \
	}

DEFINE_LOGGER(log_error, LOG_LEVEL_ERROR)
DEFINE_LOGGER(log_warning, LOG_LEVEL_WARNING)
DEFINE_LOGGER(log_info, LOG_LEVEL_INFO)
DEFINE_LOGGER(log_debug_impl, LOG_LEVEL_DEBUG)

static void
continuation(const char *label, const char *fmt, va_list ap)
{
	/* a detail belongs to the message before it: same visibility */
	emit(last_level, label, fmt, ap);
}

void
log_detail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	continuation("DETAIL", fmt, ap);
	va_end(ap);
}

void
log_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	continuation("HINT", fmt, ap);
	va_end(ap);
}

int
error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	return -1;
}

void
die(int exit_code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(exit_code);
}

void
bug_fl(const char *file, int line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	strbuf_addf(&sb, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	log_error("%s", sb.buf);
	strbuf_release(&sb);
	abort();
}
