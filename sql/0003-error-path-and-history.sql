-- 0003-error-path-and-history.sql: where an ingest reject was put, and an
-- index for long build histories.
--
--   failure.error_path    for ingest rejects: the path of the file in the
--                         error directory (NAME, or NAME.N when NAME was
--                         taken), so an operator can find the very file
--                         a failure row speaks of
--   failures_view         gains error_path
--   build_started         builds by start time ("cascade builds --from",
--                         "cascade stats", the report) without a scan of
--                         every build ever made

ALTER TABLE failure ADD COLUMN error_path text;

CREATE INDEX build_started ON build (started_at);

CREATE OR REPLACE VIEW failures_view AS
SELECT fl.failure_id, fl.occurred_at, fl.kind, pr.process_name,
       b.output_key,
       coalesce(fl.filename, b.output_filename) AS filename,
       c.filename AS code,
       c.interface_version || '.' || c.quality_version || '.' ||
           c.revision_version AS code_version,
       b.status AS build_status, b.exit_code, b.term_signal, b.attempt,
       fl.reason, fl.stderr_tail, b.log_path, fl.build_id, fl.batch_id,
       fl.logging_id, fl.error_path
  FROM failure fl
  LEFT JOIN build b USING (build_id)
  LEFT JOIN process pr ON pr.process_id = b.process_id
  LEFT JOIN code c ON c.code_id = b.code_id
 WHERE NOT fl.resolved;
