# 063-stats: "cascade stats": per-process build statistics over a period
# (counts, times, CPU, memory), run totals, the runs that did work.
. "$(dirname "$0")/lib.sh"
t_begin stats
. "$(dirname "$0")/lib-ops.sh"
populate
# a second process without builds, and an idle run
cp "$T/small.yaml" "$T/two.yaml"
cat >> "$T/two.yaml" <<'YAML'
  - name: notes_run
    output_timebase: RUN
    inputs:
      - product: notes
    codes:
      - filename: notes.sh
        relative_path: bin
        version: 1.0.0
        output_interface_version: 1
        start_date: 2020-01-01
YAML
expect_rc 0 "apply a second process" cascade config apply "$T/two.yaml"
sql "UPDATE logging SET processing_start_time = '2024-03-02 12:00:00', processing_end_time = '2024-03-02 12:00:00.5' WHERE logging_id = 4" >/dev/null

expect_rc 0 "stats" cascade stats
golden 063-stats
fits80 "stats"
contains "all time" "$out" "Builds by process, all time:"
contains "per-process row" "$out" "mag_l0_to_l1        6     1    3   1  1.00s  15.5s  1m00s  1m18s  1m06s   100M"
contains "a process without builds" "$out" "notes_run           0     0    0   0      -      -      -      -      -      -"
contains "run totals" "$out" "Runs, all time: 4 (2 did work)"
contains "file totals" "$out" "files: 4 ingested, 0 duplicates, 1 rejected"
contains "build totals" "$out" "builds: 2 ok, 3 failed, 0 skipped"
contains "the runs that did work" "$out" "     3 process-queue"
not_contains "idle runs are not listed" "$out" "config apply"

expect_rc 0 "stats --json" cascade stats --json
json_ok "stats --json is valid"
jequals "json: open period" from null
jequals "json: the format version" format 1
jequals "json: open period end" until null
jequals "json: processes" processes.# 2
jequals "json: process name" processes.0.process mag_l0_to_l1
jequals "json: product" processes.0.product mag_l1
jequals "json: RUN process has no product" processes.1.product null
jequals "json: builds" processes.0.builds 6
jequals "json: ok" processes.0.ok 1
jequals "json: failed (failed, timed out, killed)" processes.0.failed 3
jequals "json: bad" processes.0.bad 1
jequals "json: open" processes.0.open 1
jequals "json: cancelled" processes.0.cancelled 0
jequals "json: min" processes.0.min_s 1
jequals "json: max" processes.0.max_s 60
jequals "json: total" processes.0.total_s 77.5
jequals "json: mean" processes.0.mean_s 15.5
jequals "json: cpu" processes.0.cpu_s 66.25
jequals "json: max rss" processes.0.max_rss_kb 102400
jequals "json: no builds: zero" processes.1.builds 0
jequals "json: no builds: no times" processes.1.mean_s null
jequals "json: no builds: no cpu" processes.1.cpu_s null
jequals "json: no builds: no rss" processes.1.max_rss_kb null
jequals "json: runs" runs.total 4
jequals "json: runs that worked" runs.worked 2
jequals "json: files ingested" runs.files_ingested 4
jequals "json: files rejected" runs.files_rejected 1
jequals "json: builds ok" runs.builds_ok 2
jequals "json: builds failed" runs.builds_failed 3
jequals "json: listed" runs.list.# 2
jequals "json: listed newest first" runs.list.0.logging_id 3
jequals "json: none left out" runs.not_listed 0

# a period: builds by start time, runs by start time
expect_rc 0 "stats --from --to (a time window)" cascade stats --from 2024-03-01T09:00:30 --to 2024-03-01T09:05:00 --json
jequals "window: from" from 2024-03-01T09:00:30Z
jequals "window: until" until 2024-03-01T09:05:00Z
jequals "window: builds 2, 3, 4" processes.0.builds 3
jequals "window: none ok" processes.0.ok 0
jequals "window: three failed" processes.0.failed 3
jequals "window: min" processes.0.min_s 4
jequals "window: cpu of those that recorded it" processes.0.cpu_s 63.75
jequals "window: no run started in it" runs.total 0
expect_rc 0 "stats --from --to (text)" cascade stats --from 2024-03-01T09:00:30 --to 2024-03-01T09:05:00
contains "window: the period" "$out" "Builds by process, from 2024-03-01 09:00:30 until 2024-03-01 09:05:00 UTC:"
contains "window: run totals" "$out" "Runs, from 2024-03-01 09:00:30 until 2024-03-01 09:05:00 UTC: 0 (0 did work)"
expect_rc 0 "stats -f -t (short)" cascade stats -f 2024-03-01T09:00:30 -t 2024-03-01T09:05:00 --json
jequals "-f -t: the same window" processes.0.builds 3
expect_rc 0 "stats --from a day" cascade stats --from 2024-03-02 --json
jequals "--from 2024-03-02: no builds" processes.0.builds 0
jequals "--from 2024-03-02: the idle run" runs.total 1
jequals "--from 2024-03-02: idle" runs.worked 0
expect_rc 0 "stats --to a day (its end)" cascade stats --to 2024-03-01 --json
jequals "--to 2024-03-01: until the next midnight" until 2024-03-02T00:00:00Z
jequals "--to 2024-03-01: the started builds" processes.0.builds 6
jequals "--to 2024-03-01: three runs" runs.total 3
expect_rc 0 "stats --limit 1" cascade stats --limit 1
contains "--limit: one listed, the rest counted" "$out" "(1 more; see --limit)"
expect_rc 0 "stats --limit 1 --json" cascade stats --limit 1 --json
jequals "--limit json: listed" runs.list.# 1
jequals "--limit json: not listed" runs.not_listed 1
expect_rc 0 "stats -l 0" cascade stats -l 0 --json
jequals "--limit 0: all" runs.list.# 2

expect_rc 2 "stats --from a bad date" cascade stats --from 2024-02-30
contains "bad date named" "$err" 'invalid value "2024-02-30" for option "--from"'
expect_rc 2 "stats --to a bad date" cascade stats --to tomorrow
expect_rc 2 "stats with an empty period" cascade stats --from 2024-03-02 --to 2024-03-01
contains "empty period" "$err" "the period is empty"
expect_rc 2 "stats --limit -5" cascade stats --limit -5
expect_rc 2 "stats with an operand" cascade stats now
t_end
