-- Search over tickets and their resolutions, and saved replies.

-- The message that solved a ticket. Agents may mark one; when none is marked, search uses the last
-- public agent reply before the ticket was solved.
ALTER TABLE ticket ADD COLUMN resolution_message_id INTEGER REFERENCES message (message_id);
ALTER TABLE ticket ADD COLUMN resolution_marked_by INTEGER REFERENCES agent (agent_id);

-- Saved replies (macros) agents insert into the reply box; {{customer.name}}, {{ticket.number}}
-- and {{agent.name}} are filled in when one is used.
CREATE TABLE saved_reply (
    saved_reply_id INTEGER PRIMARY KEY,
    title          TEXT NOT NULL UNIQUE,
    body           TEXT NOT NULL,
    created_by     INTEGER REFERENCES agent (agent_id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- What the search index holds for each ticket: the version (the ticket's last change) it was
-- built from, whichever index is configured. The reconcile pass compares it with the tickets.
CREATE TABLE search_state (
    ticket_id  INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL,
    indexed_at INTEGER NOT NULL
);

-- The embedded index: filter columns here, text in two FTS5 tables keyed by ticket id (rowid).
CREATE TABLE search_doc (
    ticket_id   INTEGER PRIMARY KEY,
    status      TEXT NOT NULL,
    priority    TEXT NOT NULL,
    customer_id INTEGER NOT NULL,
    team_id     INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    solved_at   INTEGER
);
CREATE INDEX search_doc_updated_idx ON search_doc (updated_at);
CREATE INDEX search_doc_customer_idx ON search_doc (customer_id, updated_at);

-- Trigram: substrings in any script (Korean, Japanese, Arabic words with attached particles or
-- prefixes), and the text snippets are cut from here.
CREATE VIRTUAL TABLE search_fts USING fts5(
    subject, body, internal, resolution, tags, customer,
    tokenize = 'trigram'
);
-- English words with Porter stemming ("refunds" finds "refunded"); holds no copy of the text.
CREATE VIRTUAL TABLE search_fts_en USING fts5(
    subject, body, internal, resolution, tags, customer,
    tokenize = 'porter unicode61 remove_diacritics 2',
    content = '', contentless_delete = 1
);
