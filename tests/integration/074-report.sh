# 074-report: "cascade report --html DIR": one self-contained page with
# the status, the graph (inline SVG), the coverage table, the failures and
# the statistics; checked in the HTML it writes and in the DOM headless
# Chromium renders from it; names that need escaping; dot missing or
# failing; a populated mission and a real pipeline run; bad arguments.
. "$(dirname "$0")/lib.sh"
t_begin report
. "$(dirname "$0")/lib-ops.sh"

# facts FILE OUT: parse an HTML document (ours, or Chromium's DOM) with
# python's html.parser and write one "key<TAB>value" line per fact
cat > "$T/facts.py" <<'PY'
import re, sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text()
                       for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if not isinstance(c, str):
                yield from c.iter()

    def all(self, tag):
        return [n for n in self.iter() if n.tag == tag and n is not self]

    def classes(self):
        return self.attrs.get("class", "").split()


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", [], None)

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, d):
        self.cur.children.append(d)


def norm(s):
    return " ".join(s.split())


src = open(sys.argv[1], encoding="utf-8").read()
t = Tree()
t.feed(src)
t.close()
root = t.root
out = []


def fact(k, v):
    out.append("%s\t%s" % (k, norm(str(v))))


ids = {}
for n in root.iter():
    if "id" in n.attrs and n.attrs["id"] not in ids:
        ids[n.attrs["id"]] = n


def idtext(i):
    return ids[i].text() if i in ids else "<none>"


fact("sections", ",".join(n.attrs.get("id", "") for n in root.all("section")))
heads = root.all("head")
fact("title", heads[0].all("title")[0].text() if heads and heads[0].all("title") else "<none>")
for i in ("mission", "version", "flag", "queue-total", "queue-oldest",
          "failures-total", "graph-missing", "coverage-from", "coverage-to",
          "coverage-empty", "failures-none", "stats-runs"):
    fact(i, idtext(i))
fact("generated", root.all("header")[0].all("time")[0].attrs.get("datetime", "") if root.all("header") else "")
for s in root.all("section"):
    fact("section." + s.attrs.get("id", "?"), s.text())


def rows(table):
    return [[c for c in tr.children if not isinstance(c, str) and c.tag in ("td", "th")]
            for tr in table.all("tr")]


def table_rows(tid):
    return rows(ids[tid])[1:] if tid in ids else []


for r in table_rows("builds-by-state"):
    fact("build-state." + r[0].text(), r[1].text())
for r in table_rows("runs"):
    fact("run." + r[0].text(), "%s|%s|%s" % (r[1].text(), r[4].text(), r[5].text()))
for r in table_rows("batches"):
    fact("batch." + r[0].text(), "%s|%s" % (r[3].text(), r[4].text().strip()))
    fact("batch-style." + r[0].text(), " ".join(r[3].classes()))
    fact("batch-counts." + r[0].text(), "%s|%s|%s" % (r[1].text(), r[5].text(), r[6].text()))
    fact("batch-failed-style." + r[0].text(), " ".join(r[6].classes()))
for r in table_rows("queue"):
    fact("queue." + r[0].text(), r[1].text())
for r in table_rows("failure-counts"):
    fact("failure-count.%s/%s" % (r[0].text(), r[1].text()), r[2].text())

g = ids.get("graph")
svgs = g.all("svg") if g else []
fact("graph.svg", len(svgs))
for s in svgs:
    for ti in s.all("title"):
        fact("graph.title", ti.text())
fact("graph.dot", idtext("graph-dot").strip().split("\n")[0])

cov = ids.get("coverage-table")
if cov:
    rs = rows(cov)
    heads = [c.text() for c in rs[0]]
    fact("coverage.headers", "|".join(heads))
    body = rs[1:]
    fact("coverage.rows", len(body))
    fact("coverage.first", body[0][0].text() if body else "")
    fact("coverage.last", body[-1][0].text() if body else "")
    for r in body:
        for h, c in zip(heads[1:], r[1:]):
            fact("cell.%s.%s" % (h, r[0].text()), "%s|%s" % (" ".join(c.classes()), c.text()))
        fact("row-gaps." + r[0].text(), sum("gap" in c.classes() for c in r[1:]))

for grp in (n for n in root.iter() if "failure-group" in n.classes()):
    p, k = grp.attrs.get("data-process"), grp.attrs.get("data-kind")
    fact("failure-group", "%s/%s" % (p, k))
    fact("failure-group-head.%s/%s" % (p, k), grp.all("h3")[0].text())
    trs = rows(grp.all("table")[0])[1:]
    for r in trs:
        fact("failure." + r[0].text(), "%s|%s|%s|%s" % (p, k, r[2].text(), r[3].text()))
    fact("failure-group-rows.%s/%s" % (p, k), len(trs))
    fact("failure-group-first.%s/%s" % (p, k), trs[0][2].text() if trs else "")
    notes = grp.all("p")
    fact("failure-group-note.%s/%s" % (p, k), notes[0].text() if notes else "")

for r in table_rows("stats-table"):
    fact("stats." + r[0].text(), "|".join(c.text() for c in r[1:7]))

# self-contained: every http(s) reference is an SVG namespace attribute
bad = []
for m in re.finditer(r"https?://", src):
    before = src[max(0, m.start() - 20):m.start()]
    if not re.search(r'xmlns(:xlink)?="$', before):
        bad.append(src[max(0, m.start() - 20):m.start() + 40])
for pat in (r"<script", r"<link", r"<img", r"<iframe", r"<object", r"<embed",
            r"url\(", r"@import", r"\ssrc="):
    for m in re.finditer(pat, src, re.I):
        bad.append(src[max(0, m.start() - 20):m.start() + 40])
fact("external", " ## ".join(bad))
fact("xmlns", len(re.findall(r'xmlns(:xlink)?="http://www\.w3\.org/', src)))
fact("bytes", len(src))

sys.stdout.write("\n".join(out) + "\n")
PY

# facts FILE LABEL: the facts of FILE into $T/facts.LABEL
facts() {
	if python3 "$T/facts.py" "$1" > "$T/facts.$2" 2> "$T/facts.err"; then
		pass "$2: the page parses"
	else
		fail "$2: the page parses" "$(cat "$T/facts.err")"
	fi
	F=$T/facts.$2
	FL=$2
}
# f KEY: the value of fact KEY of the current facts file (first one)
f() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$F"; }
# fis WHAT KEY WANT / fhas WHAT KEY VALUE (some line) / fcontains WHAT KEY NEEDLE
fis() { equals "$FL: $1" "$(f "$2")" "$3"; }
fhas() {
	if awk -F'\t' -v k="$2" -v v="$3" '$1 == k && $2 == v { found = 1 } END { exit !found }' "$F"; then
		pass "$FL: $1"
	else
		fail "$FL: $1" "no fact $2 = $3" "$(grep -F "$2	" "$F" | head -20)"
	fi
}
fcontains() { contains "$FL: $1" "$(f "$2")" "$3"; }

have_chromium=false
command -v chromium >/dev/null 2>&1 && have_chromium=true
# dom HTMLFILE LABEL: the DOM Chromium renders from the page, as facts
dom() {
	local prof
	if ! $have_chromium; then
		pass "# skipped: chromium is not installed (scripts/install-deps.sh installs it)"
		return 1
	fi
	prof=$(mktemp -d "$T/chrome.XXXXXX")
	timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$prof" \
		--dump-dom "file://$1" > "$T/$2.dom" 2> "$T/chrome.err"
	local st=$?
	if [ "$st" -eq 0 ] && [ -s "$T/$2.dom" ] && grep -q '<section' "$T/$2.dom"; then
		pass "$2: chromium renders the page (exit 0, a DOM)"
	else
		fail "$2: chromium renders the page (exit 0, a DOM)" "exit status $st" "$(tail -5 "$T/chrome.err")"
		return 1
	fi
	facts "$T/$2.dom" "$2"
}

# -- bad arguments: nothing needs the database ---------------------------
expect_rc 2 "--html is required" cascade report
contains "says so" "$err" "--html=DIR is required"
printf 'x\n' > "$T/plain"
expect_rc 2 "DIR is a regular file: exit 2" cascade report --html "$T/plain"
contains "says it is not a directory" "$err" "\"$T/plain\" exists and is not a directory"
equals "the file is left alone" "$(cat "$T/plain")" x
expect_rc 2 "a bad date" cascade report --html "$T/r" --from 2024-02-30
contains "names the date" "$err" 'invalid date "2024-02-30"'
expect_rc 2 "--from after --to" cascade report --html "$T/r" --from 2024-02-01 --to 2024-01-01
expect_rc 2 "an operand" cascade report --html "$T/r" extra
expect_rc 5 "no schema: exit 5" cascade report --html "$T/r"
[ ! -e "$T/r" ] && pass "no directory made when nothing was written" || fail "no directory made when nothing was written"
expect_rc 0 "--help" cascade report --help
contains "--help lists --dot" "$out" "--dot=PROGRAM"
contains "--help names the man page" "$out" "cascade-report(1)"
expect_rc 2 "a bogus option" cascade report --bogus
contains "names it" "$err" '"--bogus"'

# -- a populated mission: failed, bad and running builds, rejects --------
populate
# a newer version of mag_l0 2024-01-02, mag_l0 2024-01-05 (2024-01-04 is
# then a gap), an old mag_l0 (the default range is then 31 days, and
# December a gap), a note on 2024-01-03
printf 'day 02 again\n' > "$IN/small_mag_l0_20240102_v1.0.2.dat"
printf 'day 05\n' > "$IN/small_mag_l0_20240105_v1.0.0.dat"
printf 'june\n' > "$IN/small_mag_l0_20230601_v1.0.0.dat"
printf 'a note\n' > "$IN/small_note_20240103_abcd_v1.0.0.txt"
expect_rc 0 "ingest four more files" cascade ingest
# names that need escaping, from the database
sql "UPDATE product SET product_name = 'n<o>&\"tes''' WHERE product_name = 'notes';
     UPDATE mission SET mission_name = 'sm<all>&co';
     UPDATE failure SET reason = '<b>exited</b> with status 1 & \"more\"' WHERE kind = 'exit'" >/dev/null
odd='n<o>&"tes'"'"
queued=$(sql "SELECT count(*) FROM processqueue")
equals "the queue holds 8 files" "$queued" 8

R=$T/www/report
expect_rc 0 "report --html DIR (DIR and its parent created)" cascade report --html "$R"
equals "nothing on stdout" "$out" ""
equals "DIR holds index.html only (temporary files gone)" "$(ls -A "$R")" index.html
equals "index.html is readable by others" "$(stat -c %a "$R/index.html")" 644
H=$R/index.html
raw=$(cat "$H")
contains "an HTML5 document" "$raw" "<!DOCTYPE html>"
contains "a CSP that forbids fetching" "$raw" "default-src 'none'"
contains "the odd product name escaped" "$raw" 'n&lt;o&gt;&amp;&quot;tes&#39;'
contains "the odd mission name escaped" "$raw" 'sm&lt;all&gt;&amp;co'
contains "the odd reason escaped" "$raw" '&lt;b&gt;exited&lt;/b&gt; with status 1 &amp; &quot;more&quot;'
not_contains "no raw odd product name" "$raw" 'n<o>'
not_contains "no raw tag from the database" "$raw" '<b>exited'
not_contains "no XML prolog" "$raw" '<?xml'
not_contains "no DOCTYPE of dot's" "$raw" '<!DOCTYPE svg'

check_populated() {
	fis "only SVG namespaces refer outside the page" external ""
	fis "the SVG namespaces are there" xmlns 2
	fis "six sections, in order" sections "status,graph,coverage,activity,failures,stats"
	fis "the title names the mission" title 'sm<all>&co: cascade report'
	fis "the mission" mission 'sm<all>&co'
	fis "the version" version "$("$CASCADE" --version | cut -d' ' -f2)"
	equals "$FL: the generation time is UTC ISO" "$(f generated | sed 's/[0-9]/0/g')" "0000-00-00T00:00:00Z"
	# status
	fis "flag not set" flag "not set"
	fis "the queue count" queue-total "$queued"
	fis "the queue by product" queue.mag_l0 6
	fcontains "the oldest unprocessed input" queue-oldest "file $F1 small_mag_l0_20240101_v1.0.0.dat (mag_l0), queued 2024-03-01 08:05:02 UTC"
	fis "builds running" build-state.running 1
	fis "builds bad" build-state.bad 1
	fis "builds succeeded" build-state.succeeded 1
	fis "a run with its outcome and exit status" run.3 "process-queue|failed|1"
	fis "a batch with its progress" batch.2 "running|2/4"
	fis "a batch whose builds failed: failed" batch.1 "failed|5/5"
	fis "and red, not a green done" batch-style.1 st-failed
	fis "a batch names its process, with its succeeded and failed counts" batch-counts.1 "mag_l0_to_l1|2|3"
	fis "its failed count in red" batch-failed-style.1 "num st-failed"
	fis "the running batch's counts" batch-counts.2 "mag_l0_to_l1|2|0"
	fis "the unresolved failure count" failures-total 6
	fis "failures counted by process and kind" "failure-count.mag_l0_to_l1/exit" 1
	# graph
	fis "the graph is one inline SVG" graph.svg 1
	fhas "a product node" graph.title "product:mag_l0"
	fhas "a process node" graph.title "process:mag_l0_to_l1"
	fhas "the odd product's node" graph.title "product:$odd"
	fis "no fallback when dot works" graph-missing "<none>"
	# coverage
	fis "coverage columns: products by level, then name" coverage.headers "Date|mag_l0|$odd|mag_l1"
	fis "coverage: the last 31 days" coverage.rows 31
	fis "coverage: newest date first" coverage.first 2024-01-05
	fis "coverage: 31 days back" coverage.last 2023-12-06
	fis "coverage: a file" cell.mag_l0.2024-01-01 "current|1.0.0"
	fis "coverage: the newest of two versions" cell.mag_l0.2024-01-02 "updated|1.0.2"
	fis "coverage: a day never delivered inside the span" cell.mag_l0.2024-01-04 "no-input|"
	fis "coverage: the span ends" cell.mag_l0.2024-01-05 "current|1.0.0"
	fis "coverage: another product" cell.mag_l1.2024-01-01 "current|1.0.0"
	fis "coverage: the failed build's day is marked" cell.mag_l1.2024-01-02 "failed|"
	fis "coverage: so is a timed out one" cell.mag_l1.2024-01-03 "failed|"
	fis "coverage: after its only file, no build: none" cell.mag_l1.2024-01-05 "none|"
	fis "coverage: the odd product's file" "cell.$odd.2024-01-03" "current|1.0.0"
	fis "coverage: before the span is none, not a gap" "cell.$odd.2024-01-02" "none|"
	fis "coverage: no gap (delivered products have no input) on 2024-01-04" row-gaps.2024-01-04 0
	fis "coverage: not delivered since June" cell.mag_l0.2023-12-31 "no-input|"
	fis "coverage: before a span is none, not a gap" cell.mag_l1.2023-12-31 "none|"
	fis "coverage: no gap on 2023-12-31" row-gaps.2023-12-31 0
	fis "coverage: no gap on 2024-01-03" row-gaps.2024-01-03 0
	# failures
	fhas "failures grouped as cascade failures groups them" failure-group "mag_l0_to_l1/exit"
	fhas "ingest rejects are a group" failure-group "ingest/no-product"
	fhas "batch failures are a group" failure-group "batch/bad-batch"
	fis "the failed build: process, kind, key and reason" failure.2 'mag_l0_to_l1|exit|build 2 key 2024-01-02|<b>exited</b> with status 1 & "more"'
	fis "the timed out build" failure.3 "mag_l0_to_l1|timeout|build 3 key 2024-01-03|timed out after 60 s"
	fis "the reject names its file" failure.1 "ingest|no-product|file unknown.dat|$(sql "SELECT reason FROM failure WHERE failure_id = 1")"
	fcontains "a group's heading counts it" "failure-group-head.mag_l0_to_l1/exit" "mag_l0_to_l1 / exit: 1"
	# statistics: builds, ok, failed, bad, open
	fis "per-process statistics" stats.mag_l0_to_l1 "mag_l1|6|1|3|1|1"
	fcontains "the period" section.stats "Builds started of all time"
	fcontains "run totals, of all time" stats-runs "Runs of all time: 4 (3 did work); files 8 ingested, 0 duplicates, 1 rejected; builds 2 ok, 3 failed, 0 skipped."
}

facts "$H" html
check_populated
if dom "$H" dom; then
	check_populated
fi

# a date range: coverage rows, graph states and statistics follow it
expect_rc 0 "report --from --to" cascade report --html "$R" --from 2024-01-01 --to 2024-01-03
facts "$H" range
fis "coverage: the range's days" coverage.rows 3
fis "coverage: from its end" coverage.first 2024-01-03
fis "coverage: to its start" coverage.last 2024-01-01
fis "coverage: the range is named" coverage-to 2024-01-03
fis "statistics: builds started in the range (none)" stats.mag_l0_to_l1 "mag_l1|0|0|0|0|0"
fcontains "statistics: the period" section.stats "from 2024-01-01 00:00:00 UTC until 2024-01-04 00:00:00 UTC"
fcontains "graph: the range" section.graph "dated 2024-01-01 to 2024-01-03"
equals "the page was replaced, nothing left beside it" "$(ls -A "$R")" index.html

# -- dot missing or failing: the rest of the page is unaffected ----------
mkdir -p "$T/nodot-path"
expect_rc 0 "report with no dot in PATH" env PATH="$T/nodot-path" "$CASCADE" report --html "$T/nodot" -m "$DB"
contains "warns that dot is missing" "$err" '"dot" was not found in PATH'
contains "and says how to get it" "$err" "graphviz"
facts "$T/nodot/index.html" nodot
fcontains "the graph section says why" graph-missing 'the Graphviz program "dot" was not found in PATH'
fcontains "and shows the DOT source" graph.dot 'digraph "sm<all>&co" {'
fcontains "the DOT names the nodes" section.graph '"product:mag_l0" [shape=box'
fis "no SVG" graph.svg 0
fis "the other sections are there" sections "status,graph,coverage,activity,failures,stats"
fis "the status is there" queue-total "$queued"
fis "the coverage is there" cell.mag_l0.2024-01-02 "updated|1.0.2"
fis "the failures are there" failure.3 "mag_l0_to_l1|timeout|build 3 key 2024-01-03|timed out after 60 s"
fis "the statistics are there" stats.mag_l0_to_l1 "mag_l1|6|1|3|1|1"
fis "still self-contained" external ""
if dom "$T/nodot/index.html" nodot-dom; then
	fcontains "the DOT source, as text" graph.dot 'digraph "sm<all>&co" {'
	fis "the fallback renders" sections "status,graph,coverage,activity,failures,stats"
fi

printf '#!/bin/sh\necho "dot: syntax error near <line 3>" >&2\nexit 3\n' > "$T/baddot"
chmod +x "$T/baddot"
expect_rc 0 "report with a dot that fails" cascade report --html "$T/baddot-out" --dot "$T/baddot"
facts "$T/baddot-out/index.html" baddot
fcontains "the graph section says how dot failed" graph-missing "exited with status 3"
fcontains "with dot's message" graph-missing "(dot: syntax error near <line 3>)"
fis "the status is there" queue-total "$queued"
equals "the DOT input file is removed" "$(ls -A "$T/baddot-out")" index.html
expect_rc 0 "report with --dot naming no file" cascade report --html "$T/baddot-out" --dot "$T/no/such/dot"
contains "warns" "$err" "is not an executable file"
facts "$T/baddot-out/index.html" nosuchdot
fcontains "the graph section says so" graph-missing "\"$T/no/such/dot\" is not an executable file"

# many failures of one kind: the newest 25 are shown, the others counted
sql "INSERT INTO failure (kind, reason, filename, occurred_at)
     SELECT 'no-product', 'reject ' || g, 'f' || g || '.dat', '2024-03-02 00:00:00+00'::timestamptz + g * interval '1 minute'
     FROM generate_series(1, 30) g" >/dev/null
expect_rc 0 "report with 31 rejects" cascade report --html "$T/many"
facts "$T/many/index.html" many
fis "the group heading counts them all" failure-group-head.ingest/no-product "ingest / no-product: 31"
fis "25 are shown" failure-group-rows.ingest/no-product 25
fis "newest first" failure-group-first.ingest/no-product "file f30.dat"
fcontains "the others are counted, with the command that lists them" failure-group-note.ingest/no-product "6 older not shown: cascade failures --process=ingest --kind=no-product lists them."
fis "the status counts them" failures-total 36

# a DIR that cannot be made
expect_rc 1 "a DIR under a file cannot be made: exit 1" cascade report --html "$T/plain/sub"
contains "says why" "$err" "\"$T/plain/sub\": Not a directory"

# -- a real pipeline run: FILE-timebase products, real statistics --------
psql -X -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null
psql -X -q -d postgres -c "CREATE DATABASE $DB TEMPLATE template0" >/dev/null
rm -rf "$T/data"
pipeline_setup
for d in 01 02 03; do deliver "pl_raw_202401${d}_v1.0.0.dat" "raw $d"; done
expect_rc 0 "ProcessQueue builds the pipeline" "$CASCADE" process-queue -m "$DB"
deliver pl_raw_20240103_v1.1.0.dat "raw 03, better"
expect_rc 0 "ProcessQueue rebuilds with a new input version" "$CASCADE" process-queue -m "$DB"
l2=$(sql "SELECT product_id FROM product WHERE product_name = 'l2'")
l1=$(sql "SELECT product_id FROM product WHERE product_name = 'l1'")
# l2 is made per file: two more files of 2024-01-02 under another
# process_keywords (two versions; the newer counts), and a newer l1 that
# is not on disk (it does not count)
sql "INSERT INTO file (filename, utc_file_date, utc_start_time, utc_stop_time, data_level, interface_version, quality_version, revision_version, file_create_date, product_id, process_keywords, exists_on_disk) VALUES
  ('pl_l2_20240102_x_v1.0.1.dat', '2024-01-02', '2024-01-02', '2024-01-02 23:59:59', 2, 1, 0, 1, now(), $l2, 'x', true),
  ('pl_l2_20240102_x_v1.3.0.dat', '2024-01-02', '2024-01-02', '2024-01-02 23:59:59', 2, 1, 3, 0, now(), $l2, 'x', true),
  ('pl_l1_20240101_v9.0.0.dat', '2024-01-01', '2024-01-01', '2024-01-01 23:59:59', 1, 9, 0, 0, now(), $l1, NULL, false)" >/dev/null
P=$T/www/pipe
expect_rc 0 "report of the pipeline" cascade report --html "$P" -q
equals "quiet" "$err" ""
check_pipeline() {
	fis "coverage columns" coverage.headers "Date|aux|bad_in|raw|span|l1|o_content|o_crash|o_fail|o_gc|o_hang|o_noout|o_wrong|spanl1|l2"
	fis "coverage: the days with files" coverage.rows 3
	fis "coverage: back to the oldest" coverage.last 2024-01-01
	fis "coverage: ends with the newest file" coverage.first 2024-01-03
	fis "coverage: a new input version" cell.raw.2024-01-03 "updated|1.1.0"
	fis "coverage: its output follows" cell.l1.2024-01-03 "updated|1.1.0"
	fis "coverage: so does the neighbour's" cell.l1.2024-01-02 "updated|1.1.0"
	fis "coverage: a version not on disk does not count" cell.l1.2024-01-01 "current|1.0.0"
	fis "coverage: per-file product, many files: highest version and count" cell.l2.2024-01-02 "updated|1.3.0 ×2"
	fis "coverage: per-file product, one file" cell.l2.2024-01-01 "current|1.0.0"
	fis "coverage: a product without files expects none" cell.aux.2024-01-02 "none|"
	fhas "graph: the per-file process" graph.title "process:l2"
	fhas "graph: the RUN process" graph.title "process:summary"
	fhas "graph: an edge" graph.title "product:l1->process:l2"
	fis "statistics: real builds" stats.l1 "l1|5|5|0|0|0"
	fis "statistics: the RUN process" stats.summary "-|$(sql "SELECT count(*) FROM build JOIN process USING (process_id) WHERE process_name = 'summary'")|$(sql "SELECT count(*) FROM build JOIN process USING (process_id) WHERE process_name = 'summary' AND status = 'succeeded'")|0|0|0"
	fis "no failures" failures-none "None."
	fis "the queue is empty" queue-total 0
	fis "self-contained" external ""
}
facts "$P/index.html" pipe
check_pipeline
if dom "$P/index.html" pipe-dom; then
	check_pipeline
fi
t_end
