# 090-demo: the README's main command (make demo, i.e. scripts/demo.sh)
# on a fresh directory: its own PostgreSQL cluster, the demo mission,
# sample files in, every product out, a report page; run twice (the
# second run has nothing to do).  Each demo directory (each clone) has a
# cluster directory and port of its own; stop and clean say what they
# did, without errors, and leave other clones' clusters alone.
. "$(dirname "$0")/lib.sh"
t_begin demo

# as root the cluster belongs to the postgres user, who cannot enter $T:
# the demo directories live where it can
chmod 755 "$T"
D=$T/clone-a/demo
D2=$T/clone-b/demo
mkdir -p "$T/clone-a" "$T/clone-b"
demo() {
	env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER -u CASCADE_DEMO_PGDIR -u CASCADE_DEMO_PORT \
		CASCADE_DEMO_DIR="$D" sh "$SRC/scripts/demo.sh" "$@"
}
demo2() {
	env -u PGHOST -u PGPORT -u PGDATABASE -u PGUSER -u CASCADE_DEMO_PGDIR -u CASCADE_DEMO_PORT \
		CASCADE_DEMO_DIR="$D2" sh "$SRC/scripts/demo.sh" "$@"
}
trap 'demo clean >/dev/null 2>&1; demo2 clean >/dev/null 2>&1; t_cleanup' EXIT

# each clone its own cluster directory and port, the same every time
w1=$(demo where)
w2=$(demo2 where)
pg1=$(echo "$w1" | sed -n 's/^pgdir=\([^ ]*\) port=.*/\1/p')
port1=${w1##*port=}
port2=${w2##*port=}
contains "where: a cluster directory and a port" "$w1" "pgdir=/"
equals "the same clone, the same answer" "$(demo where)" "$w1"
not_contains "another clone, another cluster directory" "$w2" "pgdir=$pg1 "
[ "$port1" != "$port2" ] && pass "another clone, another port ($port1, $port2)" || fail "another clone, another port" "$port1 $port2"
if [ "$(id -u)" -eq 0 ]; then
	contains "as root: under /var/tmp, named for the clone" "$pg1" "/var/tmp/cascade-demo-pg-"
else
	equals "as a user: under the demo directory" "$pg1" "$D/pg"
fi

expect_rc 0 "the demo runs" demo
first=$out
contains "it delivers a week of samples" "$out" "demo: delivered 7 sample files"
contains "on its own socket and port" "$out" "demo: starting it on socket $pg1, port $port1"
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

# another clone's clean does not touch this one's cluster
expect_rc 0 "another clone's demo-clean" demo2 clean
equals "says nothing: it had nothing" "$out$err" ""
[ -f "$pg1/data/PG_VERSION" ] && pass "this clone's cluster is still there" || fail "this clone's cluster is still there"
# the psql command the demo printed
pgenv=$(echo "$first" | sed -n 's/^  \(PGHOST=.*\) psql cascade_demo$/\1/p')
contains "the demo names its psql command" "$pgenv" "PGHOST=$pg1 PGPORT=$port1 "
expect_rc 0 "this clone's cluster still answers" env -u PGDATABASE $pgenv psql -X -A -t -d cascade_demo -c "SELECT count(*) FROM file"
equals "with its 21 files (7 L0, 7 L1, 7 L2)" "$out" 21

# stop, then clean: what each did, no error
expect_rc 0 "demo-stop" demo stop
equals "says it stopped the cluster" "$out" "demo: stopped the cluster in $pg1"
equals "no error" "$err" ""
expect_rc 0 "demo-stop again" demo stop
equals "says it is not running" "$out$err" "demo: the cluster in $pg1 is not running"
expect_rc 0 "demo-clean after demo-stop" demo clean
equals "no pg_ctl error, nothing on stderr" "$err" ""
not_contains "no pg_ctl message" "$out" "pg_ctl"
[ ! -e "$D" ] && [ ! -e "$pg1" ] && pass "the demo directory and the cluster are gone" || fail "the demo directory and the cluster are gone"
t_end
