-- 0009-code-working-dir.sql: where a code runs (issue 13).
--
--   code.working_dir   the directory a code runs in (absolute); NULL: the
--                      build's own work directory, emptied after the
--                      build.  dbprocessing ran every code in the
--                      directory ProcessQueue was started from, and some
--                      codes (RUN codes above all) write files there,
--                      beside their output.

ALTER TABLE code ADD COLUMN working_dir text
    CHECK (working_dir IS NULL OR working_dir LIKE '/%');
