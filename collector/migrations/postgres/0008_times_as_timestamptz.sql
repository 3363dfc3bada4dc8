-- Times become timestamptz: PostgreSQL compares, indexes and converts them
-- between zones itself. Every time the store wrote is RFC 3339 in UTC,
-- which PostgreSQL reads as it is; sub-microsecond digits are rounded.
-- (SQLite has no time type and keeps RFC 3339 text with nine fraction
-- digits, which sorts in time order.)

ALTER TABLE sites
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING CAST(created_at AS TIMESTAMPTZ);

ALTER TABLE surveys
    ALTER COLUMN updated_at TYPE TIMESTAMPTZ USING CAST(updated_at AS TIMESTAMPTZ),
    ALTER COLUMN archived_at TYPE TIMESTAMPTZ USING CAST(archived_at AS TIMESTAMPTZ);

ALTER TABLE survey_versions
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING CAST(created_at AS TIMESTAMPTZ);

ALTER TABLE responses
    ALTER COLUMN received_at TYPE TIMESTAMPTZ USING CAST(received_at AS TIMESTAMPTZ),
    ALTER COLUMN updated_at TYPE TIMESTAMPTZ USING CAST(updated_at AS TIMESTAMPTZ);

ALTER TABLE faq_articles
    ALTER COLUMN updated_at TYPE TIMESTAMPTZ USING CAST(updated_at AS TIMESTAMPTZ);

ALTER TABLE faq_votes
    ALTER COLUMN voted_at TYPE TIMESTAMPTZ USING CAST(voted_at AS TIMESTAMPTZ);

ALTER TABLE faq_queries
    ALTER COLUMN last_at TYPE TIMESTAMPTZ USING CAST(last_at AS TIMESTAMPTZ);

ALTER TABLE users
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING CAST(created_at AS TIMESTAMPTZ);

ALTER TABLE sessions
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING CAST(created_at AS TIMESTAMPTZ),
    ALTER COLUMN expires_at TYPE TIMESTAMPTZ USING CAST(expires_at AS TIMESTAMPTZ);

ALTER TABLE api_tokens
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING CAST(created_at AS TIMESTAMPTZ),
    ALTER COLUMN last_used_at TYPE TIMESTAMPTZ USING CAST(last_used_at AS TIMESTAMPTZ),
    ALTER COLUMN revoked_at TYPE TIMESTAMPTZ USING CAST(revoked_at AS TIMESTAMPTZ);
