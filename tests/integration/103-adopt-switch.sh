#!/bin/bash
# 103-adopt-switch: the steps of "Switching from dbprocessing" in
# docs/from-dbprocessing.md, run as written (the database and INI names
# replaced) on the database made by the real dbprocessing.
. "$(dirname "$0")/lib.sh"
t_begin 103_adopt_switch
. "$(dirname "$0")/lib-adopt.sh"

DOC=$SRC/docs/from-dbprocessing.md
dbp_load
sed "s|/tmp/dbp-fixt-run|$RUN|" "$DFIX/mission.conf" > "$T/mission.conf"
mkdir -p "$T/bin"
ln -s "$CASCADE" "$T/bin/cascade"

# the sh block of the section
awk '/^## Switching from dbprocessing/ { s = 1; next } /^## / { s = 0 }
     s && /^```sh/ { b = 1; next } s && b && /^```/ { exit } s && b' "$DOC" > "$T/steps"
equals "the steps are numbered 1 to 6" \
	"$(grep -oE '^# [0-9]\.' "$T/steps" | tr -d '#. ' | tr -d '\n')" 123456
for w in "back up" "stop dbprocessing" "--dry-run" "cascade adopt --verify" "config import" "first run"; do
	contains "the steps include: $w" "$(cat "$T/steps")" "$w"
done

grep -v -e '^#' -e '^$' "$T/steps" |
	sed -e "s/-m fixt\\b/-m $DB/g; s/-d fixt\\b/-d $DB/g; s/ fixt\$/ $DB/" > "$T/steps.run"
equals "every step names the database" "$(grep -c "$DB" "$T/steps.run")" "$(wc -l < "$T/steps.run")"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	(cd "$T" && PATH=$T/bin:$PATH bash -c "$line") > "$T/step$n.out" 2> "$T/step$n.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then pass "step: $line"
	else fail "step: $line" "exit $rc" "$(cat "$T/step$n.out" "$T/step$n.err" | tail -5)"; fi
done < "$T/steps.run"
equals "no run holds dbprocessing's flag" "$(cat "$T/step1.out")" ""
if [ -s "$T/fixt-before-cascade.dump" ]; then pass "the backup was written"
else fail "the backup was written"; fi
contains "the dry run says what it would do" "$(cat "$T/step3.out")" "would be adopted from dbprocessing: 29 files"
contains "the adoption says what it did" "$(cat "$T/step4.out")" "adopted from dbprocessing: 29 files, 40 file links"
contains "the mission file is imported" "$(cat "$T/step5.out")" "fixt.yaml: ok: mission fixt"
contains "applying it changes nothing" "$(cat "$T/step6.out")" "no changes"
contains "the first run works the queue dbprocessing left" "$(cat "$T/step7.err")" "planned batch 1: 1 queue entries, 0 builds"
equals "and builds nothing" "$(sql "SELECT count(*) FROM build")" 0

# the backup undoes it
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_back" >/dev/null 2>&1
psql -X -q -d postgres -c "CREATE DATABASE ${DB}_back TEMPLATE template0" >/dev/null
pg_restore --no-owner -d "${DB}_back" "$T/fixt-before-cascade.dump" 2>"$T/restore.err"
equals "the backup restores dbprocessing's database" \
	"$(psql -X -A -t -d "${DB}_back" -c "SELECT to_regclass('cascade_schema_version') IS NULL, (SELECT count(*) FROM file)")" "t|29"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_back" >/dev/null 2>&1

t_end
