/*
 * archive.c - archive paths of files, the directories products live in,
 * and no-overwrite moves (see archive.h).
 *
 * Owns the rule "rootdir / formatted relative_path / filename": ingest
 * files new files by it and the operators' tools find them by it.
 */
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fnformat.h"
#include "fsutil.h"
#include "log.h"
#include "sha.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

struct archive_entry {
	int id;
	char *name;
	char *relative_path;
	struct fnformat *fmt;
};

struct archive {
	char *rootdir;
	struct archive_entry *e;
	size_t n;
};

static int
cmp_entry(const void *a, const void *b)
{
	const struct archive_entry *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

void
archive_free(struct archive *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		free(a->e[i].name);
		free(a->e[i].relative_path);
		fnformat_free(a->e[i].fmt);
	}
	free(a->e);
	free(a->rootdir);
	free(a);
}

int
archive_new(const char *mission, const char *rootdir,
	    const struct product *p, size_t n, struct archive **out)
{
	return archive_new_moved(mission, rootdir, p, n, 0, NULL, out);
}

int
archive_new_moved(const char *mission, const char *rootdir,
		  const struct product *p, size_t n, int moved_id,
		  const char *moved_rel, struct archive **out)
{
	struct archive *a = xcalloc(1, sizeof(*a));
	size_t len = strlen(rootdir);

	*out = NULL;
	/* "/data/" and "/data" are one rootdir; "/" stays "/" */
	while (len > 1 && rootdir[len - 1] == '/')
		len--;
	a->rootdir = xstrndup(rootdir, len);
	a->e = xcalloc(n + 1, sizeof(*a->e));
	for (size_t i = 0; i < n; i++) {
		struct fnformat_names names = {mission, p[i].satellite,
					       p[i].instrument, p[i].name};
		const char *rel = moved_id && p[i].id == moved_id
					  ? moved_rel
					  : p[i].relative_path;
		struct strbuf err = STRBUF_INIT;

		a->e[i].id = p[i].id;
		a->e[i].name = xstrdup(p[i].name);
		a->e[i].relative_path = xstrdup(rel);
		a->n = i + 1;
		if (fnformat_compile(rel, &names, &a->e[i].fmt, &err)) {
			error("invalid relative_path \"%s\" of product \"%s\": "
			      "%s",
			      rel, p[i].name, err.buf);
			strbuf_release(&err);
			archive_free(a);
			return -1;
		}
		strbuf_release(&err);
	}
	qsort(a->e, a->n, sizeof(*a->e), cmp_entry);
	*out = a;
	return 0;
}

static const struct archive_entry *
find_entry(const struct archive *a, int id)
{
	struct archive_entry key = {id, NULL, NULL, NULL};

	return bsearch(&key, a->e, a->n, sizeof(*a->e), cmp_entry);
}

/* a path component that would leave (or not name) its directory */
static bool
bad_component(const char *s, size_t len)
{
	return len == 0 || (len == 1 && s[0] == '.') ||
	       (len == 2 && s[0] == '.' && s[1] == '.');
}

/* every '/'-separated component of s (len bytes) is an ordinary name */
static bool
components_ok(const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '/')
			continue;
		if (bad_component(s + start, i - start))
			return false;
		start = i + 1;
	}
	return true;
}

int
archive_path(const struct archive *a, const struct archive_file *f,
	     struct strbuf *out, struct strbuf *err)
{
	const struct archive_entry *e = find_entry(a, f->product_id);
	struct fnformat_values v = {0};
	struct strbuf rel = STRBUF_INIT;
	size_t flen = strlen(f->filename);

	if (!e) {
		strbuf_addf(err, "unknown product id %d", f->product_id);
		return -1;
	}
	if (!flen || memchr(f->filename, '/', flen) ||
	    bad_component(f->filename, flen)) {
		strbuf_addf(err, "\"%s\" is not a plain file name",
			    f->filename);
		return -1;
	}
	v.has_date = f->has_date;
	v.date = f->date;
	/* time-of-day fields: the start, counted from the date */
	v.time_usec = f->has_date ? f->start_usec - f->date * USEC_PER_DAY
				  : f->start_usec;
	v.version = &f->version;
	v.keywords = f->keywords;
	if (fnformat_format(e->fmt, &v, &rel, err)) {
		strbuf_release(&rel);
		return -1;
	}
	if (rel.len && (rel.buf[0] == '/' || !components_ok(rel.buf, rel.len))) {
		strbuf_addf(err, "directory \"%s\" of product \"%s\" would "
				 "leave the archive",
			    rel.buf, e->name);
		strbuf_release(&rel);
		return -1;
	}
	strbuf_addstr(out, a->rootdir);
	if (rel.len) {
		if (out->len && out->buf[out->len - 1] != '/')
			strbuf_addch(out, '/');
		strbuf_addstr(out, rel.buf);
	}
	if (out->len && out->buf[out->len - 1] != '/')
		strbuf_addch(out, '/');
	strbuf_addstr(out, f->filename);
	strbuf_release(&rel);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void
archive_roots(const struct archive *a, int product_id, struct strvec *roots)
{
	struct strvec all = STRVEC_INIT;
	const char **v;

	for (size_t i = 0; i < a->n; i++) {
		const char *rel = a->e[i].relative_path;
		struct strbuf sb = STRBUF_INIT;
		size_t start = 0, keep = 0, len = strlen(rel);

		if (product_id && a->e[i].id != product_id)
			continue;
		/* the leading components without fields */
		for (size_t k = 0; k <= len; k++) {
			if (k < len && rel[k] != '/')
				continue;
			if (memchr(rel + start, '{', k - start) ||
			    memchr(rel + start, '}', k - start) ||
			    bad_component(rel + start, k - start))
				break;
			keep = k;
			start = k + 1;
		}
		strbuf_addstr(&sb, a->rootdir);
		if (keep) {
			if (sb.buf[sb.len - 1] != '/')
				strbuf_addch(&sb, '/');
			strbuf_add(&sb, rel, keep);
		}
		strvec_push(&all, sb.buf);
		strbuf_release(&sb);
	}
	v = xcalloc(all.nr + 1, sizeof(*v));
	memcpy(v, all.v, all.nr * sizeof(*v));
	qsort(v, all.nr, sizeof(*v), cmp_str);
	/* sorted, a directory comes right before the ones inside it */
	for (size_t i = 0, last = 0; i < all.nr; i++) {
		if (i > 0) {
			const char *p = v[last];
			size_t pl = strlen(p);

			if (!strcmp(p, v[i]) ||
			    (!strncmp(p, v[i], pl) &&
			     (v[i][pl] == '/' || (pl && p[pl - 1] == '/'))))
				continue;
		}
		strvec_push(roots, v[i]);
		last = i;
	}
	free(v);
	strvec_clear(&all);
}

bool
archive_relative_path_ok(const char *rel, struct strbuf *err)
{
	struct fnformat *f = NULL;
	size_t len = strlen(rel);

	if (!len) {
		strbuf_addstr(err, "the directory is empty");
		return false;
	}
	if (rel[0] == '/') {
		strbuf_addf(err, "\"%s\" is absolute: a relative_path is under "
				 "the mission's rootdir",
			    rel);
		return false;
	}
	if (!components_ok(rel, len)) {
		strbuf_addf(err, "\"%s\" has an empty, \".\" or \"..\" "
				 "component",
			    rel);
		return false;
	}
	if (fnformat_compile(rel, NULL, &f, err))
		return false;
	fnformat_free(f);
	return true;
}

bool
archive_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return lstat(a, &sa) == 0 && lstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool
archive_sha1_matches(const char *path, const char *sha1, bool *readable)
{
	char h[SHA1_HEX_LEN];
	int64_t size;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	bool ok;

	*readable = false;
	if (fd < 0)
		return false;
	if (sha_fd(fd, h, NULL, &size) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return false;
	}
	close(fd);
	*readable = true;
	ok = sha1 && !strcmp(h, sha1);
	return ok;
}
