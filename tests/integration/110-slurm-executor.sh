#!/bin/bash
# The Slurm executor (src/os/executor-slurm.c) on a private single-node
# cluster (tests/slurm/cluster.sh), driven by tests/slurm/exec-driver:
# builds that succeed, one that fails, one that times out, one cancelled
# before it starts, one cancelled while it runs (alone in its job: scancel
# of the job; beside others: the group script's cancel file), one whose
# program does not exist, one that ends while no controller runs and is
# adopted from its status file, and one whose job ended without records
# and was forgotten by Slurm, read from the job completion log.  The
# first builds run twice: with the group runner (cascade-group-runner),
# and with the group script's bash body where the node has no runner;
# then 300 trivial builds each way, whose job output must stay empty.
# Skipped, saying why, where Slurm is not installed.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin slurm_executor

DRIVER=${EXEC_DRIVER:-$SRC/build/exec-driver}
RUNNER=${GROUP_RUNNER:-$SRC/build/cascade-group-runner}
CLUSTER=$SRC/tests/slurm/cluster.sh

stop_cluster() {
	bash "$CLUSTER" stop "$T/cluster" >/dev/null 2>&1
	t_cleanup
}
trap stop_cluster EXIT

slurm_start
pass "the test cluster starts"

W=$T/w
mkdir -p "$W/bin"
printf '#!/bin/sh\necho "ok $CASCADE_BUILD_ID"\n' > "$W/bin/ok"
printf '#!/bin/sh\necho failing >&2\nexit 3\n' > "$W/bin/fail3"
# says it runs on the FIFO $1, then waits to be stopped
printf '#!/bin/sh\necho started > "$1"\nexec sleep 300\n' > "$W/bin/runner"
# waits for a line on the FIFO $1, then exits 5
printf '#!/bin/sh\nread line < "$1"\necho "got $line"\nexit 5\n' > "$W/bin/gated"
chmod +x "$W/bin/"*
mkfifo "$W/go-10"
line() { grep "^$1 " "$T/out"; }

# the first builds, with the group runner R ("/nonexistent...": the bash
# body runs them); M names the way in the assertions and its work
# directory (its own: a job's record written late must not be another's)
first_builds() {
	local R=$1 M=$2 WM=$W/$2 job1 job6 job8 state
	mkdir -p "$WM"
	mkfifo "$WM/started-6" "$WM/started-8"
	# ID TIMEOUT_S CPUS FLAG JOB ARGV...
	cat > "$T/spec" <<EOF
1 30 1 - - $W/bin/ok
2 30 1 - - $W/bin/ok
3 30 1 - - $W/bin/fail3
4 1 1 - - /bin/sleep 60
5 0 1 cancel - /bin/sleep 60
6 0 2 cancel-running - $W/bin/runner $WM/started-6
7 30 1 - - $W/nonexistent
8 0 1 cancel-running - $W/bin/runner $WM/started-8
EOF
	run timeout 300 "$DRIVER" -p 300 -r "$R" run "$WM" "$T/spec"
	equals "$M: the driver gets every build back" "$rc" 0
	[ "$rc" -eq 0 ] || printf '#   %s\n' "$err"
	for i in 1 2; do
		contains "$M: build $i succeeded" "$(line $i)" "ran=1 exit=0 signal=0 timed_out=0 cancelled=0 node_failed=0 lost=0 start_failed=0"
		contains "$M: build $i: its output's tail" "$(line $i)" "tail=\"ok $i\\x0a\""
		contains "$M: build $i: its node" "$(line $i)" "node=n1"
	done
	contains "$M: build 3 failed with exit 3" "$(line 3)" "ran=1 exit=3 signal=0 timed_out=0 cancelled=0"
	contains "$M: build 3: its stderr's tail" "$(line 3)" 'tail="failing\x0a"'
	contains "$M: build 4 timed out (SIGTERM)" "$(line 4)" "ran=1 exit=-1 signal=15 timed_out=1 cancelled=0"
	contains "$M: build 5 was cancelled before it ran" "$(line 5)" "ran=0 exit=-1 signal=0 timed_out=0 cancelled=1"
	# (scancel of the whole job: Slurm's SIGTERM reaches the group script
	# too, which does not always learn the code's signal; see architecture.md)
	contains "$M: build 6 (its job's only build) was cancelled while it ran" "$(line 6)" "ran=1 exit=-1"
	contains "$M: build 6: cancelled, not timed out" "$(line 6)" "timed_out=0 cancelled=1"
	contains "$M: build 8 (one of a group) was cancelled while it ran" "$(line 8)" "ran=1 exit=-1 signal=15 timed_out=0 cancelled=1"
	contains "$M: build 7 could not start" "$(line 7)" "ran=0 exit=-1 signal=0 timed_out=0 cancelled=0 node_failed=0 lost=0 start_failed=1"
	contains "$M: build 7: why, in its log" "$(cat "$WM/logs/build-7.1.log")" "cascade: could not start"
	job1=$(line 1 | sed 's/.* job=\([0-9]*\) .*/\1/')
	job6=$(line 6 | sed 's/.* job=\([0-9]*\) .*/\1/')
	job8=$(line 8 | sed 's/.* job=\([0-9]*\) .*/\1/')
	equals "$M: the builds of one shape ran as one job" "$(grep -c " job=$job1 " "$T/out")" 7
	[ "$job6" != "$job1" ] && [ "$job8" = "$job1" ] && pass "$M: the 2-CPU build had a job of its own" ||
		fail "$M: the 2-CPU build had a job of its own" "jobs: $job1 $job6 $job8"
	contains "$M: the build's log has its output" "$(cat "$WM/logs/build-3.1.log")" "failing"
	equals "$M: no status file is left (the driver removes them)" "$(ls "$WM/status")" ""
	equals "$M: no group script is left" "$(ls "$WM/slurm" | grep -c '\.sh$')" 0
	# (an empty job output is removed with the job's files)
	equals "$M: the job of seven builds wrote no output" "$(cat "$WM/slurm/$job1.out" 2>/dev/null)" ""
	state=$(scontrol -o show job "$job6" | tr ' ' '\n' | grep '^JobState=')
	equals "$M: Slurm says the cancelled job was cancelled" "$state" "JobState=CANCELLED"
}
first_builds "$RUNNER" runner
first_builds /nonexistent/cascade-group-runner bash

# a runner of another cascade version (here one that knows neither
# --check nor the spec, as an older one would): it is asked first, and
# the job's bash body runs the builds, saying so in the job's output
printf '#!/bin/sh\necho "cascade-group-runner: error: usage: cascade-group-runner SCRIPT CANCEL-FILE JOB" >&2\nexit 2\n' > "$W/bin/old-runner"
chmod +x "$W/bin/old-runner"
printf '20 30 1 - - %s\n21 30 1 - - %s\n' "$W/bin/ok" "$W/bin/ok" > "$T/spec-old"
mkdir -p "$W/old"
run timeout 300 "$DRIVER" -p 300 -r "$W/bin/old-runner" run "$W/old" "$T/spec-old"
equals "old runner: the driver gets both builds back" "$rc" 0
contains "old runner: build 20 ran and succeeded" "$(line 20)" "ran=1 exit=0 signal=0 timed_out=0 cancelled=0"
contains "old runner: build 21 ran and succeeded" "$(line 21)" "ran=1 exit=0 signal=0 timed_out=0 cancelled=0"
contains "old runner: the job says bash ran it, and why" "$(cat "$W/old/slurm/"*.out 2>/dev/null)" \
	"cannot run this job (cascade-group-runner: error: usage: cascade-group-runner SCRIPT CANCEL-FILE JOB): bash runs it"
# (this tree's runner passes its own --check: the runner rows above ran
# without a word in their jobs' output); what is no spec it refuses
contains "the runner's --check refuses what is not a group script" \
	"$("$RUNNER" --check /dev/null 2>&1; echo "rc=$?")" "is not a group script this runner can run"

# many builds ending together, each way: every record is published once
# (an mv of several records said "cannot stat" of those the driver had
# read and removed between its rename and its stat), and the jobs say
# nothing
for R in "$RUNNER" ""; do
	M=${R:+runner}
	M=${M:-bash}
	run timeout 300 "$DRIVER" -p 300 -r "$R" -c 2 bench "$W/bench-$M" 300
	contains "$M: 300 trivial builds end well" "$out" "300 builds (0 failed)"
	equals "$M: their jobs wrote no output" "$(cat "$W/bench-$M/slurm/"*.out 2>/dev/null)" ""
done

# a build that ends while no controller runs: submitted, let go, then
# let finish; the next driver adopts it by its job id and reads its end
# from its status file
echo "10 30 1 - - $W/bin/gated $W/go-10" > "$T/spec2"
run timeout 60 "$DRIVER" -p 300 -r "$RUNNER" submit "$W" "$T/spec2"
equals "submit and let go" "$rc" 0
job10=$(awk '$1 == 10 { print $2 }' "$T/out")
[ -n "$job10" ] && pass "its job id is printed" || fail "its job id is printed" "$out"
echo go > "$W/go-10"
# its job's end (a job that depends on it runs then) means its record is
# written: the group script writes it before it exits
timeout 120 srun --quiet --dependency=afterany:"$job10" true
[ -e "$W/status/build-10.1" ] && pass "its status record is written with no controller running" ||
	fail "its status record is written with no controller running"
echo "10 30 1 - $job10 $W/bin/gated $W/go-10" > "$T/spec3"
run timeout 60 "$DRIVER" -p 300 -r "$RUNNER" run "$W" "$T/spec3"
equals "the adopting driver ends" "$rc" 0
contains "the adopted build's end is its own" "$out" "10 ran=1 exit=5 signal=0 timed_out=0 cancelled=0 node_failed=0 lost=0 start_failed=0 node=n1 job=$job10"
contains "the adopted build's tail" "$out" 'tail="got go\x0a"'

# a job that ended without records and that Slurm then forgot: its end is
# read from the job completion log (jobcomp/filetxt), the last source
# (and build 12 of the same job had its record written, not yet renamed
# into place, when the job was killed: the controller publishes it)
mkfifo "$W/started-11" "$W/started-12"
printf '11 30 1 - - %s\n12 30 1 - - %s\n' "$W/bin/runner $W/started-11" "$W/bin/runner $W/started-12" > "$T/spec4"
run timeout 60 "$DRIVER" -p 300 -r "$RUNNER" submit "$W" "$T/spec4"
job11=$(awk '$1 == 11 { print $2 }' "$T/out")
read -r line < "$W/started-11"
read -r line < "$W/started-12"
# its batch shell killed outright: no record is written
scancel --batch --signal=KILL "$job11"
timeout 120 srun --quiet --dependency=afterany:"$job11" true
printf 'cascade-status 1\npid=77\nexit_code=7\nterm_signal=0\ncore_dumped=0\ntimed_out=0\nterminated=0\nstart_failed=0\nexec_errno=0\nleftovers=0\nwall_us=1000\nended_at_us=1\nutime_us=0\nstime_us=0\nmaxrss_kb=0\nout_bytes=0\nout_dropped=0\nout_errno=0\ndir=0\nlog=0\ntail=0\n\nend\n' \
	> "$W/status/.job-$job11/build-12.1"
expect_rc 0 "the controller forgets the job" bash "$CLUSTER" forget "$T/cluster"
printf '11 30 1 - %s %s\n12 30 1 - %s %s\n' "$job11" "$W/bin/runner $W/started-11" "$job11" "$W/bin/runner $W/started-12" > "$T/spec5"
run timeout 60 "$DRIVER" -p 300 -r "$RUNNER" run "$W" "$T/spec5"
equals "the driver gets them back" "$rc" 0
contains "its end is the completion log's" "$(line 11)" "Slurm job $job11 ended FAILED (as its completion record says) without a status record"
contains "with its node" "$(line 11)" "node=n1 job=$job11"
contains "the record left unpublished is read" "$(line 12)" "12 ran=1 exit=7 signal=0 timed_out=0 cancelled=0 node_failed=0 lost=0"
equals "the job's records directory is gone" "$(ls -A "$W/status")" ""

t_end
