/*
 * fault.c - fault injection points (see fault.h).
 */
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "banned.h"

#define MAX_POINTS 16

static bool loaded;
static int n_points;
static struct point {
	char name[64];
	enum { ACT_KILL, ACT_PAUSE, ACT_FAIL } action;
	long nth;
	long hits;
} points[MAX_POINTS];

static void
load(void)
{
	const char *env = getenv("CASCADE_FAULT");

	loaded = true;
	while (env && *env && n_points < MAX_POINTS) {
		size_t len = strcspn(env, ",");
		struct point *p = &points[n_points];
		size_t nlen = strcspn(env, ":@,");
		const char *rest = env + nlen;

		if (nlen >= sizeof(p->name))
			nlen = sizeof(p->name) - 1;
		memcpy(p->name, env, nlen);
		p->name[nlen] = '\0';
		p->nth = 1;
		/* ":ACTION" and "@N", in either order */
		while (*rest == ':' || *rest == '@') {
			if (*rest == ':')
				p->action = !strncmp(rest + 1, "pause", 5)
						    ? ACT_PAUSE
					    : !strncmp(rest + 1, "fail", 4)
						    ? ACT_FAIL
						    : ACT_KILL;
			else
				p->nth = strtol(rest + 1, NULL, 10);
			rest += 1 + strcspn(rest + 1, ":@,");
		}
		n_points++;
		env += len;
		if (*env == ',')
			env++;
	}
}

static void
pause_here(const char *name)
{
	const char *fifo = getenv("CASCADE_FAULT_FIFO");
	char buf[64];
	int fd;

	if (!fifo) {
		log_error("fault point \"%s\": CASCADE_FAULT_FIFO is not set",
			  name);
		return;
	}
	fd = open(fifo, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error("fault point \"%s\": could not open \"%s\": %s",
			  name, fifo, strerror(errno));
		return;
	}
	while (read(fd, buf, sizeof(buf)) > 0 || errno == EINTR)
		errno = 0;
	close(fd);
}

void
fault_point(const char *name)
{
	if (!loaded)
		load();
	for (int i = 0; i < n_points; i++) {
		struct point *p = &points[i];

		if (p->action == ACT_FAIL || strcmp(p->name, name) ||
		    ++p->hits != p->nth)
			continue;
		if (p->action == ACT_PAUSE)
			pause_here(name);
		else
			raise(SIGKILL);
	}
}

bool
fault_fail(const char *name)
{
	if (!loaded)
		load();
	for (int i = 0; i < n_points; i++) {
		struct point *p = &points[i];

		if (p->action != ACT_FAIL || strcmp(p->name, name) ||
		    ++p->hits != p->nth)
			continue;
		errno = EIO;
		return true;
	}
	return false;
}

void
fault_reset(void)
{
	memset(points, 0, sizeof(points));
	n_points = 0;
	loaded = false;
}
