# 058-plan-purged-names: a purged name never comes back.  After "purge
# -r", the key's next build takes the next version instead of the purged
# file's name (copies of which may be out there); the same after a purge
# of a newest output alone, and after a prune.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_purged_names
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "pl_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: l1, instrument: ins, level: 1, format: "pl_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [raw], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF
deliver pl_raw_20240310_v1.0.0.dat "raw 10"
expect_rc 0 "raw 10" "$CASCADE" process-queue -m "$DB"
equals "l1 1.0.0" "$(outputs l1)" "03-10:1.0.0"

# -- case: purge -r, then the same input again, with other content -----------
expect_rc 0 "purge -r raw 10 and what was made from it" cascade purge -r pl_raw_20240310_v1.0.0.dat
contains "l1 purged too" "$out" "purge pl_l1_20240310_v1.0.0.dat"
equals "the purged names are recorded" \
	"$(sql "SELECT string_agg(filename || '|' || how || '|' || (logging_id IS NOT NULL), ' ' ORDER BY filename) FROM purged_file")" \
	"pl_l1_20240310_v1.0.0.dat|purge|true pl_raw_20240310_v1.0.0.dat|purge|true"
deliver pl_raw_20240310_v1.0.0.dat "raw 10, delivered again, corrected"
expect_rc 0 "the input delivered again" "$CASCADE" process-queue -m "$DB"
equals "the key takes the next version, not the purged name" "$(outputs l1)" "03-10:1.0.1"
[ ! -e "$ARC/l1/pl_l1_20240310_v1.0.0.dat" ] && pass "no file under the purged name" || fail "no file under the purged name"

# -- case: the newest output purged alone ----------------------------------------
deliver pl_raw_20240310_v1.1.0.dat "raw 10, better"
expect_rc 0 "a new input version" "$CASCADE" process-queue -m "$DB"
equals "l1 1.1.0" "$(ver l1 2024-03-10)" "1.1.0"
expect_rc 0 "purge the newest l1 alone" cascade purge pl_l1_20240310_v1.1.0.dat
equals "the newest is 1.0.1 again" "$(ver l1 2024-03-10)" "1.0.1"
expect_rc 0 "reprocess raw 10" cascade reprocess --product raw --from 2024-03-10 --to 2024-03-10
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
equals "rebuilt as 1.1.1, above the purged 1.1.0" "$(ver l1 2024-03-10)" "1.1.1"

# -- case: prune keeps the names too ---------------------------------------------
expect_rc 0 "prune the superseded versions" cascade prune --cutoff=2999-01-01
equals "pruned names recorded as such" \
	"$(sql "SELECT string_agg(filename, ' ' ORDER BY filename) FROM purged_file WHERE how = 'prune'")" \
	"pl_l1_20240310_v1.0.1.dat pl_raw_20240310_v1.0.0.dat"
t_end
