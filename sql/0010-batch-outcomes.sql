-- 0010-batch-outcomes.sql: what became of a batch, and whose it is;
-- how long history is kept (issue 15).
--
--   batch.process_id       the process whose builds the batch holds (a
--                          planned batch holds one process's builds;
--                          NULL: an ingest batch, a batch that planned
--                          nothing, or an old batch of several processes)
--   batch.succeeded_count  its builds that succeeded
--   batch.failed_count     its builds that failed for good or were
--                          marked bad (done_count counts both)
--   batch.state 'failed'   a batch whose builds have all ended, some of
--                          them failed ('done': every one succeeded)
--   mission.keep_history_days
--                          ProcessQueue removes the history (runs,
--                          batches, builds) that ended more than this
--                          many days ago, as "cascade prune-history"
--                          does (config run.keep_history); 0: kept for
--                          ever

ALTER TABLE batch
    ADD COLUMN process_id integer REFERENCES process ON DELETE SET NULL,
    ADD COLUMN succeeded_count integer NOT NULL DEFAULT 0
        CHECK (succeeded_count >= 0),
    ADD COLUMN failed_count integer NOT NULL DEFAULT 0
        CHECK (failed_count >= 0);

-- the batches made before: their process where all their builds have
-- one, their counts from their builds, and failed where a build failed
UPDATE batch t SET
    process_id = CASE WHEN x.processes = 1 THEN x.process_id END,
    succeeded_count = x.ok,
    failed_count = x.bad,
    state = CASE WHEN t.state = 'done' AND x.bad > 0 THEN 'failed'
                 ELSE t.state END
FROM (SELECT batch_id, count(DISTINCT process_id) AS processes,
             min(process_id) AS process_id,
             count(*) FILTER (WHERE status = 'succeeded') AS ok,
             count(*) FILTER (WHERE status IN ('failed', 'timed_out',
                                               'killed', 'bad')) AS bad
      FROM build WHERE batch_id IS NOT NULL GROUP BY batch_id) x
WHERE t.batch_id = x.batch_id;

ALTER TABLE mission ADD COLUMN keep_history_days integer NOT NULL DEFAULT 0
    CHECK (keep_history_days >= 0);
