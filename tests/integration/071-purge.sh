# 071-purge: purge (with and without descendants), prune (retention of
# superseded versions) and move-product, including crashes between their
# database and disk effects.
. "$(dirname "$0")/lib.sh"
t_begin purge

demo_config "$T" > "$T/small.yaml"
expect_rc 0 "init" cascade init
expect_rc 0 "apply" cascade config apply "$T/small.yaml"
IN=$T/data/incoming
ARC=$T/data
L0=$ARC/mag/l0/2024
L1=$ARC/mag/l1/2024
mkdir -p "$IN"
# deliver NAME CONTENT [MTIME]: the mtime becomes file_create_date
deliver() {
	printf '%s\n' "$2" > "$IN/.$1.part"
	[ -n "${3:-}" ] && touch -d "$3" "$IN/.$1.part"
	mv "$IN/.$1.part" "$IN/$1"
}
fid() { sql "SELECT file_id FROM file WHERE filename = '$1'"; }
# link PARENT CHILD: provenance, as the runner records it
link() { sql "INSERT INTO filefilelink VALUES ($(fid "$1"), $(fid "$2"))" >/dev/null; }
nrows() { sql "SELECT count(*) FROM file"; }

deliver small_mag_l0_20240101_v1.0.0.dat "l0 01"
deliver small_mag_l0_20240101_v1.1.0.dat "l0 01 again"
deliver small_mag_l0_20240102_v1.0.0.dat "l0 02"
deliver small_mag_l0_20240103_v1.0.0.dat "l0 03"
deliver small_mag_l1_20240101_v1.0.0.dat "l1 01"
deliver small_mag_l1_20240102_v1.0.0.dat "l1 02"
deliver "small_note_20240102_abcd_v1.0.0.txt" "made from l1 02"
expect_rc 0 "ingest" cascade ingest
link small_mag_l0_20240101_v1.1.0.dat small_mag_l1_20240101_v1.0.0.dat
link small_mag_l0_20240102_v1.0.0.dat small_mag_l1_20240101_v1.0.0.dat
link small_mag_l0_20240101_v1.1.0.dat small_mag_l1_20240102_v1.0.0.dat
link small_mag_l0_20240102_v1.0.0.dat small_mag_l1_20240102_v1.0.0.dat
link small_mag_l0_20240103_v1.0.0.dat small_mag_l1_20240102_v1.0.0.dat
link small_mag_l1_20240102_v1.0.0.dat "small_note_20240102_abcd_v1.0.0.txt"
sql "INSERT INTO filecodelink SELECT file_id, (SELECT code_id FROM code) FROM file WHERE filename LIKE 'small_mag_l1_%';
     INSERT INTO release SELECT file_id, 'r1' FROM file WHERE filename = 'small_mag_l1_20240102_v1.0.0.dat'" >/dev/null

# -- purge: refusals ----------------------------------------------------------
expect_rc 2 "purge of an unknown file exits 2" cascade purge small_mag_l0_20240101_v1.0.0.dat nosuch.dat 999999
contains "names the unknown name" "$err" 'no file is named or numbered "nosuch.dat"'
contains "names the unknown id" "$err" 'no file is named or numbered "999999"'
equals "nothing purged (all or nothing)" "$(nrows)" 7
expect_rc 2 "purge of a file others were made from exits 2" cascade purge small_mag_l0_20240102_v1.0.0.dat
contains "says why" "$err" "refusing to purge: 2 files are made from the files named"
contains "names the children" "$err" "small_mag_l0_20240102_v1.0.0.dat -> small_mag_l1_20240101_v1.0.0.dat"
contains "points to --recursive" "$err" "--recursive"
equals "nothing purged" "$(nrows)" 7
[ -f "$L0/small_mag_l0_20240102_v1.0.0.dat" ] && pass "its file is kept" || fail "its file is kept"
expect_rc 2 "purge without a file" cascade purge

equals "refused purges are recorded as failed runs" "$(sql "SELECT string_agg(status || ' ' || exit_status, ',') FROM logging WHERE command = 'purge'")" "failed 2,failed 2"

# -- purge --dry-run ----------------------------------------------------------
expect_rc 0 "purge --recursive --dry-run" cascade purge --recursive --dry-run small_mag_l0_20240101_v1.1.0.dat
equals "lists the file and all its descendants" "$out" "would purge small_mag_l0_20240101_v1.1.0.dat
would purge small_mag_l1_20240101_v1.0.0.dat
would purge small_mag_l1_20240102_v1.0.0.dat
would purge small_note_20240102_abcd_v1.0.0.txt
dry run: would purge 4 files"
equals "dry run: nothing purged" "$(nrows)" 7
equals "dry run: no run recorded" "$(sql "SELECT count(*) FROM logging WHERE command = 'purge'")" 2

# -- purge a leaf by id ---------------------------------------------------------
id=$(fid small_mag_l0_20240101_v1.0.0.dat)
expect_rc 0 "purge a file by id" cascade purge "$id"
equals "its line and summary" "$out" "purge small_mag_l0_20240101_v1.0.0.dat
purge: 1 file deleted, 1 removed from disk"
equals "its row is gone, with its unixtime and queue rows" "$(sql "SELECT (SELECT count(*) FROM file WHERE file_id = $id) + (SELECT count(*) FROM unixtime WHERE file_id = $id) + (SELECT count(*) FROM processqueue WHERE file_id = $id)")" 0
[ ! -e "$L0/small_mag_l0_20240101_v1.0.0.dat" ] && pass "its file is gone" || fail "its file is gone"
equals "the run is recorded" "$(sql "SELECT status, comment FROM logging WHERE command = 'purge' AND status = 'ok'")" "ok|purge: 1 file deleted, 1 removed from disk"

# -- purge --recursive -------------------------------------------------------------
expect_rc 0 "purge --recursive" cascade purge -r small_mag_l0_20240101_v1.1.0.dat
contains "summary" "$out" "purge: 4 files deleted, 4 removed from disk"
equals "the file and its descendants are gone" "$(sql "SELECT string_agg(filename, ' ' ORDER BY filename) FROM file")" \
	"small_mag_l0_20240102_v1.0.0.dat small_mag_l0_20240103_v1.0.0.dat"
equals "no link, code link or release row points at them" \
	"$(sql "SELECT (SELECT count(*) FROM filefilelink) + (SELECT count(*) FROM filecodelink) + (SELECT count(*) FROM release)")" 0
equals "their files are gone" "$(find "$ARC/mag/l1" "$ARC/notes" -type f | wc -l)" 0
[ -f "$L0/small_mag_l0_20240102_v1.0.0.dat" ] && pass "an input of a purged file is kept" || fail "an input of a purged file is kept"
expect_rc 0 "the archive is consistent after the purges" cascade check

# -- a crash between the commit and the unlink ----------------------------------
expect_rc 137 "purge killed after its commit" env CASCADE_FAULT=purge-committed:kill "$CASCADE" purge -m "$DB" small_mag_l0_20240103_v1.0.0.dat
equals "the row is gone" "$(fid small_mag_l0_20240103_v1.0.0.dat)" ""
[ -f "$L0/small_mag_l0_20240103_v1.0.0.dat" ] && pass "the file is left: an archive file with no row, never a row with no file" || fail "the file is left"
expect_rc 1 "check reports it" cascade check
contains "as unrecorded" "$out" "unrecorded: $L0/small_mag_l0_20240103_v1.0.0.dat"
expect_rc 1 "check --repair hands it to the next ingest" cascade check --repair
[ -f "$IN/small_mag_l0_20240103_v1.0.0.dat" ] && pass "it is in incoming" || fail "it is in incoming"
expect_rc 0 "which records it again" cascade ingest
expect_rc 0 "purge what is left" cascade purge small_mag_l0_20240103_v1.0.0.dat small_mag_l0_20240102_v1.0.0.dat
contains "both" "$out" "purge: 2 files deleted, 2 removed from disk"
expect_rc 0 "consistent again" cascade check

# -- prune ---------------------------------------------------------------------------
old=2020-06-01
deliver small_mag_l0_20240201_v1.0.0.dat "a" $old    # superseded twice: pruned
deliver small_mag_l0_20240201_v1.1.0.dat "b" $old    # superseded: pruned
deliver small_mag_l0_20240201_v1.2.0.dat "c" $old    # newest: kept
deliver small_mag_l0_20240202_v1.0.0.dat "a" $old    # superseded: pruned
deliver small_mag_l0_20240202_v1.1.0.dat "b"          # newest, recent
deliver small_mag_l0_20240203_v1.0.0.dat "a" $old    # released: kept
deliver small_mag_l0_20240203_v1.1.0.dat "b" $old
deliver small_mag_l0_20240204_v1.0.0.dat "a" $old    # input of a newest file: kept
deliver small_mag_l0_20240204_v1.1.0.dat "b" $old
deliver small_mag_l1_20240204_v1.0.0.dat "l1" $old
deliver small_mag_l0_20240205_v1.0.0.dat "a"          # superseded, recent: kept
deliver small_mag_l0_20240205_v1.1.0.dat "b"
deliver small_mag_l0_20240206_v1.0.0.dat "a" $old    # input of a pruned file only: pruned
deliver small_mag_l0_20240206_v1.1.0.dat "b" $old
deliver small_mag_l1_20240206_v1.0.0.dat "l1 a" $old # superseded: pruned
deliver small_mag_l1_20240206_v1.1.0.dat "l1 b" $old
deliver small_mag_l0_20240207_v1.0.0.dat "a" $old    # input of a kept recent file: kept
deliver small_mag_l0_20240207_v1.1.0.dat "b" $old
deliver small_mag_l1_20240207_v1.0.0.dat "l1 a"       # superseded, recent: kept
deliver small_mag_l1_20240207_v1.1.0.dat "l1 b"
expect_rc 0 "ingest versions" cascade ingest
sql "INSERT INTO release SELECT file_id, 'r2' FROM file WHERE filename = 'small_mag_l0_20240203_v1.0.0.dat'" >/dev/null
link small_mag_l0_20240204_v1.0.0.dat small_mag_l1_20240204_v1.0.0.dat
link small_mag_l0_20240206_v1.0.0.dat small_mag_l1_20240206_v1.0.0.dat
link small_mag_l0_20240206_v1.1.0.dat small_mag_l1_20240206_v1.1.0.dat
link small_mag_l0_20240207_v1.0.0.dat small_mag_l1_20240207_v1.0.0.dat
before=$(nrows)
expect_rc 2 "prune without --cutoff" cascade prune
contains "cutoff required" "$err" "cutoff is required"
expect_rc 2 "prune with a bad date" cascade prune --cutoff 2021-02-30
expect_rc 0 "prune --dry-run" cascade prune --cutoff 2021-01-01 --dry-run
equals "lists exactly the superseded, old, unreleased, unneeded versions" "$out" "would prune small_mag_l0_20240201_v1.0.0.dat
would prune small_mag_l0_20240201_v1.1.0.dat
would prune small_mag_l0_20240202_v1.0.0.dat
would prune small_mag_l0_20240206_v1.0.0.dat
would prune small_mag_l1_20240206_v1.0.0.dat
dry run: would prune 5 files"
equals "dry run: nothing deleted" "$(nrows)" "$before"
expect_rc 0 "prune with a cutoff before everything" cascade prune --cutoff 2019-01-01
equals "prints nothing when there is nothing to prune (cron)" "$out" ""
expect_rc 0 "prune" cascade prune --cutoff 2021-01-01
contains "summary" "$out" "prune: 5 files deleted, 5 removed from disk"
equals "five rows fewer" "$(nrows)" $((before - 5))
for f in small_mag_l0_20240201_v1.0.0.dat small_mag_l0_20240206_v1.0.0.dat; do
	[ ! -e "$ARC/mag/l0/2024/$f" ] && pass "pruned from disk: $f" || fail "pruned from disk: $f"
done
for f in small_mag_l0_20240201_v1.2.0.dat small_mag_l0_20240203_v1.0.0.dat small_mag_l0_20240204_v1.0.0.dat \
	small_mag_l0_20240205_v1.0.0.dat small_mag_l0_20240207_v1.0.0.dat; do
	equals "kept: $f" "$(sql "SELECT count(*) FROM file WHERE filename = '$f'")" 1
done
expect_rc 0 "prune again: nothing left to prune" cascade prune --cutoff 2021-01-01
equals "nothing left" "$out" ""
equals "prune runs recorded" "$(sql "SELECT count(*) FROM logging WHERE command = 'prune' AND status = 'ok'")" 3

# -- move-product ------------------------------------------------------------------------
expect_rc 2 "move-product to an absolute directory" cascade move-product mag_l0 /abs/{Y}
contains "says why" "$err" "is absolute"
expect_rc 2 "move-product out of rootdir" cascade move-product mag_l0 'a/../../x'
expect_rc 2 "move-product to a bad template" cascade move-product mag_l0 'x/{bogus}'
expect_rc 2 "move-product of an unknown product" cascade move-product nosuch 'x'
contains "unknown product" "$err" 'no product named "nosuch"'
expect_rc 2 "move-product without NEWDIR" cascade move-product mag_l0
nl0=$(find "$ARC/mag/l0" -type f | wc -l)
expect_rc 0 "move-product --dry-run" cascade move-product --dry-run mag_l0 'level0/{Y}/{m}'
contains "lists a move" "$out" "would move $L0/small_mag_l0_20240201_v1.2.0.dat -> $ARC/level0/2024/02/small_mag_l0_20240201_v1.2.0.dat"
contains "dry run summary" "$out" "dry run: would move $nl0 files of product mag_l0"
[ ! -e "$ARC/level0" ] && pass "dry run moved nothing" || fail "dry run moved nothing"
# a different file where one would go: refused, nothing moved
mkdir -p "$ARC/level0/2024/02"
printf 'in the way\n' > "$ARC/level0/2024/02/small_mag_l0_20240205_v1.1.0.dat"
expect_rc 1 "move-product refuses to replace a file" cascade move-product mag_l0 'level0/{Y}/{m}'
contains "names the conflict" "$err" "could not give"
equals "relative_path unchanged" "$(sql "SELECT relative_path FROM product WHERE product_name = 'mag_l0'")" "mag/l0/{Y}"
equals "no new names left behind" "$(find "$ARC/level0" -type f | wc -l)" 1
equals "old files all in place" "$(find "$ARC/mag/l0" -type f | wc -l)" "$nl0"
rm "$ARC/level0/2024/02/small_mag_l0_20240205_v1.1.0.dat"
expect_rc 0 "move-product" cascade move-product mag_l0 'level0/{Y}/{m}/'
contains "says what it did" "$out" "moved $nl0 files of product mag_l0 from \"mag/l0/{Y}\" to \"level0/{Y}/{m}\""
equals "relative_path changed (trailing slash dropped)" "$(sql "SELECT relative_path FROM product WHERE product_name = 'mag_l0'")" "level0/{Y}/{m}"
equals "all files at the new paths" "$(find "$ARC/level0" -type f | wc -l)" "$nl0"
equals "none at the old ones" "$(find "$ARC/mag/l0" -type f 2>/dev/null | wc -l)" 0
equals "the move is recorded, done" "$(sql "SELECT old_relative_path, new_relative_path, files, state, ended_at IS NOT NULL FROM product_move WHERE state <> 'undone'")" "mag/l0/{Y}|level0/{Y}/{m}|$nl0|done|t"
expect_rc 0 "consistent after the move" cascade check --product mag_l0 --verify-checksums
deliver small_mag_l0_20240208_v1.0.0.dat "new after the move"
expect_rc 0 "ingest after the move" cascade ingest
[ -f "$ARC/level0/2024/02/small_mag_l0_20240208_v1.0.0.dat" ] && pass "new files go to the new directory" || fail "new files go to the new directory"
nl0=$((nl0 + 1))
expect_rc 0 "move-product to where it is" cascade move-product mag_l0 'level0/{Y}/{m}'
contains "already there" "$out" "already in"

# killed while giving files their new names: the rows still name the old
# paths, which exist; the journaled move is resumed by a re-run, or
# undone by check --repair
expect_rc 137 "move-product killed midway" env CASCADE_FAULT=move-linked:kill@3 "$CASCADE" move-product -m "$DB" mag_l0 'l0/{Y}'
equals "relative_path unchanged" "$(sql "SELECT relative_path FROM product WHERE product_name = 'mag_l0'")" "level0/{Y}/{m}"
equals "every file still at its recorded path" "$(find "$ARC/level0" -type f | wc -l)" "$nl0"
equals "three have a second name already" "$(find "$ARC/l0" -type f | wc -l)" 3
expect_rc 1 "check sees the interrupted move" cascade check --product mag_l0
contains "as a move killed before its commit" "$out" "move: mag_l0: a move from \"level0/{Y}/{m}\" to \"l0/{Y}\" was killed before its commit"
not_contains "nothing missing" "$out" "missing:"
expect_rc 1 "check --repair undoes it" cascade check --repair --product mag_l0
contains "undone" "$out" "(repaired: undone: the new names were removed)"
equals "no second names left" "$(find "$ARC/l0" -type f 2>/dev/null | wc -l)" 0
equals "the move is recorded as undone" "$(sql "SELECT state FROM product_move ORDER BY move_id DESC LIMIT 1")" undone
expect_rc 0 "consistent" cascade check --product mag_l0 --verify-checksums
expect_rc 137 "move-product killed midway, again" env CASCADE_FAULT=move-linked:kill@3 "$CASCADE" move-product -m "$DB" mag_l0 'l0/{Y}'
expect_rc 0 "a re-run to the same directory resumes the move" cascade move-product mag_l0 'l0/{Y}'
equals "resumed, not redone" "$(sql "SELECT count(*) FROM product_move WHERE new_relative_path = 'l0/{Y}' AND state = 'done'")" 1
equals "all at the new paths" "$(find "$ARC/l0" -type f | wc -l)" "$nl0"
equals "none at the old" "$(find "$ARC/level0" -type f | wc -l)" 0
expect_rc 0 "consistent" cascade check --product mag_l0 --verify-checksums

# killed after the commit: the rows name the new paths, which exist; the
# old names are removed by the next move-product or check --repair
expect_rc 137 "move-product killed after its commit" env CASCADE_FAULT=move-committed:kill "$CASCADE" move-product -m "$DB" mag_l0 'mag/l0/{Y}'
equals "relative_path changed" "$(sql "SELECT relative_path FROM product WHERE product_name = 'mag_l0'")" "mag/l0/{Y}"
equals "the move is committed, not done" "$(sql "SELECT state FROM product_move ORDER BY move_id DESC LIMIT 1")" committed
expect_rc 1 "check sees the unfinished move" cascade check --product mag_l0
contains "move finding" "$out" "move: mag_l0: a move from \"l0/{Y}\" to \"mag/l0/{Y}\" was killed after its commit"
not_contains "nothing missing" "$out" "missing:"
expect_rc 1 "check --repair completes it" cascade check --repair --product mag_l0
contains "completed" "$out" "(repaired: completed: the old names were removed)"
equals "none at the old paths" "$(find "$ARC/l0" -type f 2>/dev/null | wc -l)" 0
equals "all at the new" "$(find "$ARC/mag/l0" -type f | wc -l)" "$nl0"
equals "the move is done" "$(sql "SELECT state FROM product_move ORDER BY move_id DESC LIMIT 1")" done
expect_rc 0 "consistent" cascade check --product mag_l0 --verify-checksums

# and the same crash completed by re-running move-product
expect_rc 137 "move-product killed after its commit, again" env CASCADE_FAULT=move-committed:kill "$CASCADE" move-product -m "$DB" mag_l0 'l0/{Y}'
expect_rc 0 "re-run move-product" cascade move-product mag_l0 'l0/{Y}'
contains "settles the interrupted move" "$out" "settled 1 interrupted move of product mag_l0: $nl0 names removed"
contains "then finds nothing left to do" "$out" "already in"
equals "none at the old paths" "$(find "$ARC/mag/l0" -type f 2>/dev/null | wc -l)" 0
expect_rc 0 "consistent" cascade check --product mag_l0
equals "runs recorded" "$(sql "SELECT count(*) FROM logging WHERE command = 'move-product' AND status = 'ok'")" 4
equals "no flag left" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0
t_end
