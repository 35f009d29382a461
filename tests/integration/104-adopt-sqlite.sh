#!/bin/bash
# 104-adopt-sqlite: "cascade adopt --from-sqlite" of the same mission run
# on dbprocessing's SQLite backend, into an empty PostgreSQL database:
# the same rows as the adoption of the PostgreSQL database (but for the
# times, pids and temp dirs the two runs differ in), in one transaction.
. "$(dirname "$0")/lib.sh"
t_begin 104_adopt_sqlite
. "$(dirname "$0")/lib-adopt.sh"

gunzip -c "$DFIX/fixt.sqlite.gz" > "$T/fixt.sqlite"
tables() { sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"; }

for point in adopt-load adopt-constraints adopt-commit; do
	CASCADE_FAULT=$point:kill "$CASCADE" adopt --from-sqlite "$T/fixt.sqlite" -m "$DB" >"$T/out" 2>&1
	rc=$?
	equals "killed at $point: the database is still empty (exit $rc)" "$rc $(tables)" "137 0"
done

expect_rc 0 "adopt --from-sqlite" cascade adopt --from-sqlite "$T/fixt.sqlite"
contains "it says what it did" "$out" "adopted from dbprocessing: 29 files, 40 file links, 19 code links, 1 queued, 6 runs; 1 defect, 0 left for a person"

# the PostgreSQL database of the same mission, adopted
PGDB=${DB}_pg
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1
psql -X -q -d postgres -c "CREATE DATABASE $PGDB TEMPLATE template0" >/dev/null
gunzip -c "$DFIX/fixt.pg.sql.gz" | psql -X -q -v ON_ERROR_STOP=1 -d "$PGDB" >/dev/null
"$CASCADE" adopt -m "$PGDB" >/dev/null
rows_of "$PGDB" > "$T/pg.rows"
rows_of "$DB" > "$T/sqlite.rows"
if [ "$(wc -l < "$T/pg.rows")" -gt 150 ] && cmp -s "$T/pg.rows" "$T/sqlite.rows"; then
	pass "the same rows as the PostgreSQL adoption ($(wc -l < "$T/pg.rows") rows in $(cut -d' ' -f1 "$T/pg.rows" | sort -u | wc -l) tables)"
else
	fail "the same rows as the PostgreSQL adoption" "$(diff "$T/pg.rows" "$T/sqlite.rows" | head -20)"
fi
schema_dump "$T/pg.schema" "$PGDB"
schema_dump "$T/sqlite.schema"
if cmp -s "$T/pg.schema" "$T/sqlite.schema"; then pass "the same schema as the PostgreSQL adoption (a fresh init's)"
else fail "the same schema" "$(diff "$T/pg.schema" "$T/sqlite.schema" | head -20)"; fi
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1

cut -f1-7 "$DFIX/manifest.tsv" | tail -n +2 > "$T/manifest.want"
manifest_of > "$T/manifest.got"
if cmp -s "$T/manifest.want" "$T/manifest.got"; then pass "every manifest row kept with its version, newest flag and SHA-1"
else fail "every manifest row kept" "$(diff "$T/manifest.want" "$T/manifest.got")"; fi
LC_ALL=C sort "$DFIX/links.tsv" > "$T/links.want"
links_of > "$T/links.got"
if cmp -s "$T/links.want" "$T/links.got"; then pass "every link kept"
else fail "every link kept" "$(diff "$T/links.want" "$T/links.got")"; fi
equals "ids continue after dbprocessing's" \
	"$(sql "SELECT nextval(pg_get_serial_sequence('public.file', 'file_id'))")" 30

expect_rc 5 "a second --from-sqlite is refused" cascade adopt --from-sqlite "$T/fixt.sqlite"
contains "the database is not empty" "$err" "is not empty"
expect_rc 0 "adopt afterwards" cascade adopt
contains "is a no-op" "$out" "already a cascade database"

DB2=${DB}_2
psql -X -q -d postgres -c "CREATE DATABASE $DB2 TEMPLATE template0" >/dev/null
expect_rc 2 "a missing SQLite file" "$CASCADE" adopt --from-sqlite "$T/nosuch.sqlite" -m "$DB2"
contains "is named" "$err" "could not open SQLite database \"$T/nosuch.sqlite\""
printf 'not a database' > "$T/bad.sqlite"
expect_rc 2 "a file that is not SQLite" "$CASCADE" adopt --from-sqlite "$T/bad.sqlite" -m "$DB2"
contains "is named as such" "$err" "could not read SQLite database \"$T/bad.sqlite\": file is not a database"
equals "leaves the database empty" "$(psql -X -A -t -d "$DB2" -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" 0
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB2" >/dev/null 2>&1

t_end
