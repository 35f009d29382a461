#!/bin/bash
# 115-slurm-kill: a short, fixed selection of the Slurm kill chaos
# (tests/chaos/slurm-kill.sh; "make check-chaos-slurm" runs 30 seeded
# rounds): killed after an sbatch whose job id was not recorded, then again
# while the next run takes over; killed after the start is recorded, then
# again after recovery recorded what had ended.  Each round starts the
# mission again in the same directories, as the kill-chaos run that found
# a dead run's builds matched to an old job did.
ROUNDS="slurm-submitted@2 slurm-submitted@1/recover-decided build-started@2/recover-recorded" \
	exec bash "$(dirname "$0")/../chaos/slurm-kill.sh"
