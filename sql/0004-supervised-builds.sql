-- 0004-supervised-builds.sql: builds that outlive their controller, a
-- poison rule that counts only deaths without progress, capped logs.
--
--   build.supervisor_pid    the build's supervisor process on
--                           build.hostname: it runs the code, outlives
--                           the controller and keeps the code's result
--                           for the next run (docs/architecture.md)
--   build.supervisor_start  its start time in clock ticks since boot
--                           (/proc/PID/stat), so that a reused pid is
--                           never taken for it
--   batch.stalls            controller deaths on the batch in a row
--                           with no code's result recorded in between;
--                           at max(run.bad_after, 3) the batch is bad
--   batch.attempt_started_at when the batch's current attempt began: a
--                           death counts as a stall unless a code's
--                           result was recorded since
--   build.recorded_at       when the attempt's result was recorded
--   mission.log_limit_kb    the most of a code's output a build log
--                           keeps (config run.log_limit_kb): beyond it,
--                           the first and the last halves

ALTER TABLE build ADD COLUMN supervisor_pid integer,
                  ADD COLUMN supervisor_start bigint;

ALTER TABLE batch ADD COLUMN stalls integer NOT NULL DEFAULT 0
                      CHECK (stalls >= 0),
                  ADD COLUMN attempt_started_at timestamptz;

ALTER TABLE build ADD COLUMN recorded_at timestamptz;

ALTER TABLE mission ADD COLUMN log_limit_kb integer NOT NULL DEFAULT 2048
                        CHECK (log_limit_kb >= 0);

-- the supervisor of a run (logging.supervisor_pid/_start, cleared when it
-- has nothing left): where a successor finds the codes a dead run left
ALTER TABLE logging ADD COLUMN supervisor_pid integer,
                    ADD COLUMN supervisor_start bigint;
CREATE INDEX logging_supervisor ON logging (hostname)
    WHERE supervisor_pid IS NOT NULL;
