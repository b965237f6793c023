//! The SQL fragments in which SQLite and PostgreSQL differ, answered in one place. Queries that
//! differ as a whole stay with their feature, behind a `match` on [`Backend`].
//!
//! Row locks: PostgreSQL locks the rows a `SELECT` in a write transaction reads; SQLite has one
//! writer at a time (`Db::begin` starts `BEGIN IMMEDIATE`), so the locking clauses are empty there.

use super::Backend;

impl Backend {
    /// `FOR UPDATE SKIP LOCKED`: rows another transaction holds are left out instead of waited
    /// for, so workers on several nodes share a queue.
    pub fn for_update_skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }

    /// `FOR NO KEY UPDATE`: excludes other writers of the rows, but not transactions inserting
    /// rows that reference them (a foreign key takes only a key-share lock), which a plain
    /// `FOR UPDATE` would block — and two such transactions could deadlock.
    pub fn for_no_key_update(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR NO KEY UPDATE",
        }
    }

    /// `FOR SHARE`: keeps the rows from being changed (or locked for a change) until the
    /// transaction ends, while other transactions may share the lock.
    pub fn for_share(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR SHARE",
        }
    }

    /// `FOR NO KEY UPDATE SKIP LOCKED` (see [`Backend::for_no_key_update`]).
    pub fn for_no_key_update_skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR NO KEY UPDATE SKIP LOCKED",
        }
    }

    /// The text value at `key` of the JSON object in column `column`.
    pub fn json_text(self, column: &str, key: &str) -> String {
        match self {
            Backend::Sqlite => format!("json_extract({column}, '$.{key}')"),
            Backend::Postgres => format!("({column}::jsonb ->> '{key}')"),
        }
    }

    /// The domain of the email address in column `column`: what follows the `@`.
    pub fn email_domain(self, column: &str) -> String {
        match self {
            Backend::Sqlite => format!("substr({column}, instr({column}, '@') + 1)"),
            Backend::Postgres => format!("substr({column}, strpos({column}, '@') + 1)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_needs_no_row_locks() {
        let sqlite = Backend::Sqlite;
        assert_eq!(sqlite.for_update_skip_locked(), "");
        assert_eq!(sqlite.for_no_key_update(), "");
        assert_eq!(sqlite.for_no_key_update_skip_locked(), "");
        let pg = Backend::Postgres;
        assert_eq!(pg.for_update_skip_locked(), "FOR UPDATE SKIP LOCKED");
        assert_eq!(
            pg.for_no_key_update_skip_locked(),
            "FOR NO KEY UPDATE SKIP LOCKED"
        );
    }

    #[test]
    fn fragments_per_backend() {
        assert_eq!(
            Backend::Sqlite.json_text("e.attributes", "plan"),
            "json_extract(e.attributes, '$.plan')"
        );
        assert_eq!(
            Backend::Postgres.json_text("e.attributes", "plan"),
            "(e.attributes::jsonb ->> 'plan')"
        );
        assert_eq!(
            Backend::Sqlite.email_domain("v"),
            "substr(v, instr(v, '@') + 1)"
        );
        assert_eq!(
            Backend::Postgres.email_domain("v"),
            "substr(v, strpos(v, '@') + 1)"
        );
    }
}
