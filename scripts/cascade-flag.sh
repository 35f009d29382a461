#!/bin/sh
# cascade-flag.sh - show or clear cascade's processing flag with psql alone.
#
#   cascade-flag.sh show
#   cascade-flag.sh clear "REASON"
#
# The database comes from the PG* environment (PGDATABASE, PGHOST, ...),
# or from -d CONNINFO given first.  For when the cascade binary is not at
# hand.  "clear" marks the holder's run as cleared, as "cascade flag clear"
# and dbprocessing's clearProcessingFlag.py do; it refuses while the
# holder's database session is alive (the session's advisory lock is
# held), because that controller is still running.
set -eu
DBARG=
if [ "${1:-}" = "-d" ]; then
	DBARG=$2
	shift 2
fi
# psqlx ARGS: psql with our settings and the -d argument kept whole
psqlx() {
	if [ -n "$DBARG" ]; then
		psql -X -v ON_ERROR_STOP=1 -d "$DBARG" "$@"
	else
		psql -X -v ON_ERROR_STOP=1 "$@"
	fi
}
usage() {
	echo "usage: cascade-flag.sh [-d CONNINFO] show | clear REASON" >&2
	exit 2
}
case "${1:-}" in
show)
	out=$(psqlx -A -t -F ' ' -c "
		SELECT 'run ' || l.logging_id || ': pid ' || l.pid || ' on host ' || l.hostname
		       || ' (user ' || l.\"user\" || ', command ' || l.command
		       || ') since ' || l.processing_start_time || ' UTC; session '
		       || CASE WHEN EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory'
		                            AND k.classid = 1667330915 AND k.objid = 2 AND k.objsubid = 2
		                            AND k.granted)
		               THEN 'alive' ELSE 'gone (stale flag)' END
		  FROM logging l WHERE l.currently_processing")
	if [ -z "$out" ]; then
		echo "no processing flag is set"
	else
		echo "processing flag held by $out"
	fi
	;;
clear)
	[ $# -eq 2 ] && [ -n "$2" ] || usage
	# one transaction: serialise with cascade (advisory lock 3), refuse a
	# live holder (try the flag's own lock 2), then clear
	psqlx -q -A -t -v reason="$2" <<'SQL'
BEGIN;
SELECT pg_advisory_xact_lock(1667330915, 3) IS NULL AS dummy \gset
SELECT pg_try_advisory_xact_lock(1667330915, 2) AS free \gset
\if :free
UPDATE logging SET currently_processing = false, status = 'cleared',
       processing_end_time = greatest(processing_start_time, now() AT TIME ZONE 'UTC'),
       comment = 'Overridden:' || :'reason' || ':cascade-flag.sh'
 WHERE currently_processing;
COMMIT;
\echo processing flag cleared
\else
ROLLBACK;
DO $$ BEGIN RAISE EXCEPTION 'refused: the holder of the processing flag is alive (its database session holds the lock)'; END $$;
\endif
SQL
	;;
*)
	usage
	;;
esac
