#!/bin/bash
# ProcessQueue with "executor: kind: slurm" on a private single-node
# cluster (tests/slurm/cluster.sh): the pipeline mission processed with
# the local executor and with Slurm gives the same archive, file rows,
# links and build outcomes (successes; a failure, a crash, a timeout, no
# output, a wrong output, each recorded with its kind); Slurm builds keep
# their job id and node.  The jobs run their builds with the build
# tree's group runner (CASCADE_GROUP_RUNNER).  Skipped, saying why, where
# Slurm is missing.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin slurm_process

CLUSTER=$SRC/tests/slurm/cluster.sh
stop_cluster() {
	bash "$CLUSTER" stop "$T/cluster" >/dev/null 2>&1
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_s" >/dev/null 2>&1
	t_cleanup
}
trap stop_cluster EXIT

slurm_start
export CASCADE_SLURM_POLL_MS=300
export CASCADE_GROUP_RUNNER=${GROUP_RUNNER:-$SRC/build/cascade-group-runner}
pass "the test cluster starts"

# setup ROOT DB [EXTRA]: the pipeline mission rooted at ROOT in DB
setup() {
	mkdir -p "$1/codes" "$1/data/incoming"
	cp "$FIX"/pcodes/*.sh "$1/codes/"
	sed -e "s|@ROOT@|$1|g; s|@FIX@|$FIX|g" "$FIX/config/pipeline.yaml" > "$1/pipeline.yaml"
	printf '%s\n' "${3:-}" >> "$1/pipeline.yaml"
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $2" >/dev/null 2>&1
	psql -X -q -d postgres -c "CREATE DATABASE $2 TEMPLATE template0" >/dev/null
	"$CASCADE" init -m "$2" >/dev/null && "$CASCADE" config apply "$1/pipeline.yaml" -m "$2" >/dev/null
}
expect_rc 0 "the local mission" setup "$T/L" "$DB"
expect_rc 0 "the Slurm mission" setup "$T/S" "${DB}_s" "executor: {kind: slurm, cpus: 2}"
equals "its executor is slurm" "$(psql -X -A -t -d "${DB}_s" -c "SELECT executor FROM mission")" slurm

for root in "$T/L" "$T/S"; do
	for d in 01 02 03; do printf 'raw %s\n' "$d" > "$root/data/incoming/pl_raw_202401${d}_v1.0.0.dat"; done
	printf 'bad\n' > "$root/data/incoming/pl_bad_20240101_v1.0.0.dat"
done

# exit 1: the bad input's builds fail (twice each, then marked bad)
expect_rc 1 "ProcessQueue, local" "$CASCADE" process-queue -m "$DB"
contains "local: the summary" "$out" "process: 10 builds succeeded, 0 failed, 6 bad, 6 retried"
expect_rc 1 "ProcessQueue, Slurm" timeout 600 "$CASCADE" process-queue -m "${DB}_s"
contains "Slurm: the same summary" "$out" "process: 10 builds succeeded, 0 failed, 6 bad, 6 retried"
contains "Slurm: a timeout says so" "$err" "(p_hang 2024-01-01) failed, attempt 1 of 2: was terminated by signal 15 (Terminated) after timing out"

q() { psql -X -A -t -d "$1" -c "$2"; }
files="SELECT filename, product_name, interface_version, quality_version, revision_version FROM file JOIN product USING (product_id) ORDER BY filename"
equals "the same file rows" "$(q "${DB}_s" "$files")" "$(q "$DB" "$files")"
links="SELECT r.filename || ' <- ' || s.filename FROM filefilelink l JOIN file r ON r.file_id = l.resulting_file JOIN file s ON s.file_id = l.source_file ORDER BY 1"
equals "the same links" "$(q "${DB}_s" "$links")" "$(q "$DB" "$links")"
builds="SELECT process_name, output_key, status, coalesce(exit_code::text, '-'), attempt FROM build JOIN process USING (process_id) ORDER BY process_name, output_key"
equals "the same build outcomes" "$(q "${DB}_s" "$builds")" "$(q "$DB" "$builds")"
fails="SELECT p.process_name, f.kind, f.resolved FROM failure f JOIN build b USING (build_id) JOIN process p USING (process_id) ORDER BY 1, 2, 3"
equals "the same failures, of the same kinds" "$(q "${DB}_s" "$fails")" "$(q "$DB" "$fails")"
equals "the same archive" \
	"$(cd "$T/S/data" && find . -path ./.cascade -prune -o -path ./incoming -prune -o -type f -print | sort | xargs md5sum)" \
	"$(cd "$T/L/data" && find . -path ./.cascade -prune -o -path ./incoming -prune -o -type f -print | sort | xargs md5sum)"
equals "every Slurm build has its job id and node" \
	"$(q "${DB}_s" "SELECT count(*) FILTER (WHERE slurm_job_id ~ '^[0-9]+$' AND node IS NOT NULL), count(*) FROM build")" \
	"$(q "${DB}_s" "SELECT count(*), count(*) FROM build")"
equals "local builds have none" "$(q "$DB" "SELECT count(*) FROM build WHERE slurm_job_id IS NOT NULL OR node IS NOT NULL")" 0
equals "the timeout is recorded as such" \
	"$(q "${DB}_s" "SELECT string_agg(DISTINCT f.kind, ',') FROM failure f JOIN build USING (build_id) JOIN process USING (process_id) WHERE process_name = 'p_hang'")" timeout

# -- the controller killed while its Slurm jobs run --------------------------
# SIGKILLed right after its first submission is recorded: the next run
# collects the builds by their job ids (none runs twice: each output's
# code completed once) and reaches the local run's final state.
K=$T/K
setup "$K" "${DB}_k" "executor: {kind: slurm, cpus: 2}" >/dev/null
for d in 01 02 03; do printf 'raw %s\n' "$d" > "$K/data/incoming/pl_raw_202401${d}_v1.0.0.dat"; done
printf 'bad\n' > "$K/data/incoming/pl_bad_20240101_v1.0.0.dat"
export CASCADE_TEST_COMPLETIONS=$K/completions
CASCADE_FAULT=build-started:kill timeout 600 "$CASCADE" process-queue -m "${DB}_k" >/dev/null 2>&1
equals "the first run is killed" "$?" 137
equals "its builds are running in Slurm, with their job ids" \
	"$(q "${DB}_k" "SELECT count(*) > 0, bool_and(slurm_job_id ~ '^[0-9]+$') FROM build WHERE status = 'running'")" "t|t"
expect_rc 1 "the next run" timeout 600 "$CASCADE" process-queue -m "${DB}_k"
contains "it takes them over" "$err" "still running are waited for"
unset CASCADE_TEST_COMPLETIONS
equals "no code ran twice" "$(sort "$K/completions" | uniq -d)" ""
equals "nothing is lost: the same file rows as locally" "$(q "${DB}_k" "$files")" "$(q "$DB" "$files")"
equals "the same links" "$(q "${DB}_k" "$links")" "$(q "$DB" "$links")"
equals "the same build outcomes" "$(q "${DB}_k" "$builds")" "$(q "$DB" "$builds")"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_k" >/dev/null 2>&1

# -- submit and return: runs that do not wait -------------------------------
# Each "process-queue --no-wait" submits what is ready, records what ended
# meanwhile and exits; repeated (as cron would), it reaches the local
# run's final state.
N=$T/N
setup "$N" "${DB}_n" "executor: {kind: slurm, cpus: 2}" >/dev/null
for d in 01 02 03; do printf 'raw %s\n' "$d" > "$N/data/incoming/pl_raw_202401${d}_v1.0.0.dat"; done
printf 'bad\n' > "$N/data/incoming/pl_bad_20240101_v1.0.0.dat"
export CASCADE_TEST_COMPLETIONS=$N/completions
runs=0 bad_rc=
while [ "$runs" -lt 300 ]; do
	timeout 300 "$CASCADE" process-queue --no-wait -m "${DB}_n" >/dev/null 2>>"$N/err"
	rc=$?
	[ "$rc" -le 1 ] || bad_rc="$bad_rc $rc"
	runs=$((runs + 1))
	[ "$(q "${DB}_n" "SELECT count(*) FROM build WHERE status IN ('queued', 'running', 'recording')")" = 0 ] && break
done
unset CASCADE_TEST_COMPLETIONS
pass "# submit and return: $runs runs"
equals "every run ends (0, or 1 for the bad builds)" "$bad_rc" ""
equals "no code ran twice" "$(sort "$N/completions" | uniq -d)" ""
equals "the same file rows as locally" "$(q "${DB}_n" "$files")" "$(q "$DB" "$files")"
equals "the same links" "$(q "${DB}_n" "$links")" "$(q "$DB" "$links")"
equals "the same build outcomes" "$(q "${DB}_n" "$builds")" "$(q "$DB" "$builds")"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_n" >/dev/null 2>&1

# -- a build whose Slurm job someone cancels --------------------------------
# p_hang's first attempt says it runs (on the FIFO), then waits; its job
# is cancelled with scancel: recorded killed, kind "cancelled", retried;
# the second attempt exits 1.
C=$T/C
setup "$C" "${DB}_c" "executor: {kind: slurm, cpus: 2}" >/dev/null
psql -X -q -d "${DB}_c" -c "UPDATE code SET timeout_s = 600" >/dev/null
printf '#!/bin/sh\nif [ -e "%s/once" ]; then exit 1; fi\n: > "%s/once"\necho started > "%s/started"\nexec sleep 600\n' "$C" "$C" "$C" > "$C/codes/hang.sh"
make_fifo "$C/started"
printf 'bad\n' > "$C/data/incoming/pl_bad_20240101_v1.0.0.dat"
timeout 600 "$CASCADE" process-queue -m "${DB}_c" > "$C/pq.out" 2> "$C/pq.err" &
pq=$!
read -r line < "$C/started"
equals "the hanging code runs on a node" "$line" started
jid=$(q "${DB}_c" "SELECT slurm_job_id FROM build JOIN process USING (process_id) WHERE process_name = 'p_hang'")
expect_rc 0 "cascade status while it runs" "$CASCADE" status -m "${DB}_c"
contains "status shows the running build's Slurm job and node" "$out" "running in Slurm job $jid on n1"
expect_rc 0 "cascade status --json" "$CASCADE" status --json -m "${DB}_c"
contains "json: its job id" "$out" "\"slurm_job_id\": \"$jid\""
contains "json: its job runs" "$out" '"slurm_state": "RUNNING"'
contains "json: on its node" "$out" '"node": "n1"'
expect_rc 0 "scancel of its job" scancel "$jid"
wait "$pq"
rc=$?
[ "$rc" = 1 ] && pass "ProcessQueue ends (exit 1: bad builds)" ||
	fail "ProcessQueue ends (exit 1: bad builds)" "exit $rc" "$(tail -8 "$C/pq.err")"
contains "the cancel is reported as such, and retried" \
	"$(grep "(p_hang 2024-01-01) failed, attempt 1 of 2:" "$C/pq.err")" "after its Slurm job was cancelled"
equals "then the retry's failure is its last" \
	"$(q "${DB}_c" "SELECT f.kind || ':' || b.status || ':' || b.attempt FROM failure f JOIN build b USING (build_id) JOIN process USING (process_id) WHERE process_name = 'p_hang'")" \
	"exit:bad:2"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_c" >/dev/null 2>&1

t_end
