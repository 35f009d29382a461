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
# stops the codes it started and exits 4; the next run does the rest
scenario dbgone dbkill.sh
run env PGDATABASE="$SDB" "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "lost database: exit status 4, no abort" "$rc" 4
contains "it says the connection is lost" "$err" "lost connection to the database"
not_contains "no BUG" "$err" "BUG"
equals "no code of it left running" "$(pgrep -f "$S/codes/" | wc -l)" 0
unset CASCADE_TEST_ONCE
expect_rc 0 "the next run" "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "every build succeeded in the end" "$(q "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM build")" "12/12"
equals "no work directory left" "$(workdirs)" 0

# the archive refuses an output (a file where its directory should be,
# as with a full or read-only disk): the run stops, the build stays
# recording with its output kept; the next run archives it without
# running the code again
scenario archive slow.sh
echo "in the way" > "$S/data/l1"
run "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "archive refused: the run fails" "$rc" 6
contains "it says what it could not do" "$err" "could not create directory \"$S/data/l1/2024\""
contains "and where the output waits" "$err" "stays \"recording\"; the next run archives it"
equals "the build is recording, not failed" "$(q "SELECT string_agg(status, ',') FROM build b JOIN process p USING (process_id) WHERE p.process_name = 'l1' AND status <> 'queued'")" "recording"
rm "$S/data/l1"
expect_rc 0 "the next run" "$CASCADE" process-queue -p -n 1 -m "$SDB"
contains "it finishes the recording" "$err" "finishing the recording of build"
equals "every build succeeded" "$(q "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM build")" "12/12"
equals "no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0
equals "no work directory left" "$(workdirs)" 0

# the next build's start fails and the one after cannot be prepared
# (its log cannot be created) while a code runs: the finished code is
# still recorded and archived; the run stops
scenario refill slow.sh
run env CASCADE_FAULT=build-launch:fail@2,log-create:fail@3 "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "a failed preparation stops the run" "$rc" 6
contains "saying why" "$err" "could not create log"
equals "the finished build was recorded all the same" "$(q "SELECT status FROM build WHERE build_id = 1")" "succeeded"
equals "the build whose start failed is recorded as such" "$(q "SELECT status || ' ' || (SELECT kind FROM failure f WHERE f.build_id = b.build_id) FROM build b WHERE build_id = 2")" "failed exec"
expect_rc 0 "the next run" "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "the rest succeeded (not build 2 and what needs it)" "$(q "SELECT count(*) FROM build WHERE status = 'succeeded'")" 9
equals "no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0
equals "no work directory left" "$(workdirs)" 0

# the same with the archive: its directory cannot be made (disk full)
scenario mkdir slow.sh
run env CASCADE_FAULT=archive-mkdir:fail "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "archive I/O error: the run fails" "$rc" 6
contains "with the error" "$err" "Input/output error"
expect_rc 0 "the next run" "$CASCADE" process-queue -p -n 1 -m "$SDB"
equals "every build succeeded" "$(q "SELECT count(*) FILTER (WHERE status = 'succeeded') || '/' || count(*) FROM build")" "12/12"
equals "no code ran twice to completion" "$(sort "$S/completions" | uniq -d | wc -l)" 0

for d in $(psql -X -A -t -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE '${DB}_%'"); do
	psql -X -q -d postgres -c "DROP DATABASE $d WITH (FORCE)" >/dev/null
done
t_end
