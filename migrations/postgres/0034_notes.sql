-- Texts recorded when something happens (why a ticket was routed and assigned, how an email found
-- its ticket, what a notification tells an agent) are kept twice: as text (English for the API
-- and the audit log; the recipient's language for a notification) and as a message id with its
-- arguments (JSON), which pages render in the language of whoever reads them later.
ALTER TABLE ticket_event ADD COLUMN detail_note TEXT;
ALTER TABLE message ADD COLUMN thread_reason_note TEXT;
ALTER TABLE agent_notification ADD COLUMN body_note TEXT;

-- Installation-wide settings an admin changes while Casebook runs (every node reads them here):
-- `default_locale`, the language of people who chose none and whose browser asks for none
-- Casebook speaks.
CREATE TABLE setting (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
