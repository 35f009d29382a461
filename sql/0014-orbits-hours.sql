-- 0014-orbits-hours.sql: the mission's orbits (issue 16, item 3), as
-- the operator loads them ("cascade orbits load FILE").
--
--   orbit                 one row per orbit number: the interval
--                         [start_time, stop_time) in UTC (the stop
--                         excluded: an orbit ends where the next one
--                         begins), where it was loaded from (file:line)
--                         and when.  Numbers follow times: no two
--                         intervals overlap (an exclusion constraint),
--                         and a higher number never starts before a
--                         lower one stops (cascade_orbit_order, checked
--                         at commit, so that one load may move several
--                         orbits at once).  Gaps are allowed.
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
        DEFERRABLE INITIALLY DEFERRED
);

-- Numbers in the order of times: each changed orbit against the orbits
-- numbered just below and just above it (the exclusion constraint keeps
-- the intervals apart, so neighbours in order make the whole table in
-- order).
CREATE FUNCTION cascade_orbit_order() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    o record;
BEGIN
    SELECT * INTO o FROM orbit WHERE orbit_number = NEW.orbit_number;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT p.stop_time FROM orbit p
                               WHERE p.orbit_number < o.orbit_number
                               ORDER BY p.orbit_number DESC LIMIT 1) b
                WHERE b.stop_time > o.start_time)
       OR EXISTS (SELECT 1 FROM (SELECT n.start_time FROM orbit n
                                  WHERE n.orbit_number > o.orbit_number
                                  ORDER BY n.orbit_number LIMIT 1) a
                   WHERE a.start_time < o.stop_time) THEN
        RAISE EXCEPTION 'orbit % (% to %) is out of order with its neighbours',
            o.orbit_number, o.start_time, o.stop_time
            USING ERRCODE = 'check_violation',
                  HINT = 'Orbit numbers must follow their times.';
    END IF;
    RETURN NULL;
END
$fn$;

CREATE CONSTRAINT TRIGGER orbit_order AFTER INSERT OR UPDATE ON orbit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cascade_orbit_order();
