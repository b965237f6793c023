-- Saved replies become macros: besides a reply text, a set of actions applied to the ticket
-- (JSON: status, priority, assign, add_tags, remove_tags, note), and how often each was used.
ALTER TABLE saved_reply ADD COLUMN actions TEXT NOT NULL DEFAULT '{}';
ALTER TABLE saved_reply ADD COLUMN uses BIGINT NOT NULL DEFAULT 0;
