-- 004: coverage over time for SQL clients (docs/schema.md): per topic, actor and outlet and day, each figure beside
-- its trailing 7- and 28-day baselines, with the flag rules of newswatch/measures.py. Stories are stored (table
-- story, story_article), written by newswatch/coverage.py after each ingest and by backfill.
-- Names and columns are stable: change them only in a new migration, with a note in docs/schema.md.
-- Baselines: windows over local days (RANGE ... PRECEDING on the date), so a day with nothing counts as zero.

CREATE TABLE story (
    story_id     VARCHAR PRIMARY KEY,              -- 'story-' + sha1(earliest article_id)[:16]
    headline     VARCHAR NOT NULL,                 -- title of the most central article
    first_seen   TIMESTAMPTZ NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,
    computed_at  TIMESTAMPTZ NOT NULL
);

-- Every clustered article belongs to exactly one story.
CREATE TABLE story_article (
    article_id  VARCHAR PRIMARY KEY,
    story_id    VARCHAR NOT NULL
);

CREATE VIEW daily_topic_coverage AS
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
volume AS (
    SELECT day, count(*) AS all_articles FROM art GROUP BY day
),
calendar AS (
    SELECT CAST(unnest(generate_series(min(day), max(day), INTERVAL 1 DAY)) AS DATE) AS day FROM art
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
        coalesce(p.articles, 0) AS articles,
        coalesce(v.all_articles, 0) AS all_articles,
        coalesce(p.tone_n, 0) AS tone_n,
        coalesce(p.tone_sum, 0) AS tone_sum,
        coalesce(p.tone_sq, 0) AS tone_sq
    FROM topics tp
    CROSS JOIN calendar c
    LEFT JOIN per_day p ON p.topic = tp.topic AND p.day = c.day
    LEFT JOIN volume v ON v.day = c.day
),
windowed AS (
    SELECT
        *,
        coalesce(sum(articles) OVER w7, 0) / 7.0 AS articles_base7,
        coalesce(sum(articles) OVER w28, 0) / 28.0 AS articles_base28,
        sum(articles) OVER w7 / nullif(sum(all_articles) OVER w7, 0) AS share_base7,
        sum(articles) OVER w28 / nullif(sum(all_articles) OVER w28, 0) AS share_base28,
        coalesce(count(*) FILTER (WHERE all_articles > 0) OVER w7, 0) AS history_days7,
        coalesce(sum(tone_n) OVER w7, 0) AS tone_n7,
        sum(tone_sum) OVER w7 / nullif(sum(tone_n) OVER w7, 0) AS tone_base7,
        sum(tone_sq) OVER w7 / nullif(sum(tone_n) OVER w7, 0) AS tone_sq7,
        sum(tone_sum) OVER w28 / nullif(sum(tone_n) OVER w28, 0) AS tone_base28
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
    (articles - articles_base7) / nullif(articles_base7, 0) * 100 AS articles_change7,
    (articles - articles_base28) / nullif(articles_base28, 0) * 100 AS articles_change28,
    share_base7,
    share_base28,
    tone_base7,
    tone_base28,
    tone_mean - tone_base7 AS tone_change7,
    z7,
    history_days7,
    CASE
        WHEN history_days7 < 5 OR all_articles = 0 THEN NULL
        WHEN articles >= 5 AND articles >= 1.5 * articles_base7 AND z7 >= 2 THEN 'spike'
        WHEN articles_base7 >= 5 AND articles <= 0.5 * articles_base7 AND z7 <= -2 THEN 'drop'
    END AS volume_flag,
    CASE
        WHEN tone_n < 5 OR tone_n7 < 10 OR tone_mean IS NULL OR tone_base7 IS NULL THEN NULL
        WHEN abs(tone_mean - tone_base7) < 0.15 THEN NULL
        WHEN pow(tone_sd, 2) / tone_n + pow(tone_sd7, 2) / tone_n7 > 0
             AND abs(tone_mean - tone_base7) / sqrt(pow(tone_sd, 2) / tone_n + pow(tone_sd7, 2) / tone_n7) < 2
            THEN NULL
        WHEN tone_mean > tone_base7 THEN 'warmer'
        ELSE 'harsher'
    END AS tone_flag
FROM figures;

CREATE VIEW daily_actor_tone AS
WITH art AS (
    SELECT
        a.article_id,
        (a.language IS NULL OR lower(a.language) LIKE 'en%') AS english,
        CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), a.published_at) AS DATE)
            AS day
    FROM article a
    WHERE a.duplicate_of IS NULL
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
        sum(aa.tone * aa.tone) FILTER (WHERE art.english) AS tone_sq
    FROM art
    JOIN article_topic t USING (article_id)
    JOIN article_actor aa USING (article_id)
    GROUP BY art.day, t.topic, aa.actor_id
),
windowed AS (
    SELECT
        *,
        mentions / sum(mentions) OVER (PARTITION BY day, topic) AS share_of_voice,
        coalesce(sum(mentions) OVER w7, 0) / 7.0 AS mentions_base7,
        coalesce(sum(mentions) OVER w28, 0) / 28.0 AS mentions_base28,
        coalesce(sum(tone_n) OVER w7, 0) AS tone_n7,
        sum(tone_sum) OVER w7 / nullif(sum(tone_n) OVER w7, 0) AS tone_base7,
        sum(tone_sq) OVER w7 / nullif(sum(tone_n) OVER w7, 0) AS tone_sq7,
        coalesce(count(*) OVER w28, 0) = 0 AS first_seen_28,
        min(day) OVER (PARTITION BY topic, actor_id) AS first_day
    FROM per_day
    WINDOW
        w7 AS (PARTITION BY topic, actor_id ORDER BY day
               RANGE BETWEEN INTERVAL 7 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING),
        w28 AS (PARTITION BY topic, actor_id ORDER BY day
                RANGE BETWEEN INTERVAL 28 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING)
),
figures AS (
    SELECT
        *,
        tone_sum / nullif(tone_n, 0) AS tone_mean,
        sqrt(greatest(tone_sq / nullif(tone_n, 0) - pow(tone_sum / nullif(tone_n, 0), 2), 0)) AS tone_sd,
        sqrt(greatest(tone_sq7 - pow(tone_base7, 2), 0)) AS tone_sd7
    FROM windowed
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
    (f.mentions - f.mentions_base7) / nullif(f.mentions_base7, 0) * 100 AS mentions_change7,
    f.tone_n,
    f.tone_mean,
    f.tone_sd,
    f.tone_base7,
    f.tone_mean - f.tone_base7 AS tone_change7,
    CASE
        WHEN f.tone_n < 5 OR f.tone_n7 < 10 OR f.tone_mean IS NULL OR f.tone_base7 IS NULL THEN NULL
        WHEN abs(f.tone_mean - f.tone_base7) < 0.15 THEN NULL
        WHEN pow(f.tone_sd, 2) / f.tone_n + pow(f.tone_sd7, 2) / f.tone_n7 > 0
             AND abs(f.tone_mean - f.tone_base7)
                 / sqrt(pow(f.tone_sd, 2) / f.tone_n + pow(f.tone_sd7, 2) / f.tone_n7) < 2
            THEN NULL
        WHEN f.tone_mean > f.tone_base7 THEN 'warmer'
        ELSE 'harsher'
    END AS tone_flag,
    f.first_seen_28,
    f.first_day
FROM figures f
LEFT JOIN actor ac USING (actor_id);

CREATE VIEW outlet_actor_tone AS
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
outlet_day AS (
    SELECT day, outlet, sum(tone_n) AS tone_n, sum(tone_sum) AS tone_sum FROM per_day GROUP BY day, outlet
),
outlet_base AS (
    SELECT
        day,
        outlet,
        sum(tone_sum) OVER w28 / nullif(sum(tone_n) OVER w28, 0) AS outlet_tone_base28
    FROM outlet_day
    WINDOW w28 AS (PARTITION BY outlet ORDER BY day
                   RANGE BETWEEN INTERVAL 28 DAY PRECEDING AND INTERVAL 1 DAY PRECEDING)
),
windowed AS (
    SELECT
        *,
        coalesce(sum(articles) OVER w28, 0) / 28.0 AS articles_base28,
        coalesce(sum(tone_n) OVER w28, 0) AS tone_n28,
        sum(tone_sum) OVER w28 / nullif(sum(tone_n) OVER w28, 0) AS tone_base28
    FROM per_day
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
    w.articles_base28,
    w.tone_n,
    w.tone_sum / nullif(w.tone_n, 0) AS tone_mean,
    w.tone_n28,
    w.tone_base28,
    w.tone_sum / nullif(w.tone_n, 0) - w.tone_base28 AS tone_change28,
    b.outlet_tone_base28,
    w.tone_sum / nullif(w.tone_n, 0) - b.outlet_tone_base28 AS tone_vs_outlet
FROM windowed w
JOIN outlet_base b USING (day, outlet)
LEFT JOIN actor ac USING (actor_id);

CREATE VIEW stories AS
WITH members AS (
    SELECT
        sa.story_id,
        a.article_id,
        a.outlet,
        a.published_at,
        s.first_seen
    FROM story_article sa
    JOIN story s USING (story_id)
    JOIN article a USING (article_id)
)
SELECT
    s.story_id,
    s.headline,
    CAST(timezone(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'), s.first_seen) AS DATE)
        AS first_day,
    s.first_seen,
    s.last_seen,
    count(*) AS articles,
    count(DISTINCT m.outlet) AS n_outlets,
    list(DISTINCT m.outlet ORDER BY m.outlet) AS outlets,
    list(m.article_id ORDER BY m.published_at, m.article_id) AS article_ids,
    count(*) FILTER (WHERE m.published_at < s.first_seen + INTERVAL 24 HOUR) AS articles_first_24h,
    count(*) FILTER (WHERE m.published_at >= s.first_seen + INTERVAL 24 HOUR) AS growth,
    coalesce((SELECT list(DISTINCT t.topic ORDER BY t.topic) FROM article_topic t JOIN story_article x
              USING (article_id) WHERE x.story_id = s.story_id), []::VARCHAR[]) AS topics
FROM story s
JOIN members m USING (story_id)
GROUP BY s.story_id, s.headline, s.first_seen, s.last_seen;
