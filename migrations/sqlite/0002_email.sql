-- Email channel: raw messages kept verbatim, IMAP checkpoints and leases, quarantine,
-- and the email facts of each message (ids for threading, full text, delivery state).

CREATE TABLE raw_email (
    raw_email_id INTEGER PRIMARY KEY,
    mailbox      TEXT NOT NULL,
    uidvalidity  INTEGER,
    uid          INTEGER,
    content_hash TEXT NOT NULL,
    message_id   TEXT,
    size_bytes   INTEGER NOT NULL,
    content      BLOB NOT NULL,
    received_at  INTEGER NOT NULL
);
CREATE INDEX raw_email_hash_idx ON raw_email (content_hash);
CREATE INDEX raw_email_uid_idx ON raw_email (mailbox, uidvalidity, uid);

-- One row per mailbox: the highest UID fully processed, and which node may fetch it now.
CREATE TABLE mailbox_state (
    mailbox      TEXT PRIMARY KEY,
    uidvalidity  INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    lease_owner  TEXT,
    lease_until  INTEGER,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE quarantine (
    quarantine_id INTEGER PRIMARY KEY,
    raw_email_id  INTEGER NOT NULL REFERENCES raw_email (raw_email_id),
    reason        TEXT NOT NULL CHECK (reason IN ('parse_error', 'too_large', 'loop_detected', 'sender_blocked',
                                                  'rate_limited', 'auto_reply', 'bounce', 'no_sender', 'storage_error')),
    detail        TEXT NOT NULL,
    sender        TEXT,
    subject       TEXT,
    status        TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'released', 'dismissed')),
    ticket_id     INTEGER REFERENCES ticket (ticket_id),
    created_at    INTEGER NOT NULL,
    resolved_at   INTEGER,
    resolved_by   INTEGER REFERENCES agent (agent_id)
);
CREATE INDEX quarantine_status_idx ON quarantine (status, quarantine_id);

ALTER TABLE message ADD COLUMN email_message_id TEXT;
ALTER TABLE message ADD COLUMN full_text TEXT;
ALTER TABLE message ADD COLUMN thread_reason TEXT;
ALTER TABLE message ADD COLUMN mail_kind TEXT;
ALTER TABLE message ADD COLUMN raw_email_id INTEGER REFERENCES raw_email (raw_email_id);
ALTER TABLE message ADD COLUMN delivery_status TEXT;
ALTER TABLE message ADD COLUMN delivery_error TEXT;
CREATE INDEX message_email_id_idx ON message (email_message_id);
