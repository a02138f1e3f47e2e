-- 002: the SQL interface for users (docs/schema.md). Names and columns are stable: change them only in a new
-- migration, with a note in docs/schema.md.
-- Local day: the digest time zone stored in meta('timezone') by every run (UTC until then).

CREATE VIEW articles AS
SELECT
    a.article_id,
    a.published_at,
    CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), a.published_at) AS DATE)
        AS published_day,
    a.published_estimated,
    a.first_seen_at,
    a.outlet,
    a.source,
    a.title,
    a.url,
    a.summary,
    a.body,
    a.text_source,
    a.language,
    a.n_sentences,
    a.tone,
    a.tone_pos,
    a.tone_neu,
    a.tone_neg,
    a.tone_sd,
    a.duplicate_of,
    coalesce((SELECT list(t.topic ORDER BY t.topic) FROM article_topic t WHERE t.article_id = a.article_id),
             []::VARCHAR[]) AS topics,
    a.content_hash
FROM article a;

CREATE VIEW article_actors AS
SELECT
    aa.article_id,
    aa.actor_id,
    ac.name AS actor_name,
    ac.kind AS actor_kind,
    aa.mentions,
    aa.sentences,
    aa.tone,
    aa.label,
    a.published_at,
    CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), a.published_at) AS DATE)
        AS published_day,
    a.outlet,
    a.title,
    a.language
FROM article_actor aa
JOIN article a USING (article_id)
LEFT JOIN actor ac USING (actor_id);

-- Per topic and local day: articles in the topic, all articles the same sources carried that day, share, tone.
CREATE VIEW daily_coverage AS
WITH days AS (
    SELECT
        a.article_id,
        a.source,
        a.tone,
        CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), a.published_at) AS DATE)
            AS day
    FROM article a
    WHERE a.duplicate_of IS NULL
),
volume AS (
    SELECT day, count(*) AS all_articles FROM days GROUP BY day
)
SELECT
    d.day,
    t.topic,
    count(*) AS articles,
    v.all_articles,
    count(*) / v.all_articles AS share,
    avg(d.tone) AS tone_mean,
    stddev_pop(d.tone) AS tone_sd,
    count(DISTINCT d.source) AS sources
FROM days d
JOIN article_topic t USING (article_id)
JOIN volume v USING (day)
GROUP BY d.day, t.topic, v.all_articles;
