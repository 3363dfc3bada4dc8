-- Trends, breakdowns and comparisons read one scale of a site over a range
-- of hours, usually across all its surveys; the rollup's key starts with
-- the survey, so without this they read the site's whole rollup.
CREATE INDEX score_rollup_by_scale_hour ON score_rollup (site_key, scale, hour);
