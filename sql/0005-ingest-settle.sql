-- 0005-ingest-settle.sql: run.settle, for ingest on file systems without
-- leases.
--
--   mission.settle_s   where ingest cannot take a read lease on an
--                      incoming file (NFS, a file it does not own), the
--                      file is taken only when its last change is at
--                      least this many seconds old, and copied into the
--                      archive rather than linked (see docs/architecture.md,
--                      "Complete files only")

ALTER TABLE mission ADD COLUMN settle_s integer NOT NULL DEFAULT 5
    CHECK (settle_s >= 0);
