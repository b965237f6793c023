-- People copied on a ticket: the Cc of the customer's mail, or added by an agent or the
-- customer. Public replies go to the customer and Cc them.
CREATE TABLE ticket_cc (
    ticket_id  BIGINT NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    address    TEXT NOT NULL,
    added_by   TEXT NOT NULL CHECK (added_by IN ('mail', 'agent', 'customer')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, address)
);
