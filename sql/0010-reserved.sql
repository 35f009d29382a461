-- 0010-reserved.sql: does nothing.  Its number is another branch's
-- migration; this branch's (0012-batch-outcomes.sql) is numbered after
-- it, as asked, and the migrations must be numbered without a gap.
-- Drop this file when the branches are merged and renumbered.
SELECT 1;
