# 051-process-failures: codes that fail, crash by signal, hang past their
# timeout, write no output, write the wrong file, or leave a grandchild
# running; retries, bad builds, and that one failure stops nothing else.
. "$(dirname "$0")/lib.sh"
t_begin process_failures
pipeline_setup
export CASCADE_TEST_GRANDCHILD=$T/grandchild.pid

deliver pl_bad_20240201_v1.0.0.dat "poison"
deliver pl_raw_20240201_v1.0.0.dat "raw"
expect_rc 1 "a run with failing codes exits 1" "$CASCADE" process-queue -m "$DB"
contains "the summary counts them" "$out" "bad"
st() { sql "SELECT status FROM build JOIN process USING (process_id) WHERE process_name = '$1' ORDER BY build_id DESC LIMIT 1"; }
equals "the healthy chain still ran (l1)" "$(st l1)" "succeeded"
equals "the healthy chain still ran (l2)" "$(st l2)" "succeeded"
equals "grandchild leaver succeeded" "$(st p_gc)" "succeeded"
gc=$(cat "$T/grandchild.pid")
if [ -n "$gc" ] && kill -0 "$gc" 2>/dev/null && ! grep -q '^State:.*Z' /proc/$gc/status 2>/dev/null; then
	fail "the grandchild was killed" "pid $gc still running"
else
	pass "the grandchild was killed"
fi
for p in p_fail p_crash p_hang p_noout p_wrong p_content; do
	equals "$p: marked bad after 2 quick failures" "$(st $p)" "bad"
	equals "$p: tried twice" "$(sql "SELECT attempt FROM build JOIN process USING (process_id) WHERE process_name = '$p'")" 2
done
equals "batches with failed builds: failed, done otherwise; their counts and summary those of their builds" \
	"$(sql "SELECT count(*) FROM batch a, LATERAL (SELECT count(*) FILTER (WHERE status = 'succeeded') AS ok, count(*) FILTER (WHERE status <> 'succeeded') AS bad FROM build WHERE batch_id = a.batch_id) x WHERE state = CASE WHEN x.bad > 0 THEN 'failed' ELSE 'done' END AND done_count = size AND succeeded_count = x.ok AND failed_count = x.bad AND summary = x.ok || ' succeeded, ' || x.bad || ' failed'")" \
	"$(sql "SELECT count(*) FROM batch")"
equals "and some batch failed" \
	"$(sql "SELECT count(*) > 0 FROM batch WHERE state = 'failed'")" t
equals "each batch holds the builds of the process it names" \
	"$(sql "SELECT count(*) FROM build b JOIN batch t USING (batch_id) WHERE t.process_id IS DISTINCT FROM b.process_id")" 0
kind() { sql "SELECT f.kind FROM failure f JOIN build b USING (build_id) JOIN process p USING (process_id) WHERE p.process_name = '$1'"; }
equals "exit status recorded" "$(kind p_fail)|$(sql "SELECT exit_code FROM build JOIN process USING (process_id) WHERE process_name = 'p_fail'")" "exit|3"
contains "stderr tail kept for people" "$(sql "SELECT stderr_tail FROM failure f JOIN build b USING (build_id) JOIN process p USING (process_id) WHERE p.process_name = 'p_fail'")" "no coefficients for this day"
equals "signal recorded" "$(kind p_crash)|$(sql "SELECT term_signal FROM build JOIN process USING (process_id) WHERE process_name = 'p_crash'")" "signal|11"
equals "timeout recorded" "$(kind p_hang)" "timeout"
contains "timeout reason" "$(sql "SELECT reason FROM build JOIN process USING (process_id) WHERE process_name = 'p_hang'")" "timing out"
equals "missing output recorded" "$(kind p_noout)" "no-output"
equals "wrong output recorded" "$(kind p_wrong)" "wrong-output"
contains "wrong output named" "$(sql "SELECT reason FROM build JOIN process USING (process_id) WHERE process_name = 'p_wrong'")" "not_what_you_asked_for.dat"
equals "an output with the right name but the wrong content is refused" "$(kind p_content)" "wrong-output"
contains "the reason says what it was and what was expected" \
	"$(sql "SELECT reason FROM build JOIN process USING (process_id) WHERE process_name = 'p_content'")" \
	'is a file of product "o_content" of 1999-12-31, version 1.0.0; expected product "o_content" of 2024-02-01, version 1.0.0'
equals "and nothing of it is archived or recorded" \
	"$(sql "SELECT count(*) FROM file JOIN product USING (product_id) WHERE product_name = 'o_content'")|$(ls "$ARC/o" 2>/dev/null | grep -c ocontent)" "0|0"
equals "no output file row for any failure" "$(sql "SELECT count(*) FROM file WHERE filename LIKE 'pl_o%' AND filename NOT LIKE 'pl_ogc%'")" 0
equals "nothing failed left in the archive" "$(find "$ARC/o" -type f 2>/dev/null | grep -vc ogc)" 0
[ -f "$(sql "SELECT log_path FROM build JOIN process USING (process_id) WHERE process_name = 'p_hang'")" ] && pass "the log of a failure is kept" || fail "the log of a failure is kept"
equals "run record says failed" "$(sql "SELECT status, exit_status FROM logging WHERE command = 'process-queue' ORDER BY logging_id DESC LIMIT 1")" "failed|1"

# bad builds are left for a person: the next run does not retry them
expect_rc 0 "the next run leaves bad builds alone" "$CASCADE" process-queue -m "$DB"
equals "no new attempts" "$(sql "SELECT sum(attempt) FROM build JOIN process USING (process_id) WHERE process_name LIKE 'p_%' AND process_name <> 'p_gc'")" 12
expect_rc 0 "reprocessing the poison input" cascade reprocess --product bad_in --force 2
expect_rc 0 "a bad key is not planned again" cascade process
equals "still no new attempts" "$(sql "SELECT count(*) FROM build JOIN process USING (process_id) WHERE process_name = 'p_fail'")" 1

# run.bad_within: 0: no failure is quick, so none is marked bad; a build
# is tried max_attempts times and left failed
sed 's/^run:$/run:\n  bad_within: 0/' "$T/pipeline.yaml" > "$T/nobad.yaml"
expect_rc 0 "apply bad_within: 0" cascade config apply "$T/nobad.yaml"
deliver pl_bad_20240202_v1.0.0.dat "poison"
expect_rc 1 "a run with failures" "$CASCADE" process-queue -m "$DB"
equals "p_fail of 02: failed, not bad, after 2 attempts" \
	"$(sql "SELECT status, attempt FROM build JOIN process USING (process_id) WHERE process_name = 'p_fail' AND output_key = '2024-02-02'")" "failed|2"
equals "no build of 02 is bad" "$(sql "SELECT count(*) FROM build WHERE output_key = '2024-02-02' AND status = 'bad'")" 0
t_end
