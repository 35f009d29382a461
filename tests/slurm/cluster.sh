#!/bin/bash
# cluster.sh - a private single-node Slurm cluster in a directory, for tests.
#
#   cluster.sh start DIR   start munged, slurmctld and slurmd under DIR; print
#                          "SLURM_CONF=DIR/slurm.conf" (export it to use the
#                          cluster with sbatch, squeue, scontrol, scancel)
#   cluster.sh stop DIR    cancel every job, wait for them, stop the daemons
#   cluster.sh forget DIR  restart slurmctld with its state cleared: the jobs
#                          that ended are forgotten, as if purged (their
#                          records stay in the job completion log)
#
# With CLUSTER_MEMORY=1, start makes memory a resource that jobs ask for
# (--mem; 256 MiB per CPU if they do not) and that is enforced: a job over
# its limit is killed (jobacct_gather's OverMemoryKill: no cgroups needed).
#
# Like pg_virtualenv for PostgreSQL: nothing outside DIR is touched, two
# clusters can run side by side (each picks free ports), and start fails
# with the reason (exit 77 when Slurm or munge is not installed, so callers
# can skip and say why).
set -u

die() { echo "cluster.sh: $*" >&2; exit "${2:-1}"; }

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for CMD...: run CMD until it succeeds, at most 20 s (the daemons
# start in about a second; this bounds a broken start, it does not pace it)
wait_for() {
	local deadline=$((SECONDS + 20))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

# fail DIR MESSAGE: stop what this start started, then die with MESSAGE
fail() {
	stop "$1" >/dev/null 2>&1
	die "$2"
}

start() {
	local dir=$1 p1 p2 cpus mem
	for c in munged mungekey slurmctld slurmd sbatch scontrol; do
		command -v "$c" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin command -v "$c" >/dev/null 2>&1 ||
			die "$c not found (install slurmctld, slurmd, slurm-client, munge)" 77
	done
	export PATH=$PATH:/usr/sbin
	mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" || die "cannot make $dir"
	dir=$(cd "$dir" && pwd)
	chmod 0700 "$dir/munge"
	mungekey -c -k "$dir/munge/munge.key" 2>/dev/null ||
		dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
	chmod 0600 "$dir/munge/munge.key"
	chmod 0755 "$dir/munge"
	munged -f --socket="$dir/munge/munge.sock" --key-file="$dir/munge/munge.key" \
		--pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
		--seed-file="$dir/munge/munged.seed" ||
		fail "$dir" "munged did not start: $(tail -n 3 "$dir/log/munged.log" 2>/dev/null)"
	p1=$(free_port) p2=$(free_port)
	while [ "$p2" = "$p1" ]; do p2=$(free_port); done
	cpus=$(nproc)
	mem=$(awk '/MemTotal/ { print int($2 / 1024 / 2) }' /proc/meminfo)
	if [ "${CLUSTER_MEMORY:-0}" = 1 ]; then
		select="CR_Core_Memory
JobAcctGatherParams=OverMemoryKill
DefMemPerCPU=256"
	else
		select=CR_Core
	fi
	cat > "$dir/slurm.conf" <<CONF
ClusterName=cascadetest
SlurmctldHost=localhost
SlurmUser=$(id -un)
SlurmdUser=root
SlurmctldPort=$p1
SlurmdPort=$p2
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=1
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,sched_interval=1,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=$select
MinJobAge=600
# a cancelled job's processes get SIGKILL 5 s after SIGTERM (default 30),
# so that stop's bounded wait covers it
KillWait=5
ReturnToService=2
SlurmdTimeout=30
NodeName=n1 NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=n1 Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
# a second partition on the same node, for per-process settings
PartitionName=other Nodes=n1 Default=NO MaxTime=INFINITE State=UP OverSubscribe=FORCE:8
CONF
	export SLURM_CONF=$dir/slurm.conf
	slurmctld -c -f "$dir/slurm.conf" ||
		fail "$dir" "slurmctld did not start: $(tail -n 3 "$dir/log/slurmctld.log")"
	wait_for scontrol ping ||
		fail "$dir" "slurmctld does not answer: $(tail -n 3 "$dir/log/slurmctld.log")"
	slurmd -f "$dir/slurm.conf" -N n1 ||
		fail "$dir" "slurmd did not start: $(tail -n 3 "$dir/log/slurmd.log")"
	wait_for sh -c 'sinfo -h -N -o %T | grep -qE "^(idle|mixed|allocated)"' ||
		fail "$dir" "the node did not come up: $(sinfo -N 2>&1 | tail -n 2); $(tail -n 3 "$dir/log/slurmd.log")"
	echo "SLURM_CONF=$dir/slurm.conf"
}

stop() {
	local dir=$1 pid pids
	export PATH=$PATH:/usr/sbin SLURM_CONF=$dir/slurm.conf
	if [ -f "$dir/slurm.conf" ] && scontrol ping >/dev/null 2>&1; then
		scancel --full -u "$(id -un)" 2>/dev/null
		# running jobs outlive the daemons: wait until none is left
		wait_for sh -c '[ -z "$(squeue -h -o %i)" ]'
	fi
	# all three at once: each takes about 2 s to stop, and in turn they
	# took 6 s of every Slurm test (the cluster is thrown away: nothing
	# needs slurmd to tell slurmctld, nor munge to be there for it)
	pids=()
	for f in slurmd.pid slurmctld.pid munge/munged.pid; do
		[ -f "$dir/$f" ] || continue
		pid=$(cat "$dir/$f")
		kill "$pid" 2>/dev/null && pids+=("$pid")
	done
	for pid in "${pids[@]}"; do
		wait_for sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null
	done
	return 0
}

forget() {
	local dir=$1 pid
	export PATH=$PATH:/usr/sbin SLURM_CONF=$dir/slurm.conf
	pid=$(cat "$dir/slurmctld.pid" 2>/dev/null) || die "no slurmctld in $dir"
	kill "$pid" 2>/dev/null
	wait_for sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null
	slurmctld -c -f "$dir/slurm.conf" ||
		die "slurmctld did not start again: $(tail -n 3 "$dir/log/slurmctld.log")"
	wait_for scontrol ping ||
		die "slurmctld does not answer: $(tail -n 3 "$dir/log/slurmctld.log")"
	wait_for sh -c 'sinfo -h -N -o %T | grep -qE "^(idle|mixed|allocated)"' ||
		die "the node did not come back: $(sinfo -N 2>&1 | tail -n 2)"
}

case "${1:-}" in
start) [ $# -eq 2 ] || die "usage: cluster.sh start DIR" 2; start "$2" ;;
stop) [ $# -eq 2 ] || die "usage: cluster.sh stop DIR" 2; stop "$2" ;;
forget) [ $# -eq 2 ] || die "usage: cluster.sh forget DIR" 2; forget "$2" ;;
*) die "usage: cluster.sh start|stop|forget DIR" 2 ;;
esac
