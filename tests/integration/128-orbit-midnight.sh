# 128-orbit-midnight: review finding: an orbit corrected so that
# its start moves to the next day.  Its key (the orbit number) is the
# same; its output's date is the new start's, and the state looks the
# output up by (date, period): the old output is not found, and the
# orbit is left with two newest outputs, of two dates.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin review_midnight
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "rm_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: orb, instrument: ins, level: 1, format: "rm_orb_{ORBIT}_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: orb}
processes:
  - {name: orb, output_product: orb, output_timebase: ORBIT, inputs: [raw], codes: [{filename: copy.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF
printf '10,2024-03-02T23:00:00Z,2024-03-03T00:30:00Z\n' > "$T/o1.csv"
expect_rc 0 "orbit 10 loaded" cascade orbits load "$T/o1.csv"
span rm_raw_20240302_v1.0.0.dat 2024-03-02 1.0.0 2024-03-02T00:00:00Z 2024-03-02T23:59:59Z
span rm_raw_20240303_v1.0.0.dat 2024-03-03 1.0.0 2024-03-03T00:00:00Z 2024-03-03T23:59:59Z
expect_rc 0 "processed" "$CASCADE" process-queue -m "$DB"
equals "orbit 10's output, of 2024-03-02" \
	"$(sql "SELECT string_agg(utc_file_date || '@' || period_number || ':' || interface_version || '.' || quality_version || '.' || revision_version, ' ') FROM file f JOIN product p USING (product_id) WHERE p.product_name = 'orb'")" \
	"2024-03-02@10:1.0.0"
printf '10,2024-03-03T00:10:00Z,2024-03-03T00:30:00Z\n' > "$T/o2.csv"
expect_rc 0 "orbit 10 corrected: it starts on 2024-03-03" cascade orbits load "$T/o2.csv"
expect_rc 0 "processed" "$CASCADE" process-queue -m "$DB"
equals "one newest output of orbit 10 (the old one superseded)" \
	"$(sql "SELECT count(*) FROM newest_file f JOIN product p USING (product_id) WHERE p.product_name = 'orb' AND f.period_number = 10 AND f.exists_on_disk")" 1
# (the raw file of 03-02 no longer overlaps it: removed, a neighbour's day)
equals "the rebuild's reason is period-changed" \
	"$(sql "SELECT string_agg(r.kind, ' ' ORDER BY r.seq) FROM build b JOIN build_reason r USING (build_id) WHERE b.build_id = (SELECT max(build_id) FROM build)")" \
	"requested neighbour-changed period-changed"
run cascade check
not_contains "check finds no duplicate" "$out" "2 files"

# an orbit deleted by hand: check, status and a run say something sane
sql "DELETE FROM orbit WHERE orbit_number = 10" >/dev/null
run cascade check
contains "check: the deleted orbit's output is left, saying why" "$out" "its orbit 10 is not in the orbit table now"
expect_rc 0 "a run after the delete" "$CASCADE" process-queue -m "$DB"
nb=$(sql "SELECT count(*) FROM build")
expect_rc 0 "run-process over its days: no orbit, no key" cascade run-process orb --from 2024-03-02 --to 2024-03-03 --force 2
equals "nothing built" "$(sql "SELECT count(*) FROM build")" "$nb"
run cascade why --not orb 10
equals "why --not refuses the orbit, exit 2" "$rc" 2
contains "saying it is not in the table" "$err" "orbit 10 is not in the orbit table"
t_end
