-- CRM events: the customer's sales and marketing history, one typed row per event with open
-- JSON attributes. (source, external_id) makes imports idempotent.
CREATE TABLE crm_event (
    crm_event_id INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customer (customer_id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('signup', 'deal', 'order', 'purchase', 'subscription',
                     'campaign_touch', 'email_engagement', 'meeting', 'call', 'nps', 'csat', 'note')),
    occurred_at  INTEGER NOT NULL,
    source       TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    amount_minor INTEGER,
    currency     TEXT CHECK (currency IS NULL OR length(currency) = 3),
    attributes   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX crm_event_customer_idx ON crm_event (customer_id, occurred_at);
