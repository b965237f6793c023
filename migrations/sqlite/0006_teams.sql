-- Teams and what assignment, SLA, search and reports share: a ticket's team and tags, and the
-- routing attributes of agents (capacity, availability, skills, last assignment).

CREATE TABLE team (
    team_id            INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    lead_agent_id      INTEGER REFERENCES agent (agent_id),
    -- The team new tickets wait in when no routing rule matches (at most one).
    is_default         INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE TABLE team_member (
    team_id    INTEGER NOT NULL REFERENCES team (team_id) ON DELETE CASCADE,
    agent_id   INTEGER NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_member_agent_idx ON team_member (agent_id);

-- Maximum open tickets; availability; skills as a normalized set (agent_skill).
ALTER TABLE agent ADD COLUMN capacity INTEGER NOT NULL DEFAULT 25 CHECK (capacity >= 0);
ALTER TABLE agent ADD COLUMN availability TEXT NOT NULL DEFAULT 'online'
    CHECK (availability IN ('online', 'away', 'off'));
ALTER TABLE agent ADD COLUMN last_assigned_at INTEGER;

CREATE TABLE agent_skill (
    agent_id INTEGER NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    skill    TEXT NOT NULL,
    PRIMARY KEY (agent_id, skill)
);

ALTER TABLE ticket ADD COLUMN team_id INTEGER REFERENCES team (team_id);
CREATE INDEX ticket_team_idx ON ticket (team_id, status, ticket_id);

-- Tags (categories) on tickets: set by routing rules and agents; searched and reported on.
CREATE TABLE ticket_tag (
    ticket_id  INTEGER NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tag_tag_idx ON ticket_tag (tag, ticket_id);
