/*
 * ingest.c - incoming directory -> archive, journaled (see ingest.h).
 *
 * Owns the order of file system effects and commits that makes ingest
 * crash-safe, the decisions (archive, duplicate, reject and why) and the
 * error directory's naming.  Identification is identify.c's, checksums
 * sha.c's, archive paths archive.c's, SQL store-ingest.c's.
 */
#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "catalog.h"
#include "db.h"
#include "fault.h"
#include "fsutil.h"
#include "identify.h"
#include "log.h"
#include "sha.h"
#include "store.h"
#include "strvec.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

enum item_action {
	ITEM_ARCHIVE,
	ITEM_DUPLICATE, /* identical content already archived: drop ours */
	ITEM_LEFTOVER,  /* a committed run's incoming link: drop it */
	ITEM_REJECT,
	ITEM_SKIP,      /* vanished or unreadable in a way to retry later */
};

struct item {
	char *name;
	char *src;
	enum item_action action;
	bool copy;             /* symlink: copy the content, not the link */
	unsigned char dtype;   /* from readdir: DT_UNKNOWN if not known */
	struct stat st;
	char sha1[SHA1_HEX_LEN];
	char sha256[SHA256_HEX_LEN];
	int64_t size;
	struct identify_result id;
	char *target;          /* archive or error-directory path */
	const char *kind;      /* reject kind */
	struct strbuf reason;  /* reject reason */
	int64_t journal_id;
};

struct ingest_state {
	struct db *db;
	const struct store_mission *m;
	const struct ingest_options *opt;
	struct ingest_counts *counts;
	struct catalog cat;       /* products, where their files go, matchers */
	struct strvec stuck;      /* names that failed to move: not retried */
	long total;               /* files found, for the progress line */
	int64_t t0_ns;            /* start (timeutil_mono_ns), for the rate */
};

static void
item_release(struct item *it)
{
	free(it->name);
	free(it->src);
	free(it->target);
	identify_result_release(&it->id);
	strbuf_release(&it->reason);
}

CASCADE_PRINTF(3, 4)
static void
reject(struct item *it, const char *kind, const char *fmt, ...)
{
	va_list ap;

	it->action = ITEM_REJECT;
	it->kind = kind;
	strbuf_reset(&it->reason);
	va_start(ap, fmt);
	strbuf_vaddf(&it->reason, fmt, ap);
	va_end(ap);
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
		struct strbuf tmp = STRBUF_INIT;
		bool src_exists = access(e[i].source, F_OK) == 0 ||
				  errno != ENOENT;
		struct stat st;
		bool tgt_exists = lstat(e[i].target, &st) == 0;

		ids[i] = e[i].id;
		fsutil_tmpname(e[i].target, &tmp);
		unlink(tmp.buf);
		strbuf_release(&tmp);
		if (src_exists && tgt_exists &&
		    (archive_same_file(e[i].source, e[i].target) ||
		     has_sha1(e[i].target, e[i].sha1))) {
			/* the move was made, not recorded: undo it */
			if (unlink(e[i].target) != 0) {
				rc = error("could not remove \"%s\" while "
					   "recovering an interrupted ingest: %s",
					   e[i].target, strerror(errno));
				goto out;
			}
		} else if (!src_exists && tgt_exists &&
			   has_sha1(e[i].target, e[i].sha1)) {
			/* the incoming name is gone: put the file back */
			if (link(e[i].target, e[i].source) != 0 ||
			    unlink(e[i].target) != 0) {
				rc = error("could not move \"%s\" back to \"%s\" "
					   "while recovering an interrupted "
					   "ingest: %s",
					   e[i].target, e[i].source,
					   strerror(errno));
				goto out;
			}
		} else if (!src_exists) {
			log_warning("interrupted ingest of \"%s\": the file is "
				    "in neither incoming nor \"%s\"",
				    e[i].source, e[i].target);
		}
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

static int
state_init(struct ingest_state *s)
{
	return catalog_load(s->db, s->m, &s->cat) ? -1 : 0;
}

static void
state_release(struct ingest_state *s)
{
	catalog_release(&s->cat);
	strvec_clear(&s->stuck);
}

/* read, checksum and identify one file; decide its target */
static void
prepare_item(struct ingest_state *s, struct item *it)
{
	struct stat lst;
	int fd;

	if (it->dtype == DT_REG) {
		it->copy = false;
	} else if (it->dtype == DT_LNK) {
		it->copy = true;
	} else {
		if (lstat(it->src, &lst) != 0) {
			it->action = ITEM_SKIP; /* vanished since the scan */
			return;
		}
		it->copy = S_ISLNK(lst.st_mode);
	}
	fd = open(it->src, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 && errno == ENOENT && !it->copy) {
		it->action = ITEM_SKIP; /* vanished since the scan */
		return;
	}
	if (fd < 0) {
		reject(it, "unreadable", "could not open \"%s\": %s", it->src,
		       strerror(errno));
		return;
	}
	if (fstat(fd, &it->st) != 0 || !S_ISREG(it->st.st_mode)) {
		close(fd);
		reject(it, "not-a-file", "\"%s\" is not a regular file",
		       it->name);
		return;
	}
	if (it->st.st_size == 0) {
		close(fd);
		reject(it, "empty", "\"%s\" is empty (0 bytes): an incomplete "
				    "delivery?",
		       it->name);
		return;
	}
	if (sha_fd(fd, it->sha1, it->sha256, &it->size) != 0) {
		int e = errno;

		close(fd);
		reject(it, "unreadable", "could not read \"%s\": %s", it->src,
		       strerror(e));
		return;
	}
	close(fd);
	if (identify_file(s->cat.ids, it->src, it->name, &it->id)) {
		reject(it, "internal", "identification failed");
		return;
	}
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
	}
	{
		const struct store_product *p = &s->cat.products[it->id.product];
		struct archive_file f = {p->id, it->name, true, it->id.date,
					 it->id.start_usec, it->id.version,
					 it->id.keywords.buf};
		struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;

		if (archive_path(s->cat.archive, &f, &path, &err)) {
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

/* pick a free name in the error directory for a reject */
static void
error_target(struct ingest_state *s, struct item *it)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;

	free(it->target);
	strbuf_addf(&sb, "%s/%s", s->m->errordir, it->name);
	for (int k = 1; lstat(sb.buf, &st) == 0; k++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/%s.%d", s->m->errordir, it->name, k);
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

	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (items[i].action == ITEM_SKIP ||
		    lstat(items[i].src, &st) != 0 || st.st_nlink < 2)
			continue;
		names[k] = items[i].name;
		idx[k++] = i;
	}
	rc = store_rejects_by_name(s->db, names, k, paths);
	for (size_t j = 0; j < k; j++) {
		struct item *it = &items[idx[j]];

		for (size_t m = 0; !rc && m < paths[j].nr; m++) {
			if (!archive_same_file(it->src, paths[j].v[m]))
				continue;
			log_info("\"%s\" is a left-over of an interrupted "
				 "ingest that rejected it to \"%s\": removed",
				 it->src, paths[j].v[m]);
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

	for (size_t i = 0; i < n; i++)
		names[i] = items[i].name;
	if ((rc = reject_leftovers(s, items, n)) ||
	    (rc = store_files_by_name(s->db, names, n, sha1)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (!sha1[i] || it->action == ITEM_SKIP ||
		    it->action == ITEM_LEFTOVER)
			continue;
		if (it->target && archive_same_file(it->src, it->target)) {
			it->action = ITEM_LEFTOVER;
		} else if (it->action != ITEM_REJECT &&
			   !strcmp(sha1[i], it->sha1)) {
			it->action = ITEM_DUPLICATE;
		} else if (it->action == ITEM_ARCHIVE) {
			reject(it, "name-taken",
			       "a different file named \"%s\" is already "
			       "archived (sha1 %s, this one %s)",
			       it->name, sha1[i], it->sha1);
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		struct stat st;

		if (it->action != ITEM_ARCHIVE)
			continue;
		if (lstat(it->target, &st) == 0) {
			/* a file with no row: an orphan in the archive */
			if (has_sha1(it->target, it->sha1)) {
				if (s->opt->dry_run)
					continue;
				log_warning("\"%s\" was already in the archive "
					    "without a database row: adopting "
					    "it",
					    it->target);
				unlink(it->target);
			} else {
				reject(it, "name-taken",
				       "a different file \"%s\" is already in "
				       "the archive directory (not in the "
				       "database)",
				       it->target);
				continue;
			}
		}
		nf[nnf].product_id = s->cat.products[it->id.product].id;
		nf[nnf].date = it->id.date;
		nf[nnf].iv = it->id.version.interface;
		nf[nnf].qv = it->id.version.quality;
		nf[nnf].rv = it->id.version.revision;
		nf_item[nnf++] = i;
	}
	if ((rc = store_files_tuple_taken(s->db, nf, nnf, other)))
		goto out;
	for (size_t k = 0; k < nnf; k++) {
		struct item *it = &items[nf_item[k]];

		if (other[k])
			reject(it, "version-taken",
			       "file \"%s\" already has product \"%s\", date "
			       "and version %d.%d.%d",
			       other[k], s->cat.products[it->id.product].name,
			       it->id.version.interface, it->id.version.quality,
			       it->id.version.revision);
		/* two names of this batch with one product, date, version */
		for (size_t j = 0; !other[k] && j < k; j++) {
			struct item *jt = &items[nf_item[j]];

			if (jt->action == ITEM_ARCHIVE &&
			    nf[j].product_id == nf[k].product_id &&
			    nf[j].date == nf[k].date && nf[j].iv == nf[k].iv &&
			    nf[j].qv == nf[k].qv && nf[j].rv == nf[k].rv) {
				reject(it, "version-taken",
				       "file \"%s\" has the same product, date "
				       "and version",
				       jt->name);
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (items[i].action == ITEM_REJECT)
			error_target(s, &items[i]);
out:
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

static int
journal(struct ingest_state *s, struct item *items, size_t n)
{
	struct store_journal_entry *e = xcalloc(n + 1, sizeof(*e));
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (items[i].action != ITEM_ARCHIVE &&
		    items[i].action != ITEM_REJECT)
			continue;
		e[k].source = items[i].src;
		e[k].target = items[i].target;
		e[k].sha1 = items[i].action == ITEM_REJECT && !items[i].sha1[0]
				    ? (char *)"-"
				    : items[i].sha1;
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
		rc = store_journal_add(s->db, s->opt->run_id, e, k, ids);
	if (!rc)
		rc = db_commit(s->db);
	db_rollback(s->db);
	for (size_t i = 0, j = 0; !rc && i < n; i++)
		if (items[i].action == ITEM_ARCHIVE ||
		    items[i].action == ITEM_REJECT)
			items[i].journal_id = ids[j++];
	free(e);
	free(ids);
	return rc;
}

static bool
dir_seen(struct strvec *dirs, const char *dir)
{
	for (size_t i = 0; i < dirs->nr; i++)
		if (!strcmp(dirs->v[i], dir))
			return true;
	strvec_push(dirs, dir);
	return false;
}

/* link every file to its target; a failure turns the item into a skip */
static int
place(struct ingest_state *s, struct item *items, size_t n)
{
	struct strvec dirs = STRVEC_INIT;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];
		struct strbuf dir = STRBUF_INIT;

		if (it->action != ITEM_ARCHIVE && it->action != ITEM_REJECT)
			continue;
		fsutil_dirname(it->target, &dir);
		if (!dir_seen(&dirs, dir.buf) && fsutil_mkdir_p(dir.buf)) {
			rc = error("could not create directory \"%s\": %s",
				   dir.buf, strerror(errno));
			strbuf_release(&dir);
			break;
		}
		strbuf_release(&dir);
		/* a reject is moved as it is (a symlink stays a symlink) */
		if (fsutil_place(it->src, it->target,
				 it->action == ITEM_ARCHIVE && it->copy) != 0) {
			/* disk full, permissions: leave it in incoming */
			log_error("could not place \"%s\" at \"%s\": %s",
				  it->src, it->target, strerror(errno));
			log_detail("It stays in incoming and is not retried "
				   "in this run.");
			s->counts->stuck++;
			it->action = ITEM_SKIP;
			strvec_push(&s->stuck, it->name);
			continue;
		}
		fault_point("ingest-placed");
	}
	/*
	 * The new names must be durable before the rows that point at them
	 * commit.  Archive directories of one mission share a file system,
	 * so this is one syncfs per batch, not an fsync per directory.
	 */
	if (!rc && fsutil_sync_dirs(&dirs))
		rc = error("could not sync the archive directories (\"%s\"): %s",
			   dirs.v[0], strerror(errno));
	strvec_clear(&dirs);
	return rc;
}

static int
record(struct ingest_state *s, struct item *items, size_t n)
{
	struct store_new_file *nf = xcalloc(n + 1, sizeof(*nf));
	struct store_reject *rj = xcalloc(n + 1, sizeof(*rj));
	int64_t *ids = xcalloc(n + 1, sizeof(*ids));
	size_t nnf = 0, nrj = 0, nids = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];

		if (it->journal_id)
			ids[nids++] = it->journal_id;
		if (it->action == ITEM_ARCHIVE) {
			struct store_new_file *f = &nf[nnf++];

			f->product_id = s->cat.products[it->id.product].id;
			f->level = s->cat.products[it->id.product].level;
			f->filename = it->name;
			f->date = it->id.date;
			f->start_usec = it->id.start_usec;
			f->stop_usec = it->id.stop_usec;
			f->iv = it->id.version.interface;
			f->qv = it->id.version.quality;
			f->rv = it->id.version.revision;
			f->mtime_usec = (int64_t)it->st.st_mtim.tv_sec *
						USEC_PER_SEC +
					it->st.st_mtim.tv_nsec / 1000;
			f->sha1 = it->sha1;
			f->sha256 = it->sha256;
			f->size = it->size;
			f->keywords = it->id.keywords.buf;
		} else if (it->action == ITEM_REJECT) {
			rj[nrj].filename = it->name;
			rj[nrj].kind = it->kind;
			rj[nrj].reason = it->reason.buf;
			rj[nrj].error_path = it->target;
			nrj++;
		}
	}
	rc = db_begin(s->db);
	if (!rc)
		rc = db_exec(s->db, "SET LOCAL synchronous_commit = on");
	if (!rc)
		rc = store_files_insert(s->db, s->opt->run_id, nf, nnf);
	if (!rc)
		rc = store_rejects_insert(s->db, s->opt->run_id, rj, nrj);
	if (!rc)
		rc = store_journal_delete(s->db, ids, nids);
	if (!rc) {
		fault_point("ingest-before-commit");
		rc = db_commit(s->db);
	}
	db_rollback(s->db);
	free(nf);
	free(rj);
	free(ids);
	return rc;
}

/*
 * Remove the incoming names.  Their removal need not be durable: a name
 * that comes back after a power loss is a link to an archived file, which
 * the next scan recognises as a left-over and removes.
 */
static int
finish(struct ingest_state *s, struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct item *it = &items[i];

		switch (it->action) {
		case ITEM_ARCHIVE:
			s->counts->ingested++;
			log_info("ingested \"%s\" as product \"%s\" version "
				 "%d.%d.%d",
				 it->name, s->cat.products[it->id.product].name,
				 it->id.version.interface,
				 it->id.version.quality,
				 it->id.version.revision);
			break;
		case ITEM_DUPLICATE:
			s->counts->duplicates++;
			log_info("\"%s\" is already archived with the same "
				 "content: duplicate removed from incoming",
				 it->name);
			break;
		case ITEM_LEFTOVER:
			s->counts->recovered++;
			break;
		case ITEM_REJECT:
			s->counts->rejected++;
			log_error("rejected \"%s\": %s", it->name,
				  it->reason.buf);
			log_detail("It was moved to \"%s\".", it->target);
			break;
		case ITEM_SKIP:
			continue;
		}
		if (unlink(it->src) != 0 && errno != ENOENT)
			return error("could not remove \"%s\" from incoming: %s",
				     it->src, strerror(errno));
		fault_point("ingest-unlinked");
	}
	return 0;
}

static int
do_batch(struct ingest_state *s, struct item *items, size_t n)
{
	int rc;

	for (size_t i = 0; i < n; i++)
		prepare_item(s, &items[i]);
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
				log_warning("would reject \"%s\": %s", it->name,
					    it->reason.buf);
			}
		}
		return 0;
	}
	if ((rc = journal(s, items, n)))
		return rc;
	fault_point("ingest-journaled");
	if ((rc = place(s, items, n)))
		return rc;
	if ((rc = record(s, items, n)))
		return rc;
	fault_point("ingest-committed");
	return finish(s, items, n);
}

/* -- scanning ----------------------------------------------------------- */

static bool
stuck(const struct ingest_state *s, const char *name)
{
	for (size_t i = 0; i < s->stuck.nr; i++)
		if (!strcmp(s->stuck.v[i], name))
			return true;
	return false;
}

static int
cmp_items(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->name,
		      ((const struct item *)b)->name);
}

static bool
candidate(struct ingest_state *s, const char *name, const char *glob)
{
	/* dot-files are copies in progress (atomic renames) */
	return name[0] != '.' && fnmatch(glob, name, FNM_PERIOD) == 0 &&
	       !stuck(s, name);
}

/* the progress line: files done of those found, rate and ETA */
static void
show_progress(struct ingest_state *s, bool now)
{
	double dt, rate;
	long done = s->counts->seen, left;
	char eta[DURATION_STRLEN];

	if (!log_progress_enabled())
		return;
	dt = (double)(timeutil_mono_ns() - s->t0_ns) / 1e9;
	rate = dt > 0 ? (double)done / dt : 0;
	left = s->total > done ? s->total - done : 0;
	log_progress(now, "ingest: %ld of %ld files (%ld%%), %.0f files/s, "
			  "ETA %s",
		     done, s->total, s->total ? done * 100 / s->total : 100,
		     rate,
		     timeutil_format_duration(rate > 0 ? (double)left / rate
						       : -1,
					      eta));
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
	rewinddir(d);
	while ((de = readdir(d)))
		if (de->d_type != DT_DIR && candidate(s, de->d_name, glob))
			s->total++;
}

/*
 * One pass over incoming in batches, without holding all names in
 * memory.  Returns the number of files handled, or -1.
 */
static long
scan_pass(struct ingest_state *s, DIR *d, int batch)
{
	struct item *items = xcalloc((size_t)batch, sizeof(*items));
	const char *glob = s->opt->glob ? s->opt->glob : "*";
	size_t n = 0;
	long handled = 0;
	bool eof = false;
	int rc = 0;

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
			struct stat st;
			struct strbuf path = STRBUF_INIT;

			if (!candidate(s, de->d_name, glob))
				continue;
			strbuf_addf(&path, "%s/%s", s->m->incoming_dir,
				    de->d_name);
			if (de->d_type == DT_DIR ||
			    (de->d_type == DT_UNKNOWN &&
			     (lstat(path.buf, &st) != 0 || S_ISDIR(st.st_mode)))) {
				strbuf_release(&path);
				continue;
			}
			items[n].dtype = de->d_type;
			items[n].name = xstrdup(de->d_name);
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
					handled++;
				item_release(&items[i]);
			}
			memset(items, 0, (size_t)batch * sizeof(*items));
			s->counts->seen += (long)n;
			n = 0;
			show_progress(s, false);
		}
	}
	for (size_t i = 0; i < n; i++)
		item_release(&items[i]);
	free(items);
	return rc ? -1 : handled;
}

int
ingest_run(struct db *db, const struct store_mission *m,
	   const struct ingest_options *opt, struct ingest_counts *counts)
{
	struct ingest_state s;
	DIR *d = NULL;
	int batch = opt->batch_size > 0 ? opt->batch_size : 500;
	long handled;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	s.db = db;
	s.m = m;
	s.opt = opt;
	s.counts = counts;
	strvec_init(&s.stuck);
	if (!opt->dry_run && (rc = ingest_recover(db, counts)))
		return rc;
	rc = -1;
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
	if (state_init(&s))
		goto out;
	/*
	 * Repeat passes until one handles nothing: removing names while
	 * reading a directory may hide others from the same pass.
	 */
	s.t0_ns = timeutil_mono_ns();
	do {
		if (log_progress_enabled())
			count_candidates(&s, d);
		handled = scan_pass(&s, d, batch);
	} while (handled > 0 && !opt->dry_run);
	log_progress_end();
	if (handled < 0)
		goto out;
	rc = 0;
out:
	if (d)
		closedir(d);
	state_release(&s);
	return rc;
}
