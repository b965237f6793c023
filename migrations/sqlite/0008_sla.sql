-- SLA: business calendars, policies with targets and an escalation chain, the clocks of each
-- ticket (one row per ticket, metric and cycle), the escalation steps that fired (each at most
-- once), and notifications for agents.

CREATE TABLE sla_calendar (
    sla_calendar_id INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    -- IANA name, e.g. Europe/Berlin.
    time_zone       TEXT NOT NULL,
    -- JSON: {"monday": [["09:00","17:00"]], ...}; a missing day is closed.
    hours           TEXT NOT NULL,
    -- JSON array of closed local dates: ["2026-12-25", ...].
    holidays        TEXT NOT NULL DEFAULT '[]',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE sla_policy (
    sla_policy_id      INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    sla_calendar_id    INTEGER NOT NULL REFERENCES sla_calendar (sla_calendar_id),
    -- Policies are tried by position (then id); the first whose conditions all hold applies.
    position           INTEGER NOT NULL DEFAULT 100,
    -- Conditions; NULL matches anything. Segment and plan come from the customer's CRM facts.
    match_priority     TEXT CHECK (match_priority IN ('low', 'normal', 'high', 'urgent')),
    match_segment      TEXT,
    match_plan         TEXT,
    match_team_id      INTEGER REFERENCES team (team_id) ON DELETE SET NULL,
    -- JSON: {"urgent": {"first_response_ms": .., "next_response_ms": .., "resolution_ms": ..}, ...}
    targets            TEXT NOT NULL,
    -- Warning once this share of a target is spent, in percent (1-100).
    warning_percent    INTEGER NOT NULL DEFAULT 75 CHECK (warning_percent BETWEEN 1 AND 100),
    notify_assignee_on_warning INTEGER NOT NULL DEFAULT 1 CHECK (notify_assignee_on_warning IN (0, 1)),
    raise_priority_on_breach   INTEGER NOT NULL DEFAULT 1 CHECK (raise_priority_on_breach IN (0, 1)),
    notify_lead_on_breach      INTEGER NOT NULL DEFAULT 1 CHECK (notify_lead_on_breach IN (0, 1)),
    escalation_team_id INTEGER REFERENCES team (team_id) ON DELETE SET NULL,
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- A ticket's SLA clocks, recomputed from its history in the transaction of every change.
-- first_response and resolution have cycle 0; each customer reply awaiting an answer opens a
-- next_response cycle 1, 2, ...
CREATE TABLE ticket_sla (
    ticket_sla_id   INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    metric          TEXT NOT NULL CHECK (metric IN ('first_response', 'next_response', 'resolution')),
    cycle           INTEGER NOT NULL DEFAULT 0,
    sla_policy_id   INTEGER REFERENCES sla_policy (sla_policy_id) ON DELETE SET NULL,
    target_ms       INTEGER NOT NULL,
    started_at      INTEGER NOT NULL,
    -- When the target is spent; NULL while the clock stands still short of it (paused).
    due_at          INTEGER,
    warn_at         INTEGER,
    met_at          INTEGER,
    -- The instant the target was exceeded (= due_at) once that has happened.
    breached_at     INTEGER,
    paused          INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    -- on_track | warning | breached | met | paused, as of updated_at.
    state           TEXT NOT NULL,
    -- The earliest escalation step still to fire (warning, then breach); NULL when none is due.
    next_fire_at    INTEGER,
    updated_at      INTEGER NOT NULL,
    UNIQUE (ticket_id, metric, cycle)
);
CREATE INDEX ticket_sla_fire_idx ON ticket_sla (next_fire_at) WHERE next_fire_at IS NOT NULL;
CREATE INDEX ticket_sla_due_idx ON ticket_sla (due_at) WHERE met_at IS NULL;

-- Each escalation step fires once: the row is inserted (on conflict nothing) in the same
-- transaction as the step's effects.
CREATE TABLE sla_escalation (
    sla_escalation_id INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    metric          TEXT NOT NULL,
    cycle           INTEGER NOT NULL,
    stage           TEXT NOT NULL CHECK (stage IN ('warning', 'breach')),
    -- When the step was due and when it fired (lateness = fired_at - scheduled_at).
    scheduled_at    INTEGER NOT NULL,
    fired_at        INTEGER NOT NULL,
    detail          TEXT,
    UNIQUE (ticket_id, metric, cycle, stage)
);
CREATE INDEX sla_escalation_fired_idx ON sla_escalation (fired_at);

CREATE TABLE agent_notification (
    agent_notification_id INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    ticket_id  INTEGER REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX agent_notification_agent_idx ON agent_notification (agent_id, agent_notification_id);
