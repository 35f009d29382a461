#!/bin/bash
# 102-adopt-config: "cascade config import" of the fixture's mission INI
# (dbprocessing's addFromConfig.py format): a mission file that passes
# "config check", with comments where cascade reads it otherwise; with the
# adopted database, "config apply" of the result changes nothing.
. "$(dirname "$0")/lib.sh"
t_begin 102_adopt_config
. "$(dirname "$0")/lib-adopt.sh"

dbp_load
expect_rc 0 "adopt" cascade adopt
# the INI names the tree where dbprocessing ran; this one is in $RUN
sed "s|/tmp/dbp-fixt-run|$RUN|" "$DFIX/mission.conf" > "$T/mission.conf"

expect_rc 0 "import without a database" "$CASCADE" config import "$T/mission.conf" -o "$T/ini.yaml"
contains "it says what it made" "$out" "ini.yaml: ok: mission fixt, 4 products, 3 processes, 3 codes"
expect_rc 0 "the result passes config check" "$CASCADE" config check "$T/ini.yaml"
y=$(cat "$T/ini.yaml")
contains "the inspector module is named in a comment" "$y" "# fxi_hk_L0: dbprocessing's inspector, the Python module inspectors/fxi_hk.py, is run unchanged"
contains "and run as a module" "$y" 'module: "inspectors/fxi_hk.py"'
contains "yesterday's different meaning is a comment" "$y" "# dbprocessing ran this process only for the days a queued file itself spans"
contains "{MISSION} replaced as addFromConfig does" "$y" '- name: "fixt-sat"'
contains "{INSTRUMENT} replaced in the relative path" "$y" 'relative_path: "fxi/L0/hk/{Y}"'
contains "the input tuple read" "$y" '- product: "fxi_hk_L0"
        optional: false
        yesterday: 1'

# with the adopted database: its codes (dbprocessing added 1.1.0 and
# deactivated 1.0.0 with scripts, not in the INI)
expect_rc 0 "import with the adopted database" cascade config import "$T/mission.conf" -o "$T/db.yaml"
contains "it has the database's 4 codes" "$out" "db.yaml: ok: mission fixt, 4 products, 3 processes, 4 codes"
contains "the difference is a comment" "$(cat "$T/db.yaml")" "# the codes as the database has them (2; this file lists one: fxi_merge.py 1.0.0)"
expect_rc 0 "config check of it" "$CASCADE" config check "$T/db.yaml"
expect_rc 0 "config apply of it" cascade config apply "$T/db.yaml"
contains "config apply: no changes" "$out" "no changes: the database matches"
equals "nothing was queued" "$(sql "SELECT count(*) FROM processqueue")" 1
equals "the adopted inspectors run dbprocessing's modules, their rows as dbprocessing wrote them" \
	"$(sql "SELECT string_agg(kind || ':' || relative_path || '/' || filename || ':' || arguments, ' ' ORDER BY inspector_id) FROM inspector WHERE product IN (SELECT product_id FROM product WHERE product_name LIKE '%L0')")" \
	"module:inspectors/fxi_hk.py:magic=FXI-HK min_records=2 module:inspectors/fxi_sci.py:magic=FXI-SCI keywords=station,pass"

# without the database's codes, apply would change them: said, not done
run "$CASCADE" config apply --dry-run "$T/ini.yaml" -m "$DB"
contains "the INI's own codes differ from the database's" "$out" "code fxi_merge 1.0.0: active false -> true"

# a timebase cascade does not have: the process is left out, commented
sed '/^process_name = fxi_quicklook/,/^output_timebase/ s/^output_timebase = FILE/output_timebase = SECONDLY/' \
	"$T/mission.conf" > "$T/orbit.conf"
expect_rc 0 "import with a SECONDLY process" "$CASCADE" config import "$T/orbit.conf" -o "$T/orbit.yaml"
contains "it is left out with the reason" "$(cat "$T/orbit.yaml")" "# timebase SECONDLY: cascade has FILE, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY, ORBIT and RUN"
contains "as written, commented" "$(cat "$T/orbit.yaml")" '  #  - name: "fxi_quicklook"'
expect_rc 0 "the rest passes config check" "$CASCADE" config check "$T/orbit.yaml"
# ORBIT, which dbprocessing never ran: left out while its output's
# names cannot tell orbits apart, kept once they can
sed '/^process_name = fxi_quicklook/,/^output_timebase/ s/^output_timebase = FILE/output_timebase = ORBIT/' \
	"$T/mission.conf" > "$T/orbit2.conf"
expect_rc 0 "import with an ORBIT process named by day" "$CASCADE" config import "$T/orbit2.conf" -o "$T/orbit2.yaml"
contains "left out, saying why" "$(cat "$T/orbit2.yaml")" "# timebase ORBIT: dbprocessing never ran it; cascade does, but the format of its"
sed 's/^format = fixt_ql_{Y}{m}{d}_v{VERSION}.csv/format = fixt_ql_{ORBIT}_{Y}{m}{d}_v{VERSION}.csv/' "$T/orbit2.conf" > "$T/orbit3.conf"
expect_rc 0 "import with an ORBIT process named by orbit" "$CASCADE" config import "$T/orbit3.conf" -o "$T/orbit3.yaml"
contains "kept, with a note" "$(cat "$T/orbit3.yaml")" "# timebase ORBIT: dbprocessing never ran this process"
contains "its timebase as written" "$(cat "$T/orbit3.yaml")" "output_timebase: \"ORBIT\""
expect_rc 0 "and passes config check" "$CASCADE" config check "$T/orbit3.yaml"

# "1" is false in dbprocessing
sed '0,/^code_active = True/ s/^code_active = True/code_active = 1/' "$T/mission.conf" > "$T/one.conf"
expect_rc 0 "import with code_active = 1" "$CASCADE" config import "$T/one.conf" -o "$T/one.yaml"
contains "what dbprocessing made of it is said" "$(cat "$T/one.yaml")" "# code_active = 1: dbprocessing read this as false"

# a section dbprocessing refuses
printf '[bogus]\nx = 1\n' >> "$T/one.conf"
expect_rc 2 "an unknown section is refused" "$CASCADE" config import "$T/one.conf"
contains "with its line" "$err" "one.conf:$(grep -n '^\[bogus\]' "$T/one.conf" | cut -d: -f1): unknown section [bogus]"

t_end
