/*
 * cmd-orbits.c - "cascade orbits load|list": the mission's orbits.
 *
 * load reads an orbits file (orbit.h: NUMBER,START,STOP a line) into the
 * orbit table, whole or not at all (orbits.c); a file may add orbits
 * (appending) and correct stored ones (a line for a stored number with
 * other times replaces it).  list prints the table, or the orbits
 * overlapping --from/--to, as text or JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "json.h"
#include "log.h"
#include "orbits.h"
#include "store-orbit.h"
#include "strbuf.h"
#include "timeutil.h"
#include "banned.h"

static const struct cmd_help help_orbits = {
	"orbits", "load or list the mission's orbits",
	"load|list [OPTION]...", "cascade-orbits", 1, -1,
};
static const struct cmd_help help_load = {
	"orbits load", "load orbits from a file, adding and correcting",
	"[--dry-run] [OPTION]... FILE", "cascade-orbits", 1, 1,
};
static const struct cmd_help help_list = {
	"orbits list", "list the mission's orbits",
	"[--from=TIME] [--to=TIME] [--json] [OPTION]...", "cascade-orbits", 0,
	0,
};

static bool dry_run, json;
static const char *path, *from, *to;
static int64_t from_usec = INT64_MIN, to_usec = INT64_MAX;

/* a source for a terminal: control characters shown as '?' */
static const char *
shown(const char *s, struct strbuf *sb)
{
	strbuf_reset(sb);
	for (; s && *s; s++)
		strbuf_addch(sb, (unsigned char)*s < 0x20 || *s == 0x7f ? '?'
									: *s);
	return sb->len ? sb->buf : "-";
}

int
cmd_orbits_load_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_BOOL, 'n', "dry-run", &dry_run, NULL,
		 "check the file against the table; change nothing"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};
	int i = opt_parse(ctx, &help_load, opts, argc, argv);

	path = argv[i];
	return EXIT_OK;
}

int
cmd_orbits_load_run(struct ctx *ctx)
{
	struct so_load r = SO_LOAD_INIT;
	struct strbuf sb = STRBUF_INIT;
	enum orbits_load_status st = orbits_load(ctx->db, path, dry_run, &r);

	if (st == ORBITS_LOADED) {
		printf("%s%s: %ld orbit%s added, %ld replaced, %ld unchanged\n",
		       dry_run ? "dry run: " : "", shown(path, &sb), r.added,
		       r.added == 1 ? "" : "s", r.replaced, r.unchanged);
		for (size_t i = 0; i < r.n_old; i++) {
			char a[TIMESTAMP_STRLEN], b[TIMESTAMP_STRLEN];

			printf("replaced orbit %lld: was %s to %s (%s)\n",
			       (long long)r.old[i].number,
			       timeutil_format_timestamp(r.old[i].start, a),
			       timeutil_format_timestamp(r.old[i].stop, b),
			       shown(r.old[i].source, &sb));
		}
		if (r.queued)
			printf("%s%ld file%s queued: the keys of ORBIT "
			       "processes they feed may change\n",
			       dry_run ? "dry run: " : "", r.queued,
			       r.queued == 1 ? "" : "s");
		if (r.renumbered)
			printf("%s%ld file%s of ORBIT products now in "
			       "another orbit\n",
			       dry_run ? "dry run: " : "", r.renumbered,
			       r.renumbered == 1 ? "" : "s");
		if (r.kept)
			log_warning("%ld file%s of ORBIT products kept "
				    "their orbit: the orbit now holding "
				    "their start has that version already",
				    r.kept, r.kept == 1 ? "" : "s");
	}
	so_load_release(&r);
	strbuf_release(&sb);
	return st == ORBITS_LOADED ? EXIT_OK
	       : st == ORBITS_BAD  ? EXIT_USAGE
				   : EXIT_DB;
}

/* --from/--to as an instant; returns its bound */
static int64_t
bound(const char *opt, const char *value, bool end, int64_t none)
{
	char buf[TIMESTAMP_STRLEN];
	const char *iso = cmd_parse_time(&help_list, opt, value, end, buf);
	int64_t t;

	if (!iso)
		return none;
	if (timeutil_parse_timestamp(iso, strlen(iso), &t))
		usage_error(&help_list, "invalid --%s \"%s\"", opt, value);
	return t;
}

int
cmd_orbits_list_parse(struct ctx *ctx, int argc, char **argv)
{
	static const struct opt opts[] = {
		{OPT_STRING, 'f', "from", &from, "TIME",
		 "orbits that stop after TIME (UTC)"},
		{OPT_STRING, 't', "to", &to, "TIME",
		 "... and start before TIME (a date: before its end)"},
		{OPT_BOOL, 0, "json", &json, NULL, "write JSON"},
		{OPT_END, 0, NULL, NULL, NULL, NULL},
	};

	opt_parse(ctx, &help_list, opts, argc, argv);
	if (from)
		from_usec = bound("from", from, false, INT64_MIN);
	if (to)
		to_usec = bound("to", to, true, INT64_MAX);
	if (from_usec != INT64_MIN && to_usec != INT64_MAX &&
	    to_usec <= from_usec)
		usage_error(&help_list, "--to must come after --from");
	return EXIT_OK;
}

static void
list_json(const struct so_orbit *o, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	struct json_writer w;

	json_init(&w, &sb, JSON_PRETTY);
	json_document_begin(&w);
	json_kv_int(&w, "count", (int64_t)n);
	json_key(&w, "orbits");
	json_array_begin(&w);
	for (size_t i = 0; i < n; i++) {
		char t[TIMESTAMP_STRLEN];

		json_object_begin(&w);
		json_kv_int(&w, "number", o[i].number);
		json_kv_string(&w, "start",
			       timeutil_format_timestamp(o[i].start, t));
		json_kv_string(&w, "stop",
			       timeutil_format_timestamp(o[i].stop, t));
		if (o[i].source)
			json_kv_string(&w, "source", o[i].source);
		else
			json_kv_null(&w, "source");
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

int
cmd_orbits_list_run(struct ctx *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	struct so_orbit *o = NULL;
	size_t n = 0;

	if (store_orbits_list(ctx->db, from_usec, to_usec, &o, &n))
		return EXIT_DB;
	if (json) {
		list_json(o, n);
	} else if (!n) {
		printf("no orbits%s\n", from || to ? " in that period" : "");
	} else {
		printf("%-12s %-27s %-27s %s\n", "orbit", "start (UTC)",
		       "stop (UTC)", "source");
		for (size_t i = 0; i < n; i++) {
			char a[TIMESTAMP_STRLEN], b[TIMESTAMP_STRLEN];

			printf("%-12lld %-27s %-27s %s\n",
			       (long long)o[i].number,
			       timeutil_format_timestamp(o[i].start, a),
			       timeutil_format_timestamp(o[i].stop, b),
			       shown(o[i].source, &sb));
		}
		printf("%zu orbit%s\n", n, n == 1 ? "" : "s");
	}
	strbuf_release(&sb);
	store_orbits_free(o, n);
	return EXIT_OK;
}

/* "orbits" without a known sub-command: main.c found none */
int
cmd_orbits_parse(struct ctx *ctx, int argc, char **argv)
{
	return opt_parse_group(ctx, &help_orbits, argc, argv);
}
