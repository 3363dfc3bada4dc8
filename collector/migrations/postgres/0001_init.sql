-- The PostgreSQL schema, equal to SQLite's after its migrations 0001-0003:
-- sites, surveys (every version kept), responses, the score rollup, and the
-- help center. Times are RFC 3339 text in UTC, as in SQLite, so both stores
-- share their row handling; JSON columns are text for the same reason.

CREATE TABLE sites (
    key             TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    allowed_origins TEXT NOT NULL,            -- JSON array of origins
    default_locale  TEXT NOT NULL,
    time_zone       TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    cooldown_hours  BIGINT NOT NULL DEFAULT 24,
    session_cap     BIGINT NOT NULL DEFAULT 1,
    faq_version     BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE surveys (
    site_key        TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'active', 'paused')),
    current_version BIGINT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (site_key, id)
);

CREATE TABLE survey_versions (
    site_key   TEXT NOT NULL,
    survey_id  TEXT NOT NULL,
    version    BIGINT NOT NULL,
    definition TEXT NOT NULL,                 -- JSON SurveyDefinition
    created_at TEXT NOT NULL,
    PRIMARY KEY (site_key, survey_id, version),
    FOREIGN KEY (site_key, survey_id) REFERENCES surveys(site_key, id) ON DELETE CASCADE
);

CREATE TABLE responses (
    id             TEXT PRIMARY KEY NOT NULL, -- UUIDv7 made by the browser
    site_key       TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
    survey_id      TEXT NOT NULL,
    survey_version BIGINT NOT NULL,
    finished       BIGINT NOT NULL,              -- 0 or 1, as in SQLite
    seq            BIGINT NOT NULL DEFAULT 0,
    locale         TEXT NOT NULL,
    page_path      TEXT NOT NULL,
    device         TEXT NOT NULL,
    respondent     TEXT,
    user_id        TEXT,
    attributes     TEXT NOT NULL DEFAULT '{}',
    answers        TEXT NOT NULL,             -- JSON array of {question, value}
    scores         TEXT NOT NULL DEFAULT '[]',
    received_at    TEXT NOT NULL,
    updated_at     TEXT,
    faq_article    TEXT,
    faq_query      TEXT
);

CREATE INDEX responses_by_site_time ON responses (site_key, received_at);
CREATE INDEX responses_by_faq_article ON responses (site_key, faq_article)
    WHERE faq_article IS NOT NULL;

CREATE TABLE score_rollup (
    site_key  TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    question  TEXT NOT NULL,
    scale     TEXT NOT NULL,
    hour      BIGINT NOT NULL,                -- Unix time / 3600
    value     BIGINT NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (site_key, survey_id, question, hour, value)
);

CREATE TABLE faq_articles (
    site_key   TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
    locale     TEXT NOT NULL,
    id         TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    html       TEXT NOT NULL,
    text       TEXT NOT NULL,
    category   TEXT NOT NULL,
    tags       TEXT NOT NULL,
    ord        BIGINT NOT NULL,
    views      BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (site_key, locale, id)
);

CREATE TABLE faq_votes (
    site_key   TEXT NOT NULL,
    locale     TEXT NOT NULL,
    article    TEXT NOT NULL,
    respondent TEXT NOT NULL,
    helpful    BIGINT NOT NULL,                  -- 0 or 1
    reason     TEXT,
    voted_at   TEXT NOT NULL,
    PRIMARY KEY (site_key, locale, article, respondent),
    FOREIGN KEY (site_key, locale, article)
        REFERENCES faq_articles (site_key, locale, id) ON DELETE CASCADE
);

CREATE TABLE faq_queries (
    site_key   TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
    locale     TEXT NOT NULL,
    query      TEXT NOT NULL,
    searches   BIGINT NOT NULL,
    no_results BIGINT NOT NULL,
    last_at    TEXT NOT NULL,
    PRIMARY KEY (site_key, locale, query)
);
