# lib-netns.sh - two "hosts" on one machine, for the fail-over test
# (118-failover.sh) and bench/failover (bash; sourced).
#
# Each host is a network namespace (ip netns) joined to this machine by a
# veth pair, and its processes get a UTS namespace of their own, so that
# each has its own host name (the processing flag tells hosts apart by
# name).  A private PostgreSQL cluster listens on the machine's ends of
# both pairs (and a Unix socket for the test itself), so the hosts reach
# the database over TCP and can be cut off from it (ip link set down) or
# killed whole (every process of the namespace).  Traffic goes only to
# loopback and to the addresses made here (10.N.1.0/24, 10.N.2.0/24, N
# from our pid); everything is removed by netns_cleanup.
#
#   netns_setup DIR      namespaces, veths, cluster (in DIR); exit
#                        status 77 with the reason on stderr when
#                        namespaces or the cluster cannot be made
#   netns_run A|B CMD... CMD on host A or B (host name "host-a"/"host-b"),
#                        with PG* pointing at the cluster over TCP; it
#                        replaces the calling shell (exec: run it in the
#                        background, whose $! is then CMD's pid)
#   netns_cut A|B        unplug a host's link; netns_plug A|B again
#   netns_kill A|B       SIGKILL every process of a host
#   netns_cleanup        undo all of it
# After netns_setup, PGHOST/PGPORT/PGUSER in our environment point at
# the cluster's Unix socket.

NS_ID=$(( $$ % 100000 ))
NS_NET=$(( 200 + $$ % 50 ))
NS_A=cascade-w$NS_ID-a
NS_B=cascade-w$NS_ID-b
NS_DIR=

ns_of() { [ "$1" = A ] && echo "$NS_A" || echo "$NS_B"; }
ns_n() { [ "$1" = A ] && echo 1 || echo 2; }

netns_setup() {
	NS_DIR=$1
	local bin h n
	if [ "$(id -u)" -ne 0 ]; then echo "network namespaces need root" >&2; return 77; fi
	for c in ip unshare runuser; do
		command -v "$c" >/dev/null || { echo "$c not found" >&2; return 77; }
	done
	bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries (initdb) found" >&2; return 77; }
	id postgres >/dev/null 2>&1 || { echo "no postgres user to run a private cluster" >&2; return 77; }
	for h in A B; do
		n=$(ns_n $h)
		if ! ip netns add "$(ns_of $h)" 2>"$NS_DIR/netns.err"; then
			echo "cannot make a network namespace: $(cat "$NS_DIR/netns.err")" >&2
			netns_cleanup
			return 77
		fi
		ip link add "cw$NS_ID$n" type veth peer name "cw$NS_ID${n}p" &&
			ip link set "cw$NS_ID${n}p" netns "$(ns_of $h)" &&
			ip addr add "10.$NS_NET.$n.1/24" dev "cw$NS_ID$n" &&
			ip link set "cw$NS_ID$n" up &&
			ip netns exec "$(ns_of $h)" ip addr add "10.$NS_NET.$n.2/24" dev "cw$NS_ID${n}p" &&
			ip netns exec "$(ns_of $h)" ip link set "cw$NS_ID${n}p" up &&
			ip netns exec "$(ns_of $h)" ip link set lo up 2>"$NS_DIR/netns.err" || {
			echo "cannot set up a veth pair: $(cat "$NS_DIR/netns.err")" >&2
			netns_cleanup
			return 77
		}
	done
	# the private cluster, on both machine-side addresses
	mkdir -p "$NS_DIR/pg" "$NS_DIR/sock"
	chmod 711 "$NS_DIR"
	chown postgres "$NS_DIR/pg" "$NS_DIR/sock"
	NS_PGBIN=$bin
	if ! runuser -u postgres -- "$bin/initdb" -D "$NS_DIR/pg/data" -A trust -U postgres \
		-E UTF8 --locale=C --no-sync >"$NS_DIR/initdb.log" 2>&1; then
		echo "initdb failed: $(tail -3 "$NS_DIR/initdb.log")" >&2
		netns_cleanup
		return 77
	fi
	cat >> "$NS_DIR/pg/data/postgresql.auto.conf" <<EOF
listen_addresses = '10.$NS_NET.1.1,10.$NS_NET.2.1'
unix_socket_directories = '$NS_DIR/sock'
port = 5432
fsync = off
full_page_writes = off
max_connections = 40
shared_buffers = 32MB
EOF
	echo "host all all 10.$NS_NET.0.0/16 trust" >> "$NS_DIR/pg/data/pg_hba.conf"
	if ! runuser -u postgres -- "$bin/pg_ctl" -D "$NS_DIR/pg/data" -l "$NS_DIR/pg/server.log" \
		-w start >"$NS_DIR/pg_ctl.log" 2>&1 </dev/null; then
		echo "the private cluster did not start: $(tail -3 "$NS_DIR/pg/server.log")" >&2
		netns_cleanup
		return 77
	fi
	export PGHOST=$NS_DIR/sock PGPORT=5432 PGUSER=postgres
	unset PGPASSWORD
	return 0
}

netns_run() {
	local h=$1 n
	shift
	n=$(ns_n "$h")
	exec ip netns exec "$(ns_of "$h")" unshare --uts \
		env PGHOST="10.$NS_NET.$n.1" PGPORT=5432 PGUSER=postgres \
		sh -c 'hostname "$0" && exec "$@"' "host-$(echo "$h" | tr AB ab)" "$@"
}

netns_cut() { ip netns exec "$(ns_of "$1")" ip link set "cw$NS_ID$(ns_n "$1")p" down; }
netns_plug() { ip netns exec "$(ns_of "$1")" ip link set "cw$NS_ID$(ns_n "$1")p" up; }

# the pids of a host's processes (ip netns pids)
netns_pids() { ip netns pids "$(ns_of "$1")" 2>/dev/null; }

netns_kill() {
	local p
	# twice: what was being started when we looked
	for _ in 1 2; do
		p=$(netns_pids "$1")
		[ -n "$p" ] && kill -9 $p 2>/dev/null
	done
	return 0
}

netns_cleanup() {
	local h
	for h in A B; do
		netns_kill $h
		ip netns del "$(ns_of $h)" 2>/dev/null
		ip link del "cw$NS_ID$(ns_n $h)" 2>/dev/null
	done
	if [ -n "${NS_PGBIN:-}" ] && [ -d "$NS_DIR/pg/data" ]; then
		runuser -u postgres -- "$NS_PGBIN/pg_ctl" -D "$NS_DIR/pg/data" -m immediate \
			-w stop >/dev/null 2>&1 </dev/null
	fi
	return 0
}
