# lib.sh - helpers for the integration tests (bash).
#
# A test script sources this file, calls t_begin NAME, makes assertions,
# and ends with t_end.  Each assertion prints "ok N - what" or
# "not ok N - what" (TAP style) with the evidence; t_end exits non-zero
# if any failed.  Every test gets its own database (t_NAME) and its own
# temporary directory $T, both removed at the end.

set -u
: "${CASCADE:?}"
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FIX=$SRC/tests/fixtures
_n=0
_bad=0

t_begin() {
	T_NAME=$1
	DB=t_$1
	T=$(mktemp -d "${TMPDIR:-/tmp}/cascade-t.XXXXXX")
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
	psql -X -q -d postgres -c "CREATE DATABASE $DB TEMPLATE template0" >/dev/null || {
		echo "not ok - could not create database $DB"; exit 1; }
	export PGDATABASE=$DB
	trap t_cleanup EXIT
}

t_cleanup() {
	# stop anything a test left behind, then drop its database
	jobs -p | xargs -r kill -9 2>/dev/null
	wait 2>/dev/null
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$T"
}

t_end() {
	echo "# $T_NAME: $_n assertions, $_bad failed"
	[ "$_bad" -eq 0 ]
}

pass() { _n=$((_n + 1)); echo "ok $_n - $1"; }
fail() { _n=$((_n + 1)); _bad=$((_bad + 1)); echo "not ok $_n - $1"; shift; for l in "$@"; do printf '#   %s\n' "$l"; done; }

# run CMD...: run a command, keeping its status, stdout and stderr in
# $rc, $out and $err (files $T/out, $T/err)
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# expect_rc CODE WHAT CMD...: run CMD and check its exit status
expect_rc() {
	local want=$1 what=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then
		pass "$what"
	else
		fail "$what" "command: $*" "exit status $rc, expected $want" "stdout: $out" "stderr: $err"
	fi
}

# contains WHAT HAYSTACK NEEDLE: substring check
contains() {
	case "$2" in
	*"$3"*) pass "$1" ;;
	*) fail "$1" "expected to find: $3" "in: $2" ;;
	esac
}

not_contains() {
	case "$2" in
	*"$3"*) fail "$1" "expected not to find: $3" "in: $2" ;;
	*) pass "$1" ;;
	esac
}

# equals WHAT GOT WANT
equals() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}

# sql QUERY: one query, unaligned, tuples only
sql() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"
}

# cascade ARGS: the binary against this test's database
cascade() {
	"$CASCADE" "$@" -m "$DB"
}

# pause_fifo NAME: make a FIFO for fault points that pause
make_fifo() {
	rm -f "$1"
	mkfifo "$1"
}

# demo_config DIR: write a small mission file rooted at DIR to stdout
demo_config() {
	sed "s|@ROOT@|$1|g" "$FIX/config/small.yaml"
}

# pipeline_setup: the processing tests' mission in $T, its codes copied
# to $T/codes; sets IN (incoming) and ARC (archive root)
pipeline_setup() {
	mkdir -p "$T/codes"
	cp "$FIX"/pcodes/*.sh "$T/codes/"
	sed -e "s|@ROOT@|$T|g; s|@FIX@|$FIX|g" "$FIX/config/pipeline.yaml" > "$T/pipeline.yaml"
	"$CASCADE" init -m "$DB" >/dev/null &&
		"$CASCADE" config apply "$T/pipeline.yaml" -m "$DB" >/dev/null ||
		{ echo "not ok - pipeline setup failed"; exit 1; }
	IN=$T/data/incoming
	ARC=$T/data
	mkdir -p "$IN"
}

# slurm_start: the private test cluster (tests/slurm/cluster.sh) in
# $T/cluster, its SLURM_CONF exported; where it cannot start the test
# ends here, skipped saying why (cluster.sh exits 77: Slurm missing) or
# failed.  The caller's EXIT trap stops it (cluster.sh stop $T/cluster).
slurm_start() {
	local conf st
	conf=$(bash "$SRC/tests/slurm/cluster.sh" start "$T/cluster" 2>"$T/cluster.err")
	st=$?
	if [ "$st" -eq 77 ]; then
		pass "# skipped: $(cat "$T/cluster.err")"
		t_end
		exit
	fi
	if [ "$st" -ne 0 ] || [ -z "$conf" ]; then
		fail "the test cluster starts" "$(cat "$T/cluster.err")"
		t_end
		exit
	fi
	export "$conf"
}

# deliver NAME CONTENT: an atomic delivery into incoming
deliver() { printf '%s\n' "$2" > "$IN/.$1.part" && mv "$IN/.$1.part" "$IN/$1"; }

# wait_supervisors DB: wait (on pidfds, at most 60 s) until every code
# supervisor that database names has ended; others' supervisors (tests
# or runs beside this one) are not waited for.  Exit 124 on the timeout.
wait_supervisors() {
	local pids
	pids=$(psql -X -A -t -q -d "$1" -c "SELECT supervisor_pid FROM build WHERE supervisor_pid IS NOT NULL UNION SELECT supervisor_pid FROM logging WHERE supervisor_pid IS NOT NULL")
	python3 - $pids <<'PY'
import os, select, sys, time
fds = []
for p in sys.argv[1:]:
    try:
        fd = os.pidfd_open(int(p))
        with open(f"/proc/{p}/comm") as f:
            if f.read().strip() != "cascade-sup":   # the pid was reused
                os.close(fd)
                continue
        fds.append(fd)
    except (ProcessLookupError, FileNotFoundError):
        pass
deadline = time.monotonic() + 60
while fds:
    left = deadline - time.monotonic()
    if left <= 0:
        sys.exit(124)
    ready, _, _ = select.select(fds, [], [], left)
    for fd in ready:
        fds.remove(fd)
        os.close(fd)
PY
}
