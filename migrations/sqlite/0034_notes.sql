-- Texts recorded when something happens (why a ticket was routed and assigned, how an email found
-- its ticket) are kept twice: in English, as the API and the audit log show them, and as a message
-- id with its arguments (JSON), which pages render in each reader's language.
ALTER TABLE ticket_event ADD COLUMN detail_note TEXT;
ALTER TABLE message ADD COLUMN thread_reason_note TEXT;
