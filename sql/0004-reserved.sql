-- 0004-reserved.sql: a stand-in on branch r11-ingest for the migration
-- 0004 written on the lead's branch (migrations are numbered without
-- gaps).  Delete this file when merging; 0005 follows the real 0004.
SELECT 1;
