# 061-history: "cascade runs", "cascade builds" and "cascade show build":
# every filter, text (golden) and JSON, and the errors.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin history
. "$(dirname "$0")/lib-ops.sh"
populate

# -- runs
expect_rc 0 "runs" cascade runs
golden 061-runs
fits80 "runs"
expect_rc 0 "runs --json" cascade runs --json
json_ok "runs --json is valid"
jequals "runs: three" runs.# 3
jequals "runs: the format version" format 1
jequals "runs: newest first" runs.0.logging_id 3
jequals "runs: command" runs.0.command process-queue
jequals "runs: user" runs.0.user ops
jequals "runs: pid" runs.0.pid 5151
jequals "runs: comment" runs.0.comment "builds failed"
jequals "runs: start" runs.0.started_at 2024-03-01T09:00:00Z
jequals "runs: the ingest's own user" runs.1.user "$(id -un)"
jequals "runs: the ingest's own host" runs.1.hostname "$(hostname)"
jequals "runs: counts" runs.1.files_ingested 4
contains "runs: a run's comment" "$(jget runs.2.comment)" "applied $T/small.yaml: "
expect_rc 0 "runs --limit 1" cascade runs --limit 1 --json
jequals "--limit 1: one run" runs.# 1
jequals "--limit 1: the newest" runs.0.logging_id 3
expect_rc 0 "runs -l 0 (all)" cascade runs -l 0 --json
jequals "--limit 0: all" runs.# 3
expect_rc 0 "runs --since a date" cascade runs --since 2024-03-01 --json
jequals "--since 2024-03-01: all three" runs.# 3
expect_rc 0 "runs --since a time" cascade runs --since "2024-03-01 08:05:00" --json
jequals "--since 08:05: two" runs.# 2
expect_rc 0 "runs --since an ISO time" cascade runs --since 2024-03-01T08:05:01Z --json
jequals "--since 08:05:01: one" runs.# 1
expect_rc 0 "runs -s (short)" cascade runs -s 2024-03-01T08:05:01 --json
jequals "-s: one" runs.# 1
expect_rc 0 "runs --since the future" cascade runs --since 2030-01-01
equals "no runs: says so" "$out" "no runs"
expect_rc 0 "runs --command" cascade runs --command ingest --json
jequals "--command ingest: one" runs.# 1
jequals "--command ingest: the ingest" runs.0.command ingest
expect_rc 0 "runs --command with a space" cascade runs -c "config apply" --json
jequals "--command 'config apply'" runs.0.logging_id 1
expect_rc 0 "runs --status ok" cascade runs --status ok --json
jequals "--status ok: one" runs.# 1
expect_rc 0 "runs --status failed,ok" cascade runs --status failed,ok --json
jequals "--status failed,ok: three" runs.# 3
expect_rc 0 "runs --status running" cascade runs --status running
equals "--status running: none" "$out" "no runs"
expect_rc 0 "runs with every filter" cascade runs --since 2024-03-01 --command process-queue --status failed --limit 5
contains "every filter: the run" "$out" "     3 process-queue"
expect_rc 2 "runs --since a bad date" cascade runs --since 2024-02-30
contains "bad date named" "$err" 'invalid value "2024-02-30" for option "--since"'
contains "bad date: what is expected" "$err" "YYYY-MM-DD"
expect_rc 2 "runs --since garbage" cascade runs --since yesterday
expect_rc 2 "runs --status unknown" cascade runs --status fine
contains "bad status: the choices" "$err" "expected one of running, ok, failed, aborted, interrupted, cleared"
expect_rc 2 "runs --limit -1" cascade runs --limit -1
expect_rc 2 "runs --limit x" cascade runs --limit x
expect_rc 2 "runs with an operand" cascade runs extra

# -- builds
expect_rc 0 "builds" cascade builds
golden 061-builds
fits80 "builds"
expect_rc 0 "builds --json" cascade builds --json
json_ok "builds --json is valid"
jequals "builds: six" builds.# 6
jequals "builds: newest first" builds.0.build_id 6
jequals "builds: running has no end" builds.0.ended_at null
jequals "builds: bad" builds.1.status bad
jequals "builds: bad exit code" builds.1.exit_code 2
jequals "builds: killed signal" builds.2.term_signal 9
jequals "builds: killed has no exit code" builds.2.exit_code null
jequals "builds: killed has no CPU times" builds.2.cpu_user_s null
jequals "builds: timed_out reason" builds.3.reason "timed out after 60 s"
jequals "builds: failed duration" builds.4.duration_s 4
jequals "builds: failed rss" builds.4.max_rss_kb 102400
jequals "builds: inputs counted" builds.4.n_inputs 3
jequals "builds: succeeded cpu" builds.5.cpu_user_s 1.25
jequals "builds: code version" builds.5.code_version 1.0.0
jequals "builds: process" builds.5.process mag_l0_to_l1
jequals "builds: product" builds.5.product mag_l1
jequals "builds: batch" builds.5.batch_id 1
jequals "builds: run" builds.5.logging_id 3
jequals "builds: the format version" format 1
jequals "builds: output file name" builds.5.output_filename small_mag_l1_20240101_v1.0.0.dat
jequals "builds: output file id" builds.5.output_file_id "$F4"
jequals "builds: output version" builds.5.output_version 1.0.0
jequals "builds: code id" builds.5.code_id 1
jequals "builds: code file name" builds.5.code_filename l0_to_l1.sh
jequals "builds: code path" builds.5.code_path "$T/codes/bin/l0_to_l1.sh"
jequals "builds: argv" builds.5.argv.# 6
jequals "builds: argv 0 is the code" builds.5.argv.0 "$T/codes/bin/l0_to_l1.sh"
jequals "builds: argv 5 is the output" builds.5.argv.5 small_mag_l1_20240101_v1.0.0.dat
jequals "builds: inputs" builds.5.inputs.# 2
jequals "builds: input ids" builds.5.inputs.1.file_id "$F2"
jequals "builds: input names" builds.5.inputs.1.filename small_mag_l0_20240102_v1.0.0.dat
jequals "builds: another build's inputs" builds.4.inputs.# 3
jequals "builds: another build's argv" builds.4.argv.1 --date
jequals "builds: a build without argv" builds.2.argv null
expect_rc 0 "builds --process" cascade builds --process mag_l0_to_l1 --json
jequals "--process: all six" builds.# 6
expect_rc 0 "builds --product" cascade builds --product mag_l1 --json
jequals "--product mag_l1: six" builds.# 6
expect_rc 0 "builds --state failed" cascade builds --state failed --json
jequals "--state failed: one" builds.# 1
jequals "--state failed: build 2" builds.0.build_id 2
expect_rc 0 "builds --state failed,timed_out,killed,bad" cascade builds -s failed,timed_out,killed,bad --json
jequals "--state list: four" builds.# 4
expect_rc 0 "builds --state queued" cascade builds --state queued
equals "--state queued: none" "$out" "no builds"
expect_rc 0 "builds --from a time" cascade builds --from "2024-03-01 09:02:00" --json
jequals "--from 09:02: builds 3, 4, 5, 6" builds.# 4
expect_rc 0 "builds --to a time" cascade builds --to 2024-03-01T09:02:00 --json
jequals "--to 09:02: builds 1 and 2" builds.# 2
expect_rc 0 "builds --from --to" cascade builds --from 2024-03-01T09:02:00 --to 2024-03-01T09:05:00 --json
jequals "--from --to: builds 3 and 4" "builds.#" 2
jequals "--from --to: newest first" builds.0.build_id 4
expect_rc 0 "builds --to a whole day" cascade builds --to 2024-03-01 --json
jequals "--to 2024-03-01 takes the whole day" builds.# 6
expect_rc 0 "builds --to the day before" cascade builds --to 2024-02-29 --json
jequals "--to 2024-02-29: none" builds.# 0
expect_rc 0 "builds --limit 2" cascade builds --limit 2 --json
jequals "--limit 2" builds.# 2
expect_rc 0 "builds with every filter" cascade builds -p mag_l0_to_l1 --product mag_l1 -f 2024-03-01 -t 2024-03-01 -s succeeded -l 10
contains "every filter: build 1" "$out" "     1 mag_l0_to_l1     2024-01-01 succeeded   1     0 2024-03-01 09:00  2.50s"
expect_rc 2 "builds --process unknown" cascade builds --process nosuch
contains "unknown process named" "$err" 'there is no process named "nosuch"'
expect_rc 2 "builds --product unknown" cascade builds --product nosuch
contains "unknown product named" "$err" 'there is no product named "nosuch"'
expect_rc 2 "builds --state unknown" cascade builds --state done
contains "bad state: the choices" "$err" "expected one of queued, running, recording, succeeded"
expect_rc 2 "builds --state empty list" cascade builds --state ,
expect_rc 2 "builds --from a bad date" cascade builds --from 2024-13-01
contains "bad --from named" "$err" 'invalid value "2024-13-01" for option "--from"'
expect_rc 2 "builds --to a bad date" cascade builds --to 1.5.2024
expect_rc 2 "builds with an empty period" cascade builds --from 2024-03-02 --to 2024-03-01
contains "empty period" "$err" "the period is empty"

# -- show build
expect_rc 0 "show build 1" cascade show build 1
golden 061-show-build-1
contains "show: argv" "$out" "[1] --date"
contains "show: an input with its version" "$out" "mag_l0           1.0.0    small_mag_l0_20240101_v1.0.0.dat"
contains "show: CPU" "$out" "cpu time:    1.250 s user, 0.250 s system"
contains "show: rss" "$out" "max rss:     20480 KiB (20M)"
contains "show: the last 20 lines of the log" "$out" "last 20 lines of the log:"
contains "show: the last line" "$out" "| log line 30"
not_contains "show: not the 10th line" "$out" "| log line 10"
contains "show: the 11th line" "$out" "| log line 11"
contains "show: the output file" "$out" "small_mag_l1_20240101_v1.0.0.dat (file $F4)"
expect_rc 0 "show build 2" cascade show build 2
golden 061-show-build-2
contains "show failed: reason" "$out" "reason:      exited with status 1"
contains "show failed: exit" "$out" "exit:        status 1"
contains "show failed: its failure" "$out" "exit         exited with status 1"
contains "show failed: a short log, whole" "$out" "last 4 lines of the log:"
expect_rc 0 "show build 3 (timed out, log missing)" cascade show build 3
contains "show: an unreadable log says why" "$out" "(not readable: No such file or directory)"
contains "show: signal named" "$out" "killed by signal 15 (SIGTERM)"
expect_rc 0 "show build 4 (killed, no argv, no log)" cascade show build 4
contains "show: killed" "$out" "killed by signal 9 (SIGKILL)"
contains "show: no argv" "$out" "argv:        -"
contains "show: no log" "$out" "log:         -"
expect_rc 0 "show build 6 (running)" cascade show build 6
contains "show: running" "$out" "status:      running (attempt 1)"
not_contains "show: running has no end" "$out" "ended:"
expect_rc 0 "show build 2 --json" cascade show build 2 --json
json_ok "show --json is valid"
jequals "show json: id" build_id 2
jequals "show json: the format version" format 1
jequals "show json: argv" argv.# 3
jequals "show json: argv 1" argv.1 --date
jequals "show json: inputs" inputs.# 3
jequals "show json: input id" inputs.0.file_id "$F1"
jequals "show json: input name" inputs.2.filename small_mag_l0_20240103_v1.0.0.dat
jequals "show json: input version" inputs.2.version 1.0.0
jequals "show json: input date" inputs.2.utc_file_date 2024-01-03
jequals "show json: input product" inputs.2.product mag_l0
jequals "show json: code path" code_path "$T/codes/bin/l0_to_l1.sh"
jequals "show json: code sha256 unknown" code_sha256 null
jequals "show json: reason" reason "exited with status 1"
jequals "show json: host" hostname proc1
jequals "show json: failures" failures.# 1
jequals "show json: failure kind" failures.0.kind exit
jequals "show json: failure stderr" failures.0.stderr_tail "$(printf 'Traceback (most recent call last):\nValueError: no data')"
jequals "show json: log readable" log.readable true
jequals "show json: log lines" log.tail.# 4
jequals "show json: log last line" log.tail.3 "ValueError: no data"
jequals "show json: log path" log.path "$T/logs/2.log"
expect_rc 0 "show build 3 --json" cascade show build 3 --json
jequals "show json: unreadable log" log.readable false
jequals "show json: why" log.error "No such file or directory"
jequals "show json: no tail" log.tail null
expect_rc 0 "show build 4 --json" cascade show build 4 --json
jequals "show json: no argv" argv null
jequals "show json: no log" log null

# the code's sha256 once registered; an input whose file row is gone
sql "UPDATE code SET sha256 = repeat('ab', 32); INSERT INTO build (build_id, process_id, output_key, input_file_ids, status) VALUES (7, (SELECT process_id FROM process), 'k', '{$F1,999}', 'queued')" >/dev/null
expect_rc 0 "show build 1 with a registered code" cascade show build 1
contains "show: sha256" "$out" "sha256:      $(printf 'ab%.0s' $(seq 32))"
expect_rc 0 "show build 7 (queued, a missing input, no code)" cascade show build 7
contains "show: a missing input" "$out" "999 (the file row is gone)"
contains "show: no code" "$out" "code:        -"
expect_rc 0 "show build 7 --json" cascade show build 7 --json
jequals "show json: missing input" inputs.1.exists false
jequals "show json: missing input name" inputs.1.filename null
jequals "show json: no code" code_id null

# a log longer than what is read, with long lines, a NUL and invalid UTF-8
{ for i in $(seq 1 3000); do printf 'a fairly long log line number %s of the build, padded to be long enough\n' "$i"; done
  printf 'nul\000byte and bad \377 utf-8 and \033[2J escape\n'; } > "$T/logs/big.log"
sql "UPDATE build SET log_path = '$T/logs/big.log' WHERE build_id = 7" >/dev/null
expect_rc 0 "show a build with a big log" cascade show build 7
contains "big log: 20 lines" "$out" "last 20 lines of the log:"
contains "big log: its last line, made safe" "$out" "| nul?byte and bad ? utf-8 and ?[2J escape"
not_contains "big log: no escape character" "$out" "$(printf '\033')"
expect_rc 0 "show a build with a big log --json" cascade show build 7 --json
json_ok "big log: valid JSON"
jequals "big log json: 20 lines" log.tail.# 20
jequals "big log json: the line before the last" log.tail.18 "a fairly long log line number 3000 of the build, padded to be long enough"
mkdir "$T/logs/dir.log"
sql "UPDATE build SET log_path = '$T/logs/dir.log' WHERE build_id = 7" >/dev/null
expect_rc 0 "show a build whose log is a directory" cascade show build 7
contains "a directory is not read" "$out" "(not readable: not a regular file)"
mkfifo "$T/logs/fifo.log"
sql "UPDATE build SET log_path = '$T/logs/fifo.log' WHERE build_id = 7" >/dev/null
expect_rc 0 "show a build whose log is a FIFO (no hang)" timeout 10 "$CASCADE" show build 7 -m "$DB"
contains "a FIFO is not read" "$out" "(not readable: not a regular file)"
: > "$T/logs/empty.log"
sql "UPDATE build SET log_path = '$T/logs/empty.log' WHERE build_id = 7" >/dev/null
expect_rc 0 "show a build whose log is empty" cascade show build 7
contains "an empty log" "$out" "(empty)"

expect_rc 2 "show build of an unknown id" cascade show build 999
contains "unknown build: clear message" "$err" "build 999 does not exist"
equals "unknown build: nothing on stdout" "$out" ""
expect_rc 2 "show build abc" cascade show build abc
contains "bad id named" "$err" 'invalid build id "abc"'
expect_rc 2 "show build 0" cascade show build 0
expect_rc 2 "show build -1" cascade show build -1
expect_rc 2 "show build without an id" cascade show build
contains "missing id" "$err" "missing argument"
expect_rc 2 "show build with two ids" cascade show build 1 2
expect_rc 2 "show without an object" cascade show
expect_rc 2 "show an unknown object" cascade show file 1
contains "unknown object named" "$err" 'unknown object "file"'
t_end
