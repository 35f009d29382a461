# 059-code-workdir: a code's working_directory.  By default a code runs
# in its build's own directory (emptied afterwards); with
# working_directory it runs there, as dbprocessing ran codes where
# ProcessQueue was started, so a code that writes beside itself (a RUN
# code's report) leaves its file there.  Its output is archived all the
# same (its path is absolute); the key survives config export and apply.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin code_workdir
mkdir -p "$T/codes" "$T/data/reports"
cat > "$T/codes/beside.sh" <<'SH'
#!/bin/sh
# a RUN code that writes its report where it runs
pwd > ran-in.txt
for f in "$@"; do basename "$f"; done >> ran-in.txt
SH
chmod +x "$T/codes/beside.sh"
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "wd_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: l1, instrument: ins, level: 1, format: "wd_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [raw], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, working_directory: reports}]}
  - {name: report, output_timebase: RUN, inputs: [l1], codes: [{filename: beside.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, working_directory: reports}]}
EOF
deliver wd_raw_20240301_v1.0.0.dat "raw 01"
expect_rc 0 "a run" cascade process-queue
equals "the daily output is archived as ever" "$(outputs l1)" "03-01:1.0.0"
[ -f "$ARC/l1/wd_l1_20240301_v1.0.0.dat" ] && pass "l1 in the archive" || fail "l1 in the archive"
equals "the RUN code ran in its working directory" "$(head -1 "$T/data/reports/ran-in.txt" 2>/dev/null)" "$T/data/reports"
contains "and its report stayed there" "$(cat "$T/data/reports/ran-in.txt" 2>/dev/null)" "wd_l1_20240301_v1.0.0.dat"
equals "stored, absolute" "$(sql "SELECT string_agg(DISTINCT working_dir, ',') FROM code")" "$T/data/reports"

expect_rc 0 "config export" cascade config export -o "$T/export.yaml"
contains "the export has the key" "$(cat "$T/export.yaml")" "working_directory: $T/data/reports"
expect_rc 0 "the export applied again" cascade config apply "$T/export.yaml"
contains "changes nothing" "$out" "no changes"
sed 's|, working_directory: reports}|}|' "$T/plan.yaml" > "$T/plain.yaml"
expect_rc 0 "without the key" cascade config apply "$T/plain.yaml"
contains "the change is reported" "$out" "working_directory"
equals "and stored" "$(sql "SELECT count(*) FROM code WHERE working_dir IS NOT NULL")" 0
t_end
