-- A customer's open tickets, newest first: views narrowed by customer attributes (VIP, plan,
-- segment) read the few open tickets of the matching customers instead of all their tickets or
-- the whole open queue.
CREATE INDEX IF NOT EXISTS ticket_customer_open_idx ON ticket (customer_id, ticket_id) WHERE status IN ('new', 'open');
ANALYZE ticket;
