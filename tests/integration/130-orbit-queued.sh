# 130-orbit-queued: review finding: a build of an orbit runs with
# the orbit's instants of the table when it runs, not those it was
# planned for (build.period_range): an orbit deleted (psql) or moved
# between the two makes an output timed by its whole date, or by an
# interval its inputs were not chosen for.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin review_queued
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "rq_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: orb, instrument: ins, level: 1, format: "rq_orb_{ORBIT}_{Y}{m}{d}_v{VERSION}.dat", relative_path: orb}
processes:
  - {name: orb, output_product: orb, output_timebase: ORBIT, inputs: [raw], codes: [{filename: copy.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF
printf '1,2024-03-01T01:00:00Z,2024-03-01T02:00:00Z\n' > "$T/o1.csv"
expect_rc 0 "orbit 1 loaded" cascade orbits load "$T/o1.csv"
span rq_raw_20240301_v1.0.0.dat 2024-03-01 1.0.0 2024-03-01T00:00:00Z 2024-03-01T23:59:59Z
(CASCADE_FAULT=plan-committed "$CASCADE" process-queue -m "$DB") >/dev/null 2>&1
equals "killed once the plan is committed" "$?" 137
equals "orbit 1's build queued" "$(sql "SELECT status || ' ' || period_range FROM build")" \
	'queued ["2024-03-01 01:00:00","2024-03-01 02:00:00")'
sql "DELETE FROM orbit WHERE orbit_number = 1" >/dev/null
"$CASCADE" process-queue -m "$DB" >/dev/null 2>&1
equals "the output is timed by the orbit it was planned for, not its whole date" \
	"$(sql "SELECT utc_start_time || ' ' || utc_stop_time FROM file f JOIN product p USING (product_id) WHERE p.product_name = 'orb'")" \
	"2024-03-01 01:00:00 2024-03-01 01:59:59.999999"
t_end
