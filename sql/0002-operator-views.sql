-- 0002-operator-views.sql: views for the questions operators ask most,
-- the archive path of a file in SQL, the record of product moves, and a
-- read-only role.
--
--   cascade_format_path(...)  a product's relative_path template
--                             formatted for one file, as cascade does
--   newest_file_view          newest version of every product and date,
--                             with names, version text and archive path
--   queue_view                the processing queue with names
--   failures_view             unresolved failures with process, code and
--                             file names
--   run_summary               runs per day and command, with outcomes,
--                             counts and durations
--   product_move              "cascade move-product" runs, journaled:
--                             old and new relative_path and how far the
--                             move got
--   role cascade_readonly     NOLOGIN; SELECT on every table and view,
--                             now and later (grant it to people's roles)

-- A product's relative_path (or any cascade file-name template) formatted
-- with a file's values: date fields from d, time fields from t, {VERSION}
-- from iv.qv.rv, name fields from the names given, keyword fields
-- ({APID}, {nnn}, {????}, ...) from kw ("key=value key2=value2", as in
-- file.process_keywords).  NULL when a field it needs has no value.
-- The same rules as cascade's fnformat.c, which is what cascade itself
-- uses; this function is for psql.
CREATE FUNCTION cascade_format_path(tmpl text, d date, t timestamp,
                                    iv integer, qv integer, rv integer,
                                    mission text, satellite text,
                                    instrument text, product text, kw text)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
    s text := tmpl;
    k text;
    v text;
    flds text[] := ARRAY['{Y}', '{y}', '{m}', '{d}', '{j}', '{b}', '{DATE}',
                         '{datetime}', '{H}', '{M}', '{S}', '{MILLI}',
                         '{MICRO}', '{VERSION}', '{MISSION}', '{SATELLITE}',
                         '{SPACECRAFT}', '{INSTRUMENT}', '{PRODUCT}'];
    vals text[] := ARRAY[to_char(d, 'YYYY'), to_char(d, 'YY'),
                         to_char(d, 'MM'), to_char(d, 'DD'),
                         to_char(d, 'DDD'), to_char(d, 'Mon'),
                         to_char(d, 'YYYYMMDD'), to_char(d, 'YYYYMMDD'),
                         to_char(t, 'HH24'), to_char(t, 'MI'),
                         to_char(t, 'SS'), to_char(t, 'MS'),
                         lpad((extract(microseconds FROM t)::bigint % 1000)::text, 3, '0'),
                         iv || '.' || qv || '.' || rv, mission, satellite,
                         satellite, instrument, product];
BEGIN
    IF s IS NULL THEN
        RETURN NULL;
    END IF;
    -- {{ and }} are literal braces: park them out of the way
    s := replace(replace(s, '{{', chr(1)), '}}', chr(2));
    -- a field without a value makes the result NULL (replace is strict)
    FOR n IN 1 .. array_length(flds, 1) LOOP
        IF strpos(s, flds[n]) > 0 THEN
            s := replace(s, flds[n], vals[n]);
        END IF;
    END LOOP;
    -- keyword fields: fixed-width ones take exactly their width (their
    -- values may hold spaces), the others run to the next space
    FOREACH k IN ARRAY ARRAY['????', '???', '??'] LOOP
        IF strpos(s, '{' || k || '}') > 0 THEN
            v := substring(' ' || coalesce(kw, '') FROM
                           ' ' || replace(k, '?', '\?') || '=(' ||
                           repeat('.', length(k)) || ')');
            s := replace(s, '{' || k || '}', v);
        END IF;
    END LOOP;
    FOREACH k IN ARRAY ARRAY['nnnn', 'nnn', 'nn', 'APID', 'QACODE', 'mday'] LOOP
        IF strpos(s, '{' || k || '}') > 0 THEN
            v := substring(' ' || coalesce(kw, '') FROM ' ' || k || '=([^ ]*)');
            s := replace(s, '{' || k || '}', v);
        END IF;
    END LOOP;
    IF s IS NULL OR strpos(s, '{') > 0 OR strpos(s, '}') > 0 THEN
        RETURN NULL;
    END IF;
    RETURN replace(replace(s, chr(1), '{'), chr(2), '}');
END
$fn$;

-- The newest version of every product and date, with the names people
-- search by and the file's path relative to the mission's rootdir.
CREATE VIEW newest_file_view AS
SELECT f.file_id, p.product_name, p.level, f.filename, f.utc_file_date,
       f.interface_version || '.' || f.quality_version || '.' ||
           f.revision_version AS version,
       cascade_format_path(p.relative_path, f.utc_file_date,
                           f.utc_start_time, f.interface_version,
                           f.quality_version, f.revision_version,
                           m.mission_name, s.satellite_name,
                           i.instrument_name, p.product_name,
                           f.process_keywords) || '/' || f.filename
           AS archive_path,
       f.utc_start_time, f.utc_stop_time, f.exists_on_disk, f.size_bytes,
       f.shasum, f.file_create_date, f.product_id
  FROM newest_file f
  JOIN product p USING (product_id)
  JOIN instrument i USING (instrument_id)
  JOIN satellite s USING (satellite_id)
  JOIN mission m USING (mission_id);

-- The processing queue in the order it is worked, with names.
CREATE VIEW queue_view AS
SELECT q.seq, q.file_id, f.filename, p.product_name, f.utc_file_date,
       f.interface_version || '.' || f.quality_version || '.' ||
           f.revision_version AS version,
       CASE q.version_bump WHEN 0 THEN 'interface' WHEN 1 THEN 'quality'
                           WHEN 2 THEN 'revision' END AS version_bump,
       q.queued_at, q.reason, q.logging_id
  FROM processqueue q
  JOIN file f USING (file_id)
  JOIN product p USING (product_id);

-- Failures nobody has resolved yet, with what failed in words: the
-- process, its code and version, the output key and file, or for an
-- ingest reject the incoming file's name.
CREATE VIEW failures_view AS
SELECT fl.failure_id, fl.occurred_at, fl.kind, pr.process_name,
       b.output_key,
       coalesce(fl.filename, b.output_filename) AS filename,
       c.filename AS code,
       c.interface_version || '.' || c.quality_version || '.' ||
           c.revision_version AS code_version,
       b.status AS build_status, b.exit_code, b.term_signal, b.attempt,
       fl.reason, fl.stderr_tail, b.log_path, fl.build_id, fl.batch_id,
       fl.logging_id
  FROM failure fl
  LEFT JOIN build b USING (build_id)
  LEFT JOIN process pr ON pr.process_id = b.process_id
  LEFT JOIN code c ON c.code_id = b.code_id
 WHERE NOT fl.resolved;

-- Runs per day (UTC) and command: how many, how they ended, what they
-- did and how long they took (seconds).  Runs still going count in
-- "running" and not in the durations.
CREATE VIEW run_summary AS
SELECT l.processing_start_time::date AS day, l.command,
       count(*) AS runs,
       count(*) FILTER (WHERE l.status = 'ok') AS ok,
       count(*) FILTER (WHERE l.status = 'failed') AS failed,
       count(*) FILTER (WHERE l.status IN ('aborted', 'interrupted',
                                           'cleared')) AS aborted,
       count(*) FILTER (WHERE l.status = 'running') AS running,
       sum(l.files_ingested) AS files_ingested,
       sum(l.files_duplicate) AS files_duplicate,
       sum(l.files_rejected) AS files_rejected,
       sum(l.builds_ok) AS builds_ok,
       sum(l.builds_failed) AS builds_failed,
       sum(l.builds_skipped) AS builds_skipped,
       min(extract(epoch FROM l.processing_end_time - l.processing_start_time)) AS min_s,
       avg(extract(epoch FROM l.processing_end_time - l.processing_start_time)) AS mean_s,
       max(extract(epoch FROM l.processing_end_time - l.processing_start_time)) AS max_s,
       min(l.processing_start_time) AS first_start,
       max(l.processing_start_time) AS last_start
  FROM logging l
 GROUP BY 1, 2;

-- Product moves ("cascade move-product"), journaled so that a move killed
-- anywhere is finished or undone: the row is written first ('linking'),
-- then every file gets its new name (a hard link), then the product's
-- relative_path changes in the transaction that marks the row
-- 'committed', then the old names are removed ('done').  A row left
-- 'linking' is undone by "check --repair" (its new names removed) or
-- resumed by a move-product to the same directory; a row left
-- 'committed' is finished by either (its old names removed).
CREATE TABLE product_move (
    move_id             bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    product_id          integer NOT NULL REFERENCES product ON DELETE CASCADE,
    old_relative_path   text NOT NULL,
    new_relative_path   text NOT NULL,
    state               varchar(10) NOT NULL DEFAULT 'linking'
        CHECK (state IN ('linking', 'committed', 'done', 'undone')),
    files               integer NOT NULL DEFAULT 0 CHECK (files >= 0),
    logging_id          bigint REFERENCES logging ON DELETE SET NULL,
    started_at          timestamptz NOT NULL DEFAULT now(),
    ended_at            timestamptz,
    CHECK (old_relative_path <> new_relative_path),
    CHECK ((state IN ('done', 'undone')) = (ended_at IS NOT NULL))
);
-- at most one unfinished move per product
CREATE UNIQUE INDEX product_move_pending ON product_move (product_id)
    WHERE state IN ('linking', 'committed');

-- A read-only role for people and dashboards: GRANT cascade_readonly TO
-- alice.  Roles belong to the cluster, so it is created once and then
-- shared by every cascade database on the server.  Creating it needs
-- CREATEROLE; without it, and if it does not exist yet, the migration
-- goes on with a NOTICE (create the role later and run the GRANTs by
-- hand, see cascade(7)).
DO $do$
DECLARE
    can_create boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles
                    WHERE rolname = 'cascade_readonly') THEN
        SELECT rolcreaterole OR rolsuper INTO can_create
          FROM pg_catalog.pg_roles WHERE rolname = current_user;
        IF NOT coalesce(can_create, false) THEN
            RAISE NOTICE 'role "cascade_readonly" not created: role "%" lacks CREATEROLE', current_user;
            RETURN;
        END IF;
        BEGIN
            CREATE ROLE cascade_readonly NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;   -- created meanwhile by an init of another database
        END;
    END IF;
    GRANT USAGE ON SCHEMA public TO cascade_readonly;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO cascade_readonly;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public
        GRANT SELECT ON TABLES TO cascade_readonly;
END
$do$;
