#!/bin/sh
# cascade-queue.sh - show cascade's processing queue with psql alone.
#
#   cascade-queue.sh [-d CONNINFO] [-p PRODUCT] [-c]
#
# Lists the queue in the order ProcessQueue works it (the queue_view
# view: seq, when and why each file was queued, product, date, version,
# forced bump, file name), or with -c/--count only the number of entries,
# like dbprocessing's printProcessQueue.py -c (the exit status stays 0).
# -p/--product keeps one product's entries.  The database comes from the
# PG* environment (PGDATABASE, PGHOST, ...), or from -d CONNINFO.  For
# when the cascade binary is not at hand; "cascade queue list" does the
# same.
set -eu
DBARG=
PRODUCT=
COUNT=
usage() {
	echo "usage: cascade-queue.sh [-d CONNINFO] [-p PRODUCT] [-c|--count]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	-d) [ $# -ge 2 ] || usage; DBARG=$2; shift 2 ;;
	-p|--product) [ $# -ge 2 ] || usage; PRODUCT=$2; shift 2 ;;
	--product=*) PRODUCT=${1#--product=}; shift ;;
	-c|--count) COUNT=1; shift ;;
	-h|--help)
		sed -n '2,14s/^# \{0,1\}//p' "$0"
		exit 0 ;;
	*) usage ;;
	esac
done
# psqlx ARGS: psql with our settings and the -d argument kept whole
psqlx() {
	if [ -n "$DBARG" ]; then
		psql -X -q -v ON_ERROR_STOP=1 -d "$DBARG" "$@"
	else
		psql -X -q -v ON_ERROR_STOP=1 "$@"
	fi
}
# the product is passed as a psql variable (:'product' quotes it), never
# spliced into the SQL text
if [ -n "$COUNT" ]; then
	psqlx -A -t -v product="$PRODUCT" <<'SQL'
SELECT count(*) FROM queue_view
 WHERE :'product' = '' OR product_name = :'product';
SQL
	exit 0
fi
n=$(psqlx -A -t -v product="$PRODUCT" <<'SQL'
SELECT count(*) FROM queue_view
 WHERE :'product' = '' OR product_name = :'product';
SQL
)
if [ "$n" -eq 0 ]; then
	echo "the queue is empty"
	exit 0
fi
psqlx -P footer=off -v product="$PRODUCT" <<'SQL'
SELECT seq, to_char(queued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS "queued (UTC)",
       product_name AS product, utc_file_date AS date, version,
       coalesce(version_bump, '') AS bump, filename AS file, reason
  FROM queue_view
 WHERE :'product' = '' OR product_name = :'product'
 ORDER BY seq;
SQL
if [ "$n" -eq 1 ]; then echo "1 entry"; else echo "$n entries"; fi
