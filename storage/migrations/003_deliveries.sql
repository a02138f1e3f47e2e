-- 003: mail delivery of the digest. One row per digest date and recipient: sent, or failed with the cause
-- (retried by the next digest run for a few days). The charts are kept so a stored digest can be mailed again.

CREATE TABLE digest_image (
    digest_date  DATE NOT NULL,
    name         VARCHAR NOT NULL,                  -- the Content-ID the HTML refers to as cid:NAME
    png          BLOB NOT NULL,
    PRIMARY KEY (digest_date, name)
);

CREATE TABLE delivery (
    digest_date      DATE NOT NULL,
    recipient        VARCHAR NOT NULL,              -- as configured, e.g. 'Desk <desk@example.org>'
    status           VARCHAR NOT NULL,              -- sent | failed
    attempts         INTEGER NOT NULL,              -- SMTP attempts over all runs
    server           VARCHAR NOT NULL,              -- host:port
    first_attempt_at TIMESTAMPTZ NOT NULL,
    last_attempt_at  TIMESTAMPTZ NOT NULL,
    sent_at          TIMESTAMPTZ,
    message_id       VARCHAR,
    last_error       VARCHAR,                       -- the server and the cause, when status = 'failed'
    PRIMARY KEY (digest_date, recipient)
);

CREATE VIEW deliveries AS
SELECT
    d.digest_date,
    d.recipient,
    d.status,
    d.attempts,
    d.server,
    d.first_attempt_at,
    d.last_attempt_at,
    d.sent_at,
    d.message_id,
    d.last_error,
    g.subject
FROM delivery d
LEFT JOIN digest g USING (digest_date);
