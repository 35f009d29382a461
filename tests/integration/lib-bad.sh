# lib-bad.sh - the bad-input catalogue (08x-bad-*.sh): its mission and
# its case runner.  Source it after lib.sh and t_begin.
#
#   bad_setup          init, apply the catalogue's mission ($T/bad.yaml:
#                      template products "mag" (bi_mag_YYYYMMDD_vI.Q.R.dat,
#                      in mag/YYYY) and "note" (bi_note_YYYYMMDD_XXXX_vI.Q.R.txt,
#                      four free bytes, in note), and "ext", identified by
#                      the misbehaving inspector tests/fixtures/inspectors/bad.sh
#                      (1 s timeout; in ext/YYYY)); sets IN, ARC, ERR
#   companion ID       deliver a good file of mag with a date of its own,
#                      named $COMP; check_companion ID $COMP checks that it
#                      was archived with its row
#   bad_case ID NAME SHOWN HOW RC FATE KIND REASON [LOG]
#                      one case, run alone with a companion file:
#       NAME    the entry's name, in printf %b form ("bad\377.dat")
#       SHOWN   the name as cascade shows it (failure rows, logs), or "="
#               when that is NAME itself
#       HOW     shell text that makes the entry at "$E" (eval'd)
#       RC      the exit status of "cascade ingest"
#       FATE    archived:PATH (below the archive root) | incoming |
#               error (ERRORDIR/NAME) | error:NAME2 (printf %b form)
#       KIND    the kind of the one failure row of the run, or "-" for
#               none at all
#       REASON  a part of that row's reason ("-": not checked)
#       LOG     a part of the run's stderr ("-" or absent: not checked)
#     and asserts: the exit status; that the companion was archived with
#     its row; the entry's fate; the failure rows of the run (that one, or
#     none); that every line on stderr is one whole log entry.  Then the
#     entry is removed from incoming (and $CLEAN, if the case set it).
#   bad_table          bad_case for each line "ID|NAME|SHOWN|HOW|RC|FATE|KIND|REASON[|LOG]"
#                      of standard input (blank lines and #-comments skipped)
#   sqlq TEXT          TEXT as an SQL string literal
#   last_run           the logging_id of the newest ingest run
#   catalogue_end      print the number of catalogue cases, then t_end
#
# CASES counts the catalogue's cases: bad_case adds one; a case written
# out by hand calls case_begin ID.

CASES=0
_companion=0

sqlq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

last_run() { sql "SELECT coalesce(max(logging_id), 0) FROM logging WHERE command = 'ingest'"; }

case_begin() { CASES=$((CASES + 1)); echo "# case $CASES: $1"; }

catalogue_end() {
	echo "# $T_NAME: $CASES catalogue cases"
	t_end
}

bad_setup() {
	cat > "$T/bad.yaml" <<YAML
mission:
  name: bad
  rootdir: $T/data
  incoming_dir: incoming
  codedir: $T/codes
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
  - name: note
    instrument: mag
    level: 0
    format: "bi_note_{Y}{m}{d}_{????}_v{VERSION}.txt"
    relative_path: "note"
  - name: ext
    instrument: mag
    level: 0
    format: "ext_{Y}{m}{d}_v{VERSION}.bin"
    relative_path: "ext/{Y}"
    inspector:
      executable: $FIX/inspectors/bad.sh
      timeout: 1s
processes: []
run:
  settle: 2s
YAML
	"$CASCADE" init -m "$DB" >/dev/null &&
		"$CASCADE" config apply "$T/bad.yaml" -m "$DB" >/dev/null ||
		{ echo "not ok - bad-input setup failed"; exit 1; }
	IN=$T/data/incoming
	ARC=$T/data
	ERR=$T/data/errors
	mkdir -p "$IN" "$T/outside"
}

# companion ID: deliver a good file of mag with a date of its own; its
# name in COMP
companion() {
	local d
	_companion=$((_companion + 1))
	d=$(date -u -d "2030-01-01 + $_companion days" +%Y%m%d)
	COMP=bi_mag_${d}_v1.0.0.dat
	printf 'companion of %s\n' "$1" > "$IN/.$COMP.part"
	mv "$IN/.$COMP.part" "$IN/$COMP"
}

# facts NAME SHOWN: one query for what a case checks, after its run:
#   F_COMP    rows named $COMP (the companion)
#   F_ROWS    rows named NAME
#   F_NFAIL   failure rows of the newest ingest run
#   F_KIND, F_PATH, F_REASON   the kind, error_path and reason of its
#             failure row naming SHOWN (empty if none)
facts() {
	local q name=NULL
	# a name that is not UTF-8 cannot be in the database (nor in a query)
	if printf '%s' "$1" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
		name=$(sqlq "$1")
	fi
	q="WITH r AS (SELECT coalesce(max(logging_id), 0) AS id FROM logging WHERE command = 'ingest'),
	     f AS (SELECT kind, coalesce(error_path, '') AS error_path, reason FROM failure, r
	           WHERE logging_id = r.id AND filename = $(sqlq "$2") ORDER BY failure_id LIMIT 1)
	SELECT (SELECT count(*) FROM file WHERE filename = $(sqlq "${COMP:-}")),
	       (SELECT count(*) FROM file WHERE filename = $name),
	       (SELECT count(*) FROM failure, r WHERE logging_id = r.id),
	       coalesce((SELECT kind FROM f), ''), coalesce((SELECT error_path FROM f), ''),
	       coalesce((SELECT reason FROM f), '')"
	IFS=$'\x1f' read -r F_COMP F_ROWS F_NFAIL F_KIND F_PATH F_REASON <<EOF
$(psql -X -A -t -q -v ON_ERROR_STOP=1 -F $'\x1f' -c "$q")
EOF
}

# check_companion ID: the companion went through (after facts)
check_companion() {
	local y=${COMP#bi_mag_}
	y=${y:0:4}
	if [ -f "$ARC/mag/$y/$COMP" ] && [ ! -e "$IN/$COMP" ] && [ "$F_COMP" = 1 ]; then
		pass "$1: the other file of the run was archived"
	else
		fail "$1: the other file of the run was archived" "$(ls -A "$IN")" "stderr: $err"
	fi
}

# check_lines ID: every line on stderr is a whole log entry
check_lines() {
	local bad
	bad=$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z cascade\[[0-9]+\] ' "$T/err")
	equals "$1: every stderr line is one whole log entry" "$bad" 0
}

# check_fate ID NAME FATE (after facts)
check_fate() {
	local id=$1 name=$2 fate=$3 e=$IN/$2 where rel
	case "$fate" in
	archived:*)
		rel=$(printf '%b' "${fate#archived:}")
		if [ -f "$ARC/$rel" ] && [ ! -e "$e" ] && [ ! -L "$e" ] &&
		   [ "$F_ROWS" = 1 ]; then
			pass "$id: archived at its path with its row"
		else
			fail "$id: archived at its path with its row" "stderr: $err" "$(ls -A "$IN")"
		fi ;;
	incoming)
		if { [ -e "$e" ] || [ -L "$e" ]; } && [ "$F_ROWS" = 0 ]; then
			pass "$id: left in incoming"
		else
			fail "$id: left in incoming" "stderr: $err"
		fi ;;
	error|error:*)
		where=$name
		[ "$fate" = error ] || where=$(printf '%b' "${fate#error:}")
		if { [ -e "$ERR/$where" ] || [ -L "$ERR/$where" ]; } &&
		   [ ! -e "$e" ] && [ ! -L "$e" ] && [ "$F_ROWS" = 0 ]; then
			pass "$id: moved to the error directory"
		else
			fail "$id: moved to the error directory" "stderr: $err" "incoming: $(ls -A "$IN")" "errors: $(ls -A "$ERR" 2>/dev/null)"
		fi ;;
	*)
		fail "$id: unknown fate $fate" ;;
	esac
}

# check_failure ID SHOWN KIND REASON FATE: the run's failure rows (after facts)
check_failure() {
	local id=$1 shown=$2 kind=$3 reason=$4 fate=$5
	if [ "$kind" = - ]; then
		equals "$id: no failure row" "$F_NFAIL" 0
		return
	fi
	equals "$id: one failure row, naming it ($kind)" "$F_NFAIL:$F_KIND" "1:$kind"
	[ "$reason" = - ] || contains "$id: failure reason" "$F_REASON" "$reason"
	[ "$fate" != error ] || equals "$id: error_path names the file" "$F_PATH" "$ERR/$shown"
}

bad_case() {
	local id=$1 name shown how=$4 want=$5 fate=$6 kind=$7 reason=$8 log=${9:--}
	name=$(printf '%b' "$2")
	if [ "$3" = = ]; then shown=$name; else shown=$3; fi
	case_begin "$id"
	CLEAN=
	companion "$id"
	E=$IN/$name
	if ! eval "$how"; then
		fail "$id: could not make the entry" "$how"
		return
	fi
	run cascade ingest -v
	if [ "$rc" -eq "$want" ]; then
		pass "$id: exit status $want"
	else
		fail "$id: exit status $want" "got $rc" "stdout: $out" "stderr: $err"
	fi
	facts "$name" "$shown"
	check_companion "$id"
	check_fate "$id" "$name" "$fate"
	check_failure "$id" "$shown" "$kind" "$reason" "$fate"
	[ "$log" = - ] || contains "$id: logged" "$err" "$log"
	check_lines "$id"
	rm -rf -- "$E"
	[ -z "$CLEAN" ] || rm -rf -- $CLEAN
}

bad_table() {
	local line id name shown how want fate kind reason log
	while IFS= read -r line; do
		case "$line" in '' | '#'*) continue ;; esac
		IFS='|' read -r id name shown how want fate kind reason log <<EOF
$line
EOF
		bad_case "$id" "$name" "$shown" "$how" "$want" "$fate" "$kind" \
			"$reason" "${log:--}" </dev/null
	done
}

# mk TEXT: the usual entry: a regular file at $E holding TEXT
mk() { printf '%s\n' "${1:-data}" > "$E"; }
