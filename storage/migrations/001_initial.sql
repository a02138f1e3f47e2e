-- 001: the base schema. Migrations are append-only: never edit an applied file, add a new one at the end.
-- Tables hold what the pipeline writes; users query the views (docs/schema.md), which are the stable interface.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE TABLE runs (
    run_id              VARCHAR PRIMARY KEY,
    kind                VARCHAR NOT NULL,          -- ingest | digest | rematch | backfill
    started_at          TIMESTAMPTZ NOT NULL,
    finished_at         TIMESTAMPTZ,
    status              VARCHAR NOT NULL,          -- running | ok | failed
    feeds_ok            INTEGER DEFAULT 0,
    feeds_not_modified  INTEGER DEFAULT 0,
    feeds_failed        INTEGER DEFAULT 0,
    feeds_skipped       INTEGER DEFAULT 0,
    files_read          INTEGER DEFAULT 0,
    files_failed        INTEGER DEFAULT 0,
    entries             INTEGER DEFAULT 0,
    articles_new        INTEGER DEFAULT 0,
    articles_duplicate  INTEGER DEFAULT 0,
    errors              INTEGER DEFAULT 0,
    detail              VARCHAR                     -- JSON text: per-stage timings, messages
);

CREATE TABLE feeds (
    name               VARCHAR PRIMARY KEY,
    kind               VARCHAR NOT NULL,           -- feed | inbox | search
    url                VARCHAR,
    outlet             VARCHAR,
    country            VARCHAR,
    language           VARCHAR,
    etag               VARCHAR,
    last_modified      VARCHAR,
    last_status        VARCHAR,                    -- ok | not_modified | error | skipped
    last_attempt_at    TIMESTAMPTZ,
    last_success_at    TIMESTAMPTZ,
    last_error_at      TIMESTAMPTZ,
    last_error_kind    VARCHAR,
    last_error         VARCHAR,
    error_count        INTEGER DEFAULT 0,
    failure_weight     DOUBLE DEFAULT 0,
    next_attempt_at    TIMESTAMPTZ,
    active             BOOLEAN DEFAULT TRUE
);

CREATE TABLE fetch_log (
    run_id        VARCHAR NOT NULL,
    feed          VARCHAR NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    status        VARCHAR NOT NULL,
    http_status   INTEGER,
    error_kind    VARCHAR,
    error         VARCHAR,
    entries       INTEGER,
    new_articles  INTEGER,
    elapsed_ms    INTEGER
);

CREATE TABLE article (
    article_id           VARCHAR PRIMARY KEY,
    url                  VARCHAR,
    guid                 VARCHAR,
    source               VARCHAR NOT NULL,         -- feed name or 'inbox'
    outlet               VARCHAR NOT NULL,
    title                VARCHAR NOT NULL,
    summary              VARCHAR,
    body                 VARCHAR,
    text_source          VARCHAR,                  -- feed | summary | file | page | none
    published_at         TIMESTAMPTZ NOT NULL,
    published_estimated  BOOLEAN NOT NULL,
    first_seen_at        TIMESTAMPTZ NOT NULL,
    language             VARCHAR,
    content_hash         VARCHAR NOT NULL,
    simhash              UBIGINT,
    duplicate_of         VARCHAR,                  -- near-identical earlier copy (syndication)
    origin               VARCHAR,
    run_id               VARCHAR,
    n_sentences          INTEGER,
    tone                 DOUBLE,                   -- mean sentence compound
    tone_pos             DOUBLE,
    tone_neu             DOUBLE,
    tone_neg             DOUBLE,
    tone_sd              DOUBLE
);

-- Each time a feed or file carried an article: gives per-feed volume and records syndicated copies.
CREATE TABLE sighting (
    article_id  VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    outlet      VARCHAR NOT NULL,
    url         VARCHAR,
    seen_at     TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR,
    PRIMARY KEY (article_id, source)
);

CREATE TABLE sentence (
    article_id  VARCHAR NOT NULL,
    idx         INTEGER NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    text        VARCHAR NOT NULL,
    compound    DOUBLE NOT NULL,
    pos         DOUBLE NOT NULL,
    neu         DOUBLE NOT NULL,
    neg         DOUBLE NOT NULL,
    PRIMARY KEY (article_id, idx)
);

CREATE TABLE actor (
    actor_id  VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL,
    kind      VARCHAR NOT NULL,
    country   VARCHAR
);

CREATE TABLE mention (
    article_id    VARCHAR NOT NULL,
    actor_id      VARCHAR NOT NULL,
    sentence_idx  INTEGER NOT NULL,                -- -1: the headline
    start_char    INTEGER NOT NULL,
    end_char      INTEGER NOT NULL,
    surface       VARCHAR NOT NULL,
    via           VARCHAR NOT NULL
);

CREATE TABLE article_actor (
    article_id  VARCHAR NOT NULL,
    actor_id    VARCHAR NOT NULL,
    mentions    INTEGER NOT NULL,
    sentences   INTEGER NOT NULL,
    tone        DOUBLE,
    label       VARCHAR,
    PRIMARY KEY (article_id, actor_id)
);

CREATE TABLE candidate (
    article_id  VARCHAR NOT NULL,
    name        VARCHAR NOT NULL,
    mentions    INTEGER NOT NULL,
    PRIMARY KEY (article_id, name)
);

CREATE TABLE topic (
    name             VARCHAR PRIMARY KEY,
    description      VARCHAR,
    definition_hash  VARCHAR NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE article_topic (
    article_id  VARCHAR NOT NULL,
    topic       VARCHAR NOT NULL,
    score       DOUBLE NOT NULL,
    via         VARCHAR NOT NULL,
    PRIMARY KEY (article_id, topic)
);

CREATE TABLE digest (
    digest_date   DATE PRIMARY KEY,
    generated_at  TIMESTAMPTZ NOT NULL,
    timezone      VARCHAR NOT NULL,
    subject       VARCHAR NOT NULL,
    html          VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    markdown      VARCHAR,
    data          VARCHAR,                          -- JSON text of the figures
    html_path     VARCHAR,
    text_path     VARCHAR
);

-- Files taken from the inbox folders: a file is read again only when its size or modification time changes.
CREATE TABLE inbox_file (
    path      VARCHAR PRIMARY KEY,
    size      BIGINT NOT NULL,
    mtime     DOUBLE NOT NULL,
    read_at   TIMESTAMPTZ NOT NULL,
    status    VARCHAR NOT NULL,                     -- ok | error
    entries   INTEGER,
    error     VARCHAR
);
