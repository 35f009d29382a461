#!/bin/sh
# run.sh SECONDS DIR TARGET... - run libFuzzer targets and say what they found.
#
# For each TARGET, runs DIR/fuzz-TARGET for SECONDS on the working corpus
# DIR/corpus/TARGET (kept between runs; new inputs are added there),
# seeded from tests/fuzz/corpus/TARGET when that exists.  A crash, leak,
# timeout, memory blow-up or sanitizer report stops the target; libFuzzer
# writes the input that caused it into DIR/artifacts/TARGET/ and the
# whole log goes to DIR/log/TARGET.log.  Prints one line per target (its
# executions, or where the crash file is and the start of the report)
# and a summary; exits 1 if any target found something, 2 on misuse.
# The targets run one after the other: the machine's cores are shared.
set -u
if [ $# -lt 3 ]; then
	echo "usage: run.sh SECONDS DIR TARGET..." >&2
	exit 2
fi
secs=$1
dir=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
failed=
n=0
for t in "$@"; do
	bin=$dir/fuzz-$t
	corpus=$dir/corpus/$t
	art=$dir/artifacts/$t
	log=$dir/log/$t.log
	seeds=
	[ -d "$here/corpus/$t" ] && seeds=$here/corpus/$t
	if [ ! -x "$bin" ]; then
		echo "fuzz: no target binary $bin" >&2
		exit 2
	fi
	mkdir -p "$corpus" "$art" "$dir/log"
	n=$((n + 1))
	# -timeout: an input taking 10 s is a hang worth a crash file
	"$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$art/" "$corpus" $seeds > "$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=?
	if [ "$rc" -eq 0 ]; then
		printf 'fuzz-%s: ok, %s execs in %ss, corpus %s files\n' "$t" \
			"$execs" "$secs" "$(ls "$corpus" | wc -l)"
		continue
	fi
	failed="$failed $t"
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	printf 'fuzz-%s: FAILED (exit status %d) after %s execs\n' "$t" "$rc" "$execs"
	if [ -n "$crash" ]; then
		printf '  crash file: %s\n' "$crash"
		printf '  reproduce:  %s %s\n' "$bin" "$crash"
	else
		printf '  no crash file was written (see the log)\n'
	fi
	printf '  log:        %s\n' "$log"
	# the report: from the first sanitizer or libFuzzer error line
	sed -n '/ERROR: \|runtime error: \|check failed: \|^==[0-9]*== *ERROR/,$p' "$log" |
		head -n 20 | sed 's/^/  | /'
done
if [ -n "$failed" ]; then
	echo "fuzz: $n targets, found something in:$failed"
	exit 1
fi
echo "fuzz: $n targets, nothing found"
