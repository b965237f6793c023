-- Customer 360: identity history, organizations, merging duplicates, signed CRM webhooks.

-- Email addresses stay unique (intake must find exactly one customer for an address); phones and
-- external ids may be shared by several customers, which is how likely duplicates show up.
-- Retired identities are kept (and still match on intake): contact changes are history.
CREATE TABLE customer_identity_new (
    customer_identity_id INTEGER PRIMARY KEY,
    customer_id          INTEGER NOT NULL REFERENCES customer (customer_id) ON DELETE CASCADE,
    kind                 TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'external')),
    value                TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    retired_at           INTEGER
);
INSERT INTO customer_identity_new (customer_identity_id, customer_id, kind, value, created_at)
    SELECT customer_identity_id, customer_id, kind, value, created_at FROM customer_identity;
DROP TABLE customer_identity;
ALTER TABLE customer_identity_new RENAME TO customer_identity;
CREATE UNIQUE INDEX customer_identity_email_key ON customer_identity (value) WHERE kind = 'email';
CREATE INDEX customer_identity_value_idx ON customer_identity (kind, value);
CREATE INDEX customer_identity_customer_idx ON customer_identity (customer_id);

-- An optional organization/account; a merged-away customer points at the one it was merged into.
ALTER TABLE customer ADD COLUMN organization TEXT;
ALTER TABLE customer ADD COLUMN merged_into_id INTEGER REFERENCES customer (customer_id);
CREATE INDEX customer_name_idx ON customer (lower(name));
CREATE INDEX customer_merged_idx ON customer (merged_into_id);

-- The customer profile reads firsts, lasts and sums of one kind of event at a time.
CREATE INDEX crm_event_customer_kind_idx ON crm_event (customer_id, kind, occurred_at);

-- One merge of `from_customer_id` into `into_customer_id`, with counts of what moved.
CREATE TABLE customer_merge (
    customer_merge_id INTEGER PRIMARY KEY,
    into_customer_id  INTEGER NOT NULL REFERENCES customer (customer_id),
    from_customer_id  INTEGER NOT NULL REFERENCES customer (customer_id),
    agent_id          INTEGER REFERENCES agent (agent_id),
    moved             TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    undo_until        INTEGER NOT NULL,
    undone_at         INTEGER,
    undone_by         INTEGER REFERENCES agent (agent_id)
);
CREATE INDEX customer_merge_into_idx ON customer_merge (into_customer_id);
CREATE INDEX customer_merge_from_idx ON customer_merge (from_customer_id);

-- Exactly which rows a merge moved, so an undo moves exactly those back.
CREATE TABLE customer_merge_item (
    customer_merge_id INTEGER NOT NULL REFERENCES customer_merge (customer_merge_id) ON DELETE CASCADE,
    item_kind         TEXT NOT NULL CHECK (item_kind IN ('identity', 'ticket', 'message', 'crm_event')),
    item_id           INTEGER NOT NULL,
    PRIMARY KEY (customer_merge_id, item_kind, item_id)
);

-- Signed webhook deliveries already accepted (digest of the signature), so a replay is refused.
CREATE TABLE crm_webhook_delivery (
    digest      TEXT PRIMARY KEY,
    signed_at   INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    events      INTEGER NOT NULL
);
