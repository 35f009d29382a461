-- 0012-reuse.sql: reuse by content (issue 16, item 2).
--
--   process_reuse          a process whose code is declared deterministic
--                          ("reuse: content" in the mission file): a build
--                          of it whose content key equals that of an
--                          earlier successful build of the process takes
--                          that build's output bytes instead of running
--   build.content_key      the hex SHA-256 of what the build's output is
--                          made from (reuse-rules.h: the code's SHA-256,
--                          arguments, extra parameters, output interface,
--                          the key's period, and the input files'
--                          checksums in order); set when the build is
--                          dispatched, NULL for processes without the
--                          declaration or when something is not known
--   build.reused_from_build_id
--                          the earlier build whose output this build took
--                          (no code ran); NULL for a build that ran
--
-- A table of its own, and columns of cascade's build table only:
-- dbprocessing's tables are unchanged.
CREATE TABLE process_reuse (
    process_id  integer PRIMARY KEY REFERENCES process ON DELETE CASCADE,
    reuse       varchar(10) NOT NULL CHECK (reuse IN ('content'))
);

ALTER TABLE build
    ADD COLUMN content_key char(64),
    ADD COLUMN reused_from_build_id bigint
        REFERENCES build ON DELETE SET NULL;

-- The earlier successful builds of a process by content, for the one
-- lookup of a batch of dispatched builds.
CREATE INDEX build_content_key ON build (process_id, content_key)
    WHERE content_key IS NOT NULL AND status = 'succeeded';

-- Deleting builds (prune-history) looks up the builds reused from them.
CREATE INDEX build_reused_from ON build (reused_from_build_id)
    WHERE reused_from_build_id IS NOT NULL;
