-- An archived survey leaves the config and takes no new responses, but keeps
-- its versions and responses. It is a column beside `status` (which then
-- holds 'paused') rather than a fourth status, because SQLite cannot widen
-- a CHECK constraint without rebuilding the table.
ALTER TABLE surveys ADD COLUMN archived_at TEXT;
