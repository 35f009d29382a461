/*
 * check.c - consistency checks and repairs of the archive (see check.h).
 *
 * Owns the order of the checks and of the repairs' disk effects: a row
 * is only marked "on disk" after its file was found with its recorded
 * checksum, a file is only taken out of the archive once it has another
 * name (in incoming, or at its recorded path), and a name is only
 * removed when another name of the same file is kept.  The SQL is
 * store-admin.c's, paths are archive.c's.  Whether an output is stale is
 * not decided here: the planner evaluates its key (planner_evaluate) by
 * the rules it plans by, and this module only says why and repairs.
 */
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive-move.h"
#include "archive.h"
#include "catalog.h"
#include "db.h"
#include "fsutil.h"
#include "ingest.h"
#include "log.h"
#include "place.h"
#include "planner.h"
#include "prefer-rules.h"
#include "store-admin.h"
#include "store-build.h"
#include "store.h"
#include "strvec.h"
#include "timeutil.h"
#include "xalloc.h"
#include "banned.h"

/* archive files looked up per query */
#define DISK_BATCH 500

static const char *const kind_names[CHECK_N_KINDS] = {
	[CHECK_MISSING] = "missing",
	[CHECK_CHECKSUM] = "checksum",
	[CHECK_UNREADABLE] = "unreadable",
	[CHECK_REAPPEARED] = "reappeared",
	[CHECK_UNRECORDED] = "unrecorded",
	[CHECK_MISPLACED] = "misplaced",
	[CHECK_INGEST] = "ingest",
	[CHECK_MOVE] = "move",
	[CHECK_ORPHAN_LINK] = "orphan-link",
	[CHECK_STALE] = "stale",
	[CHECK_PERIOD] = "period",
	[CHECK_GAP] = "gap",
	[CHECK_NO_INPUT] = "no-input",
	[CHECK_DUPLICATE] = "duplicate",
	[CHECK_PATH] = "path",
	[CHECK_SIZE] = "size",
};

const char *
check_kind_name(enum check_kind kind)
{
	if (kind < 0 || kind >= CHECK_N_KINDS)
		BUG("check kind %d", (int)kind);
	return kind_names[kind];
}

struct dir_id {
	dev_t dev;
	ino_t ino;
};

struct state {
	struct db *db;
	const struct catalog *cat;
	const struct mission *m;	/* cat->mission */
	const struct check_options *o;
	struct check_counts *c;
	const struct archive *arch;	/* cat->archive */
	struct strvec journal_targets; /* excluded from "unrecorded" */
	struct dir_id excl[4];         /* incoming, errors, codes, inspectors */
	size_t n_excl;
};

CASCADE_PRINTF(6, 7)
static void
report(struct state *s, enum check_kind kind, const char *subject,
       enum check_outcome outcome, const char *action, const char *fmt, ...)
{
	struct check_finding f;
	struct strbuf detail = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&detail, fmt, ap);
	va_end(ap);
	if (!s->o->repair) {
		outcome = CHECK_FOUND;
		action = NULL;
	}
	/*
	 * a day with no input is not a problem: never repaired (nothing
	 * can build it), nor counted as left; --repair says what a person
	 * can do about it
	 */
	if (kind == CHECK_NO_INPUT && outcome == CHECK_REPAIRED)
		BUG("a day with no input repaired");
	f.kind = kind;
	f.subject = subject;
	f.detail = detail.buf;
	f.outcome = outcome;
	f.action = action;
	s->c->found[kind]++;
	if (kind != CHECK_NO_INPUT)
		s->c->findings++;
	if (outcome == CHECK_REPAIRED)
		s->c->repaired++;
	else if (outcome == CHECK_LEFT && kind != CHECK_NO_INPUT)
		s->c->left++;
	if (s->o->report)
		s->o->report(s->o->arg, &f);
	strbuf_release(&detail);
}

static void
to_archive_file(const struct store_admin_file *f, struct archive_file *af)
{
	af->product_id = f->product_id;
	af->filename = f->filename;
	af->has_date = f->has_date;
	af->date = f->date;
	af->start_usec = f->start_usec;
	af->version.interface = f->iv;
	af->version.quality = f->qv;
	af->version.revision = f->rv;
	af->keywords = f->keywords;
}

static int
file_path(const struct archive *a, const struct store_admin_file *f,
	  struct strbuf *path, struct strbuf *err)
{
	struct archive_file af;

	to_archive_file(f, &af);
	strbuf_reset(path);
	strbuf_reset(err);
	return archive_path(a, &af, path, err);
}

/* -- interrupted ingests and moves ---------------------------------------- */

static int
check_journal(struct state *s)
{
	struct store_journal_entry *e = NULL;
	size_t n = 0;
	int rc;

	if ((rc = store_journal_list(s->db, &e, &n)) || n == 0)
		goto out;
	if (s->o->repair) {
		struct ingest_counts ic = {0};

		if ((rc = ingest_recover(s->db, &ic)))
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!s->o->repair)
			strvec_push(&s->journal_targets, e[i].target);
		report(s, CHECK_INGEST, e[i].source, CHECK_REPAIRED,
		       "rolled back: the file is in incoming for the next "
		       "ingest",
		       "an ingest was killed while moving it to \"%s\"",
		       e[i].target);
	}
out:
	store_journal_free(e, n);
	return rc;
}

static int
check_moves(struct state *s)
{
	struct store_admin_move *mv = NULL;
	size_t n = 0;
	long moves = 0, removed = 0;
	int rc;

	if ((rc = store_admin_moves_pending(s->db, s->o->product_id, &mv, &n)) ||
	    n == 0)
		goto out;
	if (s->o->repair &&
	    (rc = archive_move_settle(s->db, s->cat, s->o->product_id, 0, &moves,
				     &removed)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (mv[i].committed)
			report(s, CHECK_MOVE, mv[i].product, CHECK_REPAIRED,
			       "completed: the old names were removed",
			       "a move from \"%s\" to \"%s\" was killed after "
			       "its commit: the files still have their old "
			       "names too",
			       mv[i].old_relative_path,
			       mv[i].new_relative_path);
		else
			report(s, CHECK_MOVE, mv[i].product, CHECK_REPAIRED,
			       "undone: the new names were removed",
			       "a move from \"%s\" to \"%s\" was killed before "
			       "its commit: files may have a second name in "
			       "the new directory",
			       mv[i].old_relative_path,
			       mv[i].new_relative_path);
	}
out:
	store_admin_moves_free(mv, n);
	return rc;
}

/* -- the archive on disk ---------------------------------------------------- */

static bool
excluded(const struct state *s, const struct stat *st)
{
	for (size_t i = 0; i < s->n_excl; i++)
		if (s->excl[i].dev == st->st_dev && s->excl[i].ino == st->st_ino)
			return true;
	return false;
}

static void
exclude_dirs(struct state *s)
{
	const char *dirs[] = {s->m->incoming_dir, s->m->errordir,
			      s->m->codedir, s->m->inspectordir};
	struct stat root, st;
	bool have_root = stat(s->m->rootdir, &root) == 0;

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (!dirs[i] || stat(dirs[i], &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		/* codedir defaults to rootdir: never exclude the archive */
		if (have_root && st.st_dev == root.st_dev &&
		    st.st_ino == root.st_ino)
			continue;
		s->excl[s->n_excl].dev = st.st_dev;
		s->excl[s->n_excl].ino = st.st_ino;
		s->n_excl++;
	}
}

static bool
journaled(const struct state *s, const char *path)
{
	for (size_t i = 0; i < s->journal_targets.nr; i++)
		if (!strcmp(s->journal_targets.v[i], path))
			return true;
	return false;
}

/* place.h: give from the name to; *e the errno of a failure */
static enum place_outcome
place_as(const char *from, const char *to, const char *sha1, int *e)
{
	struct place_req req = {.source = from, .target = to, .sha1 = sha1,
				.flags = PLACE_MKDIR};
	enum place_outcome o = place(&req);

	*e = req.err;
	return o;
}

/* an archive file no row names: into incoming, for the next ingest */
static void
unrecorded(struct state *s, const char *path, const char *name)
{
	struct strbuf target = STRBUF_INIT, why = STRBUF_INIT;
	struct stat st;
	int e;

	if (journaled(s, path))
		return;
	if (!s->o->repair) {
		report(s, CHECK_UNRECORDED, path, CHECK_FOUND, NULL,
		       "no file row is named \"%s\"", name);
		return;
	}
	strbuf_addf(&target, "%s/%s", s->m->incoming_dir, name);
	if (fsutil_mkdir_p(s->m->incoming_dir)) {
		strbuf_addf(&why, "could not create \"%s\": %s",
			    s->m->incoming_dir, strerror(errno));
	} else if (lstat(target.buf, &st) == 0) {
		strbuf_addf(&why, "incoming already has a file named \"%s\"",
			    name);
	} else if (place_as(path, target.buf, NULL, &e) != PLACE_PLACED) {
		strbuf_addf(&why, "could not link it to \"%s\": %s", target.buf,
			    strerror(e));
	} else if (fsutil_fsync_dir(s->m->incoming_dir) || unlink(path)) {
		/* two names now: ingest adopts the archive one if identical */
		strbuf_addf(&why, "it is in incoming, but could not be "
				  "removed from the archive: %s",
			    strerror(errno));
	}
	if (why.len) {
		report(s, CHECK_UNRECORDED, path, CHECK_LEFT, why.buf,
		       "no file row is named \"%s\"", name);
	} else {
		strbuf_addf(&why, "moved to \"%s\" for the next ingest",
			    target.buf);
		report(s, CHECK_UNRECORDED, path, CHECK_REPAIRED, why.buf,
		       "no file row is named \"%s\"", name);
	}
	strbuf_release(&target);
	strbuf_release(&why);
}

/* a file whose name has a row, found at another path than the row's */
static void
misplaced(struct state *s, const char *path, const struct store_admin_file *f,
	  const char *expected)
{
	struct strbuf why = STRBUF_INIT;
	enum check_outcome out = CHECK_LEFT;
	struct stat st;
	enum place_outcome o;
	bool readable;
	int e;

	if (archive_same_file(path, expected)) {
		if (s->o->repair && unlink(path) == 0) {
			out = CHECK_REPAIRED;
			strbuf_addstr(&why, "removed this extra name");
		} else {
			strbuf_addf(&why, "could not remove it: %s",
				    strerror(errno));
		}
		report(s, CHECK_MISPLACED, path, out, why.buf,
		       "another name of \"%s\"", expected);
	} else if (lstat(expected, &st) != 0 && errno == ENOENT &&
		   (!f->sha1 || archive_sha1_matches(path, f->sha1, &readable))) {
		if (!s->o->repair) {
			/* reported below */
		} else if ((o = place_as(path, expected, f->sha1, &e)) !=
			   PLACE_PLACED &&
		   o != PLACE_SAME) {
			strbuf_addf(&why, "could not link it to \"%s\": %s",
				    expected, strerror(e));
		} else if (unlink(path) != 0) {
			strbuf_addf(&why, "it is at \"%s\" too, but could not "
					  "be removed here: %s",
				    expected, strerror(errno));
		} else {
			out = CHECK_REPAIRED;
			strbuf_addf(&why, "moved to \"%s\"", expected);
		}
		report(s, CHECK_MISPLACED, path, out, why.buf,
		       "file \"%s\" belongs at \"%s\", where nothing is",
		       f->filename, expected);
	} else {
		report(s, CHECK_MISPLACED, path, CHECK_LEFT,
		       "a different file: compare them and remove one",
		       "file \"%s\" is recorded at \"%s\"", f->filename,
		       expected);
	}
	strbuf_release(&why);
}

struct disk_batch {
	struct strvec paths;
	struct strvec names;
};

static int
flush_batch(struct state *s, struct disk_batch *b)
{
	struct store_admin_file *f = NULL;
	struct strbuf expected = STRBUF_INIT, err = STRBUF_INIT;
	int rc;

	if (!b->names.nr)
		return 0;
	f = xcalloc(b->names.nr + 1, sizeof(*f));
	rc = store_admin_files_by_name(s->db, b->names.v, b->names.nr, f);
	for (size_t i = 0; !rc && i < b->names.nr; i++) {
		s->c->disk_files++;
		if (!f[i].id) {
			unrecorded(s, b->paths.v[i], b->names.v[i]);
			continue;
		}
		/* a row whose path cannot be computed is the row pass's */
		if (file_path(s->arch, &f[i], &expected, &err) ||
		    !strcmp(expected.buf, b->paths.v[i]))
			continue;
		misplaced(s, b->paths.v[i], &f[i], expected.buf);
	}
	store_admin_files_free(f, b->names.nr);
	strbuf_release(&expected);
	strbuf_release(&err);
	strvec_clear(&b->paths);
	strvec_clear(&b->names);
	return rc;
}

/* walk root (iteratively) for files no row names at that path */
static int
walk(struct state *s, const char *root, struct disk_batch *b)
{
	struct strvec todo = STRVEC_INIT;
	int rc = 0;

	strvec_push(&todo, root);
	while (!rc && todo.nr) {
		char *dir = xstrdup(todo.v[todo.nr - 1]);
		DIR *d;
		struct dirent *de;

		strvec_pop(&todo);
		d = opendir(dir);
		if (!d) {
			if (errno != ENOENT)
				report(s, CHECK_UNREADABLE, dir, CHECK_LEFT,
				       "check its permissions",
				       "could not open directory: %s",
				       strerror(errno));
			free(dir);
			continue;
		}
		while (!rc) {
			struct strbuf path = STRBUF_INIT;
			struct stat st;
			unsigned char type;

			errno = 0;
			de = readdir(d);
			if (!de) {
				if (errno)
					report(s, CHECK_UNREADABLE, dir,
					       CHECK_LEFT,
					       "check the file system",
					       "could not read directory: %s",
					       strerror(errno));
				break;
			}
			/*
			 * dot-files: copies in progress, temporary names of
			 * moves, and ".cascade" directories
			 */
			if (de->d_name[0] == '.')
				continue;
			strbuf_addf(&path, "%s/%s", dir, de->d_name);
			type = de->d_type;
			if (type == DT_UNKNOWN || type == DT_DIR) {
				if (lstat(path.buf, &st) != 0) {
					strbuf_release(&path);
					continue;
				}
				type = S_ISDIR(st.st_mode)   ? DT_DIR
				       : S_ISREG(st.st_mode) ? DT_REG
				       : S_ISLNK(st.st_mode) ? DT_LNK
							     : DT_UNKNOWN;
			}
			if (type == DT_DIR) {
				if (!excluded(s, &st))
					strvec_push(&todo, path.buf);
			} else if (type == DT_REG || type == DT_LNK) {
				strvec_push(&b->paths, path.buf);
				strvec_push(&b->names, de->d_name);
				if (b->names.nr >= DISK_BATCH)
					rc = flush_batch(s, b);
			}
			strbuf_release(&path);
		}
		closedir(d);
		free(dir);
	}
	strvec_clear(&todo);
	return rc;
}

static int
check_disk(struct state *s)
{
	struct strvec roots = STRVEC_INIT;
	struct disk_batch b = {STRVEC_INIT, STRVEC_INIT};
	int rc = 0;

	exclude_dirs(s);
	archive_roots(s->arch, s->o->product_id, &roots);
	for (size_t i = 0; !rc && i < roots.nr; i++)
		rc = walk(s, roots.v[i], &b);
	if (!rc)
		rc = flush_batch(s, &b);
	strvec_clear(&b.paths);
	strvec_clear(&b.names);
	strvec_clear(&roots);
	return rc;
}

/* -- the rows ------------------------------------------------------------- */

/* a file on disk where its row says: its type, size and checksum */
static void
check_content(struct state *s, const struct store_admin_file *f,
	      const char *path, const struct stat *st)
{
	bool readable;

	if (!S_ISREG(st->st_mode)) {
		report(s, CHECK_UNREADABLE, f->filename, CHECK_LEFT,
		       "put the file back in its place",
		       "\"%s\" is not a regular file", path);
		return;
	}
	/* cheap, so always: an archived file that grew or shrank */
	if (f->size >= 0 && (int64_t)st->st_size != f->size) {
		report(s, CHECK_SIZE, f->filename, CHECK_LEFT,
		       "restore it from a copy, or purge it and "
		       "deliver it again",
		       "\"%s\" has %lld bytes; its row says %lld",
		       path, (long long)st->st_size,
		       (long long)f->size);
		return;
	}
	if (!s->o->verify_checksums || !f->sha1)
		return;
	s->c->checksummed++;
	if (archive_sha1_matches(path, f->sha1, &readable))
		return;
	if (!readable)
		report(s, CHECK_UNREADABLE, f->filename, CHECK_LEFT,
		       "check its permissions and the disk",
		       "could not read \"%s\": %s", path,
		       strerror(errno));
	else
		report(s, CHECK_CHECKSUM, f->filename, CHECK_LEFT,
		       "restore it from a copy, or purge it and "
		       "deliver it again",
		       "the SHA-1 of \"%s\" is not the recorded %s",
		       path, f->sha1);
}

static int
check_rows_of(struct state *s, const struct product *p)
{
	struct store_admin_file *f = NULL;
	size_t n = 0;
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	int64_t *gone = NULL, *back = NULL;
	size_t ngone = 0, nback = 0;
	struct strvec gone_names = STRVEC_INIT, gone_paths = STRVEC_INIT;
	struct strvec back_names = STRVEC_INIT, back_paths = STRVEC_INIT;
	int rc;

	if ((rc = store_admin_files_of_product(s->db, p->id, &f, &n)))
		return rc;
	gone = xcalloc(n + 1, sizeof(*gone));
	back = xcalloc(n + 1, sizeof(*back));
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		bool readable;

		s->c->files++;
		if (file_path(s->arch, &f[i], &path, &err)) {
			report(s, CHECK_PATH, f[i].filename, CHECK_LEFT,
			       "correct the row or the product's "
			       "relative_path",
			       "no archive path: %s", err.buf);
			continue;
		}
		if (!f[i].on_disk) {
			if (lstat(path.buf, &st) != 0)
				continue;
			if (s->o->repair && f[i].sha1 &&
			    !archive_sha1_matches(path.buf, f[i].sha1,
						  &readable)) {
				report(s, CHECK_REAPPEARED, f[i].filename,
				       CHECK_LEFT,
				       readable ? "its content differs from "
						  "the row's SHA-1"
						: "it cannot be read",
				       "the row says it is not on disk; it is "
				       "at \"%s\"",
				       path.buf);
				continue;
			}
			back[nback++] = f[i].id;
			strvec_push(&back_names, f[i].filename);
			strvec_push(&back_paths, path.buf);
			continue;
		}
		if (stat(path.buf, &st) != 0) {
			if (errno == ENOENT) {
				gone[ngone++] = f[i].id;
				strvec_push(&gone_names, f[i].filename);
				strvec_push(&gone_paths, path.buf);
			} else {
				report(s, CHECK_UNREADABLE, f[i].filename,
				       CHECK_LEFT, "check its permissions",
				       "could not stat \"%s\": %s", path.buf,
				       strerror(errno));
			}
			continue;
		}
		check_content(s, &f[i], path.buf, &st);
	}
	if (s->o->repair && ngone &&
	    (rc = store_admin_set_on_disk(s->db, gone, ngone, false)))
		goto out;
	for (size_t i = 0; i < ngone; i++)
		report(s, CHECK_MISSING, gone_names.v[i], CHECK_REPAIRED,
		       "exists_on_disk set to false",
		       "no file at \"%s\"", gone_paths.v[i]);
	if (s->o->repair && nback &&
	    (rc = store_admin_set_on_disk(s->db, back, nback, true)))
		goto out;
	for (size_t i = 0; i < nback; i++)
		report(s, CHECK_REAPPEARED, back_names.v[i], CHECK_REPAIRED,
		       "exists_on_disk set to true",
		       "the row says it is not on disk; it is at \"%s\"",
		       back_paths.v[i]);
out:
	store_admin_files_free(f, n);
	free(gone);
	free(back);
	strvec_clear(&gone_names);
	strvec_clear(&gone_paths);
	strvec_clear(&back_names);
	strvec_clear(&back_paths);
	strbuf_release(&path);
	strbuf_release(&err);
	return rc;
}

static int
check_rows(struct state *s)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < s->cat->n_products; i++)
		if (!s->o->product_id ||
		    s->cat->products[i].id == s->o->product_id)
			rc = check_rows_of(s, &s->cat->products[i]);
	return rc;
}

/* -- what SQL sees -------------------------------------------------------- */

static int
check_orphans(struct state *s)
{
	struct store_admin_finding *f = NULL;
	size_t n = 0;
	int64_t deleted = 0;
	int rc;

	if ((rc = store_admin_orphan_links(s->db, s->o->product_id, &f, &n)) ||
	    n == 0)
		goto out;
	if (s->o->repair &&
	    (rc = store_admin_orphan_links_delete(s->db, s->o->product_id,
						  &deleted)))
		goto out;
	for (size_t i = 0; i < n; i++)
		report(s, CHECK_ORPHAN_LINK, f[i].subject, CHECK_REPAIRED,
		       "deleted", "%s", f[i].detail);
out:
	store_admin_findings_free(f, n);
	return rc;
}

/* outputs evaluated per planner query */
#define STALE_BATCH 500

static void
code_text(const struct code *c, struct strbuf *sb)
{
	char v[VERSION_STRLEN];

	strbuf_addf(sb, "%s %s", c->filename, version_format(&c->version, v));
}

static void
code_dates(const struct code *c, struct strbuf *sb)
{
	char d1[DATE_STRLEN], d2[DATE_STRLEN];

	code_text(c, sb);
	strbuf_addf(sb, " (%s to %s)", timeutil_format_date(c->start_date, d1),
		    timeutil_format_date(c->stop_date, d2));
}

/*
 * Why the newest output of key i differs from what the rules would make
 * now: one line each into why (a parent superseded, gone from its
 * window or from disk, an input it lacks, another code).
 */
static void
stale_reasons(const struct plan_eval *ev, size_t i, const bool *queued,
	      struct strvec *why)
{
	const struct plan_key *k = &ev->keys[i];
	const struct sb_state *st = &ev->st[i];
	const struct sb_parent *par = ev->par + k->par_first;
	const struct sb_input *in = ev->in + k->in_first;
	const bool *q = queued + k->in_first;
	struct strbuf sb = STRBUF_INIT;

	for (size_t j = 0; j < k->par_n; j++) {
		const struct sb_input *same = NULL;
		size_t qi = 0;
		bool input = false;

		for (size_t x = 0; x < k->in_n; x++) {
			if (in[x].file_id == par[j].file_id)
				input = true;
			else if (in[x].product_id == par[j].product_id &&
				 in[x].date == par[j].date &&
				 in[x].period_number == par[j].period_number) {
				same = &in[x];
				qi = x;
			}
		}
		if (input)
			continue;
		strbuf_reset(&sb);
		if (same && !par[j].on_disk)
			strbuf_addf(&sb, "made from %s, which is not on disk: "
					 "the input of its date is now %s%s",
				    par[j].filename, same->filename,
				    q[qi] ? " (queued)" : "");
		else if (same)
			strbuf_addf(&sb, "made from %s, which is superseded by "
					 "%s%s",
				    par[j].filename, same->filename,
				    q[qi] ? " (queued)" : "");
		else
			strbuf_addf(&sb, "made from %s, which is no longer one "
					 "of its inputs%s",
				    par[j].filename,
				    par[j].on_disk ? "" : " (not on disk)");
		strvec_push(why, sb.buf);
	}
	for (size_t x = 0; x < k->in_n; x++) {
		bool known = false;

		for (size_t j = 0; j < k->par_n; j++)
			known |= par[j].product_id == in[x].product_id &&
				 par[j].date == in[x].date &&
				 par[j].period_number == in[x].period_number;
		if (known)
			continue;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s is one of its inputs now, not made from "
				 "it%s",
			    in[x].filename, q[x] ? " (queued)" : "");
		strvec_push(why, sb.buf);
	}
	if (k->code && k->code != k->out_code) {
		strbuf_reset(&sb);
		if (!k->out_code) {
			strbuf_addstr(&sb, "no code is recorded as its maker; "
					   "its period's code is ");
			code_text(k->code, &sb);
		} else {
			strbuf_addstr(&sb, "made with code ");
			code_text(k->out_code, &sb);
			if (version_cmp(&k->code->version,
					&k->out_code->version) > 0)
				strbuf_addstr(&sb, ", which is superseded by ");
			else if (!plan_code_usable(k->out_code))
				strbuf_addstr(&sb, ", which is not active; its "
						   "period's code is ");
			else
				strbuf_addstr(&sb, "; its period's code is ");
			code_text(k->code, &sb);
		}
		strvec_push(why, sb.buf);
	}
	if (st->period_was) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "its period moved: it was built for %s",
			    st->period_was);
		strvec_push(why, sb.buf);
	}
	if (!why->nr && k->code) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "its code declares output interface %d",
			    k->code->output_interface_version);
		strvec_push(why, sb.buf);
	}
	strbuf_release(&sb);
}

/*
 * Why the rules leave key i's output as it is (*why), and what a person
 * can do (*advice); false if they do not.
 */
static bool
left_reason(const struct state *s, const struct planner *pl,
	    const struct plan_eval *ev, size_t i, int process_id,
	    struct strbuf *why, struct strbuf *advice)
{
	const struct plan_key *k = &ev->keys[i];

	switch (k->verdict) {
	case PLAN_NO_INPUT:
		if (k->missing_product) {
			strbuf_addstr(why, "required ");
			catalog_input_text(s->cat,
					   planner_process(pl, process_id),
					   k->missing_product, why);
			strbuf_addstr(why, " has no file for it now");
		} else
			strbuf_addstr(why, "it has no inputs now");
		break;
	case PLAN_NEIGHBOUR_ONLY:
		strbuf_addstr(why, "it has no input of its own now, only in "
				   "its window");
		break;
	case PLAN_NO_CODE:
		strbuf_addstr(why, "no code of its process is valid in its "
				   "period now");
		strbuf_addstr(advice, "it is not rebuilt: give a code these "
				      "dates, or purge it");
		return true;
	case PLAN_CODES_SHARED:
		strbuf_addstr(why, "codes ");
		code_dates(k->code, why);
		strbuf_addstr(why, " and ");
		code_dates(k->other, why);
		strbuf_addstr(why, " are both valid within its period");
		strbuf_addstr(advice, "it is not rebuilt: move a start_date or "
				      "stop_date to a period boundary");
		return true;
	case PLAN_INTERFACE_BELOW:
		strbuf_addstr(why, "its period's code ");
		code_text(k->code, why);
		strbuf_addf(why, " declares output interface %d, below the %d "
				 "of the code that made it",
			    k->code->output_interface_version,
			    k->out_code ? k->out_code->output_interface_version
					: ev->st[i].out_version.interface);
		strbuf_addstr(advice, "it is not rebuilt: raise the code's "
				      "output_interface_version, or purge it");
		return true;
	default:
		return false;
	}
	strbuf_addstr(advice, "it is not rebuilt and stays as it is; purge it "
			      "if it should go");
	return true;
}

/* one batch of keys of one process: evaluate, report, repair */
static int
stale_batch(struct state *s, struct planner *pl,
	    const struct sb_candidate *c, const int64_t *outputs, size_t n)
{
	struct plan_eval ev;
	struct strbuf action = STRBUF_INIT, why = STRBUF_INIT,
		      reason = STRBUF_INIT;
	struct strvec lines = STRVEC_INIT;
	int64_t *ids = NULL;
	bool *queued = NULL;
	int rc;

	if ((rc = planner_evaluate(pl, c, n, &ev)))
		goto out;
	ids = xcalloc(ev.nin + 1, sizeof(*ids));
	for (size_t i = 0; i < ev.nin; i++)
		ids[i] = ev.in[i].file_id;
	if ((rc = store_queued(s->db, ids, ev.nin, &queued)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct plan_key *k = &ev.keys[i];
		const struct sb_state *st = &ev.st[i];
		enum check_outcome outcome = CHECK_REPAIRED;

		if (st->out_id != outputs[i])
			continue; /* a newer version appeared meanwhile */
		s->c->outputs++;
		strbuf_reset(&action);
		strbuf_reset(&why);
		strvec_clear(&lines);
		if (c[i].timebase == TIMEBASE_ORBIT &&
		    c[i].period_stop <= c[i].period_start) {
			/* its orbit was deleted (by hand: loads never do) */
			outcome = CHECK_LEFT;
			s->c->stale_left++;
			strbuf_addf(&why, "its orbit %lld is not in the orbit "
					  "table now",
				    (long long)c[i].period_number);
			strbuf_addstr(&action, "it is not rebuilt: load the "
					       "orbit again (cascade orbits "
					       "load), or purge it");
			strvec_push(&lines, why.buf);
		} else if (left_reason(s, pl, &ev, i, c[i].process_id, &why,
				&action)) {
			outcome = CHECK_LEFT;
			s->c->stale_left++;
			strvec_push(&lines, why.buf);
		} else if (k->current || k->verdict == PLAN_UPTODATE) {
			continue;
		} else {
			stale_reasons(&ev, i, queued, &lines);
			if (k->verdict == PLAN_BAD) {
				outcome = CHECK_LEFT;
				strbuf_addstr(&action,
					      "a bad build of it is left for a "
					      "person (cascade failures)");
			} else if (k->verdict == PLAN_OPEN) {
				strbuf_addstr(&action,
					      "a build of it is planned already");
			} else if (s->o->repair) {
				int64_t added = 0;

				strbuf_reset(&reason);
				strbuf_addf(&reason, "%s: stale output %s",
					    s->o->who ? s->o->who
						      : "check --repair",
					    st->out_filename);
				for (size_t j = 0; j < k->in_n; j++)
					ids[j] = ev.in[k->in_first + j].file_id;
				if ((rc = store_queue_files(s->db, ids, k->in_n,
							    s->o->run_id,
							    reason.buf, &added)))
					goto out;
				s->c->queued += added;
				if (added)
					strbuf_addf(&action,
						    "queued %lld input%s: the "
						    "next ProcessQueue -p "
						    "rebuilds it",
						    (long long)added,
						    added == 1 ? "" : "s");
				else
					strbuf_addstr(&action,
						      "its inputs were already "
						      "queued");
			}
		}
		s->c->stale++;
		for (size_t j = 0; j < lines.nr; j++)
			report(s, CHECK_STALE, st->out_filename, outcome,
			       action.buf, "%s", lines.v[j]);
	}
out:
	planner_eval_release(&ev);
	free(ids);
	free(queued);
	strbuf_release(&action);
	strbuf_release(&why);
	strbuf_release(&reason);
	strvec_clear(&lines);
	return rc;
}

/* the stale check over the processes named (all: n == 0) */
static int
stale_outputs(struct state *s, const char *const *named, size_t nn)
{
	struct planner *pl = NULL;
	struct plan_conflict *cf = NULL;
	size_t ncf = 0;
	int rc;

	if ((rc = planner_new(s->db, s->cat, &pl)))
		return rc;
	for (size_t pi = 0; planner_process_at(pl, pi); pi++) {
		const struct process *proc = planner_process_at(pl, pi);
		struct sb_candidate *c = NULL;
		int64_t *outs = NULL;
		size_t n = 0;
		bool wanted = nn == 0;

		for (size_t k = 0; k < nn; k++)
			wanted |= !strcmp(named[k], proc->name);
		if (!wanted || !proc->output_product_id ||
		    (s->o->product_id &&
		     proc->output_product_id != s->o->product_id))
			continue;
		rc = store_output_keys(s->db, proc->id, &c, &outs, &n);
		for (size_t i = 0; !rc && i < n; i++)
			planner_key_end(pl, &c[i]);
		for (size_t off = 0; !rc && off < n; off += STALE_BATCH)
			rc = stale_batch(s, pl, c + off, outs + off,
					 n - off < STALE_BATCH ? n - off
							       : STALE_BATCH);
		store_candidates_free(c, n);
		free(outs);
		if (rc)
			break;
	}
	if (!rc && nn == 0) {
		planner_code_conflicts(pl, &cf, &ncf);
		for (size_t i = 0; i < ncf; i++) {
			struct strbuf d = STRBUF_INIT;
			char d1[DATE_STRLEN], d2[DATE_STRLEN];

			if (s->o->product_id &&
			    cf[i].process->output_product_id != s->o->product_id)
				continue;
			strbuf_addf(&d, "%s to %s is not built: codes ",
				    timeutil_format_date(cf[i].start, d1),
				    timeutil_format_date(cf[i].end, d2));
			code_dates(cf[i].code, &d);
			strbuf_addstr(&d, " and ");
			code_dates(cf[i].other, &d);
			strbuf_addstr(&d, " are both valid within it");
			report(s, CHECK_PERIOD, cf[i].process->name, CHECK_LEFT,
			       "one code builds a period: move a start_date "
			       "or stop_date to a period boundary",
			       "%s", d.buf);
			strbuf_release(&d);
		}
		free(cf);
	}
	planner_free(pl);
	return rc;
}

static int
check_stale(struct state *s)
{
	return stale_outputs(s, NULL, 0);
}

int
check_outputs(struct db *db, const struct catalog *cat,
	      const struct check_options *o, const char *const *named,
	      size_t n, struct check_counts *c)
{
	struct state s;

	memset(&s, 0, sizeof(s));
	s.db = db;
	s.cat = cat;
	s.m = cat->mission;
	s.arch = cat->archive;
	s.o = o;
	s.c = c;
	return stale_outputs(&s, named, n);
}

/*
 * A missing day of a product: a gap, or a day with no input (why), and
 * what a person can do: for a day with no input, the input products it
 * lacks (delivered ones, made ones), for a gap what the rules say of it.
 */
struct gap_class {
	bool no_input;
	char *why;     /* the rules' reason, or NULL */
	enum plan_verdict verdict; /* a made product's day */
	char *deliver; /* no input: delivered products it lacks ("a", "b") */
	char *made;    /* no input: made products it lacks */
	size_t n_made;
};

/* the names quoted, for a sentence: "a", "a" and "b", "a", "b" and "c" */
static char *
name_list(const struct strvec *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (!v->nr)
		return NULL;
	for (size_t i = 0; i < v->nr; i++)
		strbuf_addf(&sb, "%s\"%s\"",
			    !i		     ? ""
			    : i + 1 < v->nr ? ", "
					     : " and ",
			    v->v[i]);
	return strbuf_detach(&sb, NULL);
}

/*
 * the input products key i lacks in its own period: its required ones
 * with no file there (or, when all its inputs are optional, any), apart
 * into delivered and made products
 */
static void
lacking(const struct state *s, const struct planner *pl,
	const struct plan_eval *ev, size_t i, int process_id,
	struct gap_class *out)
{
	const struct process *proc = catalog_process(s->cat, process_id);
	const struct plan_key *k = &ev->keys[i];
	struct strvec deliver = STRVEC_INIT, made = STRVEC_INIT;
	bool any_required = false;

	for (size_t n = 0; proc && n < proc->n_inputs; n++)
		any_required |= !proc->inputs[n].optional;
	for (size_t n = 0; proc && n < proc->n_inputs; n++) {
		const struct input *in = &proc->inputs[n];
		bool has = false;

		/* an input group once, named by its first product */
		if ((in->optional && any_required) ||
		    (in->group && in->rank != 0))
			continue;
		for (size_t j = 0; j < k->in_n && !has; j++) {
			const struct sb_input *x = &ev->in[k->in_first + j];

			has = x->own &&
			      prefer_same_input(in, prefer_input(proc,
								 x->product_id));
		}
		if (has)
			continue;
		strvec_push(catalog_maker(s->cat, in->product_id) ? &made
								  : &deliver,
			    planner_product_name(pl, in->product_id));
	}
	out->deliver = name_list(&deliver);
	out->made = name_list(&made);
	out->n_made = made.nr;
	strvec_clear(&deliver);
	strvec_clear(&made);
}

/*
 * classify days d[0..n) of one made product (one process): the planner
 * evaluates each as a key; one it leaves for want of inputs (no input,
 * or only a neighbour's) is a day with no input, any other a gap
 */
static int
classify_made(const struct state *s, struct planner *pl,
	      const struct store_admin_gap_day *d, size_t n,
	      struct gap_class *out)
{
	struct sb_candidate *c = xcalloc(n + 1, sizeof(*c));
	struct plan_eval ev;
	struct strbuf why = STRBUF_INIT, advice = STRBUF_INIT;
	int rc;

	memset(&ev, 0, sizeof(ev));
	for (size_t i = 0; i < n; i++) {
		c[i].process_id = d[i].process_id;
		c[i].timebase = TIMEBASE_DAILY;
		c[i].output_product = d[i].product_id;
		c[i].key_start = d[i].date;
		c[i].keywords = (char *)"";
		c[i].version_bump = -1;
		c[i].own = true;
		planner_key_end(pl, &c[i]);
	}
	rc = planner_evaluate(pl, c, n, &ev);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct plan_key *k = &ev.keys[i];

		strbuf_reset(&why);
		strbuf_reset(&advice);
		out[i].verdict = k->verdict;
		out[i].no_input = k->verdict == PLAN_NO_INPUT ||
				  k->verdict == PLAN_NEIGHBOUR_ONLY;
		if (left_reason(s, pl, &ev, i, d[i].process_id, &why,
				&advice))
			out[i].why = xstrdup(why.buf);
		if (out[i].no_input)
			lacking(s, pl, &ev, i, d[i].process_id, &out[i]);
	}
	planner_eval_release(&ev);
	strbuf_release(&why);
	strbuf_release(&advice);
	free(c);
	return rc;
}

/*
 * what a person can do about days d[0..n) of one class (n: how many),
 * into sb.  Nothing here is repaired: a day with no input cannot be
 * built, and a gap is built by the planner's own rules, not by check.
 */
static void
gap_advice(const struct store_admin_gap_day *d, size_t n,
	   const struct gap_class *gc, struct strbuf *sb)
{
	const char *it = n == 1 ? "it" : "them",
		   *days = n == 1 ? "that day" : "these days";

	if (gc->no_input && !d->process_id) {
		strbuf_addf(sb, "deliver the files of \"%s\" for %s, or accept "
				"the gap: the next ProcessQueue ingests them and "
				"builds what they feed",
			    d->product, days);
	} else if (gc->no_input && gc->deliver && gc->made) {
		strbuf_addf(sb, "deliver %s for %s; the next ProcessQueue "
				"builds %s once %s %s files for %s too",
			    gc->deliver, days, it, gc->made,
			    gc->n_made > 1 ? "have" : "has", days);
	} else if (gc->no_input && gc->deliver) {
		strbuf_addf(sb, "deliver %s for %s: the next ProcessQueue "
				"builds %s",
			    gc->deliver, days, it);
	} else if (gc->no_input && gc->made) {
		strbuf_addf(sb, "the next ProcessQueue builds %s once %s "
				"%s files for %s (see %s own line%s)",
			    it, gc->made, gc->n_made > 1 ? "have" : "has", days,
			    gc->n_made > 1 ? "their" : "its",
			    gc->n_made > 1 ? "s" : "");
	} else if (gc->no_input) {
		strbuf_addf(sb, "the next ProcessQueue builds %s once its "
				"inputs are delivered",
			    it);
	} else {
		switch (gc->verdict) {
		case PLAN_OPEN:
			strbuf_addf(sb, "planned already: the next "
					"ProcessQueue builds %s",
				    it);
			break;
		case PLAN_BAD:
			strbuf_addstr(sb, "a bad build is left for a person "
					  "(cascade failures)");
			break;
		case PLAN_NO_CODE:
			strbuf_addstr(sb, "give a code of its process these "
					  "dates");
			break;
		case PLAN_CODES_SHARED:
			strbuf_addstr(sb, "move a start_date or stop_date to a "
					  "period boundary");
			break;
		case PLAN_INTERFACE_BELOW:
			strbuf_addstr(sb, "raise its code's "
					  "output_interface_version");
			break;
		default:
			strbuf_addf(sb, "its inputs are there: \"cascade "
					"run-process\" builds %s",
				    it);
			break;
		}
	}
}

/* report days d[0..n) (one product, one class and reason) as runs */
static void
report_gap_runs(struct state *s, const struct store_admin_gap_day *d,
		size_t n, const struct gap_class *gc)
{
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		char d1[DATE_STRLEN], d2[DATE_STRLEN];
		struct strbuf det = STRBUF_INIT, advice = STRBUF_INIT;

		while (j < n && d[j].date == d[j - 1].date + 1)
			j++;
		if (j - i == 1)
			strbuf_addf(&det, "no file on %s",
				    timeutil_format_date(d[i].date, d1));
		else
			strbuf_addf(&det, "no file from %s to %s (%zu days)",
				    timeutil_format_date(d[i].date, d1),
				    timeutil_format_date(d[j - 1].date, d2),
				    j - i);
		if (gc->no_input && !d[i].process_id)
			strbuf_addstr(&det, ": none was delivered");
		else if (gc->why)
			strbuf_addf(&det, ": %s", gc->why);
		if (gc->no_input)
			s->c->no_input_days += (long)(j - i);
		gap_advice(d + i, j - i, gc, &advice);
		report(s, gc->no_input ? CHECK_NO_INPUT : CHECK_GAP,
		       d[i].product, CHECK_LEFT, advice.buf, "%s", det.buf);
		strbuf_release(&det);
		strbuf_release(&advice);
		i = j;
	}
}

static bool
same_text(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : !a && !b;
}

static bool
same_class(const struct gap_class *a, const struct gap_class *b)
{
	return a->no_input == b->no_input && same_text(a->why, b->why) &&
	       (a->no_input || a->verdict == b->verdict) &&
	       same_text(a->deliver, b->deliver) && same_text(a->made, b->made);
}

/*
 * classify the days d[0..n) (store_admin_gap_days: by product, then
 * date) into gc[0..n): a delivered product's missing day has no input
 * (none was delivered); a made product's is evaluated by the planner
 */
static int
classify_gaps(struct db *db, const struct catalog *cat,
	      const struct store_admin_gap_day *d, size_t n,
	      struct gap_class *gc)
{
	struct planner *pl = NULL;
	/* what classify_made reads of a check's state: the catalog */
	const struct state st = {.db = db, .cat = cat};
	int rc = 0;

	for (size_t i = 0; !rc && i < n;) {
		size_t j = i + 1;

		while (j < n && d[j].product_id == d[i].product_id &&
		       j - i < STALE_BATCH)
			j++;
		if (!d[i].process_id) {
			for (size_t k = i; k < j; k++)
				gc[k].no_input = true;
		} else {
			if (!pl && (rc = planner_new(db, cat, &pl)))
				break;
			rc = classify_made(&st, pl, d + i, j - i, gc + i);
		}
		i = j;
	}
	planner_free(pl);
	return rc;
}

int
check_gap_days(struct db *db, const struct catalog *cat,
	       struct check_gap_day **out, size_t *n)
{
	struct store_admin_gap_day *d = NULL;
	struct gap_class *gc = NULL;
	size_t nd = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_admin_gap_days(db, 0, &d, &nd)))
		return rc;
	gc = xcalloc(nd + 1, sizeof(*gc));
	rc = classify_gaps(db, cat, d, nd, gc);
	if (!rc) {
		*out = xcalloc(nd + 1, sizeof(**out));
		for (size_t i = 0; i < nd; i++) {
			(*out)[i].product_id = d[i].product_id;
			(*out)[i].date = d[i].date;
			(*out)[i].no_input = gc[i].no_input;
		}
		*n = nd;
	}
	for (size_t i = 0; i < nd; i++) {
		free(gc[i].why);
		free(gc[i].deliver);
		free(gc[i].made);
	}
	free(gc);
	store_admin_gap_days_free(d, nd);
	return rc;
}

/*
 * gap: days with no file between a product's first and last.  A day
 * that cannot be built because a required input never arrived (a
 * delivered product's, or a made one the planner leaves for want of
 * input) is reported as "no-input", not as a problem.
 */
static int
check_gaps(struct state *s)
{
	struct store_admin_gap_day *d = NULL;
	struct gap_class *gc = NULL;
	size_t n = 0;
	int rc;

	if ((rc = store_admin_gap_days(s->db, s->o->product_id, &d, &n)))
		return rc;
	gc = xcalloc(n + 1, sizeof(*gc));
	rc = classify_gaps(s->db, s->cat, d, n, gc);
	for (size_t i = 0; !rc && i < n;) {
		size_t j = i + 1;

		while (j < n && d[j].product_id == d[i].product_id &&
		       same_class(&gc[j], &gc[i]) &&
		       d[j].date == d[j - 1].date + 1)
			j++;
		report_gap_runs(s, d + i, j - i, &gc[i]);
		i = j;
	}
	for (size_t i = 0; i < n; i++) {
		free(gc[i].why);
		free(gc[i].deliver);
		free(gc[i].made);
	}
	free(gc);
	store_admin_gap_days_free(d, n);
	return rc;
}

static int
check_sql_only(struct state *s, enum check_kind kind,
	       int (*fn)(struct db *, int, struct store_admin_finding **,
			 size_t *),
	       const char *advice)
{
	struct store_admin_finding *f = NULL;
	size_t n = 0;
	int rc;

	if ((rc = fn(s->db, s->o->product_id, &f, &n)))
		return rc;
	for (size_t i = 0; i < n; i++)
		report(s, kind, f[i].subject, CHECK_LEFT, advice, "%s",
		       f[i].detail);
	store_admin_findings_free(f, n);
	return 0;
}

int
check_run(struct db *db, const struct catalog *cat,
	  const struct check_options *o, struct check_counts *c)
{
	struct state s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.db = db;
	s.cat = cat;
	s.m = cat->mission;
	s.arch = cat->archive;
	s.o = o;
	s.c = c;
	strvec_init(&s.journal_targets);
	/*
	 * Interrupted work first, so the archive is whole; then the disk
	 * (which may put a misplaced file back where its row says), then
	 * the rows (which may mark files missing), then what SQL sees
	 * (which sees the rows as repaired).
	 */
	if ((rc = check_journal(&s)) || (rc = check_moves(&s)) ||
	    (rc = check_disk(&s)) || (rc = check_rows(&s)) ||
	    (rc = check_orphans(&s)) || (rc = check_stale(&s)))
		goto out;
	if ((rc = check_gaps(&s)))
		goto out;
	rc = check_sql_only(&s, CHECK_DUPLICATE, store_admin_duplicates,
			    "purge all but one of them");
out:
	strvec_clear(&s.journal_targets);
	return rc;
}
