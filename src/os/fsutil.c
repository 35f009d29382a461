/*
 * fsutil.c - no-overwrite placement of files, directory creation and
 * directory fsync.
 */
/* syncfs(2) is a GNU extension */
#define _GNU_SOURCE
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strvec.h"
#include "xalloc.h"
#include "banned.h"

int
fsutil_mkdir_p(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	int rc = 0;

	strbuf_addstr(&sb, dir);
	for (size_t i = 1; i <= sb.len; i++) {
		if (i < sb.len && sb.buf[i] != '/')
			continue;
		sb.buf[i] = '\0';
		if (mkdir(sb.buf, 0755) != 0 && errno != EEXIST) {
			rc = -1;
			break;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	if (!rc) {
		struct stat st;

		if (stat(dir, &st) != 0)
			rc = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			rc = -1;
		}
	}
	strbuf_release(&sb);
	return rc;
}

int
fsutil_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc, saved;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int
fsutil_sync_dirs(const struct strvec *dirs, const dev_t *known_devs)
{
	dev_t *devs = NULL;
	size_t ndev = 0;
	int rc = 0, saved = 0;

	if (dirs->nr == 1)
		return fsutil_fsync_dir(dirs->v[0]);
	/* one syncfs per file system the directories are on */
	devs = xcalloc(dirs->nr + 1, sizeof(*devs));
	for (size_t i = 0; !rc && i < dirs->nr; i++) {
		struct stat st;
		bool seen = false;
		int fd;

		if (known_devs) {
			st.st_dev = known_devs[i];
		} else if (stat(dirs->v[i], &st) != 0) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < ndev; k++)
			seen |= devs[k] == st.st_dev;
		if (seen)
			continue;
		devs[ndev++] = st.st_dev;
		fd = open(dirs->v[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || syncfs(fd) != 0)
			rc = -1;
		saved = errno;
		if (fd >= 0)
			close(fd);
		errno = saved;
	}
	saved = errno;
	free(devs);
	errno = saved;
	return rc;
}

void
fsutil_empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct strbuf p = STRBUF_INIT;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(&p, "%s/%s", dir, de->d_name);
		if (lstat(p.buf, &st) == 0 && S_ISDIR(st.st_mode))
			fsutil_remove_tree(p.buf);
		else
			unlink(p.buf);
		strbuf_release(&p);
	}
	closedir(d);
}

void
fsutil_remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	fsutil_empty_dir(path);
	rmdir(path);
}

void
fsutil_dirname(const char *path, struct strbuf *sb)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		strbuf_addch(sb, '.');
	else if (slash == path)
		strbuf_addch(sb, '/');
	else
		strbuf_add(sb, path, (size_t)(slash - path));
}

void
fsutil_tmpname(const char *target, struct strbuf *sb)
{
	const char *slash = strrchr(target, '/');

	if (slash)
		strbuf_add(sb, target, (size_t)(slash - target + 1));
	strbuf_addf(sb, ".cascade-tmp.%s", slash ? slash + 1 : target);
}

static int
copy_fd(int in, int out)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf)), w = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		while (w < n) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return -1;
			w += k;
		}
	}
}

/* copy the open file in to a temporary name beside target, then link */
static int
copy_fd_then_link(int in, const char *target)
{
	struct strbuf tmp = STRBUF_INIT;
	int out = -1, rc = -1, saved = 0;
	struct stat st;

	fsutil_tmpname(target, &tmp);
	if (fstat(in, &st) != 0 || lseek(in, 0, SEEK_SET) < 0)
		goto out;
	unlink(tmp.buf); /* a left-over of a killed run */
	out = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		   st.st_mode & 0777);
	if (out < 0)
		goto out;
	if (copy_fd(in, out) || fsync(out) != 0)
		goto out;
	if (close(out) != 0) {
		out = -1;
		goto out;
	}
	out = -1;
	if (link(tmp.buf, target) != 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (out >= 0)
		close(out);
	unlink(tmp.buf);
	strbuf_release(&tmp);
	errno = saved;
	return rc;
}

/* copy the file at source to a temporary name beside target, then link */
static int
copy_then_link(const char *source, const char *target)
{
	int in = open(source, O_RDONLY | O_CLOEXEC), rc, saved;

	if (in < 0)
		return -1;
	rc = copy_fd_then_link(in, target);
	saved = errno;
	close(in);
	errno = saved;
	return rc;
}

int
fsutil_place_fd(int fd, const char *source, const char *target, bool copy)
{
	struct stat a, b;

	if (!copy) {
		if (link(source, target) == 0) {
			if (fstat(fd, &a) == 0 && lstat(target, &b) == 0 &&
			    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
				return 0;
			/* source was replaced since fd was opened */
			unlink(target);
			return 1;
		}
		if (errno != EXDEV && errno != EPERM)
			return -1;
	}
	return copy_fd_then_link(fd, target);
}

/*
 * A broken lease is announced with a signal (SIGIO unless F_SETSIG says
 * otherwise), whose default action ends the process.  We never wait for
 * it (fsutil_lease_intact asks instead), so it is ignored; spawn.c resets
 * every signal to its default in children, so they do not inherit that.
 */
static void
ignore_lease_signal(void)
{
	static bool done;
	struct sigaction sa;

	if (done)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGIO, &sa, NULL);
	done = true;
}

int
fsutil_lease_take(int fd)
{
	ignore_lease_signal();
	if (fcntl(fd, F_SETLEASE, F_RDLCK) == 0)
		return 0;
	if (errno == EAGAIN)
		return 1;
	return -1;
}

bool
fsutil_lease_intact(int fd)
{
	/* a lease being broken already reads as its target, F_UNLCK */
	return fcntl(fd, F_GETLEASE) == F_RDLCK;
}

void
fsutil_lease_release(int fd)
{
	int saved = errno;

	fcntl(fd, F_SETLEASE, F_UNLCK);
	errno = saved;
}

bool
fsutil_same_content_state(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int
fsutil_place(const char *source, const char *target, bool follow_copy)
{
	if (!follow_copy) {
		if (link(source, target) == 0)
			return 0;
		/* EPERM: protected_hardlinks, a file we do not own */
		if (errno != EXDEV && errno != EPERM)
			return -1;
	}
	return copy_then_link(source, target);
}
