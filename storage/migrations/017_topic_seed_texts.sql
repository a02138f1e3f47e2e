-- 017: the text of a topic's seed files, hashed as a run reads them (newswatch/analysis/rematch.py, seeds_hash), so a
-- seed file rewritten at the same path makes the next run match the topic again over the stored articles; before,
-- only the seed's path was compared and the old seed's members stayed. NULL in the rows of a store from before this
-- migration: the next run records the hash without matching again (the text those members were matched with is not
-- known, and an upgrade must not move a topic's figures by itself).
ALTER TABLE topic ADD COLUMN seeds_hash VARCHAR;
