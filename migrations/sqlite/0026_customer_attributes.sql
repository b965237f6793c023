-- What lists may filter tickets by about their customer (plan, segment, VIP), derived from the
-- customer's CRM history and kept up to date by a background refresher: a change to a customer's
-- events or a merge marks the customer dirty; the refresher recomputes and clears the mark
-- (only if nothing marked it again meanwhile: `generation`).
CREATE TABLE customer_attr (
    customer_id BIGINT PRIMARY KEY REFERENCES customer (customer_id) ON DELETE CASCADE,
    plan        TEXT,
    segment     TEXT,
    vip         INTEGER NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX customer_attr_plan_idx ON customer_attr (plan, customer_id) WHERE plan IS NOT NULL;
CREATE INDEX customer_attr_segment_idx ON customer_attr (segment, customer_id) WHERE segment IS NOT NULL;
CREATE INDEX customer_attr_vip_idx ON customer_attr (customer_id) WHERE vip = 1;

CREATE TABLE customer_attr_dirty (
    customer_id BIGINT PRIMARY KEY,
    generation  BIGINT NOT NULL DEFAULT 0
);
-- Every customer with CRM history is computed once.
INSERT INTO customer_attr_dirty (customer_id) SELECT DISTINCT customer_id FROM crm_event;
