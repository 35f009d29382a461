# 090-demo: the README's main command (make demo, i.e. scripts/demo.sh)
# on a fresh directory: its own PostgreSQL cluster, the demo mission,
# sample files in, every product out, a report page; run twice (the
# second run has nothing to do).
. "$(dirname "$0")/lib.sh"
t_begin demo

D=$T/demo
# as root the cluster belongs to the postgres user, who cannot enter $T
PGD=$(mktemp -d "${TMPDIR:-/var/tmp}/cascade-t-demo-pg.XXXXXX")
chmod 755 "$PGD"
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
stop_demo() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$pgbin/pg_ctl" -D "$PGD/data" stop -m immediate >/dev/null 2>&1
	else
		"$pgbin/pg_ctl" -D "$PGD/data" stop -m immediate >/dev/null 2>&1
	fi
	rm -rf "$PGD"
}
trap 'stop_demo; t_cleanup' EXIT

demo() {
	env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER \
		CASCADE_DEMO_DIR="$D" CASCADE_DEMO_PGDIR="$PGD" CASCADE_DEMO_PORT=54331 \
		sh "$SRC/scripts/demo.sh"
}
expect_rc 0 "the demo runs" demo
contains "it delivers a week of samples" "$out" "demo: delivered 7 sample files"
contains "ProcessQueue succeeds" "$out" "demo: ProcessQueue exited with status 0"
equals "7 L0 files archived" "$(find "$D/data" -name 'demo-a_mag_l0_*' -type f | wc -l)" 7
equals "7 daily L1 files made" "$(find "$D/data" -name 'demo-a_mag_l1_*' -type f | wc -l)" 7
equals "7 L2 files made" "$(find "$D/data" -name 'demo-a_mag_l2_*' -type f | wc -l)" 7
contains "status shows the mission" "$out" "builds"
[ -s "$D/report/index.html" ] && pass "a report page is written" || fail "a report page is written"
contains "and named" "$out" "file://$D/report/index.html"
equals "incoming is empty" "$(ls -A "$D/data/incoming" | wc -l)" 0

expect_rc 0 "the demo again" demo
contains "nothing new delivered" "$out" "demo: delivered 0 sample files"
equals "still 7 L1 files: nothing rebuilt" "$(find "$D/data" -name 'demo-a_mag_l1_*' -type f | wc -l)" 7
t_end
