-- 009: actor tone from a trained model (docs/methods.md, "Actor tone"). Each actor tone records how it was
-- computed and by which model version, so `newswatch rescore --actors` can bring old rows to the current model;
-- each text mention keeps its own tone (the evidence for an actor's tone shift).
ALTER TABLE article_actor ADD COLUMN tone_method VARCHAR;
ALTER TABLE article_actor ADD COLUMN tone_model VARCHAR;
ALTER TABLE mention ADD COLUMN tone DOUBLE;
UPDATE article_actor SET tone_method = 'vader-window', tone_model = '1' WHERE tone_method IS NULL;

CREATE OR REPLACE VIEW article_actors AS
SELECT
    aa.article_id,
    aa.actor_id,
    ac.name AS actor_name,
    ac.kind AS actor_kind,
    aa.mentions,
    aa.sentences,
    aa.tone,
    aa.label,
    aa.tone_method,
    aa.tone_model,
    a.published_at,
    CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), a.published_at) AS DATE)
        AS published_day,
    a.outlet,
    a.title,
    a.language
FROM article_actor aa
JOIN article a USING (article_id)
LEFT JOIN actor ac USING (actor_id);
