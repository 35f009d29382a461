# 072-queue: "cascade queue list|flush", the psql-only queue script, the
# operators' views of migration 0002 and the read-only role.
# integration: alone (it drops and makes again the server's role cascade_readonly)
. "$(dirname "$0")/lib.sh"
t_begin queue
. "$(dirname "$0")/lib-ops.sh"
# the newest migration this tree has (sql/NNNN-name.sql)
latest=$(ls "$SRC"/sql/[0-9][0-9][0-9][0-9]-*.sql | tail -n 1 | sed 's|.*/||; s/-.*//; s/^0*//')

demo_config "$T" > "$T/small.yaml"
expect_rc 0 "init" cascade init
expect_rc 0 "apply" cascade config apply "$T/small.yaml"
IN=$T/data/incoming
mkdir -p "$IN"
deliver() { printf '%s\n' "$2" > "$IN/.$1.part" && mv "$IN/.$1.part" "$IN/$1"; }

expect_rc 0 "queue list of an empty queue" cascade queue list
equals "says it is empty" "$out" "the queue is empty"
expect_rc 0 "queue list --count of an empty queue" cascade queue list --count
equals "zero" "$out" 0
expect_rc 0 "queue list --json of an empty queue" cascade queue list --json
json_ok "queue list --json is one JSON document"
jequals "json: the format version" format 1
jequals "json: no entries" entries.# 0
jequals "json: count 0" count 0

deliver small_mag_l0_20240101_v1.0.0.dat "one"
deliver small_mag_l0_20240102_v1.0.0.dat "two"
deliver small_mag_l0_20240103_v1.0.0.dat "three"
deliver small_mag_l1_20240101_v1.0.0.dat "l1"
expect_rc 0 "ingest" cascade ingest
sql "UPDATE processqueue SET version_bump = 1, reason = 'reprocess: new calibration'
      WHERE file_id = (SELECT file_id FROM file WHERE filename = 'small_mag_l0_20240103_v1.0.0.dat')" >/dev/null

expect_rc 0 "queue list" cascade queue list
equals "a header, one line per entry, a count" "$(printf '%s\n' "$out" | wc -l)" 6
contains "header" "$out" "seq    queued (UTC)        product date       version   file"
contains "an entry with its product, date, version and reason" "$out" "mag_l0  2024-01-01 1.0.0     small_mag_l0_20240101_v1.0.0.dat ingested"
contains "a forced bump is shown" "$out" "1.0.0+quality small_mag_l0_20240103_v1.0.0.dat reprocess: new calibration"
contains "count line" "$out" "4 entries"
first=$(printf '%s\n' "$out" | sed -n 2p)
contains "in queue order" "$first" "small_mag_l0_20240101_v1.0.0.dat"
expect_rc 0 "queue list --product" cascade queue list --product mag_l1
contains "only that product" "$out" "small_mag_l1_20240101_v1.0.0.dat"
not_contains "not the others" "$out" "small_mag_l0"
contains "one entry" "$out" "1 entry"
expect_rc 0 "queue list -c -p mag_l0" cascade queue list -c -p mag_l0
equals "the count, like printProcessQueue -c" "$out" 3
expect_rc 0 "queue list --json" cascade queue list --json
json_ok "queue list --json is valid"
jequals "json: four entries" entries.# 4
jequals "json: the count" count 4
jequals "json: in queue order" entries.0.filename small_mag_l0_20240101_v1.0.0.dat
jequals "json: the product" entries.0.product mag_l0
jequals "json: the date" entries.0.utc_file_date 2024-01-01
jequals "json: the version" entries.0.version 1.0.0
jequals "json: no bump" entries.0.version_bump null
jequals "json: the reason" entries.0.reason ingested
jequals "json: the forced bump" entries.2.version_bump quality
jequals "json: its reason" entries.2.reason "reprocess: new calibration"
jequals "json: the time, UTC" entries.0.queued_at "$(sql "SELECT to_char(queued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM processqueue ORDER BY seq LIMIT 1")"
expect_rc 0 "queue list --json --count" cascade queue list --json -c -p mag_l0
jequals "json --count: the count" count 3
not_contains "json --count: no entries" "$out" "\"entries\""
expect_rc 2 "queue list --product unknown" cascade queue list --product nosuch
contains "unknown product" "$err" 'no product named "nosuch"'
expect_rc 2 "queue without a subcommand" cascade queue
expect_rc 2 "queue with an unknown subcommand" cascade queue frob
contains "names it" "$err" 'unknown subcommand "frob"'

# psql alone
expect_rc 0 "cascade-queue.sh" "$SRC/scripts/cascade-queue.sh"
contains "script: the files" "$out" "small_mag_l0_20240102_v1.0.0.dat"
contains "script: the bump" "$out" "quality"
contains "script: the count" "$out" "4 entries"
expect_rc 0 "cascade-queue.sh --count" "$SRC/scripts/cascade-queue.sh" --count
equals "script: count" "$out" 4
expect_rc 0 "cascade-queue.sh -p with a quote in it" "$SRC/scripts/cascade-queue.sh" -c -p "x' OR '1'='1"
equals "script: the product is a value, not SQL" "$out" 0
expect_rc 0 "cascade-queue.sh -d DB -p mag_l1" "$SRC/scripts/cascade-queue.sh" -d "$DB" -p mag_l1
contains "script: -d and -p" "$out" "1 entry"
expect_rc 2 "cascade-queue.sh with a bad option" "$SRC/scripts/cascade-queue.sh" --bogus

# flush
expect_rc 0 "queue flush --dry-run" cascade queue flush --dry-run
equals "says how many" "$out" "dry run: would flush 4 queue entries"
equals "dry run: nothing flushed" "$(sql "SELECT count(*) FROM processqueue")" 4
expect_rc 0 "queue flush --product" cascade queue flush --product mag_l1
equals "flushes that product" "$out" "flushed 1 queue entry of product mag_l1"
equals "the others stay" "$(sql "SELECT count(*) FROM processqueue")" 3
expect_rc 0 "queue flush" cascade queue flush
equals "flushes the rest" "$out" "flushed 3 queue entries"
equals "empty" "$(sql "SELECT count(*) FROM processqueue")" 0
equals "the flushes are recorded as runs" \
	"$(sql "SELECT string_agg(status || ':' || comment, ',' ORDER BY logging_id) FROM logging WHERE command = 'queue flush'")" \
	"ok:flushed 1 queue entry of product mag_l1,ok:flushed 3 queue entries"
expect_rc 0 "the script on an empty queue" "$SRC/scripts/cascade-queue.sh"
equals "script: empty" "$out" "the queue is empty"

# -- the views of 0002 ------------------------------------------------------------
sql "INSERT INTO processqueue (file_id, version_bump, reason)
     SELECT file_id, 2, 'by hand' FROM file WHERE filename = 'small_mag_l0_20240102_v1.0.0.dat'" >/dev/null
equals "queue_view: names, version and bump in words" \
	"$(sql "SELECT filename, product_name, utc_file_date, version, version_bump, reason FROM queue_view")" \
	"small_mag_l0_20240102_v1.0.0.dat|mag_l0|2024-01-02|1.0.0|revision|by hand"
sql "INSERT INTO build (process_id, code_id, output_key, utc_file_date, status, exit_code, attempt, output_filename)
     SELECT process_id, code_id, '2024-01-02', '2024-01-02', 'failed', 3, 2, 'small_mag_l1_20240102_v1.0.0.dat' FROM code;
     INSERT INTO failure (build_id, kind, reason, stderr_tail)
     SELECT build_id, 'exit', 'exited with status 3', 'Traceback: boom' FROM build;
     INSERT INTO failure (filename, kind, reason) VALUES ('junk.dat', 'no-product', 'matches no product');
     INSERT INTO failure (filename, kind, reason, resolved, resolved_at, note)
     VALUES ('old.dat', 'no-product', 'matches no product', true, now(), 'deleted')" >/dev/null
equals "failures_view: unresolved only" "$(sql "SELECT count(*) FROM failures_view")" 2
equals "failures_view: a build failure in words" \
	"$(sql "SELECT kind, process_name, output_key, filename, code, code_version, build_status, exit_code, attempt, reason, stderr_tail FROM failures_view WHERE build_id IS NOT NULL")" \
	"exit|mag_l0_to_l1|2024-01-02|small_mag_l1_20240102_v1.0.0.dat|l0_to_l1.sh|1.0.0|failed|3|2|exited with status 3|Traceback: boom"
equals "failures_view: an ingest reject" "$(sql "SELECT kind, filename, process_name IS NULL FROM failures_view WHERE build_id IS NULL")" "no-product|junk.dat|t"
equals "run_summary: ingest runs of today" \
	"$(sql "SELECT runs, ok, failed, files_ingested, min_s >= 0, running FROM run_summary WHERE command = 'ingest' AND day = (now() AT TIME ZONE 'UTC')::date")" \
	"1|1|0|4|t|0"
equals "run_summary: one row per day and command" \
	"$(sql "SELECT string_agg(command || '=' || runs, ',' ORDER BY command) FROM run_summary")" \
	"config apply=1,ingest=1,queue flush=2"
equals "the views are documented in cascade(7)" \
	"$(for v in newest_file_view queue_view failures_view run_summary cascade_readonly product_move; do grep -q "$v" "$SRC/docs/cascade.7" || echo "$v"; done)" ""

# -- the read-only role -----------------------------------------------------------
equals "role cascade_readonly exists, NOLOGIN" "$(sql "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'cascade_readonly'")" f
if sql "GRANT cascade_readonly TO current_user" >/dev/null 2>&1; then
	equals "it reads the tables" "$(sql "SET ROLE cascade_readonly; SELECT count(*) FROM file")" 4
	equals "and the views" "$(sql "SET ROLE cascade_readonly; SELECT count(*) FROM queue_view")" 1
	equals "and the schema version" "$(sql "SET ROLE cascade_readonly; SELECT max(version) FROM cascade_schema_version")" "$latest"
	run sql "SET ROLE cascade_readonly; DELETE FROM processqueue"
	contains "it cannot write" "$err" "permission denied"
	sql "CREATE TABLE later_table (x int); INSERT INTO later_table VALUES (42)" >/dev/null
	equals "tables created later are readable (default privileges)" "$(sql "SET ROLE cascade_readonly; SELECT x FROM later_table")" 42
	sql "DROP TABLE later_table; REVOKE cascade_readonly FROM current_user" >/dev/null
else
	pass "# skipped: cannot grant cascade_readonly to $(sql "SELECT current_user")"
fi

# without CREATEROLE and no role yet, the migration goes on with a NOTICE.
# Roles belong to the server: only on the throwaway cluster of run.sh.
if [ -n "${CASCADE_IN_VIRTUALENV:-}" ] &&
	sql "DROP OWNED BY cascade_readonly; DROP ROLE cascade_readonly" >/dev/null 2>&1; then
	psql -X -q -d postgres -c "DROP ROLE IF EXISTS t_queue_owner" >/dev/null 2>&1
	psql -X -q -d postgres -c "CREATE ROLE t_queue_owner NOLOGIN NOCREATEROLE" >/dev/null
	psql -X -q -d postgres -c "CREATE DATABASE ${DB}_nocr OWNER t_queue_owner TEMPLATE template0" >/dev/null
	expect_rc 0 "init as a role without CREATEROLE" env PGOPTIONS="-c role=t_queue_owner" "$CASCADE" init -v -m "${DB}_nocr"
	contains "a NOTICE says the role was not created" "$err" 'role "cascade_readonly" not created: role "t_queue_owner" lacks CREATEROLE'
	equals "the schema is complete" "$(psql -X -A -t -d "${DB}_nocr" -c "SELECT max(version) FROM cascade_schema_version")" "$latest"
	equals "no role was made" "$(sql "SELECT count(*) FROM pg_roles WHERE rolname = 'cascade_readonly'")" 0
	psql -X -q -d postgres -c "DROP DATABASE ${DB}_nocr" >/dev/null
	psql -X -q -d postgres -c "DROP ROLE t_queue_owner" >/dev/null
	# a later init with the privilege creates it (and the grants)
	psql -X -q -d postgres -c "CREATE DATABASE ${DB}_again TEMPLATE template0" >/dev/null
	expect_rc 0 "init by a role with CREATEROLE" "$CASCADE" init -m "${DB}_again"
	equals "the role exists again" "$(sql "SELECT count(*) FROM pg_roles WHERE rolname = 'cascade_readonly'")" 1
	equals "with its grants" "$(psql -X -A -t -d "${DB}_again" -c "SELECT has_table_privilege('cascade_readonly', 'public.file', 'SELECT')")" t
	psql -X -q -d postgres -c "DROP DATABASE ${DB}_again" >/dev/null
else
	pass "# skipped: the NOTICE path needs the throwaway cluster of run.sh"
fi
t_end
