# lib-plan.sh - helpers for the planning tests (058-plan-*.sh), bash.
# Source it after lib.sh and t_begin.
#
#   plan_setup         write $T/plan.yaml: a mission rooted at $T/data
#                      (codes: tests/fixtures/pcodes copied to $T/codes)
#                      with the products and processes read from stdin,
#                      then init and apply it; sets IN and ARC
#   span NAME DATE VERSION START STOP
#                      deliver a file that the "span" inspector
#                      (tests/fixtures/inspectors/span.sh) reads as of DATE
#                      and VERSION, running from START to STOP
#   ver PRODUCT DATE   the newest version of that product's file of DATE
#   outputs PRODUCT    "DATE:VERSION ..." of every file of PRODUCT, by date
#   parents NAME       the names of the files NAME was made from, sorted

plan_setup() {
	mkdir -p "$T/codes" "$T/data/incoming"
	cp "$FIX"/pcodes/*.sh "$T/codes/"
	{
		cat <<EOF
mission:
  name: plan
  rootdir: $T/data
  codedir: $T/codes
satellites:
  - name: sat
    instruments: [ins]
EOF
		sed "s|@FIX@|$FIX|g; s|@T@|$T|g"
	} > "$T/plan.yaml"
	"$CASCADE" init -m "$DB" >/dev/null &&
		"$CASCADE" config apply "$T/plan.yaml" -m "$DB" >/dev/null ||
		{ echo "not ok - plan setup failed"; exit 1; }
	IN=$T/data/incoming
	ARC=$T/data
}

span() {
	printf 'SPAN %s %s %s %s\n' "$2" "$3" "$4" "$5" > "$IN/.$1.part" &&
		mv "$IN/.$1.part" "$IN/$1"
}

ver() {
	sql "SELECT f.interface_version || '.' || f.quality_version || '.' || f.revision_version
	       FROM newest_file f JOIN product p USING (product_id)
	      WHERE p.product_name = '$1' AND f.utc_file_date = '$2'"
}

outputs() {
	sql "SELECT coalesce(string_agg(to_char(f.utc_file_date, 'MM-DD') || ':' ||
	            f.interface_version || '.' || f.quality_version || '.' || f.revision_version,
	            ' ' ORDER BY f.utc_file_date, f.interface_version, f.quality_version,
	            f.revision_version), '')
	       FROM file f JOIN product p USING (product_id) WHERE p.product_name = '$1'"
}

parents() {
	sql "SELECT coalesce(string_agg(s.filename, ' ' ORDER BY s.filename), '')
	       FROM file r JOIN filefilelink l ON l.resulting_file = r.file_id
	       JOIN file s ON s.file_id = l.source_file WHERE r.filename = '$1'"
}
