# lib-adopt.sh - the dbprocessing fixture for the adoption tests (bash;
# source after lib.sh and t_begin).
#
# dbp_load [DB]: the fixture's dbprocessing database loaded into DB
# (default $DB) with mission.rootdir rewritten to $RUN, the run tree
# extracted there (archive, codes, errors, pub).
# dbp_dump FILE [DB]: the whole database (schema and rows) as text, for
# "nothing changed" comparisons.
# schema_dump FILE [DB]: the schema only, normalised, for comparing with a
# fresh "cascade init" object by object.

DFIX=$FIX/dbprocessing
RUN=$T/run

dbp_load() {
	local db=${1:-$DB}
	rm -rf "$RUN"
	mkdir -p "$RUN"
	tar -C "$RUN" --strip-components=2 -xzf "$DFIX/fixt-tree.tar.gz" ||
		{ echo "not ok - could not extract the fixture tree"; exit 1; }
	gunzip -c "$DFIX/fixt.pg.sql.gz" |
		psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null ||
		{ echo "not ok - could not load the fixture dump"; exit 1; }
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
		-c "UPDATE public.mission SET rootdir = '$RUN'" >/dev/null
}

dbp_dump() {
	pg_dump --no-owner --no-privileges -d "${2:-$DB}" |
		grep -v -e '^\\restrict' -e '^\\unrestrict' > "$1"
}

schema_dump() {
	pg_dump -s --no-owner --no-privileges -d "${2:-$DB}" |
		grep -v -e '^\\restrict' -e '^\\unrestrict' -e '^--' -e '^$' > "$1"
}

# manifest_of DB: manifest.tsv's columns (without disk_sha1 and path) as
# the database has them; newest from cascade's newest_file view
manifest_of() {
	psql -X -A -t -F "$(printf '\t')" -d "${1:-$DB}" -c "
	SELECT f.filename, p.product_name,
	       f.interface_version || '.' || f.quality_version || '.' || f.revision_version,
	       f.utc_file_date,
	       CASE WHEN EXISTS (SELECT 1 FROM newest_file n WHERE n.file_id = f.file_id)
	            THEN 'True' ELSE 'False' END,
	       CASE WHEN f.exists_on_disk THEN 'True' ELSE 'False' END, f.shasum
	  FROM file f JOIN product p USING (product_id) ORDER BY f.filename"
}

# links_of DB: links.tsv's lines as the database has them, sorted
links_of() {
	psql -X -A -t -d "${1:-$DB}" -c "
	SELECT concat_ws(E'\t', 'L', r.filename, s.filename) FROM filefilelink l
	  JOIN file r ON r.file_id = l.resulting_file
	  JOIN file s ON s.file_id = l.source_file
	UNION ALL
	SELECT concat_ws(E'\t', 'C', f.filename, c.filename, c.interface_version
	       || '.' || c.quality_version || '.' || c.revision_version)
	  FROM filecodelink l JOIN file f ON f.file_id = l.resulting_file
	  JOIN code c ON c.code_id = l.source_code
	UNION ALL
	SELECT concat_ws(E'\t', 'Q', f.filename, coalesce(q.version_bump::text, '-'))
	  FROM processqueue q JOIN file f USING (file_id)" | LC_ALL=C sort
}

# rows_of DB: every row of every table of DB as JSON, sorted, without the
# columns that differ between dbprocessing's two backends or between two
# adoptions (times, pids, runMe temp dirs in verbose_provenance)
rows_of() {
	local t
	for t in $(psql -X -A -t -d "$1" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"); do
		psql -X -A -t -d "$1" -c "SELECT '$t ' || (to_jsonb(x) - ARRAY['file_create_date',
		  'verbose_provenance', 'processing_start_time', 'processing_end_time', 'pid',
		  'registered_at', 'queued_at', 'occurred_at', 'resolved_at', 'applied_at'])::text
		  FROM public.$t x" | LC_ALL=C sort
	done
}
