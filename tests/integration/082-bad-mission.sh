# 082-bad-mission: the bad-input catalogue, continued: broken and hostile
# mission files.  Each case checks "cascade config check" (its exit
# status and the message with FILE:LINE:COLUMN where there is a place to
# name) and, for a file refused, that "cascade config apply" refuses it
# too and leaves the database as it was (the export is unchanged), so
# the mission already applied goes on working (an ingest at the end).
. "$(dirname "$0")/lib.sh"
t_begin bad_mission
. "$(dirname "$0")/lib-bad.sh"
bad_setup
M=$T/m.yaml
cascade config export > "$T/before.yaml" || { echo "not ok - export"; exit 1; }

# the mission with a process and its code (program $1), for code cases
with_code() {
	sed '/^processes:/,$d' "$T/bad.yaml"
	cat <<YAML
  - name: out
    instrument: mag
    level: 1
    format: "bi_out_{Y}{m}{d}_v{VERSION}.dat"
    relative_path: "out/{Y}"
processes:
  - name: make_out
    output_product: out
    output_timebase: DAILY
    inputs:
      - product: mag
    codes:
      - filename: $1
        relative_path: bin
        version: 1.0.0
        output_interface_version: 1
        start_date: 2020-01-01
YAML
}
mkdir -p "$T/codes/bin" "$T/codes/bin/adir"
printf '#!/bin/sh\nexit 0\n' > "$T/codes/bin/ok.sh"
chmod 755 "$T/codes/bin/ok.sh"
printf '#!/bin/sh\nexit 0\n' > "$T/codes/bin/noexec.sh"
chmod 644 "$T/codes/bin/noexec.sh"

# mission_case ID CHECK_RC MESSAGE: $M is written; check it (-: no
# message to look for); with CHECK_RC 2, also apply it
mission_case() {
	local id=$1 want=$2 msg=$3
	case_begin "$id"
	run cascade config check "$M"
	if [ "$rc" -eq "$want" ]; then
		pass "$id: config check exits $want"
	else
		fail "$id: config check exits $want" "got $rc" "stdout: $out" "stderr: $err"
	fi
	[ "$msg" = - ] || contains "$id: the message" "$err" "$msg"
	[ "$want" -eq 2 ] || return 0
	run cascade config apply "$M"
	equals "$id: config apply refuses it" "$rc" 2
	cascade config export > "$T/after.yaml" 2>/dev/null
	if cmp -s "$T/before.yaml" "$T/after.yaml"; then
		pass "$id: the database is unchanged"
	else
		fail "$id: the database is unchanged" "$(diff "$T/before.yaml" "$T/after.yaml" | head -5)"
	fi
}

# ID|CHECK_RC|MESSAGE|HOW (shell text writing $M)
while IFS='|' read -r id want msg how; do
	case "$id" in '' | '#'*) continue ;; esac
	rm -rf "$M"
	eval "$how"
	mission_case "$id" "$want" "$msg" </dev/null
done <<'TABLE'
# -- the YAML itself
m-tab-indent|2|m.yaml:2:1: invalid YAML: a tab character; YAML indents with spaces only|sed 's/^  name: bad$/\tname: bad/' "$T/bad.yaml" > "$M"
m-anchor|2|m.yaml:1:10: YAML anchors ("&m") are not supported|sed 's/^mission:$/mission: \&m/' "$T/bad.yaml" > "$M"
m-anchor-on-value|2|YAML anchors ("&n") are not supported|sed 's/^  name: bad$/  name: \&n bad/' "$T/bad.yaml" > "$M"
m-alias|2|YAML aliases ("*s") are not supported|sed 's/^  - name: sat$/  - name: \&s sat/; s/^    instruments: \[mag\]$/    instruments: [*s]/' "$T/bad.yaml" > "$M"
m-billion-laughs|2|YAML anchors ("&a") are not supported|{ printf 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'; for l in b c d e f g h i; do p=$(printf '%s' abcdefgh | sed "s/$l.*//; s/.*\(.\)$/\1/"); printf '%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $l $l $p $p $p $p $p $p $p $p $p; done; } > "$M"
m-tag|2|YAML tags are not supported|sed 's/^  name: bad$/  name: !!str bad/' "$T/bad.yaml" > "$M"
m-two-documents|2|exactly one YAML document|{ cat "$T/bad.yaml"; printf -- '---\na: 1\n'; } > "$M"
m-not-utf8|2|invalid YAML: invalid leading UTF-8 octet|sed 's/^  name: bad$/  name: "b\xffd"/' "$T/bad.yaml" > "$M"
m-nul|2|m.yaml:2:12: invalid YAML: control characters are not allowed (byte 0x00)|{ head -c 20 "$T/bad.yaml"; printf '\0'; tail -c +21 "$T/bad.yaml"; } > "$M"
m-empty|2|the file is empty|: > "$M"
m-only-comments|2|the file is empty|printf '# nothing here\n' > "$M"
m-binary|2|m.yaml:1:1: invalid YAML|cp /bin/true "$M"
m-random-bytes|2|m.yaml:|head -c 4096 /dev/urandom > "$M"
m-deep|2|nesting deeper than 32 levels|{ cat "$T/bad.yaml"; printf 'x: '; for i in $(seq 1 40); do printf '['; done; for i in $(seq 1 40); do printf ']'; done; echo; } > "$M"
m-too-big|2|is too large|{ cat "$T/bad.yaml"; printf '# '; head -c 17000000 /dev/zero | tr '\0' x; echo; } > "$M"
m-scalar-top|2|expected a mapping at the top level|printf 'just a string\n' > "$M"
m-crlf|0|-|sed 's/$/\r/' "$T/bad.yaml" > "$M"
m-bom|0|-|{ printf '\357\273\277'; cat "$T/bad.yaml"; } > "$M"
# -- keys and values
m-duplicate-key|2|duplicate key "name" in mission (first given at line 2)|sed 's/^  name: bad$/  name: bad\n  name: other/' "$T/bad.yaml" > "$M"
m-unknown-key|2|unknown key "sttle" in run|sed 's/^  settle: 2s$/  sttle: 2s/' "$T/bad.yaml" > "$M"
m-huge-number|2|run.batch_size: expected an integer >= 1, got "99999999999999999999999999"|sed 's/^  settle: 2s$/  batch_size: 99999999999999999999999999/' "$T/bad.yaml" > "$M"
m-negative-number|2|run.batch_size|sed 's/^  settle: 2s$/  batch_size: -5/' "$T/bad.yaml" > "$M"
m-fraction-for-integer|2|run.batch_size|sed 's/^  settle: 2s$/  batch_size: 1.5/' "$T/bad.yaml" > "$M"
m-number-nan|2|products[0].level|sed 's/^    level: 0$/    level: .nan/' "$T/bad.yaml" > "$M"
m-settle-negative|2|run.settle|sed 's/^  settle: 2s$/  settle: -1s/' "$T/bad.yaml" > "$M"
m-settle-too-long|2|run.settle: expected a duration (seconds, or a number with suffix s, m or h) from 0 to 86400 seconds, got "25h"|sed 's/^  settle: 2s$/  settle: 25h/' "$T/bad.yaml" > "$M"
m-list-for-string|2|mission.name: expected a name, got a list|sed 's/^  name: bad$/  name: [a, b]/' "$T/bad.yaml" > "$M"
m-string-for-list|2|satellites: expected a list|sed 's/^satellites:$/satellites: sat/; /^  - name: sat$/d; /^    instruments: \[mag\]$/d' "$T/bad.yaml" > "$M"
m-mapping-for-mission|2|mission: expected a mapping, got a list|{ printf 'mission: [a, b]\n'; sed '/^mission:/,/^  errordir/d' "$T/bad.yaml"; } > "$M"
m-control-in-name|2|m.yaml:11:11: products[0].name: names must not contain control characters|sed 's/^  - name: mag$/  - name: "ma\\u0001g"/' "$T/bad.yaml" > "$M"
m-name-too-long|2|mission.name|sed 's/^  name: bad$/  name: abcdefghijklmnopqrstuvwxyz/' "$T/bad.yaml" > "$M"
m-boolean-digit|2|products[2].inspector.active|sed 's|^      timeout: 1s$|      timeout: 1s\n      active: 1|' "$T/bad.yaml" > "$M"
m-timeout-zero|2|products[2].inspector.timeout|sed 's|^      timeout: 1s$|      timeout: 0s|' "$T/bad.yaml" > "$M"
# -- the mission's meaning
m-same-format|2|products "mag" and "note" both claim files such as "bi_mag_20010203_v1.2.3.dat"|sed 's/^    format: "bi_note_{Y}{m}{d}_{????}_v{VERSION}.txt"$/    format: "bi_mag_{Y}{m}{d}_v{VERSION}.dat"/' "$T/bad.yaml" > "$M"
m-overlapping-formats|2|products "mag" and "note" both claim files such as "bi_mag_20010203_v1.2.3.dat"|sed 's/^    format: "bi_note_{Y}{m}{d}_{????}_v{VERSION}.txt"$/    format: "bi_mag_{DATE}_v{VERSION}.d{??}"/' "$T/bad.yaml" > "$M"
m-format-no-version|0|-|sed 's/^    format: "bi_mag_{Y}{m}{d}_v{VERSION}.dat"$/    format: "bi_mag_{Y}{m}{d}.dat"/' "$T/bad.yaml" > "$M"
m-code-version-zero|2|expected a version I.Q.R with I >= 1, got "0.0.0"|with_code ok.sh | sed 's/^        version: 1.0.0$/        version: 0.0.0/' > "$M"
m-code-date-year-0|2|start_date|with_code ok.sh | sed 's/^        start_date: 2020-01-01$/        start_date: 0000-01-01/' > "$M"
m-code-ok|0|-|with_code ok.sh > "$M"
TABLE

# programs that are not there: config check's errors, naming the file and
# the process or product; apply warns (below), apply --strict refuses
case_begin "m-inspector-missing"
sed "s|$FIX/inspectors/bad.sh|$T/nowhere/inspector.sh|" "$T/bad.yaml" > "$M"
run cascade config check "$M"
equals "m-inspector-missing: config check exits 2" "$rc" 2
contains "m-inspector-missing: an ERROR naming the product and the file" "$err" "ERROR: $M:"
contains "m-inspector-missing: naming the product and the file" "$err" "product \"ext\": inspector: \"$T/nowhere/inspector.sh\" does not exist"
run cascade config check --no-programs "$M"
equals "m-inspector-missing: config check --no-programs: exit 0, nothing said" "$rc:$err" "0:"
# config check: the same programs are errors; apply --strict refuses them
for c in missing.sh noexec.sh adir; do
	case_begin "m-strict-$c"
	with_code "$c" > "$M"
	run cascade config check "$M"
	equals "m-strict-$c: config check exits 2" "$rc" 2
	contains "m-strict-$c: an ERROR with file:line:column" "$err" "ERROR: $M:"
	contains "m-strict-$c: naming the process, the code and the file" "$err" "process \"make_out\": code 1.0.0: \"$T/codes/bin/$c\""
	case $c in
	missing.sh) contains "m-strict-$c: and what is wrong" "$err" "\" does not exist" ;;
	noexec.sh) contains "m-strict-$c: and what is wrong" "$err" "\" is not executable" ;;
	adir) contains "m-strict-$c: and what is wrong" "$err" "\" is not a regular file" ;;
	esac
	run cascade config check --no-programs "$M"
	equals "m-strict-$c: config check --no-programs does not look: exit 0, nothing said" "$rc:$err" "0:"
	run cascade config apply --strict "$M"
	equals "m-strict-$c: config apply --strict refuses it" "$rc" 2
	cascade config export > "$T/after.yaml" 2>/dev/null
	cmp -s "$T/before.yaml" "$T/after.yaml" && pass "m-strict-$c: the database is unchanged" || fail "m-strict-$c: the database is unchanged"
done
with_code missing.sh > "$M"
run cascade config apply --dry-run "$M"
equals "config apply: a missing code is a warning" "$rc" 0
contains "the warning names the code and what is wrong" "$err" "WARNING: $M:"
contains "and the code" "$err" "process \"make_out\": code 1.0.0: \"$T/codes/bin/missing.sh\" does not exist"
contains "and says what --strict does" "$err" "HINT: Install them before the next run, or apply where they are installed with --strict"
with_code ok.sh > "$M"
run cascade config check "$M"
equals "every program in place: exit 0, no warning" "$rc:$err" "0:"

# a mission file that is not a file
case_begin "m-directory"
run cascade config check "$T/codes"
equals "m-directory: exit 2" "$rc" 2
contains "m-directory: says why" "$err" "$T/codes"
case_begin "m-missing-file"
run cascade config check "$T/no-such.yaml"
equals "m-missing-file: exit 2" "$rc" 2
contains "m-missing-file: says why" "$err" "could not open configuration file \"$T/no-such.yaml\": No such file or directory"

# after all that, the mission applied at the start works as before
companion after-bad-missions
run cascade ingest
equals "the mission still ingests" "$rc" 0
facts - -
check_companion after-bad-missions
catalogue_end
