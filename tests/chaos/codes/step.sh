#!/bin/sh
# step.sh --key DATE INPUT... OUTPUT: the chaos suite's code for every
# process with an output.  It appends "start KEY PID" to $CHAOS_MARKERS
# when it starts and "end KEY" just before it exits 0 (one short O_APPEND
# write each, so lines from parallel codes never mix), where KEY is
# PROCESS:DATE; between the two it sleeps (CHAOS_CODE_MS, "LO HI"
# milliseconds: a fixed time, or one drawn from the key and CHAOS_CODE_SEED
# when LO and HI differ) and writes an output that depends only on its
# inputs' names and contents, so that an interrupted run must produce
# byte-identical files.
set -eu
key=${CASCADE_PROCESS:-?}:$2
shift 2
m=${CHAOS_MARKERS:?}
echo "start $key $$" >> "$m"
set -- ${CHAOS_CODE_MS:-3 3} "$@"
lo=$1 hi=$2
shift 2
if [ "$lo" -ne "$hi" ]; then
	h=$(printf '%s %s' "${CHAOS_CODE_SEED:-0}" "$key" | cksum)
	lo=$((lo + ${h%% *} % (hi - lo + 1)))
fi
[ "$lo" -eq 0 ] || sleep "$((lo / 1000)).$(printf '%03d' $((lo % 1000)))"
out=$(eval echo "\${$#}")
n=$(($# - 1))
{
	echo "key $key"
	i=0
	for f in "$@"; do
		i=$((i + 1))
		[ $i -le $n ] || break
		echo "input ${f##*/}"
		cat "$f"
	done
} > "$out"
echo "end $key" >> "$m"
