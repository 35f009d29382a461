#!/bin/bash
# 106-dbp-ingest: a mission imported from the fixture's INI ("config
# import") identifies its files with dbprocessing's own inspector modules,
# run unchanged by cascade-dbp-inspector in batch mode, with no hand edit:
# the deliveries ingested through "cascade ingest" give every file row
# dbprocessing made of them (product, date, version, start, stop, process
# keywords, as in the fixture's SQLite database), the file with a broken
# header is refused as dbprocessing refused it, and each ingest starts one
# adapter process per inspector, not one per file.
. "$(dirname "$0")/lib.sh"
t_begin 106_dbp_ingest
. "$(dirname "$0")/lib-adopt.sh"

mkdir -p "$RUN"
tar -C "$RUN" --strip-components=2 -xzf "$DFIX/fixt-tree.tar.gz"
rm -rf "$RUN/fxi" "$RUN/errors" "$RUN/pub" "$RUN/incoming"
mkdir -p "$RUN/incoming"
gunzip -c "$DFIX/fixt.sqlite.gz" > "$T/fixt.sqlite"
sed "s|/tmp/dbp-fixt-run|$RUN|" "$DFIX/mission.conf" > "$T/mission.conf"

expect_rc 0 "config import" "$CASCADE" config import "$T/mission.conf" -o "$T/m.yaml"
expect_rc 0 "init" cascade init
expect_rc 0 "config apply, as imported" cascade config apply "$T/m.yaml"
equals "every inspector is a module" \
	"$(sql "SELECT string_agg(p.product_name || '=' || i.kind || ':' || i.relative_path || '/' || i.filename, ' ' ORDER BY p.product_name) FROM inspector i JOIN product p ON p.product_id = i.product")" \
	"fxi_L1=module:inspectors/fxi_derived.py fxi_L2=module:inspectors/fxi_derived.py fxi_hk_L0=module:inspectors/fxi_hk.py fxi_sci_L0=module:inspectors/fxi_sci.py"
modules=$(sql "SELECT count(*) FROM inspector WHERE kind = 'module' AND active_code")

for n in 1 2 4; do
	sh "$DFIX/deliver.sh" "$n" "$RUN/incoming"
	files=$(ls "$RUN/incoming" | wc -l)
	run cascade ingest -vv
	# delivery 1 has the broken sci file (delivery 2 repeats a file already
	# archived, same name and bytes: a left-over, removed)
	equals "delivery $n: exit status" "$rc" "$([ "$n" = 1 ] && echo 1 || echo 0)"
	equals "delivery $n: $files files, one adapter process per inspector" \
		"$(grep -c 'started process [0-9]*: ".*/cascade-dbp-inspector"' "$T/err")" "$modules"
done

# the rows: as dbprocessing made them of these deliveries
export PGTZ=UTC
sql "SELECT concat_ws(E'\t', f.filename, p.product_name, f.utc_file_date,
	to_char(f.utc_start_time, 'YYYY-MM-DD HH24:MI:SS.US'),
	to_char(f.utc_stop_time, 'YYYY-MM-DD HH24:MI:SS.US'),
	f.interface_version || '.' || f.quality_version || '.' || f.revision_version,
	coalesce(f.process_keywords, ''))
	FROM file f JOIN product p USING (product_id) ORDER BY f.filename" > "$T/got"
python3 - "$T/fixt.sqlite" > "$T/want" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for r in db.execute(
        "SELECT f.filename, p.product_name, f.utc_file_date, f.utc_start_time, f.utc_stop_time,"
        " f.interface_version || '.' || f.quality_version || '.' || f.revision_version,"
        " coalesce(f.process_keywords, '') FROM file f JOIN product p USING (product_id)"
        " WHERE p.product_name IN ('fxi_hk_L0', 'fxi_sci_L0') ORDER BY f.filename"):
    print('\t'.join(str(x) for x in r))
PY
equals "as many file rows as dbprocessing made ($(wc -l < "$T/want"))" "$(wc -l < "$T/got")" "$(wc -l < "$T/want")"
while IFS= read -r line; do
	if grep -qxF -- "$line" "$T/got"; then pass "as dbprocessing: ${line%%	*}"
	else fail "as dbprocessing: ${line%%	*}" "want: $line" "got:  $(grep -F -- "${line%%	*}" "$T/got")"; fi
done < "$T/want"
equals "the broken sci file is refused: no product claims it" \
	"$(sql "SELECT kind FROM failure WHERE filename = 'fixt_sci_20250311_0500_v1.0.0.dat'")" "no-product"
if [ -e "$RUN/errors/fixt_sci_20250311_0500_v1.0.0.dat" ]; then pass "and moved to the error directory"
else fail "and moved to the error directory"; fi

t_end
