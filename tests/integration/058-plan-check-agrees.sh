# 058-plan-check-agrees: "check" and the planner share one definition of
# an output's current inputs (cascade_key_inputs), also for inputs
# missing from disk: an output rebuilt from the version on disk is not
# stale, one made from a file gone from disk is, and repair clears it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_check_agrees
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "pl_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: l1, instrument: ins, level: 1, format: "pl_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [raw], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF
deliver pl_raw_20240310_v1.0.0.dat "raw 10"
expect_rc 0 "raw 10" "$CASCADE" process-queue -m "$DB"
deliver pl_raw_20240310_v1.1.0.dat "raw 10, better"
expect_rc 0 "raw 10, a new version" "$CASCADE" process-queue -m "$DB"
equals "l1 from the new version" "$(parents pl_l1_20240310_v1.1.0.dat)" "pl_raw_20240310_v1.1.0.dat"

# -- case: the newest input goes missing from disk ----------------------------
rm "$ARC/raw/pl_raw_20240310_v1.1.0.dat"
expect_rc 1 "check --repair: the input is missing" cascade check --repair
contains "missing: marked so" "$out" "missing: pl_raw_20240310_v1.1.0.dat"
contains "the output made from it is stale: its date's input is the version on disk" "$out" \
	"stale: pl_l1_20240310_v1.1.0.dat: made from pl_raw_20240310_v1.1.0.dat, which is not on disk: the input of its date is now pl_raw_20240310_v1.0.0.dat (repaired: queued 1 input: the next ProcessQueue -p rebuilds it)"
equals "the version on disk is queued" "$(sql "SELECT f.filename FROM processqueue q JOIN file f USING (file_id)")" \
	"pl_raw_20240310_v1.0.0.dat"
expect_rc 0 "the next run rebuilds it" "$CASCADE" process-queue -m "$DB"
equals "from the version on disk (a quality change: quality bump)" "$(parents pl_l1_20240310_v1.2.0.dat)" "pl_raw_20240310_v1.0.0.dat"
run cascade check  # "check: the rebuilt output is not stale"
not_contains "not stale" "$out" "stale:"
expect_rc 0 "check --repair has nothing to repair" cascade check --repair
not_contains "still nothing stale" "$out" "stale:"
n0=$(sql "SELECT count(*) FROM build")
expect_rc 0 "a run with nothing new" "$CASCADE" process-queue -m "$DB"
equals "runs nothing" "$(sql "SELECT count(*) FROM build")" "$n0"

# -- case: it comes back -------------------------------------------------------
printf 'raw 10, better\n' > "$ARC/raw/pl_raw_20240310_v1.1.0.dat"
expect_rc 1 "check --repair: it reappeared" cascade check --repair
contains "reappeared: marked so" "$out" "reappeared: pl_raw_20240310_v1.1.0.dat"
contains "the output is stale again, the other way" "$out" \
	"stale: pl_l1_20240310_v1.2.0.dat: made from pl_raw_20240310_v1.0.0.dat, which is superseded by pl_raw_20240310_v1.1.0.dat (repaired: queued 1 input"
expect_rc 0 "the next run rebuilds it" "$CASCADE" process-queue -m "$DB"
equals "from the newest version" "$(parents pl_l1_20240310_v1.3.0.dat)" "pl_raw_20240310_v1.1.0.dat"
run cascade check  # "check: clean"
not_contains "nothing stale" "$out" "stale:"
t_end
