# 045-ingest-kill: ingest of a few hundred files killed with SIGKILL at
# many points, each followed by a normal run; then the archive, the file
# table and the queue must agree exactly with what was delivered.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin ingest_kill

demo_config "$T" > "$T/small.yaml"
printf 'run:\n  batch_size: 40\n' >> "$T/small.yaml"
expect_rc 0 "init" cascade init
expect_rc 0 "apply" cascade config apply "$T/small.yaml"
IN=$T/data/incoming
ARC=$T/data
mkdir -p "$IN"
: > "$T/manifest"
round=0

# deliver N new files (unique dates per round), recording name and sha1
deliver_round() {
	local n=$1 i=0 d name
	round=$((round + 1))
	for d in $(seq $((round * 1000 + 1)) $((round * 1000 + n)) |
		   sed 's/.*/2000-01-01 + & days/' | date -u -f - +%Y%m%d); do
		i=$((i + 1))
		name=small_mag_l0_${d}_v1.0.0.dat
		printf 'round %d file %d\n' "$round" "$i" > "$IN/.$name"
		mv "$IN/.$name" "$IN/$name"
	done
	(cd "$IN" && sha1sum small_mag_l0_*) | sed 's/  / /' >> "$T/manifest"
}

check_exact() {
	local what=$1 bad=0 n rows q files
	n=$(wc -l < "$T/manifest")
	rows=$(sql "SELECT count(*) FROM file")
	q=$(sql "SELECT count(*) FROM processqueue")
	files=$(find "$ARC/mag" -type f | wc -l)
	equals "$what: one row per delivered file" "$rows" "$n"
	equals "$what: one queue entry per file" "$q" "$n"
	equals "$what: one archived file per delivered file" "$files" "$n"
	equals "$what: incoming is empty" "$(find "$IN" -type f | wc -l)" 0
	equals "$what: nothing rejected" "$(find "$ARC/errors" -type f 2>/dev/null | wc -l)" 0
	equals "$what: journal is empty" "$(sql "SELECT count(*) FROM ingest_journal")" 0
	equals "$what: no temporary files" "$(find "$ARC" -name '.cascade-tmp*' | wc -l)" 0
	# every delivered name: its row has its checksum, its file its content
	sql "SELECT shasum || ' ' || filename FROM file ORDER BY filename" > "$T/rows"
	sort -k2 "$T/manifest" > "$T/manifest.sorted"
	if cmp -s "$T/rows" "$T/manifest.sorted"; then
		pass "$what: names and checksums in the database match the deliveries"
	else
		fail "$what: names and checksums in the database match the deliveries" "$(diff "$T/rows" "$T/manifest.sorted" | head -5)"
	fi
	(cd "$ARC/mag/l0" && find . -type f -printf '%f\n' | sort) > "$T/ondisk"
	awk '{print $2}' "$T/manifest.sorted" > "$T/names"
	if cmp -s "$T/ondisk" "$T/names"; then
		pass "$what: the archive holds exactly the delivered names"
	else
		fail "$what: the archive holds exactly the delivered names" "$(diff "$T/ondisk" "$T/names" | head -5)"
	fi
	bad=$(sql "SELECT count(*) FROM file f LEFT JOIN processqueue q USING (file_id) WHERE q.file_id IS NULL")
	equals "$what: no file without a queue entry" "$bad" 0
}

points="ingest-journaled@1 ingest-journaled@4 ingest-placed@1 ingest-placed@39
ingest-placed@41 ingest-placed@150 ingest-before-commit@1 ingest-before-commit@3
ingest-committed@1 ingest-committed@5 ingest-unlinked@1 ingest-unlinked@40
ingest-unlinked@97 ingest-unlinked@199"
for p in $points; do
	deliver_round 200
	CASCADE_FAULT=$p:kill "$CASCADE" ingest -m "$DB" >/dev/null 2>&1
	st=$?
	equals "killed at $p (status 137)" "$st" 137
	expect_rc 0 "the next run after $p" cascade ingest
	contains "the next run after $p rejects nothing" "$out" " 0 rejected"
	check_exact "after $p"
done

# killed twice in a row, the second time while recovering the first
deliver_round 100
CASCADE_FAULT=ingest-placed@60:kill "$CASCADE" ingest -m "$DB" >/dev/null 2>&1
CASCADE_FAULT=ingest-placed@10:kill "$CASCADE" ingest -m "$DB" >/dev/null 2>&1
expect_rc 0 "a run after two kills" cascade ingest
check_exact "after two kills"

# rejects: killed at every step, each delivered reject ends in the error
# directory once, with one failure row whose error_path is that file (the
# content delivered); none is rejected twice, none is left in incoming
ERR=$ARC/errors
mkdir -p "$T/rejects"
rround=0
deliver_rejects() {
	local n=$1 i name
	rround=$((rround + 1))
	for i in $(seq 1 "$n"); do
		name=junk_${rround}_$i.dat
		printf 'reject round %d file %d\n' "$rround" "$i" > "$T/rejects/$name"
		cp "$T/rejects/$name" "$IN/.$name"
		mv "$IN/.$name" "$IN/$name"
	done
}

check_rejects() {
	local what=$1 bad= name path n
	n=$(ls "$T/rejects" | wc -l)
	equals "$what: one failure row per reject" "$(sql "SELECT count(*) FROM failure")" "$n"
	equals "$what: one file in the error directory per reject" "$(find "$ERR" -type f | wc -l)" "$n"
	equals "$what: incoming is empty" "$(find "$IN" -type f | wc -l)" 0
	equals "$what: journal is empty" "$(sql "SELECT count(*) FROM ingest_journal")" 0
	equals "$what: one row per archived file" "$(sql "SELECT count(*) FROM file")" "$(wc -l < "$T/manifest")"
	sql "SELECT filename || ' ' || coalesce(error_path, '') FROM failure" > "$T/rows"
	while read -r name path; do
		cmp -s "$T/rejects/$name" "$path" || bad="$bad $name:$path"
	done < "$T/rows"
	equals "$what: every error_path holds its delivery" "$bad" ""
}

points="ingest-journaled@1 ingest-placed@5 ingest-placed@45 ingest-before-commit@1
ingest-committed@1 ingest-committed@2 ingest-unlinked@3 ingest-unlinked@45"
for p in $points; do
	deliver_round 30
	deliver_rejects 30
	CASCADE_FAULT=$p:kill "$CASCADE" ingest -m "$DB" >/dev/null 2>&1
	equals "rejects: killed at $p (status 137)" "$?" 137
	run cascade ingest
	[ "$rc" -le 1 ] && pass "rejects: the next run after $p" || fail "rejects: the next run after $p" "exit status $rc" "$err"
	check_rejects "rejects after $p"
done
deliver_round 30
deliver_rejects 30
CASCADE_FAULT=ingest-placed@10:kill "$CASCADE" ingest -m "$DB" >/dev/null 2>&1
CASCADE_FAULT=ingest-committed@1:kill "$CASCADE" ingest -m "$DB" >/dev/null 2>&1
run cascade ingest
[ "$rc" -le 1 ] && pass "rejects: a run after two kills" || fail "rejects: a run after two kills" "exit status $rc" "$err"
check_rejects "rejects after two kills"
t_end
