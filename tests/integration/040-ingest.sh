# 040-ingest: identification, archive layout, rows and queue, every
# reject reason, duplicates, versions, odd names, symlinks, dot-files.
. "$(dirname "$0")/lib.sh"
t_begin ingest
. "$(dirname "$0")/lib-ops.sh"

demo_config "$T" > "$T/small.yaml"
expect_rc 0 "init" cascade init
expect_rc 0 "apply" cascade config apply "$T/small.yaml"
IN=$T/data/incoming
ARC=$T/data
ERR=$T/data/errors
mkdir -p "$IN"

expect_rc 0 "ingest with an empty incoming directory" cascade ingest
equals "quiet when there was nothing (stdout)" "$out" ""
equals "quiet when there was nothing (stderr)" "$err" ""

deliver small_mag_l0_20240101_v1.0.0.dat "day one"
deliver small_mag_l0_20240102_v1.0.0.dat "day two"
deliver small_mag_l0_20240101_v1.1.0.dat "day one, reprocessed"
deliver small_mag_l1_20240101_v1.0.0.dat "level one"
sum1=$(sha1sum "$IN/small_mag_l0_20240101_v1.0.0.dat" | cut -d' ' -f1)
sum256=$(sha256sum "$IN/small_mag_l0_20240101_v1.0.0.dat" | cut -d' ' -f1)
printf 'partial' > "$IN/.small_mag_l0_20240103_v1.0.0.dat.part"
mkdir "$IN/subdir"

expect_rc 0 "cascade inspect identifies without touching" cascade inspect "$IN/small_mag_l0_20240101_v1.0.0.dat"
contains "inspect: product" "$out" "product:          mag_l0"
contains "inspect: version" "$out" "version:          1.0.0"
contains "inspect: date" "$out" "utc_file_date:    2024-01-01"
contains "inspect: a daily file spans its day" "$out" "utc_stop_time:    2024-01-01T23:59:59.999999Z"
[ -f "$IN/small_mag_l0_20240101_v1.0.0.dat" ] && pass "inspect left the file" || fail "inspect left the file"
expect_rc 0 "ingest --dry-run" cascade ingest --dry-run
contains "dry run says it is one" "$out" "ingest (dry run): 4 ingested"
equals "dry run recorded nothing" "$(sql "SELECT count(*) FROM file")" 0

expect_rc 0 "ingest" cascade ingest
contains "summary line" "$out" "ingest: 4 ingested, 0 duplicates, 0 rejected in"
equals "four file rows" "$(sql "SELECT count(*) FROM file")" 4
equals "four queue entries" "$(sql "SELECT count(*) FROM processqueue")" 4
equals "four unixtime rows" "$(sql "SELECT count(*) FROM unixtime")" 4
equals "row fields" "$(sql "SELECT p.product_name, f.utc_file_date, f.utc_start_time, f.utc_stop_time, f.interface_version, f.quality_version, f.revision_version, f.data_level, f.exists_on_disk, f.shasum, f.sha256, f.size_bytes FROM file f JOIN product p USING (product_id) WHERE filename = 'small_mag_l0_20240101_v1.0.0.dat'")" \
	"mag_l0|2024-01-01|2024-01-01 00:00:00|2024-01-01 23:59:59.999999|1|0|0|0|t|$sum1|$sum256|8"
equals "unixtime truncates, as dbprocessing" "$(sql "SELECT unix_start, unix_stop FROM unixtime JOIN file USING (file_id) WHERE filename = 'small_mag_l0_20240101_v1.0.0.dat'")" "1704067200|1704153599"
[ -f "$ARC/mag/l0/2024/small_mag_l0_20240101_v1.0.0.dat" ] && pass "archived under rootdir/relative_path" || fail "archived under rootdir/relative_path" "$(find "$ARC")"
equals "archived content intact" "$(sha1sum "$ARC/mag/l0/2024/small_mag_l0_20240101_v1.0.0.dat" | cut -d' ' -f1)" "$sum1"
[ -f "$ARC/mag/l1/2024/small_mag_l1_20240101_v1.0.0.dat" ] && pass "level 1 in its own directory" || fail "level 1 in its own directory"
equals "incoming keeps only the dot-file and the directory" "$(ls -A "$IN" | sort | tr '\n' ' ')" ".small_mag_l0_20240103_v1.0.0.dat.part subdir "
equals "older and newer versions archived side by side" "$(ls "$ARC/mag/l0/2024" | wc -l)" 3
equals "newest_file shows the newest of a date" \
	"$(sql "SELECT filename FROM newest_file WHERE utc_file_date = '2024-01-01' AND product_id = (SELECT product_id FROM product WHERE product_name = 'mag_l0')")" \
	"small_mag_l0_20240101_v1.1.0.dat"
equals "the run is recorded with its counts" "$(sql "SELECT command, status, files_ingested, files_rejected FROM logging WHERE command = 'ingest' ORDER BY logging_id DESC LIMIT 1")" "ingest|ok|4|0"

# byte-identical re-delivery: a duplicate, not an error
deliver small_mag_l0_20240101_v1.0.0.dat "day one"
expect_rc 0 "identical re-delivery" cascade ingest
contains "reported as a duplicate" "$out" "0 ingested, 1 duplicates, 0 rejected"
equals "no new row" "$(sql "SELECT count(*) FROM file")" 4
[ ! -e "$IN/small_mag_l0_20240101_v1.0.0.dat" ] && pass "duplicate removed from incoming" || fail "duplicate removed from incoming"

# rejects: each kind goes to the error directory with a recorded reason
deliver small_mag_l0_20240101_v1.0.0.dat "different content"
deliver unknown_file.dat "nobody's"
: > "$IN/small_mag_l0_20240109_v1.0.0.dat"
ln -s "$T/nowhere" "$IN/small_mag_l0_20240110_v1.0.0.dat"
mkfifo "$IN/small_mag_l0_20240111_v1.0.0.dat"
deliver small_mag_l0_20240230_v1.0.0.dat "no such day"
expect_rc 1 "ingest with rejects exits 1" cascade ingest
contains "summary counts rejects" "$out" "0 ingested, 0 duplicates, 6 rejected"
equals "reasons recorded" "$(sql "SELECT string_agg(kind, ',' ORDER BY kind) FROM failure")" "empty,name-taken,no-product,no-product,not-a-file,unreadable"
contains "name-taken reason names both checksums" "$(sql "SELECT reason FROM failure WHERE kind = 'name-taken'")" "$sum1"
contains "the error is logged" "$err" 'rejected "unknown_file.dat": matches no product'
equals "incoming is empty of rejects" "$(ls "$IN" | tr '\n' ' ')" "subdir "
equals "all six are in the error directory" "$(ls -A "$ERR" | wc -l)" 6
[ -L "$ERR/small_mag_l0_20240110_v1.0.0.dat" ] && pass "the dangling symlink was moved as a symlink" || fail "the dangling symlink was moved as a symlink"
equals "the archived file was not overwritten" "$(sha1sum "$ARC/mag/l0/2024/small_mag_l0_20240101_v1.0.0.dat" | cut -d' ' -f1)" "$sum1"

# each failure row says where its file went: error_path is the file
# really there, in the error directory, with the content delivered
equals "every reject records its error_path" "$(sql "SELECT count(*) FROM failure WHERE error_path IS NULL")" 0
equals "error_path is ERRORDIR/NAME" "$(sql "SELECT count(*) FROM failure WHERE error_path <> '$ERR/' || filename")" 0
sql "SELECT error_path FROM failure ORDER BY failure_id" > "$T/paths"
missing=
while IFS= read -r p; do
	[ -e "$p" ] || [ -L "$p" ] || missing="$missing $p"
done < "$T/paths"
equals "every error_path names a file that is there" "$missing" ""
# the name-taken, empty and unreadable rejects hold what was delivered
errpath() { sql "SELECT error_path FROM failure WHERE filename = '$1' ORDER BY failure_id DESC LIMIT 1"; }
equals "no-product reject: the content delivered" "$(cat "$(errpath unknown_file.dat)")" "nobody's"
equals "name-taken reject: the content delivered" "$(cat "$(errpath small_mag_l0_20240101_v1.0.0.dat)")" "different content"
equals "empty reject: still empty" "$(wc -c < "$(errpath small_mag_l0_20240109_v1.0.0.dat)")" 0
[ -L "$(errpath small_mag_l0_20240110_v1.0.0.dat)" ] && pass "the symlink's error_path is the symlink" || fail "the symlink's error_path is the symlink"
[ -p "$(errpath small_mag_l0_20240111_v1.0.0.dat)" ] && pass "the FIFO's error_path is the FIFO" || fail "the FIFO's error_path is the FIFO"

deliver unknown_file.dat "nobody's, again"
expect_rc 1 "a second reject of the same name" cascade ingest
[ -f "$ERR/unknown_file.dat.1" ] && pass "the error directory never overwrites (.1)" || fail "the error directory never overwrites (.1)" "$(ls -A "$ERR")"
equals "the second reject's error_path is NAME.1" "$(errpath unknown_file.dat)" "$ERR/unknown_file.dat.1"
equals "NAME.1 holds the second delivery" "$(cat "$ERR/unknown_file.dat.1")" "nobody's, again"
equals "the first reject's row and file are unchanged" \
	"$(sql "SELECT error_path FROM failure WHERE filename = 'unknown_file.dat' ORDER BY failure_id LIMIT 1"):$(cat "$ERR/unknown_file.dat")" \
	"$ERR/unknown_file.dat:nobody's"
# NAME, NAME.1 and NAME.2 taken (NAME.2 by a file no row knows): NAME.3
printf 'put here by hand\n' > "$ERR/unknown_file.dat.2"
deliver unknown_file.dat "nobody's, a third time"
expect_rc 1 "a third reject of the same name" cascade ingest
equals "the third reject's error_path is NAME.3" "$(errpath unknown_file.dat)" "$ERR/unknown_file.dat.3"
equals "NAME.3 holds the third delivery" "$(cat "$ERR/unknown_file.dat.3")" "nobody's, a third time"
equals "the file put by hand is kept" "$(cat "$ERR/unknown_file.dat.2")" "put here by hand"
equals "one row per reject of the name, each its own file" \
	"$(sql "SELECT string_agg(substr(error_path, length('$ERR/') + 1), ',' ORDER BY failure_id) FROM failure WHERE filename = 'unknown_file.dat'")" \
	"unknown_file.dat,unknown_file.dat.1,unknown_file.dat.3"

# the operators' views show it
id3=$(sql "SELECT failure_id FROM failure WHERE error_path = '$ERR/unknown_file.dat.3'")
expect_rc 0 "failures show of a reject" cascade failures show "$id3"
contains "show: the error path" "$out" "error path:  $ERR/unknown_file.dat.3"
expect_rc 0 "failures show --json of a reject" cascade failures show "$id3" --json
jequals "show json: error_path" error_path "$ERR/unknown_file.dat.3"
expect_rc 0 "failures --json" cascade failures --json -p ingest
jequals "failures json: every row has error_path" failures.0.error_path "$(sql "SELECT error_path FROM failure ORDER BY kind, failure_id LIMIT 1")"

# a symlink to a real file: its content is archived, the original kept
printf 'linked data\n' > "$T/elsewhere.dat"
ln -s "$T/elsewhere.dat" "$IN/small_mag_l0_20240104_v1.0.0.dat"
expect_rc 0 "ingest a symlink" cascade ingest
[ -f "$ARC/mag/l0/2024/small_mag_l0_20240104_v1.0.0.dat" ] && [ ! -L "$ARC/mag/l0/2024/small_mag_l0_20240104_v1.0.0.dat" ] && pass "the archive holds a copy, not a link" || fail "the archive holds a copy, not a link"
[ -f "$T/elsewhere.dat" ] && pass "the symlink's target is untouched" || fail "the symlink's target is untouched"

# names with spaces, quotes, newlines and non-ASCII characters
deliver "small_note_20240101_a b _v1.0.0.txt" "space"
deliver "small_note_20240102_'\"xy_v1.0.0.txt" "quotes"
deliver "small_note_20240103_a
bc_v1.0.0.txt" "newline"
deliver "small_note_20240104_éé_v1.0.0.txt" "utf-8"
expect_rc 0 "odd names" cascade ingest
contains "all four ingested" "$out" "4 ingested"
equals "odd names stored exactly" "$(sql "SELECT count(*) FROM file WHERE filename IN ('small_note_20240101_a b _v1.0.0.txt', 'small_note_20240102_''\"xy_v1.0.0.txt', E'small_note_20240103_a\nbc_v1.0.0.txt', 'small_note_20240104_éé_v1.0.0.txt')")" 4
equals "odd names on disk" "$(find "$ARC/notes" -type f -printf . | wc -c)" 4
equals "keywords carried" "$(sql "SELECT process_keywords FROM file WHERE filename = 'small_note_20240101_a b _v1.0.0.txt'")" "????=a b "

# another name with the same product, date and version
deliver "small_note_20240101_zzzz_v1.0.0.txt" "same tuple"
expect_rc 1 "same product, date and version under another name" cascade ingest
contains "version-taken recorded" "$(sql "SELECT kind FROM failure ORDER BY failure_id DESC LIMIT 1")" "version-taken"

# --glb selects names
deliver small_mag_l0_20240105_v1.0.0.dat "five"
deliver small_mag_l1_20240105_v1.0.0.dat "five, l1"
expect_rc 0 "--glb" cascade ingest --glb '*_l1_*'
contains "only the matching name" "$out" "1 ingested"
[ -f "$IN/small_mag_l0_20240105_v1.0.0.dat" ] && pass "the other stays in incoming" || fail "the other stays in incoming"
expect_rc 0 "ProcessQueue -i ingests too" "$CASCADE" process-queue -i -m "$DB"
contains "ProcessQueue -i summary" "$out" "1 ingested"

# two products claiming one file (a name mag_l0's template matches,
# content the inspector of ext claims); an external inspector.  (Two
# templates claiming the same names are refused by config apply.)
sed -e '/^processes:/,$d' "$T/small.yaml" > "$T/variant.yaml"
cat >> "$T/variant.yaml" <<YAML
  - name: ext
    instrument: mag
    level: 0
    format: "ext_{Y}{m}{d}_v{VERSION}.bin"
    relative_path: "ext/{Y}"
    inspector:
      executable: $FIX/inspectors/ext.sh
      timeout: 10s
YAML
expect_rc 0 "apply a variant with an ambiguous product and an inspector" cascade config apply "$T/variant.yaml"
deliver small_mag_l0_20240106_v1.0.0.dat "EXT 2024-01-06 1.0.0"
deliver anything.bin "EXT 2024-02-03 2.1.0"
deliver crash.bin "CRASH"
expect_rc 1 "ambiguity and inspector crash are rejects" cascade ingest
contains "ambiguous reject" "$(sql "SELECT reason FROM failure WHERE kind = 'ambiguous'")" 'matches more than one product: "mag_l0", "ext"'
contains "inspector failure reject" "$(sql "SELECT reason FROM failure WHERE kind = 'inspector'")" "signal 11"
equals "the inspector's fields are stored" "$(sql "SELECT p.product_name, utc_file_date, utc_start_time, utc_stop_time, interface_version, quality_version, process_keywords FROM file JOIN product p USING (product_id) WHERE filename = 'anything.bin'")" \
	"ext|2024-02-03|2024-02-03 06:00:00|2024-02-03 18:00:00|2|1|source=ext"
[ -f "$ARC/ext/2024/anything.bin" ] && pass "archived by the inspector's date" || fail "archived by the inspector's date"
expect_rc 0 "flag released after ingest" sql "SELECT 1"
equals "no flag left" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0
equals "journal empty" "$(sql "SELECT count(*) FROM ingest_journal")" 0

# a reject recorded before error_path existed (schema 0002) says so
old=$(sql "INSERT INTO failure (filename, kind, reason) VALUES ('old.dat', 'no-product', 'before 0003') RETURNING failure_id")
expect_rc 0 "failures show of an old reject" cascade failures show "$old"
contains "show: error path not recorded" "$out" "error path:  (not recorded)"
expect_rc 0 "failures show --json of an old reject" cascade failures show "$old" --json
jequals "show json: error_path null" error_path null
t_end
