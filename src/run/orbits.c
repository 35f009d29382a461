/*
 * orbits.c - loading an orbits file (see orbits.h).
 */
#include "orbits.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "fault.h"
#include "lock.h"
#include "log.h"
#include "orbit.h"
#include "store.h"
#include "strbuf.h"
#include "timeutil.h"
#include "banned.h"

/* the whole file at path into text; 0, or -1 reported */
static int
read_file(const char *path, struct strbuf *text)
{
	struct stat st;
	FILE *fp = fopen(path, "rb");
	int rc = -1;

	if (!fp)
		return error("could not open orbits file \"%s\": %s", path,
			     strerror(errno));
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		error("orbits file \"%s\" is a directory", path);
		goto out;
	}
	for (;;) {
		size_t n;

		strbuf_grow(text, 65536);
		n = fread(text->buf + text->len, 1, 65536, fp);
		strbuf_setlen(text, text->len + n);
		if (text->len > ORBITS_MAX_FILE_SIZE) {
			error("orbits file \"%s\" is larger than %ld bytes",
			      path, ORBITS_MAX_FILE_SIZE);
			goto out;
		}
		if (n < 65536)
			break;
	}
	if (ferror(fp)) {
		error("could not read orbits file \"%s\": %s", path,
		      strerror(errno));
		goto out;
	}
	rc = 0;
out:
	fclose(fp);
	return rc;
}

/* where an orbit of a conflict comes from: the file's line, or the table */
static void
origin(const struct orbit_list *l, const char *path,
       const struct so_orbit *o, struct strbuf *sb)
{
	const struct orbit *f = orbit_find(l, o->number);

	strbuf_reset(sb);
	if (f)
		strbuf_addf(sb, "line %ld of %s", f->line, path);
	else
		strbuf_addf(sb, "loaded before, from %s",
			    o->source ? o->source : "an unknown source");
}

/* every conflict the load would leave, each as an error */
static void
report_conflicts(const struct orbit_list *l, const char *path,
		 const struct so_load *r)
{
	struct strbuf wa = STRBUF_INIT, wb = STRBUF_INIT;

	for (size_t i = 0; i < r->n_conflicts && i < 20; i++) {
		const struct so_conflict *c = &r->conflicts[i];
		char t1[TIMESTAMP_STRLEN], t2[TIMESTAMP_STRLEN];
		const struct orbit *f = orbit_find(l, c->b.number);

		if (!f)
			f = orbit_find(l, c->a.number);
		origin(l, path, &c->a, &wa);
		origin(l, path, &c->b, &wb);
		error("%s:%ld: orbit %lld (%s) starts at %s, before orbit %lld "
		      "(%s) stops at %s",
		      path, f ? f->line : 0L, (long long)c->b.number, wb.buf,
		      timeutil_format_timestamp(c->b.start, t1),
		      (long long)c->a.number, wa.buf,
		      timeutil_format_timestamp(c->a.stop, t2));
	}
	if (r->n_conflicts > 20)
		log_detail("There are more conflicts than these.");
	log_hint("Orbits must not overlap, and their numbers must follow "
		 "their times: correct the file, or give the corrected times "
		 "of the stored orbits in it too.");
	strbuf_release(&wa);
	strbuf_release(&wb);
}

/* the notice that wakes a resident controller, in the load's transaction */
static int
announce(struct db *db)
{
	int id = 0;
	bool found = false;

	if (store_mission_id(db, &id, &found))
		return -1;
	return found ? lock_notify(db, id, "queued") : 0;
}

enum orbits_load_status
orbits_load(struct db *db, const char *path, bool dry_run, struct so_load *r)
{
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct orbit_list l = ORBIT_LIST_INIT;
	enum orbits_load_status st = ORBITS_BAD;

	memset(r, 0, sizeof(*r));
	if (read_file(path, &text))
		goto out;
	if (orbit_parse(path, text.buf, text.len, &l, &err)) {
		/* one error a line, as the parser wrote them */
		char *s = err.buf;

		while (*s) {
			char *nl = strchr(s, '\n');

			if (nl)
				*nl = '\0';
			error("%s", s);
			s = nl ? nl + 1 : s + strlen(s);
		}
		log_hint("An orbits file has one orbit a line: NUMBER,START,"
			 "STOP in UTC, the stop excluded (cascade-orbits(1)); "
			 "nothing was loaded.");
		goto out;
	}
	if (db_begin(db)) {
		st = ORBITS_DB_ERR;
		goto out;
	}
	if (store_orbits_load(db, &l, path, r)) {
		st = ORBITS_DB_ERR;
		goto rollback;
	}
	if (r->n_conflicts) {
		report_conflicts(&l, path, r);
		goto rollback;
	}
	if (dry_run) {
		st = ORBITS_LOADED;
		goto rollback;
	}
	/* a resident controller plans what was queued at once */
	if (r->queued && announce(db)) {
		st = ORBITS_DB_ERR;
		goto rollback;
	}
	/* written, queued and renumbered, not committed: all or nothing */
	fault_point("orbits-loaded");
	st = db_commit(db) ? ORBITS_DB_ERR : ORBITS_LOADED;
	goto out;
rollback:
	db_rollback(db);
out:
	orbit_list_release(&l);
	strbuf_release(&text);
	strbuf_release(&err);
	return st;
}
