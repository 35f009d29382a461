# 125-orbit: "cascade orbits load|list": the orbit table (migration
# 0014) loaded from files, appended to and corrected, bad lines named
# with nothing loaded, conflicts with stored orbits refused, and read
# back as text and JSON.
. "$(dirname "$0")/lib.sh"
t_begin orbit
. "$(dirname "$0")/lib-ops.sh"

expect_rc 0 "init" cascade init
count() { sql "SELECT count(*) FROM orbit"; }

expect_rc 0 "list of an empty table" cascade orbits list
equals "says there are none" "$out" "no orbits"

cat > "$T/first.csv" <<'X'
number,start,stop
# the first three orbits
1,2024-03-01T00:00:00Z,2024-03-01T01:30:00Z
2,2024-03-01T01:30:00Z,2024-03-01T03:00:00Z

3,2024-03-01T03:00:00Z,2024-03-01T04:30:00Z
X
expect_rc 0 "load a file" cascade orbits load "$T/first.csv"
contains "counts" "$out" "first.csv: 3 orbits added, 0 replaced, 0 unchanged"
equals "three rows" "$(count)" 3
equals "times stored in UTC, the stop excluded" \
	"$(sql "SELECT start_time, stop_time, source FROM orbit WHERE orbit_number = 2")" \
	"2024-03-01 01:30:00|2024-03-01 03:00:00|$T/first.csv:4"

# appending: new numbers after the stored ones, blank-separated, CRLF
printf '4 2024-03-01T04:30:00 2024-03-01T06:00:00\r\n5 2024-03-01T06:00:00 2024-03-01T07:30:00\r\n' > "$T/more.txt"
expect_rc 0 "append" cascade orbits load "$T/more.txt"
contains "two added" "$out" "2 orbits added, 0 replaced, 0 unchanged"
equals "five rows" "$(count)" 5
expect_rc 0 "the same file again" cascade orbits load "$T/more.txt"
contains "nothing changes" "$out" "0 orbits added, 0 replaced, 2 unchanged"

# a correction: orbit 3 ends earlier, 4 starts earlier
cat > "$T/fix.csv" <<'X'
3,2024-03-01T03:00:00Z,2024-03-01T04:20:00Z
4,2024-03-01T04:20:00Z,2024-03-01T06:00:00Z
X
expect_rc 0 "dry run of a correction" cascade orbits load --dry-run "$T/fix.csv"
contains "dry run: what it would do" "$out" "dry run: $T/fix.csv: 0 orbits added, 2 replaced, 0 unchanged"
equals "dry run: nothing changed" "$(sql "SELECT stop_time FROM orbit WHERE orbit_number = 3")" "2024-03-01 04:30:00"
expect_rc 0 "load the correction" cascade orbits load "$T/fix.csv"
contains "two replaced" "$out" "0 orbits added, 2 replaced, 0 unchanged"
contains "says what orbit 3 was" "$out" "replaced orbit 3: was 2024-03-01T03:00:00Z to 2024-03-01T04:30:00Z ($T/first.csv:6)"
equals "orbit 3 corrected" "$(sql "SELECT stop_time, source FROM orbit WHERE orbit_number = 3")" "2024-03-01 04:20:00|$T/fix.csv:1"
equals "orbit 4 corrected" "$(sql "SELECT start_time FROM orbit WHERE orbit_number = 4")" "2024-03-01 04:20:00"

# bad lines: every one named with file:line and what was expected;
# nothing of the file loaded, good lines included
cat > "$T/bad.csv" <<'X'
6,2024-03-01T07:30:00Z,2024-03-01T09:00:00Z
7,2024-03-01T09:00:00Z
8,2024-03-01T10:30:00,2024-03-01T10:00:00
nine,2024-03-01T12:00:00,2024-03-01T13:30:00
10,2024-03-01T13:30:00,tomorrow
X
expect_rc 2 "a file with bad lines is refused" cascade orbits load "$T/bad.csv"
contains "two fields, and what was expected" "$err" "$T/bad.csv:2: 2 fields where an orbit has 3: expected NUMBER,START,STOP"
contains "a stop before its start" "$err" "$T/bad.csv:3: orbit 8 stops at 2024-03-01T10:00:00Z, before its start 2024-03-01T10:30:00Z"
contains "a bad number" "$err" "$T/bad.csv:4: orbit number \"nine\" is not a whole number"
contains "a bad time" "$err" "$T/bad.csv:5: stop time \"tomorrow\" of orbit 10 is not a UTC time"
contains "says nothing was loaded" "$err" "nothing was loaded"
equals "the good line 1 was not loaded either" "$(count)" 5

# conflicts with the stored orbits: the table would be out of order
cat > "$T/clash.csv" <<'X'
6,2024-03-01T07:30:00Z,2024-03-01T09:00:00Z
7,2024-03-01T05:00:00Z,2024-03-01T05:30:00Z
X
expect_rc 2 "orbits of one file out of order are refused" cascade orbits load "$T/clash.csv"
contains "names both lines" "$err" "$T/clash.csv:2: orbit 7 starts at 2024-03-01T05:00:00Z, before orbit 6 (line 1) stops at 2024-03-01T09:00:00Z"
equals "nothing loaded" "$(count)" 5
echo "6,2024-03-01T05:00:00Z,2024-03-01T05:30:00Z" > "$T/clash1.csv"
expect_rc 2 "an orbit inside a stored one is refused" cascade orbits load "$T/clash1.csv"
contains "names both, with where each comes from" "$err" "$T/clash1.csv:1: orbit 6 (line 1 of $T/clash1.csv) starts at 2024-03-01T05:00:00Z, before orbit 5 (loaded before, from $T/more.txt:2) stops at 2024-03-01T07:30:00Z"
contains "says what to do" "$err" "give the corrected times of the stored orbits in it too"
equals "nothing loaded" "$(count)" 5
cat > "$T/clash2.csv" <<'X'
2,2024-03-01T01:00:00Z,2024-03-01T03:00:00Z
X
expect_rc 2 "a correction overlapping a stored neighbour is refused" cascade orbits load "$T/clash2.csv"
contains "names the stored one and its source" "$err" "orbit 2 (line 1 of $T/clash2.csv) starts at 2024-03-01T01:00:00Z, before orbit 1 (loaded before, from $T/first.csv:3) stops at 2024-03-01T01:30:00Z"
equals "orbit 2 unchanged" "$(sql "SELECT start_time FROM orbit WHERE orbit_number = 2")" "2024-03-01 01:30:00"
# moving two neighbours at once is one correction, checked as a whole
cat > "$T/shift.csv" <<'X'
1,2024-03-01T00:00:00Z,2024-03-01T01:00:00Z
2,2024-03-01T01:00:00Z,2024-03-01T03:00:00Z
X
expect_rc 0 "two neighbours moved together" cascade orbits load "$T/shift.csv"
contains "both replaced" "$out" "0 orbits added, 2 replaced, 0 unchanged"
# and back: orbit 1, written first, overlaps 2 until 2 is written too
cat > "$T/back.csv" <<'X'
1,2024-03-01T00:00:00Z,2024-03-01T01:30:00Z
2,2024-03-01T01:30:00Z,2024-03-01T03:00:00Z
X
expect_rc 0 "moved back: checked at the end of the statement" cascade orbits load "$T/back.csv"
contains "both replaced again" "$out" "0 orbits added, 2 replaced, 0 unchanged"
expect_rc 0 "and forth again" cascade orbits load "$T/shift.csv"

# the database keeps the rules itself (psql)
run sql "INSERT INTO orbit VALUES (20, '2024-03-01T02:00:00', '2024-03-01T02:10:00')"
equals "an overlapping row is refused by the table" "$rc" 1
contains "by its exclusion constraint" "$err" "orbit_no_overlap"
run sql "INSERT INTO orbit VALUES (0, '2024-03-02T00:00:00', '2024-03-02T01:00:00')"
equals "a number out of time order is refused by the table" "$rc" 1
contains "by its order trigger, naming both" "$err" "orbit 1 starts at 2024-03-01 00:00:00, before orbit 0 stops at 2024-03-02 01:00:00"
run sql "INSERT INTO orbit VALUES (21, '2024-03-01T09:00:00', '2024-03-01T08:00:00')"
equals "a stop before the start is refused by the table" "$rc" 1

expect_rc 2 "a missing file" cascade orbits load "$T/nosuch.csv"
contains "names it" "$err" "could not open orbits file \"$T/nosuch.csv\""
expect_rc 2 "load without a file" cascade orbits load
expect_rc 2 "orbits without a subcommand" cascade orbits
expect_rc 2 "an unknown subcommand" cascade orbits frob
contains "names it" "$err" 'unknown subcommand "frob"'

# list
expect_rc 0 "list" cascade orbits list
contains "a header" "$out" "orbit        start (UTC)                 stop (UTC)                  source"
contains "orbit 3 as corrected" "$out" "3            2024-03-01T03:00:00Z        2024-03-01T04:20:00Z        $T/fix.csv:1"
contains "a count" "$out" "5 orbits"
first=$(printf '%s\n' "$out" | sed -n 2p)
contains "by number" "$first" "1            2024-03-01T00:00:00Z"
expect_rc 0 "list --from --to" cascade orbits list --from 2024-03-01T04:00:00 --to 2024-03-01T04:30:00
contains "orbit 3 overlaps it" "$out" "3            2024-03-01T03:00:00Z"
contains "orbit 4 overlaps it" "$out" "4            2024-03-01T04:20:00Z"
contains "only those" "$out" "2 orbits"
expect_rc 0 "list --to a date: through its end" cascade orbits list --from 2024-03-01T07:00:00 --to 2024-03-01
contains "orbit 5" "$out" "1 orbit"
expect_rc 0 "list of a period without orbits" cascade orbits list --from 2025-01-01
equals "none there" "$out" "no orbits in that period"
expect_rc 2 "--to before --from" cascade orbits list --from 2024-03-02 --to 2024-03-01T00:00:00
expect_rc 0 "list --json" cascade orbits list --json
json_ok "list --json is one JSON document"
jequals "json: the count" count 5
jequals "json: five orbits" orbits.# 5
jequals "json: the number" orbits.2.number 3
jequals "json: the start, UTC" orbits.2.start 2024-03-01T03:00:00Z
jequals "json: the stop" orbits.2.stop 2024-03-01T04:20:00Z
jequals "json: the source" orbits.2.source "$T/fix.csv:1"
t_end
