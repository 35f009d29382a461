# 046-ingest-held: a mission identified by templates only holds each file
# it read, under its read lease, until the file is linked (PLACE_HELD,
# "Complete files only" in docs/architecture.md).  A writer that comes
# meanwhile, or a name replaced meanwhile, leaves the file for the next
# run; more files than descriptors to hold are placed the other way.
. "$(dirname "$0")/lib.sh"
t_begin ingest_held

demo_config "$T" > "$T/small.yaml"
expect_rc 0 "init" cascade init
expect_rc 0 "apply" cascade config apply "$T/small.yaml"
IN=$T/data/incoming
ARC=$T/data
mkdir -p "$IN"

# archived_path NAME: where the archive holds NAME, if anywhere
archived_path() { find "$ARC/mag" -name "$1" -type f 2>/dev/null; }

# open_for_writing PATH: open PATH for writing without blocking; prints
# "blocked" when a read lease held it back, "opened" when it did not
open_for_writing() {
	python3 -c '
import errno, os, sys
try:
    os.close(os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK))
    print("opened")
except OSError as e:
    print("blocked" if e.errno == errno.EWOULDBLOCK else e.strerror)
' "$1"
}

# run_paused FILE CMD...: run an ingest paused after its journal (the
# files read, none placed), run CMD meanwhile, then let it go on
run_paused() {
	local pid
	make_fifo "$T/fifo"
	CASCADE_FAULT=ingest-journaled:pause CASCADE_FAULT_FIFO=$T/fifo \
		"$CASCADE" ingest -v -m "$DB" > "$T/out" 2> "$T/err" &
	pid=$!
	exec 9>"$T/fifo" # returns when the run is paused
	"$@"
	exec 9>&-
	wait "$pid"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# rows PATTERN: file rows whose name matches the LIKE pattern
rows() { sql "SELECT count(*) FROM file WHERE filename LIKE '$1'"; }

# a writer that comes after the read: held back by the lease, and the
# file is left for the next run
W=small_mag_l0_20100101_v1.0.0.dat
deliver "$W" "first"
ino=$(stat -c %i "$IN/$W")
writer_comes() { open_for_writing "$IN/$W" > "$T/writer"; }
run_paused writer_comes
equals "writer after the read: its open is held back by our lease" "$(cat "$T/writer")" blocked
equals "writer after the read: exit status 0" "$rc" 0
equals "writer after the read: not archived, no row, no journal row" \
	"$(archived_path "$W"):$(rows "$W"):$(sql "SELECT count(*) FROM ingest_journal")" ":0:0"
[ -f "$IN/$W" ] && pass "writer after the read: still in incoming" || fail "writer after the read: still in incoming"
contains "writer after the read: said at INFO" "$err" "1 still being written"
run cascade ingest
equals "writer after the read: the next run takes it" "$rc:$(rows "$W")" "0:1"
equals "writer after the read: linked, not copied (the same inode)" "$(stat -c %i "$(archived_path "$W")")" "$ino"

# the name replaced after the read (a new delivery renamed over it): the
# file read is not the file named, so nothing is taken; the next run
# takes the new delivery
R=small_mag_l0_20100102_v1.0.0.dat
deliver "$R" "old"
replaced() { deliver "$R" "new"; }
run_paused replaced
equals "name replaced after the read: exit status 0" "$rc" 0
equals "name replaced after the read: not archived, no row" "$(archived_path "$R"):$(rows "$R")" ":0"
equals "name replaced after the read: the new delivery is in incoming" "$(cat "$IN/$R")" new
run cascade ingest
equals "name replaced after the read: the next run archives the new one" \
	"$rc:$(rows "$R"):$(cat "$(archived_path "$R")")" "0:1:new"
equals "name replaced after the read: recorded with its checksum" \
	"$(sql "SELECT shasum FROM file WHERE filename = '$R'")" "$(printf 'new\n' | sha1sum | cut -d' ' -f1)"

# a batch of 200 with descriptors for (300 - 128) / 2 = 86 held files:
# the others are opened again to be placed; all are archived
for d in $(seq 1 200 | sed 's/.*/2011-01-01 + & days/' | date -u -f - +%Y%m%d); do
	deliver "small_mag_l0_${d}_v1.0.0.dat" "many $d"
done
run bash -c 'ulimit -n 300 && exec "$0" ingest -m "$1"' "$CASCADE" "$DB"
equals "more files than held: exit status 0" "$rc" 0
equals "more files than held: all 200 archived" "$(rows 'small_mag_l0_2011%')" 200
equals "more files than held: incoming is empty" "$(find "$IN" -type f | wc -l)" 0
equals "more files than held: journal is empty" "$(sql "SELECT count(*) FROM ingest_journal")" 0

t_end
