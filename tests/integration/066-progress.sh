# 066-progress: the progress line tells the truth.  Caught in the middle
# of a batch (one process's builds, batch_size > 1, one slot, a code
# held at a gate), it counts the builds whose code ended, names the stage
# and the process running, gives its ETA for every build planned so far,
# and SIGUSR1 logs the same figures.  A batch whose build failed says so,
# with its process and counts, in status text and JSON.
. "$(dirname "$0")/lib.sh"
t_begin progress_truth
. "$(dirname "$0")/lib-ops.sh"
pipeline_setup

if ! command -v script >/dev/null 2>&1; then
	fail "script(1) is installed (util-linux: bsdutils)"
	t_end
	exit
fi

# l1's code waits at a gate on one day, until the test lets it go: when
# the test's open of the gate returns, that build runs and, with one
# slot, the builds before it have ended
mv "$T/codes/concat.sh" "$T/codes/concat-real.sh"
cat > "$T/codes/concat.sh" <<'EOF'
#!/bin/sh
if [ "${1:-}" = --date ] && [ "$2" = "${GATE_DATE:-}" ]; then
	read -r x < "$GATE" || :
fi
exec "$(dirname "$0")/concat-real.sh" "$@"
EOF
chmod +x "$T/codes/concat.sh"
for d in 01 02 03 04 05 06; do deliver "pl_raw_202405${d}_v1.0.0.dat" "raw $d"; done
equals "batches are of more than one build" "$(sql "SELECT batch_size > 1 FROM mission")" t

make_fifo "$T/gate"
make_fifo "$T/fault"
: > "$T/done"
GATE=$T/gate GATE_DATE=20240504 CASCADE_TEST_COMPLETIONS=$T/done \
CASCADE_FAULT=progress-reported:pause CASCADE_FAULT_FIFO=$T/fault TERM=xterm \
	script -q -e -c "'$CASCADE' process-queue -n 1 -m '$DB'" /dev/null \
	> "$T/tty" 2>&1 < /dev/null &
sp=$!
exec 3>"$T/gate"                # l1 of 2024-05-04 runs
ended=$(wc -l < "$T/done")
equals "three codes ended before the gate (one slot, in key order)" "$ended" 3
cp=$(sql "SELECT pid FROM logging WHERE currently_processing")
kill -USR1 "$cp"
exec 4>"$T/fault"               # it has reported
exec 4>&-
exec 3>&-                       # the gate opens
wait "$sp"
equals "the run succeeds" "$?" 0
tty=$(tr '\r' '\n' < "$T/tty")
usr1=$(printf '%s\n' "$tty" | grep -m1 -o 'cascade: warning: run: .*' | sed 's/^cascade: warning: //')
contains "SIGUSR1 logs where it stands" "$usr1" "run: "
contains "it counts the builds whose code ended, mid-batch" "$usr1" "run: $ended built, 0 failed"
contains "it names the process running" "$usr1" ", 1 running (l1), "
contains "what is left" "$usr1" ", 2 to go; ETA "
contains "the ETA covers every build planned so far, and says so" "$usr1" " for the 6 builds planned so far"
contains "the line shows the same figures" "$(cat "$T/tty")" "$(printf '\r%s\033[K' "$usr1")"
contains "the planning stage has its line" "$tty" "plan: 6 queue entries, 6 builds planned so far in 1 batch"
contains "so has recording" "$tty" "record: "
contains "the next round's builds join those planned so far" "$tty" "for the 12 builds planned so far"
equals "one batch for l1's six builds, named" \
	"$(sql "SELECT p.process_name, t.size, t.state, t.succeeded_count FROM batch t JOIN process p USING (process_id) ORDER BY batch_id LIMIT 1")" "l1|6|done|6"

# a batch whose build failed is failed, with its process and counts
deliver pl_bad_20240510_v1.0.0.dat "bad 10"
expect_rc 1 "a build that fails" cascade process-queue -o p_fail
b=$(sql "SELECT batch_id FROM batch WHERE process_id = (SELECT process_id FROM process WHERE process_name = 'p_fail')")
expect_rc 0 "status" cascade status
contains "status: the batch is failed, with its process and counts" "$out" \
	"$(printf '%6s %-16s %-9s %14s' "$b" p_fail failed 0/1/1)"
expect_rc 0 "status --json" cascade status --json
jequals "json: the newest batch" batches.0.batch_id "$b"
jequals "json: its process" batches.0.process p_fail
jequals "json: its state" batches.0.state failed
jequals "json: none succeeded" batches.0.succeeded 0
jequals "json: one failed" batches.0.failed 1
t_end
