/*
 * runner-reuse.c - reuse by content: a build of a process declared
 * "reuse: content" whose content key (reuse-rules.h) equals that of an
 * earlier successful build takes that build's output instead of
 * running its code.
 *
 * The keys of a fetched batch are computed here (the code's SHA-256 as
 * checked for running it, the inputs' checksums as recorded) and
 * stored, and the matches found, in one statement (runner_reuse_find).
 * Each match is checked when its build's turn comes (runner_reuse_try):
 * the earlier output must still be in the archive with the bytes its
 * row records, else the code runs, said at INFO.  A reused build then
 * goes the way of a code that ended well: its output is placed in a
 * work directory under the build's own name (place(): a hard link, or a
 * copy across file systems), "recording" is committed with the build it
 * was reused from (the journal: a run killed after it records the
 * output, runner-recover.c's record_left), and runner_record_output
 * archives it and queues it for runner_flush's one statement: file row,
 * links to its inputs and code, as a run's.  Nothing here in a sample.
 * A dry run asks the same question (reusable(): the match and the
 * intact check) through runner_reuse_would, and does nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "fault.h"
#include "log.h"
#include "place.h"
#include "reuse-rules.h"
#include "runner-int.h"
#include "sha.h"
#include "store-reuse.h"
#include "xalloc.h"
#include "banned.h"

void
runner_reuse_release(struct runner *r)
{
	store_su_matches_free(r->reuse, r->n_reuse);
	r->reuse = NULL;
	r->n_reuse = 0;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* an input file fetched for the batch (r->files, sorted by id) */
static const struct sr_file *
input_file(const struct runner *r, int64_t id)
{
	return bsearch(&id, r->files, r->n_files, sizeof(*r->files), cmp_id);
}

/*
 * b's content key into key; 0 none (not declared, nothing to reuse, or
 * a part not known), 1 computed, -1 database error
 */
static int
content_key(struct runner *r, const struct sr_build *b,
	    char key[SHA256_HEX_LEN])
{
	const struct process *p = catalog_process(r->cat, b->process_id);
	const struct code *code = catalog_code(r->cat, b->code_id);
	struct reuse_content c = {0};
	char (*sums)[REUSE_CHECKSUM_LEN] = NULL;
	const char **in = NULL;
	const char *sha = NULL;
	int rc = 0;

	if (!p || p->reuse != REUSE_CONTENT || !code || !b->output_product ||
	    b->status != BUILD_STATE_QUEUED)
		return 0;
	if (runner_code_sha256(r, b, &sha))
		return -1;
	if (!sha)
		return 0;
	sums = xcalloc(b->n_inputs + 1, sizeof(*sums));
	in = xcalloc(b->n_inputs + 1, sizeof(*in));
	for (size_t i = 0; i < b->n_inputs; i++) {
		const struct sr_file *f = input_file(r, b->inputs[i]);

		if (f && !reuse_rules_checksum(f->sha256, f->sha1, sums[i]))
			in[i] = sums[i];
	}
	c.code_sha256 = sha;
	c.arguments = b->code_args;
	c.extra_params = b->extra_params;
	c.output_interface = code->output_interface_version;
	c.timebase = b->timebase;
	c.date = b->date;
	c.period_number = b->period_number;
	c.period_start = b->period_start;
	c.period_stop = b->period_stop;
	c.inputs = in;
	c.n_inputs = b->n_inputs;
	if (!reuse_rules_content_key(&c, key))
		rc = 1;
	else
		log_debug("build %lld (%s %s) has no content key: an input "
			  "without a checksum",
			  (long long)b->id, b->process_name, b->output_key);
	free(sums);
	free(in);
	return rc;
}

int
runner_reuse_find(struct runner *r, const struct sr_build *b, size_t n)
{
	int64_t *ids = NULL;
	char (*keys)[SHA256_HEX_LEN] = NULL;
	const char **kp = NULL;
	size_t nk = 0;
	int rc = 0;

	runner_reuse_release(r);
	if (r->opt.scratch_dir || r->opt.sample_every > 0 || !n)
		return 0;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		if (!ids) {
			ids = xcalloc(n, sizeof(*ids));
			keys = xcalloc(n, sizeof(*keys));
			kp = xcalloc(n, sizeof(*kp));
		}
		rc = content_key(r, &b[i], keys[nk]);
		if (rc == 1) {
			ids[nk] = b[i].id;
			kp[nk] = keys[nk];
			nk++;
		}
	}
	if (rc >= 0)
		rc = store_reuse_keys(r->db, ids, kp, nk, &r->reuse,
				      &r->n_reuse);
	if (nk && !rc)
		log_debug("content keys of %zu builds: %zu may reuse an "
			  "earlier output",
			  nk, r->n_reuse);
	free(ids);
	free(keys);
	free(kp);
	return rc < 0 ? rc : 0;
}

/*
 * whether the earlier output at path still has the bytes its row
 * records; why not into why
 */
static bool
intact(const char *path, const struct su_match *m, struct strbuf *why)
{
	char h1[SHA1_HEX_LEN], h2[SHA256_HEX_LEN];
	struct stat st;
	int64_t size;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	bool ok = false;

	if (fd < 0) {
		strbuf_addf(why, "it is not in the archive (%s)",
			    strerror(errno));
		return false;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		strbuf_addstr(why, "it is not a regular file");
	else if (sha_fd(fd, h1, h2, &size))
		strbuf_addf(why, "it could not be read (%s)", strerror(errno));
	else if (m->sha256 && m->sha256[0] ? strcmp(h2, m->sha256) != 0
		 : m->sha1 && m->sha1[0]    ? strcmp(h1, m->sha1) != 0
					      : true)
		strbuf_addstr(why, m->sha256 || m->sha1
					   ? "its bytes differ from those "
					     "recorded"
					   : "no checksum of it is recorded");
	else
		ok = true;
	close(fd);
	return ok;
}

/* place the earlier output src as b's output in dir; 0, or -1 (why) */
static int
place_copy(const char *src, const char *dst, struct strbuf *why)
{
	struct place_req req = {.source = src, .target = dst};
	enum place_outcome o = place(&req);

	if (o == PLACE_PLACED)
		return 0;
	strbuf_addf(why, "it could not be placed as \"%s\" (%s)", dst,
		    req.err ? strerror(req.err) : "not placed");
	return -1;
}

/*
 * the question a run and a dry run both ask of queued build b: r->reuse's
 * match for it (*mp, NULL if none), and whether that earlier output is
 * still in the archive (its path into src) with the bytes its row
 * records (why not into why).  1 reusable, 0 not (or no match), -1
 */
static int
reusable(struct runner *r, const struct sr_build *b,
	 const struct su_match **mp, struct strbuf *src, struct strbuf *why)
{
	const struct su_match *m;

	m = r->n_reuse ? bsearch(&b->id, r->reuse, r->n_reuse,
				 sizeof(*r->reuse), cmp_id)
		       : NULL;
	*mp = NULL;
	if (!m || b->status != BUILD_STATE_QUEUED)
		return 0;
	*mp = m;
	if (runner_file_path(r, m->product_id, m->date, m->start_usec,
			     &m->version, m->keywords, m->filename, src))
		return -1;
	return intact(src->buf, m, why) ? 1 : 0;
}

int
runner_reuse_would(struct runner *r, const struct sr_build *b,
		   struct strbuf *sb)
{
	struct strbuf src = STRBUF_INIT, why = STRBUF_INIT;
	const struct su_match *m;
	int rc = reusable(r, b, &m, &src, &why);

	if (rc == 1)
		strbuf_addf(sb, "would reuse build %lld (%s, the same content): "
				"its code would not run",
			    (long long)m->from_build, m->filename);
	else if (!rc && m)
		strbuf_addf(sb, "would run its code: build %lld (%s) has the "
				"same content key but %s",
			    (long long)m->from_build, m->filename, why.buf);
	strbuf_release(&src);
	strbuf_release(&why);
	return rc;
}

int
runner_reuse_try(struct runner *r, struct sr_build *b,
		 struct runner_counts *cnt)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT, why = STRBUF_INIT,
		      prov = STRBUF_INIT;
	struct strvec argv = STRVEC_INIT;
	const struct su_match *m;
	char *dir = NULL, *kw = NULL;
	int rc = reusable(r, b, &m, &src, &why);

	if (rc < 0 || !m)
		goto out;
	if (!rc)
		goto run;
	rc = 0;
	if (!(dir = runner_take_dir(r))) {
		rc = RUNNER_ENV;
		goto out;
	}
	strbuf_addf(&dst, "%s/%s", dir, b->output_filename);
	if (place_copy(src.buf, dst.buf, &why))
		goto run;
	if ((rc = runner_build_argv(r, b, dir, &argv, &kw)))
		goto out;
	runner_join_argv(&argv, &prov);
	{
		struct su_reuse u = {.build_id = b->id,
				     .from_build = m->from_build,
				     .run_id = r->opt.run_id,
				     .host = r->host.buf,
				     .argv = &argv,
				     .work_dir = dir};

		if ((rc = store_build_reused(r->db, &u)))
			goto out;
	}
	/* from here the build is "recording": its output waits in dir */
	b->status = BUILD_STATE_RECORDING;
	fault_point("build-reused");
	log_info("build %lld (%s %s) reused the output of build %lld "
		 "(\"%s\", the same content): its code did not run",
		 (long long)b->id, b->process_name, b->output_key,
		 (long long)m->from_build, m->filename);
	rc = runner_record_output(r, b, dir, false, prov.buf, kw, NULL, cnt);
	if (!rc) {
		cnt->reused++;
		runner_give_dir(r, dir);
		rc = 1;
	}
	/* not archived: the recording keeps dir for the next run */
	goto out;
run:
	log_info("build %lld (%s %s) runs its code: the output of build "
		 "%lld, \"%s\", has the same content key but %s",
		 (long long)b->id, b->process_name, b->output_key,
		 (long long)m->from_build, m->filename, why.buf);
	runner_give_dir(r, dir);
out:
	free(dir);
	free(kw);
	strvec_clear(&argv);
	strbuf_release(&src);
	strbuf_release(&dst);
	strbuf_release(&why);
	strbuf_release(&prov);
	return rc;
}
