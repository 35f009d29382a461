/*
 * test-fsutil.c - removing what recovery sweeps: a directory tree, a
 * plain file, a symbolic link (never what it points to).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "strbuf.h"
#include "unit.h"

static void
touch(const char *dir, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	int fd;

	strbuf_addf(&p, "%s/%s", dir, name);
	fd = open(p.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, "x", 1) == 1);
	close(fd);
	strbuf_release(&p);
}

static bool
exists(const char *dir, const char *name)
{
	struct strbuf p = STRBUF_INIT;
	struct stat st;
	bool r;

	strbuf_addf(&p, "%s/%s", dir, name);
	r = lstat(p.buf, &st) == 0;
	strbuf_release(&p);
	return r;
}

static void
test_remove_tree_kinds(void)
{
	char tmpl[] = "/tmp/cascade-unit-fsutil.XXXXXX";
	char *d = mkdtemp(tmpl);
	struct strbuf p = STRBUF_INIT;

	CU_ASSERT_FATAL(d != NULL);
	touch(d, "file");
	touch(d, "target");
	strbuf_addf(&p, "%s/link", d);
	CU_ASSERT_FATAL(symlink("target", p.buf) == 0);
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/tree", d);
	CU_ASSERT_FATAL(mkdir(p.buf, 0755) == 0);
	touch(p.buf, "inner");
	strbuf_addstr(&p, "/sub");
	CU_ASSERT_FATAL(mkdir(p.buf, 0755) == 0);
	touch(p.buf, "deep");

	/* a plain file (a status file, say) goes */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/file", d);
	fsutil_remove_tree(p.buf);
	CU_ASSERT(!exists(d, "file"));
	/* a link goes, what it points to stays */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/link", d);
	fsutil_remove_tree(p.buf);
	CU_ASSERT(!exists(d, "link"));
	CU_ASSERT(exists(d, "target"));
	/* a tree goes whole */
	strbuf_reset(&p);
	strbuf_addf(&p, "%s/tree", d);
	fsutil_remove_tree(p.buf);
	CU_ASSERT(!exists(d, "tree"));
	/* nothing there: nothing happens */
	fsutil_remove_tree(p.buf);
	CU_ASSERT(exists(d, "target"));

	fsutil_remove_tree(d);
	CU_ASSERT(access(d, F_OK) != 0);
	strbuf_release(&p);
}

void
suite_fsutil(void)
{
	CU_pSuite s = unit_add_suite("fsutil");

	ADD_TEST(s, test_remove_tree_kinds);
}
