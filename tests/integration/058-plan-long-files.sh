# 058-plan-long-files: a file longer than a day feeds every day (and week)
# its time span covers, however long, also one whose date is far from
# its span (found by the file_span_long index, not by date).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_long_files
plan_setup <<'EOF'
products:
  - {name: orb, instrument: ins, level: 0, format: "pl_orb_{Y}{m}{d}_v{VERSION}.dat", relative_path: orb, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: orbd, instrument: ins, level: 1, format: "pl_orbd_{Y}{m}{d}_v{VERSION}.dat", relative_path: orbd}
  - {name: orbw, instrument: ins, level: 1, format: "pl_orbw_{Y}{m}{d}_v{VERSION}.dat", relative_path: orbw}
processes:
  - {name: orbd, output_product: orbd, output_timebase: DAILY, inputs: [orb], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
  - {name: orbw, output_product: orbw, output_timebase: WEEKLY, inputs: [orb], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF

# -- case: a file of 2.5 days feeds its three days ---------------------------
span pl_orb_20240310_v1.0.0.dat 2024-03-10 1.0.0 2024-03-10T00:00:00Z 2024-03-12T12:00:00Z
expect_rc 0 "a file from 03-10 00:00 to 03-12 12:00" "$CASCADE" process-queue -m "$DB"
equals "daily outputs for all three days it covers" "$(outputs orbd)" "03-10:1.0.0 03-11:1.0.0 03-12:1.0.0"
equals "the third day was made from it" "$(parents pl_orbd_20240312_v1.0.0.dat)" "pl_orb_20240310_v1.0.0.dat"
# 2024-03-10 is a Sunday: the file is in two ISO weeks
equals "weekly outputs for both weeks it covers" "$(outputs orbw)" "03-04:1.0.0 03-11:1.0.0"
equals "the week of 03-11 was made from it" "$(parents pl_orbw_20240311_v1.0.0.dat)" "pl_orb_20240310_v1.0.0.dat"

# -- case: a file dated far from most of its span ----------------------------
# an ephemeris dated 03-20 that covers 03-20 to 03-26: its date is more
# than a day away from 03-24, so only its span finds it there
span pl_orb_20240320_v1.0.0.dat 2024-03-20 1.0.0 2024-03-20T00:00:00Z 2024-03-26T06:00:00Z
expect_rc 0 "a week-long file" "$CASCADE" process-queue -m "$DB"
equals "a daily output for each of its seven days" \
	"$(sql "SELECT count(*) FROM file WHERE filename LIKE 'pl_orbd_202403%' AND utc_file_date BETWEEN '2024-03-20' AND '2024-03-26'")" 7
equals "03-24 made from it" "$(parents pl_orbd_20240324_v1.0.0.dat)" "pl_orb_20240320_v1.0.0.dat"
equals "the long orb files are the ones in the long-file index" \
	"$(sql "SELECT string_agg(filename, ' ' ORDER BY filename) FROM file WHERE filename LIKE 'pl_orb\_%' AND NOT cascade_file_regular(utc_start_time, utc_stop_time, utc_file_date)")" \
	"pl_orb_20240310_v1.0.0.dat pl_orb_20240320_v1.0.0.dat"
# a day file inside the long one: that day's output has both
span pl_orb_20240324_v1.0.0.dat 2024-03-24 1.0.0 2024-03-24T00:00:00Z 2024-03-24T23:59:59Z
expect_rc 0 "a day file inside its span" "$CASCADE" process-queue -m "$DB"
equals "03-24 rebuilt from both files (an input added: quality)" "$(ver orbd 2024-03-24)" "1.1.0"
equals "its inputs: the long file and the day file" "$(parents pl_orbd_20240324_v1.1.0.dat)" \
	"pl_orb_20240320_v1.0.0.dat pl_orb_20240324_v1.0.0.dat"
equals "the other days of the long file untouched" "$(ver orbd 2024-03-23) $(ver orbd 2024-03-25)" "1.0.0 1.0.0"

# -- case: the database function is the definition, also in psql -------------
equals "cascade_key_inputs gives the same inputs" \
	"$(sql "SELECT string_agg(f.filename || ':' || x.own, ' ' ORDER BY f.filename) FROM process pr, cascade_key_inputs(pr.process_id, '2024-03-24', '2024-03-24', '') x JOIN file f USING (file_id) WHERE pr.process_name = 'orbd'")" \
	"pl_orb_20240320_v1.0.0.dat:true pl_orb_20240324_v1.0.0.dat:true"
equals "a day after it has none" \
	"$(sql "SELECT string_agg(f.filename || ':' || x.own, ' ' ORDER BY f.filename) FROM process pr, cascade_key_inputs(pr.process_id, '2024-03-27', '2024-03-27', '') x JOIN file f USING (file_id) WHERE pr.process_name = 'orbd'")" \
	""

# -- nothing is stale, and a second run does nothing ---------------------------
run cascade check  # "check finds nothing stale"
not_contains "no stale output" "$out" "stale:"
n0=$(sql "SELECT count(*) FROM build")
expect_rc 0 "a run with nothing new" "$CASCADE" process-queue -m "$DB"
equals "it ran nothing" "$(sql "SELECT count(*) FROM build")" "$n0"
t_end
