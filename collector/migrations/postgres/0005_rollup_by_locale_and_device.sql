-- The score rollup also counts by the response's language and device, so
-- a breakdown or a comparison by either reads the rollup, never the
-- responses. The table is made anew, empty; the first collector to start
-- on it fills it from the responses (the task below) and removes the task.

DROP TABLE score_rollup;

CREATE TABLE score_rollup (
    site_key  TEXT NOT NULL,
    survey_id TEXT NOT NULL,
    question  TEXT NOT NULL,
    scale     TEXT NOT NULL,
    hour      BIGINT NOT NULL,                -- Unix time / 3600
    locale    TEXT NOT NULL,
    device    TEXT NOT NULL,
    value     BIGINT NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (site_key, survey_id, question, hour, locale, device, value)
);

-- Work the store does when it opens, once, after a migration asked for it.
CREATE TABLE store_tasks (
    name TEXT PRIMARY KEY NOT NULL
);

INSERT INTO store_tasks (name) VALUES ('rebuild_rollup');
