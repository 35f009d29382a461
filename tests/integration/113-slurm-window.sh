#!/bin/bash
# Slurm builds per process and across a controller's death, on a private
# single-node cluster (tests/slurm/cluster.sh): two processes whose
# executor mappings differ (partition, sbatch options, CPUs, time limit)
# have their builds submitted in jobs of their own, each with its own
# settings; a controller killed between sbatch and the commit of the job
# ids (fault point slurm-submitted: with one build in each group, and
# with a group of two submitted and another not) leaves builds that the
# next run finds in Slurm's queue and takes over, not runs again, while
# those never submitted are queued again; "cascade status" tells queued
# (a held job) from running.  Skipped, saying why, where Slurm is missing.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin slurm_window

CLUSTER=$SRC/tests/slurm/cluster.sh
stop_cluster() {
	bash "$CLUSTER" stop "$T/cluster" >/dev/null 2>&1
	for d in 2 3 4 5; do
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_$d WITH (FORCE)" >/dev/null 2>&1
	done
	t_cleanup
}
trap stop_cluster EXIT

slurm_start
export PATH=$PATH:/usr/sbin
export CASCADE_SLURM_POLL_MS=300

# setup ROOT DB HOLD DAY...: a mission of two processes reading raw, pa
# with the mission's executor settings, pb with its own; HOLD is added to
# both sets of sbatch options ("--hold": jobs wait to be released)
setup() {
	local root=$1 db=$2 hold=$3 d
	shift 3
	mkdir -p "$root/codes" "$root/data/incoming"
	cp "$FIX/pcodes/concat.sh" "$root/codes/"
	cat > "$root/m.yaml" <<EOF
mission: {name: win, rootdir: $root/data, codedir: $root/codes}
satellites: [{name: sat, instruments: [ins]}]
products:
  - {name: raw, instrument: ins, level: 0, format: "w_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: a, instrument: ins, level: 1, format: "w_a_{Y}{m}{d}_v{VERSION}.dat", relative_path: a}
  - {name: b, instrument: ins, level: 1, format: "w_b_{Y}{m}{d}_v{VERSION}.dat", relative_path: b}
processes:
  - name: pa
    output_product: a
    output_timebase: DAILY
    inputs: [raw]
    codes: [{filename: concat.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]
  - name: pb
    output_product: b
    output_timebase: DAILY
    inputs: [raw]
    executor: {partition: other, sbatch_options: "--comment=pb $hold", cpus: 1, time_limit: 10m}
    codes: [{filename: concat.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]
executor: {kind: slurm, cpus: 2, sbatch_options: "--comment=mission $hold"}
EOF
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	psql -X -q -d postgres -c "CREATE DATABASE $db TEMPLATE template0" >/dev/null
	"$CASCADE" init -m "$db" >/dev/null &&
		"$CASCADE" config apply "$root/m.yaml" -m "$db" >/dev/null || return 1
	for d in "$@"; do
		printf 'raw %s\n' "$d" > "$root/data/incoming/w_raw_202401${d}_v1.0.0.dat"
	done
}
q() { psql -X -A -t -d "$1" -c "$2"; }
# field JOB KEY: a job's KEY as scontrol shows it
field() { scontrol -o show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# -- per-process settings ---------------------------------------------------
expect_rc 0 "a mission of two processes with different settings" setup "$T/P" "$DB" "" 01 02
expect_rc 0 "ProcessQueue" timeout 120 "$CASCADE" process-queue -m "$DB"
contains "every build succeeds" "$out" "process: 4 builds succeeded, 0 failed"
ja=$(q "$DB" "SELECT DISTINCT slurm_job_id FROM build JOIN process USING (process_id) WHERE process_name = 'pa'")
jb=$(q "$DB" "SELECT DISTINCT slurm_job_id FROM build JOIN process USING (process_id) WHERE process_name = 'pb'")
equals "pa's two builds shared one job, pb's another" "$(echo "$ja" | wc -l) $(echo "$jb" | wc -l) $([ "$ja" != "$jb" ] && echo apart)" "1 1 apart"
equals "pa's job: the mission's partition and options, 2 CPUs" \
	"$(field "$ja" Partition) $(field "$ja" Comment) $(field "$ja" NumCPUs)" "test mission 2"
equals "pb's job: its own partition, options, CPUs and time limit" \
	"$(field "$jb" Partition) $(field "$jb" Comment) $(field "$jb" NumCPUs) $(field "$jb" TimeLimit)" "other pb 1 00:10:00"
equals "Slurm is not to requeue a group job" "$(field "$ja" Requeue)$(field "$jb" Requeue)" "00"

# -- killed after sbatch, before the job ids' commit --------------------------
# crash ROOT DB POINT: a run killed at POINT, the jobs submitted held
crash() {
	CASCADE_TEST_COMPLETIONS=$1/completions CASCADE_FAULT=$3:kill \
		timeout 120 "$CASCADE" process-queue -m "$2" >/dev/null 2>&1
}
# held: the ids of the cluster's held jobs, sorted
held() { squeue --me -h -t PENDING -o '%i %r' | awk '$2 == "JobHeldUser" { print $1 }' | sort -n | paste -sd' '; }

# one build in each group, both submitted, neither recorded
W=$T/W
setup "$W" "${DB}_2" --hold 01 >/dev/null
crash "$W" "${DB}_2" slurm-submitted@2
equals "killed after its second sbatch" "$?" 137
jobs2=$(held)
equals "two held jobs in Slurm" "$(echo "$jobs2" | wc -w)" 2
equals "their builds are running with no job recorded" \
	"$(q "${DB}_2" "SELECT count(*) FROM build WHERE status = 'running' AND slurm_job_id IS NULL")" 2
expect_rc 0 "the next run, not waiting" env CASCADE_TEST_COMPLETIONS="$W/completions" \
	timeout 120 "$CASCADE" process-queue --no-wait -m "${DB}_2"
contains "it finds them in Slurm's queue" "$err" "2 of them had been submitted to Slurm by the interrupted run"
equals "their rows have the jobs submitted before the kill" \
	"$(q "${DB}_2" "SELECT string_agg(slurm_job_id, ' ' ORDER BY slurm_job_id::int) FROM build WHERE status = 'running'")" "$jobs2"
equals "no job was submitted again" "$(held)" "$jobs2"
expect_rc 0 "cascade status" "$CASCADE" status -m "${DB}_2"
contains "status: a held build is queued in Slurm, and why" "$out" "queued in Slurm job ${jobs2%% *}, waiting: JobHeldUser"
expect_rc 0 "cascade status --json" "$CASCADE" status --json -m "${DB}_2"
contains "json: its Slurm state" "$out" '"slurm_state": "PENDING"'
contains "json: why it waits" "$out" '"slurm_reason": "JobHeldUser"'

# a group of two submitted, the other process's group of two not
X=$T/X
setup "$X" "${DB}_3" --hold 01 02 >/dev/null
before=$(held)
crash "$X" "${DB}_3" slurm-submitted@1
equals "killed after its first sbatch" "$?" 137
new=$(comm -13 <(echo "$before" | tr ' ' '\n') <(held | tr ' ' '\n'))
equals "one new held job" "$(echo "$new" | wc -w)" 1
expect_rc 0 "the next run, not waiting" env CASCADE_TEST_COMPLETIONS="$X/completions" \
	timeout 120 "$CASCADE" process-queue --no-wait -m "${DB}_3"
contains "it finds the two submitted in Slurm's queue" "$err" "2 of them had been submitted to Slurm by the interrupted run"
contains "and runs the two never submitted" "$err" "2 builds will run again"
equals "the submitted two keep their job, the others have a new one" \
	"$(q "${DB}_3" "SELECT count(*) FILTER (WHERE slurm_job_id = '$new'), count(DISTINCT slurm_job_id), count(*) FROM build WHERE status = 'running'")" "2|2|4"

# released, every build runs once
release=$(held | tr ' ' ',')
scontrol release "$release"
for m in "W ${DB}_2" "X ${DB}_3"; do
	set -- $m
	CASCADE_TEST_COMPLETIONS=$T/$1/completions timeout 120 "$CASCADE" process-queue -m "$2" >/dev/null 2>"$T/$1/pq.err"
	equals "$1: the last run ends" "$?" 0
	equals "$1: no code ran twice" "$(sort "$T/$1/completions" | uniq -d)" ""
	equals "$1: nothing is lost: every build succeeded, once" \
		"$(q "$2" "SELECT string_agg(DISTINCT status::text, ','), count(*), max(attempt) FROM build")" \
		"succeeded|$([ "$1" = W ] && echo 2 || echo 4)|1"
	equals "$1: every code completed once" "$(wc -l < "$T/$1/completions")" "$([ "$1" = W ] && echo 2 || echo 4)"
done

# a mission started again in the same directories, with the same run and
# build ids: Slurm still lists the first one's ended jobs (MinJobAge) by
# their script paths, which must never name the second's scripts
Y=$T/Y
setup "$Y" "${DB}_4" "" 01 >/dev/null
timeout 120 "$CASCADE" process-queue -m "${DB}_4" >/dev/null 2>&1
equals "Y: the first mission's run ends" "$?" 0
old=$(q "${DB}_4" "SELECT string_agg(DISTINCT slurm_job_id, ' ') FROM build")
rm -rf "$Y"
setup "$Y" "${DB}_4" --hold 01 >/dev/null
before=$(held)
crash "$Y" "${DB}_4" slurm-submitted@1
equals "Y: the second mission's run killed after its first sbatch" "$?" 137
new4=$(comm -13 <(echo "$before" | tr ' ' '\n') <(held | tr ' ' '\n'))
expect_rc 0 "Y: the next run, not waiting" timeout 120 "$CASCADE" process-queue --no-wait -m "${DB}_4"
equals "Y: the build submitted is found in its own new job" \
	"$(q "${DB}_4" "SELECT count(*) FROM build WHERE slurm_job_id = '$new4'")" 1
not_contains "Y: no build was matched to an old job" " $(q "${DB}_4" "SELECT string_agg(slurm_job_id, ' ') FROM build") " " $old "
scontrol release "$(held | tr ' ' ',')"
timeout 120 "$CASCADE" process-queue -m "${DB}_4" >/dev/null 2>&1
equals "Y: the last run ends" "$?" 0
equals "Y: every build succeeded, once" \
	"$(q "${DB}_4" "SELECT string_agg(DISTINCT status::text, ','), count(*), max(attempt) FROM build")" "succeeded|2|1"

# a held job cancelled while pending, under --no-wait (each run looks at
# Slurm once): no record can come from a job that never reached a node,
# so the next run records the cancel and retries the build at once (it
# waited for "one more poll" of a run that never polls again: for ever)
Z=$T/Z
setup "$Z" "${DB}_5" --hold 01 >/dev/null
expect_rc 0 "Z: a run that submits and returns" timeout 120 "$CASCADE" process-queue --no-wait -o pa -m "${DB}_5"
jz=$(q "${DB}_5" "SELECT slurm_job_id FROM build")
scancel "$jz"
expect_rc 0 "Z: the next such run" timeout 120 "$CASCADE" process-queue --no-wait -o pa -m "${DB}_5"
contains "Z: it retries the cancelled build" "$out" "1 retried"
contains "Z: the cancel is said as such" "$(grep -o 'failed, attempt 1 of [0-9]*: .*' "$T/err")" "cancelled"
equals "Z: the build's second attempt is in a new job" \
	"$(q "${DB}_5" "SELECT attempt, slurm_job_id <> '$jz' FROM build")" "2|t"
scancel "$(q "${DB}_5" "SELECT slurm_job_id FROM build")"

t_end
