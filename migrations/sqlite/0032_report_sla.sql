-- SLA compliance from the report facts: a year of targets is ~1,000,000 rows per metric at a
-- million tickets, read for each summary. The facts refresh now also keeps, per SLA target with a
-- due time, its local due day, its ticket's team and whether it was met on time (report_sla),
-- and counts them per day in report_duration (measure 7, bucket 2 × metric + met). A target due
-- on a day that has passed is either met on time or breached, so a report reads whole past days
-- from the day counts and only the rest of the period from ticket_sla.
CREATE TABLE report_sla (
    ticket_sla_id INTEGER PRIMARY KEY,
    ticket_id     INTEGER NOT NULL,
    -- 0 first response, 1 next response, 2 resolution.
    metric        INTEGER NOT NULL,
    day           INTEGER NOT NULL,
    team_id       INTEGER,
    met           INTEGER NOT NULL
);
CREATE INDEX report_sla_ticket_idx ON report_sla (ticket_id);

-- Targets that existed before this table are measured in the background, ticket by ticket in
-- id order; reports read the day counts once that is done.
CREATE TABLE report_sla_backfill (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    next_ticket_id INTEGER NOT NULL,
    done           INTEGER NOT NULL
);
INSERT INTO report_sla_backfill (id, next_ticket_id, done) VALUES (1, 0, 0);

-- Any change of a target's due time, outcome or metric queues its ticket.
DROP TRIGGER report_sla_insert;
DROP TRIGGER report_sla_update;
CREATE TRIGGER report_sla_insert AFTER INSERT ON ticket_sla BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;
CREATE TRIGGER report_sla_update AFTER UPDATE OF ticket_id, metric, due_at, met_at, breached_at
    ON ticket_sla BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT OLD.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = OLD.ticket_id);
    INSERT INTO report_dirty (ticket_id) SELECT NEW.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = NEW.ticket_id);
END;
CREATE TRIGGER report_sla_delete AFTER DELETE ON ticket_sla BEGIN
    INSERT INTO report_dirty (ticket_id) SELECT OLD.ticket_id
        WHERE NOT EXISTS (SELECT 1 FROM report_dirty WHERE ticket_id = OLD.ticket_id);
END;
