-- Job lanes: each kind of job runs in a lane with workers of its own (routing and assignment,
-- mail, search indexing, bulk changes), so a slow dependency of one never holds up another.
-- Jobs of one ticket run in order within their lane. Pending jobs are found through partial
-- indexes whatever the number of finished rows.
ALTER TABLE outbox ADD COLUMN lane TEXT NOT NULL DEFAULT 'work';
ALTER TABLE outbox ADD COLUMN ticket_id BIGINT;
UPDATE outbox SET lane = 'search' WHERE kind = 'search.index';
UPDATE outbox SET lane = 'mail' WHERE kind IN ('message.sent', 'link.sent', 'ticket.solved');
UPDATE outbox SET lane = 'bulk' WHERE kind = 'bulk.chunk';
UPDATE outbox SET ticket_id = CAST(json_extract(payload, '$.ticket_id') AS INTEGER)
    WHERE done_at IS NULL AND json_valid(payload);
CREATE INDEX outbox_lane_pending_idx ON outbox (lane, outbox_id)
    WHERE done_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_ticket_pending_idx ON outbox (ticket_id, lane, outbox_id)
    WHERE done_at IS NULL AND failed_at IS NULL AND ticket_id IS NOT NULL;
