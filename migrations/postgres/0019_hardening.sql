-- One row that /healthz rewrites to prove the database takes writes again after a write failed
-- for lack of disk space.
CREATE TABLE health_probe (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL
);

-- Failed sign-ins, shared by every node: one row per throttled key ('pair:<email>|<address>',
-- 'address:<address>', 'account:<email>'), counted before the password is checked.
CREATE TABLE login_throttle (
    throttle_key  TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    first_at      BIGINT NOT NULL,
    last_at       BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    -- When the account's owner was last told about failed sign-ins (account rows only).
    told_at       BIGINT
);

-- Browsers an agent signed in from: a known device (by its cookie) or address keeps signing in
-- while strangers' guesses throttle the account.
CREATE TABLE agent_device (
    device_hash  TEXT PRIMARY KEY,
    agent_id     BIGINT NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    last_address TEXT NOT NULL
);
CREATE INDEX agent_device_agent_idx ON agent_device (agent_id, last_address);

-- When a customer last asked, from an expired link, for a fresh one (one mail per ten minutes).
ALTER TABLE ticket_link ADD COLUMN renew_asked_at BIGINT;
