-- One row that /healthz rewrites to prove the database takes writes again after a write failed
-- for lack of disk space.
CREATE TABLE health_probe (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL
);

-- Failed sign-ins, shared by every node: one row per throttled key ('pair:<email>|<address>',
-- 'address:<address>', 'account:<email>'), counted before the password is checked.
CREATE TABLE login_throttle (
    throttle_key  TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    first_at      BIGINT NOT NULL,
    last_at       BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    -- When the account's owner was last told about failed sign-ins (account rows only).
    told_at       BIGINT
);

-- Browsers an agent signed in from: a known device (by its cookie) or address keeps signing in
-- while strangers' guesses throttle the account.
CREATE TABLE agent_device (
    device_hash  TEXT PRIMARY KEY,
    agent_id     INTEGER NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    last_address TEXT NOT NULL
);
CREATE INDEX agent_device_agent_idx ON agent_device (agent_id, last_address);

-- When a customer last asked, from an expired link, for a fresh one (one mail per ten minutes).
ALTER TABLE ticket_link ADD COLUMN renew_asked_at BIGINT;

-- The secret part of a ticket's reply tag (`[#123-k7q2m9xd]`, `support+t123-k7q2m9xd@…`): a reply
-- naming the ticket threads onto it only with the secret (tickets from before it have none).
ALTER TABLE ticket ADD COLUMN reply_token TEXT;

-- Quarantine learns the reasons `spoofed` (mail the receiving server found forged) and `receipt`
-- (read receipts). SQLite cannot change a CHECK constraint in place, so the table is rebuilt
-- (nothing references it).
CREATE TABLE quarantine_new (
    quarantine_id INTEGER PRIMARY KEY,
    raw_email_id  INTEGER NOT NULL REFERENCES raw_email (raw_email_id),
    reason        TEXT NOT NULL CHECK (reason IN ('parse_error', 'too_large', 'loop_detected', 'sender_blocked',
                                                  'rate_limited', 'auto_reply', 'bounce', 'no_sender', 'storage_error',
                                                  'spoofed', 'receipt')),
    detail        TEXT NOT NULL,
    sender        TEXT,
    subject       TEXT,
    status        TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'released', 'dismissed')),
    ticket_id     INTEGER REFERENCES ticket (ticket_id),
    created_at    INTEGER NOT NULL,
    resolved_at   INTEGER,
    resolved_by   INTEGER REFERENCES agent (agent_id)
);
INSERT INTO quarantine_new SELECT * FROM quarantine;
DROP TABLE quarantine;
ALTER TABLE quarantine_new RENAME TO quarantine;
CREATE INDEX quarantine_status_idx ON quarantine (status, quarantine_id);

-- A stored email that turned out to be a copy of one already received points at that message,
-- so every stored email is accounted for: a message, a duplicate, or held in quarantine.
ALTER TABLE raw_email ADD COLUMN duplicate_of BIGINT;
CREATE INDEX message_raw_email_idx ON message (raw_email_id) WHERE raw_email_id IS NOT NULL;
CREATE INDEX quarantine_raw_email_idx ON quarantine (raw_email_id);

-- An outbound mail as first rendered (with its private link) and its recipient: a retry after a
-- crash or an SMTP failure sends these very bytes again, so a repeat is recognisably the same
-- mail (same Message-ID, same link) and mail clients show it once.
ALTER TABLE message ADD COLUMN outbound_mime BLOB;
ALTER TABLE message ADD COLUMN outbound_to TEXT;
