# 126-orbit-plan: ORBIT keys (issue 16, item 3).  An ORBIT process keys
# by the orbits of the orbit table: its inputs are the files overlapping
# the orbit, a file across an orbit boundary feeds both orbits, the
# neighbouring orbits (yesterday/tomorrow) are the previous and next
# ones of the table, gaps included; a product of orbits takes each
# file's orbit from the table (a file in no orbit is rejected, saying
# why), and loading or correcting orbits re-queues the files whose keys
# it changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_orbit
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, timebase: HOURLY, format: "pl_raw_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: raw, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: rawo, instrument: ins, level: 0, timebase: ORBIT, format: "pl_rawo_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: rawo}
  - {name: rawn, instrument: ins, level: 0, timebase: ORBIT, format: "pl_rawn_{ORBIT}_{Y}{m}{d}_v{VERSION}.dat", relative_path: rawn}
  - {name: orb, instrument: ins, level: 1, format: "pl_orb_{ORBIT}_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: orb}
  - {name: orb3, instrument: ins, level: 2, format: "pl_orb3_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: orb3}
processes:
  - {name: orb, output_product: orb, output_timebase: ORBIT, inputs: [raw], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "--date {ORBIT}"}]}
  - {name: orb3, output_product: orb3, output_timebase: ORBIT, inputs: [{product: orb, yesterday: 1, tomorrow: 1}], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF

keys() {  # process $1's succeeded builds: key:version, by key
	sql "SELECT coalesce(string_agg(b.output_key || ':' || b.output_version, ' ' ORDER BY b.output_key, b.build_id), '')
	       FROM build b JOIN process pr USING (process_id) WHERE pr.process_name = '$1' AND b.status = 'succeeded'"
}
newest() {  # the newest output of process $1 for key $2
	sql "SELECT b.output_filename FROM build b JOIN process pr USING (process_id)
	      WHERE pr.process_name = '$1' AND b.output_key = '$2' AND b.status = 'succeeded'
	      ORDER BY b.build_id DESC LIMIT 1"
}

# orbits 1 to 3 and 5 (4 is not loaded yet: a gap)
cat > "$T/orbits.csv" <<'X'
1,2024-03-01T00:00:00Z,2024-03-01T01:30:00Z
2,2024-03-01T01:30:00Z,2024-03-01T03:00:00Z
3,2024-03-01T03:00:00Z,2024-03-01T04:30:00Z
5,2024-03-01T06:00:00Z,2024-03-01T07:30:00Z
X
expect_rc 0 "orbits loaded" cascade orbits load "$T/orbits.csv"

# -- files by time: one across the 1/2 boundary, one inside 3 ----------------
span pl_raw_20240301T0100_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T01:00:00Z 2024-03-01T02:00:00Z
span pl_raw_20240301T0310_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T03:10:00Z 2024-03-01T03:20:00Z
span pl_raw_20240301T0620_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T06:20:00Z 2024-03-01T06:30:00Z
expect_rc 0 "three files processed" "$CASCADE" process-queue -m "$DB"
equals "an output per orbit with data, keyed by orbit number" "$(keys orb)" \
	"000001:1.0.0 000002:1.0.0 000003:1.0.0 000005:1.0.0"
equals "orbits 1 and 2 both made from the file across their boundary" \
	"$(parents "$(newest orb 000001)") / $(parents "$(newest orb 000002)")" \
	"pl_raw_20240301T0100_v1.0.0.dat / pl_raw_20240301T0100_v1.0.0.dat"
equals "an output is named by its orbit's start and timed by its orbit" \
	"$(sql "SELECT filename || '|' || utc_start_time || '|' || utc_stop_time || '|' || period_number FROM file WHERE filename = '$(newest orb 000002)'")" \
	"pl_orb_00002_20240301T0130_v1.0.0.dat|2024-03-01 01:30:00|2024-03-01 02:59:59.999999|2"
contains "the code was told its orbit ({ORBIT})" "$(cat "$ARC/orb/$(newest orb 000003)")" "date 3"
equals "orbit 5's yesterday is orbit 3 (4 is not in the table)" \
	"$(parents "$(newest orb3 000005)")" \
	"$(echo "$(newest orb 000003) $(newest orb 000005)")"
equals "orbit 3's window: 2, 3 and the next in the table, 5" \
	"$(parents "$(newest orb3 000003)")" \
	"$(echo "$(newest orb 000002) $(newest orb 000003) $(newest orb 000005)")"

# -- a product of orbits: each file's orbit from the table --------------------
# (no inspector: the name gives its start)
deliver pl_rawo_20240301T0200_v1.0.0.dat a
deliver pl_rawo_20240301T0400_v1.0.0.dat b
deliver pl_rawo_20240301T0500_v1.0.0.dat c
expect_rc 1 "three files of orbits, one in no orbit" "$CASCADE" process-queue -m "$DB"
equals "two archived, in their orbits, one version each of one date" \
	"$(sql "SELECT string_agg(filename || '@' || period_number, ' ' ORDER BY filename) FROM file f JOIN product p USING (product_id) WHERE p.product_name = 'rawo'")" \
	"pl_rawo_20240301T0200_v1.0.0.dat@2 pl_rawo_20240301T0400_v1.0.0.dat@3"
deliver pl_rawn_00007_20240301_v1.0.0.dat n
deliver pl_rawn_00008_20240301_v1.0.0.dat n
expect_rc 0 "files naming their orbit: taken from the name, in the table or not" "$CASCADE" ingest -m "$DB"
equals "numbered by their names" \
	"$(sql "SELECT string_agg(filename || '@' || period_number, ' ' ORDER BY filename) FROM file f JOIN product p USING (product_id) WHERE p.product_name = 'rawn'")" \
	"pl_rawn_00007_20240301_v1.0.0.dat@7 pl_rawn_00008_20240301_v1.0.0.dat@8"
equals "a file of orbits without a stop time covers its orbit" \
	"$(sql "SELECT utc_start_time || '|' || utc_stop_time FROM file WHERE filename = 'pl_rawo_20240301T0200_v1.0.0.dat'")" \
	"2024-03-01 02:00:00|2024-03-01 02:59:59.999999"
equals "the one in the gap refused, saying why" \
	"$(sql "SELECT kind FROM failure WHERE filename = 'pl_rawo_20240301T0500_v1.0.0.dat'")" "no-orbit"
contains "its reason names its start and the table" \
	"$(sql "SELECT reason FROM failure WHERE filename = 'pl_rawo_20240301T0500_v1.0.0.dat'")" \
	"no orbit of the orbit table holds the file's start time 2024-03-01T05:00:00Z"

# -- orbit 4 appended: the files of its interval are queued ------------------
span pl_raw_20240301T0440_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T04:40:00Z 2024-03-01T04:50:00Z
expect_rc 0 "a file in the gap: no orbit, no key" "$CASCADE" process-queue -m "$DB"
equals "nothing built for it" "$(keys orb | wc -w)" 4
printf '4,2024-03-01T04:30:00Z,2024-03-01T06:00:00Z\n' > "$T/four.csv"
# killed after writing and queueing, before the commit: nothing happened
q0=$(sql "SELECT count(*) FROM processqueue")
(CASCADE_FAULT=orbits-loaded "$CASCADE" orbits load -m "$DB" "$T/four.csv") > /dev/null 2>&1
equals "a load killed before its commit is killed (SIGKILL)" "$?" 137
equals "... and leaves no orbit 4, no queue entry" \
	"$(sql "SELECT count(*) FROM orbit WHERE orbit_number = 4") $(sql "SELECT count(*) FROM processqueue")" "0 $q0"
expect_rc 0 "orbit 4 loaded" cascade orbits load "$T/four.csv"
contains "the file of its interval queued" "$out" "1 file queued"
expect_rc 0 "processed" "$CASCADE" process-queue -m "$DB"
equals "orbit 4 built from it" "$(parents "$(newest orb 000004)")" "pl_raw_20240301T0440_v1.0.0.dat"
equals "orbit 5's yesterday is now 4: rebuilt" \
	"$(parents "$(newest orb3 000005)")" \
	"$(echo "$(newest orb 000004) $(newest orb 000005)")"

# -- a correction: orbit 3 ends at 03:55, 4 starts there ----------------------
printf '3,2024-03-01T03:00:00Z,2024-03-01T03:55:00Z\n4,2024-03-01T03:55:00Z,2024-03-01T06:00:00Z\n' > "$T/fix.csv"
expect_rc 0 "orbits 3 and 4 corrected" cascade orbits load "$T/fix.csv"
contains "the files of both intervals queued" "$out" "file"
contains "the orbit product's file renumbered" "$out" "1 file of ORBIT products now in another orbit"
equals "pl_rawo 04:00 is in orbit 4 now" \
	"$(sql "SELECT period_number FROM file WHERE filename = 'pl_rawo_20240301T0400_v1.0.0.dat'")" 4
expect_rc 0 "processed" "$CASCADE" process-queue -m "$DB"
equals "orbit 3's output is timed by its new interval" \
	"$(sql "SELECT utc_stop_time FROM file WHERE filename = '$(newest orb 000003)'")" \
	"2024-03-01 03:54:59.999999"
equals "rebuilt because its period moved, though its inputs did not" \
	"$(sql "SELECT string_agg(r.kind, ' ' ORDER BY r.seq) FROM build b JOIN process pr USING (process_id) JOIN build_reason r USING (build_id) WHERE pr.process_name = 'orb' AND b.output_key = '000003' AND b.output_filename = '$(newest orb 000003)'")" \
	"requested period-changed"
run cascade why "$(newest orb 000003)"
contains "why says what it was" "$out" "its period moved: it was 2024-03-01T03:00:00Z to 2024-03-01T04:30:00Z"

# -- run-process: the orbits starting on the days asked -----------------------
expect_rc 0 "run-process orb for 2024-03-01, forced" cascade run-process orb --from 2024-03-01 --force 2
equals "the orbits with data rebuilt" \
	"$(sql "SELECT string_agg(output_key, ' ' ORDER BY output_key) FROM build b WHERE b.status = 'succeeded' AND b.reason IS NULL AND b.build_id > (SELECT max(build_id) FROM build) - 5")" \
	"000001 000002 000003 000004 000005"
expect_rc 0 "their consumers follow" "$CASCADE" process-queue -m "$DB"

# -- status and the report show keys of hours and orbits -----------------------
expect_rc 0 "status" cascade status
expect_rc 0 "report" cascade report --html "$T/report"
contains "the report names an orbit's key" "$(cat "$T/report/index.html")" "000003"
run cascade why --not orb 000004
contains "why --not takes an orbit number" "$out" "000004"

# -- check agrees; a second run does nothing ------------------------------------
run cascade check
not_contains "no stale output" "$out" "stale:"
n0=$(sql "SELECT count(*) FROM build")
expect_rc 0 "a run with nothing new" "$CASCADE" process-queue -m "$DB"
equals "it ran nothing" "$(sql "SELECT count(*) FROM build")" "$n0"
t_end
