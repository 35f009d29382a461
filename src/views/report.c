/*
 * report.c - the HTML page of "cascade report" (see report.h).
 *
 * Plain HTML tables and lists styled by one inline style sheet; no
 * script.  Every value that comes from the database or from a program
 * goes through report_html_escape() (esc() and the helpers below), the
 * only way text enters the page; what is written literally is ours.
 * Classes and ids are part of the interface (tests and operators' own
 * style sheets rely on them): sections "status", "graph", "coverage",
 * "activity", "failures", "stats"; the coverage's pictures
 * "coverage-strip" and "coverage-window" and table "coverage-table",
 * whose cells are classed by state (cov_state_name: "current", "gap",
 * "failed", ...); the chart "activity-chart".  The pictures themselves
 * are report-svg.c's; their colours are defined here, once, from
 * coverage.c's table.
 */
#include "report.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "graph-dot.h"
#include "report-svg.h"
#include "status.h"
#include "timeutil.h"
#include "why-text.h"
#include "banned.h"

/* the style sheet: the page's only styling, inline (nothing fetched) */
static const char style[] =
	"body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Helvetica,"
	"Arial,sans-serif;margin:0;color:#1b1f24;background:#fff}\n"
	"header{background:#20364f;color:#fff;padding:14px 24px}\n"
	"header h1{margin:0 0 4px;font-size:22px}\n"
	"header p{margin:0 0 6px;color:#dbe4ee}\n"
	"nav a{color:#fff;margin-right:14px}\n"
	"main{padding:0 24px 32px}\n"
	"section{margin:28px 0}\n"
	"h2{font-size:19px;border-bottom:2px solid #20364f;"
	"padding-bottom:3px}\n"
	"h3{font-size:15px;margin:18px 0 6px}\n"
	"table{border-collapse:collapse;margin:6px 0 10px}\n"
	"th,td{border:1px solid #c9d1db;padding:3px 8px;text-align:left;"
	"vertical-align:top;white-space:nowrap}\n"
	"thead th{background:#e8eef5}\n"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.reason{white-space:normal;min-width:20em;max-width:60em}\n"
	".scroll{overflow-x:auto}\n"
	".note{color:#57606a}\n"
	".warning{background:#fff4e5;border-left:4px solid #fdae6b;"
	"padding:6px 10px}\n"
	".big{font-size:20px;font-weight:600}\n"
	".st-ok,.st-succeeded,.st-done{color:#1a7f37}\n"
	".st-failed,.st-aborted,.st-bad,.st-timed_out,.st-killed"
	"{color:#c62828}\n"
	".st-running,.st-recording,.st-queued,.st-starting{color:#0b5cad}\n"
	"progress{width:8em;vertical-align:middle}\n"
	"pre{background:#f6f8fa;border:1px solid #d0d7de;padding:8px;"
	"overflow:auto;max-height:40em}\n"
	"#graph .svg{overflow:auto}\n"
	"#graph svg{max-width:100%;height:auto;max-height:80vh}\n"
	".legend{margin:4px 0 8px;font-size:13px}\n"
	".legend .key{display:inline-block;margin-right:14px;"
	"white-space:nowrap}\n"
	".legend .note{display:inline-block}\n"
	".sw{display:inline-block;width:12px;height:12px;margin-right:5px;"
	"vertical-align:-1px;border:1px solid rgba(0,0,0,.15)}\n"
	".figure{overflow-x:auto;margin:2px 0 14px}\n"
	".figure svg{display:block}\n"
	"svg text{font:11px system-ui,-apple-system,\"Segoe UI\",Helvetica,"
	"Arial,sans-serif;fill:#1b1f24}\n"
	"svg .tick{fill:#57606a}\n"
	"svg .tick.major,svg .head{font-weight:600;fill:#1b1f24}\n"
	"svg .name,svg .num{text-anchor:end}\n"
	"svg .grid{stroke:#d8dee4}\n"
	"svg .axis{stroke:#8c959f}\n"
	"svg rect.cell:hover{stroke:#1b1f24;stroke-width:1}\n"
	"svg rect.rest{pointer-events:none}\n"
	"svg rect.window{fill:none;stroke:#20364f;stroke-width:1.5}\n"
	"svg rect.hit{fill:transparent}\n"
	"svg g.day:hover rect.hit{fill:rgba(32,54,79,.08)}\n"
	"svg .bar.ok{fill:#41ab5d}\n"
	"svg .bar.failed{fill:#d7301f}\n"
	"svg .bar.other{fill:#9ea7b3}\n"
	"svg .bar.time{fill:#4a7bb7}\n"
	"details summary{cursor:pointer;color:#0b5cad}\n"
	"table.coverage td{text-align:center;font-family:ui-monospace,"
	"monospace;min-width:4.5em}\n"
	"table.coverage th{position:sticky;top:0}\n"
	"table.coverage tbody th{font-family:ui-monospace,monospace;"
	"font-weight:normal;left:0;background:#fff}\n"
	"table.coverage td.failed,table.coverage td.updated{color:#fff}\n"
	"small{color:#57606a}\n"
	"footer{padding:12px 24px;color:#57606a;border-top:1px solid "
	"#d0d7de}\n";

/* -- escaping ---------------------------------------------------------- */

/* the length of the valid UTF-8 sequence at s (>= 0x80), or 0 */
static size_t
utf8_seq(const unsigned char *s)
{
	size_t n;
	unsigned cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	/* overlong forms, surrogates, beyond U+10FFFF, C1 controls */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

void
report_html_escape(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s)
		return;
	while (*p) {
		size_t n;

		switch (*p) {
		case '&':
			strbuf_addstr(sb, "&amp;");
			break;
		case '<':
			strbuf_addstr(sb, "&lt;");
			break;
		case '>':
			strbuf_addstr(sb, "&gt;");
			break;
		case '"':
			strbuf_addstr(sb, "&quot;");
			break;
		case '\'':
			strbuf_addstr(sb, "&#39;");
			break;
		case '\t':
		case '\n':
			strbuf_addch(sb, *p);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				strbuf_addch(sb, '?');
			} else if (*p < 0x80) {
				strbuf_addch(sb, *p);
			} else if ((n = utf8_seq(p)) != 0) {
				strbuf_add(sb, p, n);
				p += n;
				continue;
			} else {
				strbuf_addch(sb, '?');
			}
		}
		p++;
	}
}

static void
esc(struct strbuf *sb, const char *s)
{
	report_html_escape(sb, s);
}

/* a cell's text: escaped, "-" for NULL */
static void
text(struct strbuf *sb, const char *s)
{
	if (s)
		esc(sb, s);
	else
		strbuf_addch(sb, '-');
}

static void
td(struct strbuf *sb, const char *s)
{
	strbuf_addstr(sb, "<td>");
	text(sb, s);
	strbuf_addstr(sb, "</td>");
}

static void
td_num(struct strbuf *sb, int64_t v)
{
	if (v == SS_NULL)
		strbuf_addstr(sb, "<td class=\"num\">-</td>");
	else
		strbuf_addf(sb, "<td class=\"num\">%" PRId64 "</td>", v);
}

/* a state or status, with its class for colour */
static void
td_state(struct strbuf *sb, const char *state)
{
	strbuf_addstr(sb, "<td class=\"st-");
	esc(sb, state ? state : "none");
	strbuf_addstr(sb, "\">");
	text(sb, state);
	strbuf_addstr(sb, "</td>");
}

/*
 * a UTC time: "YYYY-MM-DDTHH:MM:SSZ" (or "YYYY-MM-DD HH:MM:SS") shown as
 * "YYYY-MM-DD HH:MM:SS", machine-readable in datetime; "-" for NULL
 */
static void
when(struct strbuf *sb, const char *ts)
{
	char shown[32];
	size_t n;

	if (!ts) {
		strbuf_addch(sb, '-');
		return;
	}
	n = strlen(ts);
	if (n >= 19 && n < sizeof(shown)) {
		memcpy(shown, ts, 19);
		shown[10] = ' ';
		shown[19] = '\0';
	} else {
		snprintf(shown, sizeof(shown), "%.31s", ts);
	}
	strbuf_addstr(sb, "<time datetime=\"");
	esc(sb, ts);
	strbuf_addstr(sb, "\">");
	esc(sb, shown);
	strbuf_addstr(sb, "</time>");
}

static void
td_when(struct strbuf *sb, const char *ts)
{
	strbuf_addstr(sb, "<td>");
	when(sb, ts);
	strbuf_addstr(sb, "</td>");
}

static void
td_duration(struct strbuf *sb, double s)
{
	char d[STATUS_FMT_LEN];

	strbuf_addf(sb, "<td class=\"num\">%s</td>",
		    status_format_duration(s, d));
}

/* column headings; a leading '#' marks a numeric column */
static void
thead(struct strbuf *sb, const char *const *cols)
{
	strbuf_addstr(sb, "<thead><tr>");
	for (; *cols; cols++) {
		if (**cols == '#')
			strbuf_addf(sb,
				    "<th scope=\"col\" class=\"num\">%s</th>",
				    *cols + 1);
		else
			strbuf_addf(sb, "<th scope=\"col\">%s</th>", *cols);
	}
	strbuf_addstr(sb, "</tr></thead>\n<tbody>\n");
}

static const char *
plural(int64_t n)
{
	return n == 1 ? "" : "s";
}

/* -- SVG --------------------------------------------------------------- */

/* the first needle (of length n) in [p, end), or NULL (memmem is GNU) */
static const char *
find(const char *p, const char *end, const char *needle, size_t n)
{
	for (; p && end - p >= (ptrdiff_t)n; p++) {
		p = memchr(p, needle[0], (size_t)(end - p));
		if (!p || end - p < (ptrdiff_t)n)
			return NULL;
		if (!memcmp(p, needle, n))
			return p;
	}
	return NULL;
}

int
report_svg_extract(const char *svg, size_t len, struct strbuf *out)
{
	const char *end = svg + len, *p = svg, *start = NULL, *stop = NULL;

	/* the root element: "<svg" followed by a space or ">" */
	while ((p = find(p, end, "<svg", 4)) != NULL) {
		if (p + 4 < end && p[4] && strchr(" \t\r\n>", p[4])) {
			start = p;
			break;
		}
		p += 4;
	}
	if (!start)
		return -1;
	for (p = start; (p = find(p, end, "</svg>", 6));
	     p += 6)
		stop = p + 6;
	if (!stop)
		return -1;
	/*
	 * Drop comments: dot writes the names of nodes and edges into them,
	 * escaped; they are of no use in the page.
	 */
	for (p = start; p < stop;) {
		const char *c = find(p, stop, "<!--", 4);
		const char *e;

		if (!c) {
			strbuf_add(out, p, (size_t)(stop - p));
			break;
		}
		strbuf_add(out, p, (size_t)(c - p));
		e = find(c + 4, stop, "-->", 3);
		if (!e)
			break;
		p = e + 3;
		/* the comment's own line */
		if (p < stop && *p == '\n' && (c == start || c[-1] == '\n'))
			p++;
	}
	if (out->len && out->buf[out->len - 1] != '\n')
		strbuf_addch(out, '\n');
	return 0;
}

/* -- status -------------------------------------------------------------- */

static const char *
flag_state_text(const struct lock_holder *h)
{
	if (h->session_alive)
		return "active: its database session is alive";
	if (h->same_host && !h->process_alive)
		return "stale: the holder is dead; the next run recovers "
		       "the flag";
	if (h->same_host)
		return "stale: the holder's process is alive but its "
		       "database session is gone";
	return "stale: its session is gone and it runs on another host; "
	       "recovered when the lease ends, or use \"cascade flag clear\"";
}

static void
status_flag(struct strbuf *sb, const struct report_data *d)
{
	const struct lock_holder *h = d->holder;

	strbuf_addstr(sb, "<h3>Processing flag</h3>\n");
	if (!d->flag_held || !h) {
		strbuf_addstr(sb, "<p id=\"flag\">not set</p>\n");
		return;
	}
	strbuf_addf(sb, "<p id=\"flag\">held by run %" PRId64 " (",
		    h->logging_id);
	text(sb, h->command);
	strbuf_addf(sb, "), pid %d on host ", h->pid);
	text(sb, h->hostname);
	strbuf_addstr(sb, ", user ");
	text(sb, h->user);
	strbuf_addstr(sb, ", since ");
	when(sb, h->started);
	strbuf_addstr(sb, " UTC");
	if (h->lease_until) {
		strbuf_addstr(sb, ", lease until ");
		when(sb, h->lease_until);
		strbuf_addstr(sb, " UTC");
	}
	strbuf_addstr(sb, ".<br>State: ");
	esc(sb, flag_state_text(h));
	strbuf_addstr(sb, ".</p>\n");
}

static void
status_queue(struct strbuf *sb, const struct ss_status *s)
{
	static const char *const cols[] = {"Product", "#Files",
					   "Oldest queued (UTC)", NULL};

	strbuf_addf(sb, "<h3>Queue</h3>\n<p><span id=\"queue-total\" "
			"class=\"big\">%" PRId64 "</span> file%s queued",
		    s->queue_total, plural(s->queue_total));
	if (s->queue_total == 0) {
		strbuf_addstr(sb, ": nothing to process.</p>\n");
		return;
	}
	strbuf_addstr(sb, ".</p>\n");
	if (s->oldest_filename) {
		strbuf_addf(sb, "<p id=\"queue-oldest\">Oldest unprocessed "
				"input: file %" PRId64 " <code>",
			    s->oldest_file_id);
		esc(sb, s->oldest_filename);
		strbuf_addstr(sb, "</code> (");
		text(sb, s->oldest_product);
		strbuf_addstr(sb, "), queued ");
		when(sb, s->oldest_queued);
		strbuf_addstr(sb, " UTC.</p>\n");
	}
	strbuf_addstr(sb, "<table id=\"queue\">");
	thead(sb, cols);
	for (size_t i = 0; i < s->n_queue; i++) {
		strbuf_addstr(sb, "<tr>");
		td(sb, s->queue[i].name);
		td_num(sb, s->queue[i].count);
		td_when(sb, s->queue[i].oldest);
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody></table>\n");
}

static void
build_row(struct strbuf *sb, const struct ss_build *b)
{
	strbuf_addstr(sb, "<tr>");
	td_num(sb, b->id);
	td(sb, b->process);
	td(sb, b->output_key);
	td_state(sb, build_state_name(b->status));
	td_num(sb, b->attempt);
	td_num(sb, b->pid);
	td(sb, b->hostname);
	td_when(sb, b->started);
	td_duration(sb, b->duration_s);
	{
		/* why it was planned: its reasons, one line each */
		struct strbuf why = STRBUF_INIT;

		for (size_t i = 0; i < b->n_reasons; i++) {
			if (i)
				strbuf_addstr(&why, "; ");
			why_text_reason(&why, &b->reasons[i]);
		}
		td(sb, why.len ? why.buf : NULL);
		strbuf_release(&why);
	}
	strbuf_addstr(sb, "</tr>\n");
}

static void
status_builds(struct strbuf *sb, const struct ss_status *s)
{
	static const char *const cols[] = {"State", "#Builds", NULL};
	static const char *const rcols[] = {
		"#Build", "Process", "Key", "State", "#Attempt", "#PID",
		"Host", "Started (UTC)", "#Running for", "Why", NULL};

	strbuf_addstr(sb, "<h3>Builds by state</h3>\n");
	if (s->n_build_states == 0) {
		strbuf_addstr(sb, "<p>No builds yet.</p>\n");
	} else {
		strbuf_addstr(sb, "<table id=\"builds-by-state\">");
		thead(sb, cols);
		for (size_t i = 0; i < s->n_build_states; i++) {
			strbuf_addstr(sb, "<tr>");
			td_state(sb, s->build_states[i].name);
			td_num(sb, s->build_states[i].count);
			strbuf_addstr(sb, "</tr>\n");
		}
		strbuf_addstr(sb, "</tbody></table>\n");
	}
	if (s->n_running) {
		strbuf_addstr(sb, "<h3>Builds running</h3>\n"
				  "<table id=\"builds-running\">");
		thead(sb, rcols);
		for (size_t i = 0; i < s->n_running; i++)
			build_row(sb, &s->running[i]);
		strbuf_addstr(sb, "</tbody></table>\n");
	}
}

static void
status_runs(struct strbuf *sb, const struct ss_status *s)
{
	static const char *const cols[] = {
		"#Run", "Command", "Started (UTC)", "#Time", "Outcome",
		"#Exit", "#Ingested", "#Dup.", "#Rejected", "#Built",
		"#Reused", "#Failed", "#Skipped", "Host", "User", NULL};

	strbuf_addstr(sb, "<h3>Runs: running and recent</h3>\n");
	if (s->n_runs == 0) {
		strbuf_addstr(sb, "<p>No runs yet.</p>\n");
		return;
	}
	strbuf_addstr(sb, "<div class=\"scroll\"><table id=\"runs\">");
	thead(sb, cols);
	for (size_t i = 0; i < s->n_runs; i++) {
		const struct ss_run *r = &s->runs[i];

		strbuf_addstr(sb, "<tr>");
		td_num(sb, r->id);
		td(sb, r->command);
		td_when(sb, r->started);
		td_duration(sb, r->duration_s);
		td_state(sb, run_state_name(r->status));
		td_num(sb, r->exit_status);
		td_num(sb, r->files_ingested);
		td_num(sb, r->files_duplicate);
		td_num(sb, r->files_rejected);
		td_num(sb, r->builds_ok);
		td_num(sb, r->builds_reused);
		td_num(sb, r->builds_failed);
		td_num(sb, r->builds_skipped);
		td(sb, r->hostname);
		td(sb, r->user);
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody></table></div>\n");
}

static void
status_batches(struct strbuf *sb, const struct ss_status *s)
{
	static const char *const cols[] = {
		"#Batch", "Process", "Kind", "State", "Progress", "#Succeeded",
		"#Failed", "#Reused", "#Attempts", "Keys", "Started (UTC)",
		NULL};

	strbuf_addstr(sb, "<h3>Batches: open and recent</h3>\n");
	if (s->n_batches == 0) {
		strbuf_addstr(sb, "<p>No batches yet.</p>\n");
		return;
	}
	strbuf_addstr(sb, "<table id=\"batches\">");
	thead(sb, cols);
	for (size_t i = 0; i < s->n_batches; i++) {
		const struct ss_batch *b = &s->batches[i];

		strbuf_addstr(sb, "<tr>");
		td_num(sb, b->id);
		td(sb, b->process);
		td(sb, b->kind);
		td_state(sb, batch_state_name(b->state));
		/* ended of all; then of those the succeeded and the failed,
		 * these in red */
		strbuf_addf(sb,
			    "<td><progress value=\"%" PRId64 "\" max=\"%" PRId64
			    "\"></progress> <span class=\"progress\">%" PRId64
			    "/%" PRId64 "</span></td>",
			    b->done_count, b->size > 0 ? b->size : 1,
			    b->done_count, b->size);
		td_num(sb, b->succeeded);
		if (b->failed > 0)
			strbuf_addf(sb, "<td class=\"num st-failed\">%" PRId64
					"</td>",
				    b->failed);
		else
			td_num(sb, b->failed);
		td_num(sb, b->reused); /* of the succeeded: no code ran */
		td_num(sb, b->attempts);
		strbuf_addstr(sb, "<td>");
		text(sb, b->first_key);
		if (b->first_key && b->last_key &&
		    strcmp(b->first_key, b->last_key)) {
			strbuf_addstr(sb, " .. ");
			esc(sb, b->last_key);
		}
		strbuf_addstr(sb, "</td>");
		td_when(sb, b->started);
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody></table>\n");
}

static void
status_failures(struct strbuf *sb, const struct ss_status *s)
{
	static const char *const cols[] = {"Process", "Kind", "#Count",
					   "Oldest (UTC)", NULL};

	strbuf_addf(sb, "<h3>Failures awaiting a person</h3>\n<p><span "
			"id=\"failures-total\" class=\"big\">%" PRId64
			"</span> unresolved",
		    s->failures_total);
	if (s->failures_total == 0) {
		strbuf_addstr(sb, ".</p>\n");
		return;
	}
	strbuf_addstr(sb, "; see <a href=\"#failures\">Failures</a>.</p>\n"
			  "<table id=\"failure-counts\">");
	thead(sb, cols);
	for (size_t i = 0; i < s->n_failures; i++) {
		strbuf_addstr(sb, "<tr>");
		td(sb, s->failures[i].name);
		td(sb, s->failures[i].kind);
		td_num(sb, s->failures[i].count);
		td_when(sb, s->failures[i].oldest);
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody></table>\n");
}

static void
section_status(struct strbuf *sb, const struct report_data *d)
{
	const struct ss_status *s = d->status;

	strbuf_addstr(sb, "<section id=\"status\">\n<h2>Status</h2>\n");
	strbuf_addstr(sb, "<p class=\"note\">Mission <strong>");
	esc(sb, d->mission);
	strbuf_addstr(sb, "</strong> as the database saw it at ");
	when(sb, s ? s->now : NULL);
	strbuf_addstr(sb, " UTC.</p>\n");
	status_flag(sb, d);
	if (s) {
		status_queue(sb, s);
		status_builds(sb, s);
		status_runs(sb, s);
		status_batches(sb, s);
		status_failures(sb, s);
	}
	strbuf_addstr(sb, "</section>\n");
}

/* -- graph --------------------------------------------------------------- */

static void
section_graph(struct strbuf *sb, const struct report_data *d)
{
	strbuf_addstr(sb, "<section id=\"graph\">\n"
			  "<h2>Product/process graph</h2>\n"
			  "<p class=\"legend\" id=\"graph-legend\">");
	for (size_t i = 0; i < GRAPH_DOT_N_KEYS; i++)
		strbuf_addf(sb, "<span class=\"key\"><i class=\"sw\" "
				"style=\"background:%s\"></i>%s</span> ",
			    graph_dot_keys[i].color, graph_dot_keys[i].name);
	strbuf_addstr(sb, "<span class=\"note\">the state of the files "
			  "and builds ");
	if (d->graph_from || d->graph_to) {
		strbuf_addstr(sb, "dated ");
		text(sb, d->graph_from);
		strbuf_addstr(sb, " to ");
		text(sb, d->graph_to);
	} else {
		strbuf_addstr(sb, "of every date");
	}
	strbuf_addstr(sb, "; boxes are products, ellipses processes, dashed "
			  "edges optional inputs</span></p>\n");
	if (d->svg) {
		/* dot's own output: it escapes the names it writes */
		strbuf_addstr(sb, "<div class=\"svg\">\n");
		strbuf_addstr(sb, d->svg);
		strbuf_addstr(sb, "</div>\n");
	} else {
		strbuf_addstr(sb, "<p class=\"warning\" id=\"graph-missing\">"
				  "No picture of the graph: ");
		esc(sb, d->graph_error ? d->graph_error : "no SVG");
		strbuf_addstr(sb, ". Graphviz draws the DOT source below "
				  "(<code>dot -Tsvg</code>); with it "
				  "installed, the report includes the "
				  "picture.</p>\n<pre id=\"graph-dot\">");
		esc(sb, d->dot);
		strbuf_addstr(sb, "</pre>\n");
	}
	strbuf_addstr(sb, "</section>\n");
}

/* -- coverage ------------------------------------------------------------ */

/* the table shows at most this many days of the window, the newest */
#define TABLE_MAX_DAYS 366

/* what the states mean, for the legend's tooltips */
static const char *const state_help[COV_N_STATES] = {
	[COV_NONE] = "no file, and none expected: before the product's first "
		     "file, after its last, or a product not made daily",
	[COV_CURRENT] = "a file of the first version of the product's newest "
			"interface (I.0.0)",
	[COV_UPDATED] = "a file of a later version of that interface (I.Q.R): "
			"remade or delivered again",
	[COV_NO_INPUT] = "no file, and it cannot be made: a required input "
			 "never arrived (cascade check: no-input)",
	[COV_BUILDING] = "a build of the day is queued or running",
	[COV_OLD] = "a file of an older interface than the product's newest: "
		    "superseded",
	[COV_GAP] = "no file between the product's first and last, and it "
		    "could be made (cascade check: gap)",
	[COV_FAILED] = "the newest build of the day failed, timed out, was "
		       "killed or is bad",
};

static void
coverage_legend(struct strbuf *sb)
{
	strbuf_addstr(sb, "<p class=\"legend\" id=\"coverage-legend\">");
	for (int st = COV_N_STATES - 1; st >= 0; st--)
		strbuf_addf(sb, "<span class=\"key\" title=\"%s\"><i "
				"class=\"sw c-%s\"></i>%s</span> ",
			    state_help[st], cov_state_name(st),
			    cov_state_label(st));
	strbuf_addstr(sb, "</p>\n");
}

/* a table cell: product p on day */
static void
coverage_cell(struct strbuf *sb, const struct cov_grid *g, size_t p,
	      int32_t day)
{
	struct cov_column c = {day, day};
	struct cov_facts f;
	enum cov_state st;
	const struct sr_day *d = cov_day(g, p, day, &f, &st);
	struct strbuf t = STRBUF_INIT;
	char v[VERSION_STRLEN];

	cov_describe(&t, g, p, &c);
	strbuf_addf(sb, "<td class=\"%s\" title=\"", cov_state_name(st));
	esc(sb, t.buf);
	strbuf_addstr(sb, "\">");
	if (f.file) {
		strbuf_addstr(sb, version_format(&f.version, v));
		if (g->products[p].many && d->files > 1)
			strbuf_addf(sb, " <small>&times;%" PRId64 "</small>",
				    d->files);
	}
	strbuf_addstr(sb, "</td>");
	strbuf_release(&t);
}

static void
coverage_table(struct strbuf *sb, const struct report_data *d)
{
	const struct cov_grid *g = d->coverage;
	int32_t lo = d->window_lo;
	char day[DATE_STRLEN];

	if (d->window_hi - lo + 1 > TABLE_MAX_DAYS)
		lo = d->window_hi - (TABLE_MAX_DAYS - 1);
	strbuf_addstr(sb, "<details id=\"coverage-details\"><summary>The "
			  "window's versions, day by day</summary>\n");
	if (lo != d->window_lo)
		strbuf_addf(sb, "<p class=\"note\">The newest %d days of the "
				"window.</p>\n",
			    TABLE_MAX_DAYS);
	strbuf_addstr(sb, "<div class=\"scroll\"><table class=\"coverage\" "
			  "id=\"coverage-table\">\n<thead><tr><th "
			  "scope=\"col\">Date</th>");
	for (size_t p = 0; p < g->n_products; p++) {
		const struct cov_product *pr = &g->products[p];
		char d1[DATE_STRLEN], d2[DATE_STRLEN];

		strbuf_addf(sb, "<th scope=\"col\" class=\"product\" "
				"title=\"level %g",
			    pr->product->level);
		if (pr->first != COV_NO_DAY)
			strbuf_addf(sb, ", files %s to %s",
				    timeutil_format_date(pr->first, d1),
				    timeutil_format_date(pr->last, d2));
		else
			strbuf_addstr(sb, ", no files");
		strbuf_addstr(sb, "\">");
		esc(sb, pr->product->name);
		strbuf_addstr(sb, "</th>");
	}
	strbuf_addstr(sb, "</tr></thead>\n<tbody>\n");
	for (int32_t day1 = d->window_hi; day1 >= lo; day1--) {
		strbuf_addf(sb, "<tr><th scope=\"row\">%s</th>",
			    timeutil_format_date(day1, day));
		for (size_t p = 0; p < g->n_products; p++)
			coverage_cell(sb, g, p, day1);
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody></table></div>\n</details>\n");
}

/* what a column holds: "day", ..., "year" or "N years" */
static void
unit_words(struct strbuf *sb, enum cov_unit u, int step)
{
	if (u == COV_YEAR && step > 1)
		strbuf_addf(sb, "%d years", step);
	else
		strbuf_addstr(sb, cov_unit_name(u));
}

/* the whole mission's strip, the window outlined */
static void
coverage_strip(struct strbuf *sb, const struct report_data *d)
{
	const struct cov_grid *g = d->coverage;
	struct svg_heatmap h = {
		.g = g, .plot_w = 900, .min_col_w = 1, .max_col_w = 24,
		.row_h = 14, .merge = true, .mark_lo = COV_NO_DAY,
		.id = "coverage-strip", .label = "coverage of the whole mission",
	};
	struct strbuf svg = STRBUF_INIT;
	char d1[DATE_STRLEN], d2[DATE_STRLEN];
	enum cov_unit u;
	int step;

	h.lo = g->first;
	h.hi = g->last;
	if (d->has_window) {
		h.lo = d->window_lo < h.lo ? d->window_lo : h.lo;
		h.hi = d->window_hi > h.hi ? d->window_hi : h.hi;
		h.mark_lo = d->window_lo;
		h.mark_hi = d->window_hi;
	}
	u = svg_heatmap(&svg, &h, &step);
	strbuf_addf(sb, "<h3>The whole mission: <span id=\"coverage-first\">"
			"%s</span> to <span id=\"coverage-last\">%s</span> "
			"<small>(%" PRId64 " days, a column per <span "
			"id=\"coverage-unit\">",
		    timeutil_format_date(h.lo, d1),
		    timeutil_format_date(h.hi, d2), (int64_t)h.hi - h.lo + 1);
	unit_words(sb, u, step);
	strbuf_addstr(sb, "</span>, each its worst day");
	if (d->has_window)
		strbuf_addstr(sb, "; outlined: the days enlarged below");
	strbuf_addstr(sb, ")</small></h3>\n<div class=\"figure\">\n");
	strbuf_add(sb, svg.buf, svg.len);
	strbuf_addstr(sb, "</div>\n");
	strbuf_release(&svg);
}

static void
coverage_window(struct strbuf *sb, const struct report_data *d)
{
	struct svg_heatmap h = {
		.g = d->coverage, .lo = d->window_lo, .hi = d->window_hi,
		.plot_w = 900, .min_col_w = 6, .max_col_w = 28, .row_h = 20,
		.merge = false, .mark_lo = COV_NO_DAY, .id = "coverage-window",
		.label = "coverage of the recent days",
	};
	char d1[DATE_STRLEN], d2[DATE_STRLEN];
	struct strbuf svg = STRBUF_INIT;
	int step;
	enum cov_unit u = svg_heatmap(&svg, &h, &step);

	strbuf_addf(sb, "<h3>From <span id=\"coverage-from\">%s</span> to "
			"<span id=\"coverage-to\">%s</span> <small>(%" PRId64
			" days",
		    timeutil_format_date(h.lo, d1),
		    timeutil_format_date(h.hi, d2), (int64_t)h.hi - h.lo + 1);
	if (u != COV_DAY) {
		strbuf_addstr(sb, ", a column per ");
		unit_words(sb, u, step);
	}
	strbuf_addstr(sb, "; <code>cascade report --days=N</code> or "
			  "<code>--from</code>/<code>--to</code> choose "
			  "them)</small></h3>\n<div class=\"figure\">\n");
	strbuf_add(sb, svg.buf, svg.len);
	strbuf_addstr(sb, "</div>\n");
	strbuf_release(&svg);
}

static void
section_coverage(struct strbuf *sb, const struct report_data *d)
{
	const struct cov_grid *g = d->coverage;

	strbuf_addstr(sb, "<section id=\"coverage\">\n<h2>Coverage</h2>\n");
	if (!g || g->n_products == 0 ||
	    (g->first == COV_NO_DAY && !d->has_window)) {
		strbuf_addstr(sb, "<p id=\"coverage-empty\">No files to show: "
				  "the archive has none yet.</p>\n"
				  "</section>\n");
		return;
	}
	strbuf_addstr(sb, "<p class=\"note\">Each product (a row) on each "
			  "day (a column): the newest version on disk, as "
			  "the planner picks it, or why there is none. "
			  "Hover a cell for its product, date and version "
			  "or reason.</p>\n");
	coverage_legend(sb);
	if (d->gaps_note) {
		strbuf_addstr(sb, "<p class=\"warning\">Days without input are "
				  "shown as gaps: ");
		esc(sb, d->gaps_note);
		strbuf_addstr(sb, ".</p>\n");
	}
	/* the whole mission, unless the window shows all of it */
	if (g->first != COV_NO_DAY &&
	    (!d->has_window || g->first < d->window_lo ||
	     g->last > d->window_hi))
		coverage_strip(sb, d);
	if (d->has_window) {
		coverage_window(sb, d);
		coverage_table(sb, d);
	}
	strbuf_addstr(sb, "</section>\n");
}

/* -- activity ------------------------------------------------------------ */

static void
section_activity(struct strbuf *sb, const struct report_data *d)
{
	const struct sr_build_day *b = d->build_days;
	size_t n = d->n_build_days;
	char d1[DATE_STRLEN], d2[DATE_STRLEN];
	int64_t total = 0;

	strbuf_addstr(sb, "<section id=\"activity\">\n<h2>Builds per day</h2>"
			  "\n");
	if (!b || n == 0) {
		strbuf_addstr(sb, "<p>No days to show.</p>\n</section>\n");
		return;
	}
	for (size_t i = 0; i < n; i++)
		total += b[i].succeeded + b[i].failed + b[i].other;
	strbuf_addf(sb, "<p class=\"note\">The builds started each day (UTC) "
			"from <span id=\"activity-from\">%s</span> to <span "
			"id=\"activity-to\">%s</span>, <span "
			"id=\"activity-total\">%" PRId64 "</span> in all, by "
			"outcome, and the time their codes ran. Hover a "
			"column for its numbers.</p>\n",
		    timeutil_format_date(b[0].date, d1),
		    timeutil_format_date(b[n - 1].date, d2), total);
	if (total == 0) {
		strbuf_addstr(sb, "<p id=\"activity-none\">No builds started "
				  "in these days.</p>\n</section>\n");
		return;
	}
	strbuf_addstr(sb, "<div class=\"figure\">\n");
	svg_builds(sb, b, n, "activity-chart");
	strbuf_addstr(sb, "</div>\n</section>\n");
}

/* -- failures ------------------------------------------------------------ */

static void
failure_subject(struct strbuf *sb, const struct ss_failure *f)
{
	if (f->build_id != SS_NULL) {
		strbuf_addf(sb, "build %" PRId64, f->build_id);
		if (f->output_key) {
			strbuf_addstr(sb, " key ");
			esc(sb, f->output_key);
		}
	} else if (f->batch_id != SS_NULL) {
		strbuf_addf(sb, "batch %" PRId64, f->batch_id);
	} else {
		strbuf_addstr(sb, "file <code>");
		text(sb, f->filename);
		strbuf_addstr(sb, "</code>");
	}
}

static void
failure_group(struct strbuf *sb, const struct ss_failure *f, size_t n,
	      int limit)
{
	static const char *const cols[] = {"#Failure", "Occurred (UTC)",
					   "Subject", "Reason", NULL};
	size_t shown = limit > 0 && n > (size_t)limit ? (size_t)limit : n;

	strbuf_addstr(sb, "<div class=\"failure-group\" data-process=\"");
	esc(sb, f[0].group);
	strbuf_addstr(sb, "\" data-kind=\"");
	esc(sb, f[0].kind);
	strbuf_addstr(sb, "\">\n<h3><span class=\"process\">");
	esc(sb, f[0].group);
	strbuf_addstr(sb, "</span> / <span class=\"kind\">");
	esc(sb, f[0].kind);
	strbuf_addf(sb, "</span>: %zu</h3>\n<table class=\"failures\">", n);
	thead(sb, cols);
	/* newest first: the list is in id order */
	for (size_t k = 0; k < shown; k++) {
		const struct ss_failure *x = &f[n - 1 - k];

		strbuf_addstr(sb, "<tr>");
		td_num(sb, x->id);
		td_when(sb, x->occurred);
		strbuf_addstr(sb, "<td>");
		failure_subject(sb, x);
		strbuf_addstr(sb, "</td><td class=\"reason\">");
		text(sb, x->reason);
		strbuf_addstr(sb, "</td></tr>\n");
	}
	strbuf_addstr(sb, "</tbody></table>\n");
	if (shown < n) {
		strbuf_addf(sb, "<p class=\"note\">%zu older not shown: "
				"<code>cascade failures --process=",
			    n - shown);
		esc(sb, f[0].group);
		strbuf_addstr(sb, " --kind=");
		esc(sb, f[0].kind);
		strbuf_addstr(sb, "</code> lists them.</p>\n");
	}
	strbuf_addstr(sb, "</div>\n");
}

static void
section_failures(struct strbuf *sb, const struct report_data *d)
{
	const struct ss_failure *f = d->failures;
	size_t n = d->n_failures;

	strbuf_addstr(sb, "<section id=\"failures\">\n"
			  "<h2>Failures awaiting a person</h2>\n");
	if (n == 0) {
		strbuf_addstr(sb, "<p id=\"failures-none\">None.</p>\n"
				  "</section>\n");
		return;
	}
	strbuf_addf(sb, "<p class=\"note\">%zu unresolved failure%s, by "
			"process (<q>ingest</q>: rejected deliveries, "
			"<q>batch</q>: batches) and kind, newest first. "
			"<code>cascade failures show ID</code> gives the "
			"whole reason and the end of the log; "
			"<code>cascade failures resolve</code> and "
			"<code>retry</code> deal with them.</p>\n",
		    n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && !strcmp(f[j].group, f[i].group) &&
		       !strcmp(f[j].kind, f[i].kind))
			j++;
		failure_group(sb, &f[i], j - i, d->failures_per_group);
		i = j;
	}
	strbuf_addstr(sb, "</section>\n");
}

/* -- statistics ---------------------------------------------------------- */

static void
period(struct strbuf *sb, const char *from, const char *to)
{
	if (!from && !to) {
		strbuf_addstr(sb, "of all time");
		return;
	}
	if (from) {
		strbuf_addstr(sb, "from ");
		when(sb, from);
		strbuf_addstr(sb, " UTC");
	}
	if (to) {
		strbuf_addstr(sb, from ? " until " : "until ");
		when(sb, to);
		strbuf_addstr(sb, " UTC");
	}
}

static void
section_stats(struct strbuf *sb, const struct report_data *d)
{
	static const char *const cols[] = {
		"Process", "Output", "#Builds", "#OK", "#Failed", "#Bad",
		"#Open", "#Min", "#Mean", "#Max", "#Total", "#CPU",
		"#Max RSS", NULL};
	const struct ss_stats *s = d->stats;

	strbuf_addstr(sb, "<section id=\"stats\">\n<h2>Statistics</h2>\n"
			  "<p class=\"note\">Builds started ");
	period(sb, d->stats_from, d->stats_to);
	strbuf_addstr(sb, ", by process. Failed: failed, timed out or "
			  "killed; open: queued or running; times are of "
			  "finished builds; CPU is user plus system "
			  "time.</p>\n");
	if (!s || s->n_procs == 0) {
		strbuf_addstr(sb, "<p>No processes.</p>\n</section>\n");
		return;
	}
	strbuf_addstr(sb, "<div class=\"scroll\"><table id=\"stats-table\">");
	thead(sb, cols);
	for (size_t i = 0; i < s->n_procs; i++) {
		const struct ss_process_stats *p = &s->procs[i];
		char kb[STATUS_FMT_LEN];

		strbuf_addstr(sb, "<tr>");
		td(sb, p->process);
		td(sb, p->product);
		td_num(sb, p->builds);
		td_num(sb, p->ok);
		td_num(sb, p->failed);
		td_num(sb, p->bad);
		td_num(sb, p->open);
		td_duration(sb, p->min_s);
		td_duration(sb, p->mean_s);
		td_duration(sb, p->max_s);
		td_duration(sb, p->total_s);
		td_duration(sb, p->cpu_s);
		strbuf_addf(sb, "<td class=\"num\">%s</td>",
			    status_format_kb(p->max_rss_kb == SS_NULL
						     ? -1
						     : (long long)p->max_rss_kb,
					     kb));
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody></table></div>\n");
	strbuf_addstr(sb, "<p id=\"stats-runs\">Runs ");
	if (d->stats_from || d->stats_to) {
		strbuf_addstr(sb, "started ");
		period(sb, d->stats_from, d->stats_to);
	} else {
		strbuf_addstr(sb, "of all time");
	}
	strbuf_addf(sb,
		    ": %" PRId64
		    " (%" PRId64 " did work); files %" PRId64
		    " ingested, %" PRId64 " duplicates, %" PRId64
		    " rejected; builds %" PRId64 " ok, %" PRId64
		    " failed, %" PRId64 " skipped.</p>\n",
		    s->runs, s->runs_worked, s->files_ingested,
		    s->files_duplicate, s->files_rejected, s->builds_ok,
		    s->builds_failed, s->builds_skipped);
	strbuf_addstr(sb, "</section>\n");
}

/* -- the page ------------------------------------------------------------ */

void
report_html(struct strbuf *sb, const struct report_data *d)
{
	strbuf_addstr(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
			  "<meta charset=\"utf-8\">\n"
			  "<meta http-equiv=\"Content-Security-Policy\" "
			  "content=\"default-src 'none'; style-src "
			  "'unsafe-inline'\">\n"
			  "<meta name=\"viewport\" content=\"width=device-"
			  "width, initial-scale=1\">\n"
			  "<meta name=\"generator\" content=\"cascade ");
	esc(sb, d->version);
	strbuf_addstr(sb, "\">\n<title>");
	esc(sb, d->mission);
	strbuf_addstr(sb, ": cascade report</title>\n<style>\n");
	strbuf_addstr(sb, style);
	/* the states' colours: the pictures' cells, the table, the legend */
	for (int st = 0; st < COV_N_STATES; st++)
		strbuf_addf(sb, ".c-%s,td.%s{fill:%s;background:%s}\n",
			    cov_state_name(st), cov_state_name(st),
			    cov_state_color(st), cov_state_color(st));
	strbuf_addstr(sb, "</style>\n</head>\n<body>\n<header>\n"
			  "<h1>Mission <span id=\"mission\">");
	esc(sb, d->mission);
	strbuf_addstr(sb, "</span></h1>\n<p>Report generated ");
	when(sb, d->generated);
	strbuf_addstr(sb, " UTC by cascade <span id=\"version\">");
	esc(sb, d->version);
	strbuf_addstr(sb, "</span>.</p>\n<nav><a href=\"#status\">Status</a>"
			  "<a href=\"#graph\">Graph</a>"
			  "<a href=\"#coverage\">Coverage</a>"
			  "<a href=\"#activity\">Builds per day</a>"
			  "<a href=\"#failures\">Failures</a>"
			  "<a href=\"#stats\">Statistics</a></nav>\n"
			  "</header>\n<main>\n");
	section_status(sb, d);
	section_graph(sb, d);
	section_coverage(sb, d);
	section_activity(sb, d);
	section_failures(sb, d);
	section_stats(sb, d);
	strbuf_addstr(sb, "</main>\n<footer>cascade ");
	esc(sb, d->version);
	strbuf_addstr(sb, ": a database-driven process controller for "
			  "science data pipelines. This page is a snapshot; "
			  "<code>cascade status</code> shows the present."
			  "</footer>\n</body>\n</html>\n");
}
