# 050-process: daily and per-file chains, windows and neighbours,
# optional inputs, new input and code versions, forced bumps, the no-op
# run, RUN steps, midnight-spanning files, dry runs and samples.
. "$(dirname "$0")/lib.sh"
t_begin process
pipeline_setup
export CASCADE_TEST_RUNLOG=$T/runlog

ver() { # ver PRODUCT DATE: newest version of that product's file of that date
	sql "SELECT interface_version || '.' || quality_version || '.' || revision_version FROM newest_file JOIN product USING (product_id) WHERE product_name = '$1' AND utc_file_date = '$2'"
}
nbuilds() { sql "SELECT count(*) FROM build"; }

for d in 01 02 03 04 05; do deliver "pl_raw_202401${d}_v1.0.0.dat" "raw $d"; done
expect_rc 0 "ProcessQueue ingests and processes" "$CASCADE" process-queue -m "$DB"
contains "summary line" "$out" "process: 15 builds succeeded, 0 failed"
for d in 01 02 03 04 05; do
	equals "l1 of 2024-01-$d is 1.0.0" "$(ver l1 2024-01-$d)" "1.0.0"
	equals "l2 of 2024-01-$d is 1.0.0" "$(ver l2 2024-01-$d)" "1.0.0"
done
[ -f "$ARC/l1/2024/pl_l1_20240103_v1.0.0.dat" ] && pass "l1 archived under its relative path" || fail "l1 archived under its relative path"
equals "l1 of 03 was made from raw 02, 03 and 04 (its window)" \
	"$(sql "SELECT string_agg(s.filename, ' ' ORDER BY s.filename) FROM file r JOIN filefilelink l ON l.resulting_file = r.file_id JOIN file s ON s.file_id = l.source_file WHERE r.filename = 'pl_l1_20240103_v1.0.0.dat'")" \
	"pl_raw_20240102_v1.0.0.dat pl_raw_20240103_v1.0.0.dat pl_raw_20240104_v1.0.0.dat"
equals "l1 of 01 has no day before: raw 01 and 02" \
	"$(sql "SELECT count(*) FROM file r JOIN filefilelink l ON l.resulting_file = r.file_id WHERE r.filename = 'pl_l1_20240101_v1.0.0.dat'")" 2
equals "every output has its code link" "$(sql "SELECT count(*) FROM file f JOIN filecodelink c ON c.resulting_file = f.file_id")" 10
equals "the output content: date and inputs in date order" \
	"$(head -4 "$ARC/l1/2024/pl_l1_20240103_v1.0.0.dat" | tr '\n' ' ')" "date 20240103 input pl_raw_20240102_v1.0.0.dat raw 02 input pl_raw_20240103_v1.0.0.dat "
equals "argv as dbprocessing builds it" \
	"$(sql "SELECT array_length(argv, 1), argv[2], argv[3], argv[4] LIKE '%/raw/2024/pl_raw_20240102_v1.0.0.dat', argv[7] LIKE '%/pl_l1_20240103_v1.0.0.dat' FROM build b JOIN process USING (process_id) WHERE process_name = 'l1' AND output_key = '2024-01-03'")" \
	"7|--date|20240103|t|t"
equals "build rows carry timings, CPU, RSS, host, log" \
	"$(sql "SELECT count(*) FROM build WHERE status = 'succeeded' AND started_at <= ended_at AND cpu_user_s IS NOT NULL AND max_rss_kb > 0 AND hostname IS NOT NULL AND log_path IS NOT NULL AND exit_code = 0")" 15
equals "RUN builds record no file but their inputs" \
	"$(sql "SELECT count(*), bool_and(output_file_id IS NULL), sum(array_length(input_file_ids, 1)) FROM build JOIN process USING (process_id) WHERE process_name = 'summary'")" "5|t|5"
equals "the RUN code saw the l2 files" "$(grep -c '^run pl_l2_' "$T/runlog")" 5
equals "queue empty" "$(sql "SELECT count(*) FROM processqueue")" 0
equals "every batch is done, its counts and summary those of its builds" \
	"$(sql "SELECT count(*) FROM batch a WHERE state = 'done' AND done_count = size AND succeeded_count = size AND failed_count = 0 AND summary = (SELECT count(*) FILTER (WHERE status = 'succeeded') || ' succeeded, ' || count(*) FILTER (WHERE status <> 'succeeded') || ' failed' FROM build WHERE batch_id = a.batch_id)")" \
	"$(sql "SELECT count(*) FROM batch")"
equals "run record" "$(sql "SELECT status, builds_ok, builds_failed FROM logging WHERE command = 'process-queue' ORDER BY logging_id DESC LIMIT 1")" "ok|15|0"

# nothing new: a second run runs no code and says nothing
n0=$(nbuilds)
expect_rc 0 "second run with nothing new" "$CASCADE" process-queue -m "$DB"
equals "it printed nothing" "$out$err" ""
equals "it ran no code" "$(nbuilds)" "$n0"

# a new input version: its day and the neighbours that see it are rebuilt
deliver pl_raw_20240103_v1.1.0.dat "raw 03, better"
expect_rc 0 "a new version of raw 03" "$CASCADE" process-queue -m "$DB"
for d in 02 03 04; do equals "l1 of $d bumped to 1.1.0 (window)" "$(ver l1 2024-01-$d)" "1.1.0"; done
for d in 01 05; do equals "l1 of $d untouched" "$(ver l1 2024-01-$d)" "1.0.0"; done
for d in 02 03 04; do equals "l2 of $d follows to 1.1.0" "$(ver l2 2024-01-$d)" "1.1.0"; done
[ -f "$ARC/l1/2024/pl_l1_20240103_v1.0.0.dat" ] && pass "the old version stays archived" || fail "the old version stays archived"
equals "l1 03 1.1.0 uses raw 03 1.1.0" \
	"$(sql "SELECT count(*) FROM file r JOIN filefilelink l ON l.resulting_file = r.file_id JOIN file s ON s.file_id = l.source_file WHERE r.filename = 'pl_l1_20240103_v1.1.0.dat' AND s.filename = 'pl_raw_20240103_v1.1.0.dat'")" 1
deliver pl_raw_20240103_v1.1.1.dat "raw 03, revised"
expect_rc 0 "a revision of raw 03" "$CASCADE" process-queue -m "$DB"
equals "a revision bumps the revision" "$(ver l1 2024-01-03)" "1.1.1"

# a neighbour's data alone makes no output for a day with no input
deliver pl_raw_20240107_v1.0.0.dat "raw 07"
expect_rc 0 "raw 07 (no 06, no 08)" "$CASCADE" process-queue -m "$DB"
equals "l1 of 07 made" "$(ver l1 2024-01-07)" "1.0.0"
equals "no l1 of 06 or 08 from neighbours alone" "$(sql "SELECT count(*) FROM file WHERE filename LIKE 'pl_l1_2024010[68]%'")" 0

# an optional input appears: an input added bumps quality
deliver pl_aux_20240105_v1.0.0.dat "aux 05"
expect_rc 0 "optional aux for 05" "$CASCADE" process-queue -m "$DB"
equals "l1 05 rebuilt with a quality bump" "$(ver l1 2024-01-05)" "1.1.0"
contains "l1 05 used the aux file" "$(cat "$ARC"/l1/2024/pl_l1_20240105_v1.1.0.dat)" "aux 05"

# a forced bump from the queue
expect_rc 0 "reprocess raw 01 with --force 2" cascade reprocess --product raw --from 2024-01-01 --to 2024-01-01 --force 2
contains "reprocess says what it queued" "$out" "1 files queued"
expect_rc 0 "process the forced bump" cascade process
equals "l1 of 01 bumped in revision" "$(ver l1 2024-01-01)" "1.0.1"
equals "the neighbour l1 of 02 was re-evaluated, not forced" "$(ver l1 2024-01-02)" "1.1.1"
expect_rc 2 "reprocess of an unknown product" cascade reprocess --product nosuch
contains "unknown product named" "$err" 'product "nosuch" names no product'
# by code: the newest inputs of a process, within a code version's dates
expect_rc 0 "reprocess by process" cascade reprocess --code l1 --from 2024-01-01 --to 2024-01-03
equals "it queues the process's inputs in the range" "$out" "3 files queued"
expect_rc 0 "reprocess by process and code version" cascade reprocess --code l1:1.0.0 --from 2024-01-01 --to 2024-01-03
equals "a valid version selects the same, already queued" "$out" "0 files queued, 3 already queued"
expect_rc 2 "a code version the process does not have" cascade reprocess --code l1:9.9.9
contains "says which and lists the versions" "$err" 'process "l1" has no code version "9.9.9"'
contains "with the versions it has" "$err" "Its code versions: 1.0.0"
expect_rc 2 "an unknown process" cascade reprocess --code nosuch
contains "says so" "$err" 'process "nosuch" names no product (no such process, or it has no inputs)'
expect_rc 0 "by instrument" cascade reprocess --instrument ins --from 2024-01-02 --to 2024-01-02
expect_rc 0 "flush what these queued" cascade queue flush
equals "the queue is empty" "$(sql "SELECT count(*) FROM processqueue")" 0

# a file spanning midnight affects two days
printf 'SPAN 2024-01-01 1.0.0 2024-01-01T20:00:00Z 2024-01-02T04:00:00Z\n' > "$IN/pl_span_20240101_v1.0.0.dat"
expect_rc 0 "a midnight-spanning file" "$CASCADE" process-queue -m "$DB"
equals "it made outputs for both days" "$(sql "SELECT count(*) FROM file WHERE filename IN ('pl_spanl1_20240101_v1.0.0.dat', 'pl_spanl1_20240102_v1.0.0.dat')")" 2

# a new code version applied through the config: its outputs are rebuilt
sed 's/version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "--date {DATE}"}/version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "--date {DATE}", active: false}\n      - {filename: concat.sh, relative_path: ., version: 1.0.1, output_interface_version: 1, start_date: 2000-01-01, arguments: "--date {DATE}"}/' "$T/pipeline.yaml" > "$T/newcode.yaml"
expect_rc 0 "apply a new l1 code version" cascade config apply "$T/newcode.yaml"
contains "apply queues the reprocessing" "$out" "queued 7 input files of l1 for reprocessing"
expect_rc 0 "process after the new code" cascade process
equals "l1 of 02 rebuilt: code revision bumps the revision" "$(ver l1 2024-01-02)" "1.1.2"
equals "l1 of 07 rebuilt" "$(ver l1 2024-01-07)" "1.0.1"
equals "new outputs link the new code" "$(sql "SELECT c.revision_version FROM file f JOIN filecodelink l ON l.resulting_file = f.file_id JOIN code c ON c.code_id = l.source_code WHERE f.filename = 'pl_l1_20240107_v1.0.1.dat'")" 1

# a code changed on disk without a version bump is refused
echo "# edited in place" >> "$T/codes/concat.sh"
expect_rc 0 "reprocess raw 07" cascade reprocess --product raw --from 2024-01-07 --to 2024-01-07 --force 2
expect_rc 1 "the changed code is refused" cascade process
contains "the refusal says why" "$err" "changed on disk since it was registered"
equals "recorded as a code failure" "$(sql "SELECT kind FROM failure WHERE build_id IS NOT NULL ORDER BY failure_id DESC LIMIT 1")" "code"

# dry run and sample change nothing
deliver pl_raw_20240109_v1.0.0.dat "raw 09"
expect_rc 0 "ingest raw 09" cascade ingest
cp "$FIX/pcodes/concat.sh" "$T/codes/concat.sh"
n0=$(nbuilds)
expect_rc 0 "process --dry-run" cascade process --dry-run
contains "the dry run lists the build" "$out" "l1 2024-01-09 -> pl_l1_20240109_v1.0.0.dat"
contains "with its command line" "$out" "concat.sh --date 20240109"
equals "the dry run planned nothing for real" "$(nbuilds) $(sql "SELECT count(*) FROM processqueue")" "$n0 1"
expect_rc 0 "process --sample 1" cascade process --sample 1 --scratch "$T/scratch"
[ -f "$T/scratch/pl_l1_20240109_v1.0.0.dat" ] && pass "the sample output is in the scratch directory" || fail "the sample output is in the scratch directory" "$(ls "$T/scratch" 2>&1)"
equals "the sample recorded nothing" "$(nbuilds) $(sql "SELECT count(*) FROM processqueue")" "$n0 1"
[ ! -e "$ARC/l1/2024/pl_l1_20240109_v1.0.0.dat" ] && pass "the sample archived nothing" || fail "the sample archived nothing"

# run-process: a date range on demand
expect_rc 0 "run-process l1 for two days, forced" cascade run-process l1 --from 2024-01-01 --to 2024-01-02 --force 2
equals "l1 of 01 rebuilt by run-process" "$(ver l1 2024-01-01)" "1.0.3"
expect_rc 2 "run-process of an unknown process" cascade run-process nosuch --from 2024-01-01
expect_rc 2 "run-process with a bad date" cascade run-process l1 --from 2024-13-01
# -o/--only and -s/--skip-run, dbprocessing's options
deliver pl_raw_20240111_v1.0.0.dat "raw 11"
expect_rc 0 "ProcessQueue -o l1" "$CASCADE" process-queue -o l1 -m "$DB"
equals "-o: l1 of 11 made" "$(ver l1 2024-01-11)" "1.0.0"
equals "-o: its l2 waits in the queue" "$(sql "SELECT count(*) FROM processqueue q JOIN file USING (file_id) WHERE filename = 'pl_l1_20240111_v1.0.0.dat'")" 1
runs_before=$(grep -c . "$T/runlog")
expect_rc 0 "ProcessQueue -s skips RUN processes" "$CASCADE" process-queue -s -m "$DB"
equals "-s: l2 of 11 made" "$(ver l2 2024-01-11)" "1.0.0"
equals "-s: the RUN step did not run" "$(grep -c . "$T/runlog")" "$runs_before"
expect_rc 0 "a full run afterwards" "$CASCADE" process-queue -m "$DB"
equals "the RUN step ran for the entries -s left queued" "$(grep -c 'run pl_l2_20240111' "$T/runlog")" 1
equals "the queue is empty again" "$(sql "SELECT count(*) FROM processqueue")" 0
equals "no flag left" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0
# a changed code runs when the mission says run.refuse_changed_code:
# false, with a warning
echo "# edited in place again" >> "$T/codes/concat.sh"
sed 's/^run:$/run:\n  refuse_changed_code: false/' "$T/pipeline.yaml" > "$T/lenient.yaml"
expect_rc 0 "apply refuse_changed_code: false" cascade config apply "$T/lenient.yaml"
expect_rc 0 "reprocess raw 07 again" cascade reprocess --product raw --from 2024-01-07 --to 2024-01-07 --force 2
expect_rc 0 "the changed code runs" cascade process
contains "with a warning naming the code" "$err" "concat.sh\" (version 1.0.0) changed on disk since it was registered"
contains "that says why it ran" "$err" "running it anyway, as run.refuse_changed_code is false"
# one run, one catalog: the mission's tables are read once and the
# templates compiled once, for ingest, planning and running alike
deliver pl_raw_20240112_v1.0.0.dat "raw 12"
expect_rc 0 "ProcessQueue -v -v ingests and processes" "$CASCADE" process-queue -v -v -m "$DB"
equals "it made l1 of 12" "$(ver l1 2024-01-12)" "1.0.0"
equals "it read the mission's tables once" "$(grep -c "read the mission's tables" "$T/err")" 1
equals "it compiled the catalog once" "$(grep -c 'catalog of mission "' "$T/err")" 1
# one slot, builds sent ahead to the supervisor: each starts when the
# one before it ended, and its row says so (not when it was sent)
for d in 13 14 15 16; do deliver "pl_raw_202401${d}_v1.0.0.dat" "raw $d"; done
export CASCADE_TEST_CODE_S=0.2
expect_rc 0 "ProcessQueue with one slot" "$CASCADE" process-queue -n 1 -m "$DB"
unset CASCADE_TEST_CODE_S
equals "one slot: the four days made" "$(sql "SELECT count(*) FROM file WHERE filename LIKE 'pl_l1_2024011%' AND utc_file_date >= '2024-01-13'")" 4
# (the times are the server's clock less how long ago the supervisor saw
# them, so a statement's latency blurs them by milliseconds; a start
# recorded when it was sent would overlap the whole of the build before)
equals "one slot: no build's run time overlaps half of another's" "$(sql "SELECT count(*) FROM build a JOIN build b ON a.build_id <> b.build_id WHERE a.logging_id = b.logging_id AND a.logging_id = (SELECT max(logging_id) FROM build) AND a.started_at <= b.started_at AND a.ended_at - b.started_at > (a.ended_at - a.started_at) / 2")" 0
t_end
