# 058-plan-versionless: file-name formats without {VERSION}, as real
# dbprocessing missions have.  A delivered file named without a version
# is version 1.0.0, unless its inspector says another; a build's output
# has the version its build gave it (verified by its product, recorded
# with it).  A new version of such an output would take the old one's
# name: that build is refused, saying why, and nothing else stops.
# Where an output's product has an inspector, the output's time span and
# keywords are the inspector's, as dbprocessing records them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin plan_versionless
# the outputs' inspector: the date and version from the name (a build's
# version, without {VERSION} in the format: 1.0.0), its own times and
# keywords, as a real inspector reads them from the file
cat > "$T/outinsp.sh" <<'SH'
#!/bin/sh
echo "$1" >> "$(dirname "$0")/outinsp.calls"
case $(basename "$1") in
vl_out_*) n=$(basename "$1" .dat); n=${n#vl_out_}; d=$(echo "$n" | cut -c1-4)-$(echo "$n" | cut -c5-6)-$(echo "$n" | cut -c7-8) ;;
*) exit 1 ;;
esac
grep -q '^date ' "$1" || exit 1
echo "utc_file_date=$d"
echo "version=1.0.0"
echo "utc_start_time=${d}T06:00:00"
echo "utc_stop_time=${d}T18:30:00"
echo "process_keywords=orbit=7"
SH
chmod +x "$T/outinsp.sh"
plan_setup <<'EOF'
products:
  - {name: raw, instrument: ins, level: 0, format: "vl_raw_{Y}{m}{d}.dat", relative_path: raw}
  - {name: l1, instrument: ins, level: 1, format: "vl_l1_{Y}{m}{d}.dat", relative_path: l1}
  - {name: span, instrument: ins, level: 0, format: "vl_span_{Y}{m}{d}.dat", relative_path: span, inspector: {executable: "@FIX@/inspectors/span.sh"}}
  - {name: spanl1, instrument: ins, level: 1, format: "vl_spanl1_{Y}{m}{d}_v{VERSION}.dat", relative_path: spanl1}
  - {name: out, instrument: ins, level: 2, format: "vl_out_{Y}{m}{d}.dat", relative_path: out, inspector: {executable: "@T@/outinsp.sh"}}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [raw], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
  - {name: spanl1, output_product: spanl1, output_timebase: DAILY, inputs: [span], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}]}
  - {name: out, output_product: out, output_timebase: DAILY, inputs: [spanl1], codes: [{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "--date {DATE}"}]}
EOF
contains "config check accepts formats without {VERSION}" "$("$CASCADE" config check "$T/plan.yaml" 2>&1; echo "rc=$?")" "rc=0"

# -- a delivered file without a version, its output without one -----------------
deliver vl_raw_20240310.dat "raw 10"
expect_rc 0 "raw 10 processed" "$CASCADE" process-queue -m "$DB"
equals "raw 10 is version 1.0.0" "$(outputs raw)" "03-10:1.0.0"
equals "l1 built, version 1.0.0" "$(outputs l1)" "03-10:1.0.0"
equals "l1 under its versionless name" "$(sql "SELECT filename FROM file JOIN product USING (product_id) WHERE product_name = 'l1'")" "vl_l1_20240310.dat"
[ -f "$ARC/l1/vl_l1_20240310.dat" ] && pass "l1 archived" || fail "l1 archived"
equals "l1 made from raw 10" "$(parents vl_l1_20240310.dat)" "vl_raw_20240310.dat"
expect_rc 0 "a run with nothing new" "$CASCADE" process-queue -m "$DB"
equals "it ran nothing" "$(sql "SELECT count(*) FROM build")" 1

# -- a new version would take the old one's name: refused, said ----------------
expect_rc 0 "reprocess raw 10 with a forced revision bump" cascade reprocess --product raw --from 2024-03-10 --to 2024-03-10 --force 2
deliver vl_raw_20240311.dat "raw 11"
expect_rc 0 "the run goes on" "$CASCADE" process-queue -m "$DB"
contains "the refusal names the key, the version and the name" "$err" 'process "l1", 2024-03-10: not built: version 1.0.1 would be named "vl_l1_20240310.dat", the name of its version 1.0.0'
contains "and says what to do" "$err" "add {VERSION} to the format"
equals "l1 10 kept, l1 11 built" "$(outputs l1)" "03-10:1.0.0 03-11:1.0.0"
equals "no build failed" "$(sql "SELECT count(*) FROM build WHERE status <> 'succeeded'")" 0

# -- an inspector gives the version of a versionless name ------------------------
span vl_span_20240312.dat 2024-03-12 2.1.0 2024-03-12T00:00:00 2024-03-12T23:59:59
expect_rc 0 "a span file" "$CASCADE" process-queue -m "$DB"
equals "the inspector's version is recorded" "$(outputs span)" "03-12:2.1.0"
equals "its child built" "$(outputs spanl1)" "03-12:1.0.0"
equals "the child made from it" "$(parents vl_spanl1_20240312_v1.0.0.dat)" "vl_span_20240312.dat"

# -- an output whose product has an inspector: its times and keywords ------------
equals "the grandchild built under its versionless name" "$(outputs out)" "03-12:1.0.0"
equals "its times and keywords are its inspector's" \
	"$(sql "SELECT utc_start_time || ' ' || utc_stop_time || ' ' || process_keywords FROM file WHERE filename = 'vl_out_20240312.dat'")" \
	"2024-03-12 06:00:00 2024-03-12 18:30:00 orbit=7"
equals "its inspector was asked once, when its code ended (not again to record it)" \
	"$(grep -c 'vl_out_20240312.dat$' "$T/outinsp.calls")" 1
equals "a build's output without an inspector keeps the build's day" \
	"$(sql "SELECT utc_start_time || ' ' || utc_stop_time FROM file WHERE filename = 'vl_spanl1_20240312_v1.0.0.dat'")" \
	"2024-03-12 00:00:00 2024-03-12 23:59:59.999999"
t_end
