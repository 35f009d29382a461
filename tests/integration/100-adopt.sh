#!/bin/bash
# 100-adopt: "cascade adopt" on the database made by the real dbprocessing
# (tests/fixtures/dbprocessing): every row and id kept, the schema equal
# to a fresh "cascade init", a kill at any step changes nothing, the
# defects dbprocessing leaves reported and settled by their rules.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin 100_adopt
. "$(dirname "$0")/lib-adopt.sh"
TAB=$(printf '\t')

dbp_load
dbp_dump "$T/before.sql"
sql "SELECT file_id, filename FROM file ORDER BY file_id" > "$T/ids.before"

expect_rc 5 "init refuses the dbprocessing database" cascade init
contains "init says why" "$err" "not a cascade database"

# --dry-run: the whole adoption, rolled back
expect_rc 0 "adopt --dry-run succeeds" cascade adopt --dry-run --verify
contains "dry run says what it would do" "$out" "would be adopted from dbprocessing: 29 files, 40 file links, 19 code links, 1 queued, 6 runs"
contains "dry run reports the runs without end time" "$out" "adopt-no-end-time: 6 runs have no end time"
dbp_dump "$T/after.sql"
if cmp -s "$T/before.sql" "$T/after.sql"; then pass "dry run changed nothing"
else fail "dry run changed nothing" "$(diff "$T/before.sql" "$T/after.sql" | head -20)"; fi

# killed at every step: the database as it was
for point in adopt-begin adopt-shape adopt-rules adopt-constraints \
	     adopt-migrations adopt-verify adopt-commit; do
	CASCADE_FAULT=$point:kill "$CASCADE" adopt --verify -m "$DB" >"$T/out" 2>&1
	rc=$?
	dbp_dump "$T/after.sql"
	if [ "$rc" -eq 137 ] && cmp -s "$T/before.sql" "$T/after.sql"; then
		pass "killed at $point: nothing changed"
	else
		fail "killed at $point: nothing changed" "exit $rc" \
			"$(diff "$T/before.sql" "$T/after.sql" | head -10)"
	fi
done

expect_rc 0 "adopt --verify succeeds" cascade adopt --verify
contains "adopt says what it did" "$out" "database \"$DB\": adopted from dbprocessing: 29 files, 40 file links, 19 code links, 1 queued, 6 runs; 1 defect, 0 left for a person"
not_contains "every file is on disk" "$out" "adopt-missing"

# the schema is a fresh init's, object by object
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_fresh" >/dev/null 2>&1
psql -X -q -d postgres -c "CREATE DATABASE ${DB}_fresh TEMPLATE template0" >/dev/null
"$CASCADE" init -m "${DB}_fresh" >/dev/null
schema_dump "$T/fresh.schema" "${DB}_fresh"
schema_dump "$T/adopted.schema"
psql -X -q -d postgres -c "DROP DATABASE ${DB}_fresh" >/dev/null
if cmp -s "$T/fresh.schema" "$T/adopted.schema"; then
	pass "adopted schema equals a fresh init's ($(grep -c -e '^CREATE' -e 'ADD CONSTRAINT' "$T/fresh.schema") objects)"
else
	fail "adopted schema equals a fresh init's" "$(diff "$T/adopted.schema" "$T/fresh.schema" | head -30)"
fi
equals "schema versions recorded" \
	"$(sql "SELECT string_agg(version::text, ',' ORDER BY version) FROM cascade_schema_version")" \
	"$(seq -s, 1 "$(sql "SELECT max(version) FROM cascade_schema_version")")"

expect_rc 0 "init afterwards" cascade init
contains "init afterwards is a no-op" "$out" "schema already at version"

# every row and id kept
sql "SELECT file_id, filename FROM file ORDER BY file_id" > "$T/ids.after"
if cmp -s "$T/ids.before" "$T/ids.after"; then pass "every file id kept"
else fail "every file id kept" "$(diff "$T/ids.before" "$T/ids.after")"; fi
cut -f1-7 "$DFIX/manifest.tsv" | tail -n +2 > "$T/manifest.want"
manifest_of > "$T/manifest.got"
if cmp -s "$T/manifest.want" "$T/manifest.got"; then
	pass "every manifest row kept with its version, date, newest flag and SHA-1 ($(wc -l < "$T/manifest.got") rows)"
else
	fail "every manifest row kept" "$(diff "$T/manifest.want" "$T/manifest.got")"
fi
LC_ALL=C sort "$DFIX/links.tsv" > "$T/links.want"
links_of > "$T/links.got"
if cmp -s "$T/links.want" "$T/links.got"; then
	pass "every link, code link and queue entry kept ($(wc -l < "$T/links.got") lines)"
else
	fail "every link kept" "$(diff "$T/links.want" "$T/links.got")"
fi
while IFS="$TAB" read -r table n; do
	equals "$table keeps its $n rows" "$(sql "SELECT count(*) FROM $table")" "$n"
done < "$DFIX/counts.tsv"
equals "--verify recorded every file's SHA-256 and size" \
	"$(sql "SELECT count(*) FROM file WHERE sha256 IS NOT NULL AND size_bytes > 0")" 29
equals "the runs are recorded as ended, ok" \
	"$(sql "SELECT string_agg(DISTINCT status || ':' || (processing_end_time = processing_start_time)::text, ',') FROM logging")" "ok:true"
equals "ids continue after dbprocessing's" \
	"$(sql "SELECT nextval(pg_get_serial_sequence('public.file', 'file_id')), nextval(pg_get_serial_sequence('public.code', 'code_id')), nextval(pg_get_serial_sequence('public.logging', 'logging_id'))")" \
	"30|5|7"
equals "the queue keeps its order column" "$(sql "SELECT seq FROM processqueue")" 1
equals "the settled defect is a resolved failure" \
	"$(sql "SELECT kind, resolved, resolved_by FROM failure")" \
	"adopt-no-end-time|t|cascade adopt"

# a second adopt is a no-op
dbp_dump "$T/adopted.sql"
expect_rc 0 "second adopt" cascade adopt
contains "second adopt says so" "$out" "already a cascade database: nothing to adopt"
dbp_dump "$T/after.sql"
if cmp -s "$T/adopted.sql" "$T/after.sql"; then pass "second adopt changed nothing"
else fail "second adopt changed nothing" "$(diff "$T/adopted.sql" "$T/after.sql" | head)"; fi

# -- the defects dbprocessing leaves ------------------------------------
DB2=${DB}_defects
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2" >/dev/null 2>&1
psql -X -q -d postgres -c "CREATE DATABASE $DB2 TEMPLATE template0" >/dev/null
dbp_load "$DB2"
# a second row for hk 03-11 1.0.0 (its "Unique file tuple" never fired),
# made later, with L1 03-12 1.0.0 made from it; a link to file 999; a run
# still holding the flag; one file gone from disk, one changed
psql -X -q -v ON_ERROR_STOP=1 -d "$DB2" >/dev/null <<'SQL'
INSERT INTO file (file_id, filename, utc_file_date, utc_start_time, utc_stop_time,
       data_level, interface_version, quality_version, revision_version,
       file_create_date, exists_on_disk, product_id, shasum, quality_comment)
SELECT 100, 'fixt_hk_20250311_v1.0.0.dup.txt', utc_file_date, utc_start_time,
       utc_stop_time, data_level, 1, 0, 0, file_create_date + interval '1 hour',
       false, product_id, shasum, 'again'
  FROM file WHERE filename = 'fixt_hk_20250311_v1.0.0.txt';
INSERT INTO unixtime SELECT 100, unix_start, unix_stop FROM unixtime u
  JOIN file f USING (file_id) WHERE f.filename = 'fixt_hk_20250311_v1.0.0.txt';
INSERT INTO filefilelink SELECT 100, file_id FROM file WHERE filename = 'fixt_l1_20250312_v1.0.0.txt';
ALTER TABLE filefilelink DROP CONSTRAINT filefilelink_source_file_fkey;
INSERT INTO filefilelink SELECT 999, file_id FROM file WHERE filename = 'fixt_l1_20250309_v1.0.0.txt';
INSERT INTO logging (currently_processing, pid, processing_start_time, mission_id, "user", hostname)
VALUES (true, 4242, '2025-03-20 10:00', 1, 'dbp', 'oldhost');
-- a column of an older dbprocessing, NOT NULL without a default
ALTER TABLE file ADD COLUMN newest_version boolean NOT NULL DEFAULT true;
ALTER TABLE file ALTER COLUMN newest_version DROP DEFAULT;
SQL
rm "$RUN/fxi/L2/fixt_ql_20250310_v1.0.0.csv"
echo tampered >> "$RUN/fxi/L1/fixt_l1_20250311_v1.1.0.txt"
expect_rc 0 "adopt settles the defects" "$CASCADE" adopt --verify -m "$DB2"
contains "duplicate reported" "$out" "adopt-duplicate: file fixt_hk_20250311_v1.0.0.dup.txt (id 100) has the product, date and version of fixt_hk_20250311_v1.0.0.txt"
contains "dangling link reported" "$out" "adopt-dangling: 1 rows of filefilelink name a file that does not exist: removed (settled)"
contains "stale flag reported" "$out" "adopt-stale-flag: run 7 (pid 4242 on oldhost"
contains "missing file reported" "$out" "adopt-missing: file fixt_ql_20250310_v1.0.0.csv is recorded but not on disk"
contains "changed file left for a person" "$out" "adopt-changed: file fixt_l1_20250311_v1.1.0.txt on disk has SHA-1"
contains "summary counts the open one" "$out" "1 left for a person"
contains "extra column reported" "$out" "adopt-extra-column: column file.newest_version is not one of dbprocessing's current schema nor cascade's: kept with its values, NOT NULL dropped"
equals "its values kept, a row without it can be written" \
	"$(psql -X -q -A -t -d "$DB2" -c "SELECT count(*) FILTER (WHERE newest_version) FROM file; INSERT INTO file (filename, utc_file_date, utc_start_time, utc_stop_time, data_level, interface_version, quality_version, revision_version, file_create_date, product_id) VALUES ('x_v1.0.0.txt', '2025-04-01', '2025-04-01', '2025-04-01', 0, 1, 0, 0, now(), 1) RETURNING newest_version IS NULL")" \
	"29
t"
equals "the duplicate's child now names the kept row" \
	"$(psql -X -A -t -d "$DB2" -c "SELECT s.filename FROM filefilelink l JOIN file s ON s.file_id = l.source_file JOIN file r ON r.file_id = l.resulting_file WHERE r.filename = 'fixt_l1_20250312_v1.0.0.txt' ORDER BY 1")" \
	"fixt_hk_20250311_v1.0.0.txt
fixt_sci_20250311_2330_v1.0.0.dat"
equals "the duplicate's row is kept in its failure" \
	"$(psql -X -A -t -d "$DB2" -c "SELECT note LIKE '%\"quality_comment\":\"again\"%' FROM failure WHERE kind = 'adopt-duplicate'")" t
equals "the missing file is marked so" \
	"$(psql -X -A -t -d "$DB2" -c "SELECT exists_on_disk FROM file WHERE filename = 'fixt_ql_20250310_v1.0.0.csv'")" f
equals "the stale run is interrupted, the flag free" \
	"$(psql -X -A -t -d "$DB2" -c "SELECT status, currently_processing FROM logging WHERE pid = 4242")" "interrupted|f"
equals "open failures: the changed file only" \
	"$(psql -X -A -t -d "$DB2" -c "SELECT kind FROM failure WHERE NOT resolved")" adopt-changed
run "$CASCADE" failures -m "$DB2"
contains "cascade failures lists it for a person" "$out" "adopt-changed: 1"

# defects no rule settles: refused, nothing changed
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2 WITH (FORCE)" >/dev/null 2>&1
psql -X -q -d postgres -c "CREATE DATABASE $DB2 TEMPLATE template0" >/dev/null
dbp_load "$DB2"
psql -X -q -v ON_ERROR_STOP=1 -d "$DB2" >/dev/null <<'SQL'
ALTER TABLE file DROP CONSTRAINT file_interface_version_check;
UPDATE file SET interface_version = 0 WHERE filename = 'fixt_hk_20250312_v1.0.0.txt';
UPDATE process SET output_timebase = 'ORBIT' WHERE process_name = 'fxi_merge';
SQL
dbp_dump "$T/before2.sql" "$DB2"
expect_rc 1 "defects no rule settles refuse the adoption" "$CASCADE" adopt -m "$DB2"
contains "the version is named" "$err" "(fixt_hk_20250312_v1.0.0.txt): version 0.0.0 is not I.Q.R"
contains "the timebase is named" "$err" "process \"fxi_merge\": timebase ORBIT"
contains "the refusal says nothing changed" "$err" "nothing was changed"
dbp_dump "$T/after2.sql" "$DB2"
if cmp -s "$T/before2.sql" "$T/after2.sql"; then pass "refused adoption changed nothing"
else fail "refused adoption changed nothing" "$(diff "$T/before2.sql" "$T/after2.sql" | head)"; fi
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2 WITH (FORCE)" >/dev/null 2>&1

# an older dbprocessing, without process_keywords: refused, named
psql -X -q -d postgres -c "CREATE DATABASE $DB2 TEMPLATE template0" >/dev/null
dbp_load "$DB2"
psql -X -q -d "$DB2" -c "ALTER TABLE file DROP COLUMN process_keywords" >/dev/null
expect_rc 1 "a database lacking dbprocessing's columns is refused" "$CASCADE" adopt -m "$DB2"
contains "the column is named" "$err" "Column file.process_keywords is missing."
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2 WITH (FORCE)" >/dev/null 2>&1

# not a dbprocessing database
psql -X -q -d postgres -c "CREATE DATABASE $DB2 TEMPLATE template0" >/dev/null
psql -X -q -d "$DB2" -c "CREATE TABLE mission (mission_id int)" >/dev/null
expect_rc 5 "a database without dbprocessing's tables is refused" "$CASCADE" adopt -m "$DB2"
contains "its missing tables are named" "$err" "Missing tables: satellite, instrument"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2 WITH (FORCE)" >/dev/null 2>&1

t_end
