-- Saved views: a named ticket list (filters as JSON), an agent's own or shared with everyone.
CREATE TABLE saved_view (
    saved_view_id INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    -- NULL: shared; otherwise the agent whose view it is.
    owner_id      BIGINT REFERENCES agent (agent_id) ON DELETE CASCADE,
    filters       TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX saved_view_owner_idx ON saved_view (owner_id);
