-- 012: the rule "percentages and flags wait until the day itself and min_baseline_days of the 7 before were
-- observed" (docs/schema.md, "Flags"; newswatch/report/measures.py) in both views, as the digest applies it:
-- articles_change7/28 and mentions_change7 are null on a day nobody watched (before, only the days before were
-- checked). daily_topic_coverage's calendar now runs to the last observed day too, so a watched day without a
-- single article (a feed that went quiet) is a row of zeros and a drop flagged on it is in the view.
-- Both views are otherwise as in 007 (daily_topic_coverage) and 010 (daily_actor_tone).

CREATE OR REPLACE VIEW daily_topic_coverage AS
WITH art AS (
    SELECT
        a.article_id,
        a.tone,
        (a.language IS NULL OR lower(a.language) LIKE 'en%') AND a.tone IS NOT NULL AS scored,
        CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), a.published_at) AS DATE)
            AS day
    FROM article a
    WHERE a.duplicate_of IS NULL
),
observed AS (
    SELECT DISTINCT day FROM observed_days
),
volume AS (
    SELECT day, count(*) AS all_articles FROM art GROUP BY day
),
-- Every day from the first to the last day with an article or a watch: a watched day with no article at all is a
-- row of zeros (a feed that went quiet), so a drop flagged on it is in the view.
calendar AS (
    SELECT CAST(unnest(generate_series(min(day), max(day), INTERVAL 1 DAY)) AS DATE) AS day
    FROM (SELECT day FROM art UNION ALL SELECT day FROM observed)
),
topics AS (
    SELECT name AS topic FROM topic UNION SELECT DISTINCT topic FROM article_topic
),
per_day AS (
    SELECT
        t.topic,
        art.day,
        count(*) AS articles,
        count(*) FILTER (WHERE art.scored) AS tone_n,
        sum(art.tone) FILTER (WHERE art.scored) AS tone_sum,
        sum(art.tone * art.tone) FILTER (WHERE art.scored) AS tone_sq
    FROM art JOIN article_topic t USING (article_id)
    GROUP BY t.topic, art.day
),
dense AS (
    SELECT
        tp.topic,
        c.day,
        o.day IS NOT NULL AS observed,
        coalesce(p.articles, 0) AS articles,
        coalesce(v.all_articles, 0) AS all_articles,
        coalesce(p.tone_n, 0) AS tone_n,
        coalesce(p.tone_sum, 0) AS tone_sum,
        coalesce(p.tone_sq, 0) AS tone_sq
    FROM topics tp
    CROSS JOIN calendar c
    LEFT JOIN per_day p ON p.topic = tp.topic AND p.day = c.day
    LEFT JOIN volume v ON v.day = c.day
    LEFT JOIN observed o ON o.day = c.day
),
windowed AS (
    SELECT
        *,
        coalesce(count(*) FILTER (WHERE observed) OVER w7, 0) AS baseline_days7,
        coalesce(count(*) FILTER (WHERE observed) OVER w28, 0) AS baseline_days28,
        sum(articles) FILTER (WHERE observed) OVER w7
            / nullif(count(*) FILTER (WHERE observed) OVER w7, 0) AS articles_base7,
        sum(articles) FILTER (WHERE observed) OVER w28
            / nullif(count(*) FILTER (WHERE observed) OVER w28, 0) AS articles_base28,
        sum(articles) FILTER (WHERE observed) OVER w7
            / nullif(sum(all_articles) FILTER (WHERE observed) OVER w7, 0) AS share_base7,
        sum(articles) FILTER (WHERE observed) OVER w28
            / nullif(sum(all_articles) FILTER (WHERE observed) OVER w28, 0) AS share_base28,
        coalesce(sum(tone_n) FILTER (WHERE observed) OVER w7, 0) AS tone_n7,
        sum(tone_sum) FILTER (WHERE observed) OVER w7
            / nullif(sum(tone_n) FILTER (WHERE observed) OVER w7, 0) AS tone_base7,
        sum(tone_sq) FILTER (WHERE observed) OVER w7
            / nullif(sum(tone_n) FILTER (WHERE observed) OVER w7, 0) AS tone_sq7,
        sum(tone_sum) FILTER (WHERE observed) OVER w28
            / nullif(sum(tone_n) FILTER (WHERE observed) OVER w28, 0) AS tone_base28,
        CAST(coalesce((SELECT value FROM meta WHERE key = 'min_baseline_days'), '5') AS INTEGER) AS min_days
    FROM dense
    WINDOW
        w7 AS (PARTITION BY topic ORDER BY day RANGE BETWEEN INTERVAL 7 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING),
        w28 AS (PARTITION BY topic ORDER BY day RANGE BETWEEN INTERVAL 28 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING)
),
figures AS (
    SELECT
        *,
        tone_sum / nullif(tone_n, 0) AS tone_mean,
        sqrt(greatest(tone_sq / nullif(tone_n, 0) - pow(tone_sum / nullif(tone_n, 0), 2), 0)) AS tone_sd,
        sqrt(greatest(tone_sq7 - pow(tone_base7, 2), 0)) AS tone_sd7,
        (articles - articles_base7) / sqrt(greatest(articles_base7, 1)) AS z7
    FROM windowed
)
SELECT
    day,
    topic,
    articles,
    all_articles,
    articles / nullif(all_articles, 0) AS share,
    tone_n,
    tone_mean,
    tone_sd,
    articles_base7,
    articles_base28,
    CASE WHEN observed AND baseline_days7 >= min_days THEN (articles - articles_base7) / nullif(articles_base7, 0) * 100 END
        AS articles_change7,
    CASE WHEN observed AND baseline_days28 >= min_days THEN (articles - articles_base28) / nullif(articles_base28, 0) * 100 END
        AS articles_change28,
    share_base7,
    share_base28,
    tone_base7,
    tone_base28,
    tone_mean - tone_base7 AS tone_change7,
    z7,
    baseline_days7 AS history_days7,
    observed,
    baseline_days7,
    baseline_days28,
    CASE
        WHEN baseline_days7 < min_days OR NOT observed THEN NULL
        WHEN articles >= 5 AND articles >= 1.5 * articles_base7 AND z7 >= 2 THEN 'spike'
        WHEN articles_base7 >= 5 AND articles <= 0.5 * articles_base7 AND z7 <= -2 THEN 'drop'
    END AS volume_flag,
    CASE
        WHEN baseline_days7 < min_days OR NOT observed THEN NULL
        WHEN tone_n < 5 OR tone_n7 < 10 OR tone_mean IS NULL OR tone_base7 IS NULL THEN NULL
        WHEN abs(tone_mean - tone_base7) < 0.15 THEN NULL
        WHEN pow(tone_sd, 2) / tone_n + pow(tone_sd7, 2) / tone_n7 > 0
             AND abs(tone_mean - tone_base7) / sqrt(pow(tone_sd, 2) / tone_n + pow(tone_sd7, 2) / tone_n7) < 2
            THEN NULL
        WHEN tone_mean > tone_base7 THEN 'warmer'
        ELSE 'harsher'
    END AS tone_flag
FROM figures;

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
    CASE WHEN f.observed AND f.baseline_days7 >= f.min_days THEN (f.mentions - f.mentions_base7) / nullif(f.mentions_base7, 0) * 100
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
