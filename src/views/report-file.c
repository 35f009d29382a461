/*
 * report-file.c - the files of "cascade report": dot's picture and the
 * page (declared in report.h; report.c, the layout, does no I/O).
 *
 * dot runs through spawn.c like every other program: no shell, its own
 * process group, a timeout.  spawn gives a child no stdin, so the DOT is
 * written to a temporary file in DIR, named on dot's command line and
 * removed afterwards.  A missing or failing dot costs the picture only:
 * the caller then shows why and the DOT source.  The page is written
 * atomically (a temporary file in DIR, fsync, rename, fsync of DIR), so
 * a web server never serves half a page.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "spawn.h"
#include "banned.h"

/* how long dot may take, and how much SVG it may write */
#define DOT_TIMEOUT_MS 60000
#define DOT_MAX_SVG ((size_t)64 * 1024 * 1024)

/* write all of buf to fd; 0 or -1/errno */
static int
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* a new file DIR/.NAME.XXXXXX (mode 0600), its name in path; fd or -1 */
static int
make_temp(const char *dir, const char *name, struct strbuf *path)
{
	int fd;

	strbuf_reset(path);
	strbuf_addf(path, "%s/.%s.XXXXXX", dir, name);
	fd = mkstemp(path->buf);
	if (fd < 0)
		error("could not create a temporary file in \"%s\": %s", dir,
		      strerror(errno));
	return fd;
}

/* the first line of what fd (a file) holds, into sb */
static void
first_line(int fd, struct strbuf *sb)
{
	char buf[1024];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	strbuf_addstr(sb, buf);
	strbuf_rtrim(sb);
}

/*
 * Draw dot_src with the program prog into svg (the <svg> element only).
 * On failure why says in one line why there is no picture; the problem
 * is logged (a warning: the report is still written).  Returns 0 or -1.
 */
int
report_draw_graph(const char *prog, const char *dir,
		  const struct strbuf *dot_src, struct strbuf *svg,
		  struct strbuf *why)
{
	struct spawn_child c = SPAWN_CHILD_INIT;
	struct strbuf path = STRBUF_INIT, in = STRBUF_INIT,
		      errpath = STRBUF_INIT, out = STRBUF_INIT;
	int in_fd = -1, err_fd = -1, rc = -1;

	if (!spawn_which(prog, &path)) {
		if (strchr(prog, '/'))
			strbuf_addf(why,
				    "the Graphviz program \"%s\" is not an "
				    "executable file",
				    prog);
		else
			strbuf_addf(why,
				    "the Graphviz program \"%s\" was not "
				    "found in PATH",
				    prog);
		log_warning("report: %s; the graph section shows the DOT "
			    "source instead",
			    why->buf);
		log_hint("Install Graphviz (Debian: apt-get install "
			 "graphviz), or name the program with --dot.");
		goto out;
	}
	in_fd = make_temp(dir, REPORT_FILE ".dot", &in);
	if (in_fd < 0) {
		strbuf_addstr(why, "no temporary file for dot's input");
		goto out;
	}
	if (write_all(in_fd, dot_src->buf, dot_src->len)) {
		strbuf_addf(why, "could not write \"%s\": %s", in.buf,
			    strerror(errno));
		log_warning("report: %s", why->buf);
		goto out;
	}
	if (close(in_fd)) {
		in_fd = -1;
		strbuf_addf(why, "could not write \"%s\": %s", in.buf,
			    strerror(errno));
		log_warning("report: %s", why->buf);
		goto out;
	}
	in_fd = -1;
	/* dot's stderr: a file with no name, read back on failure */
	err_fd = make_temp(dir, REPORT_FILE ".err", &errpath);
	if (err_fd < 0) {
		strbuf_addstr(why, "no temporary file for dot's messages");
		goto out;
	}
	unlink(errpath.buf);

	strvec_push(&c.args, path.buf);
	strvec_push(&c.args, "-Tsvg");
	strvec_push(&c.args, in.buf);
	c.err_fd = err_fd;
	c.timeout_ms = DOT_TIMEOUT_MS;
	c.kill_grace_ms = 1000;
	if (spawn_run_capture(&c, &out, DOT_MAX_SVG)) {
		strbuf_addf(why, "\"%s\" could not be run", path.buf);
		goto out;
	}
	if (c.output_overflow) {
		strbuf_addf(why, "the output of \"%s\" exceeds %zu bytes",
			    path.buf, (size_t)DOT_MAX_SVG);
		log_warning("report: %s", why->buf);
		goto out;
	}
	if (spawn_exit_status(&c) != 0) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(why, "\"%s\" ", path.buf);
		spawn_describe(&c, why);
		first_line(err_fd, &msg);
		if (msg.len)
			strbuf_addf(why, " (%s)", msg.buf);
		strbuf_release(&msg);
		log_warning("report: %s", why->buf);
		goto out;
	}
	if (report_svg_extract(out.buf, out.len, svg)) {
		strbuf_addf(why, "\"%s\" wrote no SVG", path.buf);
		log_warning("report: %s", why->buf);
		goto out;
	}
	rc = 0;
out:
	if (in_fd >= 0)
		close(in_fd);
	if (in.len)
		unlink(in.buf);
	if (err_fd >= 0)
		close(err_fd);
	spawn_child_release(&c);
	strbuf_release(&path);
	strbuf_release(&in);
	strbuf_release(&errpath);
	strbuf_release(&out);
	return rc;
}

/*
 * Write DIR/index.html atomically: a temporary file beside it, fsync,
 * rename over the old page, fsync of DIR.  0, or -1 (reported).
 */
int
report_write_page(const char *dir, const struct strbuf *page)
{
	struct strbuf tmp = STRBUF_INIT, target = STRBUF_INIT;
	int fd, rc = -1;

	strbuf_addf(&target, "%s/%s", dir, REPORT_FILE);
	fd = make_temp(dir, REPORT_FILE, &tmp);
	if (fd < 0)
		goto out;
	/* mkstemp made it 0600; a report is for others to read */
	if (fchmod(fd, 0644) || write_all(fd, page->buf, page->len) ||
	    fsync(fd)) {
		error("could not write file \"%s\": %s", tmp.buf,
		      strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd)) {
		error("could not write file \"%s\": %s", tmp.buf,
		      strerror(errno));
		goto out;
	}
	if (rename(tmp.buf, target.buf)) {
		error("could not rename file \"%s\" to \"%s\": %s", tmp.buf,
		      target.buf, strerror(errno));
		goto out;
	}
	strbuf_reset(&tmp);
	if (fsutil_fsync_dir(dir)) {
		error("could not fsync directory \"%s\": %s", dir,
		      strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (tmp.len)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	strbuf_release(&target);
	return rc;
}

