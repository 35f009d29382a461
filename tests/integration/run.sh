#!/bin/bash
# run.sh [PATTERN] - run the integration tests against a real PostgreSQL.
#
# With PGHOST unset, re-runs itself under "pg_virtualenv -t", which starts
# a throwaway cluster (in a temporary directory, also as root) and exports
# PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE.  Each test script
# creates its own database and temporary directory, so scripts run side
# by side: CASCADE_TEST_JOBS of them at a time (default: the number of
# CPUs, at most 4).  Prints one line per script as it ends and a final
# "N passed, N failed" line; exits non-zero if any test failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${CASCADE:?set CASCADE to the cascade binary}"
export CASCADE

if [ -z "${PGHOST:-}" ] && [ -z "${CASCADE_IN_VIRTUALENV:-}" ]; then
	if ! command -v pg_virtualenv >/dev/null 2>&1; then
		echo "run.sh: pg_virtualenv not found (package postgresql-common) and PGHOST is unset" >&2
		exit 2
	fi
	CASCADE_IN_VIRTUALENV=1 exec pg_virtualenv -t bash "$0" "$@"
fi

pattern=${1:-}
jobs=${CASCADE_TEST_JOBS:-$(nproc)}
[ "$jobs" -gt 4 ] && jobs=4
[ "$jobs" -ge 1 ] || jobs=1
logdir=$(mktemp -d "${TMPDIR:-/tmp}/cascade-it.XXXXXX")
passed=0
failed=0
failed_names=

# one script: its log, then its status and duration in NAME.end
run_one() {
	local name=$1 start st
	start=$(date +%s)
	if bash "$here/$name.sh" > "$logdir/$name.log" 2>&1; then st=ok; else st=FAILED; fi
	echo "$st $(( $(date +%s) - start ))" > "$logdir/$name.end.tmp"
	mv "$logdir/$name.end.tmp" "$logdir/$name.end"
}

# report NAME: its line (and what failed), added to the sums
report() {
	local name=$1 st secs n_ok n_bad
	read -r st secs < "$logdir/$name.end"
	n_ok=$(grep -c '^ok ' "$logdir/$name.log")
	n_bad=$(grep -c '^not ok ' "$logdir/$name.log")
	passed=$((passed + n_ok))
	failed=$((failed + n_bad))
	if [ "$st" = FAILED ] && [ "$n_bad" -eq 0 ]; then
		failed=$((failed + 1))   # the script itself died
	fi
	printf '%-40s %s (%d ok, %d not ok, %ds)\n' "$name" "$st" "$n_ok" "$n_bad" "$secs"
	if [ "$st" = FAILED ]; then
		failed_names="$failed_names $name"
		sed 's/^/    | /' "$logdir/$name.log" | grep -v '^    | ok ' | tail -40
	fi
}

# A script that changes what the whole server holds (roles) says
# "# integration: alone" and runs by itself, after the others.  One that
# takes 10 s or more (on an idle 2-CPU machine) says "# integration: slow"
# and starts before the others: longest first, so that the short ones
# fill the slots at the end instead of a long one starting last.
names=()
slow=()
alone=()
for t in "$here"/[0-9][0-9][0-9]-*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in *"$pattern"*) ;; *) continue ;; esac
	if grep -q '^# integration: alone' "$t"; then alone+=("$name")
	elif grep -q '^# integration: slow' "$t"; then slow+=("$name")
	else names+=("$name"); fi
done
names=("${slow[@]}" "${names[@]}")

# The server's one role of its own (cascade_readonly) is made by the
# first "cascade init"; made before scripts run side by side, no two of
# them race to create it.
psql -X -q -d postgres -c "CREATE DATABASE cascade_it_first TEMPLATE template0" >/dev/null 2>&1
"$CASCADE" init -q -m cascade_it_first >/dev/null 2>&1
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS cascade_it_first" >/dev/null 2>&1

# run_all JOBS NAME...: up to JOBS at once; report each as it ends
run_all() {
	local jobs=$1 name n running=0
	shift
	declare -A pid_of=()
	for name in "$@" ""; do
		while [ "$running" -ge "$jobs" ] || { [ -z "$name" ] && [ "$running" -gt 0 ]; }; do
			wait -n
			for n in "${!pid_of[@]}"; do
				if [ -e "$logdir/$n.end" ]; then
					report "$n"
					unset "pid_of[$n]"
					running=$((running - 1))
				fi
			done
		done
		[ -n "$name" ] || break
		run_one "$name" &
		pid_of[$name]=$!
		running=$((running + 1))
	done
}

run_all "$jobs" "${names[@]}"
run_all 1 "${alone[@]}"

echo
echo "integration: $passed passed, $failed failed"
[ -n "$failed_names" ] && echo "failed scripts:$failed_names"
rm -rf "$logdir"
[ "$failed" -eq 0 ]
