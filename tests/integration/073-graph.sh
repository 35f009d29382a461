# 073-graph: "cascade graph" writes DOT that Graphviz accepts: products
# as boxes, processes as ellipses, optional inputs dashed, day windows as
# labels; --state colours nodes by the queue and the builds of a date
# range.
. "$(dirname "$0")/lib.sh"
t_begin graph

if ! command -v dot >/dev/null 2>&1; then
	echo "not ok - graphviz (dot) is not installed: run scripts/install-deps.sh"
	exit 1
fi
demo_config "$T" | sed -e '/^processes:/,$d' > "$T/mission.yaml"
cat >> "$T/mission.yaml" <<'YAML'
  - name: mag_l2
    instrument: mag
    level: 2
    format: "small_mag_l2_{Y}{m}{d}_v{VERSION}.dat"
    relative_path: "mag/l2/{Y}"
YAML
demo_config "$T" | sed -n '/^processes:/,$p' >> "$T/mission.yaml"
cat >> "$T/mission.yaml" <<'YAML'
  - name: l1_to_l2
    output_product: mag_l2
    output_timebase: DAILY
    inputs:
      - product: mag_l1
      - product: notes
        optional: true
        tomorrow: 2
    codes:
      - filename: l1_to_l2.sh
        relative_path: bin
        version: 2.0.0
        output_interface_version: 1
        start_date: 2020-01-01
  - name: plot
    output_timebase: RUN
    inputs:
      - product: mag_l2
    codes:
      - filename: plot.sh
        relative_path: bin
        version: 1.0.0
        output_interface_version: 1
        start_date: 2020-01-01
YAML
expect_rc 0 "init" cascade init
expect_rc 0 "apply" cascade config apply "$T/mission.yaml"

# dot_ok WHAT FILE: Graphviz accepts the graph and renders SVG
dot_ok() {
	if dot -Tsvg "$2" > "$2.svg" 2> "$2.err" && grep -q '<svg' "$2.svg"; then
		pass "$1"
	else
		fail "$1" "$(cat "$2.err")" "$(head -20 "$2")"
	fi
}

expect_rc 0 "graph" cascade graph
printf '%s\n' "$out" > "$T/plain.dot"
dot_ok "dot -Tsvg accepts the graph" "$T/plain.dot"
contains "a digraph named after the mission" "$out" 'digraph "small" {'
contains "products are boxes" "$out" '"product:mag_l0" [shape=box, label="mag_l0\nlevel 0"];'
contains "processes are ellipses, with their timebase" "$out" '"process:mag_l0_to_l1" [shape=ellipse, label="mag_l0_to_l1\nDAILY"];'
contains "input -> process, with the day window" "$out" '"product:mag_l0" -> "process:mag_l0_to_l1" [label="-1d..+1d"];'
contains "process -> output" "$out" '"process:mag_l0_to_l1" -> "product:mag_l1";'
contains "a required input without a window is plain" "$out" '"product:mag_l1" -> "process:l1_to_l2";'
contains "an optional input is dashed, with its window" "$out" '"product:notes" -> "process:l1_to_l2" [style=dashed, label="+2d"];'
contains "a RUN process has inputs" "$out" '"product:mag_l2" -> "process:plot";'
not_contains "and no output" "$out" '"process:plot" ->'
not_contains "no state without --state" "$out" "fillcolor"
equals "one node per product and process, one edge per input and output" \
	"$(printf '%s\n' "$out" | grep -c -- ' -> ')" 6
equals "nothing on stderr" "$err" ""

# --state: everything up to date
expect_rc 0 "graph --state, nothing going on" cascade graph --state
printf '%s\n' "$out" > "$T/idle.dot"
dot_ok "dot accepts the state graph" "$T/idle.dot"
equals "every node up to date" "$(printf '%s\n' "$out" | grep -E '"(product|process):' | grep -v ' -> ' | grep -vc 'fillcolor="#d9f0d3"')" 0
contains "a legend" "$out" 'subgraph "cluster_legend"'

# queued files, failing and bad builds
IN=$T/data/incoming
mkdir -p "$IN"
printf 'x\n' > "$IN/small_mag_l0_20240101_v1.0.0.dat"
printf 'y\n' > "$IN/small_mag_l0_20240301_v1.0.0.dat"
expect_rc 0 "ingest" cascade ingest
pid() { sql "SELECT process_id FROM process WHERE process_name = '$1'"; }
sql "INSERT INTO build (process_id, output_key, utc_file_date, status) VALUES
       ($(pid l1_to_l2), '2024-01-02', '2024-01-02', 'failed'),
       ($(pid l1_to_l2), '2024-01-03', '2024-01-03', 'failed'),
       ($(pid l1_to_l2), '2024-01-03', '2024-01-03', 'succeeded'),
       ($(pid mag_l0_to_l1), '2024-03-05', '2024-03-05', 'bad'),
       ($(pid plot), '2024-01-01', '2024-01-01', 'running')" >/dev/null
expect_rc 0 "graph --state" cascade graph --state
printf '%s\n' "$out" > "$T/busy.dot"
dot_ok "dot accepts it" "$T/busy.dot"
contains "a product with queued files is queued (blue), with a count" "$out" '"product:mag_l0" [shape=box, style=filled, fillcolor="#c6dbef", label="mag_l0\nlevel 0\n2 queued"];'
contains "a product without is up to date" "$out" '"product:mag_l1" [shape=box, style=filled, fillcolor="#d9f0d3"'
contains "a process whose latest build of a key failed is failing" "$out" '"process:l1_to_l2" [shape=ellipse, style=filled, fillcolor="#fdae6b", label="l1_to_l2\nDAILY\n1 failing"];'
contains "a process with a bad build is bad" "$out" '"process:mag_l0_to_l1" [shape=ellipse, style=filled, fillcolor="#fb6a4a", label="mag_l0_to_l1\nDAILY\n1 bad"];'
contains "a process with a running build is queued" "$out" '"process:plot" [shape=ellipse, style=filled, fillcolor="#c6dbef", label="plot\nRUN\n1 running or queued"];'

# a date range
expect_rc 0 "graph --state --from --to" cascade graph --state --from 2024-01-01 --to 2024-01-31
contains "only the files of the range are counted" "$out" 'label="mag_l0\nlevel 0\n1 queued"'
contains "the bad build is outside it" "$out" '"process:mag_l0_to_l1" [shape=ellipse, style=filled, fillcolor="#c6dbef"'
contains "the range is in the legend" "$out" 'label="state 2024-01-01..2024-01-31"'
expect_rc 0 "graph --state --from" cascade graph --state --from 2024-02-01
contains "from only" "$out" '"process:l1_to_l2" [shape=ellipse, style=filled, fillcolor="#d9f0d3"'
printf '%s\n' "$out" > "$T/range.dot"
dot_ok "dot accepts it" "$T/range.dot"

# usage errors
expect_rc 2 "--from without --state" cascade graph --from 2024-01-01
contains "says why" "$err" "--from and --to need --state"
expect_rc 2 "a bad date" cascade graph --state --to 2024-13-01
contains "names it" "$err" 'invalid date "2024-13-01"'
expect_rc 2 "--from after --to" cascade graph --state --from 2024-02-01 --to 2024-01-01
expect_rc 2 "an operand" cascade graph extra

# names that need quoting stay valid DOT
sql "UPDATE product SET product_name = 'we\"ird\\name' WHERE product_name = 'notes'" >/dev/null
expect_rc 0 "graph with a quote and a backslash in a name" cascade graph --state
printf '%s\n' "$out" > "$T/odd.dot"
dot_ok "dot accepts the quoted names" "$T/odd.dot"
contains "escaped" "$out" '"product:we\"ird\\name"'
t_end
