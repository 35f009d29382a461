#!/bin/sh
# calibrate.sh --date YYYYMMDD INPUT... OUTPUT
# demo L0 -> L1: convert counts to nT (0.25 nT/count, offset -100 nT) for
# the requested day, and smooth each value with its neighbours, which is
# why the process reads yesterday's and tomorrow's files too.
set -eu
[ "$1" = "--date" ] || { echo "usage: calibrate.sh --date YYYYMMDD INPUT... OUTPUT" >&2; exit 2; }
day=$2
shift 2
out=$(eval echo "\${$#}")
n=$(($# - 1))
inputs=
i=0
for f in "$@"; do
	i=$((i + 1))
	[ $i -le $n ] && inputs="$inputs $f"
done
want=$(echo "$day" | sed 's/\(....\)\(..\)\(..\)/\1-\2-\3/')
# shellcheck disable=SC2086
cat $inputs | grep -v '^#' | sort | awk -v want="$want" '
	{ t[NR] = $1; v[NR] = $2 * 0.25 - 100 }
	END {
		print "# demo-a magnetometer L1 (nT, 3-point smoothed), " want
		for (i = 1; i <= NR; i++) {
			if (substr(t[i], 1, 10) != want) continue
			s = v[i]; k = 1
			if (i > 1) { s += v[i-1]; k++ }
			if (i < NR) { s += v[i+1]; k++ }
			printf "%s %.3f\n", t[i], s / k
		}
	}' > "$out"
echo "calibrate: wrote $(grep -vc '^#' "$out") records to $(basename "$out")"
