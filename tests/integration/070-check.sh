# 070-check: "cascade check" finds each kind of damage planted in a real
# archive, changes nothing without --repair, and --repair fixes what it
# says it fixed (and leaves, untouched, what it says it left).
. "$(dirname "$0")/lib.sh"
t_begin check

demo_config "$T" > "$T/small.yaml"
# a product filed by year directly under rootdir: the whole rootdir is
# then walked, so incoming, errors and dot-directories must be skipped
sed -e '/^processes:/,$d' "$T/small.yaml" > "$T/mission.yaml"
cat >> "$T/mission.yaml" <<'YAML'
  - name: yearly
    instrument: mag
    level: 2
    format: "small_yr_{Y}{m}{d}_v{VERSION}.dat"
    relative_path: "{Y}"
YAML
sed -n '/^processes:/,$p' "$T/small.yaml" >> "$T/mission.yaml"
expect_rc 0 "init" cascade init
expect_rc 0 "apply" cascade config apply "$T/mission.yaml"
# --repair needs the flag; check alone does not
make_fifo "$T/fifo"
CASCADE_FAULT=flag-taken:pause CASCADE_FAULT_FIFO=$T/fifo "$CASCADE" process-queue -m "$DB" -i >/dev/null 2>&1 &
holder=$!
exec 3>"$T/fifo"
expect_rc 3 "check --repair while a controller runs exits 3" cascade check --repair
expect_rc 0 "check without --repair runs beside it" cascade check
exec 3>&-
wait "$holder"

IN=$T/data/incoming
ARC=$T/data
L0=$ARC/mag/l0/2024
L1=$ARC/mag/l1/2024
mkdir -p "$IN"
deliver() { printf '%s\n' "$2" > "$IN/.$1.part" && mv "$IN/.$1.part" "$IN/$1"; }
for d in 01 02 03 04 05 06; do
	deliver "small_mag_l0_202401${d}_v1.0.0.dat" "l0 day $d"
done
deliver small_mag_l0_20240101_v1.1.0.dat "l0 day 01, reprocessed"
deliver small_mag_l1_20240101_v1.0.0.dat "l1 day 01"
deliver small_mag_l1_20240102_v1.0.0.dat "l1 day 02"
deliver "small_note_20240101_a b _v1.0.0.txt" "a note"
deliver small_yr_20240101_v1.0.0.dat "yearly"
expect_rc 0 "ingest" cascade ingest
fid() { sql "SELECT file_id FROM file WHERE filename = '$1'"; }
# provenance as the runner records it: each l1 file from the newest l0
# files of its day and the day before and after, with the code
sql "INSERT INTO filefilelink SELECT s.file_id, r.file_id FROM file s, file r
      WHERE r.filename = 'small_mag_l1_20240101_v1.0.0.dat'
        AND s.filename IN ('small_mag_l0_20240101_v1.1.0.dat', 'small_mag_l0_20240102_v1.0.0.dat');
     INSERT INTO filefilelink SELECT s.file_id, r.file_id FROM file s, file r
      WHERE r.filename = 'small_mag_l1_20240102_v1.0.0.dat'
        AND s.filename IN ('small_mag_l0_20240101_v1.1.0.dat', 'small_mag_l0_20240102_v1.0.0.dat',
                           'small_mag_l0_20240103_v1.0.0.dat');
     INSERT INTO filecodelink SELECT file_id, (SELECT code_id FROM code)
       FROM file WHERE filename LIKE 'small_mag_l1_%';
     DELETE FROM processqueue" >/dev/null

# -- a consistent archive ----------------------------------------------------
expect_rc 0 "a consistent archive: check exits 0" cascade check
contains "it says so" "$out" "check: no problems found; 11 files, 11 archive files"
expect_rc 0 "--verify-checksums on a consistent archive" cascade check --verify-checksums
contains "every file hashed" "$out" "11 checksums verified"
equals "check without --repair records no run" "$(sql "SELECT count(*) FROM logging WHERE command = 'check'")" 0

# the view computes the same archive paths as cascade
missing=$(sql "SELECT archive_path FROM newest_file_view ORDER BY 1" |
	while IFS= read -r p; do [ -f "$ARC/$p" ] || echo "$p"; done)
equals "newest_file_view: every archive_path is where the file is" "$missing" ""
equals "newest_file_view: one row per product and date" "$(sql "SELECT count(*) FROM newest_file_view")" 10
equals "newest_file_view: names and version" \
	"$(sql "SELECT product_name, version, archive_path FROM newest_file_view WHERE utc_file_date = '2024-01-01' AND product_name = 'mag_l0'")" \
	"mag_l0|1.1.0|mag/l0/2024/small_mag_l0_20240101_v1.1.0.dat"
equals "cascade_format_path: date, names, keywords and braces" \
	"$(sql "SELECT cascade_format_path('x/{Y}/{y}{m}{d}/{j}/{b}/{DATE}/{MISSION}-{SATELLITE}-{SPACECRAFT}-{INSTRUMENT}-{PRODUCT}/{APID}/{????}/{nnn}/{{lit}}', '2024-03-05', '2024-03-05 01:02:03.004005', 1, 2, 3, 'm', 's', 'i', 'p', 'APID=3f ????=a b  nnn=007')")" \
	"x/2024/240305/065/Mar/20240305/m-s-s-i-p/3f/a b /007/{lit}"
equals "cascade_format_path: time and version" \
	"$(sql "SELECT cascade_format_path('{H}{M}{S}{MILLI}{MICRO}/v{VERSION}', NULL, '2024-03-05 01:02:03.004005', 1, 2, 3, NULL, NULL, NULL, NULL, NULL)")" \
	"010203004005/v1.2.3"
equals "cascade_format_path: a field without a value is NULL" \
	"$(sql "SELECT coalesce(cascade_format_path('a/{Y}', NULL, NULL, 1, 0, 0, NULL, NULL, NULL, NULL, NULL), 'null')")" "null"
equals "cascade_format_path: an unknown field is NULL" \
	"$(sql "SELECT coalesce(cascade_format_path('a/{zz}', '2024-01-01', NULL, 1, 0, 0, NULL, NULL, NULL, NULL, NULL), 'null')")" "null"

# -- plant damage of every kind ----------------------------------------------
# missing (and, as it is queued and linked, orphan links once repaired)
sql "INSERT INTO processqueue (file_id, reason) VALUES ($(fid small_mag_l0_20240104_v1.0.0.dat), 'test');
     INSERT INTO filecodelink SELECT $(fid small_mag_l0_20240104_v1.0.0.dat), code_id FROM code" >/dev/null
rm "$L0/small_mag_l0_20240104_v1.0.0.dat"
# checksum: bit rot that keeps the size (a size change is a "size"
# finding, without --verify-checksums: 083-bad-database)
chmod u+w "$L0/small_mag_l0_20240105_v1.0.0.dat"
printf 'l0 dax 05\n' > "$L0/small_mag_l0_20240105_v1.0.0.dat"
sum05=$(sha1sum "$L0/small_mag_l0_20240105_v1.0.0.dat")
# unrecorded: a product-like name and a stray, in product directories
printf 'dropped in\n' > "$L0/small_mag_l0_20240120_v1.0.0.dat"
printf 'stray\n' > "$ARC/mag/l1/stray.dat"
# not findings: dot-files, the error directory, .cascade, incoming
printf 'partial\n' > "$L0/.small_mag_l0_20240121_v1.0.0.dat.part"
mkdir -p "$ARC/errors" "$ARC/.cascade" "$ARC/2024/.hidden"
printf 'rejected\n' > "$ARC/errors/rejected.dat"
printf 'state\n' > "$ARC/.cascade/state"
printf 'x\n' > "$ARC/2024/.hidden/x"
deliver small_mag_l0_20240130_v1.0.0.dat "waiting in incoming"
# reappeared: the row says gone, the file is there
sql "UPDATE file SET exists_on_disk = false WHERE filename = 'small_mag_l0_20240106_v1.0.0.dat'" >/dev/null
# misplaced: another name of a recorded file; a recorded file moved
# away from its path; a different file under a recorded name
ln "$L0/small_mag_l0_20240102_v1.0.0.dat" "$ARC/mag/l0/small_mag_l0_20240102_v1.0.0.dat"
mv "$L1/small_mag_l1_20240102_v1.0.0.dat" "$ARC/mag/l1/small_mag_l1_20240102_v1.0.0.dat"
mkdir -p "$ARC/mag/l0/2023"
printf 'not the same\n' > "$ARC/mag/l0/2023/small_mag_l0_20240103_v1.0.0.dat"
# stale: l1 day 01 made from the superseded l0 day 01 v1.0.0
sql "INSERT INTO filefilelink VALUES ($(fid small_mag_l0_20240101_v1.0.0.dat), $(fid small_mag_l1_20240101_v1.0.0.dat))" >/dev/null
# gap: day 07 never delivered, day 08 is
printf 'l0 day 08\n' > "$T/day08"
mv "$T/day08" "$IN/small_mag_l0_20240108_v1.0.0.dat"
expect_rc 0 "ingest day 08" cascade ingest --glb '*20240108*'
sql "DELETE FROM processqueue WHERE reason = 'ingested'" >/dev/null
# duplicate: only possible without the unique index
sql "DROP INDEX \"Unique file tuple\";
     INSERT INTO file (filename, utc_file_date, utc_start_time, utc_stop_time, data_level,
                       interface_version, quality_version, revision_version, file_create_date,
                       product_id, exists_on_disk)
     SELECT 'small_mag_l0_20240106_v1.0.0.dup', utc_file_date, utc_start_time, utc_stop_time,
            data_level, 1, 0, 0, now(), product_id, false
       FROM file WHERE filename = 'small_mag_l0_20240106_v1.0.0.dat'" >/dev/null
# an ingest killed between placing a file and recording it
deliver small_mag_l0_20240109_v1.0.0.dat "l0 day 09"
expect_rc 137 "an ingest killed after placing a file" env CASCADE_FAULT=ingest-placed:kill "$CASCADE" ingest -m "$DB" --glb '*20240109*'
equals "its journal row is there" "$(sql "SELECT count(*) FROM ingest_journal")" 1
[ -f "$L0/small_mag_l0_20240109_v1.0.0.dat" ] && pass "its file is in the archive, not recorded" || fail "its file is in the archive, not recorded"
sql "DELETE FROM logging WHERE status = 'running'" >/dev/null

# -- check finds it all, and changes nothing ----------------------------------
snapshot() {
	sql "SELECT filename, exists_on_disk FROM file ORDER BY 1;
	     SELECT count(*) FROM processqueue; SELECT count(*) FROM filefilelink;
	     SELECT count(*) FROM filecodelink; SELECT count(*) FROM ingest_journal"
	(cd "$ARC" && find . -print | sort)
}
before=$(snapshot)
expect_rc 1 "check finds damage: exit 1" cascade check --verify-checksums
after=$(snapshot)
equals "check without --repair changed nothing" "$after" "$before"
contains "missing" "$out" "missing: small_mag_l0_20240104_v1.0.0.dat: no file at \"$L0/small_mag_l0_20240104_v1.0.0.dat\""
contains "missing: a file moved away is missing too" "$out" "missing: small_mag_l1_20240102_v1.0.0.dat"
contains "checksum" "$out" "checksum: small_mag_l0_20240105_v1.0.0.dat: the SHA-1 of"
contains "unrecorded in a dated directory" "$out" "unrecorded: $L0/small_mag_l0_20240120_v1.0.0.dat: no file row"
contains "unrecorded anywhere under a product" "$out" "unrecorded: $ARC/mag/l1/stray.dat"
not_contains "dot-files ignored" "$out" ".part"
not_contains "the error directory ignored" "$out" "rejected.dat"
not_contains ".cascade ignored" "$out" ".cascade"
not_contains "dot-directories ignored" "$out" ".hidden"
not_contains "incoming ignored" "$out" "20240130"
contains "reappeared" "$out" "reappeared: small_mag_l0_20240106_v1.0.0.dat: the row says it is not on disk"
contains "misplaced: another name" "$out" "misplaced: $ARC/mag/l0/small_mag_l0_20240102_v1.0.0.dat: another name of \"$L0/small_mag_l0_20240102_v1.0.0.dat\""
contains "misplaced: moved away" "$out" "misplaced: $ARC/mag/l1/small_mag_l1_20240102_v1.0.0.dat: file \"small_mag_l1_20240102_v1.0.0.dat\" belongs at"
contains "misplaced: a different file" "$out" "misplaced: $ARC/mag/l0/2023/small_mag_l0_20240103_v1.0.0.dat: file \"small_mag_l0_20240103_v1.0.0.dat\" is recorded at"
contains "stale" "$out" "stale: small_mag_l1_20240101_v1.0.0.dat: made from small_mag_l0_20240101_v1.0.0.dat, which is superseded by small_mag_l0_20240101_v1.1.0.dat"
contains "a day never delivered: no-input, not a gap" "$out" "no-input: mag_l0: no file on 2024-01-07: none was delivered"
contains "duplicate" "$out" "duplicate: mag_l0: 2024-01-06 version 1.0.0: 2 files: small_mag_l0_20240106_v1.0.0.dat, small_mag_l0_20240106_v1.0.0.dup"
contains "interrupted ingest" "$out" "ingest: $IN/small_mag_l0_20240109_v1.0.0.dat: an ingest was killed"
not_contains "a journaled file is not unrecorded" "$out" "unrecorded: $L0/small_mag_l0_20240109"
not_contains "no orphan links before the repair" "$out" "orphan-link"
not_contains "nothing says repaired" "$out" "repaired"
contains "summary" "$out" "check: 12 problems found (missing 2, checksum 1, reappeared 1, unrecorded 2, misplaced 3, ingest 1, stale 1, duplicate 1); 1 day with no input (not problems);"
equals "one line per finding and a summary" "$(printf '%s\n' "$out" | wc -l)" 14

# --product narrows it
expect_rc 1 "check --product mag_l1" cascade check --product mag_l1
contains "--product: its stale output" "$out" "stale: small_mag_l1_20240101"
contains "--product: its directories" "$out" "unrecorded: $ARC/mag/l1/stray.dat"
not_contains "--product: not the others" "$out" "mag_l0_20240104"
expect_rc 2 "check --product with an unknown product" cascade check --product nosuch
contains "unknown product named" "$err" 'no product named "nosuch"'

# -- repair -------------------------------------------------------------------
expect_rc 1 "check --repair: exit 1 (problems were found)" cascade check --repair --verify-checksums
contains "missing: repaired" "$out" "small_mag_l0_20240104_v1.0.0.dat: no file at \"$L0/small_mag_l0_20240104_v1.0.0.dat\" (repaired: exists_on_disk set to false)"
equals "missing: exists_on_disk is false" "$(sql "SELECT exists_on_disk FROM file WHERE filename = 'small_mag_l0_20240104_v1.0.0.dat'")" f
contains "orphan links of the file found missing: repaired" "$out" "orphan-link: small_mag_l0_20240104_v1.0.0.dat: queue entry"
contains "orphan file-code link" "$out" "orphan-link: small_mag_l0_20240104_v1.0.0.dat: link \"made with code l0_to_l1.sh 1.0.0\" of a file not on disk (repaired: deleted)"
equals "orphan links: rows deleted" "$(sql "SELECT (SELECT count(*) FROM processqueue q JOIN file f USING (file_id) WHERE NOT f.exists_on_disk) + (SELECT count(*) FROM filecodelink l JOIN file f ON f.file_id = l.resulting_file WHERE NOT f.exists_on_disk)")" 0
contains "checksum: left" "$out" "checksum: small_mag_l0_20240105_v1.0.0.dat: the SHA-1 of"
contains "checksum: says why it is left" "$out" "(left: restore it from a copy"
equals "checksum: the file is untouched" "$(sha1sum "$L0/small_mag_l0_20240105_v1.0.0.dat")" "$sum05"
contains "unrecorded: moved to incoming" "$out" "unrecorded: $L0/small_mag_l0_20240120_v1.0.0.dat: no file row is named \"small_mag_l0_20240120_v1.0.0.dat\" (repaired: moved to \"$IN/small_mag_l0_20240120_v1.0.0.dat\" for the next ingest)"
[ -f "$IN/small_mag_l0_20240120_v1.0.0.dat" ] && [ ! -e "$L0/small_mag_l0_20240120_v1.0.0.dat" ] && pass "unrecorded: the file is in incoming, not in the archive" || fail "unrecorded: the file is in incoming, not in the archive"
equals "unrecorded: content kept" "$(cat "$IN/small_mag_l0_20240120_v1.0.0.dat")" "dropped in"
[ -f "$IN/stray.dat" ] && pass "unrecorded stray: in incoming" || fail "unrecorded stray: in incoming"
contains "reappeared: repaired" "$out" "small_mag_l0_20240106_v1.0.0.dat: the row says it is not on disk; it is at \"$L0/small_mag_l0_20240106_v1.0.0.dat\" (repaired: exists_on_disk set to true)"
equals "reappeared: exists_on_disk is true" "$(sql "SELECT exists_on_disk FROM file WHERE filename = 'small_mag_l0_20240106_v1.0.0.dat'")" t
contains "misplaced extra name: removed" "$out" "(repaired: removed this extra name)"
[ ! -e "$ARC/mag/l0/small_mag_l0_20240102_v1.0.0.dat" ] && [ -f "$L0/small_mag_l0_20240102_v1.0.0.dat" ] && pass "misplaced extra name: gone, the recorded one kept" || fail "misplaced extra name: gone, the recorded one kept"
contains "misplaced moved away: put back" "$out" "(repaired: moved to \"$L1/small_mag_l1_20240102_v1.0.0.dat\")"
[ -f "$L1/small_mag_l1_20240102_v1.0.0.dat" ] && [ ! -e "$ARC/mag/l1/small_mag_l1_20240102_v1.0.0.dat" ] && pass "misplaced moved away: back at its path" || fail "misplaced moved away: back at its path"
contains "misplaced different: left" "$out" "(left: a different file: compare them and remove one)"
[ -f "$ARC/mag/l0/2023/small_mag_l0_20240103_v1.0.0.dat" ] && pass "misplaced different: untouched" || fail "misplaced different: untouched"
contains "stale: queued" "$out" "superseded by small_mag_l0_20240101_v1.1.0.dat (repaired: queued 2 inputs: the next ProcessQueue -p rebuilds it)"
equals "stale: the newest version of each input is queued, with a reason" \
	"$(sql "SELECT f.filename, q.reason, q.logging_id IS NOT NULL FROM processqueue q JOIN file f USING (file_id) ORDER BY 1")" \
	"small_mag_l0_20240101_v1.1.0.dat|check --repair: stale output small_mag_l1_20240101_v1.0.0.dat|t
small_mag_l0_20240102_v1.0.0.dat|check --repair: stale output small_mag_l1_20240101_v1.0.0.dat|t"
contains "no-input: not repaired, not counted as left; what a person can do said" "$out" "no-input: mag_l0: no file on 2024-01-07: none was delivered (left: deliver the files of \"mag_l0\" for that day, or accept the gap: the next ProcessQueue ingests them and builds what they feed)"
contains "duplicate: left" "$out" "duplicate: mag_l0: 2024-01-06 version 1.0.0: 2 files:"
contains "ingest: rolled back" "$out" "ingest: $IN/small_mag_l0_20240109_v1.0.0.dat: an ingest was killed while moving it to \"$L0/small_mag_l0_20240109_v1.0.0.dat\" (repaired: rolled back"
equals "ingest: journal empty" "$(sql "SELECT count(*) FROM ingest_journal")" 0
[ -f "$IN/small_mag_l0_20240109_v1.0.0.dat" ] && [ ! -e "$L0/small_mag_l0_20240109_v1.0.0.dat" ] && pass "ingest: the file is back in incoming only" || fail "ingest: the file is back in incoming only"
contains "repair summary" "$out" "10 repaired, 3 left"
equals "the repair run is recorded" "$(sql "SELECT command, exit_status, comment LIKE '%repaired%' FROM logging WHERE command = 'check'")" "check|1|t"
equals "no flag left" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0

# what was left is still found; what was repaired is not
expect_rc 1 "check after the repair" cascade check --verify-checksums
for k in missing unrecorded reappeared orphan-link ingest; do
	not_contains "after repair: no $k" "$out" "$k:"
done
contains "after repair: stale still (until rebuilt), its input queued" "$out" "superseded by small_mag_l0_20240101_v1.1.0.dat (queued)"
contains "after repair: the checksum mismatch is still there" "$out" "checksum: small_mag_l0_20240105"
contains "after repair: one misplaced file left" "$out" "misplaced 1"
# the next ingest records what check handed to it
expect_rc 1 "ingest what check moved to incoming (the stray is rejected)" cascade ingest
contains "ingested the dropped-in files" "$out" "3 ingested, 0 duplicates, 1 rejected"
equals "the dropped-in file has a row" "$(sql "SELECT exists_on_disk FROM file WHERE filename = 'small_mag_l0_20240120_v1.0.0.dat'")" t
# a repair that leaves nothing to do
rm "$ARC/mag/l0/2023/small_mag_l0_20240103_v1.0.0.dat"
sql "DELETE FROM file WHERE filename = 'small_mag_l0_20240106_v1.0.0.dup'" >/dev/null
expect_rc 1 "check again" cascade check
not_contains "the duplicate is gone" "$out" "duplicate:"

# a newer code makes outputs made with the older one stale
sql "INSERT INTO code (filename, relative_path, code_start_date, code_stop_date, process_id,
                       interface_version, quality_version, revision_version,
                       output_interface_version, active_code, newest_version, date_written)
     SELECT filename, relative_path, code_start_date, code_stop_date, process_id, 1, 1, 0, 1,
            true, true, current_date FROM code" >/dev/null
expect_rc 1 "check with a newer code" cascade check --product mag_l1
contains "stale by code" "$out" "stale: small_mag_l1_20240102_v1.0.0.dat: made with code l0_to_l1.sh 1.0.0, which is superseded by l0_to_l1.sh 1.1.0"
t_end
