# 077-report-pictures: the report's pictures.  A survey mission with
# three and a half years of files (written as rows) and two weeks that
# ProcessQueue really builds, one of which fails and one of which has no
# housekeeping: the coverage heat map of the whole mission (grouped into
# weeks) and its recent window (a cell a day), each cell's state and
# tooltip (failed day, no-input days, a gap, superseded and newer
# versions, a weekly and a per-file product), --days and --from/--to,
# the chart of builds per day, the graph's one-line legend, the runs'
# period named; then the page as headless Chromium renders it (DOM and
# a screenshot, kept in the test artefacts directory).
. "$(dirname "$0")/lib.sh"
t_begin report_pictures

ART=${CASCADE_TEST_ARTEFACTS:-$(dirname "$CASCADE")/test-artefacts}/077-report-pictures
rm -rf "$ART"
mkdir -p "$ART"

mkdir -p "$T/codes"
cp "$FIX"/pcodes/*.sh "$T/codes/"
sed -e "s|@ROOT@|$T|g" "$FIX/config/report.yaml" > "$T/survey.yaml"
cascade init >/dev/null && cascade config apply "$T/survey.yaml" >/dev/null ||
	{ echo "not ok - setup"; exit 1; }
IN=$T/data/incoming
mkdir -p "$IN"
pid() { sql "SELECT product_id FROM product WHERE product_name = '$1'"; }
RAW=$(pid raw) HK=$(pid hk) L1=$(pid l1) L2=$(pid l2) PLOTS=$(pid plots) WEEKLY=$(pid weekly)

# -- the history, as rows: 2021-01-04 to 2024-06-16 ----------------------
# raw every day but 2022-03-10..24 (never delivered); hk every day but
# every 97th and 2023-05-01..10; l1 where raw is, at 1.0.0 and 1.1.0 in
# 2021 (an older interface), 2.0.0 since, 2.0.1 on some days; l2 where
# l1 and hk are, but for a gap on 2023-09-04..08; weekly on Mondays;
# plots per l1 file, two (1.0.0 and 1.0.1) on the 1st of a month; a failed build of l2 on
# 2022-11-15 (no file) and a bad one on 2023-02-02 (a file)
sql "
CREATE FUNCTION pg_temp.f(p int, d date, v int[], kw text DEFAULT NULL) RETURNS void LANGUAGE sql AS \$\$
  INSERT INTO file (filename, utc_file_date, utc_start_time, utc_stop_time, data_level, interface_version,
    quality_version, revision_version, file_create_date, product_id, process_keywords, exists_on_disk)
  SELECT format('%s_%s_%s_v%s.%s.%s.dat', product_name, to_char(d, 'YYYYMMDD'), coalesce(kw, 'x'), v[1], v[2], v[3]),
    d, d, d + interval '1 day' - interval '1 microsecond', level, v[1], v[2], v[3], now(), p, kw, true
  FROM product WHERE product_id = p \$\$;
SELECT pg_temp.f($RAW, d::date, '{1,0,0}') FROM generate_series('2021-01-04'::date, '2024-06-16', '1 day') d
  WHERE d NOT BETWEEN '2022-03-10' AND '2022-03-24';
SELECT pg_temp.f($HK, d::date, '{1,0,0}') FROM generate_series('2021-01-04'::date, '2024-06-16', '1 day') d
  WHERE (d::date - '2021-01-04'::date) % 97 <> 50 AND d NOT BETWEEN '2023-05-01' AND '2023-05-10';
SELECT pg_temp.f($L1, utc_file_date, CASE WHEN utc_file_date < '2022-01-01' THEN
    CASE WHEN extract(month FROM utc_file_date) > 6 THEN '{1,1,0}'::int[] ELSE '{1,0,0}' END
  WHEN extract(doy FROM utc_file_date)::int % 11 = 0 THEN '{2,0,1}' ELSE '{2,0,0}' END)
  FROM file WHERE product_id = $RAW;
SELECT pg_temp.f($L2, l.utc_file_date, '{1,0,0}') FROM file l JOIN file h ON h.product_id = $HK AND h.utc_file_date = l.utc_file_date
  WHERE l.product_id = $L1 AND l.utc_file_date NOT BETWEEN '2023-09-04' AND '2023-09-08' AND l.utc_file_date <> '2022-11-15';
SELECT pg_temp.f($WEEKLY, d::date, '{1,0,0}') FROM generate_series('2021-01-04'::date, '2024-06-10', '7 days') d;
SELECT pg_temp.f($PLOTS, utc_file_date, '{1,0,0}', 'a') FROM file WHERE product_id = $L1;
SELECT pg_temp.f($PLOTS, utc_file_date, '{1,0,1}', 'b') FROM file WHERE product_id = $L1 AND extract(day FROM utc_file_date) = 1;
INSERT INTO build (process_id, output_key, utc_file_date, status, reason, queued_at, started_at, ended_at)
  SELECT process_id, k, k::date, s, 'made up', '2024-01-01', '2024-01-01', '2024-01-01 00:00:05'
  FROM process, (VALUES ('2022-11-15', 'failed'), ('2023-02-02', 'bad'), ('2023-09-05', 'cancelled')) AS b(k, s)
  WHERE process_name = 'l1_to_l2';
" >/dev/null || { echo "not ok - history rows"; exit 1; }

# -- two weeks ProcessQueue builds: l2 fails on 2024-06-25, and hk never
# comes for 2024-06-27 --------------------------------------------------
deliver() { printf '%s\n' "$2" > "$IN/.$1.part" && mv "$IN/.$1.part" "$IN/$1"; }
for d in 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
	deliver "sv_raw_202406${d}_v1.0.0.dat" "raw $d"
	[ "$d" = 27 ] || deliver "sv_hk_202406${d}_v1.0.0.dat" "hk $d"
done
expect_rc 1 "ProcessQueue builds the new days (one build fails: exit 1)" cascade process-queue
equals "the failed build is l2 of 2024-06-25" \
	"$(sql "SELECT output_key || ' ' || status FROM build JOIN process USING (process_id) WHERE process_name = 'l1_to_l2' AND output_key >= '2024-06-17' AND status <> 'succeeded'")" \
	"2024-06-25 failed"
FAILED_BUILD=$(sql "SELECT build_id FROM build WHERE output_key = '2024-06-25' AND status = 'failed'")

# -- the facts of a page's pictures ------------------------------------------
cat > "$T/pics.py" <<'PY'
import html, re, sys
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.out, self.svg, self.cell, self.text = [], [], None, None, None
        self.counts, self.days, self.untitled = {}, {}, {}
        self.sections, self.ids = [], {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id", ""))
        if "id" in a:
            self.ids[a["id"]] = ""
            self.cur_id = a["id"]
        if tag == "svg":
            self.svg = a.get("id", "?")
            self.counts[self.svg] = 0
            self.days[self.svg] = 0
        elif tag == "rect" and self.svg and "cell" in a.get("class", "").split():
            cls = [c[2:] for c in a["class"].split() if c.startswith("c-")]
            self.cell = [cls[0] if cls else "?", ""]
            self.counts[self.svg] += 1
            self.days[self.svg] += int(a.get("data-days", "0"))
        elif tag == "rect" and self.svg and a.get("class") == "window":
            self.out.append("window.%s\tx=%s width=%s" % (self.svg, a.get("x"), a.get("width")))
        elif tag == "title" and self.cell is not None:
            self.text = ""
        elif tag == "text" and self.svg:
            self.svgtext = ""
        if getattr(self, "span", None):
            self.depth += 1
        elif tag in ("span", "p", "h3") and "id" in a:
            self.span = a["id"]; self.spantext = ""; self.depth = 0
    def handle_endtag(self, tag):
        if tag == "svg":
            self.out.append("untitled.%s\t%d" % (self.svg, self.untitled.get(self.svg, 0)))
            self.out.append("cells.%s\t%d" % (self.svg, self.counts[self.svg]))
            self.out.append("days.%s\t%d" % (self.svg, self.days[self.svg]))
            self.svg = None
        elif tag == "title" and self.cell is not None and self.text is not None:
            self.cell[1] = self.text
            self.text = None
        elif tag == "rect" and self.cell is not None:
            if not self.cell[1]:
                self.untitled[self.svg] = self.untitled.get(self.svg, 0) + 1
            key, _, rest = self.cell[1].partition(": ")
            self.out.append("cell.%s.%s\t%s|%s" % (self.svg, key, self.cell[0], rest))
            self.cell = None
        if getattr(self, "span", None):
            if self.depth:
                self.depth -= 1
            else:
                self.out.append("id.%s\t%s" % (self.span, " ".join(self.spantext.split())))
                self.span = None
    def handle_data(self, d):
        if self.text is not None:
            self.text += d
        if getattr(self, "span", None):
            self.spantext += d

p = P()
src = open(sys.argv[1], encoding="utf-8").read()
p.feed(src)
p.out.append("sections\t" + ",".join(p.sections))
p.out.append("bytes\t%d" % len(src))
ext = [m.group(0) for m in re.finditer(r"(?<!xmlns=\")(?<!xmlns:xlink=\")https?://|<script|<link|<img|<iframe|url\(|@import|\ssrc=", src)]
p.out.append("external\t%d" % len(ext))
# the table's cells: class by "product date"
heads = re.search(r'<table class="coverage" id="coverage-table">\s*<thead><tr>(.*?)</tr>', src, re.S)
if heads:
    names = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', heads.group(1))[1:]
    for row in re.finditer(r'<tr><th scope="row">([0-9-]+)</th>(.*?)</tr>', src):
        for n, c in zip(names, re.finditer(r'<td class="([^"]*)"[^>]*>(.*?)</td>', row.group(2))):
            p.out.append("td.%s.%s\t%s|%s" % (n, row.group(1), c.group(1), html.unescape(re.sub("<[^>]*>", "", c.group(2)))))
print("\n".join(p.out))
PY
# pics FILE LABEL: the facts of FILE's pictures into $F
pics() {
	if python3 "$T/pics.py" "$1" > "$T/pics.$2" 2> "$T/pics.err"; then
		pass "$2: the page parses"
	else
		fail "$2: the page parses" "$(cat "$T/pics.err")"
	fi
	F=$T/pics.$2
	FL=$2
}
f() { awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$F"; }
fis() { equals "$FL: $1" "$(f "$2")" "$3"; }
fcontains() { contains "$FL: $1" "$(f "$2")" "$3"; }
# fstate WHAT KEY STATE: the cell KEY is in STATE
fstate() { equals "$FL: $1" "$(f "$2" | cut -d'|' -f1)" "$3"; }

# -- the default report ---------------------------------------------------
R=$T/www
expect_rc 0 "report" cascade report --html "$R"
H=$R/index.html
cp "$H" "$ART/index.html"
pics "$H" page
fis "six sections, in order" sections "status,graph,coverage,activity,failures,stats"
fis "self-contained" external 0
# the whole mission: 2021-01-04 (a Monday) to 2024-06-30, by week
fis "strip: from the first file" id.coverage-first 2021-01-04
fis "strip: to the last" id.coverage-last 2024-06-30
fis "strip: a column per week (the days would be narrower than a pixel)" id.coverage-unit week
ndays=$(( ( $(date -ud 2024-06-30 +%s) - $(date -ud 2021-01-04 +%s) ) / 86400 + 1 ))
fis "strip: its cells cover every product-day once" days.coverage-strip $((6 * ndays))
fis "strip: every cell has a tooltip" untitled.coverage-strip 0
fis "window: every cell has a tooltip" untitled.coverage-window 0
n=$(f cells.coverage-strip)
if [ "$n" -gt 6 ] && [ "$n" -lt $((6 * 183)) ]; then
	pass "strip: alike weeks are one rectangle ($n rectangles for 6 x 183 weeks)"
else
	fail "strip: alike weeks are one rectangle" "$n rectangles"
fi
fstate "strip: the failed day's week is failed" "cell.coverage-strip.l2 2024-06-24 to 2024-06-30 (7 days)" failed
fcontains "strip: its tooltip counts the week's days" "cell.coverage-strip.l2 2024-06-24 to 2024-06-30 (7 days)" "1 build failed, 1 no input, 5 present; version 1.0.0"
fstate "strip: the week of the 2022-11-15 failure" "cell.coverage-strip.l2 2022-11-14 to 2022-11-20 (7 days)" failed
fstate "strip: the week of the gap" "cell.coverage-strip.l2 2023-09-04 to 2023-09-10 (7 days)" gap
fcontains "strip: the gap's days counted" "cell.coverage-strip.l2 2023-09-04 to 2023-09-10 (7 days)" "5 gap, 2 present"
fstate "strip: raw never delivered: no input" "cell.coverage-strip.raw 2022-03-14 to 2022-03-20 (7 days)" no-input
fcontains "strip: the window is outlined" window.coverage-strip "x="
# the recent window: the 31 days up to the newest file, a cell a day
fis "window: from" id.coverage-from 2024-05-31
fis "window: to the newest file's day" id.coverage-to 2024-06-30
fis "window: a cell per product and day" cells.coverage-window $((6 * 31))
fis "window: one day each" days.coverage-window $((6 * 31))
fis "window: the failed day, with its build" "cell.coverage-window.l2 2024-06-25" "failed|build $FAILED_BUILD failed"
fis "window: no housekeeping delivered" "cell.coverage-window.hk 2024-06-27" "no-input|no file: none was delivered"
fis "window: so no l2 can be made" "cell.coverage-window.l2 2024-06-27" "no-input|no file: a required input never arrived"
fis "window: a day built today" "cell.coverage-window.l1 2024-06-28" "current|2.0.0"
fis "window: an l1 of the history" "cell.coverage-window.l1 2024-06-01" "current|2.0.0"
fis "window: a newer version" "cell.coverage-window.l1 2024-06-13" "updated|2.0.1, a newer version"
fis "window: the weekly product's Monday" "cell.coverage-window.weekly 2024-06-10" "current|1.0.0"
fis "window: its other days expect no file" "cell.coverage-window.weekly 2024-06-11" "none|no file (not made daily)"
fis "window: a product made per file" "cell.coverage-window.plots 2024-06-01" "updated|1.0.1 (2 files), a newer version"
# the table, in its <details>
fis "table: the failed day" td.l2.2024-06-25 "failed|"
fis "table: a version" td.l1.2024-06-13 "updated|2.0.1"
fis "table: a no-input day" td.hk.2024-06-27 "no-input|"
fis "table: per file, counted" td.plots.2024-06-01 "updated|1.0.1 ×2"
# the graph's legend is one line of the page, not a part of the picture
fcontains "graph: the legend" id.graph-legend "up to date queued failing bad"
not_contains "graph: no legend inside the SVG" "$(cat "$H")" 'legend:'
# builds per day: the last 31 days up to today
today=$(date -u +%F)
fis "activity: to today" id.activity-to "$today"
fis "activity: 31 days" id.activity-from "$(date -ud "$today - 30 days" +%F)"
fis "activity: the builds of the run" id.activity-total "$(sql "SELECT count(*) FROM build WHERE started_at >= now() - interval '31 days'")"
grep -q '<svg id="activity-chart"' "$H" && pass "activity: the chart" || fail "activity: the chart"
fcontains "stats: the runs' period is named" id.stats-runs "Runs of all time: "

# -- a window of one's own --------------------------------------------------
expect_rc 0 "report --from --to around the gap" cascade report --html "$R" --from 2023-09-01 --to 2023-09-10
pics "$H" range
fis "window: the range" id.coverage-from 2023-09-01
fis "window: 10 days" cells.coverage-window 60
fis "window: a gap that could be built" "cell.coverage-window.l2 2023-09-05" "gap|no file: a gap that could be built"
fis "window: hk there, raw there" "cell.coverage-window.l1 2023-09-05" "current|2.0.0"
fcontains "stats: the runs' period is named" id.stats-runs "Runs started from 2023-09-01 00:00:00 UTC until 2023-09-11 00:00:00 UTC: 0"
fis "activity: the range's days" id.activity-from 2023-09-01
fis "activity: no builds then" id.activity-none "No builds started in these days."
expect_rc 0 "report --from --to over the older interface" cascade report --html "$R" --from 2021-03-01 --to 2021-03-03
pics "$H" old
fis "window: superseded" "cell.coverage-window.l1 2021-03-02" "old|1.0.0, superseded: the product is at interface 2"
fis "window: a failed build's day (made up)" "cell.coverage-window.l2 2021-03-02" "current|1.0.0"
expect_rc 0 "report --from --to over the made-up failures" cascade report --html "$R" --from 2022-11-15 --to 2023-02-02 -q
pics "$H" made
fis "window: a failed build, no file" "cell.coverage-window.l2 2022-11-15" "failed|build $(sql "SELECT build_id FROM build WHERE output_key = '2022-11-15'") failed"
fis "window: a bad build over a file" "cell.coverage-window.l2 2023-02-02" "failed|build $(sql "SELECT build_id FROM build WHERE output_key = '2023-02-02'") bad; 1.0.0"
fis "window: 80 days, still a cell a day" cells.coverage-window $((6 * 80))

expect_rc 0 "report --days 400" cascade report --html "$R" --days 400
pics "$H" days
fis "window: 400 days up to the newest file" id.coverage-from 2023-05-28
fis "window: by week" days.coverage-window $((6 * 400))
fis "activity: 400 days" id.activity-from "$(date -ud "$today - 399 days" +%F)"
expect_rc 2 "--days 0" cascade report --html "$R" --days 0
contains "says the range" "$err" "--days 0 is out of range: 1 to 36525 days"

# a decades-long mission: a stray file of 1960 groups the strip by month
sql "SELECT 1" >/dev/null
sql "INSERT INTO file (filename, utc_file_date, utc_start_time, utc_stop_time, data_level, interface_version, quality_version, revision_version, file_create_date, product_id, exists_on_disk)
     VALUES ('sv_raw_19600101_v1.0.0.dat', '1960-01-01', '1960-01-01', '1960-01-01 23:59:59', 0, 1, 0, 0, now(), $RAW, true)" >/dev/null
expect_rc 0 "report of a mission of 65 years" cascade report --html "$T/long"
pics "$T/long/index.html" long
fis "strip: by month" id.coverage-unit month
ndays=$(( ( $(date -ud 2024-06-30 +%s) - $(date -ud 1960-01-01 +%s) ) / 86400 + 1 ))
fis "strip: every product-day once" days.coverage-strip $((6 * ndays))
fis "strip: raw's first month" "cell.coverage-strip.raw 1960-01-01 to 1960-01-31 (31 days)" "no-input|30 no input, 1 present; version 1.0.0"
equals "long: strip: the months after it, alike, are one rectangle" "$(grep -F 'cell.coverage-strip.raw 1960-02-01 to 2020-12-31' "$F" | cut -f2)" "no-input|$(( ( $(date -ud 2020-12-31 +%s) - $(date -ud 1960-02-01 +%s) ) / 86400 + 1 )) no input"
sql "DELETE FROM file WHERE utc_file_date = '1960-01-01'" >/dev/null

# -- the page in a browser ---------------------------------------------------
have_chromium=false
command -v chromium >/dev/null 2>&1 && have_chromium=true
expect_rc 0 "report (again, the default)" cascade report --html "$R"
cp "$H" "$ART/index.html"
if ! $have_chromium; then
	pass "# skipped: chromium is not installed (scripts/install-deps.sh test installs it)"
else
	prof=$(mktemp -d "$T/chrome.XXXXXX")
	timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$prof" --hide-scrollbars \
		--enable-logging=stderr --v=0 \
		--window-size=1280,3000 --screenshot="$ART/report.png" \
		"file://$H" > "$T/chrome.out" 2> "$T/chrome.err"
	st=$?
	equals "chromium: a screenshot (exit 0)" "$st" 0
	size=$(stat -c %s "$ART/report.png" 2>/dev/null || echo 0)
	if [ "$size" -gt 50000 ]; then
		pass "chromium: the screenshot is not blank ($size bytes)"
	else
		fail "chromium: the screenshot is not blank" "$size bytes"
	fi
	equals "chromium: a PNG" "$(head -c 8 "$ART/report.png" | od -An -c | tr -d ' ')" '211PNG\r\n032\n'
	equals "chromium: no console messages (CSP, errors)" "$(grep -E 'CONSOLE|Refused to|Content.Security' "$T/chrome.err")" ""
	prof=$(mktemp -d "$T/chrome.XXXXXX")
	timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$prof" \
		--dump-dom "file://$H" > "$T/dom.html" 2> "$T/chrome.err"
	pics "$T/dom.html" dom
	fis "dom: the sections" sections "status,graph,coverage,activity,failures,stats"
	fis "dom: the window's cells" cells.coverage-window $((6 * 31))
	fis "dom: the failed day" "cell.coverage-window.l2 2024-06-25" "failed|build $FAILED_BUILD failed"
	fis "dom: the strip's days" days.coverage-strip $((6 * $(( ( $(date -ud 2024-06-30 +%s) - $(date -ud 2021-01-04 +%s) ) / 86400 + 1 ))))
	grep -q '<svg id="activity-chart"' "$T/dom.html" && pass "dom: the chart" || fail "dom: the chart"
	grep -q 'id="graph0"\|<svg width' "$T/dom.html" && pass "dom: the graph's SVG" || fail "dom: the graph's SVG"
fi
t_end
