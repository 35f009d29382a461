/*
 * sysinfo.c - host and process facts read from /proc.
 */
#include "sysinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

void
sysinfo_hostname(struct strbuf *sb)
{
	char buf[256];

	if (gethostname(buf, sizeof(buf)) != 0)
		buf[0] = '\0';
	buf[sizeof(buf) - 1] = '\0';
	strbuf_addstr(sb, buf[0] ? buf : "localhost");
}

void
sysinfo_username(struct strbuf *sb)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw && pw->pw_name)
		strbuf_addstr(sb, pw->pw_name);
	else
		strbuf_addf(sb, "uid%ld", (long)geteuid());
}

static int
read_small_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do {
		n = read(fd, buf, size - 1);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

void
sysinfo_boot_id(struct strbuf *sb)
{
	char buf[128];
	size_t start = sb->len;

	if (read_small_file("/proc/sys/kernel/random/boot_id", buf,
			    sizeof(buf)) == 0) {
		strbuf_addstr(sb, buf);
		while (sb->len > start && (sb->buf[sb->len - 1] == '\n' ||
					   sb->buf[sb->len - 1] == ' '))
			strbuf_setlen(sb, sb->len - 1);
	}
}

int
sysinfo_start_ticks(pid_t pid, int64_t *ticks)
{
	char path[64], buf[1024];
	const char *p;
	int field;
	char state;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (read_small_file(path, buf, sizeof(buf)))
		return -1;
	/* the command name may contain spaces and ')': skip to the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	p += 2;
	state = *p;
	if (state == 'Z' || state == 'X' || state == 'x')
		return -1;
	/* p is at field 3 (state); starttime is field 22 */
	for (field = 3; field < 22 && *p; p++)
		if (*p == ' ')
			field++;
	if (field != 22)
		return -1;
	*ticks = strtoll(p, NULL, 10);
	return 0;
}

enum sysinfo_liveness
sysinfo_process_liveness(pid_t pid, int64_t start_ticks, const char *boot_id)
{
	struct strbuf me = STRBUF_INIT;
	int64_t now_ticks;
	bool rebooted;

	sysinfo_boot_id(&me);
	rebooted = boot_id && *boot_id && me.len && strcmp(me.buf, boot_id);
	strbuf_release(&me);
	if (rebooted)
		return SYSINFO_DEAD;
	if (sysinfo_start_ticks(pid, &now_ticks))
		return SYSINFO_DEAD;
	if (start_ticks >= 0 && now_ticks != start_ticks)
		return SYSINFO_DEAD; /* pid reused */
	return SYSINFO_ALIVE;
}
