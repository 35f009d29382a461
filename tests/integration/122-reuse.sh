# 122-reuse: reuse by content.  Three levels of a deterministic code
# (copy.sh, which sleeps briefly) declared "reuse: content": a
# re-delivery of the same bytes under a quality bump runs no code at any
# level, and the outputs exist under the new versions with their
# provenance, "reused from build N" in the database, show build and why;
# a changed input runs the codes; an earlier output missing from the
# archive or with other bytes than recorded runs the code (said at
# INFO); a kill after a reused build's "recording" is recovered without
# running anything; without "reuse: content" the codes run.  Dry runs
# (process --dry-run, ProcessQueue --dryrun) say "would reuse build N",
# or why a build with a match would run, as the run then does; status,
# runs, status --json and the report count the reused builds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin reuse

# mission FILE REUSE: the mission with "reuse: REUSE" on every process
# ("" for none)
mission() {
	local r=${2:+, reuse: $2}
	sed -n '/^products:/q;p' "$T/plan.yaml" > "$1"
	cat >> "$1" <<EOF
products:
  - {name: raw, instrument: ins, level: 0, format: "r_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: l1, instrument: ins, level: 1, format: "r_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
  - {name: l2, instrument: ins, level: 2, format: "r_l2_{Y}{m}{d}_v{VERSION}.dat", relative_path: l2}
  - {name: l3, instrument: ins, level: 3, format: "r_l3_{Y}{m}{d}_v{VERSION}.dat", relative_path: l3}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [raw], codes: [$code]$r}
  - {name: l2, output_product: l2, output_timebase: DAILY, inputs: [l1], codes: [$code]$r}
  - {name: l3, output_product: l3, output_timebase: DAILY, inputs: [l2], codes: [$code]$r}
EOF
}
code='{filename: copy.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}'
plan_setup </dev/null
mission "$T/reuse.yaml" content
expect_rc 0 "apply the mission, reuse: content on three levels" cascade config apply "$T/reuse.yaml"
equals "stored in process_reuse" "$(sql "SELECT string_agg(p.process_name || ':' || x.reuse, ' ' ORDER BY p.process_name) FROM process_reuse x JOIN process p USING (process_id)")" \
	"l1:content l2:content l3:content"
expect_rc 0 "config export" cascade config export
contains "export says so" "$out" "reuse: content"
expect_rc 0 "config apply --dry-run of the same file" cascade config apply --dry-run "$T/reuse.yaml"
contains "no difference: the declaration is stored" "$out" "no changes"

export CASCADE_TEST_COMPLETIONS=$T/completions
: > "$CASCADE_TEST_COMPLETIONS"
ran() { wc -l < "$CASCADE_TEST_COMPLETIONS" | tr -d ' '; }
reused() { sql "SELECT count(*) FROM build WHERE reused_from_build_id IS NOT NULL"; }
# file PRODUCT DATE: the archive path of the newest file of that day
file() {
	printf '%s/%s/%s' "$ARC" "$1" "$(sql "SELECT f.filename FROM newest_file f JOIN product p USING (product_id)
	      WHERE p.product_name = '$1' AND f.utc_file_date = '$2'")"
}

# -- first delivery: every code runs, every build gets a content key ----------
deliver r_raw_20240301_v1.0.0.dat "raw 1"
deliver r_raw_20240302_v1.0.0.dat "raw 2"
expect_rc 0 "two days through three levels" "$CASCADE" process-queue -m "$DB"
equals "six codes ran" "$(ran)" 6
equals "every build has a content key" "$(sql "SELECT count(*) FILTER (WHERE content_key IS NOT NULL) || '/' || count(*) FROM build")" "6/6"
equals "nothing reused" "$(reused)" 0
cp "$(file l3 2024-03-01)" "$T/l3-first"

# -- the same bytes again under a quality bump: no code runs -------------------
deliver r_raw_20240301_v1.1.0.dat "raw 1"
# the dry runs ask the runner's question: l1 would reuse, nothing would run
l1_first=$(sql "SELECT b.build_id FROM build b JOIN process p USING (process_id) WHERE p.process_name = 'l1' AND b.output_key = '2024-03-01'")
expect_rc 0 "ingest the re-delivery" cascade ingest
keys=$(sql "SELECT count(*) FROM build WHERE content_key IS NOT NULL")
expect_rc 0 "process --dry-run" cascade process --dry-run
contains "the dry run says l1 would reuse the first l1 build" "$out" "would reuse build $l1_first (r_l1_20240301_v1.0.0.dat, the same content)"
not_contains "and shows no command line for it" "$out" "copy.sh"
contains "its sum counts it apart from the builds that would run" "$out" "dry run: 0 builds would run, 1 would reuse an earlier build's output ("
expect_rc 0 "ProcessQueue --dryrun" "$CASCADE" process-queue --dryrun -m "$DB"
contains "ProcessQueue --dryrun says so too" "$out" "would reuse build $l1_first"
equals "the dry runs changed nothing (content keys, builds)" \
	"$(sql "SELECT count(*) FROM build WHERE content_key IS NOT NULL") $(sql "SELECT count(*) FROM build")" "$keys 6"
expect_rc 0 "the re-delivery, same bytes" "$CASCADE" process-queue -v -m "$DB"
equals "no code ran at any level" "$(ran)" 6
equals "three builds reused an earlier output" "$(reused)" 3
contains "the summary counts them" "$out$err" "3 builds succeeded (3 reused)"
contains "each is logged" "$err" "reused the output of build"
equals "new versions at every level" "$(ver l1 2024-03-01) $(ver l2 2024-03-01) $(ver l3 2024-03-01)" "1.1.0 1.1.0 1.1.0"
equals "each reused the build that made the same key before" \
	"$(sql "SELECT string_agg(p.process_name || ':' || (e.output_key = b.output_key AND e.process_id = b.process_id AND e.status = 'succeeded'), ' ' ORDER BY p.process_name)
	          FROM build b JOIN build e ON e.build_id = b.reused_from_build_id JOIN process p ON p.process_id = b.process_id")" \
	"l1:true l2:true l3:true"
if cmp -s "$T/l3-first" "$(file l3 2024-03-01)"; then pass "the l3 output has the first one's bytes"; else fail "the l3 output has the first one's bytes"; fi
equals "provenance: the new l2 was made from the new l1" "$(parents r_l2_20240301_v1.1.0.dat)" "r_l1_20240301_v1.1.0.dat"
equals "provenance: the new l1 from the new raw" "$(parents r_l1_20240301_v1.1.0.dat)" "r_raw_20240301_v1.1.0.dat"
equals "provenance: the code of each new file" \
	"$(sql "SELECT count(*) FROM filecodelink l JOIN file f ON f.file_id = l.resulting_file WHERE f.filename LIKE 'r_l%_20240301_v1.1.0.dat'")" 3
equals "file rows: checksums of the bytes, on disk" \
	"$(sql "SELECT count(*) FROM file WHERE filename LIKE 'r_l%_20240301_v1.1.0.dat' AND exists_on_disk AND sha256 IS NOT NULL AND size_bytes > 0")" 3
equals "the reused builds succeeded, no code pid, no exit status" \
	"$(sql "SELECT string_agg(status || ':' || coalesce(pid::text, '-') || ':' || coalesce(exit_code::text, '-'), ' ') FROM build WHERE reused_from_build_id IS NOT NULL")" \
	"succeeded:-:- succeeded:-:- succeeded:-:-"
equals "their batches are done" \
	"$(sql "SELECT count(*) FROM batch WHERE state <> 'done'")" 0
# operators see it: status, runs, the report
run_id=$(sql "SELECT max(logging_id) FROM logging WHERE command = 'process-queue'")
expect_rc 0 "status" cascade status
contains "status: of the builds that succeeded, how many were reused" "$out" "9 succeeded (3 reused)"
contains "status: the run's reused builds" "$out" "Reused (ok without running a code): run $run_id: 3"
expect_rc 0 "runs" cascade runs
contains "runs: likewise" "$out" "run $run_id: 3"
expect_rc 0 "status --json" cascade status --json
equals "status --json: builds_reused of each run, reused of each batch" "$(printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print([r["builds_reused"] for r in s["runs"] if r["logging_id"] == '"$run_id"'],
      sum(b["reused"] for b in s["batches"]), s["builds"]["reused"])')" "[3] 3 3"
expect_rc 0 "report" cascade report --html "$T/report"
equals "report: a Reused column in the runs and batches tables" "$(python3 - "$T/report/index.html" "$run_id" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.t = {}; self.cur = None; self.row = None; self.cell = None
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "table" and a.get("id") in ("runs", "batches"):
            self.cur = a["id"]; self.t[self.cur] = []
        elif self.cur and tag == "tr":
            self.row = []
        elif self.cur and self.row is not None and tag in ("td", "th"):
            self.cell = ""
    def handle_endtag(self, tag):
        if tag == "table":
            self.cur = None
        elif self.cur and tag == "tr" and self.row is not None:
            self.t[self.cur].append(self.row); self.row = None
        elif self.cell is not None and tag in ("td", "th"):
            self.row.append(self.cell.strip()); self.cell = None
    def handle_data(self, d):
        if self.cell is not None:
            self.cell += d
p = P(); p.feed(open(sys.argv[1]).read())
runs, batches = p.t["runs"], p.t["batches"]
ri, bi = runs[0].index("Reused"), batches[0].index("Reused")
print([r[ri] for r in runs[1:] if r[0] == sys.argv[2]],
      sum(int(b[bi]) for b in batches[1:]))
PY
)" "['3'] 3"
equals "no work directory left" "$(find "$ARC/.cascade/work" -type f 2>/dev/null | wc -l | tr -d ' ')" 0
l3_build=$(sql "SELECT b.build_id FROM build b JOIN file f ON f.file_id = b.output_file_id WHERE f.filename = 'r_l3_20240301_v1.1.0.dat'")
l3_from=$(sql "SELECT reused_from_build_id FROM build WHERE build_id = $l3_build")
expect_rc 0 "why the new l3" cascade why r_l3_20240301_v1.1.0.dat
contains "why says reused, and from which build" "$out" "reused from build $l3_from: the same content"
contains "why still says why it was planned" "$out" "because: input changed: l2 2024-03-01 1.0.0 -> 1.1.0"
expect_rc 0 "why --json" cascade why --json r_l3_20240301_v1.1.0.dat
equals "why --json: reused_from_build_id at each level" "$(printf '%s' "$out" | python3 -c '
import json, sys
f = json.load(sys.stdin)["file"]
ids = []
while f and f["build"]:
    ids.append(f["build"]["reused_from_build_id"] is not None)
    f = f["build"]["inputs"][0]
print(ids)')" "[True, True, True]"
expect_rc 0 "show build" cascade show build "$l3_build"
contains "show build says reused" "$out" "the output of build $l3_from (the same content): no code ran"
contains "show build: the content key" "$out" "content key:"
expect_rc 0 "builds of l3" cascade builds --process=l3
contains "the list says reuse where its exit status would be" "$out" "$(printf '%6s' "$l3_build") l3"
equals "one reused l3 build listed" "$(printf '%s\n' "$out" | grep -c ' reuse ')" 1
expect_rc 0 "show build --json" cascade show build --json "$l3_build"
equals "show build --json: reused_from_build_id" "$(printf '%s' "$out" | python3 -c '
import json, sys; print(json.load(sys.stdin)["reused_from_build_id"])')" "$l3_from"

# -- a changed input: the codes run --------------------------------------------
deliver r_raw_20240302_v1.1.0.dat "raw 2, other bytes"
expect_rc 0 "a re-delivery with other bytes" "$CASCADE" process-queue -m "$DB"
equals "three codes ran" "$(ran)" 9
equals "nothing more reused" "$(reused)" 3
equals "new versions of the 2nd" "$(ver l3 2024-03-02)" "1.1.0"

# -- hostile: an earlier output gone from disk, another with other bytes ----------
rm -f "$ARC"/l1/r_l1_20240301_v1.*.dat
l2_now=$(file l2 2024-03-01)
chmod u+w "$l2_now"
printf 'tampered\n' >> "$l2_now"
deliver r_raw_20240301_v1.2.0.dat "raw 1"
expect_rc 0 "ingest it" cascade ingest
expect_rc 0 "process --dry-run, the archive damaged" cascade process --dry-run
contains "the dry run says why l1 would run all the same" "$out" "(r_l1_20240301_v1.1.0.dat) has the same content key but it is not in the archive"
contains "and shows its command line" "$out" "copy.sh"
contains "its sum: one build would run" "$out" "dry run: 1 builds would run (0 up to date"
expect_rc 0 "the same bytes again, with the archive damaged" "$CASCADE" process-queue -v -m "$DB"
equals "l1 and l2 ran, l3 reused" "$(ran) $(reused)" "11 4"
contains "l1: said why it ran" "$err" "has the same content key but it is not in the archive"
contains "l2: said why it ran" "$err" "has the same content key but its bytes differ from those recorded"
equals "l3 reused" "$(sql "SELECT p.process_name FROM build b JOIN process p USING (process_id) WHERE b.reused_from_build_id IS NOT NULL ORDER BY b.build_id DESC LIMIT 1")" l3
equals "every build succeeded" "$(sql "SELECT count(*) FROM build WHERE status <> 'succeeded'")" 0
equals "new versions at every level" "$(ver l1 2024-03-01) $(ver l2 2024-03-01) $(ver l3 2024-03-01)" "1.2.0 1.2.0 1.2.0"

# -- killed after a reused build's recording: the next run records it -------------
deliver r_raw_20240301_v1.3.0.dat "raw 1"
expect_rc 137 "killed after the first reused build's recording" env CASCADE_FAULT=build-reused:kill "$CASCADE" process-queue -m "$DB"
equals "that build waits, recording, its output in its work directory" \
	"$(sql "SELECT count(*) FROM build WHERE status = 'recording' AND reused_from_build_id IS NOT NULL AND work_dir IS NOT NULL")" 1
expect_rc 0 "the next run" "$CASCADE" process-queue -m "$DB"
equals "no code ran" "$(ran)" 11
equals "three more reused" "$(reused)" 7
equals "versions" "$(ver l1 2024-03-01) $(ver l2 2024-03-01) $(ver l3 2024-03-01)" "1.3.0 1.3.0 1.3.0"
equals "every build succeeded" "$(sql "SELECT count(*) FROM build WHERE status <> 'succeeded'")" 0
equals "the recovered l1 output is in the archive with its row's bytes" \
	"$(sha256sum < "$(file l1 2024-03-01)" | cut -c1-64)" \
	"$(sql "SELECT sha256 FROM file WHERE filename = 'r_l1_20240301_v1.3.0.dat'")"
equals "no work directory left" "$(find "$ARC/.cascade/work" -type f 2>/dev/null | wc -l | tr -d ' ')" 0

# -- without reuse: content, the codes run -----------------------------------------
mission "$T/none.yaml" ""
expect_rc 0 "config apply --dry-run: the declaration goes" cascade config apply --dry-run "$T/none.yaml"
contains "the dry run says so" "$out" "reuse l1: content -> none"
expect_rc 0 "apply it" cascade config apply "$T/none.yaml"
equals "process_reuse emptied" "$(sql "SELECT count(*) FROM process_reuse")" 0
deliver r_raw_20240301_v1.4.0.dat "raw 1"
expect_rc 0 "the same bytes again, no declaration" "$CASCADE" process-queue -m "$DB"
equals "three codes ran" "$(ran)" 14
equals "nothing more reused" "$(reused)" 7
equals "no content key for them" "$(sql "SELECT count(*) FROM build b JOIN file f ON f.file_id = b.output_file_id WHERE f.filename LIKE '%_v1.4.0.dat' AND b.content_key IS NULL")" 3

t_end
