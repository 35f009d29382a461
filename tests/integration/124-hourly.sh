# 124-hourly: HOURLY keys (issue 16, item 3).  Files of a product of
# hours are told apart by hour (several of one date and version), an
# HOURLY process keys by hour with its inputs' windows in hours, a file
# across an hour boundary feeds both hours, a new version of one hour
# rebuilds that hour alone, and a DAILY process takes every hour of its
# day.  Outputs are named and timed by their hour.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_hourly
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, timebase: HOURLY, format: "pl_raw_{Y}{m}{d}T{H}_v{VERSION}.dat", relative_path: raw, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: rawb, instrument: ins, level: 0, timebase: HOURLY, format: "pl_rawb_{Y}{m}{d}T{H}_v{VERSION}.dat", relative_path: rawb}
  - {name: hr, instrument: ins, level: 1, format: "pl_hr_{Y}{m}{d}T{H}_v{VERSION}.dat", relative_path: "hr/{Y}"}
  - {name: hr3, instrument: ins, level: 2, format: "pl_hr3_{Y}{m}{d}T{H}_v{VERSION}.dat", relative_path: hr3}
  - {name: dy, instrument: ins, level: 1, format: "pl_dy_{Y}{m}{d}_v{VERSION}.dat", relative_path: dy}
processes:
  - {name: hr, output_product: hr, output_timebase: HOURLY, inputs: [raw], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "--date {DATE}T{HOUR}"}]}
  - {name: hr3, output_product: hr3, output_timebase: HOURLY, inputs: [{product: hr, yesterday: 1, tomorrow: 1}], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
  - {name: dy, output_product: dy, output_timebase: DAILY, inputs: [raw], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF

ver_h() {  # the newest version of process $1's output for key $2
	sql "SELECT b.output_version FROM build b JOIN process pr USING (process_id)
	      WHERE pr.process_name = '$1' AND b.output_key = '$2' AND b.status = 'succeeded'
	      ORDER BY b.build_id DESC LIMIT 1"
}

hours() {  # the keys of process $1's builds, in order
	sql "SELECT coalesce(string_agg(b.output_key || ':' || b.output_version, ' ' ORDER BY b.output_key, b.build_id), '')
	       FROM build b JOIN process pr USING (process_id) WHERE pr.process_name = '$1' AND b.status = 'succeeded'"
}

# -- two hours of one date, the same version: two files -----------------------
span pl_raw_20240301T05_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T05:00:00Z 2024-03-01T05:59:59Z
span pl_raw_20240301T06_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T06:00:00Z 2024-03-01T06:59:59Z
expect_rc 0 "two hours delivered and processed" "$CASCADE" process-queue -m "$DB"
equals "both raw files archived, by hour" \
	"$(sql "SELECT string_agg(filename || '@' || period_number, ' ' ORDER BY filename) FROM file f JOIN product p USING (product_id) WHERE p.product_name = 'raw'")" \
	"pl_raw_20240301T05_v1.0.0.dat@474797 pl_raw_20240301T06_v1.0.0.dat@474798"
equals "an output for each hour, keyed by hour" "$(hours hr)" "2024-03-01T05:1.0.0 2024-03-01T06:1.0.0"
equals "hour 05 made from its own file" "$(parents pl_hr_20240301T05_v1.0.0.dat)" "pl_raw_20240301T05_v1.0.0.dat"
equals "the output's times are its hour" \
	"$(sql "SELECT utc_start_time || '|' || utc_stop_time || '|' || period_number FROM file WHERE filename = 'pl_hr_20240301T06_v1.0.0.dat'")" \
	"2024-03-01 06:00:00|2024-03-01 06:59:59.999999|474798"
ls -R "$ARC/hr" > /dev/null 2>&1
equals "archived under its year" "$(cd "$ARC/hr/2024" && ls)" "pl_hr_20240301T05_v1.0.0.dat
pl_hr_20240301T06_v1.0.0.dat"
contains "the code was told its hour ({DATE}T{HOUR})" "$(cat "$ARC/hr/2024/pl_hr_20240301T05_v1.0.0.dat")" "date 20240301T05"
equals "the day is made of both hours" "$(parents pl_dy_20240301_v1.0.0.dat)" \
	"pl_raw_20240301T05_v1.0.0.dat pl_raw_20240301T06_v1.0.0.dat"
# hr3 takes the hour before and after: 04 (from 05), 05, 06, 07 (from 06)
equals "windows of hours: the neighbouring hours' keys are evaluated, own inputs only build" \
	"$(hours hr3)" "2024-03-01T05:1.0.0 2024-03-01T06:1.0.0"
equals "hour 05 of hr3 takes 05 and 06 (tomorrow)" "$(parents pl_hr3_20240301T05_v1.0.0.dat)" \
	"pl_hr_20240301T05_v1.0.0.dat pl_hr_20240301T06_v1.0.0.dat"

# -- named by its hour, without an inspector: it covers that hour -------------
deliver pl_rawb_20240301T10_v1.0.0.dat b
expect_rc 0 "a file of hours matched by its name" "$CASCADE" ingest -m "$DB"
equals "its span is its hour, not the rest of its day" \
	"$(sql "SELECT utc_start_time || '|' || utc_stop_time || '|' || period_number FROM file WHERE filename = 'pl_rawb_20240301T10_v1.0.0.dat'")" \
	"2024-03-01 10:00:00|2024-03-01 10:59:59.999999|474802"

# -- a file across an hour boundary feeds both hours --------------------------
span pl_raw_20240301T07_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T07:30:00Z 2024-03-01T08:30:00Z
expect_rc 0 "a file from 07:30 to 08:30" "$CASCADE" process-queue -m "$DB"
equals "hours 07 and 08 made from it" "$(parents pl_hr_20240301T07_v1.0.0.dat) / $(parents pl_hr_20240301T08_v1.0.0.dat)" \
	"pl_raw_20240301T07_v1.0.0.dat / pl_raw_20240301T07_v1.0.0.dat"
equals "hours 05 and 06 untouched" "$(sql "SELECT count(*) FROM file WHERE filename LIKE 'pl_hr\_20240301T0_\_v1.1.0.dat' OR filename LIKE 'pl_hr\_20240301T0_\_v1.0.1.dat'")" 0
equals "hr3 of 06 rebuilt: its tomorrow (07) came" "$(ver_h hr3 2024-03-01T06)" "1.1.0"

# -- a new version of one hour rebuilds that hour alone ----------------------
span pl_raw_20240301T05_v1.1.0.dat 2024-03-01 1.1.0 2024-03-01T05:00:00Z 2024-03-01T05:59:59Z
expect_rc 0 "hour 05 again, version 1.1.0" "$CASCADE" process-queue -m "$DB"
equals "hour 05 rebuilt from the new version" "$(parents pl_hr_20240301T05_v1.1.0.dat)" "pl_raw_20240301T05_v1.1.0.dat"
equals "hour 06 not rebuilt" "$(ver_h hr 2024-03-01T06)" "1.0.0"
equals "the day rebuilt with the new hour 05 and the other hours' newest" \
	"$(parents "$(sql "SELECT filename FROM newest_file f JOIN product p USING (product_id) WHERE p.product_name = 'dy'")")" \
	"pl_raw_20240301T05_v1.1.0.dat pl_raw_20240301T06_v1.0.0.dat pl_raw_20240301T07_v1.0.0.dat"
equals "newest_file: one newest per hour" \
	"$(sql "SELECT string_agg(filename, ' ' ORDER BY filename) FROM newest_file f JOIN product p USING (product_id) WHERE p.product_name = 'raw'")" \
	"pl_raw_20240301T05_v1.1.0.dat pl_raw_20240301T06_v1.0.0.dat pl_raw_20240301T07_v1.0.0.dat"

# -- the same hour and version twice is still refused --------------------------
span pl_raw_20240301T06_v1.0.0.dat.dup 2024-03-01 1.0.0 2024-03-01T06:10:00Z 2024-03-01T06:20:00Z
mv "$IN/pl_raw_20240301T06_v1.0.0.dat.dup" "$IN/pl_raw_20240301T06_v01.0.0.dat"
expect_rc 1 "another file of hour 06, version 1.0.0" "$CASCADE" process-queue -m "$DB"
equals "refused: version taken for that hour" "$(sql "SELECT kind FROM failure WHERE filename = 'pl_raw_20240301T06_v01.0.0.dat'")" "version-taken"

# -- run-process: the hours of the days asked -------------------------------
run cascade run-process hr --from 2024-03-01 --force 2 --dry-run
contains "a dry run lists every hour with data, by hour" "$out" "2024-03-01T08"
expect_rc 0 "run-process hr for 2024-03-01, forced" cascade run-process hr --from 2024-03-01 --force 2
equals "each hour with data rebuilt, the others not built (no input)" \
	"$(sql "SELECT string_agg(output_key || ':' || output_version, ' ' ORDER BY output_key) FROM build b JOIN process pr USING (process_id) WHERE pr.process_name = 'hr' AND b.build_id > (SELECT max(build_id) FROM build) - 4")" \
	"2024-03-01T05:1.1.1 2024-03-01T06:1.0.1 2024-03-01T07:1.0.1 2024-03-01T08:1.0.1"
expect_rc 0 "their consumers follow" "$CASCADE" process-queue -m "$DB"

# -- check agrees, nothing stale; a second run does nothing ------------------
run cascade check
not_contains "no stale output" "$out" "stale:"
n0=$(sql "SELECT count(*) FROM build")
expect_rc 0 "a run with nothing new" "$CASCADE" process-queue -m "$DB"
equals "it ran nothing" "$(sql "SELECT count(*) FROM build")" "$n0"
# -- reprocess and prune see hours -------------------------------------------
expect_rc 0 "reprocess raw of 2024-03-01" cascade reprocess --product raw --from 2024-03-01 --to 2024-03-01
equals "the newest file of every hour queued, not one of the date" \
	"$(sql "SELECT string_agg(f.filename, ' ' ORDER BY f.filename) FROM processqueue q JOIN file f USING (file_id)")" \
	"pl_raw_20240301T05_v1.1.0.dat pl_raw_20240301T06_v1.0.0.dat pl_raw_20240301T07_v1.0.0.dat"
expect_rc 0 "processed: nothing to rebuild" "$CASCADE" process-queue -m "$DB"
nb=$(sql "SELECT count(*) FROM newest_file")
expect_rc 0 "prune superseded versions" cascade prune --cutoff "$(date -u -d tomorrow +%F)"
equals "the newest of every hour is kept" "$(sql "SELECT count(*) FROM newest_file")" "$nb"
equals "every hour of hr3 still has its output" \
	"$(sql "SELECT string_agg(DISTINCT period_number::text, ' ') FROM file f JOIN product p USING (product_id) WHERE p.product_name = 'hr3'")" \
	"474797 474798 474799 474800"
contains "superseded versions pruned, with their hour" \
	"$(sql "SELECT string_agg(filename || '@' || period_number, ' ' ORDER BY filename) FROM purged_file")" \
	"pl_raw_20240301T05_v1.0.0.dat@474797"
equals "cascade_key_inputs in psql, with the hour" \
	"$(sql "SELECT string_agg(f.filename || ':' || x.own, ' ' ORDER BY f.filename) FROM process pr, cascade_key_inputs(pr.process_id, '2024-03-01', '2024-03-01', '', 474798) x JOIN file f USING (file_id) WHERE pr.process_name = 'hr3'")" \
	"pl_hr_20240301T05_v1.1.1.dat:false pl_hr_20240301T06_v1.0.1.dat:true pl_hr_20240301T07_v1.0.1.dat:false"
t_end
