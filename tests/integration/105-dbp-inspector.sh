#!/bin/bash
# 105-dbp-inspector: scripts/cascade-dbp-inspector runs the fixture's
# dbprocessing inspector modules, unchanged and without dbprocessing
# installed, one process per file and in --batch mode: every archived file
# is claimed by its own product alone, with the date, version, start, stop
# and process keywords dbprocessing recorded (its SQLite file rows; the
# checks are in tests/dbp/inspector-adapter.py).
. "$(dirname "$0")/lib.sh"
t_begin 105_dbp_inspector
. "$(dirname "$0")/lib-adopt.sh"

mkdir -p "$RUN"
tar -C "$RUN" --strip-components=2 -xzf "$DFIX/fixt-tree.tar.gz"
gunzip -c "$DFIX/fixt.sqlite.gz" > "$T/fixt.sqlite"
/usr/bin/python3 "$SRC/tests/dbp/inspector-adapter.py" "$SRC/scripts/cascade-dbp-inspector" \
	"$RUN" "$T/fixt.sqlite" > "$T/tap" 2>&1
prc=$?
while IFS= read -r line; do
	case $line in
	"ok "*) pass "${line#ok * - }" ;;
	"not ok "*) fail "${line#not ok * - }" ;;
	"1.."*) ;;
	*) echo "# $line" ;;
	esac
done < "$T/tap"
equals "the adapter test ran to its end (exit $prc)" "$(tail -n 1 "$T/tap" | cut -c1-3) $((prc > 1 ? prc : 0))" "1.. 0"
t_end
