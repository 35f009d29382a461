# 132-orbit-ingest-race: an orbit load that commits while an ingest holds
# files it numbered from the orbit table, read but not yet recorded: the
# ingest numbers them again under the orbit lock when it records them
# (store_orbits_lock), so none is stored with a number the load moved.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin orbit_ingest_race
plan_setup <<'EOF'
products:
  - {name: rawo, instrument: ins, level: 0, timebase: ORBIT, format: "rr_rawo_{Y}{m}{d}T{H}{M}_v{VERSION}.dat", relative_path: rawo}
EOF
printf '1,2024-03-01T00:00:00Z,2024-03-01T02:00:00Z\n2,2024-03-01T02:00:00Z,2024-03-01T04:00:00Z\n' > "$T/o1.csv"
expect_rc 0 "orbits 1 and 2 loaded" cascade orbits load "$T/o1.csv"
deliver rr_rawo_20240301T0130_v1.0.0.dat a
make_fifo "$T/fault"

# the ingest is held after it numbered the file (orbit 1), before its record
CASCADE_FAULT=ingest-journaled:pause CASCADE_FAULT_FIFO=$T/fault \
	"$CASCADE" ingest -m "$DB" > "$T/in.out" 2> "$T/in.err" < /dev/null &
pid=$!
exec 4>"$T/fault"
# meanwhile orbit 1 is corrected: it ends at 01:00, and 01:30 is in orbit 2
printf '1,2024-03-01T00:00:00Z,2024-03-01T01:00:00Z\n2,2024-03-01T01:00:00Z,2024-03-01T04:00:00Z\n' > "$T/o2.csv"
expect_rc 0 "orbits corrected while the ingest is held" cascade orbits load "$T/o2.csv"
exec 4>&-
wait "$pid"
equals "the ingest ends well" "$?" 0
equals "the file is recorded in the orbit that holds its start now" \
	"$(sql "SELECT period_number FROM file WHERE filename = 'rr_rawo_20240301T0130_v1.0.0.dat'")" 2
t_end
