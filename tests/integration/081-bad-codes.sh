# 081-bad-codes: the codes of the bad-input catalogue (issue 11), each
# asserting its build's fate, the failure row, the exit status and that
# the other builds went through: a code that floods its log, is missing,
# is not executable, has a bad interpreter, kills its own supervisor,
# leaves a daemon holding its output open, writes its output as a
# symbolic link or a directory, prints a long error; what a code is
# given (no descriptors of ours, stdin at EOF); a database lost while
# codes run and a flag cleared by force (no code runs twice); a full
# disk (nothing marked bad, the work waits and is done once there is
# room).
. "$(dirname "$0")/lib.sh"
t_begin bad_codes

mkdir -p "$T/codes" "$T/data/incoming"
cp "$FIX"/bcodes/* "$T/codes/"
IN=$T/data/incoming
proc() {	# proc NAME CODE: a daily process from raw to o_NAME
	printf '  - {name: %s, output_product: o_%s, output_timebase: DAILY, inputs: [raw], codes: [{filename: %s, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}\n' "$1" "$1" "$2"
}
prod() {	# prod NAME: its output product
	printf '  - {name: o_%s, instrument: ins, level: 1, format: "b_%s_{Y}{m}{d}_v{VERSION}.dat", relative_path: "o"}\n' "$1" "$1"
}
names="ok flood missing noexec interp daemon symlink dir fds bigerr"
codes="exit0.sh flood.sh gone.sh noexec.sh badinterp.sh daemon.sh symlink.sh dir.sh fds.sh bigerr.sh"
{
	cat <<EOF
mission:
  name: bad
  rootdir: $T/data
  codedir: $T/codes
satellites:
  - name: sat
    instruments: [ins]
products:
  - {name: raw, instrument: ins, level: 0, format: "b_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: "raw"}
EOF
	for n in $names; do prod "$n"; done
	echo "processes:"
	set -- $codes
	for n in $names; do proc "$n" "$1"; shift; done
	cat <<EOF
run:
  slots: 2
  max_attempts: 2
  bad_after: 2
  kill_grace: 1s
  log_limit_kb: 64
EOF
} > "$T/bad.yaml"
expect_rc 0 "the schema" cascade init
expect_rc 0 "the mission applies" cascade config apply "$T/bad.yaml"
printf 'raw 1\n' > "$IN/b_raw_20240301_v1.0.0.dat"
export CASCADE_TEST_DAEMON=$T/daemon.pid
expect_rc 1 "a run with bad codes exits 1" "$CASCADE" process-queue -m "$DB"
st() { sql "SELECT b.status || '|' || coalesce(f.kind, '-') || '|' || coalesce(b.exit_code::text, 'null') FROM build b JOIN process p USING (process_id) LEFT JOIN failure f ON f.build_id = b.build_id WHERE p.process_name = '$1' ORDER BY b.build_id DESC, f.failure_id DESC LIMIT 1"; }
reason() { sql "SELECT reason FROM build JOIN process USING (process_id) WHERE process_name = '$1'"; }
logof() { sql "SELECT log_path FROM build JOIN process USING (process_id) WHERE process_name = '$1'"; }

equals "a healthy code beside them succeeded" "$(st ok)" "succeeded|-|0"
# flooding: the output is made, the log is capped, first and last kept
equals "a code that floods its log succeeds" "$(st flood)" "succeeded|-|0"
lsize=$(stat -c %s "$(logof flood)")
[ "$lsize" -lt $((64 * 1024 + 2048)) ] && pass "its log is capped at run.log_limit_kb ($lsize bytes)" || fail "its log is capped at run.log_limit_kb" "$lsize bytes"
contains "the log says what was dropped" "$(grep -a 'cascade:' "$(logof flood)")" "bytes of output dropped here"
equals "the log ends with the code's last output" "$(tail -c 1024 "$(logof flood)" | tr -d '\n' | tr -d x | wc -c)" 0
# codes that cannot run: final at once, no exit status, a failure row
equals "a missing code: failed, kind code, no exit status" "$(st missing)" "failed|code|null"
contains "its reason names the file" "$(reason missing)" "gone.sh"
equals "a code without the execute bit: failed, kind code" "$(st noexec)" "failed|code|null"
equals "a code with a bad interpreter: failed, kind exec, no exit status" "$(st interp)" "failed|exec|null"
contains "its reason says why" "$(reason interp)" "No such file or directory"
# a daemon that keeps stdout open does not hold the run up
equals "a code leaving a daemon succeeds" "$(st daemon)" "succeeded|-|0"
d=$(cat "$T/daemon.pid" 2>/dev/null)
[ -n "$d" ] && kill "$d" 2>/dev/null
equals "an output that is a symbolic link is refused" "$(st symlink)" "bad|wrong-output|0"
equals "an output that is a directory is refused" "$(st dir)" "bad|wrong-output|0"
equals "neither is archived" "$(ls "$T/data/o" | grep -c -e symlink -e _dir_)" 0
# what a code is given
fdsout=$(cat "$T/data/o/"b_fds_*.dat 2>/dev/null)
contains "a code gets no descriptor of ours" "$fdsout" "extra:
"
contains "and stdin at end of file" "$fdsout" "stdin: eof"
# a long stderr: the tail of it, at most 2000 bytes, in the failure row
tail_=$(sql "SELECT stderr_tail FROM failure f JOIN build b USING (build_id) JOIN process p USING (process_id) WHERE p.process_name = 'bigerr' LIMIT 1")
contains "a failure keeps the end of a long stderr" "$tail_" "error line 100:"
[ "${#tail_}" -le 2000 ] && pass "and at most 2000 bytes of it (${#tail_})" || fail "and at most 2000 bytes of it" "${#tail_}"
# every supervisor of these runs ends (waited for on pidfds; only one
# that hangs fails)
wait_supervisors "$DB" && pass "no supervisor is left running" || fail "no supervisor is left running"

# A code that kills its parent (the run's supervisor): its result is
# lost, so it is retried, then marked bad; the controller lives on, a new
# supervisor takes the next builds, and the healthy build beside it (one
# slot: never running at the same time) succeeds.
D=${DB}_kill
psql -X -q -d postgres -c "CREATE DATABASE $D TEMPLATE template0" >/dev/null
rm -rf "$T/data"
mkdir -p "$IN"
{
	sed -n '1,/^products:/p' "$T/bad.yaml" | sed 's/name: bad$/name: bad_kill/'
	echo '  - {name: raw, instrument: ins, level: 0, format: "b_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: "raw"}'
	prod ok
	prod killparent
	echo "processes:"
	proc ok exit0.sh
	proc killparent killparent.sh
	printf 'run:\n  slots: 1\n  max_attempts: 2\n  bad_after: 2\n'
} > "$T/kill.yaml"
"$CASCADE" init -m "$D" >/dev/null
expect_rc 0 "kill: the mission applies" "$CASCADE" config apply "$T/kill.yaml" -m "$D"
printf 'raw 1\n' > "$IN/b_raw_20240301_v1.0.0.dat"
expect_rc 1 "kill: the run fails, but does not crash" "$CASCADE" process-queue -m "$D"
kst() { psql -X -A -t -d "$D" -c "SELECT b.status || '|' || coalesce(f.kind, '-') || '|' || b.attempt FROM build b JOIN process p USING (process_id) LEFT JOIN failure f ON f.build_id = b.build_id WHERE p.process_name = '$1' ORDER BY b.build_id DESC LIMIT 1"; }
equals "kill: the code that kills its supervisor: lost, tried twice, bad" "$(kst killparent)" "bad|lost|2"
contains "kill: its reason says the supervisor died" "$(psql -X -A -t -d "$D" -c "SELECT reason FROM build JOIN process USING (process_id) WHERE process_name = 'killparent'")" "supervisor"
equals "kill: the healthy build succeeded" "$(kst ok | cut -d'|' -f1)" "succeeded"
wait_supervisors "$D" && pass "kill: no supervisor is left running" || fail "kill: no supervisor is left running"
psql -X -q -d postgres -c "DROP DATABASE $D WITH (FORCE)" >/dev/null

# The database goes away (its session killed) while codes run, and the
# flag is cleared by force: the controller exits 4, its codes end under
# their supervisors, and the next run records them without running them
# again.
slowcfg=$T/slow.yaml
cat > "$slowcfg" <<EOF
mission:
  name: bad
  rootdir: $T/data
  codedir: $T/codes
satellites:
  - name: sat
    instruments: [ins]
products:
  - {name: raw, instrument: ins, level: 0, format: "b_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: "raw"}
  - {name: o_ok, instrument: ins, level: 1, format: "b_ok_{Y}{m}{d}_v{VERSION}.dat", relative_path: "o"}
processes:
  - {name: ok, output_product: o_ok, output_timebase: DAILY, inputs: [raw], codes: [{filename: gate.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
run:
  slots: 1
EOF
cat > "$T/codes/gate.sh" <<'EOF'
#!/bin/sh
# waits on $CASCADE_TEST_GATE (a FIFO) once opened by the test, then
# copies its input and counts its completion
read -r line < "$CASCADE_TEST_GATE"
cp "$1" "$2"
echo "$2" >> "$CASCADE_TEST_DONE"
EOF
chmod 755 "$T/codes/gate.sh"
for how in terminate clear; do
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_$how" >/dev/null
	psql -X -q -d postgres -c "CREATE DATABASE ${DB}_$how TEMPLATE template0" >/dev/null
	D=${DB}_$how
	rm -rf "$T/data"
	mkdir -p "$IN"
	sed "s|name: bad$|name: bad_$how|" "$slowcfg" > "$T/slow-$how.yaml"
	"$CASCADE" init -m "$D" >/dev/null
	"$CASCADE" config apply "$T/slow-$how.yaml" -m "$D" >/dev/null
	printf 'raw 1\n' > "$IN/b_raw_20240301_v1.0.0.dat"
	make_fifo "$T/gate.fifo"
	export CASCADE_TEST_GATE=$T/gate.fifo CASCADE_TEST_DONE=$T/done-$how
	: > "$CASCADE_TEST_DONE"
	"$CASCADE" process-queue -m "$D" >"$T/pq.out" 2>"$T/pq.err" &
	pq=$!
	exec 5>"$CASCADE_TEST_GATE"	# the code is running
	if [ $how = terminate ]; then
		psql -X -q -A -t -d "$D" -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'" >/dev/null
	else
		"$CASCADE" flag clear --force --reason "test" -m "$D" >/dev/null 2>&1
	fi
	exec 5>&-	# the code ends; its controller cannot record it
	wait $pq
	st_=$?
	equals "$how: the controller exits 4" "$st_" 4
	equals "$how: without a success summary" "$(grep -c 'builds succeeded' "$T/pq.out")" 0
	[ "$(grep -c 'ERROR' "$T/pq.err")" -le 2 ] && pass "$how: in at most two error lines" || fail "$how: in at most two error lines" "$(cat "$T/pq.err")"
	expect_rc 0 "$how: the next run" "$CASCADE" process-queue -m "$D"
	contains "$how: it takes over what ended meanwhile" "$err" "1 that ended meanwhile were recorded"
	equals "$how: the output is made" "$(psql -X -A -t -d "$D" -c "SELECT count(*) FROM file WHERE filename LIKE 'b_ok_%'")" 1
	equals "$how: the code ran once" "$(wc -l < "$CASCADE_TEST_DONE")" 1
	rm -f "$T/gate.fifo"
	psql -X -q -d postgres -c "DROP DATABASE $D WITH (FORCE)" >/dev/null
done

# A full disk: codes fail writing their outputs.  Not their fault: the
# builds wait, queued, nothing is marked bad, the run exits 7; once there
# is room the next run builds them.
if [ "$(id -u)" -ne 0 ]; then
	echo "# skipped: the full-disk case mounts a tmpfs, which needs root"
else
	D=${DB}_full
	psql -X -q -d postgres -c "CREATE DATABASE $D TEMPLATE template0" >/dev/null
	rm -rf "$T/data"
	mkdir -p "$T/data"
	if ! mount -t tmpfs -o size=8m tmpfs "$T/data"; then
		echo "# skipped: cannot mount a tmpfs here"
	else
		mkdir -p "$IN"
		sed -e "s|name: bad$|name: bad_full|" -e 's|gate.sh|fill.sh|' -e 's|slots: 2|slots: 1|' "$slowcfg" > "$T/full.yaml"
		"$CASCADE" init -m "$D" >/dev/null
		"$CASCADE" config apply "$T/full.yaml" -m "$D" >/dev/null
		for d in 01 02 03 04; do printf 'raw %s\n' $d > "$IN/b_raw_202403${d}_v1.0.0.dat"; done
		expect_rc 0 "full disk: the inputs are ingested" "$CASCADE" ingest -m "$D"
		head -c $((15 * 512 * 1024)) /dev/zero > "$T/data/filler" 2>/dev/null
		expect_rc 7 "full disk: the run exits 7" "$CASCADE" process -m "$D"
		contains "full disk: it says why" "$err" "is full"
		equals "full disk: nothing is bad or failed" "$(psql -X -A -t -d "$D" -c "SELECT count(*) FROM build WHERE status IN ('bad', 'failed')")|$(psql -X -A -t -d "$D" -c "SELECT count(*) FROM failure")" "0|0"
		equals "full disk: the builds wait, queued, attempts given back" "$(psql -X -A -t -d "$D" -c "SELECT count(*), max(attempt) FROM build WHERE status = 'queued'")" "4|0"
		rm -f "$T/data/filler"
		expect_rc 0 "full disk: once there is room, the next run" "$CASCADE" process -m "$D"
		equals "full disk: every output made" "$(psql -X -A -t -d "$D" -c "SELECT count(*) FROM file WHERE filename LIKE 'b_ok_%'")" 4
		umount "$T/data"
	fi
	psql -X -q -d postgres -c "DROP DATABASE $D WITH (FORCE)" >/dev/null
fi
t_end
