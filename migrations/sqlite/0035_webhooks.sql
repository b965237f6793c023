-- Outbound webhooks: subscriptions to event kinds, the events as they happened (the body every
-- delivery of them sends), one delivery per subscription and event, and each HTTP attempt of a
-- delivery. Deliveries go through the outbox; `order_key` lets jobs of one ticket run in order
-- per key (a webhook subscription) instead of per lane, so a receiver that keeps failing holds
-- back only its own deliveries of that ticket.
ALTER TABLE outbox ADD COLUMN order_key TEXT NOT NULL DEFAULT '';

CREATE TABLE webhook_subscription (
    webhook_subscription_id INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    url                  TEXT NOT NULL,
    secret               TEXT NOT NULL,
    -- Event kinds, comma-separated (`ticket.created,message.added`).
    events               TEXT NOT NULL,
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- Set by an admin: the URL may point at loopback or private addresses.
    allow_private        INTEGER NOT NULL DEFAULT 0 CHECK (allow_private IN (0, 1)),
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    first_failure_at     INTEGER,
    disabled_at          INTEGER,
    disabled_reason      TEXT,
    created_by           INTEGER REFERENCES agent (agent_id) ON DELETE SET NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);

CREATE TABLE webhook_event (
    webhook_event_id INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    ticket_id   INTEGER,
    -- The event's `data` object as JSON, built when it happened.
    data        TEXT NOT NULL,
    occurred_at INTEGER NOT NULL
);

CREATE TABLE webhook_delivery (
    webhook_delivery_id     INTEGER PRIMARY KEY,
    -- Sent as `Casebook-Delivery` and the body's `id`; the same on every attempt.
    delivery_uid            TEXT NOT NULL UNIQUE,
    webhook_subscription_id INTEGER NOT NULL REFERENCES webhook_subscription (webhook_subscription_id) ON DELETE CASCADE,
    webhook_event_id        INTEGER NOT NULL REFERENCES webhook_event (webhook_event_id) ON DELETE CASCADE,
    ticket_id               INTEGER,
    status                  TEXT NOT NULL CHECK (status IN ('pending', 'retrying', 'delivered', 'failed', 'paused')),
    attempts                INTEGER NOT NULL DEFAULT 0,
    last_status_code        INTEGER,
    last_latency_ms         INTEGER,
    last_error              TEXT,
    response_snippet        TEXT,
    next_attempt_at         INTEGER,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    delivered_at            INTEGER
);
CREATE INDEX webhook_delivery_subscription_idx ON webhook_delivery (webhook_subscription_id, webhook_delivery_id);
CREATE INDEX webhook_delivery_paused_idx ON webhook_delivery (webhook_subscription_id, webhook_delivery_id)
    WHERE status = 'paused';
CREATE INDEX webhook_delivery_event_idx ON webhook_delivery (webhook_event_id);

CREATE TABLE webhook_attempt (
    webhook_attempt_id  INTEGER PRIMARY KEY,
    webhook_delivery_id INTEGER NOT NULL REFERENCES webhook_delivery (webhook_delivery_id) ON DELETE CASCADE,
    attempted_at        INTEGER NOT NULL,
    status_code         INTEGER,
    latency_ms          INTEGER NOT NULL,
    ok                  INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error               TEXT,
    response_snippet    TEXT,
    -- Started by a person (redelivery) rather than the first send or an automatic retry.
    manual              INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1))
);
CREATE INDEX webhook_attempt_delivery_idx ON webhook_attempt (webhook_delivery_id, webhook_attempt_id);
