#!/bin/sh
# summary.sh INPUT...: demo RUN step: prints a one-line summary of the
# L2 files it is given (RUN processes have no output file; the build and
# its log are the record).
set -eu
for f in "$@"; do
	printf '%s mean=%s\n' "$(basename "$f")" "$(awk '$1 == "mean" { print $2 }' "$f")"
done
