#!/bin/bash
# 117-watch: the resident controller (process-queue --watch).  A file
# delivered into incoming is processed to its last child with no other
# command; a file still held open by its writer waits for its close; a
# second --watch stands by; "cascade reprocess" runs beside the resident
# and wakes it (NOTIFY); a file arriving while a code runs is ingested at
# once; its database session ended, the resident stops its code,
# connects again and goes on as a new run; SIGTERM while a code runs is a
# clean stop (exit 0, the build queued again, the flag released) and a
# cron run finishes the work; a resident killed with SIGKILL is recovered
# by a cron run as any dead run.  Waits are bounded loops over a cheap
# check, never sleeps for time.
. "$(dirname "$0")/lib.sh"
t_begin watch

# the pipeline mission with its codes behind slow.sh, which blocks on
# $CASCADE_TEST_BLOCK when set (a FIFO nobody opens)
mkdir -p "$T/codes"
cp "$FIX"/pcodes/*.sh "$T/codes/"
sed -e "s|@ROOT@|$T|g; s|@FIX@|$FIX|g" \
    -e 's|filename: concat.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "--date {DATE}"|filename: slow.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "concat.sh --date {DATE}"|' \
    -e 's|{filename: concat.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}|{filename: slow.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "concat.sh"}|' \
    "$FIX/config/pipeline.yaml" > "$T/mission.yaml"
"$CASCADE" init -m "$DB" >/dev/null && "$CASCADE" config apply "$T/mission.yaml" -m "$DB" >/dev/null ||
	{ echo "not ok - setup failed"; exit 1; }
IN=$T/data/incoming
mkdir -p "$IN"
export CASCADE_TEST_COMPLETIONS=$T/completions
: > "$T/completions"
mkfifo "$T/block"

# until SECS WHAT QUERY WANT: wait (at most SECS) until QUERY returns WANT
until_sql() {
	local secs=$1 what=$2
	if Q=$3 W=$4 timeout "$secs" bash -c 'until [ "$(psql -XAtqc "$Q")" = "$W" ]; do sleep 0.1; done'; then
		pass "$what"
	else
		fail "$what" "got: $(sql "$3")" "want: $4"
	fi
}
# until_log SECS WHAT FILE TEXT: wait until FILE holds TEXT
until_log() {
	if F=$3 X=$4 timeout "$1" bash -c 'until grep -qF -- "$X" "$F"; do sleep 0.1; done'; then
		pass "$2"
	else
		fail "$2" "no \"$4\" in $3:" "$(tail -5 "$3")"
	fi
}
# start_watch NAME [VAR=VALUE...]: a resident controller in the background
start_watch() {
	local name=$1
	shift
	env "$@" "$CASCADE" process-queue --watch -v -m "$DB" > "$T/$name.out" 2> "$T/$name.err" &
	pid=$!
}
IDLE="SELECT (SELECT count(*) FROM processqueue) + (SELECT count(*) FROM build WHERE status IN ('queued', 'running', 'recording'))"

# -- a file arrives ---------------------------------------------------------
start_watch w1
w1=$pid
until_sql 20 "the resident holds the flag" \
	"SELECT command FROM logging WHERE currently_processing AND pid = $w1" "process-queue --watch"
printf 'x\n' > "$IN/.pl_raw_20240309_v1.0.0.dat.part"
deliver pl_raw_20240301_v1.0.0.dat "raw 1"
until_sql 30 "a delivered file is processed to its last child, with no other command" \
	"SELECT string_agg(p.process_name, ',' ORDER BY p.process_name) FROM build b JOIN process p USING (process_id) WHERE b.status = 'succeeded'" \
	"l1,l2,summary"
equals "its file and outputs are recorded" \
	"$(sql "SELECT string_agg(filename, ' ' ORDER BY filename) FROM file")" \
	"pl_l1_20240301_v1.0.0.dat pl_l2_20240301_v1.0.0.dat pl_raw_20240301_v1.0.0.dat"
equals "the incoming directory holds only the delivery in progress" "$(ls -A "$IN")" ".pl_raw_20240309_v1.0.0.dat.part"
kill -0 "$w1" 2>/dev/null && pass "the resident is still running" || fail "the resident is still running" "$(tail -5 "$T/w1.err")"

# -- a writer still has the file open: it waits for the close -----------------
exec 3> "$IN/pl_raw_20240302_v1.0.0.dat"
echo "raw 2" >&3
until_log 20 "a file held open by its writer is left (still being written)" "$T/w1.err" "still being written"
equals "it is not ingested while open" "$(sql "SELECT count(*) FROM file WHERE filename LIKE 'pl_raw_20240302%'")" 0
exec 3>&-
until_sql 30 "closed, it is ingested and processed" \
	"SELECT count(*) FROM file WHERE filename = 'pl_l2_20240302_v1.0.0.dat'" 1
until_sql 30 "the queue drains" "$IDLE" 0

# -- a second resident stands by ------------------------------------------------
start_watch w2
w2=$pid
until_log 20 "a second resident stands by" "$T/w2.err" "standing by: the processing flag is held by pid $w1"
kill -0 "$w2" 2>/dev/null && pass "the standby waits (no exit 3)" || fail "the standby waits (no exit 3)" "$(tail -5 "$T/w2.err")"

# -- reprocess runs beside the resident and wakes it ------------------------------
before=$(sql "SELECT count(*) FROM build WHERE status = 'succeeded'")
expect_rc 0 "reprocess runs beside the resident" cascade reprocess --product raw --force 2
contains "reprocess queued the raw files" "$out" "2 files queued"
equals "its run is recorded beside the resident's" \
	"$(sql "SELECT status || ' ' || comment FROM logging WHERE command = 'reprocess'")" \
	"ok Nominal Exit (beside a resident controller)"
until_sql 30 "the resident, notified, rebuilt the children" \
	"SELECT count(*) > $before FROM build WHERE status = 'succeeded'" t
until_sql 30 "and drained the queue" "$IDLE" 0
equals "the standby never held the flag" "$(sql "SELECT count(*) FROM logging WHERE pid = $w2")" 0
kill -TERM "$w2"
wait "$w2"
equals "SIGTERM stops the standby (exit 0)" "$?" 0

# -- SIGTERM while a code runs -----------------------------------------------
kill -TERM "$w1"
wait "$w1"
equals "SIGTERM stops the idle resident (exit 0)" "$?" 0
equals "its run is recorded as stopped, the flag released" \
	"$(sql "SELECT currently_processing || ' ' || status || ' ' || exit_status || ' ' || (comment LIKE 'Stopped by signal 15%') FROM logging WHERE pid = $w1")" \
	"false ok 0 true"
start_watch w3 CASCADE_TEST_BLOCK="$T/block"
w3=$pid
until_sql 20 "another resident takes the free flag" \
	"SELECT count(*) FROM logging WHERE currently_processing AND pid = $w3" 1
deliver pl_raw_20240305_v1.0.0.dat "raw 5"
until_sql 30 "its code runs (blocked)" \
	"SELECT count(*) FROM build WHERE status = 'running' AND output_key LIKE '2024-03-05%'" 1
deliver pl_raw_20240306_v1.0.0.dat "raw 6"
until_sql 30 "a file arriving while a code runs is ingested at once" \
	"SELECT count(*) FROM file WHERE filename = 'pl_raw_20240306_v1.0.0.dat'" 1
equals "while the code still runs" \
	"$(sql "SELECT count(*) FROM build WHERE status = 'running' AND output_key LIKE '2024-03-05%'")" 1
# its database session ended: it stops its code, connects again, takes
# the flag back as a new run and goes on
old=$(sql "SELECT logging_id FROM logging WHERE currently_processing AND pid = $w3")
equals "its session is ended" "$(sql "SELECT pg_terminate_backend(backend_pid) FROM logging WHERE logging_id = $old")" t
until_sql 30 "the resident takes the flag back as a new run" \
	"SELECT count(*) FROM logging WHERE currently_processing AND pid = $w3 AND logging_id > $old" 1
equals "its old run is recovered" \
	"$(sql "SELECT status || ' ' || (comment LIKE 'Recovered: the controller lost its database connection%') FROM logging WHERE logging_id = $old")" "aborted true"
contains "it stopped its code when the connection went" "$(cat "$T/w3.err")" "stopped the 1 code running on this host"
until_sql 30 "the stopped build runs again, on the attempt it was on" \
	"SELECT status || ' ' || attempt FROM build WHERE output_key LIKE '2024-03-05%'" "running 1"
kill -TERM "$w3"
wait "$w3"
equals "SIGTERM with a code running: a clean stop (exit 0)" "$?" 0
equals "the stopped build is queued again, its attempt given back" \
	"$(sql "SELECT status || ' ' || attempt FROM build WHERE output_key LIKE '2024-03-05%'")" "queued 0"
equals "the flag is released" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0
wait_supervisors "$DB"
left=$(grep -lsz "^CASCADE_TEST_BLOCK=$T/block\$" /proc/[0-9]*/environ | wc -l)
equals "no code is left running" "$left" 0
expect_rc 0 "a cron run finishes the work" cascade process-queue
equals "the stopped build ran again and succeeded, and the file that came meanwhile was processed" \
	"$(sql "SELECT count(*) FROM file WHERE filename IN ('pl_l2_20240305_v1.0.0.dat', 'pl_l2_20240306_v1.0.0.dat')")" 2

# -- SIGKILL: recovered by a cron run --------------------------------------------
start_watch w4 CASCADE_FAULT=build-started:kill
w4=$pid
until_sql 20 "a resident takes the flag" \
	"SELECT count(*) FROM logging WHERE currently_processing AND pid = $w4" 1
deliver pl_raw_20240308_v1.0.0.dat "raw 8"
wait "$w4"
equals "killed with SIGKILL right after starting a build" "$?" 137
equals "it left the flag and a running build" \
	"$(sql "SELECT (SELECT count(*) FROM logging WHERE currently_processing AND pid = $w4) || ' ' || (SELECT count(*) FROM build WHERE status = 'running')")" "1 1"
expect_rc 0 "a cron run recovers and finishes" cascade process-queue
contains "it recovered the resident's flag" "$err" "recovered a stale processing flag"
equals "the killed resident's run is recorded as aborted" \
	"$(sql "SELECT status FROM logging WHERE pid = $w4")" "aborted"
equals "everything was processed" \
	"$(sql "SELECT count(*) FROM file WHERE filename = 'pl_l2_20240308_v1.0.0.dat'")" 1
equals "nothing is left to do" "$(sql "$IDLE")" 0
equals "no code ran twice to completion" "$(sort "$T/completions" | uniq -d | wc -l)" 0
equals "no flag is held" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0
equals "the delivery in progress is still not taken" "$(ls -A "$IN")" ".pl_raw_20240309_v1.0.0.dat.part"
t_end
