# 123-preferred: preferred inputs and pinned versions (issue 16, item 4).
# An input group (one_of: [def, ql]) builds from quick-look, is rebuilt
# with a quality bump when the definitive file arrives (cascade why says
# it replaced quick-look), and is left alone when another quick-look
# version arrives; a pinned input (version: 2) takes 2.x.x and ignores
# 3.x.x files, and why --not says when its pin left a key without input;
# the database holds the groups and pins so that dbprocessing still reads
# productprocesslink; config export/apply round-trip them; config check
# rejects bad declarations with their position.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-plan.sh"
t_begin preferred

code='{filename: concat.sh, version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01}'
plan_setup <<EOF
products:
  - {name: def, instrument: ins, level: 0, format: "p_def_{Y}{m}{d}_v{VERSION}.dat", relative_path: def}
  - {name: ql, instrument: ins, level: 0, format: "p_ql_{Y}{m}{d}_v{VERSION}.dat", relative_path: ql}
  - {name: l1, instrument: ins, level: 1, format: "p_l1_{Y}{m}{d}_v{VERSION}.dat", relative_path: l1}
  - {name: att, instrument: ins, level: 0, format: "p_att_{Y}{m}{d}_v{VERSION}.dat", relative_path: att}
  - {name: l2, instrument: ins, level: 1, format: "p_l2_{Y}{m}{d}_v{VERSION}.dat", relative_path: l2}
processes:
  - {name: l1, output_product: l1, output_timebase: DAILY, inputs: [{one_of: [def, ql]}], codes: [$code]}
  - {name: l2, output_product: l2, output_timebase: DAILY, inputs: [{product: att, version: 2}], codes: [$code]}
EOF

# why_of PROCESS KEY: the reasons of that key's newest build, as
# "kind product date old>new" joined by "; "
why_of() {
	sql "SELECT string_agg(r.kind || coalesce(' ' || r.product_name || ' ' || r.utc_date
	              || ' ' || coalesce(r.old_version, '') || '>' || coalesce(r.new_version, ''), ''),
	              '; ' ORDER BY r.seq)
	       FROM cascade_build_reason r
	      WHERE r.build_id = (SELECT max(b.build_id) FROM build b JOIN process p USING (process_id)
	                           WHERE p.process_name = '$1' AND b.output_key = '$2')"
}
# builds PROCESS KEY: how many builds that key had
builds() {
	sql "SELECT count(*) FROM build b JOIN process p USING (process_id)
	      WHERE p.process_name = '$1' AND b.output_key = '$2'"
}

# -- the database: groups and pins, dbprocessing's reading kept --------------
equals "productprocesslink: a group's products optional to dbprocessing, the group required, ranked, named by def" \
	"$(sql "SELECT string_agg(p.product_name || ':' || l.optional || ':' || coalesce(g.product_name, '-') || ':'
	               || coalesce(l.group_rank::text, '-') || ':' || coalesce(l.group_optional::text, '-') || ':'
	               || coalesce(l.interface_pin::text, '-'), ' ' ORDER BY p.product_name)
	          FROM productprocesslink l JOIN product p ON p.product_id = l.input_product_id
	          LEFT JOIN product g ON g.product_id = l.group_product")" \
	"att:false:-:-:-:2 def:true:def:0:false:- ql:true:def:1:false:-"

# -- quick-look first: built from it ----------------------------------------
deliver p_ql_20240301_v1.0.0.dat "ql 1"
expect_rc 0 "quick-look of the 1st" "$CASCADE" process-queue -m "$DB"
equals "l1 of the 1st: built" "$(ver l1 2024-03-01)" "1.0.0"
equals "from quick-look" "$(parents p_l1_20240301_v1.0.0.dat)" "p_ql_20240301_v1.0.0.dat"
equals "its first build" "$(why_of l1 2024-03-01)" "first"

# -- definitive arrives: rebuilt from it, a quality bump -----------------------
deliver p_def_20240301_v1.0.0.dat "def 1"
expect_rc 0 "definitive of the 1st" "$CASCADE" process-queue -m "$DB"
equals "l1 of the 1st: rebuilt, a quality bump" "$(ver l1 2024-03-01)" "1.1.0"
equals "from definitive alone" "$(parents p_l1_20240301_v1.1.0.dat)" "p_def_20240301_v1.0.0.dat"
equals "why: definitive added, quick-look removed" "$(why_of l1 2024-03-01)" \
	"input-added def 2024-03-01 >1.0.0; input-removed ql 2024-03-01 1.0.0>"
expect_rc 0 "why of the new output" cascade why p_l1_20240301_v1.1.0.dat
contains "why says definitive came in" "$out" "input added: def 2024-03-01"
contains "why says quick-look went" "$out" "input removed: ql 2024-03-01"
contains "the chain goes down to the definitive file" "$out" "p_def_20240301_v1.0.0.dat (file "

# -- another quick-look version: nothing --------------------------------------
deliver p_ql_20240301_v1.1.0.dat "ql 1, again"
expect_rc 0 "quick-look 1.1.0 of the 1st" "$CASCADE" process-queue -m "$DB"
equals "no rebuild: still two builds" "$(builds l1 2024-03-01)" 2
equals "still version 1.1.0" "$(ver l1 2024-03-01)" "1.1.0"
expect_rc 0 "why --not l1 of the 1st" cascade why --not l1 2024-03-01
contains "up to date" "$out" "process l1, key 2024-03-01: up to date since build"

# -- a day with definitive only, a day with neither --------------------------
deliver p_def_20240302_v1.0.0.dat "def 2"
expect_rc 0 "definitive of the 2nd" "$CASCADE" process-queue -m "$DB"
equals "l1 of the 2nd from definitive" "$(parents p_l1_20240302_v1.0.0.dat)" "p_def_20240302_v1.0.0.dat"
expect_rc 0 "why --not l1 of a day without either" cascade why --not l1 2024-03-05
contains "the group named" "$out" \
	"process l1, key 2024-03-05: no input: none of the products of required input group (one_of: def, ql) has a file for it"
expect_rc 0 "why --not --json, the group" cascade why --not --json l1 2024-03-05
equals "JSON: verdict, the group's first product, the group" "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["verdict"], d["missing_product"], ",".join(d["missing_group"]), d["missing_pin"], len(d["pinned_out"]))')" \
	"no-input def def,ql None 0"

# a gap of l1 between two days made: check names the group
deliver p_ql_20240304_v1.0.0.dat "ql 4"
expect_rc 0 "quick-look of the 4th" "$CASCADE" process-queue -m "$DB"
run cascade check
contains "check: the day without either, the group named" "$out" \
	"no-input: l1: no file on 2024-03-03: required input group (one_of: def, ql) has no file for it now"

# -- a pinned input: 2.x.x in, 3.x.x out ---------------------------------------
deliver p_att_20240301_v2.0.0.dat "att 1 v2"
deliver p_att_20240301_v3.0.0.dat "att 1 v3"
expect_rc 0 "att 2.0.0 and 3.0.0 of the 1st" "$CASCADE" process-queue -m "$DB"
equals "l2 of the 1st: built" "$(ver l2 2024-03-01)" "1.0.0"
equals "from the 2.x.x file only" "$(parents p_l2_20240301_v1.0.0.dat)" "p_att_20240301_v2.0.0.dat"
equals "cascade_key_inputs gives both interfaces' newest (the planner chooses)" \
	"$(sql "SELECT string_agg(f.filename, ' ' ORDER BY f.filename) FROM process pr,
	          cascade_key_inputs(pr.process_id, '2024-03-01', '2024-03-01', '') x
	          JOIN file f USING (file_id) WHERE pr.process_name = 'l2'")" \
	"p_att_20240301_v2.0.0.dat p_att_20240301_v3.0.0.dat"
deliver p_att_20240301_v3.1.0.dat "att 1 v3.1"
expect_rc 0 "att 3.1.0 of the 1st" "$CASCADE" process-queue -m "$DB"
equals "a 3.x.x file changes nothing" "$(builds l2 2024-03-01)" 1
deliver p_att_20240301_v2.1.0.dat "att 1 v2.1"
expect_rc 0 "att 2.1.0 of the 1st" "$CASCADE" process-queue -m "$DB"
equals "a 2.x.x file rebuilds" "$(why_of l2 2024-03-01)" "input-changed att 2024-03-01 2.0.0>2.1.0"
equals "from it" "$(parents p_l2_20240301_v1.1.0.dat)" "p_att_20240301_v2.1.0.dat"

# -- pinned out: a key with 3.x.x files only ---------------------------------
deliver p_att_20240302_v3.0.0.dat "att 2 v3"
expect_rc 0 "att 3.0.0 of the 2nd only" "$CASCADE" process-queue -m "$DB"
equals "no l2 of the 2nd" "$(builds l2 2024-03-02)" 0
expect_rc 0 "why --not l2 of the 2nd" cascade why --not l2 2024-03-02
contains "the pin said" "$out" \
	"process l2, key 2024-03-02: no input: required input product \"att\" has no file for it of version 2.x.x; the pin (version: 2) left out p_att_20240302_v3.0.0.dat"
expect_rc 0 "why --not --json l2 of the 2nd" cascade why --not --json l2 2024-03-02
equals "JSON: the pin and what it left out" "$(printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["verdict"], d["missing_product"], len(d["missing_group"]), d["missing_pin"], ",".join(d["pinned_out"]))')" \
	"no-input att 0 2 p_att_20240302_v3.0.0.dat"

# -- config export, apply, changes ----------------------------------------------
expect_rc 0 "export" cascade config export -o "$T/exported.yaml"
contains "the group exported" "$(cat "$T/exported.yaml")" "one_of: [def, ql]"
contains "the pin exported" "$(cat "$T/exported.yaml")" "version: 2"
expect_rc 0 "applying the export" cascade config apply "$T/exported.yaml"
contains "applying the export changes nothing" "$out" "no changes"
sed 's/one_of: \[def, ql\]/one_of: [ql, def]/; s/version: 2}/version: 3}/' "$T/plan.yaml" > "$T/swapped.yaml"
expect_rc 0 "apply --dry-run: the preference swapped, the pin moved" cascade config apply --dry-run "$T/swapped.yaml"
contains "the group's order" "$out" "input l1 <- ql: (required, yesterday 0, tomorrow 0, one of def, ql (choice 2)) -> (required, yesterday 0, tomorrow 0, one of ql, def (choice 1))"
contains "the pin" "$out" "input l2 <- att: (required, yesterday 0, tomorrow 0, version 2 only) -> (required, yesterday 0, tomorrow 0, version 3 only)"
expect_rc 0 "apply it" cascade config apply "$T/swapped.yaml"
equals "stored: ql first now" \
	"$(sql "SELECT string_agg(p.product_name || ':' || g.product_name || ':' || l.group_rank, ' ' ORDER BY p.product_name)
	          FROM productprocesslink l JOIN product p ON p.product_id = l.input_product_id
	          JOIN product g ON g.product_id = l.group_product")" \
	"def:ql:1 ql:ql:0"
expect_rc 0 "process after the swap" "$CASCADE" process-queue -m "$DB"
equals "l1 of the 1st: quick-look preferred now (its newest, 1.1.0)" \
	"$(parents "$(sql "SELECT filename FROM newest_file f JOIN product p USING (product_id) WHERE p.product_name = 'l1' AND f.utc_file_date = '2024-03-01'")")" \
	"p_ql_20240301_v1.1.0.dat"
expect_rc 0 "apply the first mission again" cascade config apply "$T/plan.yaml"

# -- config check: bad declarations, with their position ------------------------
bad() {
	sed "s/inputs: \[{one_of: \[def, ql\]}\]/inputs: $1/" "$T/plan.yaml" > "$T/bad.yaml"
	expect_rc 2 "config check: $2" "$CASCADE" config check --no-programs "$T/bad.yaml"
	contains "said, with file:line:col" "$err" "$T/bad.yaml:$3"
}
bad '[{one_of: [def, nope]}]' "an unknown product in a group" \
	"15:84: process \"l1\": input product \"nope\" does not exist"
bad '[{one_of: []}]' "an empty group" "15:78: processes[0].inputs[0].one_of: expected a non-empty list"
bad '[{one_of: [def, ql], version: two}]' "a pin that is not a number" \
	"15:98: processes[0].inputs[0].version: expected an integer from 1 to 32767"
bad '[ql, {one_of: [def, ql]}]' "a product both in a group and a plain input" \
	"15:88: process \"l1\": input product \"ql\" is both a plain input and in input group \"def\" (one_of)"
t_end
