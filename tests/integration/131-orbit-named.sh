# 131-orbit-named: a file of an ORBIT product whose name gives its
# orbit ({ORBIT}) and no stop time, delivered before its orbit is
# loaded: it covers its start instant (before, the built-in matcher's
# stop at its date's end made it feed every later orbit of its day once
# the orbits were loaded).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin review_named
plan_setup <<'EOF'
products:
  - {name: rawn, instrument: ins, level: 0, timebase: ORBIT, format: "ro_rawn_{ORBIT}_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: rawn}
  - {name: orb, instrument: ins, level: 1, format: "ro_orb_{ORBIT}_{Y}{m}{d}_v{VERSION}.dat", relative_path: orb}
processes:
  - {name: orb, output_product: orb, output_timebase: ORBIT, inputs: [rawn], codes: [{filename: copy.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF
deliver ro_rawn_00007_20240301T0100_v1.0.0.dat a
expect_rc 0 "a file naming orbit 7, not loaded yet" "$CASCADE" process-queue -m "$DB"
printf '7,2024-03-01T01:00:00Z,2024-03-01T02:30:00Z\n8,2024-03-01T02:30:00Z,2024-03-01T04:00:00Z\n' > "$T/o.csv"
expect_rc 0 "orbits 7 and 8 loaded" cascade orbits load "$T/o.csv"
expect_rc 0 "processed" "$CASCADE" process-queue -m "$DB"
# (its stop is not known: the orbit was not in the table when it came, so
# it covers its start alone, not the rest of its day)
equals "the file of orbit 7, given no stop, covers its start" \
	"$(sql "SELECT utc_stop_time FROM file WHERE filename = 'ro_rawn_00007_20240301T0100_v1.0.0.dat'")" \
	"2024-03-01 01:00:00"
equals "only orbit 7 is built from it" \
	"$(sql "SELECT string_agg(output_key, ' ' ORDER BY output_key) FROM build WHERE status = 'succeeded'")" "000007"
t_end
