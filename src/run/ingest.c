/*
 * ingest.c - incoming directory -> archive, journaled (see ingest.h).
 *
 * Owns the order of file system effects and commits that makes ingest
 * crash-safe, the decisions (archive, duplicate, reject and why, or leave
 * for later), what counts as a complete file, the isolation of a file
 * the database refuses, and the error directory's naming.
 * Identification is identify.c's, checksums sha.c's, archive paths
 * archive.c's, SQL store-ingest.c's, the printable form of names
 * escape.c's.
 */
#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "catalog.h"
#include "db.h"
#include "escape.h"
#include "fault.h"
#include "fsutil.h"
#include "identify.h"
#include "ingest-rules.h"
#include "log.h"
#include "period.h"
#include "place.h"
#include "sha.h"
#include "store.h"
#include "store-orbit.h"
#include "strvec.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

enum item_action {
	ITEM_ARCHIVE,
	ITEM_DUPLICATE, /* identical content already archived: drop ours */
	ITEM_LEFTOVER,  /* a committed run's incoming link: drop it */
	ITEM_REJECT,
	ITEM_SKIP,      /* vanished, incomplete, or not placed: left */
};

/* What prepare_item decided; every attempt at the batch starts from it. */
struct verdict {
	enum item_action action;
	const char *kind;
	char *reason;
	char *target;
};

struct item {
	char *name;            /* the name's bytes */
	char *shown;           /* its escaped form: logs, failure rows */
	char *src;
	enum item_action action;
	bool copy;             /* copy the content (a symlink, or no lease) */
	bool ascii;            /* shown with ESCAPE_ASCII */
	unsigned char dtype;   /* from readdir: DT_UNKNOWN if not known */
	nlink_t lnlink;        /* links of the name, when prepared */
	int fd;                /* held under its read lease (hold), or -1 */
	struct stat st;        /* the content as it was read */
	char sha1[SHA1_HEX_LEN];
	char sha256[SHA256_HEX_LEN];
	int64_t size;
	struct identify_result id;
	int64_t period_number; /* its hour or orbit (file.period_number) */
	bool orbit_of_table;   /* ... an orbit the table gave (by its start) */
	bool to_identify;      /* read, waiting for identify_batch */
	char *target;          /* archive or error-directory path */
	const char *kind;      /* reject kind */
	struct strbuf reason;  /* reject reason */
	int64_t journal_id;
	bool placed;           /* this attempt gave it its target name */
	struct verdict prep;
	char *db_error;        /* the server refused this file alone: why */
};

/* Entries of incoming that were not taken, for one line each per run. */
enum tally_kind {
	TALLY_WRITING, /* still being written: left for the next run */
	TALLY_HIDDEN,  /* .NAME, NAME.part, NAME.tmp: deliveries in progress */
	TALLY_DIR,     /* directories */
	TALLY_N
};
#define TALLY_EXAMPLES 3

struct tally {
	long n;
	struct strvec examples; /* the first few names (sorted), escaped */
};

struct ingest_state {
	struct db *db;
	const struct catalog *cat; /* products, where their files go */
	const struct mission *m;  /* cat->mission */
	const struct ingest_options *opt;
	struct ingest_counts *counts;
	struct identify_set *ids; /* the matchers, and this run's inspectors */
	struct strvec done;       /* sorted: names not to look at again */
	struct tally tally[TALLY_N];
	bool hold;                /* may files be held from read to link */
	size_t held, held_max;    /* held in this batch, and at most */
	int pass;                 /* 0 for the first pass over incoming */
	long total;               /* files found, for the progress line */
	bool counted;             /* total is known (a progress line) */
	int64_t t0_ns;            /* start (timeutil_mono_ns), for the rate */
	struct strbuf data_error; /* the server's refusal of the last attempt */
	struct place_dirs dirs;   /* archive directories known to exist */
};

static void
verdict_release(struct verdict *v)
{
	free(v->reason);
	free(v->target);
	memset(v, 0, sizeof(*v));
}

static void
item_release(struct item *it)
{
	if (it->fd >= 0)
		close(it->fd); /* and its lease */
	free(it->name);
	free(it->shown);
	free(it->src);
	free(it->target);
	free(it->db_error);
	identify_result_release(&it->id);
	strbuf_release(&it->reason);
	verdict_release(&it->prep);
}

/*
 * Make it a reject.  The reason is text for people and for a text
 * column: whatever went into it (an inspector's output, say), control
 * characters and bytes that are not UTF-8 come out \xNN (escape.h).
 */
CASCADE_PRINTF(3, 4)
static void
reject(struct item *it, const char *kind, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	it->action = ITEM_REJECT;
	it->kind = kind;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_reset(&it->reason);
	escape_name(&it->reason, sb.buf, sb.len, ESCAPE_KEEP_BACKSLASH);
	strbuf_release(&sb);
}

/* a path as journal rows, failure rows and log lines hold it */
static char *
shown_path(const char *path, bool ascii)
{
	struct strbuf sb = STRBUF_INIT;

	escape_name(&sb, path, strlen(path), ascii ? ESCAPE_ASCII : 0);
	return strbuf_detach(&sb, NULL);
}

/* the path a journal or failure row names (rows before escaping: as is) */
static char *
stored_path(const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	if (escape_unname(&sb, text))
		strbuf_addstr(&sb, text);
	return strbuf_detach(&sb, NULL);
}

/* -- the names of this run -------------------------------------------- */

static bool
done_find(const struct ingest_state *s, const char *name, size_t *at)
{
	size_t lo = 0, hi = s->done.nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->done.v[mid], name);

		if (c == 0) {
			*at = mid;
			return true;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return false;
}

/* name is not to be looked at again in this run; false if it was known */
static bool
done_add(struct ingest_state *s, const char *name)
{
	size_t at;

	if (done_find(s, name, &at))
		return false;
	strvec_push(&s->done, name);
	{
		const char *added = s->done.v[s->done.nr - 1];

		memmove(&s->done.v[at + 1], &s->done.v[at],
			(s->done.nr - 1 - at) * sizeof(*s->done.v));
		s->done.v[at] = added;
	}
	return true;
}

static bool
done_has(const struct ingest_state *s, const char *name)
{
	size_t at;

	return done_find(s, name, &at);
}

/* count name under k, keeping the first few names in order as examples */
static void
tally(struct ingest_state *s, enum tally_kind k, const char *name)
{
	struct tally *t = &s->tally[k];
	char *shown = escape_str(name);
	size_t at = t->examples.nr;

	t->n++;
	while (at > 0 && strcmp(t->examples.v[at - 1], shown) > 0)
		at--;
	if (at >= TALLY_EXAMPLES) {
		free(shown);
		return;
	}
	strvec_push_nodup(&t->examples, shown);
	memmove(&t->examples.v[at + 1], &t->examples.v[at],
		(t->examples.nr - 1 - at) * sizeof(*t->examples.v));
	t->examples.v[at] = shown;
	if (t->examples.nr > TALLY_EXAMPLES)
		strvec_pop(&t->examples);
}

/* one line per kind of entry left in incoming */
static void
report_tallies(struct ingest_state *s)
{
	static const char *const what[TALLY_N] = {
		[TALLY_WRITING] = "still being written, left for the next run",
		[TALLY_HIDDEN] = "named as deliveries in progress (.NAME, "
				 "NAME.part, NAME.tmp), not taken",
		[TALLY_DIR] = "directories, ignored: incoming should hold files "
			      "only",
	};

	for (int k = 0; k < TALLY_N; k++) {
		struct tally *t = &s->tally[k];
		struct strbuf names = STRBUF_INIT;

		if (!t->n)
			continue;
		for (size_t i = 0; i < t->examples.nr; i++)
			strbuf_addf(&names, "%s\"%s\"", i ? ", " : "",
				    t->examples.v[i]);
		if (t->n > (long)t->examples.nr)
			strbuf_addstr(&names, ", ...");
		if (k == TALLY_DIR)
			log_warning("incoming: %ld %s: %s", t->n, what[k],
				    names.buf);
		else
			log_info("incoming: %ld %s: %s", t->n, what[k],
				 names.buf);
		strbuf_release(&names);
	}
}

/* the item is incomplete: leave it, and do not look at it again */
static void
still_writing(struct ingest_state *s, struct item *it)
{
	it->action = ITEM_SKIP;
	if (done_add(s, it->name)) {
		tally(s, TALLY_WRITING, it->name);
		s->counts->writing++;
	}
}

/* -- recovery ----------------------------------------------------------- */

/* path is a regular file (not followed) with SHA-1 sha1 */
static bool
has_sha1(const char *path, const char *sha1)
{
	bool readable;

	return archive_sha1_matches(path, sha1, &readable);
}

int
ingest_recover(struct db *db, struct ingest_counts *counts)
{
	struct store_journal_entry *e = NULL;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc;

	if ((rc = store_journal_list(db, &e, &n)) || n == 0)
		goto out;
	ids = xcalloc(n, sizeof(*ids));
	for (size_t i = 0; i < n; i++) {
		char *src = stored_path(e[i].source);
		char *tgt = stored_path(e[i].target);

		ids[i] = e[i].id;
		switch (place_undo(src, tgt, e[i].sha1)) {
		case PLACE_UNDO_ERROR:
			rc = error("could not move \"%s\" back to \"%s\" while "
				   "recovering an interrupted ingest: %s",
				   e[i].target, e[i].source, strerror(errno));
			break;
		case PLACE_UNDO_LOST:
			log_warning("interrupted ingest of \"%s\": the file is "
				    "in neither incoming nor \"%s\"",
				    e[i].source, e[i].target);
			break;
		default:
			break;
		}
		free(src);
		free(tgt);
		if (rc)
			goto out;
		counts->recovered++;
	}
	if ((rc = db_begin(db)) || (rc = store_journal_delete(db, ids, n)) ||
	    (rc = db_commit(db)))
		goto out;
	log_warning("recovered %zu moves of an interrupted ingest: the files "
		    "are back in incoming",
		    n);
out:
	db_rollback(db);
	store_journal_free(e, n);
	free(ids);
	return rc;
}

/* -- preparing a batch -------------------------------------------------- */

/*
 * Whether files are held from their read to their link (see hold()): not
 * when an inspector reads them (one that opened a file for writing would
 * wait for our lease), and not more than the descriptors allow.
 */
static int
state_init(struct ingest_state *s)
{
	struct rlimit rl;

	s->ids = catalog_identify(s->cat);
	s->hold = !identify_reads_files(s->ids);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		s->held_max = rl.rlim_cur > 256 ? (rl.rlim_cur - 128) / 2 : 0;
	else
		s->held_max = 4096;
	return 0;
}

static void
state_release(struct ingest_state *s)
{
	/* one line per failing inspector */
	identify_report_failures(s->ids);
	identify_set_free(s->ids);
	s->ids = NULL;
	strvec_clear(&s->done);
	for (int k = 0; k < TALLY_N; k++)
		strvec_clear(&s->tally[k].examples);
	strbuf_release(&s->data_error);
	place_dirs_release(&s->dirs);
}

/*
 * Where no lease can be had: the file changed less than run.settle ago
 * (or its clock is that far ahead of ours), so a writer may be at it.
 */
static bool
recently_changed(const struct ingest_state *s, const struct stat *st)
{
	struct timespec now;
	int64_t age_ms;

	clock_gettime(CLOCK_REALTIME, &now);
	age_ms = ((int64_t)now.tv_sec - st->st_mtim.tv_sec) * 1000 +
		 (now.tv_nsec - st->st_mtim.tv_nsec) / 1000000;
	return ingest_settling(age_ms, s->cat->run->settle_s);
}

/* fsutil_lease_take, or "not available" when a test says so */
static int
take_lease(int fd)
{
	if (fault_fail("ingest-no-lease")) {
		errno = EINVAL;
		return -1;
	}
	return fsutil_lease_take(fd);
}

static const char *
file_type(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a regular file";
}

static const char *
invalid_kind(const char *field)
{
	if (!strcmp(field, "version"))
		return "bad-version";
	if (!strcmp(field, "date"))
		return "bad-date";
	return "bad-keywords";
}

/*
 * a complete file, read: to be identified with the others of its batch
 * (identify_batch), unless its name cannot be recorded
 */
static void
identify_item(struct ingest_state *s, struct item *it)
{
	(void)s;
	if (!escape_valid_utf8(it->name, strlen(it->name))) {
		reject(it, "bad-name",
		       "the name \"%s\" is not valid UTF-8: it cannot be "
		       "recorded as it is (non-UTF-8 bytes are shown \\xNN)",
		       it->shown);
		return;
	}
	it->to_identify = true;
}

/* an identified file: decide its archive path, or reject it */
static void
identified(struct ingest_state *s, struct item *it)
{
	switch (it->id.kind) {
	case IDENTIFY_ONE:
		break;
	case IDENTIFY_NONE:
		reject(it, "no-product", "%s", it->id.reason.buf);
		return;
	case IDENTIFY_AMBIGUOUS:
		reject(it, "ambiguous", "%s", it->id.reason.buf);
		return;
	case IDENTIFY_ERROR:
		reject(it, "inspector", "%s", it->id.reason.buf);
		return;
	case IDENTIFY_INVALID:
		reject(it, invalid_kind(it->id.bad_field), "%s",
		       it->id.reason.buf);
		return;
	}
	{
		const struct product *p = &s->cat->products[it->id.product];
		struct archive_file f = {p->id, it->name, true, it->id.date,
					 it->id.start_usec, it->id.version,
					 it->id.keywords.buf};
		struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;

		if (archive_path(s->cat->archive, &f, &path, &err)) {
			reject(it, "path", "could not make the directory of "
					   "product \"%s\": %s",
			       p->name, err.buf);
		} else {
			it->target = strbuf_detach(&path, NULL);
			it->action = ITEM_ARCHIVE;
		}
		strbuf_release(&path);
		strbuf_release(&err);
	}
}

/*
 * The period numbers of the files to archive (file.period_number): for
 * a product of hours the hour holding its start, for one of orbits the
 * orbit its name or inspector gave, else the stored orbit holding its
 * start (one query for the batch).  A file of orbits in no orbit is
 * rejected, saying which instant and what to load.  A file whose
 * identification gave no stop time (the built-in matcher; an inspector
 * without utc_stop_time=) covers its hour, or its orbit when the table
 * has it, not the rest of its date.
 */
static int
period_numbers(struct ingest_state *s, struct item *items, size_t n)
{
	int64_t *t = xcalloc(n + 1, sizeof(*t)), *given = NULL;
	int64_t *num = NULL, *stop = NULL;
	size_t *at = xcalloc(n + 1, sizeof(*at)), nt = 0;
	int rc = 0;

	given = xcalloc(n + 1, sizeof(*given));
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		const struct product *p;
		struct period_slot h;

		it->period_number = 0;
		it->orbit_of_table = false;
		if (it->action != ITEM_ARCHIVE)
			continue;
		p = &s->cat->products[it->id.product];
		if (p->timebase == TIMEBASE_HOURLY) {
			period_hour(it->id.start_usec, &h);
			it->period_number = h.number;
			if (!it->id.stop_given)
				it->id.stop_usec =
					h.stop - (p->stop_time_exclusive ? 0 : 1);
		} else if (p->timebase == TIMEBASE_ORBIT) {
			/* its name's {ORBIT}, or its inspector's orbit= */
			given[nt] = it->id.has_orbit ? it->id.orbit : -1;
			t[nt] = it->id.start_usec;
			at[nt++] = i;
		}
	}
	if (nt) {
		num = xcalloc(nt, sizeof(*num));
		stop = xcalloc(nt, sizeof(*stop));
		rc = store_orbits_at(s->db, t, given, nt, num, stop);
	}
	for (size_t k = 0; !rc && k < nt; k++) {
		struct item *it = &items[at[k]];
		const struct product *p = &s->cat->products[it->id.product];
		char ts[TIMESTAMP_STRLEN];

		if (num[k] >= 0) {
			it->period_number = num[k];
			it->orbit_of_table = given[k] < 0;
			/*
			 * no stop given: its orbit's, or, when its name
			 * names an orbit the table lacks, its start alone
			 * (the rest of its day would feed later orbits)
			 */
			if (!it->id.stop_given && stop[k] != INT64_MIN &&
			    stop[k] > it->id.start_usec)
				it->id.stop_usec =
					stop[k] - (p->stop_time_exclusive ? 0 : 1);
			else if (!it->id.stop_given)
				it->id.stop_usec = it->id.start_usec;
			continue;
		}
		reject(it, "no-orbit",
		       "product \"%s\" is keyed by orbit, and no orbit of "
		       "the orbit table holds the file's start time %s (and "
		       "neither its name nor its inspector gives its orbit): "
		       "load the orbits that cover it (cascade orbits load), "
		       "then deliver it again",
		       p->name, timeutil_format_timestamp(it->id.start_usec, ts));
	}
	free(t);
	free(given);
	free(at);
	free(num);
	free(stop);
	return rc;
}

/*
 * Keep the file read under its lease, fd, open until the batch is done:
 * placing it then needs no second open, lease and comparison of what was
 * read (PLACE_HELD: the lease intact after the link says nobody opened
 * it for writing since before the read).  A file not to be archived is
 * let go at once.
 */
static void
hold(struct ingest_state *s, struct item *it, int fd)
{
	if (it->size != (int64_t)it->st.st_size) {
		close(fd); /* a writer came while we read */
		still_writing(s, it);
		return;
	}
	it->fd = fd;
	s->held++;
	identify_item(s, it); /* let go in identify_batch if not archived */
	if (!it->to_identify) {
		close(it->fd);
		it->fd = -1;
	}
}

/*
 * Identify the batch's files read in full, all at once (batch inspectors
 * get them pipelined), and decide each one's target.  A held file that
 * is not to be archived is let go.
 */
static void
identify_batch(struct ingest_state *s, struct item *items, size_t n)
{
	const char **paths = xcalloc(n + 1, sizeof(*paths));
	const char **names = xcalloc(n + 1, sizeof(*names));
	struct identify_result *rs = xcalloc(n + 1, sizeof(*rs));
	size_t *idx = xcalloc(n + 1, sizeof(*idx));
	size_t m = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (!items[i].to_identify)
			continue;
		paths[m] = items[i].src;
		names[m] = items[i].name;
		rs[m] = (struct identify_result)IDENTIFY_RESULT_INIT;
		idx[m++] = i;
	}
	rc = m ? identify_files(s->ids, paths, names, rs, m) : 0;
	for (size_t j = 0; j < m; j++) {
		struct item *it = &items[idx[j]];

		it->to_identify = false;
		identify_result_release(&it->id);
		it->id = rs[j];
		if (rc)
			reject(it, "internal", "identification failed");
		else
			identified(s, it);
		if (it->fd >= 0 && it->action != ITEM_ARCHIVE) {
			close(it->fd);
			it->fd = -1;
		}
	}
	free(paths);
	free(names);
	free(rs);
	free(idx);
}

/*
 * Read, checksum and identify one file; decide its target, or that it is
 * not complete yet (see ingest.h: a read lease, else run.settle).  Only
 * regular files are opened, so FIFOs, sockets and devices never block.
 */
static void
prepare_item(struct ingest_state *s, struct item *it)
{
	struct stat lst, st, after;
	int fd, lease;

	/*
	 * A name readdir said is a regular file is opened at once (without
	 * following a symbolic link that took its place); any other, and
	 * one that is not what readdir said, is looked at first.
	 */
	fd = it->dtype == DT_REG
		     ? open(it->src, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
					     O_NOCTTY | O_NOFOLLOW)
		     : -1;
	if (fd < 0 && it->dtype == DT_REG && errno == ENOENT) {
		it->action = ITEM_SKIP; /* vanished since the scan */
		return;
	}
	if (fd < 0) {
		if (lstat(it->src, &lst) != 0) {
			it->action = ITEM_SKIP; /* vanished since the scan */
			return;
		}
		it->lnlink = lst.st_nlink;
		it->copy = S_ISLNK(lst.st_mode);
		if (it->copy && stat(it->src, &st) != 0) {
			reject(it, "unreadable", "could not open \"%s\": %s",
			       it->shown, strerror(errno));
			return;
		}
		if (!it->copy)
			st = lst;
		if (!S_ISREG(st.st_mode)) {
			reject(it, "not-a-file", "\"%s\" is %s%s", it->shown,
			       file_type(st.st_mode),
			       it->copy ? " (through a symbolic link)" : "");
			return;
		}
		fd = open(it->src,
			  O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0 && errno == ENOENT && !it->copy) {
			it->action = ITEM_SKIP; /* vanished since the scan */
			return;
		}
		if (fd < 0) {
			int e = errno;

			if (recently_changed(s, &st)) {
				still_writing(s, it);
				return;
			}
			reject(it, "unreadable", "could not open \"%s\": %s",
			       it->shown, strerror(e));
			return;
		}
	}
	/*
	 * The lease first, then the content's state: with the lease held,
	 * nobody writes it, so the size read is the size to read
	 */
	lease = take_lease(fd); /* -1 too for what is not a regular file */
	if (fstat(fd, &it->st) != 0 || !S_ISREG(it->st.st_mode)) {
		if (lease == 0)
			fsutil_lease_release(fd);
		close(fd);
		reject(it, "not-a-file", "\"%s\" is not a regular file",
		       it->shown);
		return;
	}
	if (!it->copy)
		it->lnlink = it->st.st_nlink;
	if (lease == 1 || (lease < 0 && recently_changed(s, &it->st))) {
		close(fd);
		still_writing(s, it);
		return;
	}
	/* without a lease, a writer could still hold it: copy, never link */
	if (lease < 0)
		it->copy = true;
	if (it->st.st_size == 0) {
		if (lease == 0)
			fsutil_lease_release(fd);
		close(fd);
		reject(it, "empty", "\"%s\" is empty (0 bytes): an incomplete "
				    "delivery?",
		       it->shown);
		return;
	}
	if (sha_fd_upto(fd, lease == 0 ? (int64_t)it->st.st_size : -1,
			it->sha1, it->sha256, &it->size) != 0) {
		int e = errno;

		if (lease == 0)
			fsutil_lease_release(fd);
		close(fd);
		reject(it, "unreadable", "could not read \"%s\": %s", it->shown,
		       strerror(e));
		return;
	}
	if (lease == 0 && !it->copy && s->hold && s->held < s->held_max) {
		hold(s, it, fd);
		return;
	}
	/* a writer that came while we read: what we read is not the file */
	if ((lease == 0 && !fsutil_lease_intact(fd)) || fstat(fd, &after) ||
	    !fsutil_same_content_state(&it->st, &after) ||
	    it->size != (int64_t)it->st.st_size) {
		if (lease == 0)
			fsutil_lease_release(fd);
		close(fd);
		still_writing(s, it);
		return;
	}
	if (lease == 0)
		fsutil_lease_release(fd);
	close(fd);
	identify_item(s, it);
}

/* keep what prepare_item decided, for restore() */
static void
snapshot(struct item *it)
{
	verdict_release(&it->prep);
	it->prep.action = it->action;
	it->prep.kind = it->kind;
	it->prep.reason = xstrdup(it->reason.buf);
	it->prep.target = it->target ? xstrdup(it->target) : NULL;
}

/* back to what prepare_item decided, before an attempt at the batch */
static void
restore(struct item *it)
{
	it->action = it->prep.action;
	it->kind = it->prep.kind;
	strbuf_reset(&it->reason);
	strbuf_addstr(&it->reason, it->prep.reason ? it->prep.reason : "");
	free(it->target);
	it->target = it->prep.target ? xstrdup(it->prep.target) : NULL;
	it->journal_id = 0;
	it->placed = false;
}

/*
 * pick a free name in the error directory for a reject: NAME, or the
 * first free NAME.N; a name too long for a suffix is shortened first
 */
static void
error_target(struct ingest_state *s, struct item *it)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(it->name);
	struct stat st;

	free(it->target);
	strbuf_addf(&sb, "%s/%s", s->m->errordir, it->name);
	for (int k = 1; lstat(sb.buf, &st) == 0; k++) {
		char suffix[16];
		size_t keep = len;

		snprintf(suffix, sizeof(suffix), ".%d", k);
		if (keep + strlen(suffix) > NAME_MAX)
			keep = NAME_MAX - strlen(suffix);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%.*s%s", s->m->errordir, (int)keep,
			    it->name, suffix);
	}
	it->target = strbuf_detach(&sb, NULL);
}

/*
 * A run killed after committing a reject's failure row and before
 * removing its incoming name leaves that name as a second link to the
 * file in the error directory.  Find such names (more than one link, the
 * same file as the error_path of a reject of that name) and make them
 * left-overs, as an archived file's incoming link is: they are removed,
 * not rejected a second time.
 */
static int
reject_leftovers(struct ingest_state *s, struct item *items, size_t n)
{
	const char **names = xcalloc(n + 1, sizeof(*names));
	size_t *idx = xcalloc(n + 1, sizeof(*idx));
	struct strvec *paths = xcalloc(n + 1, sizeof(*paths));
	size_t k = 0;
	int rc;

	/* the links each name had when it was prepared (lstat) */
	for (size_t i = 0; i < n; i++) {
		if (items[i].action == ITEM_SKIP || items[i].lnlink < 2)
			continue;
		names[k] = items[i].shown;
		idx[k++] = i;
	}
	rc = store_rejects_by_name(s->db, names, k, paths, DB_QUIET_DATA);
	for (size_t j = 0; j < k; j++) {
		struct item *it = &items[idx[j]];

		for (size_t m = 0; !rc && m < paths[j].nr; m++) {
			char *path = stored_path(paths[j].v[m]);
			bool same = archive_same_file(it->src, path);

			free(path);
			if (!same)
				continue;
			log_info("\"%s\" is a left-over of an interrupted "
				 "ingest that rejected it to \"%s\": removed",
				 it->shown, paths[j].v[m]);
			it->action = ITEM_LEFTOVER;
			break;
		}
		strvec_clear(&paths[j]);
	}
	free(names);
	free(idx);
	free(paths);
	return rc;
}

/* keep the server's message of a data error, for the file's failure row */
static void
note_data_error(struct ingest_state *s, int rc)
{
	const struct db_error *e = db_last_error(s->db);

	if (!db_is_data_error(rc) || s->data_error.len)
		return;
	strbuf_addstr(&s->data_error, e->message ? e->message : "");
}

/*
 * A target path that exists with no row (a lost journal, a hand copy):
 * adopted when its content is the file's (removed, so the file is placed
 * and recorded as usual), else the file is rejected: nothing is
 * overwritten.
 */
static void
adopt_orphan(struct ingest_state *s, struct item *it)
{
	struct stat st;
	char *shown;

	if (lstat(it->target, &st) != 0)
		return;
	shown = shown_path(it->target, false);
	if (has_sha1(it->target, it->sha1)) {
		if (!s->opt->dry_run) {
			log_warning("\"%s\" was already in the archive "
				    "without a database row: adopting it",
				    shown);
			unlink(it->target);
		}
	} else {
		reject(it, "name-taken",
		       "a different file \"%s\" is already in the archive "
		       "directory (not in the database)",
		       shown);
	}
	free(shown);
}

/*
 * The files of the batch whose product, date, period number and version
 * a stored file (other[k]: its name) or an earlier file of the batch has:
 * rejected ("version-taken").
 */
static void
reject_taken(struct ingest_state *s, struct item *items,
	     const struct store_new_file *nf, const size_t *nf_item,
	     size_t nnf, char *const *other)
{
	for (size_t k = 0; k < nnf; k++) {
		struct item *it = &items[nf_item[k]];
		enum timebase tb = s->cat->products[it->id.product].timebase;
		const char *of = !timebase_numbered(tb)	  ? ""
				 : tb == TIMEBASE_HOURLY ? ", hour"
							 : ", orbit";

		if (other[k]) {
			char *o = escape_str(other[k]);

			reject(it, "version-taken",
			       "file \"%s\" already has product \"%s\", date%s "
			       "and version %d.%d.%d",
			       o, s->cat->products[it->id.product].name, of,
			       it->id.version.interface, it->id.version.quality,
			       it->id.version.revision);
			free(o);
		}
		/* two names of this batch with one product, date, version */
		for (size_t j = 0; !other[k] && j < k; j++) {
			struct item *jt = &items[nf_item[j]];

			if (jt->action == ITEM_ARCHIVE &&
			    nf[j].product_id == nf[k].product_id &&
			    nf[j].date == nf[k].date &&
			    nf[j].period_number == nf[k].period_number &&
			    nf[j].iv == nf[k].iv &&
			    nf[j].qv == nf[k].qv && nf[j].rv == nf[k].rv) {
				reject(it, "version-taken",
				       "file \"%s\" has the same product, "
				       "date%s and version",
				       jt->shown, of);
				break;
			}
		}
	}
}

/* compare the batch with the database and the archive on disk */
static int
decide(struct ingest_state *s, struct item *items, size_t n)
{
	const char **names = xcalloc(n + 1, sizeof(*names));
	char **sha1 = xcalloc(n + 1, sizeof(*sha1));
	char **other = xcalloc(n + 1, sizeof(*other));
	struct store_new_file *nf = xcalloc(n + 1, sizeof(*nf));
	size_t *nf_item = xcalloc(n + 1, sizeof(*nf_item));
	size_t nnf = 0;
	int rc;

	/*
	 * a name that is not UTF-8 is never archived: nothing to look up;
	 * nor is one the server could not take (ascii: see reject_refused)
	 */
	for (size_t i = 0; i < n; i++)
		names[i] = !items[i].ascii &&
					   escape_valid_utf8(items[i].name,
							     strlen(items[i].name))
				   ? items[i].name
				   : NULL;
	if ((rc = reject_leftovers(s, items, n)) ||
	    (rc = store_files_by_name(s->db, names, n, sha1, DB_QUIET_DATA)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (!sha1[i] || it->action == ITEM_SKIP ||
		    it->action == ITEM_LEFTOVER)
			continue;
		switch (ingest_same_name(
			it->action == ITEM_ARCHIVE, it->action == ITEM_REJECT,
			it->sha1, sha1[i],
			it->target && archive_same_file(it->src, it->target))) {
		case INGEST_SAME_NAME_NONE:
			break;
		case INGEST_SAME_NAME_LEFTOVER:
			it->action = ITEM_LEFTOVER;
			break;
		case INGEST_SAME_NAME_DUPLICATE:
			it->action = ITEM_DUPLICATE;
			break;
		case INGEST_SAME_NAME_TAKEN:
			reject(it, "name-taken",
			       "a different file named \"%s\" is already "
			       "archived (sha1 %s, this one %s)",
			       it->shown, sha1[i], it->sha1);
			break;
		}
	}
	if ((rc = period_numbers(s, items, n)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (it->action != ITEM_ARCHIVE)
			continue;
		adopt_orphan(s, it);
		if (it->action != ITEM_ARCHIVE)
			continue;
		nf[nnf].product_id = s->cat->products[it->id.product].id;
		nf[nnf].date = it->id.date;
		nf[nnf].period_number = it->period_number;
		nf[nnf].iv = it->id.version.interface;
		nf[nnf].qv = it->id.version.quality;
		nf[nnf].rv = it->id.version.revision;
		nf_item[nnf++] = i;
	}
	if ((rc = store_files_tuple_taken(s->db, nf, nnf, other,
					  DB_QUIET_DATA)))
		goto out;
	reject_taken(s, items, nf, nf_item, nnf, other);
	for (size_t i = 0; i < n; i++)
		if (items[i].action == ITEM_REJECT)
			error_target(s, &items[i]);
out:
	note_data_error(s, rc);
	for (size_t i = 0; i < n; i++) {
		free(sha1[i]);
		free(other[i]);
	}
	free(names);
	free(sha1);
	free(other);
	free(nf);
	free(nf_item);
	return rc;
}

/* -- executing a batch -------------------------------------------------- */

static bool
moves(const struct item *it)
{
	return it->action == ITEM_ARCHIVE || it->action == ITEM_REJECT;
}

static int
journal(struct ingest_state *s, struct item *items, size_t n)
{
	struct store_journal_entry *e = xcalloc(n + 1, sizeof(*e));
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (!moves(&items[i]))
			continue;
		e[k].source = shown_path(items[i].src, items[i].ascii);
		e[k].target = shown_path(items[i].target, items[i].ascii);
		e[k].sha1 = xstrdup(items[i].action == ITEM_REJECT &&
					    !items[i].sha1[0]
				    ? "-"
				    : items[i].sha1);
		k++;
	}
	/*
	 * The intents need not survive a power loss: a link made but not
	 * journaled is an archive file without a row whose content equals
	 * the incoming file, which decide() adopts.  So no WAL flush here.
	 */
	rc = db_begin(s->db);
	if (!rc)
		rc = db_exec(s->db, "SET LOCAL synchronous_commit = off");
	if (!rc)
		rc = store_journal_add(s->db, s->opt->run_id, e, k, ids,
				       DB_QUIET_DATA);
	note_data_error(s, rc);
	if (!rc)
		rc = db_commit(s->db);
	db_rollback(s->db);
	for (size_t i = 0, j = 0; !rc && i < n; i++)
		if (moves(&items[i]))
			items[i].journal_id = ids[j++];
	store_journal_free(e, k);
	free(ids);
	return rc;
}

/* the ingest's instants, as the crash tests name them */
static const struct place_points ingest_points = {
	.journaled = "ingest-journaled",
	.no_lease = "ingest-no-lease",
	.placed = "ingest-placed",
	.before_commit = "ingest-before-commit",
	.committed = "ingest-committed",
	.unlinked = "ingest-unlinked",
};

/* a file that could not be placed (disk full, permissions): it stays */
static void
stuck(struct ingest_state *s, struct item *it, int e)
{
	char *from = shown_path(it->src, false);
	char *to = shown_path(it->target, false);

	log_error("could not place \"%s\" at \"%s\": %s", from, to,
		  strerror(e));
	log_detail("It stays in incoming and is not retried in this run.");
	free(from);
	free(to);
	s->counts->stuck++;
	it->action = ITEM_SKIP;
	done_add(s, it->name);
}

/*
 * Give every file its target (place.h): an archived file checked to be
 * what was read and not being written (PLACE_CHECKED), a reject as it
 * is (a symlink stays a symlink).  A file that cannot be placed turns
 * into a skip; duplicates and left-overs are only removed, after the
 * commit.  Returns 0, or -1 when a directory could not be created.
 */
static int
place_items(struct ingest_state *s, struct place_batch *b, struct item *items,
	    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		struct place_req req = {.source = it->src, .target = it->target,
					.flags = PLACE_MOVE, .data = it};
		enum place_outcome o;

		if (it->action == ITEM_DUPLICATE || it->action == ITEM_LEFTOVER)
			place_batch_drop(b, it->src, it);
		if (!moves(it))
			continue;
		if (it->action == ITEM_ARCHIVE) {
			req.flags |= PLACE_CHECKED | (it->copy ? PLACE_COPY : 0);
			req.st = &it->st;
			if (it->fd >= 0) {
				req.flags |= PLACE_HELD;
				req.fd = it->fd;
			}
		}
		o = place_batch_add(b, &req);
		if (req.in_dir) {
			struct strbuf dir = STRBUF_INIT;
			char *shown;

			fsutil_dirname(it->target, &dir);
			shown = shown_path(dir.buf, false);
			error("could not create directory \"%s\": %s", shown,
			      strerror(req.err));
			free(shown);
			strbuf_release(&dir);
			return -1;
		}
		if (req.copied)
			it->copy = true;
		if (o == PLACE_PLACED || o == PLACE_SAME)
			it->placed = true;
		else if (o == PLACE_CHANGED)
			still_writing(s, it);
		else
			stuck(s, it, req.err);
	}
	return 0;
}

/*
 * A batch the server refused after its files were placed: take the new
 * names away again and forget the intents, so the next attempt starts
 * from incoming as this one did.  (Killed in here, the journal rows are
 * still there and the next run's recovery does the same.)
 */
static int
unplace(struct ingest_state *s, struct place_batch *b, struct item *items,
	size_t n)
{
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	size_t nids = 0;
	struct stat st;
	int rc;

	place_batch_undo(b);
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (it->journal_id)
			ids[nids++] = it->journal_id;
		/*
		 * The link and its removal changed the file's ctime: the
		 * next attempt must not take that for a writer.  (A write
		 * meanwhile changes its size or mtime, still compared.)
		 */
		if (it->placed && it->action == ITEM_ARCHIVE && !it->copy &&
		    stat(it->src, &st) == 0 && st.st_ino == it->st.st_ino &&
		    st.st_dev == it->st.st_dev)
			it->st.st_ctim = st.st_ctim;
	}
	rc = db_begin(s->db);
	if (!rc)
		rc = store_journal_delete(s->db, ids, nids);
	if (!rc)
		rc = db_commit(s->db);
	db_rollback(s->db);
	free(ids);
	return rc;
}

struct batch_arg {
	struct ingest_state *s;
	struct item *items;
	size_t n;
};

/* the archived file's row, from what was read */
static void
new_file_of(const struct ingest_state *s, const struct item *it,
	    struct store_new_file *f)
{
	const struct product *p = &s->cat->products[it->id.product];

	f->product_id = p->id;
	f->level = p->level;
	f->filename = it->name;
	f->date = it->id.date;
	f->period_number = it->period_number;
	f->start_usec = it->id.start_usec;
	f->stop_usec = it->id.stop_usec;
	f->iv = it->id.version.interface;
	f->qv = it->id.version.quality;
	f->rv = it->id.version.revision;
	f->mtime_usec = (int64_t)it->st.st_mtim.tv_sec * USEC_PER_SEC +
			it->st.st_mtim.tv_nsec / 1000;
	f->sha1 = it->sha1;
	f->sha256 = it->sha256;
	f->size = it->size;
	f->keywords = it->id.keywords.buf;
}

/* a reject's failure row; texts it needs are kept in paths */
static void
reject_of(const struct item *it, struct store_reject *rj,
	  struct strvec *paths)
{
	strvec_push_nodup(paths, shown_path(it->target, it->ascii));
	rj->error_path = paths->v[paths->nr - 1];
	rj->filename = it->shown;
	rj->kind = it->kind;
	rj->reason = it->reason.buf;
	if (it->ascii) {
		struct strbuf r = STRBUF_INIT;

		escape_name(&r, it->reason.buf, it->reason.len,
			    ESCAPE_ASCII | ESCAPE_KEEP_BACKSLASH);
		strvec_push_nodup(paths, strbuf_detach(&r, NULL));
		rj->reason = paths->v[paths->nr - 1];
	}
}

/*
 * Inside the batch's record transaction: the files numbered by the orbit
 * table are numbered again under the orbit lock, so that an orbit load
 * committed since decide() (which renumbered the stored files, not these)
 * cannot leave them with a number it moved.  nf[] are the items to
 * archive, in order.
 */
static int
orbits_again(struct ingest_state *s, struct item *items, size_t n,
	     struct store_new_file *nf)
{
	int64_t *t = NULL, *given = NULL, *num = NULL, *stop = NULL;
	size_t *at = NULL, nt = 0, k = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		nt += items[i].action == ITEM_ARCHIVE &&
		      items[i].orbit_of_table;
	if (nt == 0)
		return 0;
	if ((rc = store_orbits_lock(s->db, true)))
		return rc;
	t = xcalloc(nt, sizeof(*t));
	given = xcalloc(nt, sizeof(*given));
	num = xcalloc(nt, sizeof(*num));
	stop = xcalloc(nt, sizeof(*stop));
	at = xcalloc(nt, sizeof(*at));
	for (size_t i = 0, j = 0; i < n; i++) {
		if (items[i].action != ITEM_ARCHIVE)
			continue;
		if (items[i].orbit_of_table) {
			t[k] = items[i].id.start_usec;
			given[k] = -1;
			at[k++] = j;
		}
		j++;
	}
	rc = store_orbits_at(s->db, t, given, nt, num, stop);
	for (k = 0; !rc && k < nt; k++)
		if (num[k] >= 0)
			nf[at[k]].period_number = num[k];
	free(t);
	free(given);
	free(num);
	free(stop);
	free(at);
	return rc;
}

/*
 * The batch's record (place_batch_commit): the file, unixtime and queue
 * rows, the failure rows and the journal's deletion, in one synchronous
 * transaction left open for the commit.
 */
static int
record(void *arg)
{
	struct batch_arg *a = arg;
	struct ingest_state *s = a->s;
	size_t n = a->n;
	struct store_new_file *nf = xcalloc(n + 1, sizeof(*nf));
	struct store_reject *rj = xcalloc(n + 1, sizeof(*rj));
	struct strvec paths = STRVEC_INIT; /* texts the rows point at */
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	size_t nnf = 0, nrj = 0, nids = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct item *it = &a->items[i];

		if (it->journal_id)
			ids[nids++] = it->journal_id;
		if (it->action == ITEM_ARCHIVE)
			new_file_of(s, it, &nf[nnf++]);
		else if (it->action == ITEM_REJECT)
			reject_of(it, &rj[nrj++], &paths);
	}
	rc = db_begin(s->db);
	if (!rc)
		rc = db_exec(s->db, "SET LOCAL synchronous_commit = on");
	if (!rc)
		rc = orbits_again(s, a->items, n, nf);
	if (!rc)
		rc = store_files_insert(s->db, s->opt->run_id, nf, nnf,
					DB_QUIET_DATA);
	if (!rc)
		rc = store_rejects_insert(s->db, s->opt->run_id, rj, nrj,
					  DB_QUIET_DATA);
	if (!rc)
		rc = store_journal_delete(s->db, ids, nids);
	note_data_error(s, rc);
	strvec_clear(&paths);
	free(nf);
	free(rj);
	free(ids);
	return rc;
}

static int
commit(void *arg)
{
	struct batch_arg *a = arg;

	return db_commit(a->s->db);
}

/* say what became of each file */
static void
report_items(struct ingest_state *s, struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		char *shown;

		switch (it->action) {
		case ITEM_ARCHIVE:
			s->counts->ingested++;
			log_info("ingested \"%s\" as product \"%s\" version "
				 "%d.%d.%d",
				 it->shown, s->cat->products[it->id.product].name,
				 it->id.version.interface,
				 it->id.version.quality,
				 it->id.version.revision);
			break;
		case ITEM_DUPLICATE:
			s->counts->duplicates++;
			log_info("\"%s\" is already archived with the same "
				 "content: duplicate removed from incoming",
				 it->shown);
			break;
		case ITEM_LEFTOVER:
			s->counts->recovered++;
			break;
		case ITEM_REJECT:
			s->counts->rejected++;
			shown = shown_path(it->target, it->ascii);
			log_error("rejected \"%s\": %s", it->shown,
				  it->reason.buf);
			log_detail("It was moved to \"%s\".", shown);
			free(shown);
			break;
		case ITEM_SKIP:
			break;
		}
	}
}

/*
 * Remove the incoming names (place_batch_finish).  Their removal need not
 * be durable: a name that comes back after a power loss is a link to an
 * archived file, which the next scan recognises as a left-over and
 * removes.
 */
static int
finish(struct ingest_state *s, struct place_batch *b, struct item *items,
       size_t n)
{
	void *failed = NULL;

	report_items(s, items, n);
	if (place_batch_finish(b, &failed)) {
		const struct item *it = failed;

		return error("could not remove \"%s\" from incoming: %s",
			     it->shown, strerror(errno));
	}
	return 0;
}

/* journal, place, sync, record and commit, unlink (place.h) */
static int
execute(struct ingest_state *s, struct place_batch *b, struct item *items,
	size_t n)
{
	struct batch_arg arg = {s, items, n};
	bool synced;
	int rc;

	if ((rc = journal(s, items, n)))
		return rc;
	place_batch_journaled(b);
	if ((rc = place_items(s, b, items, n)))
		return rc;
	rc = place_batch_commit(b, record, commit, &arg, &synced);
	db_rollback(s->db);
	if (rc && !synced) {
		return error("could not sync the archive directories (\"%s\"): "
			     "%s",
			     b->dirs.nr ? b->dirs.v[0] : "", strerror(errno));
	}
	if (rc) {
		int urc;

		if (db_is_data_error(rc) && (urc = unplace(s, b, items, n)))
			return urc;
		return rc;
	}
	return finish(s, b, items, n);
}

/*
 * One attempt at n items from what prepare_item decided: decide, then
 * execute.  Returns 0; a data error (db_is_data_error: the server
 * refused something of the batch; nothing of the attempt is left, its
 * message in s->data_error); or another negative status.
 */
static int
attempt(struct ingest_state *s, struct item *items, size_t n)
{
	struct place_batch b;
	int rc;

	strbuf_reset(&s->data_error);
	for (size_t i = 0; i < n; i++)
		restore(&items[i]);
	if ((rc = decide(s, items, n)))
		return rc;
	if (s->opt->dry_run) {
		for (size_t i = 0; i < n; i++) {
			struct item *it = &items[i];

			if (it->action == ITEM_ARCHIVE)
				s->counts->ingested++;
			else if (it->action == ITEM_DUPLICATE)
				s->counts->duplicates++;
			else if (it->action == ITEM_REJECT) {
				s->counts->rejected++;
				log_warning("would reject \"%s\": %s",
					    it->shown, it->reason.buf);
			}
		}
		return 0;
	}
	place_batch_init(&b, &ingest_points);
	place_batch_share_dirs(&b, &s->dirs);
	rc = execute(s, &b, items, n);
	place_batch_release(&b);
	return rc;
}

/*
 * attempt(), and when the server refuses the data of the batch, the
 * halves, down to single files: the others are recorded, each file
 * refused alone gets db_error.  Returns 0 or an infrastructure failure.
 */
static int
settle(struct ingest_state *s, struct item *items, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	rc = attempt(s, items, n);
	if (!db_is_data_error(rc))
		return rc;
	if (n == 1) {
		free(items[0].db_error);
		items[0].db_error = strbuf_detach(&s->data_error, NULL);
		items[0].action = ITEM_SKIP;
		return 0;
	}
	log_debug("the database refused a batch of %zu files (%s): trying "
		  "halves",
		  n, s->data_error.buf);
	if ((rc = settle(s, items, n / 2)))
		return rc;
	return settle(s, items + n / 2, n - n / 2);
}

static int
cmp_refused_first(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return (y->db_error != NULL) - (x->db_error != NULL);
}

/*
 * The files the server refused alone (settle): each is rejected with the
 * server's message.  Should even its failure row be refused (a name the
 * server's encoding cannot hold), the row names it in ASCII; should that
 * be refused too, the file stays in incoming for this run.  When every
 * file of the batch was refused, none is rejected: they stay in incoming.
 */
static int
reject_refused(struct ingest_state *s, struct item *items, size_t n)
{
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		k += items[i].db_error != NULL;
	if (k == 0)
		return 0;
	if (k == n && n > 1) {
		/*
		 * Not the files' fault, most likely (a constraint, a trigger):
		 * rejecting them all would empty incoming into the error
		 * directory.  They wait; the run goes on with the others.
		 */
		log_error("the database refused every one of %zu files: %s", n,
			  items[0].db_error);
		log_hint("A change to the database rather than to the files? "
			 "They stay in incoming for the next run.");
		for (size_t i = 0; i < n; i++) {
			done_add(s, items[i].name);
			s->counts->stuck++;
		}
		return 0;
	}
	/* the items are done with but for release: any order will do */
	qsort(items, n, sizeof(*items), cmp_refused_first);
	for (size_t i = 0; i < k; i++) {
		struct item *it = &items[i];
		struct verdict *v = &it->prep;

		free(v->reason);
		v->reason = xasprintf("the database refused to record it: %s",
				    it->db_error);
		v->action = ITEM_REJECT;
		v->kind = "database";
		free(v->target);
		v->target = NULL;
		free(it->db_error);
		it->db_error = NULL;
	}
	if ((rc = settle(s, items, k)))
		return rc;
	for (size_t i = 0; i < k; i++) {
		struct item *it = &items[i];

		if (!it->db_error)
			continue;
		free(it->db_error);
		it->db_error = NULL;
		it->ascii = true;
		free(it->shown);
		it->shown = shown_path(it->name, true);
		if ((rc = settle(s, it, 1)))
			return rc;
		if (it->db_error) {
			log_error("could not record the rejection of \"%s\": %s",
				  it->shown, it->db_error);
			log_detail("It stays in incoming.");
			s->counts->stuck++;
			done_add(s, it->name);
		}
	}
	return 0;
}

static int
do_batch(struct ingest_state *s, struct item *items, size_t n)
{
	int rc;

	s->held = 0; /* the last batch's were closed with its items */
	for (size_t i = 0; i < n; i++)
		prepare_item(s, &items[i]);
	identify_batch(s, items, n);
	for (size_t i = 0; i < n; i++)
		snapshot(&items[i]);
	if ((rc = settle(s, items, n)))
		return rc;
	return reject_refused(s, items, n);
}

/* -- scanning ----------------------------------------------------------- */

static int
cmp_items(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->name,
		      ((const struct item *)b)->name);
}

/* a name to take: a file name matched by the glob, not seen this run */
static bool
candidate(struct ingest_state *s, const char *name, const char *glob)
{
	return ingest_name_class(name, glob) == INGEST_NAME_FILE &&
	       !done_has(s, name);
}

/*
 * where ingest stands: files done of those found, rate and ETA (the
 * files found are counted only for a progress line: without one, the
 * files done and what became of them)
 */
static void
progress_text(const struct ingest_state *s, struct strbuf *sb)
{
	const struct ingest_counts *c = s->counts;
	double dt = (double)(timeutil_mono_ns() - s->t0_ns) / 1e9;
	double rate = dt > 0 ? (double)c->seen / dt : 0;
	long left = s->total > c->seen ? s->total - c->seen : 0;
	char eta[DURATION_STRLEN];

	if (!s->counted) {
		strbuf_addf(sb, "ingest: %ld files done (%ld ingested, %ld "
				"duplicates, %ld rejected), %.0f files/s",
			    c->seen, c->ingested, c->duplicates, c->rejected,
			    rate);
		return;
	}
	strbuf_addf(sb, "ingest: %ld of %ld files (%ld%%), %.0f files/s, "
			"ETA %s",
		    c->seen, s->total, s->total ? c->seen * 100 / s->total : 100,
		    rate,
		    timeutil_format_duration(rate > 0 ? (double)left / rate : -1,
					     eta));
}

/* the progress line, and after SIGUSR1 the same text logged */
static void
show_progress(struct ingest_state *s, bool now)
{
	struct strbuf sb = STRBUF_INIT;
	bool report = s->opt->report && *s->opt->report;

	if (!report && !log_progress_enabled())
		return;
	progress_text(s, &sb);
	log_progress(now || report, "%s", sb.buf);
	if (report) {
		*s->opt->report = 0;
		log_warning("%s", sb.buf);
		fault_point("progress-reported");
	}
	strbuf_release(&sb);
}

/*
 * count the files a pass will look at, for the progress line (names
 * only: cheap next to reading and identifying them)
 */
static void
count_candidates(struct ingest_state *s, DIR *d)
{
	const char *glob = s->opt->glob ? s->opt->glob : "*";
	struct dirent *de;

	s->total = s->counts->seen;
	s->counted = true;
	rewinddir(d);
	while ((de = readdir(d)))
		if (de->d_type != DT_DIR && candidate(s, de->d_name, glob))
			s->total++;
}

/*
 * Whether a directory entry is to be read as a file; the first pass
 * counts the others (delivery names, directories) for report_tallies.
 */
static bool
take_entry(struct ingest_state *s, const struct dirent *de, const char *path)
{
	const char *glob = s->opt->glob ? s->opt->glob : "*";
	struct stat st;

	switch (ingest_name_class(de->d_name, glob)) {
	case INGEST_NAME_DELIVERING:
		if (s->pass == 0)
			tally(s, TALLY_HIDDEN, de->d_name);
		return false;
	case INGEST_NAME_SELF:
	case INGEST_NAME_DELIVERING_OTHER:
	case INGEST_NAME_UNMATCHED:
		return false;
	case INGEST_NAME_FILE:
		break;
	}
	if (done_has(s, de->d_name))
		return false;
	if (de->d_type == DT_DIR ||
	    (de->d_type == DT_UNKNOWN && lstat(path, &st) == 0 &&
	     S_ISDIR(st.st_mode))) {
		if (s->pass == 0)
			tally(s, TALLY_DIR, de->d_name);
		return false;
	}
	return true;
}

/*
 * One pass over incoming in batches, without holding all names in
 * memory.  Returns 0 and the number of files handled in *handled, or a
 * negative status (reported).
 */
static int
scan_pass(struct ingest_state *s, DIR *d, int batch, long *handled)
{
	struct item *items = xcalloc((size_t)batch, sizeof(*items));
	size_t n = 0;
	bool eof = false;
	int rc = 0;

	*handled = 0;
	rewinddir(d);
	while (!eof && !rc) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				rc = error("could not read directory \"%s\": %s",
					   s->m->incoming_dir, strerror(errno));
				break;
			}
			eof = true;
		} else {
			struct strbuf path = STRBUF_INIT;

			strbuf_addf(&path, "%s/%s", s->m->incoming_dir,
				    de->d_name);
			if (!take_entry(s, de, path.buf)) {
				strbuf_release(&path);
				continue;
			}
			items[n].dtype = de->d_type;
			items[n].fd = -1;
			items[n].name = xstrdup(de->d_name);
			items[n].shown = escape_str(de->d_name);
			items[n].src = strbuf_detach(&path, NULL);
			strbuf_init(&items[n].reason, 0);
			strbuf_init(&items[n].id.keywords, 0);
			strbuf_init(&items[n].id.reason, 0);
			n++;
		}
		if (n == (size_t)batch || (eof && n)) {
			qsort(items, n, sizeof(*items), cmp_items);
			rc = do_batch(s, items, n);
			for (size_t i = 0; i < n; i++) {
				if (items[i].action != ITEM_SKIP)
					(*handled)++;
				item_release(&items[i]);
			}
			memset(items, 0, (size_t)batch * sizeof(*items));
			s->counts->seen += (long)n;
			n = 0;
			fault_point("ingest-batch");
			show_progress(s, false);
			/* a stop: after a whole batch, the rest stays */
			if (!rc && s->opt->stop && *s->opt->stop)
				rc = INGEST_STOPPED;
		}
	}
	for (size_t i = 0; i < n; i++)
		item_release(&items[i]);
	free(items);
	return rc;
}

int
ingest_run(struct db *db, const struct catalog *cat,
	   const struct ingest_options *opt, struct ingest_counts *counts)
{
	const struct mission *m = cat->mission;
	struct ingest_state s;
	DIR *d = NULL;
	int batch = opt->batch_size > 0 ? opt->batch_size : 500;
	long handled = 0;
	int rc;

	memset(&s, 0, sizeof(s));
	s.db = db;
	s.cat = cat;
	s.m = m;
	s.opt = opt;
	s.counts = counts;
	strvec_init(&s.done);
	for (int k = 0; k < TALLY_N; k++)
		strvec_init(&s.tally[k].examples);
	strbuf_init(&s.data_error, 0);
	place_dirs_init(&s.dirs);
	if (!opt->dry_run && (rc = ingest_recover(db, counts)))
		return rc;
	d = opendir(m->incoming_dir);
	if (!d) {
		if (errno == ENOENT) {
			log_info("incoming directory \"%s\" does not exist: "
				 "nothing to ingest",
				 m->incoming_dir);
			return 0;
		}
		return error("could not open incoming directory \"%s\": %s",
			     m->incoming_dir, strerror(errno));
	}
	if ((rc = state_init(&s)))
		goto out;
	/*
	 * Repeat passes until one handles nothing: removing names while
	 * reading a directory may hide others from the same pass.
	 */
	s.t0_ns = timeutil_mono_ns();
	do {
		if (log_progress_enabled())
			count_candidates(&s, d);
		rc = scan_pass(&s, d, batch, &handled);
		s.pass++;
	} while (!rc && handled > 0 && !opt->dry_run);
	log_progress_end();
	if (rc >= 0)
		report_tallies(&s);
out:
	if (d)
		closedir(d);
	state_release(&s);
	return rc;
}
