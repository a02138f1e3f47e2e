-- 020: flag_evidence says when an article was revised after its digest was built. The view reads the article's
-- current sentences, headline and url: an article revised later (its feed changed the text, a page read later
-- replaced a summary) is re-scored in place, so the quoted sentence and its marks may no longer be what the digest
-- showed. The new last column, revised_since_digest, is true for such rows; the digest as mailed keeps its own
-- words (digest.html, and digest_version for a replaced mailed digest). Every other column is unchanged.
CREATE OR REPLACE VIEW flag_evidence AS
SELECT
    e.digest_date AS day,
    e.topic,
    e.flag,
    e.subject,
    e.flag_no,
    e.kind,
    e.rank,
    e.article_id,
    e.sentence_index,
    e.contribution,
    e.tone,
    e.story_id,
    coalesce(e.outlet, a.outlet) AS outlet,
    a.title,
    a.url,
    a.published_at,
    s.text AS sentence,
    e.mark_start,
    e.mark_end,
    e.articles,
    e.baseline,
    e.note,
    coalesce(a.revised_at > d.generated_at, false) AS revised_since_digest
FROM evidence e
LEFT JOIN article a ON a.article_id = e.article_id
LEFT JOIN sentence s ON s.article_id = e.article_id AND s.idx = e.sentence_index
LEFT JOIN digest d ON d.digest_date = e.digest_date;
