#!/bin/sh
# runlist.sh --key DATE INPUT...: the chaos suite's RUN-timebase code: no
# output; the start and end markers and the pause as in step.sh.
set -eu
key=${CASCADE_PROCESS:-?}:$2
m=${CHAOS_MARKERS:?}
echo "start $key $$" >> "$m"
set -- ${CHAOS_CODE_MS:-3 3}
lo=$1 hi=$2
if [ "$lo" -ne "$hi" ]; then
	h=$(printf '%s %s' "${CHAOS_CODE_SEED:-0}" "$key" | cksum)
	lo=$((lo + ${h%% *} % (hi - lo + 1)))
fi
[ "$lo" -eq 0 ] || sleep "$((lo / 1000)).$(printf '%03d' $((lo % 1000)))"
echo "end $key" >> "$m"
