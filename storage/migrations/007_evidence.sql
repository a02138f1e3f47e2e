-- 007: no flag without a baseline, and every flag with its evidence (docs/schema.md).
-- A day counts toward a baseline only when newswatch was watching: a successful fetch of a source that local day,
-- or articles for that day read from a file (the inbox, a feed given as a local file). The digest reads the same
-- rule through the table macro observed_source_days(tz); the views read it with the time zone in meta.
-- daily_topic_coverage and daily_actor_tone are redefined: baselines are means over the observed days among the
-- 7 (28) before, and figures compare and flag only from meta('min_baseline_days') observed days (default 5).
-- The flag rules are newswatch/report/measures.py's; tests/unit/test_one_home.py checks they agree.

CREATE MACRO observed_source_days(tz) AS TABLE
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
    WHERE a.source = 'inbox' OR f.kind = 'inbox'
       OR (f.url IS NOT NULL AND (regexp_extract(f.url, '^([A-Za-z][A-Za-z0-9+.-]*):', 1) = '' OR lower(regexp_extract(f.url, '^([A-Za-z][A-Za-z0-9+.-]*):', 1)) = 'file' OR length(regexp_extract(f.url, '^([A-Za-z][A-Za-z0-9+.-]*):', 1)) = 1))
    GROUP BY ALL
)
SELECT
    coalesce(f.day, i.day) AS day,
    coalesce(f.source, i.source) AS source,
    coalesce(f.fetches, 0) AS fetches,
    coalesce(i.imported_articles, 0) AS imported_articles
FROM fetched f
FULL OUTER JOIN imported i ON f.day = i.day AND f.source = i.source;

-- Per local day and source: was newswatch watching (successful fetches, articles read from files)?
CREATE VIEW observed_days AS
SELECT * FROM observed_source_days(coalesce((SELECT value FROM meta WHERE key = 'timezone'), 'UTC'));

-- The evidence behind each flag of a stored digest, written with the digest (newswatch digest, backfill).
CREATE TABLE evidence (
    digest_date     DATE NOT NULL,
    flag_no         INTEGER NOT NULL,                 -- the flag's place in the digest's "What changed"
    topic           VARCHAR,                          -- NULL for names outside the topics
    flag            VARCHAR NOT NULL,                 -- spike | drop | harsher | warmer | new name | first seen
    subject         VARCHAR,                          -- the actor or name the flag is about, NULL for the topic
    kind            VARCHAR NOT NULL,                 -- story | outlet | article | sentence | first_article
    rank            INTEGER NOT NULL,                 -- 1 = contributed most
    article_id      VARCHAR,
    sentence_index  INTEGER,                          -- the sentence quoted (NULL: the headline)
    story_id        VARCHAR,
    outlet          VARCHAR,
    contribution    DOUBLE,                           -- articles (volume) or tone points (tone) this row moved
    tone            DOUBLE,                           -- the quoted sentence's (or article's) tone
    articles        INTEGER,                          -- story and outlet rows: articles on the day
    baseline        DOUBLE,                           -- story and outlet rows: mean over the observed days before
    mark_start      INTEGER,                          -- the mention inside the sentence, as character offsets
    mark_end        INTEGER,
    note            VARCHAR,
    PRIMARY KEY (digest_date, flag_no, kind, rank)
);

CREATE VIEW flag_evidence AS
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
    e.note
FROM evidence e
LEFT JOIN article a ON a.article_id = e.article_id
LEFT JOIN sentence s ON s.article_id = e.article_id AND s.idx = e.sentence_index;

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
    CASE WHEN baseline_days7 >= min_days THEN (articles - articles_base7) / nullif(articles_base7, 0) * 100 END
        AS articles_change7,
    CASE WHEN baseline_days28 >= min_days THEN (articles - articles_base28) / nullif(articles_base28, 0) * 100 END
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
        sum(aa.tone * aa.tone) FILTER (WHERE art.english) AS tone_sq
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
        CAST(coalesce((SELECT value FROM meta WHERE key = 'min_baseline_days'), '5') AS INTEGER) AS min_days
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
    f.first_day,
    f.observed,
    f.baseline_days7,
    f.baseline_days28
FROM figures f
LEFT JOIN actor ac USING (actor_id);
