-- Sites, surveys (every version kept), responses and the score rollup.

CREATE TABLE sites (
    key             TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    allowed_origins TEXT NOT NULL,            -- JSON array of origins
    default_locale  TEXT NOT NULL,
    time_zone       TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;

CREATE TABLE surveys (
    site_key        TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'active', 'paused')),
    current_version INTEGER NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (site_key, id)
) STRICT;

-- Every version ever published, so answers in flight validate against the
-- version they were written for.
CREATE TABLE survey_versions (
    site_key   TEXT NOT NULL,
    survey_id  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL,                 -- JSON SurveyDefinition
    created_at TEXT NOT NULL,
    PRIMARY KEY (site_key, survey_id, version),
    FOREIGN KEY (site_key, survey_id) REFERENCES surveys(site_key, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE responses (
    id             TEXT PRIMARY KEY NOT NULL, -- UUIDv7 made by the browser
    site_key       TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
    survey_id      TEXT NOT NULL,
    survey_version INTEGER NOT NULL,
    finished       INTEGER NOT NULL,
    locale         TEXT NOT NULL,
    page_path      TEXT NOT NULL,
    device         TEXT NOT NULL,
    respondent     TEXT,
    answers        TEXT NOT NULL,             -- JSON array of {question, value}
    received_at    TEXT NOT NULL
) STRICT;

CREATE INDEX responses_by_site_time ON responses (site_key, received_at);

-- Score counts per hour, written in the same transaction as the raw rows,
-- so a summary costs the same at ten responses and ten million. Hours (UTC)
-- rather than days let any whole-hour time zone regroup them into its days.
CREATE TABLE score_rollup (
    site_key  TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    question  TEXT NOT NULL,
    scale     TEXT NOT NULL,
    hour      INTEGER NOT NULL,               -- Unix time / 3600
    value     INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (site_key, survey_id, question, hour, value)
) STRICT;
