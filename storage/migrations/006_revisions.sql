-- 006: corrections. An article whose text changes at the same URL (a correction, a live page, an edited entry)
-- is re-scored in place: first_seen_at stays, `revisions` counts the changes, `revised_at` and `revised_run_id`
-- say when and by which run. The `articles` view gains `revisions` and `revised_at` at the end.

ALTER TABLE article ADD COLUMN revisions INTEGER DEFAULT 0;
ALTER TABLE article ADD COLUMN revised_at TIMESTAMPTZ;
ALTER TABLE article ADD COLUMN revised_run_id VARCHAR;

CREATE OR REPLACE VIEW articles AS
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
    a.content_hash,
    a.revisions,
    a.revised_at
FROM article a;
