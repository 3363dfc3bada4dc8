-- One number that moves whenever a site, a survey or a help article
-- changes. Each collector keeps sites, survey versions and rendered configs
-- in memory and polls this number to know when to drop them, so an edit
-- made through one collector reaches the others within a second.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;

INSERT INTO catalog_version (id, n) VALUES (1, 0);
