# 058-plan-code-periods: a period is built by the code valid within it.
# A code valid from mid-month builds that month; a week two codes share
# is not built by either (the code rule refuses it), and the run's log
# and "check" say so, until a code's dates move to a period boundary.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_code_periods
cat > "$T/products.yaml" <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "pl_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: mon, instrument: ins, level: 1, format: "pl_mon_{Y}{m}{d}_v{VERSION}.dat", relative_path: mon}
  - {name: wk, instrument: ins, level: 1, format: "pl_wk_{Y}{m}{d}_v{VERSION}.dat", relative_path: wk}
processes:
  - name: mon
    output_product: mon
    output_timebase: MONTHLY
    inputs: [raw]
    codes:
      - {filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2024-03-15}
  - name: wk
    output_product: wk
    output_timebase: WEEKLY
    inputs: [raw]
    codes:
EOF
# 2024-03-06 is a Wednesday: the codes change in the week of the 4th
{ cat "$T/products.yaml"; cat <<'EOF'
      - {filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, stop_date: 2024-03-06}
      - {filename: concat.sh, version: 1.1.0, output_interface_version: 1, start_date: 2024-03-07}
EOF
} > "$T/body.yaml"
plan_setup < "$T/body.yaml"
for d in 05 08 12 20; do deliver "pl_raw_202403${d}_v1.0.0.dat" "raw $d"; done
deliver pl_raw_20240220_v1.0.0.dat "raw feb 20"

# -- case: a code valid from the 15th builds March ------------------------------
expect_rc 0 "process March's data" "$CASCADE" process-queue -m "$DB"
equals "March is built, also with the days before the 15th" "$(parents pl_mon_20240301_v1.0.0.dat)" \
	"pl_raw_20240305_v1.0.0.dat pl_raw_20240308_v1.0.0.dat pl_raw_20240312_v1.0.0.dat pl_raw_20240320_v1.0.0.dat"
equals "February has no code" "$(sql "SELECT count(*) FROM file WHERE filename LIKE 'pl_mon_202402%'")" 0

# -- case: two codes share the week of the 4th -----------------------------------
equals "weekly outputs: the weeks after the change only" "$(outputs wk)" "02-19:1.0.0 03-11:1.0.0 03-18:1.0.0"
equals "the week of the 11th by the new code" \
	"$(sql "SELECT c.interface_version || '.' || c.quality_version FROM file f JOIN filecodelink l ON l.resulting_file = f.file_id JOIN code c ON c.code_id = l.source_code WHERE f.filename = 'pl_wk_20240311_v1.0.0.dat'")" "1.1"
contains "the run says why the week of the 4th is not built" "$err" \
	"WARNING: process \"wk\", 2024-03-04: not built: codes concat.sh 1.1.0 (2024-03-07 to 9999-12-31) and concat.sh 1.0.0 (2000-01-01 to 2024-03-06) are both valid within its period, 2024-03-04 to 2024-03-10"
contains "and what to do" "$err" "move a start_date or stop_date to a period boundary"
run cascade check  # "check says so"
contains "a period finding" "$out" \
	"period: wk: 2024-03-04 to 2024-03-10 is not built: codes concat.sh 1.1.0 (2024-03-07 to 9999-12-31) and concat.sh 1.0.0 (2000-01-01 to 2024-03-06) are both valid within it"
equals "one period finding" "$(printf '%s\n' "$out" | grep -c '^period:')" 1
not_contains "no stale output" "$out" "stale:"
expect_rc 1 "check --repair leaves it for a person" cascade check --repair
contains "left, with what to do" "$out" "(left: one code builds a period: move a start_date or stop_date to a period boundary)"

# -- the fix: the change of code on a week boundary ------------------------------
{ cat "$T/products.yaml"; cat <<'EOF'
      - {filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, stop_date: 2024-03-03}
      - {filename: concat.sh, version: 1.1.0, output_interface_version: 1, start_date: 2024-03-04}
EOF
} > "$T/body.yaml"
{ sed -n '/^products:/q;p' "$T/plan.yaml"; cat "$T/body.yaml"; } > "$T/fixed.yaml"
expect_rc 0 "apply codes that change on a Monday" cascade config apply "$T/fixed.yaml"
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
equals "the week of the 4th is built now" "$(ver wk 2024-03-04)" "1.0.0"
equals "from its two days" "$(parents pl_wk_20240304_v1.0.0.dat)" "pl_raw_20240305_v1.0.0.dat pl_raw_20240308_v1.0.0.dat"
run cascade check  # "check: no period finding any more"
not_contains "no period" "$out" "period:"
t_end
