# 065-prune-history: runs, batches and builds that ended long ago go;
# provenance, each key's newest build, failures awaiting a person and
# the runs they need stay; the deleted builds' logs leave the disk; a
# run afterwards plans and runs nothing anew (a RUN key still knows its
# last build).
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
expect_rc 2 "--older-than is required" cascade prune-history
expect_rc 2 "at least a day" cascade prune-history --older-than 0
contains "says what it expected" "$err" 'invalid value "0" for option "--older-than"'
t_end
