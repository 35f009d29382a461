# 127-orbit-moved: review findings on ORBIT keys (review-fixes branch).
# (a) reuse: content and a moved orbit: the period-changed rebuild must
#     run its code, not take the earlier build's output (the content key
#     holds the orbit's number, not its interval).
# (b) an orbits load that moves two files of an ORBIT product (numbered
#     from the table) into one orbit that had neither.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin review_orbits
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "rv_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: orb, instrument: ins, level: 1, format: "rv_orb_{ORBIT}_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: orb}
  - {name: rawo, instrument: ins, level: 0, timebase: ORBIT, format: "rv_rawo_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: rawo}
processes:
  - {name: orb, output_product: orb, output_timebase: ORBIT, inputs: [raw], reuse: content, codes: [{filename: copy.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF

printf '1,2024-03-01T00:00:00Z,2024-03-01T01:30:00Z\n2,2024-03-01T01:30:00Z,2024-03-01T03:00:00Z\n3,2024-03-01T03:00:00Z,2024-03-01T04:00:00Z\n' > "$T/o1.csv"
expect_rc 0 "orbits loaded" cascade orbits load "$T/o1.csv"
span rv_raw_20240301_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T00:00:00Z 2024-03-01T23:59:59Z
expect_rc 0 "processed" "$CASCADE" process-queue -m "$DB"
equals "three orbits built" "$(sql "SELECT count(*) FROM build WHERE status = 'succeeded'")" 3

# (a) orbit 1 shrinks, 2 grows; the whole-day input is unchanged
printf '1,2024-03-01T00:00:00Z,2024-03-01T01:00:00Z\n2,2024-03-01T01:00:00Z,2024-03-01T03:00:00Z\n' > "$T/o2.csv"
expect_rc 0 "orbits 1 and 2 moved" cascade orbits load "$T/o2.csv"
expect_rc 0 "processed" "$CASCADE" process-queue -m "$DB"
equals "orbits 1 and 2 rebuilt for their new periods" \
	"$(sql "SELECT string_agg(b.output_key, ' ' ORDER BY b.output_key) FROM build b JOIN build_reason r USING (build_id) WHERE r.kind = 'period-changed'")" \
	"000001 000002"
equals "... by running the code, not by reusing the output of the old period" \
	"$(sql "SELECT count(*) FROM build b JOIN build_reason r USING (build_id) WHERE r.kind = 'period-changed' AND b.reused_from_build_id IS NOT NULL")" 0

# (b) two files of orbits 1 and 2 both fall into orbit 3 after a load
deliver rv_rawo_20240301T0010_v1.0.0.dat a
deliver rv_rawo_20240301T0140_v1.0.0.dat b
expect_rc 0 "two files of orbits" "$CASCADE" ingest -m "$DB"
equals "numbered 1 and 2" \
	"$(sql "SELECT string_agg(period_number::text, ' ' ORDER BY filename) FROM file f JOIN product p USING (product_id) WHERE p.product_name = 'rawo'")" "1 2"
printf '1,2024-03-01T00:00:00Z,2024-03-01T00:05:00Z\n2,2024-03-01T00:05:00Z,2024-03-01T00:09:00Z\n3,2024-03-01T00:09:00Z,2024-03-01T04:00:00Z\n' > "$T/o3.csv"
run cascade orbits load "$T/o3.csv"
not_contains "no constraint violation" "$out $err" "Unique file tuple"
equals "the load succeeded (exit 0)" "$rc" 0
contains "one file renumbered" "$out" "1 file of ORBIT products now in another orbit"
contains "the other kept, said" "$err" "1 file of ORBIT products kept their orbit"
equals "the earlier start took orbit 3, the other kept its orbit" \
	"$(sql "SELECT string_agg(period_number::text, ' ' ORDER BY filename) FROM file f JOIN product p USING (product_id) WHERE p.product_name = 'rawo'")" "3 2"
t_end
