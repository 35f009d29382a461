# 010-init: schema creation, idempotence, dbprocessing names, refusals.
. "$(dirname "$0")/lib.sh"
t_begin init

expect_rc 5 "process-queue on an empty database exits 5" cascade process-queue
contains "empty database: says so" "$err" "has no cascade schema"
contains "empty database: hints at init" "$err" "cascade init"
expect_rc 0 "init creates the schema" cascade init
contains "init reports the upgrade" "$out" "upgraded from version 0"
expect_rc 0 "init again is a no-op" cascade init
contains "second init says already current" "$out" "already at version"

# psql sees dbprocessing's tables and columns
for t in mission satellite instrument instrumentproductlink product process \
	productprocesslink code inspector file filefilelink filecodelink \
	processqueue logging release unixtime logging_file; do
	equals "table $t exists" "$(sql "SELECT to_regclass('public.$t') IS NOT NULL")" t
done
cols=$(sql "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'file'")
for c in file_id filename utc_file_date utc_start_time utc_stop_time data_level \
	interface_version quality_version revision_version verbose_provenance \
	check_date quality_comment caveats file_create_date met_start_time \
	met_stop_time exists_on_disk quality_checked product_id shasum process_keywords; do
	contains "file.$c exists" ",$cols," ",$c,"
done
cols=$(sql "SELECT string_agg(column_name, ',') FROM information_schema.columns WHERE table_name = 'logging'")
for c in logging_id currently_processing pid processing_start_time processing_end_time comment mission_id user hostname; do
	contains "logging.$c exists" ",$cols," ",$c,"
done
cols=$(sql "SELECT string_agg(column_name, ',') FROM information_schema.columns WHERE table_name = 'code'")
for c in code_id filename relative_path code_start_date code_stop_date code_description process_id interface_version quality_version revision_version output_interface_version active_code date_written shasum newest_version arguments ram cpu; do
	contains "code.$c exists" ",$cols," ",$c,"
done

# the unique file tuple is on quality_version (dbprocessing's bug fixed)
sql "INSERT INTO mission (mission_name, rootdir, incoming_dir) VALUES ('m', '/r', '/r/in');
     INSERT INTO satellite (satellite_name, mission_id) VALUES ('s', 1);
     INSERT INTO instrument (instrument_name, satellite_id) VALUES ('i', 1);
     INSERT INTO product (product_name, instrument_id, relative_path, level, format) VALUES ('p', 1, 'p', 0, 'p_{Y}{m}{d}_v{VERSION}');
     INSERT INTO file (filename, utc_file_date, utc_start_time, utc_stop_time, data_level, interface_version, quality_version, revision_version, file_create_date, product_id)
       VALUES ('a', '2024-01-01', '2024-01-01', '2024-01-02', 0, 1, 0, 0, now(), 1);" >/dev/null
run sql "INSERT INTO file (filename, utc_file_date, utc_start_time, utc_stop_time, data_level, interface_version, quality_version, revision_version, file_create_date, product_id)
       VALUES ('b', '2024-01-01', '2024-01-01', '2024-01-02', 0, 1, 0, 0, now(), 1)"
contains "a second file with the same product, date and version is refused" "$err" "Unique file tuple"
run sql "INSERT INTO processqueue (file_id, version_bump) VALUES (1, 3)"
contains "version_bump is checked" "$err" "violates check constraint"
run sql "UPDATE logging SET status = 'bogus'"
equals "no logging rows yet" "$rc" 0

# schema newer than the binary
sql "INSERT INTO cascade_schema_version (version, name, cascade_version) VALUES (999, 'future', '9.9')" >/dev/null
expect_rc 5 "init refuses a newer schema" cascade init
contains "newer schema: says so" "$err" "newer than this cascade supports"
expect_rc 5 "process-queue refuses a newer schema" cascade process-queue
expect_rc 5 "config export refuses a newer schema" cascade config export
sql "DELETE FROM cascade_schema_version WHERE version = 999" >/dev/null

# not a cascade database
psql -X -q -d postgres -c "CREATE DATABASE ${DB}_foreign" >/dev/null
psql -X -q -d "${DB}_foreign" -c "CREATE TABLE mission (x int)" >/dev/null
expect_rc 5 "init refuses a foreign database with a mission table" "$CASCADE" init -m "${DB}_foreign"
contains "foreign database: says so" "$err" "no cascade schema version"
contains "foreign database: hints at the switching guide" "$err" "HINT: A dbprocessing database is adopted in place with \"cascade adopt\""
contains "foreign database: names the guide's file" "$err" "/from-dbprocessing.md"
grep -q '^## Switching from dbprocessing$' "$SRC/docs/from-dbprocessing.md" &&
	pass "the guide has the section the hint names" || fail "the guide has the section the hint names"
expect_rc 5 "status refuses it too" "$CASCADE" status -m "${DB}_foreign"
contains "with the same hint" "$err" "HINT: A dbprocessing database is adopted in place with \"cascade adopt\""
psql -X -q -d postgres -c "DROP DATABASE ${DB}_foreign" >/dev/null

# connection refused, and no password in messages
expect_rc 4 "unreachable server exits 4" "$CASCADE" init -m "host=127.0.0.1 port=1 dbname=x password=sekrit connect_timeout=2"
contains "unreachable server: says could not connect" "$err" "could not connect to the database"
not_contains "the password is never printed" "$err" "sekrit"
expect_rc 4 "unknown database exits 4" "$CASCADE" init -m "${DB}_does_not_exist"

# hints by cause, and the one about -m only when -m was not given
hint_m="Give the database with -m/--mission"
contains "unknown database: hints at createdb" "$err" "HINT: Create it with \"createdb ${DB}_does_not_exist\""
contains "and at cascade init" "$err" "\"cascade init -m ${DB}_does_not_exist\""
not_contains "not at -m, which was given" "$err" "$hint_m"
expect_rc 4 "a wrong password exits 4" env PGPASSWORD=wrong "$CASCADE" status -m "$DB"
contains "wrong password: hints at .pgpass and the service file" "$err" "HINT: Check the user name (user= in -m, or PGUSER) and its password in ~/.pgpass or the service file"
not_contains "not at -m" "$err" "$hint_m"
expect_rc 4 "no password at all exits 4" env -u PGPASSWORD PGPASSFILE=/nonexistent "$CASCADE" status -m "$DB"
contains "no password: hints at .pgpass and the service file" "$err" "HINT: The server asks for a password and none was found: put it in ~/.pgpass"
not_contains "not at -m" "$err" "$hint_m"
expect_rc 4 "an unknown user exits 4" "$CASCADE" status -m "user=nobody_here dbname=$DB"
contains "unknown user: the authentication hint" "$err" "HINT: Check the user name"
expect_rc 4 "unreachable server with -m" "$CASCADE" status -m "host=127.0.0.1 port=1 dbname=x connect_timeout=2"
not_contains "no hint at -m: it was given" "$err" "$hint_m"
expect_rc 4 "unreachable server without -m" env -u PGDATABASE PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2 "$CASCADE" status
contains "without -m: the hint at -m" "$err" "$hint_m"
t_end
