#!/bin/sh
# function-lengths.sh - the length of every function in src/*/*.c, in lines
# from its name (at the start of a line, the house style) to its closing
# brace, longest first: "LINES FILE:LINE NAME".
#
#   scripts/function-lengths.sh            every function
#   scripts/function-lengths.sh -c [MAX]   check: fail when a function is
#                                          longer than MAX (default 120)
#                                          lines and not listed (as
#                                          FILE:NAME) in
#                                          scripts/long-functions.txt
set -u
cd "$(dirname "$0")/.." || exit 2
check=0
max=120
if [ "${1:-}" = -c ]; then
	check=1
	[ -n "${2:-}" ] && max=$2
fi

lengths() {
	for f in src/*/*.c; do
		awk -v file="$f" '
		# a definition: a name at column 0 followed by "(", and a
		# body whose "{" opens at column 0 before any ";"
		/^[A-Za-z_][A-Za-z0-9_]*\(/ && !infn {
			name = $0; sub(/\(.*/, "", name); start = NR; cand = 1
			next
		}
		cand && /;[[:space:]]*$/ && !/^\{/ { if ($0 !~ /,[[:space:]]*$/) cand = 0 }
		cand && /^\{/ { infn = 1; cand = 0; next }
		infn && /^\}/ {
			printf "%d %s:%d %s\n", NR - start + 1, file, start, name
			infn = 0
		}' "$f"
	done | sort -rn
}

if [ "$check" -eq 0 ]; then
	lengths
	exit 0
fi
bad=0
allow=scripts/long-functions.txt
lengths | while read -r n where name; do
	[ "$n" -gt "$max" ] || continue
	if [ -f "$allow" ] && grep -qx "${where%%:*}:$name" "$allow"; then
		continue
	fi
	echo "function-lengths: $where: $name is $n lines (at most $max)" >&2
	echo x
done | grep -q x && bad=1
# a listed function that is no longer long comes off the list
if [ -f "$allow" ]; then
	long=$(lengths | awk -v max="$max" '$1 > max { sub(/:[0-9]+$/, "", $2); print $2 ":" $3 }')
	for entry in $(grep -v '^#' "$allow"); do
		if ! printf '%s\n' "$long" | grep -qx "$entry"; then
			echo "function-lengths: $entry is no longer than $max lines: take it off $allow" >&2
			bad=1
		fi
	done
fi
[ "$bad" -eq 0 ] && echo "function lengths: ok (at most $max lines, or listed in $allow)"
exit "$bad"
