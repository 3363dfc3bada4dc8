-- Partial responses (saved step by step under one id), identify data,
-- and per-site fatigue limits.

ALTER TABLE sites ADD COLUMN cooldown_hours INTEGER NOT NULL DEFAULT 24;
ALTER TABLE sites ADD COLUMN session_cap INTEGER NOT NULL DEFAULT 1;

ALTER TABLE responses ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE responses ADD COLUMN user_id TEXT;
ALTER TABLE responses ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
-- The scored answers as rolled up, JSON [{"question", "scale", "value"}], so
-- a later save of the same response can take them back out of the rollup.
ALTER TABLE responses ADD COLUMN scores TEXT NOT NULL DEFAULT '[]';
ALTER TABLE responses ADD COLUMN updated_at TEXT;
