-- 019: when a message last went out without an answer. digest_version (018) keeps a replaced digest when a reader
-- may have received it: a delivery 'sent', or 'unknown', at or after it was built. 'unknown' was read from
-- last_attempt_at, which a later failed attempt (a --resend of a new build, the server down) moves on while the
-- status stays 'unknown' (at most once): that build, never received, was kept as mailed. And a recipient already
-- 'sent' whose --resend went out without an answer kept 'sent' with the first send's time, so the build they may
-- have received was not kept. maybe_sent_at is the time of the last outcome 'unknown' (the message handed over,
-- no answer); rows from before take last_attempt_at when their status is 'unknown', as 018 read them.
ALTER TABLE delivery ADD COLUMN maybe_sent_at TIMESTAMPTZ;
UPDATE delivery SET maybe_sent_at = last_attempt_at WHERE status = 'unknown';
