-- adopt-2-constraints.sql: the second half of "cascade adopt", run in
-- the same transaction after the rules for dbprocessing's defects
-- (store-adopt.c) have made the rows fit: cascade's constraints, indexes
-- and views of migration 0001, on dbprocessing's tables.  Constraints
-- are named as 0001's unnamed ones are named by PostgreSQL, so that the
-- adopted database and a fresh "cascade init" are the same object by
-- object (tests/integration/100-adopt.sh compares them).

-- the queue's order: by file id, as dbprocessing mostly popped it
UPDATE processqueue q SET seq = o.n
  FROM (SELECT file_id, row_number() OVER (ORDER BY file_id) AS n
          FROM processqueue) o
 WHERE o.file_id = q.file_id;
ALTER TABLE processqueue
    ALTER COLUMN seq SET NOT NULL,
    ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY,
    ADD CONSTRAINT processqueue_seq_key UNIQUE (seq),
    ADD CONSTRAINT processqueue_version_bump_check
        CHECK (version_bump IS NULL OR version_bump BETWEEN 0 AND 2),
    ADD CONSTRAINT processqueue_file_id_fkey FOREIGN KEY (file_id)
        REFERENCES file ON DELETE CASCADE,
    ADD CONSTRAINT processqueue_logging_id_fkey FOREIGN KEY (logging_id)
        REFERENCES logging ON DELETE SET NULL;
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('public.processqueue', 'seq'),
                         greatest((SELECT max(seq) FROM processqueue), 1),
                         (SELECT count(*) > 0 FROM processqueue));

ALTER TABLE mission
    ADD CONSTRAINT mission_mission_name_check CHECK (mission_name <> ''),
    ADD CONSTRAINT mission_slots_check CHECK (slots >= 0),
    ADD CONSTRAINT mission_batch_size_check CHECK (batch_size > 0),
    ADD CONSTRAINT mission_code_timeout_s_check CHECK (code_timeout_s > 0),
    ADD CONSTRAINT mission_kill_grace_s_check CHECK (kill_grace_s >= 0),
    ADD CONSTRAINT mission_max_attempts_check CHECK (max_attempts > 0),
    ADD CONSTRAINT mission_bad_after_check CHECK (bad_after > 0),
    ADD CONSTRAINT mission_bad_within_s_check CHECK (bad_within_s >= 0),
    ADD CONSTRAINT mission_flag_lease_s_check CHECK (flag_lease_s > 0);

ALTER TABLE satellite
    ADD CONSTRAINT satellite_mission_id_fkey FOREIGN KEY (mission_id)
        REFERENCES mission ON DELETE RESTRICT;

ALTER TABLE instrument
    ADD CONSTRAINT instrument_satellite_id_fkey FOREIGN KEY (satellite_id)
        REFERENCES satellite ON DELETE RESTRICT;

ALTER TABLE product
    ADD CONSTRAINT product_product_name_key UNIQUE (product_name),
    ADD CONSTRAINT product_instrument_id_fkey FOREIGN KEY (instrument_id)
        REFERENCES instrument ON DELETE RESTRICT;

ALTER TABLE instrumentproductlink
    ADD CONSTRAINT instrumentproductlink_instrument_id_fkey
        FOREIGN KEY (instrument_id) REFERENCES instrument ON DELETE RESTRICT,
    ADD CONSTRAINT instrumentproductlink_product_id_fkey
        FOREIGN KEY (product_id) REFERENCES product ON DELETE CASCADE;
CREATE UNIQUE INDEX instrumentproductlink_product ON instrumentproductlink (product_id);

ALTER TABLE process
    ADD CONSTRAINT process_process_name_key UNIQUE (process_name),
    ADD CONSTRAINT process_output_timebase_check CHECK (output_timebase IN
        ('FILE', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY', 'RUN')),
    ADD CONSTRAINT process_check
        CHECK ((output_timebase = 'RUN') = (output_product IS NULL)),
    ADD CONSTRAINT process_output_product_fkey FOREIGN KEY (output_product)
        REFERENCES product ON DELETE RESTRICT;
CREATE INDEX process_output_product ON process (output_product);
CREATE UNIQUE INDEX process_one_maker ON process (output_product) WHERE output_product IS NOT NULL;

ALTER TABLE productprocesslink
    ADD CONSTRAINT productprocesslink_yesterday_check
        CHECK (yesterday BETWEEN 0 AND 366),
    ADD CONSTRAINT productprocesslink_tomorrow_check
        CHECK (tomorrow BETWEEN 0 AND 366),
    ADD CONSTRAINT productprocesslink_process_id_fkey FOREIGN KEY (process_id)
        REFERENCES process ON DELETE CASCADE,
    ADD CONSTRAINT productprocesslink_input_product_id_fkey
        FOREIGN KEY (input_product_id) REFERENCES product ON DELETE RESTRICT;
CREATE INDEX productprocesslink_input ON productprocesslink (input_product_id);

ALTER TABLE code
    ADD CONSTRAINT code_interface_version_check CHECK (interface_version >= 1),
    ADD CONSTRAINT code_quality_version_check CHECK (quality_version >= 0),
    ADD CONSTRAINT code_revision_version_check CHECK (revision_version >= 0),
    ADD CONSTRAINT code_output_interface_version_check
        CHECK (output_interface_version >= 1),
    ADD CONSTRAINT code_ram_check CHECK (ram IS NULL OR ram > 0),
    ADD CONSTRAINT code_cpu_check CHECK (cpu IS NULL OR cpu >= 1),
    ADD CONSTRAINT code_timeout_s_check CHECK (timeout_s >= 0),
    ADD CONSTRAINT code_check CHECK (code_start_date <= code_stop_date),
    ADD CONSTRAINT code_process_id_interface_version_quality_version_revision__key
        UNIQUE (process_id, interface_version, quality_version, revision_version),
    ADD CONSTRAINT code_process_id_fkey FOREIGN KEY (process_id)
        REFERENCES process ON DELETE RESTRICT;
CREATE INDEX code_process ON code (process_id);

ALTER TABLE inspector
    ADD CONSTRAINT inspector_interface_version_check CHECK (interface_version >= 1),
    ADD CONSTRAINT inspector_quality_version_check CHECK (quality_version >= 0),
    ADD CONSTRAINT inspector_revision_version_check CHECK (revision_version >= 0),
    ADD CONSTRAINT inspector_output_interface_version_check
        CHECK (output_interface_version >= 1),
    ADD CONSTRAINT inspector_kind_check CHECK (kind IN ('template', 'exec')),
    ADD CONSTRAINT inspector_timeout_s_check CHECK (timeout_s > 0),
    ADD CONSTRAINT inspector_product_fkey FOREIGN KEY (product)
        REFERENCES product ON DELETE CASCADE;
CREATE UNIQUE INDEX inspector_one_per_product ON inspector (product);

ALTER TABLE logging
    ADD CONSTRAINT logging_status_check CHECK (status IN
        ('running', 'ok', 'failed', 'aborted', 'interrupted', 'cleared')),
    ADD CONSTRAINT logging_check CHECK (processing_end_time IS NULL
        OR processing_start_time <= processing_end_time),
    ADD CONSTRAINT logging_check1 CHECK (NOT currently_processing OR status = 'running'),
    ADD CONSTRAINT logging_check2
        CHECK ((status = 'running') = (processing_end_time IS NULL)),
    ADD CONSTRAINT logging_mission_id_fkey FOREIGN KEY (mission_id)
        REFERENCES mission ON DELETE RESTRICT;
CREATE UNIQUE INDEX logging_one_holder ON logging (mission_id) WHERE currently_processing;
CREATE INDEX logging_start ON logging (processing_start_time);

ALTER TABLE file
    ADD CONSTRAINT file_filename_key UNIQUE (filename),
    ADD CONSTRAINT file_interface_version_check CHECK (interface_version >= 1),
    ADD CONSTRAINT file_quality_version_check CHECK (quality_version >= 0),
    ADD CONSTRAINT file_revision_version_check CHECK (revision_version >= 0),
    ADD CONSTRAINT file_size_bytes_check CHECK (size_bytes IS NULL OR size_bytes >= 0),
    ADD CONSTRAINT file_check
        CHECK (utc_stop_time IS NOT NULL OR met_stop_time IS NOT NULL),
    ADD CONSTRAINT file_check1
        CHECK (utc_start_time IS NOT NULL OR met_start_time IS NOT NULL),
    ADD CONSTRAINT file_check2 CHECK (met_start_time IS NULL
        OR met_stop_time IS NULL OR met_start_time <= met_stop_time),
    ADD CONSTRAINT file_check3 CHECK (utc_start_time IS NULL
        OR utc_stop_time IS NULL OR utc_start_time <= utc_stop_time),
    ADD CONSTRAINT file_filename_check
        CHECK (filename <> '' AND strpos(filename, '/') = 0),
    ADD CONSTRAINT file_product_id_fkey FOREIGN KEY (product_id)
        REFERENCES product ON DELETE RESTRICT,
    ADD CONSTRAINT file_logging_id_fkey FOREIGN KEY (logging_id)
        REFERENCES logging ON DELETE SET NULL;
CREATE UNIQUE INDEX "Unique file tuple" ON file
    (product_id, coalesce(utc_file_date, '-infinity'::date),
     interface_version, quality_version, revision_version);
CREATE INDEX file_product_date_version ON file
    (product_id, utc_file_date, interface_version DESC, quality_version DESC,
     revision_version DESC);
CREATE INDEX file_start ON file (utc_start_time);
CREATE INDEX file_stop ON file (utc_stop_time);

ALTER TABLE unixtime
    ALTER COLUMN unix_start SET NOT NULL,
    ALTER COLUMN unix_stop SET NOT NULL,
    ADD CONSTRAINT unixtime_check CHECK (unix_start <= unix_stop),
    ADD CONSTRAINT unixtime_file_id_fkey FOREIGN KEY (file_id)
        REFERENCES file ON DELETE CASCADE;
CREATE INDEX unixtime_start ON unixtime (unix_start);
CREATE INDEX unixtime_stop ON unixtime (unix_stop);

ALTER TABLE filefilelink
    ADD CONSTRAINT filefilelink_check CHECK (source_file <> resulting_file),
    ADD CONSTRAINT filefilelink_source_file_fkey FOREIGN KEY (source_file)
        REFERENCES file ON DELETE RESTRICT,
    ADD CONSTRAINT filefilelink_resulting_file_fkey FOREIGN KEY (resulting_file)
        REFERENCES file ON DELETE CASCADE;
CREATE INDEX filefilelink_resulting ON filefilelink (resulting_file);

ALTER TABLE filecodelink
    ADD CONSTRAINT filecodelink_resulting_file_fkey FOREIGN KEY (resulting_file)
        REFERENCES file ON DELETE CASCADE,
    ADD CONSTRAINT filecodelink_source_code_fkey FOREIGN KEY (source_code)
        REFERENCES code ON DELETE RESTRICT;
CREATE INDEX filecodelink_code ON filecodelink (source_code);

ALTER TABLE release
    ADD CONSTRAINT release_file_id_fkey FOREIGN KEY (file_id)
        REFERENCES file ON DELETE CASCADE;

ALTER TABLE logging_file
    ADD CONSTRAINT logging_file_logging_id_fkey FOREIGN KEY (logging_id)
        REFERENCES logging ON DELETE CASCADE,
    ADD CONSTRAINT logging_file_file_id_fkey FOREIGN KEY (file_id)
        REFERENCES file ON DELETE CASCADE,
    ADD CONSTRAINT logging_file_code_id_fkey FOREIGN KEY (code_id)
        REFERENCES code ON DELETE RESTRICT;

CREATE VIEW newest_file AS
SELECT DISTINCT ON (product_id, utc_file_date) *
  FROM file
 ORDER BY product_id, utc_file_date, interface_version DESC,
          quality_version DESC, revision_version DESC;

CREATE VIEW process_stats AS
SELECT p.process_id, p.process_name,
       count(b.build_id) AS builds,
       count(*) FILTER (WHERE b.status = 'succeeded') AS ok,
       count(*) FILTER (WHERE b.status IN ('failed', 'timed_out', 'killed')) AS failed,
       count(*) FILTER (WHERE b.status = 'bad') AS bad,
       min(extract(epoch FROM b.ended_at - b.started_at)) AS min_s,
       avg(extract(epoch FROM b.ended_at - b.started_at)) AS mean_s,
       max(extract(epoch FROM b.ended_at - b.started_at)) AS max_s,
       sum(extract(epoch FROM b.ended_at - b.started_at)) AS total_s,
       sum(coalesce(b.cpu_user_s, 0) + coalesce(b.cpu_sys_s, 0)) AS cpu_s,
       max(b.max_rss_kb) AS max_rss_kb
  FROM process p LEFT JOIN build b USING (process_id)
 GROUP BY p.process_id, p.process_name;
