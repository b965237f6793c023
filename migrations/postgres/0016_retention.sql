-- Retention: the janitor deletes web and API idempotency keys after a while, scope by scope and
-- oldest first (email keys stay: they keep a re-fetched message from becoming a second ticket).
CREATE INDEX inbound_key_scope_created_idx ON inbound_key (scope, created_at);
