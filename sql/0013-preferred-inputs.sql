-- 0013-preferred-inputs.sql: preferred inputs and pinned versions
-- (issue 16, item 4).
--
--   productprocesslink.interface_pin
--                         the input takes only files of this interface
--                         version of its product (2: only 2.x.x); NULL:
--                         any, the newest
--   productprocesslink.group_product, group_rank, group_optional
--                         the input is one of an input group: for each
--                         key, the group's most preferred product that
--                         has a file for it is the input, the others are
--                         not (definitive over quick-look).  A group is
--                         named by its most preferred product
--                         (group_product, rank 0); group_rank orders
--                         the products of a group, 0 first; group_optional
--                         says whether the group is optional.  NULL: a
--                         plain input.
--   cascade_key_inputs(...)
--                         (0006) the candidate inputs of a key: for a
--                         pinned input, the newest file of each date of
--                         each interface version (the planner keeps the
--                         pinned one's, and tells what the pin left
--                         out); for the products of a group, every
--                         product's (the planner chooses among them:
--                         src/rules/prefer-rules.c).  Without pins and
--                         groups, the same rows as before.
--
-- dbprocessing reads productprocesslink as before: a product of a group
-- is stored optional (each of them may be missing), so dbprocessing,
-- which knows no groups, would build from whichever of them exist; it
-- knows no pins either.  An adopted dbprocessing database has neither.

ALTER TABLE productprocesslink
    ADD COLUMN interface_pin smallint
        CHECK (interface_pin BETWEEN 1 AND 32767),
    ADD COLUMN group_product integer REFERENCES product ON DELETE RESTRICT,
    ADD COLUMN group_rank smallint CHECK (group_rank BETWEEN 0 AND 99),
    ADD COLUMN group_optional boolean,
    ADD CONSTRAINT productprocesslink_group_check
        CHECK ((group_product IS NULL) = (group_rank IS NULL)
               AND (group_product IS NULL) = (group_optional IS NULL)
               AND (group_product IS NULL OR optional)
               AND (group_rank <> 0 OR group_product = input_product_id)),
    -- config apply changes a group's rows one by one: checked at commit
    ADD CONSTRAINT productprocesslink_group_rank
        UNIQUE (process_id, group_product, group_rank)
        DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT productprocesslink_group_first
        FOREIGN KEY (process_id, group_product)
        REFERENCES productprocesslink (process_id, input_product_id)
        ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;

-- 0006's function, with the pins: a pinned input's newest file of a date
-- is chosen per interface version (the pin key), so that a 3.x.x file
-- never hides the 2.x.x one a pin to 2 takes; unpinned inputs as before.
-- optional is the group's for the products of a group.
CREATE OR REPLACE FUNCTION cascade_key_inputs(pid integer, ks date, ke date,
                                              kw text)
RETURNS TABLE (input_product_id integer, optional boolean, file_id bigint,
               filename text, utc_file_date date,
               interface_version smallint, quality_version smallint,
               revision_version smallint, process_keywords text,
               own boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
SELECT l.input_product_id, coalesce(l.group_optional, l.optional),
       x.file_id, x.filename,
       x.utc_file_date, x.interface_version, x.quality_version,
       x.revision_version, x.process_keywords, x.own
  FROM public.process pr
  JOIN public.productprocesslink l ON l.process_id = pr.process_id
  JOIN public.product p ON p.product_id = l.input_product_id
  CROSS JOIN LATERAL (
    -- FILE and RUN: by date
    SELECT n.file_id, n.filename, n.utc_file_date, n.interface_version,
           n.quality_version, n.revision_version, n.process_keywords,
           n.utc_file_date BETWEEN ks AND ke AS own
      FROM (SELECT DISTINCT ON (f.utc_file_date,
                                CASE WHEN l.interface_pin IS NULL THEN 0
                                     ELSE f.interface_version END)
                   f.file_id, f.filename,
                   f.utc_file_date, f.interface_version, f.quality_version,
                   f.revision_version, f.process_keywords
              FROM public.file f
             WHERE pr.output_timebase IN ('FILE', 'RUN')
               AND f.product_id = l.input_product_id AND f.exists_on_disk
               AND f.utc_file_date BETWEEN ks - l.yesterday
                                       AND ke + l.tomorrow
             ORDER BY f.utc_file_date,
                      CASE WHEN l.interface_pin IS NULL THEN 0
                           ELSE f.interface_version END,
                      f.interface_version DESC,
                      f.quality_version DESC, f.revision_version DESC) n
     WHERE pr.output_timebase <> 'FILE'
        OR coalesce(n.process_keywords, '') = coalesce(kw, '')
    UNION ALL
    -- DAILY and longer: the dates a regular file of the window can have
    SELECT n.file_id, n.filename, n.utc_file_date, n.interface_version,
           n.quality_version, n.revision_version, n.process_keywords,
           cascade_file_span(n.utc_start_time, n.utc_stop_time,
                             n.utc_file_date, p.stop_time_exclusive)
             && tsrange(ks::timestamp, (ke + 1)::timestamp, '[)')
      FROM (SELECT DISTINCT ON (f.utc_file_date,
                                CASE WHEN l.interface_pin IS NULL THEN 0
                                     ELSE f.interface_version END)
                   f.file_id, f.filename,
                   f.utc_file_date, f.utc_start_time, f.utc_stop_time,
                   f.interface_version, f.quality_version,
                   f.revision_version, f.process_keywords
              FROM public.file f
             WHERE pr.output_timebase NOT IN ('FILE', 'RUN')
               AND f.product_id = l.input_product_id AND f.exists_on_disk
               AND f.utc_file_date BETWEEN ks - l.yesterday - 1
                                       AND ke + l.tomorrow + 1
             ORDER BY f.utc_file_date,
                      CASE WHEN l.interface_pin IS NULL THEN 0
                           ELSE f.interface_version END,
                      f.interface_version DESC,
                      f.quality_version DESC, f.revision_version DESC) n
     WHERE cascade_file_span(n.utc_start_time, n.utc_stop_time,
                             n.utc_file_date, p.stop_time_exclusive)
             && tsrange((ks - l.yesterday)::timestamp,
                        (ke + l.tomorrow + 1)::timestamp, '[)')
    UNION ALL
    -- DAILY and longer: long files of other dates (file_span_long),
    -- when they are the newest version on disk of their date (of their
    -- interface, for a pinned input)
    SELECT f.file_id, f.filename, f.utc_file_date, f.interface_version,
           f.quality_version, f.revision_version, f.process_keywords,
           cascade_file_span(f.utc_start_time, f.utc_stop_time,
                             f.utc_file_date, p.stop_time_exclusive)
             && tsrange(ks::timestamp, (ke + 1)::timestamp, '[)')
      FROM public.file f
     WHERE pr.output_timebase NOT IN ('FILE', 'RUN')
       AND NOT cascade_file_regular(f.utc_start_time, f.utc_stop_time,
                                    f.utc_file_date)
       AND int4range(f.product_id, f.product_id, '[]') @> l.input_product_id
       AND cascade_file_span(f.utc_start_time, f.utc_stop_time,
                             f.utc_file_date, false)
             && tsrange((ks - l.yesterday)::timestamp,
                        (ke + l.tomorrow + 1)::timestamp, '[)')
       AND f.exists_on_disk
       AND f.utc_file_date NOT BETWEEN ks - l.yesterday - 1
                                   AND ke + l.tomorrow + 1
       AND cascade_file_span(f.utc_start_time, f.utc_stop_time,
                             f.utc_file_date, p.stop_time_exclusive)
             && tsrange((ks - l.yesterday)::timestamp,
                        (ke + l.tomorrow + 1)::timestamp, '[)')
       AND NOT EXISTS (SELECT 1 FROM public.file g
                        WHERE g.product_id = f.product_id
                          AND g.utc_file_date = f.utc_file_date
                          AND g.exists_on_disk
                          AND (l.interface_pin IS NULL
                               OR g.interface_version = f.interface_version)
                          AND (g.interface_version, g.quality_version,
                               g.revision_version)
                            > (f.interface_version, f.quality_version,
                               f.revision_version))
  ) x
 WHERE pr.process_id = pid
$fn$;
