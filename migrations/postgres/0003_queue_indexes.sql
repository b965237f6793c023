-- Queue pages walk tickets newest first. Partial indexes over exactly the queue predicates let
-- both databases read a page in id order without sorting the whole queue.
CREATE INDEX ticket_queue_open_idx ON ticket (ticket_id) WHERE status IN ('new','open');
CREATE INDEX ticket_queue_active_idx ON ticket (assignee_id, ticket_id) WHERE status IN ('new','open','pending');
CREATE INDEX ticket_queue_unassigned_idx ON ticket (ticket_id) WHERE assignee_id IS NULL AND status IN ('new','open','pending');
CREATE INDEX ticket_queue_solved_idx ON ticket (ticket_id) WHERE status IN ('solved','closed');
