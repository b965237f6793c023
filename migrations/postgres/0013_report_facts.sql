-- Report facts: one row per ticket with what the leadership reports measure, so a report over a
-- year of tickets reads one narrow table instead of recomputing business hours, reopens and
-- replies per ticket. Triggers queue a ticket in report_dirty whenever something a fact depends
-- on changes (in the same transaction as the change); Casebook refreshes queued tickets in the
-- background and before each report, so reports are never stale.
--
-- The fact tables hold no foreign keys: a refresh must take no lock on a ticket row, or it could
-- deadlock with a change that holds the ticket and waits for the queue row the refresh holds.
-- The refresh itself drops the facts of a ticket that is gone.

CREATE TABLE report_ticket (
    ticket_id                  BIGINT PRIMARY KEY,
    created_at                 BIGINT NOT NULL,
    first_response_at          BIGINT,
    solved_at                  BIGINT,
    team_id                    BIGINT,
    assignee_id                BIGINT,
    customer_id                BIGINT,
    channel                    TEXT NOT NULL,
    priority                   TEXT NOT NULL,
    -- Created → first public agent reply, in calendar and in business time.
    first_response_ms          BIGINT,
    first_response_business_ms BIGINT,
    -- Created → (last) solve.
    resolution_ms              BIGINT,
    resolution_business_ms     BIGINT,
    -- 1 when the ticket was ever reopened (a status change away from solved).
    reopened                   BIGINT NOT NULL DEFAULT 0,
    -- 1 when the ticket has exactly one public agent reply.
    one_touch                  BIGINT NOT NULL DEFAULT 0,
    -- When one of the ticket's SLA targets was first breached.
    sla_breached_at            BIGINT
);
-- Period scans, covering what the headline numbers, the agents' breakdown and the churn split
-- (customers with a slow resolution) read.
CREATE INDEX report_ticket_created_idx ON report_ticket
    (created_at, team_id, first_response_ms, first_response_business_ms);
CREATE INDEX report_ticket_solved_idx ON report_ticket
    (solved_at, team_id, resolution_ms, resolution_business_ms, reopened, one_touch, assignee_id,
     customer_id);
-- The churn split: the customers with a ticket first breaching its SLA in the period.
CREATE INDEX report_ticket_breached_idx ON report_ticket (sla_breached_at, customer_id);
-- Each duration by value, for the last step of a percentile (see report_duration).
CREATE INDEX report_ticket_frt_value_idx ON report_ticket (first_response_ms, created_at, team_id);
CREATE INDEX report_ticket_frt_business_value_idx ON report_ticket
    (first_response_business_ms, created_at, team_id);
CREATE INDEX report_ticket_res_value_idx ON report_ticket
    (resolution_ms, solved_at, team_id, assignee_id);
CREATE INDEX report_ticket_res_business_value_idx ON report_ticket
    (resolution_business_ms, solved_at, team_id);

-- How many durations fall in each value bucket, per measure, local day (in the report time
-- zone; the day of creation for first responses, of the solve for resolutions) and team. A
-- percentile over whole days adds up a few thousand counts to find the bucket holding the
-- wanted rank, then reads only that bucket's facts through the value index: exact, without
-- sorting the period's durations. Kept by the facts refresh, which adds each ticket's new facts
-- and takes its old ones away.
CREATE TABLE report_duration (
    -- 0 first response, 1 first response in business time, 2 resolution, 3 its business time;
    -- 4 tickets solved (bucket: 2 × reopened + one-touch), 5 tickets created (bucket 0),
    -- 6 resolution per assignee.
    measure BIGINT NOT NULL,
    -- Days since 1970-01-01, local.
    day     BIGINT NOT NULL,
    -- The team (measures 0–5) or the assignee (measure 6); 0 for none.
    group_id BIGINT NOT NULL,
    bucket  BIGINT NOT NULL,
    n       BIGINT NOT NULL,
    -- The sum of the durations, for the mean.
    total   BIGINT NOT NULL,
    PRIMARY KEY (measure, day, group_id, bucket)
);

-- CSAT counts per period read the rating (and the ticket, for a breakdown; the customer, for the
-- churn split) from the index.
DROP INDEX csat_rating_rated_idx;
CREATE INDEX csat_rating_rated_idx ON csat_rating (rated_at, rating, ticket_id, customer_id);

-- Tags with their ticket's creation time and team, so top tags count a period per tag through
-- one index range each, without joining and sorting the period's tickets.
CREATE TABLE report_tag (
    ticket_id  BIGINT NOT NULL,
    tag        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    team_id    BIGINT,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX report_tag_idx ON report_tag (tag, created_at, team_id);

-- Tickets whose facts need computing again.
CREATE TABLE report_dirty (
    ticket_id BIGINT PRIMARY KEY
);

-- The business calendar the business-time facts were measured in; when it changes, every
-- ticket is measured again.
CREATE TABLE report_fact_state (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    calendar TEXT NOT NULL
);

-- The queue row is upserted, not skipped when present: that locks it until the change commits,
-- so a refresh either waits for the change or leaves the row for the next refresh.
CREATE FUNCTION report_mark_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_dirty (ticket_id) VALUES (NEW.ticket_id) ON CONFLICT (ticket_id) DO UPDATE SET ticket_id = EXCLUDED.ticket_id;
    RETURN NULL;
END $$;

CREATE FUNCTION report_mark_old_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO report_dirty (ticket_id) VALUES (OLD.ticket_id) ON CONFLICT (ticket_id) DO UPDATE SET ticket_id = EXCLUDED.ticket_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO report_dirty (ticket_id) VALUES (NEW.ticket_id) ON CONFLICT (ticket_id) DO UPDATE SET ticket_id = EXCLUDED.ticket_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER report_ticket_insert AFTER INSERT ON ticket
    FOR EACH ROW EXECUTE FUNCTION report_mark_ticket();
CREATE TRIGGER report_ticket_delete AFTER DELETE ON ticket
    FOR EACH ROW EXECUTE FUNCTION report_mark_old_new();
CREATE TRIGGER report_ticket_update AFTER UPDATE OF created_at, first_response_at, solved_at,
    team_id, assignee_id, customer_id, channel, priority, status ON ticket
    FOR EACH ROW EXECUTE FUNCTION report_mark_ticket();
CREATE TRIGGER report_message_insert AFTER INSERT ON message
    FOR EACH ROW WHEN (NEW.author_kind = 'agent') EXECUTE FUNCTION report_mark_old_new();
CREATE TRIGGER report_message_change AFTER UPDATE OF ticket_id, author_kind, visibility OR DELETE ON message
    FOR EACH ROW EXECUTE FUNCTION report_mark_old_new();
CREATE TRIGGER report_event_insert AFTER INSERT ON ticket_event
    FOR EACH ROW WHEN (NEW.kind = 'status' AND NEW.old_value = 'solved')
    EXECUTE FUNCTION report_mark_ticket();
CREATE TRIGGER report_tag_change AFTER INSERT OR UPDATE OR DELETE ON ticket_tag
    FOR EACH ROW EXECUTE FUNCTION report_mark_old_new();
CREATE TRIGGER report_sla_insert AFTER INSERT ON ticket_sla
    FOR EACH ROW WHEN (NEW.breached_at IS NOT NULL) EXECUTE FUNCTION report_mark_ticket();
CREATE TRIGGER report_sla_update AFTER UPDATE OF breached_at ON ticket_sla
    FOR EACH ROW EXECUTE FUNCTION report_mark_ticket();

-- Tickets that exist already.
INSERT INTO report_dirty (ticket_id) SELECT ticket_id FROM ticket;

-- SLA compliance counts targets due in a period by metric from the index alone.
CREATE INDEX ticket_sla_report_idx ON ticket_sla (metric, due_at, met_at, breached_at);
