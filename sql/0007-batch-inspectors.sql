-- 0007-batch-inspectors.sql: inspectors that answer file after file over
-- a pipe, and dbprocessing's Python inspector modules run as they are.
--
--   inspector.batch       the program (kind exec) speaks the batch protocol: it is
--                         started once and reads NUL-terminated paths on
--                         stdin, answering each with a frame (see
--                         cascade-mission(5)); false: run once per file
--   inspector.kind        'module': filename under relative_path
--                         (under the mission's inspectordir, as
--                         dbprocessing reads it) is a dbprocessing
--                         inspector module, run by cascade-dbp-inspector
--                         in batch mode with the row's arguments
--
-- The inspector rows of an adopted dbprocessing database (kind
-- 'template' with a filename: cascade's own template rows have none)
-- name such modules: they become 'module' rows, so that an adopted
-- mission identifies its files with its own inspectors.
ALTER TABLE inspector
    DROP CONSTRAINT inspector_kind_check,
    ADD CONSTRAINT inspector_kind_check
        CHECK (kind IN ('template', 'exec', 'module')),
    ADD COLUMN batch boolean NOT NULL DEFAULT false;

UPDATE inspector SET kind = 'module'
 WHERE kind = 'template' AND filename <> '';
