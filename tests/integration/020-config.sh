# 020-config: check, apply (idempotent, dry run, changes, removals),
# export round trip, and every kind of bad mission file.
. "$(dirname "$0")/lib.sh"
t_begin config

demo_config "$T" > "$T/small.yaml"
# (its codes are not installed here: --no-programs)
expect_rc 0 "config check of a good file needs no database" \
	env PGHOST=/nonexistent "$CASCADE" config check --no-programs "$T/small.yaml"
contains "config check summarises" "$out" "ok: mission small"
expect_rc 0 "config check of the shipped example" "$CASCADE" config check --no-programs "$SRC/config/cascade.yaml.example"
expect_rc 0 "config check of the demo mission" "$CASCADE" config check "$SRC/config/demo.yaml"

# every bad fixture fails with its expected message and a position
n=0
for f in "$FIX"/config/*.yaml; do
	want=$(sed -n '1s/^# expect: //p' "$f")
	[ -n "$want" ] || continue
	n=$((n + 1))
	b=$(basename "$f")
	expect_rc 2 "bad config $b is rejected" "$CASCADE" config check "$f"
	contains "bad config $b: message" "$err" "$want"
done
[ "$n" -ge 8 ] && pass "at least 8 bad-config fixtures ($n)" || fail "at least 8 bad-config fixtures ($n)"
expect_rc 2 "a missing file is a config error" "$CASCADE" config check "$T/nope.yaml"
contains "missing file named" "$err" "nope.yaml"
truncate -s 52428800 "$T/huge.yaml"
expect_rc 2 "a 50 MB mission file is a config error" "$CASCADE" config check "$T/huge.yaml"
contains "too large: file, size and limit named" "$err" \
	"configuration file \"$T/huge.yaml\" is too large: 52428800 bytes, the limit is 16777216 bytes (16 MiB)"

expect_rc 0 "init" cascade init
expect_rc 0 "dry-run apply" cascade config apply --dry-run "$T/small.yaml"
contains "dry run lists additions" "$out" "+ product mag_l0"
contains "dry run says it is one" "$out" "dry run: would apply"
equals "dry run changed nothing" "$(sql "SELECT count(*) FROM mission")" 0

expect_rc 0 "apply" cascade config apply "$T/small.yaml"
contains "apply adds the mission" "$out" "+ mission small"
contains "apply adds products" "$out" "+ product mag_l1"
contains "apply adds the process" "$out" "+ process mag_l0_to_l1"
contains "apply adds the input" "$out" "+ input mag_l0_to_l1 <- mag_l0 (required, yesterday 1, tomorrow 1)"
contains "apply adds the code" "$out" "+ code mag_l0_to_l1 1.0.0"
contains "apply summarises" "$out" "applied $T/small.yaml:"
equals "rows: products with inspectors and links" \
	"$(sql "SELECT count(*) FROM product JOIN inspector ON inspector.product = product_id JOIN instrumentproductlink USING (product_id)")" 3
equals "rows: the code is active and newest" \
	"$(sql "SELECT active_code, newest_version, code_start_date, code_stop_date FROM code")" "t|t|2020-01-01|9999-12-31"
equals "rows: the input window" "$(sql "SELECT optional, yesterday, tomorrow FROM productprocesslink")" "f|1|1"
equals "rows: absolute paths" "$(sql "SELECT rootdir, incoming_dir FROM mission")" "$T/data|$T/data/incoming"
equals "the apply is recorded as a run" \
	"$(sql "SELECT command, status, exit_status FROM logging")" "config apply|ok|0"

expect_rc 0 "second apply" cascade config apply "$T/small.yaml"
contains "second apply changes nothing and says so" "$out" "no changes: the database matches"
equals "a no-op apply records no run" "$(sql "SELECT count(*) FROM logging")" 1

# export writes a file that applies cleanly, and loads back the same
expect_rc 0 "export" cascade config export -o "$T/exported.yaml"
expect_rc 0 "the export is a valid mission file" "$CASCADE" config check --no-programs "$T/exported.yaml"
expect_rc 0 "applying the export" cascade config apply "$T/exported.yaml"
contains "applying the export changes nothing" "$out" "no changes"
expect_rc 0 "export to stdout" cascade config export
contains "export has the product" "$out" "mag_l0"

# changes: a level, a new code version (old one deactivated), an input window
sed -e 's/^    level: 1$/    level: 1.5/' -e 's/yesterday: 1/yesterday: 2/' "$T/small.yaml" > "$T/changed.yaml"
cat >> "$T/changed.yaml" <<'YAML'
      - filename: l0_to_l1.sh
        relative_path: bin
        version: 1.1.0
        output_interface_version: 1
        start_date: 2020-01-01
        active: false
YAML
expect_rc 0 "apply changes" cascade config apply "$T/changed.yaml"
contains "level change shown" "$out" "~ product mag_l1: level 1 -> 1.5"
contains "input change shown" "$out" "~ input mag_l0_to_l1 <- mag_l0"
contains "new code shown" "$out" "+ code mag_l0_to_l1 1.1.0"
equals "level stored" "$(sql "SELECT level FROM product WHERE product_name = 'mag_l1'")" 1.5
equals "both code rows" "$(sql "SELECT count(*) FROM code")" 2

# overlapping active codes are refused before touching the database
sed 's/        active: false/        active: true/' "$T/changed.yaml" > "$T/overlap.yaml"
expect_rc 2 "overlapping active codes are refused" cascade config apply "$T/overlap.yaml"
contains "overlap named" "$err" "1.0.0"

# removals: the code left the file (deactivated, kept), the process and
# a product left it (removed: nothing depends on them)
expect_rc 0 "apply the original again" cascade config apply "$T/small.yaml"
contains "re-applying the original reverts the level" "$out" "~ product mag_l1: level 1.5 -> 1"
sed '/^processes:/,$d' "$T/small.yaml" > "$T/noproc.yaml"
expect_rc 0 "apply without processes" cascade config apply "$T/noproc.yaml"
contains "process removed" "$out" "- process mag_l0_to_l1"
equals "its codes and inputs are gone" "$(sql "SELECT count(*) FROM code") $(sql "SELECT count(*) FROM productprocesslink")" "0 0"
expect_rc 0 "apply the original once more" cascade config apply "$T/small.yaml"

# a product with files keeps its format and place
sql "INSERT INTO file (filename, utc_file_date, utc_start_time, utc_stop_time, data_level, interface_version, quality_version, revision_version, file_create_date, product_id)
     SELECT 'small_mag_l0_20240101_v1.0.0.dat', '2024-01-01', '2024-01-01', '2024-01-02', 0, 1, 0, 0, now(), product_id FROM product WHERE product_name = 'mag_l0'" >/dev/null
sed 's|relative_path: "mag/l0/{Y}"|relative_path: "mag/level0/{Y}"|' "$T/small.yaml" > "$T/moved.yaml"
expect_rc 2 "moving a product with files is refused" cascade config apply "$T/moved.yaml"
contains "refusal explains" "$err" "has 1 files"
equals "nothing changed (one transaction)" "$(sql "SELECT relative_path FROM product WHERE product_name = 'mag_l0'")" "mag/l0/{Y}"
sed '/^  - name: mag_l0$/,/^    relative_path: "mag\/l0\/{Y}"$/d' "$T/noproc.yaml" > "$T/noproduct.yaml"
expect_rc 0 "apply without the product that has files" cascade config apply "$T/noproduct.yaml"
contains "a product with files is kept" "$out" "= product mag_l0: not in the file, kept"

# one mission per database
sed 's/name: small/name: other/' "$T/small.yaml" > "$T/other.yaml"
expect_rc 2 "a second mission is refused" cascade config apply "$T/other.yaml"
contains "one mission per database" "$err" "one mission per database"
t_end
