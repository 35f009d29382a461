# 075-dbprocessing-scripts: docs/from-dbprocessing.md names every script
# of dbprocessing (section 3 of ../shared/dbprocessing-reference.md, and
# the list kept below for clones without ../shared), every "cascade ..."
# command it cites exists with the options it cites, every script it
# cites exists with its options, and its SQL runs on a current schema.
# The checks are also run on a deliberately wrong document, to show that
# they can fail.
. "$(dirname "$0")/lib.sh"
t_begin scripts

DOC=$SRC/docs/from-dbprocessing.md
REF=${DBPROCESSING_REFERENCE:-$SRC/../shared/dbprocessing-reference.md}

# Section 3 of the reference: scripts/, the GUI, reports.py, module.py ...
SCRIPTS="CreateDB.py addFromConfig.py ProcessQueue.py DBRunner.py
clearProcessingFlag.py flushProcessQueue.py printProcessQueue.py
printInfo.py printRequired.py reprocessByProduct.py reprocessByDate.py
reprocessByInstrument.py reprocessByCode.py missingFilesByProduct.py
missingFiles.py purgeFileFromDB.py deleteAllDBFiles.py dbOnlyFiles.py
linkUningested.py fast_data.py changeProductDir.py addProductProcessLink.py
configFromDB.py compareDB.py MigrateDB.py updateUnixTime.py updateSHAsum.py
possibleProblemDates.py scrubber.py testInspector.py replaceArgsWithRootdir.py
makeLatestSymlinks.py coveragePlot.py htmlCoverage.py histogramCodes.py
dbProcessingGUI.py reports.py module.py"
# ... and examples/scripts/
EXAMPLES="CreateDBsabrs addVerboseProvenance dataToIncoming hopeCoverageHTML
hope_query link_missing_ql_mag_l2_mag magephem-pre-CoverageHTML
newestVersionProblemFinder updateCode updateProducts weeklyReport
writeDBhtml writeProcessConf writeProductsConf"

# in_list WORD LIST: is WORD one of the words of LIST?
in_list() {
	local w
	for w in $2; do [ "$w" = "$1" ] && return 0; done
	return 1
}

# check_names DOC NAME...: each NAME appears in DOC as a whole word
check_names() {
	local doc=$1 n re
	shift
	for n in "$@"; do
		re=$(printf '%s' "$n" | sed 's/[.]/[.]/g')
		if grep -qE "(^|[^A-Za-z0-9_])$re([^A-Za-z0-9_]|$)" "$doc"; then
			pass "$n is in $(basename "$doc")"
		else
			fail "$n is in $(basename "$doc")" "no mention of $n"
		fi
	done
}

# prose DOC: DOC without its fenced code blocks, on one line, so that
# inline code spans can be taken out even where they wrap
prose() {
	awk '/^[[:space:]]*```/ { inblock = !inblock; next } !inblock' "$1" | tr '\n' ' '
}

# cited DOC: the command lines DOC cites, one per line: the inline code
# spans that start with "cascade ", "ProcessQueue" or "scripts/...sh", and
# the lines of its ```sh blocks that start with "cascade" (after "$ ")
cited() {
	prose "$1" | grep -oE '`[^`]*`' | sed 's/^`//; s/`$//' |
		grep -E '^(cascade |ProcessQueue( |$)|scripts/[^ ]*\.sh)'
	awk '/^[[:space:]]*```sh/ { b = 1; next } /^[[:space:]]*```/ { b = 0; next }
	     b { sub(/^[[:space:]]*(\$[[:space:]]+)?/, ""); if ($0 ~ /^cascade /) print }' "$1"
}

# help_of WORD...: "$CASCADE WORD... --help" into $help and its command
# name (from its first line "cascade NAME: ...") into $hname; status 1 if
# it fails
help_of() {
	help=$("$CASCADE" "$@" --help 2>&1) || return 1
	hname=$(printf '%s\n' "$help" | sed -n '1s/^\(cascade [a-z][a-z -]*\): .*/\1/p')
	[ -n "$hname" ]
}

# has_opt HELP OPT: does the help text list OPT (--long, or -x as "-x,")?
has_opt() {
	case $2 in
	--*) printf '%s\n' "$1" | grep -qE -- "(^|[[:space:],])$2([=[:space:]]|\$)" ;;
	*) printf '%s\n' "$1" | grep -qE -- "(^|[[:space:]])$2,"
	esac
}

# check_commands DOC: each cited command exists, with each option cited
check_commands() {
	local line cmd w opt opts bad i
	local -a t words
	while IFS= read -r line; do
		cmd=$(printf '%s' "$line" | sed 's/[|;>&].*//; s/[[:space:]]*$//')
		read -ra t <<<"$cmd"
		bad=
		case ${t[0]} in
		scripts/*)
			if [ ! -x "$SRC/${t[0]}" ]; then
				fail "\`$cmd\`: ${t[0]} exists" "no executable $SRC/${t[0]}"
				continue
			fi
			for ((i = 1; i < ${#t[@]}; i++)); do
				case ${t[i]} in -[a-zA-Z]|--[a-z]*)
					grep -qF -- "${t[i]}" "$SRC/${t[0]}" || bad="$bad ${t[i]}"
				esac
			done
			if [ -z "$bad" ]; then
				pass "\`$cmd\`: the script and its options exist"
			else
				fail "\`$cmd\`: the script and its options exist" "${t[0]} does not know:$bad"
			fi
			continue ;;
		ProcessQueue) words=(process-queue); i=1 ;;
		cascade)
			words=("${t[1]:-}")
			i=2
			# a second word that may be a subcommand ("config apply")
			if [[ ${t[2]:-} =~ ^[a-z][a-z-]*$ ]]; then
				words+=("${t[2]}")
				i=3
			fi ;;
		esac
		if ! help_of "${words[@]}"; then
			fail "\`$cmd\`: \"cascade ${words[*]} --help\" works" "$help"
			continue
		fi
		for ((; i < ${#t[@]}; i++)); do
			w=${t[i]}
			opts=
			if [[ $w =~ ^--[a-z][a-z0-9-]*(=.*)?$ ]]; then
				opts=${w%%=*}
			elif [[ $w =~ ^-[a-zA-Z]+$ ]]; then
				opts=$(printf '%s' "${w#-}" | sed 's/./-& /g')
			fi
			for opt in $opts; do
				has_opt "$help" "$opt" || bad="$bad $opt"
			done
		done
		if [ -z "$bad" ]; then
			pass "\`$cmd\`: $hname and its options exist"
		else
			fail "\`$cmd\`: $hname and its options exist" "not in \"$hname --help\":$bad"
		fi
	done < <(cited "$1" | sort -u)
}

# check_sql DOC: each ```sql block of DOC runs (in a transaction that is
# rolled back) on this test's database
check_sql() {
	local n=0 f
	rm -f "$T"/sql.*
	awk -v out="$T/sql." '/^[[:space:]]*```sql/ { n++; b = 1; next }
		/^[[:space:]]*```/ { b = 0; next } b { print > (out n) }' "$1"
	for f in "$T"/sql.*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if res=$({ echo 'BEGIN;'; cat "$f"; echo 'ROLLBACK;'; } |
			psql -X -q -v ON_ERROR_STOP=1 2>&1 >/dev/null); then
			pass "SQL block ${f##*.} of $(basename "$1") runs"
		else
			fail "SQL block ${f##*.} of $(basename "$1") runs" "$res" "$(cat "$f")"
		fi
	done
	nsql=$n
}

# --- the document ----------------------------------------------------------

if [ ! -f "$DOC" ]; then
	fail "docs/from-dbprocessing.md exists"
	t_end
	exit
fi
pass "docs/from-dbprocessing.md exists"

# the reference, when there is one, must list nothing the lists above lack
if [ -f "$REF" ]; then
	ref_scripts=$(awk '/^## 3\./ { f = 1; next } /^## / { f = 0 } f' "$REF" |
		grep -oE '[A-Za-z_][A-Za-z0-9_]*\.py([^A-Za-z0-9_]|$)' |
		grep -oE '^[A-Za-z_][A-Za-z0-9_]*\.py' | sort -u)
	ref_examples=$(awk '/^## 3\./ { f = 1; next } /^## / { f = 0 } f' "$REF" |
		awk '/^`examples\/scripts\/`/ { f = 1 } f && /^$/ { exit } f' | tr '\n' ' ' |
		sed 's/([^)]*)//g; s/.*contains://; s/[.][[:space:]]*$//' | tr ',' '\n' |
		sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -v '^$')
	nref=$(printf '%s\n' "$ref_scripts" | grep -c .)
	nex=$(printf '%s\n' "$ref_examples" | grep -c .)
	[ "$nref" -ge 35 ] && pass "the reference lists $nref scripts" ||
		fail "the reference lists the scripts" "found $nref in section 3 of $REF"
	[ "$nex" -ge 10 ] && pass "the reference lists $nex examples/scripts" ||
		fail "the reference lists the examples/scripts" "found $nex in section 3 of $REF"
	for n in $ref_scripts; do
		in_list "$n" "$SCRIPTS" || fail "$n of the reference is in this test's list" "add it to SCRIPTS"
	done
	for n in $ref_examples; do
		in_list "$n" "$EXAMPLES" || fail "$n of the reference is in this test's list" "add it to EXAMPLES"
	done
	ref_scripts=$(echo $ref_scripts)
	ref_examples=$(echo $ref_examples)
else
	echo "# $REF not found: checking the list kept in this test only"
	ref_scripts=
	ref_examples=
fi
names=$(printf '%s\n' $SCRIPTS $EXAMPLES $ref_scripts $ref_examples | sort -u)
check_names "$DOC" $names

# the commands and scripts it cites
ncited=$(cited "$DOC" | sort -u | grep -c .)
[ "$ncited" -ge 60 ] && pass "the document cites $ncited command lines" ||
	fail "the document cites command lines" "found only $ncited"
for c in init "config check" "config apply" "config export" process-queue \
	ingest inspect process run-process reprocess "flag clear" "queue list" \
	"queue flush" check purge prune move-product report stats graph; do
	cited "$DOC" | grep -qE "^cascade $c( |\$)" &&
		pass "the document cites cascade $c" ||
		fail "the document cites cascade $c"
done
check_commands "$DOC"

# its SQL
"$CASCADE" init -m "$DB" >/dev/null &&
	demo_config "$T" > "$T/small.yaml" &&
	"$CASCADE" config apply "$T/small.yaml" -m "$DB" >/dev/null ||
	{ echo "not ok - schema and mission setup failed"; exit 1; }
check_sql "$DOC"
[ "$nsql" -ge 6 ] && pass "the document has $nsql SQL blocks" ||
	fail "the document has SQL blocks" "found $nsql"

# --- the checks fail on a wrong document -----------------------------------

cat > "$T/wrong.md" <<'EOF'
Rebuild with `cascade reprocess --product P --bogus-option 1`, check
with `cascade confg FILE`, apply with `cascade config bogus FILE`, list
with `cascade queue list -Z`, run `ProcessQueue --nosuch`, clear with
`scripts/cascade-nosuch.sh clear`, count with `scripts/cascade-queue.sh
--bogus`, and flush with `cascade queue flush -n` (which is right).

```sql
SELECT no_such_column FROM newest_file_view;
```
EOF
wrong=$(_n=0 _bad=0
	check_names "$T/wrong.md" reprocessByProduct.py
	check_commands "$T/wrong.md"
	check_sql "$T/wrong.md")
equals "a wrong document fails 9 checks and passes 1" \
	"$(printf '%s\n' "$wrong" | grep -c '^not ok') $(printf '%s\n' "$wrong" | grep -c '^ok')" "9 1"
for what in "no mention of reprocessByProduct.py" "--bogus-option" \
	'`cascade confg FILE`' '`cascade config bogus FILE`' " -Z" \
	"--nosuch" "no executable" "cascade-queue.sh does not know: --bogus" \
	"no_such_column"; do
	contains "a wrong document is caught: $what" "$wrong" "$what"
done
t_end
