-- 015: outlet_actor_tone's baselines over the observed days, as every other baseline since 007 and 012. Before,
-- articles_base28 divided the 28 days' articles by 28 calendar days, so a young store, or one whose feeds were down
-- for days, showed an outlet naming an actor two or three times less often than it did on the days it was watched;
-- and its tone baselines pooled articles of days nobody watched (a backlog) with the watched ones. Now the articles
-- and tones of observed days only count, divided by the observed days among the 28 before (the new last column
-- baseline_days28, as in daily_topic_coverage and daily_actor_tone). tone_n28 is a BIGINT like the other counts
-- (it was a HUGEINT). Otherwise the view is as in 004.

CREATE OR REPLACE VIEW outlet_actor_tone AS
WITH art AS (
    SELECT
        a.article_id,
        a.outlet,
        (a.language IS NULL OR lower(a.language) LIKE 'en%') AS english,
        CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), a.published_at) AS DATE)
            AS day
    FROM article a
    WHERE a.duplicate_of IS NULL
),
observed AS (
    SELECT DISTINCT day FROM observed_days
),
-- Observed days among the 28 before each day, on the calendar of observed days and days with articles.
observed_before AS (
    SELECT
        day,
        count(*) FILTER (WHERE is_observed) OVER (ORDER BY day
            RANGE BETWEEN INTERVAL 28 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING) AS baseline_days28
    FROM (SELECT d.day, o.day IS NOT NULL AS is_observed
          FROM (SELECT day FROM observed UNION SELECT day FROM art) d LEFT JOIN observed o USING (day))
),
per_day AS (
    SELECT
        art.day,
        art.outlet,
        aa.actor_id,
        count(*) AS articles,
        CAST(sum(aa.mentions) AS BIGINT) AS mentions,
        count(*) FILTER (WHERE art.english AND aa.tone IS NOT NULL) AS tone_n,
        sum(aa.tone) FILTER (WHERE art.english) AS tone_sum
    FROM art JOIN article_actor aa USING (article_id)
    GROUP BY art.day, art.outlet, aa.actor_id
),
marked AS (
    SELECT p.*, o.day IS NOT NULL AS observed FROM per_day p LEFT JOIN observed o ON o.day = p.day
),
outlet_day AS (
    SELECT day, outlet, bool_or(observed) AS observed, sum(tone_n) AS tone_n, sum(tone_sum) AS tone_sum
    FROM marked GROUP BY day, outlet
),
outlet_base AS (
    SELECT
        day,
        outlet,
        sum(tone_sum) FILTER (WHERE observed) OVER w28
            / nullif(sum(tone_n) FILTER (WHERE observed) OVER w28, 0) AS outlet_tone_base28
    FROM outlet_day
    WINDOW w28 AS (PARTITION BY outlet ORDER BY day
                   RANGE BETWEEN INTERVAL 28 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING)
),
windowed AS (
    SELECT
        *,
        coalesce(sum(articles) FILTER (WHERE observed) OVER w28, 0) AS articles_sum28,
        CAST(coalesce(sum(tone_n) FILTER (WHERE observed) OVER w28, 0) AS BIGINT) AS tone_n28,
        sum(tone_sum) FILTER (WHERE observed) OVER w28
            / nullif(sum(tone_n) FILTER (WHERE observed) OVER w28, 0) AS tone_base28
    FROM marked
    WINDOW w28 AS (PARTITION BY outlet, actor_id ORDER BY day
                   RANGE BETWEEN INTERVAL 28 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING)
)
SELECT
    w.day,
    w.outlet,
    w.actor_id,
    coalesce(ac.name, w.actor_id) AS actor_name,
    w.articles,
    w.mentions,
    w.articles_sum28 / nullif(ob.baseline_days28, 0) AS articles_base28,
    w.tone_n,
    w.tone_sum / nullif(w.tone_n, 0) AS tone_mean,
    w.tone_n28,
    w.tone_base28,
    w.tone_sum / nullif(w.tone_n, 0) - w.tone_base28 AS tone_change28,
    b.outlet_tone_base28,
    w.tone_sum / nullif(w.tone_n, 0) - b.outlet_tone_base28 AS tone_vs_outlet,
    coalesce(ob.baseline_days28, 0) AS baseline_days28
FROM windowed w
JOIN outlet_base b USING (day, outlet)
LEFT JOIN observed_before ob USING (day)
LEFT JOIN actor ac USING (actor_id);
