-- The score rollup counts by the day and the month in the site's time
-- zone, and over all time, instead of by the hour: a year's trend reads a
-- dozen months, the summary reads one row per answer value, and a day is
-- the site's own day even where the zone is not a whole number of hours
-- from UTC. Each answer is counted once at each grain:
--   grain 'day'   period YYYYMMDD (20261124)
--   grain 'month' period YYYYMM   (202611)
--   grain 'all'   period 0
-- The table is made anew, empty; the first collector to start on it fills
-- it from the responses (the task below) and removes the task.

DROP TABLE score_rollup;

CREATE TABLE score_rollup (
    site_key  TEXT NOT NULL,
    grain     TEXT NOT NULL,
    period    INTEGER NOT NULL,
    survey_id TEXT NOT NULL,
    question  TEXT NOT NULL,
    scale     TEXT NOT NULL,
    locale    TEXT NOT NULL,
    device    TEXT NOT NULL,
    value     INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (site_key, grain, period, survey_id, question, locale, device, value)
) STRICT;

-- Trends, breakdowns and comparisons read one scale of a site over a range
-- of periods, usually across all its surveys.
CREATE INDEX score_rollup_by_scale ON score_rollup (site_key, scale, grain, period);

INSERT INTO store_tasks (name) VALUES ('rebuild_rollup') ON CONFLICT (name) DO NOTHING;
