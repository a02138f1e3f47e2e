-- 011: each corpus_df term's 64-bit key (md5_number_lower(term), newswatch.text.corpus_stats.term_key), stored with
-- the term so that a run reads the statistics as sorted keys and counts without hashing every term again (at
-- millions of terms the hashing was most of the read: docs/performance.md, Memory). Rows are inserted with it.
ALTER TABLE corpus_df ADD COLUMN key UBIGINT;
UPDATE corpus_df SET key = md5_number_lower(term);
