-- 0004-reserved.sql: a placeholder, so that this branch's 0006 applies
-- (migrations are numbered without gaps).  Migration 0004 is being
-- written on another branch: drop this file when merging that one.
SELECT 1;
