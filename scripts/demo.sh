#!/bin/sh
# demo.sh [run|stop|clean|where] - the README's main command: set up and
# run cascade on an embedded default ("make demo"); stop its cluster
# ("make demo-stop"); remove the cluster and the archive ("make
# demo-clean"); print the cluster's directory and port (where).
#
# run starts (or reuses) a private PostgreSQL cluster, creates the
# schema, applies the demo mission (config/demo.yaml), delivers sample
# files into its incoming directory and runs ProcessQueue.  Everything
# lives under demo/ in the source tree.  As root, the cluster runs as
# the "postgres" user, who cannot enter a root-owned home directory, so
# it lives in /var/tmp/cascade-demo-pg-N instead.  N, and the port of the
# cluster's socket, are derived from the demo directory's path, so that
# two clones on one machine never share a cluster: one clone's
# demo-clean leaves the other's alone.
#
# Needs: CASCADE (the binary), PostgreSQL server binaries (Debian package
# postgresql; "scripts/install-deps.sh demo" installs what run needs).
#
# For tests: CASCADE_DEMO_DIR puts demo/ elsewhere (with a mission file
# of its own there), CASCADE_DEMO_PGDIR the cluster, CASCADE_DEMO_PORT
# its socket's port number.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
: "${CASCADE:=$top/build/cascade}"
demo=${CASCADE_DEMO_DIR:-$top/demo}
action=${1:-run}
case $action in
run|stop|clean|where) ;;
*) echo "usage: scripts/demo.sh [run|stop|clean|where]" >&2; exit 2 ;;
esac

# this demo directory's number: its path's CRC, the same on every run
n=$(printf '%s' "$demo" | cksum | cut -d ' ' -f 1)
port=${CASCADE_DEMO_PORT:-$((20000 + n % 40000))}
if [ "$(id -u)" -eq 0 ]; then
	: "${CASCADE_DEMO_PGDIR:=/var/tmp/cascade-demo-pg-$n}"
	as_pg() { runuser -u postgres -- "$@"; }
	pguser=postgres
else
	: "${CASCADE_DEMO_PGDIR:=$demo/pg}"
	as_pg() { "$@"; }
	pguser=$(id -un)
fi
pgdir=$CASCADE_DEMO_PGDIR
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

running() {
	[ -n "$pgbin" ] && [ -f "$pgdir/data/PG_VERSION" ] &&
		as_pg "$pgbin/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1
}
stop() {
	if running; then
		as_pg "$pgbin/pg_ctl" -D "$pgdir/data" stop -m fast -s
		echo "demo: stopped the cluster in $pgdir"
	elif [ -f "$pgdir/data/PG_VERSION" ]; then
		echo "demo: the cluster in $pgdir is not running"
	fi
}
case $action in
where)
	echo "pgdir=$pgdir port=$port"
	exit 0 ;;
stop)
	stop
	exit 0 ;;
clean)
	stop
	removed=
	for d in "$demo" "$pgdir"; do
		case $d in "$demo"/*) continue ;; esac
		[ -e "$d" ] || continue
		rm -rf "$d"
		removed="$removed $d"
	done
	[ -z "$removed" ] || echo "demo: removed$removed"
	exit 0 ;;
esac

[ -n "$pgbin" ] || { echo "demo: PostgreSQL server binaries not found (install the postgresql package, e.g. with \"scripts/install-deps.sh demo\")" >&2; exit 2; }
mkdir -p "$demo" "$pgdir"
[ "$(id -u)" -eq 0 ] && chown postgres: "$pgdir"
export PGHOST=$pgdir PGPORT=$port PGUSER=$pguser PGDATABASE=cascade_demo
unset PGPASSWORD PGSERVICE

if [ ! -f "$pgdir/data/PG_VERSION" ]; then
	echo "demo: creating a private PostgreSQL cluster in $pgdir/data"
	as_pg "$pgbin/initdb" -D "$pgdir/data" -U "$pguser" --auth=trust -E UTF8 --locale=C.UTF-8 >"$pgdir/initdb.log" 2>&1 ||
		{ cat "$pgdir/initdb.log" >&2; exit 1; }
fi
if ! as_pg "$pgbin/pg_ctl" -D "$pgdir/data" status >/dev/null 2>&1; then
	echo "demo: starting it on socket $pgdir, port $port"
	as_pg "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w \
		-o "-k $pgdir -p $port -c listen_addresses=''" start >/dev/null
fi
psql -X -q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'cascade_demo'" -At | grep -q 1 ||
	psql -X -q -d postgres -c "CREATE DATABASE cascade_demo" >/dev/null

"$CASCADE" init
mission=$top/config/demo.yaml
if [ "$demo" != "$top/demo" ]; then
	# the mission file names its directories relative to itself
	mission=$demo/demo.yaml
	sed -e "s|^  rootdir: .*|  rootdir: $demo/data|" \
	    -e "s|^  codedir: .*|  codedir: $top/config/demo-codes|" \
	    "$top/config/demo.yaml" > "$mission"
fi
"$CASCADE" config apply "$mission"

# deliver sample data: a week of raw L0 files (real text data files)
incoming=$demo/data/incoming
mkdir -p "$incoming"
n=0
for d in 01 02 03 04 05 06 07; do
	f=demo-a_mag_l0_202403${d}_v1.0.0.txt
	if [ -z "$(find "$demo/data" -name "$f" 2>/dev/null)" ]; then
		i=0
		{
			echo "# demo-a magnetometer L0, 2024-03-$d, counts per minute"
			while [ $i -lt 1440 ]; do
				echo "2024-03-${d}T$(printf '%02d:%02d' $((i / 60)) $((i % 60))):00Z $(( (i * 7 + ${d#0} * 13) % 1000 ))"
				i=$((i + 60))
			done
		} > "$incoming/.$f.part"
		mv "$incoming/.$f.part" "$incoming/$f"
		n=$((n + 1))
	fi
done
echo "demo: delivered $n sample files into $incoming"

rc=0
"$CASCADE" process-queue -v || rc=$?
echo
echo "demo: ProcessQueue exited with status $rc"
echo "demo: runs recorded:"
psql -X -P pager=off -c "SELECT logging_id AS run, command, status, exit_status, processing_start_time AS started, processing_end_time AS ended, comment FROM logging ORDER BY logging_id"
echo "demo: the state of the mission:"
"$CASCADE" status || rc=$?
"$CASCADE" report --html "$demo/report" || rc=$?
echo "demo: a report page: file://$demo/report/index.html"
echo "demo: the archive is in $demo/data; inspect the database with:"
echo "  PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER psql cascade_demo"
echo "demo: stop the cluster with \"make demo-stop\""
exit $rc
