-- A customer's open tickets, newest first: views narrowed by customer attributes (VIP, plan,
-- segment) read the few open tickets of the matching customers instead of all their tickets or
-- the whole open queue. The WHERE matches the open queue's own condition word for word, which
-- is what lets SQLite use a partial index.
CREATE INDEX IF NOT EXISTS ticket_customer_open_idx ON ticket (customer_id, ticket_id) WHERE status IN ('new', 'open');
ANALYZE ticket_customer_open_idx;
