# 055-process-kill: ProcessQueue killed with SIGKILL at many points
# (between builds, mid-build, while recording an output), each followed
# by a normal run: the archive and the database must equal those of an
# uninterrupted run, and no build may run twice to completion.  Also a
# SIGTERM: running codes are stopped and their builds run again later.
. "$(dirname "$0")/lib.sh"
t_begin process_kill

# the pipeline mission with its codes behind slow.sh (a short pause each),
# so a code killed together with its controller never completed.  The
# kill scenarios use one slot, so no other code can be finishing in the
# instant the controller dies (that window is documented in
# architecture.md); a two-slot scenario checks the archive only.
slow_config() {
	sed -e "s|@ROOT@|$1|g; s|@FIX@|$FIX|g" \
	    -e 's|filename: concat.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "--date {DATE}"|filename: slow.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "concat.sh --date {DATE}"|' \
	    -e 's|{filename: concat.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}|{filename: slow.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "concat.sh"}|' \
	    -e 's|{filename: listrun.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}|{filename: slow.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "listrun.sh"}|' \
	    "$FIX/config/pipeline.yaml"
}

# scenario NAME: a fresh database and archive with 8 days of raw data
scenario() {
	S=$T/$1
	SDB=${DB}_$1
	mkdir -p "$S/codes" "$S/data/incoming"
	cp "$FIX"/pcodes/*.sh "$S/codes/"
	slow_config "$S" > "$S/mission.yaml"
	psql -X -q -d postgres -c "CREATE DATABASE $SDB TEMPLATE template0" >/dev/null
	"$CASCADE" init -m "$SDB" >/dev/null
	"$CASCADE" config apply "$S/mission.yaml" -m "$SDB" >/dev/null
	for d in 01 02 03 04 05 06 07 08; do
		printf 'raw %s\n' "$d" > "$S/data/incoming/pl_raw_202403${d}_v1.0.0.dat"
	done
	"$CASCADE" ingest -m "$SDB" >/dev/null
	export CASCADE_TEST_COMPLETIONS=$S/completions
	: > "$S/completions"
}

# what must be identical to the uninterrupted run
signature() {
	psql -X -A -t -q -d "$SDB" -c "
		SELECT 'file ' || filename || ' ' || shasum FROM file ORDER BY 1;
		SELECT 'link ' || s.filename || ' -> ' || r.filename FROM filefilelink l
		  JOIN file s ON s.file_id = l.source_file JOIN file r ON r.file_id = l.resulting_file ORDER BY 1;
		SELECT 'code ' || f.filename || ' ' || l.source_code FROM filecodelink l JOIN file f ON f.file_id = l.resulting_file ORDER BY 1;
		SELECT 'ok ' || p.process_name || ' ' || b.output_key || ' ' || coalesce(b.output_filename, '-')
		  FROM build b JOIN process p USING (process_id) WHERE b.status = 'succeeded' ORDER BY 1;
		SELECT 'open ' || count(*) FROM build WHERE status NOT IN ('succeeded');
		SELECT 'queue ' || count(*) FROM processqueue;"
	(cd "$S/data" && find . -path ./.cascade -prune -o -type f -print | sort | sed 's/^/disk /')
}

scenario reference
expect_rc 0 "the uninterrupted run" "$CASCADE" process-queue -p -m "$SDB"
signature > "$T/reference.sig"
contains "the reference made 24 builds" "$(grep -c '^ok ' "$T/reference.sig")" 24
equals "the reference ran every code once" "$(sort "$S/completions" | uniq -d | wc -l) $(wc -l < "$S/completions")" "0 24"

n=0
for point in plan-committed@1 plan-committed@2 build-started@1 build-started@6 \
	build-started@13 build-recording@1 build-recording@9 build-linked@1 \
	build-linked@10 build-recorded@1 build-recorded@2; do
	n=$((n + 1))
	scenario "k$n"
	CASCADE_FAULT=$point:kill "$CASCADE" process-queue -p -n 1 -m "$SDB" >/dev/null 2>&1
	st=$?
	equals "killed at $point" "$st" 137
	expect_rc 0 "the next run after $point" "$CASCADE" process-queue -p -m "$SDB"
	signature > "$S/sig"
	if cmp -s "$T/reference.sig" "$S/sig"; then
		pass "after $point: archive and database equal the uninterrupted run"
	else
		fail "after $point: archive and database equal the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)"
	fi
	equals "after $point: no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0
	equals "after $point: every code completed once" "$(wc -l < "$S/completions")" 24
done

# killed twice, the second time while finishing the first's work
scenario twice
CASCADE_FAULT=build-linked@3:kill "$CASCADE" process-queue -p -n 1 -m "$SDB" >/dev/null 2>&1
CASCADE_FAULT=build-started@2:kill "$CASCADE" process-queue -p -n 1 -m "$SDB" >/dev/null 2>&1
expect_rc 0 "a run after two kills" "$CASCADE" process-queue -p -m "$SDB"
signature > "$S/sig"
cmp -s "$T/reference.sig" "$S/sig" && pass "after two kills: equal to the uninterrupted run" || fail "after two kills: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)"

# two slots, killed while recording: the archive still converges
scenario slots2
CASCADE_FAULT=build-recording@5:kill "$CASCADE" process-queue -p -n 2 -m "$SDB" >/dev/null 2>&1
expect_rc 0 "two slots: the run after the kill" "$CASCADE" process-queue -p -n 2 -m "$SDB"
signature > "$S/sig"
cmp -s "$T/reference.sig" "$S/sig" && pass "two slots: equal to the uninterrupted run" || fail "two slots: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)"

# a batch on which controllers keep dying is set aside as poison
scenario poison
for i in 1 2 3; do
	CASCADE_FAULT=build-started@1:kill "$CASCADE" process-queue -p -n 1 -m "$SDB" >/dev/null 2>&1
done
expect_rc 0 "the run after three deaths on one batch" "$CASCADE" process-queue -p -m "$SDB"
contains "it reports the poison batch" "$err" "marked bad"
equals "the batch is bad" "$(psql -X -A -t -d "$SDB" -c "SELECT state FROM batch ORDER BY batch_id LIMIT 1")" "bad"
equals "its builds are cancelled, not run" "$(psql -X -A -t -d "$SDB" -c "SELECT count(*) FROM build WHERE status = 'cancelled'")" 8
equals "a failure awaits a person" "$(psql -X -A -t -d "$SDB" -c "SELECT kind FROM failure")" "poison-batch"

# a code leaves a process behind and its controller is killed: the next
# run kills that process (its process group, marked with the build id)
# before running the build again, and gives the attempt back
scenario orphan
cp "$FIX/pcodes/orphan.sh" "$S/codes/slow.sh"
make_fifo "$T/orphan.fifo"
make_fifo "$T/orphan-pause.fifo"
CASCADE_FAULT=build-started:pause@1 CASCADE_FAULT_FIFO=$T/orphan-pause.fifo \
	CASCADE_TEST_ORPHAN_FIFO=$T/orphan.fifo "$CASCADE" process-queue -p -n 1 -m "$SDB" >/dev/null 2>&1 &
pq=$!
# the code has started its process (a deadline, not a wait: opened
# read-write so that a controller that dies early cannot hang the test)
exec 4<>"$T/orphan.fifo"
read -t 120 -r gc <&4 || gc=
exec 4<&-
[ -n "$gc" ] || { fail "the code reported its background process"; t_end; exit 1; }
exec 3>"$T/orphan-pause.fifo"      # the controller has recorded the start
kill -KILL $pq
exec 3>&-
wait $pq
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
alive "$gc" && pass "the code's background process outlived its controller" || fail "the code's background process outlived its controller"
equals "its build was on attempt 1" "$(psql -X -A -t -d "$SDB" -c "SELECT attempt FROM build WHERE status = 'running'")" 1
expect_rc 0 "the next run" "$CASCADE" process-queue -p -m "$SDB"
contains "it says it killed what was left" "$err" "killed 1 processes left running by the codes of an interrupted run"
alive "$gc" && fail "the background process is gone" "pid $gc still running" || pass "the background process is gone"
equals "the build ran again on its first attempt" "$(psql -X -A -t -d "$SDB" -c "SELECT max(attempt) FROM build")" 1
signature > "$S/sig"
cmp -s "$T/reference.sig" "$S/sig" && pass "after the orphan: equal to the uninterrupted run" || fail "after the orphan: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)"

# SIGTERM: stop cleanly, record the run as interrupted, resume later
scenario term
make_fifo "$T/fifo"
CASCADE_FAULT=build-started:pause@3 CASCADE_FAULT_FIFO=$T/fifo "$CASCADE" process-queue -p -m "$SDB" >/dev/null 2>"$T/term.err" &
pq=$!
exec 3>"$T/fifo"
kill -TERM $pq
exec 3>&-
wait $pq
st=$?
equals "SIGTERM exits 128+15" "$st" 143
equals "the run is recorded as interrupted" "$(psql -X -A -t -d "$SDB" -c "SELECT status, exit_status FROM logging WHERE command = 'process-queue' ORDER BY logging_id DESC LIMIT 1")" "interrupted|143"
equals "no build left running" "$(psql -X -A -t -d "$SDB" -c "SELECT count(*) FROM build WHERE status = 'running'")" 0
equals "the flag is released" "$(psql -X -A -t -d "$SDB" -c "SELECT count(*) FROM logging WHERE currently_processing")" 0
expect_rc 0 "the next run finishes the work" "$CASCADE" process-queue -p -m "$SDB"
signature > "$S/sig"
cmp -s "$T/reference.sig" "$S/sig" && pass "after SIGTERM: equal to the uninterrupted run" || fail "after SIGTERM: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)"

for d in $(psql -X -A -t -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '${DB}_%'"); do
	psql -X -q -d postgres -c "DROP DATABASE $d WITH (FORCE)" >/dev/null
done
t_end
