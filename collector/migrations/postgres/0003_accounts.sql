-- People who read the dashboard and manage sites: users with argon2id
-- password hashes, their role per site, server-side login sessions and
-- personal API tokens. Session ids and tokens are stored only as SHA-256
-- hashes, so a copy of the database lets no one in. Times are RFC 3339 text.

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL UNIQUE,       -- lower case
    password_hash TEXT NOT NULL,              -- PHC string, argon2id
    owner         BIGINT NOT NULL DEFAULT 0,   -- 1: manages users and every site
    created_at    TEXT NOT NULL
);

CREATE TABLE site_members (
    site_key TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    PRIMARY KEY (site_key, user_id)
);

CREATE INDEX site_members_by_user ON site_members (user_id);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY NOT NULL,     -- hex SHA-256 of the cookie's id
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,        -- hex SHA-256 of the token
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
