-- Routing rules (checked in order; the first match decides the team and its actions) and what a
-- ticket keeps from its routing: the rule that matched and the skill an assignee must have.

CREATE TABLE routing_rule (
    routing_rule_id INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    position        INTEGER NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- JSON object: channel, mailbox, plan, segment (lists, any of), vip, at_risk (booleans),
    -- keywords (list, any of, subject or first message), priority (list, any of).
    conditions      TEXT NOT NULL DEFAULT '{}',
    -- No foreign key on purpose: a rule whose team was deleted stays visible and fails safe
    -- (the ticket goes to the default team), which is logged on the ticket.
    team_id         INTEGER,
    set_priority    TEXT CHECK (set_priority IS NULL OR set_priority IN ('low', 'normal', 'high', 'urgent')),
    -- JSON list of tags added to the ticket.
    tags            TEXT NOT NULL DEFAULT '[]',
    required_skill  TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX routing_rule_position_idx ON routing_rule (position, routing_rule_id);

ALTER TABLE ticket ADD COLUMN required_skill TEXT;
ALTER TABLE ticket ADD COLUMN routing_rule_id INTEGER;

-- Open tickets per agent (capacity checks) and a team's waiting queue, oldest first.
CREATE INDEX ticket_team_waiting_idx ON ticket (team_id, created_at, ticket_id)
    WHERE assignee_id IS NULL AND status IN ('new', 'open', 'pending');
