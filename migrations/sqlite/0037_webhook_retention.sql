-- The janitor deletes finished webhook deliveries (with their attempts) past their retention,
-- and then the events no delivery refers to; these indexes find them oldest first without
-- reading the tables.
CREATE INDEX webhook_delivery_finished_idx ON webhook_delivery (updated_at)
    WHERE status IN ('delivered', 'failed');
CREATE INDEX webhook_event_occurred_idx ON webhook_event (occurred_at);
