-- 014: runs.stories_at, when an ingest run's stored stories were brought up to date for the days of the articles it
-- stored. An ingest killed (or failed) after storing articles and before its stories left those days without
-- stories, and the next run re-grouped only the days of its own new articles, so they stayed without for good. Each
-- ingest now also re-groups the days of earlier ingest runs without stories_at (newswatch/analysis/stored_stories.py).
-- Runs before the upgrade are taken as done: `newswatch backfill` re-groups any days a killed run left behind.
ALTER TABLE runs ADD COLUMN stories_at TIMESTAMPTZ;
UPDATE runs SET stories_at = coalesce(finished_at, started_at);
