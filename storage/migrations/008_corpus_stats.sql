-- 008: corpus statistics (docs/methods.md, "Corpus statistics"): in how many stored articles each term occurs.
-- Updated in the transaction that stores each batch of articles (near-duplicates not counted); the number of
-- articles counted is meta 'corpus_docs'. Topic similarity and stories weigh terms with these counts.
CREATE TABLE corpus_df (
    term VARCHAR PRIMARY KEY,
    df   BIGINT NOT NULL
);
