# 030-flag: the processing flag: one holder, races, crash recovery,
# remote holders and leases, show and clear, the run record.
. "$(dirname "$0")/lib.sh"
t_begin flag
. "$(dirname "$0")/lib-ops.sh"

demo_config "$T" > "$T/small.yaml"
expect_rc 0 "init" cascade init
expect_rc 2 "process-queue without a mission exits 2" cascade process-queue
contains "no mission: says how to add one" "$err" "config apply"
expect_rc 0 "apply the small mission" cascade config apply "$T/small.yaml"

# a quiet run records itself with an end time and exit status
expect_rc 0 "process-queue with nothing to do" cascade process-queue
equals "nothing printed under cron (stdout)" "$out" ""
equals "nothing printed under cron (stderr)" "$err" ""
equals "the run is recorded, ended, ok" \
	"$(sql "SELECT currently_processing, status, exit_status, processing_end_time IS NOT NULL, processing_end_time >= processing_start_time, comment FROM logging WHERE command = 'process-queue' ORDER BY logging_id DESC LIMIT 1")" \
	"f|ok|0|t|t|Nominal Exit"
equals "hostname and user recorded" \
	"$(sql "SELECT hostname = '$(hostname)', \"user\" <> '' FROM logging WHERE command = 'process-queue' LIMIT 1")" "t|t"

# five controllers started at the same instant: exactly one holds the flag
make_fifo "$T/fifo"
pids=
for i in 1 2 3 4 5; do
	CASCADE_FAULT=flag-taken:pause CASCADE_FAULT_FIFO=$T/fifo \
		"$CASCADE" process-queue -m "$DB" >"$T/race.$i.out" 2>"$T/race.$i.err" &
	pids="$pids $!"
done
exec 3>"$T/fifo"        # returns once the winner is paused at flag-taken
winner=
# the four losers exit 3 by themselves; the winner waits on the fifo
n3=0
for p in $pids; do
	# wait for each loser: a process still waiting on the fifo is the winner
	if [ "$(sql "SELECT pid FROM logging WHERE currently_processing")" = "$p" ]; then
		winner=$p
		continue
	fi
	wait "$p"; st=$?
	[ "$st" -eq 3 ] && n3=$((n3 + 1))
done
equals "exactly one controller holds the flag" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 1
equals "the other four exit 3" "$n3" 4
loser_err=$(cat "$T"/race.*.err)
contains "a loser names the holder's pid" "$loser_err" "pid $winner on host"
contains "a loser names the holder's command" "$loser_err" "process-queue"

# while it is held: flag show, flag clear refuses, config apply refuses
expect_rc 0 "flag show" cascade flag show
contains "flag show names the holder" "$out" "pid $winner"
contains "flag show says the session is alive" "$out" "session:      alive"
expect_rc 0 "flag show --json" cascade flag show --json
json_ok "flag show --json is one JSON document"
jequals "flag json: the format version" format 1
jequals "flag json: the mission" mission small
jequals "flag json: the holder's pid" flag.pid "$winner"
jequals "flag json: its command" flag.command process-queue
jequals "flag json: its session is alive" flag.session_alive true
jequals "flag json: active" flag.state active
expect_rc 3 "flag clear refuses a live holder" cascade flag clear --reason test
contains "flag clear explains" "$err" "held by a live controller"
expect_rc 3 "config apply waits for no one: exits 3 while the flag is held" cascade config apply "$T/small.yaml"
exec 3>&-               # release the winner
wait "$winner"; st=$?
equals "the winner finishes normally" "$st" 0
equals "flag released" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0

# a holder killed with SIGKILL: the next run recovers the flag by itself
CASCADE_FAULT=flag-taken:kill "$CASCADE" process-queue -m "$DB" 2>/dev/null
st=$?
equals "holder died by SIGKILL" "$st" 137
dead=$(sql "SELECT logging_id FROM logging WHERE currently_processing")
[ -n "$dead" ] && pass "the dead holder left its flag row" || fail "the dead holder left its flag row"
expect_rc 0 "flag show on a stale flag" cascade flag show
contains "flag show: stale, will be recovered" "$out" "stale (will be recovered"
expect_rc 0 "flag show --json on a stale flag" cascade flag show --json
jequals "flag json: the dead holder's run" flag.logging_id "$dead"
jequals "flag json: stale-dead" flag.state stale-dead
jequals "flag json: its process is dead" flag.process_alive false
expect_rc 0 "the next run recovers and succeeds" cascade process-queue
contains "the recovery is logged" "$err" "recovered a stale processing flag"
equals "the dead run is marked aborted with an end time" \
	"$(sql "SELECT status, currently_processing, processing_end_time IS NOT NULL FROM logging WHERE logging_id = $dead")" "aborted|f|t"

# a holder whose pid was reused by another process is dead too
sql "INSERT INTO logging (currently_processing, pid, processing_start_time, mission_id, \"user\", hostname, command, pid_start_ticks, boot_id)
     SELECT true, $$, now() AT TIME ZONE 'UTC', mission_id, 'x', '$(hostname)', 'fake', 1, '$(cat /proc/sys/kernel/random/boot_id)' FROM mission" >/dev/null
expect_rc 0 "a reused pid is recognised as dead" cascade process-queue
contains "reused pid: recovered" "$err" "recovered a stale processing flag"

# a holder on another host: trusted until its lease ends
sql "INSERT INTO logging (currently_processing, pid, processing_start_time, mission_id, \"user\", hostname, command, lease_until)
     SELECT true, 4242, now() AT TIME ZONE 'UTC', mission_id, 'x', 'elsewhere.example', 'process-queue', now() + interval '1 hour' FROM mission" >/dev/null
expect_rc 3 "a remote holder within its lease is trusted" cascade process-queue
contains "remote holder named" "$err" 'pid 4242 on host "elsewhere.example"'
expect_rc 0 "flag clear on a remote holder whose session is gone" cascade flag clear --reason "host died"
contains "flag clear reports it" "$out" "cleared the processing flag"
equals "the clear is recorded as dbprocessing did" \
	"$(sql "SELECT status, comment LIKE 'Overridden:host died:%' FROM logging WHERE pid = 4242")" "cleared|t"
sql "INSERT INTO logging (currently_processing, pid, processing_start_time, mission_id, \"user\", hostname, command, lease_until)
     SELECT true, 4343, now() AT TIME ZONE 'UTC', mission_id, 'x', 'elsewhere.example', 'process-queue', now() - interval '1 minute' FROM mission" >/dev/null
expect_rc 0 "a remote holder whose lease expired is recovered" cascade process-queue
contains "expired lease: recovered" "$err" "lease of holder pid 4343"
expect_rc 0 "flag clear with nothing set" cascade flag clear --reason nothing
contains "nothing to clear" "$out" "not set"

# --force ends a live holder's session
CASCADE_FAULT=flag-taken:pause CASCADE_FAULT_FIFO=$T/fifo "$CASCADE" process-queue -m "$DB" >/dev/null 2>"$T/forced.err" &
holder=$!
exec 3>"$T/fifo"
expect_rc 3 "cascade-flag.sh clear refuses a live holder" "$SRC/scripts/cascade-flag.sh" clear "no"
contains "cascade-flag.sh says why" "$err" "holder of the processing flag is alive"
expect_rc 0 "flag clear --force clears a live holder" cascade flag clear --reason "stuck" --force
exec 3>&-
wait "$holder"; st=$?
[ "$st" -ne 0 ] && pass "the forced holder does not report success ($st)" || fail "the forced holder does not report success"
equals "no flag left" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0

# the admin script works with psql alone
expect_rc 0 "cascade-flag.sh show" "$SRC/scripts/cascade-flag.sh" show
contains "script: not set" "$out" "no processing flag"
sql "INSERT INTO logging (currently_processing, pid, processing_start_time, mission_id, \"user\", hostname, command)
     SELECT true, 99999, now() AT TIME ZONE 'UTC', mission_id, 'x', 'elsewhere.example', 'process-queue' FROM mission" >/dev/null
expect_rc 0 "cascade-flag.sh show with a flag" "$SRC/scripts/cascade-flag.sh" show
contains "script: shows the holder" "$out" "99999"
expect_rc 0 "cascade-flag.sh clear" "$SRC/scripts/cascade-flag.sh" clear "by script"
equals "script cleared it" "$(sql "SELECT status, comment LIKE 'Overridden:by script%' FROM logging WHERE pid = 99999")" "cleared|t"
expect_rc 0 "process-queue after the script clear" cascade process-queue
t_end
