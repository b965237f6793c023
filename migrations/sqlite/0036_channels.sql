-- Channels beyond mail and the web form: SMS, chat and social gateways connected by signed
-- webhooks. `channel_gateway` is one connected gateway (its slug is the `{channel}` of its
-- inbound URL); every message records the channel it came through (or went out on), the
-- gateway and the gateway's id for it, unique per gateway, so the same inbound twice is one
-- message; `channel_thread` ties a ticket to the gateway conversation its replies go to.
--
-- `ticket.channel` gains `sms`, `chat` and `social`. SQLite cannot alter a CHECK; the
-- migration runner widens it in the stored schema before this script runs (a loosened CHECK
-- changes nothing stored, which is the case SQLite documents for editing the schema text), so
-- the table, its rows, indexes, triggers and foreign keys stay as they are.

CREATE TABLE channel_gateway (
    channel_gateway_id INTEGER PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('sms', 'chat', 'social')),
    adapter            TEXT NOT NULL CHECK (adapter IN ('generic', 'twilio')),
    -- generic: verifies inbound deliveries (`Casebook-Signature`).
    inbound_secret     TEXT,
    -- generic: where agents' replies are POSTed, signed with `reply_secret`.
    reply_url          TEXT,
    reply_secret       TEXT,
    -- twilio: the account, its auth token (verifies `X-Twilio-Signature`, authenticates
    -- replies), the number replies are sent from, and the API's base URL.
    twilio_account_sid TEXT,
    twilio_auth_token  TEXT,
    twilio_from        TEXT,
    twilio_api_base    TEXT,
    -- Set by an admin: replies may go to loopback or private addresses.
    allow_private      INTEGER NOT NULL DEFAULT 0 CHECK (allow_private IN (0, 1)),
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- Signatures of inbound deliveries already accepted (a repeat is a replay); kept for twice
-- the replay window.
CREATE TABLE channel_inbound_signature (
    digest             TEXT PRIMARY KEY,
    channel_gateway_id INTEGER NOT NULL REFERENCES channel_gateway (channel_gateway_id) ON DELETE CASCADE,
    signed_at          INTEGER NOT NULL,
    received_at        INTEGER NOT NULL
);
CREATE INDEX channel_inbound_signature_signed_idx ON channel_inbound_signature (signed_at);

ALTER TABLE message ADD COLUMN channel TEXT;
ALTER TABLE message ADD COLUMN channel_gateway_id INTEGER REFERENCES channel_gateway (channel_gateway_id) ON DELETE SET NULL;
ALTER TABLE message ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX message_gateway_external_idx ON message (channel_gateway_id, external_id)
    WHERE external_id IS NOT NULL;

CREATE TABLE channel_thread (
    ticket_id          INTEGER PRIMARY KEY REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    channel_gateway_id INTEGER REFERENCES channel_gateway (channel_gateway_id) ON DELETE SET NULL,
    -- The gateway's conversation id, when it has one.
    thread_id          TEXT,
    -- Where replies go: the customer's phone number or handle on the gateway.
    to_phone           TEXT,
    to_handle          TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX channel_thread_gateway_idx ON channel_thread (channel_gateway_id, thread_id);
