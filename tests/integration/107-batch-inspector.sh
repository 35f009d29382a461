#!/bin/bash
# 107-batch-inspector: the batch inspector protocol's edges (cascade-mission(5),
# "Batch inspectors"), with tests/fixtures/inspectors/batch.py: one process
# answers many files; a file it hangs on, dies on, or answers out of protocol
# fails alone (a failure row with the reason) and the others are identified
# by a new process; after three failures in a row it is not run again while
# the template product's files still go through; a killed cascade leaves no
# inspector process behind.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin batch_inspector

BATCH=$FIX/inspectors/batch.py
cat > "$T/m.yaml" <<YAML
mission:
  name: batch
  rootdir: $T/data
  incoming_dir: incoming
  errordir: errors
satellites:
  - name: sat
    instruments: [mag]
products:
  - name: mag
    instrument: mag
    level: 0
    format: "bi_mag_{Y}{m}{d}_v{VERSION}.dat"
    relative_path: "mag/{Y}"
  - name: ext
    instrument: mag
    level: 0
    format: "ext_{Y}{m}{d}_v{VERSION}.bin"
    relative_path: "ext/{Y}"
    inspector:
      executable: $BATCH
      batch: true
      timeout: 3s
processes: []
run:
  settle: 0s
YAML
expect_rc 0 "init" cascade init
expect_rc 0 "a batch inspector in the mission file" cascade config apply "$T/m.yaml"
equals "stored as such" "$(sql "SELECT kind || ' ' || batch::text FROM inspector i JOIN product p ON p.product_id = i.product WHERE product_name = 'ext'")" "exec true"
run cascade config export
contains "config export writes it back" "$out" "batch: true"
IN=$T/data/incoming
mkdir -p "$IN"
export BATCH_STARTS=$T/starts

last_run() { sql "SELECT max(logging_id) FROM logging WHERE command = 'ingest'"; }
# fails: the failure rows of the last run, "name:kind" sorted
fails() { sql "SELECT coalesce(string_agg(filename || ':' || kind, ' ' ORDER BY filename), '') FROM failure WHERE logging_id = $(last_run)"; }
reason() { sql "SELECT reason FROM failure WHERE logging_id = $(last_run) AND filename = '$1'"; }
ok_files() { # ok_files PREFIX N YEAR: N files the inspector claims, days 1..N of March
	for i in $(seq 1 "$2"); do
		printf 'OK %s-03-%02d 1.0.0\n' "$3" "$i" > "$IN/$1_$i.bin"
	done
}
archived() { sql "SELECT count(*) FROM file WHERE filename LIKE '$1\\_%'"; }

# many files, one process
ok_files a 20 2024
printf 'x\n' > "$IN/bi_mag_20240301_v1.0.0.dat"
: > "$BATCH_STARTS"
expect_rc 0 "20 files through the batch inspector" cascade ingest
equals "all archived" "$(archived a)" 20
equals "with the dates it gave" "$(sql "SELECT string_agg(DISTINCT to_char(utc_file_date, 'MM'), ',') FROM file WHERE filename LIKE 'a\\_%'")" "03"
equals "the template product's file too" "$(archived bi_mag)" 1
equals "one inspector process for all of them" "$(wc -l < "$BATCH_STARTS")" 1

# bad_one NAME CONTENT REASON YEAR: ten good files of that year and,
# fifth, one that goes wrong
bad_one() {
	local name=$1 content=$2 want=$3 year=$4
	rm -f "$IN"/*
	: > "$BATCH_STARTS"
	for i in 1 2 3 4 6 7 8 9 10; do
		printf 'OK %s-04-%02d 1.0.0\n' "$year" "$i" > "$IN/${name}_$i.bin"
	done
	printf '%s\n' "$content" > "$IN/${name}_5.bin"
	run cascade ingest
	equals "$name: exit status 1 (a file failed)" "$rc" 1
	equals "$name: the other nine archived" "$(archived "$name")" 9
	equals "$name: that file alone has a failure row" "$(fails)" "${name}_5.bin:inspector"
	contains "$name: its reason" "$(reason "${name}_5.bin")" "$want"
	contains "$name: naming the inspector" "$(reason "${name}_5.bin")" "inspector \"$BATCH\" of product \"ext\""
	equals "$name: a second process for the files after it" "$(wc -l < "$BATCH_STARTS")" 2
}
bad_one hang HANG "failed: timed out after 3 s on this file" 2025
bad_one die DIE "failed: inspector exited before answering about this file (it exited with status 3)" 2026
bad_one garbage GARBAGE "malformed answer: frame header \"this is not a frame\" is not \"STATUS LENGTH\"" 2027
bad_one biglen BIGLEN "malformed answer: frame length \"99999999\" exceeds 65536 bytes" 2028
bad_one badstatus BADSTATUS "malformed answer: frame status \"maybe\" is not mine, notmine or error" 2029

# an error frame fails the file, and the process goes on
rm -f "$IN"/*
: > "$BATCH_STARTS"
ok_files e 3 2030
printf 'ERROR\n' > "$IN/e_4.bin"
run cascade ingest
equals "error frame: exit status 1" "$rc" 1
equals "error frame: the others archived" "$(archived e)" 3
contains "error frame: its body is the reason" "$(reason e_4.bin)" "failed on this file: \"cannot read the header\""
equals "error frame: the same process answered the rest" "$(wc -l < "$BATCH_STARTS")" 1

# one answer too many: out of step; seen at the next batch (one file per
# batch here), which gets a new process
rm -f "$IN"/*
for i in 1 2 3; do printf 'TWICE\n' > "$IN/w_$i.bin"; done
sed 's/^  settle: 0s/  settle: 0s\n  batch_size: 1/' "$T/m.yaml" > "$T/one.yaml"
expect_rc 0 "one file per batch" cascade config apply "$T/one.yaml"
: > "$BATCH_STARTS"
run cascade ingest
equals "an extra answer: the files are nobody's" "$(fails)" "w_1.bin:no-product w_2.bin:no-product w_3.bin:no-product"
contains "and it is said" "$err" "wrote without being asked, or ended, between files: restarted"
equals "a process for each batch" "$(wc -l < "$BATCH_STARTS")" 3
expect_rc 0 "back to the mission file" cascade config apply "$T/m.yaml"

# three deaths in a row: not run again; the template product goes on
rm -f "$IN"/*
: > "$BATCH_STARTS"
for i in 1 2 3 4 5; do printf 'DIE\n' > "$IN/d_$i.bin"; done
printf 'x\n' > "$IN/bi_mag_20240302_v1.0.0.dat"
run cascade ingest
equals "deaths: exit status 1" "$rc" 1
equals "deaths: the template product's file archived" "$(archived bi_mag)" 2
equals "deaths: three processes, no more" "$(wc -l < "$BATCH_STARTS")" 3
equals "deaths: three failed, two not run" \
	"$(sql "SELECT count(*) FILTER (WHERE reason LIKE '%inspector exited%' AND reason NOT LIKE '%not run%') || ':' || count(*) FILTER (WHERE reason LIKE '%was not run: it failed 3 times in a row%') FROM failure WHERE logging_id = $(last_run)")" "3:2"
contains "deaths: one WARNING when it is given up" "$err" "failed 3 times in a row: not run again in this run"

# given up after three error frames, with a request still pending (two
# files a batch): its answer to it is not taken for anything later
rm -f "$IN"/*
for i in 1 2 3 4 5 6; do printf 'ERROR\n' > "$IN/x_$i.bin"; done
sed 's/^  settle: 0s/  settle: 0s\n  batch_size: 2/' "$T/m.yaml" > "$T/two.yaml"
expect_rc 0 "two files per batch" cascade config apply "$T/two.yaml"
run cascade ingest
equals "error frames: three failed, three not run" \
	"$(sql "SELECT count(*) FILTER (WHERE reason LIKE '%cannot read the header%' AND reason NOT LIKE '%not run%') || ':' || count(*) FILTER (WHERE reason LIKE '%was not run: it failed 3 times in a row%') FROM failure WHERE logging_id = $(last_run)")" "3:3"
not_contains "error frames: no answer left over for a later batch" "$err" "wrote without being asked"
expect_rc 0 "back to the mission file" cascade config apply "$T/m.yaml"

# the minimal batch inspector of cascade-ingest(1), as printed there
rm -f "$IN"/*
sed "s|executable: $BATCH|executable: $FIX/inspectors/batch-min.sh|" "$T/m.yaml" > "$T/min.yaml"
expect_rc 0 "the manual's example as the inspector" cascade config apply "$T/min.yaml"
ok_files m 5 2031
printf 'something else\n' > "$IN/m_other.bin"
run cascade ingest
equals "the manual's example: its files archived" "$(archived m)" 5
equals "the manual's example: the other file is nobody's" "$(fails)" "m_other.bin:no-product"
expect_rc 0 "back to the test's inspector" cascade config apply "$T/m.yaml"

# cascade killed while the inspector works on a file: no inspector left
rm -f "$IN"/*
sed 's/timeout: 3s/timeout: 1h/' "$T/m.yaml" > "$T/long.yaml"
expect_rc 0 "a long timeout" cascade config apply "$T/long.yaml"
printf 'HANG\n' > "$IN/k_1.bin"
make_fifo "$T/hang"
BATCH_HANG_FIFO=$T/hang "$CASCADE" ingest -m "$DB" >"$T/kill.out" 2>&1 &
cpid=$!
read -r ipid < "$T/hang"
if kill -0 "$ipid" 2>/dev/null; then pass "the inspector runs (pid $ipid)"; else fail "the inspector runs"; fi
kill -9 "$cpid"
wait "$cpid" 2>/dev/null
# its parent's death kills it (PR_SET_PDEATHSIG): wait for that, on its pid
timeout 30 tail --pid="$ipid" -f /dev/null
if kill -0 "$ipid" 2>/dev/null; then fail "no inspector left after cascade was killed" "$(ps -o pid,ppid,cmd -p "$ipid")"
else pass "no inspector left after cascade was killed"; fi

t_end
