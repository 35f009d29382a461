/*
 * status.c - the operators' views (see status.h): 80-column text tables
 * for people, JSON for machines.
 *
 * Every view is built in a strbuf and written with one fputs.  Text
 * cells go through status_cell(), which cuts, pads and neutralises
 * whatever the database or a log file holds; JSON goes through json.h,
 * which escapes and never cuts.  Timestamps arrive as UTC text
 * "YYYY-MM-DDTHH:MM:SSZ" and are shown as "YYYY-MM-DD HH:MM" in tables
 * and "YYYY-MM-DD HH:MM:SS UTC" in detail views.
 *
 * Nothing here queries or decides: a view shows what it is given.
 */
#include "status.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "why-text.h"
#include "xalloc.h"
#include "banned.h"

/* Lines stay below this many columns, so a terminal never wraps them. */
#define LINE_MAX_COLS 79

/* -- cells and formats ------------------------------------------------ */

/*
 * The next display unit of s: *len bytes, shown as itself or as "?"
 * (*safe false): C0 and C1 controls, DEL and invalid UTF-8.
 */
static void
next_unit(const char *s, size_t avail, size_t *len, bool *safe)
{
	unsigned char c = (unsigned char)s[0];
	size_t bad, n;

	if (c < 0x80) {
		*len = 1;
		*safe = c >= 0x20 && c != 0x7f;
		return;
	}
	n = json_utf8_len(s, avail, &bad);
	if (n == 0) {
		*len = bad;
		*safe = false;
		return;
	}
	*len = n;
	/* U+0080..U+009F (C1 controls) are C2 80..C2 9F */
	*safe = !(c == 0xC2 && (unsigned char)s[1] < 0xA0);
}

static int
display_cols(const char *s)
{
	size_t avail = strlen(s), len;
	int cols = 0;
	bool safe;

	while (avail) {
		next_unit(s, avail, &len, &safe);
		s += len;
		avail -= len;
		cols++;
	}
	return cols;
}

static void
add_units(struct strbuf *sb, const char *s, int max_units)
{
	size_t avail = strlen(s), len;
	bool safe;

	for (int i = 0; avail && i < max_units; i++) {
		next_unit(s, avail, &len, &safe);
		if (safe)
			strbuf_add(sb, s, len);
		else
			strbuf_addch(sb, '?');
		s += len;
		avail -= len;
	}
}

void
status_cell(struct strbuf *sb, const char *s, int width, bool right)
{
	int cols;

	if (!s)
		s = "-";
	cols = display_cols(s);
	if (width <= 0) {
		add_units(sb, s, cols);
		return;
	}
	if (cols > width && right) {
		add_units(sb, s, cols); /* a number: wider, never wrong */
		return;
	}
	if (cols > width) {
		add_units(sb, s, width - 1);
		strbuf_addch(sb, '~');
		return;
	}
	if (right)
		strbuf_addf(sb, "%*s", width - cols, "");
	add_units(sb, s, cols);
	if (!right)
		strbuf_addf(sb, "%*s", width - cols, "");
}

/* a cell, then one space */
static void
col(struct strbuf *sb, const char *s, int width, bool right)
{
	status_cell(sb, s, width, right);
	strbuf_addch(sb, ' ');
}

/* the last cell of a line: cut to what is left of the line, no padding */
static void
last_col(struct strbuf *sb, size_t line_start, const char *s)
{
	int room = LINE_MAX_COLS - display_cols(sb->buf + line_start);

	if (!s)
		s = "-";
	if (room < 2)
		room = 2;
	if (display_cols(s) > room)
		status_cell(sb, s, room, false);
	else
		status_cell(sb, s, 0, false);
	strbuf_rtrim(sb);
	strbuf_addch(sb, '\n');
}

static void
end_line(struct strbuf *sb)
{
	strbuf_rtrim(sb);
	strbuf_addch(sb, '\n');
}

/*
 * A table's columns: title, width, alignment.  Headers and rows are
 * printed from the same description, so they cannot drift apart.  A
 * width of 0 marks the last column: cut to the rest of the line.
 */
struct column {
	const char *title;
	int width;
	bool right;
};

static void
header(struct strbuf *sb, const char *indent, const struct column *c)
{
	strbuf_addstr(sb, indent);
	for (; c->title; c++) {
		if (c->width)
			col(sb, c->title, c->width, c->right);
		else
			strbuf_addstr(sb, c->title);
	}
	end_line(sb);
}

/* cell i of a row that started at line_start */
static void
cell(struct strbuf *sb, size_t line_start, const struct column *c,
     const char *s)
{
	if (c->width)
		col(sb, s, c->width, c->right);
	else
		last_col(sb, line_start, s);
}

/* "YYYY-MM-DD HH:MM" (short) or "YYYY-MM-DD HH:MM:SS" of an ISO text */
static const char *
tstamp(const char *iso, bool seconds, char *buf, size_t size)
{
	size_t n = seconds ? 19 : 16;

	if (!iso)
		return NULL;
	if (strlen(iso) < n || size <= n) {
		snprintf(buf, size, "%s", iso);
		return buf;
	}
	memcpy(buf, iso, n);
	buf[n] = '\0';
	if (buf[10] == 'T')
		buf[10] = ' ';
	return buf;
}

/*
 * "YYYY-MM-DDTHH:MM:SSZ" of a UTC "YYYY-MM-DD HH:MM:SS" text (how lock.h
 * gives times), so that every JSON timestamp has one form
 */
static const char *
iso(const char *text, char *buf, size_t size)
{
	if (!text)
		return NULL;
	if (strlen(text) < 19 || size < 21) {
		snprintf(buf, size, "%s", text);
		return buf;
	}
	memcpy(buf, text, 19);
	buf[10] = 'T';
	buf[19] = 'Z';
	buf[20] = '\0';
	return buf;
}

static const char *
num(int64_t v, char *buf, size_t size)
{
	if (v == SS_NULL)
		return NULL;
	snprintf(buf, size, "%" PRId64, v);
	return buf;
}

char *
status_format_duration(double s, char *buf)
{
	const size_t size = STATUS_FMT_LEN;

	if (isnan(s)) {
		snprintf(buf, size, "-");
	} else if (s < 0) {
		snprintf(buf, size, "0.00s");
	} else if (s < 9.995) {
		snprintf(buf, size, "%.2fs", s);
	} else if (s < 59.95) {
		snprintf(buf, size, "%.1fs", s);
	} else if (s < 3599.5) {
		int t = (int)(s + 0.5);

		snprintf(buf, size, "%dm%02ds", t / 60, t % 60);
	} else if (s < 86400) {
		int t = (int)(s / 60);

		if (t < 60)
			t = 60; /* 3599.5 s and more: not "59m60s" */
		snprintf(buf, size, "%dh%02dm", t / 60, t % 60);
	} else if (s < 100 * 86400.0) {
		int t = (int)(s / 3600);

		snprintf(buf, size, "%dd%02dh", t / 24, t % 24);
	} else if (s < 1e9) {
		snprintf(buf, size, "%dd", (int)(s / 86400));
	} else {
		snprintf(buf, size, "long");
	}
	return buf;
}

char *
status_format_kb(long long kb, char *buf)
{
	const size_t size = STATUS_FMT_LEN;
	double v = (double)kb;

	if (kb == (long long)SS_NULL || kb < 0)
		snprintf(buf, size, "-");
	else if (kb < 1024)
		snprintf(buf, size, "%lldK", kb);
	else if (v < 10 * 1024.0)
		snprintf(buf, size, "%.1fM", v / 1024);
	else if (v < 1024 * 1024.0)
		snprintf(buf, size, "%.0fM", v / 1024);
	else if (v < 10 * 1024 * 1024.0)
		snprintf(buf, size, "%.1fG", v / (1024 * 1024));
	else if (v < 1024 * 1024 * 1024.0)
		snprintf(buf, size, "%.0fG", v / (1024 * 1024));
	else
		snprintf(buf, size, "%.1fT", v / (1024.0 * 1024 * 1024));
	return buf;
}

/*
 * A line of items "a, b, c" after prefix, wrapped before LINE_MAX_COLS
 * with continuation lines indented by two spaces.
 */
struct wrap {
	struct strbuf *sb;
	size_t line_start;
	bool first;
};

static void
wrap_begin(struct wrap *w, struct strbuf *sb, const char *prefix)
{
	w->sb = sb;
	w->line_start = sb->len;
	w->first = true;
	strbuf_addstr(sb, prefix);
}

static void
wrap_item(struct wrap *w, const char *item)
{
	size_t used = w->sb->len - w->line_start;
	size_t add = strlen(item) + (w->first ? 0 : 2);

	if (!w->first && used + add > LINE_MAX_COLS) {
		strbuf_addstr(w->sb, ",\n  ");
		w->line_start = w->sb->len - 2;
	} else if (!w->first) {
		strbuf_addstr(w->sb, ", ");
	}
	status_cell(w->sb, item, 0, false);
	w->first = false;
}

static void
wrap_end(struct wrap *w)
{
	strbuf_addch(w->sb, '\n');
}

/* "label:" padded to the detail views' label column, then the value */
static void
field(struct strbuf *sb, const char *label, const char *value)
{
	strbuf_addf(sb, "  %-12s ", label);
	status_cell(sb, value ? value : "-", 0, false);
	end_line(sb);
}

static void
fieldf(struct strbuf *sb, const char *label, const char *fmt, ...)
	CASCADE_PRINTF(3, 4);

static void
fieldf(struct strbuf *sb, const char *label, const char *fmt, ...)
{
	struct strbuf v = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&v, fmt, ap);
	va_end(ap);
	field(sb, label, v.buf);
	strbuf_release(&v);
}

/* indented, "| "-prefixed lines of a multi-line text (log, stderr tail) */
static void
quoted_lines(struct strbuf *sb, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);

		strbuf_addstr(sb, "    | ");
		status_cell(sb, line, 0, false);
		end_line(sb);
		free(line);
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void
flush(struct strbuf *sb)
{
	fputs(sb->buf, stdout);
	strbuf_release(sb);
}

static void
json_flush(struct json_writer *w, struct strbuf *sb)
{
	json_finish(w);
	flush(sb);
}

/* JSON helpers for nullable values */
static void
kv_i64(struct json_writer *w, const char *key, int64_t v)
{
	if (v == SS_NULL)
		json_kv_null(w, key);
	else
		json_kv_int(w, key, v);
}

static void
kv_dbl(struct json_writer *w, const char *key, double v)
{
	json_kv_double(w, key, v); /* NaN is written as null */
}

/* -- runs ------------------------------------------------------------- */

static const struct column run_cols[] = {
	{"RUN", 6, true},    {"COMMAND", 16, false}, {"STARTED", 16, false},
	{"TIME", 6, true},   {"STATUS", 11, false},  {"EXIT", 4, true},
	{"FILES", 7, true},  {"BUILDS", 6, true},    {NULL, 0, false},
};

static void
runs_header(struct strbuf *sb)
{
	header(sb, "", run_cols);
}

static void
run_row(struct strbuf *sb, const struct ss_run *r)
{
	char b1[32], b2[32], d[STATUS_FMT_LEN], files[80], builds[80];
	const struct column *c = run_cols;
	size_t start = sb->len;

	cell(sb, start, c++, num(r->id, b1, sizeof(b1)));
	cell(sb, start, c++, r->command);
	cell(sb, start, c++, tstamp(r->started, false, b2, sizeof(b2)));
	cell(sb, start, c++, status_format_duration(r->duration_s, d));
	cell(sb, start, c++, run_state_name(r->status));
	cell(sb, start, c++, num(r->exit_status, b1, sizeof(b1)));
	snprintf(files, sizeof(files), "%" PRId64 "/%" PRId64 "/%" PRId64,
		 r->files_ingested, r->files_duplicate, r->files_rejected);
	snprintf(builds, sizeof(builds), "%" PRId64 "/%" PRId64 "/%" PRId64,
		 r->builds_ok, r->builds_failed, r->builds_skipped);
	cell(sb, start, c++, files);
	cell(sb, start, c++, builds);
	end_line(sb);
}

/* the legend, and which runs had builds reused (of their ok) */
static void
runs_legend(struct strbuf *sb, const struct ss_run *r, size_t n)
{
	struct wrap w = {0};
	bool any = false;

	strbuf_addstr(sb, "FILES: ingested/duplicates/rejected; "
			  "BUILDS: ok/failed/skipped\n");
	for (size_t i = 0; i < n; i++) {
		char item[64];

		if (r[i].builds_reused <= 0)
			continue;
		if (!any)
			wrap_begin(&w, sb, "Reused (ok without running a code): ");
		any = true;
		snprintf(item, sizeof(item), "run %" PRId64 ": %" PRId64,
			 r[i].id, r[i].builds_reused);
		wrap_item(&w, item);
	}
	if (any)
		wrap_end(&w);
}

static void
json_run(struct json_writer *w, const struct ss_run *r)
{
	json_object_begin(w);
	json_kv_int(w, "logging_id", r->id);
	json_kv_string(w, "command", r->command);
	json_kv_string(w, "user", r->user);
	json_kv_string(w, "hostname", r->hostname);
	kv_i64(w, "pid", r->pid);
	json_kv_string(w, "status", run_state_name(r->status));
	kv_i64(w, "exit_status", r->exit_status);
	json_kv_bool(w, "currently_processing", r->current);
	json_kv_string(w, "started_at", r->started);
	json_kv_string(w, "ended_at", r->ended);
	kv_dbl(w, "duration_s", r->duration_s);
	json_kv_string(w, "comment", r->comment);
	json_kv_int(w, "files_ingested", r->files_ingested);
	json_kv_int(w, "files_duplicate", r->files_duplicate);
	json_kv_int(w, "files_rejected", r->files_rejected);
	json_kv_int(w, "builds_ok", r->builds_ok);
	json_kv_int(w, "builds_failed", r->builds_failed);
	json_kv_int(w, "builds_skipped", r->builds_skipped);
	json_kv_int(w, "builds_reused", r->builds_reused);
	json_object_end(w);
}

void
status_print_runs(const struct ss_run *r, size_t n, bool json)
{
	struct strbuf sb = STRBUF_INIT;

	if (json) {
		struct json_writer w;

		json_init(&w, &sb, JSON_PRETTY);
		json_document_begin(&w);
		json_key(&w, "runs");
		json_array_begin(&w);
		for (size_t i = 0; i < n; i++)
			json_run(&w, &r[i]);
		json_array_end(&w);
		json_object_end(&w);
		json_flush(&w, &sb);
		return;
	}
	if (n == 0) {
		strbuf_addstr(&sb, "no runs\n");
	} else {
		runs_header(&sb);
		for (size_t i = 0; i < n; i++)
			run_row(&sb, &r[i]);
		runs_legend(&sb, r, n);
	}
	flush(&sb);
}

/* -- builds ----------------------------------------------------------- */

static const struct column build_cols[] = {
	{"BUILD", 6, true},  {"PROCESS", 16, false}, {"KEY", 10, false},
	{"STATUS", 9, false}, {"ATT", 3, true},      {"EXIT", 5, true},
	{"STARTED", 16, false}, {"TIME", 6, true},   {NULL, 0, false},
};

static void
builds_header(struct strbuf *sb)
{
	header(sb, "", build_cols);
}

/*
 * exit code, "sigN", "reuse" (it took an earlier build's output: no code
 * ran) or "-"
 */
static const char *
exit_text(const struct ss_build *b, char *buf, size_t size)
{
	if (b->reused_from != SS_NULL)
		snprintf(buf, size, "reuse");
	else if (b->term_signal != SS_NULL && b->term_signal != 0)
		snprintf(buf, size, "sig%" PRId64, b->term_signal);
	else if (b->exit_code != SS_NULL)
		snprintf(buf, size, "%" PRId64, b->exit_code);
	else
		return NULL;
	return buf;
}

/*
 * a Slurm build's line under its row: queued or running in its job (as
 * Slurm says, when asked), why it waits, and its node once known; cut
 * to the terminal's 80 columns
 */
static void
slurm_line(struct strbuf *sb, const struct ss_build *b)
{
	const char *st = b->slurm_state,
		   *node = b->slurm_node[0] ? b->slurm_node : b->node;
	size_t start = sb->len;

	if (!strcmp(st, "PENDING"))
		strbuf_addf(sb, "%7squeued in Slurm job %s", "",
			    b->slurm_job_id);
	else if (!strcmp(st, "RUNNING"))
		strbuf_addf(sb, "%7srunning in Slurm job %s", "",
			    b->slurm_job_id);
	else if (*st)
		strbuf_addf(sb, "%7sin Slurm job %s (%s)", "", b->slurm_job_id,
			    st);
	else
		strbuf_addf(sb, "%7sin Slurm job %s", "", b->slurm_job_id);
	if (node && *node)
		strbuf_addf(sb, " on %s", node);
	if (b->slurm_reason[0])
		strbuf_addf(sb, ", waiting: %s", b->slurm_reason);
	if (sb->len - start > 79) {
		strbuf_setlen(sb, start + 76);
		strbuf_addstr(sb, "...");
	}
	end_line(sb);
}

static void
build_row(struct strbuf *sb, const struct ss_build *b)
{
	char b1[32], b2[32], d[STATUS_FMT_LEN];
	const struct column *c = build_cols;
	size_t start = sb->len;

	cell(sb, start, c++, num(b->id, b1, sizeof(b1)));
	cell(sb, start, c++, b->process);
	cell(sb, start, c++, b->output_key);
	cell(sb, start, c++, build_state_name(b->status));
	cell(sb, start, c++, num(b->attempt, b1, sizeof(b1)));
	cell(sb, start, c++, exit_text(b, b1, sizeof(b1)));
	cell(sb, start, c++, tstamp(b->started, false, b2, sizeof(b2)));
	cell(sb, start, c++, status_format_duration(b->duration_s, d));
	end_line(sb);
	if (b->slurm_job_id && *b->slurm_job_id)
		slurm_line(sb, b);
}

static void
json_input(struct json_writer *w, const struct ss_input *in)
{
	json_object_begin(w);
	json_kv_int(w, "file_id", in->file_id);
	json_kv_bool(w, "exists", in->exists);
	json_kv_string(w, "filename", in->filename);
	json_kv_string(w, "product", in->product);
	json_kv_string(w, "version", in->version);
	json_kv_string(w, "utc_file_date", in->utc_file_date);
	json_object_end(w);
}

/* the list fields of a build, inside an open object */
static void
json_build_fields(struct json_writer *w, const struct ss_build *b)
{
	json_kv_int(w, "build_id", b->id);
	kv_i64(w, "batch_id", b->batch_id);
	kv_i64(w, "logging_id", b->logging_id);
	json_kv_string(w, "process", b->process);
	json_kv_string(w, "product", b->product);
	json_kv_string(w, "output_key", b->output_key);
	json_kv_string(w, "utc_file_date", b->utc_file_date);
	json_kv_string(w, "status", build_state_name(b->status));
	kv_i64(w, "attempt", b->attempt);
	kv_i64(w, "exit_code", b->exit_code);
	kv_i64(w, "term_signal", b->term_signal);
	json_kv_string(w, "reason", b->reason);
	json_kv_string(w, "hostname", b->hostname);
	kv_i64(w, "pid", b->pid);
	json_kv_string(w, "queued_at", b->queued);
	json_kv_string(w, "started_at", b->started);
	json_kv_string(w, "ended_at", b->ended);
	kv_dbl(w, "duration_s", b->duration_s);
	kv_dbl(w, "cpu_user_s", b->cpu_user_s);
	kv_dbl(w, "cpu_sys_s", b->cpu_sys_s);
	kv_i64(w, "max_rss_kb", b->max_rss_kb);
	kv_i64(w, "code_id", b->code_id);
	json_kv_string(w, "code_version", b->code_version);
	kv_i64(w, "reused_from_build_id", b->reused_from);
	json_kv_int(w, "n_inputs", b->n_inputs);
	json_kv_string(w, "log_path", b->log_path);
	json_kv_string(w, "slurm_job_id", b->slurm_job_id);
	json_kv_string(w, "node", b->node ? b->node
				 : b->slurm_node[0] ? b->slurm_node : NULL);
	json_kv_string(w, "slurm_state",
		       b->slurm_state[0] ? b->slurm_state : NULL);
	json_kv_string(w, "slurm_reason",
		       b->slurm_reason[0] ? b->slurm_reason : NULL);
}

/*
 * a build's output, code, command line and inputs (its provenance),
 * inside an open object
 */
static void
json_build_provenance(struct json_writer *w, const struct ss_build *b)
{
	json_kv_string(w, "code_filename", b->code_filename);
	json_kv_string(w, "code_path", b->code_path);
	json_kv_string(w, "code_sha256", b->code_sha256);
	kv_i64(w, "output_file_id", b->output_file_id);
	json_kv_string(w, "output_filename", b->output_filename);
	json_kv_string(w, "output_version", b->output_version);
	kv_i64(w, "version_bump", b->version_bump);
	json_kv_string(w, "cache_key", b->cache_key);
	json_kv_string(w, "content_key", b->content_key);
	json_key(w, "argv");
	if (b->have_argv) {
		json_array_begin(w);
		for (size_t i = 0; i < b->argv.nr; i++)
			json_string(w, b->argv.v[i]);
		json_array_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "inputs");
	json_array_begin(w);
	for (size_t i = 0; i < b->n_input_rows; i++)
		json_input(w, &b->inputs[i]);
	json_array_end(w);
	why_json_reasons(w, b->reasons, b->n_reasons);
}

void
status_print_builds(const struct ss_build *b, size_t n, bool json)
{
	struct strbuf sb = STRBUF_INIT;

	if (json) {
		struct json_writer w;

		json_init(&w, &sb, JSON_PRETTY);
		json_document_begin(&w);
		json_key(&w, "builds");
		json_array_begin(&w);
		for (size_t i = 0; i < n; i++) {
			json_object_begin(&w);
			json_build_fields(&w, &b[i]);
			json_build_provenance(&w, &b[i]);
			json_object_end(&w);
		}
		json_array_end(&w);
		json_object_end(&w);
		json_flush(&w, &sb);
		return;
	}
	if (n == 0) {
		strbuf_addstr(&sb, "no builds\n");
	} else {
		builds_header(&sb);
		for (size_t i = 0; i < n; i++)
			build_row(&sb, &b[i]);
	}
	flush(&sb);
}

/* -- failures --------------------------------------------------------- */

/* a failure's members, inside an open object */
static void
json_failure_fields(struct json_writer *w, const struct ss_failure *f)
{
	json_kv_int(w, "failure_id", f->id);
	json_kv_string(w, "process", f->group);
	json_kv_string(w, "kind", f->kind);
	kv_i64(w, "build_id", f->build_id);
	kv_i64(w, "batch_id", f->batch_id);
	kv_i64(w, "logging_id", f->logging_id);
	json_kv_string(w, "output_key", f->output_key);
	json_kv_string(w, "filename", f->filename);
	json_kv_string(w, "error_path", f->error_path);
	json_kv_string(w, "reason", f->reason);
	json_kv_string(w, "stderr_tail", f->stderr_tail);
	json_kv_string(w, "occurred_at", f->occurred);
	json_kv_bool(w, "resolved", f->resolved);
	json_kv_string(w, "resolved_at", f->resolved_at);
	json_kv_string(w, "resolved_by", f->resolved_by);
	json_kv_string(w, "note", f->note);
}

static void
json_failure(struct json_writer *w, const struct ss_failure *f)
{
	json_object_begin(w);
	json_failure_fields(w, f);
	json_object_end(w);
}

/* what a failure is about: the file, the build and key, or the batch */
static void
failure_subject(const struct ss_failure *f, struct strbuf *out)
{
	if (f->build_id != SS_NULL)
		strbuf_addf(out, "build %" PRId64 " %s", f->build_id,
			    f->output_key ? f->output_key : "");
	else if (f->batch_id != SS_NULL)
		strbuf_addf(out, "batch %" PRId64, f->batch_id);
	else
		strbuf_addstr(out, f->filename ? f->filename : "-");
}

static const struct column failure_cols[] = {
	{"FAILURE", 8, true}, {"OCCURRED", 16, false}, {"SUBJECT", 24, false},
	{"REASON", 0, false}, {NULL, 0, false},
};

void
status_print_failures(const struct ss_failure *f, size_t n, bool all,
		      bool json)
{
	struct strbuf sb = STRBUF_INIT;
	bool any_resolved = false;

	if (json) {
		struct json_writer w;

		json_init(&w, &sb, JSON_PRETTY);
		json_document_begin(&w);
		json_key(&w, "failures");
		json_array_begin(&w);
		for (size_t i = 0; i < n; i++)
			json_failure(&w, &f[i]);
		json_array_end(&w);
		json_object_end(&w);
		json_flush(&w, &sb);
		return;
	}
	if (n == 0) {
		strbuf_addstr(&sb, all ? "no failures\n"
				       : "no failures awaiting a person\n");
		flush(&sb);
		return;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i, unresolved = 0;

		while (j < n && !strcmp(f[j].group, f[i].group) &&
		       !strcmp(f[j].kind, f[i].kind)) {
			if (!f[j].resolved)
				unresolved++;
			j++;
		}
		if (i)
			strbuf_addch(&sb, '\n');
		status_cell(&sb, f[i].group, 0, false);
		strbuf_addstr(&sb, " / ");
		status_cell(&sb, f[i].kind, 0, false);
		if (all)
			strbuf_addf(&sb, ": %zu (%zu unresolved)\n", j - i,
				    unresolved);
		else
			strbuf_addf(&sb, ": %zu\n", j - i);
		header(&sb, "", failure_cols);
		for (; i < j; i++) {
			struct strbuf subj = STRBUF_INIT;
			const struct column *c = failure_cols;
			size_t start = sb.len;
			char b1[32], b2[32];

			snprintf(b1, sizeof(b1), "%" PRId64 "%s", f[i].id,
				 f[i].resolved ? "*" : " ");
			cell(&sb, start, c++, b1);
			cell(&sb, start, c++,
			     tstamp(f[i].occurred, false, b2, sizeof(b2)));
			failure_subject(&f[i], &subj);
			cell(&sb, start, c++, subj.buf);
			cell(&sb, start, c++, f[i].reason);
			strbuf_release(&subj);
			if (f[i].resolved)
				any_resolved = true;
		}
	}
	if (any_resolved)
		strbuf_addstr(&sb, "\n* resolved\n");
	flush(&sb);
}

void
status_print_failure(const struct ss_failure *f, bool json)
{
	struct strbuf sb = STRBUF_INIT, subj = STRBUF_INIT;
	char b1[32], b2[32];

	if (json) {
		struct json_writer w;

		json_init(&w, &sb, JSON_PRETTY);
		json_document_begin(&w);
		json_failure_fields(&w, f);
		json_object_end(&w);
		json_flush(&w, &sb);
		return;
	}
	strbuf_addf(&sb, "failure %" PRId64 "\n", f->id);
	field(&sb, "process:", f->group);
	field(&sb, "kind:", f->kind);
	failure_subject(f, &subj);
	field(&sb, "subject:", subj.buf);
	strbuf_release(&subj);
	/* an ingest reject: where the file is now (not known before 0003) */
	if (f->error_path ||
	    (f->build_id == SS_NULL && f->batch_id == SS_NULL))
		field(&sb, "error path:",
		      f->error_path ? f->error_path : "(not recorded)");
	if (f->logging_id != SS_NULL)
		field(&sb, "run:", num(f->logging_id, b1, sizeof(b1)));
	fieldf(&sb, "occurred:", "%s UTC",
	       tstamp(f->occurred, true, b2, sizeof(b2)));
	field(&sb, "reason:", f->reason);
	if (f->resolved) {
		fieldf(&sb, "resolved:", "%s UTC by %s",
		       tstamp(f->resolved_at, true, b2, sizeof(b2)),
		       f->resolved_by ? f->resolved_by : "?");
		if (f->note)
			field(&sb, "note:", f->note);
	} else {
		field(&sb, "resolved:", "no");
	}
	if (f->stderr_tail && *f->stderr_tail) {
		strbuf_addstr(&sb, "  stderr tail:\n");
		quoted_lines(&sb, f->stderr_tail);
	}
	flush(&sb);
}

/* -- show build ------------------------------------------------------- */

static const char *
signal_name(int64_t sig)
{
	static const struct {
		int n;
		const char *name;
	} names[] = {
		{1, "SIGHUP"},   {2, "SIGINT"},   {3, "SIGQUIT"},
		{4, "SIGILL"},   {6, "SIGABRT"},  {7, "SIGBUS"},
		{8, "SIGFPE"},   {9, "SIGKILL"},  {11, "SIGSEGV"},
		{13, "SIGPIPE"}, {14, "SIGALRM"}, {15, "SIGTERM"},
		{24, "SIGXCPU"}, {25, "SIGXFSZ"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].n == sig)
			return names[i].name;
	return NULL;
}

static void
json_build_detail(struct json_writer *w, const struct ss_build *b,
		  const struct ss_failure *f, size_t nf,
		  const struct status_log *log)
{
	json_document_begin(w);
	json_build_fields(w, b);
	json_build_provenance(w, b);
	json_key(w, "failures");
	json_array_begin(w);
	for (size_t i = 0; i < nf; i++)
		json_failure(w, &f[i]);
	json_array_end(w);
	json_key(w, "log");
	if (!log->path) {
		json_null(w);
	} else {
		json_object_begin(w);
		json_kv_string(w, "path", log->path);
		json_kv_bool(w, "readable", log->readable);
		json_kv_string(w, "error", log->readable ? NULL : log->error);
		json_key(w, "tail");
		if (log->readable) {
			const char *p = log->tail;

			json_array_begin(w);
			while (*p) {
				const char *nl = strchr(p, '\n');
				size_t len = nl ? (size_t)(nl - p) : strlen(p);

				json_string_len(w, p, len);
				p += len;
				if (*p == '\n')
					p++;
			}
			json_array_end(w);
		} else {
			json_null(w);
		}
		json_object_end(w);
	}
	json_object_end(w);
}

static const struct column build_failure_cols[] = {
	{"FAILURE", 8, true}, {"OCCURRED", 16, false}, {"KIND", 12, false},
	{"REASON", 0, false}, {NULL, 0, false},
};
static const struct column input_cols[] = {
	{"FILE", 6, true},     {"PRODUCT", 16, false}, {"VERSION", 8, false},
	{"FILENAME", 0, false}, {NULL, 0, false},
};

/* show build: what it is, how it ended, its code and output */
static void
build_identity(struct strbuf *sb, const struct ss_build *b)
{
	char b1[32];

	strbuf_addf(sb, "build %" PRId64 "\n", b->id);
	if (b->product)
		fieldf(sb, "process:", "%s (makes %s)", b->process,
		       b->product);
	else
		field(sb, "process:", b->process);
	field(sb, "output key:", b->output_key);
	if (b->utc_file_date &&
	    (!b->output_key || strcmp(b->utc_file_date, b->output_key)))
		field(sb, "file date:", b->utc_file_date);
	fieldf(sb, "status:", "%s (attempt %" PRId64 ")",
	       build_state_name(b->status),
	       b->attempt);
	if (b->term_signal != SS_NULL && b->term_signal != 0) {
		const char *name = signal_name(b->term_signal);

		if (name)
			fieldf(sb, "exit:", "killed by signal %" PRId64
					     " (%s)", b->term_signal, name);
		else
			fieldf(sb, "exit:", "killed by signal %" PRId64,
			       b->term_signal);
	} else if (b->exit_code != SS_NULL) {
		fieldf(sb, "exit:", "status %" PRId64, b->exit_code);
	}
	if (b->reason)
		field(sb, "reason:", b->reason);
	if (b->code_version)
		fieldf(sb, "code:", "version %s (code %" PRId64 ")",
		       b->code_version, b->code_id);
	else
		field(sb, "code:", "-");
	if (b->code_path)
		field(sb, "code path:", b->code_path);
	if (b->code_version)
		field(sb, "sha256:",
		      b->code_sha256 ? b->code_sha256 : "(not recorded)");
	if (b->output_filename || b->output_file_id != SS_NULL) {
		if (b->output_file_id != SS_NULL)
			fieldf(sb, "output:", "%s (file %" PRId64 ")",
			       b->output_filename ? b->output_filename : "?",
			       b->output_file_id);
		else
			fieldf(sb, "output:", "%s (%s)", b->output_filename,
			       b->status != BUILD_STATE_SUCCEEDED
				       ? "planned"
				       : "its file row is gone");
		if (b->output_version)
			field(sb, "version:", b->output_version);
	}
	if (b->version_bump != SS_NULL)
		fieldf(sb, "bump:", "%s",
		       b->version_bump == 0   ? "interface"
		       : b->version_bump == 1 ? "quality"
					      : "revision");
	for (size_t i = 0; i < b->n_reasons; i++) {
		struct strbuf r = STRBUF_INIT;

		why_text_reason(&r, &b->reasons[i]);
		field(sb, i ? "" : "why:", r.buf);
		strbuf_release(&r);
	}
	if (b->reused_from != SS_NULL)
		fieldf(sb, "reused:", "the output of build %" PRId64 " (the "
				      "same content): no code ran",
		       b->reused_from);
	if (b->hostname || b->pid != SS_NULL)
		fieldf(sb, "host:", "%s, pid %s",
		       b->hostname ? b->hostname : "?",
		       num(b->pid, b1, sizeof(b1)) ? b1 : "?");
}

/* show build: where and when it ran, what it cost */
static void
build_times(struct strbuf *sb, const struct ss_build *b)
{
	char b1[32], b2[32], d[STATUS_FMT_LEN], k[STATUS_FMT_LEN];

	fieldf(sb, "queued:", "%s UTC", tstamp(b->queued, true, b2,
						 sizeof(b2)));
	if (b->started)
		fieldf(sb, "started:", "%s UTC",
		       tstamp(b->started, true, b2, sizeof(b2)));
	if (b->ended)
		fieldf(sb, "ended:", "%s UTC",
		       tstamp(b->ended, true, b2, sizeof(b2)));
	if (!isnan(b->duration_s))
		fieldf(sb, "wall time:", "%.3f s (%s)", b->duration_s,
		       status_format_duration(b->duration_s, d));
	if (!isnan(b->cpu_user_s) || !isnan(b->cpu_sys_s))
		fieldf(sb, "cpu time:", "%.3f s user, %.3f s system",
		       isnan(b->cpu_user_s) ? 0.0 : b->cpu_user_s,
		       isnan(b->cpu_sys_s) ? 0.0 : b->cpu_sys_s);
	if (b->max_rss_kb != SS_NULL)
		fieldf(sb, "max rss:", "%" PRId64 " KiB (%s)", b->max_rss_kb,
		       status_format_kb(b->max_rss_kb, k));
	if (b->batch_id != SS_NULL)
		field(sb, "batch:", num(b->batch_id, b1, sizeof(b1)));
	if (b->logging_id != SS_NULL)
		field(sb, "run:", num(b->logging_id, b1, sizeof(b1)));
	if (b->cache_key)
		field(sb, "cache key:", b->cache_key);
	if (b->content_key)
		field(sb, "content key:", b->content_key);
}

/* show build: its command line and inputs */
static void
build_argv_inputs(struct strbuf *sb, const struct ss_build *b)
{
	char b1[32];

	if (b->have_argv) {
		strbuf_addf(sb, "  argv (%zu):\n", b->argv.nr);
		for (size_t i = 0; i < b->argv.nr; i++) {
			strbuf_addf(sb, "    [%zu] ", i);
			status_cell(sb, b->argv.v[i], 0, false);
			end_line(sb);
		}
	} else {
		strbuf_addstr(sb, "  argv:        -\n");
	}

	strbuf_addf(sb, "  inputs (%zu):\n", b->n_input_rows);
	if (b->n_input_rows)
		header(sb, "    ", input_cols);
	for (size_t i = 0; i < b->n_input_rows; i++) {
		const struct ss_input *in = &b->inputs[i];
		const struct column *c = input_cols;
		size_t start = sb->len;

		strbuf_addstr(sb, "    ");
		cell(sb, start, c++, num(in->file_id, b1, sizeof(b1)));
		if (!in->exists) {
			strbuf_addstr(sb, "(the file row is gone)\n");
			continue;
		}
		cell(sb, start, c++, in->product);
		cell(sb, start, c++, in->version);
		cell(sb, start, c++, in->filename);
	}
}

/* show build: its failures */
static void
build_failures(struct strbuf *sb, const struct ss_failure *f, size_t nf)
{
	char b1[32], b2[32];

	if (nf) {
		strbuf_addf(sb, "  failures (%zu):\n", nf);
		header(sb, "    ", build_failure_cols);
		for (size_t i = 0; i < nf; i++) {
			const struct column *c = build_failure_cols;
			size_t start = sb->len;

			snprintf(b1, sizeof(b1), "%" PRId64 "%s", f[i].id,
				 f[i].resolved ? "*" : " ");
			strbuf_addstr(sb, "    ");
			cell(sb, start, c++, b1);
			cell(sb, start, c++,
			     tstamp(f[i].occurred, false, b2, sizeof(b2)));
			cell(sb, start, c++, f[i].kind);
			cell(sb, start, c++, f[i].reason);
		}
	}
}

/* show build: its log's tail */
static void
build_log(struct strbuf *sb, const struct status_log *log)
{
	if (!log->path) {
		strbuf_addstr(sb, "  log:         -\n");
	} else {
		field(sb, "log:", log->path);
		if (!log->readable) {
			strbuf_addstr(sb, "    (not readable: ");
			status_cell(sb, log->error ? log->error : "?", 0,
				    false);
			strbuf_addstr(sb, ")\n");
		} else if (log->lines == 0) {
			strbuf_addstr(sb, "    (empty)\n");
		} else {
			strbuf_addf(sb, "  last %d lines of the log:\n",
				    log->lines);
			quoted_lines(sb, log->tail);
		}
	}
}

void
status_print_build(const struct ss_build *b, const struct ss_failure *f,
		   size_t nf, const struct status_log *log, bool json)
{
	struct strbuf sb = STRBUF_INIT;

	if (json) {
		struct json_writer w;

		json_init(&w, &sb, JSON_PRETTY);
		json_build_detail(&w, b, f, nf, log);
		json_flush(&w, &sb);
		return;
	}
	build_identity(&sb, b);
	build_times(&sb, b);
	build_argv_inputs(&sb, b);
	build_failures(&sb, f, nf);
	build_log(&sb, log);
	flush(&sb);
}

/* -- status ----------------------------------------------------------- */

static const char *
flag_state(const struct lock_holder *h)
{
	if (h->session_alive)
		return "active";
	if (h->same_host && !h->process_alive)
		return "stale-dead";
	return "stale";
}

static void
json_batch(struct json_writer *w, const struct ss_batch *b)
{
	json_object_begin(w);
	json_kv_int(w, "batch_id", b->id);
	kv_i64(w, "logging_id", b->logging_id);
	json_kv_string(w, "kind", b->kind);
	json_kv_string(w, "state", batch_state_name(b->state));
	json_kv_string(w, "process", b->process);
	json_kv_int(w, "size", b->size);
	json_kv_int(w, "done_count", b->done_count);
	json_kv_int(w, "succeeded", b->succeeded);
	json_kv_int(w, "failed", b->failed);
	json_kv_int(w, "reused", b->reused);
	json_kv_int(w, "attempts", b->attempts);
	json_kv_string(w, "first_key", b->first_key);
	json_kv_string(w, "last_key", b->last_key);
	json_kv_string(w, "summary", b->summary);
	json_kv_string(w, "hostname", b->hostname);
	kv_i64(w, "pid", b->pid);
	json_kv_string(w, "created_at", b->created);
	json_kv_string(w, "started_at", b->started);
	json_kv_string(w, "ended_at", b->ended);
	json_object_end(w);
}

/* the processing flag: null, or its holder */
static void
json_flag(struct json_writer *w, bool held, const struct lock_holder *h)
{
	char t[32];

	if (!held) {
		json_null(w);
	} else {
		json_object_begin(w);
		json_kv_int(w, "logging_id", h->logging_id);
		json_kv_int(w, "pid", h->pid);
		json_kv_string(w, "hostname", h->hostname);
		json_kv_string(w, "user", h->user);
		json_kv_string(w, "command", h->command);
		json_kv_string(w, "since", iso(h->started, t, sizeof(t)));
		json_kv_string(w, "lease_until",
			       iso(h->lease_until, t, sizeof(t)));
		json_kv_bool(w, "session_alive", h->session_alive);
		if (h->session_alive)
			json_kv_int(w, "backend_pid", h->backend_pid);
		else
			json_kv_null(w, "backend_pid");
		json_kv_bool(w, "same_host", h->same_host);
		if (h->same_host)
			json_kv_bool(w, "process_alive", h->process_alive);
		else
			json_kv_null(w, "process_alive");
		json_kv_string(w, "state", flag_state(h));
		json_object_end(w);
	}
}

void
status_print_flag(const char *mission, bool held,
		  const struct lock_holder *h)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer w;

	json_init(&w, &sb, JSON_PRETTY);
	json_document_begin(&w);
	json_kv_string(&w, "mission", mission);
	json_key(&w, "flag");
	json_flag(&w, held, h);
	json_object_end(&w);
	json_flush(&w, &sb);
}

static void
json_status(struct strbuf *sb, const char *mission, bool held,
	    const struct lock_holder *h, const struct ss_status *s)
{
	struct json_writer w;

	json_init(&w, sb, JSON_PRETTY);
	json_document_begin(&w);
	json_kv_string(&w, "mission", mission);
	json_kv_string(&w, "time", s->now);

	json_key(&w, "flag");
	json_flag(&w, held, h);

	json_key(&w, "queue");
	json_object_begin(&w);
	json_kv_int(&w, "files", s->queue_total);
	json_key(&w, "by_product");
	json_array_begin(&w);
	for (size_t i = 0; i < s->n_queue; i++) {
		json_object_begin(&w);
		json_kv_string(&w, "product", s->queue[i].name);
		json_kv_int(&w, "files", s->queue[i].count);
		json_kv_string(&w, "oldest_queued_at", s->queue[i].oldest);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "oldest");
	if (s->queue_total == 0 || !s->oldest_filename) {
		json_null(&w);
	} else {
		json_object_begin(&w);
		json_kv_int(&w, "file_id", s->oldest_file_id);
		json_kv_string(&w, "filename", s->oldest_filename);
		json_kv_string(&w, "product", s->oldest_product);
		json_kv_string(&w, "queued_at", s->oldest_queued);
		json_object_end(&w);
	}
	json_object_end(&w);

	json_key(&w, "builds");
	json_object_begin(&w);
	json_key(&w, "by_status");
	json_object_begin(&w);
	for (size_t i = 0; i < s->n_build_states; i++)
		json_kv_int(&w, s->build_states[i].name,
			    s->build_states[i].count);
	json_object_end(&w);
	json_kv_int(&w, "reused", s->builds_reused);
	json_key(&w, "running");
	json_array_begin(&w);
	for (size_t i = 0; i < s->n_running; i++) {
		json_object_begin(&w);
		json_build_fields(&w, &s->running[i]);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);

	json_key(&w, "runs");
	json_array_begin(&w);
	for (size_t i = 0; i < s->n_runs; i++)
		json_run(&w, &s->runs[i]);
	json_array_end(&w);

	json_key(&w, "batches");
	json_array_begin(&w);
	for (size_t i = 0; i < s->n_batches; i++)
		json_batch(&w, &s->batches[i]);
	json_array_end(&w);

	json_key(&w, "failures");
	json_object_begin(&w);
	json_kv_int(&w, "unresolved", s->failures_total);
	json_key(&w, "by_kind");
	json_array_begin(&w);
	for (size_t i = 0; i < s->n_failures; i++) {
		json_object_begin(&w);
		json_kv_string(&w, "process", s->failures[i].name);
		json_kv_string(&w, "kind", s->failures[i].kind);
		json_kv_int(&w, "count", s->failures[i].count);
		json_kv_string(&w, "oldest_occurred_at",
			       s->failures[i].oldest);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);

	json_object_end(&w);
	json_finish(&w);
}

static void
text_flag(struct strbuf *sb, bool held, const struct lock_holder *h)
{
	char t[32];

	if (!held) {
		strbuf_addstr(sb, "Processing flag: not set\n");
		return;
	}
	strbuf_addf(sb, "Processing flag: held by run %" PRId64 " (",
		    h->logging_id);
	status_cell(sb, h->command ? h->command : "?", 0, false);
	strbuf_addstr(sb, ")\n");
	strbuf_addf(sb, "  holder:  pid %d on host ", h->pid);
	status_cell(sb, h->hostname ? h->hostname : "?", 0, false);
	strbuf_addstr(sb, ", user ");
	status_cell(sb, h->user ? h->user : "?", 0, false);
	strbuf_addch(sb, '\n');
	strbuf_addf(sb, "  since:   %s UTC\n", h->started ? h->started : "?");
	if (h->lease_until)
		strbuf_addf(sb, "  lease:   until %s UTC\n",
			    tstamp(h->lease_until, true, t, sizeof(t)));
	if (h->session_alive)
		strbuf_addf(sb, "  state:   active (database session alive, "
				"backend pid %d)\n",
			    h->backend_pid);
	else if (h->same_host && !h->process_alive)
		strbuf_addstr(sb, "  state:   stale: the holder is dead; the "
				  "next run recovers the flag\n");
	else if (h->same_host)
		strbuf_addstr(sb, "  state:   stale: the holder's process is "
				  "alive but its session is gone\n");
	else
		strbuf_addstr(sb, "  state:   stale: session gone, holder on "
				  "another host; recovered when\n"
				  "           the lease ends, or use \"cascade "
				  "flag clear\"\n");
}

static const struct column queue_cols[] = {
	{"PRODUCT", 40, false}, {"FILES", 6, true}, {"OLDEST QUEUED", 0, false},
	{NULL, 0, false},
};
static const struct column batch_cols[] = {
	{"BATCH", 6, true},   {"PROCESS", 16, false}, {"STATE", 9, false},
	{"OK/FAILED/SIZE", 14, true}, {"ATT", 3, true}, {"KEYS", 0, false},
	{NULL, 0, false},
};
static const struct column failure_count_cols[] = {
	{"PROCESS", 24, false}, {"KIND", 20, false}, {"COUNT", 6, true},
	{"OLDEST", 0, false},   {NULL, 0, false},
};

/* status: the queue */
static void
text_queue(struct strbuf *sb, const struct ss_status *s)
{
	char t[32], n1[32];

	if (s->queue_total == 0) {
		strbuf_addstr(sb, "Queue: empty\n");
	} else {
		strbuf_addf(sb, "Queue: %" PRId64 " file%s\n", s->queue_total,
			    s->queue_total == 1 ? "" : "s");
		if (s->oldest_filename) {
			size_t start;

			strbuf_addf(sb, "  oldest: file %" PRId64 " (",
				    s->oldest_file_id);
			status_cell(sb, s->oldest_product, 0, false);
			strbuf_addf(sb, "), queued %s UTC\n",
				    tstamp(s->oldest_queued, true, t,
					   sizeof(t)));
			start = sb->len;
			strbuf_addstr(sb, "          ");
			last_col(sb, start, s->oldest_filename);
		}
		header(sb, "", queue_cols);
		for (size_t i = 0; i < s->n_queue; i++) {
			const struct column *c = queue_cols;
			size_t start = sb->len;

			cell(sb, start, c++, s->queue[i].name);
			cell(sb, start, c++,
			     num(s->queue[i].count, n1, sizeof(n1)));
			cell(sb, start, c++,
			     tstamp(s->queue[i].oldest, false, t, sizeof(t)));
		}
	}
}

/* status: open and recent batches */
static void
text_batches(struct strbuf *sb, const struct ss_status *s)
{
	char n1[32];

	if (s->n_batches == 0) {
		strbuf_addstr(sb, "Batches: none yet\n");
	} else {
		strbuf_addstr(sb, "Batches (open and recent):\n");
		header(sb, "", batch_cols);
		for (size_t i = 0; i < s->n_batches; i++) {
			const struct ss_batch *b = &s->batches[i];
			const struct column *c = batch_cols;
			struct strbuf keys = STRBUF_INIT;
			size_t start = sb->len;
			char prog[64];

			cell(sb, start, c++, num(b->id, n1, sizeof(n1)));
			/* a process batch names its process; else its kind */
			if (b->process)
				cell(sb, start, c++, b->process);
			else if (strcmp(b->kind, "process"))
				cell(sb, start, c++, b->kind);
			else	/* made before batches had one process */
				cell(sb, start, c++,
				     b->size > 0 ? "(several)" : "-");
			cell(sb, start, c++, batch_state_name(b->state));
			snprintf(prog, sizeof(prog),
				 "%" PRId64 "/%" PRId64 "/%" PRId64,
				 b->succeeded, b->failed, b->size);
			cell(sb, start, c++, prog);
			cell(sb, start, c++, num(b->attempts, n1, sizeof(n1)));
			if (b->first_key && b->last_key &&
			    strcmp(b->first_key, b->last_key))
				strbuf_addf(&keys, "%s .. %s", b->first_key,
					    b->last_key);
			else if (b->first_key)
				strbuf_addstr(&keys, b->first_key);
			cell(sb, start, c++, keys.len ? keys.buf : "-");
			strbuf_release(&keys);
		}
	}
}

/* status: failures awaiting a person */
static void
text_failures(struct strbuf *sb, const struct ss_status *s)
{
	char t[32], n1[32];

	if (s->failures_total == 0) {
		strbuf_addstr(sb, "Failures awaiting a person: none\n");
	} else {
		strbuf_addf(sb, "Failures awaiting a person: %" PRId64 "\n",
			    s->failures_total);
		header(sb, "", failure_count_cols);
		for (size_t i = 0; i < s->n_failures; i++) {
			const struct column *c = failure_count_cols;
			size_t start = sb->len;

			cell(sb, start, c++, s->failures[i].name);
			cell(sb, start, c++, s->failures[i].kind);
			cell(sb, start, c++,
			     num(s->failures[i].count, n1, sizeof(n1)));
			cell(sb, start, c++,
			     tstamp(s->failures[i].oldest, false, t,
				    sizeof(t)));
		}
		strbuf_addstr(sb, "See \"cascade failures\".\n");
	}
}

static void
text_status(struct strbuf *sb, const char *mission, bool held,
	    const struct lock_holder *h, const struct ss_status *s)
{
	char t[32];
	struct wrap w;

	strbuf_addstr(sb, "Mission ");
	status_cell(sb, mission, 0, false);
	strbuf_addf(sb, " at %s UTC\n\n", tstamp(s->now, true, t, sizeof(t)));

	text_flag(sb, held, h);

	strbuf_addch(sb, '\n');
	text_queue(sb, s);
	strbuf_addch(sb, '\n');
	if (s->n_build_states == 0) {
		strbuf_addstr(sb, "Builds: none yet\n");
	} else {
		wrap_begin(&w, sb, "Builds: ");
		for (size_t i = 0; i < s->n_build_states; i++) {
			char item[96];

			snprintf(item, sizeof(item), "%" PRId64 " %s",
				 s->build_states[i].count,
				 s->build_states[i].name);
			/* of those succeeded, how many ran no code */
			if (s->builds_reused > 0 &&
			    !strcmp(s->build_states[i].name, "succeeded"))
				snprintf(item + strlen(item),
					 sizeof(item) - strlen(item),
					 " (%" PRId64 " reused)",
					 s->builds_reused);
			wrap_item(&w, item);
		}
		wrap_end(&w);
	}
	if (s->n_running) {
		builds_header(sb);
		for (size_t i = 0; i < s->n_running; i++)
			build_row(sb, &s->running[i]);
	}

	strbuf_addch(sb, '\n');
	if (s->n_runs == 0) {
		strbuf_addstr(sb, "Runs: none yet\n");
	} else {
		strbuf_addstr(sb, "Runs (running and recent):\n");
		runs_header(sb);
		for (size_t i = 0; i < s->n_runs; i++)
			run_row(sb, &s->runs[i]);
		runs_legend(sb, s->runs, s->n_runs);
	}

	strbuf_addch(sb, '\n');
	text_batches(sb, s);
	strbuf_addch(sb, '\n');
	text_failures(sb, s);
}

void
status_print_status(const char *mission, bool flag_held,
		    const struct lock_holder *holder,
		    const struct ss_status *s, bool json)
{
	struct strbuf sb = STRBUF_INIT;

	if (json)
		json_status(&sb, mission, flag_held, holder, s);
	else
		text_status(&sb, mission, flag_held, holder, s);
	flush(&sb);
}

/* -- stats ------------------------------------------------------------ */

static void
period_text(struct strbuf *sb, const char *from, const char *to)
{
	char t1[32], t2[32];

	if (!from && !to)
		strbuf_addstr(sb, "all time");
	else if (!to)
		strbuf_addf(sb, "from %s UTC", tstamp(from, true, t1, sizeof(t1)));
	else if (!from)
		strbuf_addf(sb, "until %s UTC", tstamp(to, true, t2, sizeof(t2)));
	else
		strbuf_addf(sb, "from %s until %s UTC",
			    tstamp(from, true, t1, sizeof(t1)),
			    tstamp(to, true, t2, sizeof(t2)));
}

static const struct column stats_cols[] = {
	{"PROCESS", 14, false}, {"BUILDS", 6, true}, {"OK", 5, true},
	{"FAIL", 4, true},      {"BAD", 3, true},    {"MIN", 6, true},
	{"MEAN", 6, true},      {"MAX", 6, true},    {"TOTAL", 6, true},
	{"CPU", 6, true},       {"MAXRSS", 6, true}, {NULL, 0, false},
};

void
status_print_stats(const struct ss_stats *s, const char *from, const char *to,
		   const struct ss_run *runs, size_t nruns, long more,
		   bool json)
{
	struct strbuf sb = STRBUF_INIT;
	char n1[32], d[STATUS_FMT_LEN];

	if (json) {
		struct json_writer w;

		json_init(&w, &sb, JSON_PRETTY);
		json_document_begin(&w);
		json_kv_string(&w, "from", from);
		json_kv_string(&w, "until", to);
		json_key(&w, "processes");
		json_array_begin(&w);
		for (size_t i = 0; i < s->n_procs; i++) {
			const struct ss_process_stats *p = &s->procs[i];

			json_object_begin(&w);
			json_kv_string(&w, "process", p->process);
			json_kv_string(&w, "product", p->product);
			json_kv_int(&w, "builds", p->builds);
			json_kv_int(&w, "ok", p->ok);
			json_kv_int(&w, "failed", p->failed);
			json_kv_int(&w, "bad", p->bad);
			json_kv_int(&w, "open", p->open);
			json_kv_int(&w, "cancelled", p->cancelled);
			kv_dbl(&w, "min_s", p->min_s);
			kv_dbl(&w, "mean_s", p->mean_s);
			kv_dbl(&w, "max_s", p->max_s);
			kv_dbl(&w, "total_s", p->total_s);
			kv_dbl(&w, "cpu_s", p->cpu_s);
			kv_i64(&w, "max_rss_kb", p->max_rss_kb);
			json_object_end(&w);
		}
		json_array_end(&w);
		json_key(&w, "runs");
		json_object_begin(&w);
		json_kv_int(&w, "total", s->runs);
		json_kv_int(&w, "worked", s->runs_worked);
		json_kv_int(&w, "files_ingested", s->files_ingested);
		json_kv_int(&w, "files_duplicate", s->files_duplicate);
		json_kv_int(&w, "files_rejected", s->files_rejected);
		json_kv_int(&w, "builds_ok", s->builds_ok);
		json_kv_int(&w, "builds_failed", s->builds_failed);
		json_kv_int(&w, "builds_skipped", s->builds_skipped);
		json_kv_int(&w, "not_listed", more);
		json_key(&w, "list");
		json_array_begin(&w);
		for (size_t i = 0; i < nruns; i++)
			json_run(&w, &runs[i]);
		json_array_end(&w);
		json_object_end(&w);
		json_object_end(&w);
		json_flush(&w, &sb);
		return;
	}

	strbuf_addstr(&sb, "Builds by process, ");
	period_text(&sb, from, to);
	strbuf_addstr(&sb, ":\n");
	if (s->n_procs == 0) {
		strbuf_addstr(&sb, "no processes\n");
	} else {
		header(&sb, "", stats_cols);
	}
	for (size_t i = 0; i < s->n_procs; i++) {
		const struct ss_process_stats *p = &s->procs[i];
		const struct column *c = stats_cols;
		size_t start = sb.len;

		cell(&sb, start, c++, p->process);
		cell(&sb, start, c++, num(p->builds, n1, sizeof(n1)));
		cell(&sb, start, c++, num(p->ok, n1, sizeof(n1)));
		cell(&sb, start, c++, num(p->failed, n1, sizeof(n1)));
		cell(&sb, start, c++, num(p->bad, n1, sizeof(n1)));
		cell(&sb, start, c++, status_format_duration(p->min_s, d));
		cell(&sb, start, c++, status_format_duration(p->mean_s, d));
		cell(&sb, start, c++, status_format_duration(p->max_s, d));
		cell(&sb, start, c++, status_format_duration(p->total_s, d));
		cell(&sb, start, c++, status_format_duration(p->cpu_s, d));
		cell(&sb, start, c++, status_format_kb(p->max_rss_kb, d));
		end_line(&sb);
	}
	strbuf_addstr(&sb, "FAIL: failed, timed out or killed; times are of "
			   "finished builds\n");

	strbuf_addstr(&sb, "\nRuns, ");
	period_text(&sb, from, to);
	strbuf_addf(&sb, ": %" PRId64 " (%" PRId64 " did work)\n", s->runs,
		    s->runs_worked);
	strbuf_addf(&sb,
		    "  files: %" PRId64 " ingested, %" PRId64
		    " duplicates, %" PRId64 " rejected\n",
		    s->files_ingested, s->files_duplicate, s->files_rejected);
	strbuf_addf(&sb,
		    "  builds: %" PRId64 " ok, %" PRId64 " failed, %" PRId64
		    " skipped\n",
		    s->builds_ok, s->builds_failed, s->builds_skipped);
	if (nruns) {
		strbuf_addstr(&sb, "Runs that did work, newest first:\n");
		runs_header(&sb);
		for (size_t i = 0; i < nruns; i++)
			run_row(&sb, &runs[i]);
		if (more > 0)
			strbuf_addf(&sb, "(%ld more; see --limit)\n", more);
		runs_legend(&sb, runs, nruns);
	}
	flush(&sb);
}
