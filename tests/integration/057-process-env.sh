# 057-process-env: the world fails around the runner: the database goes
# away while codes run, the archive refuses an output, the start of the
# next build fails.  Each time no finished code's output is lost, no code
# is left running, nothing aborts, and the next run completes the work;
# and no run leaves work directories behind.
. "$(dirname "$0")/lib.sh"
t_begin process_env

# scenario NAME WRAPPER: the pipeline mission with l1's code behind
# WRAPPER (a fixture code taking CODE ARGS...), 4 days of raw data
scenario() {
	S=$T/$1
	SDB=${DB}_$1
	mkdir -p "$S/codes" "$S/data/incoming"
	cp "$FIX"/pcodes/*.sh "$S/codes/"
	sed -e "s|@ROOT@|$S|g; s|@FIX@|$FIX|g" \
	    -e "s|filename: concat.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: \"--date {DATE}\"|filename: $2, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: \"concat.sh --date {DATE}\"|" \
	    "$FIX/config/pipeline.yaml" > "$S/mission.yaml"
	psql -X -q -d postgres -c "CREATE DATABASE $SDB TEMPLATE template0" >/dev/null
	"$CASCADE" init -m "$SDB" >/dev/null
	"$CASCADE" config apply "$S/mission.yaml" -m "$SDB" >/dev/null
	for d in 01 02 03 04; do
		printf 'raw %s\n' "$d" > "$S/data/incoming/pl_raw_202403${d}_v1.0.0.dat"
	done
	"$CASCADE" ingest -m "$SDB" >/dev/null
	export CASCADE_TEST_COMPLETIONS=$S/completions CASCADE_TEST_ONCE=$S/once
	: > "$S/completions"
}
q() { psql -X -A -t -q -d "$SDB" -c "$1"; }
workdirs() { find "$S/data/.cascade/work" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# the database connection is lost while a code runs: the controller
# exits 4, its code runs on under its supervisor, and the next run
# records it and does the rest, running no code twice
scenario dbgone dbkill.sh
run env PGDATABASE="$SDB" "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "lost database: exit status 4, no abort" "$rc" 4
contains "it says the connection is lost" "$err" "lost connection to the database"
not_contains "no BUG" "$err" "BUG"
unset CASCADE_TEST_ONCE
expect_rc 0 "the next run" "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "every build succeeded in the end" "$(q "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM build")" "12/12"
equals "lost database: no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0
equals "no work directory left" "$(workdirs)" 0

# the archive refuses an output (a file where its directory should be,
# as with a full or read-only disk): the run starts nothing more, lets
# the running code end and exits 7; the refused builds stay recording
# with their outputs kept, none failed; the next run archives them
# without running the codes again
scenario archive slow.sh
echo "in the way" > "$S/data/l1"
run "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "archive refused: the run exits 7" "$rc" 7
contains "it says what it could not do" "$err" "could not create directory \"$S/data/l1/2024\""
contains "and where the output waits" "$err" "stays \"recording\"; the next run archives it"
equals "the builds are recording, none failed" "$(q "SELECT string_agg(DISTINCT status, ',') FROM build b JOIN process p USING (process_id) WHERE p.process_name = 'l1' AND status <> 'queued'")|$(q "SELECT count(*) FROM failure")" "recording|0"
rm "$S/data/l1"
expect_rc 0 "the next run" "$CASCADE" process-queue -p -n 1 -m "$SDB"
contains "it finishes the recordings" "$err" "outputs left recording were archived"
equals "every build succeeded" "$(q "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM build")" "12/12"
equals "no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0
equals "no work directory left" "$(workdirs)" 0

# the next build cannot be started (the system refuses a process) while
# a code runs: the finished code is still recorded and archived; the
# build that could not start waits, queued, not failed; the run exits 7
scenario refill slow.sh
run env CASCADE_FAULT=build-launch:fail@2 "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "a failed start stops the run" "$rc" 7
contains "saying why" "$err" "could not start build 2"
equals "the finished build was recorded all the same" "$(q "SELECT status FROM build WHERE build_id = 1")" "succeeded"
equals "the build that could not start waits, its attempt not counted" "$(q "SELECT status || ' ' || attempt || ' ' || (SELECT count(*) FROM failure f WHERE f.build_id = b.build_id) FROM build b WHERE build_id = 2")" "queued 0 0"
expect_rc 0 "the next run" "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "every build succeeded in the end" "$(q "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM build")" "12/12"
equals "refill: no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0

# a log that cannot be created: the same
scenario logfail slow.sh
run env CASCADE_FAULT=log-create:fail@2 "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "a log that cannot be created stops the run" "$rc" 7
contains "saying why" "$err" "could not create log"
equals "nothing failed" "$(q "SELECT count(*) FROM failure")" 0
expect_rc 0 "the next run" "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "every build succeeded in the end" "$(q "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM build")" "12/12"
equals "no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0
equals "no work directory left" "$(workdirs)" 0

# the same with the archive: its directory cannot be made (disk full)
scenario mkdir slow.sh
run env CASCADE_FAULT=archive-mkdir:fail "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "archive I/O error: the run exits 7" "$rc" 7
contains "with the error" "$err" "Input/output error"
expect_rc 0 "the next run" "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "every build succeeded" "$(q "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM build")" "12/12"
equals "no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0

for d in $(psql -X -A -t -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '${DB}_%'"); do
	psql -X -q -d postgres -c "DROP DATABASE $d WITH (FORCE)" >/dev/null
done
t_end
