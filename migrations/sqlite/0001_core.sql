-- Core schema: people, customers, tickets, conversation, audit log, outbox.
-- Times are UTC milliseconds since the Unix epoch (BIGINT) on both backends.

CREATE TABLE agent (
    agent_id      INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'lead', 'admin')),
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE session (
    session_hash TEXT PRIMARY KEY,
    agent_id     INTEGER NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX session_agent_idx ON session (agent_id);

CREATE TABLE api_token (
    api_token_id INTEGER PRIMARY KEY,
    agent_id     INTEGER NOT NULL REFERENCES agent (agent_id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
);

CREATE TABLE customer (
    customer_id INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE customer_identity (
    customer_identity_id INTEGER PRIMARY KEY,
    customer_id          INTEGER NOT NULL REFERENCES customer (customer_id) ON DELETE CASCADE,
    kind                 TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'external')),
    value                TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX customer_identity_customer_idx ON customer_identity (customer_id);

CREATE TABLE ticket (
    ticket_id          INTEGER PRIMARY KEY,
    subject            TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed')),
    priority           TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    channel            TEXT NOT NULL CHECK (channel IN ('web', 'email', 'api')),
    customer_id        INTEGER NOT NULL REFERENCES customer (customer_id),
    assignee_id        INTEGER REFERENCES agent (agent_id),
    follow_up_of_id    INTEGER REFERENCES ticket (ticket_id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    first_response_at  INTEGER,
    solved_at          INTEGER,
    closed_at          INTEGER
);
CREATE INDEX ticket_status_idx ON ticket (status, ticket_id);
CREATE INDEX ticket_assignee_idx ON ticket (assignee_id, status, ticket_id);
CREATE INDEX ticket_customer_idx ON ticket (customer_id, ticket_id);

-- Private links a customer follows their ticket with. Only the SHA-256 digest is kept.
CREATE TABLE ticket_link (
    ticket_link_id INTEGER PRIMARY KEY,
    ticket_id      INTEGER NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    token_hash     TEXT NOT NULL UNIQUE,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER,
    revoked_at     INTEGER
);
CREATE INDEX ticket_link_ticket_idx ON ticket_link (ticket_id);

CREATE TABLE message (
    message_id  INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('customer', 'agent', 'system')),
    agent_id    INTEGER REFERENCES agent (agent_id),
    customer_id INTEGER REFERENCES customer (customer_id),
    visibility  TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    body_text   TEXT NOT NULL,
    body_html   TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX message_ticket_idx ON message (ticket_id, message_id);

CREATE TABLE attachment (
    attachment_id INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL REFERENCES message (message_id) ON DELETE CASCADE,
    filename      TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    content       BLOB NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX attachment_message_idx ON attachment (message_id);

-- Audit log: every change to a ticket, who made it, old -> new.
CREATE TABLE ticket_event (
    ticket_event_id INTEGER PRIMARY KEY,
    ticket_id       INTEGER NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    actor_kind      TEXT NOT NULL CHECK (actor_kind IN ('customer', 'agent', 'system')),
    agent_id        INTEGER REFERENCES agent (agent_id),
    kind            TEXT NOT NULL,
    old_value       TEXT,
    new_value       TEXT,
    detail          TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX ticket_event_ticket_idx ON ticket_event (ticket_id, ticket_event_id);

-- Idempotency: one (scope, idem_key) maps to the ticket/message it created, forever.
CREATE TABLE inbound_key (
    scope      TEXT NOT NULL,
    idem_key   TEXT NOT NULL,
    ticket_id  INTEGER NOT NULL REFERENCES ticket (ticket_id) ON DELETE CASCADE,
    message_id INTEGER NOT NULL REFERENCES message (message_id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, idem_key)
);

-- Durable jobs written in the same transaction as the change that causes them.
CREATE TABLE outbox (
    outbox_id    INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    run_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    locked_by    TEXT,
    done_at      INTEGER,
    failed_at    INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX outbox_due_idx ON outbox (done_at, failed_at, run_at);
