#!/bin/bash
# What the cluster does to Slurm builds, recorded with its reason, on a
# private single-node cluster that enforces memory limits
# (tests/slurm/cluster.sh, CLUSTER_MEMORY=1): a build whose node is
# drained waits in Slurm's queue (not a failure: "cascade status" and
# the controller say why), and runs once the node is back; a build whose
# node goes down while it runs is lost (its job ends NODE_FAIL) and runs
# again; a build over its memory limit is killed by Slurm and fails with
# kind "memory".  Skipped, saying why, where Slurm is missing.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin slurm_node_memory

CLUSTER=$SRC/tests/slurm/cluster.sh
stop_cluster() {
	exec 3>&- 2>/dev/null
	bash "$CLUSTER" stop "$T/cluster" >/dev/null 2>&1
	t_cleanup
}
trap stop_cluster EXIT

conf=$(CLUSTER_MEMORY=1 bash "$CLUSTER" start "$T/cluster" 2>"$T/cluster.err")
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
export PATH=$PATH:/usr/sbin
export CASCADE_SLURM_POLL_MS=300

R=$T/r
mkdir -p "$R/codes" "$R/data/incoming"
cp "$FIX/pcodes/concat.sh" "$R/codes/"
# the first time, says it runs (on the FIFO) and waits; then as concat.sh
printf '#!/bin/sh\nif [ ! -e "%s/once" ]; then : > "%s/once"; echo started > "%s/started"; exec sleep 300; fi\nexec "%s/codes/concat.sh" "$@"\n' \
	"$R" "$R" "$R" "$R" > "$R/codes/once.sh"
# takes 300 MiB and holds it: over a 64 MiB limit
printf '#!/bin/sh\nexec python3 -c "import time; a = bytearray(300 << 20); time.sleep(20)"\n' > "$R/codes/mem.sh"
chmod +x "$R/codes/"*.sh
make_fifo "$R/started"
cat > "$R/m.yaml" <<EOF
mission: {name: nm, rootdir: $R/data, codedir: $R/codes}
satellites: [{name: sat, instruments: [ins]}]
products:
  - {name: rw, instrument: ins, level: 0, format: "rw_{Y}{m}{d}_v{VERSION}.dat", relative_path: rw}
  - {name: rd, instrument: ins, level: 0, format: "rd_{Y}{m}{d}_v{VERSION}.dat", relative_path: rd}
  - {name: rm, instrument: ins, level: 0, format: "rm_{Y}{m}{d}_v{VERSION}.dat", relative_path: rm}
  - {name: ow, instrument: ins, level: 1, format: "ow_{Y}{m}{d}_v{VERSION}.dat", relative_path: ow}
  - {name: od, instrument: ins, level: 1, format: "od_{Y}{m}{d}_v{VERSION}.dat", relative_path: od}
  - {name: om, instrument: ins, level: 1, format: "om_{Y}{m}{d}_v{VERSION}.dat", relative_path: om}
processes:
  - {name: pw, output_product: ow, output_timebase: DAILY, inputs: [rw], codes: [{filename: concat.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
  - {name: pd, output_product: od, output_timebase: DAILY, inputs: [rd], codes: [{filename: once.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
  - name: pm
    output_product: om
    output_timebase: DAILY
    inputs: [rm]
    executor: {memory_mb: 64}
    codes: [{filename: mem.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]
executor: {kind: slurm, cpus: 1}
run: {max_attempts: 2, bad_after: 5}
EOF
expect_rc 0 "the mission" sh -c "\"$CASCADE\" init >/dev/null && \"$CASCADE\" config apply \"$R/m.yaml\" >/dev/null"
q() { psql -X -A -t -c "$1"; }
# matches WHAT TEXT REGEX (grep -E)
matches() {
	if printf '%s\n' "$2" | grep -qE -- "$3"; then pass "$1"; else fail "$1" "expected to match: $3" "in: $2"; fi
}
# Slurm's words for a job that waits for a drained node (the first, then
# the scheduler's)
DRAINED='(ReqNodeNotAvail|Nodes required for job are DOWN)'
failure() { q "SELECT f.kind || ': ' || f.reason FROM failure f JOIN build USING (build_id) JOIN process USING (process_id) WHERE process_name = '$1' ORDER BY failure_id"; }

# -- a drained node: the job waits, and says why ----------------------------
scontrol update nodename=n1 state=drain reason=cascade-test
echo rw > "$R/data/incoming/rw_20240101_v1.0.0.dat"
make_fifo "$T/pause"
CASCADE_FAULT=slurm-waiting:pause CASCADE_FAULT_FIFO=$T/pause \
	timeout 120 "$CASCADE" process-queue > "$T/pq.out" 2> "$T/pq.err" &
pq=$!
# (returns once the controller has seen the job wait, and warned)
exec 3> "$T/pause"
matches "the controller says the job waits, and why" "$(cat "$T/pq.err")" "is pending and waits: $DRAINED"
expect_rc 0 "cascade status" "$CASCADE" status
matches "status: queued in Slurm, waiting for the node" "$out" "queued in Slurm job [0-9]+, waiting: $DRAINED"
expect_rc 0 "cascade status --json" "$CASCADE" status --json
contains "json: pending" "$out" '"slurm_state": "PENDING"'
matches "json: why" "$out" "\"slurm_reason\": \"$DRAINED"
equals "nothing failed meanwhile" "$(q "SELECT count(*) FROM failure")" 0
scontrol update nodename=n1 state=resume
exec 3>&-
wait "$pq"
equals "once the node is back, the run ends" "$?" 0
equals "the build ran, once" "$(q "SELECT status || ' ' || attempt FROM build JOIN process USING (process_id) WHERE process_name = 'pw'")" "succeeded 1"

# -- the node goes down under a running build: lost, and run again ----------
echo rd > "$R/data/incoming/rd_20240101_v1.0.0.dat"
timeout 120 "$CASCADE" process-queue > "$T/pq.out" 2> "$T/pq.err" &
pq=$!
read -r line < "$R/started"
equals "the build runs on the node" "$line" started
jid=$(q "SELECT slurm_job_id FROM build JOIN process USING (process_id) WHERE process_name = 'pd'")
scontrol update nodename=n1 state=down reason=cascade-test
equals "Slurm says the node failed under the job" "$(scontrol -o show job "$jid" | tr ' ' '\n' | grep '^JobState=')" "JobState=NODE_FAIL"
scontrol update nodename=n1 state=resume 2>/dev/null
wait "$pq"
equals "the run ends" "$?" 0
# (a failure retried is said, not kept: failure rows await a person)
matches "the failure is the node's, and retried" "$(cat "$T/pq.err")" \
	"\\(pd 2024-01-01\\) failed, attempt 1 of 2: .* after its node failed"
equals "then it ran again and succeeded" "$(q "SELECT status || ' ' || attempt FROM build JOIN process USING (process_id) WHERE process_name = 'pd'")" "succeeded 2"

# -- over its memory limit: killed by Slurm, failed with kind "memory" ------
echo rm > "$R/data/incoming/rm_20240101_v1.0.0.dat"
expect_rc 1 "ProcessQueue with a build over its memory limit" timeout 120 "$CASCADE" process-queue
jid=$(q "SELECT slurm_job_id FROM build JOIN process USING (process_id) WHERE process_name = 'pm'")
equals "its job asked for its memory" "$(scontrol -o show job "$jid" | tr ' ' '\n' | grep '^MinMemoryNode=')" "MinMemoryNode=64M"
contains "its failure is of kind memory" "$(failure pm)" "memory: "
contains "with Slurm's reason" "$(failure pm)" "over its memory limit"
contains "and the job's own words" "$(failure pm)" "exceeded memory limit"
equals "retried once, then failed" "$(q "SELECT status || ' ' || attempt FROM build JOIN process USING (process_id) WHERE process_name = 'pm'")" "failed 2"

t_end
