-- 0011-build-reason.sql: why each build was planned (issue 16), as data;
-- processes without inputs on a schedule.
--
--   build_reason          one row per reason a build was planned, in the
--                         order the planner found them: what changed
--                         since the key's newest output (or, for RUN, its
--                         last successful build), or who asked
--   cascade_build_reason  the same with names: process, product, files,
--                         codes (and their SHA-256: another code of the
--                         same version shows another hash), and the run
--                         (command, user) that asked
--   process_schedule      a process without inputs run on a schedule
--
-- The kinds (state.h, enum build_reason):
--   first              the key had no output yet (RUN: no build)
--   input-added        an input of the key's own period appeared
--                      (new_file_id, new_version)
--   input-removed      one went (old_file_id, old_version)
--   input-changed      another file of its product and date (old and new)
--   neighbour-changed  an input of a neighbouring day only (in the key's
--                      window, not its period) appeared, went or changed
--   code-changed       another code than the one that made the newest
--                      output (old_code_id, new_code_id and their
--                      versions; the same version when only the code row
--                      differs)
--   forced             a forced version bump (bump: 0 interface, 1
--                      quality, 2 revision) asked by logging_id's run
--                      (detail: the queue entry's reason, or the command)
--   requested          queued by a command without a forced bump
--                      (reprocess, run-process, failures retry, check
--                      --repair, a new code): logging_id and detail say
--                      which
--   scheduled          a process without inputs, due (detail: the rule)
--
-- Files are referred to by id without a foreign key: a purged file's
-- row goes, its reasons stay (with the versions).  dbprocessing's tables
-- are unchanged.
CREATE TABLE build_reason (
    build_id     bigint NOT NULL REFERENCES build ON DELETE CASCADE,
    seq          smallint NOT NULL CHECK (seq >= 1),
    kind         varchar(20) NOT NULL
        CHECK (kind IN ('first', 'input-added', 'input-removed',
                        'input-changed', 'neighbour-changed',
                        'code-changed', 'forced', 'requested',
                        'scheduled')),
    product_id   integer,
    utc_date     date,
    old_file_id  bigint,
    new_file_id  bigint,
    old_version  text,
    new_version  text,
    old_code_id  integer,
    new_code_id  integer,
    bump         smallint CHECK (bump IS NULL OR bump BETWEEN 0 AND 2),
    logging_id   bigint REFERENCES logging ON DELETE SET NULL,
    detail       text,
    PRIMARY KEY (build_id, seq)
);

-- The reasons with names, for psql and for cascade's own views.
CREATE VIEW cascade_build_reason AS
SELECT r.build_id, b.process_id, pc.process_name, b.output_key,
       b.status AS build_status, r.seq, r.kind,
       r.product_id, pr.product_name, r.utc_date,
       r.old_file_id, fo.filename AS old_filename, r.old_version,
       r.new_file_id, fn.filename AS new_filename, r.new_version,
       r.old_code_id, co.sha256 AS old_code_sha256,
       r.new_code_id, cn.sha256 AS new_code_sha256,
       CASE r.bump WHEN 0 THEN 'interface' WHEN 1 THEN 'quality'
                   WHEN 2 THEN 'revision' END AS bump,
       r.logging_id, l.command AS by_command, l."user" AS by_user,
       r.detail
  FROM build_reason r
  JOIN build b USING (build_id)
  JOIN process pc ON pc.process_id = b.process_id
  LEFT JOIN product pr ON pr.product_id = r.product_id
  LEFT JOIN file fo ON fo.file_id = r.old_file_id
  LEFT JOIN file fn ON fn.file_id = r.new_file_id
  LEFT JOIN code co ON co.code_id = r.old_code_id
  LEFT JOIN code cn ON cn.code_id = r.new_code_id
  LEFT JOIN logging l ON l.logging_id = r.logging_id;

-- Processes without inputs that run on a schedule (issue 16): every
-- period of "every" (the process's output timebase, DAILY for RUN) from
-- start_date on is due lag_days after it ended; process-queue plans the
-- due keys that have no build yet, with the reason "scheduled".  A table
-- of its own: dbprocessing's process table is unchanged.
CREATE TABLE process_schedule (
    process_id  integer PRIMARY KEY REFERENCES process ON DELETE CASCADE,
    every       varchar(10) NOT NULL
        CHECK (every IN ('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY')),
    start_date  date NOT NULL,
    lag_days    integer NOT NULL DEFAULT 0
        CHECK (lag_days BETWEEN -366 AND 3660)
);
