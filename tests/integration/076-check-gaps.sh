# 076-check-gaps: "cascade check" tells days with no file that could be
# built (gap: a problem, exit 1) from days whose required inputs never
# arrived (no-input: listed, exit 0), in text and JSON; --repair says of
# each what a person can do (which product to deliver for the day, or
# which made product it waits for) and queues none of them.
. "$(dirname "$0")/lib.sh"
t_begin check_gaps
. "$(dirname "$0")/lib-ops.sh"
pipeline_setup
# l1d: a daily product made from l1 alone, a made product's made input
sed -i -e '/^products:/a\  - {name: l1d, instrument: ins, level: 2, format: "pl_l1d_{Y}{m}{d}_v{VERSION}.dat", relative_path: "l1d"}' \
	-e '/^processes:/a\  - {name: l1d, output_product: l1d, output_timebase: DAILY, inputs: [l1], codes: [{filename: concat.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}' \
	"$T/pipeline.yaml"
expect_rc 0 "a made product of a made product" cascade config apply "$T/pipeline.yaml"

# raw of day 04 never arrives: raw has no file on 04, and l1 of 04 has
# only its neighbours' raw files (the rules make nothing of them)
for d in 01 02 03 05 06; do deliver "pl_raw_202401${d}_v1.0.0.dat" "raw $d"; done
expect_rc 0 "process the sparse inputs" "$CASCADE" process-queue -m "$DB"
expect_rc 0 "check: days with no input are not problems (exit 0)" cascade check
contains "the delivered product's day: no-input" "$out" "no-input: raw: no file on 2024-01-04: none was delivered"
contains "the made product's day: no-input, and why" "$out" "no-input: l1: no file on 2024-01-04: it has no input of its own now, only in its window"
not_contains "no gap" "$out" "gap:"
contains "the made product's made product's day: no-input" "$out" "no-input: l1d: no file on 2024-01-04: required input product \"l1\" has no file for it now"
contains "the summary counts them apart" "$out" "check: no problems found; 3 days with no input (not problems);"
not_contains "without --repair, no advice" "$out" "(left:"

expect_rc 0 "check --repair: days with no input are not problems (exit 0)" cascade check --repair
contains "--repair: the delivered product's day: deliver it" "$out" \
	"no-input: raw: no file on 2024-01-04: none was delivered (left: deliver the files of \"raw\" for that day, or accept the gap: the next ProcessQueue ingests them and builds what they feed)"
contains "--repair: the made product's day: which product to deliver" "$out" \
	"no-input: l1: no file on 2024-01-04: it has no input of its own now, only in its window (left: deliver \"raw\" for that day: the next ProcessQueue builds it)"
contains "--repair: a made input's day: which product it waits for" "$out" \
	"no-input: l1d: no file on 2024-01-04: required input product \"l1\" has no file for it now (left: the next ProcessQueue builds it once \"l1\" has files for that day (see its own line))"
contains "--repair: nothing repaired, nothing left as a problem" "$out" "check: no problems found; 3 days with no input (not problems);"
equals "--repair queued no day that cannot be built" "$(sql "SELECT count(*) FROM processqueue")" 0
expect_rc 0 "check --repair --json" cascade check --repair --json
jequals "--repair json: a day with no input, left" findings.0.outcome left
contains "--repair json: with what to do" "$(jget findings.0.action)" "deliver \"raw\" for that day"
jequals "--repair json: not a problem" findings.0.problem false
jequals "--repair json: nothing left as a problem" left 0
expect_rc 0 "check --json" cascade check --json
json_ok "check --json is one JSON document"
jequals "json: the format version" format 1
jequals "json: no problems" problems 0
jequals "json: three days with no input" no_input_days 3
jequals "json: three findings" findings.# 3
jequals "json: a finding's kind" findings.0.kind no-input
jequals "json: not a problem" findings.0.problem false
jequals "json: its subject" findings.0.subject l1
jequals "json: its detail" findings.0.detail "no file on 2024-01-04: it has no input of its own now, only in its window"
jequals "json: found, not repaired" findings.0.outcome found
jequals "json: no action" findings.0.action null

# raw 04 arrives but is not processed: l1 of 04 could be built now (and
# l1 of 03 and 05, whose window it is in, are stale)
deliver pl_raw_20240104_v1.0.0.dat "raw 04"
expect_rc 0 "ingest raw 04 alone" cascade ingest
expect_rc 1 "check: a gap that could be built is a problem (exit 1)" cascade check
contains "check: the gap" "$out" "gap: l1: no file on 2024-01-04"
contains "check: the summary" "$out" "check: 3 problems found (stale 2, gap 1); "
contains "check: only l1d's day has no input now (it waits for l1's)" "$out" "; 1 day with no input (not problems);"
contains "check: that day" "$out" "no-input: l1d: no file on 2024-01-04"
not_contains "check: raw has no gap now" "$out" "raw:"
expect_rc 1 "check --json with a gap" cascade check --json
json_ok "check --json is valid"
jequals "json: three problems" problems 3
jequals "json: by kind" by_kind.gap 1
jequals "json: the gap" findings.2.kind gap
jequals "json: a problem" findings.2.problem true
jequals "json: its detail" findings.2.detail "no file on 2024-01-04"
expect_rc 1 "check --repair leaves it, and says how to build it" cascade check --repair
contains "the advice" "$out" "gap: l1: no file on 2024-01-04 (left: its inputs are there: \"cascade run-process\" builds it)"
expect_rc 0 "process" "$CASCADE" process-queue -m "$DB"
expect_rc 0 "check: clean once it is built" cascade check
equals "nothing left" "$(printf '%s\n' "$out" | grep -c '^gap\|^no-input')" 0
t_end
