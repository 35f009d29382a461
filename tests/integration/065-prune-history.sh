# 065-prune-history: runs, batches and builds that ended long ago go;
# provenance, each key's newest build, failures awaiting a person and
# the runs they need stay; the deleted builds' logs leave the disk; a
# run afterwards plans and runs nothing anew (a RUN key still knows its
# last build).  run.keep_history makes ProcessQueue do it at the end of
# a run that went well, at most 10,000 rows of each kind a run.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin prune_history
pipeline_setup

deliver pl_raw_20240501_v1.0.0.dat "raw 01"
deliver pl_raw_20240502_v1.0.0.dat "raw 02"
expect_rc 0 "a first run" cascade process-queue
expect_rc 0 "everything rebuilt with a revision bump" cascade reprocess --product raw --force 2
expect_rc 0 "a second run" cascade process-queue
expect_rc 0 "a run with nothing to do" cascade process-queue
deliver pl_bad_20240503_v1.0.0.dat "bad 03"
expect_rc 1 "failures that await a person" cascade process-queue

# everything ended 100 days ago
sql "UPDATE build SET queued_at = queued_at - interval '100 days',
	started_at = started_at - interval '100 days', ended_at = ended_at - interval '100 days';
     UPDATE batch SET created_at = created_at - interval '100 days',
	started_at = started_at - interval '100 days', ended_at = ended_at - interval '100 days';
     UPDATE logging SET processing_start_time = processing_start_time - interval '100 days',
	processing_end_time = processing_end_time - interval '100 days';
     UPDATE failure SET occurred_at = occurred_at - interval '100 days'" > /dev/null
provenance() {
	sql "SELECT count(*) || ' ' || md5(string_agg(filename || shasum, ',' ORDER BY file_id)) FROM file;
	     SELECT count(*) || ' ' || md5(string_agg(source_file || '>' || resulting_file, ',' ORDER BY 1)) FROM filefilelink;
	     SELECT count(*) || ' ' || md5(string_agg(resulting_file || '<' || source_code, ',' ORDER BY 1)) FROM filecodelink"
}
before=$(provenance)
builds_before=$(sql "SELECT count(*) FROM build")
bad_before="$(sql "SELECT count(*) FROM build WHERE status = 'bad'") $(sql "SELECT count(*) FROM failure WHERE NOT resolved")"
runs_before=$(sql "SELECT count(*) FROM logging")
newest=$(sql "SELECT string_agg(max, ',' ORDER BY max) FROM (SELECT max(build_id)::text FROM build WHERE status = 'succeeded' GROUP BY process_id, output_key) x")
old_logs=$(sql "SELECT string_agg(log_path, ' ') FROM build WHERE status = 'succeeded' AND build_id::text NOT IN (SELECT unnest(string_to_array('$newest', ',')))")
for f in $old_logs; do [ -f "$f" ] || fail "the superseded builds have logs before" "$f"; done

expect_rc 0 "a dry run" cascade prune-history --older-than 90d --dry-run
contains "it counts" "$out" "prune-history (dry run): 3 runs, 4 batches, 6 builds would be deleted (older than 90 days)"
equals "and deletes nothing" "$(sql "SELECT count(*) FROM build")" "$builds_before"

expect_rc 0 "prune-history --older-than 90d" cascade prune-history --older-than 90d
contains "it says what went" "$out" "prune-history: 3 runs, 4 batches, 6 builds deleted (older than 90 days); 6 build logs removed"
equals "provenance untouched" "$(provenance)" "$before"
equals "each key's newest succeeded build kept" \
	"$(sql "SELECT string_agg(build_id::text, ',' ORDER BY build_id::text) FROM build WHERE status = 'succeeded'")" "$newest"
equals "the bad builds and their failures kept" \
	"$(sql "SELECT count(*) FROM build WHERE status = 'bad'") $(sql "SELECT count(*) FROM failure WHERE NOT resolved")" "$bad_before"
contains "(there are some)" "$bad_before" "6 "
equals "every remaining build's run kept" \
	"$(sql "SELECT count(*) FROM build b WHERE b.logging_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM logging l WHERE l.logging_id = b.logging_id)")" 0
equals "every file's run kept" \
	"$(sql "SELECT count(*) FROM file f WHERE f.logging_id IS NULL")" 0
gone=0
for f in $old_logs; do [ -e "$f" ] && gone=1; done
equals "the deleted builds' logs are gone" "$gone" 0
kept=$(sql "SELECT string_agg(log_path, ' ') FROM build WHERE log_path IS NOT NULL")
missing=0
for f in $kept; do [ -f "$f" ] || missing=1; done
equals "the kept builds' logs stay" "$missing" 0

expect_rc 0 "again: nothing more to delete" cascade prune-history --older-than 90d -q
equals "and it says nothing under -q" "$out$err" ""
builds=$(sql "SELECT count(*) FROM build")
expect_rc 0 "a run after pruning" cascade process-queue
equals "runs nothing anew (the RUN keys know their last build)" "$(sql "SELECT count(*) FROM build")" "$builds"
# run.keep_history: set, shown, exported
printf '  keep_history: 90\n' >> "$T/pipeline.yaml"
expect_rc 0 "config apply --dry-run shows the change" cascade config apply --dry-run "$T/pipeline.yaml"
contains "the change" "$out" "run.keep_history 0 -> 90"
expect_rc 0 "config apply" cascade config apply "$T/pipeline.yaml"
expect_rc 0 "config export" cascade config export
contains "exported" "$out" "keep_history: 90"
# 10,001 superseded builds of one key that ended 100 days ago, and its
# newest build
p=$(sql "SELECT process_id FROM process WHERE process_name = 'l1'")
sql "INSERT INTO build (process_id, output_key, status, queued_at, ended_at)
     SELECT $p, '1999-01-01', 'succeeded', now() - interval '101 days', now() - interval '100 days'
     FROM generate_series(0, 10001)" >/dev/null
old() { sql "SELECT count(*) FROM build WHERE output_key = '1999-01-01'"; }
equals "10,002 old builds of that key" "$(old)" 10002
deliver pl_bad_20240504_v1.0.0.dat "bad 04"
expect_rc 1 "a run with a failure" cascade process-queue -v -o p_fail
equals "a run that failed prunes nothing" "$(old)" 10002
expect_rc 0 "a run that went well" cascade process-queue -v -o l1
equals "it deleted 10,000 of them (the bound)" "$(old)" 2
contains "logged at INFO, with what is left" "$err" "INFO: run.keep_history: "
contains "it says so" "$err" "10000 builds older than 90 days deleted"
contains "and that more is left" "$err" "more is left for the next run"
expect_rc 0 "the next run" cascade process-queue -v -o l1
equals "deletes the rest, but the key's newest" "$(old)" 1
not_contains "nothing is left" "$err" "more is left"
expect_rc 0 "a run under -q" cascade process-queue -q -o l1
equals "prints nothing" "$out$err" ""

expect_rc 2 "--older-than is required" cascade prune-history
expect_rc 2 "at least a day" cascade prune-history --older-than 0
contains "says what it expected" "$err" 'invalid value "0" for option "--older-than"'
t_end
