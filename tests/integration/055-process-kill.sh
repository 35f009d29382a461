# 055-process-kill: ProcessQueue killed with SIGKILL at many points
# (between builds, mid-build, while recording an output), each followed
# by a normal run: the archive and the database must equal those of an
# uninterrupted run, and no build may run twice to completion.  Also a
# SIGTERM: running codes are stopped and their builds run again later.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin process_kill

# the pipeline mission with its codes behind slow.sh (a short pause
# each), so that a kill often finds codes running.  Codes run under
# supervisors that outlive the controller: a code that ends while no
# controller runs is recorded by the next run, never run again.
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

# each processing fault point once, mid-run (earlier builds done, later
# ones not); make check-chaos's fault-process family kills at every one
# of them at drawn counts, the first included
n=0
for point in plan-committed@2 build-started@6 build-recording@9 \
	build-linked@10 build-recorded@2; do
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
		fail "after $point: archive and database equal the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)" "the last run said: $err"
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
cmp -s "$T/reference.sig" "$S/sig" && pass "after two kills: equal to the uninterrupted run" || fail "after two kills: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)" "the last run said: $err"

# two slots, killed while recording and while starting: the other slot's
# code may be ending in that very instant, and still runs only once
i=0
for point in build-recording@5 build-started@4 build-started@9; do
	i=$((i + 1))
	scenario "slots2_$i"
	CASCADE_FAULT=$point:kill "$CASCADE" process-queue -p -n 2 -m "$SDB" >/dev/null 2>&1
	expect_rc 0 "two slots: the run after a kill at $point" "$CASCADE" process-queue -p -n 2 -m "$SDB"
	signature > "$S/sig"
	cmp -s "$T/reference.sig" "$S/sig" && pass "two slots, $point: equal to the uninterrupted run" || fail "two slots, $point: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)" "the last run said: $err"
	equals "two slots, $point: no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0
	psql -X -q -d postgres -c "DROP DATABASE $SDB WITH (FORCE)" >/dev/null
done

# A batch on which controllers keep dying without any code's result in
# between is set aside as poison.  A controller's death alone no longer
# stops its codes (their supervisor finishes them: progress), so each
# death here takes the whole session (controller, supervisor, codes) as
# a crash of the host would, while the first code waits on a FIFO that
# nobody opens.
crash_at() {	# crash_at POINT: run, and kill the whole session at POINT
	make_fifo "$T/crash.fifo"
	CASCADE_FAULT=$1:pause CASCADE_FAULT_FIFO=$T/crash.fifo \
		setsid "$CASCADE" process-queue -p -n 1 -m "$SDB" >/dev/null 2>&1 &
	cpid=$!
	exec 3>"$T/crash.fifo"
	cp=$(psql -X -A -t -d "$SDB" -c "SELECT pid FROM logging WHERE currently_processing")
	sid=$(ps -o sid= -p "$cp" | tr -d ' ')
	[ -n "$sid" ] && [ "$sid" != "$$" ] && pkill -KILL -s "$sid"
	exec 3>&-
	wait "$cpid" 2>/dev/null
	rm -f "$T/crash.fifo"
}
scenario poison
make_fifo "$T/never.fifo"
export CASCADE_TEST_BLOCK=$T/never.fifo
crash_at build-started@1
crash_at build-started@1
equals "two crashes without progress: not bad yet" "$(psql -X -A -t -d "$SDB" -c "SELECT count(*) FROM batch WHERE state = 'bad'")" 0
crash_at build-started@1
unset CASCADE_TEST_BLOCK
expect_rc 1 "the run after three deaths on one batch fails" "$CASCADE" process-queue -p -m "$SDB"
contains "it reports the poison batch" "$err" "marked bad"
equals "the batch is bad" "$(psql -X -A -t -d "$SDB" -c "SELECT state, stalls FROM batch ORDER BY batch_id LIMIT 1")" "bad|3"
equals "its builds are cancelled, not run" "$(psql -X -A -t -d "$SDB" -c "SELECT count(*) FROM build WHERE status = 'cancelled'")" 8
equals "a failure awaits a person" "$(psql -X -A -t -d "$SDB" -c "SELECT kind FROM failure")" "poison-batch"
expect_rc 1 "every later run says so and fails" "$CASCADE" process-queue -p -m "$SDB"
contains "with the reason" "$err" "1 batches marked bad by the poison rule await a person"
fid=$(psql -X -A -t -d "$SDB" -c "SELECT failure_id FROM failure")
expect_rc 0 "retrying the batch" "$CASCADE" failures retry "$fid" -m "$SDB"
expect_rc 0 "then the run builds what was cancelled" "$CASCADE" process-queue -p -m "$SDB"
signature | grep -v '^open ' > "$S/sig"
grep -v '^open ' "$T/reference.sig" | cmp -s - "$S/sig" && pass "after the poison batch's retry: equal to the uninterrupted run" || fail "after the poison batch's retry: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)" "the last run said: $err"

# deaths with progress in between are not counted: a chain of kills of
# the controller alone, each after some builds completed, never poisons
scenario chain
for k in 2 3 4 5 6 7; do
	CASCADE_FAULT=build-recording@$k:kill "$CASCADE" process-queue -p -n 1 -m "$SDB" >/dev/null 2>&1
done
expect_rc 0 "the run after a chain of six kills" "$CASCADE" process-queue -p -m "$SDB"
equals "no batch was marked bad" "$(psql -X -A -t -d "$SDB" -c "SELECT count(*) FROM batch WHERE state = 'bad'")" 0
signature > "$S/sig"
cmp -s "$T/reference.sig" "$S/sig" && pass "after the chain: equal to the uninterrupted run" || fail "after the chain: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)" "the last run said: $err"
equals "after the chain: no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0

# a code leaves a process behind and its supervisor dies with the
# controller: the next run kills that process (marked with the build id
# and mission in its environment) before running the build again, and
# gives the attempt back
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
sup=$(psql -X -A -t -d "$SDB" -c "SELECT supervisor_pid FROM build WHERE status = 'running'")
kill -KILL $pq $sup
exec 3>&-
wait $pq
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
alive "$gc" && pass "the code's background process outlived its controller and supervisor" || fail "the code's background process outlived its controller and supervisor"
equals "its build was on attempt 1" "$(psql -X -A -t -d "$SDB" -c "SELECT attempt FROM build WHERE status = 'running'")" 1
expect_rc 0 "the next run" "$CASCADE" process-queue -p -m "$SDB"
contains "it says it killed what was left" "$err" "killed 1 processes left running by the codes of an interrupted run"
alive "$gc" && fail "the background process is gone" "pid $gc still running" || pass "the background process is gone"
equals "the build ran again on its first attempt" "$(psql -X -A -t -d "$SDB" -c "SELECT max(attempt) FROM build")" 1
signature > "$S/sig"
cmp -s "$T/reference.sig" "$S/sig" && pass "after the orphan: equal to the uninterrupted run" || fail "after the orphan: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)" "the last run said: $err"

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
cmp -s "$T/reference.sig" "$S/sig" && pass "after SIGTERM: equal to the uninterrupted run" || fail "after SIGTERM: equal to the uninterrupted run" "$(diff "$T/reference.sig" "$S/sig" | head -8)" "the last run said: $err"

for d in $(psql -X -A -t -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '${DB}_%'"); do
	psql -X -q -d postgres -c "DROP DATABASE $d WITH (FORCE)" >/dev/null
done
t_end
