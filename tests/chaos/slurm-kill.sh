#!/bin/bash
# slurm-kill.sh: kill chaos for the Slurm executor (bash; sourced lib.sh
# conventions, under a PostgreSQL that the caller provides).
#
#   ROUNDS="POINT[@N][/RECOVERY-POINT] ..."  the rounds to run, and/or
#   N=20 SEED=1                               N rounds drawn from SEED
#                                             (after ROUNDS; the default
#                                             when ROUNDS is not given)
#
# Each round processes the pipeline mission on a private Slurm cluster
# (tests/slurm/cluster.sh, one for all rounds) in the same directories
# and database as the round before, as a site that starts a mission again
# would: a first run is SIGKILLed at POINT (the Nth time it gets there),
# then, if a RECOVERY-POINT is given, the next run is killed there, while
# it takes over; then runs go on to the end.  The final builds, outcomes
# and files must equal an uninterrupted local run's, and no code may
# complete twice (CASCADE_TEST_COMPLETIONS).  Prints TAP lines; a failed
# round keeps its evidence in $CHAOS_KEEP (default: none kept).
. "$(dirname "$0")/../integration/lib.sh"
t_begin slurm_kill

CLUSTER=$SRC/tests/slurm/cluster.sh
stop_cluster() {
	bash "$CLUSTER" stop "$T/cluster" >/dev/null 2>&1
	for d in l k; do
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS ${DB}_$d WITH (FORCE)" >/dev/null 2>&1
	done
	t_cleanup
}
trap stop_cluster EXIT
slurm_start
export CASCADE_SLURM_POLL_MS=300

# setup ROOT DB [EXTRA]: the pipeline mission at ROOT (made anew) in DB
# (made anew), with its inputs delivered
setup() {
	rm -rf "$1"
	mkdir -p "$1/codes" "$1/data/incoming"
	cp "$FIX"/pcodes/*.sh "$1/codes/"
	sed -e "s|@ROOT@|$1|g; s|@FIX@|$FIX|g" "$FIX/config/pipeline.yaml" > "$1/pipeline.yaml"
	printf '%s\n' "${3:-}" >> "$1/pipeline.yaml"
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" >/dev/null 2>&1
	psql -X -q -d postgres -c "CREATE DATABASE $2 TEMPLATE template0" >/dev/null
	"$CASCADE" init -m "$2" >/dev/null &&
		"$CASCADE" config apply "$1/pipeline.yaml" -m "$2" >/dev/null || return 1
	for d in 01 02 03; do printf 'raw %s\n' "$d" > "$1/data/incoming/pl_raw_202401${d}_v1.0.0.dat"; done
	printf 'bad\n' > "$1/data/incoming/pl_bad_20240101_v1.0.0.dat"
}
q() { psql -X -A -t -d "$1" -c "$2"; }
builds="SELECT process_name, output_key, status, coalesce(exit_code::text, '-'), attempt FROM build JOIN process USING (process_id) ORDER BY process_name, output_key"
files="SELECT filename FROM file ORDER BY filename"

setup "$T/L" "${DB}_l"
"$CASCADE" process-queue -m "${DB}_l" >/dev/null 2>&1
want=$(q "${DB}_l" "$builds")
wantf=$(q "${DB}_l" "$files")

if [ -z "${ROUNDS:-}" ] || [ -n "${N:-}" ]; then
	points=(build-sent build-started slurm-submitted build-recording slurm-waiting)
	RANDOM=${SEED:-1}
	for i in $(seq 1 "${N:-20}"); do
		r=${points[$((RANDOM % ${#points[@]}))]}@$((RANDOM % 3 + 1))
		case $((RANDOM % 4)) in
		0) r=$r/recover-decided ;;
		1) r=$r/recover-recorded ;;
		esac
		ROUNDS="${ROUNDS:-} $r"
	done
fi

K=$T/K
for r in $ROUNDS; do
	p1=${r%%/*}
	p2=; [ "$r" = "$p1" ] || p2=${r#*/}
	setup "$K" "${DB}_k" "executor: {kind: slurm, cpus: 2}" >/dev/null
	export CASCADE_TEST_COMPLETIONS=$K/completions
	CASCADE_FAULT=$p1:kill timeout 300 "$CASCADE" process-queue -m "${DB}_k" >/dev/null 2>"$T/r1.err"
	rcs=$?
	if [ -n "$p2" ]; then
		CASCADE_FAULT=$p2:kill timeout 300 "$CASCADE" process-queue -m "${DB}_k" >/dev/null 2>"$T/r2.err"
		rcs="$rcs,$?"
	fi
	# to the end: a run, and one more that must find nothing left open
	timeout 300 "$CASCADE" process-queue -m "${DB}_k" >/dev/null 2>"$T/r3.err"
	rcs="$rcs,$?"
	timeout 300 "$CASCADE" process-queue -m "${DB}_k" >/dev/null 2>"$T/r4.err"
	rcs="$rcs,$?"
	unset CASCADE_TEST_COMPLETIONS
	got=$(q "${DB}_k" "$builds")
	gotf=$(q "${DB}_k" "$files")
	twice=$(sort "$K/completions" 2>/dev/null | uniq -d)
	if [ "$got" = "$want" ] && [ "$gotf" = "$wantf" ] && [ -z "$twice" ]; then
		pass "$r: the local run's outcomes, no code twice (exits $rcs)"
		continue
	fi
	fail "$r: the local run's outcomes, no code twice (exits $rcs)" \
		"builds: $(diff <(echo "$want") <(echo "$got") | tr '\n' ' ')" \
		"files: $(diff <(echo "$wantf") <(echo "$gotf") | tr '\n' ' ')" \
		"completed twice: $twice"
	if [ -n "${CHAOS_KEEP:-}" ]; then
		d=$CHAOS_KEEP/slurm-kill-$(date +%H%M%S)-${r//\//_}
		mkdir -p "$d"
		cp "$T"/r*.err "$d/" 2>/dev/null
		q "${DB}_k" "SELECT build_id, process_id, output_key, status, attempt, exit_code, slurm_job_id, reason FROM build ORDER BY build_id" > "$d/builds"
		cp -r "$K/data/.cascade" "$d/dotcascade" 2>/dev/null
		echo "# evidence kept in $d"
	fi
done
t_end
