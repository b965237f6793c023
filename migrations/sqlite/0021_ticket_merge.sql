-- A ticket merged into another points at it; mail and links that name it land there.
ALTER TABLE ticket ADD COLUMN merged_into_id INTEGER REFERENCES ticket (ticket_id);

-- Ticket merges, with exactly what moved, so an undo (within the window) moves it back.
CREATE TABLE ticket_merge (
    ticket_merge_id INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES ticket (ticket_id),
    target_id       INTEGER NOT NULL REFERENCES ticket (ticket_id),
    agent_id        INTEGER REFERENCES agent (agent_id),
    source_status   TEXT NOT NULL,
    -- JSON: {"messages": [ids], "links": [ids], "tags": [tags added to the target]}
    moved           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    undo_until      INTEGER NOT NULL,
    undone_at       INTEGER,
    undone_by       INTEGER REFERENCES agent (agent_id)
);
CREATE INDEX ticket_merge_source_idx ON ticket_merge (source_id);
CREATE INDEX ticket_merge_target_idx ON ticket_merge (target_id);
