#!/bin/sh
# stats.sh INPUT OUTPUT: demo L1 -> L2: daily statistics of the field
set -eu
[ $# -eq 2 ] || { echo "usage: stats.sh INPUT OUTPUT" >&2; exit 2; }
grep -v '^#' "$1" | awk -v src="$(basename "$1")" '
	{ n++; s += $2; if (n == 1 || $2 < lo) lo = $2; if (n == 1 || $2 > hi) hi = $2 }
	END {
		print "# daily statistics of " src
		printf "records %d\nmean %.3f\nmin %.3f\nmax %.3f\n", n, (n ? s / n : 0), lo, hi
	}' > "$2"
