-- The per-sender cap counts a sender's recent messages on every inbound email.
CREATE INDEX message_customer_idx ON message (customer_id, created_at);
