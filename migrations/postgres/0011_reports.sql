-- Leadership reports: customer satisfaction ratings, and the indexes the reports read through.

-- One rating per ticket; rating again changes it (rated_at moves to the latest change).
CREATE TABLE csat_rating (
    ticket_id   BIGINT PRIMARY KEY REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES customer (customer_id) ON DELETE CASCADE,
    rating      TEXT NOT NULL CHECK (rating IN ('good', 'bad')),
    comment     TEXT,
    created_at  BIGINT NOT NULL,
    rated_at    BIGINT NOT NULL
);
CREATE INDEX csat_rating_rated_idx ON csat_rating (rated_at);
-- Churn split: did the customer give a bad rating in the period.
CREATE INDEX csat_rating_customer_idx ON csat_rating (customer_id, rated_at);

-- Period scans: tickets created / solved in a period, with what the metrics read, so the
-- reports answer from the index alone.
CREATE INDEX ticket_created_report_idx ON ticket (created_at, first_response_at, team_id);
CREATE INDEX ticket_solved_report_idx ON ticket (solved_at, created_at, team_id);
-- One-touch resolution counts an agent's public replies per ticket.
CREATE INDEX message_ticket_author_idx ON message (ticket_id, author_kind, visibility);
-- Reopen rate looks for a status change away from solved per ticket.
CREATE INDEX ticket_event_reopen_idx ON ticket_event (ticket_id, kind, old_value);

-- The rating request mailed after a ticket is solved: at most one per ticket.
CREATE TABLE csat_request (
    ticket_id BIGINT PRIMARY KEY REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    sent_at   BIGINT NOT NULL
);

-- SLA compliance and its trend read timers by due time.
CREATE INDEX ticket_sla_due_all_idx ON ticket_sla (due_at);
