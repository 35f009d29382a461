# 058-plan-exclusive-stop: stop times at the next midnight.  By default
# (dbprocessing's rule) a stop time is the file's last instant, so a daily
# file ending at 00:00 of the next day feeds two days; a product with
# stop_time_exclusive: true reads it as the first instant after the data
# (one day), and its own outputs end at the next period's midnight.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_exclusive_stop
# a second span inspector, for files tagged SPANX
sed 's/\[ "$tag" = SPAN \]/[ "$tag" = SPANX ]/' "$FIX/inspectors/span.sh" > "$T/spanx.sh"
chmod +x "$T/spanx.sh"
plan_setup <<'EOF'
products:
  - {name: inc, instrument: ins, level: 0, format: "pl_inc_{Y}{m}{d}_v{VERSION}.dat", relative_path: inc, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: exc, instrument: ins, level: 0, format: "pl_exc_{Y}{m}{d}_v{VERSION}.dat", relative_path: exc, inspector: {executable: "@T@/spanx.sh"}, stop_time_exclusive: true}
  - {name: incd, instrument: ins, level: 1, format: "pl_incd_{Y}{m}{d}_v{VERSION}.dat", relative_path: incd}
  - {name: excd, instrument: ins, level: 1, format: "pl_excd_{Y}{m}{d}_v{VERSION}.dat", relative_path: excd, stop_time_exclusive: true}
processes:
  - {name: incd, output_product: incd, output_timebase: DAILY, inputs: [inc], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
  - {name: excd, output_product: excd, output_timebase: DAILY, inputs: [exc], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF
span pl_inc_20240310_v1.0.0.dat 2024-03-10 1.0.0 2024-03-10T00:00:00Z 2024-03-11T00:00:00Z
printf 'SPANX 2024-03-10 1.0.0 2024-03-10T00:00:00Z 2024-03-11T00:00:00Z\n' > "$IN/pl_exc_20240310_v1.0.0.dat"

# -- case: inclusive (the default): the next day too -------------------------
expect_rc 0 "two files ending at the next midnight" "$CASCADE" process-queue -m "$DB"
equals "inclusive: outputs of both days" "$(outputs incd)" "03-10:1.0.0 03-11:1.0.0"
equals "inclusive output: ends on its last microsecond" \
	"$(sql "SELECT utc_stop_time FROM file WHERE filename = 'pl_incd_20240310_v1.0.0.dat'")" "2024-03-10 23:59:59.999999"

# -- case: exclusive: its own day only ----------------------------------------
equals "exclusive: the output of its day only" "$(outputs excd)" "03-10:1.0.0"
equals "exclusive output: ends at the next midnight" \
	"$(sql "SELECT utc_stop_time FROM file WHERE filename = 'pl_excd_20240310_v1.0.0.dat'")" "2024-03-11 00:00:00"
equals "the span function applies the rule" \
	"$(sql "SELECT upper(cascade_file_span(utc_start_time, utc_stop_time, utc_file_date, p.stop_time_exclusive)) FROM file f JOIN product p USING (product_id) WHERE filename = 'pl_exc_20240310_v1.0.0.dat'")" \
	"2024-03-10 23:59:59.999999"

# -- the setting: exported, and changing it re-evaluates the consumers ---------
expect_rc 0 "config export" cascade config export
contains "exported" "$out" "stop_time_exclusive: true"
sed 's|relative_path: inc, inspector|relative_path: inc, stop_time_exclusive: true, inspector|' "$T/plan.yaml" > "$T/exclusive.yaml"
expect_rc 0 "apply: inc's stop times are exclusive now" cascade config apply "$T/exclusive.yaml"
contains "the change" "$out" "~ product inc: stop_time_exclusive false -> true"
contains "the output of the 11th is left: no input of its own any more" "$out" \
	"pl_incd_20240311_v1.0.0.dat: required input product \"inc\" has no file for it now (it is not rebuilt and stays as it is; purge it if it should go)"
run cascade check
contains "check agrees" "$out" "stale: pl_incd_20240311_v1.0.0.dat: required input product \"inc\" has no file for it now"
t_end
