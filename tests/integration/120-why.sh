# 120-why: every build records why it was planned (build_reason, the
# view cascade_build_reason), "cascade why FILE" follows a file back
# through the builds that made it with their reasons, "cascade why --not
# PROCESS DATE" says why nothing ran for a key, "show build" shows the
# reasons; --json for both whys, read back by python3.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin why

# mission FILE L2CODES: the mission with process l2's codes as given
mission() {
	sed -n '/^products:/q;p' "$T/plan.yaml" > "$1"
	cat >> "$1" <<EOF
products:
  - {name: raw, instrument: ins, level: 0, format: "w_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: l1, instrument: ins, level: 1, format: "w_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
  - {name: l2, instrument: ins, level: 2, format: "w_l2_{Y}{m}{d}_v{VERSION}.dat", relative_path: l2}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [{product: raw, yesterday: 1}], codes: [$code1]}
  - {name: l2, output_product: l2, output_timebase: DAILY, inputs: [l1], codes: $2}
EOF
}
code1='{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}'
code2='{filename: concat.sh, version: 1.1.0, output_interface_version: 1, start_date: 2000-01-01}'
plan_setup <<EOF
products:
  - {name: raw, instrument: ins, level: 0, format: "w_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: l1, instrument: ins, level: 1, format: "w_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
  - {name: l2, instrument: ins, level: 2, format: "w_l2_{Y}{m}{d}_v{VERSION}.dat", relative_path: l2}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [{product: raw, yesterday: 1}], codes: [$code1]}
  - {name: l2, output_product: l2, output_timebase: DAILY, inputs: [l1], codes: [$code1]}
EOF

# why_of PROCESS KEY: the reasons of that key's newest build, as
# "kind[ product date old>new]" joined by "; "
why_of() {
	sql "SELECT string_agg(r.kind || coalesce(' ' || r.product_name || ' ' || r.utc_date
	              || ' ' || coalesce(r.old_version, '') || '>' || coalesce(r.new_version, ''), ''),
	              '; ' ORDER BY r.seq)
	       FROM cascade_build_reason r
	      WHERE r.build_id = (SELECT max(b.build_id) FROM build b JOIN process p USING (process_id)
	                           WHERE p.process_name = '$1' AND b.output_key = '$2')"
}
# build_of PROCESS KEY: that key's newest build
build_of() {
	sql "SELECT max(b.build_id) FROM build b JOIN process p USING (process_id)
	      WHERE p.process_name = '$1' AND b.output_key = '$2'"
}

# -- first builds ------------------------------------------------------------
deliver w_raw_20240301_v1.0.0.dat "raw 1"
deliver w_raw_20240302_v1.0.0.dat "raw 2"
expect_rc 0 "two days of raw" "$CASCADE" process-queue -m "$DB"
equals "l1 of the 1st: its first build" "$(why_of l1 2024-03-01)" "first"
equals "l2 of the 2nd: its first build" "$(why_of l2 2024-03-02)" "first"
equals "every build has a reason" \
	"$(sql "SELECT count(*) FROM build b WHERE NOT EXISTS (SELECT 1 FROM build_reason r WHERE r.build_id = b.build_id)")" 0

# -- a re-delivered newer version: input changed, neighbour changed -------------
deliver w_raw_20240301_v1.1.0.dat "raw 1, again"
expect_rc 0 "raw of the 1st re-delivered as 1.1.0" "$CASCADE" process-queue -m "$DB"
equals "l1 of the 1st: its input changed" "$(why_of l1 2024-03-01)" \
	"input-changed raw 2024-03-01 1.0.0>1.1.0"
equals "l1 of the 2nd: its neighbouring day (yesterday) changed" "$(why_of l1 2024-03-02)" \
	"neighbour-changed raw 2024-03-01 1.0.0>1.1.0"
equals "l2 of the 1st: its input l1 changed" "$(why_of l2 2024-03-01)" \
	"input-changed l1 2024-03-01 1.0.0>1.1.0"

# -- why FILE: the chain over two levels -----------------------------------------
expect_rc 0 "why l2 of the 1st" cascade why w_l2_20240301_v1.1.0.dat
contains "the file" "$out" "w_l2_20240301_v1.1.0.dat (file "
contains "the build that made it and why" "$out" "because: input changed: l1 2024-03-01 1.0.0 -> 1.1.0 (file "
contains "its input, one level down" "$out" "    w_l1_20240301_v1.1.0.dat (file "
contains "that one's build and why" "$out" "        because: input changed: raw 2024-03-01 1.0.0 -> 1.1.0 (file "
contains "down to the raw file, ingested" "$out" "        w_raw_20240301_v1.1.0.dat (file "
contains "which no build made" "$out" "not made by a build: ingested"
expect_rc 0 "why by path and --json" cascade why --json "$ARC/l2/w_l2_20240301_v1.1.0.dat"
equals "JSON: the chain's kinds, level by level" "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
f = d["file"]
l1 = f["build"]["inputs"][0]
raw = l1["build"]["inputs"][0]
print(d["format"], f["build"]["why"][0]["kind"], l1["product"], l1["build"]["why"][0]["kind"],
      l1["build"]["why"][0]["product"], raw["product"], raw["build"])')" \
	"1 input-changed l1 input-changed raw raw None"
expect_rc 0 "why --depth=1" cascade why --depth=1 w_l2_20240301_v1.1.0.dat
contains "the inputs below the depth are counted, not shown" "$out" "(1 input not shown: --depth=1)"
expect_rc 2 "why of no such file" cascade why w_l2_20991231_v1.0.0.dat
contains "said" "$err" 'no file is named or numbered "w_l2_20991231_v1.0.0.dat"'

# -- code changed: a new code of l2, applied ------------------------------------
mission "$T/code2.yaml" "[$code2]"
expect_rc 0 "apply: l2's code 1.1.0" cascade config apply "$T/code2.yaml"
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
equals "l2 of the 2nd: its code changed, on the request of config apply" \
	"$(sql "SELECT string_agg(kind || ':' || coalesce(old_version, '') || '>' || coalesce(new_version, '') || ':' || coalesce(detail, ''), '; ' ORDER BY seq)
	          FROM cascade_build_reason WHERE build_id = $(build_of l2 2024-03-02)")" \
	"requested:>:new code; code-changed:1.0.0>1.1.0:"
equals "the view has both codes' SHA-256: one file, the same hash" \
	"$(sql "SELECT old_code_sha256 = new_code_sha256 FROM cascade_build_reason WHERE kind = 'code-changed' AND build_id = $(build_of l2 2024-03-02)")" "t"
run cascade show build "$(build_of l2 2024-03-02)"
contains "show build: why (config apply runs without a run of its own)" "$out" "why:         requested: new code"
contains "show build: the code change" "$out" "code changed: 1.0.0 -> 1.1.0 (code "

# -- forced bump through reprocess ------------------------------------------------
expect_rc 0 "reprocess --force=2 of l1 of the 2nd" cascade reprocess --product=l1 --from=2024-03-02 --to=2024-03-02 --force=2
run_id=$(sql "SELECT max(logging_id) FROM logging WHERE command = 'reprocess'")
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
equals "l2 of the 2nd: a forced revision bump, by the reprocess run" \
	"$(sql "SELECT kind || ':' || bump || ':' || logging_id || ':' || by_command || ':' || by_user FROM cascade_build_reason WHERE build_id = $(build_of l2 2024-03-02)")" \
	"forced:revision:$run_id:reprocess:$(sql "SELECT \"user\" FROM logging WHERE logging_id = $run_id")"
run cascade show build --json "$(build_of l2 2024-03-02)"
equals "show build --json: why, with its words" "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["format"], d["why"][0]["kind"], d["why"][0]["bump"], d["why"][0]["text"].split(" by run")[0])')" \
	"1 forced revision forced revision bump of 1.2.0, asked"
equals "the output's version moved as the reason says" "$(ver l2 2024-03-02)" "1.2.1"

# -- run-process: requested, by whom ---------------------------------------------
expect_rc 0 "run-process --force=1 l1 of the 1st" cascade run-process l1 --from=2024-03-01 --force=1
equals "forced by run-process" \
	"$(sql "SELECT kind || ':' || bump || ':' || by_command FROM cascade_build_reason WHERE build_id = $(build_of l1 2024-03-01)")" \
	"forced:quality:run-process"

# -- why --not ------------------------------------------------------------------
expect_rc 0 "why --not: a day without raw" cascade why --not l1 2024-03-20
contains "no required input, named" "$out" \
	"process l1, key 2024-03-20: no input: required input product \"raw\" has no file for it"
expect_rc 0 "why --not: a day up to date" cascade why --not l2 2024-03-02
contains "up to date since its build" "$out" \
	"process l2, key 2024-03-02: up to date since build $(build_of l2 2024-03-02)"
expect_rc 0 "why --not: only yesterday's raw for the 3rd" cascade why --not l1 2024-03-03
contains "a neighbour's data alone" "$out" "no input of its own"
expect_rc 0 "why --not --json" cascade why --not --json l1 2024-03-20
equals "JSON: verdict and missing product" "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["format"], d["verdict"], d["missing_product"], d["made_by"])')" "1 no-input raw None"
# a new raw day queued but not processed: the key waits in the queue
deliver w_raw_20240305_v1.0.0.dat "raw 5"
expect_rc 0 "ingest only" "$CASCADE" ingest -m "$DB"
expect_rc 0 "why --not l1 of the 5th: queued" cascade why --not l1 2024-03-05
contains "queued, with the file" "$out" "queued: inputs of it are in the queue"
contains "the queued input named" "$out" "queued input: w_raw_20240305_v1.0.0.dat"
contains "a build would be its first" "$out" "first build of its key (code "
expect_rc 0 "why --not l2 of the 5th" cascade why --not l2 2024-03-05
contains "it waits behind raw" "$out" "waiting behind: product raw, upstream of its inputs, has 1 file queued (2024-03-05)"
expect_rc 0 "why --not l2 of the 5th" cascade why --not --json l2 2024-03-05
equals "l2 waits behind raw, upstream" "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["verdict"], ",".join(w["product"] + ":" + str(w["files"]) for w in d["waiting_behind"]))')" "no-input raw:1"
expect_rc 2 "why --not of no such process" cascade why --not nosuch 2024-03-01
t_end
