-- 005: search feeds, full text and language (docs/methods.md, "Search sources, full text, language").
-- page_fetch records what happened to each article page we tried to read; "skipped" pages are retried next run.

CREATE TABLE page_fetch (
    url          VARCHAR PRIMARY KEY,              -- the article's canonical URL
    article_id   VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,                 -- page | failed | skipped
    method       VARCHAR,                          -- trafilatura | none
    error        VARCHAR,                          -- why it failed or was skipped
    http_status  INTEGER,
    final_url    VARCHAR,                          -- after redirects
    fetched_at   TIMESTAMPTZ NOT NULL,             -- last attempt
    attempts     INTEGER NOT NULL DEFAULT 1
);

-- Per local day, topic and language: articles, and how many of them carry a tone score (English text only).
CREATE VIEW daily_languages AS
SELECT
    CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), a.published_at) AS DATE)
        AS day,
    t.topic,
    coalesce(a.language, 'und') AS language,
    count(*) AS articles,
    count(a.tone) AS scored
FROM article a
JOIN article_topic t USING (article_id)
WHERE a.duplicate_of IS NULL
GROUP BY ALL;

-- How each article's text was obtained: from the feed, from its page, or not at all (and why).
CREATE VIEW article_text AS
SELECT
    a.article_id,
    a.url,
    a.source,
    a.text_source,
    a.language,
    p.status AS page_status,
    p.error AS page_error,
    p.http_status AS page_http_status,
    p.attempts AS page_attempts,
    p.fetched_at AS page_fetched_at
FROM article a
LEFT JOIN page_fetch p ON p.article_id = a.article_id;
