-- An archived survey leaves the config and takes no new responses, but keeps
-- its versions and responses. A column beside `status` (which then holds
-- 'paused'), as in the SQLite schema.
ALTER TABLE surveys ADD COLUMN archived_at TEXT;
