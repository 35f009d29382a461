# 058-plan-shrink: coverage that shrinks is re-planned.  A new version of
# a file that spanned midnight and no longer does re-plans every key the
# old version fed: a key that still has inputs is rebuilt without it, a
# key left with no input of its own is reported (run log, check) and
# left as it is, never promised a rebuild that does not come.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_shrink
plan_setup <<'EOF'
products:
  - {name: orb, instrument: ins, level: 0, format: "pl_orb_{Y}{m}{d}_v{VERSION}.dat", relative_path: orb, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: orbd, instrument: ins, level: 1, format: "pl_orbd_{Y}{m}{d}_v{VERSION}.dat", relative_path: orbd}
  - {name: orbw, instrument: ins, level: 1, format: "pl_orbw_{Y}{m}{d}_v{VERSION}.dat", relative_path: orbw}
processes:
  - {name: orbd, output_product: orbd, output_timebase: DAILY, inputs: [orb], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
  - {name: orbw, output_product: orbw, output_timebase: WEEKLY, inputs: [orb], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF

# 2024-03-10 is a Sunday: the file of the 10th spans into the next week
span pl_orb_20240310_v1.0.0.dat 2024-03-10 1.0.0 2024-03-10T20:00:00Z 2024-03-11T04:00:00Z
span pl_orb_20240313_v1.0.0.dat 2024-03-13 1.0.0 2024-03-13T00:00:00Z 2024-03-13T23:00:00Z
expect_rc 0 "a file spanning midnight, and one of the 13th" "$CASCADE" process-queue -m "$DB"
equals "daily outputs of 10, 11 and 13" "$(outputs orbd)" "03-10:1.0.0 03-11:1.0.0 03-13:1.0.0"
equals "the 11th from the file of the 10th" "$(parents pl_orbd_20240311_v1.0.0.dat)" "pl_orb_20240310_v1.0.0.dat"
equals "weekly outputs of both weeks" "$(outputs orbw)" "03-04:1.0.0 03-11:1.0.0"
equals "the week of the 11th from both files" "$(parents pl_orbw_20240311_v1.0.0.dat)" \
	"pl_orb_20240310_v1.0.0.dat pl_orb_20240313_v1.0.0.dat"

# -- case: the new version no longer spans midnight ----------------------------
span pl_orb_20240310_v1.1.0.dat 2024-03-10 1.1.0 2024-03-10T20:00:00Z 2024-03-10T23:00:00Z
expect_rc 0 "a new version of the 10th, ending before midnight" "$CASCADE" process-queue -m "$DB"
equals "the 10th rebuilt from it" "$(ver orbd 2024-03-10)" "1.1.0"
equals "the week of the 11th re-planned: rebuilt without the file of the 10th (an input removed: quality)" \
	"$(ver orbw 2024-03-11)" "1.1.0"
equals "its inputs now: the 13th only" "$(parents pl_orbw_20240311_v1.1.0.dat)" "pl_orb_20240313_v1.0.0.dat"
equals "the week of the 4th rebuilt from the new version" "$(ver orbw 2024-03-04)" "1.1.0"
equals "the 11th: no input of its own now, left as it is" "$(ver orbd 2024-03-11)" "1.0.0"
contains "the run says so, at WARNING" "$err" \
	"WARNING: process \"orbd\", 2024-03-11: required input product \"orb\" has no file for it now; its output \"pl_orbd_20240311_v1.0.0.dat\" is left as it is"
contains "with what to do" "$err" "purge it if it should go"

# -- check reports it, and does not promise a rebuild -------------------------
run cascade check  # "check finds the output left behind"
contains "stale, with why" "$out" \
	"stale: pl_orbd_20240311_v1.0.0.dat: required input product \"orb\" has no file for it now"
equals "nothing else is stale" "$(printf '%s\n' "$out" | grep -c '^stale:')" 1
expect_rc 1 "check --repair" cascade check --repair
contains "left, not promised a rebuild" "$out" \
	"pl_orbd_20240311_v1.0.0.dat: required input product \"orb\" has no file for it now (left: it is not rebuilt and stays as it is; purge it if it should go)"
not_contains "no rebuild promised" "$out" "rebuilds it"
equals "nothing queued" "$(sql "SELECT count(*) FROM processqueue")" 0
n0=$(sql "SELECT count(*) FROM build")
expect_rc 0 "the next run" "$CASCADE" process-queue -m "$DB"
equals "builds nothing" "$(sql "SELECT count(*) FROM build")" "$n0"

# -- a key that keeps inputs of its own is rebuilt without the old file --------
span pl_orb_20240311_v1.0.0.dat 2024-03-11 1.0.0 2024-03-11T06:00:00Z 2024-03-11T10:00:00Z
expect_rc 0 "a file of the 11th arrives" "$CASCADE" process-queue -m "$DB"
equals "the 11th rebuilt from its own file only" "$(parents pl_orbd_20240311_v1.1.0.dat)" "pl_orb_20240311_v1.0.0.dat"
run cascade check  # "check: nothing left behind now"
not_contains "no stale output" "$out" "stale:"
t_end
