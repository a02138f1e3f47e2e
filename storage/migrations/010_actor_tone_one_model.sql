-- 010: daily_actor_tone redefined (as in 007) with one rule more: no tone flag while an actor's tones of the day
-- and of the observed days among the 7 before come from more than one method or model version
-- (article_actor.tone_method / tone_model), the rule the digest applies (newswatch/report/digest.py). After a model
-- update, `newswatch rescore --actors` brings stored rows to one model. New column: tone_mixed_models.

CREATE OR REPLACE VIEW daily_actor_tone AS
WITH art AS (
    SELECT
        a.article_id,
        (a.language IS NULL OR lower(a.language) LIKE 'en%') AS english,
        CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), a.published_at) AS DATE)
            AS day
    FROM article a
    WHERE a.duplicate_of IS NULL
),
observed AS (
    SELECT DISTINCT day FROM observed_days
),
-- Observed days among the 7 (28) before each day, on the calendar of observed days.
observed_before AS (
    SELECT
        day,
        count(*) FILTER (WHERE is_observed) OVER (ORDER BY day
            RANGE BETWEEN INTERVAL 7 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING) AS baseline_days7,
        count(*) FILTER (WHERE is_observed) OVER (ORDER BY day
            RANGE BETWEEN INTERVAL 28 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING) AS baseline_days28
    FROM (SELECT d.day, o.day IS NOT NULL AS is_observed
          FROM (SELECT day FROM observed UNION SELECT day FROM art) d LEFT JOIN observed o USING (day))
),
per_day AS (
    SELECT
        art.day,
        t.topic,
        aa.actor_id,
        CAST(sum(aa.mentions) AS BIGINT) AS mentions,
        count(*) AS articles,
        count(*) FILTER (WHERE art.english AND aa.tone IS NOT NULL) AS tone_n,
        sum(aa.tone) FILTER (WHERE art.english) AS tone_sum,
        sum(aa.tone * aa.tone) FILTER (WHERE art.english) AS tone_sq,
        min(coalesce(aa.tone_method, '') || '/' || coalesce(aa.tone_model, ''))
            FILTER (WHERE art.english AND aa.tone IS NOT NULL) AS model_lo,
        max(coalesce(aa.tone_method, '') || '/' || coalesce(aa.tone_model, ''))
            FILTER (WHERE art.english AND aa.tone IS NOT NULL) AS model_hi
    FROM art
    JOIN article_topic t USING (article_id)
    JOIN article_actor aa USING (article_id)
    GROUP BY art.day, t.topic, aa.actor_id
),
marked AS (
    SELECT p.*, o.day IS NOT NULL AS observed FROM per_day p LEFT JOIN observed o ON o.day = p.day
),
windowed AS (
    SELECT
        *,
        mentions / sum(mentions) OVER (PARTITION BY day, topic) AS share_of_voice,
        coalesce(sum(mentions) FILTER (WHERE observed) OVER w7, 0) AS mentions_sum7,
        coalesce(sum(mentions) FILTER (WHERE observed) OVER w28, 0) AS mentions_sum28,
        coalesce(sum(tone_n) FILTER (WHERE observed) OVER w7, 0) AS tone_n7,
        sum(tone_sum) FILTER (WHERE observed) OVER w7
            / nullif(sum(tone_n) FILTER (WHERE observed) OVER w7, 0) AS tone_base7,
        sum(tone_sq) FILTER (WHERE observed) OVER w7
            / nullif(sum(tone_n) FILTER (WHERE observed) OVER w7, 0) AS tone_sq7,
        min(model_lo) FILTER (WHERE observed) OVER w7 AS model_lo7,
        max(model_hi) FILTER (WHERE observed) OVER w7 AS model_hi7,
        coalesce(count(*) OVER w28, 0) = 0 AS first_seen_28,
        min(day) OVER (PARTITION BY topic, actor_id) AS first_day
    FROM marked
    WINDOW
        w7 AS (PARTITION BY topic, actor_id ORDER BY day
               RANGE BETWEEN INTERVAL 7 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING),
        w28 AS (PARTITION BY topic, actor_id ORDER BY day
                RANGE BETWEEN INTERVAL 28 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING)
),
figures AS (
    SELECT
        w.*,
        b.baseline_days7,
        b.baseline_days28,
        w.mentions_sum7 / nullif(b.baseline_days7, 0) AS mentions_base7,
        w.mentions_sum28 / nullif(b.baseline_days28, 0) AS mentions_base28,
        w.tone_sum / nullif(w.tone_n, 0) AS tone_mean,
        sqrt(greatest(w.tone_sq / nullif(w.tone_n, 0) - pow(w.tone_sum / nullif(w.tone_n, 0), 2), 0)) AS tone_sd,
        sqrt(greatest(w.tone_sq7 - pow(w.tone_base7, 2), 0)) AS tone_sd7,
        CAST(coalesce((SELECT value FROM meta WHERE key = 'min_baseline_days'), '5') AS INTEGER) AS min_days,
        coalesce(least(w.model_lo, w.model_lo7) <> greatest(w.model_hi, w.model_hi7), false) AS tone_mixed_models
    FROM windowed w
    JOIN observed_before b USING (day)
)
SELECT
    f.day,
    f.topic,
    f.actor_id,
    coalesce(ac.name, f.actor_id) AS actor_name,
    ac.kind AS actor_kind,
    f.mentions,
    f.articles,
    f.share_of_voice,
    f.mentions_base7,
    f.mentions_base28,
    CASE WHEN f.baseline_days7 >= f.min_days THEN (f.mentions - f.mentions_base7) / nullif(f.mentions_base7, 0) * 100
    END AS mentions_change7,
    f.tone_n,
    f.tone_mean,
    f.tone_sd,
    f.tone_base7,
    f.tone_mean - f.tone_base7 AS tone_change7,
    CASE
        WHEN f.baseline_days7 < f.min_days OR NOT f.observed THEN NULL
        WHEN f.tone_mixed_models THEN NULL
        WHEN f.tone_n < 5 OR f.tone_n7 < 10 OR f.tone_mean IS NULL OR f.tone_base7 IS NULL THEN NULL
        WHEN abs(f.tone_mean - f.tone_base7) < 0.15 THEN NULL
        WHEN pow(f.tone_sd, 2) / f.tone_n + pow(f.tone_sd7, 2) / f.tone_n7 > 0
             AND abs(f.tone_mean - f.tone_base7)
                 / sqrt(pow(f.tone_sd, 2) / f.tone_n + pow(f.tone_sd7, 2) / f.tone_n7) < 2
            THEN NULL
        WHEN f.tone_mean > f.tone_base7 THEN 'warmer'
        ELSE 'harsher'
    END AS tone_flag,
    f.tone_mixed_models,
    f.first_seen_28,
    f.first_day,
    f.observed,
    f.baseline_days7,
    f.baseline_days28
FROM figures f
LEFT JOIN actor ac USING (actor_id);
