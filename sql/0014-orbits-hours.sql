-- 0014-orbits-hours.sql: the mission's orbits (issue 16, item 3), as
-- the operator loads them ("cascade orbits load FILE").
--
--   orbit                 one row per orbit number: the interval
--                         [start_time, stop_time) in UTC (the stop
--                         excluded: an orbit ends where the next one
--                         begins), where it was loaded from (file:line)
--                         and when.  Numbers follow times: no two
--                         intervals overlap (an exclusion constraint,
--                         deferrable so that it is checked at the end of
--                         a statement, not row by row),
--                         and a higher number never starts before a
--                         lower one stops (cascade_orbit_order, after
--                         each statement, so that one load may move
--                         several orbits at once).  Gaps are allowed.
--
-- A table of cascade's own: dbprocessing declared the ORBIT timebase and
-- never had orbits; its tables are unchanged.
CREATE TABLE orbit (
    orbit_number  bigint PRIMARY KEY
        CHECK (orbit_number BETWEEN 0 AND 999999999999),
    start_time    timestamp NOT NULL,
    stop_time     timestamp NOT NULL,
    source        text,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (start_time < stop_time),
    CONSTRAINT orbit_no_overlap
        EXCLUDE USING gist (tsrange(start_time, stop_time, '[)') WITH &&)
        DEFERRABLE INITIALLY IMMEDIATE
);

-- Numbers in the order of times: after each statement, set-based, the
-- orbits it wrote against their neighbours by number (the exclusion
-- constraint keeps the intervals apart, so neighbours in order make the
-- whole table in order, and only pairs with a written orbit can have
-- changed).  A statement, not a row: one upsert moves several orbits at
-- once; rows written by hand must keep the order statement by statement.
CREATE FUNCTION cascade_orbit_order() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    o record;
BEGIN
    SELECT a.orbit_number, a.start_time, a.stop_time, a.nn, a.ns
      INTO o
      FROM (SELECT orbit_number, start_time, stop_time,
                   lead(orbit_number) OVER w AS nn,
                   lead(start_time) OVER w AS ns
              FROM orbit WINDOW w AS (ORDER BY orbit_number)) a
     WHERE a.ns < a.stop_time
       AND (a.orbit_number IN (SELECT orbit_number FROM written)
            OR a.nn IN (SELECT orbit_number FROM written))
     ORDER BY a.orbit_number LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'orbit % starts at %, before orbit % stops at %',
            o.nn, o.ns, o.orbit_number, o.stop_time
            USING ERRCODE = 'check_violation',
                  HINT = 'Orbit numbers must follow their times.';
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER orbit_order_insert AFTER INSERT ON orbit
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION cascade_orbit_order();
CREATE TRIGGER orbit_order_update AFTER UPDATE ON orbit
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION cascade_orbit_order();
