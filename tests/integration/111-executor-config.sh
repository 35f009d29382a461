#!/bin/bash
# The mission file's executor settings (issue 14): mission-wide and per
# process, applied to the database (mission.executor, process.executor,
# slurm_* columns), changed, exported and read back; a bad kind refused.
. "$(dirname "$0")/lib.sh"
t_begin executor_config

demo_config "$T" > "$T/base.yaml"
expect_rc 0 "init" cascade init
expect_rc 0 "apply a mission without executor settings" cascade config apply "$T/base.yaml"
equals "the default executor is local" \
	"$(sql "SELECT executor, slurm_cpus, slurm_time_limit_s FROM mission")" "local|0|0"
equals "processes inherit (NULL)" \
	"$(sql "SELECT count(*) FROM process WHERE executor IS NULL AND slurm_cpus IS NULL")" \
	"$(sql "SELECT count(*) FROM process")"

proc=$(sql "SELECT process_name FROM process ORDER BY process_id LIMIT 1")
# the mission-wide settings, and one process's overrides
python3 - "$T/base.yaml" "$T/slurm.yaml" "$proc" <<'PY'
import sys
src, dst, proc = sys.argv[1:]
text = open(src).read()
text += """
executor:
  kind: slurm
  partition: debug
  account: proj1
  time_limit: 2h
  cpus: 4
  memory_mb: 512
  sbatch_options: "--qos=normal --exclusive"
  work_dir: shared
"""
lines = text.split("\n")
out = []
for l in lines:
    out.append(l)
    if l.strip() == "- name: " + proc:
        ind = l.index("-") + 2
        out.append(" " * ind + "executor: {kind: local, cpus: 1}")
open(dst, "w").write("\n".join(out))
PY
expect_rc 0 "the file with executor settings is valid" "$CASCADE" config check --no-programs "$T/slurm.yaml"
expect_rc 0 "apply it" cascade config apply "$T/slurm.yaml"
contains "the mission's change is reported" "$out" 'executor.kind "" -> "slurm"'
contains "the process's change is reported" "$out" "process $proc: executor.kind"
equals "the mission row" \
	"$(sql "SELECT executor, slurm_partition, slurm_account, slurm_time_limit_s, slurm_cpus, slurm_memory_mb, slurm_options, slurm_work_dir FROM mission")" \
	"slurm|debug|proj1|7200|4|512|--qos=normal --exclusive|$T/data/shared"
equals "the process row: its overrides, the rest NULL" \
	"$(sql "SELECT executor, slurm_cpus, coalesce(slurm_partition, 'NULL'), coalesce(slurm_time_limit_s::text, 'NULL') FROM process WHERE process_name = '$proc'")" \
	"local|1|NULL|NULL"
expect_rc 0 "a second apply" cascade config apply "$T/slurm.yaml"
contains "changes nothing" "$out" "no changes: the database matches"

expect_rc 0 "export" cascade config export -o "$T/exported.yaml"
contains "the export has the mission's executor" "$(cat "$T/exported.yaml")" "--qos=normal --exclusive"
expect_rc 0 "the export applies as no change" cascade config apply "$T/exported.yaml"
contains "the export round-trips" "$out" "no changes: the database matches"

expect_rc 0 "back to the file without executor settings" cascade config apply "$T/base.yaml"
equals "the mission is local again" "$(sql "SELECT executor, coalesce(slurm_partition, 'NULL') FROM mission")" "local|NULL"
equals "the process inherits again" "$(sql "SELECT coalesce(executor, 'NULL') FROM process WHERE process_name = '$proc'")" "NULL"

sed 's/kind: slurm/kind: pbs/' "$T/slurm.yaml" > "$T/bad.yaml"
expect_rc 2 "an unknown executor kind is refused" "$CASCADE" config check --no-programs "$T/bad.yaml"
contains "saying what was expected, and where" "$err" 'unknown executor kind "pbs" (expected "local" or "slurm")'
contains "with its position" "$err" "bad.yaml:"

t_end
