# 080-bad-input: the bad-input catalogue, incoming side: versions, dates,
# names, symbolic links, special files and sizes.  Each case is one run
# with a good file beside the bad one, and asserts the bad one's fate,
# its failure row (kind, reason, error_path), the exit status, that the
# good one was archived and that every log entry is one line (lib-bad.sh).
# Inspectors and files being written: 081; mission files: 082; what the
# database refuses, a lost connection: 083.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin bad_input
. "$(dirname "$0")/lib-bad.sh"
bad_setup

long=$(printf 'x%.0s' $(seq 1 251)).dat   # 255 bytes: NAME_MAX
# A sparse file of 5 GiB (sizes past 32 bits) takes minutes to checksum
# on a busy machine: CASCADE_TEST_HUGE=1 asks for it; by default the
# sparse file is 64 MiB and one byte.
if [ -n "${CASCADE_TEST_HUGE:-}" ]; then huge=5368709120; else huge=67108865; fi
export huge

# ID|NAME|SHOWN|HOW|RC|FATE|KIND|REASON[|LOG]
bad_table <<'TABLE'
# -- versions (the template bi_mag_{Y}{m}{d}_v{VERSION}.dat)
v-zero|bi_mag_20240101_v0.0.0.dat|=|mk|1|error|bad-version|version 0.0.0 cannot be recorded: the interface version must be from 1 to 32767
v-zero-interface|bi_mag_20240102_v0.5.7.dat|=|mk|1|error|bad-version|version 0.5.7 cannot be recorded
v-max|bi_mag_20240103_v32767.32767.32767.dat|=|mk|0|archived:mag/2024/bi_mag_20240103_v32767.32767.32767.dat|-|-
v-over-max|bi_mag_20240104_v32768.0.0.dat|=|mk|1|error|no-product|matches no product
v-huge|bi_mag_20240105_v99999999999999999999.0.0.dat|=|mk|1|error|no-product|matches no product
v-leading-zeros|bi_mag_20240106_v01.002.00003.dat|=|mk|0|archived:mag/2024/bi_mag_20240106_v01.002.00003.dat|-|-
v-negative|bi_mag_20240107_v-1.0.0.dat|=|mk|1|error|no-product|-
v-plus|bi_mag_20240108_v+1.0.0.dat|=|mk|1|error|no-product|-
v-missing-part|bi_mag_20240109_v1.0.dat|=|mk|1|error|no-product|-
v-extra-part|bi_mag_20240110_v1.0.0.0.dat|=|mk|1|error|no-product|-
v-empty|bi_mag_20240111_v.dat|=|mk|1|error|no-product|-
v-empty-part|bi_mag_20240112_v1..0.dat|=|mk|1|error|no-product|-
v-letters|bi_mag_20240113_v1.a.0.dat|=|mk|1|error|no-product|-
v-space|bi_mag_20240114_v1. 0.0.dat|=|mk|1|error|no-product|-
v-six-digits|bi_mag_20240115_v000001.0.0.dat|=|mk|1|error|no-product|-
# -- dates: accepted from 1000-01-01 to 8999-12-31
d-year-1|bi_mag_00010101_v1.0.0.dat|=|mk|1|error|bad-date|date 0001-01-01 is outside the accepted range 1000-01-01 to 8999-12-31
d-9999-12-31|bi_mag_99991231_v1.0.0.dat|=|mk|1|error|bad-date|date 9999-12-31 is outside the accepted range
d-year-0|bi_mag_00000101_v1.0.0.dat|=|mk|1|error|no-product|-
d-feb-30|bi_mag_20240230_v1.0.0.dat|=|mk|1|error|no-product|-
d-feb-29-leap|bi_mag_20240229_v1.0.0.dat|=|mk|0|archived:mag/2024/bi_mag_20240229_v1.0.0.dat|-|-
d-feb-29-not-leap|bi_mag_20230229_v1.0.0.dat|=|mk|1|error|no-product|-
d-month-13|bi_mag_20241301_v1.0.0.dat|=|mk|1|error|no-product|-
d-day-0|bi_mag_20240100_v1.0.0.dat|=|mk|1|error|no-product|-
d-day-32|bi_mag_20240132_v1.0.0.dat|=|mk|1|error|no-product|-
d-1970-01-01|bi_mag_19700101_v1.0.0.dat|=|mk|0|archived:mag/1970/bi_mag_19700101_v1.0.0.dat|-|-
d-1969-12-31|bi_mag_19691231_v1.0.0.dat|=|mk|0|archived:mag/1969/bi_mag_19691231_v1.0.0.dat|-|-
d-first|bi_mag_10000101_v1.0.0.dat|=|mk|0|archived:mag/1000/bi_mag_10000101_v1.0.0.dat|-|-
d-before-first|bi_mag_09991231_v1.0.0.dat|=|mk|1|error|bad-date|date 0999-12-31 is outside
d-last|bi_mag_89991231_v1.0.0.dat|=|mk|0|archived:mag/8999/bi_mag_89991231_v1.0.0.dat|-|-
d-after-last|bi_mag_90000101_v1.0.0.dat|=|mk|1|error|bad-date|date 9000-01-01 is outside
d-far-future|bi_mag_60000615_v1.0.0.dat|=|mk|0|archived:mag/6000/bi_mag_60000615_v1.0.0.dat|-|-
d-letter|bi_mag_2024O101_v1.0.0.dat|=|mk|1|error|no-product|-
# -- names: every byte but / and NUL; shown \xNN in rows and logs
n-newline|new\nline.dat|new\x0aline.dat|mk|1|error|no-product|matches no product|rejected "new\x0aline.dat"
n-newline-archived|bi_note_20240101_a\nbc_v1.0.0.txt|bi_note_20240101_a\x0abc_v1.0.0.txt|mk|0|archived:note/bi_note_20240101_a\nbc_v1.0.0.txt|-|-|ingested "bi_note_20240101_a\x0abc_v1.0.0.txt"
n-tab|tab\there.dat|tab\x09here.dat|mk|1|error|no-product|-
n-carriage-return|cr\rhere.dat|cr\x0dhere.dat|mk|1|error|no-product|-
n-escape-sequence|esc\x1b[31mred.dat|esc\x1b[31mred.dat|mk|1|error|no-product|-|rejected "esc\x1b[31mred.dat"
n-del|del\x7f.dat|del\x7f.dat|mk|1|error|no-product|-
n-control-a|\x01start.dat|\x01start.dat|mk|1|error|no-product|-
n-c1-control|c1\xc2\x85x.dat|c1\xc2\x85x.dat|mk|1|error|no-product|-
n-spaces|a name with spaces.dat|=|mk|1|error|no-product|-
n-leading-space| lead.dat|=|mk|1|error|no-product|-
n-dash|-rf|=|mk|1|error|no-product|-
n-double-dash|--help|=|mk|1|error|no-product|-
n-quotes|it's "quoted".dat|=|mk|1|error|no-product|-
n-backslash|back\\slash.dat|back\\slash.dat|mk|1|error|no-product|-
n-glob|star*and?.dat|=|mk|1|error|no-product|-
n-not-utf8|bad\xffname.dat|bad\xffname.dat|mk|1|error|bad-name|the name "bad\xffname.dat" is not valid UTF-8
n-overlong|over\xc0\xaflong.dat|over\xc0\xaflong.dat|mk|1|error|bad-name|not valid UTF-8
n-truncated|cut\xe2\x82.dat|cut\xe2\x82.dat|mk|1|error|bad-name|not valid UTF-8
n-surrogate|sur\xed\xa0\x80.dat|sur\xed\xa0\x80.dat|mk|1|error|bad-name|not valid UTF-8
n-latin1-matching|bi_note_20240103_ab\xe9\xe9_v1.0.0.txt|bi_note_20240103_ab\xe9\xe9_v1.0.0.txt|mk|1|error|bad-name|not valid UTF-8
n-utf8-archived|bi_note_20240104_\xc3\xa9\xc3\xa9_v1.0.0.txt|=|mk|0|archived:note/bi_note_20240104_\xc3\xa9\xc3\xa9_v1.0.0.txt|-|-
n-emoji|emoji_\xf0\x9f\x98\x80.dat|=|mk|1|error|no-product|-
n-three-dots|...|=|mk|0|incoming|-|-
# -- symbolic links
l-file-absolute|bi_mag_20240201_v1.0.0.dat|=|printf 'outside a\n' > "$T/outside/a.dat"; ln -s "$T/outside/a.dat" "$E"|0|archived:mag/2024/bi_mag_20240201_v1.0.0.dat|-|-
l-file-relative|bi_mag_20240202_v1.0.0.dat|=|printf 'outside b\n' > "$T/outside/b.dat"; ln -s ../../outside/b.dat "$E"|0|archived:mag/2024/bi_mag_20240202_v1.0.0.dat|-|-
l-directory|to-dir|=|ln -s "$T/outside" "$E"|1|error|not-a-file|is a directory (through a symbolic link)
l-dangling|bi_mag_20240203_v1.0.0.dat|=|ln -s "$T/nowhere" "$E"|1|error|unreadable|No such file or directory
l-self-loop|loop.dat|=|ln -s loop.dat "$E"|1|error|unreadable|Too many levels of symbolic links
l-device|devnull.dat|=|ln -s /dev/null "$E"|1|error|not-a-file|is a character device (through a symbolic link)
l-fifo|tofifo.dat|=|rm -f "$T/outside/fifo"; mkfifo "$T/outside/fifo"; ln -s "$T/outside/fifo" "$E"|1|error|not-a-file|is a FIFO (through a symbolic link)
l-empty|bi_mag_20240204_v1.0.0.dat|=|: > "$T/outside/empty"; ln -s "$T/outside/empty" "$E"|1|error|empty|is empty (0 bytes)
# -- what is not a regular file never blocks a run
s-fifo|pipe.dat|=|mkfifo "$E"|1|error|not-a-file|is a FIFO
s-fifo-matching|bi_mag_20240205_v1.0.0.dat|=|mkfifo "$E"|1|error|not-a-file|is a FIFO
s-socket|sock|=|python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$E"|1|error|not-a-file|is a socket
s-char-device|chr|=|mknod "$E" c 1 3|1|error|not-a-file|is a character device
s-block-device|blk|=|mknod "$E" b 7 0|1|error|not-a-file|is a block device
s-directory|subdir|=|mkdir "$E"; : > "$E/inside.dat"|0|incoming|-|-|WARNING: incoming: 1 directories, ignored: incoming should hold files only: "subdir"
s-directory-matching|bi_mag_20240206_v1.0.0.dat|=|mkdir "$E"|0|incoming|-|-|1 directories
s-dot-file|.hidden.dat|=|mk|0|incoming|-|-|INFO: incoming: 1 named as deliveries in progress (.NAME, NAME.part, NAME.tmp), not taken: ".hidden.dat"
s-dot-matching|.bi_mag_20240207_v1.0.0.dat|=|mk|0|incoming|-|-|1 named as deliveries in progress
s-part|bi_mag_20240208_v1.0.0.dat.part|=|mk|0|incoming|-|-|"bi_mag_20240208_v1.0.0.dat.part"
s-tmp|bi_mag_20240209_v1.0.0.dat.tmp|=|mk|0|incoming|-|-|"bi_mag_20240209_v1.0.0.dat.tmp"
# -- sizes
z-empty|bi_mag_20240210_v1.0.0.dat|=|: > "$E"|1|error|empty|is empty (0 bytes)
z-one-byte|bi_mag_20240211_v1.0.0.dat|=|printf x > "$E"|0|archived:mag/2024/bi_mag_20240211_v1.0.0.dat|-|-
z-sparse|bi_mag_20240212_v1.0.0.dat|=|echo > "$E"; truncate -s $huge "$E"|0|archived:mag/2024/bi_mag_20240212_v1.0.0.dat|-|-
TABLE

# what the table cannot say
equals "leading zeros: recorded as 1.2.3" \
	"$(sql "SELECT interface_version || '.' || quality_version || '.' || revision_version FROM file WHERE filename = 'bi_mag_20240106_v01.002.00003.dat'")" 1.2.3
equals "the sparse file: its size recorded" \
	"$(sql "SELECT size_bytes FROM file WHERE filename = 'bi_mag_20240212_v1.0.0.dat'")" "$huge"
blocks=$(stat -c %b "$ARC/mag/2024/bi_mag_20240212_v1.0.0.dat")
[ "$blocks" -lt 1000 ] && pass "the sparse file: archived as a link (still sparse), not a copy" ||
	fail "the sparse file: archived as a link (still sparse), not a copy" "$blocks blocks"
equals "symbolic links: the files they named are kept" "$(cat "$T/outside/a.dat" "$T/outside/b.dat")" "outside a
outside b"
[ -L "$ERR/to-dir" ] && pass "a rejected symbolic link is moved as a link" || fail "a rejected symbolic link is moved as a link"
equals "the odd names' rows hold the names' own bytes" \
	"$(sql "SELECT count(*) FROM file WHERE filename IN (E'bi_note_20240101_a\nbc_v1.0.0.txt', 'bi_note_20240104_éé_v1.0.0.txt')")" 2

# a long name (NAME_MAX bytes), rejected twice: the second reject's name
# is shortened to make room for its ".1"
case_begin "n-name-max"
companion n-name-max
E=$IN/$long
mk
run cascade ingest
equals "n-name-max: exit status 1" "$rc" 1
facts "$long" "$long"
check_companion n-name-max
check_fate n-name-max "$long" error
check_failure n-name-max "$long" no-product - error
case_begin "n-name-max-again"
companion n-name-max-again
mk "again"
run cascade ingest
equals "n-name-max-again: exit status 1" "$rc" 1
facts - -
check_companion n-name-max-again
short=$(printf 'x%.0s' $(seq 1 251)).d.1
[ -f "$ERR/$short" ] && pass "n-name-max-again: the second reject is NAME shortened, .1" || fail "n-name-max-again: the second reject is NAME shortened, .1" "$(ls "$ERR" | grep '^xxxx' )"
equals "n-name-max-again: its error_path says so" "$(sql "SELECT error_path FROM failure WHERE logging_id = $(last_run)")" "$ERR/$short"
equals "n-name-max-again: both rejects kept" "$(cat "$ERR/$long" "$ERR/$short")" "data
again"

# two symbolic links that point at each other
case_begin "l-loop-pair"
companion l-loop-pair
ln -s loop-b "$IN/loop-a"
ln -s loop-a "$IN/loop-b"
run cascade ingest
equals "l-loop-pair: exit status 1" "$rc" 1
facts - -
check_companion l-loop-pair
equals "l-loop-pair: both rejected as unreadable" "$(sql "SELECT string_agg(filename || ':' || kind, ' ' ORDER BY filename) FROM failure WHERE logging_id = $(last_run)")" "loop-a:unreadable loop-b:unreadable"
[ -L "$ERR/loop-a" ] && [ -L "$ERR/loop-b" ] && pass "l-loop-pair: both moved as links" || fail "l-loop-pair: both moved as links"

# a symbolic link to another incoming file: archived by content, and the
# file it names goes its own way (here: rejected, no product)
case_begin "l-to-incoming-file"
companion l-to-incoming-file
printf 'the real one\n' > "$IN/real-data.bin"
ln -s real-data.bin "$IN/bi_mag_20240213_v1.0.0.dat"
run cascade ingest
equals "l-to-incoming-file: exit status 1" "$rc" 1
facts - -
check_companion l-to-incoming-file
equals "l-to-incoming-file: the link archived by content" "$(cat "$ARC/mag/2024/bi_mag_20240213_v1.0.0.dat")" "the real one"
[ ! -L "$ARC/mag/2024/bi_mag_20240213_v1.0.0.dat" ] && pass "l-to-incoming-file: a copy, not a link" || fail "l-to-incoming-file: a copy, not a link"
equals "l-to-incoming-file: the file it named rejected alone" "$(sql "SELECT filename || ':' || kind FROM failure WHERE logging_id = $(last_run)")" "real-data.bin:no-product"
equals "l-to-incoming-file: incoming is empty" "$(ls -A "$IN")" ""

# two names with one product, date and version (1.0.0 and 01.0.0)
case_begin "v-same-version-two-names"
companion v-same-version-two-names
printf 'one\n' > "$IN/bi_mag_20240214_v1.0.0.dat"
printf 'two\n' > "$IN/bi_mag_20240214_v01.0.0.dat"
run cascade ingest
equals "v-same-version-two-names: exit status 1" "$rc" 1
facts - -
check_companion v-same-version-two-names
equals "v-same-version-two-names: the first archived, the second version-taken" \
	"$(sql "SELECT count(*) FROM file WHERE filename = 'bi_mag_20240214_v01.0.0.dat'"):$(sql "SELECT filename || ':' || kind FROM failure WHERE logging_id = $(last_run)")" \
	"1:bi_mag_20240214_v1.0.0.dat:version-taken"

# a run with nothing but what is not taken: exit 0 and the one line each
case_begin "s-nothing-to-take"
mkdir -p "$IN/d1" "$IN/d2" "$IN/d3" "$IN/d4"
printf 'x\n' > "$IN/.a"
printf 'x\n' > "$IN/b.part"
run cascade ingest -v
equals "s-nothing-to-take: exit status 0" "$rc" 0
contains "s-nothing-to-take: directories: the count and the first three" "$err" 'incoming: 4 directories, ignored: incoming should hold files only: "d1", "d2", "d3", ...'
equals "s-nothing-to-take: one line for the directories" "$(grep -c 'directories, ignored' "$T/err")" 1
contains "s-nothing-to-take: delivery names counted" "$err" "incoming: 2 named as deliveries in progress"
run cascade ingest
equals "s-nothing-to-take: without -v only the directories are a WARNING" "$(grep -c WARNING "$T/err"):$(grep -c INFO "$T/err")" "1:0"
rm -rf "$IN/d1" "$IN/d2" "$IN/d3" "$IN/d4" "$IN/.a" "$IN/b.part"

equals "no journal rows left" "$(sql "SELECT count(*) FROM ingest_journal")" 0
equals "no flag left" "$(sql "SELECT count(*) FROM logging WHERE currently_processing")" 0
catalogue_end
