# 060-status: "cascade status", the inspector view: an empty mission, a
# populated one (golden text, JSON), the flag held by a live, a dead and a
# remote controller, odd names, 80 columns.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin status
. "$(dirname "$0")/lib-ops.sh"

expect_rc 5 "status before init: no schema (exit 5)" cascade status
contains "says how to create the schema" "$err" "cascade init"
expect_rc 0 "init" cascade init
expect_rc 2 "status without a mission exits 2" cascade status
contains "says how to add a mission" "$err" "config apply"
demo_config "$T" > "$T/small.yaml"
expect_rc 0 "apply" cascade config apply "$T/small.yaml"
sql "UPDATE logging SET processing_start_time = '2024-03-01 08:00:00', processing_end_time = '2024-03-01 08:00:01.5'" >/dev/null

expect_rc 0 "status of an empty mission" cascade status
golden 060-status-empty
fits80 "status of an empty mission"
equals "nothing on stderr" "$err" ""
expect_rc 0 "status --json of an empty mission" cascade status --json
json_ok "status --json is one JSON document"
jequals "json: mission" mission small
jequals "json: the format version" format 1
jequals "json: no flag" flag null
jequals "json: empty queue" queue.files 0
jequals "json: no oldest entry" queue.oldest null
jequals "json: no builds" builds.by_status.# 0
jequals "json: one run" runs.# 1
jequals "json: the run is config apply" runs.0.command "config apply"
jequals "json: its exit status" runs.0.exit_status 0
jequals "json: its duration" runs.0.duration_s 1.5
jequals "json: no failures" failures.unresolved 0

# a mission with history: real runs, and builds of every state
psql -X -q -d postgres -c "DROP DATABASE $DB WITH (FORCE)" >/dev/null
psql -X -q -d postgres -c "CREATE DATABASE $DB TEMPLATE template0" >/dev/null
rm -rf "$T/data"
populate
expect_rc 0 "status of a populated mission" cascade status
golden 060-status
fits80 "status"
contains "flag not set" "$out" "Processing flag: not set"
contains "queue length" "$out" "Queue: 4 files"
contains "queue by product" "$out" "mag_l0                                        3 2024-03-01 08:05"
contains "the oldest unprocessed input" "$out" "oldest: file $F1 (mag_l0), queued 2024-03-01 08:05:02 UTC"
contains "builds by state" "$out" "Builds: 1 running, 1 succeeded, 1 failed, 1 timed_out, 1 killed, 1 bad"
contains "the running build is listed" "$out" "     6 mag_l0_to_l1     2024-01-06 running     1     - 2024-03-01 09:30"
contains "a run with its outcome and counts" "$out" "     3 process-queue    2024-03-01 09:00 10m00s failed         1   0/0/0  2/3/0"
contains "the ingest run counts its reject" "$out" "     2 ingest           2024-03-01 08:05  2.25s failed         1   4/0/1  0/0/0"
contains "a running batch with its process and progress" "$out" "     2 mag_l0_to_l1     running            2/0/4   1 2024-01-06 .. 2024-01-09"
contains "a batch whose builds failed is failed, with its counts" "$out" "     1 mag_l0_to_l1     failed             2/3/5   1 2024-01-01 .. 2024-01-05"
contains "failures awaiting a person" "$out" "Failures awaiting a person: 6"
contains "failures by process and kind" "$out" "mag_l0_to_l1             timeout                   1 2024-03-01 09:03"
contains "ingest rejects are a group" "$out" "ingest                   no-product                1 2024-03-01 08:05"

expect_rc 0 "status -q" cascade status -q
equals "status -q: the same view" "$(normalise < "$T/out")" "$(cat "$SRC/tests/expected/060-status.out")"
expect_rc 0 "status -v --log-file" cascade status -v --log-file "$T/status.log"
[ -f "$T/status.log" ] && pass "status --log-file: the log file is made" || fail "status --log-file: the log file is made"
expect_rc 0 "status --json of a populated mission" cascade status --json
json_ok "status --json is valid"
cp "$T/out" "$T/status.json"
jequals "json: queue files" queue.files 4
jequals "json: queue by product" queue.by_product.0.product mag_l0
jequals "json: queue by product count" queue.by_product.0.files 3
jequals "json: queue by product, second" queue.by_product.1.product mag_l1
jequals "json: oldest file id" queue.oldest.file_id "$F1"
jequals "json: oldest file name" queue.oldest.filename small_mag_l0_20240101_v1.0.0.dat
jequals "json: oldest queued at" queue.oldest.queued_at 2024-03-01T08:05:02Z
jequals "json: builds succeeded" builds.by_status.succeeded 1
jequals "json: builds bad" builds.by_status.bad 1
jequals "json: builds timed_out" builds.by_status.timed_out 1
jequals "json: running builds" builds.running.# 1
jequals "json: running build id" builds.running.0.build_id 6
jequals "json: running build pid" builds.running.0.pid 6006
jequals "json: running build started" builds.running.0.started_at 2024-03-01T09:30:00Z
jequals "json: runs, newest first" runs.0.logging_id 3
jequals "json: run status" runs.0.status failed
jequals "json: run builds_ok" runs.0.builds_ok 2
jequals "json: run builds_failed" runs.0.builds_failed 3
jequals "json: run end" runs.0.ended_at 2024-03-01T09:10:00Z
jequals "json: run duration" runs.0.duration_s 600
jequals "json: run host" runs.0.hostname proc1
jequals "json: ingest run rejects" runs.1.files_rejected 1
jequals "json: ingest run ingested" runs.1.files_ingested 4
jequals "json: batches" batches.# 3
jequals "json: newest batch first" batches.0.batch_id 3
jequals "json: batch state" batches.1.state running
jequals "json: batch progress" batches.1.done_count 2
jequals "json: batch size" batches.1.size 4
jequals "json: batch keys" batches.1.last_key 2024-01-09
jequals "json: batch process" batches.1.process mag_l0_to_l1
jequals "json: batch succeeded" batches.1.succeeded 2
jequals "json: a failed batch" batches.2.state failed
jequals "json: its builds that failed" batches.2.failed 3
jequals "json: and those that succeeded" batches.2.succeeded 2
jequals "json: unresolved failures" failures.unresolved 6
jequals "json: failure groups" failures.by_kind.# 6
jequals "json: first group" failures.by_kind.0.process batch
jequals "json: group kind" failures.by_kind.0.kind bad-batch
jequals "json: ingest group" failures.by_kind.1.process ingest
equals "json: time is UTC ISO" "$(jget time | sed 's/[0-9]/0/g')" "0000-00-00T00:00:00Z"

# resolved failures leave the view; a finished run count stays
sql "UPDATE failure SET resolved = true, resolved_at = now(), resolved_by = 'x' WHERE kind = 'bad-batch'" >/dev/null
expect_rc 0 "status after a failure is resolved" cascade status --json
jequals "json: resolved failures are not counted" failures.unresolved 5

# the flag: a holder killed on this host (stale, dead)
CASCADE_FAULT=flag-taken:kill "$CASCADE" process-queue -i -m "$DB" 2>/dev/null
dead=$(sql "SELECT logging_id FROM logging WHERE currently_processing")
expect_rc 0 "status with a dead holder's flag" cascade status
contains "names the holder's run" "$out" "Processing flag: held by run $dead (process-queue)"
contains "says it is dead and will be recovered" "$out" "stale: the holder is dead; the next run recovers the flag"
contains "the holder's host" "$out" "on host $(hostname)"
contains "the dead run is listed as running" "$out" "running"
fits80 "status with a stale flag"
expect_rc 0 "status --json with a dead holder's flag" cascade status --json
jequals "json: flag run" flag.logging_id "$dead"
jequals "json: flag session gone" flag.session_alive false
jequals "json: flag same host" flag.same_host true
jequals "json: flag process dead" flag.process_alive false
jequals "json: flag state" flag.state stale-dead
jequals "json: flag command" flag.command process-queue
jequals "json: the holder's run holds the flag" runs.0.currently_processing true
jequals "json: the holder's run is running" runs.0.status running
jequals "json: a running run has no end" runs.0.ended_at null
jequals "json: a running run has no exit status" runs.0.exit_status null

# a live holder (paused at the point where it took the flag)
make_fifo "$T/fifo"
CASCADE_FAULT=flag-taken:pause CASCADE_FAULT_FIFO=$T/fifo "$CASCADE" process-queue -i -m "$DB" >/dev/null 2>"$T/holder.err" &
holder=$!
exec 3>"$T/fifo"
live=$(sql "SELECT logging_id FROM logging WHERE currently_processing")
expect_rc 0 "status while a controller holds the flag" cascade status
contains "the live holder" "$out" "Processing flag: held by run $live (process-queue)"
contains "its pid" "$out" "pid $holder on host"
contains "alive" "$out" "state:   active (database session alive, backend pid"
contains "the recovered dead run" "$out" "aborted"
expect_rc 0 "status --json while a controller holds the flag" cascade status --json
jequals "json: live flag pid" flag.pid "$holder"
jequals "json: live flag session" flag.session_alive true
jequals "json: live flag state" flag.state active
[ "$(jget flag.backend_pid)" -gt 0 ] 2>/dev/null && pass "json: backend pid given" || fail "json: backend pid given" "$(jget flag.backend_pid)"
exec 3>&-
wait "$holder"
equals "the holder finished" "$?" 0

# a holder on another host, its session gone, its lease running
sql "INSERT INTO logging (currently_processing, pid, processing_start_time, mission_id, \"user\", hostname, command, lease_until)
     SELECT true, 4242, '2024-03-02 10:00:00', mission_id, 'ops', 'elsewhere.example', 'process-queue', now() + interval '1 hour' FROM mission" >/dev/null
expect_rc 0 "status with a remote holder" cascade status
contains "remote holder" "$out" "pid 4242 on host elsewhere.example, user ops"
contains "remote: since" "$out" "since:   2024-03-02 10:00:00 UTC"
contains "remote: lease" "$out" "lease:   until"
contains "remote: what to do" "$out" "cascade flag clear"
fits80 "status with a remote holder"
expect_rc 0 "status --json with a remote holder" cascade status --json
jequals "json: remote state" flag.state stale
jequals "json: remote process unknown" flag.process_alive null
jequals "json: remote host" flag.hostname elsewhere.example
jequals "json: remote since, ISO" flag.since 2024-03-02T10:00:00Z
equals "json: remote lease, ISO" "$(jget flag.lease_until | sed 's/[0-9]/0/g')" "0000-00-00T00:00:00Z"
expect_rc 0 "clear it" cascade flag clear --reason test

# names are shown safely in text and exactly in JSON
odd=$(printf 'odd\033[31m\tname\nwith newline.dat')
sql "INSERT INTO failure (kind, reason, filename, occurred_at) VALUES (E'no-product', E'a reason\\nover two lines', E'odd\\033[31m\\tname\\nwith newline.dat', '2024-03-01 10:00:00+00')" >/dev/null
expect_rc 0 "failures with an odd file name" cascade failures --process ingest
not_contains "no escape character reaches the terminal" "$out" "$(printf '\033')"
contains "control characters shown as ?, long names cut" "$out" "odd?[31m?name?with newl~ a reason?over two lines"
fits80 "failures with odd names"
expect_rc 0 "failures --json with odd names" cascade failures --process ingest --json
json_ok "odd names: valid JSON"
equals "odd names: JSON keeps the exact name" "$(jget failures.1.filename)" "$odd"
t_end
