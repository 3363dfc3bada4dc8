-- The help center: articles per site and locale, their views and votes,
-- the queries people searched, and which feedback came from which article.

-- Moves on every article change, so each collector knows when to rebuild
-- its search index.
ALTER TABLE sites ADD COLUMN faq_version INTEGER NOT NULL DEFAULT 0;

ALTER TABLE responses ADD COLUMN faq_article TEXT;
ALTER TABLE responses ADD COLUMN faq_query TEXT;
CREATE INDEX responses_by_faq_article ON responses (site_key, faq_article)
    WHERE faq_article IS NOT NULL;

CREATE TABLE faq_articles (
    site_key   TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
    locale     TEXT NOT NULL,
    id         TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,                 -- Markdown as written
    html       TEXT NOT NULL,                 -- sanitized when saved
    text       TEXT NOT NULL,                 -- plain words, for search
    category   TEXT NOT NULL,
    tags       TEXT NOT NULL,                 -- JSON array of strings
    ord        INTEGER NOT NULL,
    views      INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (site_key, locale, id)
) STRICT;

-- One vote per respondent and article; voting again replaces it.
CREATE TABLE faq_votes (
    site_key   TEXT NOT NULL,
    locale     TEXT NOT NULL,
    article    TEXT NOT NULL,
    respondent TEXT NOT NULL,
    helpful    INTEGER NOT NULL,
    reason     TEXT,
    voted_at   TEXT NOT NULL,
    PRIMARY KEY (site_key, locale, article, respondent),
    FOREIGN KEY (site_key, locale, article)
        REFERENCES faq_articles (site_key, locale, id) ON DELETE CASCADE
) STRICT;

-- Searches by normalized query; no_results counts those that found nothing.
CREATE TABLE faq_queries (
    site_key   TEXT NOT NULL REFERENCES sites(key) ON DELETE CASCADE,
    locale     TEXT NOT NULL,
    query      TEXT NOT NULL,
    searches   INTEGER NOT NULL,
    no_results INTEGER NOT NULL,
    last_at    TEXT NOT NULL,
    PRIMARY KEY (site_key, locale, query)
) STRICT;
