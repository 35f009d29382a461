# 081-bad-inspectors: the bad-input catalogue, continued: external
# inspectors that crash, hang, answer nothing or garbage, exit 2, are
# killed, or give values the database cannot hold (an inspector's failure
# affects only its product); files still being written (taken only when
# complete, copied when a writer could still hold them); unreadable files
# (run as the user nobody: root reads everything).  See lib-bad.sh.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin bad_inspectors
. "$(dirname "$0")/lib-bad.sh"
bad_setup
BAD=$FIX/inspectors/bad.sh

# ID|NAME|SHOWN|HOW|RC|FATE|KIND|REASON[|LOG]
bad_table <<'TABLE'
i-answers|insp_ok.bin|=|mk "OK 2024-03-01 1.2.0"|0|archived:ext/2024/insp_ok.bin|-|-
i-crash|insp_crash.bin|=|mk CRASH|1|error|inspector|was terminated by signal 11|of product "ext" failed on 1 of the 2 files it was run on in this run
i-killed|insp_killed.bin|=|mk KILLED|1|error|inspector|was terminated by signal 9
i-hang|insp_hang.bin|=|mk HANG|1|error|inspector|after timing out (1000 ms)
i-exit-2|insp_exit2.bin|=|mk EXIT2|1|error|inspector|exited with status 2
i-says-nothing|insp_nothing.bin|=|mk NOTHING|1|error|inspector|of product "ext"
i-garbage|insp_garbage.bin|=|mk GARBAGE|1|error|inspector|of product "ext"|this is not an answer \xff
i-not-mine|insp_nobody.bin|=|mk NOBODY|1|error|no-product|matches no product
i-crash-template-claims|bi_mag_20240301_v1.0.0.dat|=|mk CRASH|0|archived:mag/2024/bi_mag_20240301_v1.0.0.dat|-|-|of product "ext" failed on 1 of the 2 files it was run on in this run
i-hang-template-claims|bi_mag_20240302_v1.0.0.dat|=|mk HANG|0|archived:mag/2024/bi_mag_20240302_v1.0.0.dat|-|-
i-garbage-template-claims|bi_note_20240303_abcd_v1.0.0.txt|=|mk GARBAGE|0|archived:note/bi_note_20240303_abcd_v1.0.0.txt|-|-
i-and-template-claim|bi_mag_20240304_v1.0.0.dat|=|mk "OK 2024-03-04 1.0.0"|1|error|ambiguous|matches more than one product: "mag", "ext"
i-version-zero|insp_v0.bin|=|mk "OK 2024-03-05 0.0.0"|1|error|bad-version|product "ext": version 0.0.0 cannot be recorded
i-date-9999|insp_d9999.bin|=|mk "OK 9999-12-31 1.0.0"|1|error|bad-date|date 9999-12-31 is outside the accepted range 1000-01-01 to 8999-12-31
i-date-0001|insp_d0001.bin|=|mk "OK 0001-01-01 1.0.0"|1|error|bad-date|date 0001-01-01 is outside
i-stop-9999|insp_stop.bin|=|mk "OK 2024-03-06 1.0.0 2024-03-06T00:00:00 9999-12-31T23:59:59"|1|error|bad-date|time 9999-12-31T23:59:59Z is outside
i-start-0500|insp_start.bin|=|mk "OK 2024-03-07 1.0.0 0500-01-01T00:00:00 2024-03-07T12:00:00"|1|error|bad-date|time 0500-01-01T00:00:00Z is outside
i-span-ok|insp_span.bin|=|mk "OK 2024-03-08 1.0.0 2024-03-08T22:00:00 2024-03-09T02:00:00"|0|archived:ext/2024/insp_span.bin|-|-
i-keywords-not-utf8|insp_kw.bin|=|mk "KW 2024-03-09"|1|error|inspector|not valid UTF-8
TABLE

# an inspector that fails three times in a row is not run again in this
# run; files that another product claims still go through
case_begin "i-disabled"
companion i-disabled
for i in 1 2 3 4 5; do printf 'CRASH\n' > "$IN/a_crash_$i.bin"; done
printf 'CRASH\n' > "$IN/bi_mag_20240310_v1.0.0.dat"
run cascade ingest
equals "i-disabled: exit status 1" "$rc" 1
facts bi_mag_20240310_v1.0.0.dat -
check_companion i-disabled
equals "i-disabled: a file the template claims is archived after the inspector was disabled" "$F_ROWS" 1
equals "i-disabled: the five crashing files rejected" \
	"$(sql "SELECT string_agg(filename || ':' || kind, ' ' ORDER BY filename) FROM failure WHERE logging_id = $(last_run)")" \
	"a_crash_1.bin:inspector a_crash_2.bin:inspector a_crash_3.bin:inspector a_crash_4.bin:inspector a_crash_5.bin:inspector"
equals "i-disabled: the fourth and fifth were not asked" \
	"$(sql "SELECT count(*) FROM failure WHERE logging_id = $(last_run) AND reason LIKE '%was not run: it failed 3 times in a row in this run (last: %signal 11%'")" 2
equals "i-disabled: the first three were" \
	"$(sql "SELECT count(*) FROM failure WHERE logging_id = $(last_run) AND reason LIKE '%failed: was terminated by signal 11%' AND reason NOT LIKE '%not run%'")" 3
equals "i-disabled: one WARNING when it is disabled" "$(grep -c 'failed 3 times in a row: not run again in this run' "$T/err")" 1
equals "i-disabled: one WARNING line with the counts at the end" "$(grep -c 'failed on 3 of the 3 files it was run on in this run; not run on 4 more after 3 failures in a row' "$T/err")" 1
contains "i-disabled: each reject logged" "$err" 'rejected "a_crash_5.bin"'
check_lines i-disabled

# a hanging inspector costs three timeouts, not one per file
case_begin "i-hang-disabled"
companion i-hang-disabled
for i in 1 2 3 4 5 6; do printf 'HANG\n' > "$IN/a_hang_$i.bin"; done
run cascade ingest
equals "i-hang-disabled: exit status 1" "$rc" 1
facts - -
check_companion i-hang-disabled
equals "i-hang-disabled: three timed out, three were not run" \
	"$(sql "SELECT count(*) FILTER (WHERE reason LIKE '%after timing out%' AND reason NOT LIKE '%not run%') || ':' || count(*) FILTER (WHERE reason LIKE '%was not run%') FROM failure WHERE logging_id = $(last_run)")" "3:3"

# an inspector program that is gone: config apply warns, ingest rejects
# what nobody else claims as an inspector failure
case_begin "i-program-missing"
sed "s|$FIX/inspectors/bad.sh|$T/gone/inspector.sh|" "$T/bad.yaml" > "$T/gone.yaml"
run cascade config apply "$T/gone.yaml"
equals "i-program-missing: config apply still applies" "$rc" 0
contains "i-program-missing: config apply warns" "$err" "WARNING: $T/gone.yaml:"
contains "i-program-missing: naming the inspector" "$err" "product \"ext\": inspector: \"$T/gone/inspector.sh\" does not exist"
companion i-program-missing
printf 'OK 2024-03-11 1.0.0\n' > "$IN/insp_gone.bin"
run cascade ingest
equals "i-program-missing: exit status 1" "$rc" 1
facts - insp_gone.bin
check_companion i-program-missing
equals "i-program-missing: rejected as an inspector failure" "$F_KIND" inspector
contains "i-program-missing: the reason says it could not be run" "$F_REASON" "$T/gone/inspector.sh"
expect_rc 0 "i-program-missing: the working inspector back" cascade config apply "$T/bad.yaml"

# -- files still being written -----------------------------------------

# a writer holds the file open: left in incoming, not rejected; taken
# when the writer is done, with everything it wrote
case_begin "w-writer-open"
companion w-writer-open
W=$IN/bi_mag_20240401_v1.0.0.dat
exec 7>>"$W"
printf 'twenty-three bytes long\n' >&7
run cascade ingest -v
equals "w-writer-open: exit status 0" "$rc" 0
facts bi_mag_20240401_v1.0.0.dat -
check_companion w-writer-open
equals "w-writer-open: not taken, no failure row" "$F_ROWS:$F_NFAIL" "0:0"
[ -f "$W" ] && pass "w-writer-open: still in incoming" || fail "w-writer-open: still in incoming"
contains "w-writer-open: said once, at INFO" "$err" 'INFO: incoming: 1 still being written, left for the next run: "bi_mag_20240401_v1.0.0.dat"'
contains "w-writer-open: the summary says so" "$out" "0 rejected, some still being written"
printf 'and the writer went on\n' >&7
exec 7>&-
run cascade ingest
equals "w-writer-open: the next run takes it" "$rc" 0
equals "w-writer-open: all of it, size and checksum recorded" \
	"$(sql "SELECT size_bytes || ' ' || shasum FROM file WHERE filename = 'bi_mag_20240401_v1.0.0.dat'")" \
	"47 $(sha1sum < "$ARC/mag/2024/bi_mag_20240401_v1.0.0.dat" | cut -d' ' -f1)"
run cascade check --verify-checksums
not_contains "w-writer-open: cascade check: no size finding" "$out" "size:"
not_contains "w-writer-open: cascade check: no checksum finding" "$out" "checksum:"

# a reader does not hold a file back
case_begin "w-reader-open"
companion w-reader-open
R=$IN/bi_mag_20240402_v1.0.0.dat
printf 'read by someone\n' > "$R"
exec 8<"$R"
run cascade ingest
exec 8<&-
equals "w-reader-open: exit status 0" "$rc" 0
facts bi_mag_20240402_v1.0.0.dat -
check_companion w-reader-open
equals "w-reader-open: archived" "$F_ROWS" 1

# a delivery name, then the rename
case_begin "w-part-then-rename"
companion w-part-then-rename
printf 'coming\n' > "$IN/bi_mag_20240403_v1.0.0.dat.part"
run cascade ingest
facts bi_mag_20240403_v1.0.0.dat -
check_companion w-part-then-rename
equals "w-part-then-rename: not taken as .part" "$rc:$F_ROWS:$F_NFAIL" "0:0:0"
mv "$IN/bi_mag_20240403_v1.0.0.dat.part" "$IN/bi_mag_20240403_v1.0.0.dat"
run cascade ingest
facts bi_mag_20240403_v1.0.0.dat -
equals "w-part-then-rename: taken once renamed" "$rc:$F_ROWS" "0:1"

# changed between being read and being placed: left for the next run
case_begin "w-changed-after-read"
companion w-changed-after-read
C=$IN/bi_mag_20240404_v1.0.0.dat
printf 'first\n' > "$C"
make_fifo "$T/fifo"
CASCADE_FAULT=ingest-journaled:pause CASCADE_FAULT_FIFO=$T/fifo "$CASCADE" ingest -m "$DB" > "$T/out" 2> "$T/err" &
pid=$!
exec 9>"$T/fifo"      # returns when the run is paused, files read
printf 'second\n' >> "$C"
exec 9>&-
wait "$pid"
rc=$?
equals "w-changed-after-read: exit status 0" "$rc" 0
facts bi_mag_20240404_v1.0.0.dat -
check_companion w-changed-after-read
equals "w-changed-after-read: not archived, not rejected" "$F_ROWS:$F_NFAIL" "0:0"
equals "w-changed-after-read: no journal row left" "$(sql "SELECT count(*) FROM ingest_journal")" 0
[ ! -e "$ARC/mag/2024/bi_mag_20240404_v1.0.0.dat" ] && pass "w-changed-after-read: nothing in the archive" || fail "w-changed-after-read: nothing in the archive"
run cascade ingest
equals "w-changed-after-read: the next run takes what is there now" \
	"$rc:$(cat "$ARC/mag/2024/bi_mag_20240404_v1.0.0.dat" | tr '\n' ' ')" "0:first second "

# where the file system gives no leases (simulated: fault point
# ingest-no-lease makes them fail as on NFS): a file changed less than
# run.settle (2 s) ago is left; an older one is copied, not linked, so a
# writer that still holds it cannot change the archived file
NOLEASE=ingest-no-lease:fail@1
for n in 2 3 4 5 6 7 8; do NOLEASE=$NOLEASE,ingest-no-lease:fail@$n; done
case_begin "w-no-lease-recent"
companion w-no-lease-recent
touch -d '-1 minute' "$IN/$COMP"
printf 'just now\n' > "$IN/bi_mag_20240405_v1.0.0.dat"
CASCADE_FAULT=$NOLEASE run cascade ingest -v
equals "w-no-lease-recent: exit status 0" "$rc" 0
facts bi_mag_20240405_v1.0.0.dat -
check_companion w-no-lease-recent
equals "w-no-lease-recent: left in incoming, no failure row" "$F_ROWS:$F_NFAIL" "0:0"
contains "w-no-lease-recent: said at INFO" "$err" "1 still being written"
rm -f "$IN/bi_mag_20240405_v1.0.0.dat"

case_begin "w-no-lease-settled"
companion w-no-lease-settled
touch -d '-1 minute' "$IN/$COMP"
S=$IN/bi_mag_20240406_v1.0.0.dat
exec 7>>"$S"
printf 'settled\n' >&7
touch -d '-1 minute' "$S"
CASCADE_FAULT=$NOLEASE run cascade ingest
equals "w-no-lease-settled: exit status 0" "$rc" 0
facts bi_mag_20240406_v1.0.0.dat -
check_companion w-no-lease-settled
equals "w-no-lease-settled: archived" "$F_ROWS:$F_NFAIL" "1:0"
equals "w-no-lease-settled: a copy: its own inode, one link" "$(stat -c %h "$ARC/mag/2024/bi_mag_20240406_v1.0.0.dat")" 1
printf 'the writer goes on\n' >&7
exec 7>&-
equals "w-no-lease-settled: the archived file did not change with the writer" "$(cat "$ARC/mag/2024/bi_mag_20240406_v1.0.0.dat")" "settled"
run cascade check --verify-checksums
not_contains "w-no-lease-settled: cascade check: no size finding" "$out" "size:"
not_contains "w-no-lease-settled: cascade check: no checksum finding" "$out" "checksum:"

# -- unreadable files: cascade run as nobody (root reads anything) -----
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
if $NOBODY true 2>/dev/null; then
	chmod 755 "$T"
	chown -R nobody:nogroup "$T/data"
	case_begin "u-own-file-unreadable"
	companion u-own-file-unreadable
	chown nobody:nogroup "$IN/$COMP"
	U=$IN/bi_mag_20240501_v1.0.0.dat
	printf 'secret\n' > "$U"
	chown nobody:nogroup "$U"
	chmod 000 "$U"
	touch -d '-1 minute' "$U"
	run $NOBODY "$CASCADE" ingest -m "$DB"
	equals "u-own-file-unreadable: exit status 1" "$rc" 1
	facts bi_mag_20240501_v1.0.0.dat bi_mag_20240501_v1.0.0.dat
	check_companion u-own-file-unreadable
	equals "u-own-file-unreadable: rejected as unreadable" "$F_NFAIL:$F_KIND" "1:unreadable"
	contains "u-own-file-unreadable: the reason" "$F_REASON" "Permission denied"
	[ -e "$ERR/bi_mag_20240501_v1.0.0.dat" ] && [ ! -e "$U" ] && pass "u-own-file-unreadable: moved to the error directory" || fail "u-own-file-unreadable: moved to the error directory"

	# another user's file that we may read: no lease for us (EACCES), so
	# run.settle decides, and it is copied
	case_begin "u-foreign-readable"
	companion u-foreign-readable
	chown nobody:nogroup "$IN/$COMP"
	touch -d '-1 minute' "$IN/$COMP"
	F=$IN/bi_mag_20240502_v1.0.0.dat
	printf 'theirs\n' > "$F"
	chmod 644 "$F"
	touch -d '-1 minute' "$F"
	run $NOBODY "$CASCADE" ingest -m "$DB"
	equals "u-foreign-readable: exit status 0" "$rc" 0
	facts bi_mag_20240502_v1.0.0.dat -
	check_companion u-foreign-readable
	equals "u-foreign-readable: archived, a copy" "$F_ROWS:$(stat -c %U:%h "$ARC/mag/2024/bi_mag_20240502_v1.0.0.dat" 2>/dev/null)" "1:nobody:1"

	# another user's file that we may neither read nor link: it cannot
	# even be moved to the error directory; it stays, said at ERROR
	case_begin "u-foreign-unreadable"
	companion u-foreign-unreadable
	chown nobody:nogroup "$IN/$COMP"
	G=$IN/bi_mag_20240503_v1.0.0.dat
	printf 'private\n' > "$G"
	chmod 600 "$G"
	touch -d '-1 minute' "$G"
	run $NOBODY "$CASCADE" ingest -m "$DB"
	equals "u-foreign-unreadable: exit status 1" "$rc" 1
	facts bi_mag_20240503_v1.0.0.dat -
	check_companion u-foreign-unreadable
	[ -e "$G" ] && pass "u-foreign-unreadable: still in incoming" || fail "u-foreign-unreadable: still in incoming"
	contains "u-foreign-unreadable: said at ERROR" "$err" "ERROR: could not place \"$G\""
	equals "u-foreign-unreadable: no failure row, no journal row" "$F_NFAIL:$(sql "SELECT count(*) FROM ingest_journal")" "0:0"
	rm -f "$G"
else
	echo "# setpriv cannot switch to nobody here: unreadable files not tested"
fi

catalogue_end
