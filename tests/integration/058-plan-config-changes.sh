# 058-plan-config-changes: "config apply" reports the outputs a change
# leaves inconsistent with the rules and queues what they rebuild:
# an input removed, an optional input added, a code's validity
# shortened, and a new code with a lower output_interface_version (the
# output's interface is its code's: a lower one is refused, not 2.1.0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_config_changes

# mission FILE INPUTS CODES: a mission file with process l1's inputs and
# codes as given (YAML flow sequences)
mission() {
	sed -n '/^products:/q;p' "$T/plan.yaml" > "$1"
	cat >> "$1" <<EOF
products:
  - {name: raw, instrument: ins, level: 0, format: "pl_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: aux, instrument: ins, level: 0, format: "pl_aux_{Y}{m}{d}_v{VERSION}.dat", relative_path: aux}
  - {name: cal, instrument: ins, level: 0, format: "pl_cal_{Y}{m}{d}_v{VERSION}.dat", relative_path: cal}
  - {name: l1, instrument: ins, level: 1, format: "pl_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: $2, codes: $3}
EOF
}
code1='{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}'
plan_setup <<EOF
products:
  - {name: raw, instrument: ins, level: 0, format: "pl_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: aux, instrument: ins, level: 0, format: "pl_aux_{Y}{m}{d}_v{VERSION}.dat", relative_path: aux}
  - {name: cal, instrument: ins, level: 0, format: "pl_cal_{Y}{m}{d}_v{VERSION}.dat", relative_path: cal}
  - {name: l1, instrument: ins, level: 1, format: "pl_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [raw, {product: aux, optional: true}], codes: [$code1]}
EOF
deliver pl_raw_20240310_v1.0.0.dat "raw 10"
deliver pl_aux_20240310_v1.0.0.dat "aux 10"
deliver pl_raw_20240311_v1.0.0.dat "raw 11"
deliver pl_cal_20240311_v1.0.0.dat "cal 11"
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
equals "l1 of 10 from raw and aux" "$(parents pl_l1_20240310_v1.0.0.dat)" "pl_aux_20240310_v1.0.0.dat pl_raw_20240310_v1.0.0.dat"

# -- case: an input removed ---------------------------------------------------
mission "$T/noaux.yaml" "[raw]" "[$code1]"
expect_rc 0 "apply: aux is no input any more" cascade config apply "$T/noaux.yaml"
contains "the change" "$out" "- input l1 <- aux"
contains "the output made with it is reported, and its inputs queued" "$out" \
	"1 output no longer matches its inputs or code: queued 1 input file to rebuild it"
equals "the queue: raw 10, for config apply" "$(sql "SELECT f.filename || '|' || q.reason FROM processqueue q JOIN file f USING (file_id)")" \
	"pl_raw_20240310_v1.0.0.dat|config apply: stale output pl_l1_20240310_v1.0.0.dat"
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
equals "l1 of 10 rebuilt without aux (an input removed: quality)" "$(parents pl_l1_20240310_v1.1.0.dat)" "pl_raw_20240310_v1.0.0.dat"
run cascade check
not_contains "check: nothing stale" "$out" "stale:"

# -- case: an optional input added --------------------------------------------
mission "$T/cal.yaml" "[raw, {product: cal, optional: true}]" "[$code1]"
expect_rc 0 "--dry-run: an optional input cal" cascade config apply --dry-run "$T/cal.yaml"
contains "the dry run says what it would queue" "$out" "1 output no longer matches its inputs or code: would queue 2 input files to rebuild it"
equals "and queues nothing" "$(sql "SELECT count(*) FROM processqueue")" 0
expect_rc 0 "apply: an optional input cal" cascade config apply "$T/cal.yaml"
contains "the output of the 11th, which has a cal file, is queued" "$out" \
	"1 output no longer matches its inputs or code: queued 2 input files to rebuild it"
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
equals "l1 of 11 rebuilt with cal" "$(parents pl_l1_20240311_v1.1.0.dat)" "pl_cal_20240311_v1.0.0.dat pl_raw_20240311_v1.0.0.dat"
equals "l1 of 10 untouched" "$(ver l1 2024-03-10)" "1.1.0"

# -- case: a code's validity shortened ------------------------------------------
mission "$T/short.yaml" "[raw, {product: cal, optional: true}]" \
	"[{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, stop_date: 2024-03-10}]"
expect_rc 0 "apply: the code stops on the 10th" cascade config apply "$T/short.yaml"
contains "the output no code covers now is listed" "$out" \
	"1 output the rules leave as it is:
    pl_l1_20240311_v1.1.0.dat: no code of its process is valid in its period now (it is not rebuilt: give a code these dates, or purge it)"
expect_rc 1 "check --repair" cascade check --repair
contains "check: stale, left for a person" "$out" \
	"stale: pl_l1_20240311_v1.1.0.dat: no code of its process is valid in its period now (left: it is not rebuilt: give a code these dates, or purge it)"
equals "check queued nothing for it" "$(sql "SELECT count(*) FROM processqueue WHERE reason LIKE 'check%'")" 0

# -- case: a new code with a lower output interface -----------------------------
mission "$T/v2.yaml" "[raw, {product: cal, optional: true}]" \
	"[{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, active: false}, {filename: concat.sh, version: 2.0.0, output_interface_version: 2, start_date: 2000-01-01}]"
expect_rc 0 "apply: code 2.0.0 writes interface 2" cascade config apply "$T/v2.yaml"
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
equals "interface 2 outputs" "$(ver l1 2024-03-10) $(ver l1 2024-03-11)" "2.0.0 2.0.0"
mission "$T/v3.yaml" "[raw, {product: cal, optional: true}]" \
	"[{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, active: false}, {filename: concat.sh, version: 2.0.0, output_interface_version: 2, start_date: 2000-01-01, active: false}, {filename: concat.sh, version: 3.0.0, output_interface_version: 1, start_date: 2000-01-01}]"
expect_rc 0 "apply: code 3.0.0 declares interface 1" cascade config apply "$T/v3.yaml"
contains "config apply lists the outputs it cannot supersede" "$out" \
	"pl_l1_20240310_v2.0.0.dat: its period's code concat.sh 3.0.0 declares output interface 1, below the 2 of the code that made it (it is not rebuilt: raise the code's output_interface_version, or purge it)"
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
equals "no 2.1.0, no 1.x: nothing built" "$(outputs l1)" "03-10:1.0.0 03-10:1.1.0 03-10:2.0.0 03-11:1.0.0 03-11:1.1.0 03-11:2.0.0"
contains "the run says why" "$err" \
	"WARNING: process \"l1\", 2024-03-10: not built: code concat.sh 3.0.0 (2000-01-01 to 9999-12-31) declares output interface 1, below the 2 of its newest output \"pl_l1_20240310_v2.0.0.dat\""
run cascade check
contains "check: stale" "$out" \
	"stale: pl_l1_20240311_v2.0.0.dat: its period's code concat.sh 3.0.0 declares output interface 1, below the 2 of the code that made it"
t_end
