-- 013: an article read from a file (a feed given as a local path) is recorded as such when it is stored, in the table
-- article_from_file, and observed_source_days reads that record instead of the feed's current url. Before, changing
-- a feed's url between a file and HTTP under the same name rewrote which past days were watched: the days of
-- articles read from the file stopped counting (or a backlog fetched over HTTP started to), so a rebuilt digest
-- gave other baselines and flags for the same articles. Inbox articles count as before (source 'inbox').
-- Existing articles are recorded by the rule 007 applied, with the feeds' urls as they stand at the upgrade.

-- A feed url that names a local file (a plain path, a file: URL, a Windows drive path): newswatch.sources.fetch's
-- is_local; tests/unit/test_one_home.py checks they agree.
CREATE MACRO is_file_url(url) AS
    url IS NOT NULL AND (regexp_extract(url, '^([A-Za-z][A-Za-z0-9+.-]*):', 1) = '' OR lower(regexp_extract(url, '^([A-Za-z][A-Za-z0-9+.-]*):', 1)) = 'file' OR length(regexp_extract(url, '^([A-Za-z][A-Za-z0-9+.-]*):', 1)) = 1);

CREATE TABLE article_from_file (
    article_id  VARCHAR PRIMARY KEY                  -- first stored from a feed read from a local file
);

INSERT INTO article_from_file
SELECT a.article_id FROM article a JOIN feeds f ON f.name = a.source WHERE f.kind <> 'inbox' AND is_file_url(f.url);

CREATE OR REPLACE MACRO observed_source_days(tz) AS TABLE
WITH fetched AS (
    SELECT CAST(timezone(tz, l.fetched_at) AS DATE) AS day, l.feed AS source, count(*) AS fetches
    FROM fetch_log l
    WHERE l.status IN ('ok', 'not_modified')
    GROUP BY ALL
),
imported AS (
    SELECT CAST(timezone(tz, a.published_at) AS DATE) AS day, a.source, count(*) AS imported_articles
    FROM article a
    LEFT JOIN feeds f ON f.name = a.source
    WHERE a.source = 'inbox' OR f.kind = 'inbox' OR a.article_id IN (SELECT article_id FROM article_from_file)
    GROUP BY ALL
)
SELECT
    coalesce(f.day, i.day) AS day,
    coalesce(f.source, i.source) AS source,
    coalesce(f.fetches, 0) AS fetches,
    coalesce(i.imported_articles, 0) AS imported_articles
FROM fetched f
FULL OUTER JOIN imported i ON f.day = i.day AND f.source = i.source;
