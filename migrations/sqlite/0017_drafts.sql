-- Reply drafts: what an agent is writing on a ticket, kept on the server so that leaving the page
-- or opening the ticket on another device never loses it. One draft per agent and ticket; sending
-- the reply deletes it.
CREATE TABLE reply_draft (
    agent_id   INTEGER NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    ticket_id  INTEGER NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, ticket_id)
);
-- Deleting a ticket finds its drafts through this index.
CREATE INDEX reply_draft_ticket_idx ON reply_draft (ticket_id);
