-- One write path for tickets: every change bumps the ticket's version and leaves a change event
-- (what the live desk streams and what a stale form is compared against).
ALTER TABLE ticket ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- AUTOINCREMENT: ids are never reused after old events are deleted, so a client resuming from
-- an event id never skips a newer event.
CREATE TABLE ticket_change (
    change_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('agent', 'customer', 'system')),
    agent_id   INTEGER REFERENCES agent (agent_id),
    fields     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX ticket_change_version_idx ON ticket_change (ticket_id, version);
CREATE INDEX ticket_change_created_idx ON ticket_change (created_at);
