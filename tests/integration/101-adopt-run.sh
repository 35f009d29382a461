#!/bin/bash
# 101-adopt-run: after "cascade adopt", ProcessQueue goes on where
# dbprocessing stopped: with nothing new it runs nothing (the outputs are
# recognised from their links and codes) and works the queue entry
# dbprocessing left; "check" finds only the output dbprocessing left made
# by a superseded code, and is clean once that is rebuilt; a new delivery
# is processed as dbprocessing would (names, versions, parents, codes,
# the RUN job); a run after it runs nothing.  The mission's directories
# are dbprocessing's relative ones ("incoming", codedir '').
. "$(dirname "$0")/lib.sh"
t_begin 101_adopt_run
. "$(dirname "$0")/lib-adopt.sh"

dbp_load
expect_rc 0 "adopt" cascade adopt --verify

expect_rc 0 "process-queue with nothing new" cascade process-queue
equals "it ran no build" "$(sql "SELECT count(*) FROM build")" 0
equals "it made no file" "$(sql "SELECT count(*) FROM file")" 29
equals "the queue entry dbprocessing left was worked" "$(sql "SELECT count(*) FROM processqueue")" 0
equals "the run is recorded" "$(sql "SELECT status FROM logging ORDER BY logging_id DESC LIMIT 1")" ok

run "$CASCADE" check -m "$DB"
equals "check: one finding" "$rc" 1
contains "check: L1 03-09 was left by dbprocessing made with the superseded code" "$out" \
	"stale: fixt_l1_20250309_v1.0.0.txt: made with code fxi_merge.py 1.0.0, which is superseded by fxi_merge.py 1.1.0"
contains "check: nothing else" "$out" "check: 1 problem found (stale 1); 29 files, 29 archive files"

run "$CASCADE" check --repair -m "$DB"
contains "check --repair queues its inputs" "$out" "1 repaired, 0 left"
expect_rc 0 "process-queue rebuilds it" cascade process-queue
equals "L1 03-09 1.1.0 by fxi_merge.py 1.1.0 (a quality bump for the code's quality change)" \
	"$(sql "SELECT f.filename || ' ' || c.filename || ' ' || c.interface_version || '.' || c.quality_version || '.' || c.revision_version FROM file f JOIN filecodelink l ON l.resulting_file = f.file_id JOIN code c ON c.code_id = l.source_code WHERE f.file_id > 29")" \
	"fixt_l1_20250309_v1.1.0.txt fxi_merge.py 1.1.0"
equals "no L2 for 03-09 (fxi_ql.sh is valid from 03-10)" \
	"$(sql "SELECT count(*) FROM file WHERE filename LIKE 'fixt_ql_20250309%'")" 0
expect_rc 0 "check is clean" cascade check
contains "check says so" "$out" "check: no problems found; 30 files, 30 archive files"

# a new delivery: hk and a pass on 03-14
sed 's/2025-03-13/2025-03-14/g' "$RUN/fxi/L0/hk/2025/fixt_hk_20250313_v1.0.0.txt" > "$RUN/incoming/.hk"
mv "$RUN/incoming/.hk" "$RUN/incoming/fixt_hk_20250314_v1.0.0.txt"
printf 'FXI-SCI pass=P0104 station=KRN start=2025-03-14T09:00:00 stop=2025-03-14T09:40:00\n2025-03-14T09:00:00 counts=101\n2025-03-14T09:20:00 counts=102\n' > "$RUN/incoming/.sci"
mv "$RUN/incoming/.sci" "$RUN/incoming/fixt_sci_20250314_0900_v1.0.0.dat"
n_builds=$(sql "SELECT count(*) FROM build")
expect_rc 0 "process-queue with the delivery" cascade process-queue
equals "both ingested from dbprocessing's relative incoming directory" \
	"$(sql "SELECT string_agg(filename, ' ' ORDER BY filename) FROM file WHERE filename LIKE '%20250314%' AND data_level = 0")" \
	"fixt_hk_20250314_v1.0.0.txt fixt_sci_20250314_0900_v1.0.0.dat"
equals "L1 03-14 1.0.0 from hk 03-13 (yesterday), hk 03-14 and the pass" \
	"$(sql "SELECT string_agg(s.filename, ' ' ORDER BY s.filename) FROM filefilelink l JOIN file s ON s.file_id = l.source_file JOIN file r ON r.file_id = l.resulting_file WHERE r.filename = 'fixt_l1_20250314_v1.0.0.txt'")" \
	"fixt_hk_20250313_v1.0.0.txt fixt_hk_20250314_v1.0.0.txt fixt_sci_20250314_0900_v1.0.0.dat"
equals "L2 03-14 1.0.0 from it" \
	"$(sql "SELECT s.filename FROM filefilelink l JOIN file s ON s.file_id = l.source_file JOIN file r ON r.file_id = l.resulting_file WHERE r.filename = 'fixt_ql_20250314_v1.0.0.csv'")" \
	"fixt_l1_20250314_v1.0.0.txt"
equals "each made by the newest code" \
	"$(sql "SELECT string_agg(f.filename || '=' || c.filename || ':' || c.interface_version || '.' || c.quality_version || '.' || c.revision_version, ' ' ORDER BY f.filename) FROM file f JOIN filecodelink l ON l.resulting_file = f.file_id JOIN code c ON c.code_id = l.source_code WHERE f.filename LIKE '%20250314%'")" \
	"fixt_l1_20250314_v1.0.0.txt=fxi_merge.py:1.1.0 fixt_ql_20250314_v1.0.0.csv=fxi_ql.sh:1.0.0"
if [ -f "$RUN/fxi/L1/fixt_l1_20250314_v1.0.0.txt" ] && [ -f "$RUN/fxi/L2/fixt_ql_20250314_v1.0.0.csv" ]; then
	pass "the outputs are in dbprocessing's archive directories"
else
	fail "the outputs are in dbprocessing's archive directories" "$(find "$RUN/fxi" -name '*20250314*')"
fi
equals "the L1 is what fxi_merge.py 1.1.0 writes from those inputs" \
	"$(head -3 "$RUN/fxi/L1/fixt_l1_20250314_v1.0.0.txt" | cut -d' ' -f1-3)" \
	"#FXI-L1 day=2025-03-14 code=1.1.0
hk fixt_hk_20250313_v1.0.0.txt records=6
hk fixt_hk_20250314_v1.0.0.txt records=6"
if [ -f "$RUN/pub/fixt_ql_20250314_v1.0.0.csv.cksum" ]; then pass "the RUN job published the L2"
else fail "the RUN job published the L2" "$(ls "$RUN/pub")"; fi
equals "three builds, all succeeded" \
	"$(sql "SELECT string_agg(status, ' ') FROM build WHERE build_id > $n_builds")" \
	"succeeded succeeded succeeded"

n_builds=$(sql "SELECT count(*) FROM build")
expect_rc 0 "process-queue again" cascade process-queue
equals "it ran nothing" "$(sql "SELECT count(*) FROM build")" "$n_builds"

t_end
