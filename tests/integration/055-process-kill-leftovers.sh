# 055-process-kill-leftovers: after a kill, what the dead run left runs
# before anything new is planned.  A weekly product reads seven daily
# files; the controller dies after some of the dailies are recorded.
# Had the next run planned first, it would make the week from the
# dailies that exist, then again (a new version) once the rest were
# made; an uninterrupted run makes it once, from all seven.  Kills at
# several points, each with one and with two slots.
#
# Killed between two planning batches (run.batch_size 3 of the seven
# raw files), the dead run leaves days planned and raw files still
# queued.  The next run runs those days first; its first round then
# holds raw entries and the days' own entries at once.  Planned together,
# the week would be made from the first three days while the other four
# were still being made: entries wait while a product upstream of theirs
# has entries queued.
# integration: slow
. "$(dirname "$0")/lib.sh"
t_begin process_kill_leftovers

week_config() {
	cat <<YAML
mission: {name: wk, rootdir: $1/data, codedir: $1/codes}
satellites: [{name: sat, instruments: [ins]}]
products:
  - {name: raw, instrument: ins, level: 0, format: "wk_raw_{Y}{m}{d}_v{VERSION}.dat", relative_path: raw}
  - {name: day, instrument: ins, level: 1, format: "wk_day_{Y}{m}{d}_v{VERSION}.dat", relative_path: day}
  - {name: week, instrument: ins, level: 2, format: "wk_week_{Y}{m}{d}_v{VERSION}.dat", relative_path: week}
processes:
  - name: day
    output_product: day
    output_timebase: DAILY
    inputs: [raw]
    codes: [{filename: slow.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "concat.sh --date {DATE}"}]
  - name: week
    output_product: week
    output_timebase: WEEKLY
    inputs: [day]
    codes: [{filename: slow.sh, relative_path: ., version: 1.0.0, output_interface_version: 1, start_date: 2000-01-01, arguments: "concat.sh --date {DATE}"}]
run: {batch_size: 3}
YAML
}

n=0
for slots in 1 2; do
	for point in build-recorded@2 build-started@4 build-linked@6 plan-committed@1 plan-committed@2; do
		n=$((n + 1))
		S=$T/s$n
		SDB=${DB}_$n
		mkdir -p "$S/codes" "$S/data/incoming"
		cp "$FIX"/pcodes/*.sh "$S/codes/"
		week_config "$S" > "$S/mission.yaml"
		psql -X -q -d postgres -c "CREATE DATABASE $SDB TEMPLATE template0" >/dev/null
		"$CASCADE" init -m "$SDB" >/dev/null
		"$CASCADE" config apply "$S/mission.yaml" -m "$SDB" >/dev/null
		# 2024-03-04 is a Monday: one week, seven days
		for d in 04 05 06 07 08 09 10; do
			printf 'raw %s\n' "$d" > "$S/data/incoming/wk_raw_202403${d}_v1.0.0.dat"
		done
		export CASCADE_TEST_COMPLETIONS=$S/completions
		: > "$S/completions"
		CASCADE_FAULT=$point:kill "$CASCADE" process-queue -n $slots -m "$SDB" >/dev/null 2>&1
		equals "$slots slots, killed at $point" "$?" 137
		expect_rc 0 "$slots slots, the next run after $point" "$CASCADE" process-queue -n $slots -m "$SDB"
		equals "$slots slots, $point: the week made once, as version 1.0.0" \
			"$(psql -X -A -t -q -d "$SDB" -c "SELECT string_agg(filename, ' ') FROM file WHERE filename LIKE 'wk_week_%'")" \
			"wk_week_20240304_v1.0.0.dat"
		equals "$slots slots, $point: the week read all seven days" \
			"$(psql -X -A -t -q -d "$SDB" -c "SELECT count(*) FROM filefilelink l JOIN file r ON r.file_id = l.resulting_file WHERE r.filename LIKE 'wk_week_%'")" 7
		equals "$slots slots, $point: eight codes completed, none twice" \
			"$(wc -l < "$S/completions") $(sort "$S/completions" | uniq -d | wc -l)" "8 0"
		psql -X -q -d postgres -c "DROP DATABASE $SDB WITH (FORCE)" >/dev/null
	done
done

t_end
