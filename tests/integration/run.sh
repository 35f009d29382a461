#!/bin/sh
# run.sh [PATTERN] - run the integration tests against a real PostgreSQL.
#
# With PGHOST unset, re-runs itself under "pg_virtualenv -t", which starts
# a throwaway cluster (in a temporary directory, also as root) and exports
# PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE.  Each test script
# creates its own database.  Prints one line per script and a final
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
	CASCADE_IN_VIRTUALENV=1 exec pg_virtualenv -t sh "$0" "$@"
fi

pattern=${1:-}
logdir=${TMPDIR:-/tmp}/cascade-it.$$
mkdir -p "$logdir"
passed=0
failed=0
failed_names=
for t in "$here"/[0-9][0-9][0-9]-*.sh; do
	name=$(basename "$t" .sh)
	case "$name" in *"$pattern"*) ;; *) continue ;; esac
	start=$(date +%s)
	if bash "$t" > "$logdir/$name.log" 2>&1; then
		st=ok
	else
		st=FAILED
	fi
	n_ok=$(grep -c '^ok ' "$logdir/$name.log")
	n_bad=$(grep -c '^not ok ' "$logdir/$name.log")
	passed=$((passed + n_ok))
	failed=$((failed + n_bad))
	if [ "$st" = FAILED ] && [ "$n_bad" -eq 0 ]; then
		failed=$((failed + 1))   # the script itself died
	fi
	printf '%-40s %s (%d ok, %d not ok, %ds)\n' "$name" "$st" "$n_ok" "$n_bad" $(( $(date +%s) - start ))
	if [ "$st" = FAILED ]; then
		failed_names="$failed_names $name"
		sed 's/^/    | /' "$logdir/$name.log" | grep -v '^    | ok ' | tail -40
	fi
done
echo
echo "integration: $passed passed, $failed failed"
[ -n "$failed_names" ] && echo "failed scripts:$failed_names"
rm -rf "$logdir"
[ "$failed" -eq 0 ]
