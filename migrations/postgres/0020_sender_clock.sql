-- The Date a message carries, bounded by its arrival (never later, at most 30 days earlier):
-- the per-sender cap counts messages by this, so a mailbox read after downtime is not a flood.
ALTER TABLE raw_email ADD COLUMN sent_at BIGINT;
