# 121-schedule: a process without inputs declares a schedule (every
# period from a start date, due lag_days after it ended) and
# process-queue plans the keys that are due and have no build yet, with
# the reason "scheduled"; their outputs feed the processes downstream as
# any output does.  The keys are relative to today (UTC): a run that
# straddles midnight accepts either day's set.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin schedule

day() { date -u -d "$1 days" +%F; }
start=$(day -5)
# mission FILE LAG: eph on its schedule, l1 from it
mission() {
	sed -n '/^products:/q;p' "$T/plan.yaml" > "$1"
	cat >> "$1" <<EOF
products:
  - {name: eph, instrument: ins, level: 0, format: "s_eph_{Y}{m}{d}_v{VERSION}.dat", relative_path: eph}
  - {name: l1, instrument: ins, level: 1, format: "s_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
processes:
  - name: eph
    output_product: eph
    output_timebase: DAILY
    codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]
    schedule: {every: DAILY, start_date: $start, lag_days: $2}
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [eph], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
EOF
}
plan_setup <<EOF
products:
  - {name: eph, instrument: ins, level: 0, format: "s_eph_{Y}{m}{d}_v{VERSION}.dat", relative_path: eph}
EOF
mission "$T/lag1.yaml" 1
expect_rc 0 "apply: eph every day from 5 days ago, a day late" cascade config apply "$T/lag1.yaml"
contains "the schedule is reported" "$out" "+ schedule eph: DAILY from $start, lag 1 day(s)"
equals "stored" "$(sql "SELECT every || ' ' || start_date || ' ' || lag_days FROM process_schedule")" "DAILY $start 1"
expect_rc 0 "export has it" cascade config export
contains "in the mission file's words" "$out" "schedule:"
contains "its start" "$out" "start_date: $start"

# keys: the days from start to today - lag - 1
keys() { # LAG TODAY_OFFSET...
	local lag=$1 k=-5 last
	last=$((-1 - lag))
	while [ $k -le $last ]; do printf '%s ' "$(day $k)"; k=$((k + 1)); done
}
before=$(day 0)
expect_rc 0 "process-queue plans what is due" "$CASCADE" process-queue -m "$DB"
after=$(day 0)
got=$(sql "SELECT string_agg(b.output_key, ' ' ORDER BY b.output_key) || ' ' FROM build b JOIN process p USING (process_id) WHERE p.process_name = 'eph'")
if [ "$before" = "$after" ] || [ "$got" != "$(keys 1)" ]; then
	equals "eph built for the days due: 5 to 2 days ago" "$got" "$(keys 1)"
else
	pass "eph built for the days due (midnight passed during the run)"
fi
equals "each for its first build, on its schedule, by the run" \
	"$(sql "SELECT DISTINCT string_agg(r.kind || ':' || coalesce(r.by_command, '-') || ':' || coalesce(r.detail, '-'), ';' ORDER BY r.seq) FROM cascade_build_reason r WHERE r.process_name = 'eph' GROUP BY r.build_id")" \
	"first:-:-;scheduled:process-queue:DAILY from $start, lag 1 day(s)"
equals "and l1 made from each of them" \
	"$(sql "SELECT count(*) FROM build b JOIN process p USING (process_id) WHERE p.process_name = 'l1' AND b.status = 'succeeded'")" \
	"$(sql "SELECT count(*) FROM build b JOIN process p USING (process_id) WHERE p.process_name = 'eph' AND b.status = 'succeeded'")"
n0=$(sql "SELECT count(*) FROM build")
expect_rc 0 "the next run" "$CASCADE" process-queue -m "$DB"
if [ "$after" = "$(day 0)" ]; then
	equals "builds nothing: every due key has its build" "$(sql "SELECT count(*) FROM build")" "$n0"
else
	pass "the next run (midnight passed: a new key is due)"
fi
expect_rc 0 "why --not yesterday's key" cascade why --not eph "$(day -1)"
contains "due tomorrow, a day after its day" "$out" \
	"scheduled: the first processing run from $(day 1) on builds it"

# -- a lag of -1: today's key is due today ----------------------------------
mission "$T/lag-1.yaml" -1
expect_rc 0 "apply: lag -1" cascade config apply "$T/lag-1.yaml"
contains "the change is reported" "$out" "~ schedule eph: DAILY from $start, lag 1 day(s) -> DAILY from $start, lag -1 day(s)"
n_eph() { sql "SELECT count(*) FROM build b JOIN process p USING (process_id) WHERE p.process_name = 'eph'"; }
n0=$(n_eph)
expect_rc 0 "process -o l1: a run of other processes" "$CASCADE" process -m "$DB" -o l1
equals "plans no key of eph's schedule" "$(n_eph)" "$n0"
expect_rc 0 "process-queue" "$CASCADE" process-queue -m "$DB"
equals "yesterday's and today's keys are built now" \
	"$(sql "SELECT count(*) FROM build b JOIN process p USING (process_id) WHERE p.process_name = 'eph' AND b.output_key IN ('$(day -1)', '$(day 0)')")" 2
t_end
