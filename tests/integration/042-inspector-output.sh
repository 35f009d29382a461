# 042-inspector-output: the edges of the external inspector's output
# protocol with a real inspector (tests/fixtures/inspectors/protocol.sh):
# CRLF lines are accepted; a NUL byte, more than 64 KiB, a key given
# twice and keywords that are not UTF-8 each reject that file alone, with
# a reason that says so, while the other files of the batch go through.
. "$(dirname "$0")/lib.sh"
t_begin inspector_output

demo_config "$T" | sed -e '/^processes:/,$d' > "$T/m.yaml"
cat >> "$T/m.yaml" <<YAML
  - name: ext
    instrument: mag
    level: 0
    format: "ext_{Y}{m}{d}_v{VERSION}.bin"
    relative_path: "ext/{Y}"
    inspector:
      executable: $FIX/inspectors/protocol.sh
      timeout: 20s
processes: []
YAML
expect_rc 0 "init" cascade init
expect_rc 0 "apply a mission with an external inspector" cascade config apply "$T/m.yaml"
IN=$T/data/incoming
ARC=$T/data
ERR=$T/data/errors
mkdir -p "$IN"

deliver good.bin "GOOD 2024-03-04 1.0.0"
deliver crlf.bin "CRLF 2024-03-05 1.1.0"
deliver nul.bin "NUL 2024-03-06 1.0.0"
deliver big.bin "BIG 2024-03-07 1.0.0"
deliver twice.bin "TWICE 2024-03-08 1.0.0"
deliver badutf8.bin "BADUTF8 2024-03-09 1.0.0"
deliver small_mag_l0_20240310_v1.0.0.dat "a template product's file"

expect_rc 1 "ingest: rejects make exit status 1" cascade ingest
contains "summary: 3 ingested, 4 rejected" "$out" "ingest: 3 ingested, 0 duplicates, 4 rejected"

# the accepted ones, CRLF included
equals "plain LF output: fields stored" \
	"$(sql "SELECT utc_file_date, utc_start_time, utc_stop_time, interface_version, quality_version, process_keywords FROM file WHERE filename = 'good.bin'")" \
	"2024-03-04|2024-03-04 00:00:00|2024-03-04 23:59:59.999999|1|0|case=good"
equals "CRLF output: fields stored without the CRs" \
	"$(sql "SELECT utc_file_date, utc_start_time, utc_stop_time, interface_version, quality_version, process_keywords FROM file WHERE filename = 'crlf.bin'")" \
	"2024-03-05|2024-03-05 01:02:03|2024-03-05 23:59:59.999999|1|1|case=crlf"
[ -f "$ARC/ext/2024/crlf.bin" ] && pass "CRLF file archived" || fail "CRLF file archived"
[ -f "$ARC/mag/l0/2024/small_mag_l0_20240310_v1.0.0.dat" ] &&
	pass "the template product's file went through" ||
	fail "the template product's file went through"

# reason NAME: the failure row's reason for an incoming name
reason() { sql "SELECT kind || ': ' || reason FROM failure WHERE filename = '$1'"; }
# rejected NAME WHAT: in the error directory, not in incoming, no file row
rejected() {
	if [ -f "$ERR/$1" ] && [ ! -e "$IN/$1" ] &&
		[ "$(sql "SELECT count(*) FROM file WHERE filename = '$1'")" = 0 ]; then
		pass "$2: moved to the error directory, not archived"
	else
		fail "$2: moved to the error directory, not archived" "$(ls -R "$T/data")"
	fi
}

rejected nul.bin "NUL byte"
contains "NUL byte: the reason says where" "$(reason nul.bin)" \
	"inspector: inspector \"$FIX/inspectors/protocol.sh\" of product \"ext\": inspector output contains a NUL byte at offset 39"
rejected big.bin "over 64 KiB"
contains "over 64 KiB: the reason says so" "$(reason big.bin)" \
	"inspector: inspector \"$FIX/inspectors/protocol.sh\" of product \"ext\": inspector output exceeds 65536 bytes"
not_contains "over 64 KiB: not called a program that cannot be run" "$(reason big.bin)" "could not be run"
rejected twice.bin "key given twice"
contains "key given twice: the key and both lines named" "$(reason twice.bin)" \
	"inspector gave the key \"version\" twice: line 1 \"version=1.0.0\" and line 3 \"version=9.9.9\""
rejected badutf8.bin "keywords not UTF-8"
contains "keywords not UTF-8: said, and the reason is stored" "$(reason badutf8.bin)" \
	"process_keywords that are not valid UTF-8: \"caf\\xe9\" on line 3"
contains "the log names each reject" "$err" "rejected \"big.bin\": inspector \"$FIX/inspectors/protocol.sh\" of product \"ext\": inspector output exceeds 65536 bytes"
not_contains "no error of its own from capturing the output" "$err" "output of \""

equals "nothing left in incoming" "$(ls -A "$IN")" ""
equals "journal empty" "$(sql "SELECT count(*) FROM ingest_journal")" 0

# cascade inspect shows the same reasons without touching anything
deliver again-nul.bin "NUL 2024-03-06 1.0.0"
expect_rc 1 "inspect of a NUL output fails" cascade inspect "$IN/again-nul.bin"
contains "inspect says why" "$out$err" "inspector output contains a NUL byte at offset 39"
[ -f "$IN/again-nul.bin" ] && pass "inspect left the file" || fail "inspect left the file"
t_end
