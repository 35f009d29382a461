/*
 * why-text.c - reasons, chains and verdicts in words and JSON (see
 * why-text.h).
 */
#include "why-text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "timeutil.h"
#include "banned.h"

/* "l1 2024-03-01 1.0.0 (file 12)" / "... 1.0.0 -> 1.1.0 (file 12 -> 15)" */
static void
input_text(struct strbuf *sb, const struct sw_reason *r)
{
	bool o = r->old_file_id != INT64_MIN, n = r->new_file_id != INT64_MIN;

	if (r->product)
		strbuf_addf(sb, "%s %s ", r->product,
			    r->utc_date ? r->utc_date : "?");
	if (o && n) {
		strbuf_addf(sb, "%s -> %s (file %" PRId64 " -> %" PRId64 ")",
			    r->old_version ? r->old_version : "?",
			    r->new_version ? r->new_version : "?",
			    r->old_file_id, r->new_file_id);
	} else if (o || n) {
		const char *v = o ? r->old_version : r->new_version;

		if (v)
			strbuf_addf(sb, "%s ", v);
		strbuf_addf(sb, "(file %" PRId64 ")",
			    o ? r->old_file_id : r->new_file_id);
	}
}

/* " by run 12 (reprocess, user alice)": who asked */
static void
asker_text(struct strbuf *sb, const struct sw_reason *r)
{
	if (r->logging_id != INT64_MIN) {
		strbuf_addf(sb, " by run %" PRId64, r->logging_id);
		if (r->by_command)
			strbuf_addf(sb, " (%s, user %s)", r->by_command,
				    r->by_user ? r->by_user : "?");
	}
	/* the queue entry's reason, when it says more than the command */
	if (r->detail && (!r->by_command || strcmp(r->detail, r->by_command)))
		strbuf_addf(sb, ": %s", r->detail);
}

static void
code_text(struct strbuf *sb, const struct sw_reason *r)
{
	strbuf_addstr(sb, "code changed: ");
	if (r->old_code_id == INT64_MIN)
		strbuf_addf(sb, "none recorded -> %s (code %" PRId64 ")",
			    r->new_version ? r->new_version : "?",
			    r->new_code_id);
	else if (r->old_version && r->new_version &&
		 !strcmp(r->old_version, r->new_version))
		strbuf_addf(sb, "code %" PRId64 " -> %" PRId64
				", both version %s",
			    r->old_code_id, r->new_code_id, r->new_version);
	else
		strbuf_addf(sb, "%s -> %s (code %" PRId64 " -> %" PRId64 ")",
			    r->old_version ? r->old_version : "?",
			    r->new_version ? r->new_version : "?",
			    r->old_code_id, r->new_code_id);
}

void
why_text_reason(struct strbuf *sb, const struct sw_reason *r)
{
	bool o = r->old_file_id != INT64_MIN, n = r->new_file_id != INT64_MIN;

	switch (r->kind) {
	case BUILD_REASON_FIRST:
		strbuf_addstr(sb, "first build of its key");
		if (r->new_code_id != INT64_MIN)
			strbuf_addf(sb, " (code %" PRId64 ", version %s)",
				    r->new_code_id,
				    r->new_version ? r->new_version : "?");
		return;
	case BUILD_REASON_INPUT_ADDED:
		strbuf_addstr(sb, "input added: ");
		input_text(sb, r);
		return;
	case BUILD_REASON_INPUT_REMOVED:
		strbuf_addstr(sb, "input removed: ");
		input_text(sb, r);
		return;
	case BUILD_REASON_INPUT_CHANGED:
		strbuf_addstr(sb, "input changed: ");
		input_text(sb, r);
		return;
	case BUILD_REASON_NEIGHBOUR:
		strbuf_addf(sb, "neighbouring day %s: ",
			    o && n ? "changed" : n ? "added" : "removed");
		input_text(sb, r);
		return;
	case BUILD_REASON_CODE_CHANGED:
		code_text(sb, r);
		return;
	case BUILD_REASON_FORCED:
		strbuf_addf(sb, "forced %s bump", r->bump ? r->bump : "?");
		if (r->old_version)
			strbuf_addf(sb, " of %s", r->old_version);
		if (r->logging_id != INT64_MIN || r->detail)
			strbuf_addstr(sb, ", asked");
		asker_text(sb, r);
		return;
	case BUILD_REASON_REQUESTED:
		strbuf_addstr(sb, "requested");
		asker_text(sb, r);
		return;
	case BUILD_REASON_SCHEDULED:
		strbuf_addstr(sb, "scheduled");
		if (r->detail)
			strbuf_addf(sb, ": %s", r->detail);
		return;
	case BUILD_REASON_PERIOD_CHANGED:
		strbuf_addstr(sb, "its period moved");
		if (r->detail)
			strbuf_addf(sb, ": it was %s", r->detail);
		return;
	}
	strbuf_addstr(sb, "unknown reason");
}

static void
kv_id(struct json_writer *w, const char *key, int64_t v)
{
	if (v == INT64_MIN)
		json_kv_null(w, key);
	else
		json_kv_int(w, key, v);
}

void
why_json_reasons(struct json_writer *w, const struct sw_reason *r, size_t n)
{
	struct strbuf text = STRBUF_INIT;

	json_key(w, "why");
	json_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		json_object_begin(w);
		json_kv_string(w, "kind", build_reason_name(r[i].kind));
		json_kv_string(w, "product", r[i].product);
		json_kv_string(w, "utc_date", r[i].utc_date);
		kv_id(w, "old_file_id", r[i].old_file_id);
		json_kv_string(w, "old_filename", r[i].old_filename);
		json_kv_string(w, "old_version", r[i].old_version);
		kv_id(w, "new_file_id", r[i].new_file_id);
		json_kv_string(w, "new_filename", r[i].new_filename);
		json_kv_string(w, "new_version", r[i].new_version);
		kv_id(w, "old_code_id", r[i].old_code_id);
		kv_id(w, "new_code_id", r[i].new_code_id);
		json_kv_string(w, "bump", r[i].bump);
		kv_id(w, "logging_id", r[i].logging_id);
		json_kv_string(w, "by_command", r[i].by_command);
		json_kv_string(w, "by_user", r[i].by_user);
		json_kv_string(w, "detail", r[i].detail);
		strbuf_reset(&text);
		why_text_reason(&text, &r[i]);
		json_kv_string(w, "text", text.buf);
		json_object_end(w);
	}
	json_array_end(w);
	strbuf_release(&text);
}

/* -- why FILE ---------------------------------------------------------- */

/* "l2_20240301_v1.1.0.dat (file 12, l2 2024-03-01 1.1.0)" */
static void
node_title(struct strbuf *sb, const struct sw_node *nd)
{
	if (!nd->exists) {
		strbuf_addf(sb, "file %" PRId64 " (its row is gone)", nd->file_id);
		return;
	}
	strbuf_addf(sb, "%s (file %" PRId64 ", %s %s %s%s)", nd->filename,
		    nd->file_id, nd->product, nd->utc_file_date ? nd->utc_file_date : "-",
		    nd->version, nd->on_disk ? "" : ", not on disk");
}

static void
indent(struct strbuf *sb, int depth)
{
	for (int i = 0; i < depth; i++)
		strbuf_addstr(sb, "    ");
}

/* the node's maker: its build and reasons, or how it came */
static void
node_text(struct strbuf *sb, const struct sw_node *nd, int depth)
{
	indent(sb, nd->depth);
	node_title(sb, nd);
	strbuf_addch(sb, '\n');
	indent(sb, nd->depth);
	if (nd->build_id == INT64_MIN) {
		if (nd->code_id != INT64_MIN)
			strbuf_addf(sb, "  made by code %" PRId64
					" (no build recorded)\n",
				    nd->code_id);
		else if (nd->exists)
			strbuf_addstr(sb, "  not made by a build: ingested\n");
		return;
	}
	strbuf_addf(sb, "  made by build %" PRId64 " (process %s, key %s, "
			"code %s%s%s):\n",
		    nd->build_id, nd->process, nd->output_key,
		    nd->code_version ? nd->code_version : "-",
		    nd->built ? ", ended " : "", nd->built ? nd->built : "");
	if (nd->reused_from != INT64_MIN) {
		indent(sb, nd->depth);
		strbuf_addf(sb, "    reused from build %" PRId64 ": the same "
				"content (code and input bytes), its code did "
				"not run\n",
			    nd->reused_from);
	}
	for (size_t i = 0; i < nd->n_reasons; i++) {
		indent(sb, nd->depth);
		strbuf_addstr(sb, "    because: ");
		why_text_reason(sb, &nd->reasons[i]);
		strbuf_addch(sb, '\n');
	}
	if (!nd->n_reasons) {
		indent(sb, nd->depth);
		strbuf_addstr(sb, "    (no reason recorded: planned before "
				  "cascade recorded reasons)\n");
	}
	if (nd->depth == depth && nd->n_inputs > 0) {
		indent(sb, nd->depth);
		strbuf_addf(sb, "    (%" PRId64 " input%s not shown: "
				"--depth=%d)\n",
			    nd->n_inputs, nd->n_inputs == 1 ? "" : "s", depth);
	}
}

static void
json_node_fields(struct json_writer *w, const struct sw_node *nd)
{
	json_kv_int(w, "file_id", nd->file_id);
	json_kv_bool(w, "exists", nd->exists);
	json_kv_string(w, "filename", nd->filename);
	json_kv_string(w, "product", nd->product);
	json_kv_string(w, "utc_file_date", nd->utc_file_date);
	json_kv_string(w, "version", nd->version);
	json_kv_bool(w, "on_disk", nd->on_disk);
	kv_id(w, "made_by_code", nd->code_id);
}

/*
 * nodes[*i] and its inputs (the nodes after it one level deeper), as
 * nested objects; *i moves past them
 */
static void
json_node(struct json_writer *w, const struct sw_node *nodes, size_t n,
	  size_t *i, int depth)
{
	const struct sw_node *nd = &nodes[(*i)++];

	json_object_begin(w);
	json_node_fields(w, nd);
	json_key(w, "build");
	if (nd->build_id == INT64_MIN) {
		json_null(w);
	} else {
		json_object_begin(w);
		json_kv_int(w, "build_id", nd->build_id);
		json_kv_string(w, "process", nd->process);
		json_kv_string(w, "output_key", nd->output_key);
		json_kv_string(w, "code_version", nd->code_version);
		json_kv_string(w, "ended_at", nd->built);
		kv_id(w, "n_inputs", nd->n_inputs);
		kv_id(w, "reused_from_build_id", nd->reused_from);
		json_kv_bool(w, "inputs_shown",
			     nd->depth < depth || nd->n_inputs <= 0);
		why_json_reasons(w, nd->reasons, nd->n_reasons);
		json_key(w, "inputs");
		json_array_begin(w);
		while (*i < n && nodes[*i].depth > nd->depth)
			json_node(w, nodes, n, i, depth);
		json_array_end(w);
		json_object_end(w);
	}
	/* a file no build made has no inputs listed */
	while (*i < n && nodes[*i].depth > nd->depth)
		(*i)++;
	json_object_end(w);
}

void
why_format_file(struct strbuf *sb, const struct sw_node *nodes, size_t n,
		int depth, bool json)
{
	if (json) {
		struct json_writer w;
		size_t i = 0;

		json_init(&w, sb, JSON_PRETTY);
		json_document_begin(&w);
		json_kv_int(&w, "depth", depth);
		json_key(&w, "file");
		if (n)
			json_node(&w, nodes, n, &i, depth);
		else
			json_null(&w);
		json_object_end(&w);
		json_finish(&w);
		return;
	}
	for (size_t i = 0; i < n; i++)
		node_text(sb, &nodes[i], depth);
}

/* -- why --not --------------------------------------------------------- */

static void
code_ref(struct strbuf *sb, const struct code *c)
{
	char v[VERSION_STRLEN], d1[DATE_STRLEN], d2[DATE_STRLEN];

	strbuf_addf(sb, "%s %s (code %d, %s to %s)", c->filename,
		    version_format(&c->version, v), c->id,
		    timeutil_format_date(c->start_date, d1),
		    timeutil_format_date(c->stop_date, d2));
}

/* the verdict in one sentence */
static void
verdict_text(struct strbuf *sb, const struct why_not *wn)
{
	const struct sw_key *b = &wn->builds;
	char v[VERSION_STRLEN], d[DATE_STRLEN];

	switch (wn->verdict) {
	case PLAN_UPTODATE:
		strbuf_addstr(sb, "up to date");
		if (b->made_by != INT64_MIN)
			strbuf_addf(sb, " since build %" PRId64 "%s%s",
				    b->made_by, b->made_at ? ", ended " : "",
				    b->made_at ? b->made_at : "");
		if (wn->out_filename)
			strbuf_addf(sb, ": its output %s (version %s) was made "
					"by its code from its inputs of now",
				    wn->out_filename,
				    version_format(&wn->out_version, v));
		else
			strbuf_addstr(sb, ": its last build ran its code on "
					  "its inputs of now");
		return;
	case PLAN_BAD:
		strbuf_addf(sb, "build %" PRId64 " of it is bad: it is left "
				"for a person (cascade failures; \"failures "
				"retry\" runs it again)",
			    b->bad_build);
		return;
	case PLAN_OPEN:
		strbuf_addf(sb, "build %" PRId64 " of it is %s: the running "
				"or next processing run takes it",
			    b->open_build,
			    b->open_status ? b->open_status : "open");
		return;
	case PLAN_NO_INPUT:
		if (wn->missing_group.nr) {
			strbuf_addstr(sb, "no input: none of the products of "
					  "required input group (one_of: ");
			for (size_t i = 0; i < wn->missing_group.nr; i++)
				strbuf_addf(sb, "%s%s", i ? ", " : "",
					    wn->missing_group.v[i]);
			strbuf_addstr(sb, ") has a file for it");
		} else if (wn->missing_product) {
			strbuf_addf(sb, "no input: required input product "
					"\"%s\" has no file for it",
				    wn->missing_product);
		}
		if (wn->missing_product && wn->pinned_out.nr) {
			strbuf_addf(sb, " of version %d.x.x; the pin "
					"(version: %d) left out ",
				    wn->missing_pin, wn->missing_pin);
			for (size_t i = 0; i < wn->pinned_out.nr; i++)
				strbuf_addf(sb, "%s%s", i ? ", " : "",
					    wn->pinned_out.v[i]);
		}
		if (!wn->missing_product)
			strbuf_addstr(sb, "no input: none of its input products "
					  "has a file for it");
		return;
	case PLAN_NEIGHBOUR_ONLY:
		strbuf_addstr(sb, "no input of its own: its inputs are only "
				  "in neighbouring days of its window, and a "
				  "neighbour's data never makes an output");
		return;
	case PLAN_NO_CODE:
		strbuf_addstr(sb, "no code of the process is valid within its "
				  "period (active, the newest version of its "
				  "interface)");
		return;
	case PLAN_CODES_SHARED:
		strbuf_addstr(sb, "two codes are valid within its period, ");
		code_ref(sb, wn->code);
		strbuf_addstr(sb, " and ");
		code_ref(sb, wn->other);
		strbuf_addstr(sb, ": one code builds a period");
		return;
	case PLAN_INTERFACE_BELOW:
		strbuf_addstr(sb, "its code ");
		code_ref(sb, wn->code);
		strbuf_addf(sb, " declares output interface %d, below that "
				"of its newest output",
			    wn->code->output_interface_version);
		return;
	case PLAN_BUILD:
		if (wn->queued.nr)
			strbuf_addstr(sb, "queued: inputs of it are in the "
					  "queue; the next processing run "
					  "builds it");
		else if (wn->process->schedule.set)
			strbuf_addf(sb, "scheduled: the first processing run "
					"from %s on builds it (its schedule: "
					"due %d day(s) after its period)",
				    timeutil_format_date(
					    wn->key_end + 1 +
						    wn->process->schedule
							    .lag_days,
					    d),
				    wn->process->schedule.lag_days);
		else
			strbuf_addstr(sb, "not built yet: it would be built, "
					  "but nothing queued it since it "
					  "changed (\"cascade reprocess\" or "
					  "\"cascade run-process\" would)");
		return;
	}
	strbuf_addstr(sb, "unknown");
}

static void
not_text(struct strbuf *sb, const struct why_not *wn)
{
	char d1[DATE_STRLEN], d2[DATE_STRLEN];

	strbuf_addf(sb, "process %s, key %s", wn->process->name,
		    wn->output_key);
	if (wn->key_end != wn->key_start)
		strbuf_addf(sb, " (%s to %s)",
			    timeutil_format_date(wn->key_start, d1),
			    timeutil_format_date(wn->key_end, d2));
	strbuf_addstr(sb, ": ");
	verdict_text(sb, wn);
	strbuf_addch(sb, '\n');
	if (wn->out_filename && wn->verdict != PLAN_UPTODATE)
		strbuf_addf(sb, "  its newest output: %s\n", wn->out_filename);
	if (wn->n_reasons) {
		strbuf_addstr(sb, wn->verdict == PLAN_BUILD
					  ? "  a build now would be because:\n"
					  : "  and a build would be because:\n");
		for (size_t i = 0; i < wn->n_reasons; i++) {
			strbuf_addstr(sb, "    ");
			why_text_reason(sb, &wn->reasons[i]);
			strbuf_addch(sb, '\n');
		}
	}
	for (size_t i = 0; i < wn->queued.nr; i++)
		strbuf_addf(sb, "  queued input: %s\n", wn->queued.v[i]);
	for (size_t i = 0; i < wn->n_upstream; i++) {
		const struct sw_queued *q = &wn->upstream[i];

		strbuf_addf(sb, "  waiting behind: product %s, upstream of its "
				"inputs, has %" PRId64 " file%s queued (%s",
			    q->product, q->files, q->files == 1 ? "" : "s",
			    q->first ? q->first : "-");
		if (q->last && q->first && strcmp(q->first, q->last))
			strbuf_addf(sb, " to %s", q->last);
		strbuf_addstr(sb, "): the next run may change its inputs\n");
	}
}

static void
json_strvec(struct json_writer *w, const char *key, const struct strvec *v)
{
	json_key(w, key);
	json_array_begin(w);
	for (size_t i = 0; i < v->nr; i++)
		json_string(w, v->v[i]);
	json_array_end(w);
}

static void
not_json(struct strbuf *sb, const struct why_not *wn)
{
	struct json_writer w;
	struct strbuf text = STRBUF_INIT;
	char d[DATE_STRLEN], v[VERSION_STRLEN];

	json_init(&w, sb, JSON_PRETTY);
	json_document_begin(&w);
	json_kv_string(&w, "process", wn->process->name);
	json_kv_string(&w, "output_key", wn->output_key);
	json_kv_string(&w, "key_start", timeutil_format_date(wn->key_start, d));
	json_kv_string(&w, "key_end", timeutil_format_date(wn->key_end, d));
	json_kv_string(&w, "verdict", why_verdict_name(wn->verdict));
	verdict_text(&text, wn);
	json_kv_string(&w, "text", text.buf);
	json_kv_string(&w, "missing_product", wn->missing_product);
	json_strvec(&w, "missing_group", &wn->missing_group);
	if (wn->missing_pin)
		json_kv_int(&w, "missing_pin", wn->missing_pin);
	else
		json_kv_null(&w, "missing_pin");
	json_strvec(&w, "pinned_out", &wn->pinned_out);
	json_kv_int(&w, "n_inputs", (int64_t)wn->n_inputs);
	if (wn->code)
		json_kv_int(&w, "code_id", wn->code->id);
	else
		json_kv_null(&w, "code_id");
	if (wn->out_id) {
		json_kv_int(&w, "output_file_id", wn->out_id);
		json_kv_string(&w, "output_filename", wn->out_filename);
		json_kv_string(&w, "output_version",
			       version_format(&wn->out_version, v));
	} else {
		json_kv_null(&w, "output_file_id");
		json_kv_null(&w, "output_filename");
		json_kv_null(&w, "output_version");
	}
	kv_id(&w, "made_by", wn->builds.made_by);
	kv_id(&w, "bad_build", wn->builds.bad_build);
	kv_id(&w, "open_build", wn->builds.open_build);
	why_json_reasons(&w, wn->reasons, wn->n_reasons);
	json_strvec(&w, "queued_inputs", &wn->queued);
	json_key(&w, "waiting_behind");
	json_array_begin(&w);
	for (size_t i = 0; i < wn->n_upstream; i++) {
		json_object_begin(&w);
		json_kv_string(&w, "product", wn->upstream[i].product);
		json_kv_int(&w, "files", wn->upstream[i].files);
		json_kv_string(&w, "first_date", wn->upstream[i].first);
		json_kv_string(&w, "last_date", wn->upstream[i].last);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
	strbuf_release(&text);
}

void
why_format_not(struct strbuf *sb, const struct why_not *wn, bool json)
{
	if (json)
		not_json(sb, wn);
	else
		not_text(sb, wn);
}
