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
    ticket_id                  INTEGER PRIMARY KEY,
    created_at                 INTEGER NOT NULL,
    first_response_at          INTEGER,
    solved_at                  INTEGER,
    team_id                    INTEGER,
    assignee_id                INTEGER,
    customer_id                INTEGER,
    channel                    TEXT NOT NULL,
    priority                   TEXT NOT NULL,
    -- Created → first public agent reply, in calendar and in business time.
    first_response_ms          INTEGER,
    first_response_business_ms INTEGER,
    -- Created → (last) solve.
    resolution_ms              INTEGER,
    resolution_business_ms     INTEGER,
    -- 1 when the ticket was ever reopened (a status change away from solved).
    reopened                   INTEGER NOT NULL DEFAULT 0,
    -- 1 when the ticket has exactly one public agent reply.
    one_touch                  INTEGER NOT NULL DEFAULT 0,
    -- When one of the ticket's SLA targets was first breached.
    sla_breached_at            INTEGER
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
    measure INTEGER NOT NULL,
    -- Days since 1970-01-01, local.
    day     INTEGER NOT NULL,
    -- The team (measures 0–5) or the assignee (measure 6); 0 for none.
    group_id INTEGER NOT NULL,
    bucket  INTEGER NOT NULL,
    n       INTEGER NOT NULL,
    -- The sum of the durations, for the mean.
    total   INTEGER NOT NULL,
    PRIMARY KEY (measure, day, group_id, bucket)
);

-- CSAT counts per period read the rating (and the ticket, for a breakdown; the customer, for the
-- churn split) from the index.
DROP INDEX csat_rating_rated_idx;
CREATE INDEX csat_rating_rated_idx ON csat_rating (rated_at, rating, ticket_id, customer_id);

-- Tags with their ticket's creation time and team, so top tags count a period per tag through
-- one index range each, without joining and sorting the period's tickets.
CREATE TABLE report_tag (
    ticket_id  INTEGER NOT NULL,
    tag        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    team_id    INTEGER,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX report_tag_idx ON report_tag (tag, created_at, team_id);

-- Tickets whose facts need computing again.
CREATE TABLE report_dirty (
    ticket_id INTEGER PRIMARY KEY
);

-- The business calendar the business-time facts were measured in; when it changes, every
-- ticket is measured again.
CREATE TABLE report_fact_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    calendar TEXT NOT NULL
);

CREATE TRIGGER report_ticket_insert AFTER INSERT ON ticket BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;
CREATE TRIGGER report_ticket_delete AFTER DELETE ON ticket BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT OLD.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = OLD.ticket_id);
END;
CREATE TRIGGER report_ticket_update AFTER UPDATE OF created_at, first_response_at, solved_at,
    team_id, assignee_id, customer_id, channel, priority, status ON ticket BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;
CREATE TRIGGER report_message_insert AFTER INSERT ON message
    WHEN NEW.author_kind = 'agent' BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;
CREATE TRIGGER report_message_update AFTER UPDATE OF ticket_id, author_kind, visibility ON message BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT OLD.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = OLD.ticket_id);
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;
CREATE TRIGGER report_message_delete AFTER DELETE ON message BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT OLD.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = OLD.ticket_id);
END;
CREATE TRIGGER report_event_insert AFTER INSERT ON ticket_event
    WHEN NEW.kind = 'status' AND NEW.old_value = 'solved' BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;
CREATE TRIGGER report_tag_insert AFTER INSERT ON ticket_tag BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;
CREATE TRIGGER report_tag_delete AFTER DELETE ON ticket_tag BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT OLD.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = OLD.ticket_id);
END;
CREATE TRIGGER report_sla_insert AFTER INSERT ON ticket_sla
    WHEN NEW.breached_at IS NOT NULL BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;
CREATE TRIGGER report_sla_update AFTER UPDATE OF breached_at ON ticket_sla BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;

-- (Triggers check for the queue row instead of INSERT OR IGNORE: the conflict policy of the
-- statement that fires a trigger would override the trigger's own.)

-- Tickets that exist already.
INSERT INTO report_dirty (ticket_id) SELECT ticket_id FROM ticket;

-- SLA compliance counts targets due in a period by metric from the index alone.
CREATE INDEX ticket_sla_report_idx ON ticket_sla (metric, due_at, met_at, breached_at);
