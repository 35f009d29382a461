-- 0015-periods.sql: HOURLY and ORBIT keys (issue 16, item 3).
--
--   process.output_timebase
--                         HOURLY and ORBIT too: a key is an hour, or an
--                         orbit of the orbit table (0014)
--   product.timebase      how a product's files are told apart within a
--                         date: DAILY (one file per date and version, as
--                         dbprocessing), HOURLY (one per hour), ORBIT
--                         (one per orbit).  An HOURLY or ORBIT process
--                         makes a product of its own timebase
--   file.period_number    which period of its date a file is: for an
--                         HOURLY product the hour since 1970 (floored:
--                         negative before it), for an ORBIT product the
--                         orbit number, 0 for DAILY products.  Part of
--                         the file's identity: "Unique file tuple" and
--                         every "newest version of a date" choice are per
--                         (product, date, period_number)
--   purged_file.period_number, build.period_number
--                         the same for a purged file and for a build's
--                         key (0 for keys of days)
--   build.period_range    an HOURLY or ORBIT build's period when it was
--                         planned: a key whose orbit moved since its
--                         output was built is built again, with the
--                         reason 'period-changed' (build_reason.kind)
--   cascade_period_range(timebase, number)
--                         the instants [start, stop) of an hour or of an
--                         orbit (NULL for an orbit not in the table)
--   cascade_key_inputs(pid, ks, ke, kw, pn)
--                         0013's, with the key's period number: an
--                         HOURLY key finds the inputs whose span overlaps
--                         its hour widened by yesterday hours before and
--                         tomorrow hours after, an ORBIT key the orbits
--                         around it (the yesterday-th orbit before it in
--                         the table, gaps included, as far as the table
--                         goes); keys of days as before
--   cascade_file_day(timebase, date)
--                         the day within which a file's newest version is
--                         chosen: its date, none for a product of orbits
--                         (the orbit is the key: an orbit corrected to
--                         start on another day gives its output another
--                         date, and the new output supersedes the old)
--   newest_file           newest version of every product, day and
--                         period number
--   newest_file_view      0002's, with the period number
--
-- dbprocessing had no HOURLY timebase and never planned ORBIT: its files
-- are all of period 0, and its readers ignore the new columns.

ALTER TABLE process DROP CONSTRAINT IF EXISTS process_output_timebase_check;
ALTER TABLE process ADD CONSTRAINT process_output_timebase_check
    CHECK (output_timebase IN ('FILE', 'HOURLY', 'DAILY', 'WEEKLY',
                               'MONTHLY', 'YEARLY', 'ORBIT', 'RUN'));

ALTER TABLE product ADD COLUMN timebase varchar(10) NOT NULL DEFAULT 'DAILY'
    CHECK (timebase IN ('DAILY', 'HOURLY', 'ORBIT'));
ALTER TABLE file ADD COLUMN period_number bigint NOT NULL DEFAULT 0;
ALTER TABLE purged_file ADD COLUMN period_number bigint NOT NULL DEFAULT 0;
ALTER TABLE build ADD COLUMN period_number bigint NOT NULL DEFAULT 0;
-- an HOURLY or ORBIT build's period as it was planned: an orbit loaded
-- again with other times rebuilds its key ("period-changed")
ALTER TABLE build ADD COLUMN period_range tsrange;
ALTER TABLE build_reason DROP CONSTRAINT IF EXISTS build_reason_kind_check;
ALTER TABLE build_reason ADD CONSTRAINT build_reason_kind_check
    CHECK (kind IN ('first', 'input-added', 'input-removed',
                    'input-changed', 'neighbour-changed',
                    'code-changed', 'forced', 'requested',
                    'scheduled', 'period-changed'));

DROP INDEX "Unique file tuple";
CREATE UNIQUE INDEX "Unique file tuple" ON file
    (product_id, coalesce(utc_file_date, '-infinity'::date), period_number,
     interface_version, quality_version, revision_version);
DROP INDEX file_product_date_version;
CREATE INDEX file_product_date_version ON file
    (product_id, utc_file_date, period_number, interface_version DESC,
     quality_version DESC, revision_version DESC);
-- the files of an orbit (of a product of orbits, or of hours), whatever
-- their date: the newest version of an orbit is chosen by its number
CREATE INDEX file_product_period ON file (product_id, period_number)
    WHERE period_number <> 0;
DROP INDEX purged_file_key;
CREATE INDEX purged_file_key ON purged_file
    (product_id, utc_file_date, period_number);

-- The day a file's newest version is chosen within: its date, but for a
-- product of orbits none: an orbit is the key, and an orbit corrected to
-- start on another day gives its next output another date.
CREATE FUNCTION cascade_file_day(timebase text, d date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT CASE WHEN timebase = 'ORBIT' THEN NULL ELSE d END
$fn$;

CREATE OR REPLACE VIEW newest_file AS
SELECT DISTINCT ON (f.product_id,
                    cascade_file_day(p.timebase, f.utc_file_date),
                    f.period_number) f.*
  FROM file f JOIN product p ON p.product_id = f.product_id
 ORDER BY f.product_id, cascade_file_day(p.timebase, f.utc_file_date),
          f.period_number, f.interface_version DESC,
          f.quality_version DESC, f.revision_version DESC;

-- 0002's view, with the period number (several rows of one date of a
-- product of hours or orbits).
CREATE OR REPLACE VIEW newest_file_view AS
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
       f.shasum, f.file_create_date, f.product_id, f.period_number
  FROM newest_file f
  JOIN product p USING (product_id)
  JOIN instrument i USING (instrument_id)
  JOIN satellite s USING (satellite_id)
  JOIN mission m USING (mission_id);

-- The instants [start, stop) of hour or orbit number n.
CREATE FUNCTION cascade_period_range(tb text, n bigint)
RETURNS tsrange LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT CASE tb
  WHEN 'HOURLY' THEN tsrange('epoch'::timestamp + n * interval '1 hour',
                             'epoch'::timestamp + (n + 1) * interval '1 hour',
                             '[)')
  WHEN 'ORBIT' THEN (SELECT tsrange(o.start_time, o.stop_time, '[)')
                       FROM public.orbit o WHERE o.orbit_number = n)
  END
$fn$;

DROP FUNCTION cascade_key_inputs(integer, date, date, text);

-- The current inputs of output key [ks, ke] (keywords kw: FILE keys;
-- period number pn: HOURLY and ORBIT keys, whose ks and ke are the days
-- of its first and last instant) of process pid: for each of its input
-- products, the newest version on disk of every date and period whose
-- file is in the key's window.  The window (w) is the key's period
-- widened by the input's yesterday and tomorrow periods: days for keys
-- of days, hours for HOURLY, orbits of the table for ORBIT; "in it"
-- means, for DAILY and longer, HOURLY and ORBIT, that the file's time
-- span (cascade_file_span, under its product's stop-time rule) overlaps
-- it, however long the file; for FILE and RUN that the file's date is
-- in it (FILE: with the key's keywords).  own: the file is in the key's
-- period itself, not only in the window.  The newest version of a date
-- is chosen before the window is applied, so an older version is never
-- taken for a newer one whose span moved; a pinned input's per interface
-- version (0013).
CREATE FUNCTION cascade_key_inputs(pid integer, ks date, ke date, kw text,
                                   pn bigint DEFAULT 0)
RETURNS TABLE (input_product_id integer, optional boolean, file_id bigint,
               filename text, utc_file_date date,
               interface_version smallint, quality_version smallint,
               revision_version smallint, process_keywords text,
               own boolean, period_number bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT l.input_product_id, coalesce(l.group_optional, l.optional),
       x.file_id, x.filename,
       x.utc_file_date, x.interface_version, x.quality_version,
       x.revision_version, x.process_keywords, x.own, x.period_number
  FROM public.process pr
  JOIN public.productprocesslink l ON l.process_id = pr.process_id
  JOIN public.product p ON p.product_id = l.input_product_id
  CROSS JOIN LATERAL (
    SELECT o.own, o.win,
           lower(o.win)::date - 1 AS d0,
           (upper(o.win) - interval '1 microsecond')::date + 1 AS d1
      FROM (SELECT CASE pr.output_timebase
              WHEN 'HOURLY' THEN public.cascade_period_range('HOURLY', pn)
              WHEN 'ORBIT' THEN public.cascade_period_range('ORBIT', pn)
              ELSE tsrange(ks::timestamp, (ke + 1)::timestamp, '[)')
            END AS own,
            CASE pr.output_timebase
              WHEN 'HOURLY' THEN tsrange(
                lower(public.cascade_period_range('HOURLY',
                                                  pn - l.yesterday)),
                upper(public.cascade_period_range('HOURLY',
                                                  pn + l.tomorrow)), '[)')
              WHEN 'ORBIT' THEN tsrange(
                (SELECT min(b.start_time) FROM (SELECT o1.start_time
                   FROM public.orbit o1 WHERE o1.orbit_number <= pn
                   ORDER BY o1.orbit_number DESC
                   LIMIT l.yesterday + 1) b),
                (SELECT max(a.stop_time) FROM (SELECT o2.stop_time
                   FROM public.orbit o2 WHERE o2.orbit_number >= pn
                   ORDER BY o2.orbit_number LIMIT l.tomorrow + 1) a),
                '[)')
              ELSE tsrange((ks - l.yesterday)::timestamp,
                           (ke + l.tomorrow + 1)::timestamp, '[)')
            END AS win OFFSET 0) o
     WHERE NOT isempty(o.own) AND NOT isempty(o.win)
     -- (a fence: the window is computed once a link, not copied into
     -- every test that uses it, which made planning 60% slower)
     OFFSET 0
  ) w
  CROSS JOIN LATERAL (
    -- FILE and RUN: by date
    SELECT n.file_id, n.filename, n.utc_file_date, n.interface_version,
           n.quality_version, n.revision_version, n.process_keywords,
           n.utc_file_date BETWEEN ks AND ke AS own, n.period_number
      FROM (SELECT DISTINCT ON (f.utc_file_date, f.period_number,
                                CASE WHEN l.interface_pin IS NULL THEN 0
                                     ELSE f.interface_version END)
                   f.file_id, f.filename,
                   f.utc_file_date, f.interface_version, f.quality_version,
                   f.revision_version, f.process_keywords, f.period_number
              FROM public.file f
             WHERE pr.output_timebase IN ('FILE', 'RUN')
               AND f.product_id = l.input_product_id AND f.exists_on_disk
               AND f.utc_file_date BETWEEN ks - l.yesterday
                                       AND ke + l.tomorrow
             ORDER BY f.utc_file_date, f.period_number,
                      CASE WHEN l.interface_pin IS NULL THEN 0
                           ELSE f.interface_version END,
                      f.interface_version DESC,
                      f.quality_version DESC, f.revision_version DESC) n
     WHERE (pr.output_timebase <> 'FILE'
            OR coalesce(n.process_keywords, '') = coalesce(kw, ''))
    UNION ALL
    -- by time: the dates a regular file of the window can have
    SELECT n.file_id, n.filename, n.utc_file_date, n.interface_version,
           n.quality_version, n.revision_version, n.process_keywords,
           cascade_file_span(n.utc_start_time, n.utc_stop_time,
                             n.utc_file_date, p.stop_time_exclusive)
             && w.own, n.period_number
      FROM (SELECT DISTINCT ON (f.utc_file_date, f.period_number,
                                CASE WHEN l.interface_pin IS NULL THEN 0
                                     ELSE f.interface_version END)
                   f.file_id, f.filename,
                   f.utc_file_date, f.utc_start_time, f.utc_stop_time,
                   f.interface_version, f.quality_version,
                   f.revision_version, f.process_keywords, f.period_number
              FROM public.file f
             WHERE pr.output_timebase NOT IN ('FILE', 'RUN')
               AND f.product_id = l.input_product_id AND f.exists_on_disk
               AND f.utc_file_date BETWEEN w.d0 AND w.d1
             ORDER BY f.utc_file_date, f.period_number,
                      CASE WHEN l.interface_pin IS NULL THEN 0
                           ELSE f.interface_version END,
                      f.interface_version DESC,
                      f.quality_version DESC, f.revision_version DESC) n
     WHERE cascade_file_span(n.utc_start_time, n.utc_stop_time,
                             n.utc_file_date, p.stop_time_exclusive)
             && w.win
    UNION ALL
    -- by time: long files of other dates (file_span_long), when they
    -- are the newest version on disk of their date and period (of their
    -- interface, for a pinned input)
    SELECT f.file_id, f.filename, f.utc_file_date, f.interface_version,
           f.quality_version, f.revision_version, f.process_keywords,
           cascade_file_span(f.utc_start_time, f.utc_stop_time,
                             f.utc_file_date, p.stop_time_exclusive)
             && w.own, f.period_number
      FROM public.file f
     WHERE pr.output_timebase NOT IN ('FILE', 'RUN')
       AND NOT cascade_file_regular(f.utc_start_time, f.utc_stop_time,
                                    f.utc_file_date)
       AND int4range(f.product_id, f.product_id, '[]') @> l.input_product_id
       AND cascade_file_span(f.utc_start_time, f.utc_stop_time,
                             f.utc_file_date, false) && w.win
       AND f.exists_on_disk
       AND f.utc_file_date NOT BETWEEN w.d0 AND w.d1
       AND cascade_file_span(f.utc_start_time, f.utc_stop_time,
                             f.utc_file_date, p.stop_time_exclusive)
             && w.win
       AND NOT EXISTS (SELECT 1 FROM public.file g
                        WHERE g.product_id = f.product_id
                          AND g.utc_file_date = f.utc_file_date
                          AND g.period_number = f.period_number
                          AND g.exists_on_disk
                          AND (l.interface_pin IS NULL
                               OR g.interface_version = f.interface_version)
                          AND (g.interface_version, g.quality_version,
                               g.revision_version)
                            > (f.interface_version, f.quality_version,
                               f.revision_version))
  ) x
 WHERE pr.process_id = pid
   -- a product of orbits: the newest of an orbit of any date (an orbit
   -- corrected to start on another day gives its next output another
   -- date); tested once here, gated on the timebase, by the index on
   -- (product, period)
   AND NOT (p.timebase = 'ORBIT' AND EXISTS (
         SELECT 1 FROM public.file g
          WHERE g.product_id = l.input_product_id
            AND g.period_number = x.period_number
            AND g.period_number <> 0 AND g.exists_on_disk
            AND (l.interface_pin IS NULL
                 OR g.interface_version = x.interface_version)
            AND (g.interface_version, g.quality_version,
                 g.revision_version)
              > (x.interface_version, x.quality_version,
                 x.revision_version)))
$fn$;
