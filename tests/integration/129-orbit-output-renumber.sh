# 129-orbit-output-renumber: review finding: orbits load's
# renumbering (files of ORBIT products with no {ORBIT} in their format)
# also takes the outputs of ORBIT processes named by {H}{M}, which
# config check accepts; their number is their build's key, not the
# table's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin review_renumber
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "rn_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: orb, instrument: ins, level: 1, format: "rn_orb_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: orb}
processes:
  - {name: orb, output_product: orb, output_timebase: ORBIT, inputs: [raw], codes: [{filename: copy.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF
expect_rc 0 "config check accepts {H}{M} for an ORBIT output" cascade config check "$T/plan.yaml"
printf '1,2024-03-01T00:00:00Z,2024-03-01T01:30:00Z\n2,2024-03-01T01:30:00Z,2024-03-01T03:00:00Z\n' > "$T/o1.csv"
expect_rc 0 "orbits loaded" cascade orbits load "$T/o1.csv"
span rn_raw_20240301_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T00:00:00Z 2024-03-01T23:59:59Z
expect_rc 0 "processed" "$CASCADE" process-queue -m "$DB"
printf '1,2024-03-01T00:00:00Z,2024-03-01T01:45:00Z\n2,2024-03-01T01:45:00Z,2024-03-01T03:00:00Z\n' > "$T/o2.csv"
expect_rc 0 "orbit 2 starts later" cascade orbits load "$T/o2.csv"
not_contains "the outputs of the ORBIT process are not renumbering candidates" "$out $err" "kept their orbit"
equals "orbit 2's output keeps its number" \
	"$(sql "SELECT string_agg(filename || '@' || period_number, ' ' ORDER BY filename) FROM file f JOIN product p USING (product_id) WHERE p.product_name = 'orb'")" \
	"rn_orb_20240301T0000_v1.0.0.dat@1 rn_orb_20240301T0130_v1.0.0.dat@2"
t_end
