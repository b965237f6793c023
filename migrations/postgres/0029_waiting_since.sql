-- Since when a ticket waits on us: the first public customer message after the last public agent
-- reply (NULL when an agent answered last). Kept by the ticket commands; filters "customer
-- waiting for N hours" read it through an index instead of each ticket's messages.
ALTER TABLE ticket ADD COLUMN waiting_since BIGINT;
UPDATE ticket SET waiting_since = (
    SELECT MIN(m.created_at) FROM message m
    WHERE m.ticket_id = ticket.ticket_id AND m.author_kind = 'customer' AND m.visibility = 'public'
      AND m.message_id > COALESCE((SELECT MAX(a.message_id) FROM message a
          WHERE a.ticket_id = ticket.ticket_id AND a.author_kind = 'agent' AND a.visibility = 'public'), 0))
WHERE status IN ('new', 'open');
CREATE INDEX ticket_waiting_idx ON ticket (waiting_since) WHERE waiting_since IS NOT NULL;
-- The planner learns of the new column and index at once.
ANALYZE ticket;
