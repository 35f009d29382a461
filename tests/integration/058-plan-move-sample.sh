# 058-plan-move-sample: the smaller edges.  A successful move-product
# reports no interrupted move and says what to change in the mission
# file, and "config apply" accepts the unchanged file meanwhile;
# "process --sample" leaves only logs behind (no work directory, no
# second link of a sample output).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_move_sample
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "pl_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: l1, instrument: ins, level: 1, format: "pl_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [raw], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF
deliver pl_raw_20240310_v1.0.0.dat "raw 10"
deliver pl_raw_20240311_v1.0.0.dat "raw 11"
expect_rc 0 "ingest" cascade ingest

# -- case: move-product, then the unchanged mission file ------------------------
expect_rc 0 "move-product raw" cascade move-product raw 'level0/{Y}'
equals "it says what it did, and what to change in the mission file" "$out" \
	"moved 2 files of product raw from \"raw\" to \"level0/{Y}\"
in the mission file, write relative_path: \"level0/{Y}\" for product raw (until then \"cascade config apply\" keeps \"level0/{Y}\")"
not_contains "no interrupted move reported" "$out" "settled"
expect_rc 0 "config apply of the unchanged mission file" cascade config apply "$T/plan.yaml"
contains "accepted, saying why" "$out" \
	"= product raw: relative_path \"level0/{Y}\" kept: move-product moved its files there from \"raw\", which the file names (write the new one in it)"
contains "no changes" "$out" "no changes: the database matches"
equals "the directory stays the new one" "$(sql "SELECT relative_path FROM product WHERE product_name = 'raw'")" "level0/{Y}"
sed 's|relative_path: raw}|relative_path: "level0/{Y}"}|' "$T/plan.yaml" > "$T/moved.yaml"
expect_rc 0 "the mission file with the new directory" cascade config apply "$T/moved.yaml"
equals "matches, quietly" "$out" "no changes: the database matches $T/moved.yaml"
sed 's|relative_path: raw}|relative_path: elsewhere}|' "$T/plan.yaml" > "$T/other.yaml"
expect_rc 2 "a directory never moved to is still refused" cascade config apply "$T/other.yaml"
contains "with what to do" "$err" "Move its files with \"cascade move-product raw elsewhere\" first."

# -- case: process --sample leaves only logs --------------------------------------
expect_rc 0 "process --sample 1" cascade process --sample 1 --scratch "$T/scratch"
[ -f "$T/scratch/pl_l1_20240310_v1.0.0.dat" ] && pass "the sample output is in the scratch directory" || fail "the sample output is in the scratch directory"
equals "a single link to it" "$(stat -c %h "$T/scratch/pl_l1_20240310_v1.0.0.dat")" 1
equals "no work directory left" "$(find "$ARC/.cascade/work" -mindepth 1 2>/dev/null | wc -l)" 0
equals "the logs are kept" "$(find "$ARC/.cascade/logs" -type f -name 'build-*.log' | wc -l)" 2
equals "nothing recorded" "$(sql "SELECT count(*) FROM build") $(sql "SELECT count(*) FROM file WHERE product_id = (SELECT product_id FROM product WHERE product_name = 'l1')")" "0 0"
t_end
