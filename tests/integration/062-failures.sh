# 062-failures: "cascade failures" list, show, resolve and retry: grouping
# and filters, the writes (queue entries, cancelled builds and batches,
# resolved rows), the run records, the processing flag, and the errors.
. "$(dirname "$0")/lib.sh"
t_begin failures
. "$(dirname "$0")/lib-ops.sh"
populate

# -- list
expect_rc 0 "failures" cascade failures
golden 062-failures
fits80 "failures"
contains "grouped by process and kind" "$out" "mag_l0_to_l1 / timeout: 1"
contains "ingest rejects grouped as ingest" "$out" "ingest / no-product: 1"
contains "a batch failure" "$out" "batch / bad-batch: 1"
contains "a build failure row" "$out" "      3  2024-03-01 09:03 build 3 2024-01-03       timed out after 60 s"
contains "an ingest reject row" "$out" "unknown.dat"
expect_rc 0 "failures list (explicit)" cascade failures list
equals "failures list is failures" "$(normalise < "$T/out")" "$(cat "$SRC/tests/expected/062-failures.out")"
expect_rc 0 "failures --json" cascade failures --json
json_ok "failures --json is valid"
jequals "json: six" failures.# 6
jequals "json: the format version" format 1
jequals "json: ordered by process" failures.0.process batch
jequals "json: batch id" failures.0.batch_id 3
jequals "json: batch failure has no build" failures.0.build_id null
jequals "json: ingest reject" failures.1.process ingest
jequals "json: ingest reject file" failures.1.filename unknown.dat
jequals "json: ingest reject run" failures.1.logging_id 2
jequals "json: build failure" failures.2.build_id 5
jequals "json: build failure key" failures.2.output_key 2024-01-10
jequals "json: stderr tail" failures.2.stderr_tail "usage: l0_to_l1.sh"
jequals "json: unresolved" failures.2.resolved false
jequals "json: occurred" failures.2.occurred_at 2024-03-01T09:06:11Z
expect_rc 0 "failures --kind" cascade failures --kind timeout --json
jequals "--kind timeout: one" failures.# 1
jequals "--kind timeout: failure 3" failures.0.failure_id 3
expect_rc 0 "failures --process" cascade failures --process mag_l0_to_l1 --json
jequals "--process mag_l0_to_l1: four" failures.# 4
expect_rc 0 "failures --process ingest" cascade failures -p ingest --json
jequals "--process ingest: one" failures.# 1
expect_rc 0 "failures --process batch" cascade failures -p batch --json
jequals "--process batch: one" failures.# 1
expect_rc 0 "failures --kind and --process" cascade failures -k exit -p mag_l0_to_l1
contains "--kind exit: failure 2" "$out" "build 2 2024-01-02"
not_contains "--kind exit: not failure 3" "$out" "build 3"
expect_rc 0 "failures --kind with no match" cascade failures --kind nosuch
equals "no match: says so" "$out" "no failures awaiting a person"
expect_rc 2 "failures --process unknown" cascade failures --process nosuch
contains "unknown process named" "$err" 'there is no process named "nosuch"'
contains "hint: ingest" "$err" '"ingest" for ingest rejects'
expect_rc 2 "failures with an unknown subcommand" cascade failures frob
contains "unknown subcommand named" "$err" 'unknown subcommand "frob"'

# -- show
expect_rc 0 "failures show 2" cascade failures show 2
golden 062-failure-2
contains "show: the whole stderr tail" "$out" "| ValueError: no data"
expect_rc 0 "failures show 1 (ingest reject)" cascade failures show 1
contains "show: the file" "$out" "subject:     unknown.dat"
contains "show: the whole reason" "$out" "reason:      matches no product"
expect_rc 0 "failures show --json" cascade failures show 6 --json
json_ok "failures show --json is valid"
jequals "show json: id" failure_id 6
jequals "show json: the format version" format 1
jequals "show json: kind" kind bad-batch
jequals "show json: reason" reason "batch 3 failed 3 times, each within 60 s of its start"
expect_rc 2 "failures show of an unknown id" cascade failures show 99
contains "unknown failure: clear message" "$err" "failure 99 does not exist"
expect_rc 2 "failures show x" cascade failures show x
contains "bad failure id" "$err" 'invalid failure id "x"'

# -- resolve
expect_rc 2 "resolve without a note" cascade failures resolve 3
contains "a note is required" "$err" "a note is required"
expect_rc 2 "resolve without an id" cascade failures resolve --note x
expect_rc 2 "resolve of an unknown id changes nothing" cascade failures resolve 3 99 --note "fixed"
contains "unknown id named" "$err" "failure 99 does not exist"
contains "nothing changed" "$err" "Nothing was changed."
equals "failure 3 still unresolved" "$(sql "SELECT resolved FROM failure WHERE failure_id = 3")" f
equals "the refused run is recorded as failed" "$(sql "SELECT command, status, exit_status FROM logging ORDER BY logging_id DESC LIMIT 1")" "failures resolve|failed|2"
expect_rc 0 "resolve 3 4" cascade failures resolve 3 4 --note "disk was full; fixed"
contains "resolve: count" "$out" "resolved 2 failures"
equals "resolved rows" "$(sql "SELECT failure_id, resolved, resolved_at IS NOT NULL, resolved_by, note FROM failure WHERE failure_id IN (3, 4) ORDER BY 1")" \
	"3|t|t|$(id -un)|disk was full; fixed
4|t|t|$(id -un)|disk was full; fixed"
equals "the resolve run is recorded" "$(sql "SELECT command, status, exit_status, comment, currently_processing FROM logging ORDER BY logging_id DESC LIMIT 1")" \
	"failures resolve|ok|0|resolved 2 failures|f"
expect_rc 0 "resolve an already resolved failure" cascade failures resolve 3 --note again
contains "already resolved: said" "$out" "failure 3 was already resolved (left as it was)"
contains "already resolved: none changed" "$out" "resolved 0 failures"
equals "the first note is kept" "$(sql "SELECT note FROM failure WHERE failure_id = 3")" "disk was full; fixed"
expect_rc 0 "failures no longer lists resolved ones" cascade failures
not_contains "resolved 3 gone" "$out" "build 3 "
expect_rc 0 "failures --all lists them, marked" cascade failures --all
contains "--all: marked resolved" "$out" "      3* 2024-03-01 09:03"
contains "--all: counts" "$out" "mag_l0_to_l1 / timeout: 1 (0 unresolved)"
contains "--all: legend" "$out" "* resolved"
fits80 "failures --all"
expect_rc 0 "failures show of a resolved failure" cascade failures show 3
contains "show: resolved by" "$out" "by $(id -un)"
contains "show: the note" "$out" "note:        disk was full; fixed"
expect_rc 0 "failures -a (short)" cascade failures -a --json
jequals "-a: six" failures.# 6
expect_rc 0 "failures --all --json" cascade failures --all --json
jequals "--all json: six" failures.# 6
jequals "--all json: resolved" failures.4.resolved true
jequals "--all json: note" failures.4.note "disk was full; fixed"

# -- retry
expect_rc 2 "retry without a target" cascade failures retry
contains "retry: what is needed" "$err" "ids, --process or --all"
expect_rc 2 "retry with ids and --all" cascade failures retry 2 --all
expect_rc 2 "retry with --process and --all" cascade failures retry --process mag_l0_to_l1 --all
expect_rc 2 "retry of an unknown id" cascade failures retry 2 99
contains "retry: unknown id named" "$err" "failure 99 does not exist"
equals "retry refused: failure 2 untouched" "$(sql "SELECT resolved FROM failure WHERE failure_id = 2")" f
expect_rc 2 "retry --process unknown" cascade failures retry --process nosuch

# a build failure: its inputs are queued again, bad/failed builds of its
# key cancelled, the failure resolved "retried"
sql "DELETE FROM processqueue" >/dev/null
sql "INSERT INTO build (build_id, process_id, code_id, output_key, status, input_file_ids) SELECT 8, process_id, code_id, '2024-01-02', 'bad', '{}' FROM code" >/dev/null
expect_rc 0 "retry 2" cascade failures retry 2
contains "retry: what it does" "$out" "failure 2: mag_l0_to_l1 build 2 (2024-01-02): retrying"
contains "retry: summary" "$out" "retried 1 failure: queued 3 files, cancelled 2 builds and 0 batches"
equals "retry: the inputs are queued" "$(sql "SELECT string_agg(file_id::text, ',' ORDER BY file_id) FROM processqueue")" "$F1,$F2,$F3"
equals "retry: the queue entries say why" "$(sql "SELECT DISTINCT reason FROM processqueue")" "retry of failure 2"
equals "retry: the queue entries name the run" "$(sql "SELECT count(*) FROM processqueue q JOIN logging l USING (logging_id) WHERE l.command = 'failures retry'")" 3
equals "retry: failed and bad builds of the key cancelled" "$(sql "SELECT build_id, status FROM build WHERE output_key = '2024-01-02' ORDER BY 1")" "2|cancelled
8|cancelled"
equals "retry: other builds untouched" "$(sql "SELECT status FROM build WHERE build_id IN (1, 3, 4, 5, 6) ORDER BY build_id")" "succeeded
timed_out
killed
bad
running"
equals "retry: the failure is resolved" "$(sql "SELECT resolved, resolved_by, note FROM failure WHERE failure_id = 2")" "t|$(id -un)|retried"
equals "retry: the run is recorded" "$(sql "SELECT command, status, comment FROM logging ORDER BY logging_id DESC LIMIT 1")" \
	"failures retry|ok|retried 1 failures: queued 3 files, cancelled 2 builds and 0 batches"
expect_rc 0 "retry 2 again: already resolved" cascade failures retry 2
contains "retry again: said" "$out" "failure 2 was already resolved (left as it was)"
equals "retry again: queue unchanged" "$(sql "SELECT count(*) FROM processqueue")" 3

# an ingest reject: nothing to queue; the file stays where it is
ls "$T/data/errors" > "$T/errors.before"
expect_rc 0 "retry of an ingest reject" cascade failures retry 1
contains "reject: nothing to re-queue" "$out" 'failure 1: ingest reject of "unknown.dat" (no-product): nothing to re-queue from the database'
contains "reject: where the file is" "$out" "the file is in the error directory $T/data/errors"
contains "reject: what to do" "$out" "move it back to $T/data/incoming"
contains "reject: summary" "$out" "1 ingest reject left for a person"
equals "reject: still unresolved" "$(sql "SELECT resolved FROM failure WHERE failure_id = 1")" f
equals "reject: no file moved" "$(ls "$T/data/errors")" "$(cat "$T/errors.before")"
[ -f "$T/data/errors/unknown.dat" ] && pass "reject: the file is still in the error directory" || fail "reject: the file is still in the error directory"
equals "reject: queue unchanged" "$(sql "SELECT count(*) FROM processqueue")" 3

# --process: every unresolved failure of a process (build 5, bad)
sql "DELETE FROM processqueue" >/dev/null
expect_rc 0 "retry --process" cascade failures retry --process mag_l0_to_l1
contains "--process: failure 5" "$out" "failure 5: mag_l0_to_l1 build 5 (2024-01-10): retrying"
not_contains "--process: not the resolved ones" "$out" "failure 3"
contains "--process: summary" "$out" "retried 1 failure: queued 1 file, cancelled 1 build and 0 batches"
equals "--process: build 5 cancelled" "$(sql "SELECT status FROM build WHERE build_id = 5")" cancelled
equals "--process: batch 3 untouched by a build retry" "$(sql "SELECT state FROM batch WHERE batch_id = 3")" bad

# --all: the batch failure (its builds that did not succeed) and the reject
sql "DELETE FROM processqueue; INSERT INTO processqueue (file_id) VALUES ($F1)" >/dev/null
expect_rc 0 "retry --all" cascade failures retry --all
contains "--all: the batch" "$out" "failure 6: batch 3: retrying its builds"
contains "--all: the reject is explained" "$out" "failure 1: ingest reject"
contains "--all: an input already queued is not queued twice" "$out" "queued 0 files"
contains "--all: the batch is cancelled" "$out" "and 1 batch"
equals "--all: batch 3 cancelled" "$(sql "SELECT state, ended_at IS NOT NULL FROM batch WHERE batch_id = 3")" "cancelled|t"
equals "--all: failure 6 resolved" "$(sql "SELECT note FROM failure WHERE failure_id = 6")" retried
equals "--all: one queue entry" "$(sql "SELECT count(*) FROM processqueue")" 1
expect_rc 0 "retry -a with nothing but a reject left" cascade failures retry -a
not_contains "nothing retried: no summary" "$out" "retried"
expect_rc 0 "resolve the reject" cascade failures resolve 1 --note "moved back by hand"
expect_rc 0 "retry -p ingest with nothing left" cascade failures retry -p ingest
equals "nothing left: says so" "$out" "no failures to retry"

# writers take the processing flag: exit 3 while a controller holds it
make_fifo "$T/fifo"
CASCADE_FAULT=flag-taken:pause CASCADE_FAULT_FIFO=$T/fifo "$CASCADE" process-queue -i -m "$DB" >/dev/null 2>&1 &
holder=$!
exec 3>"$T/fifo"
expect_rc 3 "resolve while the flag is held" cascade failures resolve 5 --note x
contains "resolve: names the holder" "$err" "pid $holder"
expect_rc 3 "retry while the flag is held" cascade failures retry --all
expect_rc 0 "list while the flag is held" cascade failures --all
exec 3>&-
wait "$holder"
t_end
