#!/bin/bash
# 116-slurm-return-rounds: a run that submits to Slurm and returns
# (--no-wait) records, in a later round, the end of a build an earlier
# round submitted.  Held at the start of its third round (fault point
# run-round@3: the first runs what an earlier run left queued, the second
# submits) until the second round's job has ended (a Slurm job depending
# on it, sbatch --wait), the run records the build from the second
# round's builds, which it must still have: they were freed at the
# round's end, and with glibc's MALLOC_PERTURB_ filling freed memory the
# build was recorded from garbage (a crash, a wrong build).  Skipped,
# saying why, where Slurm is missing.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin slurm_return_rounds

CLUSTER=$SRC/tests/slurm/cluster.sh
trap 'bash "$CLUSTER" stop "$T/cluster" >/dev/null 2>&1; t_cleanup' EXIT
slurm_start
export CASCADE_SLURM_POLL_MS=300
export CASCADE_GROUP_RUNNER=${GROUP_RUNNER:-$SRC/build/cascade-group-runner}
pipeline_setup
printf 'executor: {kind: slurm, cpus: 2}\n' >> "$T/pipeline.yaml"
"$CASCADE" config apply "$T/pipeline.yaml" -m "$DB" >/dev/null
deliver pl_raw_20240101_v1.0.0.dat "raw 01"
make_fifo "$T/fault"

MALLOC_PERTURB_=165 CASCADE_FAULT=run-round@3:pause CASCADE_FAULT_FIFO=$T/fault \
	"$CASCADE" process-queue -v --no-wait -o l1 -m "$DB" > "$T/pq.out" 2> "$T/pq.err" &
pq=$!
exec 4>"$T/fault"               # held at its second round
job=$(sql "SELECT slurm_job_id FROM build")
equals "the first round submitted the build" "$(sql "SELECT status FROM build")" running
sbatch --wait -Q -d "afterany:$job" -o /dev/null --wrap=true
equals "its job has ended" "$?" 0
exec 4>&-                       # the second round goes on
wait "$pq"
equals "the run ends well" "$?" 0
equals "the second round recorded the build, from its own row" \
	"$(sql "SELECT process_name || ' ' || output_key || ' ' || status || ' ' || exit_code FROM build JOIN process USING (process_id)")" \
	"l1 2024-01-01 succeeded 0"
contains "and said so" "$(cat "$T/pq.err")" 'build 1 (l1) made "pl_l1_20240101_v1.0.0.dat"'
equals "its output is archived" "$(sql "SELECT count(*) FROM file WHERE filename = 'pl_l1_20240101_v1.0.0.dat'")" 1
t_end
