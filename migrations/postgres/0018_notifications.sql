-- Notifications agents can rely on: tickets they follow, what they want to be told and how, and
-- which notifications went out in an email digest.
CREATE TABLE ticket_follower (
    ticket_id  BIGINT NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    agent_id   BIGINT NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, agent_id)
);
CREATE INDEX ticket_follower_agent_idx ON ticket_follower (agent_id);

-- One row per agent and kind the agent changed; no row means in-app on, email off.
CREATE TABLE notification_pref (
    agent_id   BIGINT NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    in_app     BIGINT NOT NULL CHECK (in_app IN (0, 1)),
    email      BIGINT NOT NULL CHECK (email IN (0, 1)),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (agent_id, kind)
);

ALTER TABLE agent_notification ADD COLUMN emailed_at BIGINT;
-- The unread count shown on every page, and the digest's pending notifications.
CREATE INDEX agent_notification_unread_idx ON agent_notification (agent_id) WHERE read_at IS NULL;
-- A ticket's notifications (deleting a ticket; one change's notifications are told once).
CREATE INDEX agent_notification_ticket_idx ON agent_notification (ticket_id, created_at);
CREATE INDEX agent_notification_emailed_idx ON agent_notification (agent_id, emailed_at) WHERE emailed_at IS NOT NULL;
