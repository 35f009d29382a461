/*
 * test-place.c - the archive placement primitive (place.h): each outcome
 * of place(), the journaled batch step by step, and recovery after a
 * crash at each of the batch's fault points (a child process killed
 * there by CASCADE_FAULT, then the recovery the callers run).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive.h"
#include "fault.h"
#include "fsutil.h"
#include "place.h"
#include "strbuf.h"
#include "unit.h"

/* sha1 of "hello\n" */
#define SHA_HELLO "f572d396fae9206628714fb2ce00f72e94f2258f"

static char root[64];

static void
make_root(void)
{
	snprintf(root, sizeof(root), "/tmp/cascade-test-place.XXXXXX");
	if (!mkdtemp(root))
		CU_FAIL_FATAL("mkdtemp");
}

/* root + "/" + rel, into a static ring of buffers */
static const char *
at(const char *rel)
{
	static struct strbuf ring[8];
	static int k;
	struct strbuf *sb = &ring[k++ % 8];

	strbuf_reset(sb);
	strbuf_addf(sb, "%s/%s", root, rel);
	return sb->buf;
}

static void
write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(content, f);
	fclose(f);
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static bool
has_content(const char *path, const char *sha1)
{
	bool readable;

	return archive_sha1_matches(path, sha1, &readable);
}

static void
drop_root(void)
{
	fsutil_remove_tree(root);
}

static void
set_fault(const char *spec)
{
	if (spec)
		setenv("CASCADE_FAULT", spec, 1);
	else
		unsetenv("CASCADE_FAULT");
	fault_reset();
}

/* -- place() --------------------------------------------------------------- */

static enum place_outcome
place_as(const char *from, const char *to, unsigned flags, const char *sha1,
	 struct place_req *out)
{
	struct place_req req = {.source = from, .target = to, .flags = flags,
				.sha1 = sha1};
	enum place_outcome o = place(&req);

	if (out)
		*out = req;
	return o;
}

static void
test_outcomes(void)
{
	struct place_req req;

	make_root();
	write_file(at("a"), "hello\n");
	write_file(at("c"), "other\n");
	/* a link, its directories made */
	CU_ASSERT_EQUAL(place_as(at("a"), at("x/y/a"), PLACE_MKDIR, NULL, &req),
			PLACE_PLACED);
	CU_ASSERT(archive_same_file(at("a"), at("x/y/a")));
	CU_ASSERT(!req.copied);
	/* again: the same file */
	CU_ASSERT_EQUAL(place_as(at("a"), at("x/y/a"), 0, NULL, NULL),
			PLACE_SAME);
	/* another file is never replaced, unless it has the content asked */
	CU_ASSERT_EQUAL(place_as(at("c"), at("x/y/a"), 0, NULL, &req),
			PLACE_TAKEN);
	CU_ASSERT_EQUAL(req.err, EEXIST);
	CU_ASSERT(archive_same_file(at("a"), at("x/y/a")));
	CU_ASSERT_EQUAL(place_as(at("c"), at("x/y/a"), 0, SHA_HELLO, NULL),
			PLACE_SAME);
	CU_ASSERT(has_content(at("x/y/a"), SHA_HELLO));
	/* ... or the caller says it is a left-over */
	CU_ASSERT_EQUAL(place_as(at("c"), at("x/y/a"), PLACE_REPLACE, NULL,
				 NULL),
			PLACE_PLACED);
	CU_ASSERT(archive_same_file(at("c"), at("x/y/a")));
	/* a copy: the content, another inode, no temporary name left */
	CU_ASSERT_EQUAL(place_as(at("a"), at("x/copy"), PLACE_COPY, NULL, &req),
			PLACE_PLACED);
	CU_ASSERT(req.copied);
	CU_ASSERT(!archive_same_file(at("a"), at("x/copy")));
	CU_ASSERT(has_content(at("x/copy"), SHA_HELLO));
	CU_ASSERT(!exists(at("x/.cascade-tmp.copy")));
	/* no source */
	CU_ASSERT_EQUAL(place_as(at("nothing"), at("x/n"), 0, NULL, &req),
			PLACE_GONE);
	CU_ASSERT(!exists(at("x/n")));
	/* the directory cannot be made: a file is in the way */
	CU_ASSERT_EQUAL(place_as(at("a"), at("c/sub/a"), PLACE_MKDIR, NULL,
				 &req),
			PLACE_ERROR);
	CU_ASSERT(req.in_dir);
	CU_ASSERT_EQUAL(req.err, ENOTDIR);
	drop_root();
}

/* across file systems (where /dev/shm is another one): a copy */
static void
test_other_fs(void)
{
	char other[] = "/dev/shm/cascade-test-place.XXXXXX";
	struct strbuf to = STRBUF_INIT;
	struct place_req req;
	struct stat a, b;

	make_root();
	if (stat(root, &a) != 0 || stat("/dev/shm", &b) != 0 ||
	    a.st_dev == b.st_dev || !mkdtemp(other)) {
		drop_root();
		return;
	}
	write_file(at("a"), "hello\n");
	strbuf_addf(&to, "%s/d/a", other);
	CU_ASSERT_EQUAL(place_as(at("a"), to.buf, PLACE_MKDIR, NULL, &req),
			PLACE_PLACED);
	CU_ASSERT(req.copied);
	CU_ASSERT(has_content(to.buf, SHA_HELLO));
	/* and the copy is never replaced either */
	CU_ASSERT_EQUAL(place_as(at("a"), to.buf, 0, NULL, &req), PLACE_TAKEN);
	CU_ASSERT_EQUAL(place_as(at("a"), to.buf, 0, SHA_HELLO, &req),
			PLACE_SAME);
	fsutil_remove_tree(other);
	strbuf_release(&to);
	drop_root();
}

static void
test_env_errno(void)
{
	static const struct {
		int e;
		bool env;
	} cases[] = {
		{ENOSPC, true}, {EDQUOT, true},	 {EROFS, true},	  {EACCES, true},
		{EPERM, true},	{EIO, true},	 {EMFILE, true},  {ENFILE, true},
		{EEXIST, false}, {ENOENT, false}, {EINVAL, false}, {EXDEV, false},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CU_ASSERT_EQUAL(place_env_errno(cases[i].e), cases[i].env);
	CU_ASSERT_STRING_EQUAL(place_outcome_name(PLACE_TAKEN), "taken");
	CU_ASSERT_STRING_EQUAL(place_outcome_name(PLACE_ENV), "environment");
}

static void
test_checked(void)
{
	struct place_req req;
	struct stat st;
	int wfd, probe, lease;

	make_root();
	write_file(at("in"), "hello\n");
	CU_ASSERT_EQUAL_FATAL(stat(at("in"), &st), 0);
	/* unchanged since read: linked */
	req = (struct place_req){.source = at("in"), .target = at("t1"),
				 .flags = PLACE_CHECKED, .st = &st};
	CU_ASSERT_EQUAL(place(&req), PLACE_PLACED);
	/* written to since it was read: not placed */
	CU_ASSERT_EQUAL_FATAL(stat(at("in"), &st), 0);
	wfd = open(at("in"), O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(wfd >= 0);
	CU_ASSERT_EQUAL(write(wfd, "!", 1), 1);
	close(wfd);
	req = (struct place_req){.source = at("in"), .target = at("t2"),
				 .flags = PLACE_CHECKED, .st = &st};
	CU_ASSERT_EQUAL(place(&req), PLACE_CHANGED);
	CU_ASSERT(!exists(at("t2")));
	CU_ASSERT_EQUAL_FATAL(stat(at("in"), &st), 0);
	/* a copy asked for: copied from the checked descriptor */
	req = (struct place_req){.source = at("in"), .target = at("t3"),
				 .flags = PLACE_CHECKED | PLACE_COPY,
				 .st = &st};
	CU_ASSERT_EQUAL(place(&req), PLACE_PLACED);
	CU_ASSERT(req.copied);
	CU_ASSERT(!archive_same_file(at("in"), at("t3")));
	/* a writer holds it: not placed (where leases exist) */
	probe = open(at("in"), O_RDONLY);
	lease = probe >= 0 ? fsutil_lease_take(probe) : -1;
	if (lease == 0)
		fsutil_lease_release(probe);
	if (probe >= 0)
		close(probe);
	wfd = open(at("in"), O_WRONLY | O_APPEND);
	CU_ASSERT(wfd >= 0);
	req = (struct place_req){.source = at("in"), .target = at("t4"),
				 .flags = PLACE_CHECKED, .st = &st};
	if (lease == 0) {
		CU_ASSERT_EQUAL(place(&req), PLACE_CHANGED);
		CU_ASSERT(!exists(at("t4")));
	}
	if (wfd >= 0)
		close(wfd);
	drop_root();
}

/* fd open on path, under a read lease; -1 where leases are not had */
static int
leased(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fsutil_lease_take(fd) != 0 || fstat(fd, st) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void
test_held(void)
{
	struct place_req req;
	struct stat st, st2;
	int fd, fd2, wfd;

	make_root();
	write_file(at("in"), "hello\n");
	fd = leased(at("in"), &st);
	if (fd < 0) { /* no leases on this file system: nothing to test */
		drop_root();
		return;
	}
	/* held since the read: linked, and the caller keeps its lease */
	req = (struct place_req){.source = at("in"), .target = at("t1"),
				 .flags = PLACE_CHECKED | PLACE_HELD,
				 .st = &st, .fd = fd};
	CU_ASSERT_EQUAL(place(&req), PLACE_PLACED);
	CU_ASSERT(archive_same_file(at("in"), at("t1")));
	CU_ASSERT(!req.copied);
	CU_ASSERT(fsutil_lease_intact(fd));
	/* a writer came (its open held back, the lease broken): not placed */
	errno = 0;
	wfd = open(at("in"), O_WRONLY | O_NONBLOCK);
	CU_ASSERT(wfd < 0 && errno == EWOULDBLOCK);
	if (wfd >= 0)
		close(wfd);
	req = (struct place_req){.source = at("in"), .target = at("t2"),
				 .flags = PLACE_CHECKED | PLACE_HELD,
				 .st = &st, .fd = fd};
	CU_ASSERT_EQUAL(place(&req), PLACE_CHANGED);
	CU_ASSERT(!exists(at("t2")));
	close(fd);
	/* the name is another file since the read: not placed */
	write_file(at("in2"), "hello\n");
	fd2 = leased(at("in2"), &st2);
	CU_ASSERT_FATAL(fd2 >= 0);
	write_file(at("new"), "other\n");
	CU_ASSERT_EQUAL(rename(at("new"), at("in2")), 0);
	req = (struct place_req){.source = at("in2"), .target = at("t3"),
				 .flags = PLACE_CHECKED | PLACE_HELD,
				 .st = &st2, .fd = fd2};
	CU_ASSERT_EQUAL(place(&req), PLACE_CHANGED);
	CU_ASSERT(!exists(at("t3")));
	CU_ASSERT(exists(at("in2")));
	close(fd2);
	drop_root();
}

/* -- the batch -------------------------------------------------------------- */

static const struct place_points test_points = {
	.journaled = "t-journaled",
	.mkdir_fail = "t-mkdir",
	.link_fail = "t-link",
	.placed = "t-placed",
	.sync_fail = "t-sync",
	.before_commit = "t-before-commit",
	.committed = "t-committed",
	.unlinked = "t-unlinked",
};

/*
 * The caller's side of a batch, on files: the journal lists the moves
 * (source target sha1), the commit writes a marker by rename.
 */
static int records;

static int
record_cb(void *arg)
{
	(void)arg;
	records++;
	return 0;
}

static int
commit_cb(void *arg)
{
	const char *marker = arg;
	struct strbuf tmp = STRBUF_INIT;
	int rc;

	strbuf_addf(&tmp, "%s.tmp", marker);
	write_file(tmp.buf, "committed\n");
	rc = rename(tmp.buf, marker);
	strbuf_release(&tmp);
	return rc;
}

static const char *const names[] = {"f1", "f2", "f3"};
static const char *const contents[] = {"hello\n", "other\n", "third\n"};

static void
setup_files(void)
{
	make_root();
	CU_ASSERT_EQUAL(mkdir(at("in"), 0755), 0);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct strbuf p = STRBUF_INIT;

		strbuf_addf(&p, "in/%s", names[i]);
		write_file(at(p.buf), contents[i]);
		strbuf_release(&p);
	}
}

static void
paths_of(size_t i, struct strbuf *src, struct strbuf *dst)
{
	strbuf_reset(src);
	strbuf_reset(dst);
	strbuf_addf(src, "%s/in/%s", root, names[i]);
	strbuf_addf(dst, "%s/arch/%zu/%s", root, i % 2, names[i]);
}

/* run a whole batch of every file; returns what place_batch_commit did */
static int
run_batch(bool finish)
{
	struct place_batch b;
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT;
	void *failed = NULL;
	bool synced;
	int rc;

	place_batch_init(&b, &test_points);
	place_batch_journaled(&b);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct place_req req = {.flags = PLACE_MOVE};

		paths_of(i, &src, &dst);
		req.source = src.buf;
		req.target = dst.buf;
		CU_ASSERT_EQUAL(place_batch_add(&b, &req), PLACE_PLACED);
	}
	rc = place_batch_commit(&b, record_cb, commit_cb,
				(void *)at("committed"), &synced);
	if (rc)
		place_batch_undo(&b);
	else if (finish)
		CU_ASSERT_EQUAL(place_batch_finish(&b, &failed), 0);
	place_batch_release(&b);
	strbuf_release(&src);
	strbuf_release(&dst);
	return rc;
}

/* every file under exactly one name: all at the sources, or all moved */
static void
assert_whole(bool moved)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		paths_of(i, &src, &dst);
		CU_ASSERT_EQUAL(exists(src.buf), !moved);
		CU_ASSERT_EQUAL(exists(dst.buf), moved);
		CU_ASSERT(moved ? exists(dst.buf) : exists(src.buf));
	}
	strbuf_release(&src);
	strbuf_release(&dst);
}

static void
test_batch(void)
{
	records = 0;
	setup_files();
	CU_ASSERT_EQUAL(run_batch(true), 0);
	CU_ASSERT_EQUAL(records, 1);
	CU_ASSERT(exists(at("committed")));
	assert_whole(true);
	drop_root();
}

/* place source as target in a batch of its own sharing known */
static enum place_outcome
shared_batch(struct place_dirs *known, const char *source,
	     const char *target)
{
	struct place_batch b;
	struct place_req req = {.source = source, .target = target};
	enum place_outcome o;
	bool synced;

	place_batch_init(&b, &test_points);
	place_batch_share_dirs(&b, known);
	place_batch_journaled(&b);
	o = place_batch_add(&b, &req);
	CU_ASSERT_EQUAL(place_batch_commit(&b, NULL, NULL, NULL, &synced), 0);
	place_batch_release(&b);
	return o;
}

/*
 * Directories shared across batches: made and stat()ed once, not per
 * batch; one removed meanwhile is made again.
 */
static void
test_batch_shared_dirs(void)
{
	struct place_dirs known;
	struct stat st;

	setup_files();
	place_dirs_init(&known);
	CU_ASSERT_EQUAL(shared_batch(&known, at("in/f1"), at("arch/0/f1")),
			PLACE_PLACED);
	CU_ASSERT_EQUAL_FATAL(known.nr, 1);
	CU_ASSERT_STRING_EQUAL(known.v[0].path, at("arch/0"));
	CU_ASSERT_EQUAL_FATAL(stat(at("arch/0"), &st), 0);
	CU_ASSERT_EQUAL(known.v[0].dev, st.st_dev);
	/* known: the next batch makes no directory (one would fail) */
	set_fault("t-mkdir:fail");
	CU_ASSERT_EQUAL(shared_batch(&known, at("in/f2"), at("arch/0/f2")),
			PLACE_PLACED);
	/* a new one is made, and there the fault is met */
	CU_ASSERT_EQUAL(shared_batch(&known, at("in/f2"), at("arch/1/f2")),
			PLACE_ENV);
	set_fault(NULL);
	CU_ASSERT_EQUAL(known.nr, 1);
	/* removed behind our back: made again, the file placed */
	fsutil_remove_tree(at("arch/0"));
	CU_ASSERT_EQUAL(shared_batch(&known, at("in/f3"), at("arch/0/f3")),
			PLACE_PLACED);
	CU_ASSERT(archive_same_file(at("in/f3"), at("arch/0/f3")));
	CU_ASSERT_EQUAL(known.nr, 1);
	place_dirs_release(&known);
	CU_ASSERT_EQUAL(known.nr, 0);
	drop_root();
}

static void
test_batch_sync_fails(void)
{
	records = 0;
	setup_files();
	set_fault("t-sync:fail");
	CU_ASSERT_EQUAL(run_batch(true), -1);
	set_fault(NULL);
	/* nothing recorded, the new names undone */
	CU_ASSERT_EQUAL(records, 0);
	CU_ASSERT(!exists(at("committed")));
	assert_whole(false);
	drop_root();
}

static void
test_batch_link_fails(void)
{
	struct place_batch b;
	struct place_req req = {.flags = PLACE_MOVE};

	setup_files();
	set_fault("t-link:fail");
	place_batch_init(&b, &test_points);
	place_batch_journaled(&b);
	req.source = at("in/f1");
	req.target = at("arch/f1");
	CU_ASSERT_EQUAL(place_batch_add(&b, &req), PLACE_ENV);
	CU_ASSERT_EQUAL(req.err, EIO);
	CU_ASSERT(!exists(at("arch/f1")));
	place_batch_release(&b);
	set_fault(NULL);
	drop_root();
}

/*
 * The recovery a caller runs after a crash: not committed, every
 * journaled move is undone (place_undo, as ingest); committed, the old
 * names go (place_drop, as move-product's settle).
 */
static void
recover(void)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT;
	bool committed = exists(at("committed"));

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		bool other;

		paths_of(i, &src, &dst);
		if (committed) {
			CU_ASSERT(place_drop(src.buf, dst.buf, NULL, &other) >= 0);
		} else {
			CU_ASSERT(place_undo(src.buf, dst.buf, NULL) !=
				  PLACE_UNDO_ERROR);
		}
	}
	strbuf_release(&src);
	strbuf_release(&dst);
}

/* a batch killed at spec (in a child); true if it died of SIGKILL */
static bool
killed_at(const char *spec)
{
	pid_t pid;
	int st = 0;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		set_fault(spec);
		(void)run_batch(true);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return false;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
}

static void
test_crash_recovery(void)
{
	static const struct {
		const char *spec;
		bool moved; /* after recovery */
	} cases[] = {
		{"t-journaled:kill", false},	 {"t-placed:kill", false},
		{"t-placed:kill@3", false},	 {"t-before-commit:kill", false},
		{"t-committed:kill", true},	 {"t-unlinked:kill", true},
		{"t-unlinked:kill@2", true},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		setup_files();
		CU_ASSERT(killed_at(cases[i].spec));
		recover();
		assert_whole(cases[i].moved);
		/* recovery is idempotent: a second pass changes nothing */
		recover();
		assert_whole(cases[i].moved);
		/* and the next batch does the work (if it is left to do) */
		if (!cases[i].moved) {
			CU_ASSERT_EQUAL(run_batch(true), 0);
			assert_whole(true);
		}
		drop_root();
	}
}

/* place_undo's cases one by one */
static void
test_undo(void)
{
	make_root();
	write_file(at("src"), "hello\n");
	/* linked, not recorded: the new name goes */
	CU_ASSERT_EQUAL(link(at("src"), at("tgt")), 0);
	write_file(at(".cascade-tmp.tgt"), "partial");
	CU_ASSERT_EQUAL(place_undo(at("src"), at("tgt"), SHA_HELLO),
			PLACE_UNDO_REMOVED);
	CU_ASSERT(exists(at("src")) && !exists(at("tgt")));
	CU_ASSERT(!exists(at(".cascade-tmp.tgt")));
	/* nothing left to undo */
	CU_ASSERT_EQUAL(place_undo(at("src"), at("tgt"), SHA_HELLO),
			PLACE_UNDO_NONE);
	/* the source name is gone: put back from the target */
	CU_ASSERT_EQUAL(rename(at("src"), at("tgt")), 0);
	CU_ASSERT_EQUAL(place_undo(at("src"), at("tgt"), SHA_HELLO),
			PLACE_UNDO_RESTORED);
	CU_ASSERT(has_content(at("src"), SHA_HELLO) && !exists(at("tgt")));
	/* a target with other content is not ours */
	write_file(at("tgt"), "other\n");
	CU_ASSERT_EQUAL(place_undo(at("src"), at("tgt"), SHA_HELLO),
			PLACE_UNDO_NONE);
	CU_ASSERT(exists(at("tgt")));
	unlink(at("src"));
	CU_ASSERT_EQUAL(place_undo(at("src"), at("tgt"), SHA_HELLO),
			PLACE_UNDO_LOST);
	CU_ASSERT(exists(at("tgt")));
	drop_root();
}

static void
test_drop(void)
{
	bool other;

	make_root();
	write_file(at("keep"), "hello\n");
	CU_ASSERT_EQUAL(link(at("keep"), at("old")), 0);
	CU_ASSERT_EQUAL(place_drop(at("old"), at("keep"), NULL, &other), 1);
	CU_ASSERT(!other && !exists(at("old")) && exists(at("keep")));
	CU_ASSERT_EQUAL(place_drop(at("old"), at("keep"), NULL, &other), 0);
	CU_ASSERT(!other);
	/* a copy with the recorded content goes; other content stays */
	write_file(at("old"), "hello\n");
	CU_ASSERT_EQUAL(place_drop(at("old"), at("keep"), NULL, &other), 0);
	CU_ASSERT(other && exists(at("old")));
	CU_ASSERT_EQUAL(place_drop(at("old"), at("keep"), SHA_HELLO, &other),
			1);
	CU_ASSERT(!exists(at("old")));
	write_file(at("old"), "other\n");
	CU_ASSERT_EQUAL(place_drop(at("old"), at("keep"), SHA_HELLO, &other),
			0);
	CU_ASSERT(other && exists(at("old")));
	drop_root();
}

void
suite_place(void)
{
	CU_pSuite s = unit_add_suite("place");

	ADD_TEST(s, test_outcomes);
	ADD_TEST(s, test_other_fs);
	ADD_TEST(s, test_env_errno);
	ADD_TEST(s, test_checked);
	ADD_TEST(s, test_held);
	ADD_TEST(s, test_batch);
	ADD_TEST(s, test_batch_shared_dirs);
	ADD_TEST(s, test_batch_sync_fails);
	ADD_TEST(s, test_batch_link_fails);
	ADD_TEST(s, test_crash_recovery);
	ADD_TEST(s, test_undo);
	ADD_TEST(s, test_drop);
}
