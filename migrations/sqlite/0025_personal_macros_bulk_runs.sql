-- Personal macros: a macro is shared (owner_id NULL) or one agent's own. Titles are unique among
-- the shared macros and among each agent's own. SQLite cannot drop the old UNIQUE (title), so the
-- table is rebuilt.
CREATE TABLE saved_reply_new (
    saved_reply_id INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_by     INTEGER REFERENCES agent (agent_id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    actions        TEXT NOT NULL DEFAULT '{}',
    uses           BIGINT NOT NULL DEFAULT 0,
    owner_id       BIGINT REFERENCES agent (agent_id) ON DELETE CASCADE
);
INSERT INTO saved_reply_new (saved_reply_id, title, body, created_by, created_at, updated_at, actions, uses)
    SELECT saved_reply_id, title, body, created_by, created_at, updated_at, actions, uses FROM saved_reply;
DROP TABLE saved_reply;
ALTER TABLE saved_reply_new RENAME TO saved_reply;
CREATE UNIQUE INDEX saved_reply_title_idx ON saved_reply (COALESCE(owner_id, 0), title);

-- A bulk change too large for one request: applied in chunks by the job worker, each chunk in
-- one transaction together with the progress it makes, so a crash neither loses nor repeats one.
CREATE TABLE bulk_run (
    bulk_run_id INTEGER PRIMARY KEY,
    agent_id    BIGINT NOT NULL REFERENCES agent (agent_id),
    -- The change (JSON) and its description for the result page.
    change      TEXT NOT NULL,
    summary     TEXT NOT NULL,
    -- JSON array of [ticket id, version seen or null].
    targets     TEXT NOT NULL,
    total       BIGINT NOT NULL,
    done        BIGINT NOT NULL DEFAULT 0,
    -- JSON {changed, stale, failed} so far.
    outcome     TEXT NOT NULL,
    back        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX bulk_run_agent_idx ON bulk_run (agent_id, bulk_run_id);
