-- 0012-reserved.sql: a placeholder, so that this branch's 0014 applies
-- (migrations are numbered without gaps).  Migration 0012 is being
-- written on another branch: drop this file when merging that one.
SELECT 1;
