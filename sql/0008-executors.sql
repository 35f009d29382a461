-- 0008-executors.sql: where codes run (issue 14).
--
--   mission.executor        "local" (this host's slots, the default) or
--                           "slurm" (the mission file's executor.kind)
--   mission.slurm_*         the Slurm executor's settings: partition,
--                           account, a job's time limit (s, 0: from the
--                           builds' timeouts), CPUs of one job (0: the
--                           default), memory of one build (MiB, 0:
--                           unspecified), more sbatch options (split on
--                           white space), the work directory shared with
--                           the nodes (NULL: rootdir/.cascade)
--   process.executor, process.slurm_*
--                           a process's overrides of the mission's (NULL:
--                           the mission's)
--   build.slurm_job_id      the Slurm job that runs or ran the build's
--                           current attempt (NULL: run locally); a
--                           successor collects the build by it
--   build.node              the node it ran on (Slurm; NULL: unknown or
--                           local, where build.hostname says)

ALTER TABLE mission
    ADD COLUMN executor text NOT NULL DEFAULT 'local'
        CHECK (executor IN ('local', 'slurm')),
    ADD COLUMN slurm_partition text,
    ADD COLUMN slurm_account text,
    ADD COLUMN slurm_time_limit_s integer NOT NULL DEFAULT 0
        CHECK (slurm_time_limit_s >= 0),
    ADD COLUMN slurm_cpus integer NOT NULL DEFAULT 0
        CHECK (slurm_cpus >= 0),
    ADD COLUMN slurm_memory_mb integer NOT NULL DEFAULT 0
        CHECK (slurm_memory_mb >= 0),
    ADD COLUMN slurm_options text,
    ADD COLUMN slurm_work_dir text;

ALTER TABLE process
    ADD COLUMN executor text CHECK (executor IN ('local', 'slurm')),
    ADD COLUMN slurm_partition text,
    ADD COLUMN slurm_account text,
    ADD COLUMN slurm_time_limit_s integer CHECK (slurm_time_limit_s >= 0),
    ADD COLUMN slurm_cpus integer CHECK (slurm_cpus >= 0),
    ADD COLUMN slurm_memory_mb integer CHECK (slurm_memory_mb >= 0),
    ADD COLUMN slurm_options text,
    ADD COLUMN slurm_work_dir text;

ALTER TABLE build
    ADD COLUMN slurm_job_id text,
    ADD COLUMN node text;
CREATE INDEX build_slurm_job ON build (slurm_job_id)
    WHERE slurm_job_id IS NOT NULL;
