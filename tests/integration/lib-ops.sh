# lib-ops.sh - helpers for the tests of the operators' views (bash):
# reading --json output, comparing text output with golden files, and a
# populated mission.  Source it after lib.sh and t_begin.
#
#   jget PATH [FILE]   print the value at PATH in the JSON document in FILE
#                      (default $T/out): PATH is dot-separated keys and
#                      array indexes ("runs.0.status"); a final "#" gives
#                      the length of an array or object.  Strings print
#                      raw, other values as compact JSON (null, true, 2.5).
#                      An invalid document fails the test.
#   golden NAME        compare $T/out, normalised (normalise), with
#                      tests/expected/NAME.out; CASCADE_UPDATE_EXPECTED=1
#                      writes the file instead.
#   fits80 WHAT        check that no line of $T/out is wider than 79
#                      columns.
#   populate           a mission with real runs (config apply, an ingest
#                      with a reject), their times fixed, and builds,
#                      batches and failures of every kind inserted as the
#                      runner writes them; see the function for the ids.
#
# JSON is read with python3, else jq (CASCADE_TEST_JSON=jq forces jq);
# nothing is installed at test time.

if [ "${CASCADE_TEST_JSON:-}" != jq ] && command -v python3 >/dev/null 2>&1; then
	_json_tool=python3
elif command -v jq >/dev/null 2>&1; then
	_json_tool=jq
else
	echo "not ok - neither python3 nor jq is installed: cannot read JSON output (install python3: scripts/install-deps.sh)"
	exit 1
fi

jget() {
	local path=$1 file=${2:-$T/out}
	if [ "$_json_tool" = python3 ]; then
		python3 - "$file" "$path" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f)
for k in [k for k in sys.argv[2].split(".") if k]:
    if k == "#":
        d = len(d)
    elif isinstance(d, list):
        d = d[int(k)]
    else:
        d = d[k]
print(d if isinstance(d, str) else json.dumps(d, separators=(",", ":")))
PY
	else
		local filter="." k
		local IFS=.
		for k in $path; do
			case "$k" in
			'') ;;
			'#') filter="$filter | length" ;;
			*[!0-9]*) filter="$filter | .[\"$k\"]" ;;
			*) filter="$filter | .[$k]" ;;
			esac
		done
		jq -r -c "$filter | if type == \"string\" then . else tojson end" "$file"
	fi
}

# json_ok WHAT: $T/out is one valid JSON document
json_ok() {
	if [ "$_json_tool" = python3 ]; then
		if python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$T/out" 2>"$T/json.err"; then
			pass "$1"
		else
			fail "$1" "$(cat "$T/json.err")" "$(head -c 2000 "$T/out")"
		fi
	else
		if jq -e . "$T/out" >/dev/null 2>"$T/json.err" && [ "$(jq -s length "$T/out")" = 1 ]; then
			pass "$1"
		else
			fail "$1" "$(cat "$T/json.err")" "$(head -c 2000 "$T/out")"
		fi
	fi
}

# jequals WHAT PATH WANT: the value at PATH in $T/out
jequals() {
	local got
	got=$(jget "$2")
	equals "$1" "$got" "$3"
}

# normalise: what differs between runs: the test's directory, the host,
# the user, the time at the top of "cascade status", and how long ago a
# fixture's running build started (a table's last column, in days)
normalise() {
	sed -E -e "s|$T|<T>|g" \
		-e "s|$(hostname)|<host>|g" \
		-e "s|by $(id -un)|by <user>|g" \
		-e '1s|^(Mission .* at ).*|\1<now>|' \
		-e 's/ +[0-9]+d([0-9]{2}h)?$/ <elapsed>/'
}

golden() {
	local want=$SRC/tests/expected/$1.out
	normalise < "$T/out" > "$T/golden.out"
	if [ "${CASCADE_UPDATE_EXPECTED:-}" = 1 ]; then
		cp "$T/golden.out" "$want"
		pass "$1 (expected output written)"
	elif [ ! -f "$want" ]; then
		fail "$1: matches tests/expected/$1.out" "no such file"
	elif diff -u "$want" "$T/golden.out" > "$T/golden.diff"; then
		pass "$1: matches tests/expected/$1.out"
	else
		fail "$1: matches tests/expected/$1.out" "$(cat "$T/golden.diff")"
	fi
}

fits80() {
	local wide
	wide=$(LC_ALL=C.UTF-8 awk 'length($0) > 79 { print NR ": " length($0) ": " $0 }' "$T/out")
	if [ -z "$wide" ]; then pass "$1 fits 80 columns"; else fail "$1 fits 80 columns" "$wide"; fi
}

# populate: the fixture every operators' view test starts from.
#   runs      1 config apply, 2 ingest (3 mag_l0 files, 1 mag_l1 file,
#             1 reject "unknown.dat"), 3 process-queue (inserted: 2 builds
#             ok, 3 failed), times fixed on 2024-03-01
#   files     F1 F2 F3: mag_l0 2024-01-01..03; F4: mag_l1 2024-01-01
#   batches   1 failed 5/5 (2 succeeded, 3 failed), 2 running 2/4 (2
#             succeeded), 3 bad 0/2 (all of run 3, process mag_l0_to_l1)
#   builds    1 succeeded (key 2024-01-01, output F4, log with 30 lines)
#             2 failed (exit 1, log), 3 timed_out, 4 killed (signal 9),
#             5 bad (batch 3), 6 running (since 2024-03-01 09:30)
#   failures  1 ingest no-product; 2 exit (build 2); 3 timeout (build 3);
#             4 signal (build 4); 5 bad (build 5); 6 bad-batch (batch 3)
populate() {
	demo_config "$T" > "$T/small.yaml"
	cascade init >/dev/null 2>&1 || { echo "not ok - populate: init"; exit 1; }
	cascade config apply "$T/small.yaml" >/dev/null || { echo "not ok - populate: apply"; exit 1; }
	IN=$T/data/incoming
	mkdir -p "$IN" "$T/logs"
	for d in 01 02 03; do
		printf 'day %s\n' "$d" > "$IN/small_mag_l0_202401${d}_v1.0.0.dat"
	done
	printf 'level one\n' > "$IN/small_mag_l1_20240101_v1.0.0.dat"
	printf 'nobody\n' > "$IN/unknown.dat"
	cascade ingest >/dev/null 2>&1
	[ "$(sql "SELECT count(*) FROM file")" = 4 ] || { echo "not ok - populate: ingest"; exit 1; }
	F1=$(sql "SELECT file_id FROM file WHERE filename = 'small_mag_l0_20240101_v1.0.0.dat'")
	F2=$(sql "SELECT file_id FROM file WHERE filename = 'small_mag_l0_20240102_v1.0.0.dat'")
	F3=$(sql "SELECT file_id FROM file WHERE filename = 'small_mag_l0_20240103_v1.0.0.dat'")
	F4=$(sql "SELECT file_id FROM file WHERE filename = 'small_mag_l1_20240101_v1.0.0.dat'")
	P=$(sql "SELECT process_id FROM process WHERE process_name = 'mag_l0_to_l1'")
	C=$(sql "SELECT code_id FROM code WHERE process_id = $P")
	printf 'log line %s\n' $(seq 1 30) > "$T/logs/1.log"
	printf 'starting\nreading %s\nTraceback (most recent call last):\nValueError: no data\n' "$F2" > "$T/logs/2.log"
	sql "
	UPDATE logging SET processing_start_time = '2024-03-01 08:00:00', processing_end_time = '2024-03-01 08:00:01.5' WHERE logging_id = 1;
	UPDATE logging SET processing_start_time = '2024-03-01 08:05:00', processing_end_time = '2024-03-01 08:05:02.25' WHERE logging_id = 2;
	UPDATE processqueue SET queued_at = '2024-03-01 08:05:01+00'::timestamptz + seq * interval '1 second';
	UPDATE failure SET occurred_at = '2024-03-01 08:05:02+00';
	INSERT INTO logging (logging_id, processing_start_time, processing_end_time, mission_id, \"user\", hostname, command, pid, status, exit_status, comment, builds_ok, builds_failed)
	  SELECT 3, '2024-03-01 09:00:00', '2024-03-01 09:10:00', mission_id, 'ops', 'proc1', 'process-queue', 5151, 'failed', 1, 'builds failed', 2, 3 FROM mission;
	SELECT setval(pg_get_serial_sequence('logging', 'logging_id'), 3);
	INSERT INTO batch (batch_id, logging_id, kind, state, size, done_count, succeeded_count, failed_count, process_id, first_key, last_key, attempts, hostname, pid, created_at, started_at, ended_at) VALUES
	  (1, 3, 'process', 'failed', 5, 5, 2, 3, $P, '2024-01-01', '2024-01-05', 1, 'proc1', 5151, '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00', '2024-03-01 09:05:00+00'),
	  (2, 3, 'process', 'running', 4, 2, 2, 0, $P, '2024-01-06', '2024-01-09', 1, 'proc1', 5151, '2024-03-01 09:05:00+00', '2024-03-01 09:05:00+00', NULL),
	  (3, 3, 'process', 'bad', 2, 0, 0, 0, $P, '2024-01-10', '2024-01-10', 3, 'proc1', 5151, '2024-03-01 09:06:00+00', '2024-03-01 09:06:00+00', '2024-03-01 09:07:00+00');
	SELECT setval(pg_get_serial_sequence('batch', 'batch_id'), 3);
	INSERT INTO build (build_id, batch_id, logging_id, process_id, code_id, output_key, utc_file_date, input_file_ids, output_file_id, output_filename, output_version, argv, status, attempt, exit_code, term_signal, reason, hostname, pid, log_path, queued_at, started_at, ended_at, cpu_user_s, cpu_sys_s, max_rss_kb) VALUES
	  (1, 1, 3, $P, $C, '2024-01-01', '2024-01-01', '{$F1,$F2}', $F4, 'small_mag_l1_20240101_v1.0.0.dat', '1.0.0',
	   '{$T/codes/bin/l0_to_l1.sh,--date,20240101,$T/data/mag/l0/2024/small_mag_l0_20240101_v1.0.0.dat,$T/data/mag/l0/2024/small_mag_l0_20240102_v1.0.0.dat,small_mag_l1_20240101_v1.0.0.dat}',
	   'succeeded', 1, 0, NULL, NULL, 'proc1', 6001, '$T/logs/1.log', '2024-03-01 09:00:00+00', '2024-03-01 09:00:01+00', '2024-03-01 09:00:03.5+00', 1.25, 0.25, 20480),
	  (2, 1, 3, $P, $C, '2024-01-02', '2024-01-02', '{$F1,$F2,$F3}', NULL, 'small_mag_l1_20240102_v1.0.0.dat', '1.0.0',
	   '{$T/codes/bin/l0_to_l1.sh,--date,20240102}', 'failed', 2, 1, NULL, 'exited with status 1', 'proc1', 6002, '$T/logs/2.log',
	   '2024-03-01 09:00:00+00', '2024-03-01 09:01:00+00', '2024-03-01 09:01:04+00', 3.5, 0.5, 102400),
	  (3, 1, 3, $P, $C, '2024-01-03', '2024-01-03', '{$F2,$F3}', NULL, NULL, NULL, '{$T/codes/bin/l0_to_l1.sh}', 'timed_out', 1, NULL, 15, 'timed out after 60 s', 'proc1', 6003, '$T/logs/missing.log',
	   '2024-03-01 09:00:00+00', '2024-03-01 09:02:00+00', '2024-03-01 09:03:00+00', 59.5, 0.25, 4096),
	  (4, 1, 3, $P, $C, '2024-01-04', '2024-01-04', '{$F3}', NULL, NULL, NULL, NULL, 'killed', 1, NULL, 9, 'killed by signal 9', 'proc1', 6004, NULL,
	   '2024-03-01 09:00:00+00', '2024-03-01 09:04:00+00', '2024-03-01 09:04:10+00', NULL, NULL, NULL),
	  (5, 3, 3, $P, $C, '2024-01-10', '2024-01-10', '{$F1}', NULL, NULL, NULL, NULL, 'bad', 3, 2, NULL, 'failed 3 times within 60 s', 'proc1', 6005, NULL,
	   '2024-03-01 09:06:00+00', '2024-03-01 09:06:10+00', '2024-03-01 09:06:11+00', 0.5, 0.5, 2048),
	  (6, 2, 3, $P, $C, '2024-01-06', '2024-01-06', '{}', NULL, NULL, NULL, '{$T/codes/bin/l0_to_l1.sh}', 'running', 1, NULL, NULL, NULL, 'proc1', 6006, '$T/logs/6.log',
	   '2024-03-01 09:30:00+00', '2024-03-01 09:30:00+00', NULL, NULL, NULL, NULL);
	SELECT setval(pg_get_serial_sequence('build', 'build_id'), 6);
	INSERT INTO failure (logging_id, build_id, batch_id, kind, reason, stderr_tail, occurred_at) VALUES
	  (3, 2, 1, 'exit', 'exited with status 1', E'Traceback (most recent call last):\nValueError: no data', '2024-03-01 09:01:04+00'),
	  (3, 3, 1, 'timeout', 'timed out after 60 s', NULL, '2024-03-01 09:03:00+00'),
	  (3, 4, 1, 'signal', 'killed by signal 9', NULL, '2024-03-01 09:04:10+00'),
	  (3, 5, 3, 'bad', 'failed 3 times within 60 s', 'usage: l0_to_l1.sh', '2024-03-01 09:06:11+00'),
	  (3, NULL, 3, 'bad-batch', 'batch 3 failed 3 times, each within 60 s of its start', NULL, '2024-03-01 09:07:00+00');
	" >/dev/null || { echo "not ok - populate: fixture rows"; exit 1; }
}
