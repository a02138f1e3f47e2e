-- 016: marks for the first ingest after an upgrade, about derived data that older versions stored and that no later
-- run would otherwise redo. Set only in a store that already holds articles (a new store has nothing to redo):
-- - 'stories_method' = 'before-016': the stored stories were grouped by an older method (the grouping changed
--   several times before this version); the next ingest regroups the days the digest compares with today's method
--   and records it (newswatch/analysis/stored_stories.py, STORIES_METHOD: a later change of method does the same).
-- - 'language_tags' = 'before-016': declared languages were stored as written ('en-US') before they were mapped to
--   ISO 639-1 codes ('en'), so daily_languages split one language in two across the upgrade; the next ingest maps
--   the stored tags with the rule new articles get (newswatch.text.language.stored_language) and removes the mark.
INSERT INTO meta SELECT 'stories_method', 'before-016' WHERE EXISTS (SELECT 1 FROM article)
ON CONFLICT (key) DO NOTHING;
INSERT INTO meta SELECT 'language_tags', 'before-016' WHERE EXISTS (SELECT 1 FROM article)
ON CONFLICT (key) DO NOTHING;
