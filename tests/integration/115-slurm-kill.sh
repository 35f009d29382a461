#!/bin/bash
# 115-slurm-kill: one fixed round of the Slurm kill chaos
# (tests/chaos/slurm-kill.sh): killed after the start of its second build
# is recorded, then again while the next run takes over, after recovery
# recorded what had ended (fault point recover-recorded, which nothing
# else in make check kills at).  The mission is started again in the
# same directories, as the kill-chaos run that found a dead run's builds
# matched to an old job did.  "make check-chaos-slurm" runs this round,
# the two that make check ran before (slurm-submitted@2, and
# slurm-submitted@1/recover-decided: kills after an sbatch whose job id
# was not recorded, which 113-slurm-window makes deterministically) and
# CHAOS_SLURM_ROUNDS seeded ones.
# integration: slow
ROUNDS="build-started@2/recover-recorded" \
	exec bash "$(dirname "$0")/../chaos/slurm-kill.sh"
