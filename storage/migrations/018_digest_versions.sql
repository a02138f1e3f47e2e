-- 018: what was mailed stays readable after its day is built again. A digest rebuilt (`newswatch digest --date D`,
-- `backfill`, a rerun) replaces the stored digest and its evidence rows; before, the version a reader had received
-- was gone from the store, and a flag in the mail could no longer be checked against its own evidence. Before a
-- stored digest that was mailed (a delivery 'sent' or 'unknown' at or after it was built) is replaced, the digest
-- and its evidence rows (as a JSON list) are kept here. Versions never mailed are not kept.
CREATE TABLE digest_version (
    digest_date   DATE NOT NULL,
    generated_at  TIMESTAMPTZ NOT NULL,                -- when this version was built
    replaced_at   TIMESTAMPTZ NOT NULL,                -- when a later build replaced it
    timezone      VARCHAR NOT NULL,
    subject       VARCHAR NOT NULL,
    html          VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    markdown      VARCHAR,
    data          VARCHAR,                             -- JSON text of the figures, as in digest.data
    evidence      VARCHAR,                             -- JSON list of the version's evidence rows
    PRIMARY KEY (digest_date, generated_at)
);
